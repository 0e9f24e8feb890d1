// Package mail is Temaplan's e-mail: invitations, password resets,
// notifications (@mentions, review-round requests and their deadline
// reminders, daily digests) and hearing receipts, written in bokmål or
// nynorsk and delivered over SMTP from a persistent outbox.
//
// # Nothing is lost
//
// A message is rendered and stored in the outbox before the request that
// caused it returns; a sender loop on every node delivers what is due,
// retrying with exponential backoff while the SMTP server is down. Every
// decision is a unique insert, as everywhere in Temaplan (ARCHITECTURE.md),
// so several nodes may send from one outbox:
//
//   - a message's id derives from what it is about (MessageID: kind, plan,
//     event, recipient), so enqueueing it twice — a retried request, two
//     nodes ticking the same reminder — stores it once;
//   - attempt n of a message is claimed by inserting (message, n): one node
//     wins it and sends, the others pass. A claim expires (ClaimTTL), so a
//     node that crashes while sending holds the message up, never loses it;
//   - the outcome (sent, or failed for good) is inserted once per message.
//
// Updates only refresh caches: when a message is next due, whether it is
// finished, whether a digest item went into a digest. A lost cache update
// makes a sender look at a message again and find its record. Only the
// node holding a message's claim writes the message's caches (FerretDB
// rewrites a whole document on update, so two writers could undo each
// other's fields).
//
// Delivery is at least once: a node whose claim expired while its SMTP
// server still took the message would be repeated by the next attempt.
// Sends are cut off (SendTimeout) well before the claim expires, and every
// message carries a Message-ID derived from its id, so receivers can tell
// a repeat.
package mail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Kind is what a message is about; it chooses the templates.
type Kind string

// The kinds of message.
const (
	KindInvitation     Kind = "invitation"
	KindPasswordReset  Kind = "password_reset"
	KindMention        Kind = "mention"
	KindRoundRequest   Kind = "round_request"
	KindRoundReminder  Kind = "round_reminder"
	KindHearingReceipt Kind = "hearing_receipt"
	KindDigest         Kind = "digest"
)

// Kinds lists every kind of message.
func Kinds() []Kind {
	return []Kind{KindInvitation, KindPasswordReset, KindMention, KindRoundRequest,
		KindRoundReminder, KindHearingReceipt, KindDigest}
}

// Lang is the language a message is written in.
type Lang string

// The languages of messages: bokmål (the default) and nynorsk.
const (
	LangNB Lang = "nb"
	LangNN Lang = "nn"
)

// Langs lists the languages of messages.
func Langs() []Lang { return []Lang{LangNB, LangNN} }

