package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Recipient is one person asked in a round: delivery bookkeeping and
// whether they answered — never what.
type Recipient struct {
	RoundID         int64  `db:"round_id"`
	UserID          string `db:"user_id"`
	DMChannelID     string `db:"dm_channel_id"`
	DMTS            string `db:"dm_ts"`
	DMAttempted     bool   `db:"dm_attempted"`
	Delivery        string `db:"delivery"` // pending, sent, failed
	Failure         string `db:"failure"`
	RemindTS        string `db:"remind_ts"`
	RemindAttempted bool   `db:"remind_attempted"`
	Answered        bool   `db:"answered"`
}

// Delivery states of a pulse DM.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

const recipientColumns = `round_id, user_id, dm_channel_id, dm_ts, dm_attempted, delivery, failure, remind_ts, remind_attempted, answered`

// Recipient reads one person's participation in a round, or ErrNotRecipient.
func (d *DB) Recipient(ctx context.Context, roundID int64, userID string) (Recipient, error) {
	var r Recipient
	err := d.GetContext(ctx, &r, `SELECT `+recipientColumns+` FROM pulse_recipients WHERE round_id = $1 AND user_id = $2`, roundID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Recipient{}, ErrNotRecipient
	}
	if err != nil {
		return Recipient{}, fmt.Errorf("read recipient: %w", err)
	}
	return r, nil
}

// RoundRecipients lists the user ids asked in a round.
func (d *DB) RoundRecipients(ctx context.Context, roundID int64) ([]string, error) {
	var ids []string
	if err := d.SelectContext(ctx, &ids, `SELECT user_id FROM pulse_recipients WHERE round_id = $1 ORDER BY user_id`, roundID); err != nil {
		return nil, fmt.Errorf("round recipients: %w", err)
	}
	return ids, nil
}

// ToRemind lists who should get the round's reminder: their DM went out,
// they have not answered, and they have not opted out since.
func (d *DB) ToRemind(ctx context.Context, roundID int64) ([]string, error) {
	var ids []string
	err := d.SelectContext(ctx, &ids, `
		SELECT r.user_id FROM pulse_recipients r
		WHERE r.round_id = $1 AND r.delivery = 'sent' AND NOT r.answered
		  AND NOT EXISTS (SELECT 1 FROM pulse_optouts o WHERE o.user_id = r.user_id)
		ORDER BY r.user_id`, roundID)
	if err != nil {
		return nil, fmt.Errorf("recipients to remind: %w", err)
	}
	return ids, nil
}

// DMKind says which pulse message a bookkeeping call is about.
type DMKind string

// The pulse messages a person can get in a round.
const (
	DMPulse    DMKind = "pulse"
	DMReminder DMKind = "reminder"
)

// MarkDMAttempted records that a post of kind is about to be made, so a
// retry knows to look in Slack for it first. It returns the row as it was.
func (d *DB) MarkDMAttempted(ctx context.Context, roundID int64, userID string, kind DMKind) (Recipient, error) {
	column := "dm_attempted"
	if kind == DMReminder {
		column = "remind_attempted"
	}
	var r Recipient
	err := d.GetContext(ctx, &r, `
		UPDATE pulse_recipients p SET `+column+` = true
		FROM (SELECT `+recipientColumns+` FROM pulse_recipients WHERE round_id = $1 AND user_id = $2 FOR UPDATE) old
		WHERE p.round_id = old.round_id AND p.user_id = old.user_id
		RETURNING old.round_id, old.user_id, old.dm_channel_id, old.dm_ts, old.dm_attempted, old.delivery, old.failure,
			old.remind_ts, old.remind_attempted, old.answered`, roundID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Recipient{}, ErrNotRecipient
	}
	if err != nil {
		return Recipient{}, fmt.Errorf("mark DM attempted: %w", err)
	}
	return r, nil
}

// ClearDMAttempted undoes MarkDMAttempted when Slack refused the post
// outright (HTTP 429: nothing was posted), so the retry posts without
// first searching the DM's history. A DM already recorded is left alone.
func (d *DB) ClearDMAttempted(ctx context.Context, roundID int64, userID string, kind DMKind) error {
	query := `UPDATE pulse_recipients SET dm_attempted = false WHERE round_id = $1 AND user_id = $2 AND dm_ts = ''`
	if kind == DMReminder {
		query = `UPDATE pulse_recipients SET remind_attempted = false WHERE round_id = $1 AND user_id = $2 AND remind_ts = ''`
	}
	if _, err := d.ExecContext(ctx, query, roundID, userID); err != nil {
		return fmt.Errorf("clear DM attempted: %w", err)
	}
	return nil
}

// RecordDM records a posted pulse DM or reminder.
func (d *DB) RecordDM(ctx context.Context, roundID int64, userID string, kind DMKind, channelID, ts string) error {
	var err error
	if kind == DMReminder {
		// The reminder goes to the same DM channel; only its ts is kept.
		_, err = d.ExecContext(ctx, `UPDATE pulse_recipients SET remind_ts = $3 WHERE round_id = $1 AND user_id = $2`, roundID, userID, ts)
	} else {
		_, err = d.ExecContext(ctx, `UPDATE pulse_recipients SET dm_channel_id = $3, dm_ts = $4, delivery = 'sent', failure = '' WHERE round_id = $1 AND user_id = $2`,
			roundID, userID, channelID, ts)
	}
	if err != nil {
		return fmt.Errorf("record %s DM: %w", kind, err)
	}
	return nil
}

