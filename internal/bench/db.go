package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openteli/teli/internal/config"

	_ "modernc.org/sqlite" // the driver the SQLite store uses
)

// benchDB is the bench's own connection to the database under test: it watches a campaign
// through cheap queries instead of the API (a poll through the API would load the server it
// measures) and times raw inserts for comparison.
type benchDB interface {
	// campaignPK finds the primary key of the campaign with this campaign_id.
	campaignPK(ctx context.Context, campaignID string) (string, error)
	// campaignStatus reads the campaign's status: one indexed row.
	campaignStatus(ctx context.Context, pk string) (string, error)
	// pending counts the campaign's starting messages still queued or sending (through the
	// partial index the store keeps for exactly that).
	pending(ctx context.Context, pk string) (int, error)
	// statusCounts counts the campaign's messages by status.
	statusCounts(ctx context.Context, pk string) (map[string]int, error)
	// replicaCounts counts the campaign's delivered messages by the replica tag in their
	// sandbox provider ids (see replicaIDs).
	replicaCounts(ctx context.Context, pk string) (map[string]int, error)
	// handoffSpan is the clock time of the first and last hand-off of the campaign's messages.
	handoffSpan(ctx context.Context, pk string) (first, last time.Time, err error)
	// rawInsert creates a scratch table with the messages table's columns (and, when indexed,
	// its primary key and indexes), inserts n message-shaped rows in one transaction, drops the
	// table, and returns how long the inserts and the commit took.
	rawInsert(ctx context.Context, n int, how insertMode) (time.Duration, error)
	close()
}

// insertMode is how rawInsert writes.
type insertMode int

const (
	insertBare    insertMode = iota // multi-row INSERT into a table without any index
	insertIndexed                   // multi-row INSERT into a table indexed like messages
	copyIndexed                     // COPY into a table indexed like messages (PostgreSQL only)
)

func (m insertMode) String() string {
	switch m {
	case insertBare:
		return "INSERT, no index"
	case insertIndexed:
		return "INSERT, messages' indexes"
	default:
		return "COPY, messages' indexes"
	}
}

// rawBatch is how many rows one INSERT statement carries: the dispatcher's batch size, and
// 25 columns × 500 rows stays under both databases' limit on bound parameters.
const rawBatch = 500

// rawColumns are the messages table's columns, in the order rawRow fills them.
var rawColumns = []string{"message_id", "tenant_id", "organization_id", "campaign_pk", "phone",
	"inbound", "sender", "purpose", "sent_by_user_id", "from_number", "to_number", "body",
	"media_url", "status", "reason", "segments", "encoding", "not_before", "expires_at",
	"claim_token", "provider", "provider_id", "error_code", "created_at", "updated_at"}

// rawRow is the i-th row of a raw insert: a queued starting message as a launch writes it, with
// values of realistic sizes. sqlite selects the column encoding (integer microseconds and 0/1
// instead of timestamps and booleans).
func rawRow(i int, now time.Time, sqlite bool) []any {
	to := fmt.Sprintf("+1212%07d", 2000000+i%8000000)
	expires := now.Add(24 * time.Hour)
	var created, notBefore, exp, inbound any = now, now, expires, false
	if sqlite {
		created, notBefore, exp, inbound = now.UnixMicro(), now.UnixMicro(), expires.UnixMicro(), 0
	}
	return []any{fmt.Sprintf("msg_%024x", i), "tenant_bench_000000000000", "1763072374000x123456789012345678",
		"1763072374001x123456789012345678", to, inbound, "agent", "starting", nil, "+13135550100", to,
		"Hi Ann, this is Sarah from ABC Mortgage. Are you still looking to refinance?", "", "queued", "",
		1, "GSM-7", notBefore, exp, nil, "", nil, "", created, created}
}

