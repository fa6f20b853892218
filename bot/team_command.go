package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
)

const teamUsage = "Use `/hearth team add`, `/hearth team list`, or `/hearth team edit|show|pause|resume|remove #channel`."

var channelIDPattern = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)

// channelArg reads a channel named in a command: a #mention or a bare id.
func channelArg(arg string) (string, bool) {
	if m := channelMention.FindStringSubmatch(arg); m != nil {
		return m[1], true
	}
	if channelIDPattern.MatchString(arg) {
		return arg, true
	}
	return "", false
}

// teamCommand answers /hearth team … (admins only): the modal for add and
// edit, text for the rest.
func (b *Bot) teamCommand(ctx context.Context, cmd slack.SlashCommand, args []string) (any, error) {
	if len(args) == 0 || args[0] == "list" {
		return b.teamList(ctx)
	}
	if args[0] == "add" {
		return nil, b.openTeamModal(ctx, cmd.TriggerID, cmd.UserID, nil)
	}
	if len(args) < 2 {
		return ephemeral(teamUsage), nil
	}
	ch, ok := channelArg(args[1])
	if !ok {
		return ephemeral(fmt.Sprintf("Name the team by its channel, with #, like `/hearth team %s #care-team`.", args[0])), nil
	}
	team, err := b.store.TeamByChannel(ctx, ch)
	if errors.Is(err, db.ErrNotFound) {
		return ephemeral(fmt.Sprintf("<#%s> isn't a team yet. `/hearth team add` sets one up; `/hearth team list` shows the teams.", ch)), nil
	}
	if err != nil {
		return nil, err
	}
	switch args[0] {
	case "edit":
		return nil, b.openTeamModal(ctx, cmd.TriggerID, cmd.UserID, &team)
	case "show":
		text, err := b.teamShow(ctx, team)
		return ephemeral(text), err
	case "pause", "resume":
		paused := args[0] == "pause"
		if err := b.store.SetTeamPaused(ctx, ch, paused); err != nil {
			return nil, err
		}
		if paused {
			return ephemeral(fmt.Sprintf("Paused pulses for <#%s>: no new rounds open until `/hearth team resume <#%s>`. "+
				"A round already open still closes and is summarized as planned.", ch, ch)), nil
		}
		team.Paused = false
		return ephemeral(fmt.Sprintf("Resumed pulses for <#%s>: %s.", ch, nextRoundText(team, b.now()))), nil
	case "remove":
		if len(args) < 3 || args[2] != "confirm" {
			return ephemeral(fmt.Sprintf("This removes the team for <#%s> with all its past rounds and their anonymous results, and can't be undone. "+
				"To go ahead, send `/hearth team remove <#%s> confirm`. To stop pulses for a while and keep the history, use `/hearth team pause <#%s>`.",
				ch, ch, ch)), nil
		}
		if err := b.store.RemoveTeam(ctx, ch); err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
		b.log.Info("team removed", "team_id", team.ID, "channel_id", ch)
		return ephemeral(fmt.Sprintf("Removed the team for <#%s> and its past results. No more pulses will go to its members.", ch)), nil
	}
	return ephemeral(teamUsage), nil
}

// pulseAdminCommand answers /hearth pulse open|close #channel (admins
// only): the round opens or closes in a job, through the same code path as
// the schedule.
func (b *Bot) pulseAdminCommand(ctx context.Context, args []string) (any, error) {
	usage := "Use `/hearth pulse open #channel` or `/hearth pulse close #channel` (admins), or `/hearth pulse on|off` for yourself."
	if len(args) != 2 || (args[0] != "open" && args[0] != "close") {
		return ephemeral(usage), nil
	}
	ch, ok := channelArg(args[1])
	if !ok {
		return ephemeral(fmt.Sprintf("Name the team by its channel, with #, like `/hearth pulse %s #care-team`.", args[0])), nil
	}
	team, err := b.store.TeamByChannel(ctx, ch)
	if errors.Is(err, db.ErrNotFound) {
		return ephemeral(fmt.Sprintf("<#%s> isn't a team yet. `/hearth team add` sets one up.", ch)), nil
	}
	if err != nil {
		return nil, err
	}
	open, err := b.store.OpenRoundOf(ctx, team.ID)
	hasOpen := err == nil
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	loc := splitSchedule(team.Schedule).location()
	if args[0] == "open" {
		switch {
		case team.Paused:
			return ephemeral(fmt.Sprintf("<#%s> is paused. Resume it first with `/hearth team resume <#%s>`.", ch, ch)), nil
		case hasOpen:
			return ephemeral(fmt.Sprintf("Round %d of <#%s> is still open, until %s. Close it first with `/hearth pulse close <#%s>`.",
				open.Number, ch, localTime(open.ClosesAt, loc), ch)), nil
		}
		if err := b.queue.EnqueueRoundOpen(ctx, team.ID); err != nil {
			return nil, err
		}
		return ephemeral(fmt.Sprintf("Opening a round for <#%s> now: its members will get their pulse DM over the next few minutes. It stays open %s.",
			ch, durationWords(team.OpenFor()))), nil
	}
	if !hasOpen {
		return ephemeral(fmt.Sprintf("<#%s> has no open round to close.", ch)), nil
	}
	if err := b.queue.EnqueueRoundClose(ctx, open.ID); err != nil {
		return nil, err
	}
	return ephemeral(fmt.Sprintf("Closing round %d of <#%s> now. Its summary will be posted in <#%s>.", open.Number, ch, team.SummaryChannelID)), nil
}

