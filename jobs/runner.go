package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/questionbank"
)

// Job timing: a delivery job gets JobTimeout to finish; one whose process
// died is picked up again after RescueStuckJobsAfter (River's rescuer runs
// every 30s, so within two minutes). JobTimeout covers a pulse DM's
// longest wait for its post slot (paceMaxWait+paceHorizon, 15s) plus its
// Slack calls. RescueStuckJobsAfter must stay above every worker's
// timeout, or a slow job still running could be started a second time.
const (
	JobTimeout           = 30 * time.Second
	RescueStuckJobsAfter = 90 * time.Second
)

// Messenger is what jobs need from Slack. Errors may carry
// RetryAfter() time.Duration (Slack said wait) or Permanent() bool
// (retrying cannot help).
type Messenger interface {
	// DeliverKudos posts a kudos and returns the people whose App Home changed.
	DeliverKudos(ctx context.Context, kudosID int64) ([]string, error)
	// RetractKudos removes a kudos' messages and returns the people whose App Home changed.
	RetractKudos(ctx context.Context, kudosID int64) ([]string, error)
	// PublishHome republishes one person's App Home.
	PublishHome(ctx context.Context, userID string) error
	// PostEphemeral shows text privately to a person in a channel.
	PostEphemeral(ctx context.Context, channelID, userID, text string) error

	PulseMessenger
}

// PulseMessenger is what pulse rounds need from Slack.
type PulseMessenger interface {
	// HumanMembers lists the active human members of a channel: no bots,
	// no deactivated users, no Slackbot. Opt-outs are not filtered here.
	HumanMembers(ctx context.Context, channelID string) ([]string, error)
	// DMChannel returns where to send a person's DM: the cached DM channel
	// id, or else the user id itself (Slack delivers a post to a user id
	// into the DM), so a first round needs no conversations.open per person.
	DMChannel(ctx context.Context, userID string) (string, error)
	// FindPulseDM looks in a DM channel, from since on, for the pulse DM
	// (or reminder) of roundID that Hearth already posted — by its message
	// metadata — and returns the DM channel id and its ts, or "" when there
	// is none. channelID may be a user id.
	FindPulseDM(ctx context.Context, channelID string, roundID int64, kind db.DMKind, since time.Time) (channel, ts string, err error)
	// PostPulseDM posts a round's pulse DM (or reminder) to a DM channel,
	// tagged with message metadata naming the round and kind, and returns the
	// DM channel id it landed in and its ts. channelID may be a user id.
	PostPulseDM(ctx context.Context, channelID string, team db.Team, round db.Round, kind db.DMKind) (channel, ts string, err error)
	// MarkPulseAnswered updates a person's pulse DM to thank them once they answered.
	MarkPulseAnswered(ctx context.Context, team db.Team, round db.Round, recipient db.Recipient) error
	// PostRoundSummary posts the anonymized summary of a closed round to the
	// team's summary channel.
	PostRoundSummary(ctx context.Context, team db.Team, round db.Round) error
}

// Config configures the job runner.
type Config struct {
	Store  *db.DB
	Logger *slog.Logger
	// Workers is how many jobs run at once (default 10).
	Workers int
	// PollInterval is how often idle workers look for new jobs (default 250ms).
	PollInterval time.Duration
	// PostsPerMinute paces pulse DMs for the whole workspace, shared by
	// every replica (default DefaultPostsPerMinute).
	PostsPerMinute int
	// Questions is the bank rounds ask from (nil: questionbank.Default()).
	Questions *questionbank.Bank
	// Now is the clock rounds open and close by (nil: time.Now).
	Now func() time.Time
}

// Runner inserts and runs Hearth's jobs.
type Runner struct {
	client    *river.Client[*sql.Tx]
	store     *db.DB
	log       *slog.Logger
	messenger Messenger
	// postPace spaces pulse DMs (chat.postMessage) across replicas.
	postPace  *postPace
	questions *questionbank.Bank
	now       func() time.Time
}

// New builds a runner; Start runs its workers.
func New(cfg Config) (*Runner, error) {
	r := &Runner{store: cfg.Store, log: cfg.Logger}
	if r.log == nil {
		r.log = slog.Default()
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &deliverKudosWorker{r: r})
	river.AddWorker(workers, &retractKudosWorker{r: r})
	river.AddWorker(workers, &refreshHomeWorker{r: r})
	river.AddWorker(workers, &ephemeralWorker{r: r})
	river.AddWorker(workers, &pruneInboundWorker{r: r})
	river.AddWorker(workers, &pulseDMWorker{r: r})
	river.AddWorker(workers, &pulseAnsweredWorker{r: r})
	r.addRoundWorkers(cfg, workers)
	postsPerMinute := cfg.PostsPerMinute
	if postsPerMinute <= 0 {
		postsPerMinute = DefaultPostsPerMinute
	}
	r.postPace = newPostPace(time.Minute / time.Duration(postsPerMinute))

	maxWorkers := cfg.Workers
	if maxWorkers <= 0 {
		maxWorkers = 10
	}
	poll := cfg.PollInterval
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	client, err := river.NewClient(riverdatabasesql.New(cfg.Store.DB.DB), &river.Config{
		Queues: map[string]river.QueueConfig{
			river.QueueDefault: {MaxWorkers: maxWorkers},
			QueuePulseDM:       {MaxWorkers: pulseDMWorkers},
		},
		Workers:              workers,
		PollOnly:             true, // lib/pq has no LISTEN support in River's database/sql driver
		FetchPollInterval:    poll,
		FetchCooldown:        min(poll, 100*time.Millisecond),
		JobTimeout:           JobTimeout,
		RescueStuckJobsAfter: RescueStuckJobsAfter,
		MaxAttempts:          12,
		Logger:               r.log.With("component", "river"),
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return pruneInboundArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}),
			pulseTickJob(),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("job runner: %w", err)
	}
	r.client = client
	return r, nil
}

// Start runs the workers, which deliver through m, until Stop.
func (r *Runner) Start(ctx context.Context, m Messenger) error {
	r.messenger = m
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	return nil
}

// Stop stops fetching new jobs and waits for running ones until ctx is
// done; jobs still running then are cancelled and retried later.
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return r.client.StopAndCancel(context.WithoutCancel(ctx))
	}
	return err
}

// Client is the underlying River client.
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// outcome turns a delivery error into what River should do: snooze for a
// 429, cancel for a permanent failure, otherwise retry with backoff.
func outcome(err error) error {
	if err == nil {
		return nil
	}
	var wait interface{ RetryAfter() time.Duration }
	if errors.As(err, &wait) && wait.RetryAfter() > 0 {
		return river.JobSnooze(wait.RetryAfter())
	}
	var perm interface{ Permanent() bool }
	if errors.As(err, &perm) && perm.Permanent() {
		return river.JobCancel(err)
	}
	return err
}
