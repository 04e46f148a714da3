package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/openteli/teli/internal/store"
	"github.com/openteli/teli/internal/teli"
)

// dialect is PostgreSQL's store.Dialect: transactions run READ COMMITTED side by side across
// replicas, so rows that must not change under a decision are locked, and claims skip rows
// another replica holds.
type dialect struct{ h *handles }

var _ store.Dialect = dialect{}

func (dialect) Name() string { return "postgres" }

func (d dialect) Begin(ctx context.Context) (store.Tx, error) {
	tx, err := d.h.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &transaction{conn: conn{tx}, tx: tx, h: d.h}, nil
}

// Reader and Writer are the pool.
func (d dialect) Reader() store.Conn { return conn{d.h.pool} }
func (d dialect) Writer() store.Conn { return conn{d.h.pool} }

func (dialect) ForUpdate() string  { return ` FOR UPDATE` }
func (dialect) SkipLocked() string { return ` FOR UPDATE SKIP LOCKED` }

// InList binds the values as one text array.
func (dialect) InList(column, placeholder string) string {
	return column + ` = ANY(` + placeholder + `)`
}

func (dialect) ListArg(values []string) any {
	if values == nil {
		values = []string{}
	}
	return values
}

// UsingIndex leaves the choice to PostgreSQL's planner, which has statistics.
func (dialect) UsingIndex(table, _ string) string { return table }

// LiveLeadsByPhone is spelled as (organization, phone) pairs so the planner uses the phone
// index; with "phone = ANY($2)" it filtered every lead of the organization per chunk (measured
// 560 ms per 500 phones at 50,000 leads, against 1.3 ms).
func (dialect) LiveLeadsByPhone(columns string) string {
	return `SELECT ` + columns + ` FROM leads
		 WHERE (organization_id, phone) IN (SELECT $1::text, unnest($2::text[])) AND deleted_at IS NULL`
}

// MessageOrder orders messages by the id of the transaction that wrote them, kept beside them
// in message_order: a table only ever inserted into, so that the updates a message goes through
// (claimed, sent, delivered) maintain no index for it. Ids are taken when a transaction starts
// writing, not when it commits, so a message is settled only once every transaction older than
// its own has ended (pg_snapshot_xmin): until then an older one could still commit a message
// before it in this order.
func (dialect) MessageOrder() store.MessageOrder {
	return store.MessageOrder{
		From:     "message_order o JOIN messages m ON m.message_id = o.message_id",
		Campaign: "o.campaign_pk", Column: "o.xid", ID: "o.message_id",
		Cast:    func(p string) string { return "CAST(CAST(" + p + " AS TEXT) AS xid8)" },
		Settled: "o.xid < pg_snapshot_xmin(pg_current_snapshot())",
		Insert: func(columns, values string) string {
			return `WITH m AS (INSERT INTO messages (` + columns + `) VALUES (` + values + `)
			     RETURNING campaign_pk, message_id)
			 INSERT INTO message_order (campaign_pk, message_id) SELECT campaign_pk, message_id FROM m`
		},
	}
}

// Lock takes a transaction advisory lock: replicas asking for the same key queue on it.
func (dialect) Lock(ctx context.Context, c store.Conn, key int64) error {
	_, err := c.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
	return err
}

// transaction is a pgx transaction and the job queue it enqueues into.
type transaction struct {
	conn
	tx pgx.Tx
	h  *handles
}

func (t *transaction) Commit(ctx context.Context) error { return t.tx.Commit(ctx) }

// Rollback after Commit returns pgx.ErrTxClosed, which means nothing is left to undo.
func (t *transaction) Rollback(ctx context.Context) error {
	if err := t.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return err
	}
	return nil
}

func (t *transaction) Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error {
	return t.h.jobs.InsertTx(ctx, t.tx, job, opts)
}

// querier is what *pgxpool.Pool and pgx.Tx have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// querierOf is the pgx handle behind a Conn of this dialect, for what only pgx can do.
func querierOf(c store.Conn) querier {
	switch c := c.(type) {
	case *transaction:
		return c.q
	case conn:
		return c.q
	}
	panic(fmt.Sprintf("postgres: %T is not a connection of this dialect", c))
}

// conn is store.Conn on pgx, which takes and returns Go's values as they are (timestamptz is
// read in UTC: see newPool).
type conn struct{ q querier }

func (c conn) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := c.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), classify(err)
}

func (c conn) Query(ctx context.Context, sql string, args ...any) (store.Rows, error) {
	rows, err := c.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, classify(err)
	}
	return resultRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, sql string, args ...any) store.Row {
	return resultRow{c.q.QueryRow(ctx, sql, args...)}
}

// batchSize bounds the statements of one pipelined round trip.
const batchSize = 1000

// ExecBatch pipelines the statements, batchSize to a round trip.
func (c conn) ExecBatch(ctx context.Context, batch []store.Statement) ([]int64, error) {
	affected := make([]int64, 0, len(batch))
	for start := 0; start < len(batch); start += batchSize {
		chunk := batch[start:min(start+batchSize, len(batch))]
		b := &pgx.Batch{}
		for _, st := range chunk {
			b.Queue(st.SQL, st.Args...)
		}
		results := c.q.SendBatch(ctx, b)
		for range chunk {
			tag, err := results.Exec()
			if err != nil {
				_ = results.Close() // the statement's error is the one to report
				return nil, classify(err)
			}
			affected = append(affected, tag.RowsAffected())
		}
		if err := results.Close(); err != nil {
			return nil, classify(err)
		}
	}
	return affected, nil
}

type resultRow struct{ r pgx.Row }

func (r resultRow) Scan(dest ...any) error { return classify(r.r.Scan(dest...)) }

type resultRows struct{ r pgx.Rows }

func (r resultRows) Scan(dest ...any) error { return classify(r.r.Scan(dest...)) }
func (r resultRows) Next() bool             { return r.r.Next() }
func (r resultRows) Err() error             { return classify(r.r.Err()) }
func (r resultRows) Close() error           { r.r.Close(); return nil }

// uniqueViolation is the SQLSTATE of a unique or primary-key constraint failure.
const uniqueViolation = "23505"

// classify turns "no row" and unique violations into the domain's ErrNotFound and ErrConflict;
// nil stays nil.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return teli.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		return fmt.Errorf("%w (%v)", teli.ErrConflict, err)
	}
	return err
}
