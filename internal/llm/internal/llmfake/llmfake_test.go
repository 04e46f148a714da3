package llmfake

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestNextTakesTheQueueThenAsks(t *testing.T) {
	var s Server[string, string]
	s.Push("a", "b")
	answer := func(q *string) string { return "asked " + *q }
	q := "q"
	var got []string
	for range 3 {
		got = append(got, s.Next(&q, answer))
	}
	if want := []string{"a", "b", "asked q"}; !slices.Equal(got, want) {
		t.Errorf("Next gave %q, want %q", got, want)
	}
}

func TestUnknownIsSorted(t *testing.T) {
	top := map[string]json.RawMessage{"model": nil, "zeta": nil, "alpha": nil}
	if got := Unknown(top, map[string]bool{"model": true}); !slices.Equal(got, []string{"alpha", "zeta"}) {
		t.Errorf("Unknown = %q", got)
	}
}

func TestSplitKeepsRunesWhole(t *testing.T) {
	if got := Split("héllo!", 4); !slices.Equal(got, []string{"héll", "o!"}) {
		t.Errorf("Split = %q", got)
	}
	if got := Split("", 4); got != nil {
		t.Errorf("Split of nothing = %q", got)
	}
}

func TestWriteEvent(t *testing.T) {
	w := httptest.NewRecorder()
	WriteEvent(w, "", `{"a":1}`)
	WriteEvent(w, "ping", `{}`)
	if got, want := w.Body.String(), "data: {\"a\":1}\n\nevent: ping\ndata: {}\n\n"; got != want {
		t.Errorf("events = %q, want %q", got, want)
	}
	if !w.Flushed {
		t.Error("events were not flushed")
	}
}
