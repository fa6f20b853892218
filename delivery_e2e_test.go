package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/bot"
	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/hearth-oss/hearth/jobs"
)

func TestPostsPerMinuteConfig(t *testing.T) {
	t.Parallel()
	base := map[string]string{"DATABASE_URL": "postgres://x/y"}
	c, err := loadConfig(env(base), false)
	if err != nil || c.PostsPerMinute != jobs.DefaultPostsPerMinute {
		t.Fatalf("default: %d, %v; want %d", c.PostsPerMinute, err, jobs.DefaultPostsPerMinute)
	}
	for _, v := range []string{"1", "600", " 6000 "} {
		vars := map[string]string{"DATABASE_URL": "postgres://x/y", "HEARTH_SLACK_POSTS_PER_MINUTE": v}
		c, err := loadConfig(env(vars), false)
		if want, _ := strconv.Atoi(strings.TrimSpace(v)); err != nil || c.PostsPerMinute != want {
			t.Errorf("%q: %d, %v", v, c.PostsPerMinute, err)
		}
	}
	for _, v := range []string{"0", "-5", "6001", "fast", "1.5"} {
		// Reported along with every other problem, on one line.
		vars := map[string]string{"HEARTH_SLACK_POSTS_PER_MINUTE": v, "LOG_LEVEL": "loud"}
		_, err := loadConfig(env(vars), false)
		if err == nil || !strings.Contains(err.Error(), "HEARTH_SLACK_POSTS_PER_MINUTE must be a whole number from 1 to 6000") ||
			!strings.Contains(err.Error(), "DATABASE_URL") || !strings.Contains(err.Error(), "LOG_LEVEL") {
			t.Errorf("%q: %v", v, err)
		}
	}
}

// pulseWorkspace is a fake workspace with a team channel of n people
// (U00001…), and the bot in it.
func pulseWorkspace(t *testing.T, n int) (*slacktest.Server, []string) {
	t.Helper()
	fake := slacktest.New(t)
	members := []string{fake.BotUserID()}
	var people []string
	for i := range n {
		id := fmt.Sprintf("U%05d", i+1)
		fake.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id), TZ: "America/Denver"})
		people = append(people, id)
	}
	fake.AddChannel(slacktest.Channel{ID: "C0TEAM", Name: "nurses", Members: append(members, people...)})
	fake.AddChannel(slacktest.Channel{ID: "C0LEADS", Name: "leads", Members: []string{fake.BotUserID()}})
	return fake, people
}

// pulseDMsPerPerson counts the pulse DMs (not reminders) each person got.
func pulseDMsPerPerson(fake *slacktest.Server) map[string]int {
	n := map[string]int{}
	for _, m := range fake.Messages() {
		if m.User != "" && m.Metadata.EventType == bot.MetadataPulse {
			n[m.User]++
		}
	}
	return n
}

// awaitSettled waits until the database says every DM of the team's round
// is sent (or failed) and no pulse DM job is left to run, then checks that
// each person got exactly one DM.
func awaitSettled(t *testing.T, fake *slacktest.Server, dbURL string, people []string, timeout time.Duration) {
	t.Helper()
	fake.Await(t, timeout, "a pulse DM to everyone", func() bool { return len(pulseDMsPerPerson(fake)) >= len(people) })
	ctx := context.Background()
	store, err := db.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	team, err := store.TeamByChannel(ctx, "C0TEAM")
	if err != nil {
		t.Fatal(err)
	}
	round, err := store.LatestRoundOf(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Await(t, timeout, "every DM recorded and no pulse DM job left", func() (bool, error) {
		c, err := store.RoundDeliveryCounts(ctx, round.ID)
		if err != nil {
			return false, err
		}
		var unfinished int
		err = store.GetContext(ctx, &unfinished, `SELECT count(*) FROM river_job WHERE kind = 'pulse_dm'
			AND state NOT IN ('completed', 'cancelled', 'discarded')`)
		return c.Sent == len(people) && unfinished == 0, err
	})
	got := pulseDMsPerPerson(fake)
	var dup, missing []string
	for _, p := range people {
		switch got[p] {
		case 1:
		case 0:
			missing = append(missing, p)
		default:
			dup = append(dup, fmt.Sprintf("%s×%d", p, got[p]))
		}
	}
	if len(dup) > 0 || len(missing) > 0 || len(got) != len(people) {
		t.Fatalf("pulse DMs: duplicates %v, missing %v, %d people in all (want %d)", dup, missing, len(got), len(people))
	}
}

// TestThreeServesDeliverOneDMPerPerson runs three `hearth serve` replicas
// on one database through 429s and 5xx, and sees one DM per person.
func TestThreeServesDeliverOneDMPerPerson(t *testing.T) {
	t.Parallel()
	const n = 60
	fake, people := pulseWorkspace(t, n)
	fake.SetRateLimitBurst("chat.postMessage", 30, 2) // the replicas share it
	fake.FailNext("chat.postMessage", 3, slacktest.Failure{Status: 429, RetryAfter: 1})
	fake.FailNext("chat.postMessage", 3, slacktest.Failure{Status: 503})
	fake.FailNext("conversations.open", 2, slacktest.Failure{Status: 500})
	dbURL := dbtest.NewURL(t)
	extra := map[string]string{"SLACK_SIGNING_SECRET": "three-replicas", "HEARTH_SLACK_POSTS_PER_MINUTE": "1500"}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { startServe(t, fake, dbURL, extra) })
	}
	wg.Wait()
	vars := env(map[string]string{"DATABASE_URL": dbURL})
	runSteps(t, vars, []cliStep{
		{args: teamAddArgs(), want: []string{"added team C0TEAM"}},
		{args: []string{"pulse", "open", "--team", "C0TEAM"}, want: []string{fmt.Sprintf("round 1 opened for C0TEAM: %d people asked", n)}},
	})
	awaitSettled(t, fake, dbURL, people, 60*time.Second)
	t.Logf("%d posts refused on the way (429 and 5xx)", fake.Rejected("chat.postMessage"))
}

