package kudostext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Subcommands of /kudos, recognised when they are the first word.
const (
	SubcommandHelp        = "help"
	SubcommandStats       = "stats"
	SubcommandLeaderboard = "leaderboard"
)

// Parsed is the meaning of a /kudos text. See the package documentation for
// the rules.
type Parsed struct {
	// Recipients are the Slack user ids mentioned, in order, without duplicates.
	Recipients []string
	// Message is the reason for the kudos, without mentions, in Slack's
	// escaped mrkdwn form.
	Message string
	// Values are the hashtags in Message, lower-cased, without '#', in order,
	// without duplicates.
	Values []string
	// Rejected are user-group, channel and broadcast mentions, for display
	// ("@team", "#general", "@here").
	Rejected []string
	// Unresolved are "@name" words that Slack did not resolve to a user, and
	// malformed <@…> mentions, for display ("@jane").
	Unresolved []string
	// Subcommand is help, stats or leaderboard when the text starts with it;
	// all other fields are then zero.
	Subcommand string
	// Empty is true when the text is empty or white space.
	Empty bool
}

// Parse parses the text of a /kudos command as Slack sends it with
// should_escape true. It never fails; see the package documentation.
func Parse(text string) Parsed {
	s := sanitize(text)
	if strings.TrimFunc(s, unicode.IsSpace) == "" {
		return Parsed{Empty: true}
	}
	if sub := subcommand(s); sub != "" {
		return Parsed{Subcommand: sub}
	}
	var p parser
	start := p.recipientList(s)
	msg := stripFor(tidy(p.body(s[start:])))
	p.scanMessage(msg)
	return Parsed{
		Recipients: p.recipients.list,
		Message:    msg,
		Values:     p.values.list,
		Rejected:   p.rejected.list,
		Unresolved: p.unresolved.list,
	}
}

// sanitize makes s valid UTF-8 and drops control characters other than
// tab, line feed and carriage return.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, isDropped) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isDropped(r) {
			return -1
		}
		return r
	}, s)
}

func isDropped(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

func subcommand(s string) string {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	word := s
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		word = s[:i]
	}
	for _, sub := range []string{SubcommandHelp, SubcommandStats, SubcommandLeaderboard} {
		if strings.EqualFold(word, sub) {
			return sub
		}
	}
	return ""
}

// orderedSet collects strings in order of first appearance.
type orderedSet struct {
	list []string
	seen map[string]bool
}

func (o *orderedSet) add(s string) {
	if s == "" || o.seen[s] {
		return
	}
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	o.seen[s] = true
	o.list = append(o.list, s)
}

type parser struct {
	recipients, values, rejected, unresolved orderedSet
}

// record files a mention token under the field it belongs to.
func (p *parser) record(t token) {
	switch t.kind {
	case tokenUser:
		p.recipients.add(t.id)
	case tokenBadUser:
		p.unresolved.add("@" + t.display())
	case tokenChannel:
		p.rejected.add("#" + strings.TrimPrefix(t.display(), "#"))
	case tokenUserGroup, tokenBroadcast:
		p.rejected.add("@" + strings.TrimPrefix(t.display(), "@"))
	}
}

// recipientList consumes the mentions at the start of s, with the separators
// between them and the punctuation closing the list, and returns where the
// message starts.
func (p *parser) recipientList(s string) int {
	i := skipSpace(s, 0)
	n := 0
	for {
		j := i
		if n > 0 {
			j = skipSeparators(s, i)
		}
		end, ok := p.listMention(s, j)
		if !ok {
			break
		}
		i = end
		n++
	}
	if n == 0 {
		return 0
	}
	j := skipSpace(s, i)
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !strings.ContainsRune(",:;.!-–—", r) {
			break
		}
		j += size
	}
	return j
}

// listMention records the mention (escaped or a raw @name) at s[i], if any,
// and returns the index just past it.
func (p *parser) listMention(s string, i int) (int, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch s[i] {
	case '<':
		t, end, ok := angleToken(s, i)
		if !ok || t.kind == tokenLink {
			return 0, false
		}
		p.record(t)
		return end, true
	case '@':
		name := tagBody(s[i+1:], '@')
		end := i + 1 + len(name)
		if name == "" || !endsListName(s[end:]) {
			return 0, false
		}
		p.unresolved.add("@" + name)
		return end, true
	}
	return 0, false
}

// endsListName reports whether rest may follow a raw @name in the list of
// recipients: "@jane's shift" is a message, "@jane, @bob" a list.
func endsListName(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	return rest == "" || unicode.IsSpace(r) || strings.ContainsRune(",;:.!&+<@-–—", r)
}

