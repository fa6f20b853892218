package slacktest

import (
	"testing"

	"github.com/slack-go/slack"
)

func TestResponseURL(t *testing.T) {
	srv, api := newWorkspace(t)
	url := srv.NewResponseURL()
	for i := range 5 {
		_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeInChannel), slack.MsgOptionText("done", false))
		if err != nil {
			t.Fatalf("post %d: %v", i+1, err)
		}
	}
	_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionText("sixth", false))
	wantSlackError(t, err, "used_url")

	posts := srv.ResponsePosts()
	if len(posts) != 5 || posts[0].URL != url || posts[0].Text != "done" || posts[0].ResponseType != "in_channel" {
		t.Fatalf("posts = %+v", posts)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("response_url posts are not channel messages")
	}
	other := srv.NewResponseURL()
	if other == url {
		t.Fatal("response URLs must differ")
	}
	_, _, err = api.PostMessage("", slack.MsgOptionResponseURL(other, slack.ResponseTypeEphemeral),
		slack.MsgOptionBlocks(slack.NewDividerBlock()), slack.MsgOptionReplaceOriginal(other))
	if err != nil {
		t.Fatal(err)
	}
	if p := srv.ResponsePosts()[5]; !p.ReplaceOriginal || string(p.Blocks) != `[{"type":"divider"}]` {
		t.Fatalf("post = %+v", p)
	}
}
