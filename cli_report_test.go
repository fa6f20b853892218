package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
)

// seedClosedRound gives a team one closed round in which `answered` of 8 people answered.
func seedClosedRound(t *testing.T, store *db.DB, channel string, answered int) {
	t.Helper()
	ctx := context.Background()
	team, err := store.AddTeam(ctx, db.NewTeam{ChannelID: channel, SummaryChannelID: channel + "MGR", Schedule: "CRON_TZ=America/Denver 0 10 * * FRI"})
	if err != nil {
		t.Fatal(err)
	}
	people := make([]string, 8)
	for i := range people {
		people[i] = fmt.Sprintf("U%s%d", channel, i)
	}
	now := time.Now().Add(-time.Hour)
	q := []db.RoundQuestion{{Key: "energy", Theme: "wellness", Text: "I had energy for my work.", Scale: "agree5", Min: 1, Max: 5, HigherIsBetter: true}}
	var round db.Round
	err = store.WithTx(ctx, func(tx *sqlx.Tx) error {
		round, _, err = db.OpenRound(ctx, tx, db.NewRound{TeamID: team.ID, ScheduledFor: now, Now: now, OpenFor: team.OpenFor(),
			Recipients: people, Questions: func(int) []db.RoundQuestion { return q }})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range answered {
		if err := store.SubmitAnswers(ctx, round.ID, people[i], map[string]int{"energy": 2 + i%4}, "", now); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.WithTx(ctx, func(tx *sqlx.Tx) error { _, _, err := db.CloseRound(ctx, tx, round.ID, time.Now()); return err }); err != nil {
		t.Fatal(err)
	}
}

func TestReportCLI(t *testing.T) {
	t.Parallel()
	url := dbtest.NewURL(t)
	vars := env(map[string]string{"DATABASE_URL": url})
	ctx := context.Background()
	if err := run(ctx, []string{"migrate"}, vars, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	seedClosedRound(t, store, "CBIG", 6)
	seedClosedRound(t, store, "CSMALL", 3)

	report := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append([]string{"report"}, args...), vars, &out, io.Discard); err != nil {
			t.Fatalf("report %v: %v", args, err)
		}
		return out.String()
	}
	if text := report("--team", "CBIG"); !strings.Contains(text, "6 of 8 people answered") || !strings.Contains(text, "out of 5") {
		t.Errorf("text report:\n%s", text)
	}
	if text := report("--team", "CSMALL"); !strings.Contains(text, "Not enough responses") || strings.Contains(text, "3 of 8") || strings.Contains(text, "out of 5") {
		t.Errorf("report below k shows numbers:\n%s", text)
	}
	var records []map[string]any
	if err := json.Unmarshal([]byte(report("--team", "CSMALL", "--format", "json")), &records); err != nil || len(records) != 1 {
		t.Fatalf("json: %v %v", records, err)
	}
	if _, ok := records[0]["respondents"]; ok || records[0]["enough_responses"] != false {
		t.Errorf("json below k: %v", records[0])
	}
	if csv := report("--team", "CBIG", "--format", "csv"); !strings.Contains(csv, "CBIG,1,") || !strings.Contains(csv, ",6,energy,wellness,") {
		t.Errorf("csv:\n%s", csv)
	}
	org := report("--org")
	if !strings.Contains(org, "organization  9") || strings.Count(org, "hidden to protect anonymity") != 2 {
		t.Errorf("org report (the small team is hidden, so the big one must be too: org − big = small):\n%s", org)
	}
	for _, args := range [][]string{{"--team", "#big"}, {"--team", "CBIG", "--format", "xml"}, {"--org", "--team", "CBIG"}, {"--team", "CNONE"}} {
		err := run(ctx, append([]string{"report"}, args...), vars, io.Discard, io.Discard)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("report %v: %v, want a usage error", args, err)
		}
	}
}
