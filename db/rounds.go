package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// RoundQuestion is a question as it was asked in a round.
type RoundQuestion struct {
	Key            string `json:"key"`
	Theme          string `json:"theme"`
	Text           string `json:"text"`
	Scale          string `json:"scale"` // "agree5" or "enps11"
	Min            int    `json:"min"`
	Max            int    `json:"max"`
	HigherIsBetter bool   `json:"higher_is_better"`
	// MeaningfulChange is an instrument's known meaningful change, or 0.
	MeaningfulChange float64 `json:"meaningful_change,omitempty"`
}

// RoundQuestions is a round's question list, stored as JSON.
type RoundQuestions []RoundQuestion

// Scan implements sql.Scanner.
func (q *RoundQuestions) Scan(src any) error {
	b, ok := src.([]byte)
	if !ok {
		return fmt.Errorf("round questions: unexpected %T", src)
	}
	return json.Unmarshal(b, q)
}

// Round is one pulse of a team.
type Round struct {
	ID           int64          `db:"id"`
	TeamID       int64          `db:"team_id"`
	Number       int            `db:"number"`
	ScheduledFor time.Time      `db:"scheduled_for"`
	OpenedAt     time.Time      `db:"opened_at"`
	ClosesAt     time.Time      `db:"closes_at"`
	RemindAt     sql.NullTime   `db:"remind_at"`
	ClosedAt     sql.NullTime   `db:"closed_at"`
	Questions    RoundQuestions `db:"questions"`
	MemberCount  int            `db:"member_count"`
}

// Open reports whether the round accepts answers at now.
func (r Round) Open(now time.Time) bool { return !r.ClosedAt.Valid && now.Before(r.ClosesAt) }

// Errors about rounds and answers.
var (
	ErrRoundOpen       = errors.New("the team already has an open round")
	ErrRoundClosed     = errors.New("the round is closed")
	ErrAlreadyAnswered = errors.New("already answered this round")
	ErrNotRecipient    = errors.New("not asked in this round")
	ErrInvalidAnswers  = errors.New("invalid answers")
	ErrNoRecipients    = errors.New("nobody to ask: the member channel has no people who have not opted out")
)

const (
	// maxCommentRunes bounds a pulse comment.
	maxCommentRunes = 2000
	// poolPeoplePerSlot sizes a round's answer pool: one shared row per
	// this many people keeps each rewrite small in a large team.
	poolPeoplePerSlot = 200
	roundColumns      = `id, team_id, number, scheduled_for, opened_at, closes_at, remind_at, closed_at, questions, member_count`
)

// NewRound is a round about to open.
type NewRound struct {
	TeamID       int64
	ScheduledFor time.Time // the schedule slot (or now, for a manual round)
	Now          time.Time
	OpenFor      time.Duration
	RemindAfter  time.Duration // 0: no reminder
	Recipients   []string      // human members who have not opted out, fixed for the round
	// Questions chooses the questions for the round's number (1, 2, …).
	Questions func(number int) []RoundQuestion
}

