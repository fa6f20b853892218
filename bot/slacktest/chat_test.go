package slacktest

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"
)

func TestPostMessageToUserLandsInDM(t *testing.T) {
	srv, api := newWorkspace(t)
	meta := slack.SlackMetadata{EventType: "kudos_sent", EventPayload: map[string]any{"kudos_id": "k1", "points": 3}}
	ch, ts, err := api.PostMessage(ada,
		slack.MsgOptionText("You got kudos!", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Kudos*", false, false), nil, nil)),
		slack.MsgOptionMetadata(meta),
	)
	if err != nil {
		t.Fatal(err)
	}
	if ch != srv.DMChannel(ada) || !strings.HasPrefix(ch, "D") {
		t.Fatalf("channel = %q, want ada's DM %q", ch, srv.DMChannel(ada))
	}
	msgs := srv.MessagesTo(ada)
	if len(msgs) != 1 {
		t.Fatalf("MessagesTo(ada) = %+v", msgs)
	}
	m := msgs[0]
	if m.Channel != ch || m.RequestedChannel != ada || m.User != ada || m.TS != ts || m.Text != "You got kudos!" {
		t.Fatalf("message = %+v", m)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil || len(blocks) != 1 || blocks[0]["type"] != "section" {
		t.Fatalf("blocks = %s (%v)", m.Blocks, err)
	}
	if m.Metadata.EventType != "kudos_sent" || m.Metadata.EventPayload["kudos_id"] != "k1" || m.Metadata.EventPayload["points"] != 3.0 {
		t.Fatalf("metadata = %+v", m.Metadata)
	}
	if got := srv.MessagesTo(ch); len(got) != 1 {
		t.Fatalf("MessagesTo(D…) = %+v", got)
	}

	// Posting to the D… id directly reaches the same conversation.
	if ch2, _, err := api.PostMessage(ch, slack.MsgOptionText("again", false)); err != nil || ch2 != ch {
		t.Fatalf("post to D…: %q, %v", ch2, err)
	}
	if got := srv.MessagesTo(ada); len(got) != 2 || got[1].User != ada || got[1].RequestedChannel != ch {
		t.Fatalf("MessagesTo(ada) = %+v", got)
	}
	// Channel messages have no User.
	if _, _, err := api.PostMessage(general, slack.MsgOptionText("hello all", false)); err != nil {
		t.Fatal(err)
	}
	if got := srv.MessagesTo(general); len(got) != 1 || got[0].User != "" {
		t.Fatalf("MessagesTo(general) = %+v", got)
	}
	// Channel names work, as on Slack.
	if ch, _, err := api.PostMessage("#general", slack.MsgOptionText("by name", false)); err != nil || ch != general {
		t.Fatalf("post to #general: %q, %v", ch, err)
	}
}

func TestPostMessageTimestampsAreUniqueAndIncreasing(t *testing.T) {
	srv, api := newWorkspace(t)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, err := api.PostMessage(bob, slack.MsgOptionText("hi", false)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs := srv.Messages()
	if len(msgs) != 20 {
		t.Fatalf("%d messages", len(msgs))
	}
	for i := 1; i < len(msgs); i++ {
		a, _ := parseTS(msgs[i-1].TS)
		b, _ := parseTS(msgs[i].TS)
		if b <= a {
			t.Fatalf("ts %s after %s", msgs[i].TS, msgs[i-1].TS)
		}
	}
}

func TestPostMessageErrors(t *testing.T) {
	_, api := newWorkspace(t)
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	tests := []struct {
		name    string
		channel string
		opts    []slack.MsgOption
		want    string
	}{
		{"unknown channel", "C0NOPE", []slack.MsgOption{slack.MsgOptionText("x", false)}, "channel_not_found"},
		{"unknown user", "U0NOBODY", []slack.MsgOption{slack.MsgOptionText("x", false)}, "channel_not_found"},
		{"private channel without the bot", secret, []slack.MsgOption{slack.MsgOptionText("x", false)}, "channel_not_found"},
		{"no text or blocks", general, nil, "no_text"},
		{"51 blocks", general, []slack.MsgOption{slack.MsgOptionText("x", false), slack.MsgOptionBlocks(many...)}, "invalid_blocks"},
		{"text too long", general, []slack.MsgOption{slack.MsgOptionText(strings.Repeat("a", 40001), false)}, "msg_too_long"},
		{"a bot", otherBot, []slack.MsgOption{slack.MsgOptionText("x", false)}, "cannot_dm_bot"},
		{"a deactivated user", gone, []slack.MsgOption{slack.MsgOptionText("x", false)}, "is_archived"},
		{"blocks without text or block ids", general, []slack.MsgOption{slack.MsgOptionBlocks(
			slack.NewDividerBlock(), slack.NewDividerBlock())}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := api.PostMessage(tt.channel, tt.opts...)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantSlackError(t, err, tt.want)
		})
	}
	// Exactly 50 blocks and 40000 characters pass; a public channel the bot
	// is not in accepts posts (chat:write.public).
	if _, _, err := api.PostMessage(lounge, slack.MsgOptionText(strings.Repeat("a", 40000), false), slack.MsgOptionBlocks(many[:50]...)); err != nil {
		t.Fatal(err)
	}
	d1 := slack.NewDividerBlock()
	d1.BlockID = "same"
	d2 := slack.NewDividerBlock()
	d2.BlockID = "same"
	_, _, err := api.PostMessage(general, slack.MsgOptionBlocks(d1, d2))
	wantSlackError(t, err, "invalid_blocks")
}

func TestFailedPostIsNotRecorded(t *testing.T) {
	srv, api := newWorkspace(t)
	_, _, err := api.PostMessage(general)
	wantSlackError(t, err, "no_text")
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("%d messages recorded", n)
	}
	if srv.Calls("chat.postMessage") != 1 || srv.Rejected("chat.postMessage") != 0 {
		t.Fatalf("calls %d rejected %d", srv.Calls("chat.postMessage"), srv.Rejected("chat.postMessage"))
	}
}

func TestConversationsHistory(t *testing.T) {
	srv, api := newWorkspace(t)
	meta := slack.SlackMetadata{EventType: "pulse_sent", EventPayload: map[string]any{"pulse": "p1"}}
	var tss []string
	for _, text := range []string{"one", "two", "three"} {
		_, ts, err := api.PostMessage(ada, slack.MsgOptionText(text, false), slack.MsgOptionMetadata(meta))
		if err != nil {
			t.Fatal(err)
		}
		tss = append(tss, ts)
	}
	dm := srv.DMChannel(ada)

	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: dm, IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Messages) != 3 || h.Messages[0].Text != "three" || h.Messages[2].Text != "one" || h.HasMore {
		t.Fatalf("history = %+v", h.Messages)
	}
	if m := h.Messages[0]; m.Metadata.EventType != "pulse_sent" || m.Metadata.EventPayload["pulse"] != "p1" || m.BotID == "" || m.User != "UBOT" {
		t.Fatalf("message = %+v", m)
	}
	// Without include_all_metadata, no metadata (the strict reading).
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: dm})
	if err != nil || h.Messages[0].Metadata.EventType != "" {
		t.Fatalf("metadata without include_all_metadata: %+v, %v", h.Messages[0].Metadata, err)
	}
	// oldest/latest are exclusive unless inclusive.
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: dm, Oldest: tss[0]})
	if err != nil || len(h.Messages) != 2 {
		t.Fatalf("oldest: %+v, %v", h.Messages, err)
	}
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: dm, Oldest: tss[0], Latest: tss[2], Inclusive: true})
	if err != nil || len(h.Messages) != 3 {
		t.Fatalf("inclusive range: %+v, %v", h.Messages, err)
	}
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: dm, Latest: tss[2]})
	if err != nil || len(h.Messages) != 2 || h.Messages[0].Text != "two" {
		t.Fatalf("latest: %+v, %v", h.Messages, err)
	}
	// limit and cursor.
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: dm, Limit: 2})
	if err != nil || len(h.Messages) != 2 || !h.HasMore || h.ResponseMetaData.NextCursor == "" {
		t.Fatalf("page 1: %+v, %v", h, err)
	}
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: dm, Limit: 2, Cursor: h.ResponseMetaData.NextCursor})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].Text != "one" || h.HasMore {
		t.Fatalf("page 2: %+v, %v", h, err)
	}

	_, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: lounge})
	wantSlackError(t, err, "not_in_channel")
	_, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: secret})
	wantSlackError(t, err, "channel_not_found")
	_, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ada})
	wantSlackError(t, err, "channel_not_found")
}

