package segment

// basic is the GSM 03.38 default alphabet (3GPP TS 23.038 §6.2.1), indexed by septet value,
// so it can be checked against the standard's table row by row. 0x1B is the escape to the
// extension table, not a character; it is 0 here so no rune maps to it.
var basic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', // 0x00
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', 0, 'Æ', 'æ', 'ß', 'É', // 0x10
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', // 0x20
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', // 0x30
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', // 0x40
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', // 0x50
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', // 0x60
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', // 0x70
}

// extension is the GSM 03.38 extension table: each character is sent as ESC (0x1B) followed
// by the code below, so it costs 2 septets.
var extension = map[rune]byte{
	'\f': 0x0A, // form feed (page break)
	'^':  0x14,
	'{':  0x28,
	'}':  0x29,
	'\\': 0x2F,
	'[':  0x3C,
	'~':  0x3D,
	']':  0x3E,
	'|':  0x40,
	'€':  0x65,
}

// ccedilla is U+00E7 ç. Code 0x09 is drawn as capital Ç in 3GPP TS 23.038 but mapped to
// small ç in Unicode's GSM0338.TXT and in the original GSM 03.38; encoders send both as 0x09
// (the handset shows whichever glyph it has), so both count as 1 septet.
const ccedilla = 'ç'

// single holds every 1-septet rune, for O(1) lookup of non-ASCII letters.
var single = func() map[rune]bool {
	m := make(map[rune]bool, len(basic)+1)
	for code, r := range basic {
		if code != 0x1B {
			m[r] = true
		}
	}
	m[ccedilla] = true
	return m
}()

// septets is the GSM-7 size of r: 1 for the default alphabet, 2 for the extension table,
// 0 when r is not in GSM-7 at all.
func septets(r rune) int {
	if single[r] {
		return 1
	}
	if _, ok := extension[r]; ok {
		return 2
	}
	return 0
}
