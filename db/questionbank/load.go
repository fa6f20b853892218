package questionbank

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Problem is one thing wrong with a bank file. Its Error reads like a
// compiler message: "questions.yaml:14: question "sleep": unknown scale …".
type Problem struct {
	// File is the name the bank was loaded under.
	File string
	// Line is the 1-based line the problem is on, or 0 when it concerns the
	// whole file.
	Line int
	// Msg describes the problem.
	Msg string
}

// Error formats the problem as "file:line: message" (or "file: message").
func (p *Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return p.File + ": " + p.Msg
}

// ValidationError lists every problem found in a bank file, ordered by line.
// [Load] returns it (as an error) when a file is not a valid bank.
type ValidationError struct {
	Problems []*Problem
}

// Error returns one problem per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// Limits on what a bank file may hold.
const (
	// MaxFileSize is the largest bank file Load reads.
	MaxFileSize = 1 << 20
	// MaxKeyLen is the longest question or theme key.
	MaxKeyLen = 64
	// MaxLabelLen is the longest theme label, in characters.
	MaxLabelLen = 40
	// MaxTipLen is the longest theme tip, in characters.
	MaxTipLen = 200
)

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Load reads and validates a question bank in YAML. name is used in error
// messages (usually the file name). When the file is not a valid bank the
// error is a *ValidationError listing every problem, each with its line.
//
// Questions may use any of the built-in themes without defining them under
// themes:, in which case the default bank's label and tip are used; a file
// that defines a built-in theme may leave out its label or tip to keep the
// default's.
func Load(r io.Reader, name string) (*Bank, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, &ValidationError{Problems: []*Problem{{File: name, Msg: fmt.Sprintf("file is larger than %d bytes", MaxFileSize)}}}
	}
	return parse(data, name, true)
}

// LoadFile reads and validates the question bank at path; see [Load]. Error
// messages name the file by path.
func LoadFile(path string) (*Bank, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Load(f, path)
}

// parser collects problems while walking a bank's YAML nodes.
type parser struct {
	name  string
	probs []*Problem
}

func (p *parser) addf(line int, format string, args ...any) {
	p.probs = append(p.probs, &Problem{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

type field struct {
	key   string
	line  int
	value *yaml.Node
}

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// mapping returns the fields of a mapping node, reporting duplicates and
// non-scalar keys. ctx prefixes messages ("" for the top level).
func (p *parser) mapping(n *yaml.Node, ctx string) []field {
	var out []field
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.addf(k.Line, "%sfield names must be plain words", ctx)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.addf(k.Line, "%sduplicate field %q (first at line %d)", ctx, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, field{key: k.Value, line: k.Line, value: v})
	}
	return out
}

// text reads a one-line string field, trimmed. ok is false (and a problem
// reported) when the value is not a scalar or spans several lines.
func (p *parser) text(f field, ctx string) (string, bool) {
	v := f.value
	if v.Kind != yaml.ScalarNode {
		p.addf(v.Line, "%s%s must be text", ctx, f.key)
		return "", false
	}
	if isNull(v) {
		return "", true
	}
	s := strings.TrimSpace(v.Value)
	if strings.ContainsAny(s, "\r\n") {
		p.addf(v.Line, "%s%s must be a single line", ctx, f.key)
		return "", false
	}
	return s, true
}

func (p *parser) checkKey(key string, line int, ctx, what string) bool {
	switch {
	case key == "":
		p.addf(line, "%smissing %s", ctx, what)
	case len(key) > MaxKeyLen:
		p.addf(line, "%s%s %q is longer than %d characters", ctx, what, key, MaxKeyLen)
	case !keyRE.MatchString(key):
		p.addf(line, "%s%s %q is not snake_case (lowercase letters, digits and single underscores, starting with a letter)", ctx, what, key)
	default:
		return true
	}
	return false
}

type rawTheme struct {
	Theme
	line int
}

type rawQuestion struct {
	Question
	ctx       string // "question \"key\": " or "question #3: "
	line      int
	themeLine int
	keyOK     bool
}

// parse validates data and builds a Bank. inherit allows questions to use the
// built-in themes without defining them (taking labels and tips from the
// default bank); the default bank itself is parsed with inherit false.
func parse(data []byte, name string, inherit bool) (*Bank, error) {
	p := &parser{name: name}
	themes, questions, questionsLine, found := p.document(data)
	if found {
		p.validate(themes, questions, questionsLine, inherit)
	}
	if len(p.probs) > 0 {
		slices.SortStableFunc(p.probs, func(a, b *Problem) int { return a.Line - b.Line })
		return nil, &ValidationError{Problems: p.probs}
	}
	return build(name, themes, questions, inherit), nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func (p *parser) yamlError(err error) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		p.addf(line, "invalid YAML: %s", m[2])
		return
	}
	p.addf(0, "invalid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
}

// document decodes the YAML and walks its top level. found is false when
// there is nothing further to validate.
func (p *parser) document(data []byte) (themes []rawTheme, questions []rawQuestion, questionsLine int, found bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.addf(0, "file is empty")
		} else {
			p.yamlError(err)
		}
		return nil, nil, 0, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		p.addf(extra.Line, "file holds more than one YAML document")
	case !errors.Is(err, io.EOF):
		p.yamlError(err)
	}
	if len(doc.Content) == 0 {
		p.addf(0, "file is empty")
		return nil, nil, 0, false
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		p.addf(root.Line, "the file must be a mapping with themes: and questions:")
		return nil, nil, 0, false
	}
	for _, f := range p.mapping(root, "") {
		switch f.key {
		case "themes":
			themes = p.themes(f.value)
		case "questions":
			questions = p.questions(f.value)
			questionsLine, found = f.line, true
		default:
			p.addf(f.line, "unknown field %q (want themes or questions)", f.key)
		}
	}
	if !found {
		p.addf(root.Line, "missing questions:")
	}
	return themes, questions, questionsLine, found
}

