package twiliotest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Page sizes of ListMessage.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// list implements ListMessage: filters To, From, DateSent, DateSent< and DateSent> (written
// "DateSent>=…" and "DateSent<=…" on the wire, so the parameter names end in > and <), newest
// first, paged with Page and PageSize.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	keep, ok := filter(q)
	if !ok {
		writeError(w, http.StatusBadRequest, 20001, "Invalid DateSent filter")
		return
	}
	var found []Message
	for _, m := range s.Messages() {
		if keep(&m) {
			found = append(found, m)
		}
	}
	slices.Reverse(found) // newest first, also among messages created in the same second
	slices.SortStableFunc(found, func(a, b Message) int { return b.DateCreated.Compare(a.DateCreated) })
	size := clampInt(q.Get("PageSize"), defaultPageSize, 1, maxPageSize)
	page := clampInt(q.Get("Page"), 0, 0, len(found)/size+1)
	start, end := min(page*size, len(found)), min((page+1)*size, len(found))
	items := make([]map[string]any, 0, end-start)
	for i := range found[start:end] {
		items = append(items, render(&found[start+i]))
	}
	var next any
	if end < len(found) {
		next = pageURI(r.URL.Path, q, page+1, size)
	}
	var prev any
	if page > 0 {
		prev = pageURI(r.URL.Path, q, page-1, size)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"messages": items, "page": page, "page_size": size, "start": start, "end": max(end-1, start),
		"uri": pageURI(r.URL.Path, q, page, size), "first_page_uri": pageURI(r.URL.Path, q, 0, size),
		"next_page_uri": next, "previous_page_uri": prev,
	})
}

// filter builds the predicate for the list's filters; false when a DateSent value is unreadable.
func filter(q url.Values) (func(*Message) bool, bool) {
	type bound struct {
		key string
		cmp func(sent, day time.Time, dateOnly bool) bool
	}
	bounds := []bound{
		{"DateSent", func(sent, at time.Time, dateOnly bool) bool { return dateOnly && sameDay(sent, at) || sent.Equal(at) }},
		{"DateSent>", func(sent, at time.Time, dateOnly bool) bool { return !sent.Before(at) }},
		{"DateSent<", func(sent, at time.Time, dateOnly bool) bool {
			return dateOnly && (sent.Before(at) || sameDay(sent, at)) || !sent.After(at)
		}},
	}
	var checks []func(*Message) bool
	for _, b := range bounds {
		if v := q.Get(b.key); v != "" {
			at, dateOnly, ok := parseDate(v)
			if !ok {
				return nil, false
			}
			checks = append(checks, func(m *Message) bool { return !m.DateSent.IsZero() && b.cmp(m.DateSent, at, dateOnly) })
		}
	}
	to, from := q.Get("To"), q.Get("From")
	return func(m *Message) bool {
		if to != "" && m.To != to || from != "" && m.From != from {
			return false
		}
		for _, c := range checks {
			if !c(m) {
				return false
			}
		}
		return true
	}, true
}

// parseDate reads a GMT date (Twilio's documented form) or an RFC 3339 time (what twilio-go
// sends).
func parseDate(v string) (time.Time, bool, bool) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d, true, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, false, true
	}
	return time.Time{}, false, false
}

func sameDay(a, b time.Time) bool {
	return a.UTC().Format(time.DateOnly) == b.UTC().Format(time.DateOnly)
}

func clampInt(v string, def, lo, hi int) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return min(max(n, lo), hi)
}

// pageURI is a path-plus-query on the API host, as Twilio's paging fields are.
func pageURI(path string, q url.Values, page, size int) string {
	p := url.Values{}
	for k, vs := range q {
		p[k] = vs
	}
	p.Set("Page", strconv.Itoa(page))
	p.Set("PageSize", strconv.Itoa(size))
	p.Set("PageToken", "PA"+strconv.Itoa(page))
	return path + "?" + p.Encode()
}
