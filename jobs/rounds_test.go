package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/hearth-oss/hearth/db/questionbank"
)

// roundClock is a settable clock: a fixed instant, or (after Follow) real
// time shifted by an offset.
type roundClock struct {
	mu     sync.Mutex
	at     time.Time
	follow bool
	offset time.Duration
}

func (c *roundClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.follow {
		return time.Now().Add(c.offset)
	}
	return c.at
}

func (c *roundClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.follow = t, false
}

// Follow makes the clock real time, shifted by offset.
func (c *roundClock) Follow(offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.follow, c.offset = true, offset
}

// roundMessenger is a fake Slack for the round lifecycle: channel members,
// DMs by person and round, and summaries posted.
type roundMessenger struct {
	mu        sync.Mutex
	members   map[string][]string
	dms       map[string]int // "round/user/kind" → posts
	summaries map[int64]int  // round → posts
	seq       int
}

func newRoundMessenger() *roundMessenger {
	return &roundMessenger{members: map[string][]string{}, dms: map[string]int{}, summaries: map[int64]int{}}
}

func (m *roundMessenger) setMembers(channel string, ids ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.members[channel] = ids
}

func (m *roundMessenger) dmCount(roundID int64, userID string, kind db.DMKind) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.dms[fmt.Sprintf("%d/%s/%s", roundID, userID, kind)]
}

func (m *roundMessenger) summaryCount(roundID int64) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.summaries[roundID]
}

func (m *roundMessenger) DeliverKudos(context.Context, int64) ([]string, error) { return nil, nil }
func (m *roundMessenger) RetractKudos(context.Context, int64) ([]string, error) { return nil, nil }
func (m *roundMessenger) PublishHome(context.Context, string) error             { return nil }
func (m *roundMessenger) PostEphemeral(context.Context, string, string, string) error {
	return nil
}

func (m *roundMessenger) HumanMembers(_ context.Context, channelID string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids, ok := m.members[channelID]
	if !ok {
		return nil, roundPermanentError{"channel_not_found"}
	}
	return slices.Clone(ids), nil
}

func (m *roundMessenger) DMChannel(_ context.Context, userID string) (string, error) {
	return "D" + userID, nil
}

func (m *roundMessenger) FindPulseDM(_ context.Context, channelID string, roundID int64, kind db.DMKind, _ time.Time) (string, string, error) {
	if m.dmCount(roundID, strings.TrimPrefix(channelID, "D"), kind) > 0 {
		return channelID, "1.000001", nil
	}
	return channelID, "", nil
}

func (m *roundMessenger) PostPulseDM(_ context.Context, channelID string, _ db.Team, round db.Round, kind db.DMKind) (string, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dms[fmt.Sprintf("%d/%s/%s", round.ID, strings.TrimPrefix(channelID, "D"), kind)]++
	m.seq++
	return channelID, fmt.Sprintf("%d.%06d", time.Now().Unix(), m.seq), nil
}

func (m *roundMessenger) MarkPulseAnswered(context.Context, db.Team, db.Round, db.Recipient) error {
	return nil
}

func (m *roundMessenger) PostRoundSummary(_ context.Context, _ db.Team, round db.Round) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.summaries[round.ID]++
	return nil
}

type roundPermanentError struct{ code string }

func (e roundPermanentError) Error() string   { return e.code }
func (e roundPermanentError) Permanent() bool { return true }

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// roundsBundle is what a round lifecycle test works with.
type roundsBundle struct {
	url   string
	store *db.DB
	clock *roundClock
	slack *roundMessenger
	logs  *syncBuffer
}

func setupRounds(t *testing.T) *roundsBundle {
	t.Helper()
	url := dbtest.NewURL(t)
	b := &roundsBundle{url: url, store: openRoundStore(t, url), clock: &roundClock{}, slack: newRoundMessenger(), logs: &syncBuffer{}}
	b.clock.Follow(0)
	return b
}

