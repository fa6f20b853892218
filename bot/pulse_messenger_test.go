package bot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
)

func TestPulseDMCarriesMetadataAndIsFoundAgain(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	team := h.addTeam()
	round := h.openRound(team, alice, bob)

	// Before any DM, a person is reached through their user id: no
	// conversations.open (Tier 3) per person in a first round.
	first, err := h.bot.DMChannel(ctx, alice)
	if err != nil || first != alice {
		t.Fatalf("DMChannel before any DM = %s, %v; want the user id", first, err)
	}
	// A look for an earlier DM opens the DM once and caches it.
	if found, ts, err := h.bot.FindPulseDM(ctx, first, round.ID, db.DMPulse, time.Now().Add(-time.Minute)); err != nil || ts != "" || found != h.slack.DMChannel(alice) {
		t.Fatalf("FindPulseDM by user id = %q %q, %v", found, ts, err)
	}
	dm, err := h.bot.DMChannel(ctx, alice)
	if err != nil || dm != h.slack.DMChannel(alice) {
		t.Fatalf("DMChannel = %s, %v; want %s", dm, err, h.slack.DMChannel(alice))
	}
	if n := h.slack.Calls("conversations.open"); n != 1 {
		t.Errorf("conversations.open called %d times, want 1 (then cached)", n)
	}
	// Posting to a user id caches the DM channel Slack chose.
	if landed, _, err := h.bot.PostPulseDM(ctx, bob, team, round, db.DMPulse); err != nil || landed != h.slack.DMChannel(bob) {
		t.Fatalf("PostPulseDM to a user id landed in %q, %v", landed, err)
	}
	if u, err := h.store.CachedUser(ctx, bob); err != nil || u.DMChannelID != h.slack.DMChannel(bob) {
		t.Errorf("cached DM channel = %q, %v", u.DMChannelID, err)
	}

	since := time.Now().Add(-time.Minute)
	if _, ts, err := h.bot.FindPulseDM(ctx, dm, round.ID, db.DMPulse, since); err != nil || ts != "" {
		t.Fatalf("FindPulseDM before posting = %q, %v", ts, err)
	}
	_, ts, err := h.bot.PostPulseDM(ctx, dm, team, round, db.DMPulse)
	if err != nil {
		t.Fatal(err)
	}
	msgs := h.messagesIn(dm)
	if len(msgs) != 1 {
		t.Fatalf("DMs = %d", len(msgs))
	}
	m := msgs[0]
	if m.Metadata.EventType != "hearth_pulse" || fmt.Sprint(m.Metadata.EventPayload["round_id"]) != fmt.Sprint(round.ID) {
		t.Errorf("metadata = %+v", m.Metadata)
	}
	blocks := unescapeJSON(m.Blocks)
	for _, want := range []string{"wellness pulse", "about a minute", "stored without your name", "at least 5 people",
		`"action_id":"pulse_open"`, `"style":"primary"`, "Answer the pulse", fmt.Sprintf(`"value":"%d"`, round.ID),
		fmt.Sprintf("<!date^%d^", round.ClosesAt.Unix()), "/hearth pulse off"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("pulse DM lacks %q: %s", want, blocks)
		}
	}

	if _, found, err := h.bot.FindPulseDM(ctx, dm, round.ID, db.DMPulse, since); err != nil || found != ts {
		t.Errorf("FindPulseDM = %q, %v; want %q", found, err, ts)
	}
	if _, found, _ := h.bot.FindPulseDM(ctx, dm, round.ID, db.DMReminder, since); found != "" {
		t.Errorf("found a reminder that was never sent: %q", found)
	}
	if _, found, _ := h.bot.FindPulseDM(ctx, dm, round.ID+1, db.DMPulse, since); found != "" {
		t.Errorf("found another round's DM: %q", found)
	}
	if _, found, _ := h.bot.FindPulseDM(ctx, dm, round.ID, db.DMPulse, time.Now().Add(time.Hour)); found != "" {
		t.Errorf("found a DM from before since: %q", found)
	}

	_, reminder, err := h.bot.PostPulseDM(ctx, dm, team, round, db.DMReminder)
	if err != nil {
		t.Fatal(err)
	}
	if _, found, _ := h.bot.FindPulseDM(ctx, dm, round.ID, db.DMReminder, since); found != reminder {
		t.Errorf("reminder found = %q, want %q", found, reminder)
	}
	rm := h.messagesIn(dm)[1]
	if rm.Metadata.EventType != "hearth_pulse_reminder" || !strings.Contains(rm.Text, "gentle reminder") ||
		!strings.Contains(string(rm.Blocks), "pulse_open") {
		t.Errorf("reminder: %+v", rm)
	}

	// Once answered, both messages lose their button.
	rec := db.Recipient{RoundID: round.ID, UserID: alice, DMChannelID: dm, DMTS: ts, RemindTS: reminder, Answered: true}
	if err := h.bot.MarkPulseAnswered(ctx, team, round, rec); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{ts, reminder} {
		cur, _ := h.slack.MessageAt(dm, at)
		if !cur.Edited || strings.Contains(string(cur.Blocks), "pulse_open") {
			t.Errorf("message %s after answering: %+v", at, cur)
		}
	}
	cur, _ := h.slack.MessageAt(dm, ts)
	want := "on " + round.ClosesAt.In(mustLoc(t, "America/Denver")).Format("Monday, January 2 at 15:04") + " (America/Denver)"
	if !strings.Contains(string(cur.Blocks), want) {
		t.Errorf("thanks lacks the close time in Alice's zone %q: %s", want, cur.Blocks)
	}
	// A DM that was refused for good does not block the thanks job.
	h.slack.FailNext("chat.update", 1, slacktest.Failure{Error: "message_not_found"})
	err = h.bot.MarkPulseAnswered(ctx, team, round, rec)
	var perm interface{ Permanent() bool }
	if err == nil || !errors.As(err, &perm) || !perm.Permanent() {
		t.Errorf("update of a deleted DM: %v, want a permanent error", err)
	}
}

