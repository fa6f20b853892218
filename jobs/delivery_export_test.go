package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/hearth-oss/hearth/db"
)

// EnqueuePulseDMs enqueues the DM of kind for each person, as a round's
// open and remind jobs do, for the delivery tests in package jobs_test.
func EnqueuePulseDMs(ctx context.Context, r *Runner, roundID int64, kind db.DMKind, userIDs []string) error {
	params := make([]river.InsertManyParams, len(userIDs))
	for i, id := range userIDs {
		params[i] = river.InsertManyParams{Args: pulseDMArgs{RoundID: roundID, UserID: id, DMKind: kind}}
	}
	_, err := r.client.InsertMany(ctx, params)
	return err
}
