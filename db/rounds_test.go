package db_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
)

var testQuestions = []db.RoundQuestion{
	{Key: "energy", Theme: "wellness", Text: "I have energy", Scale: "agree5", Min: 1, Max: 5, HigherIsBetter: true},
	{Key: "workload", Theme: "workload", Text: "My workload is fair", Scale: "agree5", Min: 1, Max: 5, HigherIsBetter: true},
	{Key: "enps", Theme: "enps", Text: "Recommend?", Scale: "enps11", Min: 0, Max: 10, HigherIsBetter: true},
}

func addTeam(t *testing.T, store *db.DB, channel string) db.Team {
	t.Helper()
	team, err := store.AddTeam(context.Background(), db.NewTeam{
		ChannelID: channel, SummaryChannelID: "CSUMMARY", Schedule: "CRON_TZ=America/Denver 0 10 * * FRI",
	})
	if err != nil {
		t.Fatal(err)
	}
	return team
}

func openRound(t *testing.T, store *db.DB, team db.Team, slot time.Time, people ...string) (db.Round, bool) {
	t.Helper()
	var r db.Round
	var created bool
	err := store.WithTx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		r, created, err = db.OpenRound(context.Background(), tx, db.NewRound{
			TeamID: team.ID, ScheduledFor: slot, Now: slot, OpenFor: team.OpenFor(), RemindAfter: team.RemindAfter(),
			Recipients: people, Questions: func(int) []db.RoundQuestion { return testQuestions },
		})
		return err
	})
	if err != nil {
		t.Fatalf("open round: %v", err)
	}
	return r, created
}

func closeRound(t *testing.T, store *db.DB, id int64, now time.Time) (db.Round, bool) {
	t.Helper()
	var r db.Round
	var closed bool
	err := store.WithTx(context.Background(), func(tx *sqlx.Tx) error {
		var err error
		r, closed, err = db.CloseRound(context.Background(), tx, id, now)
		return err
	})
	if err != nil {
		t.Fatalf("close round: %v", err)
	}
	return r, closed
}

func people(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%04d", i)
	}
	return ids
}

func TestResponseTablesCannotIdentifyAPerson(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	// Every column of every table that holds answers or comments, read from
	// the live schema: none may identify a person or carry a time.
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
		Type   string `db:"data_type"`
	}
	err := store.Select(&cols, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name IN ('pulse_responses', 'pulse_comments', 'pulse_pool')
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"pulse_responses.id": true, "pulse_responses.round_id": true, "pulse_responses.answers": true,
		"pulse_comments.id": true, "pulse_comments.round_id": true, "pulse_comments.body": true,
		"pulse_pool.round_id": true, "pulse_pool.slot": true, "pulse_pool.answers": true, "pulse_pool.comments": true,
	}
	if len(cols) != len(allowed) {
		t.Errorf("answer tables have %d columns, want exactly %d", len(cols), len(allowed))
	}
	for _, c := range cols {
		name := c.Table + "." + c.Column
		if !allowed[name] || strings.Contains(c.Column, "user") || strings.Contains(c.Type, "time") || strings.Contains(c.Type, "date") {
			t.Errorf("column %s (%s) could identify a person or a moment", name, c.Type)
		}
	}
	// Ids are random uuids, not a sequence that orders submissions.
	var defaults []string
	if err := store.Select(&defaults, `SELECT column_default FROM information_schema.columns
		WHERE table_name IN ('pulse_responses', 'pulse_comments') AND column_name = 'id'`); err != nil {
		t.Fatal(err)
	}
	for _, d := range defaults {
		if d != "gen_random_uuid()" {
			t.Errorf("response id default %q, want gen_random_uuid()", d)
		}
	}
	// The participation table holds no answer.
	var participation []string
	if err := store.Select(&participation, `SELECT column_name FROM information_schema.columns WHERE table_name = 'pulse_recipients'`); err != nil {
		t.Fatal(err)
	}
	for _, c := range participation {
		if strings.Contains(c, "answer") && c != "answered" || strings.Contains(c, "comment") || strings.Contains(c, "value") {
			t.Errorf("participation column %q looks like it holds an answer", c)
		}
	}
}

