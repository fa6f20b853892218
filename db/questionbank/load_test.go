package questionbank

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fiveOK is a list of five valid questions, appended after each test case's
// own lines so that the case's line numbers count from the top of the file.
const fiveOK = `
  - {key: ok_one, theme: wellness, text: One.}
  - {key: ok_two, theme: workload, text: Two.}
  - {key: ok_three, theme: fairness, text: Three.}
  - {key: ok_four, theme: values, text: Four.}
  - {key: ok_five, theme: safety, text: Five.}
`

func TestLoadValidationErrors(t *testing.T) {
	long := strings.Repeat("x", 151)
	tests := []struct {
		name string
		yaml string // fiveOK is appended unless noFill
		fill bool
		want []string // the error's lines, in order
	}{
		{
			name: "unknown scale",
			yaml: "questions:\n  - key: sleep\n    theme: wellness\n    text: I sleep well.\n    scale: agree7",
			fill: true,
			want: []string{`questions.yaml:5: question "sleep": unknown scale "agree7" (want agree5 or enps11)`},
		},
		{
			name: "duplicate key",
			yaml: "questions:\n  - key: a_b\n    theme: wellness\n    text: One.\n  - key: a_b\n    theme: wellness\n    text: Two.",
			fill: true,
			want: []string{`questions.yaml:5: question "a_b": duplicate key (first used at line 2)`},
		},
		{
			name: "key format",
			yaml: "questions:\n  - key: Sleep Well\n    theme: wellness\n    text: One.",
			fill: true,
			want: []string{`questions.yaml:2: question #1: key "Sleep Well" is not snake_case (lowercase letters, digits and single underscores, starting with a letter)`},
		},
		{
			name: "missing key, theme and text",
			yaml: "questions:\n  - scale: agree5",
			fill: true,
			want: []string{
				`questions.yaml:2: question #1: missing key`,
				`questions.yaml:2: question #1: missing text`,
				`questions.yaml:2: question #1: missing theme`,
			},
		},
		{
			name: "empty text",
			yaml: "questions:\n  - key: sleep\n    theme: wellness\n    text: \"  \"",
			fill: true,
			want: []string{`questions.yaml:4: question "sleep": text is empty`},
		},
		{
			name: "text too long",
			yaml: "questions:\n  - key: sleep\n    theme: wellness\n    text: " + long,
			fill: true,
			want: []string{`questions.yaml:4: question "sleep": text is 151 characters (max 150)`},
		},
		{
			name: "multi-line text",
			yaml: "questions:\n  - key: sleep\n    theme: wellness\n    text: |\n      Line one.\n      Line two.",
			fill: true,
			want: []string{`questions.yaml:4: question "sleep": text must be a single line`},
		},
		{
			name: "unknown theme",
			yaml: "questions:\n  - key: sleep\n    theme: welness\n    text: One.",
			fill: true,
			want: []string{`questions.yaml:3: question "sleep": unknown theme "welness" (define it under themes:, or use a built-in theme: wellness, engagement, recognition, being_known, meaning, growth, community, workload, control, fairness, values, care_strain, safety, service, enps)`},
		},
		{
			name: "unknown field",
			yaml: "questions:\n  - key: sleep\n    theme: wellness\n    text: One.\n    higer_is_better: false",
			fill: true,
			want: []string{`questions.yaml:5: question "sleep": unknown field "higer_is_better" (want key, theme, text, scale, higher_is_better or meaningful_change)`},
		},
		{
			name: "duplicate field",
			yaml: "questions:\n  - key: sleep\n    theme: wellness\n    text: One.\n    text: Two.",
			fill: true,
			want: []string{`questions.yaml:5: question #1: duplicate field "text" (first at line 4)`},
		},
		{
			name: "higher_is_better not a bool",
			yaml: "questions:\n  - key: sleep\n    theme: wellness\n    text: One.\n    higher_is_better: yes",
			fill: true,
			want: []string{`questions.yaml:5: question "sleep": higher_is_better must be true or false`},
		},
		{
			name: "meaningful_change",
			yaml: "questions:\n  - {key: a, theme: wellness, text: A., meaningful_change: -1}\n  - {key: b, theme: wellness, text: B., meaningful_change: lots}\n  - {key: c, theme: wellness, text: C., meaningful_change: 4.5}",
			fill: true,
			want: []string{
				`questions.yaml:2: question "a": meaningful_change must be greater than 0`,
				`questions.yaml:3: question "b": meaningful_change must be a number`,
				`questions.yaml:4: question "c": meaningful_change 4.5 is larger than the agree5 scale (max 4)`,
			},
		},
		{
			name: "two eNPS questions",
			yaml: "questions:\n  - {key: enps, theme: enps, text: 'Recommend?', scale: enps11}\n  - {key: enps_again, theme: enps, text: 'Really?', scale: enps11}",
			fill: true,
			want: []string{`questions.yaml:3: question "enps_again": only one enps11 question is allowed (the first is "enps" at line 2)`},
		},
		{
			name: "too few questions",
			yaml: "questions:\n  - {key: a, theme: wellness, text: A.}\n  - {key: b, theme: wellness, text: B.}\n  - {key: c, theme: wellness, text: C.}\n  - {key: d, theme: wellness, text: D.}\n  - {key: e, theme: enps, text: 'E?', scale: enps11}",
			want: []string{`questions.yaml:1: questions: need at least 5 questions besides eNPS, found 4`},
		},
		{
			name: "custom theme without label, bad theme key, long tip",
			yaml: "themes:\n  sleep_hygiene:\n    tip: Try it.\n  Bad-Key:\n    label: Bad\n  rest:\n    label: Rest\n    tip: " + strings.Repeat("y", 201) + "\n    colour: blue\nquestions:",
			fill: true,
			want: []string{
				`questions.yaml:2: theme "sleep_hygiene": missing label`,
				`questions.yaml:4: themes: theme key "Bad-Key" is not snake_case (lowercase letters, digits and single underscores, starting with a letter)`,
				`questions.yaml:8: theme "rest": tip is 201 characters (max 200)`,
				`questions.yaml:9: theme "rest": unknown field "colour" (want label or tip)`,
			},
		},
		{
			name: "unknown top-level field and no questions",
			yaml: "question:\n  - {key: a, theme: wellness, text: A.}",
			want: []string{
				`questions.yaml:1: unknown field "question" (want themes or questions)`,
				`questions.yaml:1: missing questions:`,
			},
		},
		{
			name: "questions not a list",
			yaml: "questions:\n  sleep: I sleep well.",
			want: []string{
				`questions.yaml:1: questions: need at least 5 questions besides eNPS, found 0`,
				`questions.yaml:2: questions: must be a list`,
			},
		},
		{
			name: "not a mapping",
			yaml: "- one\n- two",
			want: []string{`questions.yaml:1: the file must be a mapping with themes: and questions:`},
		},
		{
			name: "empty file",
			yaml: "# nothing here\n",
			want: []string{`questions.yaml: file is empty`},
		},
		{
			name: "YAML syntax error",
			yaml: "questions:\n  - key: sleep\n    text: \"unterminated\n",
			want: []string{`questions.yaml:3: invalid YAML: found unexpected end of stream`},
		},
		{
			name: "two documents",
			yaml: "questions:" + fiveOK + "---\nquestions: []",
			want: []string{`questions.yaml:7: file holds more than one YAML document`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.yaml
			if tt.fill {
				src += fiveOK
			}
			b, err := Load(strings.NewReader(src), "questions.yaml")
			if err == nil {
				t.Fatalf("Load succeeded (%d questions), want errors:\n%s", len(b.Questions()), strings.Join(tt.want, "\n"))
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is %T, want *ValidationError: %v", err, err)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("error:\n%s\nwant:\n%s", got, want)
			}
			if len(ve.Problems) != len(tt.want) {
				t.Errorf("%d problems, want %d", len(ve.Problems), len(tt.want))
			}
			var p *Problem
			if !errors.As(err, &p) || p.File != "questions.yaml" {
				t.Errorf("errors.As(*Problem) = %v", p)
			}
		})
	}
}

