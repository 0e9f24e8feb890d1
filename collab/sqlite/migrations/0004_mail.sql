-- E-mail (package mail): the outbox with its attempts and outcomes, the
-- password links (invitations and resets), the notification settings and
-- the items held for daily digests. Times are unix milliseconds.
--
-- Every decision is a unique insert: a message is enqueued once (its id
-- derives from what it is about), attempt n of a message is claimed once
-- (msg, n), a message finishes once (msg), and a password link is used
-- once (hash). The columns marked "cache" are only refreshed by updates.
-- (IF NOT EXISTS: a database taken back to an earlier schema version, as
-- the migration tests do, keeps these tables.)

CREATE TABLE IF NOT EXISTS mail_outbox (
	id        TEXT    NOT NULL PRIMARY KEY,
	kind      TEXT    NOT NULL,
	user_id   TEXT    NOT NULL,
	recipient TEXT    NOT NULL,
	lang      TEXT    NOT NULL,
	subject   TEXT    NOT NULL,
	text      TEXT    NOT NULL,
	html      TEXT    NOT NULL,
	created   INTEGER NOT NULL,
	-- cache: when a sender should look at the message next
	due       INTEGER NOT NULL,
	-- cache: whether mail_results holds its outcome
	done      INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1))
) STRICT;

CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (done, due, id);

CREATE TABLE IF NOT EXISTS mail_attempts (
	msg      TEXT    NOT NULL,
	n        INTEGER NOT NULL,
	node     TEXT    NOT NULL,
	claimed  INTEGER NOT NULL,
	retry_at INTEGER NOT NULL,
	error    TEXT    NOT NULL,
	PRIMARY KEY (msg, n)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS mail_results (
	msg     TEXT    NOT NULL PRIMARY KEY,
	attempt INTEGER NOT NULL,
	outcome TEXT    NOT NULL,
	error   TEXT    NOT NULL,
	at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS mail_tokens (
	hash    TEXT    NOT NULL PRIMARY KEY,
	kind    TEXT    NOT NULL,
	user_id TEXT    NOT NULL,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS mail_tokens_user ON mail_tokens (user_id, created);

CREATE TABLE IF NOT EXISTS mail_token_uses (
	hash TEXT    NOT NULL PRIMARY KEY,
	at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS mail_prefs (
	user_id TEXT    NOT NULL PRIMARY KEY,
	mode    TEXT    NOT NULL,
	lang    TEXT    NOT NULL,
	updated INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS mail_digest_items (
	id       TEXT    NOT NULL PRIMARY KEY,
	user_id  TEXT    NOT NULL,
	day      TEXT    NOT NULL,
	kind     TEXT    NOT NULL,
	subject  TEXT    NOT NULL,
	text     TEXT    NOT NULL,
	link     TEXT    NOT NULL,
	created  INTEGER NOT NULL,
	-- cache: whether the item went into its day's digest
	digested INTEGER NOT NULL DEFAULT 0 CHECK (digested IN (0, 1))
) STRICT;

CREATE INDEX IF NOT EXISTS mail_digest_pending ON mail_digest_items (digested, user_id, day, created, id);

-- A new password ends every session of the account: its refresh-token
-- families are found by user.
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id, family);
