// Package segment tells how many SMS segments a message body costs and in which encoding a
// carrier will send it, and rewrites AI-written typography so it stays in the cheap encoding.
//
// Carriers bill per segment, not per message (spec/compliance.md §5), so usage and analytics
// count segments. A body made only of GSM 03.38 characters goes out as GSM-7: 160 septets in a
// single segment, 153 per part once concatenated (a 6-byte user data header eats the rest).
// One character outside that alphabet turns the whole message into UCS-2: 70 UTF-16 code units
// single, 67 per part. Parts are counted the way an encoder fills them: a character never
// straddles two parts, so a 2-septet escape pair or a surrogate pair that does not fit in what
// is left of a part opens the next one, and the count can exceed ceil(units/153).
//
// National language shift tables (Turkish, Spanish, Portuguese, Indian scripts) are not used:
// US carriers do not apply them, and counting with them would under-bill.
//
// Everything here is pure: no I/O, no state, safe for concurrent use.
package segment

// Encoding names the character encoding a carrier will use for a message.
type Encoding string

// The two encodings an SMS body can be sent in.
const (
	// GSM7 is the 7-bit GSM 03.38 default alphabet plus its extension table.
	GSM7 Encoding = "GSM-7"
	// UCS2 is 16-bit UCS-2/UTF-16, used as soon as one character is outside GSM-7.
	UCS2 Encoding = "UCS-2"
)

// MaxSegments is the default cap on segments per message. Carriers concatenate up to about
// 10 to 16 parts and some handsets drop longer messages; 10 is the safe common limit
// (spec/compliance.md §5). Organizations may configure another cap.
const MaxSegments = 10

// Payload sizes per segment, in encoding units. Concatenated parts lose room to the
// user data header that tells the handset how to reassemble them.
const (
	gsmSingle = 160
	gsmPart   = 153
	ucsSingle = 70
	ucsPart   = 67
)

// Count is what a message body costs.
type Count struct {
	// Encoding is the encoding the whole body is sent in.
	Encoding Encoding
	// Segments is the number of billed SMS parts; at least 1, since carriers bill an empty
	// message as one segment.
	Segments int
	// Units is the payload length: septets for GSM-7 (extension-table characters count 2,
	// as they are sent as ESC + code) and UTF-16 code units for UCS-2 (characters outside
	// the Basic Multilingual Plane, such as most emoji, count 2).
	Units int
}

// Of counts the encoding, units and segments of body.
//
// Bytes that are not valid UTF-8 are counted as U+FFFD (one UCS-2 unit each), which is what
// a carrier API receiving the string would most likely substitute.
func Of(body string) Count {
	if units, ok := gsmLen(body); ok {
		return Count{Encoding: GSM7, Units: units, Segments: parts(body, units, gsmSingle, gsmPart, septets)}
	}
	units := 0
	for _, r := range body {
		units += utf16Units(r)
	}
	return Count{Encoding: UCS2, Units: units, Segments: parts(body, units, ucsSingle, ucsPart, utf16Units)}
}

// Fits reports whether body fits in at most max segments. A max of zero or less means the
// default, MaxSegments: an unset per-organization setting must not block every send.
func Fits(body string, max int) bool {
	if max <= 0 {
		max = MaxSegments
	}
	return Of(body).Segments <= max
}

// parts counts the segments of body whose total size is units, given the per-rune size
// function. It fills each concatenated part greedily and never splits a rune across parts,
// as a real encoder does with escape sequences and surrogate pairs.
func parts(body string, units, single, part int, size func(rune) int) int {
	if units <= single {
		return 1
	}
	n, used := 1, 0
	for _, r := range body {
		w := size(r)
		if used+w > part {
			n++
			used = 0
		}
		used += w
	}
	return n
}

// gsmLen returns the septet length of body and whether every rune is in GSM-7.
func gsmLen(body string) (int, bool) {
	n := 0
	for _, r := range body {
		w := septets(r)
		if w == 0 {
			return 0, false
		}
		n += w
	}
	return n, true
}

// utf16Units is the number of UTF-16 code units r takes: 2 for a surrogate pair.
// Go yields U+FFFD for invalid UTF-8, which is in the BMP, so the result is 1 or 2.
func utf16Units(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}
