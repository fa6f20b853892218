package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/questionbank"
	"github.com/hearth-oss/hearth/db/schedule"
)

// A round's life, as jobs:
//
//	pulse_tick (every minute, on the leader)
//	  └─ round_open {team, slot}       unique per team and slot
//	       ├─ closes the team's previous round if still open → round_summary
//	       ├─ pulse_dm {round, person}  one per recipient (see the delivery worker)
//	       ├─ round_remind {round}      at remind_at, if the team reminds
//	       └─ round_close {round}       at closes_at
//	round_remind → pulse_dm {round, person, reminder} for delivered non-responders
//	round_close  → round_summary {round}, in the transaction that closed it
//
// Every step is idempotent and each enqueues the next in the transaction
// that records its own effect, so a crash, a retry or a second replica never
// doubles a round, a DM or a summary. Logs carry ids and counts, never who
// answered or what.

// openRoundTimeout bounds listing a channel's members and opening the
// round. It stays below RescueStuckJobsAfter so a slow open is not rescued
// (and run twice) while it is still working.
const openRoundTimeout = RescueStuckJobsAfter - 20*time.Second

// pulseTickArgs looks for rounds to open and overdue rounds to close.
type pulseTickArgs struct{}

func (pulseTickArgs) Kind() string { return "pulse_tick" }

func (pulseTickArgs) InsertOpts() river.InsertOpts {
	// The next tick comes within a minute: a failed one need not retry long.
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// everyMinute fires at the start of each minute, when cron slots fall.
type everyMinute struct{}

func (everyMinute) Next(t time.Time) time.Time { return t.Truncate(time.Minute).Add(time.Minute) }

// pulseTickJob is the periodic job that drives round openings. River runs
// periodic jobs on the elected leader only; RunOnStart catches up at once
// after a restart.
func pulseTickJob() *river.PeriodicJob {
	return river.NewPeriodicJob(everyMinute{},
		func() (river.JobArgs, *river.InsertOpts) { return pulseTickArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// addRoundWorkers registers the round lifecycle's workers and takes the
// round settings from cfg.
func (r *Runner) addRoundWorkers(cfg Config, workers *river.Workers) {
	r.questions = cfg.Questions
	if r.questions == nil {
		r.questions = questionbank.Default()
	}
	r.now = cfg.Now
	if r.now == nil {
		r.now = time.Now
	}
	river.AddWorker(workers, &pulseTickWorker{r: r})
	river.AddWorker(workers, &openRoundWorker{r: r})
	river.AddWorker(workers, &remindRoundWorker{r: r})
	river.AddWorker(workers, &closeRoundWorker{r: r})
	river.AddWorker(workers, &summarizeRoundWorker{r: r})
}

type pulseTickWorker struct {
	river.WorkerDefaults[pulseTickArgs]
	r *Runner
}

func (w *pulseTickWorker) Work(ctx context.Context, _ *river.Job[pulseTickArgs]) error {
	return w.r.tick(ctx)
}

// tickUniqueStates keeps a slot whose opening was cancelled (nobody to ask,
// channel gone) from being retried every minute: River keeps cancelled jobs
// for a day, after which the tick tries that slot once more.
var tickUniqueStates = append(rivertype.UniqueOptsByStateDefault(), rivertype.JobStateCancelled)

// tick enqueues the opening of every team's due round — on time, or late
// after downtime while the round would still be open — and the closing of
// overdue rounds, a safety net for a lost close job. It is safe to run on
// several replicas at once.
func (r *Runner) tick(ctx context.Context) error {
	now := r.now()
	teams, err := r.store.Teams(ctx)
	if err != nil {
		return err
	}
	var params []river.InsertManyParams
	for _, team := range teams {
		slot, due, err := r.dueSlot(ctx, team, now)
		if err != nil {
			return err
		}
		if due {
			params = append(params, river.InsertManyParams{
				Args:       openRoundArgs{TeamID: team.ID, Slot: slot},
				InsertOpts: &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: tickUniqueStates}},
			})
		}
	}
	overdue, err := r.store.OverdueRounds(ctx, now)
	if err != nil {
		return err
	}
	for _, round := range overdue {
		params = append(params, river.InsertManyParams{Args: closeRoundArgs{RoundID: round.ID}})
	}
	if len(params) == 0 {
		return nil
	}
	res, err := r.client.InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("pulse tick: %w", err)
	}
	for i, p := range params {
		if res[i].UniqueSkippedAsDuplicate {
			continue
		}
		switch a := p.Args.(type) {
		case openRoundArgs:
			r.log.Info("round due: opening", "team_id", a.TeamID, "slot", a.Slot)
		case closeRoundArgs:
			r.log.Warn("round overdue: closing", "round_id", a.RoundID)
		}
	}
	return nil
}

// dueSlot returns the schedule slot whose round should be open now but has
// not been opened: the latest slot within the team's open-for window, not
// before the team existed, with no round for it (or for a later time) yet.
func (r *Runner) dueSlot(ctx context.Context, team db.Team, now time.Time) (time.Time, bool, error) {
	if team.Paused {
		return time.Time{}, false, nil
	}
	sched, err := schedule.Parse(team.Schedule)
	if err != nil {
		r.log.Warn("team schedule is not valid: no rounds open until it is fixed", "team_id", team.ID, "error", err)
		return time.Time{}, false, nil
	}
	slot, ok := schedule.LatestSlot(sched, now, team.OpenFor())
	if !ok || slot.Before(team.CreatedAt) {
		return time.Time{}, false, nil
	}
	latest, err := r.store.LatestRoundOf(ctx, team.ID)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return time.Time{}, false, err
	case !latest.ScheduledFor.Before(slot):
		return time.Time{}, false, nil
	}
	return slot.UTC(), true, nil
}

