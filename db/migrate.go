package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockID is the Postgres advisory lock key that serializes
// migrations when several replicas start at once ("hearth" in ASCII).
const migrationLockID = 0x686561727468

// ErrSchemaTooNew means the database was migrated by a newer Hearth than this one.
var ErrSchemaTooNew = errors.New("database schema is newer than this version of hearth")

// ErrSchemaBehind means the database has migrations this binary knows but has not applied.
var ErrSchemaBehind = errors.New("database schema is out of date: run `hearth migrate`")

func (d *DB) goose() (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, d.DB.DB, sub, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies Hearth's and River's migrations under a Postgres advisory
// lock, so replicas starting together migrate once, one after another. It
// refuses to touch a schema newer than this binary knows.
func (d *DB) Migrate(ctx context.Context, logger *slog.Logger) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID); err != nil {
		return fmt.Errorf("migrate: take lock: %w", err)
	}
	defer func() {
		// A fresh context: the unlock must happen even when ctx is done.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockID)
	}()

	p, err := d.goose()
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("migrate: read schema version: %w", err)
	}
	if current > target {
		return fmt.Errorf("%w (database at %d, hearth knows up to %d)", ErrSchemaTooNew, current, target)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		logger.Info("applied migration", "version", r.Source.Version, "duration", r.Duration)
	}

	migrator, err := rivermigrate.New(riverdatabasesql.New(d.DB.DB), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate job queue: %w", err)
	}
	for _, v := range res.Versions {
		logger.Info("applied job queue migration", "version", v.Version)
	}
	return nil
}

// CheckSchema reports whether the schema is exactly the one this binary
// expects: ErrSchemaBehind or ErrSchemaTooNew otherwise.
func (d *DB) CheckSchema(ctx context.Context) error {
	p, err := d.goose()
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case current > target:
		return fmt.Errorf("%w (database at %d, hearth knows up to %d)", ErrSchemaTooNew, current, target)
	case current < target:
		return fmt.Errorf("%w (database at %d, hearth needs %d)", ErrSchemaBehind, current, target)
	}
	return nil
}

// MigrationFiles exposes the embedded migrations (read-only), so tests can
// key a template database on their content.
func MigrationFiles() fs.FS { return migrationFiles }

// Ready reports whether the database answers and its schema is current.
func (d *DB) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := d.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	return d.CheckSchema(ctx)
}
