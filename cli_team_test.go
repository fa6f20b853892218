package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/hearth-oss/hearth/jobs"
)

// cliStep is one command of a CLI test and what it should print (or the
// usage error, exit status 2, it should fail with).
type cliStep struct {
	args      []string
	want      []string
	wantUsage bool // exit status 2
	wantErr   bool // exit status 1
}

func runSteps(t *testing.T, vars func(string) string, steps []cliStep) {
	t.Helper()
	for _, s := range steps {
		var out, errOut bytes.Buffer
		err := run(context.Background(), s.args, vars, &out, &errOut)
		got := out.String()
		var ue usageError
		switch {
		case s.wantUsage && !errors.As(err, &ue):
			t.Errorf("hearth %q: %v, want a usage error (exit 2)", s.args, err)
			continue
		case s.wantErr && (err == nil || errors.As(err, &ue)):
			t.Errorf("hearth %q: %v, want an error (exit 1)", s.args, err)
			continue
		case !s.wantUsage && !s.wantErr && err != nil:
			t.Errorf("hearth %q: %v\n%s", s.args, err, got)
			continue
		case err != nil:
			got = err.Error()
			if strings.Contains(got, "\n") {
				t.Errorf("hearth %q: the error spans lines: %q", s.args, got)
			}
		}
		for _, w := range s.want {
			if !strings.Contains(got, w) {
				t.Errorf("hearth %q printed:\n%s\nwant it to contain %q", s.args, got, w)
			}
		}
	}
}

func teamAddArgs(extra ...string) []string {
	return append([]string{"team", "add", "--channel", "C0TEAM", "--summary-channel", "C0LEADS",
		"--schedule", "CRON_TZ=America/Denver 0 10 * * FRI"}, extra...)
}

// TestTeamCLIRefusesInvalidInput: each mistake is one clear line and exit
// status 2, found before the database is touched.
func TestTeamCLIRefusesInvalidInput(t *testing.T) {
	t.Parallel()
	steps := []cliStep{
		{args: []string{"team"}, want: []string{"say add, list"}, wantUsage: true},
		{args: []string{"team", "frob"}, want: []string{`unknown subcommand "frob"`}, wantUsage: true},
		{args: []string{"team", "add", "--summary-channel", "C0LEADS", "--schedule", "0 10 * * FRI"}, want: []string{"--channel is required"}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "#nurses", "--summary-channel", "C0LEADS", "--schedule", "0 10 * * FRI"}, want: []string{`--channel "#nurses" is not a channel id`}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "U0BOB", "--summary-channel", "C0LEADS", "--schedule", "0 10 * * FRI"}, want: []string{"is not a channel id"}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "C0TEAM", "--schedule", "0 10 * * FRI"}, want: []string{"--summary-channel is required"}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "C0TEAM", "--summary-channel", "leads", "--schedule", "0 10 * * FRI"}, want: []string{`--summary-channel "leads" is not a channel id`}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "C0TEAM", "--summary-channel", "C0TEAM", "--schedule", "0 10 * * FRI"}, want: []string{"must differ"}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "C0TEAM", "--summary-channel", "C0LEADS"}, want: []string{"--schedule is required"}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "C0TEAM", "--summary-channel", "C0LEADS", "--schedule", "0 10 * FRI"},
			want: []string{`schedule "0 10 * FRI": has 4 fields, want 5`}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "C0TEAM", "--summary-channel", "C0LEADS", "--schedule", "0 10 * * FRX"},
			want: []string{`day-of-week field "FRX" is not valid`}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "C0TEAM", "--summary-channel", "C0LEADS", "--schedule", "CRON_TZ=America/Denverr 0 10 * * FRI"},
			want: []string{`schedule "CRON_TZ=America/Denverr 0 10 * * FRI": unknown time zone "America/Denverr"`}, wantUsage: true},
		{args: teamAddArgs("--min-group", "2"), want: []string{"--min-group must be at least 3"}, wantUsage: true},
		{args: teamAddArgs("--min-group", "11"), want: []string{"--min-group can be at most 10"}, wantUsage: true},
		{args: teamAddArgs("--questions", "2"), want: []string{"--questions must be 3, 4 or 5"}, wantUsage: true},
		{args: teamAddArgs("--questions", "6"), want: []string{"--questions must be 3, 4 or 5"}, wantUsage: true},
		{args: teamAddArgs("--remind-after", "72h"), want: []string{"--remind-after (72h) must be shorter than --open-for (72h)"}, wantUsage: true},
		{args: teamAddArgs("--open-for", "24h", "--remind-after", "2d"), want: []string{"--remind-after (48h) must be shorter than --open-for (24h)"}, wantUsage: true},
		{args: teamAddArgs("--remind-after", "soon"), want: []string{`--remind-after "soon"`}, wantUsage: true},
		{args: teamAddArgs("--open-for", "30m"), want: []string{`--open-for "30m" must be a duration from 1h to 336h`}, wantUsage: true},
		{args: teamAddArgs("--open-for", "15d"), want: []string{"from 1h to 336h"}, wantUsage: true},
		{args: teamAddArgs("--questions", "many"), want: []string{"invalid value"}, wantUsage: true},
		{args: teamAddArgs("extra"), want: []string{`unexpected argument "extra"`}, wantUsage: true},
		{args: []string{"team", "show"}, want: []string{"give one member channel id"}, wantUsage: true},
		{args: []string{"team", "pause", "general"}, want: []string{`"general" is not a channel id`}, wantUsage: true},
		{args: []string{"team", "remove", "C1", "C2"}, want: []string{"give one member channel id"}, wantUsage: true},
		{args: []string{"pulse"}, want: []string{"say open or close"}, wantUsage: true},
		{args: []string{"pulse", "reopen"}, want: []string{`unknown subcommand "reopen"`}, wantUsage: true},
		{args: []string{"pulse", "open"}, want: []string{"--team is required"}, wantUsage: true},
		{args: []string{"pulse", "close", "--team", "#nurses"}, want: []string{`--team "#nurses" is not a channel id`}, wantUsage: true},
		{args: []string{"team", "-h"}, want: []string{"hearth team add --channel"}},
		{args: []string{"team", "add", "-h"}, want: []string{"-remind-after"}},
		{args: []string{"team", "show", "-h"}, want: []string{"Usage: hearth team show C…"}},
		{args: []string{"pulse", "--help"}, want: []string{"hearth pulse open --team C…"}},
		{args: []string{"pulse", "open", "-h"}, want: []string{"-team"}},
	}
	runSteps(t, env(nil), steps)
}