func openRoundStore(t *testing.T, url string) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// runner builds a runner on store (the bundle's when nil) wired to the
// fake Slack; it runs jobs only when started.
func (b *roundsBundle) runner(t *testing.T, store *db.DB, start bool) *Runner {
	t.Helper()
	if store == nil {
		store = b.store
	}
	var w io.Writer = b.logs
	if testing.Verbose() {
		w = io.MultiWriter(b.logs, roundTestWriter{t})
	}
	r, err := New(Config{
		Store:          store,
		Logger:         slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})),
		PollInterval:   20 * time.Millisecond,
		PostsPerMinute: 60_000,
		Now:            b.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	r.messenger = b.slack
	if start {
		ctx, cancel := context.WithCancel(context.Background())
		if err := r.Start(ctx, b.slack); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			_ = r.Stop(stopCtx)
			cancel()
		})
	}
	return r
}

type roundTestWriter struct{ t *testing.T }

func (w roundTestWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// addTeam adds a team whose members are people. It is created now, so
// its schedule's past slots do not open rounds (see backdate).
func (b *roundsBundle) addTeam(t *testing.T, channel, schedule string, remindAfter time.Duration, people ...string) db.Team {
	t.Helper()
	team, err := b.store.AddTeam(context.Background(), db.NewTeam{ChannelID: channel, SummaryChannelID: "CSUM" + channel[1:], Schedule: schedule, RemindAfter: remindAfter})
	if err != nil {
		t.Fatal(err)
	}
	b.slack.setMembers(channel, people...)
	return team
}

// backdate makes a team as old as created says.
func (b *roundsBundle) backdate(t *testing.T, team db.Team, created time.Time) {
	t.Helper()
	if _, err := b.store.ExecContext(context.Background(), `UPDATE teams SET created_at = $2 WHERE id = $1`, team.ID, created); err != nil {
		t.Fatal(err)
	}
}

// riverJob is a River job as the tests read it.
type riverJob struct {
	ID          int64
	State       string
	ScheduledAt time.Time
	Args        map[string]any
}

// jobsOfKind lists the River jobs of a kind, oldest first.
func jobsOfKind(t *testing.T, store *db.DB, kind string) []riverJob {
	t.Helper()
	rows, err := store.QueryContext(context.Background(), `SELECT id, state, scheduled_at, args FROM river_job WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []riverJob
	for rows.Next() {
		var j riverJob
		var args []byte
		if err := rows.Scan(&j.ID, &j.State, &j.ScheduledAt, &args); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(args, &j.Args); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dmJobs lists, sorted, the people with a pulse_dm job of kind for a round.
func dmJobs(t *testing.T, store *db.DB, roundID int64, kind db.DMKind) []string {
	t.Helper()
	var people []string
	for _, j := range jobsOfKind(t, store, pulseDMArgs{}.Kind()) {
		if int64(j.Args["round_id"].(float64)) == roundID && j.Args["kind"] == string(kind) {
			people = append(people, j.Args["user_id"].(string))
		}
	}
	slices.Sort(people)
	return people
}

func roundsOf(t *testing.T, store *db.DB, teamID int64) []db.Round {
	t.Helper()
	var ids []int64
	if err := store.SelectContext(context.Background(), &ids, `SELECT id FROM pulse_rounds WHERE team_id = $1 ORDER BY number`, teamID); err != nil {
		t.Fatal(err)
	}
	var out []db.Round
	for _, id := range ids {
		r, err := store.Round(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestTickOpensRoundOnceAcrossThreeRunners starts three runners on one
// database — River elects one leader to run the periodic tick — and also
// runs every runner's tick at once, as a leader handover can. One round
// opens, with one DM job and one DM per person.
func TestTickOpensRoundOnceAcrossThreeRunners(t *testing.T) {
	t.Parallel()
	b := setupRounds(t)
	ctx := context.Background()
	now := time.Now().UTC()
	b.clock.Set(now)
	// Due a minute ago, in UTC.
	slot := now.Truncate(time.Minute).Add(-time.Minute)
	people := []string{"UANA", "UBEN", "UCAT", "UDEV", "UEVE"}
	team := b.addTeam(t, "CNURSES", fmt.Sprintf("%d %d * * *", slot.Minute(), slot.Hour()), 0, people...)
	b.backdate(t, team, slot.Add(-time.Hour))

	var runners []*Runner
	for range 3 {
		runners = append(runners, b.runner(t, openRoundStore(t, b.url), true))
	}
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.tick(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	dbtest.Await(t, 20*time.Second, "the round and its DMs", func() (bool, error) {
		rs := roundsOf(t, b.store, team.ID)
		if len(rs) == 0 {
			return false, nil
		}
		for _, p := range people {
			if b.slack.dmCount(rs[0].ID, p, db.DMPulse) == 0 {
				return false, nil
			}
		}
		return true, nil
	})
	for _, r := range runners { // and once more, after the round opened
		if err := r.tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rs := roundsOf(t, b.store, team.ID)
	if len(rs) != 1 {
		t.Fatalf("%d rounds, want 1", len(rs))
	}
	round := rs[0]
	if !round.ScheduledFor.Equal(slot) || round.Number != 1 || round.MemberCount != len(people) {
		t.Errorf("round: scheduled for %s (want %s), number %d, %d members", round.ScheduledFor, slot, round.Number, round.MemberCount)
	}
	if got := jobsOfKind(t, b.store, openRoundArgs{}.Kind()); len(got) != 1 {
		t.Errorf("%d round_open jobs, want 1", len(got))
	}
	if got := dmJobs(t, b.store, round.ID, db.DMPulse); !slices.Equal(got, people) {
		t.Errorf("DM jobs for %v, want one each for %v", got, people)
	}
	for _, p := range people {
		if n := b.slack.dmCount(round.ID, p, db.DMPulse); n != 1 {
			t.Errorf("%s got %d DMs, want 1", p, n)
		}
	}
	closes := jobsOfKind(t, b.store, closeRoundArgs{}.Kind())
	if len(closes) != 1 || !closes[0].ScheduledAt.Equal(round.ClosesAt) {
		t.Errorf("close jobs %+v, want one at %s", closes, round.ClosesAt)
	}
	reminds := jobsOfKind(t, b.store, remindRoundArgs{}.Kind())
	if len(reminds) != 1 || !round.RemindAt.Valid || !reminds[0].ScheduledAt.Equal(round.RemindAt.Time) {
		t.Errorf("remind jobs %+v, want one at %v", reminds, round.RemindAt)
	}
}

// TestTickCatchesUpAfterDowntime: a slot missed while Hearth was down
// opens when it comes back, if the round would still be open.
func TestTickCatchesUpAfterDowntime(t *testing.T) {
	t.Parallel()
	friday := time.Date(2030, 3, 8, 10, 0, 0, 0, time.UTC) // a Friday
	cases := []struct {
		name    string
		now     time.Time
		created time.Time // zero: long ago
		paused  bool
		want    bool
	}{
		{"on time", friday.Add(30 * time.Second), time.Time{}, false, true},
		{"slot 2h ago, open for 72h", friday.Add(2 * time.Hour), time.Time{}, false, true},
		{"slot 71h ago", friday.Add(71 * time.Hour), time.Time{}, false, true},
		{"slot 4 days ago", friday.Add(4 * 24 * time.Hour), time.Time{}, false, false},
		{"before the slot", friday.Add(-time.Minute), time.Time{}, false, false},
		{"team added after the slot", friday.Add(2 * time.Hour), friday.Add(time.Hour), false, false},
		{"team paused", friday.Add(2 * time.Hour), time.Time{}, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setupRounds(t)
			ctx := context.Background()
			b.clock.Set(c.now)
			team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, "UANA", "UBEN")
			if !c.created.IsZero() {
				b.backdate(t, team, c.created)
			}
			if c.paused {
				if err := b.store.SetTeamPaused(ctx, team.ChannelID, true); err != nil {
					t.Fatal(err)
				}
			}
			r := b.runner(t, nil, false)
			if err := r.tick(ctx); err != nil {
				t.Fatal(err)
			}
			jobs := jobsOfKind(t, b.store, openRoundArgs{}.Kind())
			if !c.want {
				if len(jobs) != 0 {
					t.Fatalf("tick enqueued %v, want nothing", jobs)
				}
				return
			}
			if len(jobs) != 1 || jobs[0].Args["slot"] != friday.Format(time.RFC3339) {
				t.Fatalf("tick enqueued %v, want one opening for %s", jobs, friday)
			}
			if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: friday}); err != nil {
				t.Fatal(err)
			}
			round, err := b.store.OpenRoundOf(ctx, team.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !round.ScheduledFor.Equal(friday) || !round.OpenedAt.Equal(c.now) || !round.ClosesAt.Equal(c.now.Add(72*time.Hour)) {
				t.Errorf("round %+v", round)
			}
			// Later ticks see the round and leave it be.
			b.clock.Set(c.now.Add(time.Hour))
			if err := r.tick(ctx); err != nil {
				t.Fatal(err)
			}
			if jobs := jobsOfKind(t, b.store, openRoundArgs{}.Kind()); len(jobs) != 1 {
				t.Errorf("%d round_open jobs after a later tick, want 1", len(jobs))
			}
		})
	}
}

// TestOpenRoundSkipsStaleAndSupersededSlots: a scheduled opening that runs
// too late, or after a later round opened, opens nothing.
func TestOpenRoundSkipsStaleAndSupersededSlots(t *testing.T) {
	t.Parallel()
	b := setupRounds(t)
	ctx := context.Background()
	friday := time.Date(2030, 3, 8, 10, 0, 0, 0, time.UTC)
	team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, "UANA", "UBEN")
	r := b.runner(t, nil, false)

	b.clock.Set(friday.Add(72 * time.Hour))
	if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: friday}); err != nil {
		t.Fatal(err)
	}
	if rs := roundsOf(t, b.store, team.ID); len(rs) != 0 {
		t.Fatalf("a stale slot opened %d rounds", len(rs))
	}
	b.clock.Set(friday.Add(time.Hour))
	if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: friday.Add(30 * time.Minute), Manual: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: friday}); err != nil {
		t.Fatal(err)
	}
	if rs := roundsOf(t, b.store, team.ID); len(rs) != 1 || !rs[0].ScheduledFor.Equal(friday.Add(30*time.Minute)) {
		t.Fatalf("rounds %+v, want only the manual one", rs)
	}
}

// TestOpenRoundWithNobodyToAskIsCancelled: a channel whose members all
// opted out (or one Slack will not show) opens no round and does not retry.
func TestOpenRoundWithNobodyToAskIsCancelled(t *testing.T) {
	t.Parallel()
	b := setupRounds(t)
	ctx := context.Background()
	team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, "UANA", "UBEN")
	gone := b.addTeam(t, "CGONE", "0 10 * * FRI", 0)
	b.slack.mu.Lock()
	delete(b.slack.members, gone.ChannelID)
	b.slack.mu.Unlock()
	for _, p := range []string{"UANA", "UBEN"} {
		if err := b.store.SetOptOut(ctx, p, true); err != nil {
			t.Fatal(err)
		}
	}
	r := b.runner(t, nil, false)
	for _, id := range []int64{team.ID, gone.ID} {
		err := r.openRound(ctx, openRoundArgs{TeamID: id, Slot: b.clock.Now().Truncate(time.Second), Manual: true})
		var cancel *rivertype.JobCancelError
		if !errors.As(err, &cancel) {
			t.Errorf("team %d: %v, want the job cancelled", id, err)
		}
	}
	if !errors.Is(r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: b.clock.Now(), Manual: true}), db.ErrNoRecipients) {
		t.Error("the cancellation does not say why")
	}
	if rs := roundsOf(t, b.store, team.ID); len(rs) != 0 {
		t.Errorf("%d rounds opened", len(rs))
	}
}

// TestRoundQuestionsAreDeterministic: a team's questions for a round
// depend only on the bank, its channel and the round number — the same in
// two databases — and carry their scale's range.
func TestRoundQuestionsAreDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bank := questionbank.Default()
	var asked [2][]db.RoundQuestions
	for i := range asked {
		b := setupRounds(t)
		team := b.addTeam(t, "CSAME", "0 10 * * FRI", 0, "UANA", "UBEN")
		r := b.runner(t, nil, false)
		for n := range 3 {
			b.clock.Set(time.Date(2030, 3, 8+n, 10, 0, 0, 0, time.UTC))
			if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: b.clock.Now(), Manual: true}); err != nil {
				t.Fatal(err)
			}
		}
		for _, round := range roundsOf(t, b.store, team.ID) {
			want := roundQuestions(bank.ForRound("CSAME", round.Number, team.QuestionsPer))
			if !reflect.DeepEqual([]db.RoundQuestion(round.Questions), want) {
				t.Errorf("round %d asked %v, want %v", round.Number, round.Questions, want)
			}
			asked[i] = append(asked[i], round.Questions)
		}
	}
	if !reflect.DeepEqual(asked[0], asked[1]) {
		t.Error("the same team and rounds got different questions in two databases")
	}
	if reflect.DeepEqual(asked[0][0], asked[0][1]) {
		t.Error("consecutive rounds asked the same questions")
	}

	enps, _ := bank.ENPS()
	agree := bank.ForRound("CSAME", 1, 4)[0]
	got := roundQuestions([]questionbank.Question{enps, agree})
	if got[0].Scale != "enps11" || got[0].Min != 0 || got[0].Max != 10 {
		t.Errorf("eNPS recorded as %+v, want 0..10", got[0])
	}
	if got[1].Scale != "agree5" || got[1].Min != 1 || got[1].Max != 5 || got[1].Key != agree.Key || got[1].Text != agree.Text {
		t.Errorf("agreement question recorded as %+v, want 1..5", got[1])
	}
}

func TestRoundsAskFromTheConfiguredBank(t *testing.T) {
	t.Parallel()
	var src strings.Builder
	src.WriteString("questions:\n")
	for i := range 6 {
		fmt.Fprintf(&src, "  - key: own_%d\n    theme: wellness\n    text: Our own statement number %d.\n", i, i)
	}
	bank, err := questionbank.Load(strings.NewReader(src.String()), "own.yaml")
	if err != nil {
		t.Fatal(err)
	}
	b := setupRounds(t)
	ctx := context.Background()
	team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, "UANA")
	r, err := New(Config{Store: b.store, Questions: bank, Now: b.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r.messenger = b.slack
	if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: b.clock.Now(), Manual: true}); err != nil {
		t.Fatal(err)
	}
	round, err := b.store.OpenRoundOf(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range round.Questions {
		if !strings.HasPrefix(q.Key, "own_") {
			t.Errorf("asked %q, not from the configured bank", q.Key)
		}
	}
}

// TestRemindersGoOnlyToDeliveredNonResponders: the reminder goes to those
// whose DM went out, who have not answered and have not opted out — and to
// nobody when the team turned reminders off.
func TestRemindersGoOnlyToDeliveredNonResponders(t *testing.T) {
	t.Parallel()
	b := setupRounds(t)
	ctx := context.Background()
	people := []string{"UANSWERED", "UWAITING", "UOPTEDOUT", "UPENDING", "UFAILED", "USILENT"}
	team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, people...)
	r := b.runner(t, nil, false)
	if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: b.clock.Now().Truncate(time.Second), Manual: true}); err != nil {
		t.Fatal(err)
	}
	round, err := b.store.OpenRoundOf(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"UANSWERED", "UWAITING", "UOPTEDOUT", "USILENT"} {
		if err := b.store.RecordDM(ctx, round.ID, p, db.DMPulse, "D"+p, "1.1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.store.RecordDMFailed(ctx, round.ID, "UFAILED", "cannot_dm_bot"); err != nil {
		t.Fatal(err)
	}
	answers := map[string]int{}
	for _, q := range round.Questions {
		answers[q.Key] = q.Max
	}
	const secret = "comment-that-must-never-be-logged"
	if err := b.store.SubmitAnswers(ctx, round.ID, "UANSWERED", answers, secret, b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := b.store.SetOptOut(ctx, "UOPTEDOUT", true); err != nil {
		t.Fatal(err)
	}

	remind := &remindRoundWorker{r: r}
	for range 2 { // a retried reminder job queues nothing twice
		if err := remind.Work(ctx, &river.Job[remindRoundArgs]{JobRow: &rivertype.JobRow{}, Args: remindRoundArgs{RoundID: round.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := dmJobs(t, b.store, round.ID, db.DMReminder), []string{"USILENT", "UWAITING"}; !slices.Equal(got, want) {
		t.Errorf("reminders for %v, want %v", got, want)
	}

	// Reminders off: no reminder is scheduled at open, and a team that
	// turns them off after opening sends none.
	quiet := b.addTeam(t, "CQUIET", "0 10 * * FRI", -1, "UANA")
	if err := r.openRound(ctx, openRoundArgs{TeamID: quiet.ID, Slot: b.clock.Now().Truncate(time.Second), Manual: true}); err != nil {
		t.Fatal(err)
	}
	quietRound, err := b.store.OpenRoundOf(ctx, quiet.ID)
	if err != nil {
		t.Fatal(err)
	}
	if quietRound.RemindAt.Valid {
		t.Error("a team without reminders got a remind time")
	}
	for _, j := range jobsOfKind(t, b.store, remindRoundArgs{}.Kind()) {
		if int64(j.Args["round_id"].(float64)) == quietRound.ID {
			t.Error("a reminder was scheduled for a team without reminders")
		}
	}
	if _, err := b.store.UpdateTeam(ctx, db.NewTeam{ChannelID: team.ChannelID, SummaryChannelID: team.SummaryChannelID,
		Schedule: team.Schedule, RemindAfter: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'pulse_dm'`); err != nil {
		t.Fatal(err)
	}
	if err := remind.Work(ctx, &river.Job[remindRoundArgs]{JobRow: &rivertype.JobRow{}, Args: remindRoundArgs{RoundID: round.ID}}); err != nil {
		t.Fatal(err)
	}
	if got := dmJobs(t, b.store, round.ID, db.DMReminder); len(got) != 0 {
		t.Errorf("reminders turned off, yet queued for %v", got)
	}
	if strings.Contains(b.logs.String(), secret) {
		t.Error("a comment reached the logs")
	}
}

// TestCloseIsIdempotent: closing twice (or three times at once) closes the
// round once and enqueues one summary.
func TestCloseIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setupRounds(t)
	ctx := context.Background()
	team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, "UANA", "UBEN")
	r := b.runner(t, nil, false)
	if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: b.clock.Now().Truncate(time.Second), Manual: true}); err != nil {
		t.Fatal(err)
	}
	round, err := b.store.OpenRoundOf(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	closedAt := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	b.clock.Set(closedAt)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.closeRound(ctx, round.ID); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	b.clock.Set(closedAt.Add(time.Hour))
	if err := r.closeRound(ctx, round.ID); err != nil {
		t.Fatal(err)
	}
	got, err := b.store.Round(ctx, round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ClosedAt.Valid || !got.ClosedAt.Time.Equal(closedAt) {
		t.Errorf("closed at %v, want %s (the first close)", got.ClosedAt, closedAt)
	}
	if n := len(jobsOfKind(t, b.store, summarizeRoundArgs{}.Kind())); n != 1 {
		t.Errorf("%d summary jobs, want 1", n)
	}
	if strings.Count(b.logs.String(), `msg="round closed"`) != 1 {
		t.Errorf("want one 'round closed' log line:\n%s", b.logs)
	}
	if err := r.closeRound(ctx, 999999); err != nil {
		t.Errorf("closing a removed round: %v", err)
	}
}

// TestTickClosesOverdueRounds: a round whose close job was lost is closed
// by the tick's safety net.
func TestTickClosesOverdueRounds(t *testing.T) {
	t.Parallel()
	b := setupRounds(t)
	ctx := context.Background()
	team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, "UANA")
	r := b.runner(t, nil, false)
	if err := r.openRound(ctx, openRoundArgs{TeamID: team.ID, Slot: b.clock.Now().Truncate(time.Second), Manual: true}); err != nil {
		t.Fatal(err)
	}
	round, err := b.store.OpenRoundOf(ctx, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.ExecContext(ctx, `DELETE FROM river_job WHERE kind = 'round_close'`); err != nil {
		t.Fatal(err)
	}
	if err := r.tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(jobsOfKind(t, b.store, closeRoundArgs{}.Kind())); n != 0 {
		t.Fatalf("%d close jobs before the round is due to close", n)
	}
	b.clock.Set(round.ClosesAt.Add(time.Minute))
	if err := r.tick(ctx); err != nil {
		t.Fatal(err)
	}
	jobs := jobsOfKind(t, b.store, closeRoundArgs{}.Kind())
	if len(jobs) != 1 || int64(jobs[0].Args["round_id"].(float64)) != round.ID || jobs[0].State != string(rivertype.JobStateAvailable) {
		t.Errorf("close jobs %+v, want one available for round %d", jobs, round.ID)
	}
}

// TestManualOpenAndCloseThroughTheQueue drives rounds the way `hearth pulse
// open|close` and the bot do, on a running runner: a second open closes the
// first round (one summary), and closing early runs the round's close job
// now. Nothing logged carries an answer or a comment.
func TestManualOpenAndCloseThroughTheQueue(t *testing.T) {
	t.Parallel()
	b := setupRounds(t)
	ctx := context.Background()
	people := []string{"UANA", "UBEN", "UCAT"}
	team := b.addTeam(t, "CCARE", "0 10 * * FRI", 0, people...)
	r := b.runner(t, nil, true)

	openRound := func(number int) db.Round {
		t.Helper()
		if err := r.EnqueueRoundOpen(ctx, team.ID); err != nil {
			t.Fatal(err)
		}
		var round db.Round
		dbtest.Await(t, 20*time.Second, fmt.Sprintf("round %d and its DMs", number), func() (bool, error) {
			var err error
			round, err = b.store.OpenRoundOf(ctx, team.ID)
			if errors.Is(err, db.ErrNotFound) || (err == nil && round.Number != number) {
				return false, nil
			}
			for _, p := range people {
				if b.slack.dmCount(round.ID, p, db.DMPulse) != 1 {
					return false, nil
				}
			}
			return err == nil, err
		})
		return round
	}
	first := openRound(1)
	answers := map[string]int{}
	for _, q := range first.Questions {
		answers[q.Key] = q.Min
	}
	const secret = "the night shift is unsafe"
	if err := b.store.SubmitAnswers(ctx, first.ID, "UBEN", answers, secret, b.clock.Now()); err != nil {
		t.Fatal(err)
	}

	b.clock.Follow(time.Minute) // a later second: a new manual slot
	second := openRound(2)
	dbtest.Await(t, 20*time.Second, "the first round's summary", func() (bool, error) {
		return b.slack.summaryCount(first.ID) == 1, nil
	})
	if got, err := b.store.Round(ctx, first.ID); err != nil || !got.ClosedAt.Valid {
		t.Fatalf("first round not closed by the second opening: %+v %v", got, err)
	}

	if err := r.EnqueueRoundClose(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	dbtest.Await(t, 20*time.Second, "the second round closed and summarized", func() (bool, error) {
		got, err := b.store.Round(ctx, second.ID)
		return got.ClosedAt.Valid && b.slack.summaryCount(second.ID) == 1, err
	})
	if err := r.EnqueueRoundClose(ctx, second.ID); err != nil { // again: nothing more happens
		t.Fatal(err)
	}
	if n := len(jobsOfKind(t, b.store, closeRoundArgs{}.Kind())); n != 2 {
		t.Errorf("%d close jobs, want one per round", n)
	}
	for _, id := range []int64{first.ID, second.ID} {
		if n := b.slack.summaryCount(id); n != 1 {
			t.Errorf("round %d summarized %d times", id, n)
		}
	}
	logs := b.logs.String()
	if strings.Contains(logs, secret) {
		t.Errorf("logs carry a comment:\n%s", logs)
	}
}
