package transport

import (
	"bufio"
	"io"
	"strings"
)

// Event is one server-sent event.
type Event struct {
	// Name is the event: field; empty for unnamed events (OpenAI sends only data: lines).
	Name string
	// Data is the data: lines, joined with "\n".
	Data string
}

// SSEReader reads server-sent events (text/event-stream) one at a time.
type SSEReader struct {
	r *bufio.Reader
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReader(r)}
}

// Next returns the next event. It returns io.EOF at the end of the stream; an event that was
// not terminated by a blank line is discarded, as the SSE specification says. Comments
// (": ping") and the id: and retry: fields are skipped.
func (s *SSEReader) Next() (Event, error) {
	var ev Event
	var data []string
	seen := false
	for {
		line, err := s.r.ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return Event{}, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			if seen {
				ev.Data = strings.Join(data, "\n")
				return ev, nil
			}
			continue
		}
		if err == io.EOF {
			return Event{}, io.EOF
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Name, seen = value, true
		case "data":
			data, seen = append(data, value), true
		}
	}
}