// TestCrashDrill builds the hearth binary, runs `hearth serve` (HTTP mode)
// against a fresh database and the fake Slack, opens a round with the CLI,
// and SIGKILLs the server in the middle of the fan-out — at the worst
// moment: Slack has just taken a DM and Hearth never hears back. It then
// starts the server again and counts DMs per person: exactly one each,
// none missing.
//
// It runs with a small team by default; HEARTH_CRASH_DRILL=1 runs it with
// 300 people. The restarted server picks up the killed one's running jobs
// after jobs.RescueStuckJobsAfter, so it takes about two minutes.
func TestCrashDrill(t *testing.T) {
	t.Parallel()
	members, perMinute := 24, 600
	if os.Getenv("HEARTH_CRASH_DRILL") == "1" {
		members, perMinute = 300, 1200
	}
	killAt := members / 3
	fake, people := pulseWorkspace(t, members)
	sw := &killSwitch{fake: fake, killAt: killAt}
	api := httptest.NewServer(sw)
	t.Cleanup(api.Close)

	bin := filepath.Join(t.TempDir(), "hearth")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dbURL := dbtest.NewURL(t)
	vars := []string{
		"DATABASE_URL=" + dbURL,
		"SLACK_BOT_TOKEN=" + fake.BotToken(),
		"SLACK_SIGNING_SECRET=crash-drill",
		"SLACK_API_URL=" + api.URL + "/api/",
		"HEARTH_SLACK_POSTS_PER_MINUTE=" + strconv.Itoa(perMinute),
		"LOG_LEVEL=info",
	}
	logs := filepath.Join(t.TempDir(), "serve.log")
	first := startBinary(t, bin, vars, logs)
	sw.arm(first.kill)

	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = vars
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("hearth %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	cli(teamAddArgs()...)
	if out := cli("pulse", "open", "--team", "C0TEAM"); !strings.Contains(out, fmt.Sprintf("%d people asked", members)) {
		t.Fatalf("pulse open: %s", out)
	}

	select {
	case <-sw.killed:
	case <-time.After(60 * time.Second):
		t.Fatalf("the fan-out never reached post %d; server log:\n%s", killAt, logTail(logs))
	}
	killedAt := time.Now()
	before := len(pulseDMsPerPerson(fake))
	if before == 0 || before >= members {
		t.Fatalf("killed with %d of %d DMs out: not in the middle of the fan-out", before, members)
	}
	startBinary(t, bin, vars, logs)
	awaitSettled(t, fake, dbURL, people, 4*time.Minute)
	t.Logf("killed with %d of %d DMs out (post %d taken by Slack, never answered); all %d delivered exactly once %v after the restart; %d history lookups",
		before, members, killAt, members, time.Since(killedAt).Round(time.Second), fake.Calls("conversations.history"))
	if fake.Calls("conversations.history") == 0 {
		t.Error("the unanswered DM was never looked up: was it really unrecorded?")
	}
}

// killSwitch serves the fake Slack, and at the killAt-th chat.postMessage
// lets Slack take the post, then kills Hearth before it gets the answer.
type killSwitch struct {
	fake   *slacktest.Server
	killAt int

	mu     sync.Mutex
	posts  int
	kill   func()
	killed chan struct{}
}

func (k *killSwitch) arm(kill func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.kill = kill
	k.killed = make(chan struct{})
}

func (k *killSwitch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/chat.postMessage" {
		k.mu.Lock()
		k.posts++
		fire := k.posts == k.killAt && k.kill != nil
		k.mu.Unlock()
		if fire {
			k.fake.ServeHTTP(httptest.NewRecorder(), r) // Slack has the DM…
			k.kill()                                    // …and Hearth dies before hearing so.
			close(k.killed)
			panic(http.ErrAbortHandler)
		}
	}
	k.fake.ServeHTTP(w, r)
}

// hearthProcess is a `hearth serve` process.
type hearthProcess struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (s *hearthProcess) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// startBinary starts `hearth serve` from bin, waits until it is ready, and
// stops it (SIGTERM) when the test ends if it is still running.
func startBinary(t *testing.T, bin string, vars []string, logPath string) *hearthProcess {
	t.Helper()
	addr := freeAddr(t)
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(append([]string{}, vars...), "HEARTH_HTTP_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
			return
		default:
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("hearth serve did not stop on SIGTERM")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return &hearthProcess{cmd: cmd, exited: exited}
			}
		}
		select {
		case <-exited:
			t.Fatalf("hearth serve exited early; log:\n%s", logTail(logPath))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("hearth serve never became ready; log:\n%s", logTail(logPath))
		}
	}
}

// logTail is the end of a log file, for failure messages.
func logTail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}
