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
// RescueStuckJobsAfter, which is sized a little above JobTimeout.
//
// The package declares what it needs from Slack as the Messenger interface
// and never imports package bot; main wires the two together.
package jobs
