package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/openteli/teli/internal/service/outbound"
	"github.com/openteli/teli/internal/teli"
)

// Message pages carry two cursors, opaque to clients: `cursor` reads forward from the page (pass
// it as `after`, to poll for what comes next, in the order messages were committed) and
// `before_cursor` reads back from it (pass it as `before`). Each is base64url of
// "f|<commit key>|<message id>" or "b|<unix µs>|<message id>".
const (
	forwardCursor = "f"
	backCursor    = "b"
)

var cursorEncoding = base64.RawURLEncoding

func encodeCursor(kind, key, id string) string {
	return cursorEncoding.EncodeToString([]byte(kind + "|" + key + "|" + id))
}

// decodeCursor returns a cursor's key and id, if it is one of kind.
func decodeCursor(kind, v string) (key, id string, ok bool) {
	raw, err := cursorEncoding.DecodeString(v)
	if err != nil {
		return "", "", false
	}
	k, rest, ok1 := strings.Cut(string(raw), "|")
	key, id, ok2 := strings.Cut(rest, "|")
	// A forward cursor from before every message has no id.
	if !ok1 || !ok2 || k != kind || key == "" || id == "" && kind != forwardCursor {
		return "", "", false
	}
	return key, id, true
}

// messageQuery reads a page request of a messages endpoint: since (ISO time) or after (a
// cursor) to read forward, before (ISO time or a before_cursor) to read back, and limit.
func messageQuery(r *http.Request, defaultLimit, maxLimit int) (outbound.MessageQuery, error) {
	var q outbound.MessageQuery
	v := r.URL.Query()
	var err error
	if q.Since, err = parseTime("since", v.Get("since")); err != nil {
		return q, err
	}
	if after := strings.TrimSpace(v.Get("after")); after != "" {
		key, id, ok := decodeCursor(forwardCursor, after)
		if !ok {
			return q, teli.Invalid("after must be the cursor of an earlier page")
		}
		q.After = teli.CommitKey{Seq: key, ID: id}
	}
	if q.Before, err = parseBefore(v.Get("before")); err != nil {
		return q, err
	}
	q.Limit, err = parseLimit(v.Get("limit"), defaultLimit, maxLimit)
	return q, err
}

// parseBefore reads before: an ISO-8601 time, or the before_cursor of an earlier page.
func parseBefore(v string) (teli.MessagePosition, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return teli.MessagePosition{}, nil
	}
	if t, err := parseTime("before", v); err == nil {
		return teli.MessagePosition{At: t}, nil
	}
	us, id, ok := decodeCursor(backCursor, v)
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil {
		return teli.MessagePosition{}, teli.Invalid("before must be an ISO-8601 time such as 2026-01-23T19:31:00Z or the before_cursor of an earlier page")
	}
	return teli.MessagePosition{At: time.UnixMicro(n).UTC(), ID: id}, nil
}

// addCursors puts a page's cursors in its response: null where there is nowhere to go.
func addCursors(body obj, list teli.MessageList) obj {
	body["cursor"], body["before_cursor"] = nil, nil
	if list.Resume != (teli.CommitKey{}) {
		body["cursor"] = encodeCursor(forwardCursor, list.Resume.Seq, list.Resume.ID)
	}
	if list.Oldest.ID != "" {
		body["before_cursor"] = encodeCursor(backCursor, strconv.FormatInt(list.Oldest.At.UnixMicro(), 10), list.Oldest.ID)
	}
	return body
}
