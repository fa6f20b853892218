package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db/dbtest"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigReportsEveryProblemAtOnceWithoutSecrets(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(env(map[string]string{
		"SLACK_BOT_TOKEN":        "xoxp-user-token-secret",
		"SLACK_APP_TOKEN":        "nope-secret",
		"HEARTH_KUDOS_ALLOWANCE": "lots",
		"HEARTH_KUDOS_CHANNEL":   "#kudos",
		"HEARTH_ADMINS":          "U123ABC, bob",
		"LOG_LEVEL":              "loud",
		"LOG_FORMAT":             "xml",
		"SLACK_API_URL":          "ftp://example",
	}), true)
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"DATABASE_URL is required", "SLACK_BOT_TOKEN must be a bot token", "SLACK_APP_TOKEN must be",
		"HEARTH_KUDOS_ALLOWANCE", "HEARTH_KUDOS_CHANNEL", `"bob"`, "LOG_LEVEL", "LOG_FORMAT", "SLACK_API_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "secret") || strings.Contains(msg, "\n") {
		t.Errorf("error echoes a secret or spans lines: %s", msg)
	}
	_, err = loadConfig(env(map[string]string{"DATABASE_URL": "postgres://x/y", "SLACK_BOT_TOKEN": "xoxb-1"}), true)
	if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET") {
		t.Errorf("no transport: %v", err)
	}
}

func TestCLIUsageErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"migrate", "extra"}, `unexpected argument "extra"`},
		{[]string{"values"}, "say list, add or remove"},
	}
	for _, c := range cases {
		var out bytes.Buffer
		err := run(context.Background(), c.args, env(nil), &out, io.Discard)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("hearth %v: %v, want a usage error containing %q", c.args, err, c.want)
		}
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"serve", "-h"}, {"migrate", "--help"}, {"version"}, {"values", "-h"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, env(nil), &out, io.Discard); err != nil || out.Len() == 0 {
			t.Errorf("hearth %v: err %v, output %q", args, err, out.String())
		}
	}
}

func TestValuesCLI(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{"DATABASE_URL": dbtest.NewURL(t)})
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, vars, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		args    []string
		want    string
		wantErr bool
	}{
		{[]string{"values", "add", "Teamwork", "We", "cover", "for", "each", "other"}, "added #teamwork", false},
		{[]string{"values", "add", "teamwork"}, "already exists", true},
		{[]string{"values", "add", "no way!"}, "a value name is", true},
		{[]string{"values", "list"}, "#teamwork  We cover for each other", false},
		{[]string{"values", "remove", "teamwork"}, "removed #teamwork", false},
		{[]string{"values", "remove", "teamwork"}, "not found", true},
	}
	for _, s := range steps {
		out.Reset()
		err := run(ctx, s.args, vars, &out, io.Discard)
		got := out.String()
		if err != nil {
			got = err.Error()
		}
		if (err != nil) != s.wantErr || !strings.Contains(got, s.want) {
			t.Errorf("hearth %v → %q (err %v), want %q", s.args, got, err, s.want)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServe runs `hearth serve` in-process against the fake Slack until
// the test ends, and returns its HTTP address.
func startServe(t *testing.T, fake *slacktest.Server, dbURL string, extra map[string]string) string {
	t.Helper()
	addr := freeAddr(t)
	vars := map[string]string{
		"DATABASE_URL":         dbURL,
		"SLACK_BOT_TOKEN":      fake.BotToken(),
		"SLACK_API_URL":        fake.APIURL(),
		"HEARTH_HTTP_ADDR":     addr,
		"HEARTH_KUDOS_CHANNEL": "CKUDOS",
		"LOG_LEVEL":            "warn",
	}
	for k, v := range extra {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(vars), io.Discard, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	// Wait until it answers /readyz.
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("serve never became ready")
		}
	}
}

func signedCommand(t *testing.T, addr, secret string, form url.Values) string {
	t.Helper()
	body := form.Encode()
	ts := time.Now().Unix()
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("command: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

func fakeWorkspace(t *testing.T) *slacktest.Server {
	fake := slacktest.New(t)
	fake.AddUser(slacktest.User{ID: "UALICE", Name: "alice", TZ: "America/Denver"})
	fake.AddUser(slacktest.User{ID: "UBOB", Name: "bob"})
	fake.AddChannel(slacktest.Channel{ID: "CKUDOS", Name: "kudos", Members: []string{"UALICE", "UBOB", fake.BotUserID()}})
	return fake
}

func kudosForm(fake *slacktest.Server, text string) url.Values {
	return url.Values{"command": {"/kudos"}, "text": {text}, "user_id": {"UALICE"}, "channel_id": {"CKUDOS"},
		"team_id": {"T0001"}, "trigger_id": {fake.NewTriggerID()}, "response_url": {fake.URL() + "/response/1"}}
}

// TestServeHTTPEndToEnd runs the real binary's serve path in HTTP mode, with
// three replicas starting together on one fresh database.
func TestServeHTTPEndToEnd(t *testing.T) {
	t.Parallel()
	fake := fakeWorkspace(t)
	dbURL := dbtest.NewURL(t)
	const secret = "e2e-signing-secret"
	var addrs []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := startServe(t, fake, dbURL, map[string]string{"SLACK_SIGNING_SECRET": secret})
			mu.Lock()
			addrs = append(addrs, a)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(addrs) != 3 {
		t.Fatalf("started %d replicas", len(addrs))
	}
	for i := range 6 {
		answer := signedCommand(t, addrs[i%3], secret, kudosForm(fake, fmt.Sprintf("<@UBOB> thanks %d", i)))
		want := "on its way"
		if i == 5 {
			want = "all 5 of your kudos"
		}
		if !strings.Contains(answer, want) {
			t.Errorf("kudos %d via replica %d: %s", i+1, i%3, answer)
		}
	}
	fake.Await(t, 15*time.Second, "5 DMs and 5 channel posts", func() bool {
		return len(fake.MessagesTo("UBOB")) == 5 && len(fake.MessagesTo("CKUDOS")) == 5
	})
}

// TestServeSocketModeEndToEnd runs serve in Socket Mode only.
func TestServeSocketModeEndToEnd(t *testing.T) {
	t.Parallel()
	fake := fakeWorkspace(t)
	startServe(t, fake, dbtest.NewURL(t), map[string]string{"SLACK_APP_TOKEN": fake.AppToken()})
	fake.WaitConnected(t, 10*time.Second)
	payload := map[string]string{}
	for k, v := range kudosForm(fake, "<@UBOB> for the calm voice on the phone") {
		payload[k] = v[0]
	}
	id, err := fake.SendEvent(context.Background(), slacktest.EnvelopeSlashCommands, payload)
	if err != nil {
		t.Fatal(err)
	}
	if ack := fake.WaitAck(t, id, 10*time.Second); !strings.Contains(string(ack), "on its way") {
		t.Errorf("ack %s", ack)
	}
	fake.Await(t, 10*time.Second, "DM to Bob", func() bool { return len(fake.MessagesTo("UBOB")) == 1 })
}
