package app

import (
	"context"
	"sync"
	"time"
)

// inProcess runs work in this process soon after a request queued it (inbound processing, an
// agent's reply), so it happens within milliseconds rather than when the job queue gets to it.
// At most maxInProcess pieces run at once; the rest wait their turn. It is best effort: work
// that does not run here (the server not started, or stopping) is done by its durable job, and
// the database makes sure it is done once.
type inProcess struct {
	mu      sync.Mutex
	ctx     context.Context // nil while not running
	cancel  context.CancelFunc
	timers  map[*time.Timer]struct{}
	running sync.WaitGroup
	slots   chan struct{}
}

// maxInProcess bounds the work running in process at once.
const maxInProcess = 256

func newInProcess() *inProcess {
	return &inProcess{timers: map[*time.Timer]struct{}{}, slots: make(chan struct{}, maxInProcess)}
}

// start accepts work until stop.
func (p *inProcess) start(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
}

// stop drops work not yet started, cancels what runs, and waits for it to return.
func (p *inProcess) stop() {
	p.mu.Lock()
	for t := range p.timers {
		if t.Stop() {
			p.running.Done()
		}
	}
	p.timers = map[*time.Timer]struct{}{}
	if p.cancel != nil {
		p.cancel()
	}
	p.ctx = nil
	p.mu.Unlock()
	p.running.Wait()
}

// Running reports whether the server runs and takes work.
func (p *inProcess) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ctx != nil
}

// Soon runs fn after delay, if the process is running.
func (p *inProcess) Soon(delay time.Duration, fn func(context.Context)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ctx == nil {
		return
	}
	p.running.Add(1)
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		defer p.running.Done()
		p.mu.Lock()
		delete(p.timers, t)
		ctx := p.ctx
		p.mu.Unlock()
		if ctx == nil {
			return
		}
		// Wait for a slot rather than drop the work: its job would only run after its head
		// start, so dropping would turn a busy moment into a 30-second delay.
		select {
		case p.slots <- struct{}{}:
			defer func() { <-p.slots }()
			fn(ctx)
		case <-ctx.Done(): // stopping: the job does it
		}
	})
	p.timers[t] = struct{}{}
}
