// Package ids mints identifiers in Teli's formats: a random source for production and a
// deterministic sequence for tests and golden files.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/openteli/teli/internal/teli"
)

// Random draws ids from crypto/rand; the unique_id's millisecond part comes from clock.
type Random struct {
	Clock teli.Clock
}

// UniqueID returns "{epoch ms}x{18 random digits}".
func (r Random) UniqueID() string {
	return fmt.Sprintf("%dx%018d", r.Clock.Now().UnixMilli(), randomBelow(1e18))
}

// UUID returns a random version-4 UUID.
func (Random) UUID() string { return uuid.NewString() }

// Hex returns n random lowercase hex digits.
func (Random) Hex(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)[:n]
}

func randomBelow(n uint64) uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) % n
}

// Sequence yields predictable ids: every call advances one counter, so a test that makes the
// same requests in the same order sees the same ids. Safe for concurrent use.
type Sequence struct {
	// Millis is the epoch-millisecond part of every unique_id.
	Millis int64

	mu sync.Mutex
	n  uint64
}

func (s *Sequence) next() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.n
}

// UniqueID returns "{Millis}x{counter, 18 digits}".
func (s *Sequence) UniqueID() string { return fmt.Sprintf("%dx%018d", s.Millis, s.next()) }

// UUID returns a well-formed UUID whose last group is the counter.
func (s *Sequence) UUID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.next())
}

// Hex returns the counter as n hex digits, zero-padded on the left.
func (s *Sequence) Hex(n int) string {
	h := fmt.Sprintf("%0*x", n, s.next())
	return h[len(h)-n:]
}