// insertSQL is a multi-row INSERT of rows rows into table; ph(k) is the k-th placeholder (1-based).
func insertSQL(table string, rows int, ph func(int) string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(rawColumns, ", "))
	k := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range rawColumns {
			if c > 0 {
				b.WriteString(", ")
			}
			k++
			b.WriteString(ph(k))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// openBenchDB connects to the database of cfg.
func openBenchDB(ctx context.Context, cfg config.Config) (benchDB, error) {
	kind, target, err := cfg.Database()
	if err != nil {
		return nil, err
	}
	if kind == config.Postgres {
		pool, err := pgxpool.New(ctx, target)
		if err != nil {
			return nil, fmt.Errorf("bench: connect: %w", err)
		}
		return &pgBench{pool: pool}, nil
	}
	// The store's own pragmas, so a raw insert writes the way the store does.
	db, err := sql.Open("sqlite", target+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"+
		"&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("bench: open %s: %w", target, err)
	}
	db.SetMaxOpenConns(1)
	return &sqliteBench{db: db}, nil
}

// sqliteBench is benchDB on SQLite.
type sqliteBench struct{ db *sql.DB }

func (s *sqliteBench) close() { _ = s.db.Close() }

func (s *sqliteBench) campaignPK(ctx context.Context, id string) (pk string, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT pk FROM campaigns WHERE campaign_id = ?`, id).Scan(&pk)
	return pk, err
}

func (s *sqliteBench) campaignStatus(ctx context.Context, pk string) (st string, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT status FROM campaigns WHERE pk = ?`, pk).Scan(&st)
	return st, err
}

func (s *sqliteBench) pending(ctx context.Context, pk string) (n int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE campaign_pk = ?
		AND purpose = 'starting' AND status IN ('queued', 'sending')`, pk).Scan(&n)
	return n, err
}

func (s *sqliteBench) statusCounts(ctx context.Context, pk string) (map[string]int, error) {
	return s.counts(ctx, `SELECT status, count(*) FROM messages WHERE campaign_pk = ? GROUP BY status`, pk)
}

func (s *sqliteBench) replicaCounts(ctx context.Context, pk string) (map[string]int, error) {
	return s.counts(ctx, `SELECT substr(provider_id, 4, 1), count(*) FROM messages
		WHERE campaign_pk = ? AND status = 'delivered' GROUP BY 1`, pk)
}

func (s *sqliteBench) counts(ctx context.Context, q, pk string) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, q, pk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k sql.NullString
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k.String] += n
	}
	return out, rows.Err()
}

func (s *sqliteBench) handoffSpan(ctx context.Context, pk string) (time.Time, time.Time, error) {
	var first, last sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT min(updated_at), max(updated_at) FROM messages
		WHERE campaign_pk = ? AND status = 'delivered'`, pk).Scan(&first, &last)
	return time.UnixMicro(first.Int64).UTC(), time.UnixMicro(last.Int64).UTC(), err
}

func (s *sqliteBench) rawInsert(ctx context.Context, n int, how insertMode) (time.Duration, error) {
	if how == copyIndexed {
		return 0, fmt.Errorf("bench: SQLite has no COPY")
	}
	const table = "bench_raw_messages"
	if err := s.createScratch(ctx, table, how == insertIndexed); err != nil {
		return 0, err
	}
	defer s.db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+table)
	ph := func(int) string { return "?" }
	now := time.Now().UTC()
	t0 := time.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	full, err := tx.PrepareContext(ctx, insertSQL(table, rawBatch, ph))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	args := make([]any, 0, rawBatch*len(rawColumns))
	for start := 0; start < n; start += rawBatch {
		rows := min(rawBatch, n-start)
		args = args[:0]
		for i := start; i < start+rows; i++ {
			args = append(args, rawRow(i, now, true)...)
		}
		if rows == rawBatch {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insertSQL(table, rows, ph), args...)
		}
		if err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// createScratch creates table with the columns of messages as the database has them now; when
// indexed, also its primary key and a copy of each of its indexes.
func (s *sqliteBench) createScratch(ctx context.Context, table string, indexed bool) error {
	rows, err := s.db.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value FROM pragma_table_info('messages')`)
	if err != nil {
		return err
	}
	var cols []string
	for rows.Next() {
		var name, typ string
		var notNull bool
		var dflt sql.NullString
		if err := rows.Scan(&name, &typ, &notNull, &dflt); err != nil {
			rows.Close()
			return err
		}
		col := name + " " + typ
		if notNull {
			col += " NOT NULL"
		}
		if dflt.Valid {
			col += " DEFAULT " + dflt.String
		}
		if indexed && name == "message_id" {
			col += " PRIMARY KEY"
		}
		cols = append(cols, col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, "CREATE TABLE "+table+" ("+strings.Join(cols, ", ")+") STRICT"); err != nil {
		return err
	}
	if !indexed {
		return nil
	}
	rows, err = s.db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL`)
	if err != nil {
		return err
	}
	var ddl []string
	for rows.Next() {
		var name, q string
		if err := rows.Scan(&name, &q); err != nil {
			rows.Close()
			return err
		}
		q = strings.Replace(q, " "+name+" ", " "+table+"_"+name+" ", 1)
		ddl = append(ddl, strings.Replace(q, " ON messages ", " ON "+table+" ", 1))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, q := range ddl {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("bench: copy index: %w", err)
		}
	}
	return nil
}

