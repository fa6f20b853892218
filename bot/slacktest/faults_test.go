package slacktest

import (
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func TestFailNext429SurfacesAsRateLimitedError(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.FailNext("chat.postMessage", 1, Failure{Status: http.StatusTooManyRequests, RetryAfter: 7})
	_, _, err := api.PostMessage(ada, slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("error = %v (%T), want *slack.RateLimitedError{7s}", err, err)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("failed post recorded")
	}
	if _, _, err := api.PostMessage(ada, slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("second post: %v", err)
	}
	if srv.Calls("chat.postMessage") != 2 || srv.Rejected("chat.postMessage") != 1 || len(srv.Messages()) != 1 {
		t.Fatalf("calls %d rejected %d messages %d", srv.Calls("chat.postMessage"), srv.Rejected("chat.postMessage"), len(srv.Messages()))
	}
}

func TestFailNextKinds(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.FailNext("users.info", 1, Failure{Status: http.StatusServiceUnavailable})
	srv.FailNext("users.info", 1, Failure{Error: "fatal_error"})
	srv.FailNext("users.info", 1, Failure{})
	srv.FailNext("users.info", 1, Failure{Status: http.StatusTooManyRequests, RetryAfter: -1})

	_, err := api.GetUserInfo(ada)
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusServiceUnavailable || !sc.Retryable() {
		t.Fatalf("503: %v (%T)", err, err)
	}
	_, err = api.GetUserInfo(ada)
	wantSlackError(t, err, "fatal_error")
	_, err = api.GetUserInfo(ada)
	wantSlackError(t, err, "internal_error")
	_, err = api.GetUserInfo(ada)
	if !errors.As(err, &sc) || sc.Code != http.StatusTooManyRequests {
		t.Fatalf("429 without Retry-After: %v (%T)", err, err)
	}
	if _, err := api.GetUserInfo(ada); err != nil {
		t.Fatalf("after the failures: %v", err)
	}
	if srv.Rejected("users.info") != 4 || srv.Calls("users.info") != 5 {
		t.Fatalf("rejected %d calls %d", srv.Rejected("users.info"), srv.Calls("users.info"))
	}
}

func TestFailNextAnyMethod(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.FailNext(AnyMethod, 2, Failure{Status: http.StatusInternalServerError})
	srv.FailNext("auth.test", 1, Failure{Error: "specific"})
	_, err := api.AuthTest()
	wantSlackError(t, err, "specific") // method-specific failures first
	if _, err := api.GetUserInfo(ada); err == nil {
		t.Fatal("want a 500")
	}
	if _, err := api.AuthTest(); err == nil {
		t.Fatal("want a 500")
	}
	if _, err := api.AuthTest(); err != nil {
		t.Fatal(err)
	}
}

func TestSlackGoRetryHonoursRetryAfter(t *testing.T) {
	srv, _ := newWorkspace(t)
	cfg := slack.DefaultRetryConfig()
	cfg.MaxRetries = 2
	cfg.RetryAfterJitter = 0
	api := client(srv, slack.OptionRetryConfig(cfg))
	srv.FailNext("chat.postMessage", 1, Failure{Status: http.StatusTooManyRequests, RetryAfter: 1})
	start := time.Now()
	if _, _, err := api.PostMessage(ada, slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("retried after %v, before Retry-After", d)
	}
	if srv.Calls("chat.postMessage") != 2 || len(srv.Messages()) != 1 {
		t.Fatalf("calls %d messages %d", srv.Calls("chat.postMessage"), len(srv.Messages()))
	}
}

func TestSetRateLimit(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.SetRateLimit("chat.postMessage", 0.5) // one per 2s
	if _, _, err := api.PostMessage(ada, slack.MsgOptionText("1", false)); err != nil {
		t.Fatal(err)
	}
	_, _, err := api.PostMessage(bob, slack.MsgOptionText("2", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("error = %v (%T), want RateLimitedError{2s}", err, err)
	}
	// The limit is per method: other methods pass.
	if _, err := api.GetUserInfo(ada); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 1 || srv.Rejected("chat.postMessage") != 1 {
		t.Fatalf("messages %d rejected %d", len(srv.Messages()), srv.Rejected("chat.postMessage"))
	}
	srv.SetRateLimit("chat.postMessage", 0)
	if _, _, err := api.PostMessage(bob, slack.MsgOptionText("2", false)); err != nil {
		t.Fatalf("after removing the limit: %v", err)
	}
}

func TestSetRateLimitRetryAfterOne(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.SetRateLimitBurst("users.info", 10, 3)
	var limited int
	for range 4 {
		_, err := api.GetUserInfo(ada)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			limited++
			if rl.RetryAfter != time.Second {
				t.Fatalf("Retry-After = %v, want 1s", rl.RetryAfter)
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if limited != 1 {
		t.Fatalf("%d of 4 calls limited, want 1 (burst 3)", limited)
	}
}

func TestChannelRateLimit(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.SetChannelRateLimit(1)
	if _, _, err := api.PostMessage(ada, slack.MsgOptionText("1", false)); err != nil {
		t.Fatal(err)
	}
	// Same DM, reached through its D… id: limited.
	_, _, err := api.PostMessage(srv.DMChannel(ada), slack.MsgOptionText("2", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("error = %v (%T)", err, err)
	}
	// Other channels are not.
	if _, _, err := api.PostMessage(bob, slack.MsgOptionText("1", false)); err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 2 || srv.Rejected("chat.postMessage") != 1 {
		t.Fatalf("messages %d rejected %d", len(srv.Messages()), srv.Rejected("chat.postMessage"))
	}
}

func TestRateLimitUnderConcurrency(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.SetRateLimitBurst("chat.postMessage", 0.001, 5)
	var wg sync.WaitGroup
	var mu sync.Mutex
	limited := 0
	for range 20 {
		wg.Go(func() {
			_, _, err := api.PostMessage(general, slack.MsgOptionText("x", false))
			var rl *slack.RateLimitedError
			if errors.As(err, &rl) {
				mu.Lock()
				limited++
				mu.Unlock()
			} else if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if limited != 15 || len(srv.Messages()) != 5 || srv.Rejected("chat.postMessage") != 15 {
		t.Fatalf("limited %d, messages %d, rejected %d", limited, len(srv.Messages()), srv.Rejected("chat.postMessage"))
	}
}
