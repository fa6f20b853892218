// Package bot is everything Slack-shaped in Hearth: the two transports
// (Socket Mode and signed HTTP), one router they both feed, the slash
// commands, shortcuts, modals, events and App Home, the Block Kit and the
// words people read.
//
// # Acknowledging
//
// Slack wants every command, interaction and event acknowledged within
// three seconds. Hearth does the part of the work that decides the answer
// — checks, and the write to Postgres — before the ack, inside one
// transaction that also claims the delivery's id (trigger id, view id or
// event id) in slack_inbound and enqueues the River jobs that post to
// Slack. So an acknowledged request is always committed, a redelivery is
// answered the same way and acts once, and slow work (posting messages,
// publishing App Home) happens after the ack, retried by River.
package bot
