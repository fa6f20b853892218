package slacktest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// received collects what a socketmode client saw.
type received struct {
	mu       sync.Mutex
	commands []slack.SlashCommand
	events   []slackevents.EventsAPIEvent
	actions  []slack.InteractionCallback
	requests []socketmode.Request
	hellos   int
}

// runSocketClient runs slack-go's socketmode client against srv until the
// test ends. It acks slash commands with {"text":"got <text>"}, interactions
// with a clear response, and events with no payload.
func runSocketClient(t *testing.T, srv *Server, appToken string) (*received, chan error) {
	t.Helper()
	api := slack.New(srv.BotToken(), slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(appToken))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // runs before the server closes
	rec := &received{}
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	go func() {
		for {
			var evt socketmode.Event
			select {
			case <-ctx.Done():
				return
			case evt = <-client.Events:
			}
			rec.mu.Lock()
			if evt.Request != nil {
				rec.requests = append(rec.requests, *evt.Request)
			}
			switch evt.Type {
			case socketmode.EventTypeHello:
				rec.hellos++
			case socketmode.EventTypeSlashCommand:
				cmd := evt.Data.(slack.SlashCommand)
				rec.commands = append(rec.commands, cmd)
				_ = client.Ack(*evt.Request, map[string]any{"text": "got " + cmd.Text})
			case socketmode.EventTypeEventsAPI:
				rec.events = append(rec.events, evt.Data.(slackevents.EventsAPIEvent))
				_ = client.Ack(*evt.Request)
			case socketmode.EventTypeInteractive:
				rec.actions = append(rec.actions, evt.Data.(slack.InteractionCallback))
				_ = client.Ack(*evt.Request, slack.NewClearViewSubmissionResponse())
			}
			rec.mu.Unlock()
		}
	}()
	return rec, done
}

