// Package summaryview turns a team summary computed by package db — which
// already holds only aggregates over at least k people — into what people
// read: Slack Block Kit with a notification fallback, plain text for the
// terminal, JSON and CSV for spreadsheets, and the trend chart.
//
// It decides words, never numbers: every figure comes from db, and a
// suppressed section is worded as such, with no number at all.
package summaryview