// TestTeamCLI manages a team end to end against a fresh database.
func TestTeamCLI(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{"DATABASE_URL": dbtest.NewURL(t)})
	runSteps(t, vars, []cliStep{
		{args: []string{"migrate"}},
		{args: []string{"team", "list"}, want: []string{"no teams yet"}},
		{args: teamAddArgs("--remind-after", "off", "--questions", "3", "--min-group", "6"), want: []string{
			"added team C0TEAM", "Fridays at 10:00 (America/Denver)", "next round", "reminder         off", "3 per round", "min group        6", "rounds           none yet"}},
		{args: teamAddArgs(), want: []string{"channel C0TEAM already is a team"}, wantUsage: true},
		{args: []string{"team", "add", "--channel", "G0SMALL", "--summary-channel", "C0LEADS", "--schedule", "30 9 * * 1-5", "--open-for", "1d", "--min-group", "3"},
			want: []string{"added team G0SMALL", "weekdays at 09:30 (UTC)", "open for         24h", "reminder         16h"}},
		{args: []string{"team", "list"}, want: []string{
			"CHANNEL  SUMMARY  SCHEDULE", "MIN GROUP  STATUS  ROUND",
			"C0TEAM   C0LEADS  Fridays at 10:00 (America/Denver)  72h       off       3          6          active  -",
			"G0SMALL  C0LEADS  weekdays at 09:30 (UTC)            24h       16h       4          3          active  -"}},
		{args: []string{"team", "pause", "C0TEAM"}, want: []string{"paused team C0TEAM"}},
		{args: []string{"team", "show", "C0TEAM"}, want: []string{"team C0TEAM", "summary channel  C0LEADS", "status           paused"}},
		{args: []string{"team", "resume", "C0TEAM"}, want: []string{"resumed team C0TEAM"}},
		{args: []string{"team", "list"}, want: []string{"72h       off       3          6          active"}},
		{args: []string{"team", "show", "C0NOBODY"}, want: []string{"team show: no team for channel C0NOBODY"}, wantUsage: true},
		{args: []string{"team", "pause", "C0NOBODY"}, want: []string{"no team for channel C0NOBODY"}, wantUsage: true},
		{args: []string{"team", "remove", "G0SMALL"}, want: []string{"removed team G0SMALL"}},
		{args: []string{"team", "remove", "G0SMALL"}, want: []string{"team remove: no team for channel G0SMALL"}, wantUsage: true},
		{args: []string{"pulse", "open", "--team", "G0SMALL"}, want: []string{"pulse open: no team for channel G0SMALL"}, wantUsage: true},
		{args: []string{"pulse", "close", "--team", "C0TEAM"}, want: []string{"team C0TEAM has no open round"}, wantErr: true},
	})
	// The warning about a small minimum group goes to stderr.
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"team", "add", "--channel", "C0TINY", "--summary-channel", "C0LEADS",
		"--schedule", "0 10 * * FRI", "--min-group", "3"}, vars, io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "warning: with a minimum group of 3") {
		t.Errorf("no warning for min-group 3: %q", stderr.String())
	}
}

