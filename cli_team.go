package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/schedule"
)

const teamUsage = `Usage:
  hearth team add --channel C… --summary-channel C… --schedule "CRON_TZ=America/Denver 0 10 * * FRI"
                  [--open-for 72h] [--remind-after 48h|off] [--questions 4] [--min-group 5]
  hearth team list
  hearth team show C…
  hearth team pause C…
  hearth team resume C…
  hearth team remove C…
`

// teamCmd administers pulse teams: `hearth team add|list|show|pause|resume|remove`.
func teamCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelpArg(args[0]) {
		fmt.Fprint(stdout, teamUsage)
		if len(args) == 0 {
			return usageError{"team: say add, list, show, pause, resume or remove"}
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "add":
		return teamAdd(ctx, rest, getenv, stdout, stderr)
	case "list":
		if err := parseFlags("team list", rest, stdout, nil); err != nil {
			return helpOK(err)
		}
		return withStore(ctx, getenv, func(store *db.DB) error { return teamList(ctx, store, stdout) })
	case "show", "pause", "resume", "remove":
		if len(rest) == 1 && isHelpArg(rest[0]) {
			fmt.Fprintf(stdout, "Usage: hearth team %s C…\n", sub)
			return nil
		}
		if len(rest) != 1 {
			return usageError{fmt.Sprintf("team %s: give one member channel id, like: hearth team %s C0123ABCD", sub, sub)}
		}
		channel := rest[0]
		if !channelID.MatchString(channel) {
			return usageError{fmt.Sprintf("team %s: %q is not a channel id (like C0123ABCD; not a #name)", sub, channel)}
		}
		return withStore(ctx, getenv, func(store *db.DB) error {
			err := teamChange(ctx, store, sub, channel, stdout)
			if errors.Is(err, db.ErrNotFound) {
				return usageError{fmt.Sprintf("team %s: no team for channel %s (see 'hearth team list')", sub, channel)}
			}
			return err
		})
	}
	return usageError{fmt.Sprintf("team: unknown subcommand %q (add, list, show, pause, resume or remove)", sub)}
}

