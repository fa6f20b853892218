package bot_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot"
	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/hearth-oss/hearth/jobs"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// People and places of the test workspace.
const (
	alice    = "UALICE" // Denver
	bob      = "UBOB"
	carol    = "UCAROL"
	admin    = "UADMIN"
	botUser  = "UROBOT"
	departed = "UGONE"
	kudosCh  = "CKUDOS"
	generalC = "CGENERAL"
)

// harness is a running Hearth bot: real Postgres, real jobs, the fake Slack,
// and the HTTP transport behind an httptest server.
type harness struct {
	t     testing.TB
	store *db.DB
	slack *slacktest.Server
	bot   *bot.Bot
	http  *httptest.Server
	seq   atomic.Int64
}

func setup(t testing.TB) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, store: dbtest.New(t), slack: slacktest.New(t)}
	for _, u := range []slacktest.User{
		{ID: alice, Name: "alice", RealName: "Alice Moreno", TZ: "America/Denver"},
		{ID: bob, Name: "bob", RealName: "Bob Okafor", TZ: "Europe/London"},
		{ID: carol, Name: "carol", RealName: "Carol Chen"},
		{ID: admin, Name: "dana", RealName: "Dana Admin", IsAdmin: true},
		{ID: botUser, Name: "robot", IsBot: true},
		{ID: departed, Name: "gone", Deleted: true},
	} {
		h.slack.AddUser(u)
	}
	h.slack.AddChannel(slacktest.Channel{ID: kudosCh, Name: "kudos", Members: []string{alice, bob, carol, h.slack.BotUserID()}})
	h.slack.AddChannel(slacktest.Channel{ID: generalC, Name: "general", Members: []string{alice, bob, carol, h.slack.BotUserID()}})
	if err := h.store.InitSettings(ctx, db.KudosSettings{Channel: kudosCh, Emoji: "raised_hands", Allowance: 5}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	runner, err := jobs.New(jobs.Config{Store: h.store, Logger: log, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	api := slack.New(h.slack.BotToken(), slack.OptionAPIURL(h.slack.APIURL()))
	h.bot = bot.New(bot.Config{Store: h.store, Slack: api, Queue: runner, Logger: log})
	runCtx, cancel := context.WithCancel(ctx)
	if err := runner.Start(runCtx, h.bot); err != nil {
		t.Fatal(err)
	}
	h.http = httptest.NewServer(h.bot.HTTPHandler(bot.HTTPConfig{SigningSecret: signingSecret, Ready: h.store.Ready}))
	t.Cleanup(func() {
		h.http.Close()
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = runner.Stop(stopCtx)
		cancel()
	})
	return h
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// sign signs body exactly as Slack does: v0=HMAC-SHA256(secret, "v0:ts:body").
func sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends body to path signed with secret at time ts.
func (h *harness) post(path, contentType string, body []byte, ts int64, secret string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.http.URL+path, strings.NewReader(string(body)))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if secret != "" {
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", sign(secret, ts, body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (h *harness) postSigned(path, contentType string, body []byte) (int, string) {
	return h.post(path, contentType, body, time.Now().Unix(), signingSecret)
}

// commandForm is a slash command body as Slack sends it.
func (h *harness) commandForm(user, command, text string) url.Values {
	return url.Values{
		"token": {"verification"}, "team_id": {"T0001"}, "team_domain": {"care"},
		"channel_id": {generalC}, "channel_name": {"general"},
		"user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {command}, "text": {text}, "api_app_id": {"A0001"},
		"response_url": {h.slack.URL() + "/response/" + strconv.FormatInt(h.seq.Add(1), 10)},
		"trigger_id":   {h.slack.NewTriggerID()},
	}
}

// command sends a signed slash command and returns the status and the
// ephemeral text of the answer.
func (h *harness) command(user, command, text string) (int, string) {
	h.t.Helper()
	return h.sendCommand(h.commandForm(user, command, text))
}

func (h *harness) sendCommand(form url.Values) (int, string) {
	h.t.Helper()
	status, body := h.postSigned("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if status != http.StatusOK || body == "" {
		return status, body
	}
	var msg slack.Msg
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		h.t.Fatalf("command answer is not JSON: %q", body)
	}
	if msg.ResponseType != slack.ResponseTypeEphemeral {
		h.t.Errorf("command answer is %q, want ephemeral", msg.ResponseType)
	}
	return status, msg.Text
}

// interaction sends a signed interaction payload.
func (h *harness) interaction(payload any) (int, string) {
	h.t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	body := url.Values{"payload": {string(raw)}}.Encode()
	return h.postSigned("/slack/interactions", "application/x-www-form-urlencoded", []byte(body))
}

// event sends a signed Events API callback with the given event_id.
func (h *harness) event(eventID string, inner map[string]any) (int, string) {
	h.t.Helper()
	cb := h.slack.EventCallback(inner)
	cb["event_id"] = eventID
	raw, err := json.Marshal(cb)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.postSigned("/slack/events", "application/json", raw)
}

func reaction(kind, user, emoji, channel, ts, author string) map[string]any {
	return map[string]any{
		"type": kind, "user": user, "reaction": emoji, "item_user": author,
		"item":     map[string]any{"type": "message", "channel": channel, "ts": ts},
		"event_ts": fmt.Sprintf("%d.000100", time.Now().Unix()),
	}
}

func (h *harness) count(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.store.Get(&n, query, args...); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (h *harness) await(desc string, cond func() bool) {
	h.t.Helper()
	h.slack.Await(h.t, 10*time.Second, desc, cond)
}

// awaitDB waits for a database condition.
func (h *harness) awaitDB(desc string, cond func() bool) {
	h.t.Helper()
	dbtest.Await(h.t, 10*time.Second, desc, func() (bool, error) { return cond(), nil })
}

func (h *harness) messagesIn(channel string) []slacktest.Message {
	return h.slack.MessagesTo(channel)
}
