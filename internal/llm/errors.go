package llm

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalidRequest is wrapped by errors about a malformed Request (a caller bug); such a call
// never reaches the provider and must not be retried.
var ErrInvalidRequest = errors.New("llm: invalid request")

// ErrInvalidOutput is wrapped by errors about model output that cannot be used: tool-call
// arguments that are not valid JSON, or no JSON value where a Schema asked for one. Complete
// returns the Response with it. Asking again may well succeed (models are not deterministic),
// but the adapter does not do that by itself.
var ErrInvalidOutput = errors.New("llm: invalid model output")

// Error is a failed call to a provider: an error response, a timeout or a connection failure.
type Error struct {
	// Provider names the adapter ("openai", "anthropic").
	Provider string
	// StatusCode is the HTTP status; 0 when no response arrived (timeout, connection error) or
	// the error came inside a stream that had started with 200.
	StatusCode int
	// Type and Code are the provider's classification, when it gave one: OpenAI's error.type
	// and error.code ("insufficient_quota", "rate_limit_exceeded"), Anthropic's error.type
	// ("overloaded_error"). A numeric code (llama.cpp, vLLM) is kept as its decimal text.
	Type, Code string
	// Message is the provider's message, or a description of the transport failure.
	Message string
	// Retryable says whether the same request may succeed later: true for 408, 409, 429 (except
	// exhausted quota), 5xx, 529, timeouts and connection errors; the provider's
	// x-should-retry header overrides the status rule.
	Retryable bool
	// RetryAfter is the delay the provider asked for (Retry-After-Ms or Retry-After), 0 if none.
	// When it exceeds the adapter's RetryPolicy.MaxRetryAfter the call was not retried, so a
	// caller that schedules work (a job queue) should wait this long before trying again.
	RetryAfter time.Duration
	// Attempts is how many HTTP requests were made before giving up.
	Attempts int
	// Err is the underlying cause, if any (a net error, context.DeadlineExceeded).
	Err error
}

// Error formats the error for logs; it never contains request content or credentials.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("llm")
	if e.Provider != "" {
		b.WriteString(": " + e.Provider)
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": status %d", e.StatusCode)
	}
	if kind := e.kind(); kind != "" {
		b.WriteString(" " + kind)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (%d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *Error) kind() string {
	switch {
	case e.Type != "" && e.Code != "" && e.Type != e.Code:
		return "(" + e.Type + ", " + e.Code + ")"
	case e.Code != "":
		return "(" + e.Code + ")"
	case e.Type != "":
		return "(" + e.Type + ")"
	}
	return ""
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// RetryableStatus reports whether an HTTP status is worth retrying: 408 (timeout), 409 (lock
// conflict), 429 (rate limit) and every 5xx, including Anthropic's 529 (overloaded). Quota
// exhaustion also arrives as 429; adapters recognise it from the body and do not retry it.
func RetryableStatus(status int) bool {
	return status == 408 || status == 409 || status == 429 || status >= 500
}

// IsRetryable reports whether err is an *Error that says the call may succeed later.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable
}

// RetryPolicy says how an adapter retries a failed call. The zero value is the default policy.
type RetryPolicy struct {
	// MaxRetries is how many times a retryable failure is retried; nil means
	// DefaultMaxRetries, new(0) (or a negative value) disables retrying.
	MaxRetries *int
	// BaseDelay is the first backoff when the provider gives no Retry-After; each retry doubles
	// it, up to MaxDelay, minus up to 25% jitter. Defaults 500ms and 8s.
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the adapter waits for; a longer one ends the
	// call at once with Error.RetryAfter set. Default 60s.
	MaxRetryAfter time.Duration
}

// Defaults of RetryPolicy (the same as OpenAI's and Anthropic's official SDKs, except
// MaxRetryAfter, which they do not have).
const (
	DefaultMaxRetries    = 2
	DefaultBaseDelay     = 500 * time.Millisecond
	DefaultMaxDelay      = 8 * time.Second
	DefaultMaxRetryAfter = 60 * time.Second
)

// WithDefaults returns p with every unset field set to its default.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	switch {
	case p.MaxRetries == nil:
		p.MaxRetries = new(DefaultMaxRetries)
	case *p.MaxRetries < 0:
		p.MaxRetries = new(0)
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = DefaultMaxRetryAfter
	}
	return p
}
