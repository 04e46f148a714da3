package teli

import (
	"strings"
	"unicode/utf8"
)

// The text rule. PostgreSQL text cannot hold a NUL character or bytes that are not UTF-8, and
// SQLite would store them as sent, so the two stores would disagree. Text a caller sends is
// therefore refused unless IsText holds (InvalidText is the answer), and text the server must
// keep whatever its bytes, a carrier's webhook or a model's answer, is made storable with
// CleanText.

// IsText reports whether s is valid UTF-8 without a NUL character: text either store can hold.
func IsText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// InvalidText is the one answer to a field that breaks the text rule; field names it as the
// caller wrote it ("agent_name", "contacts[2].first_name", "row 3, column notes").
func InvalidText(field string) *Error {
	return Invalid("%s must be valid UTF-8 text without NUL characters", field)
}

// CleanText makes s storable: each run of bytes that are not UTF-8 becomes one U+FFFD and NUL
// characters are dropped. It returns s itself when s is already text.
func CleanText(s string) string {
	if IsText(s) {
		return s
	}
	s = strings.ToValidUTF8(s, string(utf8.RuneError))
	return strings.ReplaceAll(s, "\x00", "")
}
