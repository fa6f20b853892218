package summaryview

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/hearth-oss/hearth/db"
)

// Record is a summary as data, for JSON. Suppressed numbers are absent, never zero.
type Record struct {
	Team             string           `json:"team"`
	Round            int              `json:"round"`
	PeriodStart      time.Time        `json:"period_start"`
	PeriodEnd        time.Time        `json:"period_end"`
	PooledRounds     int              `json:"pooled_rounds"`
	Members          int              `json:"members"`
	Enough           bool             `json:"enough_responses"`
	Respondents      *int             `json:"respondents,omitempty"`
	LowParticipation bool             `json:"low_participation,omitempty"`
	Questions        []QuestionRecord `json:"questions,omitempty"`
	Comments         []string         `json:"comments,omitempty"`
	Kudos            db.KudosSummary  `json:"kudos"`
}

// QuestionRecord is one question's numbers.
type QuestionRecord struct {
	Key           string   `json:"key"`
	Theme         string   `json:"theme"`
	Text          string   `json:"text"`
	Suppressed    bool     `json:"suppressed,omitempty"`
	Mean          *float64 `json:"mean,omitempty"`
	MeanLow       *float64 `json:"mean_low,omitempty"`
	MeanHigh      *float64 `json:"mean_high,omitempty"`
	Favourable    *float64 `json:"favourable,omitempty"`
	ENPS          *float64 `json:"enps,omitempty"`
	Distribution  []int    `json:"distribution,omitempty"`
	Change        *float64 `json:"change,omitempty"`
	ChangeVerdict string   `json:"change_verdict,omitempty"`
}

// NewRecord converts a summary for export.
func NewRecord(s db.Summary) Record {
	r := Record{Team: s.Team.ChannelID, Round: s.Round.Number, PeriodStart: s.PeriodStart, PeriodEnd: s.PeriodEnd,
		PooledRounds: len(s.Rounds), Members: s.Members, Enough: s.Enough, LowParticipation: s.LowParticipation,
		Comments: s.Comments, Kudos: s.Kudos}
	if !s.Enough {
		return r
	}
	r.Respondents = &s.Respondents
	for _, q := range s.Questions {
		qr := QuestionRecord{Key: q.Question.Key, Theme: q.Question.Theme, Text: q.Question.Text, Suppressed: q.Suppressed}
		if !q.Suppressed {
			qr.Mean, qr.MeanLow, qr.MeanHigh = ptr(q.Mean.Estimate), ptr(q.Mean.Lower), ptr(q.Mean.Upper)
			qr.Distribution = q.Distribution
			if q.ENPS != nil {
				qr.ENPS = ptr(q.ENPS.Score)
			} else {
				qr.Favourable = ptr(q.Favourable.Estimate)
			}
			if q.Change != nil {
				qr.Change, qr.ChangeVerdict = ptr(q.Change.Difference), q.Change.Verdict.String()
			}
		}
		r.Questions = append(r.Questions, qr)
	}
	return r
}

func ptr(v float64) *float64 { return &v }

// JSON writes summaries as a JSON array.
func JSON(w io.Writer, summaries []db.Summary) error {
	records := make([]Record, len(summaries))
	for i, s := range summaries {
		records[i] = NewRecord(s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(records)
}

// CSV writes one row per question and period; suppressed cells are empty.
func CSV(w io.Writer, summaries []db.Summary) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"team", "round", "period_start", "period_end", "pooled_rounds", "members", "respondents",
		"question", "theme", "mean", "mean_low", "mean_high", "favourable", "enps", "change", "change_verdict"}); err != nil {
		return err
	}
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', 3, 64)
	}
	for _, s := range summaries {
		r := NewRecord(s)
		respondents := ""
		if r.Respondents != nil {
			respondents = strconv.Itoa(*r.Respondents)
		}
		base := []string{r.Team, strconv.Itoa(r.Round), r.PeriodStart.Format(time.DateOnly), r.PeriodEnd.Format(time.DateOnly),
			strconv.Itoa(r.PooledRounds), strconv.Itoa(r.Members), respondents}
		if len(r.Questions) == 0 {
			if err := cw.Write(append(base, "", "", "", "", "", "", "", "", "")); err != nil {
				return err
			}
			continue
		}
		for _, q := range r.Questions {
			row := append(append([]string{}, base...), q.Key, q.Theme, num(q.Mean), num(q.MeanLow), num(q.MeanHigh),
				num(q.Favourable), num(q.ENPS), num(q.Change), q.ChangeVerdict)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// RollupJSON writes an organization roll-up; hidden groups carry no numbers.
func RollupJSON(w io.Writer, r db.Rollup) error {
	type group struct {
		Team        string   `json:"team,omitempty"`
		Hidden      bool     `json:"hidden,omitempty"`
		Respondents *int     `json:"respondents,omitempty"`
		Favourable  *float64 `json:"favourable,omitempty"`
		Low         *float64 `json:"favourable_low,omitempty"`
		High        *float64 `json:"favourable_high,omitempty"`
	}
	conv := func(name string, g db.RollupGroup) group {
		if g.Suppressed {
			return group{Team: name, Hidden: true}
		}
		n := g.Respondents
		return group{Team: name, Respondents: &n, Favourable: ptr(g.Favourable.Estimate), Low: ptr(g.Favourable.Lower), High: ptr(g.Favourable.Upper)}
	}
	out := struct {
		Since time.Time `json:"since"`
		K     int       `json:"min_group"`
		Org   group     `json:"organization"`
		Teams []group   `json:"teams"`
	}{Since: r.Since, K: r.K, Org: conv("", r.Org)}
	for _, g := range r.Teams {
		out.Teams = append(out.Teams, conv(g.Team.ChannelID, g))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
