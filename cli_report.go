package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/hearth-oss/hearth/bot/summaryview"
	"github.com/hearth-oss/hearth/db"
)

// report prints a team's latest summaries, or the organization roll-up:
// the same aggregates, under the same rules, as Slack shows.
func report(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var team, format string
	var rounds int
	var org bool
	var since time.Duration
	if err := parseFlags("report", args, stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&team, "team", "", "the team's member channel id (C…)")
		fs.IntVar(&rounds, "rounds", 1, "how many of the latest closed rounds")
		fs.StringVar(&format, "format", "text", "text, json or csv")
		fs.BoolVar(&org, "org", false, "the organization roll-up across teams instead of one team")
		fs.DurationVar(&since, "since", 90*24*time.Hour, "with --org: rounds closed within this long")
	}); err != nil {
		return helpOK(err)
	}
	switch {
	case org && team != "":
		return usageError{"report: give --team or --org, not both"}
	case !org && !channelID.MatchString(team):
		return usageError{"report: --team must be a channel id like C0123ABCD"}
	case rounds < 1 || rounds > 520:
		return usageError{"report: --rounds must be between 1 and 520"}
	case !slices.Contains([]string{"text", "json", "csv"}, format):
		return usageError{"report: --format must be text, json or csv"}
	case org && format == "csv":
		return usageError{"report: --org supports text and json"}
	}
	return withStore(ctx, getenv, func(store *db.DB) error {
		if org {
			return orgReport(ctx, store, since, format, stdout)
		}
		return teamReport(ctx, store, team, rounds, format, getenv, stdout)
	})
}

// teamReport prints a team's latest summaries.
func teamReport(ctx context.Context, store *db.DB, team string, rounds int, format string, getenv func(string) string, stdout io.Writer) error {
	t, err := store.TeamByChannel(ctx, team)
	if errors.Is(err, db.ErrNotFound) {
		return usageError{fmt.Sprintf("report: no team for channel %s ('hearth team list' shows them)", team)}
	}
	if err != nil {
		return err
	}
	ids, err := store.LatestClosedRounds(ctx, t.ID, rounds)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		fmt.Fprintf(stdout, "no closed rounds yet for %s\n", team)
		return nil
	}
	slices.Reverse(ids)
	summaries := make([]db.Summary, 0, len(ids))
	for _, id := range ids {
		s, err := store.RoundSummary(ctx, id)
		if err != nil {
			return err
		}
		summaries = append(summaries, s)
	}
	bank, err := loadQuestionBank(getenv)
	if err != nil {
		return err
	}
	opts := summaryview.Options{Support: getenv("HEARTH_SUPPORT_TEXT"), Bank: bank}
	switch format {
	case "json":
		return summaryview.JSON(stdout, summaries)
	case "csv":
		return summaryview.CSV(stdout, summaries)
	}
	for i, s := range summaries {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := summaryview.Text(stdout, s, opts); err != nil {
			return err
		}
	}
	return nil
}

func orgReport(ctx context.Context, store *db.DB, since time.Duration, format string, stdout io.Writer) error {
	r, err := store.OrgRollup(ctx, time.Now().Add(-since))
	if err != nil {
		return err
	}
	if format == "json" {
		return summaryview.RollupJSON(stdout, r)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "group\trespondents\tfavourable\n")
	row := func(name string, g db.RollupGroup) {
		if g.Suppressed {
			fmt.Fprintf(tw, "%s\t—\thidden to protect anonymity\n", name)
			return
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f%% (%.0f–%.0f%%)\n", name, g.Respondents, g.Favourable.Estimate*100, g.Favourable.Lower*100, g.Favourable.Upper*100)
	}
	row("organization", r.Org)
	for _, g := range r.Teams {
		row(g.Team.ChannelID, g)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nGroups below %d people are hidden, and so is any group that could be worked out by subtracting the ones shown.\n", r.K)
	return nil
}
