package slacktest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/slack-go/slack"
)

func TestUsersInfo(t *testing.T) {
	_, api := newWorkspace(t)
	u, err := api.GetUserInfo(ada)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "ada" || u.RealName != "Ada Lovelace" || u.TZ != "Europe/London" || !u.IsAdmin || u.IsBot || u.Deleted {
		t.Fatalf("user = %+v", u)
	}
	if u.TZLabel == "" {
		t.Fatalf("tz_label missing: %+v", u)
	}
	g, err := api.GetUserInfo(gone)
	if err != nil || !g.Deleted {
		t.Fatalf("deleted user = %+v, %v", g, err)
	}
	_, err = api.GetUserInfo("U0NOBODY")
	wantSlackError(t, err, "user_not_found")

	users, err := api.GetUsersInfo(ada, bob)
	if err != nil || len(*users) != 2 || (*users)[1].ID != bob {
		t.Fatalf("users.info users= : %+v, %v", users, err)
	}
}

func TestUsersListPaginates(t *testing.T) {
	srv, api := newWorkspace(t)
	for i := range 7 {
		srv.AddUser(User{ID: fmt.Sprintf("U1%04d", i), Name: fmt.Sprintf("user%d", i)})
	}
	want := srv.Users()
	if len(want) != 13 || want[0].ID != "UBOT" || want[1].ID != SlackbotID {
		t.Fatalf("Users() = %+v", want)
	}

	var pages int
	var got []string
	p := api.GetUsersPaginated(slack.GetUsersOptionLimit(5))
	var err error
	for {
		p, err = p.Next(context.Background())
		if p.Done(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range p.Users {
			got = append(got, u.ID)
		}
	}
	if pages != 3 || len(got) != len(want) {
		t.Fatalf("pages = %d, users = %v", pages, got)
	}
	for i, u := range want {
		if got[i] != u.ID {
			t.Fatalf("user %d = %s, want %s", i, got[i], u.ID)
		}
	}
	all, err := api.GetUsers()
	if err != nil || len(all) != len(want) {
		t.Fatalf("GetUsers = %d users, %v", len(all), err)
	}
	// Slackbot is listed but is not flagged as a bot, as on Slack.
	i := slices.IndexFunc(all, func(u slack.User) bool { return u.ID == SlackbotID })
	if i < 0 || all[i].IsBot {
		t.Fatalf("slackbot = %+v", all[i])
	}

	_, err = api.GetUsersPaginated(slack.GetUsersOptionCursor("bogus")).Next(context.Background())
	wantSlackError(t, err, "invalid_cursor")
}

func TestConversationsMembersPaginates(t *testing.T) {
	srv, api := newWorkspace(t)
	var members []string
	for i := range 250 {
		members = append(members, fmt.Sprintf("U2%04d", i))
	}
	srv.AddChannel(Channel{ID: "C0BIG", Name: "big", Members: members})

	var got []string
	cursor := ""
	calls := 0
	for {
		page, next, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: "C0BIG", Cursor: cursor, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		calls++
		if len(page) > 100 {
			t.Fatalf("page of %d > limit", len(page))
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if calls != 3 || !slices.Equal(got, members) {
		t.Fatalf("calls = %d, got %d members", calls, len(got))
	}
	// Slack's default page size is 100.
	page, next, err := api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: "C0BIG"})
	if err != nil || len(page) != 100 || next == "" {
		t.Fatalf("default page: %d members, next %q, %v", len(page), next, err)
	}

	_, _, err = api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: "C0NOPE"})
	wantSlackError(t, err, "channel_not_found")
	// A private channel the bot is not in is invisible.
	_, _, err = api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: secret})
	wantSlackError(t, err, "channel_not_found")
	// A private channel it is in is not.
	page, _, err = api.GetUsersInConversation(&slack.GetUsersInConversationParameters{ChannelID: team})
	if err != nil || len(page) != 2 {
		t.Fatalf("team members = %v, %v", page, err)
	}
}

func TestConversationsInfo(t *testing.T) {
	srv, api := newWorkspace(t)
	c, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: general, IncludeNumMembers: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != general || c.Name != "general" || c.IsPrivate || !c.IsMember || c.NumMembers != 3 {
		t.Fatalf("channel = %+v", c)
	}
	c, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: team})
	if err != nil || !c.IsPrivate {
		t.Fatalf("team = %+v, %v", c, err)
	}
	_, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: secret})
	wantSlackError(t, err, "channel_not_found")

	dm := srv.DMChannel(ada)
	c, err = api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: dm})
	if err != nil || !c.IsIM || c.User != ada {
		t.Fatalf("dm = %+v, %v", c, err)
	}
}

func TestConversationsOpenIsStable(t *testing.T) {
	srv, api := newWorkspace(t)
	ch, noOp, already, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{ada}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.ID) < 2 || ch.ID[0] != 'D' || noOp || already {
		t.Fatalf("first open: %+v noOp=%v already=%v", ch, noOp, already)
	}
	again, _, already, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{ada}, ReturnIM: true})
	if err != nil || again.ID != ch.ID || !already {
		t.Fatalf("second open: %+v already=%v %v", again, already, err)
	}
	other, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{bob}})
	if err != nil || other.ID == ch.ID {
		t.Fatalf("bob's DM = %+v, %v", other, err)
	}
	if srv.DMChannel(ada) != ch.ID || srv.DMChannel("U0NOBODY") != "" {
		t.Fatal("DMChannel disagrees with conversations.open")
	}

	_, _, _, err = api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U0NOBODY"}})
	wantSlackError(t, err, "user_not_found")
	_, _, _, err = api.OpenConversation(&slack.OpenConversationParameters{Users: []string{gone}})
	wantSlackError(t, err, "user_disabled")

	group, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{ada, bob}})
	if err != nil || group.ID[0] != 'G' {
		t.Fatalf("group DM = %+v, %v", group, err)
	}
	if _, _, err := api.PostMessage(group.ID, slack.MsgOptionText("hi both", false)); err != nil {
		t.Fatal(err)
	}
}

func TestAddUserReplaces(t *testing.T) {
	srv, api := newWorkspace(t)
	srv.AddUser(User{ID: ada, Name: "ada", RealName: "Ada L.", TZ: "Asia/Tokyo", Deleted: true})
	u, err := api.GetUserInfo(ada)
	if err != nil || u.TZ != "Asia/Tokyo" || !u.Deleted || u.TZOffset != 9*3600 {
		t.Fatalf("user = %+v, %v", u, err)
	}
	if n := len(srv.Users()); n != 6 {
		t.Fatalf("%d users after replacing one, want 6", n)
	}
	if id := srv.AddChannel(Channel{Name: "fresh"}); id == "" || id[0] != 'C' {
		t.Fatalf("generated channel id %q", id)
	}
}
