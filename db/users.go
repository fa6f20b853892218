package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// User is the part of a Slack profile Hearth keeps.
type User struct {
	ID          string    `db:"user_id"`
	Name        string    `db:"name"`
	RealName    string    `db:"real_name"`
	TZ          string    `db:"tz"`
	IsBot       bool      `db:"is_bot"`
	Deleted     bool      `db:"deleted"`
	IsAdmin     bool      `db:"is_admin"` // workspace admin or owner
	DMChannelID string    `db:"dm_channel_id"`
	FetchedAt   time.Time `db:"fetched_at"`
}

// Location is the user's time zone, or UTC when unknown.
func (u User) Location() *time.Location {
	if u.TZ != "" {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			return loc
		}
	}
	return time.UTC
}

// CachedUser returns the stored profile of id, or ErrNotFound.
func (d *DB) CachedUser(ctx context.Context, id string) (User, error) {
	var u User
	err := d.GetContext(ctx, &u, `
		SELECT user_id, name, real_name, tz, is_bot, deleted, is_admin, dm_channel_id, fetched_at
		FROM slack_users WHERE user_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("read user %s: %w", id, err)
	}
	return u, nil
}

// SaveUser stores a freshly fetched profile, keeping a known DM channel.
func (d *DB) SaveUser(ctx context.Context, u User) error {
	_, err := d.NamedExecContext(ctx, `
		INSERT INTO slack_users (user_id, name, real_name, tz, is_bot, deleted, is_admin, dm_channel_id, fetched_at)
		VALUES (:user_id, :name, :real_name, :tz, :is_bot, :deleted, :is_admin, :dm_channel_id, :fetched_at)
		ON CONFLICT (user_id) DO UPDATE SET
			name = EXCLUDED.name, real_name = EXCLUDED.real_name, tz = EXCLUDED.tz,
			is_bot = EXCLUDED.is_bot, deleted = EXCLUDED.deleted, is_admin = EXCLUDED.is_admin,
			dm_channel_id = CASE WHEN EXCLUDED.dm_channel_id <> '' THEN EXCLUDED.dm_channel_id ELSE slack_users.dm_channel_id END,
			fetched_at = EXCLUDED.fetched_at`, u)
	if err != nil {
		return fmt.Errorf("save user %s: %w", u.ID, err)
	}
	return nil
}

// SaveDMChannel remembers the DM channel of a user, so later messages need
// no conversations.open.
func (d *DB) SaveDMChannel(ctx context.Context, userID, channelID string) error {
	_, err := d.ExecContext(ctx, `
		INSERT INTO slack_users (user_id, dm_channel_id, fetched_at) VALUES ($1, $2, 'epoch')
		ON CONFLICT (user_id) DO UPDATE SET dm_channel_id = EXCLUDED.dm_channel_id`, userID, channelID)
	if err != nil {
		return fmt.Errorf("save DM channel of %s: %w", userID, err)
	}
	return nil
}

// CachedUsers returns the stored profiles of ids, by id; unknown ids are absent.
func (d *DB) CachedUsers(ctx context.Context, ids []string) (map[string]User, error) {
	var us []User
	err := d.SelectContext(ctx, &us, `
		SELECT user_id, name, real_name, tz, is_bot, deleted, is_admin, dm_channel_id, fetched_at
		FROM slack_users WHERE user_id = ANY($1)`, stringArray(ids))
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	m := make(map[string]User, len(us))
	for _, u := range us {
		m[u.ID] = u
	}
	return m, nil
}

// SaveUsers stores freshly fetched profiles in one statement, keeping known DM channels.
func (d *DB) SaveUsers(ctx context.Context, us []User) error {
	if len(us) == 0 {
		return nil
	}
	cols := make([][]string, 6)
	var bots, deleted, admins []bool
	var fetched []time.Time
	for _, u := range us {
		for i, v := range []string{u.ID, u.Name, u.RealName, u.TZ, u.DMChannelID} {
			cols[i] = append(cols[i], v)
		}
		bots, deleted, admins = append(bots, u.IsBot), append(deleted, u.Deleted), append(admins, u.IsAdmin)
		fetched = append(fetched, u.FetchedAt)
	}
	_, err := d.ExecContext(ctx, `
		INSERT INTO slack_users (user_id, name, real_name, tz, dm_channel_id, is_bot, deleted, is_admin, fetched_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::bool[], $8::bool[], $9::timestamptz[])
		ON CONFLICT (user_id) DO UPDATE SET
			name = EXCLUDED.name, real_name = EXCLUDED.real_name, tz = EXCLUDED.tz,
			is_bot = EXCLUDED.is_bot, deleted = EXCLUDED.deleted, is_admin = EXCLUDED.is_admin,
			dm_channel_id = CASE WHEN EXCLUDED.dm_channel_id <> '' THEN EXCLUDED.dm_channel_id ELSE slack_users.dm_channel_id END,
			fetched_at = EXCLUDED.fetched_at`,
		stringArray(cols[0]), stringArray(cols[1]), stringArray(cols[2]), stringArray(cols[3]), stringArray(cols[4]),
		pq.Array(bots), pq.Array(deleted), pq.Array(admins), pq.Array(fetched))
	if err != nil {
		return fmt.Errorf("save users: %w", err)
	}
	return nil
}
