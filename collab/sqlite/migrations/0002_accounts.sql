-- What the auth layer keeps: municipalities (tenants), accounts, refresh
-- tokens with the revocations of their families, and the audit log. Times
-- are unix milliseconds; booleans are 0 or 1.

CREATE TABLE municipalities (
	id      TEXT    NOT NULL PRIMARY KEY,
	name    TEXT    NOT NULL,
	created INTEGER NOT NULL
) STRICT;

-- An e-mail address is taken by inserting the account: email is unique
-- across all municipalities, compared byte for byte (callers normalise it).
-- No foreign key to municipalities: the MongoDB store cannot enforce one,
-- and both stores accept the same writes.
CREATE TABLE accounts (
	id            TEXT    NOT NULL PRIMARY KEY,
	email         TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL,
	municipality  TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	admin         INTEGER NOT NULL CHECK (admin IN (0, 1)),
	disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
	created       INTEGER NOT NULL,
	updated       INTEGER NOT NULL
) STRICT;

CREATE INDEX accounts_municipality ON accounts (municipality, email);

-- A token is rotated by inserting its successor: (family, gen) decides
-- which of two rotations of one token wins.
CREATE TABLE refresh_tokens (
	hash       TEXT    NOT NULL PRIMARY KEY,
	family     TEXT    NOT NULL,
	gen        INTEGER NOT NULL,
	user_id    TEXT    NOT NULL,
	issued_at  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	UNIQUE (family, gen)
) STRICT, WITHOUT ROWID;

-- The first revocation of a family is kept.
CREATE TABLE revoked_families (
	family TEXT    NOT NULL PRIMARY KEY,
	at     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The audit log, read newest first (at DESC, id DESC) per municipality and
-- per plan; plan is '' for events that concern no single plan. The id ends
-- each index so that the order of events at the same millisecond comes from
-- the index too.
CREATE TABLE audit (
	id           TEXT    NOT NULL PRIMARY KEY,
	municipality TEXT    NOT NULL,
	plan         TEXT    NOT NULL,
	actor        TEXT    NOT NULL,
	action       TEXT    NOT NULL,
	"from"       TEXT    NOT NULL,
	"to"         TEXT    NOT NULL,
	detail       TEXT    NOT NULL,
	ip           TEXT    NOT NULL,
	at           INTEGER NOT NULL
) STRICT;

CREATE INDEX audit_municipality_at ON audit (municipality, at, id);
CREATE INDEX audit_municipality_plan_at ON audit (municipality, plan, at, id);
