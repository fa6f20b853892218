package db

import (
	"errors"

	"github.com/lib/pq"
)

// Sentinel errors the store returns so callers never match on text.
var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique constraint refused the write.
	ErrConflict = errors.New("already exists")
)

// pqCode returns the Postgres SQLSTATE of err, or "".
func pqCode(err error) string {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return string(pqErr.Code)
	}
	return ""
}

// isUniqueViolation reports whether err is Postgres error 23505.
func isUniqueViolation(err error) bool { return pqCode(err) == "23505" }
