package summaryview

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// Slack's limits this renderer keeps to.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
)

// Message is a summary ready to post: blocks within Slack's limits and the
// notification fallback text.
type Message struct {
	Blocks   []slack.Block
	Fallback string
}

// TeamName is how the team is named in a summary: its member channel.
func TeamName(s db.Summary) string { return "<#" + s.Team.ChannelID + ">" }

// Blocks renders a summary for Slack. reserve is how many blocks the
// caller will add (e.g. an image); the summary stays within 50 in total.
func Blocks(s db.Summary, o Options, reserve int) Message {
	budget := maxBlocks - reserve
	md := func(text string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.MarkdownType, clip(text, maxSectionText), false, false)
	}
	section := func(text string) slack.Block { return slack.NewSectionBlock(md(text), nil, nil) }
	context := func(text string) slack.Block { return slack.NewContextBlock("", md(text)) }

	head := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(fmt.Sprintf("Team pulse · round %d", s.Round.Number), maxHeaderText), false, false)),
		context(fmt.Sprintf("%s · %s", TeamName(s), Period(s, o))),
		section("*Participation*\n" + Participation(s)),
	}
	if p := Pooling(s); p != "" {
		head = append(head, context(p))
	}
	tail := []slack.Block{
		section("*Kudos in this period*\n" + Kudos(s.Kudos)),
		section("*One thing you could try this week*\n" + Tip(s, o)),
		context(o.support()),
		context(Method(s)),
	}
	var body []slack.Block
	if s.Enough {
		body = append(body, slack.NewDividerBlock())
		for _, q := range s.Questions {
			lines := []string{"*" + q.Question.Text + "*", Score(q)}
			if d := Distribution(q); d != "" {
				lines = append(lines, d)
			}
			if c := Change(q); c != "" {
				lines = append(lines, c)
			}
			body = append(body, section(strings.Join(lines, "\n")))
		}
		if len(s.Comments) > 0 {
			body = append(body, slack.NewDividerBlock(), section("*In their own words* (shuffled, undated, never linked to scores)"))
			body = append(body, commentSections(s.Comments, section)...)
		}
		body = append(body, slack.NewDividerBlock())
	}
	room := budget - len(head) - len(tail)
	if len(body) > room {
		body = append(body[:max(room-1, 0)], context("Some comments are not shown: a Slack message holds at most 50 blocks. `hearth report` lists them all."))
	}
	blocks := append(append(head, body...), tail...)
	return Message{Blocks: blocks, Fallback: Fallback(s, o)}
}

// commentSections packs comments, quoted, into as few sections as fit.
func commentSections(comments []string, section func(string) slack.Block) []slack.Block {
	var out []slack.Block
	var cur strings.Builder
	for _, c := range comments {
		q := "> " + strings.ReplaceAll(escape(clip(c, 1000)), "\n", "\n> ") + "\n"
		if cur.Len()+len(q) > maxSectionText-100 && cur.Len() > 0 {
			out = append(out, section(cur.String()))
			cur.Reset()
		}
		cur.WriteString(q)
	}
	if cur.Len() > 0 {
		out = append(out, section(cur.String()))
	}
	return out
}

// escape makes free text safe inside mrkdwn: no mentions, links or pings.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Fallback is the notification text of a summary.
func Fallback(s db.Summary, o Options) string {
	if !s.Enough {
		return fmt.Sprintf("Team pulse for #%s (%s): not enough responses to protect anonymity.", s.Team.ChannelID, Period(s, o))
	}
	return fmt.Sprintf("Team pulse for #%s (%s): %d of %d answered.", s.Team.ChannelID, Period(s, o), s.Respondents, s.Members)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