// OpenRound opens a round exactly once per team and schedule slot, in tx:
// a second call for the same slot returns the existing round with
// created=false. It returns ErrRoundOpen when another round of the team is
// still open (close it first).
func OpenRound(ctx context.Context, tx Querier, nr NewRound) (Round, bool, error) {
	// Serialize openings per team, across replicas.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7261002, $1::int)`, nr.TeamID); err != nil {
		return Round{}, false, fmt.Errorf("open round: lock: %w", err)
	}
	var existing Round
	err := tx.GetContext(ctx, &existing, `SELECT `+roundColumns+` FROM pulse_rounds WHERE team_id = $1 AND scheduled_for = $2`,
		nr.TeamID, nr.ScheduledFor)
	if err == nil {
		return existing, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Round{}, false, fmt.Errorf("open round: %w", err)
	}
	var open int
	if err := tx.GetContext(ctx, &open, `SELECT count(*) FROM pulse_rounds WHERE team_id = $1 AND closed_at IS NULL`, nr.TeamID); err != nil {
		return Round{}, false, fmt.Errorf("open round: %w", err)
	}
	if open > 0 {
		return Round{}, false, ErrRoundOpen
	}
	if len(nr.Recipients) == 0 {
		return Round{}, false, ErrNoRecipients
	}
	var number int
	if err := tx.GetContext(ctx, &number, `SELECT COALESCE(max(number), 0) + 1 FROM pulse_rounds WHERE team_id = $1`, nr.TeamID); err != nil {
		return Round{}, false, fmt.Errorf("open round: %w", err)
	}
	questions, err := json.Marshal(nr.Questions(number))
	if err != nil {
		return Round{}, false, fmt.Errorf("open round: %w", err)
	}
	var remindAt *time.Time
	if nr.RemindAfter > 0 {
		t := nr.Now.Add(nr.RemindAfter)
		remindAt = &t
	}
	var r Round
	err = tx.GetContext(ctx, &r, `
		INSERT INTO pulse_rounds (team_id, number, scheduled_for, opened_at, closes_at, remind_at, questions, member_count)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING `+roundColumns,
		nr.TeamID, number, nr.ScheduledFor, nr.Now, nr.Now.Add(nr.OpenFor), remindAt, questions, len(nr.Recipients))
	if err != nil {
		return Round{}, false, fmt.Errorf("open round: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO pulse_recipients (round_id, user_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
		r.ID, pq.Array(nr.Recipients)); err != nil {
		return Round{}, false, fmt.Errorf("open round: recipients: %w", err)
	}
	slots := max(1, (len(nr.Recipients)+poolPeoplePerSlot-1)/poolPeoplePerSlot)
	if _, err := tx.ExecContext(ctx, `INSERT INTO pulse_pool (round_id, slot) SELECT $1, generate_series(0, $2 - 1)`, r.ID, slots); err != nil {
		return Round{}, false, fmt.Errorf("open round: pool: %w", err)
	}
	return r, true, nil
}

// Round reads a round.
func (d *DB) Round(ctx context.Context, id int64) (Round, error) {
	var r Round
	err := d.GetContext(ctx, &r, `SELECT `+roundColumns+` FROM pulse_rounds WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, fmt.Errorf("round %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Round{}, fmt.Errorf("read round: %w", err)
	}
	return r, nil
}

// OpenRoundOf returns the team's open round, or ErrNotFound.
func (d *DB) OpenRoundOf(ctx context.Context, teamID int64) (Round, error) {
	var r Round
	err := d.GetContext(ctx, &r, `SELECT `+roundColumns+` FROM pulse_rounds WHERE team_id = $1 AND closed_at IS NULL`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, fmt.Errorf("open round of team %d: %w", teamID, ErrNotFound)
	}
	if err != nil {
		return Round{}, fmt.Errorf("read open round: %w", err)
	}
	return r, nil
}

// LatestRoundOf returns the team's most recent round, or ErrNotFound.
func (d *DB) LatestRoundOf(ctx context.Context, teamID int64) (Round, error) {
	var r Round
	err := d.GetContext(ctx, &r, `SELECT `+roundColumns+` FROM pulse_rounds WHERE team_id = $1 ORDER BY number DESC LIMIT 1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, fmt.Errorf("rounds of team %d: %w", teamID, ErrNotFound)
	}
	if err != nil {
		return Round{}, fmt.Errorf("read latest round: %w", err)
	}
	return r, nil
}

// OverdueRounds lists open rounds whose closing time has passed.
func (d *DB) OverdueRounds(ctx context.Context, now time.Time) ([]Round, error) {
	var rs []Round
	if err := d.SelectContext(ctx, &rs, `SELECT `+roundColumns+` FROM pulse_rounds WHERE closed_at IS NULL AND closes_at <= $1`, now); err != nil {
		return nil, fmt.Errorf("overdue rounds: %w", err)
	}
	return rs, nil
}

