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
	stmts := &txStatements{tx: tx, pool: d.h.writerStmts, bound: map[string]*sql.Stmt{}}
	return &transaction{conn: conn{q: tx, prepared: stmts.get}, tx: tx, stmts: stmts, h: d.h}, nil
}

// Reader is the read-only pool: WAL lets it read beside the writer.
func (d dialect) Reader() store.Conn { return conn{q: d.h.reader, prepared: d.h.readerStmts.get} }

// Writer is the single writer connection.
func (d dialect) Writer() store.Conn { return conn{q: d.h.writer, prepared: d.h.writerStmts.get} }

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

// UsingIndex forces the index: without statistics SQLite takes the shortest index whose first
// column matches, and for a campaign's pending starting messages that scans every message of
// the campaign instead of the few pending ones.
func (dialect) UsingIndex(table, index string) string { return table + " INDEXED BY " + index }

// LiveLeadsByPhone names the phone index: with a list of phones SQLite's planner prefers the
// (organization, created) index and scans every lead of the organization, which made large
// imports quadratic.
func (d dialect) LiveLeadsByPhone(columns string) string {
	return `SELECT ` + columns + ` FROM ` + d.UsingIndex("leads", "leads_organization_phone_idx") + `
		 WHERE organization_id = $1 AND deleted_at IS NULL AND ` + d.InList("phone", "$2")
}

// MessageOrder numbers a campaign's messages as they are inserted (messages.seq): write
// transactions are serialised, so insertion order is commit order, and every committed message
// is settled.
func (dialect) MessageOrder() store.MessageOrder {
	return store.MessageOrder{
		From: "messages m", Campaign: "m.campaign_pk", Column: "m.seq", ID: "m.message_id",
		Cast: func(p string) string { return "CAST(" + p + " AS INTEGER)" },
		Insert: func(columns, values string) string {
			return `INSERT INTO messages (` + columns + `, seq) VALUES (` + values + `,
			     (SELECT coalesce(max(seq), 0) + 1 FROM messages WHERE campaign_pk = $4))`
		},
	}
}

// Lock does nothing: the IMMEDIATE transaction already holds the database's write lock.
func (dialect) Lock(context.Context, store.Conn, int64) error { return nil }

// transaction is a write transaction, its statements and the job queue it enqueues into.
type transaction struct {
	conn
	tx    *sql.Tx
	stmts *txStatements
	h     *handles
}

func (t *transaction) Commit(ctx context.Context) error {
	err := t.tx.Commit()
	t.stmts.adopt(ctx)
	return err
}

func (t *transaction) Rollback(ctx context.Context) error {
	err := t.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil // committed already
	}
	t.stmts.adopt(ctx)
	return err
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

// conn is store.Conn on database/sql, running each statement prepared once (see statements).
// Times are INTEGER unix microseconds: the precision every time reaching the store already has,
// so nothing is lost and ordering is numeric. Booleans are INTEGER 0 and 1, which the driver
// and database/sql convert both ways themselves.
type conn struct {
	q querier // the pool or the transaction
	// prepared returns the prepared statement of a query, or nil to run it unprepared.
	prepared func(ctx context.Context, query string) (*sql.Stmt, error)
}

// runner is what runs query: its prepared statement, or c.q itself.
func (c conn) runner(ctx context.Context, query string) (stmtRunner, error) {
	st, err := c.prepared(ctx, query)
	if err != nil || st == nil {
		return unprepared{c.q, query}, classify(err)
	}
	return st, nil
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	r, err := c.runner(ctx, query)
	if err != nil {
		return 0, err
	}
	res, err := r.ExecContext(ctx, encodeArgs(args)...)
	if err != nil {
		return 0, classify(err)
	}
	n, err := res.RowsAffected()
	return n, classify(err)
}

func (c conn) Query(ctx context.Context, query string, args ...any) (store.Rows, error) {
	r, err := c.runner(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := r.QueryContext(ctx, encodeArgs(args)...)
	if err != nil {
		return nil, classify(err)
	}
	return resultRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) store.Row {
	r, err := c.runner(ctx, query)
	if err != nil {
		return failedRow{err}
	}
	return resultRow{r.QueryRowContext(ctx, encodeArgs(args)...)}
}

// stmtRunner is what *sql.Stmt does: run its statement with arguments.
type stmtRunner interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
}

// unprepared runs a query that has no prepared statement.
type unprepared struct {
	q     querier
	query string
}

func (u unprepared) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return u.q.ExecContext(ctx, u.query, args...)
}

func (u unprepared) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return u.q.QueryContext(ctx, u.query, args...)
}

func (u unprepared) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return u.q.QueryRowContext(ctx, u.query, args...)
}

// failedRow is the row of a statement that could not be prepared.
type failedRow struct{ err error }

func (r failedRow) Scan(...any) error { return r.err }

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
