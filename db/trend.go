package db

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hearth-oss/hearth/db/stats"
)

// TrendGroups are the key scores on a team's trend chart: the share of
// favourable answers to the questions of each group of themes.
var TrendGroups = []TrendGroup{
	{Label: "Wellbeing", Themes: []string{"wellness", "workload", "control", "care_strain", "safety"}},
	{Label: "Engagement", Themes: []string{"engagement", "recognition", "growth", "being_known", "meaning", "community", "fairness", "values", "service"}},
}

// TrendGroup is a named set of question themes.
type TrendGroup struct {
	Label  string
	Themes []string
}

// TrendPoint is one period on a team's trend: a published summary, or a
// closed round that was not (Missing: too few answers, nothing shown).
type TrendPoint struct {
	PeriodEnd time.Time
	Missing   bool
	// Favourable has one share (0–1) per TrendGroups entry; NaN-free, and
	// Shown[i] false where fewer than k people answered that group's questions.
	Favourable []stats.Interval
	Shown      []bool
}

// TeamTrend returns the team's trend over its last n closed rounds, oldest
// first: one point per published summary (at its last round), one Missing
// point per closed round that was never published. Every shown share was
// computed over at least k distinct people.
func (d *DB) TeamTrend(ctx context.Context, teamID int64, n int) ([]TrendPoint, error) {
	team, err := d.Team(ctx, teamID)
	if err != nil {
		return nil, err
	}
	var rounds []struct {
		Round
		SummarizedIn *int64 `db:"summarized_in"`
	}
	if err := d.SelectContext(ctx, &rounds, `SELECT `+roundColumns+`, summarized_in FROM pulse_rounds
		WHERE team_id = $1 AND closed_at IS NOT NULL ORDER BY number DESC LIMIT $2`, teamID, n); err != nil {
		return nil, fmt.Errorf("team trend: %w", err)
	}
	slices.Reverse(rounds)
	var points []TrendPoint
	for _, r := range rounds {
		switch {
		case r.SummarizedIn == nil:
			points = append(points, TrendPoint{PeriodEnd: r.ClosedAt.Time, Missing: true})
		case *r.SummarizedIn == r.ID:
			var pool []Round
			if err := d.SelectContext(ctx, &pool, `SELECT `+roundColumns+` FROM pulse_rounds WHERE summarized_in = $1 ORDER BY number`, r.ID); err != nil {
				return nil, fmt.Errorf("team trend: %w", err)
			}
			p, err := d.trendPoint(ctx, team, pool)
			if err != nil {
				return nil, err
			}
			p.PeriodEnd = r.ClosedAt.Time
			points = append(points, p)
		}
		// A round pooled into a later summary is part of that later point.
	}
	return points, nil
}

func (d *DB) trendPoint(ctx context.Context, team Team, pool []Round) (TrendPoint, error) {
	p := TrendPoint{Favourable: make([]stats.Interval, len(TrendGroups)), Shown: make([]bool, len(TrendGroups))}
	for gi, g := range TrendGroups {
		var asked []int64
		keys := map[string]RoundQuestion{}
		for _, r := range pool {
			for _, q := range r.Questions {
				if q.Scale == "agree5" && slices.Contains(g.Themes, q.Theme) {
					keys[q.Key] = q
					if !slices.Contains(asked, r.ID) {
						asked = append(asked, r.ID)
					}
				}
			}
		}
		if len(asked) == 0 {
			continue
		}
		people, err := distinctRespondents(ctx, d, asked)
		if err != nil {
			return p, err
		}
		if people < team.MinGroup {
			continue
		}
		answers, err := pooledAnswers(ctx, d, asked)
		if err != nil {
			return p, err
		}
		fav, total := 0, 0
		for key, q := range keys {
			for _, v := range answers[key] {
				total++
				if (q.HigherIsBetter && v >= favourableAgree) || (!q.HigherIsBetter && v <= q.Max+q.Min-favourableAgree) {
					fav++
				}
			}
		}
		p.Favourable[gi] = stats.Wilson(fav, total, stats.DefaultConfidence)
		p.Shown[gi] = true
	}
	return p, nil
}
