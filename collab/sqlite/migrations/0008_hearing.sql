-- The public hearing (collab.HearingStore): the tokens of hearing pages,
-- the responses under their random receipt numbers, and the one
-- moderation decision per response. Every decision is a unique insert.
-- Times are unix milliseconds. (IF NOT EXISTS: a database taken back to an
-- earlier schema version, as the migration tests do, keeps these tables.)

CREATE TABLE IF NOT EXISTS hearing_tokens (
	token   TEXT    NOT NULL PRIMARY KEY,
	plan    TEXT    NOT NULL,
	created INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS hearing_responses (
	id           TEXT    NOT NULL PRIMARY KEY,
	plan         TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	organisation TEXT    NOT NULL,
	email        TEXT    NOT NULL,
	text         TEXT    NOT NULL,
	section      TEXT    NOT NULL,
	quote        TEXT    NOT NULL,
	subject      TEXT    NOT NULL,
	received     INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS hearing_responses_plan ON hearing_responses (plan, received, id);

CREATE TABLE IF NOT EXISTS hearing_moderations (
	response TEXT    NOT NULL PRIMARY KEY,
	plan     TEXT    NOT NULL,
	decision TEXT    NOT NULL,
	by_user  TEXT    NOT NULL,
	at       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS hearing_moderations_plan ON hearing_moderations (plan, response);
