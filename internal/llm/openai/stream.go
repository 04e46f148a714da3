package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/internal/transport"
)

// chunk is one chat.completion.chunk event, or an error event.
type chunk struct {
	Model string `json:"model"`
	// Choices may be [], null or missing in the usage chunk (vLLM).
	Choices []struct {
		Index        int     `json:"index"`
		FinishReason *string `json:"finish_reason"`
		Delta        struct {
			Content   *string `json:"content"`
			Refusal   *string `json:"refusal"`
			ToolCalls []struct {
				Index    int    `json:"index"`
				ID       string `json:"id"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
	} `json:"choices"`
	Usage *chatUsage      `json:"usage"`
	Error json.RawMessage `json:"error"`
}

// toolCallBuilder accumulates one streamed tool call.
type toolCallBuilder struct {
	index    int
	id, name string
	args     strings.Builder
}

// accumulator folds stream chunks into a Response.
type accumulator struct {
	resp    llm.Response
	text    strings.Builder
	refusal strings.Builder
	calls   []*toolCallBuilder
	finish  string
}

// decodeStream reads an SSE stream of chunks up to data: [DONE].
func decodeStream(body io.Reader) (llm.Response, error) {
	sse := transport.NewSSEReader(body)
	var acc accumulator
	for {
		ev, err := sse.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return llm.Response{}, err
		}
		data := strings.TrimSpace(ev.Data)
		if data == "[DONE]" {
			return acc.response(), nil
		}
		if data == "" {
			continue
		}
		var c chunk
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return llm.Response{}, fmt.Errorf("stream chunk: %w", err)
		}
		if len(c.Error) > 0 && string(c.Error) != "null" {
			return llm.Response{}, streamError(data)
		}
		acc.add(&c)
	}
	if acc.finish == "" {
		return llm.Response{}, &llm.Error{Retryable: true, Message: "stream ended before the answer was complete"}
	}
	return acc.response(), nil
}

func (a *accumulator) add(c *chunk) {
	if c.Model != "" {
		a.resp.Model = c.Model
	}
	if c.Usage != nil {
		a.resp.Usage = llm.Usage{InputTokens: c.Usage.PromptTokens, OutputTokens: c.Usage.CompletionTokens}
	}
	for _, ch := range c.Choices {
		if ch.Index != 0 {
			continue
		}
		if f := deref(ch.FinishReason); f != "" {
			a.finish = f
		}
		a.text.WriteString(deref(ch.Delta.Content))
		a.refusal.WriteString(deref(ch.Delta.Refusal))
		for _, d := range ch.Delta.ToolCalls {
			b := a.call(d.Index, d.ID)
			if d.ID != "" {
				b.id = d.ID
			}
			if b.name == "" {
				b.name = d.Function.Name
			}
			b.args.WriteString(d.Function.Arguments)
		}
	}
}

// call returns the builder for a streamed tool call: by index, but a new id at a known index
// starts a new call (servers that send every call whole with index 0).
func (a *accumulator) call(index int, id string) *toolCallBuilder {
	for i := len(a.calls) - 1; i >= 0; i-- {
		b := a.calls[i]
		if b.index == index && (id == "" || b.id == "" || b.id == id) {
			return b
		}
	}
	b := &toolCallBuilder{index: index}
	a.calls = append(a.calls, b)
	return b
}

func (a *accumulator) response() llm.Response {
	r := a.resp
	r.Text = a.text.String()
	r.StopReason = stopReason(a.finish)
	for i, b := range a.calls {
		id := b.id
		if id == "" {
			id = "call_" + strconv.Itoa(i)
		}
		r.ToolCalls = append(r.ToolCalls, llm.ToolCall{ID: id, Name: b.name, Arguments: json.RawMessage(b.args.String())})
	}
	if ref := a.refusal.String(); ref != "" {
		r.Text, r.StopReason = ref, llm.StopRefusal
	}
	return r
}

// streamError turns an error event inside a stream into an *llm.Error. There is no HTTP status
// to go by, so it is retryable unless it names the request or the quota as the problem.
func streamError(data string) *llm.Error {
	d, _ := decodeError([]byte(data))
	e := &llm.Error{Message: d.Message, Type: d.Type, Code: codeString(d.Code), Retryable: true}
	if e.Message == "" {
		e.Message = "error event in stream"
	}
	if status, err := strconv.Atoi(e.Code); err == nil && status >= 400 {
		e.Retryable = llm.RetryableStatus(status)
	}
	switch {
	case e.Type == "insufficient_quota" || e.Code == "insufficient_quota",
		e.Type == "invalid_request_error":
		e.Retryable = false
	}
	return e
}
