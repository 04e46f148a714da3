package teli

import (
	"errors"
	"fmt"
)

// Code classifies a domain error. The HTTP edge maps each code to one status; nothing else in the
// server decides status codes.
type Code int

const (
	// CodeInternal is an unexpected failure; its text is never shown to a caller.
	CodeInternal Code = iota
	// CodeInvalid is bad input: a missing, malformed or out-of-range field.
	CodeInvalid
	// CodeUnauthenticated means no usable credential was presented.
	CodeUnauthenticated
	// CodeForbidden means the caller is known but not allowed to do this.
	CodeForbidden
	// CodeNotFound means the object does not exist or belongs to another tenant.
	CodeNotFound
	// CodeConflict means the request clashes with existing state (a duplicate, say).
	CodeConflict
	// CodeUnavailable means a dependency (a voice platform, say) failed; retrying may help.
	CodeUnavailable
	// CodeWrongState means the object's status does not allow the change asked for: a campaign
	// lifecycle action the transition table does not hold (resuming an active campaign), an
	// agent still in use. The Teli API's own conflicts (duplicates) are CodeConflict.
	CodeWrongState
	// CodeUpstream means the voice platform (or another provider the request acts through)
	// failed partway: nothing was changed here, and the same request may be retried.
	CodeUpstream
)

// Error is a domain error whose Message is safe to show to the API caller verbatim. Detail is an
// optional second text (the spec's 403 body carries one).
type Error struct {
	Code    Code
	Message string
	Detail  string
	cause   error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

// Unwrap exposes the cause for errors.Is/As.
func (e *Error) Unwrap() error { return e.cause }

// Errorf builds a caller-visible error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid is shorthand for a CodeInvalid error.
func Invalid(format string, args ...any) *Error { return Errorf(CodeInvalid, format, args...) }

// NotFound is shorthand for a CodeNotFound error.
func NotFound(format string, args ...any) *Error { return Errorf(CodeNotFound, format, args...) }

// Wrap attaches a cause (kept for logs, never shown) to a caller-visible message.
func Wrap(code Code, cause error, message string) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// Sentinel errors returned by stores; services translate them into the spec's texts.
var (
	// ErrNotFound: no such row visible to this tenant.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a uniqueness rule would be broken.
	ErrConflict = errors.New("conflict")
)

// CodeOf reports the code of err: the Code of a wrapped *Error, CodeNotFound/CodeConflict for the
// store sentinels, CodeInternal otherwise.
func CodeOf(err error) Code {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, ErrNotFound):
		return CodeNotFound
	case errors.Is(err, ErrConflict):
		return CodeConflict
	default:
		return CodeInternal
	}
}
