package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Team limits, from the product's privacy model.
const (
	DefaultMinGroup      = 5
	MinMinGroup          = 3 // admins may lower k to 3, never below
	MaxMinGroup          = 10
	DefaultQuestions     = 4
	DefaultOpenFor       = 72 * time.Hour
	DefaultRemindAfter   = 48 * time.Hour
	MinOpenFor           = time.Hour
	MaxOpenFor           = 14 * 24 * time.Hour
	MinQuestionsPerRound = 3
	MaxQuestionsPerRound = 5
)

// Team is a Slack channel whose members are pulsed, with where its summary
// goes, when rounds open and its privacy settings.
type Team struct {
	ID               int64     `db:"id"`
	ChannelID        string    `db:"channel_id"`
	SummaryChannelID string    `db:"summary_channel_id"`
	Schedule         string    `db:"schedule"` // cron spec, e.g. "CRON_TZ=America/Denver 0 10 * * FRI"
	OpenForSeconds   int       `db:"open_for_seconds"`
	RemindSeconds    *int      `db:"remind_after_seconds"` // nil: no reminder
	QuestionsPer     int       `db:"questions_per_round"`
	MinGroup         int       `db:"min_group"`
	Paused           bool      `db:"paused"`
	CreatedAt        time.Time `db:"created_at"`
}

// OpenFor is how long a round stays open.
func (t Team) OpenFor() time.Duration { return time.Duration(t.OpenForSeconds) * time.Second }

// RemindAfter is when after opening the reminder goes out, or 0 for none.
func (t Team) RemindAfter() time.Duration {
	if t.RemindSeconds == nil {
		return 0
	}
	return time.Duration(*t.RemindSeconds) * time.Second
}

// NewTeam is a team as an admin defines it; zero values take the defaults.
type NewTeam struct {
	ChannelID        string
	SummaryChannelID string
	Schedule         string
	OpenFor          time.Duration
	RemindAfter      time.Duration // negative: no reminder; 0: the default
	QuestionsPer     int
	MinGroup         int
}

// ErrTeamInvalid wraps a team setting outside its allowed range.
var ErrTeamInvalid = errors.New("invalid team")

// withDefaults fills zero values and checks ranges; the schedule is checked
// by the caller, which knows cron.
func (n NewTeam) withDefaults() (NewTeam, error) {
	if n.OpenFor == 0 {
		n.OpenFor = DefaultOpenFor
	}
	if n.RemindAfter == 0 {
		n.RemindAfter = DefaultRemindAfter
		if n.RemindAfter >= n.OpenFor {
			n.RemindAfter = n.OpenFor * 2 / 3
		}
	}
	if n.QuestionsPer == 0 {
		n.QuestionsPer = DefaultQuestions
	}
	if n.MinGroup == 0 {
		n.MinGroup = DefaultMinGroup
	}
	var problems []error
	if n.OpenFor < MinOpenFor || n.OpenFor > MaxOpenFor {
		problems = append(problems, fmt.Errorf("%w: open-for must be between 1h and 336h (14 days)", ErrTeamInvalid))
	}
	if n.RemindAfter > 0 && n.RemindAfter >= n.OpenFor {
		problems = append(problems, fmt.Errorf("%w: remind-after (%s) must be shorter than open-for (%s)", ErrTeamInvalid, n.RemindAfter, n.OpenFor))
	}
	if n.QuestionsPer < MinQuestionsPerRound || n.QuestionsPer > MaxQuestionsPerRound {
		problems = append(problems, fmt.Errorf("%w: questions must be 3, 4 or 5 (more than 5 a week tires people)", ErrTeamInvalid))
	}
	if n.MinGroup < MinMinGroup {
		problems = append(problems, fmt.Errorf("%w: min-group must be at least %d to protect anonymity", ErrTeamInvalid, MinMinGroup))
	} else if n.MinGroup > MaxMinGroup {
		problems = append(problems, fmt.Errorf("%w: min-group can be at most %d", ErrTeamInvalid, MaxMinGroup))
	}
	if n.ChannelID == n.SummaryChannelID {
		problems = append(problems, fmt.Errorf("%w: the summary channel must differ from the member channel, so members never see one another's summaries before managers do", ErrTeamInvalid))
	}
	return n, errors.Join(problems...)
}