func TestPulseSlackErrorsAreClassifiedForJobs(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	team := h.addTeam()
	round := h.openRound(team, alice)
	h.slack.FailNext("chat.postMessage", 1, slacktest.Failure{Status: http.StatusTooManyRequests, RetryAfter: 7})
	_, _, err := h.bot.PostPulseDM(ctx, h.slack.DMChannel(alice), team, round, db.DMPulse)
	var wait interface{ RetryAfter() time.Duration }
	if !errors.As(err, &wait) || wait.RetryAfter() != 7*time.Second {
		t.Errorf("429: %v, want RetryAfter 7s", err)
	}
	_, _, err = h.bot.PostPulseDM(ctx, departed, team, round, db.DMPulse)
	var perm interface{ Permanent() bool }
	if !errors.As(err, &perm) || !perm.Permanent() {
		t.Errorf("DM to a deactivated user: %v, want permanent", err)
	}
	h.slack.FailNext("conversations.members", 1, slacktest.Failure{Status: http.StatusServiceUnavailable})
	_, err = h.bot.HumanMembers(ctx, teamCh)
	if err == nil || (errors.As(err, &perm) && perm.Permanent()) {
		t.Errorf("5xx listing members: %v, want a retryable error", err)
	}
}

func TestHumanMembersKeepsPeopleOnly(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	h.addTeam()
	h.slack.AddUser(slacktest.User{ID: "UWORKFLOW", Name: "flow", IsBot: true})
	h.slack.AddChannel(slacktest.Channel{ID: teamCh, Name: "care-team",
		Members: []string{alice, bob, botUser, departed, slacktest.SlackbotID, h.slack.BotUserID(), "UWORKFLOW", "UNOBODY", carol, alice}})
	got, err := h.bot.HumanMembers(ctx, teamCh)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{alice, bob, carol}; !slices.Equal(got, want) {
		t.Errorf("HumanMembers = %v, want %v", got, want)
	}
	// Now cached: no more profile look-ups.
	before := h.slack.Calls("users.info") + h.slack.Calls("users.list")
	if again, err := h.bot.HumanMembers(ctx, teamCh); err != nil || !slices.Equal(again, got) {
		t.Fatalf("second HumanMembers = %v, %v", again, err)
	}
	// Only the id Slack does not know is asked about again.
	if after := h.slack.Calls("users.info") + h.slack.Calls("users.list"); after-before > 1 {
		t.Errorf("second call made %d profile look-ups, want at most 1", after-before)
	}
}

