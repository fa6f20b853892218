package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/bot/kudostext"
	"github.com/hearth-oss/hearth/db"
)

// ephemeral is a slash command answer only the caller sees.
func ephemeral(text string) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// HandleCommand answers a slash command. The answer (possibly nil, for an
// empty ack) is what the transport acknowledges with.
func (b *Bot) HandleCommand(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	ctx, cancel := context.WithTimeout(ctx, ackBudget)
	defer cancel()
	switch cmd.Command {
	case CommandKudos:
		return b.kudosCommand(ctx, cmd)
	case CommandHearth:
		return b.hearthCommand(ctx, cmd)
	}
	return ephemeral(fmt.Sprintf("Hearth doesn't know the command %s. Try `/hearth help`.", cmd.Command)), nil
}

func (b *Bot) kudosCommand(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	parsed := kudostext.Parse(cmd.Text)
	switch {
	case parsed.Empty:
		return nil, b.openKudosModal(ctx, cmd.TriggerID, kudosModalState{Source: db.SourceModal})
	case parsed.Subcommand == "help":
		return ephemeral(kudosHelp), nil
	case parsed.Subcommand == "stats":
		return b.statsAnswer(ctx, cmd.UserID)
	case parsed.Subcommand == "leaderboard":
		return b.leaderboardAnswer(ctx)
	case len(parsed.Recipients) == 0 && len(parsed.Rejected) > 0:
		// Group and channel mentions elsewhere in the text are dropped from
		// the message (they can never ping anyone); only a kudos with no
		// person in it is refused.
		return ephemeral(withOriginal("Kudos go to people, not to channels or groups: mention each person with @ (for example `@jane @sam`).", cmd.Command, cmd.Text)), nil
	case len(parsed.Unresolved) > 0:
		return ephemeral(withOriginal(fmt.Sprintf("I couldn't tell who %s is. Pick people from Slack's @-mention list so each name turns into a link, then send again.",
			joinWords(parsed.Unresolved)), cmd.Command, cmd.Text)), nil
	}

	giver, refusal, err := b.checkPeople(ctx, cmd.UserID, parsed.Recipients)
	if err != nil {
		return nil, err
	}
	if refusal != "" {
		return ephemeral(withOriginal(refusal, cmd.Command, cmd.Text)), nil
	}
	known, err := b.store.Values(ctx)
	if err != nil {
		return nil, err
	}
	req := kudosRequest{
		key:        "cmd:" + cmd.TriggerID,
		giverID:    cmd.UserID,
		recipients: parsed.Recipients,
		message:    parsed.Message,
		value:      pickValue(parsed.Values, known),
		source:     db.SourceCommand,
	}
	return b.once(ctx, req.key, func(tx *sqlx.Tx) (any, bool, error) {
		out, err := b.give(ctx, tx, req, giver)
		if err != nil {
			return nil, false, err
		}
		if out.refusal != "" {
			return ephemeral(withOriginal(out.refusal, cmd.Command, cmd.Text)), false, nil
		}
		settings, err := b.store.KudosSettings(ctx)
		if err != nil {
			return nil, false, err
		}
		return ephemeral(confirmationText(out.result, settings)), true, nil
	})
}

// confirmationText tells the giver their kudos is recorded and on its way.
func confirmationText(res db.GiveResult, s db.KudosSettings) string {
	k := res.Kudos
	var where string
	switch {
	case k.Private:
		where = "privately — only they will see it"
	case s.Channel != "":
		where = fmt.Sprintf("and it will be shared in <#%s>", s.Channel)
	default:
		where = "by DM"
	}
	value := ""
	if k.Value != "" {
		value = " for #" + k.Value
	}
	return fmt.Sprintf(":white_check_mark: Kudos to %s%s is on its way %s. %s",
		mentions(k.Recipients), value, where, allowanceText(res.Remaining, s.Allowance))
}

const kudosHelp = "*Giving kudos*\n" +
	"• `/kudos @teammate for covering my Friday shift #teamwork` — recognize one or more people (up to 10), optionally with a company value.\n" +
	"• `/kudos` on its own opens a form, where you can also make the kudos private (only the recipients see it).\n" +
	"• Use the *Kudos for this* message shortcut on any message, or react to it with the kudos emoji.\n" +
	"• `/kudos stats` — your own numbers. `/kudos leaderboard` — if your workspace turned it on."

func (b *Bot) statsAnswer(ctx context.Context, userID string) (any, error) {
	u, err := b.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := b.now().In(u.Location())
	monthStart := startOfMonth(now)
	st, err := b.store.UserKudosStats(ctx, userID, monthStart)
	if err != nil {
		return nil, err
	}
	settings, err := b.store.KudosSettings(ctx)
	if err != nil {
		return nil, err
	}
	left, err := b.store.AllowanceLeft(ctx, userID, now, u.Location())
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Your kudos*\nThis month: received %s, gave %s.\nAll time: received %s, gave %s.\n",
		plural(st.ReceivedThisMonth, "kudos", "kudos"), plural(st.GivenThisMonth, "kudos", "kudos"),
		plural(st.ReceivedAllTime, "kudos", "kudos"), plural(st.GivenAllTime, "kudos", "kudos"))
	if len(st.TopValues) > 0 {
		parts := make([]string, len(st.TopValues))
		for i, v := range st.TopValues {
			parts[i] = fmt.Sprintf("#%s ×%d", v.Value, v.Count)
		}
		fmt.Fprintf(&sb, "Recognized for: %s\n", strings.Join(parts, ", "))
	}
	sb.WriteString(allowanceText(left, settings.Allowance))
	return ephemeral(sb.String()), nil
}

func (b *Bot) leaderboardAnswer(ctx context.Context) (any, error) {
	settings, err := b.store.KudosSettings(ctx)
	if err != nil {
		return nil, err
	}
	if !settings.LeaderboardEnabled {
		return ephemeral("The leaderboard is off in this workspace. Counts favour visible roles and busy channels, so Hearth leaves it off unless an admin turns it on with `/hearth leaderboard on`."), nil
	}
	since := startOfMonth(b.now().UTC())
	rows, err := b.store.Leaderboard(ctx, since, 10)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return ephemeral("No public kudos yet this month — be the first!"), nil
	}
	var sb strings.Builder
	sb.WriteString("*Kudos received this month* (public kudos only — a celebration, not a performance measure)\n")
	for i, r := range rows {
		fmt.Fprintf(&sb, "%d. <@%s> — %s\n", i+1, r.UserID, plural(r.Count, "kudos", "kudos"))
	}
	return ephemeral(sb.String()), nil
}
