// Package questionbank holds the questions Hearth asks in its weekly wellness
// pulses: the built-in default bank (default.yaml, embedded in the binary), a
// loader and validator for banks that admins write themselves, and the
// rotation that picks each round's questions for a team (see [Bank.ForRound]).
//
// A bank is a YAML file with a themes: section (a label and a one-line tip
// for managers per theme) and a questions: list; default.yaml documents the
// format in its header. A loaded [Bank] is immutable and safe for concurrent
// use.
package questionbank

import (
	_ "embed"
	"slices"
	"strconv"
	"sync"
)

// Scale is the answer scale of a question.
type Scale string

const (
	// Agree5 is a five-point agreement scale: 1 Strongly disagree … 5 Strongly agree.
	// It is the default when a question names no scale.
	Agree5 Scale = "agree5"
	// ENPS11 is the eleven-point 0–10 likelihood scale of the employee Net
	// Promoter Score: 0–6 detractors, 7–8 passives, 9–10 promoters.
	ENPS11 Scale = "enps11"
)

var agree5Labels = []string{
	"Strongly disagree",
	"Disagree",
	"Neither agree nor disagree",
	"Agree",
	"Strongly agree",
}

// Known reports whether s is a scale Hearth knows (Agree5 or ENPS11).
func (s Scale) Known() bool { return s == Agree5 || s == ENPS11 }

// Min returns the lowest answer on the scale (1 for Agree5, 0 for ENPS11, 0
// for an unknown scale).
func (s Scale) Min() int {
	if s == Agree5 {
		return 1
	}
	return 0
}

// Max returns the highest answer on the scale (5 for Agree5, 10 for ENPS11, 0
// for an unknown scale).
func (s Scale) Max() int {
	switch s {
	case Agree5:
		return 5
	case ENPS11:
		return 10
	}
	return 0
}

// Contains reports whether v is a valid answer on the scale.
func (s Scale) Contains(v int) bool { return s.Known() && v >= s.Min() && v <= s.Max() }

// Labels returns one label per answer, from Min to Max: the agreement wording
// for Agree5 ("Strongly disagree" … "Strongly agree"), and "0" … "10" for
// ENPS11 (see [Scale.Anchors] for the words at its ends). The slice is a fresh
// copy. An unknown scale has no labels.
func (s Scale) Labels() []string {
	switch s {
	case Agree5:
		return slices.Clone(agree5Labels)
	case ENPS11:
		out := make([]string, 0, 11)
		for v := 0; v <= 10; v++ {
			out = append(out, strconv.Itoa(v))
		}
		return out
	}
	return nil
}

// Anchors returns the words that describe the two ends of the scale, for
// showing beside numbered buttons.
func (s Scale) Anchors() (low, high string) {
	switch s {
	case Agree5:
		return agree5Labels[0], agree5Labels[4]
	case ENPS11:
		return "Not at all likely", "Extremely likely"
	}
	return "", ""
}

// Question is one pulse question.
type Question struct {
	// Key is the question's stable snake_case id. Answers are stored under it,
	// so it keeps its meaning even when the wording is polished.
	Key string
	// Theme is the key of the question's theme (see [Theme]).
	Theme string
	// Text is what people are asked: one line of at most MaxTextLen
	// characters, usually a first-person statement to agree or disagree with.
	Text string
	// Scale is the answer scale.
	Scale Scale
	// HigherIsBetter is false for reverse-keyed statements such as "I often
	// finish my day feeling emotionally drained".
	HigherIsBetter bool
	// MeaningfulChange is the smallest change in a team's average that counts
	// as meaningful, when the instrument's authors publish one; 0 means none
	// is known and summaries fall back to the statistical uncertainty.
	MeaningfulChange float64
}

// IsENPS reports whether q is an eNPS question (asked on the ENPS11 scale).
func (q Question) IsENPS() bool { return q.Scale == ENPS11 }

// Theme groups questions that speak to one aspect of work, and carries a
// pointer for managers when it is the team's weakest.
type Theme struct {
	// Key is the theme's snake_case id, e.g. "workload".
	Key string
	// Label is the short name shown in summaries, e.g. "Workload".
	Label string
	// Tip is one line a manager could try this week; it may be empty.
	Tip string
}

// Limits on a bank and its rounds.
const (
	// MaxTextLen is the longest question text allowed, in characters.
	MaxTextLen = 150
	// MinPerRound and MaxPerRound bound how many questions a round asks;
	// more than five a week causes survey fatigue.
	MinPerRound = 3
	MaxPerRound = 5
	// MinQuestions is the fewest non-eNPS questions a bank may hold, so a
	// round never has to repeat a question.
	MinQuestions = MaxPerRound
	// ENPSInterval is how many rounds apart the eNPS question is asked
	// (13 weekly rounds: about once a quarter).
	ENPSInterval = 13
)

// builtinThemes lists the theme keys every bank may use without defining
// them; their labels and tips come from the default bank.
var builtinThemes = []string{
	"wellness",
	"engagement",
	"recognition",
	"being_known",
	"meaning",
	"growth",
	"community",
	"workload",
	"control",
	"fairness",
	"values",
	"care_strain",
	"safety",
	"service",
	"enps",
}

// BuiltinThemes returns the keys of the themes any bank may use without
// defining them (their labels and tips come from the default bank).
func BuiltinThemes() []string { return slices.Clone(builtinThemes) }

// Bank is a validated, immutable set of questions and their themes. Get one
// from [Default], [Load] or [LoadFile].
type Bank struct {
	name       string
	questions  []Question
	byKey      map[string]int
	themes     []Theme
	themeByKey map[string]int
	enps       int   // index of the eNPS question in questions, or -1
	pool       []int // indexes of the non-eNPS questions, in file order
}

// Name returns the name the bank was loaded under (a file name or path).
func (b *Bank) Name() string { return b.name }

// Questions returns all questions in file order. The slice is a fresh copy.
func (b *Bank) Questions() []Question { return slices.Clone(b.questions) }

// Question returns the question with the given key.
func (b *Bank) Question(key string) (Question, bool) {
	i, ok := b.byKey[key]
	if !ok {
		return Question{}, false
	}
	return b.questions[i], true
}

// Themes returns the bank's themes: those defined in its file, in file order,
// then built-in themes its questions use without defining them. The slice is
// a fresh copy.
func (b *Bank) Themes() []Theme { return slices.Clone(b.themes) }

// Theme returns the theme with the given key, if the bank defines it or one of
// its questions uses it.
func (b *Bank) Theme(key string) (Theme, bool) {
	i, ok := b.themeByKey[key]
	if !ok {
		return Theme{}, false
	}
	return b.themes[i], true
}

// ENPS returns the bank's eNPS question, if it has one.
func (b *Bank) ENPS() (Question, bool) {
	if b.enps < 0 {
		return Question{}, false
	}
	return b.questions[b.enps], true
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultName is the name the default bank is loaded under, as it appears in
// its error messages.
const DefaultName = "default.yaml"

var (
	defaultOnce sync.Once
	defaultBank *Bank
)

// Default returns Hearth's built-in question bank, parsed once. It panics only
// if the embedded default.yaml is invalid, which the package's tests rule out.
func Default() *Bank {
	defaultOnce.Do(func() {
		b, err := parse(defaultYAML, DefaultName, false)
		if err != nil {
			panic("questionbank: the embedded default bank is invalid: " + err.Error())
		}
		defaultBank = b
	})
	return defaultBank
}

// DefaultYAML returns a copy of the embedded default bank's YAML, e.g. as a
// starting point for an admin's own bank.
func DefaultYAML() []byte { return slices.Clone(defaultYAML) }
