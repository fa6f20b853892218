package db

import (
	"context"
	"fmt"
)

// Delivery is one Slack message a kudos produced.
type Delivery struct {
	Target    string `db:"target"` // "channel", "dm:U…", "giver"
	ChannelID string `db:"channel_id"`
	MessageTS string `db:"message_ts"`
}

// KudosDeliveries lists the messages already posted for a kudos.
func (d *DB) KudosDeliveries(ctx context.Context, kudosID int64) ([]Delivery, error) {
	var ds []Delivery
	if err := d.SelectContext(ctx, &ds,
		`SELECT target, channel_id, message_ts FROM kudos_deliveries WHERE kudos_id = $1 ORDER BY target`, kudosID); err != nil {
		return nil, fmt.Errorf("kudos deliveries: %w", err)
	}
	return ds, nil
}

// RecordKudosDelivery remembers that a kudos message was posted, so a
// retried delivery does not post it again.
func (d *DB) RecordKudosDelivery(ctx context.Context, kudosID int64, del Delivery) error {
	_, err := d.ExecContext(ctx, `
		INSERT INTO kudos_deliveries (kudos_id, target, channel_id, message_ts) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kudos_id, target) DO NOTHING`, kudosID, del.Target, del.ChannelID, del.MessageTS)
	if err != nil {
		return fmt.Errorf("record kudos delivery: %w", err)
	}
	return nil
}
