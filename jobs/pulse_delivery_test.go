package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot/slacktest"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
	"github.com/hearth-oss/hearth/jobs"
)

// fanout is one team's round against the fake Slack: real Postgres, real
// River runners, and slackPulses standing in for package bot.
type fanout struct {
	t      testing.TB
	store  *db.DB
	slack  *slacktest.Server
	team   db.Team
	round  db.Round
	people []string
	// logs, when set, receives the runners' logs at debug level.
	logs io.Writer
}

// newFanout opens a round for n people (U00001…) who all exist in the fake
// workspace; extra people are added to the round as given.
func newFanout(t testing.TB, n int, extra ...slacktest.User) *fanout {
	t.Helper()
	f := &fanout{t: t, store: dbtest.New(t), slack: slacktest.New(t)}
	for i := range n {
		id := fmt.Sprintf("U%05d", i+1)
		f.slack.AddUser(slacktest.User{ID: id, Name: strings.ToLower(id)})
		f.people = append(f.people, id)
	}
	for _, u := range extra {
		f.slack.AddUser(u)
		f.people = append(f.people, u.ID)
	}
	ctx := context.Background()
	var err error
	f.team, err = f.store.AddTeam(ctx, db.NewTeam{ChannelID: "CTEAM", SummaryChannelID: "CLEADS", Schedule: "CRON_TZ=America/Denver 0 10 * * FRI"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = f.store.WithTx(ctx, func(tx *sqlx.Tx) error {
		f.round, _, err = db.OpenRound(ctx, tx, db.NewRound{
			TeamID: f.team.ID, ScheduledFor: now, Now: now, OpenFor: f.team.OpenFor(), RemindAfter: f.team.RemindAfter(),
			Recipients: f.people,
			Questions: func(int) []db.RoundQuestion {
				return []db.RoundQuestion{{Key: "energy", Theme: "wellness", Text: "I have had energy for my work this week", Scale: "agree5", Min: 1, Max: 5, HigherIsBetter: true}}
			},
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// runner starts a job runner (one "replica") delivering through a fresh
// slackPulses, until the test ends.
func (f *fanout) runner(postsPerMinute int) (*jobs.Runner, *slackPulses) {
	f.t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	switch {
	case f.logs != nil:
		log = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	case testing.Verbose():
		log = slog.New(slog.NewTextHandler(testLog{f.t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	r, err := jobs.New(jobs.Config{Store: f.store, Logger: log, PollInterval: 20 * time.Millisecond, PostsPerMinute: postsPerMinute})
	if err != nil {
		f.t.Fatal(err)
	}
	m := newSlackPulses(f.slack)
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx, m); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = r.Stop(stopCtx)
		cancel()
	})
	return r, m
}

func (f *fanout) enqueue(r *jobs.Runner, kind db.DMKind, people []string) {
	f.t.Helper()
	if err := jobs.EnqueuePulseDMs(context.Background(), r, f.round.ID, kind, people); err != nil {
		f.t.Fatal(err)
	}
}

// dms counts the DMs of kind for the round that reached each person.
func (f *fanout) dms(kind db.DMKind) map[string]int {
	n := map[string]int{}
	for _, m := range f.slack.Messages() {
		if m.User != "" && m.Metadata.EventType == eventType(kind) && payloadRound(m.Metadata.EventPayload) == f.round.ID {
			n[m.User]++
		}
	}
	return n
}

// awaitDMs waits until want people got their DM of kind in Slack and the
// round's bookkeeping agrees: every one of them recorded.
func (f *fanout) awaitDMs(kind db.DMKind, want int, timeout time.Duration) {
	f.t.Helper()
	f.slack.Await(f.t, timeout, fmt.Sprintf("%d %s DMs", want, kind), func() bool { return len(f.dms(kind)) >= want })
	dbtest.Await(f.t, timeout, "DMs recorded", func() (bool, error) {
		if kind == db.DMReminder {
			// Counted here only: a count of reminders would tell how many had
			// not answered, so no store method returns it.
			var reminded int
			err := f.store.GetContext(context.Background(), &reminded,
				`SELECT count(*) FROM pulse_recipients WHERE round_id = $1 AND remind_ts <> ''`, f.round.ID)
			return reminded >= want, err
		}
		c, err := f.store.RoundDeliveryCounts(context.Background(), f.round.ID)
		return c.Sent >= want, err
	})
}

// awaitJobs waits until the round's pulse DM jobs have settled into the
// given states (River records outcomes in batches, a moment after the
// work is done), and returns the highest attempt number among them.
func (f *fanout) awaitJobs(r *jobs.Runner, want map[rivertype.JobState]int) int {
	f.t.Helper()
	var states map[rivertype.JobState]int
	var maxAttempt int
	dbtest.Await(f.t, 20*time.Second, fmt.Sprintf("jobs %v", want), func() (bool, error) {
		states, maxAttempt = f.jobStates(r)
		for s, n := range want {
			if states[s] != n {
				return false, nil
			}
		}
		return true, nil
	})
	return maxAttempt
}

// exactlyOnce fails unless each of people got exactly one DM of kind, and
// nobody else got one.
func (f *fanout) exactlyOnce(kind db.DMKind, people []string) {
	f.t.Helper()
	got := f.dms(kind)
	var dup, missing []string
	for _, p := range people {
		switch got[p] {
		case 1:
		case 0:
			missing = append(missing, p)
		default:
			dup = append(dup, fmt.Sprintf("%s×%d", p, got[p]))
		}
	}
	extra := len(got) - (len(people) - len(missing))
	if len(dup) > 0 || len(missing) > 0 || extra != 0 {
		f.t.Fatalf("%s DMs: duplicates %v, missing %v, %d unexpected people", kind, dup, missing, extra)
	}
}

// jobStates counts the round's pulse DM jobs by state, and the highest
// attempt number among them.
func (f *fanout) jobStates(r *jobs.Runner) (map[rivertype.JobState]int, int) {
	f.t.Helper()
	states := map[rivertype.JobState]int{}
	maxAttempt := 0
	params := river.NewJobListParams().Kinds("pulse_dm").First(10000).States(
		rivertype.JobStateAvailable, rivertype.JobStateCancelled, rivertype.JobStateCompleted, rivertype.JobStateDiscarded,
		rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled)
	res, err := r.Client().JobList(context.Background(), params)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, j := range res.Jobs {
		states[j.State]++
		maxAttempt = max(maxAttempt, j.Attempt)
	}
	return states, maxAttempt
}

type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func TestPulseDMsReachEveryoneOnce(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 30)
	r, m := f.runner(6000)
	f.enqueue(r, db.DMPulse, f.people)
	f.enqueue(r, db.DMPulse, f.people) // a second open job, a replica: unique jobs
	f.awaitDMs(db.DMPulse, 30, 20*time.Second)
	f.exactlyOnce(db.DMPulse, f.people)
	if n := f.slack.Calls("conversations.history"); n != 0 {
		t.Errorf("%d history lookups on a clean run, want 0", n)
	}
	// Each person's DM channel was opened once, then cached.
	if n := f.slack.Calls("conversations.open"); n != 30 {
		t.Errorf("conversations.open called %d times, want 30", n)
	}
	// The recorded channel and ts are the DM's, for the "thank you" update.
	rec, err := f.store.Recipient(context.Background(), f.round.ID, f.people[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.slack.MessageAt(rec.DMChannelID, rec.DMTS); !ok {
		t.Errorf("recorded DM %s/%s not found in Slack", rec.DMChannelID, rec.DMTS)
	}
	_ = m
}

func TestPulseDMsAreEvenlyPaced(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 16)
	const perMinute = 600 // one every 100ms
	// Slack's limit here is 25% above Hearth's pace: paced right, no 429.
	f.slack.SetRateLimit("chat.postMessage", 12.5)
	r, m := f.runner(perMinute)
	start := time.Now()
	f.enqueue(r, db.DMPulse, f.people)
	f.awaitDMs(db.DMPulse, 16, 20*time.Second)
	f.exactlyOnce(db.DMPulse, f.people)
	if n := f.slack.Rejected("chat.postMessage"); n != 0 {
		t.Errorf("%d posts refused with 429; the pace should keep under the limit", n)
	}
	calls := m.postTimes()
	span := calls[len(calls)-1].Sub(calls[0])
	if floor := 15 * 100 * time.Millisecond; span < floor*9/10 {
		t.Errorf("16 posts spanned %v, want about %v (one per 100ms)", span, floor)
	}
	t.Logf("16 DMs in %v at %d/min", time.Since(start).Round(time.Millisecond), perMinute)
}

func TestPulseDMsRideOutA429Storm(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 40)
	// Hearth paces at 100/s, but Slack allows 20/s (in bursts of 20):
	// every 429 holds all posts back for Retry-After, and the job is
	// snoozed, not failed.
	f.slack.SetRateLimitBurst("chat.postMessage", 20, 20)
	f.slack.FailNext("chat.postMessage", 3, slacktest.Failure{Status: 429, RetryAfter: 2})
	r, m := f.runner(6000)
	f.enqueue(r, db.DMPulse, f.people)
	f.awaitDMs(db.DMPulse, 40, 60*time.Second)
	f.exactlyOnce(db.DMPulse, f.people)

	rejected := f.slack.Rejected("chat.postMessage")
	if rejected < 3 {
		t.Fatalf("only %d 429s; the storm did not happen", rejected)
	}
	// After the first 429 (Retry-After 2s) no post was even tried until
	// the hold was over, by any worker.
	first := m.first429()
	for _, at := range m.postTimes() {
		if at.After(first.Add(50*time.Millisecond)) && at.Before(first.Add(1900*time.Millisecond)) {
			t.Fatalf("a post was tried %v after a 429 that said wait 2s", at.Sub(first))
		}
	}
	// A 429 marks nothing as possibly posted: no history lookups.
	if n := f.slack.Calls("conversations.history"); n != 0 {
		t.Errorf("%d history lookups after 429s, want 0", n)
	}
	// Snoozes are not attempts: every job completed at its first attempt.
	if maxAttempt := f.awaitJobs(r, map[rivertype.JobState]int{rivertype.JobStateCompleted: 40}); maxAttempt != 1 {
		t.Errorf("highest attempt %d; want every job done at attempt 1", maxAttempt)
	}
	t.Logf("%d posts refused with 429 on the way", rejected)
}

func TestPulseDMsRetry5xxWithoutDoubling(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 12)
	// A 5xx leaves Slack's side unknown: the retry looks before posting.
	f.slack.FailNext("chat.postMessage", 3, slacktest.Failure{Status: 503})
	f.slack.FailNext("conversations.open", 2, slacktest.Failure{Status: 500})
	r, _ := f.runner(6000)
	f.enqueue(r, db.DMPulse, f.people)
	f.awaitDMs(db.DMPulse, 12, 60*time.Second)
	f.exactlyOnce(db.DMPulse, f.people)
	if n := f.slack.Calls("conversations.history"); n != 3 {
		t.Errorf("%d history lookups, want 3 (one per 5xx post)", n)
	}
	f.awaitJobs(r, map[rivertype.JobState]int{rivertype.JobStateCompleted: 12})
}

func TestPulseDMsPermanentErrorsAreRecordedNotRetried(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 5,
		slacktest.User{ID: "UGONE", Name: "gone", Deleted: true}, // conversations.open: user_disabled
	)
	f.slack.FailNext("chat.postMessage", 1, slacktest.Failure{Error: "cannot_dm_bot"})
	r, _ := f.runner(6000)
	f.enqueue(r, db.DMPulse, f.people)
	dbtest.Await(t, 20*time.Second, "every DM settled", func() (bool, error) {
		c, err := f.store.RoundDeliveryCounts(context.Background(), f.round.ID)
		return c.Pending == 0, err
	})
	c, err := f.store.RoundDeliveryCounts(context.Background(), f.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Sent != 4 || c.Failed != 2 {
		t.Fatalf("counts %+v, want 4 sent and 2 failed", c)
	}
	gone, err := f.store.Recipient(context.Background(), f.round.ID, "UGONE")
	if err != nil {
		t.Fatal(err)
	}
	if gone.Delivery != db.DeliveryFailed || !strings.Contains(gone.Failure, "user_disabled") {
		t.Errorf("deactivated person: %+v", gone)
	}
	f.awaitJobs(r, map[rivertype.JobState]int{rivertype.JobStateCancelled: 2, rivertype.JobStateCompleted: 4})
	// Not retried: one post refused (cannot_dm_bot), five accepted in all.
	if n := f.slack.Calls("chat.postMessage"); n != 5 {
		t.Errorf("chat.postMessage called %d times, want 5", n)
	}
}

func TestPulseDMPostedButNotRecordedIsFoundNotReposted(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 6)
	ctx := context.Background()
	lost, unrecorded := f.people[1], f.people[4]
	// U00002: Slack posts the DM but its answer is lost (a timeout, or the
	// process dies right after): the job fails after posting.
	// U00005: the DM goes out but recording it fails in the database.
	if _, err := f.store.ExecContext(ctx, `
		CREATE SEQUENCE fail_once;
		CREATE FUNCTION fail_record() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.user_id = '`+unrecorded+`' AND NEW.dm_ts <> '' AND nextval('fail_once') = 1 THEN
				RAISE EXCEPTION 'simulated failure while recording the DM';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER fail_record BEFORE UPDATE ON pulse_recipients FOR EACH ROW EXECUTE FUNCTION fail_record();`); err != nil {
		t.Fatal(err)
	}
	r, m := f.runner(6000)
	m.loseAnswerOnce(lost)
	f.enqueue(r, db.DMPulse, f.people)
	f.awaitDMs(db.DMPulse, 6, 60*time.Second)
	f.exactlyOnce(db.DMPulse, f.people)
	if n := f.slack.Calls("conversations.history"); n != 2 {
		t.Errorf("%d history lookups, want 2 (one per unrecorded DM)", n)
	}
	for _, p := range []string{lost, unrecorded} {
		rec, err := f.store.Recipient(ctx, f.round.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		if msg, ok := f.slack.MessageAt(rec.DMChannelID, rec.DMTS); !ok || msg.User != p {
			t.Errorf("%s: recorded %s/%s is not their DM", p, rec.DMChannelID, rec.DMTS)
		}
	}
}

func TestThreeReplicasDeliverOneDMPerPerson(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 90)
	// A workspace limit the three replicas must share, plus a few 5xx.
	f.slack.SetRateLimitBurst("chat.postMessage", 60, 3)
	f.slack.FailNext("chat.postMessage", 4, slacktest.Failure{Status: 502})
	var runners []*jobs.Runner
	for range 3 {
		r, _ := f.runner(3000) // 50/s, shared
		runners = append(runners, r)
	}
	// Each replica enqueues the round's DMs, as if each opened it.
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Go(func() { f.enqueue(r, db.DMPulse, f.people) })
	}
	wg.Wait()
	f.awaitDMs(db.DMPulse, 90, 60*time.Second)
	f.exactlyOnce(db.DMPulse, f.people)
	t.Logf("%d posts refused with 429 across three replicas", f.slack.Rejected("chat.postMessage")-4)
}

func TestRemindersOnlyForThoseWhoHaveNotAnswered(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 5)
	ctx := context.Background()
	r, _ := f.runner(6000)
	f.enqueue(r, db.DMPulse, f.people[:4]) // U00005's DM never goes out
	f.awaitDMs(db.DMPulse, 4, 20*time.Second)

	answered, optedOut := f.people[0], f.people[1]
	if err := f.store.SubmitAnswers(ctx, f.round.ID, answered, map[string]int{"energy": 4}, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetOptOut(ctx, optedOut, true); err != nil {
		t.Fatal(err)
	}
	f.enqueue(r, db.DMReminder, f.people)
	f.enqueue(r, db.DMReminder, f.people) // and again: still one each
	f.awaitDMs(db.DMReminder, 2, 20*time.Second)
	f.awaitJobs(r, map[rivertype.JobState]int{rivertype.JobStateCompleted: 9})
	f.exactlyOnce(db.DMReminder, f.people[2:4])
	f.exactlyOnce(db.DMPulse, f.people[:4])
}

func TestNoDMsForAClosedRound(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 3)
	ctx := context.Background()
	if err := f.store.WithTx(ctx, func(tx *sqlx.Tx) error {
		_, _, err := db.CloseRound(ctx, tx, f.round.ID, time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r, _ := f.runner(6000)
	f.enqueue(r, db.DMPulse, f.people)
	f.awaitJobs(r, map[rivertype.JobState]int{rivertype.JobStateCompleted: 3})
	if n := f.slack.Calls("chat.postMessage"); n != 0 {
		t.Errorf("%d posts for a closed round", n)
	}
}

func TestPulseAnsweredUpdatesTheDM(t *testing.T) {
	t.Parallel()
	f := newFanout(t, 2)
	var logs lockedBuffer
	f.logs = &logs
	ctx := context.Background()
	r, _ := f.runner(6000)
	f.enqueue(r, db.DMPulse, f.people)
	f.awaitDMs(db.DMPulse, 2, 20*time.Second)
	rec, err := f.store.Recipient(ctx, f.round.ID, f.people[0])
	if err != nil {
		t.Fatal(err)
	}
	f.slack.FailNext("chat.update", 1, slacktest.Failure{Status: 429, RetryAfter: 1})
	if err := r.EnqueuePulseAnswered(ctx, f.round.ID, f.people[0]); err != nil {
		t.Fatal(err)
	}
	f.slack.Await(t, 20*time.Second, "the DM thanked", func() bool {
		msg, ok := f.slack.MessageAt(rec.DMChannelID, rec.DMTS)
		return ok && msg.Edited
	})
	if n := len(f.slack.Updates()); n != 1 {
		t.Errorf("%d updates, want 1", n)
	}
	// Who answered is nobody's business, logs included.
	f.awaitJobs(r, map[rivertype.JobState]int{rivertype.JobStateCompleted: 2})
	if strings.Contains(logs.String(), f.people[0]) {
		t.Errorf("a log names who answered:\n%s", logs.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// slackPulses is a minimal jobs.Messenger over the fake Slack with the
// same contract as package bot's: errors carry RetryAfter() and
// Permanent(), DMs are tagged with message metadata.
type slackPulses struct {
	api *slack.Client

	mu       sync.Mutex
	channels map[string]string // user -> D…
	users    map[string]string // D… -> user
	lose     map[string]bool   // users whose next post's answer is lost
	posts    []time.Time       // when each chat.postMessage was tried
	got429   []time.Time
}

func newSlackPulses(fake *slacktest.Server) *slackPulses {
	return &slackPulses{
		api:      slack.New(fake.BotToken(), slack.OptionAPIURL(fake.APIURL())),
		channels: map[string]string{},
		users:    map[string]string{},
		lose:     map[string]bool{},
	}
}

func (m *slackPulses) loseAnswerOnce(userID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lose[userID] = true
}

func (m *slackPulses) postTimes() []time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.posts)
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

func (m *slackPulses) first429() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.MinFunc(m.got429, func(a, b time.Time) int { return a.Compare(b) })
}

func eventType(kind db.DMKind) string {
	if kind == db.DMReminder {
		return "hearth_pulse_reminder"
	}
	return "hearth_pulse"
}

func payloadRound(p map[string]any) int64 {
	v, _ := p["round_id"].(float64)
	return int64(v)
}

func (m *slackPulses) DMChannel(ctx context.Context, userID string) (string, error) {
	m.mu.Lock()
	ch, ok := m.channels[userID]
	m.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, _, _, err := m.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
	if err != nil {
		return "", classify("open DM", err)
	}
	m.mu.Lock()
	m.channels[userID], m.users[c.ID] = c.ID, userID
	m.mu.Unlock()
	return c.ID, nil
}

func (m *slackPulses) FindPulseDM(ctx context.Context, channelID string, roundID int64, kind db.DMKind, since time.Time) (string, string, error) {
	params := &slack.GetConversationHistoryParameters{
		ChannelID: channelID, Oldest: fmt.Sprintf("%d.%06d", since.Unix(), since.Nanosecond()/1000),
		Limit: 100, IncludeAllMetadata: true,
	}
	for {
		resp, err := m.api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			return "", "", classify("read DM history", err)
		}
		for _, msg := range resp.Messages {
			if msg.Metadata.EventType == eventType(kind) && payloadRound(msg.Metadata.EventPayload) == roundID {
				return channelID, msg.Timestamp, nil
			}
		}
		if !resp.HasMore {
			return channelID, "", nil
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
}

func (m *slackPulses) PostPulseDM(ctx context.Context, channelID string, _ db.Team, round db.Round, kind db.DMKind) (string, string, error) {
	m.mu.Lock()
	m.posts = append(m.posts, time.Now())
	m.mu.Unlock()
	_, ts, err := m.api.PostMessageContext(ctx, channelID,
		slack.MsgOptionText("Your weekly pulse: a minute, anonymous.", false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: eventType(kind), EventPayload: map[string]any{"round_id": round.ID}}))
	if err != nil {
		err = classify("post pulse DM", err)
		if retryAfter := (interface{ RetryAfter() time.Duration })(nil); errors.As(err, &retryAfter) && retryAfter.RetryAfter() > 0 {
			m.mu.Lock()
			m.got429 = append(m.got429, time.Now())
			m.mu.Unlock()
		}
		return "", "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if user := m.users[channelID]; m.lose[user] {
		delete(m.lose, user)
		return "", "", classify("post pulse DM", context.DeadlineExceeded)
	}
	return channelID, ts, nil
}

func (m *slackPulses) MarkPulseAnswered(ctx context.Context, _ db.Team, _ db.Round, rec db.Recipient) error {
	_, _, _, err := m.api.UpdateMessageContext(ctx, rec.DMChannelID, rec.DMTS, slack.MsgOptionText("Thank you: your answers are in.", false))
	return classify("thank for answering", err)
}

func (m *slackPulses) HumanMembers(context.Context, string) ([]string, error) {
	return nil, errors.New("not used in delivery tests")
}

func (m *slackPulses) PostRoundSummary(context.Context, db.Team, db.Round) error {
	return errors.New("not used in delivery tests")
}

func (m *slackPulses) DeliverKudos(context.Context, int64) ([]string, error) {
	return nil, errors.New("not used in delivery tests")
}

func (m *slackPulses) RetractKudos(context.Context, int64) ([]string, error) {
	return nil, errors.New("not used in delivery tests")
}

func (m *slackPulses) PublishHome(context.Context, string) error { return nil }

func (m *slackPulses) PostEphemeral(context.Context, string, string, string) error { return nil }

// slackError classifies a Slack error as package bot does.
type slackError struct {
	err        error
	retryAfter time.Duration
	permanent  bool
}

func (e *slackError) Error() string             { return e.err.Error() }
func (e *slackError) Unwrap() error             { return e.err }
func (e *slackError) RetryAfter() time.Duration { return e.retryAfter }
func (e *slackError) Permanent() bool           { return e.permanent }

func classify(what string, err error) error {
	if err == nil {
		return nil
	}
	e := &slackError{err: fmt.Errorf("%s: %w", what, err)}
	var rate *slack.RateLimitedError
	var resp slack.SlackErrorResponse
	switch {
	case errors.As(err, &rate):
		e.retryAfter = max(rate.RetryAfter, time.Second)
	case errors.As(err, &resp):
		e.permanent = slices.Contains([]string{"channel_not_found", "user_not_found", "cannot_dm_bot", "user_disabled", "is_archived", "account_inactive"}, resp.Err)
	}
	return e
}
