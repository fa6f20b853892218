package bot

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/slack-go/slack"
)

// deliveryError classifies a failed Slack call for the job that made it:
// wait RetryAfter (a 429), give up (Permanent), or retry with backoff.
type deliveryError struct {
	err        error
	retryAfter time.Duration
	permanent  bool
}

func (e *deliveryError) Error() string { return e.err.Error() }
func (e *deliveryError) Unwrap() error { return e.err }

// RetryAfter is how long Slack asked us to wait, or 0.
func (e *deliveryError) RetryAfter() time.Duration { return e.retryAfter }

// Permanent reports whether retrying cannot help (the user is gone, the
// channel does not exist, Hearth is not allowed to post there).
func (e *deliveryError) Permanent() bool { return e.permanent }

// permanentSlackErrors are ok:false codes that no retry will fix.
var permanentSlackErrors = []string{
	"channel_not_found", "not_in_channel", "is_archived", "user_not_found", "cannot_dm_bot",
	"user_disabled", "account_inactive", "invalid_blocks", "msg_too_long", "no_text",
	"restricted_action", "not_allowed_token_type", "missing_scope", "invalid_auth",
	"not_authed", "token_revoked", "messages_tab_disabled", "user_not_in_channel", "message_not_found",
	"cant_delete_message", "invalid_arguments",
}

// classify wraps a Slack API error with what a job should do about it.
func classify(what string, err error) error {
	if err == nil {
		return nil
	}
	de := &deliveryError{err: fmt.Errorf("%s: %w", what, err)}
	var rate *slack.RateLimitedError
	var resp slack.SlackErrorResponse
	switch {
	case errors.As(err, &rate):
		de.retryAfter = rate.RetryAfter
		if de.retryAfter <= 0 {
			de.retryAfter = time.Second
		}
	case errors.As(err, &resp):
		de.permanent = slices.Contains(permanentSlackErrors, resp.Err)
	}
	return de
}

// slackErrorCode returns the ok:false error code in err, or "".
func slackErrorCode(err error) string {
	var resp slack.SlackErrorResponse
	if errors.As(err, &resp) {
		return resp.Err
	}
	return ""
}
