package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStatements bounds a pool's prepared statements. The store's statements are a few
// dozen texts; a query built with a new shape past the bound is prepared for its one use.
const maxCachedStatements = 512

// statements keeps one pool's prepared statements, by text. database/sql prepares a statement
// for every call otherwise, and parsing SQL was a fifth of a large launch's work; a *sql.Stmt
// prepared on the pool is reused on each of its connections, and inside a transaction on the
// writer's one connection.
type statements struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStatements(db *sql.DB) *statements {
	return &statements{db: db, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, preparing it on first use; nil (and no error)
// when the cache is full. The lock is not held while preparing: on the writer pool that waits
// for the one connection, which a transaction asking for a cached statement may hold.
func (c *statements) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= maxCachedStatements
	c.mu.Unlock()
	if ok || full {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prior, ok := c.m[query]; ok {
		// Prepared meanwhile by another caller: keep one.
		_ = st.Close() // the duplicate was never used
		return prior, nil
	}
	c.m[query] = st
	return st, nil
}

// close closes every statement; the pool closes after.
func (c *statements) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.m {
		errs = append(errs, st.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}

// cached returns the prepared statement of query if it has one.
func (c *statements) cached(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// txStatements are the prepared statements of one transaction, each prepared (or bound) once
// however often the transaction runs it: a large launch runs the same insert a hundred thousand
// times in one transaction. A statement the pool has prepared already is bound to the
// transaction without being parsed again (the writer pool's one connection has it); any other is
// prepared on the transaction, and on the pool once the transaction has ended (adopt), for the
// transactions after it. The pool cannot prepare it there and then: the transaction holds the
// writer's only connection.
type txStatements struct {
	tx    *sql.Tx
	pool  *statements
	bound map[string]*sql.Stmt
	// fresh are the queries this transaction prepared itself.
	fresh []string
}

// get returns the statement of query for the transaction; nil (and no error) when the
// transaction holds maxCachedStatements already.
func (t *txStatements) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.bound[query]; ok {
		return st, nil
	}
	if len(t.bound) >= maxCachedStatements {
		return nil, nil
	}
	var st *sql.Stmt
	if parent := t.pool.cached(query); parent != nil {
		st = t.tx.StmtContext(ctx, parent)
	} else {
		var err error
		if st, err = t.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		t.fresh = append(t.fresh, query)
	}
	t.bound[query] = st
	return st, nil
}

// adopt prepares on the pool the statements the transaction prepared itself, now that it has
// ended and given the connection back. A failure only means the next transaction prepares the
// statement again.
func (t *txStatements) adopt(ctx context.Context) {
	for _, q := range t.fresh {
		_, _ = t.pool.get(ctx, q)
	}
	t.fresh = nil
}
