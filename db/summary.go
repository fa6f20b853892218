package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/hearth-oss/hearth/db/stats"
)

// The anonymity rules for what leaves this package. Every aggregate is
// computed here and returned only when at least the team's k distinct
// people contributed to it; below that, the caller gets a flag and no
// number — not a mean, a distribution, a count of respondents or a change.
const (
	// MaxPooledRounds is how many rounds a small team's summary may pool.
	MaxPooledRounds = 4
	// MinComments is how many comments a summary needs before any is shown.
	MinComments = 3
	// LowParticipation is the share of members below which results may
	// not represent the team.
	LowParticipation = 0.6
	// favourableAgree is the lowest agree5 answer that counts as favourable
	// (for reverse-keyed questions, the highest that does is 6 − this).
	favourableAgree = 4
)

// Summary is what a team's managers may see about a period.
type Summary struct {
	Team Team
	// Round is the round whose close produced this summary.
	Round Round
	// Rounds are the rounds pooled into it: one, or several for a small team.
	Rounds      []Round
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Members is how many people were asked (the largest round in the pool).
	Members int
	// Enough is true when at least Team.MinGroup distinct people answered.
	Enough bool
	// Respondents is the number of distinct people who answered; 0 unless Enough.
	Respondents int
	// LowParticipation flags results that may not represent the team.
	LowParticipation bool
	// Questions has one entry per question asked in the period, in order; empty unless Enough.
	Questions []QuestionSummary
	// Comments are shown only when Enough and at least MinComments were left: shuffled, undated.
	Comments []string
	Kudos    KudosSummary
}

// Pooled reports whether the summary spans several rounds.
func (s Summary) Pooled() bool { return len(s.Rounds) > 1 }

// QuestionSummary is one question's aggregate. When Suppressed, every
// number is zero: too few people answered this question in the period.
type QuestionSummary struct {
	Question   RoundQuestion
	Suppressed bool
	// Mean is the average answer with its range (agree5 and enps11).
	Mean stats.Interval
	// Distribution counts answers per scale point, Min first.
	Distribution []int
	// Favourable is the share of favourable answers (agree5 only).
	Favourable stats.Interval
	// ENPS is set for the eNPS question.
	ENPS *stats.ENPSResult
	// Change compares Mean with the previous published period that showed
	// this question; nil when there is none.
	Change *stats.ChangeVerdict
}

// KudosSummary is the team's recognition in the period: never a ranking.
type KudosSummary struct {
	Count            int
	Values           []ValueCount
	PeopleRecognized int
}

// RoundSummary computes the summary published when roundID closed. A small
// team's rounds are pooled (up to MaxPooledRounds, never a round already in
// an earlier summary) until k distinct people answered; the rounds pooled
// into a published summary are marked, so each answer counts in at most
// one published summary and summaries cannot be subtracted from each other.
func (d *DB) RoundSummary(ctx context.Context, roundID int64) (Summary, error) {
	var s Summary
	err := d.WithTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		s, err = roundSummary(ctx, tx, roundID)
		return err
	})
	return s, err
}

