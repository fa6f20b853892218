package db_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
)

// answerRound opens a round for the given people, lets the first n answer
// (energy = values[i]), leaves `comments` comments, and closes it.
func answerRound(t *testing.T, store *db.DB, team db.Team, start time.Time, asked []string, values []int, comments int) db.Round {
	t.Helper()
	r, _ := openRound(t, store, team, start, asked...)
	for i, v := range values {
		comment := ""
		if i < comments {
			comment = fmt.Sprintf("comment %d", i)
		}
		if err := store.SubmitAnswers(context.Background(), r.ID, asked[i], map[string]int{"energy": v, "workload": 3, "enps": 10 - v}, comment, start); err != nil {
			t.Fatal(err)
		}
	}
	r, _ = closeRound(t, store, r.ID, start.Add(time.Hour))
	return r
}

func TestSummaryBelowKShowsNothing(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	team := addTeam(t, store, "CSMALL")
	start := time.Date(2026, 11, 6, 17, 0, 0, 0, time.UTC)
	r := answerRound(t, store, team, start, people(8), []int{5, 5, 4, 1}, 4)
	s, err := store.RoundSummary(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Enough || s.Respondents != 0 || len(s.Questions) != 0 || len(s.Comments) != 0 {
		t.Fatalf("below k leaked: enough=%v respondents=%d questions=%d comments=%d", s.Enough, s.Respondents, len(s.Questions), len(s.Comments))
	}
	if s.Members != 8 {
		t.Errorf("members = %d, want 8 (team size is not an answer)", s.Members)
	}
	// Asking again changes nothing.
	again, err := store.RoundSummary(context.Background(), r.ID)
	if err != nil || again.Enough {
		t.Fatalf("second look: %+v %v", again.Enough, err)
	}
}

func TestSummaryExactlyKAndStatistics(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	team := addTeam(t, store, "CTEAM")
	start := time.Date(2026, 11, 6, 17, 0, 0, 0, time.UTC)
	r := answerRound(t, store, team, start, people(8), []int{5, 4, 4, 3, 2}, 2)
	s, err := store.RoundSummary(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Enough || s.Respondents != 5 || s.Pooled() {
		t.Fatalf("summary at k: enough=%v respondents=%d pooled=%v", s.Enough, s.Respondents, s.Pooled())
	}
	if len(s.Comments) != 0 {
		t.Errorf("2 comments shown; need at least %d", db.MinComments)
	}
	energy := s.Questions[0]
	if energy.Question.Key != "energy" || energy.Suppressed {
		t.Fatalf("first question %+v", energy.Question)
	}
	// Mean of 5,4,4,3,2 is 3.6; distribution 1..5 is [0 1 1 2 1]; favourable (≥4) 3 of 5.
	if math.Abs(energy.Mean.Estimate-3.6) > 1e-9 {
		t.Errorf("mean = %v, want 3.6", energy.Mean.Estimate)
	}
	if fmt.Sprint(energy.Distribution) != "[0 1 1 2 1]" {
		t.Errorf("distribution = %v", energy.Distribution)
	}
	if math.Abs(energy.Favourable.Estimate-0.6) > 1e-9 {
		t.Errorf("favourable = %v, want 0.6", energy.Favourable.Estimate)
	}
	enps := s.Questions[2]
	// eNPS answers are 10 − energy: 5,6,6,7,8 → 0 promoters, 3 detractors (≤6) of 5 → −60.
	if enps.ENPS == nil || math.Abs(enps.ENPS.Score+60) > 1e-9 {
		t.Errorf("eNPS = %+v, want −60", enps.ENPS)
	}
	if s.LowParticipation {
		t.Errorf("5 of 8 (62.5%%) flagged as low participation")
	}
}

func TestSmallTeamPoolsRoundsWithoutOverlap(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	team := addTeam(t, store, "CSMALL")
	week := 7 * 24 * time.Hour
	start := time.Date(2026, 10, 2, 16, 0, 0, 0, time.UTC)
	asked := people(6)
	// Three people answer in round 1 and the other three in round 2: 6 distinct.
	r1 := answerRound(t, store, team, start, asked, []int{5, 4, 3}, 3)
	s1, err := store.RoundSummary(ctx, r1.ID)
	if err != nil || s1.Enough {
		t.Fatalf("round 1 alone: enough=%v err=%v", s1.Enough, err)
	}
	r2, _ := openRound(t, store, team, start.Add(week), asked...)
	for i, v := range []int{2, 2, 1} {
		if err := store.SubmitAnswers(ctx, r2.ID, asked[3+i], map[string]int{"energy": v, "workload": 3, "enps": 5}, "", start.Add(week)); err != nil {
			t.Fatal(err)
		}
	}
	r2, _ = closeRound(t, store, r2.ID, start.Add(week+time.Hour))
	s2, err := store.RoundSummary(ctx, r2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !s2.Enough || !s2.Pooled() || s2.Respondents != 6 || len(s2.Rounds) != 2 {
		t.Fatalf("pooled summary: enough=%v pooled=%v respondents=%d", s2.Enough, s2.Pooled(), s2.Respondents)
	}
	if got := s2.Questions[0].Mean.Estimate; math.Abs(got-17.0/6) > 1e-9 {
		t.Errorf("pooled mean = %v, want 17/6", got)
	}
	if len(s2.Comments) != 3 {
		t.Errorf("pooled comments = %d, want 3", len(s2.Comments))
	}
	// Round 3 with the same three as round 1 answering: it cannot reuse
	// rounds 1–2 (already published), so it stays below k.
	r3 := answerRound(t, store, team, start.Add(2*week), asked, []int{5, 5, 5}, 0)
	s3, err := store.RoundSummary(ctx, r3.ID)
	if err != nil || s3.Enough {
		t.Fatalf("round 3 reused published rounds: enough=%v err=%v", s3.Enough, err)
	}
	// And the same people answering again never count twice towards k.
	r4 := answerRound(t, store, team, start.Add(3*week), asked, []int{5, 5}, 0)
	s4, err := store.RoundSummary(ctx, r4.ID)
	if err != nil || s4.Enough {
		t.Fatalf("3 + 2 answers by 3 distinct people reached k: enough=%v err=%v", s4.Enough, err)
	}
	// Round 1's summary asked again now says nothing new.
	if again, err := store.RoundSummary(ctx, r1.ID); err != nil || again.Enough {
		t.Fatalf("round 1 again: %v %v", again.Enough, err)
	}
}

func TestSummaryChangeAndComments(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	team := addTeam(t, store, "CTEAM")
	start := time.Date(2026, 10, 2, 16, 0, 0, 0, time.UTC)
	r1 := answerRound(t, store, team, start, people(10), []int{2, 2, 2, 2, 2, 2}, 0)
	if _, err := store.RoundSummary(ctx, r1.ID); err != nil {
		t.Fatal(err)
	}
	r2 := answerRound(t, store, team, start.Add(7*24*time.Hour), people(10), []int{5, 5, 5, 5, 4, 5}, 3)
	s, err := store.RoundSummary(ctx, r2.ID)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Questions[0].Change
	if c == nil || math.Abs(c.Difference-(29.0/6-2)) > 1e-9 || c.Verdict.String() == "" {
		t.Fatalf("change = %+v", c)
	}
	if len(s.Comments) != 3 {
		t.Errorf("comments = %d, want 3", len(s.Comments))
	}
}

func TestTeamTrendShowsOnlyPublishedPeriods(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	team := addTeam(t, store, "CTEAM")
	start := time.Date(2026, 10, 2, 16, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	r1 := answerRound(t, store, team, start, people(8), []int{5, 5, 4, 4, 2}, 0)  // 5 answered
	r2 := answerRound(t, store, team, start.Add(week), people(8), []int{5, 5}, 0) // 2 answered
	for _, r := range []db.Round{r1, r2} {
		if _, err := store.RoundSummary(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	points, err := store.TeamTrend(ctx, team.ID, 12)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 2 || points[0].Missing || !points[1].Missing {
		t.Fatalf("points = %+v", points)
	}
	// energy (wellness) favourable 4 of 5; workload answers are 3: not favourable → 4 of 10.
	if !points[0].Shown[0] || math.Abs(points[0].Favourable[0].Estimate-0.4) > 1e-9 {
		t.Errorf("wellbeing = %+v", points[0].Favourable[0])
	}
	if points[1].Favourable != nil {
		t.Errorf("a missing point carries numbers: %+v", points[1])
	}
}
