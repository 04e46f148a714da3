package anthropictest

import (
	"net/http"
	"time"

	"github.com/openteli/teli/internal/llm/internal/llmfake"
)

// Reply scripts the answer to one request.
type Reply struct {
	// Text is the assistant's text block; none when empty.
	Text string
	// ToolUses are tool_use blocks after the text.
	ToolUses []ToolUse
	// StopReason defaults to "tool_use" when there are ToolUses, else "end_turn".
	StopReason string
	// Usage defaults to a deterministic estimate.
	Usage *Usage
	// Delay is added to Options.Latency before answering.
	Delay time.Duration
	// Error, when set, is the answer instead of a message.
	Error *Fault
	// StreamError, for a streamed request, ends the stream after the content blocks with an
	// "event: error" carrying its Body; a non-streamed request gets it as an error answer.
	StreamError *Fault
}

// ToolUse is a tool_use block.
type ToolUse struct {
	// ID defaults to "toolu_" plus a sequence number.
	ID   string
	Name string
	// Input is the input object; {} when empty. In a stream it is sent verbatim as
	// input_json_delta fragments, so it may be invalid JSON to test clients; a non-streamed
	// answer needs valid JSON.
	Input string
}

// Usage is token accounting in a Reply.
type Usage struct {
	InputTokens, OutputTokens int
}

// Fault is an error answer: a status, headers and a raw body. Add headers (retry-after,
// x-should-retry …) with With; Ptr gives the pointer Reply.Error takes.
type Fault = llmfake.Fault

// APIError is Anthropic's error envelope:
// {"type":"error","error":{"type":…,"message":…},"request_id":…}.
func APIError(status int, typ, message string) Fault {
	return Fault{Status: status, Body: llmfake.MustJSON(map[string]any{"type": "error",
		"error": map[string]any{"type": typ, "message": message}, "request_id": "req_anthropictest"})}
}

// InvalidRequest is a 400 invalid_request_error.
func InvalidRequest(message string) Fault {
	return APIError(http.StatusBadRequest, "invalid_request_error", message)
}

// RateLimited is a 429 rate_limit_error, with a retry-after header (seconds) when retryAfter
// is not empty.
func RateLimited(retryAfter string) Fault {
	f := APIError(http.StatusTooManyRequests, "rate_limit_error",
		"This request would exceed the rate limit for your organization. Please try again later.")
	if retryAfter != "" {
		f = f.With("Retry-After", retryAfter)
	}
	return f
}

// Overloaded is the 529 overloaded_error Anthropic sends under heavy load.
func Overloaded() Fault {
	return APIError(529, "overloaded_error", "Overloaded")
}

// ServerError is a 500 api_error.
func ServerError() Fault {
	return APIError(http.StatusInternalServerError, "api_error", "Internal server error")
}

// DefaultReply answers "OK", or, when tool_choice forces a tool, calls it with input {}.
func DefaultReply(req *MessagesRequest) Reply {
	if tc := req.ToolChoice; tc != nil && tc.Type == "tool" {
		return Reply{ToolUses: []ToolUse{{Name: tc.Name}}}
	}
	return Reply{Text: "OK"}
}
