package openai

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/openteli/teli/internal/llm"
)

// chatRequest is the body of POST /chat/completions (the portable subset).
type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	Tools               []chatTool      `json:"tools,omitempty"`
	ResponseFormat      *responseFormat `json:"response_format,omitempty"`
	Temperature         *float64        `json:"temperature,omitempty"`
	MaxTokens           int             `json:"max_tokens,omitempty"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
	StreamOptions       *streamOptions  `json:"stream_options,omitempty"`
}

type chatMessage struct {
	Role string `json:"role"`
	// Content is null for an assistant turn that only calls tools.
	Content    *string        `json:"content"`
	ToolCalls  []chatToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

type chatToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function functionCall `json:"function"`
}

type functionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type chatTool struct {
	Type     string   `json:"type"`
	Function function `json:"function"`
}

type function struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
}

type responseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *jsonSchema `json:"json_schema,omitempty"`
}

type jsonSchema struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema"`
	Strict      bool            `json:"strict,omitempty"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// noParameters is the schema sent for a tool without parameters.
var noParameters = json.RawMessage(`{"type":"object","properties":{}}`)

// wireRequest maps a validated llm.Request to the wire.
func (c *Client) wireRequest(req llm.Request) chatRequest {
	w := chatRequest{Model: c.cfg.Model, Temperature: req.Temperature}
	if req.System != "" {
		w.Messages = append(w.Messages, chatMessage{Role: "system", Content: &req.System})
	}
	for _, m := range req.Messages {
		w.Messages = append(w.Messages, wireMessage(m))
	}
	for _, t := range req.Tools {
		params := t.Parameters
		if len(params) == 0 {
			params = noParameters
		}
		w.Tools = append(w.Tools, chatTool{Type: "function",
			Function: function{Name: t.Name, Description: t.Description, Parameters: params}})
	}
	if s := req.Schema; s != nil {
		w.ResponseFormat = &responseFormat{Type: "json_schema", JSONSchema: &jsonSchema{
			Name: s.Name, Description: s.Description, Schema: s.JSON, Strict: s.Strict}}
	}
	limit := req.MaxTokens
	if limit == 0 {
		limit = c.cfg.MaxTokens
	}
	if c.tokenField == MaxCompletionTokens {
		w.MaxCompletionTokens = limit
	} else {
		w.MaxTokens = limit
	}
	if c.cfg.Stream {
		w.Stream, w.StreamOptions = true, &streamOptions{IncludeUsage: true}
	}
	return w
}

func wireMessage(m llm.Message) chatMessage {
	w := chatMessage{Role: string(m.Role), ToolCallID: m.ToolCallID}
	if m.Content != "" || m.Role != llm.RoleAssistant {
		w.Content = &m.Content
	}
	for _, tc := range m.ToolCalls {
		args := string(tc.Arguments)
		if args == "" {
			args = "{}"
		}
		w.ToolCalls = append(w.ToolCalls, chatToolCall{ID: tc.ID, Type: "function",
			Function: functionCall{Name: tc.Name, Arguments: args}})
	}
	return w
}

// chatResponse is a non-streaming answer.
type chatResponse struct {
	Model   string       `json:"model"`
	Choices []chatChoice `json:"choices"`
	Usage   *chatUsage   `json:"usage"`
}

type chatChoice struct {
	FinishReason *string     `json:"finish_reason"`
	Message      respMessage `json:"message"`
}

type respMessage struct {
	// Content is a string, null, or (some servers) an array of {"type":"text","text":…} parts.
	Content   json.RawMessage `json:"content"`
	Refusal   *string         `json:"refusal"`
	ToolCalls []respToolCall  `json:"tool_calls"`
}

type respToolCall struct {
	ID       string `json:"id"`
	Function struct {
		Name string `json:"name"`
		// Arguments is a JSON string holding JSON (the standard) or, from some servers, the
		// arguments object itself.
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// response maps the first choice to an llm.Response; tool-call arguments are left as the raw
// text for finish to check.
func (r *chatResponse) response() (llm.Response, error) {
	if len(r.Choices) == 0 {
		return llm.Response{}, fmt.Errorf("no choices in the response")
	}
	ch := r.Choices[0]
	text, err := contentText(ch.Message.Content)
	if err != nil {
		return llm.Response{}, err
	}
	resp := llm.Response{Text: text, Model: r.Model, StopReason: stopReason(deref(ch.FinishReason))}
	if r.Usage != nil {
		resp.Usage = llm.Usage{InputTokens: r.Usage.PromptTokens, OutputTokens: r.Usage.CompletionTokens}
	}
	for i, tc := range ch.Message.ToolCalls {
		resp.ToolCalls = append(resp.ToolCalls, llm.ToolCall{ID: callID(tc.ID, i),
			Name: tc.Function.Name, Arguments: rawArguments(tc.Function.Arguments)})
	}
	if ref := deref(ch.Message.Refusal); ref != "" {
		resp.Text, resp.StopReason = ref, llm.StopRefusal
	}
	return resp, nil
}

// contentText reads message content: a string, null, or an array of text parts.
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("message content is neither a string nor an array of parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" || p.Type == "" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}

// rawArguments returns the argument text: the contents of a JSON string, or the raw value when
// a server sent the object itself.
func rawArguments(raw json.RawMessage) json.RawMessage {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return json.RawMessage(s)
	}
	if string(raw) == "null" {
		return nil
	}
	return raw
}

func callID(id string, i int) string {
	if id != "" {
		return id
	}
	return "call_" + strconv.Itoa(i)
}

// stopReason maps finish_reason; "" (a null finish_reason) stays empty.
func stopReason(finish string) llm.StopReason {
	switch finish {
	case "stop":
		return llm.StopEnd
	case "length":
		return llm.StopMaxTokens
	case "tool_calls", "function_call":
		return llm.StopToolUse
	case "content_filter":
		return llm.StopContentFilter
	}
	return llm.StopReason(finish)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// errorDetail is the inner object of {"error":{…}}, or vLLM's flat {"object":"error",…}.
type errorDetail struct {
	Message string `json:"message"`
	Type    string `json:"type"`
	// Code is a string (OpenAI), an integer (llama.cpp, vLLM) or null.
	Code any `json:"code"`
}

// errorEnvelope holds both shapes at once: Error for {"error":…}, the rest for the flat form.
type errorEnvelope struct {
	Error  json.RawMessage `json:"error"`
	Object string          `json:"object"`
	errorDetail
}

// parseError completes e from an error body of any compatible server.
func parseError(e *llm.Error, body []byte) {
	d, ok := decodeError(body)
	if !ok {
		return
	}
	e.Message, e.Type, e.Code = d.Message, d.Type, codeString(d.Code)
	if e.Type == "insufficient_quota" || e.Code == "insufficient_quota" {
		e.Retryable = false
	}
}

// decodeError finds the error detail in a body: {"error":{…}}, {"error":"text"} (Ollama's
// native API), or the flat {"object":"error","message":…}.
func decodeError(body []byte) (errorDetail, bool) {
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return errorDetail{}, false
	}
	switch {
	case len(env.Error) > 0 && env.Error[0] == '{':
		var d errorDetail
		if err := json.Unmarshal(env.Error, &d); err != nil {
			return errorDetail{}, false
		}
		return d, true
	case len(env.Error) > 0 && env.Error[0] == '"':
		var msg string
		_ = json.Unmarshal(env.Error, &msg)
		return errorDetail{Message: msg}, true
	case env.Object == "error" || env.Message != "":
		return env.errorDetail, true
	}
	return errorDetail{}, false
}

func codeString(code any) string {
	switch v := code.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}
