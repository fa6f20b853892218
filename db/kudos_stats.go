package db

import (
	"context"
	"fmt"
	"time"
)

// KudosStats are one person's own recognition numbers.
type KudosStats struct {
	ReceivedThisMonth int `db:"received_month"`
	GivenThisMonth    int `db:"given_month"`
	ReceivedAllTime   int `db:"received_all"`
	GivenAllTime      int `db:"given_all"`
	// TopValues are the values this person was recognized for, most first.
	TopValues []ValueCount
}

// ValueCount is how often a value was named.
type ValueCount struct {
	Value string `db:"value"`
	Count int    `db:"n"`
}

// UserKudosStats counts what userID received and gave, all time and since monthStart.
func (d *DB) UserKudosStats(ctx context.Context, userID string, monthStart time.Time) (KudosStats, error) {
	var s KudosStats
	err := d.GetContext(ctx, &s, `
		SELECT
			(SELECT count(*) FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id
			  WHERE r.recipient_id = $1 AND k.revoked_at IS NULL AND k.created_at >= $2) AS received_month,
			(SELECT count(*) FROM kudos k WHERE k.giver_id = $1 AND k.revoked_at IS NULL AND k.created_at >= $2) AS given_month,
			(SELECT count(*) FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id
			  WHERE r.recipient_id = $1 AND k.revoked_at IS NULL) AS received_all,
			(SELECT count(*) FROM kudos k WHERE k.giver_id = $1 AND k.revoked_at IS NULL) AS given_all`,
		userID, monthStart)
	if err != nil {
		return KudosStats{}, fmt.Errorf("kudos stats: %w", err)
	}
	err = d.SelectContext(ctx, &s.TopValues, `
		SELECT k.value, count(*) AS n FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id
		WHERE r.recipient_id = $1 AND k.revoked_at IS NULL AND k.value <> ''
		GROUP BY k.value ORDER BY n DESC, k.value LIMIT 5`, userID)
	if err != nil {
		return KudosStats{}, fmt.Errorf("kudos stats: values: %w", err)
	}
	return s, nil
}

// RecentKudosReceived lists the latest live kudos userID received, newest first.
func (d *DB) RecentKudosReceived(ctx context.Context, userID string, limit int) ([]Kudos, error) {
	var ks []Kudos
	err := d.SelectContext(ctx, &ks, `SELECT `+kudosColumns+` FROM kudos k
		WHERE k.revoked_at IS NULL AND EXISTS (SELECT 1 FROM kudos_recipients r WHERE r.kudos_id = k.id AND r.recipient_id = $1)
		ORDER BY k.created_at DESC, k.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent kudos received: %w", err)
	}
	return ks, nil
}

// RecentKudosGiven lists the latest live kudos userID gave, newest first.
func (d *DB) RecentKudosGiven(ctx context.Context, userID string, limit int) ([]Kudos, error) {
	var ks []Kudos
	err := d.SelectContext(ctx, &ks, `SELECT `+kudosColumns+` FROM kudos k
		WHERE k.revoked_at IS NULL AND k.giver_id = $1
		ORDER BY k.created_at DESC, k.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("recent kudos given: %w", err)
	}
	return ks, nil
}

// LeaderboardRow is one person's count of public kudos received.
type LeaderboardRow struct {
	UserID string `db:"recipient_id"`
	Count  int    `db:"n"`
}

// Leaderboard ranks people by public kudos received since since. Callers
// must check that an admin has enabled the leaderboard.
func (d *DB) Leaderboard(ctx context.Context, since time.Time, limit int) ([]LeaderboardRow, error) {
	var rows []LeaderboardRow
	err := d.SelectContext(ctx, &rows, `
		SELECT r.recipient_id, count(*) AS n FROM kudos k JOIN kudos_recipients r ON r.kudos_id = k.id
		WHERE k.revoked_at IS NULL AND NOT k.is_private AND k.created_at >= $1
		GROUP BY r.recipient_id ORDER BY n DESC, r.recipient_id LIMIT $2`, since, limit)
	if err != nil {
		return nil, fmt.Errorf("leaderboard: %w", err)
	}
	return rows, nil
}
