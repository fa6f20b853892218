package kudostext

import "strings"

// tokenKind is the kind of a piece of Slack markup in angle brackets.
type tokenKind uint8

const (
	tokenLink      tokenKind = iota // <https://…>, <mailto:…|label>: kept in the message
	tokenUser                       // <@U123> or <@U123|jane>
	tokenBadUser                    // <@…> whose id is not shaped like a user id
	tokenChannel                    // <#C123> or <#C123|general>
	tokenUserGroup                  // <!subteam^S123> or <!subteam^S123|@team>
	tokenBroadcast                  // <!here>, <!channel>, <!everyone>
)

// token is a piece of Slack markup: <id> or <id|label>, with id's sigil removed.
type token struct {
	kind      tokenKind
	id, label string
}

// display is how the token reads in Slack: its label, or its id.
func (t token) display() string {
	if l := strings.TrimSpace(t.label); l != "" {
		return l
	}
	return t.id
}

// angleToken parses the Slack markup starting at s[i] == '<' and returns it
// with the index just past its '>'. It reports false for anything Slack would
// not have produced (Slack escapes a literal '<' as &lt;), which the caller
// then treats as text. It looks no further than the next '<', '>' or line
// break, so scanning a whole text with it stays linear.
func angleToken(s string, i int) (token, int, bool) {
	n := strings.IndexAny(s[i+1:], "<>\n")
	if n <= 0 || s[i+1+n] != '>' {
		return token{}, 0, false
	}
	inner, end := s[i+1:i+1+n], i+2+n
	id, label, _ := strings.Cut(inner, "|")
	var t token
	switch {
	case strings.HasPrefix(id, "@") && len(id) > 1:
		t = token{kind: tokenUser, id: id[1:]}
		if !isUserID(t.id) {
			t = token{kind: tokenBadUser, id: id[1:], label: label}
		}
	case strings.HasPrefix(id, "#") && len(id) > 1:
		t = token{kind: tokenChannel, id: id[1:], label: label}
	case strings.HasPrefix(id, "!subteam^") && len(id) > len("!subteam^"):
		t = token{kind: tokenUserGroup, id: id[len("!subteam^"):], label: label}
	case id == "!here" || id == "!channel" || id == "!everyone":
		// Broadcasts read the same whatever their label; older payloads sent <!here|here>.
		t = token{kind: tokenBroadcast, id: id[1:]}
	case isLink(id):
		t = token{kind: tokenLink}
	default:
		return token{}, 0, false
	}
	return t, end, true
}

// isLink reports whether s starts with a URL scheme and a colon, as Slack's
// escaped links do (https:, http:, mailto:, tel:, slack:).
func isLink(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// isUserID reports whether s is shaped like a Slack user id: U or W, then
// upper-case letters and digits.
func isUserID(s string) bool {
	if len(s) < 2 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
