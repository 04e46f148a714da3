package anthropictest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/openteli/teli/internal/llm/internal/llmfake"
)

// MessagesRequest is a Messages API request body as the fake decodes it.
type MessagesRequest struct {
	Model     string `json:"model"`
	MaxTokens *int   `json:"max_tokens"`
	// System is a string or an array of text blocks; see SystemText.
	System      json.RawMessage `json:"system"`
	Messages    []Message       `json:"messages"`
	Tools       []Tool          `json:"tools"`
	ToolChoice  *ToolChoice     `json:"tool_choice"`
	Temperature *float64        `json:"temperature"`
	Stream      bool            `json:"stream"`

	messagesSet bool
}

// SystemText returns the system prompt: the string, or the text blocks joined.
func (r *MessagesRequest) SystemText() string {
	return textOf(r.System)
}

// Message is one element of "messages".
type Message struct {
	Role string `json:"role"`
	// Content is a string or an array of blocks; see Blocks.
	Content json.RawMessage `json:"content"`
}

// Blocks returns the content as blocks (a string is one text block).
func (m Message) Blocks() ([]Block, error) {
	var s string
	if err := json.Unmarshal(m.Content, &s); err == nil {
		return []Block{{Type: "text", Text: s}}, nil
	}
	var blocks []Block
	if err := json.Unmarshal(m.Content, &blocks); err != nil {
		return nil, err
	}
	return blocks, nil
}

// Text returns the message's text blocks joined.
func (m Message) Text() string { return textOf(m.Content) }

// Block is a content block of a request message.
type Block struct {
	Type string `json:"type"`
	Text string `json:"text"`
	// tool_use
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
	// tool_result
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
	IsError   bool            `json:"is_error"`
}

// Tool is one element of "tools".
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	InputSchema json.RawMessage `json:"input_schema"`
}

// ToolChoice is "tool_choice".
type ToolChoice struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

func textOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []Block
	_ = json.Unmarshal(raw, &blocks)
	var b strings.Builder
	for _, bl := range blocks {
		if bl.Type == "text" {
			b.WriteString(bl.Text)
		}
	}
	return b.String()
}

var knownParams = map[string]bool{
	"model": true, "messages": true, "max_tokens": true, "system": true, "metadata": true,
	"stop_sequences": true, "stream": true, "temperature": true, "top_p": true, "top_k": true,
	"tools": true, "tool_choice": true, "thinking": true, "service_tier": true, "container": true,
	"mcp_servers": true, "context_management": true,
}

var toolName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,128}$`)

func invalid(format string, args ...any) *Fault {
	return InvalidRequest(fmt.Sprintf(format, args...)).Ptr()
}

func decodeRequest(body []byte) (*MessagesRequest, *Fault) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, invalid("There was an issue with your request body: the request body is not valid JSON.")
	}
	if unknown := llmfake.Unknown(top, knownParams); len(unknown) > 0 {
		return nil, invalid("%s: Extra inputs are not permitted", unknown[0])
	}
	var req MessagesRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, invalid("There was an issue with your request body: %v", err)
	}
	_, req.messagesSet = top["messages"]
	return &req, nil
}

// validate applies the API's checks; the first failure is returned as its error answer.
func (r *MessagesRequest) validate(models []string) *Fault {
	switch {
	case r.Model == "":
		return invalid("model: Field required")
	case r.MaxTokens == nil:
		return invalid("max_tokens: Field required")
	case *r.MaxTokens < 1:
		return invalid("max_tokens: Input should be greater than or equal to 1")
	case !r.messagesSet || r.Messages == nil:
		return invalid("messages: Field required")
	case len(r.Messages) == 0:
		return invalid("messages: at least one message is required")
	case len(models) > 0 && !slices.Contains(models, r.Model):
		return APIError(http.StatusNotFound, "not_found_error", "model: "+r.Model).Ptr()
	case r.Temperature != nil && *r.Temperature > 1:
		return invalid("temperature: Input should be less than or equal to 1")
	case r.Temperature != nil && *r.Temperature < 0:
		return invalid("temperature: Input should be greater than or equal to 0")
	}
	if f := r.validateMessages(); f != nil {
		return f
	}
	return r.validateTools()
}

func (r *MessagesRequest) validateMessages() *Fault {
	var pending []string // tool_use ids of the previous assistant message
	for i, m := range r.Messages {
		switch m.Role {
		case "user", "assistant":
		case "system":
			return invalid(`messages: Unexpected role "system". The Messages API accepts a top-level ` + "`system`" + ` parameter, not "system" as an input message role.`)
		default:
			return invalid("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		blocks, err := m.Blocks()
		if err != nil {
			return invalid("messages.%d.content: Input should be a valid string or a valid list", i)
		}
		if len(blocks) == 0 || (len(blocks) == 1 && blocks[0].Type == "text" && blocks[0].Text == "") {
			if i == len(r.Messages)-1 && m.Role == "assistant" {
				continue
			}
			return invalid("messages.%d: all messages must have non-empty content except for the optional final assistant message", i)
		}
		answered := map[string]bool{}
		var uses []string
		for j, b := range blocks {
			switch {
			case b.Type == "text":
				if b.Text == "" {
					return invalid("messages: text content blocks must be non-empty")
				}
			case b.Type == "tool_use" && m.Role == "assistant":
				if b.ID == "" || b.Name == "" || len(b.Input) == 0 {
					return invalid("messages.%d.content.%d.tool_use: id, name and input are required", i, j)
				}
				uses = append(uses, b.ID)
			case b.Type == "tool_result" && m.Role == "user":
				if !slices.Contains(pending, b.ToolUseID) {
					return invalid("messages.%d.content.%d: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, j, b.ToolUseID)
				}
				answered[b.ToolUseID] = true
			case b.Type == "image" || b.Type == "document":
			default:
				return invalid("messages.%d.content.%d.type: Input tag '%s' found using 'type' does not match any of the expected tags", i, j, b.Type)
			}
		}
		if missing := unanswered(pending, answered); len(missing) > 0 {
			return invalid("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", i-1, strings.Join(missing, ", "))
		}
		pending = uses
	}
	return nil
}

func unanswered(pending []string, answered map[string]bool) []string {
	var out []string
	for _, id := range pending {
		if !answered[id] {
			out = append(out, id)
		}
	}
	return out
}

func (r *MessagesRequest) validateTools() *Fault {
	names := map[string]bool{}
	for i, t := range r.Tools {
		if !toolName.MatchString(t.Name) {
			return invalid("tools.%d.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'", i)
		}
		if len(t.InputSchema) == 0 {
			return invalid("tools.%d.custom.input_schema: Field required", i)
		}
		var schema struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(t.InputSchema, &schema) != nil || schema.Type != "object" {
			return invalid("tools.%d.custom.input_schema.type: Input should be 'object'", i)
		}
		if names[t.Name] {
			return invalid("tools: Tool names must be unique.")
		}
		names[t.Name] = true
	}
	tc := r.ToolChoice
	if tc == nil {
		return nil
	}
	switch tc.Type {
	case "auto", "any", "none":
	case "tool":
		if tc.Name == "" {
			return invalid("tool_choice.tool.name: Field required")
		}
		if !names[tc.Name] {
			return invalid("tool_choice: Tool '%s' not found in tools", tc.Name)
		}
	default:
		return invalid("tool_choice: Input tag '%s' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'", tc.Type)
	}
	if len(r.Tools) == 0 && tc.Type != "none" {
		return invalid("tool_choice: tool_choice may only be specified while providing tools")
	}
	return nil
}
