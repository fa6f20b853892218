package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSummaryPostedOnceWithChartAndNoNumbersBelowK(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	team := h.addTeam()
	people := []string{"U1", "U2", "U3", "U4", "U5", "U6"}
	round := h.openRound(team, people...)
	answer := map[string]int{"energy": 4, "workload": 3, "recommend": 8}
	for _, id := range people[:4] {
		if err := h.store.SubmitAnswers(ctx, round.ID, id, answer, "a comment", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.closeRound(round)
	round, _ = h.store.Round(ctx, round.ID)
	for range 2 { // a retried job posts nothing new
		if err := h.bot.PostRoundSummary(ctx, team, round); err != nil {
			t.Fatal(err)
		}
	}
	msgs := h.messagesIn(mgrsCh)
	if len(msgs) != 1 {
		t.Fatalf("summary posted %d times, want once", len(msgs))
	}
	posted := unescapeJSON(msgs[0].Blocks)
	if !strings.Contains(posted, "Not enough responses to protect anonymity") || strings.Contains(posted, "4 of") ||
		strings.Contains(posted, "out of 5") || strings.Contains(posted, "a comment") {
		t.Fatalf("summary below k shows numbers or comments: %s", posted)
	}
	if len(msgs[0].Files) != 1 {
		t.Fatalf("summary message shares %d files, want the trend chart", len(msgs[0].Files))
	}
	files := h.slack.Files()
	if len(files) != 1 || !strings.HasPrefix(string(files[0].Bytes), "\x89PNG") {
		t.Fatalf("chart upload: %+v", files)
	}
}

func TestSummaryAtKMatchesTheAnswers(t *testing.T) {
	t.Parallel()
	h := setup(t)
	ctx := context.Background()
	team := h.addTeam()
	people := []string{"U1", "U2", "U3", "U4", "U5", "U6"}
	round := h.openRound(team, people...)
	for i, id := range people[:5] {
		answer := map[string]int{"energy": []int{5, 4, 4, 3, 2}[i], "workload": 3, "recommend": 8}
		if err := h.store.SubmitAnswers(ctx, round.ID, id, answer, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	h.closeRound(round)
	round, _ = h.store.Round(ctx, round.ID)
	if err := h.bot.PostRoundSummary(ctx, team, round); err != nil {
		t.Fatal(err)
	}
	msgs := h.messagesIn(mgrsCh)
	if len(msgs) != 1 {
		t.Fatalf("%d summaries", len(msgs))
	}
	var blocks []map[string]any
	if err := json.Unmarshal(msgs[0].Blocks, &blocks); err != nil || len(blocks) > 50 {
		t.Fatalf("blocks: %d %v", len(blocks), err)
	}
	posted := unescapeJSON(msgs[0].Blocks)
	for _, want := range []string{"5 of 6 people answered (83%)", "3.6 (likely between", "60% agree"} {
		if !strings.Contains(posted, want) {
			t.Errorf("summary lacks %q: %s", want, posted)
		}
	}
	// Managers can read it again privately; others cannot.
	_, text := h.command(alice, "/hearth", "results <#"+team.ChannelID+">")
	if !strings.Contains(text, "go to its managers") {
		t.Errorf("non-manager results: %q", text)
	}
	if _, text := h.command(admin, "/hearth", "results"); !strings.Contains(text, "5 of 6 answered") {
		t.Errorf("manager results: %q", text)
	}
	// The manager's App Home shows the team's latest summary in brief.
	if err := h.bot.PublishHome(ctx, admin); err != nil {
		t.Fatal(err)
	}
	home, _ := h.slack.Published(admin)
	if blocks := unescapeJSON(home.Blocks); !strings.Contains(blocks, "Your teams' pulse") || !strings.Contains(blocks, "5 of 6 people answered") {
		t.Errorf("manager home: %s", blocks)
	}
	if err := h.bot.PublishHome(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if home, _ := h.slack.Published(alice); strings.Contains(string(home.Blocks), "Your teams") {
		t.Errorf("a team member's home shows the managers' summary")
	}
}
