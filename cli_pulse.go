package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/questionbank"
	"github.com/hearth-oss/hearth/jobs"
)

const pulseUsage = `Usage:
  hearth pulse open --team C… [--wait 20s]    open a round of the team now
  hearth pulse close --team C… [--wait 20s]   close the team's open round now

A running 'hearth serve' does the work (the same jobs as a scheduled round);
the command waits up to --wait for it and says what happened.
`

// pulseWaitPoll is how often `hearth pulse` looks at the database while it waits.
const pulseWaitPoll = 100 * time.Millisecond

// pulseCmd opens or closes a team's round now: `hearth pulse open|close --team C…`.
func pulseCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || isHelpArg(args[0]) {
		fmt.Fprint(stdout, pulseUsage)
		if len(args) == 0 {
			return usageError{"pulse: say open or close"}
		}
		return nil
	}
	sub := args[0]
	if sub != "open" && sub != "close" {
		return usageError{fmt.Sprintf("pulse: unknown subcommand %q (open or close)", sub)}
	}
	name := "pulse " + sub
	var channel string
	var wait time.Duration
	if err := parseFlags(name, args[1:], stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&channel, "team", "", "the team's member channel id (required)")
		fs.DurationVar(&wait, "wait", 20*time.Second, "how long to wait for a running 'hearth serve' to do it (0: do not wait)")
	}); err != nil {
		return helpOK(err)
	}
	switch {
	case channel == "":
		return usageError{fmt.Sprintf("%s: --team is required (the team's member channel id, like C0123ABCD)", name)}
	case !channelID.MatchString(channel):
		return usageError{fmt.Sprintf("%s: --team %q is not a channel id (like C0123ABCD; not a #name)", name, channel)}
	case wait < 0:
		return usageError{fmt.Sprintf("%s: --wait must not be negative", name)}
	}
	return withStore(ctx, getenv, func(store *db.DB) error {
		t, err := store.TeamByChannel(ctx, channel)
		if errors.Is(err, db.ErrNotFound) {
			return usageError{fmt.Sprintf("%s: no team for channel %s (see 'hearth team list')", name, channel)}
		}
		if err != nil {
			return err
		}
		// Built but not started: it only inserts the job a server will run.
		runner, err := jobs.New(jobs.Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return err
		}
		if sub == "open" {
			return pulseOpen(ctx, store, runner, t, wait, stdout)
		}
		return pulseClose(ctx, store, runner, t, wait, stdout)
	})
}

func pulseOpen(ctx context.Context, store *db.DB, runner *jobs.Runner, t db.Team, wait time.Duration, stdout io.Writer) error {
	before, err := store.LatestRoundOf(ctx, t.ID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	jobID, err := runner.RequestRoundOpen(ctx, t.ID)
	if err != nil {
		return err
	}
	var round db.Round
	var failure string
	done, err := awaitCondition(ctx, wait, func() (bool, error) {
		var err error
		round, err = store.LatestRoundOf(ctx, t.ID)
		if err == nil && round.ID != before.ID {
			return true, nil
		}
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return false, err
		}
		var finished bool
		finished, failure, err = runner.JobOutcome(ctx, jobID)
		return finished, err
	})
	switch {
	case err != nil:
		return err
	case !done:
		fmt.Fprintln(stdout, "queued: a running 'hearth serve' will open it")
		return nil
	case failure != "":
		return fmt.Errorf("pulse open: round not opened for %s: %s", t.ChannelID, failure)
	case round.ID == before.ID && (round.ID == 0 || round.ClosedAt.Valid):
		return fmt.Errorf("pulse open: no round opened for %s (see the server's log)", t.ChannelID)
	case round.ID == before.ID:
		// The same request a moment ago (within the second) opened it.
		fmt.Fprintf(stdout, "round %d is open for %s: %d %s asked\n", round.Number, t.ChannelID, round.MemberCount, plural(round.MemberCount, "person", "people"))
		return nil
	}
	fmt.Fprintf(stdout, "round %d opened for %s: %d %s asked\n", round.Number, t.ChannelID, round.MemberCount, plural(round.MemberCount, "person", "people"))
	if before.ID != 0 && !before.ClosedAt.Valid {
		fmt.Fprintf(stdout, "round %d was still open and has been closed; its summary goes to %s\n", before.Number, t.SummaryChannelID)
	}
	return nil
}

func pulseClose(ctx context.Context, store *db.DB, runner *jobs.Runner, t db.Team, wait time.Duration, stdout io.Writer) error {
	open, err := store.OpenRoundOf(ctx, t.ID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("pulse close: team %s has no open round", t.ChannelID)
	}
	if err != nil {
		return err
	}
	jobID, err := runner.RequestRoundClose(ctx, open.ID)
	if err != nil {
		return err
	}
	var failure string
	done, err := awaitCondition(ctx, wait, func() (bool, error) {
		r, err := store.Round(ctx, open.ID)
		if err != nil || r.ClosedAt.Valid {
			return err == nil, err
		}
		var finished bool
		finished, failure, err = runner.JobOutcome(ctx, jobID)
		return finished && failure != "", err
	})
	switch {
	case err != nil:
		return err
	case !done:
		fmt.Fprintln(stdout, "queued: a running 'hearth serve' will close it")
		return nil
	case failure != "":
		return fmt.Errorf("pulse close: round %d not closed: %s", open.Number, failure)
	}
	fmt.Fprintf(stdout, "round %d closed for %s; its summary goes to %s\n", open.Number, t.ChannelID, t.SummaryChannelID)
	return nil
}

// awaitCondition checks cond until it holds (true) or wait passes (false).
func awaitCondition(ctx context.Context, wait time.Duration, cond func() (bool, error)) (bool, error) {
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(pulseWaitPoll)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return ok, err
		}
		if !time.Now().Before(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-tick.C:
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// loadQuestionBank reads HEARTH_QUESTIONS_FILE, if set: an organization's
// own question bank instead of the built-in one. Every problem in the file
// is reported, with its line, on one line.
func loadQuestionBank(getenv func(string) string) (*questionbank.Bank, error) {
	path := strings.TrimSpace(getenv("HEARTH_QUESTIONS_FILE"))
	if path == "" {
		return questionbank.Default(), nil
	}
	bank, err := questionbank.LoadFile(path)
	var invalid *questionbank.ValidationError
	switch {
	case errors.As(err, &invalid):
		return nil, fmt.Errorf("HEARTH_QUESTIONS_FILE: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	case err != nil:
		return nil, fmt.Errorf("HEARTH_QUESTIONS_FILE: cannot read the question bank: %w", err)
	}
	return bank, nil
}