// location is the schedule's time zone, or UTC.
func (s teamSchedule) location() *time.Location {
	if loc, err := time.LoadLocation(s.tz); err == nil {
		return loc
	}
	return time.UTC
}

func (b *Bot) teamList(ctx context.Context) (any, error) {
	teams, err := b.store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	if len(teams) == 0 {
		return ephemeral("No teams yet. `/hearth team add` sets one up: a channel whose members get a weekly pulse, and where their managers read the summary."), nil
	}
	var sb strings.Builder
	sb.WriteString("*Teams*\n")
	for _, t := range teams {
		fmt.Fprintf(&sb, "• <#%s> → summary in <#%s> · %s · minimum group %d", t.ChannelID, t.SummaryChannelID,
			splitSchedule(t.Schedule).describe(), t.MinGroup)
		if t.Paused {
			sb.WriteString(" · *paused*")
		}
		sb.WriteString("\n")
	}
	sb.WriteString("`/hearth team show #channel` for details.")
	return ephemeral(sb.String()), nil
}

// teamShow is a team's settings and the state of its latest round: how
// many DMs went out — never who answered.
func (b *Bot) teamShow(ctx context.Context, team db.Team) (string, error) {
	var sb strings.Builder
	sb.WriteString(teamDetails(team, b.now()))
	round, err := b.store.LatestRoundOf(ctx, team.ID)
	if errors.Is(err, db.ErrNotFound) {
		sb.WriteString("\nNo rounds yet.")
		return sb.String(), nil
	}
	if err != nil {
		return "", err
	}
	loc := splitSchedule(team.Schedule).location()
	if round.Open(b.now()) {
		counts, err := b.store.RoundDeliveryCounts(ctx, round.ID)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&sb, "\n*Round %d* is open until %s. Pulse DMs: %d sent, %d pending", round.Number, localTime(round.ClosesAt, loc), counts.Sent, counts.Pending)
		if counts.Failed > 0 {
			fmt.Fprintf(&sb, ", %d couldn't be delivered", counts.Failed)
		}
		sb.WriteString(" (of " + plural(counts.Recipients, "person", "people") + ").")
	} else {
		closed := round.ClosesAt
		if round.ClosedAt.Valid {
			closed = round.ClosedAt.Time
		}
		fmt.Fprintf(&sb, "\n*Round %d* closed on %s.", round.Number, localTime(closed, loc))
	}
	return sb.String(), nil
}

// teamDetails describes a team's settings.
func teamDetails(t db.Team, now time.Time) string {
	sched := splitSchedule(t.Schedule)
	remind := "no reminder"
	if t.RemindAfter() > 0 {
		remind = "one reminder after " + durationWords(t.RemindAfter())
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Team <#%s>*\n", t.ChannelID)
	fmt.Fprintf(&sb, "• Members: everyone in <#%s>, except people who opted out\n", t.ChannelID)
	fmt.Fprintf(&sb, "• Summary: <#%s>\n", t.SummaryChannelID)
	fmt.Fprintf(&sb, "• Schedule: %s — %s\n", sched.describe(), nextRoundText(t, now))
	fmt.Fprintf(&sb, "• Each round stays open %s, with %s\n", durationWords(t.OpenFor()), remind)
	fmt.Fprintf(&sb, "• %d questions a round\n", t.QuestionsPer)
	fmt.Fprintf(&sb, "• Minimum group size: %d", t.MinGroup)
	if t.MinGroup < db.DefaultMinGroup {
		fmt.Fprintf(&sb, "\n:warning: A minimum group below %d shows results for very small groups, where people may guess who said what. %d is recommended.",
			db.DefaultMinGroup, db.DefaultMinGroup)
	}
	if t.Paused {
		fmt.Fprintf(&sb, "\n:double_vertical_bar: Paused: no rounds open until `/hearth team resume <#%s>`.", t.ChannelID)
	}
	return sb.String()
}

// nextRoundText says when the team's next scheduled round opens.
func nextRoundText(t db.Team, now time.Time) string {
	if t.Paused {
		return "paused"
	}
	sched := splitSchedule(t.Schedule)
	times, err := scheduleTimes(sched, now, 1)
	if err != nil || len(times) == 0 {
		return "no upcoming round"
	}
	return "the next round opens " + localTime(times[0], sched.location())
}

// teamSavedText confirms a saved team to the admin.
func teamSavedText(t db.Team, now time.Time) string {
	return ":white_check_mark: Saved.\n\n" + teamDetails(t, now) +
		fmt.Sprintf("\n\nAdmins can open a round now with `/hearth pulse open <#%s>`.", t.ChannelID)
}
