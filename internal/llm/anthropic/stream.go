package anthropic

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/internal/transport"
)

// event is the union of the Messages stream events this adapter reads.
type event struct {
	Type    string `json:"type"`
	Message *struct {
		Model string `json:"model"`
		Usage usage  `json:"usage"`
	} `json:"message"`
	Index        int        `json:"index"`
	ContentBlock *respBlock `json:"content_block"`
	Delta        *struct {
		Type        string  `json:"type"`
		Text        string  `json:"text"`
		PartialJSON string  `json:"partial_json"`
		StopReason  *string `json:"stop_reason"`
	} `json:"delta"`
	Usage *usage `json:"usage"`
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// streamBlock accumulates one content block.
type streamBlock struct {
	kind, id, name string
	text, json     strings.Builder
	input          json.RawMessage
}

// decodeStream reads the named events of a Messages stream up to message_stop.
func decodeStream(body io.Reader) (llm.Response, error) {
	sse := transport.NewSSEReader(body)
	var resp llm.Response
	blocks := map[int]*streamBlock{}
	for {
		ev, err := sse.Next()
		if errors.Is(err, io.EOF) {
			return llm.Response{}, &llm.Error{Retryable: true, Message: "stream ended before message_stop"}
		}
		if err != nil {
			return llm.Response{}, err
		}
		var e event
		if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
			return llm.Response{}, fmt.Errorf("stream event %q: %w", ev.Name, err)
		}
		switch e.Type {
		case "message_start":
			if e.Message != nil {
				resp.Model = e.Message.Model
				resp.Usage = llm.Usage{InputTokens: e.Message.Usage.InputTokens, OutputTokens: e.Message.Usage.OutputTokens}
			}
		case "content_block_start":
			if cb := e.ContentBlock; cb != nil {
				b := &streamBlock{kind: cb.Type, id: cb.ID, name: cb.Name, input: cb.Input}
				b.text.WriteString(cb.Text)
				blocks[e.Index] = b
			}
		case "content_block_delta":
			if b := blocks[e.Index]; b != nil && e.Delta != nil {
				b.text.WriteString(e.Delta.Text)
				b.json.WriteString(e.Delta.PartialJSON)
			}
		case "message_delta":
			if e.Delta != nil && e.Delta.StopReason != nil {
				resp.StopReason = stopReason(*e.Delta.StopReason)
			}
			if e.Usage != nil {
				resp.Usage.OutputTokens = e.Usage.OutputTokens
				if e.Usage.InputTokens > 0 {
					resp.Usage.InputTokens = e.Usage.InputTokens
				}
			}
		case "message_stop":
			return assemble(resp, blocks), nil
		case "error":
			return llm.Response{}, streamError(e)
		}
	}
}

// assemble joins the blocks in index order.
func assemble(resp llm.Response, blocks map[int]*streamBlock) llm.Response {
	idx := make([]int, 0, len(blocks))
	for i := range blocks {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var text strings.Builder
	for _, i := range idx {
		b := blocks[i]
		switch b.kind {
		case "text":
			text.WriteString(b.text.String())
		case "tool_use":
			args := json.RawMessage(b.json.String())
			if b.json.Len() == 0 {
				args = b.input
			}
			resp.ToolCalls = append(resp.ToolCalls, llm.ToolCall{ID: b.id, Name: b.name, Arguments: args})
		}
	}
	resp.Text = text.String()
	return resp
}

func streamError(e event) *llm.Error {
	le := &llm.Error{Message: "error event in stream"}
	if e.Error != nil {
		le.Type, le.Message = e.Error.Type, e.Error.Message
		le.Retryable = retryableType(e.Error.Type)
	}
	return le
}
