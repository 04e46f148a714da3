package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
)

// namePattern is the rule OpenAI applies to function and json_schema names; Anthropic's tool
// names follow the same one.
var namePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// Validate checks the request against the rules every provider enforces, so a malformed
// request fails the same way everywhere and before any network call. Errors wrap
// ErrInvalidRequest.
func (r *Request) Validate() error {
	if len(r.Messages) == 0 {
		return invalid("no messages")
	}
	for i, m := range r.Messages {
		if err := m.validate(); err != nil {
			return invalid("messages[%d]: %v", i, err)
		}
	}
	names := make(map[string]bool, len(r.Tools)+1)
	for i, t := range r.Tools {
		if !namePattern.MatchString(t.Name) {
			return invalid("tools[%d]: name %q does not match %s", i, t.Name, namePattern)
		}
		if names[t.Name] {
			return invalid("tools[%d]: duplicate name %q", i, t.Name)
		}
		names[t.Name] = true
		if len(t.Parameters) > 0 && !isJSONObject(t.Parameters) {
			return invalid("tools[%d]: parameters are not a JSON object", i)
		}
	}
	if s := r.Schema; s != nil {
		if !namePattern.MatchString(s.Name) {
			return invalid("schema: name %q does not match %s", s.Name, namePattern)
		}
		if names[s.Name] {
			return invalid("schema: name %q is also a tool name", s.Name)
		}
		if !isJSONObject(s.JSON) {
			return invalid("schema: JSON is not a JSON object")
		}
	}
	if r.MaxTokens < 0 {
		return invalid("max tokens %d is negative", r.MaxTokens)
	}
	if r.Temperature != nil && *r.Temperature < 0 {
		return invalid("temperature %v is negative", *r.Temperature)
	}
	return nil
}

func (m Message) validate() error {
	switch m.Role {
	case RoleUser:
		if m.Content == "" {
			return fmt.Errorf("empty user message")
		}
	case RoleAssistant:
		if m.Content == "" && len(m.ToolCalls) == 0 {
			return fmt.Errorf("assistant message has neither content nor tool calls")
		}
		for j, c := range m.ToolCalls {
			if c.ID == "" || c.Name == "" {
				return fmt.Errorf("tool call %d: ID and Name are required", j)
			}
			if len(c.Arguments) > 0 && !isJSONObject(c.Arguments) {
				return fmt.Errorf("tool call %d: arguments are not a JSON object", j)
			}
		}
	case RoleTool:
		if m.ToolCallID == "" {
			return fmt.Errorf("tool message without ToolCallID")
		}
	default:
		return fmt.Errorf("unknown role %q", m.Role)
	}
	if m.Role != RoleAssistant && len(m.ToolCalls) > 0 {
		return fmt.Errorf("%s message with tool calls", m.Role)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidRequest, fmt.Sprintf(format, args...))
}

// isJSONObject reports whether b is one valid JSON object.
func isJSONObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}
