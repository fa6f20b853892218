package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
)

// teamFields are the team modal's inputs as submitted; "" leaves one out.
type teamFields struct {
	channel, summary, preset, cron, tz, openFor, remind, questions, k string
}

// validTeam is a complete, valid team form.
var validTeam = teamFields{channel: teamCh, summary: mgrsCh, preset: "0 10 * * FRI", tz: "America/Chicago",
	openFor: "72", remind: "48", questions: "4", k: "5"}

// teamSubmission is a view_submission of the team modal as Slack sends it.
func teamSubmission(viewID, user, metadata string, f teamFields) map[string]any {
	values := map[string]any{}
	selected := func(block, action, typ, v string) {
		if v != "" {
			values[block] = map[string]any{action: map[string]any{"type": typ,
				"selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}}
		}
	}
	conversation := func(block, v string) {
		if v != "" {
			values[block] = map[string]any{"channel": map[string]any{"type": "conversations_select", "selected_conversation": v}}
		}
	}
	text := func(block, action, v string) {
		values[block] = map[string]any{action: map[string]any{"type": "plain_text_input", "value": v}}
	}
	conversation("team_channel", f.channel)
	conversation("team_summary", f.summary)
	selected("team_schedule", "preset", "static_select", f.preset)
	text("team_cron", "cron", f.cron)
	text("team_tz", "tz", f.tz)
	selected("team_open_for", "hours", "static_select", f.openFor)
	selected("team_remind", "hours", "static_select", f.remind)
	selected("team_questions", "count", "radio_buttons", f.questions)
	selected("team_min_group", "k", "static_select", f.k)
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T0001"},
		"user": map[string]any{"id": user, "team_id": "T0001"},
		"view": map[string]any{"id": viewID, "type": "modal", "callback_id": "team_modal",
			"private_metadata": metadata, "hash": "1.abc", "state": map[string]any{"values": values}},
	}
}

func TestTeamModalRefusesWhatCannotWork(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.addTeamChannels()
	with := func(change func(f *teamFields)) teamFields {
		f := validTeam
		change(&f)
		return f
	}
	cases := []struct {
		name  string
		form  teamFields
		block string
		want  string
	}{
		{"unreadable cron", with(func(f *teamFields) { f.preset, f.cron = "custom", "every friday at ten" }), "team_cron", "isn't a schedule Hearth can read"},
		{"custom without cron", with(func(f *teamFields) { f.preset = "custom" }), "team_cron", "Write a schedule"},
		{"cron without custom", with(func(f *teamFields) { f.cron = "0 9 * * MON" }), "team_cron", "Choose Custom"},
		{"time zone in cron", with(func(f *teamFields) { f.preset, f.cron = "custom", "CRON_TZ=Europe/Paris 0 9 * * MON" }), "team_cron", "Time zone field"},
		{"@every", with(func(f *teamFields) { f.preset, f.cron = "custom", "@every 1h" }), "team_cron", "@every"},
		{"never runs", with(func(f *teamFields) { f.preset, f.cron = "custom", "0 10 30 2 *" }), "team_cron", "never happens"},
		{"rounds overlap", with(func(f *teamFields) { f.preset, f.cron = "custom", "0 10 * * *" }), "team_schedule", "still be open"},
		{"unknown time zone", with(func(f *teamFields) { f.tz = "Mars/Olympus_Mons" }), "team_tz", "isn't a time zone"},
		{"private channel without Hearth", with(func(f *teamFields) { f.channel = secretC }), "team_channel", "/invite @Hearth"},
		{"missing channel", with(func(f *teamFields) { f.channel = "CNOPE" }), "team_channel", "can't see this channel"},
		{"private summary without Hearth", with(func(f *teamFields) { f.summary = secretC }), "team_summary", "/invite @Hearth"},
		{"summary is the member channel", with(func(f *teamFields) { f.summary = teamCh }), "team_summary", "different channel"},
		{"k below 3", with(func(f *teamFields) { f.k = "2" }), "team_min_group", "can't be below 3"},
		{"k above 10", with(func(f *teamFields) { f.k = "11" }), "team_min_group", "at most 10"},
		{"reminder after close", with(func(f *teamFields) { f.remind = "72" }), "team_remind", "before the round closes"},
		{"six questions", with(func(f *teamFields) { f.questions = "6" }), "team_questions", "3, 4 or 5"},
		{"no summary", with(func(f *teamFields) { f.summary = "" }), "team_summary", "Choose where"},
	}
	for _, c := range cases {
		status, body := h.interaction(teamSubmission("V0T", admin, "", c.form))
		if status != http.StatusOK {
			t.Errorf("%s: status %d", c.name, status)
			continue
		}
		resp := viewAnswer(t, body)
		if resp.ResponseAction != slack.RAErrors || !strings.Contains(resp.Errors[c.block], c.want) {
			t.Errorf("%s: %s, want %q under %s", c.name, body, c.want, c.block)
		}
	}
	if n := h.count(`SELECT count(*) FROM teams`); n != 0 {
		t.Fatalf("refused forms saved %d teams", n)
	}
}

func TestTeamModalAddsAndEditsATeam(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	h.addTeamChannels()
	h.slack.AddUser(slacktest.User{ID: admin, Name: "dana", RealName: "Dana Admin", IsAdmin: true, TZ: "America/Chicago"})

	if status, body := h.command(admin, "/hearth", "team add"); status != http.StatusOK || body != "" {
		t.Fatalf("/hearth team add: %d %q, want an empty ack", status, body)
	}
	views := h.slack.ViewsOpened()
	if len(views) != 1 || views[0].CallbackID != "team_modal" {
		t.Fatalf("views: %+v", views)
	}
	modal := unescapeJSON(views[0].JSON)
	for _, want := range []string{`"conversations_select"`, `"initial_value":"America/Chicago"`, "Mondays 10:00", "Fridays 10:00",
		"Custom — write it below", `"block_id":"team_min_group"`, "5 (recommended)", "3 — lowest allowed", "No reminder", "/invite @Hearth"} {
		if !strings.Contains(modal, want) {
			t.Errorf("team modal lacks %s", want)
		}
	}

	form := validTeam
	form.k = "4"
	_, body := h.interaction(teamSubmission("V0TADD", admin, "", form))
	resp := viewAnswer(t, body)
	if resp.ResponseAction != slack.RAUpdate || resp.View == nil {
		t.Fatalf("valid team: %s", body)
	}
	saved := unescapeJSON(mustJSON(t, resp.View))
	for _, want := range []string{"Saved", "<#CTEAM>", "<#CMGRS>", "Fridays 10:00 (America/Chicago)", "next round opens", ":warning:", "Minimum group size: 4"} {
		if !strings.Contains(saved, want) {
			t.Errorf("confirmation lacks %q: %s", want, saved)
		}
	}
	team, err := h.store.TeamByChannel(ctx, teamCh)
	if err != nil {
		t.Fatal(err)
	}
	if team.Schedule != "CRON_TZ=America/Chicago 0 10 * * FRI" || team.MinGroup != 4 || team.QuestionsPer != 4 ||
		team.OpenForSeconds != 72*3600 || team.RemindSeconds == nil || *team.RemindSeconds != 48*3600 {
		t.Errorf("saved team %+v", team)
	}
	_, body = h.interaction(teamSubmission("V0TADD2", admin, "", validTeam))
	if resp := viewAnswer(t, body); !strings.Contains(resp.Errors["team_channel"], "already has a team") {
		t.Errorf("second add of the channel: %s", body)
	}

	// Edit: the modal comes filled in; the member channel stays.
	h.command(admin, "/hearth", "team edit <#CTEAM|care-team>")
	views = h.slack.ViewsOpened()
	if len(views) != 2 || views[1].PrivateMetadata != `{"channel":"CTEAM"}` {
		t.Fatalf("edit modal: %+v", views[1:])
	}
	edit := unescapeJSON(views[1].JSON)
	for _, want := range []string{`"initial_conversation":"CMGRS"`, `"initial_value":"America/Chicago"`, "everyone in <#CTEAM>"} {
		if !strings.Contains(edit, want) {
			t.Errorf("edit modal lacks %s", want)
		}
	}
	if strings.Contains(edit, `"block_id":"team_channel"`) {
		t.Error("edit modal lets the member channel change")
	}
	form = validTeam
	form.channel, form.summary, form.remind, form.preset, form.cron = "", kudosCh, "off", "custom", "30 9 * * TUE"
	_, body = h.interaction(teamSubmission("V0TEDIT", admin, `{"channel":"CTEAM"}`, form))
	if resp := viewAnswer(t, body); resp.ResponseAction != slack.RAUpdate {
		t.Fatalf("edit: %s", body)
	}
	team, _ = h.store.TeamByChannel(ctx, teamCh)
	if team.SummaryChannelID != kudosCh || team.RemindSeconds != nil || team.Schedule != "CRON_TZ=America/Chicago 30 9 * * TUE" {
		t.Errorf("edited team %+v", team)
	}
}

func TestTeamAndRoundCommandsAreForAdmins(t *testing.T) {
	t.Parallel()
	h := setup(t)
	h.addTeam()
	for _, text := range []string{"team add", "team list", "team show <#CTEAM|care-team>", "team pause <#CTEAM>",
		"team remove <#CTEAM> confirm", "pulse open <#CTEAM>", "pulse close <#CTEAM>"} {
		if _, answer := h.command(alice, "/hearth", text); !strings.Contains(answer, "Only Hearth admins") {
			t.Errorf("/hearth %s by a non-admin: %q", text, answer)
		}
	}
	if n := len(h.slack.ViewsOpened()); n != 0 {
		t.Errorf("a non-admin opened %d views", n)
	}
	_, body := h.interaction(teamSubmission("V0FORGED", alice, "", validTeam))
	if !strings.Contains(body, "Only Hearth admins") {
		t.Errorf("team modal submitted by a non-admin: %s", body)
	}
	team, err := h.store.TeamByChannel(context.Background(), teamCh)
	if err != nil || team.Paused {
		t.Errorf("team after non-admin commands: %+v, %v", team, err)
	}
	// The help tells everyone about pulses, and admins about teams.
	if _, help := h.command(alice, "/hearth", "help"); !strings.Contains(help, "/hearth pulse off") || !strings.Contains(help, "/hearth team add") {
		t.Errorf("help: %q", help)
	}
}

func TestTeamCommands(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	h.addTeam()
	steps := []struct{ text, want string }{
		{"team list", "<#CTEAM> → summary in <#CMGRS>"},
		{"team show <#CTEAM|care-team>", "No rounds yet"},
		{"team show <#CNOPE|nope>", "isn't a team yet"},
		{"team show care-team", "with #"},
		{"team pause <#CTEAM|care-team>", "Paused pulses"},
		{"team list", "*paused*"},
		{"pulse open <#CTEAM|care-team>", "is paused"},
		{"team resume <#CTEAM|care-team>", "next round opens"},
		{"team remove <#CTEAM|care-team>", "can't be undone"},
		{"team frobnicate <#CTEAM|care-team>", "/hearth team add"},
		{"pulse close <#CTEAM|care-team>", "no open round"},
		{"pulse open", "/hearth pulse open #channel"},
		{"pulse frobnicate", "/hearth pulse off"},
	}
	for _, s := range steps {
		if _, text := h.command(admin, "/hearth", s.text); !strings.Contains(text, s.want) {
			t.Errorf("/hearth %s → %q, want %q", s.text, text, s.want)
		}
	}
	if _, err := h.store.TeamByChannel(ctx, teamCh); err != nil {
		t.Fatalf("remove without confirm removed the team: %v", err)
	}
	if _, text := h.command(admin, "/hearth", "team remove <#CTEAM|care-team> confirm"); !strings.Contains(text, "Removed") {
		t.Errorf("remove confirm: %q", text)
	}
	if _, err := h.store.TeamByChannel(ctx, teamCh); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("team after remove: %v", err)
	}
}