// skipSeparators skips what may stand between two recipients: white space,
// commas, semicolons, '+', '&' (escaped or not) and the word "and".
func skipSeparators(s string, i int) int {
	for {
		i = skipSpace(s, i)
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "&amp;"):
			i += len("&amp;")
		case rest != "" && strings.IndexByte(",;+&", rest[0]) >= 0:
			i++
		case len(rest) >= 3 && strings.EqualFold(rest[:3], "and") && !startsWithWordRune(rest[3:]):
			i += 3
		default:
			return i
		}
	}
}

func startsWithWordRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_')
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// body copies s without its mentions, recording them, keeping links as they
// are and escaping any stray '<' or '>'.
func (p *parser) body(s string) string {
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if t, end, ok := angleToken(s, i); ok {
				if t.kind == tokenLink {
					buf = append(buf, s[i:end]...)
				} else {
					p.record(t)
					buf = closeGap(buf, s[end:])
				}
				i = end
				continue
			}
			buf = append(buf, "&lt;"...)
		case '>':
			buf = append(buf, "&gt;"...)
		default:
			buf = append(buf, s[i])
		}
		i++
	}
	return string(buf)
}

// closeGap tidies the text around a removed mention: no space is left before
// closing punctuation ("thanks <@U1>, you" gives "thanks, you"), and words on
// either side are not glued together ("a<@U1>b" gives "a b").
func closeGap(buf []byte, next string) []byte {
	if next == "" || len(buf) == 0 {
		return buf
	}
	r, _ := utf8.DecodeRuneInString(next)
	switch {
	case unicode.IsSpace(r):
		return buf
	case strings.ContainsRune(",.;:!?)]}", r):
		for len(buf) > 0 && (buf[len(buf)-1] == ' ' || buf[len(buf)-1] == '\t') {
			buf = buf[:len(buf)-1]
		}
		return buf
	}
	last, _ := utf8.DecodeLastRune(buf)
	if !unicode.IsSpace(last) {
		buf = append(buf, ' ')
	}
	return buf
}

// tidy trims s and collapses each run of white space to one space, one line
// break or one blank line, depending on how many line breaks it holds.
func tidy(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		newlines := 0
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			if r == '\n' {
				newlines++
			}
			i += size
		}
		switch {
		case newlines == 0:
			b.WriteByte(' ')
		case newlines == 1:
			b.WriteByte('\n')
		default:
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// stripFor drops a leading "for" when something follows it.
func stripFor(msg string) string {
	if len(msg) < 4 || !strings.EqualFold(msg[:3], "for") || !isSpaceAt(msg, 3) {
		return msg
	}
	if rest := strings.TrimLeftFunc(msg[3:], unicode.IsSpace); rest != "" {
		return rest
	}
	return msg
}

// scanMessage collects the hashtags and unresolved @names of msg, skipping links.
func (p *parser) scanMessage(msg string) {
	prev := rune(-1)
	for i := 0; i < len(msg); {
		if msg[i] == '<' {
			if _, end, ok := angleToken(msg, i); ok {
				i, prev = end, '>'
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(msg[i:])
		if (r == '#' || r == '@') && tagStart(prev) {
			if body := tagBody(msg[i+size:], r); body != "" {
				if r == '#' {
					p.values.add(strings.ToLower(body))
				} else {
					p.unresolved.add("@" + body)
				}
				i += size + len(body)
				prev, _ = utf8.DecodeLastRuneInString(body)
				continue
			}
		}
		i += size
		prev = r
	}
}

// tagStart reports whether a '#' or '@' after prev (-1 at the start) starts
// a hashtag or a name: it must not continue a word ("C#", "me@x") or sit in a
// URL or an entity (".../#a", "&#39;").
func tagStart(prev rune) bool {
	switch {
	case prev < 0 || unicode.IsSpace(prev):
		return true
	case unicode.IsLetter(prev) || unicode.IsDigit(prev) || unicode.IsMark(prev):
		return false
	}
	return !strings.ContainsRune(`/&=?.%+~#@-_\`, prev)
}

// tagBody returns the hashtag (sigil '#') or name (sigil '@') at the start
// of s, without trailing '.', '-' or '_', or "" if there is none. A hashtag
// needs a letter; a name needs a letter or a digit.
func tagBody(s string, sigil rune) string {
	end := 0
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if !isTagRune(r, sigil) {
			break
		}
		end += size
	}
	body := strings.TrimRight(s[:end], ".-_")
	needed := unicode.IsLetter
	if sigil == '@' {
		needed = isLetterOrDigit
	}
	if strings.IndexFunc(body, needed) < 0 {
		return ""
	}
	return body
}

func isTagRune(r, sigil rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
		r == '_' || r == '-' || (r == '.' && sigil == '@')
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
