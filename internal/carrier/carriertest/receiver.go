// Package carriertest is the contract suite every carrier adapter passes, and the webhook
// receiver it drives adapters through. Adapter packages call Run from a test with a function
// that builds a Harness around their adapter and, where there is one, their provider's fake.
package carriertest

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/openteli/teli/internal/carrier"
)

// waitTimeout bounds every wait for a webhook; reaching it fails the test instead of hanging.
const waitTimeout = 10 * time.Second

// Receiver is a real HTTP server standing in for Teli's webhook edge: it routes
// /webhooks/{carrier}/inbound and /webhooks/{carrier}/status/{id} to the attached carrier's
// Parse* methods, answers as Teli must (403 for ErrBadSignature, 404 for ErrUnsupported, 400
// for other bad input, the carrier's ack for inbound, 204 for a status), and records results.
type Receiver struct {
	// URL is the public URL to build the carrier with.
	URL string

	mu       sync.Mutex
	carrier  carrier.Carrier
	inbound  chan carrier.Inbound
	statuses chan carrier.StatusUpdate
	rejected chan error
}

// NewReceiver starts a receiver, closed when t ends. It is started before the carrier exists
// because the carrier's configuration needs its URL; call Attach once the carrier is built.
func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{
		inbound:  make(chan carrier.Inbound, 100),
		statuses: make(chan carrier.StatusUpdate, 100),
		rejected: make(chan error, 100),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks/{carrier}/inbound", r.handleInbound)
	mux.HandleFunc("/webhooks/{carrier}/status/{id}", r.handleStatus)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// Attach sets the carrier webhooks are handed to.
func (r *Receiver) Attach(c carrier.Carrier) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.carrier = c
}

// target returns the attached carrier if the path names it.
func (r *Receiver) target(w http.ResponseWriter, req *http.Request) carrier.Carrier {
	r.mu.Lock()
	c := r.carrier
	r.mu.Unlock()
	if c == nil || req.PathValue("carrier") != c.Name() {
		http.NotFound(w, req)
		return nil
	}
	return c
}

func (r *Receiver) handleInbound(w http.ResponseWriter, req *http.Request) {
	c := r.target(w, req)
	if c == nil {
		return
	}
	in, err := c.ParseInbound(req)
	if err != nil {
		r.reject(w, err)
		return
	}
	if !offer(r.inbound, in) {
		http.Error(w, "receiver full", http.StatusServiceUnavailable)
		return
	}
	c.AckInbound(w)
}

func (r *Receiver) handleStatus(w http.ResponseWriter, req *http.Request) {
	c := r.target(w, req)
	if c == nil {
		return
	}
	u, err := c.ParseStatus(req)
	if err != nil {
		r.reject(w, err)
		return
	}
	if !offer(r.statuses, u) {
		http.Error(w, "receiver full", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *Receiver) reject(w http.ResponseWriter, err error) {
	offer(r.rejected, err)
	http.Error(w, err.Error(), StatusFor(err))
}

// StatusFor is the HTTP status Teli's webhook edge answers a Parse* error with.
func StatusFor(err error) int {
	switch {
	case errors.Is(err, carrier.ErrBadSignature):
		return http.StatusForbidden
	case errors.Is(err, carrier.ErrUnsupported):
		return http.StatusNotFound
	default:
		return http.StatusBadRequest
	}
}

// NextInbound waits for the next inbound message the carrier accepted.
func (r *Receiver) NextInbound(t testing.TB) carrier.Inbound {
	t.Helper()
	return next(t, r.inbound, "inbound message")
}

// NextStatus waits for the next status update the carrier accepted.
func (r *Receiver) NextStatus(t testing.TB) carrier.StatusUpdate {
	t.Helper()
	return next(t, r.statuses, "status update")
}

// NextRejection waits for the error of the next request the carrier refused.
func (r *Receiver) NextRejection(t testing.TB) error {
	t.Helper()
	return next(t, r.rejected, "rejected webhook")
}

// Accepted reports how many accepted webhooks are waiting to be read with Next*.
func (r *Receiver) Accepted() int { return len(r.inbound) + len(r.statuses) }

// offer records v unless the test stopped reading; a full buffer must not hang the server.
func offer[T any](ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	default:
		return false
	}
}

func next[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("no %s within %s", what, waitTimeout)
		var zero T
		return zero
	}
}
