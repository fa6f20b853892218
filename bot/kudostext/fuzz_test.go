package kudostext

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParse checks Parse's invariants on any input:
//
//	go test -fuzz=FuzzParse ./bot/kudostext
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkInvariants(t, in, Parse(in))
	})
}

var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

// checkInvariants checks what must hold for Parse(in) == p, whatever in is.
func checkInvariants(t *testing.T, in string, p Parsed) {
	t.Helper()
	s := sanitize(in)

	if again := Parse(in); !equalParsed(again, p) {
		t.Fatalf("Parse(%q) is not deterministic:\n%#v\n%#v", in, p, again)
	}
	empty := strings.TrimFunc(s, unicode.IsSpace) == ""
	if p.Empty != empty {
		t.Errorf("Parse(%q).Empty = %v, want %v", in, p.Empty, empty)
	}
	if p.Empty || p.Subcommand != "" {
		rest := p
		rest.Empty, rest.Subcommand = false, ""
		if !equalParsed(rest, Parsed{}) {
			t.Errorf("Parse(%q) = %#v: an empty text or a subcommand must leave the rest zero", in, p)
		}
		if p.Empty && p.Subcommand != "" {
			t.Errorf("Parse(%q) is both empty and subcommand %q", in, p.Subcommand)
		}
		if p.Subcommand != "" && !slices.Contains([]string{SubcommandHelp, SubcommandStats, SubcommandLeaderboard}, p.Subcommand) {
			t.Errorf("Parse(%q).Subcommand = %q", in, p.Subcommand)
		}
		return
	}

	checkUnique(t, in, "Recipients", p.Recipients)
	mentioned := mentionedIDs(s)
	for _, r := range p.Recipients {
		if !userIDPattern.MatchString(r) {
			t.Errorf("Parse(%q): recipient %q is not a user id", in, r)
		}
		if !mentioned[r] {
			t.Errorf("Parse(%q): recipient %q is not mentioned in the text", in, r)
		}
	}

	checkMessage(t, in, p.Message)

	checkUnique(t, in, "Values", p.Values)
	lowerMessage := strings.ToLower(p.Message)
	for _, v := range p.Values {
		if v != strings.ToLower(v) || tagBody(v, '#') != v {
			t.Errorf("Parse(%q): value %q is not a lower-case hashtag body", in, v)
		}
		if !strings.Contains(lowerMessage, "#"+v) {
			t.Errorf("Parse(%q): value %q is not in the message %q", in, v, p.Message)
		}
	}

	checkUnique(t, in, "Rejected", p.Rejected)
	for _, r := range p.Rejected {
		if !strings.HasPrefix(r, "@") && !strings.HasPrefix(r, "#") {
			t.Errorf("Parse(%q): rejected %q reads neither @… nor #…", in, r)
		}
	}
	checkUnique(t, in, "Unresolved", p.Unresolved)
	for _, u := range p.Unresolved {
		if !strings.HasPrefix(u, "@") {
			t.Errorf("Parse(%q): unresolved %q does not start with @", in, u)
		}
	}

	// The message mentions nobody, whatever it is parsed as.
	if q := Parse(p.Message); q.Recipients != nil || q.Rejected != nil {
		t.Errorf("Parse(%q).Message = %q still holds mentions: %#v", in, p.Message, q)
	}

	// Re-parsing the canonical form of the result gives the same result.
	if p.Message == "" {
		return
	}
	var parts []string
	for _, r := range p.Recipients {
		parts = append(parts, "<@"+r+">")
	}
	canon := strings.Join(append(parts, "for", p.Message), " ")
	q := Parse(canon)
	if !slices.Equal(q.Recipients, p.Recipients) || q.Message != p.Message || !slices.Equal(q.Values, p.Values) ||
		q.Rejected != nil || q.Subcommand != "" || q.Empty {
		t.Errorf("re-parse is not stable:\nParse(%q) =\n%#v\nParse(%q) =\n%#v", in, p, canon, q)
	}
	unresolved := map[string]bool{}
	for _, u := range p.Unresolved {
		unresolved[u] = true
	}
	for _, u := range q.Unresolved {
		if !unresolved[u] {
			t.Errorf("re-parse of %q found unresolved %q that Parse(%q) did not", canon, u, in)
		}
	}
}

// checkMessage checks that msg is valid, tidy UTF-8 holding no Slack markup
// but links, and no stray angle brackets.
func checkMessage(t *testing.T, in, msg string) {
	t.Helper()
	if !utf8.ValidString(msg) {
		t.Errorf("Parse(%q).Message = %q is not valid UTF-8", in, msg)
	}
	if tidy(msg) != msg {
		t.Errorf("Parse(%q).Message = %q is not tidy", in, msg)
	}
	if i := strings.IndexFunc(msg, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }); i >= 0 {
		t.Errorf("Parse(%q).Message = %q holds a control character at %d", in, msg, i)
	}
	for i := 0; i < len(msg); i++ {
		switch msg[i] {
		case '<':
			tok, end, ok := angleToken(msg, i)
			if !ok || tok.kind != tokenLink {
				t.Errorf("Parse(%q).Message = %q holds markup other than a link at %d", in, msg, i)
				return
			}
			i = end - 1
		case '>':
			t.Errorf("Parse(%q).Message = %q holds a stray '>' at %d", in, msg, i)
			return
		}
	}
}

// mentionedIDs returns what follows each "<@" in s, up to '>' or '|'.
func mentionedIDs(s string) map[string]bool {
	ids := map[string]bool{}
	for rest := s; ; {
		i := strings.Index(rest, "<@")
		if i < 0 {
			return ids
		}
		rest = rest[i+2:]
		id := rest[:min(len(rest), 64)]
		if j := strings.IndexAny(id, ">|"); j >= 0 {
			ids[id[:j]] = true
		}
	}
}

func checkUnique(t *testing.T, in, field string, list []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range list {
		if s == "" || !utf8.ValidString(s) || seen[s] {
			t.Errorf("Parse(%q).%s = %q: want unique, non-empty, valid UTF-8", in, field, list)
			return
		}
		seen[s] = true
	}
	if list != nil && len(list) == 0 {
		t.Errorf("Parse(%q).%s is empty but not nil", in, field)
	}
}

func equalParsed(a, b Parsed) bool {
	return slices.Equal(a.Recipients, b.Recipients) && a.Message == b.Message &&
		slices.Equal(a.Values, b.Values) && slices.Equal(a.Rejected, b.Rejected) &&
		slices.Equal(a.Unresolved, b.Unresolved) && a.Subcommand == b.Subcommand && a.Empty == b.Empty
}
