// Package bench measures the server from the outside, over real loopback HTTP, and prints the
// figures. It never judges them: a benchmark that fails on a wall-clock threshold is flaky on a
// busy machine, so deciding what is too slow is left to whoever reads the numbers.
//
// This file holds the tools: the in-process server, its HTTP client, the load generators and the
// statistics. api.go, launch.go and send.go hold what is measured; campaign.go the campaign
// fixtures and memory readings they share, db.go the bench's own database queries.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openteli/teli/internal/app"
	"github.com/openteli/teli/internal/config"
)

// server is a running in-process server.
type server struct {
	base   string
	app    *app.App
	cancel context.CancelFunc
	done   chan error
}

// start runs the server until it accepts connections.
func start(ctx context.Context, cfg config.Config) (*server, error) {
	return startWith(ctx, cfg, app.Options{})
}

// startWith is start with a clock and id source of the caller's (the logger and stdout are
// always discarded).
func startWith(ctx context.Context, cfg config.Config, o app.Options) (*server, error) {
	o.Stdout, o.Logger = io.Discard, slog.New(slog.DiscardHandler)
	a, err := app.New(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &server{app: a, cancel: cancel, done: make(chan error, 1)}
	go func() { s.done <- a.Run(ctx) }()
	select {
	case addr := <-a.Ready():
		s.base = "http://" + addr
		return s, nil
	case err := <-s.done: // Run failed before listening
		cancel()
		return nil, fmt.Errorf("server did not start: %w", err)
	}
}

// stop shuts the server down and waits for Run to return.
func (s *server) stop() error {
	s.cancel()
	return <-s.done
}

// client speaks to the server under test with the bench key.
type client struct {
	hc   *http.Client
	base string
}

func newClient(base string) *client {
	tr := &http.Transport{
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		// Every open-loop request has its own goroutine; with the default two idle connections
		// per host, bursts would close and re-dial connections and the figures would measure TCP
		// handshakes instead of the server.
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		// A server that falls behind would otherwise get one new connection per late request,
		// until file descriptors run out. Requests past the cap wait here for a connection, and
		// that wait still counts: latency runs from each request's scheduled start.
		MaxConnsPerHost: 1024,
		IdleConnTimeout: 90 * time.Second,
	}
	return &client{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: base}
}

// do sends one request. A non-2xx status is an error; the body is decoded into into when it is
// not nil, and otherwise drained so the connection returns to the idle pool.
func (c *client) do(ctx context.Context, method, path string, body []byte, into any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", benchKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}
	if into != nil {
		return json.NewDecoder(resp.Body).Decode(into)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// call issues one request; a transport error or a non-2xx status is an error.
type call func(ctx context.Context) error

// sample is what one phase measured.
type sample struct {
	// latencies has one entry per completed request, failed ones included: a fast 500 is still
	// a response the client waited for, and dropping it would flatter the percentiles.
	latencies []time.Duration
	// lags (open loop only) is how late the generator itself started each request, from timer
	// resolution or a starved CPU. It is already inside the latencies; printing it tells how
	// much of a small latency is the generator rather than the server.
	lags     []time.Duration
	errors   int
	firstErr error
	elapsed  time.Duration // from the first start to the last completion
}

// errs counts failures and keeps the first one, so a failing phase can say why.
type errs struct {
	n     atomic.Int64
	once  sync.Once
	first error
}

func (e *errs) add(err error) {
	if err == nil {
		return
	}
	e.n.Add(1)
	e.once.Do(func() { e.first = err })
}

// openLoop starts a request every 1/rate seconds for d, each on its own goroutine, whether or
// not earlier ones have finished: a slow server then keeps meeting the arrival rate real clients
// would keep producing, instead of a load generator that politely waits for it. Latency counts
// from the request's scheduled start, so time spent queued behind a stalled server is in the
// figures (the "coordinated omission" that closed-loop tools suffer from).
func openLoop(ctx context.Context, rate int, d time.Duration, do call) sample {
	n := max(1, int(int64(rate)*int64(d)/int64(time.Second)))
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, n)
	lags := make([]time.Duration, n)
	var failed errs
	var wg sync.WaitGroup
	timer := time.NewTimer(0)
	defer timer.Stop()
	begin := time.Now()
	started := 0
	for i := range n {
		at := begin.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		started++
		wg.Go(func() {
			lags[i] = time.Since(at)
			failed.add(do(ctx))
			lat[i] = time.Since(at)
		})
	}
	wg.Wait()
	s := sample{latencies: lat[:started], lags: lags[:started], errors: int(failed.n.Load()), firstErr: failed.first}
	// The schedule spans started intervals: a server that keeps up achieves exactly the rate.
	// One that falls behind finishes later: request i ends at begin + i*interval + its latency.
	s.elapsed = time.Duration(started) * interval
	for i, l := range s.latencies {
		s.elapsed = max(s.elapsed, time.Duration(i)*interval+l)
	}
	return s
}

// closedLoop runs workers that each issue requests back to back for d: the most the server
// sustains with that many clients. Latency here is per request, from its actual start, since a
// closed loop has no schedule to fall behind.
func closedLoop(ctx context.Context, workers int, d time.Duration, do call) sample {
	var failed errs
	var wg sync.WaitGroup
	per := make([][]time.Duration, workers)
	begin := time.Now()
	deadline := begin.Add(d)
	for w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				failed.add(do(ctx))
				per[w] = append(per[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	return sample{latencies: slices.Concat(per...), errors: int(failed.n.Load()), firstErr: failed.first, elapsed: time.Since(begin)}
}

// Column layout of the figures table; names are padded so the numbers line up.
const (
	rowFormat  = "%-22s %9s %7s %9s %8s %8s %8s %8s %8s\n"
	phaseWidth = 22
)

// printHeader prints the column names of the figures table.
func printHeader(w io.Writer) {
	fmt.Fprintf(w, rowFormat, "phase", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "lag p99")
}

// print writes the phase's figures as one aligned line, and the first error under it.
func (s sample) print(w io.Writer, phase string) {
	lat := slices.Clone(s.latencies)
	slices.Sort(lat)
	rate := 0.0
	if s.elapsed > 0 {
		rate = float64(len(lat)) / s.elapsed.Seconds()
	}
	lag := "-"
	if s.lags != nil {
		lags := slices.Clone(s.lags)
		slices.Sort(lags)
		lag = ms(percentile(lags, 0.99))
	}
	fmt.Fprintf(w, rowFormat, phase, fmt.Sprint(len(lat)), fmt.Sprint(s.errors), fmt.Sprintf("%.1f", rate),
		ms(percentile(lat, 0.50)), ms(percentile(lat, 0.90)), ms(percentile(lat, 0.99)), ms(percentile(lat, 1)), lag)
	if s.firstErr != nil {
		fmt.Fprintf(w, "%*s first error: %v\n", phaseWidth, "", s.firstErr)
	}
}

// percentile is the nearest-rank percentile of an ascending slice (p in [0, 1]): always a value
// that was actually measured, never an interpolation between two.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms prints a duration in milliseconds with microsecond precision.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d.Round(time.Microsecond))/float64(time.Millisecond))
}