func TestRoundOpensOncePerSlot(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	team := addTeam(t, store, "CTEAM")
	slot := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, c := openRound(t, store, team, slot, people(6)...)
			mu.Lock()
			defer mu.Unlock()
			if c {
				created++
			}
		}()
	}
	wg.Wait()
	if created != 1 {
		t.Fatalf("%d openings created a round, want 1", created)
	}
	// Another slot while the first is open is refused until it closes.
	err := store.WithTx(context.Background(), func(tx *sqlx.Tx) error {
		_, _, err := db.OpenRound(context.Background(), tx, db.NewRound{TeamID: team.ID, ScheduledFor: slot.Add(time.Hour), Now: slot,
			OpenFor: time.Hour, Recipients: people(6), Questions: func(int) []db.RoundQuestion { return testQuestions }})
		return err
	})
	if !errors.Is(err, db.ErrRoundOpen) {
		t.Fatalf("second open round: %v, want ErrRoundOpen", err)
	}
}

func TestAnswersAreOncePerPersonAndShuffledAtClose(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	team := addTeam(t, store, "CTEAM")
	now := time.Now()
	round, _ := openRound(t, store, team, now, people(40)...)

	// Two simultaneous submissions by one person record one response.
	var wg sync.WaitGroup
	results := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- store.SubmitAnswers(ctx, round.ID, "U0000", map[string]int{"energy": 4, "workload": 2, "enps": 9}, "first", now)
		}()
	}
	wg.Wait()
	close(results)
	ok, dup := 0, 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, db.ErrAlreadyAnswered):
			dup++
		default:
			t.Errorf("submit: %v", err)
		}
	}
	if ok != 1 || dup != 3 {
		t.Fatalf("accepted %d, refused %d; want 1 and 3", ok, dup)
	}
	// The rest answer in order; answers encode who answered, to test linkage.
	for i := 1; i < 40; i++ {
		err := store.SubmitAnswers(ctx, round.ID, fmt.Sprintf("U%04d", i), map[string]int{"energy": 1 + i%5, "workload": 3, "enps": i % 11},
			fmt.Sprintf("comment %02d", i), now)
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		user    string
		answers map[string]int
		want    error
	}{
		{"UOUTSIDER", map[string]int{"energy": 1, "workload": 1, "enps": 1}, db.ErrNotRecipient},
		{"U0001", map[string]int{"energy": 5, "workload": 1, "enps": 1}, db.ErrAlreadyAnswered},
	} {
		if err := store.SubmitAnswers(ctx, round.ID, c.user, c.answers, "", now); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.user, err, c.want)
		}
	}

	closed, first := closeRound(t, store, round.ID, now)
	_, again := closeRound(t, store, round.ID, now)
	if !first || again || !closed.ClosedAt.Valid {
		t.Fatalf("close: first=%v again=%v", first, again)
	}
	if err := store.SubmitAnswers(ctx, round.ID, "U0039", map[string]int{"energy": 1, "workload": 1, "enps": 1}, "", now); !errors.Is(err, db.ErrRoundClosed) {
		t.Errorf("submit after close: %v, want ErrRoundClosed", err)
	}
	var pooled int
	if err := store.Get(&pooled, `SELECT count(*) FROM pulse_pool WHERE round_id = $1`, round.ID); err != nil || pooled != 0 {
		t.Fatalf("pool rows left after close: %d (%v)", pooled, err)
	}

	// Physical order of the stored comments must not follow submission order.
	var comments []string
	if err := store.Select(&comments, `SELECT body FROM pulse_comments WHERE round_id = $1 ORDER BY ctid`, round.ID); err != nil {
		t.Fatal(err)
	}
	if len(comments) != 40 {
		t.Fatalf("comments = %d, want 40", len(comments))
	}
	if sort.StringsAreSorted(comments[1:]) && sort.StringsAreSorted(comments) {
		t.Errorf("comments are stored in submission order: %v", comments)
	}
	var responses int
	if err := store.Get(&responses, `SELECT count(*) FROM pulse_responses WHERE round_id = $1`, round.ID); err != nil || responses != 40 {
		t.Fatalf("responses = %d (%v), want 40", responses, err)
	}
	// All responses of a round were written by one transaction: no xmin can
	// tie one of them to a participation row.
	var xmins int
	if err := store.Get(&xmins, `SELECT count(DISTINCT xmin::text) FROM pulse_responses WHERE round_id = $1`, round.ID); err != nil || xmins != 1 {
		t.Fatalf("responses carry %d distinct transaction ids (%v), want 1", xmins, err)
	}
}