func roundSummary(ctx context.Context, tx *sqlx.Tx, roundID int64) (Summary, error) {
	var round Round
	if err := tx.GetContext(ctx, &round, `SELECT `+roundColumns+` FROM pulse_rounds WHERE id = $1 FOR UPDATE`, roundID); err != nil {
		return Summary{}, fmt.Errorf("summary of round %d: %w", roundID, err)
	}
	if !round.ClosedAt.Valid {
		return Summary{}, fmt.Errorf("summary of round %d: %w", roundID, ErrRoundOpen)
	}
	var team Team
	if err := tx.GetContext(ctx, &team, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, round.TeamID); err != nil {
		return Summary{}, fmt.Errorf("summary of round %d: team: %w", roundID, err)
	}
	// The pool: this round and the team's latest earlier closed rounds not
	// yet in a published summary, newest first.
	var pool []Round
	err := tx.SelectContext(ctx, &pool, `SELECT `+roundColumns+` FROM pulse_rounds
		WHERE team_id = $1 AND number <= $2 AND closed_at IS NOT NULL AND (summarized_in IS NULL OR summarized_in = $3)
		ORDER BY number DESC LIMIT $4`, team.ID, round.Number, round.ID, MaxPooledRounds)
	if err != nil {
		return Summary{}, fmt.Errorf("summary: pool: %w", err)
	}
	if len(pool) == 0 || pool[0].ID != round.ID {
		// This round's answers were already counted in a later summary.
		return Summary{Team: team, Round: round, Rounds: []Round{round}, PeriodStart: round.OpenedAt,
			PeriodEnd: round.ClosedAt.Time, Members: round.MemberCount}, nil
	}
	// Only consecutive rounds pool: stop at the first gap (a round already published).
	for i := 1; i < len(pool); i++ {
		if pool[i].Number != pool[i-1].Number-1 {
			pool = pool[:i]
			break
		}
	}
	slices.Reverse(pool)
	ids := make([]int64, len(pool))
	for i, r := range pool {
		ids[i] = r.ID
	}
	s := Summary{Team: team, Round: round, Rounds: pool, PeriodStart: pool[0].OpenedAt, PeriodEnd: round.ClosedAt.Time}
	for _, r := range pool {
		s.Members = max(s.Members, r.MemberCount)
	}
	respondents, err := distinctRespondents(ctx, tx, ids)
	if err != nil {
		return Summary{}, err
	}
	// Kudos count from where the last round left off, so none given
	// between rounds is missed.
	kudosFrom := s.PeriodStart
	var previousClose sql.NullTime
	if err := tx.GetContext(ctx, &previousClose, `SELECT max(closed_at) FROM pulse_rounds WHERE team_id = $1 AND number < $2`,
		team.ID, pool[0].Number); err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	if previousClose.Valid && previousClose.Time.Before(kudosFrom) {
		kudosFrom = previousClose.Time
	}
	if s.Kudos, err = teamKudos(ctx, tx, ids, kudosFrom, s.PeriodEnd); err != nil {
		return Summary{}, err
	}
	if respondents < team.MinGroup {
		// Not enough yet: nothing about answers leaves, not even the count.
		// The rounds stay unmarked so a later round can pool them.
		s.Rounds = []Round{round}
		s.PeriodStart = round.OpenedAt
		return s, nil
	}
	s.Enough = true
	s.Respondents = respondents
	s.LowParticipation = s.Members > 0 && float64(respondents)/float64(s.Members) < LowParticipation
	if _, err := tx.ExecContext(ctx, `UPDATE pulse_rounds SET summarized_in = $1 WHERE id = ANY($2)`, round.ID, pq.Array(ids)); err != nil {
		return Summary{}, fmt.Errorf("summary: mark pooled rounds: %w", err)
	}
	population := 0 // pooled answers may repeat people: no finite-population correction
	if len(pool) == 1 {
		population = round.MemberCount
	}
	answers, err := pooledAnswers(ctx, tx, ids)
	if err != nil {
		return Summary{}, err
	}
	for _, q := range questionsOf(pool) {
		asked := roundsAsking(pool, q.Key)
		n, err := distinctRespondents(ctx, tx, asked)
		if err != nil {
			return Summary{}, err
		}
		qs := QuestionSummary{Question: q, Suppressed: n < team.MinGroup}
		if !qs.Suppressed {
			pop := population
			if len(asked) > 1 {
				pop = 0
			}
			qs = aggregate(q, answers[q.Key], pop)
			previous, err := previousSummaryRounds(ctx, tx, team.ID, pool[0].Number, q.Key)
			if err != nil {
				return Summary{}, err
			}
			if prev, ok, err := previousQuestion(ctx, tx, previous, q, team.MinGroup); err != nil {
				return Summary{}, err
			} else if ok {
				change := stats.Change(prev, qs.Mean, q.MeaningfulChange)
				qs.Change = &change
			}
		}
		s.Questions = append(s.Questions, qs)
	}
	comments, err := pooledComments(ctx, tx, ids)
	if err != nil {
		return Summary{}, err
	}
	if len(comments) >= MinComments {
		shuffle(comments)
		s.Comments = comments
	}
	return s, nil
}

