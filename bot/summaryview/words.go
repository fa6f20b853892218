package summaryview

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/questionbank"
	"github.com/hearth-oss/hearth/db/stats"
)

// DefaultSupport is shown under every summary unless the organization sets its own.
const DefaultSupport = "If you or someone on your team is struggling, your Employee Assistance Program is free and confidential. " +
	"In a crisis in the US, call or text 988 (Suicide & Crisis Lifeline)."

// Options are the organization's words and the question bank's tips.
type Options struct {
	// Support is the organization's support resources, shown to every team.
	Support string
	// Bank provides the "what you could try this week" tips by theme.
	Bank *questionbank.Bank
	// Location formats dates (the team's time zone); nil means UTC.
	Location *time.Location
}

func (o Options) support() string {
	if strings.TrimSpace(o.Support) != "" {
		return o.Support
	}
	return DefaultSupport
}

func (o Options) loc() *time.Location {
	if o.Location != nil {
		return o.Location
	}
	return time.UTC
}

// Period words the summary's time span.
func Period(s db.Summary, o Options) string {
	from, to := s.PeriodStart.In(o.loc()), s.PeriodEnd.In(o.loc())
	if from.Year() != to.Year() {
		return from.Format("Jan 2, 2006") + " – " + to.Format("Jan 2, 2006")
	}
	return from.Format("Jan 2") + " – " + to.Format("Jan 2, 2006")
}

// Participation words how many answered, or that too few did.
func Participation(s db.Summary) string {
	if !s.Enough {
		return fmt.Sprintf("Not enough responses to protect anonymity: Hearth shows results only when at least %d people have answered. "+
			"Answers are kept and will count towards a later summary.", s.Team.MinGroup)
	}
	text := fmt.Sprintf("%d of %d people answered (%d%%).", s.Respondents, s.Members, percent(float64(s.Respondents)/float64(max(s.Members, 1))))
	if s.LowParticipation {
		text += " Fewer than 60% answered, so these results may not represent the whole team."
	}
	return text
}

// Pooling explains a small team's pooled summary.
func Pooling(s db.Summary) string {
	if !s.Pooled() {
		return ""
	}
	return fmt.Sprintf("Pooled over the last %d rounds: single weeks in a small team rarely reach %d answers.", len(s.Rounds), s.Team.MinGroup)
}

func percent(v float64) int { return int(math.Round(v * 100)) }

// Score words a question's result on one line.
func Score(q db.QuestionSummary) string {
	if q.Suppressed {
		return "Not enough responses to this question to protect anonymity."
	}
	if q.ENPS != nil {
		e := q.ENPS
		return fmt.Sprintf("eNPS %s — %d promoters (9–10), %d passives (7–8), %d detractors (0–6)",
			stats.DescribeRange(e.Interval, 0), e.Promoters, e.Passives, e.Detractors)
	}
	text := fmt.Sprintf("%s out of %d", stats.DescribeRange(q.Mean, 1), q.Question.Max)
	agree := "agree"
	if !q.Question.HigherIsBetter {
		agree = "disagree (the good answer here)"
	}
	text += fmt.Sprintf(" · %d%% %s", percent(q.Favourable.Estimate), agree)
	return text
}

// Change words the change from the previous period, or "".
func Change(q db.QuestionSummary) string {
	if q.Suppressed || q.Change == nil {
		return ""
	}
	return stats.DescribeChange(*q.Change, 1) + " since it was last asked"
}

// Bars draws a distribution as a compact row of block characters.
func Bars(dist []int) string {
	levels := []rune("▁▂▃▄▅▆▇█")
	top := 0
	for _, n := range dist {
		top = max(top, n)
	}
	var sb strings.Builder
	for _, n := range dist {
		if n == 0 || top == 0 {
			sb.WriteRune('·')
			continue
		}
		sb.WriteRune(levels[(n*(len(levels)-1)+top-1)/top])
	}
	return sb.String()
}

// Distribution words a distribution with its scale ends.
func Distribution(q db.QuestionSummary) string {
	if q.Suppressed || len(q.Distribution) == 0 {
		return ""
	}
	low, high := "Strongly disagree", "Strongly agree"
	if q.Question.Scale == "enps11" {
		low, high = "0", "10"
	}
	counts := make([]string, len(q.Distribution))
	for i, n := range q.Distribution {
		counts[i] = fmt.Sprint(n)
	}
	return fmt.Sprintf("%s `%s` %s  (%s)", low, Bars(q.Distribution), high, strings.Join(counts, " · "))
}

// Kudos words the team's recognition in the period: counts, never names.
func Kudos(k db.KudosSummary) string {
	if k.Count == 0 {
		return "No kudos for this team in this period — a good week to notice someone's work."
	}
	text := fmt.Sprintf("%d kudos, %d %s recognized", k.Count, k.PeopleRecognized, pick(k.PeopleRecognized, "person", "people"))
	if len(k.Values) > 0 {
		parts := make([]string, 0, len(k.Values))
		for _, v := range k.Values {
			parts = append(parts, fmt.Sprintf("#%s ×%d", v.Value, v.Count))
		}
		text += " · " + strings.Join(parts, ", ")
	}
	return text + "."
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Tip is the "what you could try this week" pointer, tied to the weakest
// theme — of the team as a whole, never triggered by one person's answer.
func Tip(s db.Summary, o Options) string {
	weakest, found := weakestTheme(s)
	if found && o.Bank != nil {
		if th, ok := o.Bank.Theme(weakest); ok && th.Tip != "" {
			return fmt.Sprintf("%s (%s)", th.Tip, strings.ToLower(th.Label))
		}
	}
	if !s.Enough {
		return "Tell the team what you did with the last results: people answer when they see it matters."
	}
	return "Ask the team, in your next meeting, which one thing would make next week easier — and do it."
}

// weakestTheme is the theme of the shown agreement question with the
// lowest favourable share.
func weakestTheme(s db.Summary) (string, bool) {
	best, theme := 2.0, ""
	for _, q := range s.Questions {
		if q.Suppressed || q.ENPS != nil {
			continue
		}
		if q.Favourable.Estimate < best {
			best, theme = q.Favourable.Estimate, q.Question.Theme
		}
	}
	return theme, theme != ""
}

// Method is the footnote on how to read the numbers.
func Method(s db.Summary) string {
	return fmt.Sprintf("Anonymous: results appear only when at least %d people answered, and never who answered. "+
		"Ranges are 95%% intervals; a change is called notable only when it is bigger than that uncertainty.", s.Team.MinGroup)
}
