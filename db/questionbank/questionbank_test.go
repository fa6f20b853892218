package questionbank

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDefaultBankIsValid proves that Default cannot panic.
func TestDefaultBankIsValid(t *testing.T) {
	if _, err := parse(defaultYAML, DefaultName, false); err != nil {
		t.Fatalf("embedded default bank is invalid:\n%v", err)
	}
	if Default() == nil || Default() != Default() {
		t.Fatal("Default should return the same parsed bank every time")
	}
	// The embedded file is also a valid bank when an admin loads a copy.
	b, err := Load(bytes.NewReader(DefaultYAML()), "copy.yaml")
	if err != nil {
		t.Fatalf("Load(DefaultYAML()): %v", err)
	}
	if !slices.Equal(b.Questions(), Default().Questions()) || !slices.Equal(b.Themes(), Default().Themes()) {
		t.Error("loading a copy of the default bank gives a different bank")
	}
}

func TestDefaultBankContent(t *testing.T) {
	b := Default()
	qs := b.Questions()
	if len(qs) < 36 || len(qs) > 45 {
		t.Errorf("default bank has %d questions, want 36..45", len(qs))
	}

	// Every built-in theme is defined, labelled, has a tip and is used.
	var themeKeys []string
	for _, th := range b.Themes() {
		themeKeys = append(themeKeys, th.Key)
		if th.Label == "" || th.Tip == "" {
			t.Errorf("theme %q: label %q, tip %q: want both", th.Key, th.Label, th.Tip)
		}
	}
	if !slices.Equal(themeKeys, BuiltinThemes()) {
		t.Errorf("default themes = %v, want the built-in themes %v", themeKeys, BuiltinThemes())
	}
	perTheme := map[string]int{}
	reverse := 0
	for _, q := range qs {
		perTheme[q.Theme]++
		if !q.HigherIsBetter {
			reverse++
		}
		if n := utf8.RuneCountInString(q.Text); n > MaxTextLen {
			t.Errorf("%s: text is %d characters", q.Key, n)
		}
		if got, ok := b.Question(q.Key); !ok || got != q {
			t.Errorf("Question(%q) = %+v, %v", q.Key, got, ok)
		}
	}
	for _, k := range BuiltinThemes() {
		if perTheme[k] == 0 {
			t.Errorf("theme %q has no questions", k)
		}
	}
	if reverse < 3 {
		t.Errorf("%d reverse-keyed questions, want a few (>= 3)", reverse)
	}

	enps, ok := b.ENPS()
	if !ok || enps.Scale != ENPS11 || enps.Text != "How likely are you to recommend working here to a friend?" {
		t.Errorf("ENPS() = %+v, %v", enps, ok)
	}
	if q, ok := b.Question("emotionally_drained"); !ok || q.HigherIsBetter {
		t.Errorf("emotionally_drained should be reverse-keyed: %+v, %v", q, ok)
	}
	if q, ok := b.Question("family_standard"); !ok || q.Theme != "service" || q.Scale != Agree5 {
		t.Errorf("family_standard = %+v, %v", q, ok)
	}
	if _, ok := b.Question("no_such_key"); ok {
		t.Error("Question(no_such_key) found something")
	}
	if th, ok := b.Theme("care_strain"); !ok || th.Label == "" {
		t.Errorf("Theme(care_strain) = %+v, %v", th, ok)
	}
	if _, ok := b.Theme("no_such_theme"); ok {
		t.Error("Theme(no_such_theme) found something")
	}
}

// TestDefaultBankAvoidsGallupWording keeps Gallup's copyrighted Q12 wording
// out of the default bank (its themes are fine; its sentences are not).
func TestDefaultBankAvoidsGallupWording(t *testing.T) {
	phrases := []string{
		"best friend at work",
		"know what is expected of me",
		"what is expected of me at work",
		"materials and equipment",
		"do what I do best every day",
		"recognition or praise",
		"in the last seven days",
		"seems to care about me as a person",
		"encourages my development",
		"my opinions seem to count",
		"mission or purpose of my company",
		"committed to doing quality work",
		"talked to me about my progress",
		"in the last six months",
		"opportunities at work to learn and grow",
	}
	nonWord := regexp.MustCompile(`[^a-z0-9]+`)
	norm := func(s string) string {
		return " " + strings.TrimSpace(nonWord.ReplaceAllString(strings.ToLower(s), " ")) + " "
	}

	var texts []string
	for _, q := range Default().Questions() {
		texts = append(texts, q.Text)
	}
	for _, th := range Default().Themes() {
		texts = append(texts, th.Label, th.Tip)
	}
	texts = append(texts, string(defaultYAML)) // comments too
	for _, p := range phrases {
		np := norm(p)
		for _, s := range texts {
			if strings.Contains(norm(s), np) {
				t.Errorf("default bank contains Gallup Q12 wording %q in %q", p, firstLine(s))
			}
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func TestScale(t *testing.T) {
	tests := []struct {
		s                Scale
		min, max         int
		labels           []string
		lowAnchor, known bool
	}{
		{Agree5, 1, 5, []string{"Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"}, true, true},
		{ENPS11, 0, 10, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, true, true},
		{Scale("agree7"), 0, 0, nil, false, false},
	}
	for _, tt := range tests {
		if tt.s.Min() != tt.min || tt.s.Max() != tt.max {
			t.Errorf("%s: Min, Max = %d, %d; want %d, %d", tt.s, tt.s.Min(), tt.s.Max(), tt.min, tt.max)
		}
		if got := tt.s.Labels(); !slices.Equal(got, tt.labels) {
			t.Errorf("%s: Labels() = %q, want %q", tt.s, got, tt.labels)
		}
		if tt.s.Known() != tt.known {
			t.Errorf("%s: Known() = %v", tt.s, tt.s.Known())
		}
		if low, high := tt.s.Anchors(); (low != "" && high != "") != tt.lowAnchor {
			t.Errorf("%s: Anchors() = %q, %q", tt.s, low, high)
		}
		if tt.known && (!tt.s.Contains(tt.min) || !tt.s.Contains(tt.max) || tt.s.Contains(tt.min-1) || tt.s.Contains(tt.max+1)) {
			t.Errorf("%s: Contains is wrong at the ends", tt.s)
		}
	}
	// Labels returns a copy.
	l := Agree5.Labels()
	l[0] = "changed"
	if Agree5.Labels()[0] != "Strongly disagree" {
		t.Error("Labels() exposes internal state")
	}
}