func TestSubmitAnswersValidates(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	team := addTeam(t, store, "CTEAM")
	now := time.Now()
	round, _ := openRound(t, store, team, now, people(5)...)
	for _, answers := range []map[string]int{
		{"energy": 4, "workload": 2},             // missing one
		{"energy": 6, "workload": 2, "enps": 3},  // off the scale
		{"energy": 4, "workload": 2, "enps": 11}, // off the eNPS scale
		{"energy": 4, "workload": 2, "other": 3}, // unknown key
	} {
		if err := store.SubmitAnswers(context.Background(), round.ID, "U0000", answers, "", now); !errors.Is(err, db.ErrInvalidAnswers) {
			t.Errorf("%v: %v, want ErrInvalidAnswers", answers, err)
		}
	}
	// Nothing was recorded, so the person can still answer.
	if err := store.SubmitAnswers(context.Background(), round.ID, "U0000", map[string]int{"energy": 4, "workload": 2, "enps": 0}, "", now); err != nil {
		t.Fatal(err)
	}
	// After closes_at the round refuses even before the close job runs.
	if err := store.SubmitAnswers(context.Background(), round.ID, "U0001", map[string]int{"energy": 4, "workload": 2, "enps": 0}, "", round.ClosesAt); !errors.Is(err, db.ErrRoundClosed) {
		t.Errorf("after closes_at: %v", err)
	}
}

func TestTeamValidation(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	base := db.NewTeam{ChannelID: "CTEAM", SummaryChannelID: "CMGR", Schedule: "0 10 * * FRI"}
	cases := []struct {
		name string
		edit func(*db.NewTeam)
		want string
	}{
		{"k below 3", func(n *db.NewTeam) { n.MinGroup = 2 }, "at least 3"},
		{"k above 10", func(n *db.NewTeam) { n.MinGroup = 11 }, "at most 10"},
		{"too many questions", func(n *db.NewTeam) { n.QuestionsPer = 6 }, "3, 4 or 5"},
		{"reminder after close", func(n *db.NewTeam) { n.OpenFor = 24 * time.Hour; n.RemindAfter = 30 * time.Hour }, "shorter than open-for"},
		{"same channels", func(n *db.NewTeam) { n.SummaryChannelID = n.ChannelID }, "must differ"},
	}
	for _, c := range cases {
		n := base
		c.edit(&n)
		if _, err := store.AddTeam(ctx, n); !errors.Is(err, db.ErrTeamInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	team, err := store.AddTeam(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if team.MinGroup != 5 || team.QuestionsPer != 4 || team.OpenFor() != 72*time.Hour || team.RemindAfter() != 48*time.Hour {
		t.Errorf("defaults: %+v", team)
	}
	if _, err := store.AddTeam(ctx, base); !errors.Is(err, db.ErrConflict) {
		t.Errorf("duplicate team: %v", err)
	}
	off := base
	off.ChannelID, off.RemindAfter = "COFF", -1
	if team, err := store.AddTeam(ctx, off); err != nil || team.RemindAfter() != 0 {
		t.Errorf("reminder off: %+v %v", team, err)
	}
}

func TestPostSlotsAreSharedAndHonourHolds(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var slots []time.Time
	for range 3 {
		s, _, err := store.ReservePostSlotWithin(ctx, "chat.postMessage", 100*time.Millisecond, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		slots = append(slots, s)
	}
	for i, s := range slots {
		if want := now.Add(time.Duration(i) * 100 * time.Millisecond); !s.Equal(want) {
			t.Errorf("slot %d = %s, want %s", i, s, want)
		}
	}
	if err := store.HoldPosts(ctx, "chat.postMessage", now.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	s, _, err := store.ReservePostSlotWithin(ctx, "chat.postMessage", 100*time.Millisecond, now, time.Hour)
	if err != nil || !s.Equal(now.Add(5*time.Second)) {
		t.Errorf("slot after a hold = %s (%v), want %s", s, err, now.Add(5*time.Second))
	}
}
