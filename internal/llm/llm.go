// Package llm is the boundary between Teli and language models. The conversation engine (agent
// replies to SMS threads, extraction of lead fields) talks to a Provider and never to a vendor
// API. Adapters live in subpackages: openai (any OpenAI-compatible chat-completions server:
// OpenAI, Ollama, vLLM, llama.cpp, LM Studio) and anthropic (the Messages API). Each adapter has
// an in-process fake speaking the vendor's wire protocol (openai/openaitest,
// anthropic/anthropictest), and llmenv builds the configured provider from TELI_LLM_* variables.
//
// A failed call returns one of three kinds of error:
//
//   - *Error: the provider refused or could not be reached; Error.Retryable says whether the
//     same call may succeed later (adapters have already retried it a few times);
//   - ErrInvalidRequest (wrapped): the Request itself is malformed, a bug in the caller;
//   - ErrInvalidOutput (wrapped): the call succeeded but the model's output is unusable (tool
//     arguments that are not JSON, no JSON object where a Schema asked for one). The Response is
//     returned alongside this error, so the caller can log it or ask again.
package llm

import (
	"context"
	"encoding/json"
)

// Provider is a language model behind some API. Implementations are safe for concurrent use.
type Provider interface {
	// Complete sends one request and waits for the whole answer. Transient failures (rate
	// limits, overload, 5xx, timeouts, dropped connections) are retried inside, within the
	// adapter's retry policy and ctx's deadline.
	Complete(ctx context.Context, req Request) (Response, error)
}

// Role says who wrote a Message.
type Role string

// Roles of conversation messages. The system prompt is not a message: see Request.System.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	// RoleTool carries the result of a tool call back to the model (Message.ToolCallID says
	// which call).
	RoleTool Role = "tool"
)

// Message is one turn of the conversation.
type Message struct {
	Role Role
	// Content is the text. A RoleAssistant message may leave it empty when it has ToolCalls.
	Content string
	// ToolCalls are the calls an assistant turn made (echoing an earlier Response back into the
	// history); only for RoleAssistant.
	ToolCalls []ToolCall
	// ToolCallID is the ToolCall.ID a RoleTool message answers.
	ToolCallID string
}

// Tool is a function the model may call instead of (or besides) answering in text.
type Tool struct {
	// Name matches ^[a-zA-Z0-9_-]{1,64}$ (the strictest provider's rule).
	Name        string
	Description string
	// Parameters is the JSON schema of the arguments object; nil means no arguments.
	Parameters json.RawMessage
}

// Schema asks for structured output: the answer is a JSON value matching the schema, returned
// in Response.JSON. OpenAI-compatible servers get response_format json_schema; Anthropic gets a
// forced tool call whose input is the value.
type Schema struct {
	// Name matches ^[a-zA-Z0-9_-]{1,64}$ ("lead_fields").
	Name        string
	Description string
	// JSON is the JSON schema, normally of an object.
	JSON json.RawMessage
	// Strict asks servers that support it (OpenAI) to enforce the schema exactly; OpenAI then
	// requires every property to be listed in "required" and additionalProperties:false.
	Strict bool
}

// Request is one completion request.
type Request struct {
	// System is the system prompt (the agent's persona and instructions); may be empty.
	System string
	// Messages is the conversation so far, oldest first; at least one.
	Messages []Message
	// Tools the model may call; may be empty.
	Tools []Tool
	// Schema, when set, asks for structured output in Response.JSON.
	Schema *Schema
	// MaxTokens caps the length of the answer; 0 means the adapter's default.
	MaxTokens int
	// Temperature is the sampling temperature; nil means the server's default. Go 1.26 lets a
	// caller write Temperature: new(0.2).
	Temperature *float64
}

// Response is the model's answer.
type Response struct {
	// Text is the text of the answer (with Schema on OpenAI-compatible servers, the raw text the
	// JSON was taken from).
	Text string
	// JSON is the structured output when the Request had a Schema: one valid JSON value,
	// compacted. Nil otherwise.
	JSON json.RawMessage
	// ToolCalls are the calls the model asked for, in order.
	ToolCalls []ToolCall
	// StopReason says why the model stopped.
	StopReason StopReason
	// Usage is the token accounting of the successful attempt.
	Usage Usage
	// Model is the model that answered, as the server names it.
	Model string
}

// ToolCall is one call of a Tool requested by the model.
type ToolCall struct {
	// ID identifies the call; a RoleTool message answering it quotes it as ToolCallID.
	ID   string
	Name string
	// Arguments is the arguments object. Adapters check it is valid JSON: when the model
	// produced something else, Complete returns ErrInvalidOutput and Arguments holds the raw
	// text as a JSON string.
	Arguments json.RawMessage
}

// Usage is token accounting.
type Usage struct {
	InputTokens, OutputTokens int
}

// StopReason says why the model stopped generating. Values a provider reports that have no
// equivalent here are passed through as they are.
type StopReason string

// Stop reasons shared by all providers.
const (
	// StopEnd: the model finished its answer (OpenAI "stop", Anthropic "end_turn" or
	// "stop_sequence"; also a forced Schema tool call on Anthropic).
	StopEnd StopReason = "end"
	// StopMaxTokens: the answer was cut at MaxTokens.
	StopMaxTokens StopReason = "max_tokens"
	// StopToolUse: the model wants its ToolCalls executed.
	StopToolUse StopReason = "tool_use"
	// StopContentFilter: the provider withheld (part of) the answer.
	StopContentFilter StopReason = "content_filter"
	// StopRefusal: the model declined to answer; Text holds its explanation.
	StopRefusal StopReason = "refusal"
)
