package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// inboundRetention is how long handled Slack delivery ids are kept; Slack
// redelivers within minutes, so a week is generous.
const inboundRetention = 7 * 24 * time.Hour

type pruneInboundArgs struct{}

func (pruneInboundArgs) Kind() string { return "prune_inbound" }

func (pruneInboundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Hour}}
}

type pruneInboundWorker struct {
	river.WorkerDefaults[pruneInboundArgs]
	r *Runner
}

func (w *pruneInboundWorker) Work(ctx context.Context, _ *river.Job[pruneInboundArgs]) error {
	n, err := w.r.store.PruneInbound(ctx, inboundRetention)
	if err != nil {
		return err
	}
	if n > 0 {
		w.r.log.Info("pruned handled Slack deliveries", "count", n)
	}
	return nil
}