func TestSocketModeSlashCommandRoundTrip(t *testing.T) {
	srv, _ := newWorkspace(t)
	if srv.Connected() {
		t.Fatal("connected before any client")
	}
	rec, _ := runSocketClient(t, srv, srv.AppToken())
	srv.WaitConnected(t, 5*time.Second)

	ctx := context.Background()
	id, err := srv.SendEvent(ctx, EnvelopeSlashCommands, slack.SlashCommand{
		Command:     "/kudos",
		Text:        "@bob thanks",
		UserID:      ada,
		ChannelID:   general,
		TeamID:      srv.TeamID(),
		TriggerID:   srv.NewTriggerID(),
		ResponseURL: srv.NewResponseURL(),
	})
	if err != nil {
		t.Fatal(err)
	}
	payload := srv.WaitAck(t, id, 5*time.Second)
	var ack map[string]string
	if err := json.Unmarshal(payload, &ack); err != nil || ack["text"] != "got @bob thanks" {
		t.Fatalf("ack payload = %s (%v)", payload, err)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.hellos != 1 {
		t.Fatalf("hellos = %d", rec.hellos)
	}
	if len(rec.commands) != 1 || rec.commands[0].Command != "/kudos" || rec.commands[0].UserID != ada {
		t.Fatalf("commands = %+v", rec.commands)
	}
	var req socketmode.Request
	for _, r := range rec.requests {
		if r.EnvelopeID == id {
			req = r
		}
	}
	if req.Type != socketmode.RequestTypeSlashCommands || !req.AcceptsResponsePayload {
		t.Fatalf("request = %+v", req)
	}
	if env := srv.Envelopes(); len(env) != 1 || env[0].EnvelopeID != id || env[0].Type != EnvelopeSlashCommands {
		t.Fatalf("Envelopes = %+v", env)
	}
}

func TestSocketModeEventsAndInteractions(t *testing.T) {
	srv, _ := newWorkspace(t)
	rec, _ := runSocketClient(t, srv, srv.AppToken())
	ctx := context.Background()

	// SendEvent waits for the client to connect.
	cb := srv.EventCallback(map[string]any{
		"type":     "reaction_added",
		"user":     ada,
		"reaction": "heart",
		"item":     map[string]any{"type": "message", "channel": general, "ts": "1700000000.000100"},
		"event_ts": "1700000001.000200",
	})
	id, err := srv.SendEvent(ctx, EnvelopeEventsAPI, cb)
	if err != nil {
		t.Fatal(err)
	}
	if p := srv.WaitAck(t, id, 5*time.Second); p != nil {
		t.Fatalf("events ack payload = %s, want none", p)
	}
	// A redelivery carries the same event_id and a retry_attempt.
	id2, err := srv.SendEnvelope(ctx, Envelope{Type: EnvelopeEventsAPI, Payload: cb, RetryAttempt: 1, RetryReason: "timeout"})
	if err != nil || id2 == id {
		t.Fatalf("redelivery: %q, %v", id2, err)
	}
	srv.WaitAck(t, id2, 5*time.Second)

	raw := json.RawMessage(`{"type":"view_submission","team":{"id":"T0001"},"user":{"id":"U0ADA"},"trigger_id":"1.2.3","view":{"id":"V1","type":"modal","callback_id":"kudos_modal","state":{"values":{}}}}`)
	id3, err := srv.SendEvent(ctx, EnvelopeInteractive, raw)
	if err != nil {
		t.Fatal(err)
	}
	var resp slack.ViewSubmissionResponse
	if err := json.Unmarshal(srv.WaitAck(t, id3, 5*time.Second), &resp); err != nil || resp.ResponseAction != slack.RAClear {
		t.Fatalf("interactive ack = %+v, %v", resp, err)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.events) != 2 {
		t.Fatalf("events = %+v", rec.events)
	}
	ev, ok := rec.events[0].InnerEvent.Data.(*slackevents.ReactionAddedEvent)
	if !ok || ev.Reaction != "heart" || ev.User != ada || ev.Item.Channel != general {
		t.Fatalf("inner event = %#v", rec.events[0].InnerEvent.Data)
	}
	outer, ok := rec.events[1].Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || outer.EventID != cb["event_id"] {
		t.Fatalf("redelivered event = %#v", rec.events[1].Data)
	}
	retries := 0
	for _, r := range rec.requests {
		if r.EnvelopeID == id2 && r.RetryAttempt == 1 && r.RetryReason == "timeout" && !r.AcceptsResponsePayload {
			retries++
		}
	}
	if retries != 1 {
		t.Fatalf("redelivery request not seen: %+v", rec.requests)
	}
	if len(rec.actions) != 1 || rec.actions[0].Type != slack.InteractionTypeViewSubmission || rec.actions[0].View.CallbackID != "kudos_modal" {
		t.Fatalf("actions = %+v", rec.actions)
	}
}

func TestSocketModeDisconnectReconnects(t *testing.T) {
	srv, _ := newWorkspace(t)
	rec, _ := runSocketClient(t, srv, srv.AppToken())
	srv.WaitConnected(t, 5*time.Second)
	srv.Disconnect()
	srv.Await(t, 10*time.Second, "a reconnection", func() bool { return srv.Connects() == 2 && srv.Connected() })
	id, err := srv.SendEvent(context.Background(), EnvelopeSlashCommands, slack.SlashCommand{Command: "/hearth", Text: "after"})
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitAck(t, id, 5*time.Second)
	if n := srv.Calls("apps.connections.open"); n != 2 {
		t.Fatalf("apps.connections.open called %d times", n)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.hellos != 2 {
		t.Fatalf("hellos = %d", rec.hellos)
	}

	// An abrupt drop also leads to a reconnection.
	srv.DropConnections()
	srv.Await(t, 10*time.Second, "a reconnection after a drop", func() bool { return srv.Connects() == 3 && srv.Connected() })
}

func TestSocketModeBadAppToken(t *testing.T) {
	srv, _ := newWorkspace(t)
	_, done := runSocketClient(t, srv, "xapp-wrong")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
			t.Fatalf("RunContext = %v, want invalid_auth", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("client kept running with a bad token")
	}
	// The bot token is the wrong kind of token.
	api := slack.New(srv.BotToken(), slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(srv.BotToken()))
	_, _, err := api.StartSocketModeContext(context.Background())
	wantSlackError(t, err, "not_allowed_token_type")
}

func TestSendEventWithoutClient(t *testing.T) {
	srv, _ := newWorkspace(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := srv.SendEvent(ctx, EnvelopeEventsAPI, srv.EventCallback(map[string]any{"type": "app_home_opened"})); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if _, err := srv.SendEvent(context.Background(), EnvelopeEventsAPI, json.RawMessage(`{`)); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

// dial opens a Socket Mode connection by hand and reads its hello.
func dial(t *testing.T, srv *Server) (*websocket.Conn, string) {
	t.Helper()
	api := slack.New(srv.BotToken(), slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(srv.AppToken()))
	_, url, err := api.StartSocketModeContext(context.Background())
	if err != nil || !strings.HasPrefix(url, "ws://") || !strings.Contains(url, "/socket") {
		t.Fatalf("url %q, %v", url, err)
	}
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var hello socketmode.Request
	if err := conn.ReadJSON(&hello); err != nil || hello.Type != "hello" || hello.NumConnections != 1 || hello.ConnectionInfo.AppID == "" {
		t.Fatalf("hello = %+v, %v", hello, err)
	}
	return conn, url
}

func TestSocketURLIsSingleUse(t *testing.T) {
	srv, _ := newWorkspace(t)
	_, url := dial(t, srv)
	_, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("second dial: %v, %+v", err, resp)
	}
	if srv.Connects() != 1 {
		t.Fatalf("connects = %d", srv.Connects())
	}
}

func TestSocketPingsAndOversizedAcks(t *testing.T) {
	srv, _ := newWorkspace(t, WithSocketPingInterval(10*time.Millisecond))
	conn, _ := dial(t, srv)
	pinged := make(chan struct{}, 1)
	conn.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil
	})
	envelopes := make(chan socketmode.Request, 4)
	go func() {
		for {
			var req socketmode.Request
			if err := conn.ReadJSON(&req); err != nil {
				return
			}
			envelopes <- req
		}
	}()
	select {
	case <-pinged:
	case <-time.After(5 * time.Second):
		t.Fatal("no ping")
	}

	id, err := srv.SendEvent(context.Background(), EnvelopeInteractive, map[string]any{"type": "block_actions"})
	if err != nil {
		t.Fatal(err)
	}
	req := <-envelopes
	if req.EnvelopeID != id || req.Type != EnvelopeInteractive || !req.AcceptsResponsePayload || string(req.Payload) != `{"type":"block_actions"}` {
		t.Fatalf("envelope = %+v", req)
	}
	// Slack drops acks of 20 KB or more.
	big := map[string]any{"envelope_id": id, "payload": map[string]any{"text": strings.Repeat("x", 20*1024)}}
	if err := conn.WriteJSON(big); err != nil {
		t.Fatal(err)
	}
	srv.Await(t, 5*time.Second, "the big ack to be dropped", func() bool { return srv.DroppedAcks() == 1 })
	if _, ok := srv.Acked(id); ok {
		t.Fatal("oversized ack recorded")
	}
	if err := conn.WriteJSON(map[string]any{"envelope_id": id}); err != nil {
		t.Fatal(err)
	}
	if p := srv.WaitAck(t, id, 5*time.Second); p != nil {
		t.Fatalf("payload = %s", p)
	}
}
