package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
)

type deliverKudosArgs struct {
	KudosID int64 `json:"kudos_id"`
}

func (deliverKudosArgs) Kind() string { return "kudos_deliver" }

func (deliverKudosArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type deliverKudosWorker struct {
	river.WorkerDefaults[deliverKudosArgs]
	r *Runner
}

func (w *deliverKudosWorker) Work(ctx context.Context, job *river.Job[deliverKudosArgs]) error {
	people, err := w.r.messenger.DeliverKudos(ctx, job.Args.KudosID)
	if err != nil {
		return outcome(err)
	}
	return w.r.refreshHomes(ctx, people)
}

type retractKudosArgs struct {
	KudosID int64 `json:"kudos_id"`
}

func (retractKudosArgs) Kind() string { return "kudos_retract" }

func (retractKudosArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type retractKudosWorker struct {
	river.WorkerDefaults[retractKudosArgs]
	r *Runner
}

func (w *retractKudosWorker) Work(ctx context.Context, job *river.Job[retractKudosArgs]) error {
	people, err := w.r.messenger.RetractKudos(ctx, job.Args.KudosID)
	if err != nil {
		return outcome(err)
	}
	return w.r.refreshHomes(ctx, people)
}

type refreshHomeArgs struct {
	UserID string `json:"user_id"`
}

func (refreshHomeArgs) Kind() string { return "home_refresh" }

type refreshHomeWorker struct {
	river.WorkerDefaults[refreshHomeArgs]
	r *Runner
}

func (w *refreshHomeWorker) Work(ctx context.Context, job *river.Job[refreshHomeArgs]) error {
	return outcome(w.r.messenger.PublishHome(ctx, job.Args.UserID))
}

type ephemeralArgs struct {
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id"`
	Text      string `json:"text"`
}

func (ephemeralArgs) Kind() string { return "ephemeral" }

type ephemeralWorker struct {
	river.WorkerDefaults[ephemeralArgs]
	r *Runner
}

func (w *ephemeralWorker) Work(ctx context.Context, job *river.Job[ephemeralArgs]) error {
	return outcome(w.r.messenger.PostEphemeral(ctx, job.Args.ChannelID, job.Args.UserID, job.Args.Text))
}

// refreshHomes enqueues an App Home refresh for each person.
func (r *Runner) refreshHomes(ctx context.Context, userIDs []string) error {
	if len(userIDs) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, 0, len(userIDs))
	seen := map[string]bool{}
	for _, id := range userIDs {
		if !seen[id] {
			seen[id] = true
			params = append(params, river.InsertManyParams{Args: refreshHomeArgs{UserID: id}})
		}
	}
	if _, err := r.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("enqueue home refresh: %w", err)
	}
	return nil
}

// EnqueueKudosDelivery enqueues, in tx, the delivery of a recorded kudos.
func (r *Runner) EnqueueKudosDelivery(ctx context.Context, tx *sql.Tx, kudosID int64) error {
	if _, err := r.client.InsertTx(ctx, tx, deliverKudosArgs{KudosID: kudosID}, nil); err != nil {
		return fmt.Errorf("enqueue kudos delivery: %w", err)
	}
	return nil
}

// EnqueueKudosRetraction enqueues, in tx, the removal of a kudos' messages.
func (r *Runner) EnqueueKudosRetraction(ctx context.Context, tx *sql.Tx, kudosID int64) error {
	if _, err := r.client.InsertTx(ctx, tx, retractKudosArgs{KudosID: kudosID}, nil); err != nil {
		return fmt.Errorf("enqueue kudos retraction: %w", err)
	}
	return nil
}

// EnqueueHomeRefresh enqueues, in tx, an App Home refresh for each user.
func (r *Runner) EnqueueHomeRefresh(ctx context.Context, tx *sql.Tx, userIDs ...string) error {
	for _, id := range userIDs {
		if _, err := r.client.InsertTx(ctx, tx, refreshHomeArgs{UserID: id}, nil); err != nil {
			return fmt.Errorf("enqueue home refresh: %w", err)
		}
	}
	return nil
}

// EnqueueEphemeral enqueues, in tx, a private notice to a person in a channel.
func (r *Runner) EnqueueEphemeral(ctx context.Context, tx *sql.Tx, channelID, userID, text string) error {
	if _, err := r.client.InsertTx(ctx, tx, ephemeralArgs{ChannelID: channelID, UserID: userID, Text: text}, nil); err != nil {
		return fmt.Errorf("enqueue notice: %w", err)
	}
	return nil
}
