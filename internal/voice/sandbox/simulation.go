package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/openteli/teli/internal/placeholders"
	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// The simulation is event-driven: a call takes a goroutine only while something happens to it
// (it is answered, a scripted turn is played, an event is delivered). A call that waits, for the
// person, for a turn gap or for a retry, waits on a timer, so thousands of calls cost little.

// sim is one run of the simulation, from Start until its context ends.
type sim struct {
	p    *Platform
	ctx  context.Context
	sink voice.Sink

	mu     sync.Mutex
	calls  map[string]*call // by platform call id, until finished
	active int              // goroutines and timer callbacks at work
	quiet  *sync.Cond       // broadcast when active drops to 0
}

// call is one call in the simulation. Its lock is held while its state changes, and released
// while an event is delivered, so a slow sink never holds up the conversation.
type call struct {
	mu      sync.Mutex
	rec     record
	created time.Time
	// spec is the agent's configuration, read when first needed.
	spec *voice.AgentSpec

	// dirty: rec has changed since it was stored. deliverable: how many of rec's pending
	// events, from the first, are stored, and so may be delivered.
	dirty       bool
	deliverable int
	finished    bool

	// timer is the idle timeout of a live call or the gap before a scripted turn; timerGen
	// changes whenever it is replaced or stopped, so a callback that lost the race does nothing.
	timer    *time.Timer
	timerGen int

	retrying      bool // a failed write waits to be retried
	writeFailures int

	delivering       bool // events are being delivered, or a failed delivery waits to be retried
	deliveryFailures int
}

// stored is the call as the store keeps it.
func (c *call) stored(finished bool, now time.Time) teli.SandboxCall {
	raw, _ := json.Marshal(c.rec) // strings, numbers and a string map always marshal
	return teli.SandboxCall{
		PlatformCallID: c.rec.PlatformCallID, CallID: c.rec.Metadata.CallID, Record: raw,
		Finished: finished, CreatedAt: c.created, UpdatedAt: now,
	}
}

// person is the number whose persona the call follows.
func (c *call) person() string {
	if c.rec.Direction == teli.DirectionInbound {
		return c.rec.From
	}
	return c.rec.To
}

func (c *call) persona() persona {
	return personaOf(c.person(), c.rec.Direction == teli.DirectionInbound)
}

var errAlreadyStarted = errors.New("sandbox voice: the simulation is already running")

// Start runs the simulation, reporting to sink, until ctx ends. It first resumes every call
// a previous run left unfinished (from where it was stored), then runs the calls placed before
// it and after it. It returns once the calls are under way; the simulation goes on in the
// background. After ctx ends, Wait waits for it to stop, and Start may be called again.
func (p *Platform) Start(ctx context.Context, sink voice.Sink) error {
	if sink == nil {
		return errors.New("sandbox voice: Start needs a sink")
	}
	p.gate.RLock()
	prev := p.sim
	p.gate.RUnlock()
	if prev != nil {
		if prev.ctx.Err() == nil {
			return errAlreadyStarted
		}
		prev.wait() // so that no call is changed by two runs at once
	}

	p.gate.Lock()
	defer p.gate.Unlock()
	if p.sim != prev {
		return errAlreadyStarted
	}
	unfinished, err := p.store.UnfinishedCalls(ctx)
	if err != nil {
		return fmt.Errorf("sandbox voice: resume calls: %w", err)
	}
	s := &sim{p: p, ctx: ctx, sink: sink, calls: make(map[string]*call, len(unfinished))}
	s.quiet = sync.NewCond(&s.mu)
	resumed := make([]*call, 0, len(unfinished))
	for _, u := range unfinished {
		rec, err := decodeRecord(u)
		if err != nil {
			return err
		}
		c := &call{rec: rec, created: u.CreatedAt, deliverable: len(rec.Sim.Pending)}
		s.calls[rec.PlatformCallID] = c
		resumed = append(resumed, c)
	}
	p.sim = s
	for _, c := range resumed {
		s.spawn(func() { s.advance(c, false) })
	}
	context.AfterFunc(ctx, s.stopTimers)
	return nil
}

