package store

import "time"

// NullIfEmpty stores "" as NULL, for optional text columns whose absence must not collide with
// a unique index or read as a value.
func NullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref reads an optional text column, NULL as "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// seconds encodes an optional duration as whole seconds; nil is NULL.
func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

// fromSeconds decodes what seconds encoded.
func fromSeconds(s *int64) *time.Duration {
	if s == nil {
		return nil
	}
	d := time.Duration(*s) * time.Second
	return &d
}
