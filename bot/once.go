package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/hearth-oss/hearth/db"
)

// errRollback ends a transaction without an error for the caller: the
// answer was a refusal and nothing may be written.
var errRollback = errors.New("rollback")

// effect does the work of one inbound delivery inside its transaction and
// returns the answer to give Slack. commit=false rolls the work back (a
// refusal) but the answer is still given.
type effect func(tx *sqlx.Tx) (answer any, commit bool, err error)

// once runs fn for the Slack delivery key at most once: the delivery is
// claimed in the same transaction as fn's writes, and a redelivery gets the
// stored answer without running fn again.
func (b *Bot) once(ctx context.Context, key string, fn effect) (json.RawMessage, error) {
	if prev, err := b.store.InboundResponse(ctx, key); err == nil {
		return prev, nil
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	var answer json.RawMessage
	err := b.store.WithTx(ctx, func(tx *sqlx.Tx) error {
		claimed, prev, err := db.ClaimInbound(ctx, tx, key)
		if err != nil {
			return err
		}
		if !claimed {
			answer = prev
			return nil
		}
		out, commit, err := fn(tx)
		if err != nil {
			return err
		}
		answer, err = json.Marshal(out)
		if err != nil {
			return fmt.Errorf("encode answer: %w", err)
		}
		if !commit {
			return errRollback
		}
		return db.StoreInboundResponse(ctx, tx, key, answer)
	})
	if err != nil && !errors.Is(err, errRollback) {
		return nil, err
	}
	return answer, nil
}