// Wait blocks until the simulation has stopped: until the context given to Start has ended and
// the work then in progress has finished, so that no call changes any more. Without a Start it
// returns at once.
func (p *Platform) Wait() {
	p.gate.RLock()
	s := p.sim
	p.gate.RUnlock()
	if s != nil {
		s.wait()
	}
}

// running returns the simulation if it runs.
func (p *Platform) running() *sim {
	p.gate.RLock()
	defer p.gate.RUnlock()
	if p.sim == nil || p.sim.ctx.Err() != nil {
		return nil
	}
	return p.sim
}

// enter counts a piece of work in; false when the simulation has stopped and the work must not
// start.
func (s *sim) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	s.active++
	return true
}

func (s *sim) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active--; s.active == 0 {
		s.quiet.Broadcast()
	}
}

func (s *sim) wait() {
	<-s.ctx.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.active > 0 {
		s.quiet.Wait()
	}
}

// spawn runs fn in a goroutine of the simulation.
func (s *sim) spawn(fn func()) {
	if !s.enter() {
		return
	}
	go func() {
		defer s.leave()
		fn()
	}()
}

// after runs fn after d, unless the simulation has stopped by then.
func (s *sim) after(d time.Duration, fn func()) *time.Timer {
	return time.AfterFunc(d, func() {
		if !s.enter() {
			return
		}
		defer s.leave()
		fn()
	})
}

// add takes c into the simulation; false when it is there already.
func (s *sim) add(c *call) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.calls[c.rec.PlatformCallID]; ok {
		return false
	}
	s.calls[c.rec.PlatformCallID] = c
	return true
}

// adopt takes a newly placed call in and sets it going.
func (s *sim) adopt(c *call) {
	if s.add(c) {
		s.spawn(func() { s.advance(c, false) })
	}
}

func (s *sim) lookup(platformCallID string) *call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[platformCallID]
}

func (s *sim) forget(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.calls, c.rec.PlatformCallID)
}

// stopTimers stops the timers of a simulation that has stopped, so that its calls are let go
// at once rather than when their idle timeouts would have run out.
func (s *sim) stopTimers() {
	s.mu.Lock()
	calls := make([]*call, 0, len(s.calls))
	for _, c := range s.calls {
		calls = append(calls, c)
	}
	s.mu.Unlock()
	for _, c := range calls {
		c.mu.Lock()
		disarm(c)
		c.mu.Unlock()
	}
}

// advance moves the call along until it has to wait: for the person on a live call, for a turn
// gap, or for nothing more once it has ended. Each change that causes events is stored, then
// its events are delivered, before the call moves on.
func (s *sim) advance(c *call, afterGap bool) {
	for {
		c.mu.Lock()
		if c.finished || s.ctx.Err() != nil {
			c.mu.Unlock()
			return
		}
		events := len(c.rec.Sim.Pending)
		switch c.rec.Sim.Step {
		case stepDialing:
			if err := s.dial(c); err != nil {
				// The agent could not be read: try the call again later, unchanged.
				s.retryLater(c)
				c.mu.Unlock()
				return
			}
		case stepScript:
			if gap := s.p.opts.TurnGap; gap > 0 && !afterGap {
				if s.commit(c) {
					s.arm(c, gap, func() {
						c.mu.Unlock()
						s.advance(c, true)
					})
				}
				c.mu.Unlock()
				return
			}
			afterGap = false
			s.play(c)
		case stepLive:
			if s.commit(c) && c.timer == nil {
				s.armIdle(c)
			}
			c.mu.Unlock()
			s.flush(c)
			return
		default: // ended
			ok := s.commit(c)
			c.mu.Unlock()
			if ok {
				s.flush(c)
			}
			return
		}
		if len(c.rec.Sim.Pending) > events {
			ok := s.commit(c)
			c.mu.Unlock()
			if !ok {
				return
			}
			s.flush(c)
			continue
		}
		c.mu.Unlock()
	}
}