// aggregate computes one question's numbers from its answers.
func aggregate(q RoundQuestion, values []int, population int) QuestionSummary {
	scale := stats.Scale{Min: q.Min, Max: q.Max}
	qs := QuestionSummary{
		Question:     q,
		Mean:         stats.MeanInterval(values, scale, population, stats.DefaultConfidence),
		Distribution: stats.Distribution(values, q.Min, q.Max),
	}
	if q.Scale == "enps11" {
		e := stats.ENPS(values, population, stats.DefaultConfidence)
		qs.ENPS = &e
		return qs
	}
	favourable := 0
	for _, v := range values {
		if (q.HigherIsBetter && v >= favourableAgree) || (!q.HigherIsBetter && v <= q.Max+q.Min-favourableAgree) {
			favourable++
		}
	}
	if population > 0 {
		qs.Favourable = stats.WilsonFinite(favourable, len(values), population, stats.DefaultConfidence)
	} else {
		qs.Favourable = stats.Wilson(favourable, len(values), stats.DefaultConfidence)
	}
	return qs
}

// questionsOf lists the distinct questions asked across rounds, in order.
func questionsOf(rounds []Round) []RoundQuestion {
	var qs []RoundQuestion
	seen := map[string]bool{}
	for _, r := range rounds {
		for _, q := range r.Questions {
			if !seen[q.Key] {
				seen[q.Key] = true
				qs = append(qs, q)
			}
		}
	}
	return qs
}

