package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/collab"
)

// bind decodes the JSON request body into v, strictly: Echo's binder
// accepts unknown fields, form bodies and query parameters, which would
// let a typo or an injection attempt pass silently. Here
//   - a body that is not application/json or not well-formed JSON is
//     bad_request;
//   - an unknown field, or a value of the wrong type (an object such as
//     {"$gt":""} where a string belongs), is invalid, naming the field;
//   - a body over the limit is too_large;
//   - anything after the JSON value is bad_request.
//
// v must be a pointer to a struct.
func bind(c echo.Context, v any) error {
	r := c.Request()
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return collab.Errorf(collab.CodeBadRequest, "the request body must be JSON, sent with Content-Type: application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err := tooLarge(err); err != nil {
			return err
		}
		return collab.Errorf(collab.CodeBadRequest, "malformed JSON: unexpected data after the JSON object")
	}
	return nil
}

// decodeError turns a json decoding error into an error of the registry.
func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case tooLarge(err) != nil:
		return tooLarge(err)
	case errors.Is(err, io.EOF):
		return collab.Errorf(collab.CodeBadRequest, "the request body is empty; it must be a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return collab.Errorf(collab.CodeBadRequest, "malformed JSON: the body ends in the middle of a value")
	case errors.As(err, &syn):
		return collab.Errorf(collab.CodeBadRequest, "malformed JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return collab.Errorf(collab.CodeInvalid, "the request body must be a JSON object, not %s", typ.Value)
		}
		return collab.Errorf(collab.CodeInvalid, "field %q must be %s, not %s", typ.Field, describeType(typ.Type), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no error type for this; its message is
		// `json: unknown field "name"`.
		return collab.Errorf(collab.CodeInvalid, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("decode request body: %w", err)
}

// tooLarge returns a too_large error when err says the body limit was hit,
// and nil otherwise.
func tooLarge(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return collab.Errorf(collab.CodeTooLarge, "the request body is larger than %d bytes", mb.Limit)
	}
	return nil
}

// describeType names a Go type the way a JSON client thinks of it.
func describeType(t reflect.Type) string {
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
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.String()
}

// bodyLimit refuses request bodies over limit bytes: at once when the
// declared length is too large, and while reading otherwise (bind reports
// the *http.MaxBytesError as too_large).
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > limit {
				return collab.Errorf(collab.CodeTooLarge, "the request body is larger than %d bytes", limit)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			return next(c)
		}
	}
}
