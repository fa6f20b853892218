// Package jobs is Hearth's time-driven and after-the-ack work, run as
// durable River jobs on the same Postgres as everything else.
//
// Work that talks to Slack after a request was acknowledged — posting a
// kudos, publishing an App Home, a private notice — is a job inserted in
// the same transaction as the data it delivers, so it exists exactly when
// that data was committed. Jobs are idempotent: a kudos delivery records
// each message it posts and skips those on a retry.
//
// Slack's answers decide what happens next: a 429 snoozes the job for the
// Retry-After Slack gave (a snooze is not an attempt), a permanent error
// (user gone, channel missing) cancels it, anything else retries with
// River's backoff. A job whose process died is rescued after
// RescueStuckJobsAfter, which is sized above every worker's timeout.
//
// Pulse DMs are delivered exactly once per person and round, at a pace
// shared by every replica: pulse_delivery.go explains how, pacing.go how
// the pace and Slack's Retry-After holds work.
//
// Pulse rounds follow each team's Schedule (cron in the team's time zone).
// Every minute the elected leader's pulse_tick looks for a team whose latest
// slot within its open-for window has no round yet — on time, or caught up
// after downtime while the round would still be open — and inserts a
// round_open job unique per team and slot. Opening (in one transaction)
// closes the team's previous round if it is still open, records the round
// and its recipients, and enqueues one pulse DM per person, the reminder
// and the close at their times. round_close closes once and enqueues the
// summary in the same transaction. Manual rounds (hearth pulse open, the
// bot) take the same path with the current second as their slot. However
// many replicas run, a slot opens one round: River's uniqueness stops
// duplicate jobs and the database's (team, slot) key stops duplicate rounds.
//
// The package declares what it needs from Slack as the Messenger interface
// and never imports package bot; main wires the two together.
package jobs