func roundsAsking(rounds []Round, key string) []int64 {
	var ids []int64
	for _, r := range rounds {
		if slices.ContainsFunc(r.Questions, func(q RoundQuestion) bool { return q.Key == key }) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

func distinctRespondents(ctx context.Context, q Querier, roundIDs []int64) (int, error) {
	var n int
	if err := q.GetContext(ctx, &n, `SELECT count(DISTINCT user_id) FROM pulse_recipients WHERE answered AND round_id = ANY($1)`, pq.Array(roundIDs)); err != nil {
		return 0, fmt.Errorf("count respondents: %w", err)
	}
	return n, nil
}

// pooledAnswers collects the answers of rounds per question key.
func pooledAnswers(ctx context.Context, q Querier, roundIDs []int64) (map[string][]int, error) {
	var rows [][]byte
	if err := q.SelectContext(ctx, &rows, `SELECT answers FROM pulse_responses WHERE round_id = ANY($1)`, pq.Array(roundIDs)); err != nil {
		return nil, fmt.Errorf("read responses: %w", err)
	}
	out := map[string][]int{}
	for _, raw := range rows {
		var a map[string]int
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("read responses: %w", err)
		}
		for k, v := range a {
			out[k] = append(out[k], v)
		}
	}
	return out, nil
}

func pooledComments(ctx context.Context, q Querier, roundIDs []int64) ([]string, error) {
	var cs []string
	if err := q.SelectContext(ctx, &cs, `SELECT body FROM pulse_comments WHERE round_id = ANY($1)`, pq.Array(roundIDs)); err != nil {
		return nil, fmt.Errorf("read comments: %w", err)
	}
	return cs, nil
}

// previousSummaryRounds returns the rounds pooled into the team's latest
// published summary before round number `before` that asked the question
// key: the previous comparable period (questions rotate, so it is often
// not last week's).
func previousSummaryRounds(ctx context.Context, q Querier, teamID int64, before int, key string) ([]Round, error) {
	var rs []Round
	asked, err := json.Marshal([]map[string]string{{"key": key}})
	if err != nil {
		return nil, fmt.Errorf("previous summary: %w", err)
	}
	err = q.SelectContext(ctx, &rs, `SELECT `+roundColumns+` FROM pulse_rounds WHERE summarized_in = (
			SELECT summarized_in FROM pulse_rounds WHERE team_id = $1 AND number < $2 AND summarized_in IS NOT NULL
			  AND questions @> $3::jsonb
			ORDER BY number DESC LIMIT 1)
		ORDER BY number`, teamID, before, asked)
	if err != nil {
		return nil, fmt.Errorf("previous summary: %w", err)
	}
	return rs, nil
}

// previousQuestion recomputes a question's mean in the previous published
// period, if it was asked and shown there (≥ k people answered it).
func previousQuestion(ctx context.Context, q Querier, previous []Round, question RoundQuestion, k int) (stats.Interval, bool, error) {
	asked := roundsAsking(previous, question.Key)
	if len(asked) == 0 {
		return stats.Interval{}, false, nil
	}
	n, err := distinctRespondents(ctx, q, asked)
	if err != nil || n < k {
		return stats.Interval{}, false, err
	}
	answers, err := pooledAnswers(ctx, q, asked)
	if err != nil {
		return stats.Interval{}, false, err
	}
	population := 0
	if len(asked) == 1 {
		population = previous[slices.IndexFunc(previous, func(r Round) bool { return r.ID == asked[0] })].MemberCount
	}
	iv := stats.MeanInterval(answers[question.Key], stats.Scale{Min: question.Min, Max: question.Max}, population, stats.DefaultConfidence)
	return iv, true, nil
}

// teamKudos summarizes live kudos received in the period by the people asked in the rounds.
func teamKudos(ctx context.Context, q Querier, roundIDs []int64, from, to time.Time) (KudosSummary, error) {
	var ks KudosSummary
	const members = `SELECT DISTINCT user_id FROM pulse_recipients WHERE round_id = ANY($1)`
	err := q.GetContext(ctx, &ks.Count, `SELECT count(DISTINCT k.id) FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id
		WHERE k.revoked_at IS NULL AND k.created_at >= $2 AND k.created_at < $3 AND r.recipient_id IN (`+members+`)`,
		pq.Array(roundIDs), from, to)
	if err != nil {
		return ks, fmt.Errorf("team kudos: %w", err)
	}
	err = q.GetContext(ctx, &ks.PeopleRecognized, `SELECT count(DISTINCT r.recipient_id) FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id
		WHERE k.revoked_at IS NULL AND k.created_at >= $2 AND k.created_at < $3 AND r.recipient_id IN (`+members+`)`,
		pq.Array(roundIDs), from, to)
	if err != nil {
		return ks, fmt.Errorf("team kudos: %w", err)
	}
	err = q.SelectContext(ctx, &ks.Values, `SELECT k.value, count(DISTINCT k.id) AS n FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id
		WHERE k.revoked_at IS NULL AND k.value <> '' AND k.created_at >= $2 AND k.created_at < $3 AND r.recipient_id IN (`+members+`)
		GROUP BY k.value ORDER BY n DESC, k.value`, pq.Array(roundIDs), from, to)
	if err != nil {
		return ks, fmt.Errorf("team kudos: %w", err)
	}
	return ks, nil
}

// SummaryPosted reports whether the round's summary was already posted.
func (d *DB) SummaryPosted(ctx context.Context, roundID int64) (bool, error) {
	var posted bool
	if err := d.GetContext(ctx, &posted, `SELECT summary_posted_at IS NOT NULL FROM pulse_rounds WHERE id = $1`, roundID); err != nil {
		return false, fmt.Errorf("summary posted: %w", err)
	}
	return posted, nil
}

// MarkSummaryPosted records that the round's summary was posted.
func (d *DB) MarkSummaryPosted(ctx context.Context, roundID int64, at time.Time) error {
	if _, err := d.ExecContext(ctx, `UPDATE pulse_rounds SET summary_posted_at = $2 WHERE id = $1 AND summary_posted_at IS NULL`, roundID, at); err != nil {
		return fmt.Errorf("mark summary posted: %w", err)
	}
	return nil
}

// LatestSummaryRound returns the team's latest closed round whose summary
// was posted, or ErrNotFound.
func (d *DB) LatestSummaryRound(ctx context.Context, teamID int64) (Round, error) {
	var r Round
	err := d.GetContext(ctx, &r, `SELECT `+roundColumns+` FROM pulse_rounds
		WHERE team_id = $1 AND summary_posted_at IS NOT NULL ORDER BY number DESC LIMIT 1`, teamID)
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, fmt.Errorf("posted summaries of team %d: %w", teamID, ErrNotFound)
	}
	if err != nil {
		return Round{}, fmt.Errorf("latest summary: %w", err)
	}
	return r, nil
}

// LatestClosedRounds returns the ids of the team's latest n closed rounds, newest first.
func (d *DB) LatestClosedRounds(ctx context.Context, teamID int64, n int) ([]int64, error) {
	var ids []int64
	if err := d.SelectContext(ctx, &ids, `SELECT id FROM pulse_rounds WHERE team_id = $1 AND closed_at IS NOT NULL ORDER BY number DESC LIMIT $2`, teamID, n); err != nil {
		return nil, fmt.Errorf("latest closed rounds: %w", err)
	}
	return ids, nil
}
