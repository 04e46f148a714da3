package openai_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/openteli/teli/internal/llm"
	"github.com/openteli/teli/internal/llm/openai"
)

// rawServer answers every request with a fixed content type and body, to reproduce the quirks
// of particular servers byte for byte.
func rawServer(t *testing.T, contentType, body string) *openai.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := openai.New(openai.Config{BaseURL: srv.URL + "/v1", Model: "m", Retry: llm.RetryPolicy{MaxRetries: new(0)}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const sse = "text/event-stream"

func TestServerQuirks(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		text                    string
		calls                   []string // "id name args"
		stop                    llm.StopReason
		usage                   llm.Usage
	}{
		{name: "stream without [DONE]", contentType: sse,
			body: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n" +
				"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
			text: "hi", stop: llm.StopEnd},
		{name: "vLLM usage chunk with null choices", contentType: sse,
			body: "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"a\"},\"finish_reason\":null}]}\n\n" +
				"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"length\"}]}\n\n" +
				"data: {\"choices\":null,\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n" +
				"data: {\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n" +
				"data: [DONE]\n\n",
			text: "ab", stop: llm.StopMaxTokens, usage: llm.Usage{InputTokens: 3, OutputTokens: 2}},
		{name: "whole tool calls at index 0", contentType: sse,
			body: "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\n" +
				"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}]}\n\n" +
				"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n",
			calls: []string{"a f {}", `b g {"x":1}`}, stop: llm.StopToolUse},
		{name: "CRLF and comments", contentType: sse,
			body: ": keep-alive\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\r\n\r\ndata: [DONE]\r\n\r\n",
			text: "ok", stop: llm.StopEnd},
		{name: "stream ignored, JSON answer", contentType: "application/json",
			body: `{"choices":[{"index":0,"message":{"role":"assistant","content":"plain"},"finish_reason":"stop"}]}`,
			text: "plain", stop: llm.StopEnd},
		{name: "content parts, object arguments, missing id", contentType: "application/json",
			body: `{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],` +
				`"tool_calls":[{"type":"function","function":{"name":"f","arguments":{"x":1}}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}`,
			text: "ab", calls: []string{`call_0 f {"x":1}`}, stop: llm.StopToolUse, usage: llm.Usage{InputTokens: 1, OutputTokens: 2}},
		{name: "null finish reason", contentType: "application/json",
			body: `{"choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":null}]}`,
			text: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawServer(t, tt.contentType, tt.body)
			resp, err := c.Complete(context.Background(), userRequest("hi"))
			if err != nil {
				t.Fatal(err)
			}
			var calls []string
			for _, tc := range resp.ToolCalls {
				calls = append(calls, tc.ID+" "+tc.Name+" "+string(tc.Arguments))
			}
			if resp.Text != tt.text || resp.StopReason != tt.stop || resp.Usage != tt.usage || !slices.Equal(calls, tt.calls) {
				t.Errorf("response = %+v calls %q\nwant text %q stop %q usage %+v calls %q", resp, calls, tt.text, tt.stop, tt.usage, tt.calls)
			}
		})
	}
}

func TestMalformedAnswers(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		retryable               bool
	}{
		{name: "truncated stream", contentType: sse,
			body: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hal\"},\"finish_reason\":null}]}\n\n", retryable: true},
		{name: "bad chunk", contentType: sse, body: "data: {nope\n\n"},
		{name: "not JSON", contentType: "application/json", body: `{"choices":`},
		{name: "no choices", contentType: "application/json", body: `{"choices":[]}`},
		{name: "content of a wrong type", contentType: "application/json", body: `{"choices":[{"message":{"content":42}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawServer(t, tt.contentType, tt.body)
			_, err := c.Complete(context.Background(), userRequest("hi"))
			if e := asError(t, err); e.Retryable != tt.retryable || e.StatusCode != 0 && e.StatusCode != 200 {
				t.Errorf("error = %+v, want retryable %v", e, tt.retryable)
			}
		})
	}
}
