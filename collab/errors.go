package collab

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients switch on it; the
// server maps it to an HTTP status and to a WebSocket error frame, and every
// UI language catalogue has a message for it.
type Code string

// The registry of error codes. Add a code here, in server's status table and
// in every frontend message catalogue (tests check all three agree).
const (
	CodeInvalid             Code = "invalid"
	CodeBadRequest          Code = "bad_request"
	CodeBadOp               Code = "bad_op"
	CodeUnauthorized        Code = "unauthorized"
	CodeForbidden           Code = "forbidden"
	CodeNotFound            Code = "not_found"
	CodeConflict            Code = "conflict"
	CodeLocked              Code = "locked"
	CodeStale               Code = "stale"
	CodeTooLarge            Code = "too_large"
	CodeRateLimited         Code = "rate_limited"
	CodeWrongPhase          Code = "wrong_phase"
	CodePrivacyFlagsOpen    Code = "privacy_flags_open"
	CodeRequiredChangesOpen Code = "required_changes_open"
	CodeAssessmentsMissing  Code = "assessments_missing"
	CodeUnavailable         Code = "unavailable"
	CodeInternal            Code = "internal"
	// CodeArchived refuses a change to an archived plan: it is read-only
	// until an administrator restores it.
	CodeArchived Code = "archived"
	// CodeNoLoginMethod refuses municipality settings that leave its
	// people no way to log in.
	CodeNoLoginMethod Code = "no_login_method"
	// CodeOIDCNotConfigured refuses single sign-on settings on a server
	// without an OpenID Connect provider.
	CodeOIDCNotConfigured Code = "oidc_not_configured"
	// CodePasswordLoginDisabled refuses the right password of an account
	// whose municipality allows single sign-on only.
	CodePasswordLoginDisabled Code = "password_login_disabled"
	// CodeSSOExpired refuses a single sign-on answer that belongs to no
	// login under way in the browser: none started, another one, one
	// older than ten minutes, or one finished already (a replay).
	CodeSSOExpired Code = "sso_expired"
	// CodeSSOFailed refuses a single sign-on answer that does not verify:
	// the provider refused, the code exchange (PKCE) failed, or the ID
	// token has the wrong issuer, audience, signature, nonce or expiry.
	CodeSSOFailed Code = "sso_failed"
	// CodeSSOEmailUnverified refuses an identity without an e-mail address
	// that the provider vouches for.
	CodeSSOEmailUnverified Code = "sso_email_unverified"
	// CodeSSONotAllowed refuses a person whom no municipality lets in by
	// single sign-on.
	CodeSSONotAllowed Code = "sso_not_allowed"
	// CodeAccountDisabled refuses the single sign-on of a disabled account.
	CodeAccountDisabled Code = "account_disabled"
	// CodeTokenExpired and CodeTokenUsed refuse a password link
	// (invitation or reset) that has expired or was used already.
	CodeTokenExpired Code = "token_expired"
	CodeTokenUsed    Code = "token_used"
	// CodeExportUnavailable refuses an export this node cannot make: the
	// PDF printer (Chromium) is not installed, or the node is busy with
	// as many exports as it keeps.
	CodeExportUnavailable Code = "export_unavailable"
	// CodeHearingTooShort refuses a kommunedelplan's hearing deadline
	// less than six weeks away (plan- og bygningsloven).
	CodeHearingTooShort Code = "hearing_too_short"
	// CodeHearingClosed refuses a hearing response after the deadline.
	CodeHearingClosed Code = "hearing_closed"
	// CodeHearingNotOver refuses closing a hearing before its deadline
	// day has ended.
	CodeHearingNotOver Code = "hearing_not_over"
	// CodeApprovalMissing refuses recording the council's decision before
	// the steering group approved the final proposal.
	CodeApprovalMissing Code = "approval_missing"
)

// Codes lists every code of the registry, in a stable order.
func Codes() []Code {
	return []Code{
		CodeInvalid, CodeBadRequest, CodeBadOp, CodeUnauthorized, CodeForbidden,
		CodeNotFound, CodeConflict, CodeLocked, CodeStale, CodeTooLarge,
		CodeRateLimited, CodeWrongPhase, CodePrivacyFlagsOpen,
		CodeRequiredChangesOpen, CodeAssessmentsMissing, CodeUnavailable,
		CodeInternal, CodeArchived, CodeNoLoginMethod, CodeOIDCNotConfigured,
		CodePasswordLoginDisabled, CodeSSOExpired, CodeSSOFailed,
		CodeSSOEmailUnverified, CodeSSONotAllowed, CodeAccountDisabled,
		CodeTokenExpired, CodeTokenUsed, CodeExportUnavailable,
		CodeHearingTooShort, CodeHearingClosed, CodeHearingNotOver, CodeApprovalMissing,
	}
}

// Error is the error type of the domain: a stable code, a human message in
// English (the UI shows its own translation of the code) and the cause.
type Error struct {
	Code    Code
	Message string
	Err     error
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and message that wraps err.
func Wrap(code Code, err error, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none. A nil error has no code.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the human message of the first *Error in err's chain.
// Other errors are internal: their text is not shown to clients.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrDuplicate is returned (wrapped) by a store when a unique key refuses an
// insert. Every decision in Temaplan is such an insert: which op gets a
// version, whether a resend is a duplicate, whether a plan entry wins its seq.
var ErrDuplicate = errors.New("duplicate key")

// ErrNotFound is returned (wrapped) by a store when an update names a
// record that does not exist.
var ErrNotFound = errors.New("not found")
