package apitest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with the responses received")

// written records the golden files rewritten by this test process.
var written = map[string]bool{}

// Step is one request of a scenario and what to remember from its response.
type Step struct {
	Name   string
	Method string
	// Path and Body may contain ${var} placeholders filled from earlier captures.
	Path string
	Body string
	// Key overrides the API key; "-" sends none.
	Key     string
	Headers map[string]string
	// Capture maps a variable name to a dotted path into the JSON response (e.g. "user.unique_id").
	Capture map[string]string
}

// Exchange is one recorded request and response, as stored in a golden file.
type Exchange struct {
	Step    string          `json:"step"`
	Request string          `json:"request"`
	Body    json.RawMessage `json:"request_body,omitempty"`
	Status  int             `json:"status"`
	Reply   json.RawMessage `json:"response"`
}

// Run plays steps against h in order and compares the exchanges with testdata/<golden>.json.
// vars seeds the placeholders and receives captures. With -update the file is rewritten.
func Run(t *testing.T, h http.Handler, golden string, vars map[string]string, steps []Step) {
	t.Helper()
	var got []Exchange
	for _, st := range steps {
		ex := play(t, h, st, vars)
		got = append(got, ex)
	}
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	path := filepath.Join("testdata", golden+".json")
	// Every backend must give the same responses: with -update the first backend writes the
	// file and the others are still compared with it.
	if *update && !written[path] {
		written[path] = true
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(want, out) {
		t.Errorf("responses differ from %s (run with -update to accept):\n%s", path, diff(string(want), string(out)))
	}
}

// placeholder is ${name}: {{…}} is left alone, since Teli templates use it in bodies.
var placeholder = regexp.MustCompile(`\$\{(\w+)\}`)

func fill(t *testing.T, s string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := vars[m[2:len(m)-1]]
		if !ok {
			t.Fatalf("no value captured for %s", m)
		}
		return v
	})
}

func play(t *testing.T, h http.Handler, st Step, vars map[string]string) Exchange {
	t.Helper()
	path, body := fill(t, st.Path, vars), fill(t, st.Body, vars)
	req := httptest.NewRequest(st.Method, path, strings.NewReader(body))
	switch st.Key {
	case "":
		req.Header.Set("X-API-Key", Key)
	case "-":
	default:
		req.Header.Set("X-API-Key", fill(t, st.Key, vars))
	}
	for k, v := range st.Headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	reply := canonical(t, st.Name, rec.Body.Bytes())
	for name, at := range st.Capture {
		vars[name] = lookup(t, reply, at)
	}
	reply = maskForwardCursors(reply)
	ex := Exchange{Step: st.Name, Request: st.Method + " " + st.Path, Status: rec.Code, Reply: reply}
	if body != "" && json.Valid([]byte(body)) && len(body) < 4096 {
		ex.Body = canonical(t, st.Name, []byte(st.Body))
	}
	return ex
}

// canonical re-encodes JSON with sorted keys so golden files do not depend on field order.
func canonical(t *testing.T, step string, b []byte) json.RawMessage {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: response is not JSON: %q", step, b)
	}
	out, _ := json.Marshal(v)
	return out
}

// maskForwardCursors replaces the value of every "cursor" field with "<cursor>". A forward
// cursor holds the engine's own commit order (a SQLite sequence number, a PostgreSQL
// transaction id), so golden files, which every backend must match, record only that one was
// given; tests that read forward capture it before it is masked.
func maskForwardCursors(raw json.RawMessage) json.RawMessage {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw
	}
	var walk func(any)
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			for k, child := range n {
				if _, ok := child.(string); ok && k == "cursor" {
					n[k] = "<cursor>"
					continue
				}
				walk(child)
			}
		case []any:
			for _, child := range n {
				walk(child)
			}
		}
	}
	walk(v)
	out, _ := json.Marshal(v)
	return out
}

func lookup(t *testing.T, raw json.RawMessage, path string) string {
	var v any
	_ = json.Unmarshal(raw, &v)
	for _, part := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			v = node[part]
		case []any:
			var i int
			fmt.Sscan(part, &i)
			if i >= len(node) {
				t.Fatalf("capture %s: index out of range", path)
			}
			v = node[i]
		}
	}
	s, ok := v.(string)
	if !ok {
		t.Fatalf("capture %s: not a string in %s", path, raw)
	}
	return s
}

// diff shows the first lines where want and got part.
func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d\n want: %s\n  got: %s", i+1, wl, gl)
		}
	}
	return "(identical lines; lengths differ)"
}
