package store

import (
	"context"
	"fmt"

	"github.com/openteli/teli/internal/teli"
)

// Store is teli.Store on a Dialect. The value New returns works on the dialect's connections;
// InTx hands fn a Store bound to one transaction, which must not be used after fn returns, nor
// from several goroutines at once.
type Store struct {
	d  Dialect
	tx Tx // nil outside a transaction
}

var _ teli.Store = (*Store)(nil)

// New returns the Store of a dialect.
func New(d Dialect) *Store { return &Store{d: d} }

// InTx runs fn in one transaction; on a tx-bound Store it runs fn in that same transaction. The
// transaction commits when fn returns nil and rolls back when it returns an error or panics.
func (s *Store) InTx(ctx context.Context, fn func(tx teli.Store) error) error {
	return s.inTx(ctx, func(tx *Store) error { return fn(tx) })
}

// inTx is InTx for this package's code, which needs the concrete tx-bound Store.
func (s *Store) inTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name(), err)
	}
	done := false
	defer func() {
		if !done {
			// The error that got us here, or the panic, matters more than a failed rollback.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(&Store{d: s.d, tx: tx}); err != nil {
		return err
	}
	done = true
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name(), err)
	}
	return nil
}

// Enqueue inserts a background job. Inside InTx it joins the transaction; outside it commits
// alone.
func (s *Store) Enqueue(ctx context.Context, job teli.JobArgs, opts teli.JobOpts) error {
	if s.tx == nil {
		return s.inTx(ctx, func(tx *Store) error { return tx.Enqueue(ctx, job, opts) })
	}
	if err := s.tx.Enqueue(ctx, job, opts); err != nil {
		return fmt.Errorf("%s: %w", s.d.Name(), err)
	}
	return nil
}

// read is where reads go: the transaction inside InTx (to see its own writes), the dialect's
// reader otherwise.
func (s *Store) read() Conn {
	if s.tx != nil {
		return s.tx
	}
	return s.d.Reader()
}

// write is where writes go: the transaction inside InTx, the dialect's writer otherwise.
func (s *Store) write() Conn {
	if s.tx != nil {
		return s.tx
	}
	return s.d.Writer()
}

// wrap names the engine and the failed operation; nil stays nil, and the Conn's classification
// (teli.ErrNotFound, teli.ErrConflict) stays visible to errors.Is.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", s.d.Name(), op, err)
}

// mustAffect is wrap for an UPDATE or DELETE that must change a row: none is ErrNotFound.
func (s *Store) mustAffect(op string, n int64, err error) error {
	if err == nil && n == 0 {
		err = teli.ErrNotFound
	}
	return s.wrap(op, err)
}
