// Command hearth runs Hearth, a Slack app for staff recognition and
// wellbeing: `hearth serve` (the default) runs the app; other subcommands
// administer it from the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // time zones work in minimal containers too

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/hearth-oss/hearth/bot"
	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/jobs"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

const usage = `Hearth — staff recognition and wellbeing, in Slack.

Usage:
  hearth demo [--weeks 12]            play a few weeks in a simulated workspace (no Slack needed)
  hearth [serve]                      run Hearth (the default)
  hearth migrate                      apply database migrations and exit
  hearth values list                  list company values
  hearth values add NAME [DESCRIPTION] add a company value
  hearth values remove NAME           remove a company value
  hearth team add --channel C… --summary-channel C… --schedule "CRON_TZ=America/Denver 0 10 * * FRI"
                  [--open-for 72h] [--remind-after 48h|off] [--questions 4] [--min-group 5]
                                      add a team: a channel whose members get weekly pulses
  hearth team list | show C… | pause C… | resume C… | remove C…
  hearth pulse open --team C…         open a round of the team now (a running server sends it)
  hearth pulse close --team C…        close the team's open round now
  hearth report --team C… [--rounds N] [--format text|json|csv]
                                      a team's latest summaries (aggregates only)
  hearth report --org [--since 2160h] the organization roll-up, for admins
  hearth version                      print the version

Run 'hearth COMMAND -h' for a command's flags. Configuration comes from the
environment: see README.md.
`

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "hearth: "+err.Error())
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

// run is the whole program, callable from tests.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := "serve", args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout, stderr)
	case "values":
		return values(ctx, rest, getenv, stdout)
	case "team":
		return teamCmd(ctx, rest, getenv, stdout, stderr)
	case "pulse":
		return pulseCmd(ctx, rest, getenv, stdout)
	case "report":
		return report(ctx, rest, getenv, stdout)
	case "demo":
		return demo(ctx, rest, getenv, stdout, stderr)
	case "version":
		if err := parseFlags("version", rest, stdout, nil); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "hearth", versionString())
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q (run 'hearth --help' for the list)", cmd)}
}

// parseFlags parses a subcommand's flags. -h prints help to stdout and is
// not an error; a bad flag is one readable line.
func parseFlags(name string, args []string, stdout io.Writer, define func(*flag.FlagSet)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if define != nil {
		define(fs)
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "Usage: hearth %s", name)
		fs.VisitAll(func(f *flag.Flag) { fmt.Fprintf(stdout, " [-%s]", f.Name) })
		fmt.Fprintln(stdout)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return errHelpShown
	}
	if err != nil {
		return usageError{fmt.Sprintf("%s: %v (run 'hearth %s -h')", name, err, name)}
	}
	if name != "values" && fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q (run 'hearth %s -h')", name, fs.Arg(0), name)}
	}
	return nil
}

// errHelpShown ends a command successfully after printing its help.
var errHelpShown = errors.New("help shown")

func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openStore(ctx context.Context, c config) (*db.DB, error) {
	store, err := db.Open(ctx, c.DatabaseURL)
	if err != nil {
		// lib/pq errors do not contain the password, but the URL might: say only what failed.
		return nil, fmt.Errorf("cannot reach the database at DATABASE_URL: %w", errors.Unwrap(err))
	}
	return store, nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := parseFlags("migrate", args, stdout, nil); err != nil {
		return helpOK(err)
	}
	c, err := loadConfig(getenv, false)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx, newLogger(c, stderr)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "database schema is up to date")
	return nil
}

func helpOK(err error) error {
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	noMigrate := false
	if err := parseFlags("serve", args, stdout, func(fs *flag.FlagSet) {
		fs.BoolVar(&noMigrate, "no-migrate", false, "do not apply migrations on start (refuse to run if the schema is not current)")
	}); err != nil {
		return helpOK(err)
	}
	c, err := loadConfig(getenv, true)
	if err != nil {
		return err
	}
	questions, err := loadQuestionBank(getenv)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	log.Info("question bank", "bank", questions.Name(), "questions", len(questions.Questions()))
	store, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	if !noMigrate {
		if err := store.Migrate(ctx, log); err != nil {
			return err
		}
	}
	if err := store.CheckSchema(ctx); err != nil {
		return err
	}
	if err := store.InitSettings(ctx, db.KudosSettings{Channel: c.KudosChannel, Emoji: c.KudosEmoji, Allowance: c.KudosAllowance}); err != nil {
		return err
	}

	api := slack.New(c.BotToken, slack.OptionAPIURL(c.APIURL), slack.OptionAppLevelToken(c.AppToken))
	runner, err := jobs.New(jobs.Config{Store: store, Logger: log, PostsPerMinute: c.PostsPerMinute, Questions: questions})
	if err != nil {
		return err
	}
	b := bot.New(bot.Config{Store: store, Slack: api, Queue: runner, Logger: log, Admins: c.Admins, Questions: questions, SupportText: c.SupportText})
	if err := runner.Start(ctx, b); err != nil {
		return err
	}

	// Transports stop taking work when ctx is done.
	errs := make(chan error, 2)
	var httpServer *http.Server
	listener, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HEARTH_HTTP_ADDR %s: %w", c.HTTPAddr, err)
	}
	handler := b.HTTPHandler(bot.HTTPConfig{SigningSecret: c.SigningSecret, Ready: store.Ready})
	if c.SigningSecret == "" {
		handler = bot.HealthOnly(store.Ready)
	}
	httpServer = &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := httpServer.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("http: %w", err)
		}
	}()
	log.Info("hearth is running", "version", versionString(), "http", listener.Addr().String(),
		"http_events", c.SigningSecret != "", "socket_mode", c.AppToken != "")

	socketDone := make(chan struct{})
	socketCtx, stopSocket := context.WithCancel(ctx)
	defer stopSocket()
	if c.AppToken != "" {
		client := socketmode.New(api)
		go func() {
			defer close(socketDone)
			if err := b.RunSocketMode(socketCtx, client); err != nil {
				errs <- fmt.Errorf("socket mode: %w", err)
			}
		}()
	} else {
		close(socketDone)
	}

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case runErr = <-errs:
		log.Error("stopping after a fatal error", "error", runErr)
	}

	// Stop taking work, let in-flight requests and jobs finish, then close the database.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", "error", err)
	}
	stopSocket()
	<-socketDone
	if err := runner.Stop(shutdownCtx); err != nil {
		log.Warn("job shutdown", "error", err)
	}
	log.Info("stopped")
	return runErr
}
