package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
)

// The pulse team of the test workspace.
const (
	teamCh  = "CTEAM"
	mgrsCh  = "CMGRS"
	secretC = "CSECRET" // private, Hearth not invited
)

// pulseQuestions are a round's questions: two on the agreement scale, eNPS.
var pulseQuestions = []db.RoundQuestion{
	{Key: "energy", Theme: "wellness", Text: "I had enough energy for my work this week.", Scale: "agree5", Min: 1, Max: 5, HigherIsBetter: true},
	{Key: "workload", Theme: "workload", Text: "My workload this week was manageable.", Scale: "agree5", Min: 1, Max: 5, HigherIsBetter: true},
	{Key: "recommend", Theme: "engagement", Text: "How likely are you to recommend working here to a friend?", Scale: "enps11", Min: 0, Max: 10, HigherIsBetter: true},
}

// addTeam makes the pulse team: CTEAM's members, summary in CMGRS. Its
// schedule (1 January) keeps the scheduler out of the way.
func (h *harness) addTeam() db.Team {
	h.t.Helper()
	h.addTeamChannels()
	team, err := h.store.AddTeam(context.Background(), db.NewTeam{
		ChannelID: teamCh, SummaryChannelID: mgrsCh, Schedule: "CRON_TZ=America/Denver 0 10 1 1 *",
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return team
}

// addTeamChannels adds the team's member and summary channels to Slack,
// and a private channel Hearth was not invited to.
func (h *harness) addTeamChannels() {
	h.slack.AddChannel(slacktest.Channel{ID: teamCh, Name: "care-team",
		Members: []string{alice, bob, carol, botUser, departed, slacktest.SlackbotID, h.slack.BotUserID()}})
	h.slack.AddChannel(slacktest.Channel{ID: mgrsCh, Name: "care-managers", Members: []string{admin}})
	h.slack.AddChannel(slacktest.Channel{ID: secretC, Name: "secret", IsPrivate: true, Members: []string{alice, admin}})
}

// openRound opens a round of team for recipients directly in the store.
func (h *harness) openRound(team db.Team, recipients ...string) db.Round {
	h.t.Helper()
	ctx := context.Background()
	now := time.Now()
	var round db.Round
	err := h.store.WithTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		round, _, err = db.OpenRound(ctx, tx, db.NewRound{
			TeamID: team.ID, ScheduledFor: now.Truncate(time.Second), Now: now,
			OpenFor: team.OpenFor(), RemindAfter: team.RemindAfter(), Recipients: recipients,
			Questions: func(int) []db.RoundQuestion { return pulseQuestions },
		})
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return round
}

func (h *harness) closeRound(round db.Round) {
	h.t.Helper()
	ctx := context.Background()
	if err := h.store.WithTx(ctx, func(tx *sqlx.Tx) error {
		_, _, err := db.CloseRound(ctx, tx, round.ID, time.Now())
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
}

// clickPulse is a click on a pulse DM's "Answer the pulse" button.
func (h *harness) clickPulse(user string, roundID int64) (int, string) {
	h.t.Helper()
	return h.interaction(map[string]any{
		"type": "block_actions", "trigger_id": h.slack.NewTriggerID(),
		"user": map[string]any{"id": user}, "team": map[string]any{"id": "T0001"},
		"channel":   map[string]any{"id": "D0000001"},
		"container": map[string]any{"type": "message", "message_ts": "1700000000.000100"},
		"actions": []map[string]any{{"action_id": "pulse_open", "block_id": "pulse", "type": "button",
			"value": strconv.FormatInt(roundID, 10)}},
	})
}

// pulseAnswers are chosen points by question key, e.g. {"energy": "4"}.
type pulseAnswers map[string]string

// pulseSubmission is a view_submission of the pulse modal as Slack sends it.
func pulseSubmission(viewID, user string, roundID int64, answers pulseAnswers, comment string) map[string]any {
	values := map[string]any{}
	for _, q := range pulseQuestions {
		v, ok := answers[q.Key]
		if !ok {
			continue
		}
		typ := "radio_buttons"
		if q.Scale == "enps11" {
			typ = "static_select"
		}
		values["q_"+q.Key] = map[string]any{"answer": map[string]any{"type": typ,
			"selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}}
	}
	values["comment"] = map[string]any{"comment": map[string]any{"type": "plain_text_input", "value": comment}}
	return map[string]any{
		"type": "view_submission", "team": map[string]any{"id": "T0001"},
		"user": map[string]any{"id": user, "team_id": "T0001"},
		"view": map[string]any{"id": viewID, "type": "modal", "callback_id": "pulse_modal",
			"private_metadata": strconv.FormatInt(roundID, 10), "hash": "1.abc", "state": map[string]any{"values": values}},
	}
}

var goodAnswers = pulseAnswers{"energy": "4", "workload": "2", "recommend": "9"}

// viewAnswer decodes a view_submission answer.
func viewAnswer(t *testing.T, body string) slack.ViewSubmissionResponse {
	t.Helper()
	var resp slack.ViewSubmissionResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("view submission answer %q: %v", body, err)
	}
	return resp
}

// pooled counts the answers sitting in a round's pool.
func (h *harness) pooled(roundID int64) int {
	return h.count(`SELECT COALESCE(sum(jsonb_array_length(answers)), 0) FROM pulse_pool WHERE round_id = $1`, roundID)
}

func TestPulseButtonOpensTheQuestions(t *testing.T) {
	t.Parallel()
	h := setup(t)
	round := h.openRound(h.addTeam(), alice, bob)
	if status, body := h.clickPulse(alice, round.ID); status != http.StatusOK || body != "" {
		t.Fatalf("click: %d %q, want an empty ack", status, body)
	}
	views := h.slack.ViewsOpened()
	if len(views) != 1 || views[0].CallbackID != "pulse_modal" || views[0].PrivateMetadata != strconv.FormatInt(round.ID, 10) {
		t.Fatalf("views opened: %+v", views)
	}
	modal := unescapeJSON(views[0].JSON)
	for _, want := range []string{
		`"Send anonymously"`, `"block_id":"q_energy"`, `"type":"radio_buttons"`,
		`"Strongly disagree"`, `"Neither agree nor disagree"`, `"Strongly agree"`,
		`"block_id":"q_recommend"`, `"type":"static_select"`, `"0 — Not at all likely"`, `"10 — Extremely likely"`,
		`"block_id":"comment"`, `"multiline":true`, "shuffled and undated", "stored without your name", "at least 5 people",
	} {
		if !strings.Contains(modal, want) {
			t.Errorf("pulse modal lacks %s:\n%s", want, modal)
		}
	}
	// No question gets more than 10 radio buttons (Slack's limit).
	var view struct {
		Blocks []struct {
			Element struct {
				Type    string            `json:"type"`
				Options []json.RawMessage `json:"options"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(views[0].JSON, &view); err != nil {
		t.Fatal(err)
	}
	for _, b := range view.Blocks {
		if b.Element.Type == "radio_buttons" && len(b.Element.Options) > 10 {
			t.Errorf("radio buttons with %d options", len(b.Element.Options))
		}
	}
}

func TestPulseSubmissionRecordsOnceAndThanks(t *testing.T) {
	t.Parallel()
	h := setup(t)
	team := h.addTeam()
	round := h.openRound(team, alice, bob)
	// Alice's DM went out, so the thanks can replace it.
	dm := h.slack.DMChannel(alice)
	_, ts, err := h.bot.PostPulseDM(context.Background(), dm, team, round, db.DMPulse)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.RecordDM(context.Background(), round.ID, alice, db.DMPulse, dm, ts); err != nil {
		t.Fatal(err)
	}

	status, body := h.interaction(pulseSubmission("V0PULSE1", alice, round.ID, goodAnswers, "Short-staffed on Tuesday nights."))
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	resp := viewAnswer(t, body)
	if resp.ResponseAction != slack.RAUpdate || resp.View == nil || !strings.Contains(unescapeJSON(mustJSON(t, resp.View)), "can't be edited or retrieved") {
		t.Fatalf("answer %s, want an update to the thank-you view", body)
	}
	if n := h.pooled(round.ID); n != 1 {
		t.Fatalf("pooled answers = %d, want 1", n)
	}
	if n := h.count(`SELECT count(*) FROM pulse_recipients WHERE round_id = $1 AND answered`, round.ID); n != 1 {
		t.Fatalf("answered = %d, want 1", n)
	}

	// The same submission delivered again (an ack lost in Socket Mode) gets the same thanks.
	_, again := h.interaction(pulseSubmission("V0PULSE1", alice, round.ID, goodAnswers, "Short-staffed on Tuesday nights."))
	if r := viewAnswer(t, again); r.ResponseAction != slack.RAUpdate || r.View == nil || !strings.Contains(unescapeJSON(mustJSON(t, r.View)), "your answers are in") {
		t.Errorf("redelivered submission answered %s, want the thanks again", again)
	}
	// A second modal, submitted too: refused kindly, nothing recorded.
	_, body = h.interaction(pulseSubmission("V0PULSE2", alice, round.ID, pulseAnswers{"energy": "1", "workload": "1", "recommend": "0"}, ""))
	resp = viewAnswer(t, body)
	if resp.ResponseAction != slack.RAErrors || !strings.Contains(resp.Errors["q_energy"], "already answered") {
		t.Errorf("second submission: %s, want an already-answered error", body)
	}
	if n := h.pooled(round.ID); n != 1 {
		t.Fatalf("pooled answers after a second submission = %d, want 1", n)
	}

	// The DM is updated: thanks, no button, and when the summary comes, in Alice's time zone.
	h.await("the DM's thanks", func() bool {
		m, ok := h.slack.MessageAt(dm, ts)
		return ok && m.Edited
	})
	m, _ := h.slack.MessageAt(dm, ts)
	blocks := unescapeJSON(m.Blocks)
	if strings.Contains(blocks, "pulse_open") || !strings.Contains(blocks, "can't be edited or retrieved") ||
		!strings.Contains(blocks, "(America/Denver)") || !strings.Contains(blocks, "at least 5 people") {
		t.Errorf("answered DM: %s", blocks)
	}
	// Clicking the old button afterwards says so, and opens no questions.
	h.clickPulse(alice, round.ID)
	views := h.slack.ViewsOpened()
	if len(views) != 1 || views[0].CallbackID == "pulse_modal" || !strings.Contains(string(views[0].Blocks), "already answered") {
		t.Errorf("click after answering opened %+v", views)
	}
}

func TestPulseConcurrentSubmissionsRecordOne(t *testing.T) {
	t.Parallel()
	h := setup(t)
	round := h.openRound(h.addTeam(), alice, bob)
	var wg sync.WaitGroup
	var mu sync.Mutex
	thanked := 0
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, body := h.interaction(pulseSubmission("V0RACE"+strconv.Itoa(i), bob, round.ID, goodAnswers, ""))
			if strings.Contains(body, `"response_action":"update"`) {
				mu.Lock()
				thanked++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if thanked != 1 || h.pooled(round.ID) != 1 {
		t.Fatalf("%d thanked, %d pooled; want 1 and 1", thanked, h.pooled(round.ID))
	}
}

func TestPulseClosedRoundIsRefusedKindly(t *testing.T) {
	t.Parallel()
	h := setup(t)
	round := h.openRound(h.addTeam(), alice, bob)
	h.closeRound(round)

	h.clickPulse(alice, round.ID)
	views := h.slack.ViewsOpened()
	if len(views) != 1 || views[0].CallbackID == "pulse_modal" {
		t.Fatalf("click on a closed round opened %+v", views)
	}
	if note := string(views[0].Blocks); !strings.Contains(note, "closed on") || !strings.Contains(note, "nothing was recorded") ||
		!strings.Contains(note, "(America/Denver)") {
		t.Errorf("closed-round note: %s", note)
	}
	// A modal opened before the close and submitted after it.
	_, body := h.interaction(pulseSubmission("V0LATE", alice, round.ID, goodAnswers, "late"))
	resp := viewAnswer(t, body)
	if resp.ResponseAction != slack.RAErrors || !strings.Contains(resp.Errors["q_energy"], "closed on") {
		t.Errorf("late submission: %s", body)
	}
	if n := h.count(`SELECT count(*) FROM pulse_responses WHERE round_id = $1`, round.ID) +
		h.count(`SELECT count(*) FROM pulse_recipients WHERE round_id = $1 AND answered`, round.ID); n != 0 {
		t.Fatalf("a closed round recorded %d rows", n)
	}
}

func TestPulseOldOrForeignButtonsExplain(t *testing.T) {
	t.Parallel()
	h := setup(t)
	round := h.openRound(h.addTeam(), alice, bob)
	h.clickPulse(carol, round.ID) // Carol was not asked
	h.clickPulse(alice, 999999)   // a round that no longer exists
	views := h.slack.ViewsOpened()
	if len(views) != 2 {
		t.Fatalf("opened %d views, want 2 notes", len(views))
	}
	if !strings.Contains(string(views[0].Blocks), "wasn't sent to you") || !strings.Contains(string(views[1].Blocks), "no longer exists") {
		t.Errorf("notes: %s / %s", views[0].Blocks, views[1].Blocks)
	}
	_, body := h.interaction(pulseSubmission("V0CAROL", carol, round.ID, goodAnswers, ""))
	if resp := viewAnswer(t, body); resp.ResponseAction != slack.RAErrors || !strings.Contains(resp.Errors["q_energy"], "wasn't sent to you") {
		t.Errorf("submission by someone not asked: %s", body)
	}
	// A submission missing an answer stays open with the question marked.
	_, body = h.interaction(pulseSubmission("V0PART", alice, round.ID, pulseAnswers{"energy": "3"}, ""))
	if resp := viewAnswer(t, body); resp.ResponseAction != slack.RAErrors || resp.Errors["q_workload"] == "" {
		t.Errorf("incomplete submission: %s", body)
	}
	if n := h.pooled(round.ID); n != 0 {
		t.Fatalf("refused submissions pooled %d answers", n)
	}
}

func TestPulseOptOutAndBackIn(t *testing.T) {
	t.Parallel()
	h := setup(t)
	steps := []struct{ text, want string }{
		{"pulse", "You're getting Hearth's weekly wellness pulses"},
		{"pulse off", "won't send you wellness pulses"},
		{"pulse", "You've opted out"},
		{"pulse off", "won't send you wellness pulses"},
		{"pulse on", "Welcome back"},
		{"pulse", "You're getting"},
	}
	for i, s := range steps {
		_, text := h.command(alice, "/hearth", s.text)
		if !strings.Contains(text, s.want) {
			t.Errorf("/hearth %s → %q, want %q", s.text, text, s.want)
		}
		if i == 1 {
			out, err := h.store.OptedOut(context.Background(), []string{alice, bob})
			if err != nil {
				t.Fatal(err)
			}
			if !out[alice] || out[bob] {
				t.Errorf("opt-outs after /hearth pulse off = %v", out)
			}
		}
	}
	if n := h.count(`SELECT count(*) FROM pulse_optouts`); n != 0 {
		t.Errorf("opt-outs after opting back in = %d", n)
	}
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
