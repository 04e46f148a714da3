package placeholders

import "strings"

// renderer fills a template in one left-to-right pass.
type renderer struct {
	lookup func(string) string
	out    []byte
	gaps   []int // offsets in out where a missing variable was removed, ascending
	floor  int   // offset in out where the last value ends: no placeholder starts before it
}

func (r *renderer) run(s string) {
	for i := 0; i < len(s); {
		p, ok := next(s, i)
		if !ok {
			r.out = append(r.out, s[i:]...)
			return
		}
		r.out = append(r.out, s[i:p.start]...)
		i = r.fill(p.name, s, p.end)
	}
}

// fill writes the value of name to out. When the variable is missing it records a gap and
// checks whether the text on both sides now joins into a new placeholder (in "{{{{x}}y}}",
// removing {{x}} makes {{y}}); if so it fills that one in turn. It returns the offset in s
// to continue from. Values are never re-read, which is why they raise the floor.
func (r *renderer) fill(name, s string, i int) int {
	for {
		if v := r.lookup(name); v != "" {
			r.out = append(r.out, v...)
			r.floor = len(r.out)
			return i
		}
		r.gaps = append(r.gaps, len(r.out))
		p, end, joined, ok := r.joined(s, i)
		if !ok {
			return i
		}
		r.out = r.out[:p]
		for len(r.gaps) > 0 && r.gaps[len(r.gaps)-1] > p {
			r.gaps = r.gaps[:len(r.gaps)-1] // inside the joined placeholder
		}
		name, i = joined, end
	}
}

// joined looks for a placeholder that starts in out, before the gap at its end, and ends in
// s[i:]. Its "{{" can only be the last one in out (a '{' is not a name character) or a '{'
// ending out followed by a '{' in s; both lie within maxInner bytes of the gap.
func (r *renderer) joined(s string, i int) (start, end int, name string, ok bool) {
	g := len(r.out)
	lo := max(r.floor, g-maxInner-3)
	var starts []int
	if k := strings.LastIndex(string(r.out[lo:g]), "{{"); k >= 0 {
		starts = append(starts, lo+k)
	}
	if g-1 >= lo && r.out[g-1] == '{' && strings.HasPrefix(s[i:], "{") {
		starts = append(starts, g-1)
	}
	rest := s[i:min(len(s), i+maxInner+4)]
	for _, p := range starts {
		buf := string(r.out[p:g]) + rest
		if ph, ok := parseAt(buf, 0); ok && ph.end > g-p {
			return p, i + ph.end - (g - p), ph.name, true
		}
	}
	return 0, 0, "", false
}

// tidy cleans up the text around each gap of s, as the package documentation describes. It
// only removes ASCII spaces, tabs and punctuation, so valid UTF-8 stays valid.
func tidy(s string, gaps []int) string {
	var b []byte
	i := 0
	for _, g := range gaps {
		if g < i {
			continue // swallowed by the clean-up of the previous gap
		}
		b = append(b, s[i:g]...)
		b, i = closeGap(b, s, g)
	}
	return string(append(b, s[i:]...))
}

// closeGap joins the output so far, b, to the rest of s from offset i, where a variable was
// removed, and returns the new output and the offset to continue from.
func closeGap(b []byte, s string, i int) ([]byte, int) {
	for {
		spaced := len(b) > 0 && isSpace(b[len(b)-1])
		b = trimSpace(b)
		for i < len(s) && isSpace(s[i]) {
			i++
			spaced = true
		}
		switch {
		case len(b) > 0 && b[len(b)-1] == '(' && i < len(s) && s[i] == ')':
			b, i = b[:len(b)-1], i+1 // "()" left empty: drop it and close the gap again
			continue
		case i < len(s) && isClosing(s[i]):
			if len(b) > 0 && isDangling(b[len(b)-1]) {
				b = trimSpace(b[:len(b)-1]) // "Hi, {{x}}!" → "Hi!"
			}
			if lineStart(b) && isDangling(s[i]) {
				i++ // "{{x}}, thanks" → "thanks"
				for i < len(s) && isSpace(s[i]) {
					i++
				}
			}
		case i == len(s) || s[i] == '\n' || s[i] == '\r' || lineStart(b) || b[len(b)-1] == '(':
		case spaced:
			b = append(b, ' ')
		}
		return b, i
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// isClosing: punctuation that takes no space before it.
func isClosing(c byte) bool {
	switch c {
	case ',', '.', '!', '?', ';', ':', ')':
		return true
	}
	return false
}

// isDangling: punctuation that makes no sense before other punctuation or first on a line.
func isDangling(c byte) bool { return c == ',' || c == ';' || c == ':' }

func lineStart(b []byte) bool { return len(b) == 0 || b[len(b)-1] == '\n' || b[len(b)-1] == '\r' }
