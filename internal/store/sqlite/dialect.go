package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/openteli/teli/internal/store"
	"github.com/openteli/teli/internal/teli"
)

// dialect is SQLite's store.Dialect. Write transactions are IMMEDIATE on the one writer
// connection, so they are serialised: nothing needs a row lock, and no claim can skip another's.
type dialect struct{ h *handles }

var _ store.Dialect = dialect{}

func (dialect) Name() string { return "sqlite" }

func (d dialect) Begin(ctx context.Context) (store.Tx, error) {
	tx, err := d.h.writer.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &transaction{conn: conn{tx}, tx: tx, h: d.h}, nil
}

// Reader is the read-only pool: WAL lets it read beside the writer.
func (d dialect) Reader() store.Conn { return conn{d.h.reader} }

// Writer is the single writer connection.
func (d dialect) Writer() store.Conn { return conn{d.h.writer} }

func (dialect) ForUpdate() string  { return "" }
func (dialect) SkipLocked() string { return "" }

// InList reads the values from a JSON array: one parameter however many there are, where an
// IN list of placeholders would run into SQLite's limit on parameters.
func (dialect) InList(column, placeholder string) string {
	return column + ` IN (SELECT value FROM json_each(` + placeholder + `))`
}

func (dialect) ListArg(values []string) any {
	if values == nil {
		values = []string{}
	}
	doc, _ := json.Marshal(values) // a []string always marshals
	return string(doc)
}

// LiveLeadsByPhone names the phone index: with a list of phones SQLite's planner prefers the
// (organization, created) index and scans every lead of the organization, which made large
// imports quadratic.
func (d dialect) LiveLeadsByPhone(columns string) string {
	return `SELECT ` + columns + ` FROM leads INDEXED BY leads_organization_phone_idx
		 WHERE organization_id = $1 AND deleted_at IS NULL AND ` + d.InList("phone", "$2")
}

// Lock does nothing: the IMMEDIATE transaction already holds the database's write lock.
func (dialect) Lock(context.Context, store.Conn, int64) error { return nil }

// transaction is a write transaction and the job queue it enqueues into.
type transaction struct {
	conn
	tx *sql.Tx
	h  *handles
}

func (t *transaction) Commit(context.Context) error { return t.tx.Commit() }

func (t *transaction) Rollback(context.Context) error {
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

func (t *transaction) Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error {
	return t.h.jobs.InsertTx(ctx, t.tx, job, opts)
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn is store.Conn on database/sql. Times are INTEGER unix microseconds: the precision every
// time reaching the store already has, so nothing is lost and ordering is numeric. Booleans are
// INTEGER 0 and 1, which the driver and database/sql convert both ways themselves.
type conn struct{ q querier }

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.q.ExecContext(ctx, query, encodeArgs(args)...)
	if err != nil {
		return 0, classify(err)
	}
	n, err := res.RowsAffected()
	return n, classify(err)
}

func (c conn) Query(ctx context.Context, query string, args ...any) (store.Rows, error) {
	rows, err := c.q.QueryContext(ctx, query, encodeArgs(args)...)
	if err != nil {
		return nil, classify(err)
	}
	return resultRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) store.Row {
	return resultRow{c.q.QueryRowContext(ctx, query, encodeArgs(args)...)}
}

// ExecBatch runs the statements one after another: an embedded database has no round trips to
// save.
func (c conn) ExecBatch(ctx context.Context, batch []store.Statement) ([]int64, error) {
	affected := make([]int64, len(batch))
	for i, st := range batch {
		n, err := c.Exec(ctx, st.SQL, st.Args...)
		if err != nil {
			return nil, err
		}
		affected[i] = n
	}
	return affected, nil
}

type resultRow struct{ r *sql.Row }

func (r resultRow) Scan(dest ...any) error { return classify(r.r.Scan(decodeDests(dest)...)) }

type resultRows struct{ r *sql.Rows }

func (r resultRows) Scan(dest ...any) error { return classify(r.r.Scan(decodeDests(dest)...)) }
func (r resultRows) Next() bool             { return r.r.Next() }
func (r resultRows) Err() error             { return classify(r.r.Err()) }
func (r resultRows) Close() error           { return r.r.Close() }

// encodeArgs turns times into microseconds; everything else database/sql and the driver bind
// as they are (a nil pointer as NULL, a bool as 0 or 1).
func encodeArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			out[i] = v.UnixMicro()
		case *time.Time:
			if v != nil {
				out[i] = v.UnixMicro()
			}
		default:
			out[i] = a
		}
	}
	return out
}

// decodeDests puts a decoder in front of every time destination.
func decodeDests(dest []any) []any {
	for i, d := range dest {
		switch v := d.(type) {
		case *time.Time:
			dest[i] = micros{v}
		case **time.Time:
			dest[i] = nullMicros{v}
		}
	}
	return dest
}

// micros scans an INTEGER time column, always in UTC.
type micros struct{ t *time.Time }

func (m micros) Scan(src any) error {
	us, ok := src.(int64)
	if !ok {
		return fmt.Errorf("time column holds %T, not INTEGER microseconds", src)
	}
	*m.t = time.UnixMicro(us).UTC()
	return nil
}

// nullMicros scans an optional INTEGER time column; NULL is nil.
type nullMicros struct{ t **time.Time }

func (m nullMicros) Scan(src any) error {
	if src == nil {
		*m.t = nil
		return nil
	}
	var t time.Time
	if err := (micros{&t}).Scan(src); err != nil {
		return err
	}
	*m.t = &t
	return nil
}

// classify turns the driver's "no row" and uniqueness failures into the domain's ErrNotFound
// and ErrConflict; nil stays nil.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return teli.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w (%v)", teli.ErrConflict, err)
		}
	}
	return err
}