func TestPulseOpenAndCloseFromSlack(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	team := h.addTeam()
	if _, text := h.command(admin, "/hearth", "pulse open <#CTEAM|care-team>"); !strings.Contains(text, "Opening a round") {
		t.Fatalf("pulse open: %q", text)
	}
	// The round opens in a job, and every person in the channel gets one DM.
	h.await("pulse DMs", func() bool {
		return len(h.messagesIn(alice)) == 1 && len(h.messagesIn(bob)) == 1 && len(h.messagesIn(carol)) == 1
	})
	round, err := h.store.OpenRoundOf(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := h.store.RoundRecipients(ctx, round.ID); len(got) != 3 {
		t.Errorf("recipients = %v, want the three people", got)
	}
	if m := h.messagesIn(alice)[0]; m.Metadata.EventType != "hearth_pulse" || !strings.Contains(string(m.Blocks), "pulse_open") {
		t.Errorf("DM: %+v", m)
	}
	if _, text := h.command(admin, "/hearth", "pulse open <#CTEAM|care-team>"); !strings.Contains(text, "still open") {
		t.Errorf("second pulse open: %q", text)
	}
	h.awaitDB("DMs recorded", func() bool {
		c, err := h.store.RoundDeliveryCounts(ctx, round.ID)
		return err == nil && c.Sent == 3
	})
	if _, text := h.command(admin, "/hearth", "team show <#CTEAM|care-team>"); !strings.Contains(text, "Round 1* is open") || !strings.Contains(text, "3 sent") {
		t.Errorf("team show with an open round: %q", text)
	}
	if _, text := h.command(admin, "/hearth", "pulse close <#CTEAM|care-team>"); !strings.Contains(text, "Closing round 1") || !strings.Contains(text, "<#CMGRS>") {
		t.Fatalf("pulse close: %q", text)
	}
	h.awaitDB("the round closed", func() bool {
		r, err := h.store.Round(ctx, round.ID)
		return err == nil && r.ClosedAt.Valid
	})
	h.await("a summary for the managers", func() bool { return len(h.messagesIn(mgrsCh)) == 1 })
}
