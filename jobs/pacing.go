package jobs

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// Names of the shared paces in the slack_pacing table.
const (
	// paceChatPost spaces every replica's pulse DMs (chat.postMessage)
	// PostsPerMinute apart, and is held back when Slack answers 429.
	paceChatPost = "chat.postMessage"
	// paceDMLookup is not spaced; it is only held back after a 429 from
	// the DM lookups (conversations.open behind DMChannel,
	// conversations.history behind FindPulseDM), so all replicas stop
	// asking until Slack's Retry-After has passed.
	paceDMLookup = "conversations.open/history"
	// paceChatUpdate is held back after a 429 from chat.update (Tier 3),
	// which thanks people in their pulse DM once they answered.
	paceChatUpdate = "chat.update"
)

// Pacing bounds. A delivery job reserves a post slot at most paceHorizon
// ahead and sleeps until it; while the pace is booked further ahead it
// waits in the job, re-trying now and then, for up to paceMaxWait in all.
// Beyond that (a long Retry-After, or a very slow pace) it snoozes, freeing
// its worker. So a job sleeps at most paceMaxWait+paceHorizon, well inside
// JobTimeout.
const (
	paceHorizon = 5 * time.Second
	paceMaxWait = 10 * time.Second
	// holdCheckAfter: a job that slept this long for its slot checks, in
	// the database, for a hold another replica placed meanwhile.
	holdCheckAfter = time.Second
)

// DefaultPostsPerMinute is the default pace of pulse DMs for the whole
// workspace: Slack allows chat.postMessage "several hundred per minute"
// per workspace, so two a second leaves room for everything else.
const DefaultPostsPerMinute = 120

// awaitPostSlot returns when the caller may make one chat.postMessage call
// on the pace shared by every replica. When that is more than paceMaxWait
// away it returns a River snooze error instead, having reserved nothing.
// A slot reserved before Slack asked everyone to hold back is given up.
func (r *Runner) awaitPostSlot(ctx context.Context) error {
	deadline := time.Now().Add(paceMaxWait)
	for {
		now := time.Now()
		interval := r.postPace.interval()
		at, reserved, err := r.store.ReservePostSlotWithin(ctx, paceChatPost, interval, now, paceHorizon)
		if err != nil {
			return err
		}
		if reserved {
			if err := sleepUntil(ctx, at); err != nil {
				return err
			}
			// A 429 this replica got while we slept is known here; one
			// another replica got is looked up, unless we slept so
			// briefly that the lookup would cost more than it saves.
			if wait := r.postPace.held(); wait > 0 {
				return river.JobSnooze(snoozeFor(wait))
			}
			if at.Sub(now) < holdCheckAfter {
				return nil
			}
			return r.awaitHold(ctx, paceChatPost)
		}
		// Booked beyond the horizon: try again once the first slot past it
		// could be ours, unless that is later than we are willing to wait.
		retry := at.Add(-paceHorizon).Add(jitter(interval))
		if retry.After(deadline) {
			return river.JobSnooze(snoozeFor(at.Sub(now) - paceHorizon))
		}
		if err := sleepUntil(ctx, retry); err != nil {
			return err
		}
	}
}

// holdName is where a pace's Retry-After hold is kept apart from its slots,
// so a caller holding a slot can tell whether a hold came after it.
func holdName(pace string) string { return pace + " hold" }

// awaitHold returns a snooze error while the named pace is held back
// (after a 429), and nil when the caller may go ahead.
func (r *Runner) awaitHold(ctx context.Context, pace string) error {
	until, err := r.store.PaceFreeAt(ctx, holdName(pace))
	if err != nil {
		return err
	}
	if wait := time.Until(until); wait > 0 {
		return river.JobSnooze(snoozeFor(wait))
	}
	return nil
}

// holdFor holds the named pace back for every replica, as Slack asked —
// new slots start after the hold, and slots already reserved are given
// up — and returns the snooze for the job that got the 429. A snooze is
// not an attempt: a 429 storm only delays a DM, it never exhausts its
// retries.
func (r *Runner) holdFor(ctx context.Context, pace string, retryAfter time.Duration) error {
	until := time.Now().Add(retryAfter)
	if err := r.store.HoldPosts(ctx, pace, until); err != nil {
		return err
	}
	if err := r.store.HoldPosts(ctx, holdName(pace), until); err != nil {
		return err
	}
	return river.JobSnooze(snoozeFor(retryAfter))
}

// snoozeFor is d plus up to a quarter more, so the jobs a hold snoozed do
// not all come back in the same instant.
func snoozeFor(d time.Duration) time.Duration {
	d = max(d, time.Second)
	return d + jitter(d/4)
}

// jitter is a random duration in [0, d).
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}

// sleepUntil waits until t or until ctx is done.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// postPace is this replica's spacing of chat.postMessage calls: the
// configured interval, stretched by a quarter after each 429 and eased
// back as posts succeed. Slack's workspace limit is not published, so a
// pace set a little above it settles just under it, instead of running
// into one Retry-After hold after another.
type postPace struct {
	base time.Duration

	mu        sync.Mutex
	cur       time.Duration
	heldUntil time.Time // the latest Retry-After this replica was given
}

// Bounds of postPace: it slows down to at most maxSlowdown times the
// configured interval, and each successful post takes back 1/easeBack of
// the slowdown left.
const (
	maxSlowdown = 16
	easeBack    = 256
)

func newPostPace(interval time.Duration) *postPace {
	return &postPace{base: interval, cur: interval}
}

func (p *postPace) interval() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// refused slows the pace after a 429 that said wait retryAfter.
func (p *postPace) refused(retryAfter time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur = min(p.cur+p.cur/4, maxSlowdown*p.base)
	if until := time.Now().Add(retryAfter); until.After(p.heldUntil) {
		p.heldUntil = until
	}
}

// held is how long this replica still has to hold back, or 0.
func (p *postPace) held() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return max(0, time.Until(p.heldUntil))
}

// posted eases the pace back towards the configured one after a post.
func (p *postPace) posted() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur -= (p.cur - p.base) / easeBack
}
