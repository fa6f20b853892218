package bot

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/slack-go/slack"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/questionbank"
)

// ackBudget is how long a handler may work before Slack's 3-second
// acknowledgement deadline, leaving room for the network.
const ackBudget = 2500 * time.Millisecond

// Queue is how the bot hands slow work to durable jobs. The methods that
// take a transaction enqueue in it, so the job exists exactly when the
// data it works on was committed.
type Queue interface {
	// EnqueueKudosDelivery posts a recorded kudos to the kudos channel and DMs.
	EnqueueKudosDelivery(ctx context.Context, tx *sql.Tx, kudosID int64) error
	// EnqueueKudosRetraction deletes the messages of a kudos taken back.
	EnqueueKudosRetraction(ctx context.Context, tx *sql.Tx, kudosID int64) error
	// EnqueueHomeRefresh republishes the App Home of each user.
	EnqueueHomeRefresh(ctx context.Context, tx *sql.Tx, userIDs ...string) error
	// EnqueueEphemeral shows text to user in channel, privately.
	EnqueueEphemeral(ctx context.Context, tx *sql.Tx, channelID, userID, text string) error
	// EnqueuePulseAnswered updates a person's pulse DM once they answered.
	EnqueuePulseAnswered(ctx context.Context, roundID int64, userID string) error
	// EnqueueRoundOpen opens a round of the team now (a manual round).
	EnqueueRoundOpen(ctx context.Context, teamID int64) error
	// EnqueueRoundClose closes the team's open round now.
	EnqueueRoundClose(ctx context.Context, roundID int64) error
}

// Config is what the bot needs from the outside world.
type Config struct {
	Store  *db.DB
	Slack  *slack.Client
	Queue  Queue
	Logger *slog.Logger
	// Admins may administer Hearth in addition to workspace admins and owners.
	Admins []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Questions gives summaries their "try this week" tips; nil means the default bank.
	Questions *questionbank.Bank
	// SupportText is the organization's support resources, shown under every summary.
	SupportText string
}

// Bot handles everything Slack sends Hearth.
type Bot struct {
	store  *db.DB
	api    *slack.Client
	queue  Queue
	log    *slog.Logger
	admins map[string]bool
	now    func() time.Time
	bank   *questionbank.Bank
	// support is the organization's support resources for summaries.
	support string
	// channels caches summary channel members for results access checks.
	channels channelMembers
}

// New returns a Bot.
func New(cfg Config) *Bot {
	b := &Bot{
		store:   cfg.Store,
		api:     cfg.Slack,
		queue:   cfg.Queue,
		log:     cfg.Logger,
		admins:  map[string]bool{},
		now:     cfg.Now,
		bank:    cfg.Questions,
		support: cfg.SupportText,
	}
	if b.bank == nil {
		b.bank = questionbank.Default()
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.now == nil {
		b.now = time.Now
	}
	for _, id := range cfg.Admins {
		b.admins[id] = true
	}
	return b
}