// remindSeconds is the reminder delay as stored: NULL for none.
func (n NewTeam) remindSeconds() *int {
	if n.RemindAfter <= 0 {
		return nil
	}
	s := int(n.RemindAfter.Seconds())
	return &s
}

const teamColumns = `id, channel_id, summary_channel_id, schedule, open_for_seconds, remind_after_seconds,
	questions_per_round, min_group, paused, created_at`

// AddTeam creates a team; ErrConflict if its channel already is one.
func (d *DB) AddTeam(ctx context.Context, n NewTeam) (Team, error) {
	n, err := n.withDefaults()
	if err != nil {
		return Team{}, err
	}
	var t Team
	err = d.GetContext(ctx, &t, `
		INSERT INTO teams (channel_id, summary_channel_id, schedule, open_for_seconds, remind_after_seconds, questions_per_round, min_group)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		RETURNING `+teamColumns,
		n.ChannelID, n.SummaryChannelID, n.Schedule, int(n.OpenFor.Seconds()), n.remindSeconds(), n.QuestionsPer, n.MinGroup)
	if isUniqueViolation(err) {
		return Team{}, fmt.Errorf("team for channel %s: %w", n.ChannelID, ErrConflict)
	}
	if err != nil {
		return Team{}, fmt.Errorf("add team: %w", err)
	}
	return t, nil
}

// UpdateTeam replaces a team's settings (by channel).
func (d *DB) UpdateTeam(ctx context.Context, n NewTeam) (Team, error) {
	n, err := n.withDefaults()
	if err != nil {
		return Team{}, err
	}
	var t Team
	err = d.GetContext(ctx, &t, `
		UPDATE teams SET summary_channel_id = $2, schedule = $3, open_for_seconds = $4, remind_after_seconds = $5,
			questions_per_round = $6, min_group = $7
		WHERE channel_id = $1
		RETURNING `+teamColumns,
		n.ChannelID, n.SummaryChannelID, n.Schedule, int(n.OpenFor.Seconds()), n.remindSeconds(), n.QuestionsPer, n.MinGroup)
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, fmt.Errorf("team for channel %s: %w", n.ChannelID, ErrNotFound)
	}
	if err != nil {
		return Team{}, fmt.Errorf("update team: %w", err)
	}
	return t, nil
}

// TeamByChannel finds the team whose member channel is channelID.
func (d *DB) TeamByChannel(ctx context.Context, channelID string) (Team, error) {
	var t Team
	err := d.GetContext(ctx, &t, `SELECT `+teamColumns+` FROM teams WHERE channel_id = $1`, channelID)
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, fmt.Errorf("team for channel %s: %w", channelID, ErrNotFound)
	}
	if err != nil {
		return Team{}, fmt.Errorf("read team: %w", err)
	}
	return t, nil
}

// Team reads a team by id.
func (d *DB) Team(ctx context.Context, id int64) (Team, error) {
	var t Team
	err := d.GetContext(ctx, &t, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, fmt.Errorf("team %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Team{}, fmt.Errorf("read team: %w", err)
	}
	return t, nil
}

// Teams lists all teams by channel.
func (d *DB) Teams(ctx context.Context) ([]Team, error) {
	var ts []Team
	if err := d.SelectContext(ctx, &ts, `SELECT `+teamColumns+` FROM teams ORDER BY channel_id`); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	return ts, nil
}

// SetTeamPaused pauses or resumes a team's rounds.
func (d *DB) SetTeamPaused(ctx context.Context, channelID string, paused bool) error {
	res, err := d.ExecContext(ctx, `UPDATE teams SET paused = $2 WHERE channel_id = $1`, channelID, paused)
	if err != nil {
		return fmt.Errorf("pause team: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("team for channel %s: %w", channelID, ErrNotFound)
	}
	return nil
}

// RemoveTeam deletes a team with its rounds and their anonymous results.
func (d *DB) RemoveTeam(ctx context.Context, channelID string) error {
	res, err := d.ExecContext(ctx, `DELETE FROM teams WHERE channel_id = $1`, channelID)
	if err != nil {
		return fmt.Errorf("remove team: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("team for channel %s: %w", channelID, ErrNotFound)
	}
	return nil
}