// dial connects the call, or fails to, as its persona says. c.mu is held.
func (s *sim) dial(c *call) error {
	pers := c.persona()
	now := s.p.clock.Now()
	if pers.notConnected != "" {
		c.rec.end(now, statusNotConnected, pers.notConnected)
		c.dirty = true
		return nil
	}
	spec, err := s.agent(c)
	if errors.Is(err, teli.ErrNotFound) {
		// The agent was deleted after the call was placed: the platform cannot run the call.
		c.rec.end(now, statusError, reasonUnknownAgent)
		c.dirty = true
		return nil
	}
	if err != nil {
		return err
	}
	c.rec.answer(now)
	if !pers.voicemail || !spec.VoicemailDetection {
		// An agent that does not detect voicemail takes the machine for a person and speaks.
		c.rec.say(voice.RoleAgent, placeholders.Render(spec.BeginMessage, c.rec.Variables))
	}
	c.rec.Sim.Step, c.rec.Sim.Turn = stepScript, 0
	if pers.script == nil {
		c.rec.Sim.Step = stepLive
	}
	c.dirty = true
	return nil
}

// play plays the next step of the call's script. c.mu is held.
func (s *sim) play(c *call) {
	script := c.persona().script
	c.dirty = true
	if c.rec.Sim.Turn >= len(script) {
		c.rec.end(s.p.clock.Now(), statusEnded, reasonUserHangup) // a script always ends; be safe
		return
	}
	st := script[c.rec.Sim.Turn]
	c.rec.Sim.Turn++
	switch st.action {
	case personSays:
		c.rec.say(voice.RoleUser, st.text)
	case agentReplies:
		c.rec.say(voice.RoleAgent, s.reply(s.ctx, c))
	case agentVoicemail:
		// Only an agent that detects voicemail knows to leave its message (an empty one hangs
		// up); one that does not has spoken its begin message already.
		if spec, err := s.agent(c); err == nil && spec.VoicemailDetection && spec.VoicemailMessage != "" {
			c.rec.say(voice.RoleAgent, placeholders.Render(spec.VoicemailMessage, c.rec.Variables))
		}
	case callEnds:
		reason := st.reason
		if reason == reasonVoicemail {
			if spec, err := s.agent(c); err == nil && !spec.VoicemailDetection {
				// Undetected, the voicemail is a person who never answers back.
				reason = reasonInactivity
			}
		}
		c.rec.end(s.p.clock.Now(), statusEnded, reason)
	}
}

// commit stores the call if it changed; when the write fails it is retried later, and commit
// reports false. c.mu is held.
func (s *sim) commit(c *call) bool {
	if !c.dirty {
		return true
	}
	if err := s.p.store.PutCall(s.ctx, c.stored(false, s.p.clock.Now())); err != nil {
		s.retryLater(c)
		return false
	}
	c.dirty, c.deliverable, c.writeFailures = false, len(c.rec.Sim.Pending), 0
	return true
}

// retryLater runs advance again after a backoff. c.mu is held.
func (s *sim) retryLater(c *call) {
	if c.retrying || s.ctx.Err() != nil {
		return
	}
	c.retrying = true
	c.writeFailures++
	s.after(backoff(s.p.opts.RetryDelay, c.writeFailures), func() {
		c.mu.Lock()
		c.retrying = false
		c.mu.Unlock()
		s.advance(c, true)
	})
}

// armIdle starts the idle timeout of a live call. c.mu is held.
func (s *sim) armIdle(c *call) {
	s.arm(c, s.p.opts.IdleTimeout, func() {
		if c.rec.Sim.Step != stepLive {
			c.mu.Unlock()
			return
		}
		c.rec.end(s.p.clock.Now(), statusEnded, reasonInactivity)
		c.dirty = true
		c.mu.Unlock()
		s.advance(c, false)
	})
}

// arm sets the call's timer to run fn after d, with c.mu held, if the timer is still the
// call's by then; fn releases c.mu. c.mu is held.
func (s *sim) arm(c *call, d time.Duration, fn func()) {
	disarm(c)
	gen := c.timerGen
	c.timer = s.after(d, func() {
		c.mu.Lock()
		if c.timerGen != gen {
			c.mu.Unlock()
			return
		}
		c.timer = nil
		fn()
	})
}

// disarm stops the call's timer. c.mu is held.
func disarm(c *call) {
	c.timerGen++
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// backoff is the wait before the n-th retry: base, doubled each time, at most maxRetryDelay.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}