// cliMessenger is the Slack a test server sees: the members of each
// channel, DMs that always go out, summaries that always post.
type cliMessenger struct {
	mu        sync.Mutex
	members   map[string][]string
	summaries int
}

func (m *cliMessenger) DeliverKudos(context.Context, int64) ([]string, error)       { return nil, nil }
func (m *cliMessenger) RetractKudos(context.Context, int64) ([]string, error)       { return nil, nil }
func (m *cliMessenger) PublishHome(context.Context, string) error                   { return nil }
func (m *cliMessenger) PostEphemeral(context.Context, string, string, string) error { return nil }
func (m *cliMessenger) DMChannel(_ context.Context, userID string) (string, error) {
	return "D" + userID, nil
}
func (m *cliMessenger) MarkPulseAnswered(context.Context, db.Team, db.Round, db.Recipient) error {
	return nil
}

func (m *cliMessenger) HumanMembers(_ context.Context, channelID string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.members[channelID], nil
}

func (m *cliMessenger) FindPulseDM(_ context.Context, channel string, _ int64, _ db.DMKind, _ time.Time) (string, string, error) {
	return channel, "", nil
}

func (m *cliMessenger) PostPulseDM(_ context.Context, channel string, _ db.Team, _ db.Round, _ db.DMKind) (string, string, error) {
	return channel, fmt.Sprintf("%d.000100", time.Now().Unix()), nil
}

func (m *cliMessenger) PostRoundSummary(context.Context, db.Team, db.Round) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.summaries++
	return nil
}

// startJobs runs a job runner on the database, as `hearth serve` would,
// until stop is called or the test ends.
func startJobs(t *testing.T, url string, m jobs.Messenger) (stop func()) {
	t.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	r, err := jobs.New(jobs.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	if err := r.Start(runCtx, m); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			stopCtx, done := context.WithTimeout(ctx, 10*time.Second)
			defer done()
			_ = r.Stop(stopCtx)
			cancel()
			store.Close()
		})
	}
	t.Cleanup(stop)
	return stop
}

// TestPulseCLI opens and closes rounds through the command line while a
// job runner plays the server — and while none runs.
func TestPulseCLI(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	vars := env(map[string]string{"DATABASE_URL": url})
	slack := &cliMessenger{members: map[string][]string{
		"C0TEAM":  {"UANA", "UBEN", "UCAT"},
		"C0OTHER": {"UDEV", "UEVE"},
		"C0EMPTY": {},
	}}
	runSteps(t, vars, []cliStep{
		{args: []string{"migrate"}},
		{args: teamAddArgs()},
		{args: []string{"team", "add", "--channel", "C0OTHER", "--summary-channel", "C0LEADS", "--schedule", "0 10 * * MON"}},
		{args: []string{"team", "add", "--channel", "C0EMPTY", "--summary-channel", "C0LEADS", "--schedule", "0 10 * * MON"}},
		// No server running: the request waits in the queue.
		{args: []string{"pulse", "open", "--team", "C0TEAM", "--wait", "200ms"}, want: []string{"queued: a running 'hearth serve' will open it"}},
	})

	store := openStoreForTest(t, url)
	stop := startJobs(t, url, slack)
	team, err := store.TeamByChannel(context.Background(), "C0TEAM")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Await(t, 20*time.Second, "the queued round to open", func() (bool, error) {
		_, err := store.OpenRoundOf(context.Background(), team.ID)
		return err == nil, nil
	})
	runSteps(t, vars, []cliStep{
		{args: []string{"pulse", "open", "--team", "C0OTHER"}, want: []string{"round 1 opened for C0OTHER: 2 people asked"}},
		{args: []string{"pulse", "open", "--team", "C0EMPTY"}, want: []string{"round not opened for C0EMPTY: nobody to ask"}, wantErr: true},
		{args: []string{"team", "show", "C0TEAM"}, want: []string{"open round       1, opened", "3 asked"}},
		{args: []string{"team", "list"}, want: []string{"1 open"}},
		{args: []string{"pulse", "close", "--team", "C0TEAM"}, want: []string{"round 1 closed for C0TEAM; its summary goes to C0LEADS"}},
		{args: []string{"pulse", "close", "--team", "C0TEAM"}, want: []string{"team C0TEAM has no open round"}, wantErr: true},
		{args: []string{"team", "show", "C0TEAM"}, want: []string{"last round       1, ", "3 asked"}},
	})

	// Closing while no server runs: queued, and done when one starts.
	stop()
	runSteps(t, vars, []cliStep{
		{args: []string{"pulse", "close", "--team", "C0OTHER", "--wait", "200ms"}, want: []string{"queued: a running 'hearth serve' will close it"}},
	})
	other, err := store.OpenRoundOf(context.Background(), mustTeamID(t, store, "C0OTHER"))
	if err != nil {
		t.Fatal(err)
	}
	startJobs(t, url, slack)
	dbtest.Await(t, 20*time.Second, "the queued close", func() (bool, error) {
		r, err := store.Round(context.Background(), other.ID)
		return r.ClosedAt.Valid, err
	})
}

