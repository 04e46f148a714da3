package anthropic

import (
	"encoding/json"
	"strings"

	"github.com/openteli/teli/internal/llm"
)

// messagesRequest is the body of POST /v1/messages.
type messagesRequest struct {
	Model       string      `json:"model"`
	MaxTokens   int         `json:"max_tokens"`
	System      string      `json:"system,omitempty"`
	Messages    []message   `json:"messages"`
	Tools       []tool      `json:"tools,omitempty"`
	ToolChoice  *toolChoice `json:"tool_choice,omitempty"`
	Temperature *float64    `json:"temperature,omitempty"`
	Stream      bool        `json:"stream,omitempty"`
}

// message is one turn; Content is a string (a lone text block) or []block.
type message struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
	blocks  []block
}

type block struct {
	Type string `json:"type"`
	// text
	Text string `json:"text,omitempty"`
	// tool_use
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result
	ToolUseID string `json:"tool_use_id,omitempty"`
	Content   string `json:"content,omitempty"`
}

type tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type toolChoice struct {
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

var noParameters = json.RawMessage(`{"type":"object","properties":{}}`)

// wireRequest maps a validated llm.Request to the wire. Temperatures above 1 (valid for
// OpenAI) are capped at Anthropic's maximum of 1.
func (c *Client) wireRequest(req llm.Request) messagesRequest {
	w := messagesRequest{Model: c.cfg.Model, MaxTokens: req.MaxTokens, System: req.System,
		Stream: c.cfg.Stream, Temperature: req.Temperature}
	if w.MaxTokens == 0 {
		w.MaxTokens = c.cfg.MaxTokens
	}
	if t := req.Temperature; t != nil && *t > 1 {
		w.Temperature = new(1.0)
	}
	w.Messages = wireMessages(req.Messages)
	for _, t := range req.Tools {
		params := t.Parameters
		if len(params) == 0 {
			params = noParameters
		}
		w.Tools = append(w.Tools, tool{Name: t.Name, Description: t.Description, InputSchema: params})
	}
	if s := req.Schema; s != nil {
		desc := s.Description
		if desc == "" {
			desc = "Record the answer in the required structure."
		}
		w.Tools = append(w.Tools, tool{Name: s.Name, Description: desc, InputSchema: s.JSON})
		w.ToolChoice = &toolChoice{Type: "tool", Name: s.Name}
	}
	return w
}

// wireMessages converts the history: assistant tool calls become tool_use blocks, tool results
// become tool_result blocks in a user turn, and consecutive turns of one role are merged (the
// API wants all results of one assistant turn in the next user turn).
func wireMessages(msgs []llm.Message) []message {
	var out []message
	for _, m := range msgs {
		role, blocks := "user", []block(nil)
		switch m.Role {
		case llm.RoleUser:
			blocks = []block{{Type: "text", Text: m.Content}}
		case llm.RoleAssistant:
			role = "assistant"
			if m.Content != "" {
				blocks = append(blocks, block{Type: "text", Text: m.Content})
			}
			for _, tc := range m.ToolCalls {
				input := tc.Arguments
				if len(input) == 0 {
					input = json.RawMessage(`{}`)
				}
				blocks = append(blocks, block{Type: "tool_use", ID: tc.ID, Name: tc.Name, Input: input})
			}
		case llm.RoleTool:
			blocks = []block{{Type: "tool_result", ToolUseID: m.ToolCallID, Content: m.Content}}
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].blocks = append(out[n-1].blocks, blocks...)
			continue
		}
		out = append(out, message{Role: role, blocks: blocks})
	}
	for i := range out {
		if b := out[i].blocks; len(b) == 1 && b[0].Type == "text" {
			out[i].Content = b[0].Text
		} else {
			out[i].Content = b
		}
	}
	return out
}

// messageResponse is a non-streaming answer.
type messageResponse struct {
	Type       string      `json:"type"`
	Model      string      `json:"model"`
	Content    []respBlock `json:"content"`
	StopReason *string     `json:"stop_reason"`
	Usage      usage       `json:"usage"`
}

type respBlock struct {
	Type  string          `json:"type"`
	Text  string          `json:"text"`
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type usage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

func (m *messageResponse) response() llm.Response {
	resp := llm.Response{Model: m.Model, StopReason: stopReason(deref(m.StopReason)),
		Usage: llm.Usage{InputTokens: m.Usage.InputTokens, OutputTokens: m.Usage.OutputTokens}}
	var text strings.Builder
	for _, b := range m.Content {
		switch b.Type {
		case "text":
			text.WriteString(b.Text)
		case "tool_use":
			resp.ToolCalls = append(resp.ToolCalls, llm.ToolCall{ID: b.ID, Name: b.Name, Arguments: b.Input})
		}
	}
	resp.Text = text.String()
	return resp
}

func stopReason(s string) llm.StopReason {
	switch s {
	case "end_turn", "stop_sequence":
		return llm.StopEnd
	case "max_tokens", "model_context_window_exceeded":
		return llm.StopMaxTokens
	case "tool_use":
		return llm.StopToolUse
	case "refusal":
		return llm.StopRefusal
	}
	return llm.StopReason(s)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// errorBody is {"type":"error","error":{"type":…,"message":…},"request_id":…}.
type errorBody struct {
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

func parseError(e *llm.Error, body []byte) {
	var b errorBody
	if json.Unmarshal(body, &b) != nil {
		return
	}
	e.Type, e.Message = b.Error.Type, b.Error.Message
}

// retryableType says whether an error event inside a stream (no HTTP status) is worth retrying.
func retryableType(t string) bool {
	switch t {
	case "overloaded_error", "api_error", "rate_limit_error", "timeout_error":
		return true
	}
	return false
}
