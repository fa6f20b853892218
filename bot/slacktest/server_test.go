package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestAuthTest(t *testing.T) {
	srv, api := newWorkspace(t)
	if !strings.HasSuffix(srv.APIURL(), "/api/") {
		t.Fatalf("APIURL = %q", srv.APIURL())
	}
	resp, err := api.AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	if resp.UserID != "UBOT" || resp.TeamID != "T0001" || resp.BotID == "" {
		t.Fatalf("auth.test = %+v", resp)
	}
}

func TestOptions(t *testing.T) {
	srv := New(t, WithBotToken("xoxb-other"), WithBotUserID("UHEARTH"), WithTeamID("T0042"), WithoutSlackbot())
	resp, err := client(srv).AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	if resp.UserID != "UHEARTH" || resp.TeamID != "T0042" {
		t.Fatalf("auth.test = %+v", resp)
	}
	users, err := client(srv).GetUsers()
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].ID != "UHEARTH" || !users[0].IsBot {
		t.Fatalf("users = %+v, want only the bot", users)
	}
}

func TestTokens(t *testing.T) {
	srv, _ := newWorkspace(t)
	tests := []struct {
		name, token, want string
	}{
		{"wrong", "xoxb-wrong", "invalid_auth"},
		{"missing", "", "not_authed"},
		{"app token for a bot method", srv.AppToken(), "not_allowed_token_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := slack.New(tt.token, slack.OptionAPIURL(srv.APIURL()))
			_, err := api.AuthTest()
			wantSlackError(t, err, tt.want)
			// JSON methods send the token in the Authorization header.
			_, err = api.PublishView(ada, slack.HomeTabViewRequest{Type: slack.VTHomeTab}, "")
			wantSlackError(t, err, tt.want)
		})
	}
	if n := srv.Calls("auth.test"); n != len(tests) {
		t.Fatalf("Calls(auth.test) = %d, want %d (refused calls count)", n, len(tests))
	}
}

func TestAuthorizationHeaderAndFormToken(t *testing.T) {
	srv, _ := newWorkspace(t)
	decode := func(resp *http.Response) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	form := "application/x-www-form-urlencoded"
	if m := decode(post(t, srv.APIURL()+"auth.test", form, "token="+srv.BotToken(), nil)); m["ok"] != true {
		t.Fatalf("form token: %v", m)
	}
	h := http.Header{"Authorization": {"Bearer " + srv.BotToken()}}
	if m := decode(post(t, srv.APIURL()+"auth.test", form, "", h)); m["ok"] != true {
		t.Fatalf("header token: %v", m)
	}
	// A JSON body cannot carry the token.
	m := decode(post(t, srv.APIURL()+"auth.test", "application/json", `{"token":"`+srv.BotToken()+`"}`, nil))
	if m["error"] != "not_authed" {
		t.Fatalf("token in JSON body: %v", m)
	}
	// JSON bodies work for any method with the header.
	m = decode(post(t, srv.APIURL()+"chat.postMessage", "application/json", `{"channel":"`+ada+`","text":"hi","blocks":[{"type":"divider"}]}`, h))
	if m["ok"] != true || !strings.HasPrefix(m["channel"].(string), "D") {
		t.Fatalf("JSON chat.postMessage: %v", m)
	}
	if got := srv.MessagesTo(ada); len(got) != 1 || string(got[0].Blocks) != `[{"type":"divider"}]` {
		t.Fatalf("messages = %+v", got)
	}
	m = decode(post(t, srv.APIURL()+"chat.postMessage", "application/json", `{"channel":`, h))
	if m["error"] != "invalid_json" {
		t.Fatalf("bad JSON: %v", m)
	}
}

func TestUnknownMethod(t *testing.T) {
	srv, _ := newWorkspace(t)
	resp := post(t, srv.APIURL()+"chat.frobnicate", "application/x-www-form-urlencoded", "token="+srv.BotToken(), nil)
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || m["ok"] != false || m["error"] != "unknown_method" {
		t.Fatalf("status %d body %v", resp.StatusCode, m)
	}
}

func TestAwaitWakesOnStateChange(t *testing.T) {
	srv, api := newWorkspace(t)
	go func() {
		for range 3 {
			_, _, _ = api.PostMessage(general, slack.MsgOptionText("tick", false))
		}
	}()
	srv.Await(t, 5*time.Second, "three messages", func() bool { return len(srv.Messages()) == 3 })
}

func TestAwaitTimesOut(t *testing.T) {
	srv, _ := newWorkspace(t)
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Await(ft, 20*time.Millisecond, "nothing", func() bool { return false })
	}()
	<-done
	if !ft.failed || !strings.Contains(ft.msg, "nothing") {
		t.Fatalf("Await did not fail with desc: failed=%v msg=%q", ft.failed, ft.msg)
	}
}

// fakeT records Fatalf instead of stopping the test.
type fakeT struct {
	testing.TB
	mu     sync.Mutex
	failed bool
	msg    string
}

func (f *fakeT) Helper() {}

func (f *fakeT) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func TestLatency(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.SetLatency(50 * time.Millisecond)
	start := time.Now()
	if _, err := api.AuthTest(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("call took %v, want >= 50ms", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	srv.SetLatency(time.Hour)
	if _, err := api.AuthTestContext(ctx); err == nil {
		t.Fatal("want a context error")
	}
}