func TestThreads(t *testing.T) {
	srv, api := newWorkspace(t)
	_, parent, err := api.PostMessage(general, slack.MsgOptionText("parent", false))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"r1", "r2"} {
		if _, _, err := api.PostMessage(general, slack.MsgOptionText(text, false), slack.MsgOptionTS(parent)); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.MessagesTo(general); len(got) != 3 || got[2].ThreadTS != parent {
		t.Fatalf("messages = %+v", got)
	}
	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: general})
	if err != nil || len(h.Messages) != 1 || h.Messages[0].ReplyCount != 2 {
		t.Fatalf("history shows only the parent with 2 replies: %+v, %v", h.Messages, err)
	}
	replies, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: general, Timestamp: parent})
	if err != nil || len(replies) != 3 || replies[0].Text != "parent" || replies[2].Text != "r2" {
		t.Fatalf("replies = %+v, %v", replies, err)
	}
}

func TestEphemeralUpdateDeleteReact(t *testing.T) {
	srv, api := newWorkspace(t)
	ts, err := api.PostEphemeral(general, ada, slack.MsgOptionText("only you", false))
	if err != nil || ts == "" {
		t.Fatalf("ephemeral: %q, %v", ts, err)
	}
	_, err = api.PostEphemeral(general, "U0NOBODY", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "user_not_in_channel")
	_, err = api.PostEphemeral(secret, ada, slack.MsgOptionText("x", false))
	wantSlackError(t, err, "channel_not_found")
	if e := srv.Ephemerals(); len(e) != 1 || e[0].User != ada || e[0].Channel != general || e[0].Text != "only you" || e[0].MessageTS != ts {
		t.Fatalf("ephemerals = %+v", e)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("ephemeral recorded as a message")
	}

	ch, ts, err := api.PostMessage(bob, slack.MsgOptionText("draft", false))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = api.UpdateMessage(ch, ts, slack.MsgOptionText("final", false))
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, err = api.UpdateMessage(ch, "1.000001", slack.MsgOptionText("x", false))
	wantSlackError(t, err, "message_not_found")
	if u := srv.Updates(); len(u) != 1 || u[0].Channel != ch || u[0].TS != ts || u[0].Text != "final" {
		t.Fatalf("updates = %+v", u)
	}
	if m := srv.Messages(); m[0].Text != "draft" {
		t.Fatalf("Messages() should keep the post as sent: %+v", m)
	}
	if cur, ok := srv.MessageAt(ch, ts); !ok || cur.Text != "final" || !cur.Edited {
		t.Fatalf("MessageAt = %+v, %v", cur, ok)
	}

	if err := api.AddReaction("tada", slack.NewRefToMessage(ch, ts)); err != nil {
		t.Fatal(err)
	}
	wantSlackError(t, api.AddReaction("tada", slack.NewRefToMessage(ch, ts)), "already_reacted")
	wantSlackError(t, api.AddReaction("tada", slack.NewRefToMessage(ch, "1.000001")), "message_not_found")
	if r := srv.Reactions(); len(r) != 1 || r[0].Name != "tada" || r[0].TS != ts {
		t.Fatalf("reactions = %+v", r)
	}

	if _, _, err := api.DeleteMessage(ch, ts); err != nil {
		t.Fatal(err)
	}
	_, _, err = api.DeleteMessage(ch, ts)
	wantSlackError(t, err, "message_not_found")
	if d := srv.Deletions(); len(d) != 1 || d[0].TS != ts {
		t.Fatalf("deletions = %+v", d)
	}
	if cur, _ := srv.MessageAt(ch, ts); !cur.Deleted {
		t.Fatal("MessageAt does not show the deletion")
	}
	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: ch})
	if err != nil || len(h.Messages) != 0 {
		t.Fatalf("history after delete = %+v, %v", h, err)
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	srv, api := newWorkspace(t)
	meta := slack.SlackMetadata{EventType: "e", EventPayload: map[string]any{"k": map[string]any{"n": 1}}}
	if _, _, err := api.PostMessage(ada, slack.MsgOptionText("x", false), slack.MsgOptionMetadata(meta)); err != nil {
		t.Fatal(err)
	}
	m := srv.Messages()[0]
	m.Metadata.EventPayload["k"].(map[string]any)["n"] = 2
	m.Blocks = append(m.Blocks, 'x')
	if srv.Messages()[0].Metadata.EventPayload["k"].(map[string]any)["n"] != 1.0 {
		t.Fatal("caller's change leaked into the server")
	}
}
