package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ClaimInbound records, inside the caller's transaction, that the Slack
// delivery named key is being handled. It returns claimed=false and the
// stored answer when the key was handled before (a redelivery). A
// concurrent duplicate blocks until the first transaction ends.
func ClaimInbound(ctx context.Context, q Querier, key string) (claimed bool, previous json.RawMessage, err error) {
	res, err := q.ExecContext(ctx, `INSERT INTO slack_inbound (key) VALUES ($1) ON CONFLICT (key) DO NOTHING`, key)
	if err != nil {
		return false, nil, fmt.Errorf("claim inbound %s: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil, nil
	}
	var stored []byte
	err = q.GetContext(ctx, &stored, `SELECT COALESCE(response, 'null'::jsonb) FROM slack_inbound WHERE key = $1`, key)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, nil, fmt.Errorf("read inbound %s: %w", key, err)
	}
	return false, stored, nil
}

// StoreInboundResponse saves the answer given to the delivery key, for redeliveries.
func StoreInboundResponse(ctx context.Context, q Querier, key string, response json.RawMessage) error {
	if _, err := q.ExecContext(ctx, `UPDATE slack_inbound SET response = $2 WHERE key = $1`, key, []byte(response)); err != nil {
		return fmt.Errorf("store inbound response: %w", err)
	}
	return nil
}

// InboundResponse returns the stored answer to key, or ErrNotFound when the
// key has not been handled (a cheap check before doing slow work).
func (d *DB) InboundResponse(ctx context.Context, key string) (json.RawMessage, error) {
	var stored []byte
	err := d.GetContext(ctx, &stored, `SELECT COALESCE(response, 'null'::jsonb) FROM slack_inbound WHERE key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read inbound: %w", err)
	}
	return stored, nil
}

// PruneInbound forgets deliveries older than age; Slack redelivers within minutes.
func (d *DB) PruneInbound(ctx context.Context, age time.Duration) (int64, error) {
	res, err := d.ExecContext(ctx, `DELETE FROM slack_inbound WHERE received_at < now() - $1::interval`, fmt.Sprintf("%d seconds", int(age.Seconds())))
	if err != nil {
		return 0, fmt.Errorf("prune inbound: %w", err)
	}
	return res.RowsAffected()
}
