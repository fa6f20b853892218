package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/hearth-oss/hearth/bot/slacktest"
)

// startSocketMode connects the harness' bot to the fake Slack over Socket Mode.
func (h *harness) startSocketMode() {
	h.t.Helper()
	api := slack.New(h.slack.BotToken(), slack.OptionAPIURL(h.slack.APIURL()), slack.OptionAppLevelToken(h.slack.AppToken()))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.RunSocketMode(ctx, client) }()
	h.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				h.t.Errorf("socket mode: %v", err)
			}
		case <-time.After(10 * time.Second):
			h.t.Error("socket mode did not stop")
		}
	})
	h.slack.WaitConnected(h.t, 10*time.Second)
}

func TestSocketModeCommandsInteractionsAndEvents(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.startSocketMode()
	ctx := context.Background()

	// A slash command is answered in the ack.
	form := h.commandForm(alice, "/kudos", "<@UBOB> for the warm welcome to new clients")
	payload := map[string]string{}
	for k, v := range form {
		payload[k] = v[0]
	}
	id, err := h.slack.SendEvent(ctx, slacktest.EnvelopeSlashCommands, payload)
	if err != nil {
		t.Fatal(err)
	}
	var msg slack.Msg
	if err := json.Unmarshal(h.slack.WaitAck(t, id, 10*time.Second), &msg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Text, "4 of 5 kudos left") {
		t.Errorf("ack = %q", msg.Text)
	}
	// The same envelope redelivered acts once and answers the same.
	id2, err := h.slack.SendEvent(ctx, slacktest.EnvelopeSlashCommands, payload)
	if err != nil {
		t.Fatal(err)
	}
	if raw := h.slack.WaitAck(t, id2, 10*time.Second); !strings.Contains(string(raw), "4 of 5") {
		t.Errorf("redelivered ack = %s", raw)
	}
	if n := h.count(`SELECT count(*) FROM kudos`); n != 1 {
		t.Fatalf("kudos rows = %d, want 1", n)
	}
	h.await("DM to Bob", func() bool { return len(h.messagesIn(bob)) == 1 })

	// A modal submission with an error is answered in the ack.
	id, err = h.slack.SendEvent(ctx, slacktest.EnvelopeInteractive, submission("V0SOCK", carol, []string{carol}, "me", "", false, ""))
	if err != nil {
		t.Fatal(err)
	}
	if raw := h.slack.WaitAck(t, id, 10*time.Second); !strings.Contains(string(raw), "yourself") {
		t.Errorf("submission ack = %s", raw)
	}

	// A reaction event, delivered twice, gives kudos once.
	cb := h.slack.EventCallback(reaction("reaction_added", carol, "raised_hands", generalC, "1700000001.000100", alice))
	for range 2 {
		id, err := h.slack.SendEvent(ctx, slacktest.EnvelopeEventsAPI, cb)
		if err != nil {
			t.Fatal(err)
		}
		h.slack.WaitAck(t, id, 10*time.Second)
	}
	if n := h.count(`SELECT count(*) FROM kudos WHERE source = 'reaction'`); n != 1 {
		t.Fatalf("reaction kudos = %d, want 1", n)
	}
}
