package openaitest

import (
	"net/http"
	"strconv"
	"time"

	"github.com/openteli/teli/internal/llm/internal/llmfake"
)

// Reply scripts the answer to one request.
type Reply struct {
	// Content is the assistant's text.
	Content string
	// ToolCalls are the function calls the assistant makes.
	ToolCalls []ToolCallReply
	// Refusal, when set, is sent as message.refusal (OpenAI's structured-output refusal).
	Refusal string
	// FinishReason defaults to "tool_calls" when there are ToolCalls, else "stop".
	FinishReason string
	// Usage defaults to a deterministic estimate from the text lengths.
	Usage *Usage
	// Delay is added to Options.Latency before answering.
	Delay time.Duration
	// Error, when set, is the answer instead of a completion.
	Error *Fault
	// StreamError, for a streamed request, ends the stream with this error event (its Body as
	// the data line) after the content, with neither a finish_reason nor [DONE]. A
	// non-streamed request gets it as an error answer.
	StreamError *Fault
}

// ToolCallReply is one function call in a Reply.
type ToolCallReply struct {
	// ID defaults to "call_" plus a sequence number.
	ID   string
	Name string
	// Arguments is sent verbatim as the JSON-encoded string OpenAI uses; it need not be valid
	// JSON, to test clients against models that produce broken arguments.
	Arguments string
}

// Usage is token accounting in a Reply.
type Usage struct {
	PromptTokens, CompletionTokens int
}

// Fault is an error answer: a status, headers and a raw body. Add headers (Retry-After,
// Retry-After-Ms, x-should-retry …) with With; Ptr gives the pointer Reply.Error takes.
type Fault = llmfake.Fault

// apiError is OpenAI's error body: {"error":{"message","type","param":null,"code"}}, code null
// when empty.
func apiError(status int, typ, code, message string) Fault {
	return paramError(status, typ, code, "", message)
}

func paramError(status int, typ, code, param, message string) Fault {
	detail := map[string]any{"message": message, "type": typ, "param": nil, "code": nil}
	if code != "" {
		detail["code"] = code
	}
	if param != "" {
		detail["param"] = param
	}
	return Fault{Status: status, Body: llmfake.MustJSON(map[string]any{"error": detail})}
}

// OpenAIError is an error in OpenAI's shape (also Ollama's /v1): {"error":{"message":…,
// "type":…,"param":null,"code":…|null}}; an empty code is sent as null.
func OpenAIError(status int, typ, code, message string) Fault {
	return apiError(status, typ, code, message)
}

// LlamaCppError is an error in llama-server's shape, whose code is the integer status:
// {"error":{"code":400,"message":…,"type":"invalid_request_error"}}.
func LlamaCppError(status int, message string) Fault {
	typ := "invalid_request_error"
	switch {
	case status == http.StatusUnauthorized:
		typ = "authentication_error"
	case status == http.StatusNotFound:
		typ = "not_found_error"
	case status == http.StatusServiceUnavailable:
		typ = "unavailable_error"
	case status >= 500:
		typ = "server_error"
	}
	return Fault{Status: status, Body: llmfake.MustJSON(map[string]any{"error": map[string]any{
		"code": status, "message": message, "type": typ}})}
}

// VLLMError is an error in older vLLM's flat shape:
// {"object":"error","message":…,"type":"BadRequestError","param":null,"code":400}.
func VLLMError(status int, message string) Fault {
	typ := "BadRequestError"
	switch {
	case status == http.StatusNotFound:
		typ = "NotFoundError"
	case status >= 500:
		typ = "InternalServerError"
	}
	return Fault{Status: status, Body: llmfake.MustJSON(map[string]any{"object": "error",
		"message": message, "type": typ, "param": nil, "code": status})}
}

// RateLimited is OpenAI's 429 rate_limit_exceeded, with a Retry-After header when retryAfter
// is not empty (seconds, or an HTTP date). Add Retry-After-Ms with Fault.With.
func RateLimited(retryAfter string) Fault {
	f := apiError(http.StatusTooManyRequests, "requests", "rate_limit_exceeded",
		"Rate limit reached for requests. Please try again shortly.")
	if retryAfter != "" {
		f = f.With("Retry-After", retryAfter)
	}
	return f
}

// RateLimitedAfter is RateLimited with Retry-After-Ms set to d, the header OpenAI sends for
// sub-second waits.
func RateLimitedAfter(d time.Duration) Fault {
	return RateLimited("").With("Retry-After-Ms", strconv.FormatInt(d.Milliseconds(), 10))
}

// InsufficientQuota is OpenAI's 429 for an account out of credit, which retrying cannot fix.
func InsufficientQuota() Fault {
	return apiError(http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota",
		"You exceeded your current quota, please check your plan and billing details.")
}

// ServerError is OpenAI's 500.
func ServerError() Fault {
	return apiError(http.StatusInternalServerError, "server_error", "",
		"The server had an error while processing your request. Sorry about that!")
}

// Unavailable is a 503 as llama-server sends while its model is loading.
func Unavailable() Fault {
	return LlamaCppError(http.StatusServiceUnavailable, "Loading model")
}

// DefaultReply answers "OK", or "{}" when the request asks for json_schema or json_object
// output.
func DefaultReply(req *ChatRequest) Reply {
	if rf := req.ResponseFormat; rf != nil && (rf.Type == "json_schema" || rf.Type == "json_object") {
		return Reply{Content: "{}"}
	}
	return Reply{Content: "OK"}
}
