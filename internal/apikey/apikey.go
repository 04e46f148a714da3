// Package apikey mints API keys and derives the hash under which they are stored. Keys are 256
// random bits, so a single SHA-256 is a sufficient one-way hash: no dictionary can reach them,
// and a fast hash keeps authentication to one indexed lookup per request.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// Prefix starts every key this server mints, so a leaked key is recognisable by scanners.
const Prefix = "teli_"

// MinLength is the shortest key accepted from an operator (TELI_BOOTSTRAP_API_KEY).
const MinLength = 16

var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a fresh random key.
func New() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails on supported platforms
	return Prefix + strings.ToLower(encoding.EncodeToString(b))
}

// Hash returns the stored form of key.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// DisplayPrefix is the part of a key kept in clear for listings: enough to tell keys apart,
// far too little to guess the rest.
func DisplayPrefix(key string) string {
	const n = 12
	if len(key) <= n {
		return key[:len(key)/2]
	}
	return key[:n]
}
