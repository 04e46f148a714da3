package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/openteli/teli/internal/teli"
)

// micros encodes a time for an INTEGER column: unix microseconds, which is the precision every
// time reaching the store already has, so nothing is lost and ordering is numeric.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros decodes an INTEGER time column, always in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros encodes an optional time; nil is NULL.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

// timePtr decodes an optional time column.
func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

// nullIfEmpty stores "" as NULL, for optional text columns whose absence must not collide with
// a unique index or read as a value.
func nullIfEmpty(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// boolInt encodes a boolean for a STRICT INTEGER column.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wrapErr names the failed operation and turns the driver's "no row" and uniqueness failures
// into the domain's ErrNotFound and ErrConflict; nil stays nil.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", op, teli.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlite: %s: %w (%v)", op, teli.ErrConflict, err)
		}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// mustAffect turns "no row matched" of an UPDATE or DELETE into ErrNotFound.
func mustAffect(op string, res sql.Result, err error) error {
	if err != nil {
		return wrapErr(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrapErr(op, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, teli.ErrNotFound)
	}
	return nil
}

// nullSeconds encodes an optional duration as whole seconds; nil is NULL.
func nullSeconds(d *time.Duration) sql.NullInt64 {
	if d == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*d / time.Second), Valid: true}
}
