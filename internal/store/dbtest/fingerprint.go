package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Fingerprint summarises everything a database holds, table by table, so that a test can tell
// whether a request changed anything: two fingerprints are equal unless a row was added,
// removed or changed in between.
type Fingerprint map[string]Table

// Table summarises one table: its row count and the sum of its rows' hashes, which does not
// depend on the order the rows are read in (PostgreSQL's changes after an update).
type Table struct {
	Rows int
	Sum  uint64
}

// Diff names the tables whose contents differ between a and b, or returns "" when none do.
func Diff(a, b Fingerprint) string {
	names := slices.Collect(maps.Keys(a))
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		if a[n] != b[n] {
			out = append(out, fmt.Sprintf("%s (%d rows, then %d)", n, a[n].Rows, b[n].Rows))
		}
	}
	return strings.Join(out, ", ")
}

// Fingerprinter reads fingerprints of one database through a connection of its own.
type Fingerprinter struct {
	db     *sql.DB
	tables string // lists the tables
}

// NewFingerprinter opens the database at databaseURL, a TELI_DATABASE_URL ("sqlite:/path" or
// "postgres://…"), for reading; the connection is closed when t ends.
func NewFingerprinter(t testing.TB, databaseURL string) *Fingerprinter {
	t.Helper()
	f := &Fingerprinter{}
	var err error
	if path, ok := strings.CutPrefix(databaseURL, "sqlite:"); ok {
		f.db, err = sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
		f.tables = `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'`
	} else {
		f.db, err = sql.Open("pgx", databaseURL)
		f.tables = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", databaseURL, err)
	}
	t.Cleanup(func() { _ = f.db.Close() })
	return f
}

// Take reads the fingerprint of the database as it is now.
func (f *Fingerprinter) Take(ctx context.Context) (Fingerprint, error) {
	rows, err := f.db.QueryContext(ctx, f.tables)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	fp := Fingerprint{}
	for _, n := range names {
		if fp[n], err = f.table(ctx, n); err != nil {
			return nil, fmt.Errorf("table %s: %w", n, err)
		}
	}
	return fp, nil
}

// table sums the hashes of every row of one table.
func (f *Fingerprinter) table(ctx context.Context, name string) (Table, error) {
	rows, err := f.db.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(name, `"`, `""`)+`"`)
	if err != nil {
		return Table{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return Table{}, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var t Table
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Table{}, err
		}
		h := fnv.New64a()
		for _, v := range vals {
			switch v := v.(type) {
			case nil:
				h.Write([]byte{0})
			case []byte:
				h.Write(append([]byte{1}, v...))
			case time.Time:
				fmt.Fprintf(h, "\x02%s", v.UTC().Format(time.RFC3339Nano))
			default:
				fmt.Fprintf(h, "\x03%v", v)
			}
			h.Write([]byte{0x1f})
		}
		t.Rows++
		t.Sum += h.Sum64()
	}
	return t, rows.Err()
}
