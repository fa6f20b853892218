package summaryview

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/questionbank"
	"github.com/hearth-oss/hearth/db/stats"
)

func sampleSummary(enough bool, comments int) db.Summary {
	team := db.Team{ChannelID: "CNURSES", SummaryChannelID: "CMGR", MinGroup: 5}
	round := db.Round{Number: 7, OpenedAt: time.Date(2026, 11, 6, 17, 0, 0, 0, time.UTC)}
	s := db.Summary{Team: team, Round: round, Rounds: []db.Round{round}, PeriodStart: round.OpenedAt,
		PeriodEnd: round.OpenedAt.Add(72 * time.Hour), Members: 9,
		Kudos: db.KudosSummary{Count: 4, PeopleRecognized: 3, Values: []db.ValueCount{{Value: "care", Count: 3}}}}
	if !enough {
		return s
	}
	s.Enough, s.Respondents = true, 6
	energy := []int{5, 4, 4, 3, 2, 2}
	q := db.RoundQuestion{Key: "energy", Theme: "wellness", Text: "I had the energy my work asked of me.", Scale: "agree5", Min: 1, Max: 5, HigherIsBetter: true}
	change := stats.Change(stats.MeanInterval([]int{2, 2, 3, 2, 2}, stats.Agreement, 9, 0.95), stats.MeanInterval(energy, stats.Agreement, 9, 0.95), 0)
	s.Questions = []db.QuestionSummary{
		{Question: q, Mean: stats.MeanInterval(energy, stats.Agreement, 9, 0.95), Distribution: stats.Distribution(energy, 1, 5),
			Favourable: stats.WilsonFinite(3, 6, 9, 0.95), Change: &change},
		{Question: db.RoundQuestion{Key: "paperwork", Theme: "care_strain", Text: "Paperwork eats into client time.", Scale: "agree5", Min: 1, Max: 5}, Suppressed: true},
	}
	enps := stats.ENPS([]int{10, 9, 8, 6, 3, 7}, 9, 0.95)
	s.Questions = append(s.Questions, db.QuestionSummary{Question: db.RoundQuestion{Key: "enps", Theme: "enps", Text: "Recommend?", Scale: "enps11", Min: 0, Max: 10, HigherIsBetter: true},
		Mean: stats.MeanInterval([]int{10, 9, 8, 6, 3, 7}, stats.Recommend, 9, 0.95), ENPS: &enps, Distribution: stats.Distribution([]int{10, 9, 8, 6, 3, 7}, 0, 10)})
	for i := range comments {
		s.Comments = append(s.Comments, fmt.Sprintf("comment %d <!channel> %s", i, strings.Repeat("long words ", 80)))
	}
	return s
}

func blocksJSON(t *testing.T, m Message) string {
	t.Helper()
	b, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBlocksBelowKShowNoNumbers(t *testing.T) {
	s := sampleSummary(false, 0)
	m := Blocks(s, Options{}, 1)
	text := blocksJSON(t, m)
	if !strings.Contains(text, "Not enough responses to protect anonymity") {
		t.Errorf("suppressed summary lacks the anonymity wording: %s", text)
	}
	if strings.Contains(text, "answered (") || strings.Contains(text, "out of 5") || strings.Contains(m.Fallback, "answered") {
		t.Errorf("suppressed summary shows numbers: %s / %s", text, m.Fallback)
	}
	if !strings.Contains(text, "Employee Assistance Program") {
		t.Errorf("support resources missing")
	}
}

func TestBlocksRespectSlackLimits(t *testing.T) {
	for _, comments := range []int{0, 3, 40, 400} {
		m := Blocks(sampleSummary(true, comments), Options{Bank: questionbank.Default()}, 1)
		if n := len(m.Blocks); n > 49 {
			t.Errorf("%d comments: %d blocks, want ≤ 49 (one reserved)", comments, n)
		}
		raw := blocksJSON(t, m)
		var blocks []map[string]any
		if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
			t.Fatal(err)
		}
		for _, b := range blocks {
			if txt, ok := b["text"].(map[string]any); ok {
				if n := len([]rune(txt["text"].(string))); n > 3000 {
					t.Errorf("section of %d characters", n)
				}
			}
		}
		if strings.Contains(raw, "<!channel>") {
			t.Errorf("a comment can ping the channel")
		}
	}
}

func TestBlocksWordTheResults(t *testing.T) {
	m := Blocks(sampleSummary(true, 3), Options{Bank: questionbank.Default()}, 0)
	text := blocksJSON(t, m)
	for _, want := range []string{
		"6 of 9 people answered (67%)",
		"3.3 (likely between",
		"50% agree",
		"+1.1 (within normal variation) since it was last asked",
		"Not enough responses to this question",
		"eNPS 0 (likely between",
		"2 promoters",
		"4 kudos, 3 people recognized · #care ×3",
		"In their own words",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if !regexp.MustCompile(`One thing you could try this week\*\\n\S`).MatchString(text) {
		t.Errorf("no tip: %s", text)
	}
}

func TestTextAndExports(t *testing.T) {
	s := sampleSummary(true, 3)
	var buf bytes.Buffer
	if err := Text(&buf, s, Options{}); err != nil || !strings.Contains(buf.String(), "6 of 9 people answered") {
		t.Errorf("text: %v %s", err, buf.String())
	}
	buf.Reset()
	hidden := sampleSummary(false, 0)
	if err := JSON(&buf, []db.Summary{s, hidden}); err != nil {
		t.Fatal(err)
	}
	var records []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &records); err != nil {
		t.Fatal(err)
	}
	if _, ok := records[1]["respondents"]; ok {
		t.Errorf("suppressed record carries respondents: %v", records[1])
	}
	buf.Reset()
	if err := CSV(&buf, []db.Summary{s, hidden}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1+3+1 {
		t.Errorf("csv lines = %d:\n%s", len(lines), buf.String())
	}
	if !strings.HasSuffix(lines[len(lines)-1], ",,,,,,,,,") {
		t.Errorf("suppressed csv row has numbers: %s", lines[len(lines)-1])
	}
}
