package sandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/openteli/teli/internal/teli"
	"github.com/openteli/teli/internal/voice"
)

// The sandbox phone: the controls with which the user plays the person on a call, for the API
// and the CLI.

// ErrCallNotLive is a Say or Hangup on a call that is not waiting for the person: it has ended,
// has not been answered yet, follows a script, or the simulation is not running.
var ErrCallNotLive = errors.New("sandbox voice: the call is not live")

// ErrNotAnswered is a Dial that nobody answered: the sink chose no agent for the call.
var ErrNotAnswered = errors.New("sandbox voice: nobody answered the call")

// ErrNotStarted is a Dial before Start (or after the simulation stopped): there is nobody to
// decide who answers.
var ErrNotStarted = errors.New("sandbox voice: the simulation is not running")

// Say is the person saying text on a live call. It returns the agent's reply, and gives the
// person a fresh IdleTimeout to speak again. A Say waits for one in progress on the same call.
func (p *Platform) Say(ctx context.Context, platformCallID, text string) (string, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", errors.New("sandbox voice: nothing to say")
	}
	s, c, err := p.liveCall(ctx, platformCallID)
	if err != nil {
		return "", err
	}
	if !s.enter() {
		return "", fmt.Errorf("%w: %s", ErrCallNotLive, platformCallID)
	}
	defer s.leave()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rec.Sim.Step != stepLive || c.finished {
		return "", fmt.Errorf("%w: %s", ErrCallNotLive, platformCallID)
	}
	disarm(c) // the person is speaking: the call is not idle
	c.rec.say(voice.RoleUser, text)
	reply := s.reply(ctx, c)
	c.rec.say(voice.RoleAgent, reply)
	c.dirty = true
	if !s.commit(c) && s.ctx.Err() != nil {
		// Stopping, the simulation forgets what it did not store: so did the person.
		return "", fmt.Errorf("%w: the simulation stopped", ErrCallNotLive)
	}
	// Otherwise a failed write is retried: the exchange has happened either way.
	s.armIdle(c)
	return reply, nil
}

// Hangup is the person hanging up a live call (user_hangup). It returns once the call's end is
// stored and its events delivered, or handed to the retries of a failing sink.
func (p *Platform) Hangup(ctx context.Context, platformCallID string) error {
	s, c, err := p.liveCall(ctx, platformCallID)
	if err != nil {
		return err
	}
	if !s.enter() {
		return fmt.Errorf("%w: %s", ErrCallNotLive, platformCallID)
	}
	defer s.leave()
	c.mu.Lock()
	if c.rec.Sim.Step != stepLive || c.finished {
		c.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrCallNotLive, platformCallID)
	}
	disarm(c)
	c.rec.end(p.clock.Now(), statusEnded, reasonUserHangup)
	c.dirty = true
	c.mu.Unlock()
	s.advance(c, false)
	return nil
}

// liveCall finds a call of the running simulation; a call it does not run is ErrCallNotLive,
// one the sandbox never had teli.ErrNotFound.
func (p *Platform) liveCall(ctx context.Context, platformCallID string) (*sim, *call, error) {
	if s := p.running(); s != nil {
		if c := s.lookup(platformCallID); c != nil {
			return s, c, nil
		}
	}
	if _, err := p.store.GetCall(ctx, platformCallID); err != nil {
		return nil, nil, fmt.Errorf("sandbox voice: call %s: %w", platformCallID, err)
	}
	return nil, nil, fmt.Errorf("%w: %s", ErrCallNotLive, platformCallID)
}

// Dial is a person calling one of the sandbox's numbers from theirs. The sink decides who
// answers (voice.Sink.AnswerInbound); with no agent, the call is not answered (ErrNotAnswered)
// and the sandbox keeps no record of it. An answered call proceeds like an answered outbound
// one, its persona the caller's. Dial returns once the answer is stored and its call_started
// delivered (or left to the retries of a failing sink), with the call waiting for the person,
// or, for a caller whose persona follows a script, once the script has played up to its first
// turn gap (all of it without gaps).
func (p *Platform) Dial(ctx context.Context, from, to string) (string, error) {
	s := p.running()
	if s == nil {
		return "", ErrNotStarted
	}
	if !isE164(from) {
		return "", fmt.Errorf("%w: from %q is not an E.164 number", voice.ErrRejected, from)
	}
	if _, err := p.store.GetNumber(ctx, to); err != nil {
		return "", fmt.Errorf("sandbox voice: dial %s: %w", to, err)
	}
	if !s.enter() {
		return "", ErrNotStarted
	}
	defer s.leave()
	answer, err := s.sink.AnswerInbound(ctx, Name, voice.InboundCall{From: from, To: to})
	if err != nil {
		return "", fmt.Errorf("sandbox voice: answer a call to %s: %w", to, err)
	}
	if answer.Agent.AgentID == "" {
		return "", ErrNotAnswered
	}
	if _, err := p.store.GetAgent(ctx, answer.Agent.AgentID); errors.Is(err, teli.ErrNotFound) {
		return "", fmt.Errorf("%w: agent %q is not a sandbox agent", voice.ErrRejected, answer.Agent.AgentID)
	} else if err != nil {
		return "", err
	}
	now := p.clock.Now()
	c := &call{created: now, rec: record{
		PlatformCallID: p.newPlatformCallID(), CallType: "phone_call", AgentID: answer.Agent.AgentID,
		Direction: teli.DirectionInbound, From: from, To: to, Status: statusRegistered,
		Variables: maps.Clone(answer.Variables), Sim: simulation{Step: stepDialing},
	}}
	if err := p.store.PutCall(ctx, c.stored(false, now)); err != nil {
		return "", fmt.Errorf("sandbox voice: record a call to %s: %w", to, err)
	}
	s.add(c)
	s.advance(c, false)
	return c.rec.PlatformCallID, nil
}
