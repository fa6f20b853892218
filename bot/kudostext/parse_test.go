package kudostext

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// parseTests are the table for TestParse and seeds for FuzzParse.
var parseTests = []struct {
	name string
	in   string
	want Parsed
}{
	// The shape of the product's example.
	{
		name: "both mention forms",
		in:   "<@U012AB3CD> <@U02|jane> for covering my Friday shift #teamwork",
		want: Parsed{Recipients: []string{"U012AB3CD", "U02"}, Message: "covering my Friday shift #teamwork", Values: []string{"teamwork"}},
	},
	{
		name: "label with spaces",
		in:   "<@U1|Jane Doe> for the handover notes",
		want: Parsed{Recipients: []string{"U1"}, Message: "the handover notes"},
	},
	{
		name: "enterprise grid W id",
		in:   "<@W0123ABC> thanks!",
		want: Parsed{Recipients: []string{"W0123ABC"}, Message: "thanks!"},
	},
	{
		name: "duplicates keep first order",
		in:   "<@U2> <@U1|ann> <@U2|bob> <@U1> for the rota",
		want: Parsed{Recipients: []string{"U2", "U1"}, Message: "the rota"},
	},
	{
		name: "comma right after a mention",
		in:   "<@U1>, <@U2>, thanks for the cover",
		want: Parsed{Recipients: []string{"U1", "U2"}, Message: "thanks for the cover"},
	},
	{
		name: "no spaces between mentions",
		in:   "<@U1>,<@U2><@U3> for x",
		want: Parsed{Recipients: []string{"U1", "U2", "U3"}, Message: "x"},
	},
	{
		name: "and, ampersand and plus between recipients",
		in:   "<@U1>, <@U2> and <@U3> &amp; <@U4> + <@U5> for the audit",
		want: Parsed{Recipients: []string{"U1", "U2", "U3", "U4", "U5"}, Message: "the audit"},
	},
	{
		name: "and that is not a separator stays",
		in:   "<@U1> and the night team for the audit",
		want: Parsed{Recipients: []string{"U1"}, Message: "and the night team for the audit"},
	},
	{
		name: "word starting with and stays",
		in:   "<@U1> andrew says thanks",
		want: Parsed{Recipients: []string{"U1"}, Message: "andrew says thanks"},
	},
	{
		name: "colon closing the list",
		in:   "<@U1> <@U2>: you two rock",
		want: Parsed{Recipients: []string{"U1", "U2"}, Message: "you two rock"},
	},
	{
		name: "dash closing the list",
		in:   "<@U1> — for staying late",
		want: Parsed{Recipients: []string{"U1"}, Message: "staying late"},
	},
	{
		name: "mention in the middle, comma after",
		in:   "thanks <@U1>, you saved the day",
		want: Parsed{Recipients: []string{"U1"}, Message: "thanks, you saved the day"},
	},
	{
		name: "mention in the middle is removed",
		in:   "<@U1> for helping <@U2> with the audit",
		want: Parsed{Recipients: []string{"U1", "U2"}, Message: "helping with the audit"},
	},
	{
		name: "mention glued between words",
		in:   "<@U1> great<@U2>work",
		want: Parsed{Recipients: []string{"U1", "U2"}, Message: "great work"},
	},
	{
		name: "mention at the end with full stop",
		in:   "great work today <@U1>.",
		want: Parsed{Recipients: []string{"U1"}, Message: "great work today."},
	},

	// "for".
	{
		name: "leading For any case",
		in:   "<@U1> For the coffee",
		want: Parsed{Recipients: []string{"U1"}, Message: "the coffee"},
	},
	{
		name: "lone for is kept",
		in:   "<@U1> for",
		want: Parsed{Recipients: []string{"U1"}, Message: "for"},
	},
	{
		name: "only one for is stripped",
		in:   "<@U1> for for real",
		want: Parsed{Recipients: []string{"U1"}, Message: "for real"},
	},
	{
		name: "word starting with for stays",
		in:   "<@U1> forever grateful",
		want: Parsed{Recipients: []string{"U1"}, Message: "forever grateful"},
	},
	{
		name: "for later in the text stays",
		in:   "<@U1> thanks for the help",
		want: Parsed{Recipients: []string{"U1"}, Message: "thanks for the help"},
	},
	{
		name: "only mentions",
		in:   "<@U1> <@U2>",
		want: Parsed{Recipients: []string{"U1", "U2"}},
	},
	{
		name: "no recipients",
		in:   "for being great #care",
		want: Parsed{Message: "being great #care", Values: []string{"care"}},
	},

	// Values.
	{
		name: "multiple values, upper case, duplicates",
		in:   "<@U1> for the #TeamWork and #care, real #teamwork #Care_First #safety-1st",
		want: Parsed{
			Recipients: []string{"U1"},
			Message:    "the #TeamWork and #care, real #teamwork #Care_First #safety-1st",
			Values:     []string{"teamwork", "care", "care_first", "safety-1st"},
		},
	},
	{
		name: "value punctuation after",
		in:   "<@U1> for this (#teamwork)! #care.",
		want: Parsed{Recipients: []string{"U1"}, Message: "this (#teamwork)! #care.", Values: []string{"teamwork", "care"}},
	},
	{
		name: "trailing dash is not part of a value",
		in:   "<@U1> #teamwork- obviously",
		want: Parsed{Recipients: []string{"U1"}, Message: "#teamwork- obviously", Values: []string{"teamwork"}},
	},
	{
		name: "numbers are not values",
		in:   "<@U1> for closing ticket #4521, you are #1 #2024goals",
		want: Parsed{Recipients: []string{"U1"}, Message: "closing ticket #4521, you are #1 #2024goals", Values: []string{"2024goals"}},
	},
	{
		name: "hash inside a word is not a value",
		in:   "<@U1> for the C# rewrite and foo#bar",
		want: Parsed{Recipients: []string{"U1"}, Message: "the C# rewrite and foo#bar"},
	},
	{
		name: "link with fragment is not a value",
		in:   "<@U1> for the guide <https://x.y/#a> #docs",
		want: Parsed{Recipients: []string{"U1"}, Message: "the guide <https://x.y/#a> #docs", Values: []string{"docs"}},
	},
	{
		name: "link label with hashtag is not a value",
		in:   "<@U1> see <https://x.y/p#b|#notes and @bob>",
		want: Parsed{Recipients: []string{"U1"}, Message: "see <https://x.y/p#b|#notes and @bob>"},
	},
	{
		name: "bare url fragment is not a value",
		in:   "<@U1> for x.y/#frag and x.y?q=1&amp;b=#c",
		want: Parsed{Recipients: []string{"U1"}, Message: "x.y/#frag and x.y?q=1&amp;b=#c"},
	},
	{
		name: "html entity is not a value",
		in:   "<@U1> for &amp;#39; fixes",
		want: Parsed{Recipients: []string{"U1"}, Message: "&amp;#39; fixes"},
	},
	{
		name: "value after emoji and emoji shortcode",
		in:   "<@U1> for the cake 🎉#celebrate :tada:#joy",
		want: Parsed{Recipients: []string{"U1"}, Message: "the cake 🎉#celebrate :tada:#joy", Values: []string{"celebrate", "joy"}},
	},
	{
		name: "unicode value",
		in:   "<@U1> merci #Équipe #チーム",
		want: Parsed{Recipients: []string{"U1"}, Message: "merci #Équipe #チーム", Values: []string{"équipe", "チーム"}},
	},
	{
		name: "hashtag right after a mention",
		in:   "<@U1>#teamwork",
		want: Parsed{Recipients: []string{"U1"}, Message: "#teamwork", Values: []string{"teamwork"}},
	},
	{
		name: "channel mention is not a value",
		in:   "<@U1> for tidying <#C123|general> #care",
		want: Parsed{Recipients: []string{"U1"}, Message: "tidying #care", Values: []string{"care"}, Rejected: []string{"#general"}},
	},

	// Groups and channels.
	{
		name: "user group",
		in:   "<!subteam^S123|@nurses> for the week",
		want: Parsed{Message: "the week", Rejected: []string{"@nurses"}},
	},
	{
		name: "user group without label",
		in:   "<!subteam^S123> thanks",
		want: Parsed{Message: "thanks", Rejected: []string{"@S123"}},
	},
	{
		name: "channel with and without label",
		in:   "<#C123|general> <#C456> for x",
		want: Parsed{Message: "x", Rejected: []string{"#general", "#C456"}},
	},
	{
		name: "broadcasts, never left in the message",
		in:   "<@U1> <!here> <!channel> thanks <!everyone> and <!here|here>",
		want: Parsed{Recipients: []string{"U1"}, Message: "thanks and", Rejected: []string{"@here", "@channel", "@everyone"}},
	},
	{
		name: "people and groups mixed",
		in:   "<@U1>, <!subteam^S1|@team> and <@U2> for x",
		want: Parsed{Recipients: []string{"U1", "U2"}, Message: "x", Rejected: []string{"@team"}},
	},

	// Unresolved names.
	{
		name: "raw @names in the list",
		in:   "@jane <@U1> @bob.smith for x",
		want: Parsed{Recipients: []string{"U1"}, Message: "x", Unresolved: []string{"@jane", "@bob.smith"}},
	},
	{
		name: "raw @name with apostrophe starts the message",
		in:   "@jane's shift cover #care",
		want: Parsed{Message: "@jane's shift cover #care", Values: []string{"care"}, Unresolved: []string{"@jane"}},
	},
	{
		name: "separators without spaces",
		in:   "<@U1>&amp;<@U2>,and,<@U3>;+<@U4> thanks",
		want: Parsed{Recipients: []string{"U1", "U2", "U3", "U4"}, Message: "thanks"},
	},
	{
		name: "raw @name in the message stays",
		in:   "<@U1> for helping @bob, again",
		want: Parsed{Recipients: []string{"U1"}, Message: "helping @bob, again", Unresolved: []string{"@bob"}},
	},
	{
		name: "@name ending a sentence",
		in:   "thanks @jane.",
		want: Parsed{Message: "thanks @jane.", Unresolved: []string{"@jane"}},
	},
	{
		name: "email and lone at are not names",
		in:   "<@U1> for me@x.y and @ home",
		want: Parsed{Recipients: []string{"U1"}, Message: "me@x.y and @ home"},
	},
	{
		name: "malformed user mention",
		in:   "<@u1|jane> <@notanid> for x",
		want: Parsed{Message: "x", Unresolved: []string{"@jane", "@notanid"}},
	},
	{
		name: "escaped email link",
		in:   "<@U1> write to <mailto:a@b.c|a@b.c>",
		want: Parsed{Recipients: []string{"U1"}, Message: "write to <mailto:a@b.c|a@b.c>"},
	},

	// Subcommands.
	{name: "help", in: "help", want: Parsed{Subcommand: SubcommandHelp}},
	{name: "Stats with rest", in: "  Stats <@U1> last month", want: Parsed{Subcommand: SubcommandStats}},
	{name: "leaderboard", in: "LEADERBOARD\n", want: Parsed{Subcommand: SubcommandLeaderboard}},
	{
		name: "subcommand after a mention is a message",
		in:   "<@U1> help",
		want: Parsed{Recipients: []string{"U1"}, Message: "help"},
	},
	{
		name: "subcommand needs the whole word",
		in:   "helpful <@U1>",
		want: Parsed{Recipients: []string{"U1"}, Message: "helpful"},
	},

	// Empty.
	{name: "empty", in: "", want: Parsed{Empty: true}},
	{name: "white space", in: " \t\n\u00a0 ", want: Parsed{Empty: true}},
	{name: "control characters only", in: "\x00\x1b", want: Parsed{Empty: true}},

	// White space, escaping and odd input.
	{
		name: "white space tidied, paragraphs kept",
		in:   "  <@U1>\tfor   the\u00a0late   shift \n\n\n  and   the   cake  ",
		want: Parsed{Recipients: []string{"U1"}, Message: "the late shift\n\nand the cake"},
	},
	{
		name: "single line break kept",
		in:   "<@U1> line one\r\nline two",
		want: Parsed{Recipients: []string{"U1"}, Message: "line one\nline two"},
	},
	{
		name: "escaped characters stay escaped",
		in:   "<@U1> for R&amp;D &lt;3 &gt;_&lt;",
		want: Parsed{Recipients: []string{"U1"}, Message: "R&amp;D &lt;3 &gt;_&lt;"},
	},
	{
		name: "stray angle brackets are escaped",
		in:   "<@U1> for <3 and a>b",
		want: Parsed{Recipients: []string{"U1"}, Message: "&lt;3 and a&gt;b"},
	},
	{
		name: "removing a mention cannot assemble another",
		in:   "<@U1> x <!<!here>here> <@<@U2>U3>",
		want: Parsed{Recipients: []string{"U1", "U2"}, Message: "x &lt;! here&gt; &lt;@ U3&gt;", Rejected: []string{"@here"}},
	},
	{
		name: "unknown bang token is text",
		in:   "<@U1> by <!date^1392734382^{date}|Feb 18>",
		want: Parsed{Recipients: []string{"U1"}, Message: "by &lt;!date^1392734382^{date}|Feb 18&gt;"},
	},
	{
		name: "mention split by a line break is text",
		in:   "<@U1> <@U2\n> x",
		want: Parsed{Recipients: []string{"U1"}, Message: "&lt;@U2\n&gt; x", Unresolved: []string{"@U2"}},
	},
	{
		name: "invalid UTF-8 and control characters",
		in:   "<@U1> for \xff\xfe the \x00cake\x07",
		want: Parsed{Recipients: []string{"U1"}, Message: "\uFFFD the cake"},
	},
	{
		name: "emoji with joiners",
		in:   "<@U1> 👩‍⚕️🙏🏽 for everything",
		want: Parsed{Recipients: []string{"U1"}, Message: "👩‍⚕️🙏🏽 for everything"},
	},
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Parse(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) =\n%#v\nwant\n%#v", tt.in, got, tt.want)
			}
			checkInvariants(t, tt.in, got)
		})
	}
}

