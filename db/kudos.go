package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"
)

// Kudos limits that keep recognition meaningful and messages readable.
const (
	MaxKudosRecipients = 10
	MaxKudosMessage    = 1000 // characters
)

// Source says how a kudos was given.
type Source string

// The ways to give kudos.
const (
	SourceCommand  Source = "command"
	SourceModal    Source = "modal"
	SourceShortcut Source = "shortcut"
	SourceReaction Source = "reaction"
)

// Kudos is one act of recognition from a giver to one or more recipients.
type Kudos struct {
	ID            int64          `db:"id"`
	GiverID       string         `db:"giver_id"`
	Recipients    pq.StringArray `db:"recipients"`
	Message       string         `db:"message"`
	Value         string         `db:"value"`
	Private       bool           `db:"is_private"`
	Source        Source         `db:"source"`
	GiverDay      time.Time      `db:"giver_day"`
	SourceChannel string         `db:"source_channel"`
	SourceTS      string         `db:"source_ts"`
	CreatedAt     time.Time      `db:"created_at"`
	RevokedAt     sql.NullTime   `db:"revoked_at"`
}

// NewKudos is a request to give kudos.
type NewKudos struct {
	// IdempotencyKey identifies the Slack delivery that asked for this
	// kudos; a second request with the same key records nothing.
	IdempotencyKey string
	GiverID        string
	Recipients     []string
	Message        string
	Value          string // without '#'; "" for none
	Private        bool
	Source         Source
	SourceChannel  string
	SourceTS       string
	// GiverLocation is the giver's time zone: the allowance is per day there.
	GiverLocation *time.Location
	Now           time.Time
}

// Refusal is why a kudos was not recorded, with what the giver can do.
type Refusal struct {
	Reason RefusalReason
	// Detail carries specifics for the message: the allowance, the known values.
	Allowance int
	Values    []string
	Value     string
}

// RefusalReason names one rule a kudos broke.
type RefusalReason string

// The rules a kudos can break.
const (
	RefusedAllowanceSpent RefusalReason = "allowance_spent"
	RefusedSelf           RefusalReason = "self"
	RefusedNoRecipients   RefusalReason = "no_recipients"
	RefusedTooManyPeople  RefusalReason = "too_many_recipients"
	RefusedNoMessage      RefusalReason = "no_message"
	RefusedTooLong        RefusalReason = "message_too_long"
	RefusedUnknownValue   RefusalReason = "unknown_value"
	RefusedValueRequired  RefusalReason = "value_required"
)

func (r *Refusal) Error() string { return "kudos refused: " + string(r.Reason) }

// GiveResult is a recorded kudos and what is left of the giver's allowance today.
type GiveResult struct {
	Kudos     Kudos
	Remaining int
	// Duplicate is true when the idempotency key had already been used:
	// Kudos is the one recorded then, and nothing new was written.
	Duplicate bool
}

// GiveKudos records a kudos inside the caller's transaction tx, charging one
// unit of the giver's daily allowance atomically: two concurrent gives can
// never exceed it. It returns a *Refusal when a rule is broken, having
// written nothing, so the caller may still commit other work (a notice).
func GiveKudos(ctx context.Context, tx Querier, nk NewKudos) (res GiveResult, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT give_kudos`); err != nil {
		return GiveResult{}, fmt.Errorf("give kudos: %w", err)
	}
	defer func() {
		undo := `RELEASE SAVEPOINT give_kudos`
		if err != nil {
			undo = `ROLLBACK TO SAVEPOINT give_kudos`
		}
		if _, spErr := tx.ExecContext(ctx, undo); spErr != nil && err == nil {
			err = fmt.Errorf("give kudos: %w", spErr)
		}
	}()
	return giveKudos(ctx, tx, nk)
}

func giveKudos(ctx context.Context, q Querier, nk NewKudos) (GiveResult, error) {
	settings, err := kudosSettings(ctx, q)
	if err != nil {
		return GiveResult{}, err
	}
	nk.Message = strings.TrimSpace(nk.Message)
	nk.Value = NormalizeValueName(nk.Value)
	if refusal := checkKudos(nk); refusal != nil {
		return GiveResult{}, refusal
	}
	known, err := values(ctx, q)
	if err != nil {
		return GiveResult{}, err
	}
	if refusal := checkValue(nk.Value, known, settings.RequireValue); refusal != nil {
		return GiveResult{}, refusal
	}

	loc := nk.GiverLocation
	if loc == nil {
		loc = time.UTC
	}
	day := dayIn(nk.Now, loc)

	var id int64
	err = q.QueryRowxContext(ctx, `
		INSERT INTO kudos (idempotency_key, giver_id, message, value, is_private, source, giver_day, source_channel, source_ts, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING id`,
		nk.IdempotencyKey, nk.GiverID, nk.Message, nk.Value, nk.Private, nk.Source, day,
		nk.SourceChannel, nk.SourceTS, nk.Now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		k, err := kudosByKey(ctx, q, nk.IdempotencyKey)
		if err != nil {
			return GiveResult{}, err
		}
		left, err := allowanceLeft(ctx, q, k.GiverID, k.GiverDay, settings.Allowance)
		return GiveResult{Kudos: k, Remaining: left, Duplicate: true}, err
	}
	if isUniqueViolation(err) {
		// The same giver already has a live reaction kudos on this message.
		return GiveResult{}, fmt.Errorf("give kudos: %w", ErrConflict)
	}
	if err != nil {
		return GiveResult{}, fmt.Errorf("give kudos: %w", err)
	}
	for _, r := range nk.Recipients {
		if _, err := q.ExecContext(ctx,
			`INSERT INTO kudos_recipients (kudos_id, recipient_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, r); err != nil {
			return GiveResult{}, fmt.Errorf("give kudos: recipient: %w", err)
		}
	}

	// One conditional upsert: the row lock taken by ON CONFLICT serializes
	// concurrent gives by the same person, and the WHERE refuses the one
	// that would pass the allowance.
	var used int
	err = q.QueryRowxContext(ctx, `
		INSERT INTO kudos_allowance_usage (giver_id, day, used)
		SELECT $1, $2, 1 WHERE $3 >= 1
		ON CONFLICT (giver_id, day) DO UPDATE SET used = kudos_allowance_usage.used + 1
			WHERE kudos_allowance_usage.used + 1 <= $3
		RETURNING used`, nk.GiverID, day, settings.Allowance).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return GiveResult{}, &Refusal{Reason: RefusedAllowanceSpent, Allowance: settings.Allowance}
	}
	if err != nil {
		return GiveResult{}, fmt.Errorf("give kudos: charge allowance: %w", err)
	}
	k, err := kudosByID(ctx, q, id)
	if err != nil {
		return GiveResult{}, err
	}
	return GiveResult{Kudos: k, Remaining: settings.Allowance - used}, nil
}