func (p *parser) themes(n *yaml.Node) []rawTheme {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.addf(n.Line, "themes: must be a mapping from theme key to its label and tip")
		return nil
	}
	var out []rawTheme
	for _, tf := range p.mapping(n, "themes: ") {
		ctx := fmt.Sprintf("theme %q: ", tf.key)
		if !p.checkKey(tf.key, tf.line, "themes: ", "theme key") {
			continue
		}
		t := rawTheme{Theme: Theme{Key: tf.key}, line: tf.line}
		v := tf.value
		if v.Kind != yaml.MappingNode {
			if !isNull(v) {
				p.addf(v.Line, "%smust be a mapping with label: and tip:", ctx)
				continue
			}
			v = &yaml.Node{Kind: yaml.MappingNode}
		}
		for _, f := range p.mapping(v, ctx) {
			switch f.key {
			case "label":
				if s, ok := p.text(f, ctx); ok {
					if n := utf8.RuneCountInString(s); n > MaxLabelLen {
						p.addf(f.value.Line, "%slabel is %d characters (max %d)", ctx, n, MaxLabelLen)
					}
					t.Label = s
				}
			case "tip":
				if s, ok := p.text(f, ctx); ok {
					if n := utf8.RuneCountInString(s); n > MaxTipLen {
						p.addf(f.value.Line, "%stip is %d characters (max %d)", ctx, n, MaxTipLen)
					}
					t.Tip = s
				}
			default:
				p.addf(f.line, "%sunknown field %q (want label or tip)", ctx, f.key)
			}
		}
		out = append(out, t)
	}
	return out
}

func (p *parser) questions(n *yaml.Node) []rawQuestion {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.addf(n.Line, "questions: must be a list")
		return nil
	}
	out := make([]rawQuestion, 0, len(n.Content))
	for i, item := range n.Content {
		item = deref(item)
		q := rawQuestion{
			Question: Question{Scale: Agree5, HigherIsBetter: true},
			ctx:      fmt.Sprintf("question #%d: ", i+1),
			line:     item.Line,
		}
		if item.Kind != yaml.MappingNode {
			p.addf(item.Line, "%smust be a mapping with key:, theme:, text: …", q.ctx)
			continue
		}
		fields := p.mapping(item, q.ctx)
		// Read the key first so that every other message can name it.
		hasKey := false
		for _, f := range fields {
			if f.key == "key" {
				hasKey = true
				if s, ok := p.text(f, q.ctx); ok && p.checkKey(s, f.value.Line, q.ctx, "key") {
					q.Key, q.keyOK = s, true
					q.ctx = fmt.Sprintf("question %q: ", s)
				}
			}
		}
		if !hasKey {
			p.addf(item.Line, "%smissing key", q.ctx)
		}
		hasText, hasTheme := false, false
		for _, f := range fields {
			v := f.value
			switch f.key {
			case "key":
			case "theme":
				hasTheme = true
				if s, ok := p.text(f, q.ctx); ok {
					q.Theme, q.themeLine = s, v.Line
				}
			case "text":
				hasText = true
				if s, ok := p.text(f, q.ctx); ok {
					switch n := utf8.RuneCountInString(s); {
					case n == 0:
						p.addf(v.Line, "%stext is empty", q.ctx)
					case n > MaxTextLen:
						p.addf(v.Line, "%stext is %d characters (max %d)", q.ctx, n, MaxTextLen)
					}
					q.Text = s
				}
			case "scale":
				if s, ok := p.text(f, q.ctx); ok {
					if !Scale(s).Known() {
						p.addf(v.Line, "%sunknown scale %q (want %s or %s)", q.ctx, s, Agree5, ENPS11)
						q.Scale = ""
					} else {
						q.Scale = Scale(s)
					}
				}
			case "higher_is_better":
				if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" {
					p.addf(v.Line, "%shigher_is_better must be true or false", q.ctx)
					continue
				}
				if err := v.Decode(&q.HigherIsBetter); err != nil {
					p.addf(v.Line, "%shigher_is_better must be true or false", q.ctx)
				}
			case "meaningful_change":
				var x float64
				if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") || v.Decode(&x) != nil {
					p.addf(v.Line, "%smeaningful_change must be a number", q.ctx)
					continue
				}
				if math.IsNaN(x) || x <= 0 {
					p.addf(v.Line, "%smeaningful_change must be greater than 0", q.ctx)
					continue
				}
				q.MeaningfulChange = x
			default:
				p.addf(f.line, "%sunknown field %q (want key, theme, text, scale, higher_is_better or meaningful_change)", q.ctx, f.key)
			}
		}
		if !hasText {
			p.addf(item.Line, "%smissing text", q.ctx)
		}
		if !hasTheme {
			p.addf(item.Line, "%smissing theme", q.ctx)
		}
		if q.MeaningfulChange > 0 && q.Scale.Known() {
			if span := float64(q.Scale.Max() - q.Scale.Min()); q.MeaningfulChange > span {
				p.addf(item.Line, "%smeaningful_change %g is larger than the %s scale (max %g)", q.ctx, q.MeaningfulChange, q.Scale, span)
			}
		}
		out = append(out, q)
	}
	return out
}