type openRoundWorker struct {
	river.WorkerDefaults[openRoundArgs]
	r *Runner
}

func (w *openRoundWorker) Timeout(*river.Job[openRoundArgs]) time.Duration { return openRoundTimeout }

func (w *openRoundWorker) Work(ctx context.Context, job *river.Job[openRoundArgs]) error {
	return w.r.openRound(ctx, job.Args)
}

// openRound opens a team's round for a slot: the member channel's human
// members who have not opted out are asked, the round's questions come
// from the bank's rotation, and the DMs, the reminder and the close are
// enqueued in the transaction that creates the round. A round still open
// from before is closed first.
func (r *Runner) openRound(ctx context.Context, args openRoundArgs) error {
	log := r.log.With("job", openRoundArgs{}.Kind(), "team_id", args.TeamID)
	team, err := r.store.Team(ctx, args.TeamID)
	if errors.Is(err, db.ErrNotFound) {
		log.Info("team was removed: no round to open")
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	now := r.now()
	if !args.Manual {
		if team.Paused {
			log.Info("team is paused: its scheduled round is skipped")
			return nil
		}
		if !now.Before(args.Slot.Add(team.OpenFor())) {
			log.Info("too late to open the round for this slot", "slot", args.Slot)
			return nil
		}
	}
	latest, err := r.store.LatestRoundOf(ctx, team.ID)
	switch {
	case errors.Is(err, db.ErrNotFound):
	case err != nil:
		return err
	case latest.ScheduledFor.Equal(args.Slot):
		return nil // opened already, by an earlier attempt or another replica
	case !args.Manual && latest.ScheduledFor.After(args.Slot):
		log.Info("a later round superseded this slot", "slot", args.Slot, "round_id", latest.ID)
		return nil
	}

	members, err := r.messenger.HumanMembers(ctx, team.ChannelID)
	if err != nil {
		err = fmt.Errorf("members of the team's channel: %w", err)
		if permanent(err) {
			log.Warn("cannot read the team's channel: round not opened", "error", err)
		}
		return outcome(err)
	}
	recipients, err := r.withoutOptOuts(ctx, members)
	if err != nil {
		return err
	}
	if len(recipients) == 0 {
		log.Warn("nobody to ask: round not opened", "members", len(members))
		return river.JobCancel(db.ErrNoRecipients)
	}

	var round, closed db.Round
	var created bool
	err = r.store.WithTx(ctx, func(tx *sqlx.Tx) error {
		if prev, err := r.store.OpenRoundOf(ctx, team.ID); err == nil && !prev.ScheduledFor.Equal(args.Slot) {
			c, closedNow, err := db.CloseRound(ctx, tx, prev.ID, now)
			if err != nil {
				return err
			}
			if closedNow {
				closed = c
				if _, err := r.client.InsertTx(ctx, tx.Tx, summarizeRoundArgs{RoundID: c.ID}, nil); err != nil {
					return fmt.Errorf("enqueue summary: %w", err)
				}
			}
		} else if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		round, created, err = db.OpenRound(ctx, tx, db.NewRound{
			TeamID:       team.ID,
			ScheduledFor: args.Slot,
			Now:          now,
			OpenFor:      team.OpenFor(),
			RemindAfter:  team.RemindAfter(),
			Recipients:   recipients,
			Questions: func(number int) []db.RoundQuestion {
				return roundQuestions(r.questions.ForRound(team.ChannelID, number, team.QuestionsPer))
			},
		})
		if err != nil || !created {
			return err
		}
		params := make([]river.InsertManyParams, 0, len(recipients)+2)
		for _, id := range recipients {
			params = append(params, river.InsertManyParams{Args: pulseDMArgs{RoundID: round.ID, UserID: id, DMKind: db.DMPulse}})
		}
		if round.RemindAt.Valid {
			params = append(params, river.InsertManyParams{Args: remindRoundArgs{RoundID: round.ID},
				InsertOpts: &river.InsertOpts{ScheduledAt: round.RemindAt.Time}})
		}
		params = append(params, river.InsertManyParams{Args: closeRoundArgs{RoundID: round.ID},
			InsertOpts: &river.InsertOpts{ScheduledAt: round.ClosesAt}})
		if _, err := r.client.InsertManyTx(ctx, tx.Tx, params); err != nil {
			return fmt.Errorf("enqueue the round's DMs: %w", err)
		}
		return nil
	})
	if errors.Is(err, db.ErrNoRecipients) {
		log.Warn("nobody to ask: round not opened", "members", len(members))
		return river.JobCancel(err)
	}
	if err != nil {
		return fmt.Errorf("open round: %w", err)
	}
	if closed.ID != 0 {
		log.Info("closed the team's previous round to open the next", "round_id", closed.ID)
	}
	if created {
		log.Info("round opened", "round_id", round.ID, "number", round.Number, "recipients", len(recipients),
			"manual", args.Manual, "closes_at", round.ClosesAt)
	}
	return nil
}

// withoutOptOuts drops, from a channel's members, those who opted out of
// pulses (and any duplicate), keeping the order.
func (r *Runner) withoutOptOuts(ctx context.Context, members []string) ([]string, error) {
	out, err := r.store.OptedOut(ctx, members)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(members))
	recipients := make([]string, 0, len(members))
	for _, id := range members {
		if !out[id] && !seen[id] {
			seen[id] = true
			recipients = append(recipients, id)
		}
	}
	return recipients, nil
}

