package teli

import "time"

// Clock tells the time. Production uses the wall clock; tests inject a fixed or stepping one so
// responses and golden files are stable.
type Clock interface {
	Now() time.Time
}

// IDSource mints identifiers in Teli's formats. Production draws from crypto/rand; tests inject a
// deterministic sequence.
type IDSource interface {
	// UniqueID returns a Teli unique_id: 13-digit epoch milliseconds, "x", 18 random digits.
	UniqueID() string
	// UUID returns a version-4 UUID for internal record ids.
	UUID() string
	// Hex returns n random lowercase hex digits (voice-platform ids: agent_…, llm_…).
	Hex(n int) string
}
