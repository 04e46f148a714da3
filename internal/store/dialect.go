package store

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/openteli/teli/internal/teli"
)

// Dialect is what one database engine contributes to the Store: its connections (whose Conn
// hides how the engine encodes times and booleans), the few SQL fragments it spells its own way,
// and the statements only it can do well. Everything else — every other statement, every
// transaction's shape, every rule — is written once, in this package.
//
// Statements written here use PostgreSQL's numbered placeholders ($1, $2, …), which SQLite
// also accepts, and only SQL both engines run the same way.
type Dialect interface {
	// Name names the engine in errors: "sqlite", "postgres".
	Name() string
	// Begin starts a read-write transaction.
	Begin(ctx context.Context) (Tx, error)
	// Reader runs reads outside a transaction; Writer runs single writes outside one.
	Reader() Conn
	Writer() Conn

	// ForUpdate is the clause that locks the rows a SELECT reads until the transaction ends
	// (empty where transactions are serialised anyway), and SkipLocked the one that also skips
	// rows another transaction holds, so that replicas claim side by side.
	ForUpdate() string
	SkipLocked() string
	// InList is the condition "column is one of the values" for ListArg(values) bound at
	// placeholder, one argument however many values there are.
	InList(column, placeholder string) string
	ListArg(values []string) any
	// UsingIndex names table for a FROM clause that must read it through index, where the
	// engine's planner would pick a worse one without statistics (SQLite's INDEXED BY); the
	// bare table name elsewhere.
	UsingIndex(table, index string) string
	// LiveLeadsByPhone is a SELECT of leadColumns from the live leads of organization $1 whose
	// phone is in ListArg $2, spelled so that the engine uses the (organization, phone) index.
	LiveLeadsByPhone(columns string) string
	// MessageOrder spells the order in which a campaign's messages were committed.
	MessageOrder() MessageOrder
	// Lock takes a lock named key until c's transaction ends, so that servers starting together
	// take turns (a no-op where write transactions are serialised anyway).
	Lock(ctx context.Context, c Conn, key int64) error

	// ClaimDue claims due messages and expired claims for r.Token (see teli.Store.ClaimDue),
	// inside the transaction c, and returns them with the send gate's facts, oldest due first.
	ClaimDue(ctx context.Context, c Conn, r teli.ClaimRequest) ([]teli.ClaimedMessage, error)
	// FinishSends records each outcome of a message still claimed under token, and marks the
	// thread's last outbound time (and next drip) for each one sent, inside the transaction c.
	// It reports which outcomes applied; the outcomes have no status sending.
	FinishSends(ctx context.Context, c Conn, token string, outcomes []teli.SendOutcome) ([]bool, error)
}

// MessageOrder is how a dialect keeps the order in which a campaign's messages were committed,
// which forward pages read by (see teli.MessageFilter).
type MessageOrder struct {
	// From reads messages (aliased m) together with their place in the order; Campaign is the
	// campaign column of From to select a campaign by.
	From, Campaign string
	// Column holds the order and ID breaks its ties (the message id). Column's value, as text,
	// is teli.CommitKey.Seq.
	Column, ID string
	// Cast turns the placeholder of a CommitKey.Seq into a value of Column.
	Cast func(placeholder string) string
	// Settled is the condition of the messages no running transaction can precede: a forward
	// read never resumes past one that is not. Empty when every committed message is settled.
	Settled string
	// Insert is the statement that writes a message and its place in the order, given the
	// messages columns and the placeholders of their values ($4 is the campaign).
	Insert func(columns, values string) string
}

// Conn runs statements: a pool, a connection or a transaction. Its values are Go's: it takes
// and returns time.Time (UTC), *time.Time (nil is NULL), bool, *string (nil is NULL), string,
// []byte and numbers, whatever the engine stores. Its errors are classified: no row is
// teli.ErrNotFound, a uniqueness violation wraps teli.ErrConflict.
type Conn interface {
	// Exec runs a statement and reports how many rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
	// ExecBatch runs the statements in order, in one round trip where the engine can, and
	// reports how many rows each changed. It stops at the first error.
	ExecBatch(ctx context.Context, batch []Statement) ([]int64, error)
}

// Tx is a transaction: a Conn whose work, and the jobs enqueued through it, commit together.
type Tx interface {
	Conn
	Commit(ctx context.Context) error
	// Rollback ends a transaction that will not commit; after Commit it does nothing.
	Rollback(ctx context.Context) error
	// Enqueue inserts a background job that exists once the transaction commits.
	Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error
}

// Row is one result row to scan.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result set, read with Next and Scan; Close may be called more than once.
type Rows interface {
	Row
	Next() bool
	Err() error
	Close() error
}

// Statement is one statement of a batch.
type Statement struct {
	SQL  string
	Args []any
}

// query builds a statement whose placeholders are numbered as their arguments are added, for
// statements with optional conditions.
type query struct {
	sql  strings.Builder
	args []any
}

// newQuery starts a statement with its fixed text and the arguments of its placeholders.
func newQuery(sql string, args ...any) *query {
	q := &query{args: args}
	q.sql.WriteString(sql)
	return q
}

// arg adds v as the next argument and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// argList adds each value as an argument and returns their placeholders, comma separated, for a
// short IN list.
func (q *query) argList(values []string) string {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = q.arg(v)
	}
	return strings.Join(ph, ", ")
}

// add appends text to the statement.
func (q *query) add(text string) *query {
	q.sql.WriteString(text)
	return q
}

// String is the statement's text.
func (q *query) String() string { return q.sql.String() }

// noLimit is the LIMIT of a page without one: SQLite needs a LIMIT before an OFFSET, and
// PostgreSQL reads the largest bigint as no limit at all.
const noLimit int64 = 1<<63 - 1

// limitOf is the LIMIT for a requested page size, where zero or less means all rows.
func limitOf(n int) int64 {
	if n <= 0 {
		return noLimit
	}
	return int64(n)
}

// Collect scans every row with scan and closes rows. An empty result is an empty, non-nil
// slice, so it encodes as [] wherever it ends up.
func Collect[T any](rows Rows, scan func(Row) (T, error)) ([]T, error) {
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, errors.Join(rows.Err(), rows.Close())
}

// inChunks calls fn on consecutive chunks of list, each of at most size elements, and returns
// what they return, in order; it stops at the first error.
func inChunks[T, R any](list []T, size int, fn func([]T) ([]R, error)) ([]R, error) {
	var out []R
	for start := 0; start < len(list); start += size {
		got, err := fn(list[start:min(start+size, len(list))])
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}
