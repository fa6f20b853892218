package jobs

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/hearth-oss/hearth/db"
)

// The River jobs of a pulse round. Each is idempotent; uniqueness by
// arguments keeps a replica, a restart or a retry from doubling one.

// openRoundArgs opens a team's round for a schedule slot (or now, when Manual).
type openRoundArgs struct {
	TeamID int64     `json:"team_id"`
	Slot   time.Time `json:"slot"`
	Manual bool      `json:"manual,omitempty"`
}

func (openRoundArgs) Kind() string { return "round_open" }

func (openRoundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// remindRoundArgs sends a round's reminders to those who have not answered.
type remindRoundArgs struct {
	RoundID int64 `json:"round_id"`
}

func (remindRoundArgs) Kind() string { return "round_remind" }

func (remindRoundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// closeRoundArgs closes a round and enqueues its summary.
type closeRoundArgs struct {
	RoundID int64 `json:"round_id"`
}

func (closeRoundArgs) Kind() string { return "round_close" }

func (closeRoundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// summarizeRoundArgs posts a closed round's summary.
type summarizeRoundArgs struct {
	RoundID int64 `json:"round_id"`
}

func (summarizeRoundArgs) Kind() string { return "round_summary" }

func (summarizeRoundArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// pulseDMArgs delivers one person's pulse DM or reminder for a round.
type pulseDMArgs struct {
	RoundID int64     `json:"round_id"`
	UserID  string    `json:"user_id"`
	DMKind  db.DMKind `json:"kind"` // pulse or reminder (a field named Kind would clash with River's Kind method)
}

func (pulseDMArgs) Kind() string { return "pulse_dm" }

func (pulseDMArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueuePulseDM, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// pulseAnsweredArgs thanks a person in their pulse DM once they answered.
type pulseAnsweredArgs struct {
	RoundID int64  `json:"round_id"`
	UserID  string `json:"user_id"`
}

func (pulseAnsweredArgs) Kind() string { return "pulse_answered" }

func (pulseAnsweredArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// QueuePulseDM is the River queue of pulse DMs, so a large fan-out never
// holds up kudos and App Home work in the default queue.
const QueuePulseDM = "pulse_dm"