// roundQuestions records the bank's questions as they are asked in a round.
func roundQuestions(qs []questionbank.Question) []db.RoundQuestion {
	out := make([]db.RoundQuestion, 0, len(qs))
	for _, q := range qs {
		out = append(out, db.RoundQuestion{
			Key:              q.Key,
			Theme:            q.Theme,
			Text:             q.Text,
			Scale:            string(q.Scale),
			Min:              q.Scale.Min(),
			Max:              q.Scale.Max(),
			HigherIsBetter:   q.HigherIsBetter,
			MeaningfulChange: q.MeaningfulChange,
		})
	}
	return out
}

type remindRoundWorker struct {
	river.WorkerDefaults[remindRoundArgs]
	r *Runner
}

// Work enqueues the round's one reminder for each person whose DM went
// out, who has not answered and who has not opted out since.
func (w *remindRoundWorker) Work(ctx context.Context, job *river.Job[remindRoundArgs]) error {
	r := w.r
	log := r.log.With("job", remindRoundArgs{}.Kind(), "round_id", job.Args.RoundID)
	round, err := r.store.Round(ctx, job.Args.RoundID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // removed with its team
	}
	if err != nil {
		return err
	}
	if !round.Open(r.now()) {
		log.Info("round closed before its reminder")
		return nil
	}
	team, err := r.store.Team(ctx, round.TeamID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if team.RemindSeconds == nil {
		log.Info("the team turned reminders off: none sent", "team_id", team.ID)
		return nil
	}
	people, err := r.store.ToRemind(ctx, round.ID)
	if err != nil {
		return err
	}
	if len(people) > 0 {
		params := make([]river.InsertManyParams, 0, len(people))
		for _, id := range people {
			params = append(params, river.InsertManyParams{Args: pulseDMArgs{RoundID: round.ID, UserID: id, DMKind: db.DMReminder}})
		}
		if _, err := r.client.InsertMany(ctx, params); err != nil {
			return fmt.Errorf("enqueue reminders: %w", err)
		}
	}
	log.Info("reminders queued", "team_id", team.ID) // no count: it would tell how many had not answered
	return nil
}

type closeRoundWorker struct {
	river.WorkerDefaults[closeRoundArgs]
	r *Runner
}

// Work closes the round (once) and enqueues its summary in the same transaction.
func (w *closeRoundWorker) Work(ctx context.Context, job *river.Job[closeRoundArgs]) error {
	return w.r.closeRound(ctx, job.Args.RoundID)
}

func (r *Runner) closeRound(ctx context.Context, roundID int64) error {
	var round db.Round
	var closedNow bool
	err := r.store.WithTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		round, closedNow, err = db.CloseRound(ctx, tx, roundID, r.now())
		if err != nil || !closedNow {
			return err
		}
		if _, err := r.client.InsertTx(ctx, tx.Tx, summarizeRoundArgs{RoundID: roundID}, nil); err != nil {
			return fmt.Errorf("enqueue summary: %w", err)
		}
		return nil
	})
	if errors.Is(err, db.ErrNotFound) {
		return nil // removed with its team
	}
	if err != nil {
		return fmt.Errorf("close round: %w", err)
	}
	if closedNow {
		r.log.Info("round closed", "job", closeRoundArgs{}.Kind(), "round_id", round.ID, "team_id", round.TeamID)
	}
	return nil
}