func checkKudos(nk NewKudos) *Refusal {
	switch {
	case len(nk.Recipients) == 0:
		return &Refusal{Reason: RefusedNoRecipients}
	case len(nk.Recipients) > MaxKudosRecipients:
		return &Refusal{Reason: RefusedTooManyPeople}
	case slices.Contains(nk.Recipients, nk.GiverID):
		return &Refusal{Reason: RefusedSelf}
	case nk.Message == "":
		return &Refusal{Reason: RefusedNoMessage}
	case utf8.RuneCountInString(nk.Message) > MaxKudosMessage:
		return &Refusal{Reason: RefusedTooLong}
	}
	return nil
}

func checkValue(value string, known []Value, required bool) *Refusal {
	names := make([]string, len(known))
	for i, v := range known {
		names[i] = v.Name
	}
	switch {
	case value == "" && required && len(known) > 0:
		return &Refusal{Reason: RefusedValueRequired, Values: names}
	case value != "" && len(known) > 0 && !slices.Contains(names, value):
		return &Refusal{Reason: RefusedUnknownValue, Values: names, Value: value}
	}
	return nil
}

// dayIn is the calendar day of t in loc, as a UTC midnight for a date column.
func dayIn(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

const kudosColumns = `
	k.id, k.giver_id, k.message, k.value, k.is_private, k.source, k.giver_day,
	k.source_channel, k.source_ts, k.created_at, k.revoked_at,
	COALESCE((SELECT array_agg(r.recipient_id ORDER BY r.recipient_id) FROM kudos_recipients r WHERE r.kudos_id = k.id), '{}') AS recipients`

func kudosByID(ctx context.Context, q Querier, id int64) (Kudos, error) {
	var k Kudos
	err := q.GetContext(ctx, &k, `SELECT `+kudosColumns+` FROM kudos k WHERE k.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Kudos{}, fmt.Errorf("kudos %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Kudos{}, fmt.Errorf("read kudos %d: %w", id, err)
	}
	return k, nil
}

func kudosByKey(ctx context.Context, q Querier, key string) (Kudos, error) {
	var k Kudos
	if err := q.GetContext(ctx, &k, `SELECT `+kudosColumns+` FROM kudos k WHERE k.idempotency_key = $1`, key); err != nil {
		return Kudos{}, fmt.Errorf("read kudos by key: %w", err)
	}
	return k, nil
}

// Kudos reads one kudos with its recipients.
func (d *DB) Kudos(ctx context.Context, id int64) (Kudos, error) {
	return kudosByID(ctx, d, id)
}

// AllowanceLeft is how many kudos giverID may still give on the day that
// now falls on in loc.
func (d *DB) AllowanceLeft(ctx context.Context, giverID string, now time.Time, loc *time.Location) (int, error) {
	s, err := kudosSettings(ctx, d)
	if err != nil {
		return 0, err
	}
	return allowanceLeft(ctx, d, giverID, dayIn(now, loc), s.Allowance)
}

func allowanceLeft(ctx context.Context, q Querier, giverID string, day time.Time, allowance int) (int, error) {
	var used int
	err := q.GetContext(ctx, &used, `SELECT used FROM kudos_allowance_usage WHERE giver_id = $1 AND day = $2`, giverID, day)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read allowance: %w", err)
	}
	return max(allowance-used, 0), nil
}

// RevokeReactionKudos takes back the live reaction kudos giverID gave to
// the message channel/ts, if it was given on the same day (in loc) as now:
// the kudos is marked revoked and its allowance unit returned. It returns
// ErrNotFound when there is nothing to take back.
func RevokeReactionKudos(ctx context.Context, q Querier, giverID, channel, ts string, now time.Time, loc *time.Location) (Kudos, error) {
	var id int64
	err := q.QueryRowxContext(ctx, `
		UPDATE kudos SET revoked_at = $5
		WHERE giver_id = $1 AND source = 'reaction' AND source_channel = $2 AND source_ts = $3
		  AND revoked_at IS NULL AND giver_day = $4
		RETURNING id`, giverID, channel, ts, dayIn(now, loc), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Kudos{}, ErrNotFound
	}
	if err != nil {
		return Kudos{}, fmt.Errorf("revoke kudos: %w", err)
	}
	if _, err := q.ExecContext(ctx, `
		UPDATE kudos_allowance_usage SET used = used - 1
		WHERE giver_id = $1 AND day = $2 AND used > 0`, giverID, dayIn(now, loc)); err != nil {
		return Kudos{}, fmt.Errorf("revoke kudos: refund allowance: %w", err)
	}
	return kudosByID(ctx, q, id)
}
