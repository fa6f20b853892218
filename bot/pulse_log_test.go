package bot_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot"
)

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// recordingQueue is a bot.Queue that only records pulse work.
type recordingQueue struct {
	mu       sync.Mutex
	answered []string
}

func (q *recordingQueue) EnqueueKudosDelivery(context.Context, *sql.Tx, int64) error   { return nil }
func (q *recordingQueue) EnqueueKudosRetraction(context.Context, *sql.Tx, int64) error { return nil }
func (q *recordingQueue) EnqueueHomeRefresh(context.Context, *sql.Tx, ...string) error { return nil }
func (q *recordingQueue) EnqueueEphemeral(context.Context, *sql.Tx, string, string, string) error {
	return nil
}
func (q *recordingQueue) EnqueueRoundOpen(context.Context, int64) error  { return nil }
func (q *recordingQueue) EnqueueRoundClose(context.Context, int64) error { return nil }
func (q *recordingQueue) EnqueuePulseAnswered(_ context.Context, _ int64, userID string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.answered = append(q.answered, userID)
	return nil
}

// TestPulseLogsNeverCarryAnswers runs pulses through a bot whose every log
// line, at debug level, is captured, and fails if an answer, a comment, a
// question key or a respondent's id shows up — or any attribute beyond ids
// of rounds, teams and channels and an outcome.
func TestPulseLogsNeverCarryAnswers(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	var logs lockedBuffer
	queue := &recordingQueue{}
	logged := bot.New(bot.Config{
		Store:  h.store,
		Slack:  slack.New(h.slack.BotToken(), slack.OptionAPIURL(h.slack.APIURL())),
		Queue:  queue,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	srv := httptest.NewServer(logged.HTTPHandler(bot.HTTPConfig{SigningSecret: signingSecret}))
	defer srv.Close()
	send := func(payload any) string {
		t.Helper()
		raw, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(url.Values{"payload": {string(raw)}}.Encode())
		ts := time.Now().Unix()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/interactions", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", sign(signingSecret, ts, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		if _, err := out.ReadFrom(resp.Body); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	click := func(user string, roundID int64) {
		send(map[string]any{"type": "block_actions", "trigger_id": h.slack.NewTriggerID(),
			"user": map[string]any{"id": user}, "team": map[string]any{"id": "T0001"},
			"actions": []map[string]any{{"action_id": "pulse_open", "block_id": "pulse", "type": "button", "value": strconv.FormatInt(roundID, 10)}}})
	}

	const comment = "Night shift handover is unsafe; ask Morgan about room 12"
	team := h.addTeam()
	round := h.openRound(team, alice, bob)
	click(alice, round.ID)
	if body := send(pulseSubmission("V0LOG1", alice, round.ID, pulseAnswers{"energy": "5", "workload": "1", "recommend": "7"}, comment)); !strings.Contains(body, `"update"`) {
		t.Fatalf("submission: %s", body)
	}
	send(pulseSubmission("V0LOG2", alice, round.ID, pulseAnswers{"energy": "2", "workload": "3", "recommend": "10"}, comment+" (again)"))
	send(pulseSubmission("V0LOG3", bob, round.ID, pulseAnswers{"energy": "3"}, comment))
	click(alice, round.ID) // after answering: a note, logged at debug
	h.closeRound(round)
	send(pulseSubmission("V0LOG4", bob, round.ID, goodAnswers, comment))
	if err := logged.PostRoundSummary(ctx, team, round); err != nil {
		t.Fatal(err)
	}
	if len(queue.answered) != 1 {
		t.Errorf("pulse answered enqueued %d times, want 1", len(queue.answered))
	}

	out := logs.String()
	var outcomes []string
	sawDebug := false
	allowed := []string{"time", "level", "msg", "round_id", "team_id", "channel_id", "outcome", "error"}
	for line := range strings.Lines(out) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		for k := range rec {
			if !slices.Contains(allowed, k) {
				t.Errorf("log attribute %q is not allowed around pulses: %s", k, line)
			}
		}
		if rec["level"] == "DEBUG" {
			sawDebug = true
		}
		if rec["msg"] == "pulse submission" {
			outcomes = append(outcomes, rec["outcome"].(string))
		}
	}
	for _, secret := range []string{comment, "Night shift", "Morgan", "energy", "workload", "recommend", "answers", alice, bob} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain %q:\n%s", secret, out)
		}
	}
	// The capture worked: every submission left an outcome, debug included.
	want := []string{"recorded", "already_answered", "incomplete", "closed"}
	if !slices.Equal(outcomes, want) || !sawDebug {
		t.Errorf("logged outcomes %v (debug seen: %v), want %v with debug lines:\n%s", outcomes, sawDebug, want, out)
	}
}
