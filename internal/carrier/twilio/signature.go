package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// signature computes X-Twilio-Signature: HMAC-SHA1, keyed by the auth token, over the full URL
// Twilio called followed by every POST parameter sorted by name, as name then value with no
// separators (repeated names keep their values' order), in standard base64.
func signature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		for _, v := range params[k] {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// validSignature compares sig, in constant time, with the signature of fullURL and with that
// of the same URL with the scheme's default port added or removed: Twilio is inconsistent
// about including ":443", and twilio-go accepts both.
func validSignature(authToken, fullURL string, params url.Values, sig string) bool {
	ok := false
	for _, u := range urlVariants(fullURL) {
		// Check every variant, without stopping early, so timing says nothing about which matched.
		ok = hmac.Equal([]byte(signature(authToken, u, params)), []byte(sig)) || ok
	}
	return ok
}

var defaultPorts = map[string]string{"https": "443", "http": "80"}

// urlVariants returns raw and raw with its default port toggled. It edits the string rather
// than re-serialising a parsed URL, because the signature covers the exact bytes Twilio used.
func urlVariants(raw string) []string {
	scheme, rest, ok := strings.Cut(raw, "://")
	def := defaultPorts[strings.ToLower(scheme)]
	if !ok || def == "" {
		return []string{raw}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, tail := rest[:end], rest[end:]
	var alt string
	switch {
	case strings.HasSuffix(host, ":"+def):
		alt = strings.TrimSuffix(host, ":"+def)
	case strings.LastIndexByte(host, ':') <= strings.LastIndexByte(host, ']'):
		alt = host + ":" + def // no port yet (the ']' test skips IPv6 literals' colons)
	default:
		return []string{raw}
	}
	return []string{raw, scheme + "://" + alt + tail}
}