// MessageID returns the id of the message of kind about parts (a plan, an
// event, a recipient, ...). The same parts give the same id, which is what
// makes enqueueing idempotent; the parts are hashed, so no user input ends
// up in the id (or in the Message-ID header built from it).
func MessageID(kind Kind, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return string(kind) + "-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Message is one e-mail in the outbox, rendered for its recipient.
type Message struct {
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// User is the recipient's account, "" for people without one (a
	// hearing response's sender).
	User    string    `json:"user,omitempty"`
	To      string    `json:"to"`
	Lang    Lang      `json:"lang"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	HTML    string    `json:"html,omitempty"`
	Created time.Time `json:"created"`
}

// Attempt is the claim of the n-th try to send a message. The node that
// inserted it sends; others wait until RetryAt: the end of the claim while
// it runs (Claimed + ClaimTTL), the end of the backoff once it failed.
type Attempt struct {
	Msg     string    `json:"msg"`
	N       int       `json:"n"`
	Node    string    `json:"node"`
	Claimed time.Time `json:"claimed"`
	RetryAt time.Time `json:"retry_at"`
	Error   string    `json:"error,omitempty"`
}

// Outcome is how a message ended.
type Outcome string

// The outcomes of a message.
const (
	OutcomeSent   Outcome = "sent"
	OutcomeFailed Outcome = "failed"
)

// Result is the one outcome of a message: sent, or failed for good (the
// server refused it, or every attempt failed).
type Result struct {
	Msg     string    `json:"msg"`
	Attempt int       `json:"attempt"`
	Outcome Outcome   `json:"outcome"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// Token is a stored password token (an invitation or a reset): only the
// hash of the secret the link carries is kept.
type Token struct {
	Hash    string    `json:"hash"`
	Kind    Kind      `json:"kind"`
	User    string    `json:"user"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// Mode is how often a person gets notifications.
type Mode string

// The notification modes.
const (
	ModeInstant Mode = "instant"
	ModeDigest  Mode = "digest"
	ModeOff     Mode = "off"
)

// Prefs is a person's notification setting. Invitations and password
// resets are sent whatever it says.
type Prefs struct {
	User    string    `json:"-"`
	Mode    Mode      `json:"mode"`
	Lang    Lang      `json:"lang"`
	Updated time.Time `json:"updated,omitzero"`
}

// DefaultPrefs are the settings of a person who has chosen none.
func DefaultPrefs(user string) Prefs { return Prefs{User: user, Mode: ModeInstant, Lang: LangNB} }

// DigestItem is a notification held for a person's daily digest: its
// subject, a short text and a link, in the person's language. Its ID is
// the id the message would have had, so it is held once; Day is the date
// (YYYY-MM-DD, in the municipality's time zone) whose digest it goes into.
type DigestItem struct {
	ID      string    `json:"id"`
	User    string    `json:"user"`
	Day     string    `json:"day"`
	Kind    Kind      `json:"kind"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	Link    string    `json:"link"`
	Created time.Time `json:"created"`
}

// Store is what the e-mail needs from the database. The two adapters
// (collab/sqlite and collab/mongo) implement it, and the contract suite in
// collab/storetest runs against both. Errors for refused unique keys wrap
// collab.ErrDuplicate; times come back in UTC at millisecond precision.
type Store interface {
	// EnqueueMail inserts m, due at once; an existing id is ErrDuplicate.
	EnqueueMail(ctx context.Context, m Message) error
	// MailMessage returns the message with id, if any.
	MailMessage(ctx context.Context, id string) (Message, bool, error)
	// DueMail returns at most limit unfinished messages due at now,
	// the longest due first.
	DueMail(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// SetMailDue sets when message id is next due (a cache).
	SetMailDue(ctx context.Context, id string, at time.Time) error
	// ClaimMail inserts attempt a; an existing (a.Msg, a.N) is
	// ErrDuplicate: another node has claimed that attempt.
	ClaimMail(ctx context.Context, a Attempt) error
	// MailAttempts returns the attempts of message msg by N.
	MailAttempts(ctx context.Context, msg string) ([]Attempt, error)
	// RetryMailAttempt records that attempt n of msg failed with errText
	// and sets its RetryAt. Only the node that claimed it calls it.
	RetryMailAttempt(ctx context.Context, msg string, n int, retryAt time.Time, errText string) error
	// FinishMail inserts r and marks its message finished, dropping its
	// text and HTML, which may hold a password link and are not needed
	// any more; a message finished already is ErrDuplicate (and stays
	// marked).
	FinishMail(ctx context.Context, r Result) error
	// MailResult returns the outcome of message msg, if it has one.
	MailResult(ctx context.Context, msg string) (Result, bool, error)
	// PendingMail counts the unfinished messages: the outbox depth.
	PendingMail(ctx context.Context) (int, error)

	// InsertMailToken inserts t; an existing hash is ErrDuplicate.
	InsertMailToken(ctx context.Context, t Token) error
	// MailToken returns the token with hash, if any.
	MailToken(ctx context.Context, hash string) (Token, bool, error)
	// MailTokens returns the tokens of user, oldest first.
	MailTokens(ctx context.Context, user string) ([]Token, error)
	// UseMailToken records that the token with hash was used at at; a
	// token used already is ErrDuplicate. This insert is what makes a
	// token single-use.
	UseMailToken(ctx context.Context, hash string, at time.Time) error
	// MailTokenUsed returns when the token with hash was used, if it was.
	MailTokenUsed(ctx context.Context, hash string) (time.Time, bool, error)

	// MailPrefs returns the notification setting of user, if any.
	MailPrefs(ctx context.Context, user string) (Prefs, bool, error)
	// SetMailPrefs stores p as the setting of p.User (the last write wins).
	SetMailPrefs(ctx context.Context, p Prefs) error

	// AddDigestItem inserts it; an existing id is ErrDuplicate.
	AddDigestItem(ctx context.Context, it DigestItem) error
	// DigestItems returns at most limit items not yet in a digest whose
	// Day is before before (YYYY-MM-DD), by user, day, creation and id.
	DigestItems(ctx context.Context, before string, limit int) ([]DigestItem, error)
	// MarkDigested marks the items with ids as gone into a digest (a
	// cache: the digest message's own id decides).
	MarkDigested(ctx context.Context, ids []string) error

	// SessionFamilies returns the refresh-token families of user, so that
	// a new password can end every session of the account.
	SessionFamilies(ctx context.Context, user string) ([]string, error)
}

// cleanHeader removes line breaks and control characters from a text bound
// for a header or a subject line.
func cleanHeader(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
