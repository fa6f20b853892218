package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/hearth-oss/hearth/db"
)

// Delivering a pulse DM exactly once.
//
// Each person's pulse DM (and, later, their reminder) is its own River job
// in the pulse_dm queue, unique by its arguments. The job:
//
//  1. skips what is no longer wanted: already sent, round closed, opted
//     out, and for a reminder also answered;
//  2. gets the person's DM channel (cached by the messenger);
//  3. marks the DM attempted, reading the row as it was: a mark already
//     there means an earlier run may have posted — and then been killed,
//     or lost Slack's answer — before recording. Only then does it look
//     in the DM's history for a message tagged with this round and kind,
//     and records it instead of posting;
//  4. waits for its slot on the workspace-wide pace shared by all
//     replicas (see pacing.go), posts, and records the message.
//
// So a crash at any point either leaves no post (the retry posts) or a
// mark (the retry looks first): never two DMs, and never none. Slack's
// answers decide the rest: a 429 holds the pace back for every replica
// for Retry-After and snoozes the job (not an attempt, and the mark is
// undone, since nothing was posted); an error no retry can fix (cannot DM
// the person, user gone) records the DM as failed and cancels the job;
// anything else (5xx, timeouts) keeps the mark and retries with backoff.

// pulseDMWorkers is how many pulse DM jobs one replica runs at once: most
// of them sleep waiting for their post slot.
const pulseDMWorkers = 10

// lookupSince is how long before a round opened FindPulseDM starts
// looking, for clock differences between Hearth and Slack.
const lookupSince = time.Minute

type pulseDMWorker struct {
	river.WorkerDefaults[pulseDMArgs]
	r *Runner
}

func (w *pulseDMWorker) Work(ctx context.Context, job *river.Job[pulseDMArgs]) error {
	a := job.Args
	if a.DMKind != db.DMPulse && a.DMKind != db.DMReminder {
		return river.JobCancel(fmt.Errorf("unknown pulse DM kind %q", a.DMKind))
	}
	round, rec, found, err := w.r.roundRecipient(ctx, a.RoundID, a.UserID)
	if err != nil || !found {
		return err
	}
	optedOut, err := w.r.store.OptedOut(ctx, []string{a.UserID})
	if err != nil {
		return err
	}
	log := w.r.log.With("job", job.Kind, "round_id", a.RoundID, "team_id", round.TeamID, "dm", a.DMKind)
	if why := dmNotNeeded(a.DMKind, round, rec, optedOut[a.UserID], w.r.now()); why != "" {
		if why == whyOptedOut && a.DMKind == db.DMPulse {
			// Count them apart from pending, so the round's figures add up.
			return w.r.store.RecordDMFailed(ctx, a.RoundID, a.UserID, "opted out before delivery")
		}
		log.Debug("pulse DM not needed", "reason", why)
		return nil
	}
	team, err := w.r.store.Team(ctx, round.TeamID)
	if err != nil {
		return err
	}

	if err := w.r.awaitHold(ctx, paceDMLookup); err != nil {
		return err
	}
	channel, err := w.r.messenger.DMChannel(ctx, a.UserID)
	if err != nil {
		return w.failed(ctx, log, a, paceDMLookup, fmt.Errorf("DM channel: %w", err))
	}

	old, err := w.r.store.MarkDMAttempted(ctx, a.RoundID, a.UserID, a.DMKind)
	if err != nil {
		return err
	}
	if recorded(old, a.DMKind) {
		return nil
	}
	triedBefore := attempted(old, a.DMKind)
	if triedBefore {
		found, ts, err := w.r.messenger.FindPulseDM(ctx, channel, round.ID, a.DMKind, round.OpenedAt.Add(-lookupSince))
		if err != nil {
			return w.failed(ctx, log, a, paceDMLookup, fmt.Errorf("look for an earlier DM: %w", err))
		}
		if ts != "" {
			log.Info("pulse DM found already posted; recorded without posting again")
			return w.r.store.RecordDM(ctx, a.RoundID, a.UserID, a.DMKind, found, ts)
		}
	}

	if err := w.r.awaitPostSlot(ctx); err != nil {
		// Nothing was posted: undo our mark, so the retry need not look.
		w.unmark(log, a, triedBefore)
		return err
	}
	posted, ts, err := w.r.messenger.PostPulseDM(ctx, channel, team, round, a.DMKind)
	if err != nil {
		if d := retryAfter(err); d > 0 {
			w.r.postPace.refused(d)
			w.unmark(log, a, triedBefore) // a 429 means nothing was posted
		}
		return w.failed(ctx, log, a, paceChatPost, fmt.Errorf("post: %w", err))
	}
	w.r.postPace.posted()
	// If this fails the DM is out but unrecorded: the retry finds it.
	return w.r.store.RecordDM(ctx, a.RoundID, a.UserID, a.DMKind, posted, ts)
}

// unmark undoes this run's MarkDMAttempted when nothing was posted. A mark
// left by an earlier run stays: that run may have posted. Failing to undo
// it costs the retry one history lookup, nothing more.
func (w *pulseDMWorker) unmark(log *slog.Logger, a pulseDMArgs, triedBefore bool) {
	if triedBefore {
		return
	}
	// Also when the job's context has ended (shutdown, timeout).
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.r.store.ClearDMAttempted(ctx, a.RoundID, a.UserID, a.DMKind); err != nil {
		log.Warn("could not undo the attempted mark of a pulse DM", "error", err)
	}
}

