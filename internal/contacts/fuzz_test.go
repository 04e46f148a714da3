package contacts

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/openteli/teli/internal/phone"
	"github.com/openteli/teli/internal/teli"
)

// checkResult asserts what holds for every Result: each input row (total of them, or an unknown
// number when total < 0) is accepted or rejected exactly once, rejections are in row order with a
// reason, and accepted contacts are normalised and unique.
func checkResult(t *testing.T, res Result, total int) {
	t.Helper()
	rows := len(res.Contacts) + len(res.Rejected)
	if total >= 0 && rows != total {
		t.Fatalf("%d contacts + %d rejected for %d rows", len(res.Contacts), len(res.Rejected), total)
	}
	last := 0
	for _, r := range res.Rejected {
		if r.Row <= last || r.Row > rows {
			t.Fatalf("rejected row %d after row %d, of %d rows", r.Row, last, rows)
		}
		last = r.Row
		if r.Reason == "" || cleanValue(r.Phone) != r.Phone {
			t.Fatalf("rejected row %d: phone %q, reason %q", r.Row, r.Phone, r.Reason)
		}
		var first int
		if _, err := fmt.Sscanf(r.Reason, "duplicate of row %d", &first); err == nil && (first < 1 || first >= r.Row) {
			t.Fatalf("row %d: %s", r.Row, r.Reason)
		}
	}
	// Every input row is accounted for exactly once, as a contact or a rejection.
	seenRows := map[int]bool{}
	for _, r := range res.Rejected {
		seenRows[r.Row] = true
	}
	for _, c := range res.Contacts {
		if c.Row < 1 || c.Row > rows || seenRows[c.Row] {
			t.Fatalf("contact %q has row %d, already seen or out of 1..%d", c.Phone, c.Row, rows)
		}
		seenRows[c.Row] = true
	}
	phones, ids := map[string]bool{}, map[string]bool{}
	for _, c := range res.Contacts {
		// Not phone.IsE164: phone.Normalize is not idempotent for national numbers that start
		// with a trunk '0' ("+810000000000" → "+81000000000" → "+8100000000"), so its output need
		// not be a fixed point. What this package promises is '+', digits, valid and unique.
		if _, err := phone.Normalize(c.Phone); err != nil || strings.Trim(c.Phone[1:], "0123456789") != "" ||
			c.Phone[0] != '+' || phones[c.Phone] {
			t.Fatalf("phone %q is not E.164 or not unique", c.Phone)
		}
		phones[c.Phone] = true
		if c.UniqueID != "" {
			if ids[c.UniqueID] {
				t.Fatalf("unique_id %q twice", c.UniqueID)
			}
			ids[c.UniqueID] = true
		}
		for _, v := range []string{c.FirstName, c.LastName, c.Email, c.Company, c.UniqueID} {
			if cleanValue(v) != v {
				t.Fatalf("value %q is not clean", v)
			}
		}
		if c.Fields != nil && len(c.Fields) == 0 {
			t.Fatal("Fields is empty but not nil")
		}
		for k, v := range c.Fields {
			if k == "" || FieldKey(k) != k || reserved[k] {
				t.Fatalf("field name %q", k)
			}
			if v == "" || cleanValue(v) != v {
				t.Fatalf("field %s = %q", k, v)
			}
		}
	}
}

func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"phone_number":"3137316433","first_name":"Ann","city":"Detroit"}`,
		"{\"phone\":\"+1 313 731 6433\"}\n{\"phone\":3137316433}\n{\"phone\":\"12\"}",
		`{"phone":"2485550101","phone_number":"3137316433","tags":["a",{"b":null}],"do_not_call":"yes"}`,
		`{"phone":"3137316433","unique_id":"u"}` + "\n" + `{"phone":"2485550101","unique_id":"u"}`,
		`{"":"x","Email":"a","email":"b","notes_2":"c","notes":"d","Notes":"e","phone":"+447911123456"}`,
		"[1]\n\"x\"\nnull\n{\n{\"a\":1} 2\n\xff",
		`{"phone_number":{"x":1}}`,
		`{"do_not_call":2,"phone":"3137316433"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Split(data, []byte("\n"))
		raw := make([]json.RawMessage, len(lines))
		for i, l := range lines {
			raw[i] = l
		}
		checkResult(t, ParseJSON(raw), len(raw))
	})
}

