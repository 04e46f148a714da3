package openaitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/openteli/teli/internal/llm/internal/llmfake"
)

type completionBody struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint"`
	Choices           []choiceBody `json:"choices"`
	Usage             usageBody    `json:"usage"`
}

type choiceBody struct {
	Index        int         `json:"index"`
	Message      messageBody `json:"message"`
	Logprobs     any         `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
}

type messageBody struct {
	Role      string         `json:"role"`
	Content   *string        `json:"content"`
	Refusal   *string        `json:"refusal"`
	ToolCalls []toolCallBody `json:"tool_calls,omitempty"`
}

type toolCallBody struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function functionBody `json:"function"`
}

type functionBody struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type usageBody struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// completion is the non-streaming answer.
func completion(req *ChatRequest, r Reply, id string, created int64) completionBody {
	msg := messageBody{Role: "assistant"}
	if r.Content != "" || (len(r.ToolCalls) == 0 && r.Refusal == "") {
		msg.Content = &r.Content
	}
	if r.Refusal != "" {
		msg.Refusal = &r.Refusal
	}
	for i, tc := range r.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, toolCallBody{ID: toolCallID(id, i, tc), Type: "function",
			Function: functionBody{Name: tc.Name, Arguments: tc.Arguments}})
	}
	return completionBody{ID: id, Object: "chat.completion", Created: created, Model: req.Model,
		SystemFingerprint: "fp_openaitest",
		Choices:           []choiceBody{{Message: msg, FinishReason: finishReason(r)}},
		Usage:             usage(req, r)}
}

func toolCallID(completionID string, i int, tc ToolCallReply) string {
	if tc.ID != "" {
		return tc.ID
	}
	return fmt.Sprintf("call_%s_%d", strings.TrimPrefix(completionID, "chatcmpl-"), i)
}

func finishReason(r Reply) string {
	switch {
	case r.FinishReason != "":
		return r.FinishReason
	case len(r.ToolCalls) > 0:
		return "tool_calls"
	}
	return "stop"
}

// usage is Reply.Usage or a deterministic estimate (about four characters a token).
func usage(req *ChatRequest, r Reply) usageBody {
	if r.Usage != nil {
		return usageBody{r.Usage.PromptTokens, r.Usage.CompletionTokens, r.Usage.PromptTokens + r.Usage.CompletionTokens}
	}
	prompt := 0
	for _, m := range req.Messages {
		prompt += 4 + len(m.Text())/4
	}
	out := 1 + len(r.Content)/4 + len(r.Refusal)/4
	for _, tc := range r.ToolCalls {
		out += 1 + (len(tc.Name)+len(tc.Arguments))/4
	}
	return usageBody{prompt, out, prompt + out}
}

type chunkBody struct {
	ID                string        `json:"id"`
	Object            string        `json:"object"`
	Created           int64         `json:"created"`
	Model             string        `json:"model"`
	SystemFingerprint string        `json:"system_fingerprint"`
	Choices           []chunkChoice `json:"choices"`
	// Usage is omitted without stream_options.include_usage, null in every chunk but the last
	// with it.
	Usage any `json:"usage,omitempty"`
}

type chunkChoice struct {
	Index        int     `json:"index"`
	Delta        delta   `json:"delta"`
	Logprobs     any     `json:"logprobs"`
	FinishReason *string `json:"finish_reason"`
}

type delta struct {
	Role      string          `json:"role,omitempty"`
	Content   *string         `json:"content,omitempty"`
	Refusal   *string         `json:"refusal,omitempty"`
	ToolCalls []deltaToolCall `json:"tool_calls,omitempty"`
}

type deltaToolCall struct {
	Index    int         `json:"index"`
	ID       string      `json:"id,omitempty"`
	Type     string      `json:"type,omitempty"`
	Function deltaFnCall `json:"function"`
}

type deltaFnCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// streamWriter writes chat.completion.chunk events.
type streamWriter struct {
	w            http.ResponseWriter
	base         chunkBody
	includeUsage bool
}

func (s *streamWriter) data(payload string) { llmfake.WriteEvent(s.w, "", payload) }

func (s *streamWriter) chunk(d delta, finish *string) {
	c := s.base
	c.Choices = []chunkChoice{{Delta: d, FinishReason: finish}}
	if s.includeUsage {
		c.Usage = json.RawMessage("null")
	}
	s.data(llmfake.MustJSON(c))
}

// writeStream answers a stream:true request.
func writeStream(w http.ResponseWriter, req *ChatRequest, r Reply, id string, created int64) {
	llmfake.StartStream(w)
	s := &streamWriter{w: w, includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage,
		base: chunkBody{ID: id, Object: "chat.completion.chunk", Created: created, Model: req.Model,
			SystemFingerprint: "fp_openaitest"}}
	empty := ""
	s.chunk(delta{Role: "assistant", Content: &empty}, nil)
	for _, piece := range llmfake.Split(r.Content, 4) {
		s.chunk(delta{Content: &piece}, nil)
	}
	for _, piece := range llmfake.Split(r.Refusal, 4) {
		s.chunk(delta{Refusal: &piece}, nil)
	}
	for i, tc := range r.ToolCalls {
		s.chunk(delta{ToolCalls: []deltaToolCall{{Index: i, ID: toolCallID(id, i, tc), Type: "function",
			Function: deltaFnCall{Name: tc.Name}}}}, nil)
		for _, piece := range llmfake.Split(tc.Arguments, 8) {
			s.chunk(delta{ToolCalls: []deltaToolCall{{Index: i, Function: deltaFnCall{Arguments: piece}}}}, nil)
		}
	}
	if r.StreamError != nil {
		s.data(r.StreamError.Body)
		return
	}
	finish := finishReason(r)
	s.chunk(delta{}, &finish)
	if s.includeUsage {
		c := s.base
		c.Choices = []chunkChoice{}
		c.Usage = usage(req, r)
		s.data(llmfake.MustJSON(c))
	}
	s.data("[DONE]")
}
