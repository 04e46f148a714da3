package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/openteli/teli/internal/llm/internal/llmfake"
)

// ChatRequest is a chat-completions request body as the fake decodes it.
type ChatRequest struct {
	Model               string          `json:"model"`
	Messages            []Message       `json:"messages"`
	Tools               []Tool          `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ResponseFormat      *ResponseFormat `json:"response_format"`
	Temperature         *float64        `json:"temperature"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Stream              bool            `json:"stream"`
	StreamOptions       *StreamOptions  `json:"stream_options"`

	messagesSet bool
}

// Message is one element of "messages".
type Message struct {
	Role string `json:"role"`
	// Content is a JSON string, null, or an array of content parts; see Text.
	Content    json.RawMessage `json:"content"`
	ToolCalls  []ToolCall      `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
	Name       string          `json:"name"`
}

// Text returns the message's text: the content string, or its text parts joined.
func (m Message) Text() string {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return s
	}
	var parts []struct {
		Type, Text string
	}
	_ = json.Unmarshal(m.Content, &parts)
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}

func (m Message) hasContent() bool {
	c := strings.TrimSpace(string(m.Content))
	return c != "" && c != "null"
}

// ToolCall is an assistant message's function call, as sent back in the history.
type ToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// Tool is one element of "tools".
type Tool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      *bool           `json:"strict"`
	} `json:"function"`
}

// ResponseFormat is "response_format".
type ResponseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Schema      json.RawMessage `json:"schema"`
		Strict      *bool           `json:"strict"`
	} `json:"json_schema"`
}

// StreamOptions is "stream_options".
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// knownParams are the chat-completions parameters OpenAI accepts; any other top-level key is
// refused with "Unrecognized request argument supplied".
var knownParams = map[string]bool{
	"model": true, "messages": true, "tools": true, "tool_choice": true, "parallel_tool_calls": true,
	"response_format": true, "temperature": true, "top_p": true, "max_tokens": true,
	"max_completion_tokens": true, "stream": true, "stream_options": true, "stop": true, "seed": true,
	"n": true, "user": true, "presence_penalty": true, "frequency_penalty": true, "logprobs": true,
	"top_logprobs": true, "logit_bias": true, "metadata": true, "store": true, "reasoning_effort": true,
	"service_tier": true, "modalities": true, "audio": true, "prediction": true,
	"web_search_options": true, "functions": true, "function_call": true, "verbosity": true,
	"prompt_cache_key": true, "safety_identifier": true,
}

var namePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// decodeChatRequest parses a body, refusing malformed JSON and unknown parameters as OpenAI does.
func decodeChatRequest(body []byte) (*ChatRequest, *Fault) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		f := apiError(http.StatusBadRequest, "invalid_request_error", "",
			"We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")
		return nil, &f
	}
	if unknown := llmfake.Unknown(top, knownParams); len(unknown) > 0 {
		f := apiError(http.StatusBadRequest, "invalid_request_error", "",
			"Unrecognized request argument supplied: "+strings.Join(unknown, ", "))
		return nil, &f
	}
	var req ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		f := apiError(http.StatusBadRequest, "invalid_request_error", "", "Invalid request: "+err.Error())
		return nil, &f
	}
	_, req.messagesSet = top["messages"]
	return &req, nil
}

// validate applies OpenAI's checks; the first failure is returned as its error answer.
func (r *ChatRequest) validate(models []string) *Fault {
	bad := func(code, param, format string, args ...any) *Fault {
		f := paramError(http.StatusBadRequest, "invalid_request_error", code, param, fmt.Sprintf(format, args...))
		return &f
	}
	switch {
	case r.Model == "":
		return bad("", "", "you must provide a model parameter")
	case len(models) > 0 && !slices.Contains(models, r.Model):
		f := apiError(http.StatusNotFound, "invalid_request_error", "model_not_found",
			fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", r.Model))
		return &f
	case !r.messagesSet || r.Messages == nil:
		return bad("missing_required_parameter", "messages", "Missing required parameter: 'messages'.")
	case len(r.Messages) == 0:
		return bad("empty_array", "messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	case r.StreamOptions != nil && !r.Stream:
		return bad("", "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	case r.Temperature != nil && (*r.Temperature < 0 || *r.Temperature > 2):
		return bad("decimal_above_max_value", "temperature", "Invalid 'temperature': decimal out of range. Expected a value between 0 and 2, but got %v instead.", *r.Temperature)
	case r.MaxTokens != nil && *r.MaxTokens < 1:
		return bad("integer_below_min_value", "max_tokens", "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got %d instead.", *r.MaxTokens)
	case r.MaxCompletionTokens != nil && *r.MaxCompletionTokens < 1:
		return bad("integer_below_min_value", "max_completion_tokens", "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got %d instead.", *r.MaxCompletionTokens)
	}
	if f := r.validateMessages(bad); f != nil {
		return f
	}
	for i, t := range r.Tools {
		if t.Type != "function" {
			return bad("invalid_value", fmt.Sprintf("tools[%d].type", i), "Invalid value: '%s'. Supported values are: 'function'.", t.Type)
		}
		if !namePattern.MatchString(t.Function.Name) {
			return bad("invalid_value", fmt.Sprintf("tools[%d].function.name", i), "Invalid 'tools[%d].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", i)
		}
	}
	return r.validateResponseFormat(bad)
}

type badFunc func(code, param, format string, args ...any) *Fault

func (r *ChatRequest) validateMessages(bad badFunc) *Fault {
	pending := map[string]int{} // tool_call_id → index of the assistant message that made it
	for i, m := range r.Messages {
		if m.Role != "tool" && len(pending) > 0 {
			return unanswered(bad, pending)
		}
		switch m.Role {
		case "system", "developer", "user":
			if !m.hasContent() {
				return bad("", fmt.Sprintf("messages.[%d].content", i), "Invalid value for 'content': expected a string, got null.")
			}
		case "assistant":
			if !m.hasContent() && len(m.ToolCalls) == 0 {
				return bad("", fmt.Sprintf("messages.[%d].content", i), "Invalid value for 'content': expected a string, got null.")
			}
			for _, tc := range m.ToolCalls {
				pending[tc.ID] = i
			}
		case "tool":
			if m.ToolCallID == "" {
				return bad("", fmt.Sprintf("messages.[%d].tool_call_id", i), "Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.")
			}
			if _, ok := pending[m.ToolCallID]; !ok {
				return bad("", fmt.Sprintf("messages.[%d].role", i), "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
			}
			delete(pending, m.ToolCallID)
		case "function":
		default:
			return bad("invalid_value", fmt.Sprintf("messages[%d].role", i), "Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", m.Role)
		}
	}
	if len(pending) > 0 {
		return unanswered(bad, pending)
	}
	return nil
}

func unanswered(bad badFunc, pending map[string]int) *Fault {
	ids := make([]string, 0, len(pending))
	at := 0
	for id, i := range pending {
		ids = append(ids, id)
		at = i
	}
	sort.Strings(ids)
	return bad("", fmt.Sprintf("messages.[%d].role", at), "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s", strings.Join(ids, ", "))
}

func (r *ChatRequest) validateResponseFormat(bad badFunc) *Fault {
	rf := r.ResponseFormat
	if rf == nil {
		return nil
	}
	switch rf.Type {
	case "text":
	case "json_object":
		for _, m := range r.Messages {
			if strings.Contains(strings.ToLower(m.Text()), "json") {
				return nil
			}
		}
		return bad("", "messages", "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.")
	case "json_schema":
		js := rf.JSONSchema
		switch {
		case js == nil:
			return bad("missing_required_parameter", "response_format.json_schema", "Missing required parameter: 'response_format.json_schema'.")
		case js.Name == "":
			return bad("missing_required_parameter", "response_format.json_schema.name", "Missing required parameter: 'response_format.json_schema.name'.")
		case !namePattern.MatchString(js.Name):
			return bad("invalid_value", "response_format.json_schema.name", "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.")
		}
		if js.Strict != nil && *js.Strict {
			var schema map[string]any
			if err := json.Unmarshal(js.Schema, &schema); err != nil {
				return bad("", "response_format", "Invalid schema for response_format '%s': schema must be a JSON object.", js.Name)
			}
			if where, msg := strictProblem(schema, nil); msg != "" {
				return bad("invalid_json_schema", "response_format", "Invalid schema for response_format '%s': In context=%s, %s", js.Name, where, msg)
			}
		}
	default:
		return bad("invalid_value", "response_format.type", "Invalid value: '%s'. Supported values are: 'json_object', 'json_schema', and 'text'.", rf.Type)
	}
	return nil
}

// strictProblem checks the rules of OpenAI's strict mode on every object in a schema: each
// must set additionalProperties:false and list all its properties in required. It returns ""
// when the schema complies, else where (OpenAI's "context", a path of keys) and what is wrong.
func strictProblem(schema map[string]any, path []string) (where, msg string) {
	props, hasProps := schema["properties"].(map[string]any)
	if hasProps || schema["type"] == "object" {
		if ap, ok := schema["additionalProperties"].(bool); !ok || ap {
			return context(path), "'additionalProperties' is required to be supplied and to be false."
		}
		required := map[string]bool{}
		if list, ok := schema["required"].([]any); ok {
			for _, v := range list {
				if s, ok := v.(string); ok {
					required[s] = true
				}
			}
		}
		names := make([]string, 0, len(props))
		for name := range props {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if !required[name] {
				return context(path), fmt.Sprintf("'required' is required to be supplied and to be an array including every key in properties. Missing '%s'.", name)
			}
			if sub, ok := props[name].(map[string]any); ok {
				if where, msg := strictProblem(sub, append(slices.Clone(path), "properties", name)); msg != "" {
					return where, msg
				}
			}
		}
	}
	if items, ok := schema["items"].(map[string]any); ok {
		return strictProblem(items, append(slices.Clone(path), "items"))
	}
	return "", ""
}

// context formats a schema path as OpenAI does: () or ('properties', 'name').
func context(path []string) string {
	quoted := make([]string, len(path))
	for i, p := range path {
		quoted[i] = "'" + p + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}
