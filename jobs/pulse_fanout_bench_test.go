package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/hearth-oss/hearth/jobs"
)

// BenchmarkPulseFanout5000 delivers one round's pulse DMs to 5,000 people
// through the real bot, River and Postgres, against the fake Slack with a
// workspace-wide chat.postMessage limit (50/s, no bursts) and Hearth's pace
// set to the same 50/s. It reports the time to deliver every DM against
// the floor (members ÷ limit), and duplicates and misses, which must be 0:
//
//	go test ./jobs/ -run '^$' -bench PulseFanout5000 -benchtime 1x
//
// HEARTH_BENCH_MEMBERS, HEARTH_BENCH_LIMIT (posts/s), HEARTH_BENCH_BURST
// (calls the limiter lets through at once; Slack tolerates short bursts,
// default 1: none) and HEARTH_BENCH_PACE (Hearth's posts/min; default
// limit×60) change the scenario.
func BenchmarkPulseFanout5000(b *testing.B) {
	members := envInt(b, "HEARTH_BENCH_MEMBERS", 5000)
	limit := envInt(b, "HEARTH_BENCH_LIMIT", 50)
	burst := envInt(b, "HEARTH_BENCH_BURST", 1)
	pace := envInt(b, "HEARTH_BENCH_PACE", limit*60)
	for range b.N {
		b.StopTimer()
		f := newFanout(b, members)
		f.slack.SetRateLimitBurst("chat.postMessage", float64(limit), burst)
		r := f.botRunner(pace)
		b.StartTimer()

		start := time.Now()
		f.enqueue(r, db.DMPulse, f.people)
		dbtest.Await(b, 30*time.Minute, "every DM recorded", func() (bool, error) {
			c, err := f.store.RoundDeliveryCounts(context.Background(), f.round.ID)
			return c.Sent+c.Failed == members, err
		})
		elapsed := time.Since(start)

		b.StopTimer()
		got := f.dms(db.DMPulse)
		dups, missing := 0, 0
		for _, p := range f.people {
			switch n := got[p]; {
			case n == 0:
				missing++
			case n > 1:
				dups += n - 1
			}
		}
		floor := time.Duration(float64(members) / float64(limit) * float64(time.Second))
		refused := f.slack.Rejected("chat.postMessage")
		b.ReportMetric(elapsed.Seconds(), "s_to_deliver")
		b.ReportMetric(floor.Seconds(), "s_floor")
		b.ReportMetric(elapsed.Seconds()/floor.Seconds(), "x_floor")
		b.ReportMetric(float64(members)/elapsed.Seconds(), "DMs/s")
		b.ReportMetric(float64(dups), "duplicates")
		b.ReportMetric(float64(missing), "missing")
		b.ReportMetric(float64(refused), "429s")
		fmt.Fprintf(os.Stderr, "pulse fan-out: %d members, Slack limit %d/s (burst %d), Hearth pace %d/min: all DMs in %v (floor %v, %.3f× floor, %.1f DMs/s), %d duplicates, %d missing, %d posts refused with 429\n",
			members, limit, burst, pace, elapsed.Round(time.Millisecond), floor, elapsed.Seconds()/floor.Seconds(), float64(members)/elapsed.Seconds(), dups, missing, refused)
		if dups != 0 || missing != 0 {
			b.Fatalf("%d duplicates and %d missing DMs", dups, missing)
		}
	}
}

// botRunner starts a job runner delivering through the real bot.
func (f *fanout) botRunner(postsPerMinute int) *jobs.Runner {
	f.t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := jobs.New(jobs.Config{Store: f.store, Logger: log, PollInterval: 20 * time.Millisecond, PostsPerMinute: postsPerMinute})
	if err != nil {
		f.t.Fatal(err)
	}
	api := slack.New(f.slack.BotToken(), slack.OptionAPIURL(f.slack.APIURL()))
	b := bot.New(bot.Config{Store: f.store, Slack: api, Queue: r, Logger: log})
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx, b); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = r.Stop(stopCtx)
		cancel()
	})
	return r
}

func envInt(t testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}
