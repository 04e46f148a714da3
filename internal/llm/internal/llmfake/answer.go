package llmfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
)

// Fault is an error answer: a status, headers and a raw body.
type Fault struct {
	Status int
	Header http.Header
	Body   string
}

// With returns f with a header added (Retry-After, x-should-retry …).
func (f Fault) With(key, value string) Fault {
	h := f.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(key, value)
	f.Header = h
	return f
}

// Ptr returns &f, for a reply's error.
func (f Fault) Ptr() *Fault { return &f }

// StreamStatus is the status recorded for a stream: 200, or the status of the error event
// that ends it when end is not nil (the stream itself began with 200).
func StreamStatus(end *Fault) int {
	if end != nil {
		return end.Status
	}
	return http.StatusOK
}

// WriteFault answers with f, as application/json unless f's headers say otherwise.
func WriteFault(w http.ResponseWriter, f Fault) {
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, f.Body)
}

// WriteJSON answers with v as JSON, its HTML characters unescaped as the real APIs send them.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// MustJSON encodes v, which the fakes build themselves and so always encodes.
func MustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// StartStream answers 200 with the headers of a server-sent event stream.
func StartStream(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
}

// WriteEvent writes one server-sent event, with an "event:" line when name is not empty, and
// flushes it so the client sees it at once.
func WriteEvent(w http.ResponseWriter, name, data string) {
	if name != "" {
		data = "event: " + name + "\ndata: " + data
	} else {
		data = "data: " + data
	}
	_, _ = io.WriteString(w, data+"\n\n")
	_ = http.NewResponseController(w).Flush()
}

// Split cuts s into pieces of n runes, as a tokenizer would stream it.
func Split(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}

// Unknown lists, sorted, the keys of a request's top-level object that are not known
// parameters, which the real APIs refuse.
func Unknown(top map[string]json.RawMessage, known map[string]bool) []string {
	var out []string
	for k := range top {
		if !known[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