func isHelpArg(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// withStore opens the database for an admin command and checks its schema.
func withStore(ctx context.Context, getenv func(string) string, fn func(*db.DB) error) error {
	c, err := loadConfig(getenv, false)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.CheckSchema(ctx); err != nil {
		return err
	}
	return fn(store)
}

// teamAdd validates every flag before touching the database, so a mistake
// is one clear line and exit status 2.
func teamAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var channel, summary, spec, openFor, remindAfter string
	var questions, minGroup int
	err := parseFlags("team add", args, stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&channel, "channel", "", "member channel id: its human members are pulsed (required)")
		fs.StringVar(&summary, "summary-channel", "", "channel id where managers read the team's summary (required)")
		fs.StringVar(&spec, "schedule", "", `when rounds open, a cron spec with a time zone, e.g. "CRON_TZ=America/Denver 0 10 * * FRI" (required)`)
		fs.StringVar(&openFor, "open-for", "72h", "how long a round stays open (1h to 14d; e.g. 72h or 3d)")
		fs.StringVar(&remindAfter, "remind-after", "", `when to remind those who have not answered, or "off" (default 48h, or two thirds of --open-for if that is shorter)`)
		fs.IntVar(&questions, "questions", db.DefaultQuestions, "questions per round (3 to 5)")
		fs.IntVar(&minGroup, "min-group", db.DefaultMinGroup, "fewest respondents a summary may show (3 to 10)")
	})
	if err != nil {
		return helpOK(err)
	}
	bad := func(format string, a ...any) error { return usageError{"team add: " + fmt.Sprintf(format, a...)} }
	switch {
	case channel == "":
		return bad("--channel is required (the member channel's id, like C0123ABCD)")
	case !channelID.MatchString(channel):
		return bad("--channel %q is not a channel id (like C0123ABCD; not a #name)", channel)
	case summary == "":
		return bad("--summary-channel is required (where managers read the summary, like C0456EFGH)")
	case !channelID.MatchString(summary):
		return bad("--summary-channel %q is not a channel id (like C0456EFGH; not a #name)", summary)
	case summary == channel:
		return bad("--summary-channel must differ from --channel: members must not see their team's summary before managers do")
	case strings.TrimSpace(spec) == "":
		return bad(`--schedule is required, e.g. --schedule "CRON_TZ=America/Denver 0 10 * * FRI" (Fridays at 10:00)`)
	}
	sched, err := schedule.Parse(spec)
	if err != nil {
		return bad("%v", err)
	}
	open, err := parseDays(openFor)
	if err != nil || open < db.MinOpenFor || open > db.MaxOpenFor {
		return bad("--open-for %q must be a duration from 1h to 336h (14 days), like 72h or 3d", openFor)
	}
	var remind time.Duration // 0: the default
	switch strings.ToLower(strings.TrimSpace(remindAfter)) {
	case "":
	case "off", "none", "no", "never", "0":
		remind = -1
	default:
		remind, err = parseDays(remindAfter)
		if err != nil || remind <= 0 {
			return bad(`--remind-after %q must be a duration like 48h or 2d, or "off"`, remindAfter)
		}
		if remind >= open {
			return bad("--remind-after (%s) must be shorter than --open-for (%s)", hours(remind), hours(open))
		}
	}
	if gap, ok := sched.ShortestGap(time.Now(), 30); ok && gap < open {
		return bad("rounds would open %s apart but each stays open %s, so one would still be open when the next is due: choose a less frequent --schedule or a shorter --open-for", hours(gap), hours(open))
	}
	if questions < db.MinQuestionsPerRound || questions > db.MaxQuestionsPerRound {
		return bad("--questions must be 3, 4 or 5 (more than 5 a week tires people), not %d", questions)
	}
	if minGroup < db.MinMinGroup {
		return bad("--min-group must be at least %d to protect anonymity, not %d", db.MinMinGroup, minGroup)
	}
	if minGroup > db.MaxMinGroup {
		return bad("--min-group can be at most %d, not %d", db.MaxMinGroup, minGroup)
	}

	return withStore(ctx, getenv, func(store *db.DB) error {
		t, err := store.AddTeam(ctx, db.NewTeam{ChannelID: channel, SummaryChannelID: summary, Schedule: sched.String(),
			OpenFor: open, RemindAfter: remind, QuestionsPer: questions, MinGroup: minGroup})
		switch {
		case errors.Is(err, db.ErrConflict):
			return bad("channel %s already is a team (see 'hearth team show %s')", channel, channel)
		case errors.Is(err, db.ErrTeamInvalid):
			return bad("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
		case err != nil:
			return err
		}
		if minGroup < db.DefaultMinGroup {
			fmt.Fprintf(stderr, "warning: with a minimum group of %d it is easier to guess who answered what; %d is the default\n", minGroup, db.DefaultMinGroup)
		}
		if a, ok := sched.Next(time.Now()); ok {
			if b, ok := sched.Next(a); ok && b.Sub(a) < open {
				fmt.Fprintf(stderr, "note: rounds open every %s but stay open %s: each new round closes the one before early\n", hours(b.Sub(a)), hours(open))
			}
		}
		fmt.Fprintf(stdout, "added team %s\n", t.ChannelID)
		return showTeam(ctx, store, t, stdout)
	})
}