func openStoreForTest(t *testing.T, url string) *db.DB {
	t.Helper()
	store, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

func mustTeamID(t *testing.T, store *db.DB, channel string) int64 {
	t.Helper()
	team, err := store.TeamByChannel(context.Background(), channel)
	if err != nil {
		t.Fatal(err)
	}
	return team.ID
}

// TestServeRefusesABadQuestionsFile: a broken HEARTH_QUESTIONS_FILE stops
// serve with one line naming the file and line of each problem.
func TestServeRefusesABadQuestionsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "questions.yaml")
	if err := os.WriteFile(bad, []byte("questions:\n  - key: Sleep Well\n    theme: wellness\n    text: I sleep well.\n    scale: agree7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/none", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
	for file, want := range map[string]string{
		bad:                                bad + ":2:",
		filepath.Join(dir, "missing.yaml"): "HEARTH_QUESTIONS_FILE: cannot read the question bank",
	} {
		vars := map[string]string{"HEARTH_QUESTIONS_FILE": file}
		for k, v := range base {
			vars[k] = v
		}
		err := run(context.Background(), []string{"serve"}, env(vars), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("serve with %s: %v, want one line containing %q", file, err, want)
		}
	}

	good := filepath.Join(dir, "ours.yaml")
	var src strings.Builder
	src.WriteString("questions:\n")
	for i := range 5 {
		fmt.Fprintf(&src, "  - key: ours_%d\n    theme: wellness\n    text: Statement %d of our own.\n", i, i)
	}
	if err := os.WriteFile(good, []byte(src.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	bank, err := loadQuestionBank(env(map[string]string{"HEARTH_QUESTIONS_FILE": good}))
	if err != nil || len(bank.Questions()) != 5 {
		t.Errorf("a good file: %v", err)
	}
}

// TestPulseCLIWithServe: a team added and a round opened from the command
// line reach people through a running `hearth serve`.
func TestPulseCLIWithServe(t *testing.T) {
	t.Parallel()
	fake := fakeWorkspace(t)
	fake.AddChannel(slacktest.Channel{ID: "C0TEAM", Name: "nurses", Members: []string{"UALICE", "UBOB", fake.BotUserID()}})
	dbURL := dbtest.NewURL(t)
	startServe(t, fake, dbURL, map[string]string{"SLACK_SIGNING_SECRET": "cli-secret"})
	vars := env(map[string]string{"DATABASE_URL": dbURL})
	runSteps(t, vars, []cliStep{
		{args: teamAddArgs(), want: []string{"added team C0TEAM"}},
		{args: []string{"pulse", "open", "--team", "C0TEAM"}, want: []string{"round 1 opened for C0TEAM: 2 people asked"}},
	})
	fake.Await(t, 20*time.Second, "a pulse DM to each member", func() bool {
		return len(fake.MessagesTo("UALICE")) == 1 && len(fake.MessagesTo("UBOB")) == 1
	})
	runSteps(t, vars, []cliStep{
		{args: []string{"pulse", "close", "--team", "C0TEAM"}, want: []string{"round 1 closed for C0TEAM; its summary goes to C0LEADS"}},
	})
}
