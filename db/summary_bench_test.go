package db_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/bot/chart"
	"github.com/hearth-oss/hearth/bot/summaryview"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/hearth-oss/hearth/db/questionbank"
)

// seedOrganization fills a fresh database with an organization of teams ×
// size people and rounds closed weekly rounds per team, about 70% of people
// answering 4 or 5 questions each time. Rounds before the last are marked
// published, as they would be after each close.
func seedOrganization(b *testing.B, store *db.DB, teams, size, rounds int) {
	b.Helper()
	steps := []string{
		`INSERT INTO teams (channel_id, summary_channel_id, schedule)
		 SELECT 'CT' || lpad(t::text, 4, '0'), 'CM' || lpad(t::text, 4, '0'), 'CRON_TZ=America/Denver 0 10 * * FRI'
		 FROM generate_series(1, %[1]d) t`,
		`INSERT INTO pulse_rounds (team_id, number, scheduled_for, opened_at, closes_at, closed_at, questions, member_count)
		 SELECT t.id, n, ts, ts, ts + interval '3 days', ts + interval '3 days',
		   (SELECT jsonb_agg(jsonb_build_object('key', 'q' || ((n * 5 + i) %% 40), 'theme', (ARRAY['wellness','workload','engagement','recognition'])[1 + (n + i) %% 4],
		       'text', 'Question ' || ((n * 5 + i) %% 40), 'scale', 'agree5', 'min', 1, 'max', 5, 'higher_is_better', true))
		    FROM generate_series(0, 3 + n %% 2) i),
		   %[3]d
		 FROM teams t, generate_series(1, %[2]d) n, LATERAL (SELECT timestamptz '2025-11-28 17:00Z' + (n - 1) * interval '7 days' AS ts) s`,
		`INSERT INTO pulse_recipients (round_id, user_id, delivery, answered)
		 SELECT r.id, 'U' || r.team_id || '_' || p, 'sent', random() < 0.7
		 FROM pulse_rounds r, generate_series(1, %[3]d) p`,
		`INSERT INTO pulse_responses (round_id, answers)
		 SELECT rc.round_id, (SELECT jsonb_object_agg(q->>'key', 1 + floor(random() * 5)::int) FROM jsonb_array_elements(r.questions) q)
		 FROM pulse_recipients rc JOIN pulse_rounds r ON r.id = rc.round_id WHERE rc.answered`,
		`INSERT INTO pulse_comments (round_id, body)
		 SELECT r.id, 'A comment about the week, number ' || c FROM pulse_rounds r, generate_series(1, 4) c`,
		`UPDATE pulse_rounds SET summarized_in = id WHERE number < %[2]d`,
		`ANALYZE`,
	}
	ctx := context.Background()
	for _, q := range steps {
		if strings.Contains(q, "%[") {
			q = fmt.Sprintf(q, teams, rounds, size)
		}
		if _, err := store.ExecContext(ctx, q); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
}

// BenchmarkOrganizationSummaries computes the summary and trend of the
// latest round for every team of a 10,000-person organization (200 teams
// of 50, 52 closed rounds each) and reports time per team (p50, p99) to
// compute the aggregates, and with the Block Kit and chart PNG rendered;
// for all teams (with rendering); and memory.
//
//	go test ./db -run '^$' -bench OrganizationSummaries -benchtime 1x
func BenchmarkOrganizationSummaries(b *testing.B) {
	store := dbtest.New(b)
	const teams, size, rounds = 200, 50, 52
	seedOrganization(b, store, teams, size, rounds)
	ctx := context.Background()
	var latest []int64
	if err := store.SelectContext(ctx, &latest, `SELECT id FROM pulse_rounds WHERE number = $1 ORDER BY team_id`, rounds); err != nil {
		b.Fatal(err)
	}
	var teamIDs []int64
	if err := store.SelectContext(ctx, &teamIDs, `SELECT id FROM teams ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	var per, rendered []time.Duration
	start := time.Now()
	for range b.N {
		for i, id := range latest {
			t0 := time.Now()
			s, err := store.RoundSummary(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			if !s.Enough || len(s.Questions) < 4 {
				b.Fatalf("team %d: summary not shown (%d respondents)", i, s.Respondents)
			}
			points, err := store.TeamTrend(ctx, teamIDs[i], 12)
			if err != nil {
				b.Fatal(err)
			}
			per = append(per, time.Since(t0))
			// What a post adds: the Block Kit message and the chart PNG.
			opts := summaryview.Options{Bank: questionbank.Default()}
			if msg := summaryview.Blocks(s, opts, 0); len(msg.Blocks) > 50 {
				b.Fatalf("%d blocks", len(msg.Blocks))
			}
			if _, err := chart.RenderPNG(summaryview.TrendChart(s.Team, points, opts)); err != nil {
				b.Fatal(err)
			}
			rendered = append(rendered, time.Since(t0))
		}
	}
	total := time.Since(start) / time.Duration(b.N)
	b.StopTimer()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	slices.Sort(per)
	slices.Sort(rendered)
	b.ReportMetric(float64(per[len(per)/2].Microseconds())/1000, "p50-ms/team")
	b.ReportMetric(float64(per[len(per)*99/100].Microseconds())/1000, "p99-ms/team")
	b.ReportMetric(float64(rendered[len(rendered)/2].Microseconds())/1000, "p50-ms/team-with-render")
	b.ReportMetric(float64(rendered[len(rendered)*99/100].Microseconds())/1000, "p99-ms/team-with-render")
	b.ReportMetric(total.Seconds(), "s/all-teams")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<20), "MB-alloc/all-teams")
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "MB-heap-inuse")
}
