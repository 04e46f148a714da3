package api

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openteli/teli/internal/teli"
)

// The text rule at the boundary (teli.IsText): every text an API caller sends, in a JSON body,
// a query, a text header or a form, is valid UTF-8 without NUL, or the request is refused with
// teli.InvalidText naming the field. A path id that breaks it names nothing and is answered as
// an unknown id. Carrier webhooks are not API calls and are cleaned instead (webhooks.go).

// textHeaders are the request headers the API reads as text. X-API-Key is not among them: it
// is only hashed, and a key that is not text is simply unknown (401).
var textHeaders = []string{"Idempotency-Key"}

// unknownID is what a handler sees in place of a path id that breaks the text rule, so that its
// own lookup answers with its usual not-found. No stored id equals it: the server mints ids
// without spaces, and a campaign_id, the one id a caller chooses, is stored trimmed.
const unknownID = "\uFFFD "

// checkRequestText holds the query and the text headers of an API request to the text rule, and
// replaces each path value that breaks it with unknownID.
func checkRequestText(r *http.Request) error {
	if err := checkQueryText(r.URL); err != nil {
		return err
	}
	for _, h := range textHeaders {
		for _, v := range r.Header.Values(h) {
			if !teli.IsText(v) {
				return teli.InvalidText(h)
			}
		}
	}
	if !teli.IsText(r.URL.Path) {
		for _, name := range wildcards(r.Pattern) {
			if !teli.IsText(r.PathValue(name)) {
				r.SetPathValue(name, unknownID)
			}
		}
	}
	return nil
}

// checkQueryText checks the parameters of u's query. They are decoded only when an escape or a
// stray byte could hide something that is not text.
func checkQueryText(u *url.URL) error {
	if !strings.Contains(u.RawQuery, "%") && teli.IsText(u.RawQuery) {
		return nil
	}
	return checkValuesText(u.Query(), "query parameter names")
}

// checkValuesText checks form or query values, in the order of their names so that the answer
// does not depend on map order. names is what a name that breaks the rule is called.
func checkValuesText(values map[string][]string, names string) error {
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if !teli.IsText(k) {
			return teli.InvalidText(names)
		}
		for _, v := range values[k] {
			if !teli.IsText(v) {
				return teli.InvalidText(k)
			}
		}
	}
	return nil
}

// wildcards returns the names of the wildcards of a route pattern ("GET /v1/agents/{agent_id}").
func wildcards(pattern string) []string {
	var names []string
	for {
		_, rest, ok := strings.Cut(pattern, "{")
		if !ok {
			return names
		}
		name, after, _ := strings.Cut(rest, "}")
		if name = strings.TrimSuffix(name, "..."); name != "$" {
			names = append(names, name)
		}
		pattern = after
	}
}

// checkJSONText holds every string of a JSON document, member names included, to the text rule.
// It looks at the raw bytes, because the decoder silently turns invalid UTF-8 into U+FFFD. A
// malformed document is left to the decoder to report.
func checkJSONText(data []byte) error {
	if utf8.Valid(data) && !bytes.Contains(data, []byte(`\u0000`)) {
		return nil // the common case: no string can hold either
	}
	w := newJSONWalk(data)
	for {
		tok, err := w.next()
		if err != nil {
			return nil
		}
		if s, ok := tok.(string); !ok || (teli.IsText(s) && utf8.Valid(w.raw())) {
			continue
		}
		if !w.key {
			return teli.InvalidText(w.path(len(w.stack)))
		}
		names := "field names"
		if in := w.path(len(w.stack) - 1); in != "" {
			names += " in " + in
		}
		return teli.InvalidText(names)
	}
}

// jsonPathAt returns the path of the value a decoding error reports at offset (the end of a
// scalar, or just past the '{' or '[' that opens a container), or "" if there is none.
func jsonPathAt(data []byte, offset int64) string {
	w := newJSONWalk(data)
	for {
		tok, err := w.next()
		if err != nil {
			return ""
		}
		if w.key || w.end != offset {
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			return w.path(len(w.stack) - 1)
		case json.Delim('}'), json.Delim(']'):
			continue
		}
		return w.path(len(w.stack))
	}
}

// jsonWalk reads one JSON document token by token and knows, for each token, the bytes it came
// from and the path of the value it belongs to, as a caller writes it: "contacts[2].first_name".
type jsonWalk struct {
	data  []byte
	dec   *json.Decoder
	stack []jsonFrame // the containers the last token is in, outermost first
	// start and end delimit the last token in data, with the separators before it.
	start, end int64
	key        bool // the last token is a member name
	ended      bool // the last token ended a value of the innermost container
}

// jsonFrame is one container being read: which member or element of it is being read.
type jsonFrame struct {
	object  bool
	wantKey bool // the next token of the object is a member name or its '}'
	name    string
	index   int
}

func newJSONWalk(data []byte) *jsonWalk {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers stay text: 1e999 is a token like any other
	return &jsonWalk{data: data, dec: dec}
}

// next returns the next token, or io.EOF once the document has ended.
func (w *jsonWalk) next() (json.Token, error) {
	if w.ended {
		// The value just read is done: the next token starts the container's next member or
		// element.
		top := &w.stack[len(w.stack)-1]
		top.wantKey = top.object
		if !top.object {
			top.index++
		}
		w.ended = false
	}
	if w.start = w.dec.InputOffset(); w.start > 0 && len(w.stack) == 0 {
		return nil, io.EOF // the document ended; anything after it is not this walk's
	}
	tok, err := w.dec.Token()
	w.end = w.dec.InputOffset()
	if err != nil {
		return nil, err
	}
	w.key = false
	var top *jsonFrame
	if len(w.stack) > 0 {
		top = &w.stack[len(w.stack)-1]
	}
	switch {
	case tok == json.Delim('}') || tok == json.Delim(']'):
		w.stack = w.stack[:len(w.stack)-1]
		w.ended = len(w.stack) > 0
	case top != nil && top.wantKey:
		top.name, _ = tok.(string) // inside an object the decoder yields only names and '}'
		top.wantKey, w.key = false, true
	case tok == json.Delim('{'):
		w.stack = append(w.stack, jsonFrame{object: true, wantKey: true})
	case tok == json.Delim('['):
		w.stack = append(w.stack, jsonFrame{})
	default:
		w.ended = top != nil
	}
	return tok, nil
}

// raw is the last token's bytes, with the separators before it.
func (w *jsonWalk) raw() []byte { return w.data[w.start:w.end] }

// path names the value being read in the outermost depth containers.
func (w *jsonWalk) path(depth int) string {
	var b strings.Builder
	for _, f := range w.stack[:depth] {
		switch {
		case !f.object:
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		case b.Len() > 0:
			b.WriteString("." + f.name)
		default:
			b.WriteString(f.name)
		}
	}
	return b.String()
}