// TestLoadReportsAllProblems checks that every problem is reported at once,
// in line order, not only the first.
func TestLoadReportsAllProblems(t *testing.T) {
	src := `questions:
  - key: sleep
    theme: wellness
    text: I sleep well.
    scale: agree7
  - key: sleep
    theme: nope
    text: Again.
  - key: BAD
    theme: wellness
    text: Bad key.
`
	_, err := Load(strings.NewReader(src), "questions.yaml")
	if err == nil {
		t.Fatal("Load succeeded")
	}
	lines := strings.Split(err.Error(), "\n")
	wantPrefixes := []string{
		`questions.yaml:1: questions: need at least 5`,
		`questions.yaml:5: question "sleep": unknown scale "agree7"`,
		`questions.yaml:6: question "sleep": duplicate key (first used at line 2)`,
		`questions.yaml:7: question "sleep": unknown theme "nope"`,
		`questions.yaml:9: question #3: key "BAD" is not snake_case`,
	}
	if len(lines) != len(wantPrefixes) {
		t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(wantPrefixes), err)
	}
	for i, w := range wantPrefixes {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestLoadCustomBank(t *testing.T) {
	src := `# An admin's bank: one custom theme, built-in themes used without defining them.
themes:
  sleep_hygiene:
    label: Sleep
    tip: Talk about rota changes before they happen.
  workload:
    tip: Our own workload tip.
questions:
  - key: sleep_quality
    theme: sleep_hygiene
    text: I wake up rested.
    meaningful_change: 0.5
  - {key: nightmares, theme: care_strain, text: Work follows me into my dreams., higher_is_better: false}
  - {key: workload_ok, theme: workload, text: My workload is fine.}
  - {key: safe, theme: safety, text: I feel safe.}
  - {key: fair, theme: fairness, text: I am treated fairly.}
  - {key: recommend, theme: enps, text: 'Would you recommend us?', scale: enps11}
`
	b, err := Load(strings.NewReader(src), "custom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(b.Questions()); got != 6 {
		t.Errorf("%d questions, want 6", got)
	}
	q, _ := b.Question("sleep_quality")
	if q.Scale != Agree5 || !q.HigherIsBetter || q.MeaningfulChange != 0.5 {
		t.Errorf("defaults/meaningful_change wrong: %+v", q)
	}
	if q, _ := b.Question("nightmares"); q.HigherIsBetter {
		t.Error("nightmares should be reverse-keyed")
	}
	if e, ok := b.ENPS(); !ok || e.Key != "recommend" {
		t.Errorf("ENPS() = %+v, %v", e, ok)
	}
	// Inherited built-in theme.
	def, _ := Default().Theme("care_strain")
	if th, ok := b.Theme("care_strain"); !ok || th != def {
		t.Errorf("Theme(care_strain) = %+v, %v; want the default's %+v", th, ok, def)
	}
	// A built-in theme defined with only a tip keeps the default label.
	defW, _ := Default().Theme("workload")
	if th, _ := b.Theme("workload"); th.Label != defW.Label || th.Tip != "Our own workload tip." {
		t.Errorf("Theme(workload) = %+v", th)
	}
	if th, _ := b.Theme("sleep_hygiene"); th.Label != "Sleep" {
		t.Errorf("Theme(sleep_hygiene) = %+v", th)
	}
	// Built-in themes the bank does not use are not part of it.
	if _, ok := b.Theme("service"); ok {
		t.Error("Theme(service) found in a bank that does not use it")
	}
	var keys []string
	for _, th := range b.Themes() {
		keys = append(keys, th.Key)
	}
	if got := strings.Join(keys, ","); got != "sleep_hygiene,workload,care_strain,safety,fairness,enps" {
		t.Errorf("Themes() = %s", got)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("questions:"+fiveOK), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := LoadFile(good); err != nil || len(b.Questions()) != 5 || b.Name() != good {
		t.Fatalf("LoadFile(good) = %v, %v", b, err)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("questions:\n  - {key: x, theme: wellness, text: X., scale: agree7}"+fiveOK), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(bad)
	if want := bad + `:2: question "x": unknown scale "agree7" (want agree5 or enps11)`; err == nil || err.Error() != want {
		t.Errorf("LoadFile(bad) error = %v, want %s", err, want)
	}

	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(missing) error = %v, want not-exist", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	src := "questions:" + fiveOK + "# " + strings.Repeat("x", MaxFileSize)
	_, err := Load(strings.NewReader(src), "huge.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "huge.yaml: file is larger than") {
		t.Errorf("error = %v", err)
	}
}