// failed decides what a failed Slack call means for the DM: a 429 holds
// pace back for everyone and snoozes; a permanent error records the DM as
// failed and cancels; anything else is retried with backoff.
func (w *pulseDMWorker) failed(ctx context.Context, log *slog.Logger, a pulseDMArgs, pace string, err error) error {
	if d := retryAfter(err); d > 0 {
		return w.r.holdFor(ctx, pace, d)
	}
	if !permanent(err) {
		return err
	}
	log.Warn("pulse DM cannot be delivered; not retrying", "error", err)
	if a.DMKind == db.DMPulse {
		if rerr := w.r.store.RecordDMFailed(ctx, a.RoundID, a.UserID, failureReason(err)); rerr != nil {
			return rerr
		}
	}
	return river.JobCancel(err)
}

// Reasons a DM is not sent.
const (
	whySent       = "already sent"
	whyFailed     = "cannot be delivered"
	whyClosed     = "round closed"
	whyOptedOut   = "opted out"
	whyAnswered   = "already answered"
	whyNoPulseDM  = "the pulse DM itself was not delivered"
	failureMaxLen = 200
)

// dmNotNeeded says why a DM of kind should not be sent now, or "".
func dmNotNeeded(kind db.DMKind, round db.Round, rec db.Recipient, optedOut bool, now time.Time) string {
	switch {
	case recorded(rec, kind):
		return whySent
	case kind == db.DMPulse && rec.Delivery == db.DeliveryFailed:
		return whyFailed
	case !round.Open(now):
		return whyClosed
	case optedOut:
		return whyOptedOut
	case kind == db.DMReminder && rec.Answered:
		return whyAnswered
	case kind == db.DMReminder && rec.Delivery != db.DeliverySent:
		return whyNoPulseDM
	}
	return ""
}

// recorded reports whether the DM of kind was posted and recorded.
func recorded(rec db.Recipient, kind db.DMKind) bool {
	if kind == db.DMReminder {
		return rec.RemindTS != ""
	}
	return rec.DMTS != ""
}

// attempted reports whether a post of the DM of kind may have been made.
func attempted(rec db.Recipient, kind db.DMKind) bool {
	if kind == db.DMReminder {
		return rec.RemindAttempted
	}
	return rec.DMAttempted
}

// retryAfter is how long Slack asked to wait, from an error carrying
// RetryAfter(), or 0.
func retryAfter(err error) time.Duration {
	var wait interface{ RetryAfter() time.Duration }
	if errors.As(err, &wait) {
		return wait.RetryAfter()
	}
	return 0
}

// permanent reports whether err says retrying cannot help.
func permanent(err error) bool {
	var perm interface{ Permanent() bool }
	return errors.As(err, &perm) && perm.Permanent()
}

func failureReason(err error) string {
	s := err.Error()
	if len(s) > failureMaxLen {
		s = s[:failureMaxLen]
	}
	return s
}

// pulseAnsweredWorker thanks a person in their pulse DM once they answered.
// It logs no user id: who answered is not for logs.
type pulseAnsweredWorker struct {
	river.WorkerDefaults[pulseAnsweredArgs]
	r *Runner
}

// errDMNotRecorded means the pulse DM is out but not yet recorded (its
// delivery is being recovered); the job retries with backoff.
var errDMNotRecorded = errors.New("pulse DM not recorded yet")

func (w *pulseAnsweredWorker) Work(ctx context.Context, job *river.Job[pulseAnsweredArgs]) error {
	a := job.Args
	round, rec, found, err := w.r.roundRecipient(ctx, a.RoundID, a.UserID)
	if err != nil || !found {
		return err
	}
	if rec.DMTS == "" {
		if rec.Delivery == db.DeliveryFailed {
			return nil
		}
		return errDMNotRecorded
	}
	team, err := w.r.store.Team(ctx, round.TeamID)
	if err != nil {
		return err
	}
	if err := w.r.awaitHold(ctx, paceChatUpdate); err != nil {
		return err
	}
	err = w.r.messenger.MarkPulseAnswered(ctx, team, round, rec)
	if d := retryAfter(err); d > 0 {
		return w.r.holdFor(ctx, paceChatUpdate, d)
	}
	return outcome(err)
}

// EnqueuePulseAnswered enqueues the update of a person's pulse DM once
// they answered. Answers are recorded elsewhere; this job never sees them.
func (r *Runner) EnqueuePulseAnswered(ctx context.Context, roundID int64, userID string) error {
	if _, err := r.client.Insert(ctx, pulseAnsweredArgs{RoundID: roundID, UserID: userID}, nil); err != nil {
		return fmt.Errorf("enqueue pulse answered: %w", err)
	}
	return nil
}

// roundRecipient reads a round and one person's participation in it;
// found is false when either is gone (the team was removed, with its rounds).
func (r *Runner) roundRecipient(ctx context.Context, roundID int64, userID string) (db.Round, db.Recipient, bool, error) {
	round, err := r.store.Round(ctx, roundID)
	if errors.Is(err, db.ErrNotFound) {
		return db.Round{}, db.Recipient{}, false, nil
	}
	if err != nil {
		return db.Round{}, db.Recipient{}, false, err
	}
	rec, err := r.store.Recipient(ctx, roundID, userID)
	if errors.Is(err, db.ErrNotRecipient) {
		return db.Round{}, db.Recipient{}, false, nil
	}
	if err != nil {
		return db.Round{}, db.Recipient{}, false, err
	}
	return round, rec, true, nil
}
