package slacktest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func modal(title string, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, title, false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Send", false, false),
		Blocks:          slack.Blocks{BlockSet: blocks},
		CallbackID:      "kudos_modal",
		PrivateMetadata: `{"channel":"C0GENERAL"}`,
	}
}

func input() slack.Block {
	return slack.NewInputBlock("msg", slack.NewTextBlockObject(slack.PlainTextType, "Message", false, false), nil,
		slack.NewPlainTextInputBlockElement(nil, "msg_input"))
}

func TestViewsOpen(t *testing.T) {
	srv, api := newWorkspace(t)
	resp, err := api.OpenView("trig-1", modal("Give kudos", input()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.ID, "V") || resp.Hash == "" || resp.CallbackID != "kudos_modal" || resp.Title.Text != "Give kudos" || len(resp.Blocks.BlockSet) != 1 {
		t.Fatalf("view = %+v", resp.View)
	}
	opened := srv.ViewsOpened()
	if len(opened) != 1 {
		t.Fatalf("ViewsOpened = %+v", opened)
	}
	v := opened[0]
	if v.ID != resp.ID || v.TriggerID != "trig-1" || v.Type != "modal" || v.CallbackID != "kudos_modal" || v.Title != "Give kudos" || v.PrivateMetadata != `{"channel":"C0GENERAL"}` {
		t.Fatalf("opened = %+v", v)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(v.Blocks, &blocks); err != nil || blocks[0]["block_id"] != "msg" {
		t.Fatalf("blocks = %s", v.Blocks)
	}

	_, err = api.OpenView(ExpiredTriggerID, modal("Give kudos", input()))
	wantSlackError(t, err, "expired_trigger_id")
	if len(srv.ViewsOpened()) != 1 {
		t.Fatal("refused view recorded")
	}
}

func TestViewValidation(t *testing.T) {
	_, api := newWorkspace(t)
	many := make([]slack.Block, 101)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	noSubmit := modal("Kudos", input())
	noSubmit.Submit = nil
	noTitle := modal("", slack.NewDividerBlock())
	longMeta := modal("Kudos", slack.NewDividerBlock())
	longMeta.PrivateMetadata = strings.Repeat("x", 3001)
	tests := []struct {
		name string
		view slack.ModalViewRequest
	}{
		{"title over 24 characters", modal(strings.Repeat("t", 25), slack.NewDividerBlock())},
		{"no title", noTitle},
		{"101 blocks", modal("Kudos", many...)},
		{"input blocks without submit", noSubmit},
		{"private_metadata over 3000", longMeta},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := api.OpenView("trig", tt.view)
			wantSlackError(t, err, "invalid_arguments")
			var se slack.SlackErrorResponse
			errors.As(err, &se)
			if len(se.ResponseMetadata.Messages) == 0 {
				t.Fatal("no response_metadata.messages")
			}
		})
	}
	if _, err := api.OpenView("trig", modal(strings.Repeat("t", 24), many[:100]...)); err != nil {
		t.Fatalf("24-char title and 100 blocks: %v", err)
	}
}

func TestTriggerIDExpires(t *testing.T) {
	srv, api := newWorkspace(t, WithTriggerTTL(time.Nanosecond))
	trig := srv.NewTriggerID()
	_, err := api.OpenView(trig, modal("Kudos", input()))
	wantSlackError(t, err, "expired_trigger_id")

	srv2, api2 := newWorkspace(t)
	if _, err := api2.OpenView(srv2.NewTriggerID(), modal("Kudos", input())); err != nil {
		t.Fatalf("fresh trigger: %v", err)
	}
}

func TestViewsUpdateAndPush(t *testing.T) {
	srv, api := newWorkspace(t)
	open := modal("Kudos", input())
	open.ExternalID = "kudos-1"
	resp, err := api.OpenView("trig", open)
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.OpenView("trig2", open)
	wantSlackError(t, err, "duplicate_external_id")

	up, err := api.UpdateView(modal("Thanks!", slack.NewDividerBlock()), "", resp.Hash, resp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if up.ID != resp.ID || up.Hash == resp.Hash || up.Title.Text != "Thanks!" {
		t.Fatalf("updated = %+v", up.View)
	}
	_, err = api.UpdateView(modal("Stale", slack.NewDividerBlock()), "", resp.Hash, resp.ID)
	wantSlackError(t, err, "hash_conflict")
	if _, err := api.UpdateView(modal("By external id", slack.NewDividerBlock()), "kudos-1", "", ""); err != nil {
		t.Fatal(err)
	}
	_, err = api.UpdateView(modal("x", slack.NewDividerBlock()), "", "", "V0NOPE")
	wantSlackError(t, err, "not_found")
	if u := srv.ViewUpdates(); len(u) != 2 || u[0].Title != "Thanks!" || u[1].ID != resp.ID {
		t.Fatalf("ViewUpdates = %+v", u)
	}

	pushed, err := api.PushView("trig3", modal("Step 2", slack.NewDividerBlock()))
	if err != nil || pushed.ID == resp.ID {
		t.Fatalf("push = %+v, %v", pushed, err)
	}
	if p := srv.ViewsPushed(); len(p) != 1 || p[0].TriggerID != "trig3" {
		t.Fatalf("ViewsPushed = %+v", p)
	}
}

func TestViewsPublish(t *testing.T) {
	srv, api := newWorkspace(t)
	home := func(blocks ...slack.Block) slack.HomeTabViewRequest {
		return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	}
	first, err := api.PublishView(ada, home(slack.NewDividerBlock()), "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := api.PublishView(ada, home(slack.NewDividerBlock(), slack.NewDividerBlock()), first.Hash)
	if err != nil || second.ID != first.ID {
		t.Fatalf("republish = %+v, %v", second, err)
	}
	_, err = api.PublishView(ada, home(slack.NewDividerBlock()), first.Hash)
	wantSlackError(t, err, "hash_conflict")

	v, ok := srv.Published(ada)
	if !ok || v.UserID != ada || v.Type != "home" || v.ID != first.ID {
		t.Fatalf("Published(ada) = %+v, %v", v, ok)
	}
	var blocks []any
	if err := json.Unmarshal(v.Blocks, &blocks); err != nil || len(blocks) != 2 {
		t.Fatalf("latest blocks = %s", v.Blocks)
	}
	if _, ok := srv.Published(bob); ok {
		t.Fatal("bob has no home view")
	}

	many := make([]slack.Block, 101)
	for i := range many {
		many[i] = slack.NewDividerBlock()
	}
	_, err = api.PublishView(bob, home(many...), "")
	wantSlackError(t, err, "invalid_arguments")
	if _, err := api.PublishView(bob, home(many[:100]...), ""); err != nil {
		t.Fatalf("100 blocks: %v", err)
	}
	_, err = api.PublishView("U0NOBODY", home(slack.NewDividerBlock()), "")
	wantSlackError(t, err, "user_not_found")
	if n := len(srv.PublishedViews()); n != 3 {
		t.Fatalf("%d publishes recorded, want 3", n)
	}
}
