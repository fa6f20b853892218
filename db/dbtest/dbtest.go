// Package dbtest gives each test a fresh, migrated Postgres database, cloned
// from a template that is built once per schema version.
//
// The server is found through HEARTH_TEST_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). Tests fail —
// never skip — when it cannot be reached. A test's database is dropped when
// the test passes and kept, with its URL logged, when it fails.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/hearth-oss/hearth/db"
)

// DefaultServerURL is the Postgres server tests use unless
// HEARTH_TEST_DATABASE_URL says otherwise.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// ServerURL is the admin URL of the test Postgres server.
func ServerURL() string {
	if u := os.Getenv("HEARTH_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultServerURL
}

// URLFor returns the server URL with its database replaced by name.
func URLFor(name string) string {
	u, err := url.Parse(ServerURL())
	if err != nil {
		panic(fmt.Sprintf("dbtest: bad HEARTH_TEST_DATABASE_URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

// NewURL creates a fresh migrated database for t and returns its URL.
func NewURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx) })
	if templateErr != nil {
		t.Fatalf("dbtest: Postgres is needed for this test (start it, or set HEARTH_TEST_DATABASE_URL): %v", templateErr)
	}
	admin, err := sql.Open("postgres", ServerURL())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	name := "hearth_t_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, templateName)); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	dsn := URLFor(name)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dbtest: kept database for inspection: %s", dsn)
			return
		}
		admin, err := sql.Open("postgres", ServerURL())
		if err != nil {
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("dbtest: drop %s: %v", name, err)
		}
	})
	return dsn
}

// New returns an open store on a fresh migrated database for t.
func New(t testing.TB) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := db.Open(ctx, NewURL(t))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// ensureTemplate builds (once per schema version, shared by all test
// processes) a migrated template database and returns its name.
func ensureTemplate(ctx context.Context) (string, error) {
	name := "hearth_tmpl_" + schemaHash()
	admin, err := sql.Open("postgres", ServerURL())
	if err != nil {
		return "", err
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// Serialize template builds across concurrently running test binaries.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7261001)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(7261001)`)

	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	store, err := db.Open(ctx, URLFor(building))
	if err != nil {
		return "", err
	}
	err = store.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	store.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// schemaHash identifies the embedded migrations, so a changed schema gets a new template.
func schemaHash() string {
	h := sha256.New()
	_ = fs.WalkDir(db.MigrationFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(db.MigrationFiles(), path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	// River's own migrations are part of the schema too.
	if m, err := rivermigrate.New(riverdatabasesql.New(nil), nil); err == nil {
		for _, v := range m.AllVersions() {
			fmt.Fprintf(h, "river:%d:%s;", v.Version, v.Name)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Await waits until cond holds, re-checking every 20ms, and fails t with
// desc after timeout. Postgres has no change feed here, so database state
// is polled; the interval bounds the wait, it is not a sleep standing in
// for a condition.
func Await(t testing.TB, timeout time.Duration, desc string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", desc, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, desc)
		}
		<-tick.C
	}
}
