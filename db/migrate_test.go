package db_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/hearth-oss/hearth/db"
	"github.com/hearth-oss/hearth/db/dbtest"
)

func TestMigrateRefusesANewerSchema(t *testing.T) {
	t.Parallel()
	store := dbtest.New(t)
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := store.CheckSchema(ctx); err != nil {
		t.Fatalf("fresh database: %v", err)
	}
	// Several replicas migrating an up-to-date database at once is harmless.
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := store.Migrate(ctx, quiet); err != nil {
				t.Errorf("migrate: %v", err)
			}
		}()
	}
	wg.Wait()
	// A newer Hearth migrated this database: this one must refuse it.
	if _, err := store.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)`); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, quiet); !errors.Is(err, db.ErrSchemaTooNew) {
		t.Errorf("migrate on a newer schema: %v, want ErrSchemaTooNew", err)
	}
	if err := store.CheckSchema(ctx); !errors.Is(err, db.ErrSchemaTooNew) {
		t.Errorf("check schema: %v, want ErrSchemaTooNew", err)
	}
}
