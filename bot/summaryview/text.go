package summaryview

import (
	"fmt"
	"io"
	"strings"

	"github.com/hearth-oss/hearth/db"
)

// Text writes a summary as plain text for the terminal.
func Text(w io.Writer, s db.Summary, o Options) error {
	var b strings.Builder
	title := fmt.Sprintf("Team pulse · %s · round %d · %s", s.Team.ChannelID, s.Round.Number, Period(s, o))
	fmt.Fprintf(&b, "%s\n%s\n", title, strings.Repeat("=", len([]rune(title))))
	fmt.Fprintf(&b, "Participation: %s\n", Participation(s))
	if p := Pooling(s); p != "" {
		fmt.Fprintln(&b, p)
	}
	if s.Enough {
		for _, q := range s.Questions {
			fmt.Fprintf(&b, "\n%s\n  %s\n", q.Question.Text, Score(q))
			if d := Distribution(q); d != "" {
				fmt.Fprintf(&b, "  %s\n", strings.ReplaceAll(d, "`", ""))
			}
			if c := Change(q); c != "" {
				fmt.Fprintf(&b, "  %s\n", c)
			}
		}
		if len(s.Comments) > 0 {
			fmt.Fprintf(&b, "\nIn their own words (shuffled, undated):\n")
			for _, c := range s.Comments {
				fmt.Fprintf(&b, "  “%s”\n", strings.ReplaceAll(c, "\n", " "))
			}
		}
	}
	fmt.Fprintf(&b, "\nKudos: %s\nTry this week: %s\n\n%s\n%s\n", Kudos(s.Kudos), Tip(s, o), o.support(), Method(s))
	_, err := io.WriteString(w, b.String())
	return err
}
