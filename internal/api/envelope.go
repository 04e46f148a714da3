package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"

	"github.com/openteli/teli/internal/teli"
)

// poweredBy is in every body the Teli API returns.
const poweredBy = "Teli"

// msgInternal is all a caller learns of an unexpected failure; the cause goes to the log.
const msgInternal = "Internal server error"

// obj is a response body under construction: the payload keys at top level, as Teli has it.
type obj map[string]any

// writeOK sends a success body: success=true and powered_by are added.
func writeOK(w http.ResponseWriter, status int, body obj) {
	body["success"] = true
	body["powered_by"] = poweredBy
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body) // the client went away: nothing to do
}

// statusOf is the one mapping from domain error codes to HTTP statuses. Duplicates are 400, as
// the Teli API documents no 409. A lifecycle action the campaign's status does not allow is
// 409: pause, resume and end are this server's own endpoints, not the Teli API's.
func statusOf(c teli.Code) int {
	switch c {
	case teli.CodeInvalid, teli.CodeConflict:
		return http.StatusBadRequest
	case teli.CodeWrongState:
		return http.StatusConflict
	case teli.CodeUnauthenticated:
		return http.StatusUnauthorized
	case teli.CodeForbidden:
		return http.StatusForbidden
	case teli.CodeNotFound:
		return http.StatusNotFound
	case teli.CodeUnavailable:
		return http.StatusServiceUnavailable
	case teli.CodeUpstream:
		return http.StatusBadGateway
	default:
		return http.StatusInternalServerError
	}
}

// writeError sends err in Teli's error envelope. Domain errors carry their caller-visible text;
// anything else is logged and answered with a generic 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *teli.Error
	var tooLarge errBodyTooLarge
	status := 0
	switch {
	case errors.As(err, &tooLarge):
		e, status = teli.Invalid("%s", tooLarge.Error()), http.StatusRequestEntityTooLarge
	case !errors.As(err, &e):
		e = &teli.Error{Code: teli.CodeOf(err), Message: msgInternal}
	}
	if status == 0 {
		status = statusOf(e.Code)
	}
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "err", err)
	}
	body := obj{"success": false, "error": e.Message, "powered_by": poweredBy}
	if e.Detail != "" {
		body["detail"] = e.Detail
	}
	writeJSON(w, status, body)
}

// errBodyTooLarge is answered with 413: the limit protects the server, not a contract field.
type errBodyTooLarge struct{ limit int64 }

func (e errBodyTooLarge) Error() string {
	return fmt.Sprintf("Request body too large (limit %d bytes)", e.limit)
}

// decodeBody reads one JSON object from the request into dst, with errors a caller can act on:
// which string breaks the text rule, which field has the wrong type, whether the JSON is
// malformed, whether the body is too large.
func decodeBody(r *http.Request, dst any) error {
	data, err := io.ReadAll(r.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return errBodyTooLarge{tooLarge.Limit}
	}
	if err != nil {
		return teli.Invalid("could not read request body")
	}
	trimmed := strings.TrimSpace(string(data))
	if trimmed == "" || trimmed[0] != '{' {
		return teli.Invalid("Request body must be a JSON object")
	}
	// First the text rule, which depends on the bytes alone, not on which fields dst has.
	if err := checkJSONText(data); err != nil {
		return err
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return jsonError(data, err)
	}
	return nil
}

// jsonError explains why data did not decode. A value of the wrong type is named by its path in
// data as the caller wrote it (phone_numbers[1], voice_speed), which the decoder's own field path
// cannot do: it names struct fields and leaves out array indexes.
func jsonError(data []byte, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		field := cmp.Or(jsonPathAt(data, typeErr.Offset), typeErr.Field)
		return teli.Invalid("%s must be %s", field, jsonKind(typeErr.Type))
	}
	return teli.Invalid("Invalid JSON in request body")
}

// jsonKind names a Go type the way a JSON author thinks of it.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}
