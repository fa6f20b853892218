package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// Setting keys stored in the settings table.
const (
	SettingKudosChannel = "kudos_channel"
	SettingKudosEmoji   = "kudos_emoji"
	SettingKudosAllow   = "kudos_allowance"
	SettingRequireValue = "kudos_require_value"
	SettingLeaderboard  = "leaderboard_enabled"
)

// KudosSettings are the workspace's kudos rules as an admin left them.
type KudosSettings struct {
	Channel            string // where public kudos are posted; "" means nowhere
	Emoji              string // reaction name that gives kudos, without colons
	Allowance          int    // kudos a person may give per day
	RequireValue       bool   // every kudos must name a company value
	LeaderboardEnabled bool
}

// DefaultKudosSettings are used for any setting never stored.
var DefaultKudosSettings = KudosSettings{Emoji: "raised_hands", Allowance: 5}

// InitSettings stores the initial settings from configuration, keeping any
// value an admin has already set.
func (d *DB) InitSettings(ctx context.Context, s KudosSettings) error {
	initial := map[string]string{
		SettingKudosChannel: s.Channel,
		SettingKudosEmoji:   s.Emoji,
		SettingKudosAllow:   strconv.Itoa(s.Allowance),
	}
	for k, v := range initial {
		if v == "" {
			continue
		}
		if _, err := d.ExecContext(ctx,
			`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, k, v); err != nil {
			return fmt.Errorf("init setting %s: %w", k, err)
		}
	}
	return nil
}

// SetSetting stores one setting.
func (d *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := d.ExecContext(ctx, `
		INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, key, value)
	if err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	return nil
}

// KudosSettings reads the kudos settings, defaulting what was never set.
func (d *DB) KudosSettings(ctx context.Context) (KudosSettings, error) {
	return kudosSettings(ctx, d)
}

func kudosSettings(ctx context.Context, q Querier) (KudosSettings, error) {
	s := DefaultKudosSettings
	rows, err := q.QueryxContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, fmt.Errorf("read settings: %w", err)
		}
		switch k {
		case SettingKudosChannel:
			s.Channel = v
		case SettingKudosEmoji:
			s.Emoji = v
		case SettingKudosAllow:
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				s.Allowance = n
			}
		case SettingRequireValue:
			s.RequireValue = v == "true"
		case SettingLeaderboard:
			s.LeaderboardEnabled = v == "true"
		}
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	return s, nil
}

// setting reads one raw setting, or "" and ErrNotFound.
func setting(ctx context.Context, q Querier, key string) (string, error) {
	var v string
	err := q.GetContext(ctx, &v, `SELECT value FROM settings WHERE key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}