// TestParseLinear parses large adversarial inputs. Linear work takes well
// under a second on them; a quadratic step (such as copying the message on
// every removed mention) takes minutes.
func TestParseLinear(t *testing.T) {
	t.Parallel()
	const n = 4 << 20
	inputs := map[string]string{
		"open brackets":         strings.Repeat("<", n),
		"unclosed tokens":       strings.Repeat("<@U1", n/4),
		"one long unclosed":     "<" + strings.Repeat("a", n),
		"mentions and commas":   strings.Repeat("<@U1>,", n/6),
		"distinct mentions":     distinctMentions(n / 12),
		"removed mentions":      "x" + strings.Repeat(" <!here>,", n/9),
		"hashes":                strings.Repeat("#", n),
		"hashtags":              strings.Repeat("#a ", n/3),
		"distinct hashtags":     strings.ReplaceAll(distinctMentions(n/12), "<@U", " #x"),
		"ats":                   strings.Repeat("@", n),
		"separators":            "<@U1>" + strings.Repeat(" and ,", n/6),
		"spaces and line feeds": strings.Repeat(" \n", n/2),
	}
	for name, in := range inputs {
		start := time.Now()
		Parse(in)
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("%s: Parse of %d bytes took %v", name, len(in), d)
		}
		checkInvariants(t, in[:64<<10], Parse(in[:64<<10]))
	}
}

func distinctMentions(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("<@U")
		for v := i; ; v /= 36 {
			b.WriteByte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v%36])
			if v < 36 {
				break
			}
		}
		b.WriteString("> ")
	}
	return b.String()
}
