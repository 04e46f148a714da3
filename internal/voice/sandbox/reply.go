package sandbox

import (
	"context"
	"strings"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/placeholders"
	"github.com/openteli/teli/internal/voice"
)

// agent is the configuration of the call's agent, read once per call. c.mu is held.
func (s *sim) agent(c *call) (voice.AgentSpec, error) {
	if c.spec != nil {
		return *c.spec, nil
	}
	spec, err := s.p.Agent(s.ctx, c.rec.AgentID)
	if err != nil {
		return voice.AgentSpec{}, err
	}
	c.spec = &spec
	return spec, nil
}

// reply is the agent's answer to the transcript so far: the model's, within ModelTimeout, or
// FixedReply without a model or when it fails or says nothing, so a call never stalls on it.
// c.mu is held.
func (s *sim) reply(ctx context.Context, c *call) string {
	model := s.p.opts.Model
	if model == nil {
		return FixedReply
	}
	// Without its configuration (the agent was deleted mid-call) the agent answers from no
	// prompt rather than not at all.
	spec, _ := s.agent(c)
	ctx, cancel := context.WithTimeout(ctx, s.p.opts.ModelTimeout)
	defer cancel()
	defer context.AfterFunc(s.ctx, cancel)() // a stopped simulation stops waiting for the model
	resp, err := model.Complete(ctx, llm.Request{
		System:   placeholders.Render(spec.Prompt, c.rec.Variables),
		Messages: messages(c.rec.turns()),
	})
	if text := strings.TrimSpace(resp.Text); err == nil && text != "" {
		return text
	}
	return FixedReply
}

// messages is the transcript as a conversation with the model, which plays the agent.
func messages(turns []voice.Utterance) []llm.Message {
	out := make([]llm.Message, 0, len(turns))
	for _, u := range turns {
		role := llm.RoleUser
		if u.Role == voice.RoleAgent {
			role = llm.RoleAssistant
		}
		out = append(out, llm.Message{Role: role, Content: u.Content})
	}
	return out
}