// parseDays is time.ParseDuration that also reads whole days ("3d").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// hours formats a duration as people write it: 72h, 90m, 1h30m.
func hours(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func remindText(t db.Team) string {
	if t.RemindSeconds == nil {
		return "off"
	}
	return hours(t.RemindAfter())
}

func teamStatus(t db.Team) string {
	if t.Paused {
		return "paused"
	}
	return "active"
}

// describeSchedule is the team's schedule in words, or the spec and why it
// cannot be used.
func describeSchedule(t db.Team) (string, schedule.Schedule, bool) {
	s, err := schedule.Parse(t.Schedule)
	if err != nil {
		return fmt.Sprintf("%s (invalid: %v)", t.Schedule, err), s, false
	}
	return s.Describe(), s, true
}

func teamList(ctx context.Context, store *db.DB, stdout io.Writer) error {
	teams, err := store.Teams(ctx)
	if err != nil {
		return err
	}
	if len(teams) == 0 {
		fmt.Fprintln(stdout, `no teams yet; add one with: hearth team add --channel C… --summary-channel C… --schedule "CRON_TZ=America/Denver 0 10 * * FRI"`)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tSUMMARY\tSCHEDULE\tOPEN FOR\tREMINDER\tQUESTIONS\tMIN GROUP\tSTATUS\tROUND")
	for _, t := range teams {
		when, _, _ := describeSchedule(t)
		round := "-"
		if r, err := store.LatestRoundOf(ctx, t.ID); err == nil {
			round = fmt.Sprintf("%d closed", r.Number)
			if !r.ClosedAt.Valid {
				round = fmt.Sprintf("%d open", r.Number)
			}
		} else if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", t.ChannelID, t.SummaryChannelID, when,
			hours(t.OpenFor()), remindText(t), t.QuestionsPer, t.MinGroup, teamStatus(t), round)
	}
	return tw.Flush()
}

// showTeam prints a team's settings and its current round. It shows
// delivery counts, never who answered or how many did.
func showTeam(ctx context.Context, store *db.DB, t db.Team, stdout io.Writer) error {
	when, sched, ok := describeSchedule(t)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  members channel\t%s\n", t.ChannelID)
	fmt.Fprintf(tw, "  summary channel\t%s\n", t.SummaryChannelID)
	fmt.Fprintf(tw, "  schedule\t%s\n", when)
	fmt.Fprintf(tw, "  cron spec\t%s\n", t.Schedule)
	if ok && !t.Paused {
		if next, found := sched.Next(time.Now()); found {
			fmt.Fprintf(tw, "  next round\t%s\n", next.In(sched.Location()).Format("Mon 2 Jan 2006 15:04 MST"))
		}
	}
	fmt.Fprintf(tw, "  open for\t%s\n", hours(t.OpenFor()))
	fmt.Fprintf(tw, "  reminder\t%s\n", remindText(t))
	fmt.Fprintf(tw, "  questions\t%d per round\n", t.QuestionsPer)
	fmt.Fprintf(tw, "  min group\t%d\n", t.MinGroup)
	fmt.Fprintf(tw, "  status\t%s\n", teamStatus(t))
	latest, err := store.LatestRoundOf(ctx, t.ID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		fmt.Fprintf(tw, "  rounds\tnone yet\n")
	case err != nil:
		return err
	case latest.ClosedAt.Valid:
		fmt.Fprintf(tw, "  last round\t%d, %s to %s, %d asked\n", latest.Number, stamp(latest.OpenedAt), stamp(latest.ClosedAt.Time), latest.MemberCount)
	default:
		c, err := store.RoundDeliveryCounts(ctx, latest.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "  open round\t%d, opened %s, closes %s\n", latest.Number, stamp(latest.OpenedAt), stamp(latest.ClosesAt))
		fmt.Fprintf(tw, "  DMs\t%d asked: %d sent, %d failed, %d pending\n", c.Recipients, c.Sent, c.Failed, c.Pending)
	}
	return tw.Flush()
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func teamChange(ctx context.Context, store *db.DB, sub, channel string, stdout io.Writer) error {
	switch sub {
	case "show":
		t, err := store.TeamByChannel(ctx, channel)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "team %s\n", t.ChannelID)
		return showTeam(ctx, store, t, stdout)
	case "pause":
		if err := store.SetTeamPaused(ctx, channel, true); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "paused team %s: no scheduled rounds until 'hearth team resume %s' (a round already open runs to its end)\n", channel, channel)
	case "resume":
		if err := store.SetTeamPaused(ctx, channel, false); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "resumed team %s\n", channel)
	case "remove":
		if err := store.RemoveTeam(ctx, channel); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed team %s with its rounds and their anonymous results\n", channel)
	}
	return nil
}
