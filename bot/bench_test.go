package bot_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
)

// benchConcurrency is how many Slack requests are in flight at once.
const benchConcurrency = 16

// BenchmarkKudosHTTP sends signed /kudos commands through the HTTP endpoint
// into the real database at a fixed concurrency and reports kudos/s and the
// time to ack (p50, p99). Delivery jobs run alongside, as in production.
//
//	go test ./bot -run '^$' -bench 'KudosHTTP|RawInsert' -benchtime 3000x
func BenchmarkKudosHTTP(b *testing.B) {
	h := setup(b)
	ctx := context.Background()
	const givers = 2000
	if err := h.store.SetSetting(ctx, db.SettingKudosAllow, "50"); err != nil {
		b.Fatal(err)
	}
	for i := range givers {
		u := db.User{ID: fmt.Sprintf("UG%04d", i), Name: fmt.Sprintf("giver%d", i), TZ: "America/Denver", FetchedAt: time.Now()}
		h.slack.AddUser(slacktest.User{ID: u.ID, Name: u.Name, TZ: u.TZ})
		if err := h.store.SaveUser(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
	forms := make([][]byte, b.N)
	for i := range forms {
		form := h.commandForm(fmt.Sprintf("UG%04d", i%givers), "/kudos", fmt.Sprintf("<@UG%04d> for covering shift %d #teamwork", (i+1)%givers, i))
		forms[i] = []byte(form.Encode())
	}
	latencies := make([]time.Duration, b.N)
	var next atomic.Int64
	var failures atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range benchConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				status, body := h.postSigned("/slack/commands", "application/x-www-form-urlencoded", forms[i])
				latencies[i] = time.Since(t0)
				if status != http.StatusOK || !strings.Contains(body, "on its way") {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failures.Load(); f > 0 {
		b.Fatalf("%d of %d kudos failed", f, b.N)
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "kudos/s")
	b.ReportMetric(ms(latencies[len(latencies)/2]), "p50-ack-ms")
	b.ReportMetric(ms(latencies[len(latencies)*99/100]), "p99-ack-ms")
	if n := h.count(`SELECT count(*) FROM kudos`); n != b.N {
		b.Fatalf("recorded %d kudos, want %d", n, b.N)
	}
}

// BenchmarkRawInsert is the comparison: single-row INSERTs into the same
// Postgres at the same concurrency, one autocommit statement each.
func BenchmarkRawInsert(b *testing.B) {
	h := setup(b)
	if _, err := h.store.Exec(`CREATE TABLE bench_rows (id bigserial PRIMARY KEY, giver text NOT NULL, message text NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range benchConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if _, err := h.store.Exec(`INSERT INTO bench_rows (giver, message) VALUES ($1, $2)`, "UG0001", url.QueryEscape(fmt.Sprint("row ", i))); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "inserts/s")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