func TestHumanMembersOfALargeChannelUseUsersList(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	const people = 450
	members := []string{h.slack.BotUserID(), botUser, departed}
	for i := range people {
		id := fmt.Sprintf("UP%04d", i)
		h.slack.AddUser(slacktest.User{ID: id, Name: fmt.Sprintf("p%d", i), TZ: "America/Denver"})
		members = append(members, id)
	}
	// Unrelated people the listing passes over on its way.
	for i := range 150 {
		h.slack.AddUser(slacktest.User{ID: fmt.Sprintf("UX%04d", i), Name: fmt.Sprintf("x%d", i)})
	}
	h.slack.AddChannel(slacktest.Channel{ID: "CBIG", Name: "big", Members: members})
	got, err := h.bot.HumanMembers(ctx, "CBIG")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != people {
		t.Fatalf("HumanMembers = %d people, want %d", len(got), people)
	}
	if n := h.slack.Calls("users.info"); n != 0 {
		t.Errorf("users.info called %d times; a large channel should be read with users.list", n)
	}
	if n := h.slack.Calls("users.list"); n < 3 || n > 4 {
		t.Errorf("users.list called %d times, want the 3–4 pages that hold the members", n)
	}
	if n := h.count(`SELECT count(*) FROM slack_users WHERE user_id LIKE 'UP%' AND tz = 'America/Denver'`); n != people {
		t.Errorf("cached %d profiles, want %d", n, people)
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// BenchmarkHumanMembers5000 lists a 5,000-person channel: cold (every
// profile from users.list pages) and warm (all cached).
//
//	go test ./bot -run '^$' -bench HumanMembers5000 -benchtime 3x
func BenchmarkHumanMembers5000(b *testing.B) {
	h := setup(b)
	ctx := context.Background()
	const people = 5000
	members := []string{h.slack.BotUserID()}
	for i := range people {
		id := fmt.Sprintf("UM%05d", i)
		h.slack.AddUser(slacktest.User{ID: id, Name: fmt.Sprintf("m%d", i), TZ: "Europe/London"})
		members = append(members, id)
	}
	h.slack.AddChannel(slacktest.Channel{ID: "CHUGE", Name: "huge", Members: members})
	var cold, warm time.Duration
	for b.Loop() {
		if _, err := h.store.Exec(`DELETE FROM slack_users`); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		got, err := h.bot.HumanMembers(ctx, "CHUGE")
		if err != nil || len(got) != people {
			b.Fatalf("cold: %d people, %v", len(got), err)
		}
		cold += time.Since(start)
		start = time.Now()
		if got, err = h.bot.HumanMembers(ctx, "CHUGE"); err != nil || len(got) != people {
			b.Fatalf("warm: %d people, %v", len(got), err)
		}
		warm += time.Since(start)
	}
	b.ReportMetric(float64(cold.Milliseconds())/float64(b.N), "ms/cold")
	b.ReportMetric(float64(warm.Milliseconds())/float64(b.N), "ms/warm")
	b.ReportMetric(float64(h.slack.Calls("users.list"))/float64(b.N), "users.list/cold")
	b.ReportMetric(float64(h.slack.Calls("users.info")), "users.info")
}