// pgBench is benchDB on PostgreSQL.
type pgBench struct{ pool *pgxpool.Pool }

func (p *pgBench) close() { p.pool.Close() }

func (p *pgBench) campaignPK(ctx context.Context, id string) (pk string, err error) {
	err = p.pool.QueryRow(ctx, `SELECT pk FROM campaigns WHERE campaign_id = $1`, id).Scan(&pk)
	return pk, err
}

func (p *pgBench) campaignStatus(ctx context.Context, pk string) (st string, err error) {
	err = p.pool.QueryRow(ctx, `SELECT status FROM campaigns WHERE pk = $1`, pk).Scan(&st)
	return st, err
}

func (p *pgBench) pending(ctx context.Context, pk string) (n int, err error) {
	err = p.pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE campaign_pk = $1
		AND purpose = 'starting' AND status IN ('queued', 'sending')`, pk).Scan(&n)
	return n, err
}

func (p *pgBench) statusCounts(ctx context.Context, pk string) (map[string]int, error) {
	return p.counts(ctx, `SELECT status, count(*) FROM messages WHERE campaign_pk = $1 GROUP BY status`, pk)
}

func (p *pgBench) replicaCounts(ctx context.Context, pk string) (map[string]int, error) {
	return p.counts(ctx, `SELECT coalesce(substr(provider_id, 4, 1), ''), count(*) FROM messages
		WHERE campaign_pk = $1 AND status = 'delivered' GROUP BY 1`, pk)
}

func (p *pgBench) counts(ctx context.Context, q, pk string) (map[string]int, error) {
	rows, err := p.pool.Query(ctx, q, pk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] += n
	}
	return out, rows.Err()
}

func (p *pgBench) handoffSpan(ctx context.Context, pk string) (time.Time, time.Time, error) {
	var first, last *time.Time
	err := p.pool.QueryRow(ctx, `SELECT min(updated_at), max(updated_at) FROM messages
		WHERE campaign_pk = $1 AND status = 'delivered'`, pk).Scan(&first, &last)
	if err != nil || first == nil || last == nil {
		return time.Time{}, time.Time{}, err
	}
	return first.UTC(), last.UTC(), nil
}

func (p *pgBench) rawInsert(ctx context.Context, n int, how insertMode) (time.Duration, error) {
	const table = "bench_raw_messages"
	like := "LIKE messages"
	if how != insertBare {
		like += " INCLUDING ALL"
	}
	if _, err := p.pool.Exec(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
		return 0, err
	}
	if _, err := p.pool.Exec(ctx, `CREATE TABLE `+table+` (`+like+`)`); err != nil {
		return 0, err
	}
	defer p.pool.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+table)
	now := time.Now().UTC().Truncate(time.Microsecond)
	ph := func(k int) string { return fmt.Sprintf("$%d", k) }
	t0 := time.Now()
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if how == copyIndexed {
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			return rawRow(i-1, now, false), nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, rawColumns, src); err != nil {
			return 0, err
		}
	} else {
		full := insertSQL(table, rawBatch, ph)
		args := make([]any, 0, rawBatch*len(rawColumns))
		for start := 0; start < n; start += rawBatch {
			rows := min(rawBatch, n-start)
			args = args[:0]
			for i := start; i < start+rows; i++ {
				args = append(args, rawRow(i, now, false)...)
			}
			q := full
			if rows < rawBatch {
				q = insertSQL(table, rows, ph)
			}
			if _, err := tx.Exec(ctx, q, args...); err != nil {
				return 0, err
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}
