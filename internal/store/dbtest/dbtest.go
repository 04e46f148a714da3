// Package dbtest gives tests of any package a database of their own: a path for an SQLite file in
// the test's temporary directory (the store migrates it on open), or, when TELI_TEST_POSTGRES_URL
// is set, a migrated PostgreSQL database that is dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openteli/teli/internal/store/postgres"
)

// PostgresEnv names the environment variable holding the URL of a PostgreSQL server for tests.
// The user must be allowed to create databases; the URL's own database is only connected to.
const PostgresEnv = "TELI_TEST_POSTGRES_URL"

// SQLitePath returns the path of a not yet existing database file in t's temporary directory.
func SQLitePath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "teli.db")
}

// SkipWithoutPostgres skips t unless PostgreSQL tests are enabled.
func SkipWithoutPostgres(t testing.TB) {
	t.Helper()
	if os.Getenv(PostgresEnv) == "" {
		t.Skipf("PostgreSQL tests are off: set %s=postgres://user@host:5432/db?sslmode=disable to run them", PostgresEnv)
	}
}

// PostgresURL returns the URL of a new database that has every migration applied and is dropped
// when t ends. It skips t unless PostgreSQL tests are enabled (see PostgresEnv).
//
// Migrating takes a while, so it happens once per test binary, into a template database; each
// test then gets a copy (CREATE DATABASE … TEMPLATE), which is fast.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, func(s *server) string { return s.template })
}

// EmptyPostgresURL returns the URL of a new database with no migration applied (for tests of
// migrating and of refusing to start before it), dropped when t ends. It skips t unless
// PostgreSQL tests are enabled.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	return newDatabase(t, func(*server) string { return "template0" })
}

// newDatabase creates a database copied from the template chosen by template and drops it when
// t ends.
func newDatabase(t testing.TB, template func(*server) string) string {
	t.Helper()
	SkipWithoutPostgres(t)
	s, err := sharedServer()
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	name := fmt.Sprintf("teli_test_%s_%d", s.tag, s.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(template(s))); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return s.urlOf(name)
}

// server is the PostgreSQL server under test, set up once per test binary.
type server struct {
	base     *url.URL      // TELI_TEST_POSTGRES_URL
	admin    *pgxpool.Pool // on base's database: creates and drops the test databases
	owner    *pgx.Conn     // open for the life of the process: it marks our databases as in use
	tag      string        // names this process's databases and its owner session
	template string        // migrated database that every test database copies
	seq      atomic.Int64
}

var (
	setupOnce sync.Once
	setup     *server
	setupErr  error
)

// sharedServer sets the server up on first use and returns it.
func sharedServer() (*server, error) {
	setupOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		setup, setupErr = newServer(ctx, os.Getenv(PostgresEnv))
	})
	return setup, setupErr
}

func newServer(ctx context.Context, rawURL string) (*server, error) {
	base, err := url.Parse(rawURL)
	if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") {
		return nil, fmt.Errorf("%s must be a postgres:// URL", PostgresEnv)
	}
	s := &server{base: base, tag: randomTag()}
	s.template = "teli_tpl_" + s.tag
	if err := s.connect(ctx); err != nil {
		return nil, err
	}
	s.dropAbandoned(ctx)
	if err := s.exec(ctx, "CREATE DATABASE "+ident(s.template)); err != nil {
		return nil, fmt.Errorf("create template database: %w", err)
	}
	if err := postgres.Migrate(ctx, s.urlOf(s.template), slog.New(slog.DiscardHandler)); err != nil {
		return nil, fmt.Errorf("migrate template database: %w", err)
	}
	return s, nil
}

// connect opens the owner session first, then the admin pool; both carry the application name
// that tells other test processes this one is alive.
func (s *server) connect(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(s.base.String())
	if err != nil {
		return err
	}
	cfg.RuntimeParams["application_name"] = ownerApp(s.tag)
	if s.owner, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	poolCfg, err := pgxpool.ParseConfig(s.base.String())
	if err != nil {
		return err
	}
	poolCfg.ConnConfig.RuntimeParams["application_name"] = ownerApp(s.tag)
	if s.admin, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	return nil
}

// dropAbandoned drops the template and test databases of earlier test processes that are gone.
// A process cannot drop its own template (nothing runs after its last test), so each run cleans
// up after the previous ones. A database whose owner session is still connected belongs to a
// test binary running right now and is left alone. Failures only leave garbage behind.
func (s *server) dropAbandoned(ctx context.Context) {
	live := map[string]bool{}
	rows, err := s.admin.Query(ctx,
		`SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'teli-dbtest-%'`)
	if err != nil {
		return
	}
	apps, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, app := range apps {
		live[strings.TrimPrefix(app, "teli-dbtest-")] = true
	}
	rows, err = s.admin.Query(ctx,
		`SELECT datname FROM pg_database WHERE datname LIKE 'teli\_tpl\_%' OR datname LIKE 'teli\_test\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, name := range names {
		if !live[tagOf(name)] {
			_ = s.exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
		}
	}
}

func (s *server) exec(ctx context.Context, sql string) error {
	_, err := s.admin.Exec(ctx, sql)
	return err
}

// urlOf is the base URL pointed at another database.
func (s *server) urlOf(database string) string {
	u := *s.base
	u.Path = "/" + database
	u.RawPath = ""
	return u.String()
}

// tagOf extracts the owner tag from teli_tpl_<tag> or teli_test_<tag>_<n>.
func tagOf(database string) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(database, "teli_tpl_"), "teli_test_")
	tag, _, _ := strings.Cut(rest, "_")
	return tag
}

func ownerApp(tag string) string { return "teli-dbtest-" + tag }

// randomTag names one test process: lower-case hex, so it is a valid unquoted identifier part.
func randomTag() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// ident quotes a database name for SQL.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }
