package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hearth-oss/hearth/bot"
	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/bot/summaryview"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/jobs"
)

// demo plays a few weeks of Hearth in a simulated workspace, through the
// real code paths — scheduling, delivery, answering, closing, summarizing —
// against a throwaway Postgres database, and writes what managers would
// have seen into a folder.
func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	weeks := 12
	out := ""
	keep := false
	if err := parseFlags("demo", args, stdout, func(fs *flag.FlagSet) {
		fs.IntVar(&weeks, "weeks", weeks, "how many weekly rounds to play (1–26)")
		fs.StringVar(&out, "out", "", "folder to write the summaries to (default ./hearth-demo-DATE-TIME)")
		fs.BoolVar(&keep, "keep-db", false, "keep the demo database instead of dropping it")
	}); err != nil {
		return helpOK(err)
	}
	if weeks < 1 || weeks > 26 {
		return usageError{"demo: --weeks must be between 1 and 26"}
	}
	if out == "" {
		out = "hearth-demo-" + time.Now().Format("20060102-150405")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("demo: create %s: %w", out, err)
	}
	started := time.Now()

	dbURL, drop, err := demoDatabase(ctx, getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	if !keep {
		defer drop()
	} else {
		fmt.Fprintf(stdout, "keeping the demo database: %s\n", redactURL(dbURL))
	}
	store, err := db.Open(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer store.Close()
	quiet := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if err := store.Migrate(ctx, quiet); err != nil {
		return err
	}

	bank, err := loadQuestionBank(getenv)
	if err != nil {
		return err
	}
	world := newDemoWorld()
	world.bank = bank
	world.support = getenv("HEARTH_SUPPORT_TEXT")
	fake := slacktest.Start()
	defer fake.Close()
	world.populate(fake)
	if err := world.configure(ctx, store); err != nil {
		return err
	}

	clock := world.clock
	runner, err := jobs.New(jobs.Config{Store: store, Logger: quiet, PollInterval: 20 * time.Millisecond, PostsPerMinute: 6000, Now: clock.Now, Questions: bank})
	if err != nil {
		return err
	}
	api := demoSlackClient(fake)
	b := bot.New(bot.Config{Store: store, Slack: api, Queue: runner, Logger: quiet, Now: clock.Now, SupportText: getenv("HEARTH_SUPPORT_TEXT"), Questions: bank})
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := runner.Start(runCtx, b); err != nil {
		return err
	}
	defer func() {
		stopCtx, stop := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer stop()
		_ = runner.Stop(stopCtx)
	}()

	fmt.Fprintf(stdout, "Hearth demo: %d teams, %d people, %d weeks, in a simulated Slack workspace.\n", len(world.teams), world.people(), weeks)
	for week := 1; week <= weeks; week++ {
		line, err := world.playWeek(ctx, week, store, b, runner, fake)
		if err != nil {
			return fmt.Errorf("demo: week %d: %w", week, err)
		}
		fmt.Fprintln(stdout, line)
	}
	written, err := world.writeOutput(ctx, out, store, fake)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Fprintf(stdout, "\nWrote %d manager summaries (Block Kit JSON, text and trend charts) in %.1fs to:\n  %s\nStart with %s.\n",
		written, time.Since(started).Seconds(), abs, filepath.Join(abs, "README.txt"))
	return nil
}

// demoDatabase creates a throwaway database on the server of DATABASE_URL
// (or the local default) and returns its URL and how to drop it.
func demoDatabase(ctx context.Context, serverURL string) (string, func(), error) {
	if serverURL == "" {
		serverURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(serverURL)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return "", nil, usageError{"demo: DATABASE_URL must be a postgres:// URL (the demo creates and drops its own database on that server)"}
	}
	admin, err := sql.Open("postgres", serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("demo: %w", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "hearth_demo_" + hex.EncodeToString(suffix)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("demo: cannot create a throwaway database on the Postgres server (is it running, and may this user create databases?): %w", err)
	}
	u.Path = "/" + name
	drop := func() {
		defer admin.Close()
		dropCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(dropCtx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	return u.String(), drop, nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(ctx context.Context, timeout time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// writeOutput writes every summary posted to a managers' channel: the
// Block Kit JSON as posted, a text rendering, and the chart PNG.
func (w *demoWorld) writeOutput(ctx context.Context, dir string, store *db.DB, fake *slacktest.Server) (int, error) {
	files := map[string]slacktest.File{}
	for _, f := range fake.Files() {
		files[f.ID] = f
	}
	var index strings.Builder
	index.WriteString("Hearth demo — what managers saw\n\n")
	index.WriteString("Each summary was posted by Hearth to its team's managers' channel when a round closed.\n")
	index.WriteString("For each: .json is the Slack Block Kit message as posted, .txt a text rendering, .png the trend chart.\n\n")
	count := 0
	for _, t := range w.teams {
		var rounds []db.Round
		if err := store.SelectContext(ctx, &rounds, `SELECT id, team_id, number, scheduled_for, opened_at, closes_at, remind_at, closed_at, questions, member_count
			FROM pulse_rounds WHERE team_id = $1 AND summary_posted_at IS NOT NULL ORDER BY number`, t.id); err != nil {
			return 0, fmt.Errorf("demo: %w", err)
		}
		posted := fake.MessagesTo(t.summaryChannel)
		for i, r := range rounds {
			base := filepath.Join(dir, fmt.Sprintf("%s-round-%02d", t.slug, r.Number))
			s, err := store.RoundSummary(ctx, r.ID)
			if err != nil {
				return 0, err
			}
			var txt strings.Builder
			if err := summaryview.Text(&txt, s, summaryview.Options{Location: w.loc, Bank: w.bank, Support: w.support}); err != nil {
				return 0, err
			}
			if err := os.WriteFile(base+".txt", []byte(txt.String()), 0o644); err != nil {
				return 0, err
			}
			if i < len(posted) {
				var pretty any
				if err := json.Unmarshal(posted[i].Blocks, &pretty); err == nil {
					b, _ := json.MarshalIndent(map[string]any{"channel": posted[i].Channel, "text": posted[i].Text, "blocks": pretty}, "", "  ")
					if err := os.WriteFile(base+".json", b, 0o644); err != nil {
						return 0, err
					}
				}
				for _, id := range posted[i].Files {
					if f, ok := files[id]; ok {
						if err := os.WriteFile(base+".png", f.Bytes, 0o644); err != nil {
							return 0, err
						}
					}
				}
			}
			status := "not enough responses to protect anonymity"
			if s.Enough {
				status = fmt.Sprintf("%d of %d answered", s.Respondents, s.Members)
				if s.Pooled() {
					status += fmt.Sprintf(" (pooled over %d rounds)", len(s.Rounds))
				}
			}
			fmt.Fprintf(&index, "%-34s %s — %s\n", filepath.Base(base)+".*", t.name, status)
			count++
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.txt"), []byte(index.String()), 0o644); err != nil {
		return 0, err
	}
	return count, nil
}
