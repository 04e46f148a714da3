package transport

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openteli/teli/internal/llm"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{nil, 0, false},
		{map[string]string{"Retry-After": "3"}, 3 * time.Second, true},
		{map[string]string{"Retry-After": "0"}, 0, true},
		{map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond, true},
		{map[string]string{"Retry-After": "Mon, 23 Nov 2026 12:00:10 GMT"}, 10 * time.Second, true},
		{map[string]string{"Retry-After": "Mon, 23 Nov 2026 11:00:00 GMT"}, 0, true},
		{map[string]string{"Retry-After": "soon"}, 0, false},
		{map[string]string{"Retry-After": "-1"}, 0, false},
		{map[string]string{"Retry-After-Ms": "250", "Retry-After": "9"}, 250 * time.Millisecond, true},
		{map[string]string{"Retry-After-Ms": "x", "Retry-After": "9"}, 9 * time.Second, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.header {
			h.Set(k, v)
		}
		got, ok := RetryAfter(h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%v) = %s, %v; want %s, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	p := llm.RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond,
		3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 40: time.Second, 100: time.Second} {
		for range 20 {
			if got := Backoff(attempt, p); got > want || got < want*3/4 {
				t.Fatalf("Backoff(%d) = %s, want within [%s, %s]", attempt, got, want*3/4, want)
			}
		}
	}
}

func TestSSEReader(t *testing.T) {
	stream := ": comment\n\nevent: a\ndata: one\ndata: two\n\nid: 7\nretry: 10\ndata:three\r\n\r\n\n\ndata: {\"x\":1}\n\ndata: cut off"
	r := NewSSEReader(strings.NewReader(stream))
	want := []Event{{Name: "a", Data: "one\ntwo"}, {Data: "three"}, {Data: `{"x":1}`}}
	for i, w := range want {
		ev, err := r.Next()
		if err != nil || ev != w {
			t.Fatalf("event %d = %+v, %v; want %+v", i, ev, err, w)
		}
	}
	if ev, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last event: %+v, %v; want io.EOF (an unterminated event is dropped)", ev, err)
	}
}
