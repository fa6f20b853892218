package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

// PublishHome renders and publishes userID's App Home: allowance left, this
// month's numbers, kudos received and given, and the give-kudos button.
func (b *Bot) PublishHome(ctx context.Context, userID string) error {
	u, err := b.user(ctx, userID)
	if err != nil {
		return err
	}
	now := b.now().In(u.Location())
	settings, err := b.store.KudosSettings(ctx)
	if err != nil {
		return err
	}
	left, err := b.store.AllowanceLeft(ctx, userID, now, u.Location())
	if err != nil {
		return err
	}
	stats, err := b.store.UserKudosStats(ctx, userID, startOfMonth(now))
	if err != nil {
		return err
	}
	received, err := b.store.RecentKudosReceived(ctx, userID, 10)
	if err != nil {
		return err
	}
	given, err := b.store.RecentKudosGiven(ctx, userID, 5)
	if err != nil {
		return err
	}
	view := homeView(settings, left, stats, received, given)
	managed, err := b.managerHomeBlocks(ctx, userID)
	if err != nil {
		b.log.Warn("manager section of App Home skipped", "error", err)
	}
	if room := 100 - len(view.Blocks.BlockSet); len(managed) > room {
		managed = managed[:room]
	}
	view.Blocks.BlockSet = append(view.Blocks.BlockSet, managed...)
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view}); err != nil {
		return fmt.Errorf("publish home of %s: %w", userID, err)
	}
	return nil
}

func md(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

func homeView(s db.KudosSettings, left int, st db.KudosStats, received, given []db.Kudos) slack.HomeTabViewRequest {
	button := slack.NewButtonBlockElement(ActionOpenKudosModal, "open", plain("Give kudos"))
	button.Style = slack.StylePrimary
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("Hearth")),
		slack.NewSectionBlock(md(fmt.Sprintf("*%s*\nNotice someone doing good work? Tell them.", allowanceText(left, s.Allowance))), nil,
			slack.NewAccessory(button)),
		slack.NewContextBlock("month", md(fmt.Sprintf("This month you received %s and gave %s.",
			plural(st.ReceivedThisMonth, "kudos", "kudos"), plural(st.GivenThisMonth, "kudos", "kudos")))),
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plain("Kudos you received")),
	}
	if len(received) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(md("Nothing yet — it'll come. Meanwhile, who helped *you* this week?"), nil, nil))
	}
	for _, k := range received {
		blocks = append(blocks, slack.NewSectionBlock(md(kudosLine("From <@"+k.GiverID+">", k)), nil, nil))
	}
	blocks = append(blocks, slack.NewDividerBlock(), slack.NewHeaderBlock(plain("Kudos you gave")))
	if len(given) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(md("You haven't given kudos yet. Try `/kudos @teammate for …`."), nil, nil))
	}
	for _, k := range given {
		blocks = append(blocks, slack.NewSectionBlock(md(kudosLine("To "+mentions(k.Recipients), k)), nil, nil))
	}
	if len(st.TopValues) > 0 {
		parts := make([]string, len(st.TopValues))
		for i, v := range st.TopValues {
			parts[i] = fmt.Sprintf("#%s ×%d", v.Value, v.Count)
		}
		blocks = append(blocks, slack.NewContextBlock("values", md("You've been recognized for "+strings.Join(parts, ", "))))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// kudosLine is one kudos in a list: who, value, date and the message.
func kudosLine(who string, k db.Kudos) string {
	value := ""
	if k.Value != "" {
		value = " · #" + k.Value
	}
	private := ""
	if k.Private {
		private = " · private"
	}
	return fmt.Sprintf("*%s*%s%s · %s\n%s", who, value, private, k.CreatedAt.Format("Jan 2"), quote(truncate(k.Message, 500)))
}

// quote renders text as a Slack block quote.
func quote(text string) string {
	return ">" + strings.ReplaceAll(text, "\n", "\n>")
}
