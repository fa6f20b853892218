package slacktest

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// Workspace fixtures used across the tests.
const (
	ada      = "U0ADA"
	bob      = "U0BOB"
	gone     = "U0GONE"
	otherBot = "U0BOT2"
	general  = "C0GENERAL"
	secret   = "C0SECRET" // private, bot not a member
	lounge   = "C0LOUNGE" // public, bot not a member
	team     = "C0TEAM"   // private, bot a member
)

// newWorkspace starts a server with a few users and channels and returns a
// slack-go client for it.
func newWorkspace(t *testing.T, opts ...Option) (*Server, *slack.Client) {
	t.Helper()
	srv := New(t, opts...)
	srv.AddUser(User{ID: ada, Name: "ada", RealName: "Ada Lovelace", TZ: "Europe/London", IsAdmin: true})
	srv.AddUser(User{ID: bob, Name: "bob", RealName: "Bob Builder", TZ: "America/New_York"})
	srv.AddUser(User{ID: gone, Name: "gone", RealName: "Gone Person", Deleted: true})
	srv.AddUser(User{ID: otherBot, Name: "otherbot", RealName: "Other Bot", IsBot: true})
	srv.AddChannel(Channel{ID: general, Name: "general", Members: []string{ada, bob, srv.BotUserID()}})
	srv.AddChannel(Channel{ID: secret, Name: "secret", IsPrivate: true, Members: []string{ada}})
	srv.AddChannel(Channel{ID: lounge, Name: "lounge", Members: []string{bob}})
	srv.AddChannel(Channel{ID: team, Name: "team", IsPrivate: true, Members: []string{ada, srv.BotUserID()}})
	return srv, client(srv)
}

func client(srv *Server, opts ...slack.Option) *slack.Client {
	return slack.New(srv.BotToken(), append([]slack.Option{slack.OptionAPIURL(srv.APIURL())}, opts...)...)
}

// wantSlackError checks that err is Slack's ok:false with code.
func wantSlackError(t *testing.T, err error, code string) {
	t.Helper()
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		t.Fatalf("error = %v (%T), want slack.SlackErrorResponse %q", err, err, code)
	}
	if se.Err != code {
		t.Fatalf("error code = %q, want %q", se.Err, code)
	}
}

// post sends a raw request to the fake and returns the response.
func post(t *testing.T, url, contentType, body string, header http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
