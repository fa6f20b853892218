package slacktest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

var png = []byte("\x89PNG\r\n\x1a\nfake chart")

func TestUploadToChannelWithBlocks(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := context.Background()
	summary := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Weekly pulse*", false, false), nil, nil)
	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:   bytes.NewReader(png),
		FileSize: len(png),
		Filename: "pulse.png",
		Title:    "Pulse",
		Channel:  general,
		Blocks:   slack.Blocks{BlockSet: []slack.Block{summary}},
	})
	if err != nil {
		t.Fatal(err)
	}
	files := srv.Files()
	if len(files) != 1 {
		t.Fatalf("Files = %+v", files)
	}
	got := files[0]
	if got.ID != f.ID || got.Name != "pulse.png" || got.Title != "Pulse" || !bytes.Equal(got.Bytes, png) ||
		got.Length != len(png) || !got.Uploaded || !got.Completed || !got.Shared || len(got.Channels) != 1 || got.Channels[0] != general {
		t.Fatalf("file = %+v", got)
	}
	msgs := srv.MessagesTo(general)
	if len(msgs) != 1 || len(msgs[0].Files) != 1 || msgs[0].Files[0] != f.ID {
		t.Fatalf("share message = %+v", msgs)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(msgs[0].Blocks, &blocks); err != nil || len(blocks) != 1 || blocks[0]["type"] != "section" {
		t.Fatalf("share message blocks = %s", msgs[0].Blocks)
	}

	info, _, _, err := api.GetFileInfoContext(ctx, f.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.ID != f.ID || info.Size != len(png) || info.Mimetype != "image/png" || len(info.Channels) != 1 || info.Channels[0] != general || !info.IsPublic {
		t.Fatalf("files.info = %+v", info)
	}
	var buf bytes.Buffer
	if err := api.GetFileContext(ctx, info.URLPrivate, &buf); err != nil || !bytes.Equal(buf.Bytes(), png) {
		t.Fatalf("download: %q, %v", buf.Bytes(), err)
	}
	// The message can show the shared file.
	img := slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: f.ID}, "chart", "", nil)
	if _, _, err := api.PostMessage(general, slack.MsgOptionBlocks(img)); err != nil {
		t.Fatalf("image block of a shared file: %v", err)
	}
}

func TestUploadWithInitialCommentToDM(t *testing.T) {
	srv, api := newWorkspace(t)
	dm := srv.DMChannel(ada)
	_, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Content:        "a,b\n1,2\n",
		FileSize:       8,
		Filename:       "data.csv",
		Channel:        dm,
		InitialComment: "your data",
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.MessagesTo(ada)
	if len(msgs) != 1 || msgs[0].Text != "your data" || msgs[0].Channel != dm {
		t.Fatalf("messages = %+v", msgs)
	}
	info, _, _, err := api.GetFileInfo(srv.Files()[0].ID, 0, 0)
	if err != nil || len(info.IMs) != 1 || info.IMs[0] != dm || info.IsPublic {
		t.Fatalf("files.info = %+v, %v", info, err)
	}
}

func TestPrivateUploadCannotBeShownInBlocks(t *testing.T) {
	srv, api := newWorkspace(t)
	f, err := api.UploadFile(slack.UploadFileParameters{Content: "img", FileSize: 3, Filename: "chart.png"})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Messages()) != 0 || !srv.Files()[0].Completed || len(srv.Files()[0].Channels) != 0 {
		t.Fatalf("private upload: messages %+v files %+v", srv.Messages(), srv.Files())
	}
	img := slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: f.ID}, "chart", "", nil)
	_, _, err = api.PostMessage(general, slack.MsgOptionText("chart", false), slack.MsgOptionBlocks(img))
	wantSlackError(t, err, "invalid_blocks")
	if len(srv.Messages()) != 0 {
		t.Fatal("refused message recorded")
	}
}

func TestFileShareDelay(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.SetFileShareDelay(50 * time.Millisecond)
	f, err := api.UploadFile(slack.UploadFileParameters{Content: "img", FileSize: 3, Filename: "chart.png", Channel: general})
	if err != nil {
		t.Fatal(err)
	}
	info, _, _, err := api.GetFileInfo(f.ID, 0, 0)
	if err != nil || len(info.Channels) != 0 {
		t.Fatalf("files.info right after upload = %+v, %v", info.Channels, err)
	}
	img := slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: f.ID}, "chart", "", nil)
	_, _, err = api.PostMessage(general, slack.MsgOptionText("chart", false), slack.MsgOptionBlocks(img))
	wantSlackError(t, err, "invalid_blocks")

	srv.Await(t, 5*time.Second, "the file to be shared", func() bool {
		fs := srv.Files()
		return len(fs) == 1 && fs[0].Shared
	})
	info, _, _, err = api.GetFileInfo(f.ID, 0, 0)
	if err != nil || len(info.Channels) != 1 {
		t.Fatalf("files.info after sharing = %+v, %v", info.Channels, err)
	}
	if len(srv.MessagesTo(general)) != 1 {
		t.Fatalf("share message = %+v", srv.MessagesTo(general))
	}
}

func TestUploadErrors(t *testing.T) {
	srv, api := newWorkspace(t)
	_, err := api.UploadFile(slack.UploadFileParameters{Content: "x", FileSize: 1, Filename: "x.txt", Channel: "C0NOPE"})
	wantSlackError(t, err, "channel_not_found")
	_, err = api.CompleteUploadExternalContext(context.Background(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: "F0NOPE"}}})
	wantSlackError(t, err, "file_not_found")
	_, _, _, err = api.GetFileInfo("F0NOPE", 0, 0)
	wantSlackError(t, err, "file_not_found")
	// Completing before the bytes arrive fails.
	u, err := api.GetUploadURLExternalContext(context.Background(), slack.GetUploadURLExternalParameters{FileName: "late.txt", FileSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CompleteUploadExternalContext(context.Background(), slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}})
	wantSlackError(t, err, "file_not_found")
	// Upload URL failures can be injected too.
	srv.FailNext(UploadMethod, 1, Failure{Status: http.StatusInternalServerError})
	_, err = api.UploadFile(slack.UploadFileParameters{Content: "x", FileSize: 1, Filename: "x.txt", Channel: general})
	if err == nil || srv.Rejected(UploadMethod) != 1 {
		t.Fatalf("err %v rejected %d", err, srv.Rejected(UploadMethod))
	}
}
