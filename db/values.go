package db

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Value is a company value that kudos can name as a hashtag.
type Value struct {
	Name        string `db:"name"`
	Description string `db:"description"`
}

var valueName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// ErrInvalidValueName means a value name is not a usable hashtag.
var ErrInvalidValueName = fmt.Errorf("a value name is 1–40 letters, digits, '-' or '_', starting with a letter or digit")

// NormalizeValueName lower-cases a value name and drops a leading '#'.
func NormalizeValueName(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "#"))
}

// AddValue defines a company value; ErrConflict if it exists.
func (d *DB) AddValue(ctx context.Context, name, description, createdBy string) (Value, error) {
	name = NormalizeValueName(name)
	if !valueName.MatchString(name) {
		return Value{}, ErrInvalidValueName
	}
	_, err := d.ExecContext(ctx,
		`INSERT INTO kudos_values (name, description, created_by) VALUES ($1, $2, $3)`,
		name, strings.TrimSpace(description), createdBy)
	if isUniqueViolation(err) {
		return Value{}, fmt.Errorf("value %q: %w", name, ErrConflict)
	}
	if err != nil {
		return Value{}, fmt.Errorf("add value %q: %w", name, err)
	}
	return Value{Name: name, Description: strings.TrimSpace(description)}, nil
}

// RemoveValue deletes a company value; ErrNotFound if there is none.
// Kudos that named it keep the name.
func (d *DB) RemoveValue(ctx context.Context, name string) error {
	name = NormalizeValueName(name)
	res, err := d.ExecContext(ctx, `DELETE FROM kudos_values WHERE name = $1`, name)
	if err != nil {
		return fmt.Errorf("remove value %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("value %q: %w", name, ErrNotFound)
	}
	return nil
}

// Values lists the company values by name.
func (d *DB) Values(ctx context.Context) ([]Value, error) {
	return values(ctx, d)
}

func values(ctx context.Context, q Querier) ([]Value, error) {
	var vs []Value
	if err := q.SelectContext(ctx, &vs, `SELECT name, description FROM kudos_values ORDER BY name`); err != nil {
		return nil, fmt.Errorf("list values: %w", err)
	}
	return vs, nil
}