// validate runs the checks that span several questions or sections.
func (p *parser) validate(themes []rawTheme, questions []rawQuestion, questionsLine int, inherit bool) {
	defined := map[string]rawTheme{}
	for _, t := range themes {
		defined[t.Key] = t
		builtin := inherit && slices.Contains(builtinThemes, t.Key)
		if t.Label == "" && !builtin {
			p.addf(t.line, "theme %q: missing label", t.Key)
		}
	}

	keys := map[string]int{}
	var enps *rawQuestion
	nonENPS := 0
	for i := range questions {
		q := &questions[i]
		if q.keyOK {
			if first, dup := keys[q.Key]; dup {
				p.addf(q.line, "%sduplicate key (first used at line %d)", q.ctx, first)
			} else {
				keys[q.Key] = q.line
			}
		}
		if q.Theme != "" {
			_, ok := defined[q.Theme]
			if !ok && inherit {
				ok = slices.Contains(builtinThemes, q.Theme)
			}
			if !ok {
				if inherit {
					p.addf(q.themeLine, "%sunknown theme %q (define it under themes:, or use a built-in theme: %s)",
						q.ctx, q.Theme, strings.Join(builtinThemes, ", "))
				} else {
					p.addf(q.themeLine, "%sunknown theme %q (define it under themes:)", q.ctx, q.Theme)
				}
			}
		}
		if q.Scale == ENPS11 {
			if enps != nil {
				p.addf(q.line, "%sonly one %s question is allowed (the first is %q at line %d)",
					q.ctx, ENPS11, enps.Key, enps.line)
			} else {
				enps = q
			}
		} else {
			nonENPS++
		}
	}
	if nonENPS < MinQuestions {
		p.addf(questionsLine, "questions: need at least %d questions besides eNPS, found %d", MinQuestions, nonENPS)
	}
}

// build assembles a Bank from validated parts.
func build(name string, themes []rawTheme, questions []rawQuestion, inherit bool) *Bank {
	b := &Bank{
		name:       name,
		questions:  make([]Question, len(questions)),
		byKey:      make(map[string]int, len(questions)),
		themeByKey: map[string]int{},
		enps:       -1,
	}
	var base *Bank
	if inherit {
		base = Default()
	}
	addTheme := func(t Theme) {
		if base != nil {
			if d, ok := base.Theme(t.Key); ok {
				if t.Label == "" {
					t.Label = d.Label
				}
				if t.Tip == "" {
					t.Tip = d.Tip
				}
			}
		}
		b.themeByKey[t.Key] = len(b.themes)
		b.themes = append(b.themes, t)
	}
	for _, t := range themes {
		addTheme(t.Theme)
	}
	for i, q := range questions {
		b.questions[i] = q.Question
		b.byKey[q.Key] = i
		if _, ok := b.themeByKey[q.Theme]; !ok {
			addTheme(Theme{Key: q.Theme})
		}
		if q.Scale == ENPS11 {
			b.enps = i
		} else {
			b.pool = append(b.pool, i)
		}
	}
	return b
}
