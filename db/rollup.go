package db

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/hearth-oss/hearth/db/stats"
)

// RollupGroup is one group in an organization roll-up: a team, or the
// whole organization (Team nil).
type RollupGroup struct {
	Team *Team
	// Suppressed groups carry no numbers at all.
	Suppressed bool
	// Respondents is the number of distinct people who answered in the period.
	Respondents int
	// Favourable is the share of favourable answers to all agree5 questions.
	Favourable stats.Interval
	people     map[string]bool
	answers    []int // 1 favourable, 0 not, one per agree5 answer
}

// Rollup is an organization view for admins over rounds closed since a time.
type Rollup struct {
	Since  time.Time
	K      int
	Org    RollupGroup
	Teams  []RollupGroup
	Hidden int // how many teams were suppressed (a count of teams, not people)
}

// OrgRollup summarizes every team's rounds closed since since, and the
// organization as a whole, for admins. Teams below k are suppressed, and
// more are suppressed until no hidden group could be recovered by
// subtraction: the people not covered by shown teams are either none or at
// least k, and no two shown groups differ by fewer than k people. k is the
// largest minimum group size of any team (at least the default).
func (d *DB) OrgRollup(ctx context.Context, since time.Time) (Rollup, error) {
	teams, err := d.Teams(ctx)
	if err != nil {
		return Rollup{}, err
	}
	r := Rollup{Since: since, K: DefaultMinGroup, Org: RollupGroup{people: map[string]bool{}}}
	for _, t := range teams {
		r.K = max(r.K, t.MinGroup)
	}
	for i := range teams {
		g, err := d.rollupGroup(ctx, &teams[i], since)
		if err != nil {
			return Rollup{}, err
		}
		for p := range g.people {
			r.Org.people[p] = true
		}
		r.Org.answers = append(r.Org.answers, g.answers...)
		g.Suppressed = len(g.people) < r.K
		r.Teams = append(r.Teams, g)
	}
	suppressForSubtraction(&r)
	finish := func(g *RollupGroup) {
		if g.Suppressed {
			*g = RollupGroup{Team: g.Team, Suppressed: true}
			return
		}
		g.Respondents = len(g.people)
		fav := 0
		for _, a := range g.answers {
			fav += a
		}
		g.Favourable = stats.Wilson(fav, len(g.answers), stats.DefaultConfidence)
		g.people, g.answers = nil, nil
	}
	r.Org.Suppressed = len(r.Org.people) < r.K
	finish(&r.Org)
	for i := range r.Teams {
		if r.Teams[i].Suppressed {
			r.Hidden++
		}
		finish(&r.Teams[i])
	}
	return r, nil
}

// suppressForSubtraction hides more teams until no hidden group is
// recoverable: it repeatedly hides the smallest shown team while the
// people outside every shown team number between 1 and k−1, or while a
// shown team differs from the organization or another shown team by fewer
// than k people.
func suppressForSubtraction(r *Rollup) {
	for {
		var shown []*RollupGroup
		for i := range r.Teams {
			if !r.Teams[i].Suppressed {
				shown = append(shown, &r.Teams[i])
			}
		}
		if len(shown) == 0 {
			return
		}
		covered := map[string]bool{}
		for _, g := range shown {
			for p := range g.people {
				covered[p] = true
			}
		}
		outside := 0
		for p := range r.Org.people {
			if !covered[p] {
				outside++
			}
		}
		risky := outside > 0 && outside < r.K
		for i, a := range shown {
			if d := symmetricDifference(a.people, r.Org.people); d > 0 && d < r.K {
				risky = true
			}
			for _, b := range shown[i+1:] {
				if d := symmetricDifference(a.people, b.people); d > 0 && d < r.K {
					risky = true
				}
			}
		}
		if !risky {
			return
		}
		smallest := slices.MinFunc(shown, func(a, b *RollupGroup) int { return len(a.people) - len(b.people) })
		smallest.Suppressed = true
	}
}

func symmetricDifference(a, b map[string]bool) int {
	n := 0
	for p := range a {
		if !b[p] {
			n++
		}
	}
	for p := range b {
		if !a[p] {
			n++
		}
	}
	return n
}

func (d *DB) rollupGroup(ctx context.Context, t *Team, since time.Time) (RollupGroup, error) {
	g := RollupGroup{Team: t, people: map[string]bool{}}
	var rounds []Round
	if err := d.SelectContext(ctx, &rounds, `SELECT `+roundColumns+` FROM pulse_rounds WHERE team_id = $1 AND closed_at >= $2`, t.ID, since); err != nil {
		return g, fmt.Errorf("rollup: %w", err)
	}
	if len(rounds) == 0 {
		return g, nil
	}
	ids := make([]int64, len(rounds))
	higher := map[string]bool{}
	for i, r := range rounds {
		ids[i] = r.ID
		for _, q := range r.Questions {
			if q.Scale == "agree5" {
				higher[q.Key] = q.HigherIsBetter
			}
		}
	}
	var people []string
	if err := d.SelectContext(ctx, &people, `SELECT DISTINCT user_id FROM pulse_recipients WHERE answered AND round_id = ANY($1)`, pq.Array(ids)); err != nil {
		return g, fmt.Errorf("rollup: %w", err)
	}
	for _, p := range people {
		g.people[p] = true
	}
	var rows [][]byte
	if err := d.SelectContext(ctx, &rows, `SELECT answers FROM pulse_responses WHERE round_id = ANY($1)`, pq.Array(ids)); err != nil {
		return g, fmt.Errorf("rollup: %w", err)
	}
	for _, raw := range rows {
		var a map[string]int
		if err := json.Unmarshal(raw, &a); err != nil {
			return g, fmt.Errorf("rollup: %w", err)
		}
		for k, v := range a {
			hib, ok := higher[k]
			if !ok {
				continue
			}
			fav := 0
			if (hib && v >= favourableAgree) || (!hib && v <= 6-favourableAgree) {
				fav = 1
			}
			g.answers = append(g.answers, fav)
		}
	}
	return g, nil
}
