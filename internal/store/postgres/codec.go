package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openteli/teli/internal/teli"
)

// uniqueViolation is the SQLSTATE of a unique or primary-key constraint failure.
const uniqueViolation = "23505"

// utc normalises a time read from a timestamptz column: pgx returns local time, the domain
// always holds UTC.
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr is utc for an optional time column.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// nullIfEmpty stores "" as NULL, for optional text columns whose absence must not collide with
// a unique index or read as a value.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref reads an optional text column, NULL as "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// wrapErr names the failed operation and turns "no row" and unique violations (SQLSTATE 23505)
// into the domain's ErrNotFound and ErrConflict; nil stays nil.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, teli.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		return fmt.Errorf("postgres: %s: %w (%v)", op, teli.ErrConflict, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// mustAffect turns "no row matched" of an UPDATE or DELETE into ErrNotFound.
func mustAffect(op string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return wrapErr(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", op, teli.ErrNotFound)
	}
	return nil
}

// collect scans every row with scan. An empty result is an empty, non-nil slice, as in the
// SQLite store.
func collect[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}

// seconds encodes an optional duration as whole seconds; nil is NULL.
func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}
