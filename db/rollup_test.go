package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/db/dbtest"
)

func TestOrgRollupResistsSubtraction(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 6, 17, 0, 0, 0, time.UTC)
	// Three disjoint teams: 8, 6 and 2 respondents.
	big := addTeam(t, store, "CBIG")
	mid := addTeam(t, store, "CMID")
	tiny := addTeam(t, store, "CTINY")
	ids := people(16)
	answerRound(t, store, big, start, ids[0:8], []int{5, 5, 5, 5, 4, 4, 4, 4}, 0)
	answerRound(t, store, mid, start, ids[8:14], []int{3, 3, 3, 3, 3, 3}, 0)
	answerRound(t, store, tiny, start, ids[14:16], []int{1, 1}, 0)

	r, err := store.OrgRollup(ctx, start.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, g := range r.Teams {
		if !g.Suppressed {
			shown[g.Team.ChannelID] = true
		}
		if g.Suppressed && (g.Respondents != 0 || g.Favourable.N != 0) {
			t.Errorf("suppressed team %s carries numbers: %+v", g.Team.ChannelID, g)
		}
	}
	// The tiny team is hidden; org − big − mid would reveal it (2 people),
	// so the next smallest (mid) must be hidden too: org − big = mid+tiny = 8 ≥ k.
	if shown["CTINY"] || shown["CMID"] || !shown["CBIG"] {
		t.Fatalf("shown teams %v, want only CBIG", shown)
	}
	if r.Org.Suppressed || r.Org.Respondents != 16 {
		t.Errorf("org: %+v", r.Org)
	}
	if r.Hidden != 2 {
		t.Errorf("hidden = %d, want 2", r.Hidden)
	}
}

func TestOrgRollupHidesATeamThatIsAlmostTheOrg(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	start := time.Date(2026, 11, 6, 17, 0, 0, 0, time.UTC)
	all := addTeam(t, store, "CALL")
	ids := people(9)
	// Team "CALL" has 9 respondents; a second team is 3 of them plus 1 other.
	other := addTeam(t, store, "COTHER")
	answerRound(t, store, all, start, ids[0:9], []int{4, 4, 4, 4, 4, 4, 4, 4, 4}, 0)
	answerRound(t, store, other, start, append([]string{"UEXTRA"}, ids[0:3]...), []int{2, 2, 2, 2}, 0)
	r, err := store.OrgRollup(context.Background(), start.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Org has 10 people; CALL has 9: they differ by one person, so CALL is hidden.
	for _, g := range r.Teams {
		if !g.Suppressed {
			t.Errorf("team %s shown with %d respondents; it differs from the org by fewer than k", g.Team.ChannelID, g.Respondents)
		}
	}
}
