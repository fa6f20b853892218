package bot_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// submission is a view_submission payload for the kudos modal as Slack sends it.
func submission(viewID, user string, recipients []string, message, value string, private bool, metadata string) map[string]any {
	values := map[string]any{
		"recipients": map[string]any{"users": map[string]any{"type": "multi_users_select", "selected_users": recipients}},
		"message":    map[string]any{"text": map[string]any{"type": "plain_text_input", "value": message}},
	}
	if value != "" {
		values["value"] = map[string]any{"value": map[string]any{"type": "static_select",
			"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": "#" + value}}}}
	}
	options := []map[string]any{}
	if private {
		options = append(options, map[string]any{"value": "private", "text": map[string]any{"type": "plain_text", "text": "Private"}})
	}
	values["private"] = map[string]any{"private": map[string]any{"type": "checkboxes", "selected_options": options}}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T0001"},
		"user": map[string]any{"id": user, "team_id": "T0001"},
		"view": map[string]any{"id": viewID, "type": "modal", "callback_id": "kudos_modal",
			"private_metadata": metadata, "hash": "1.abc", "state": map[string]any{"values": values}},
	}
}

func TestModalSubmissionRecordsOnceAndConfirmsByDM(t *testing.T) {
	t.Parallel()
	h := setup(t)
	payload := submission("V0MODAL1", alice, []string{bob}, "Thanks for <!channel> the de-escalation & the debrief", "", true, `{"source":"modal"}`)
	for range 2 {
		status, body := h.interaction(payload)
		if status != http.StatusOK || (body != "" && body != "null") {
			t.Fatalf("submission: %d %q, want an empty ack that closes the modal", status, body)
		}
	}
	if n := h.count(`SELECT count(*) FROM kudos WHERE is_private AND source = 'modal'`); n != 1 {
		t.Fatalf("private modal kudos = %d, want 1", n)
	}
	h.await("DM to Bob and confirmation to Alice", func() bool { return len(h.messagesIn(bob)) == 1 && len(h.messagesIn(alice)) == 1 })
	dm := h.messagesIn(bob)[0]
	if !strings.Contains(dm.Text, "privately") {
		t.Errorf("private DM text %q", dm.Text)
	}
	if blocks := unescapeJSON(dm.Blocks); strings.Contains(blocks, "<!channel>") || !strings.Contains(blocks, "&lt;!channel&gt;") || !strings.Contains(blocks, "&amp;") {
		t.Errorf("modal text was not made safe: %s", dm.Blocks)
	}
	if !strings.Contains(h.messagesIn(alice)[0].Text, "4 of 5") {
		t.Errorf("giver confirmation %q", h.messagesIn(alice)[0].Text)
	}
	if n := len(h.messagesIn(kudosCh)); n != 0 {
		t.Errorf("private kudos posted %d times to the kudos channel", n)
	}
}

func TestModalSubmissionErrorsStayInTheModal(t *testing.T) {
	t.Parallel()
	h := setup(t)
	status, body := h.interaction(submission("V0MODAL2", alice, []string{alice}, "me!", "", false, ""))
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	var resp slack.ViewSubmissionResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	if resp.ResponseAction != slack.RAErrors || !strings.Contains(resp.Errors["recipients"], "yourself") {
		t.Errorf("answer %+v, want an error on the recipients field", resp)
	}
	status, body = h.interaction(submission("V0MODAL3", alice, []string{botUser}, "beep", "", false, ""))
	if status != http.StatusOK || !strings.Contains(body, "is a bot") {
		t.Errorf("bot recipient: %d %q", status, body)
	}
	if n := h.count(`SELECT count(*) FROM kudos`); n != 0 {
		t.Fatalf("refused submissions recorded %d kudos", n)
	}
}

func TestShortcutsAndHomeButtonOpenTheModal(t *testing.T) {
	t.Parallel()
	h := setup(t)
	global := map[string]any{"type": "shortcut", "callback_id": "kudos_global", "trigger_id": h.slack.NewTriggerID(),
		"user": map[string]any{"id": alice}, "team": map[string]any{"id": "T0001"}}
	message := map[string]any{"type": "message_action", "callback_id": "kudos_message", "trigger_id": h.slack.NewTriggerID(),
		"user": map[string]any{"id": alice}, "team": map[string]any{"id": "T0001"},
		"channel": map[string]any{"id": generalC, "name": "general"},
		"message": map[string]any{"type": "message", "user": bob, "ts": "1700000000.000200", "text": "I'll cover Friday"}}
	button := map[string]any{"type": "block_actions", "trigger_id": h.slack.NewTriggerID(),
		"user": map[string]any{"id": alice}, "team": map[string]any{"id": "T0001"},
		"actions": []map[string]any{{"action_id": "open_kudos_modal", "block_id": "b", "type": "button", "value": "open"}}}
	for _, p := range []map[string]any{global, message, button} {
		if status, _ := h.interaction(p); status != http.StatusOK {
			t.Fatalf("%s: status %d", p["type"], status)
		}
	}
	views := h.slack.ViewsOpened()
	if len(views) != 3 {
		t.Fatalf("opened %d views, want 3", len(views))
	}
	shortcut := views[1]
	if !strings.Contains(string(shortcut.JSON), `"initial_users":["UBOB"]`) || !strings.Contains(shortcut.PrivateMetadata, "1700000000.000200") {
		t.Errorf("message shortcut modal not prefilled: %s / %s", shortcut.JSON, shortcut.PrivateMetadata)
	}

	// Submitting the shortcut's modal records a shortcut kudos tied to the message.
	h.interaction(submission("V0SHORT", alice, []string{bob}, "Covering Friday saved us", "", false, shortcut.PrivateMetadata))
	if n := h.count(`SELECT count(*) FROM kudos WHERE source = 'shortcut' AND source_ts = '1700000000.000200'`); n != 1 {
		t.Fatalf("shortcut kudos = %d, want 1", n)
	}
}

// unescapeJSON undoes encoding/json's HTML escaping, to read blocks as Slack would.
func unescapeJSON(raw json.RawMessage) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(raw))
}