type summarizeRoundWorker struct {
	river.WorkerDefaults[summarizeRoundArgs]
	r *Runner
}

// Work posts a closed round's summary to the team's summary channel.
func (w *summarizeRoundWorker) Work(ctx context.Context, job *river.Job[summarizeRoundArgs]) error {
	r := w.r
	round, err := r.store.Round(ctx, job.Args.RoundID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !round.ClosedAt.Valid {
		return river.JobCancel(fmt.Errorf("round %d is still open: summaries are posted only at close", round.ID))
	}
	team, err := r.store.Team(ctx, round.TeamID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return outcome(r.messenger.PostRoundSummary(ctx, team, round))
}

// EnqueueRoundOpen opens a round of the team now (a manual round), through
// the same job as a scheduled one; a round still open is closed first.
func (r *Runner) EnqueueRoundOpen(ctx context.Context, teamID int64) error {
	_, err := r.RequestRoundOpen(ctx, teamID)
	return err
}

// RequestRoundOpen is EnqueueRoundOpen returning the id of the River job
// that will do it, so a caller can follow it.
func (r *Runner) RequestRoundOpen(ctx context.Context, teamID int64) (int64, error) {
	res, err := r.client.Insert(ctx, openRoundArgs{TeamID: teamID, Slot: r.now().UTC().Truncate(time.Second), Manual: true}, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue round open: %w", err)
	}
	return res.Job.ID, nil
}

// EnqueueRoundClose closes a round now rather than at its closing time.
func (r *Runner) EnqueueRoundClose(ctx context.Context, roundID int64) error {
	_, err := r.RequestRoundClose(ctx, roundID)
	return err
}

// RequestRoundClose is EnqueueRoundClose returning the id of the River job
// that will do it. A round has one close job, scheduled at its closing
// time when it opened; closing early moves that job to now.
func (r *Runner) RequestRoundClose(ctx context.Context, roundID int64) (int64, error) {
	res, err := r.client.Insert(ctx, closeRoundArgs{RoundID: roundID}, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue round close: %w", err)
	}
	if res.UniqueSkippedAsDuplicate && (res.Job.State == rivertype.JobStateScheduled || res.Job.State == rivertype.JobStateRetryable) {
		if _, err := r.client.JobRetry(ctx, res.Job.ID); err != nil {
			return 0, fmt.Errorf("close round now: %w", err)
		}
	}
	return res.Job.ID, nil
}

// JobOutcome says how a job requested with RequestRoundOpen or
// RequestRoundClose ended: finished is true once it completed or River gave
// up on it (cancelled, or discarded after its last attempt), and failure
// then says why it gave up. It lets a command report what happened.
func (r *Runner) JobOutcome(ctx context.Context, jobID int64) (finished bool, failure string, err error) {
	job, err := r.client.JobGet(ctx, jobID)
	if err != nil {
		return false, "", fmt.Errorf("read job %d: %w", jobID, err)
	}
	switch job.State {
	case rivertype.JobStateCompleted:
		return true, "", nil
	case rivertype.JobStateCancelled, rivertype.JobStateDiscarded:
		if len(job.Errors) == 0 {
			return true, string(job.State), nil
		}
		return true, strings.TrimPrefix(job.Errors[len(job.Errors)-1].Error, "JobCancelError: "), nil
	}
	return false, "", nil
}
