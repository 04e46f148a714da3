package contacts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// cell is one field value of an input row.
type cell struct {
	text   string // sanitised and trimmed; "" means absent
	nested bool   // a JSON object or array, kept as compact JSON text
}

// layout says, for one set of column names, which column fills which field. A CSV file has one
// layout; every JSON object gets its own.
type layout struct {
	keys    []string // each column's own canonical key ("field_N" when it has none)
	targets []string // distinct target fields, in order of first appearance
	cands   [][]int  // per target: column indexes, exact-name columns first, then column order
}

// newLayout groups columns by the field they stand for.
func newLayout(names []string) *layout {
	l := &layout{keys: make([]string, len(names))}
	index := map[string]int{}
	for i, n := range names {
		k := FieldKey(n)
		if k == "" {
			k = "field_" + strconv.Itoa(i+1)
		}
		l.keys[i] = k
		t := k
		if a, ok := aliases[k]; ok {
			t = a
		}
		g, ok := index[t]
		if !ok {
			g = len(l.targets)
			index[t] = g
			l.targets = append(l.targets, t)
			l.cands = append(l.cands, nil)
		}
		l.cands[g] = append(l.cands[g], i)
	}
	for g, t := range l.targets {
		cs := l.cands[g]
		ordered := make([]int, 0, len(cs))
		for _, i := range cs {
			if l.keys[i] == t {
				ordered = append(ordered, i)
			}
		}
		for _, i := range cs {
			if l.keys[i] != t {
				ordered = append(ordered, i)
			}
		}
		l.cands[g] = ordered
	}
	return l
}

// hasPhone reports whether some column stands for phone_number.
func (l *layout) hasPhone() bool {
	for _, t := range l.targets {
		if t == keyPhone {
			return true
		}
	}
	return false
}

// pick returns the column that fills target: the first non-empty candidate, or -1.
func (l *layout) pick(g int, cells []cell) int {
	for _, i := range l.cands[g] {
		if i < len(cells) && cells[i].text != "" {
			return i
		}
	}
	return -1
}

// column names column i for a caller: its canonical key, or its 1-based position in a row with
// more cells than the header has columns.
func (l *layout) column(i int) string {
	if i < len(l.keys) {
		return l.keys[i]
	}
	return strconv.Itoa(i + 1)
}

// rawPhone returns the phone text of a row without validating anything, for rejections.
func (l *layout) rawPhone(cells []cell) string {
	for g, t := range l.targets {
		if t == keyPhone {
			if i := l.pick(g, cells); i >= 0 {
				return cells[i].text
			}
		}
	}
	return ""
}

// build turns one row into a Contact. When several columns stand for the same field, the first
// non-empty one (an exact-name column before aliases) fills it and the others are kept in Fields
// under their own names, so no value is lost. On failure it returns the reason; a phone problem is
// reported before any other, as phone_number is the one field every row needs.
func (l *layout) build(cells []cell) (c Contact, rawPhone, reason string) {
	var losers []int
	var dnc, bad string
	for g, t := range l.targets {
		win := l.pick(g, cells)
		for _, i := range l.cands[g] {
			if i != win && i < len(cells) && cells[i].text != "" {
				losers = append(losers, i)
			}
		}
		if win < 0 {
			continue
		}
		v := cells[win]
		dst := c.standard(t, &dnc)
		if dst == nil {
			c.setField(t, v.text)
			continue
		}
		if v.nested {
			r := fmt.Sprintf("%s must be text, a number or a boolean, not %s", t, nestedKind(v.text))
			if t == keyPhone {
				return Contact{}, v.text, r
			}
			if bad == "" {
				bad = r
			}
		}
		*dst = v.text
	}
	rawPhone = c.Phone
	var r string
	if c.Phone, r = normalizePhone(rawPhone); r != "" {
		return Contact{}, rawPhone, r
	}
	if bad != "" {
		return Contact{}, rawPhone, bad
	}
	if c.DoNotCall, r = parseDoNotCall(dnc); r != "" {
		return Contact{}, rawPhone, r
	}
	// Losers after all winners, in column order, so a suffixed name never displaces a real column.
	slices.Sort(losers)
	for _, i := range losers {
		c.setField(l.keys[i], cells[i].text)
	}
	return c, rawPhone, ""
}

// standard returns where the value of a Contact-level field goes, or nil for a Fields entry.
func (c *Contact) standard(target string, dnc *string) *string {
	switch target {
	case keyPhone:
		return &c.Phone
	case keyFirstName:
		return &c.FirstName
	case keyLastName:
		return &c.LastName
	case keyEmail:
		return &c.Email
	case keyCompany:
		return &c.Company
	case keyUniqueID:
		return &c.UniqueID
	case keyDoNotCall:
		return dnc
	}
	return nil
}

// setField stores v under key, or under key_2, key_3, … when key is taken or reserved.
func (c *Contact) setField(key, v string) {
	if c.Fields == nil {
		c.Fields = map[string]string{}
	}
	taken := func(k string) bool {
		_, ok := c.Fields[k]
		return ok || reserved[k]
	}
	k := key
	for n := 2; taken(k); n++ {
		k = key + "_" + strconv.Itoa(n)
	}
	c.Fields[k] = v
}

// nestedKind names the JSON type of compact nested JSON text.
func nestedKind(text string) string {
	if strings.HasPrefix(text, "[") {
		return "an array"
	}
	return "an object"
}
