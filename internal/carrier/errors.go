package carrier

import (
	"errors"
	"fmt"
	"time"
)

// SendError is a provider's refusal of a request, classified so callers can act on it without
// knowing provider codes: retry later, mark the contact opted out, mark the number invalid, or
// fail the message.
type SendError struct {
	// Code is the provider's error code ("21610"), or an adapter code for failures that never
	// reached the provider ("transport").
	Code string
	// Message is the provider's text, for the message's error field. Providers may quote the
	// recipient's number in it (Twilio's 21211 does), so log it at debug level only.
	Message string
	// Retryable means the same request may succeed later.
	Retryable bool
	// RetryAfter is how long the provider asked to wait; zero when it did not say.
	RetryAfter time.Duration
	// Uncertain means the provider may have accepted the message despite the error (a timeout
	// or a server error after the request went out). Call FindSent before sending again.
	Uncertain bool
	// OptedOut means the provider refuses because the recipient unsubscribed from this sender
	// (Twilio 21610); the contact should be marked opted out even if Teli's list missed it.
	OptedOut bool
	// InvalidNumber means the recipient's number cannot receive messages (Twilio 21211).
	InvalidNumber bool
}

// Error returns "carrier error CODE: MESSAGE".
func (e *SendError) Error() string {
	return fmt.Sprintf("carrier error %s: %s", e.Code, e.Message)
}

// IsRetryable reports whether err is a *SendError that says a retry may succeed. Anything else
// is treated as permanent, because adapters classify every error they return.
func IsRetryable(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Retryable
}