// RecordDMFailed records that a person's pulse DM can never be delivered
// (they cannot be messaged), with Slack's reason.
func (d *DB) RecordDMFailed(ctx context.Context, roundID int64, userID, reason string) error {
	if _, err := d.ExecContext(ctx, `UPDATE pulse_recipients SET delivery = 'failed', failure = $3 WHERE round_id = $1 AND user_id = $2 AND delivery <> 'sent'`,
		roundID, userID, reason); err != nil {
		return fmt.Errorf("record failed DM: %w", err)
	}
	return nil
}

// DeliveryCounts summarizes a round's DMs, for admins and tests.
type DeliveryCounts struct {
	Recipients int `db:"recipients"`
	Sent       int `db:"sent"`
	Failed     int `db:"failed"`
	Pending    int `db:"pending"`
}

// RoundDeliveryCounts counts a round's DMs by state. It says nothing about answers.
func (d *DB) RoundDeliveryCounts(ctx context.Context, roundID int64) (DeliveryCounts, error) {
	var c DeliveryCounts
	err := d.GetContext(ctx, &c, `
		SELECT count(*) AS recipients,
			count(*) FILTER (WHERE delivery = 'sent') AS sent,
			count(*) FILTER (WHERE delivery = 'failed') AS failed,
			count(*) FILTER (WHERE delivery = 'pending') AS pending
		FROM pulse_recipients WHERE round_id = $1`, roundID)
	if err != nil {
		return DeliveryCounts{}, fmt.Errorf("delivery counts: %w", err)
	}
	return c, nil
}

// SetOptOut records that userID does (out=true) or does not want pulses.
func (d *DB) SetOptOut(ctx context.Context, userID string, out bool) error {
	query := `INSERT INTO pulse_optouts (user_id) VALUES ($1) ON CONFLICT DO NOTHING`
	if !out {
		query = `DELETE FROM pulse_optouts WHERE user_id = $1`
	}
	if _, err := d.ExecContext(ctx, query, userID); err != nil {
		return fmt.Errorf("set opt-out: %w", err)
	}
	return nil
}

// OptedOut returns the subset of ids who opted out of pulses.
func (d *DB) OptedOut(ctx context.Context, ids []string) (map[string]bool, error) {
	var out []string
	if err := d.SelectContext(ctx, &out, `SELECT user_id FROM pulse_optouts WHERE user_id = ANY($1)`, stringArray(ids)); err != nil {
		return nil, fmt.Errorf("read opt-outs: %w", err)
	}
	m := make(map[string]bool, len(out))
	for _, id := range out {
		m[id] = true
	}
	return m, nil
}

// ReservePostSlotWithin reserves the next free slot for a Slack post on the
// named pace, shared by every replica (posts are spaced interval apart),
// for a caller that will wait at most horizon: it reserves a slot only
// when one starts within horizon of now. Otherwise it reserves nothing — so
// no slot is wasted by a caller that gives up — and returns reserved=false
// with the time the pace is free again.
func (d *DB) ReservePostSlotWithin(ctx context.Context, name string, interval time.Duration, now time.Time, horizon time.Duration) (at time.Time, reserved bool, err error) {
	err = d.GetContext(ctx, &at, `
		INSERT INTO slack_pacing AS p (name, next_at) VALUES ($1, $2::timestamptz + $3 * interval '1 microsecond')
		ON CONFLICT (name) DO UPDATE SET next_at = greatest(p.next_at, $2::timestamptz) + $3 * interval '1 microsecond'
		WHERE p.next_at <= $2::timestamptz + $4 * interval '1 microsecond'
		RETURNING next_at - $3 * interval '1 microsecond'`, name, now, interval.Microseconds(), horizon.Microseconds())
	if errors.Is(err, sql.ErrNoRows) {
		at, err = d.PaceFreeAt(ctx, name)
		return at, false, err
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("reserve post slot: %w", err)
	}
	return at, true, nil
}

// PaceFreeAt returns when the named pace is next free (the zero time for
// a pace never used); for a pace that is only ever held, when the hold ends.
func (d *DB) PaceFreeAt(ctx context.Context, name string) (time.Time, error) {
	var at time.Time
	err := d.GetContext(ctx, &at, `SELECT next_at FROM slack_pacing WHERE name = $1`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read post pace: %w", err)
	}
	return at, nil
}

// HoldPosts pushes the named pace back to until (Slack said Retry-After).
func (d *DB) HoldPosts(ctx context.Context, name string, until time.Time) error {
	_, err := d.ExecContext(ctx, `
		INSERT INTO slack_pacing (name, next_at) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET next_at = greatest(slack_pacing.next_at, EXCLUDED.next_at)`, name, until)
	if err != nil {
		return fmt.Errorf("hold posts: %w", err)
	}
	return nil
}