func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{
		"phone,first,last\n3137316433,Ann,Lee\n2485550101,Bob,\n",
		"\uFEFFPhone;First Name;Notes\r\n\"313 731 6433\";\"Ann; A\";\"two\r\nlines\"\r\n",
		"mobile\tcity\n3137316433\tDetroit\n\n\t\n2485550101\n",
		"phone,x\r3137316433,1\r3137316433,2\r",
		"\n,,\nphone,phone_number,mobile\n,3137316433,\n2485550101,,+447911123456\n",
		"phone,name\n3137316433,\"unterminated\n2485550101,x\n",
		"phone,name\n31373\"16433,x\n2485550101,a,b,c\n",
		"name\nAnn\n",
		"",
		"\xff\xfep\x00h\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Any bytes: no panic, and an error only of the documented, caller-facing kind.
		res, err := ParseCSV(bytes.NewReader(data), CSVOptions{MaxRows: 50})
		if err != nil {
			if teli.CodeOf(err) != teli.CodeInvalid {
				t.Fatalf("ParseCSV error %v is not a CodeInvalid error", err)
			}
		} else {
			checkResult(t, res, -1)
		}
		roundTrip(t, data)
	})
}

// roundTrip reads data as rows of up to three '|'-separated cells, writes them as CSV with the
// encoding/csv writer, and checks that ParseCSV sees exactly those rows and values.
func roundTrip(t *testing.T, data []byte) {
	t.Helper()
	const maxRows = 7
	delim := []rune{',', ';', '\t'}[len(data)%3]
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = delim
	_ = w.Write([]string{"phone_number", "first_name", "notes"})
	var rows [][]string
	var notText error // the refusal of the first cell that is not text
	for _, line := range strings.Split(string(data), "\n") {
		cells := append(strings.SplitN(line, "|", 3), "", "")[:3]
		_ = w.Write(cells)
		for i, c := range cells {
			if notText == nil && !teli.IsText(c) {
				notText = teli.InvalidText(fmt.Sprintf("row %d, column %s", len(rows)+1, []string{"phone_number", "first_name", "notes"}[i]))
			}
		}
		for i, c := range cells {
			// The reader folds a CRLF inside a quoted cell to LF, as CSV readers do.
			cells[i] = cleanValue(strings.ReplaceAll(c, "\r\n", "\n"))
		}
		if cells[0] != "" || cells[1] != "" || cells[2] != "" {
			rows = append(rows, cells)
		}
	}
	w.Flush()
	res, err := ParseCSV(&buf, CSVOptions{MaxRows: maxRows})
	if notText != nil {
		// The whole file is refused, naming the first cell that is not text.
		if err == nil || err.Error() != notText.Error() || teli.CodeOf(err) != teli.CodeInvalid {
			t.Fatalf("ParseCSV of a file with a cell that is not text: %v, want %v", err, notText)
		}
		return
	}
	if err != nil {
		t.Fatalf("ParseCSV of writer output: %v", err)
	}
	checkResult(t, res, len(rows))
	rejected := map[int]Rejected{}
	for _, r := range res.Rejected {
		rejected[r.Row] = r
	}
	next := 0
	for i, cells := range rows {
		row := i + 1
		r, isRejected := rejected[row]
		if over := row > maxRows; over != (isRejected && strings.HasPrefix(r.Reason, "over the limit")) {
			t.Fatalf("row %d of %d: rejected %v (%q) with a cap of %d", row, len(rows), isRejected, r.Reason, maxRows)
		}
		if isRejected {
			if r.Phone != cells[0] {
				t.Fatalf("row %d: rejected phone %q, want %q", row, r.Phone, cells[0])
			}
			continue
		}
		c := res.Contacts[next]
		next++
		want, err := phone.Normalize(cells[0])
		if err != nil || c.Phone != want || c.FirstName != cells[1] || c.Fields["notes"] != cells[2] {
			t.Fatalf("row %d %q became %#v", row, cells, c)
		}
	}
}

// withoutRows clears the contacts' row numbers, which checkResult verifies, so table tests can
// state the fields they are about.
func withoutRows(res Result) Result {
	out := res
	out.Contacts = append([]Contact(nil), res.Contacts...)
	for i := range out.Contacts {
		out.Contacts[i].Row = 0
	}
	if res.Contacts == nil {
		out.Contacts = nil
	}
	return out
}
