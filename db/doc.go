// Package db is Hearth's Postgres store: the schema (embedded goose
// migrations), the domain types, the queries, and the rules that protect
// people — kudos allowances enforced atomically, and (for pulses) the
// anonymity rules that decide what may leave this package.
//
// Every exported store method takes ctx first and runs in one transaction
// or one statement. Methods that must join a caller's transaction take a
// Querier, which is either the pool or a transaction.
package db