// SubmitAnswers records one person's answers to a round. Participation and
// answers are written in one transaction, but to different tables: the
// participation row says only "answered", and the answers go into the
// round's pool at a random position. A second submission, a submission
// after close, or one from someone not asked returns ErrAlreadyAnswered,
// ErrRoundClosed or ErrNotRecipient and writes nothing.
func (d *DB) SubmitAnswers(ctx context.Context, roundID int64, userID string, answers map[string]int, comment string, now time.Time) error {
	return d.WithTx(ctx, func(tx *sqlx.Tx) error {
		var r Round
		// FOR SHARE: a concurrent close waits for us, and we for it.
		err := tx.GetContext(ctx, &r, `SELECT `+roundColumns+` FROM pulse_rounds WHERE id = $1 FOR SHARE`, roundID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotRecipient
		}
		if err != nil {
			return fmt.Errorf("submit answers: %w", err)
		}
		if !r.Open(now) {
			return ErrRoundClosed
		}
		if err := checkAnswers(r.Questions, answers); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE pulse_recipients SET answered = true WHERE round_id = $1 AND user_id = $2 AND NOT answered`, roundID, userID)
		if err != nil {
			return fmt.Errorf("submit answers: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var answered bool
			err := tx.GetContext(ctx, &answered, `SELECT answered FROM pulse_recipients WHERE round_id = $1 AND user_id = $2`, roundID, userID)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotRecipient
			}
			if err != nil {
				return fmt.Errorf("submit answers: %w", err)
			}
			return ErrAlreadyAnswered
		}
		return addToPool(ctx, tx, roundID, answers, comment)
	})
}

func checkAnswers(qs RoundQuestions, answers map[string]int) error {
	if len(answers) != len(qs) {
		return fmt.Errorf("%w: want an answer to each of the %d questions", ErrInvalidAnswers, len(qs))
	}
	for _, q := range qs {
		v, ok := answers[q.Key]
		if !ok {
			return fmt.Errorf("%w: no answer to %q", ErrInvalidAnswers, q.Key)
		}
		if v < q.Min || v > q.Max {
			return fmt.Errorf("%w: answer to %q outside %d–%d", ErrInvalidAnswers, q.Key, q.Min, q.Max)
		}
	}
	return nil
}

// addToPool places answers (and the comment, separately) at random
// positions in a random pool row of the round.
func addToPool(ctx context.Context, tx *sqlx.Tx, roundID int64, answers map[string]int, comment string) error {
	var slots int
	if err := tx.GetContext(ctx, &slots, `SELECT count(*) FROM pulse_pool WHERE round_id = $1`, roundID); err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	if slots == 0 {
		return fmt.Errorf("pool of round %d is missing", roundID)
	}
	var pool struct {
		Answers  []byte `db:"answers"`
		Comments []byte `db:"comments"`
	}
	slot := randomInt(slots)
	if err := tx.GetContext(ctx, &pool, `SELECT answers, comments FROM pulse_pool WHERE round_id = $1 AND slot = $2 FOR UPDATE`, roundID, slot); err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	var pooled []map[string]int
	var comments []string
	if err := json.Unmarshal(pool.Answers, &pooled); err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	if err := json.Unmarshal(pool.Comments, &comments); err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	pooled = insertAt(pooled, randomInt(len(pooled)+1), answers)
	if c := trimComment(comment); c != "" {
		comments = insertAt(comments, randomInt(len(comments)+1), c)
	}
	a, err := json.Marshal(pooled)
	if err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	c, err := json.Marshal(comments)
	if err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE pulse_pool SET answers = $3, comments = $4 WHERE round_id = $1 AND slot = $2`, roundID, slot, a, c); err != nil {
		return fmt.Errorf("pool: %w", err)
	}
	return nil
}

func trimComment(c string) string {
	r := []rune(c)
	if len(r) > maxCommentRunes {
		r = r[:maxCommentRunes]
	}
	return string(trimSpaceRunes(r))
}

func trimSpaceRunes(r []rune) []rune {
	for len(r) > 0 && (r[0] == ' ' || r[0] == '\n' || r[0] == '\t' || r[0] == '\r') {
		r = r[1:]
	}
	for len(r) > 0 && (r[len(r)-1] == ' ' || r[len(r)-1] == '\n' || r[len(r)-1] == '\t' || r[len(r)-1] == '\r') {
		r = r[:len(r)-1]
	}
	return r
}

func insertAt[T any](s []T, i int, v T) []T {
	var zero T
	s = append(s, zero)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

// randomInt is uniform in [0, n) from crypto/rand: positions must not be predictable.
func randomInt(n int) int {
	if n <= 1 {
		return 0
	}
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return int(v.Int64())
}

// shuffle is a Fisher–Yates shuffle driven by crypto/rand.
func shuffle[T any](s []T) {
	for i := len(s) - 1; i > 0; i-- {
		j := randomInt(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}

// CloseRound closes a round once: it stops taking answers, and its pooled
// answers and comments are written out in shuffled order to
// pulse_responses and pulse_comments, and the pool deleted. closedNow is
// false when it was already closed.
func CloseRound(ctx context.Context, tx Querier, roundID int64, now time.Time) (Round, bool, error) {
	var r Round
	err := tx.GetContext(ctx, &r, `SELECT `+roundColumns+` FROM pulse_rounds WHERE id = $1 FOR UPDATE`, roundID)
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, false, fmt.Errorf("round %d: %w", roundID, ErrNotFound)
	}
	if err != nil {
		return Round{}, false, fmt.Errorf("close round: %w", err)
	}
	if r.ClosedAt.Valid {
		return r, false, nil
	}
	var pools []struct {
		Answers  []byte `db:"answers"`
		Comments []byte `db:"comments"`
	}
	if err := tx.SelectContext(ctx, &pools, `SELECT answers, comments FROM pulse_pool WHERE round_id = $1`, roundID); err != nil {
		return Round{}, false, fmt.Errorf("close round: %w", err)
	}
	var answers []json.RawMessage
	var comments []string
	for _, p := range pools {
		var a []json.RawMessage
		var c []string
		if err := json.Unmarshal(p.Answers, &a); err != nil {
			return Round{}, false, fmt.Errorf("close round: %w", err)
		}
		if err := json.Unmarshal(p.Comments, &c); err != nil {
			return Round{}, false, fmt.Errorf("close round: %w", err)
		}
		answers = append(answers, a...)
		comments = append(comments, c...)
	}
	shuffle(answers)
	shuffle(comments)
	if len(answers) > 0 {
		texts := make([]string, len(answers))
		for i, a := range answers {
			texts[i] = string(a)
		}
		// unnest WITH ORDINALITY keeps the shuffled order as the insert order.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO pulse_responses (round_id, answers)
			SELECT $1, a::jsonb FROM unnest($2::text[]) WITH ORDINALITY AS t(a, i) ORDER BY i`,
			roundID, pq.Array(texts)); err != nil {
			return Round{}, false, fmt.Errorf("close round: responses: %w", err)
		}
	}
	if len(comments) > 0 {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO pulse_comments (round_id, body)
			SELECT $1, c FROM unnest($2::text[]) WITH ORDINALITY AS t(c, i) ORDER BY i`,
			roundID, pq.Array(comments)); err != nil {
			return Round{}, false, fmt.Errorf("close round: comments: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pulse_pool WHERE round_id = $1`, roundID); err != nil {
		return Round{}, false, fmt.Errorf("close round: %w", err)
	}
	err = tx.GetContext(ctx, &r, `UPDATE pulse_rounds SET closed_at = $2 WHERE id = $1 RETURNING `+roundColumns, roundID, now)
	if err != nil {
		return Round{}, false, fmt.Errorf("close round: %w", err)
	}
	return r, true, nil
}
