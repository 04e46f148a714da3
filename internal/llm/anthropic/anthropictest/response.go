package anthropictest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/openteli/teli/internal/llm/internal/llmfake"
)

type messageBody struct {
	ID           string        `json:"id"`
	Type         string        `json:"type"`
	Role         string        `json:"role"`
	Model        string        `json:"model"`
	Content      []contentBody `json:"content"`
	StopReason   *string       `json:"stop_reason"`
	StopSequence *string       `json:"stop_sequence"`
	Usage        usageBody     `json:"usage"`
}

type contentBody struct {
	Type  string          `json:"type"`
	Text  *string         `json:"text,omitempty"`
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
}

type usageBody struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

func stopReason(r Reply) string {
	switch {
	case r.StopReason != "":
		return r.StopReason
	case len(r.ToolUses) > 0:
		return "tool_use"
	}
	return "end_turn"
}

func toolUseID(msgID string, i int, t ToolUse) string {
	if t.ID != "" {
		return t.ID
	}
	return fmt.Sprintf("toolu_%s_%d", msgID, i)
}

func input(t ToolUse) string {
	if t.Input == "" {
		return "{}"
	}
	return t.Input
}

// usage is Reply.Usage or an estimate of about four characters a token.
func usage(req *MessagesRequest, r Reply) usageBody {
	if r.Usage != nil {
		return usageBody{r.Usage.InputTokens, r.Usage.OutputTokens}
	}
	in := 3 + len(req.SystemText())/4
	for _, m := range req.Messages {
		in += 4 + len(m.Text())/4
	}
	out := 1 + len(r.Text)/4
	for _, t := range r.ToolUses {
		out += 1 + (len(t.Name)+len(t.Input))/4
	}
	return usageBody{in, out}
}

// message is the non-streaming answer.
func message(req *MessagesRequest, r Reply, id string) (messageBody, error) {
	content := []contentBody{}
	if r.Text != "" {
		content = append(content, contentBody{Type: "text", Text: &r.Text})
	}
	for i, t := range r.ToolUses {
		in := input(t)
		if !json.Valid([]byte(in)) {
			return messageBody{}, fmt.Errorf("anthropictest: ToolUses[%d].Input is not valid JSON; only a stream can carry that", i)
		}
		content = append(content, contentBody{Type: "tool_use", ID: toolUseID(id, i, t), Name: t.Name, Input: json.RawMessage(in)})
	}
	stop := stopReason(r)
	return messageBody{ID: "msg_" + id, Type: "message", Role: "assistant", Model: req.Model,
		Content: content, StopReason: &stop, Usage: usage(req, r)}, nil
}

// streamWriter writes named SSE events.
type streamWriter struct{ w http.ResponseWriter }

func (s streamWriter) event(name string, data any) {
	payload, ok := data.(string)
	if !ok {
		payload = llmfake.MustJSON(data)
	}
	llmfake.WriteEvent(s.w, name, payload)
}

type obj = map[string]any

// writeStream answers a stream:true request.
func writeStream(w http.ResponseWriter, req *MessagesRequest, r Reply, id string) {
	llmfake.StartStream(w)
	s := streamWriter{w}
	u := usage(req, r)
	s.event("message_start", obj{"type": "message_start", "message": obj{
		"id": "msg_" + id, "type": "message", "role": "assistant", "model": req.Model, "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": obj{"input_tokens": u.InputTokens, "output_tokens": 1}}})
	index := 0
	if r.Text != "" {
		s.event("content_block_start", obj{"type": "content_block_start", "index": index, "content_block": obj{"type": "text", "text": ""}})
		s.event("ping", obj{"type": "ping"})
		for _, piece := range llmfake.Split(r.Text, 5) {
			s.event("content_block_delta", obj{"type": "content_block_delta", "index": index, "delta": obj{"type": "text_delta", "text": piece}})
		}
		s.event("content_block_stop", obj{"type": "content_block_stop", "index": index})
		index++
	}
	for i, t := range r.ToolUses {
		s.event("content_block_start", obj{"type": "content_block_start", "index": index, "content_block": obj{
			"type": "tool_use", "id": toolUseID(id, i, t), "name": t.Name, "input": obj{}}})
		s.event("content_block_delta", obj{"type": "content_block_delta", "index": index, "delta": obj{"type": "input_json_delta", "partial_json": ""}})
		for _, piece := range llmfake.Split(input(t), 7) {
			s.event("content_block_delta", obj{"type": "content_block_delta", "index": index, "delta": obj{"type": "input_json_delta", "partial_json": piece}})
		}
		s.event("content_block_stop", obj{"type": "content_block_stop", "index": index})
		index++
	}
	if r.StreamError != nil {
		s.event("error", r.StreamError.Body)
		return
	}
	s.event("message_delta", obj{"type": "message_delta", "delta": obj{"stop_reason": stopReason(r), "stop_sequence": nil},
		"usage": obj{"output_tokens": u.OutputTokens}})
	s.event("message_stop", obj{"type": "message_stop"})
}
