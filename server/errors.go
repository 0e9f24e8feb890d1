package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/temaplan/temaplan/collab"
)

// httpStatus is the one table from error code to HTTP status. Every code of
// collab.Codes() has an entry (a test checks it).
func httpStatus(code collab.Code) (int, bool) {
	switch code {
	case collab.CodeInvalid:
		return http.StatusUnprocessableEntity, true
	case collab.CodeBadRequest:
		return http.StatusBadRequest, true
	case collab.CodeBadOp:
		return http.StatusUnprocessableEntity, true
	case collab.CodeUnauthorized:
		return http.StatusUnauthorized, true
	case collab.CodeForbidden:
		return http.StatusForbidden, true
	case collab.CodeNotFound:
		return http.StatusNotFound, true
	case collab.CodeConflict:
		return http.StatusConflict, true
	case collab.CodeLocked:
		return http.StatusLocked, true
	case collab.CodeStale:
		return http.StatusConflict, true
	case collab.CodeTooLarge:
		return http.StatusRequestEntityTooLarge, true
	case collab.CodeRateLimited:
		return http.StatusTooManyRequests, true
	case collab.CodeWrongPhase, collab.CodePrivacyFlagsOpen,
		collab.CodeRequiredChangesOpen, collab.CodeAssessmentsMissing,
		collab.CodeHearingNotOver, collab.CodeApprovalMissing:
		return http.StatusConflict, true
	case collab.CodeUnavailable, collab.CodeExportUnavailable:
		return http.StatusServiceUnavailable, true
	case collab.CodeArchived:
		return http.StatusConflict, true
	case collab.CodeNoLoginMethod, collab.CodeOIDCNotConfigured:
		return http.StatusUnprocessableEntity, true
	case collab.CodePasswordLoginDisabled, collab.CodeSSOEmailUnverified, collab.CodeSSONotAllowed,
		collab.CodeAccountDisabled:
		return http.StatusForbidden, true
	case collab.CodeSSOExpired, collab.CodeSSOFailed:
		return http.StatusUnauthorized, true
	case collab.CodeTokenExpired, collab.CodeTokenUsed:
		return http.StatusGone, true
	case collab.CodeHearingTooShort:
		return http.StatusUnprocessableEntity, true
	case collab.CodeHearingClosed:
		return http.StatusGone, true
	case collab.CodeInternal:
		return http.StatusInternalServerError, true
	}
	return 0, false
}

// codeForStatus gives the errors Echo itself raises (no route, wrong
// method, ...) a code of the registry.
func codeForStatus(status int) collab.Code {
	switch {
	case status == http.StatusUnauthorized:
		return collab.CodeUnauthorized
	case status == http.StatusForbidden:
		return collab.CodeForbidden
	case status == http.StatusNotFound:
		return collab.CodeNotFound
	case status == http.StatusRequestEntityTooLarge:
		return collab.CodeTooLarge
	case status == http.StatusTooManyRequests:
		return collab.CodeRateLimited
	case status == http.StatusServiceUnavailable:
		return collab.CodeUnavailable
	case status >= 400 && status < 500:
		return collab.CodeBadRequest
	}
	return collab.CodeInternal
}

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    collab.Code `json:"code"`
	Message string      `json:"message"`
}

// handleError is Echo's HTTPErrorHandler: it answers every error in the
// one shape {"error":{"code","message"}}. Internal errors are logged with
// their cause and shown to the client only as "internal error".
func (s *Server) handleError(err error, c echo.Context) {
	status, code, msg := s.describe(err, c)
	s.metrics.failed("http", code)
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", rid, "code", code, "err", err)
	}
	if c.Response().Committed {
		return
	}
	if code == collab.CodeUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="temaplan"`)
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, errorBody{Error: errorDetail{Code: code, Message: msg}})
	}
	if err != nil {
		s.log.Warn("error response not sent", "request_id", rid, "err", err)
	}
}

// describe returns the status, code and client message for err.
func (s *Server) describe(err error, c echo.Context) (int, collab.Code, string) {
	var ce *collab.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ce):
		status, ok := httpStatus(ce.Code)
		if !ok || ce.Code == collab.CodeInternal {
			return http.StatusInternalServerError, collab.CodeInternal, "internal error"
		}
		return status, ce.Code, ce.Message
	case errors.As(err, &he):
		code := codeForStatus(he.Code)
		if code == collab.CodeInternal {
			return http.StatusInternalServerError, code, "internal error"
		}
		return he.Code, code, echoMessage(he, c, s.cfg.BodyLimit)
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, collab.CodeUnavailable, "the server did not answer in time; try again"
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, collab.CodeUnavailable, "the request was cancelled"
	}
	return http.StatusInternalServerError, collab.CodeInternal, "internal error"
}

// echoMessage words the errors Echo raises for a person.
func echoMessage(he *echo.HTTPError, c echo.Context, limit int64) string {
	r := c.Request()
	switch he.Code {
	case http.StatusNotFound:
		return fmt.Sprintf("no such resource: %s %s", r.Method, r.URL.Path)
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path)
	case http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("the request body is larger than %d bytes", limit)
	}
	if m, ok := he.Message.(string); ok && m != "" {
		return m
	}
	return http.StatusText(he.Code)
}
