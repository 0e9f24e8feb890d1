-- The op log and snapshots of section documents, the log of every plan and
-- the cache of its folded state. Times are unix milliseconds; payloads are
-- JSON text, only ever read whole.

-- Every decision is a unique insert: (doc, v) decides which op gets a
-- version, (doc, src, seq) whether an op is a resend.
CREATE TABLE ops (
	doc  TEXT    NOT NULL,
	v    INTEGER NOT NULL CHECK (v >= 0),
	kind TEXT    NOT NULL,
	src  TEXT    NOT NULL,
	seq  INTEGER NOT NULL,
	"by" TEXT    NOT NULL,
	at   INTEGER NOT NULL,
	op   TEXT, -- NULL for a marker without a payload
	PRIMARY KEY (doc, v),
	UNIQUE (doc, src, seq)
) STRICT, WITHOUT ROWID;

-- Snapshots are caches: the first one stored for (doc, v) is kept.
CREATE TABLE snapshots (
	doc  TEXT    NOT NULL,
	v    INTEGER NOT NULL,
	data TEXT,
	at   INTEGER NOT NULL,
	PRIMARY KEY (doc, v)
) STRICT;

-- Inserting an entry is the commit point of a plan change.
CREATE TABLE plan_entries (
	plan TEXT    NOT NULL,
	seq  INTEGER NOT NULL,
	kind TEXT    NOT NULL,
	"by" TEXT    NOT NULL,
	at   INTEGER NOT NULL,
	data TEXT,
	PRIMARY KEY (plan, seq)
) STRICT, WITHOUT ROWID;

-- The fold of each plan's log up to seq; only a newer seq replaces it.
CREATE TABLE plan_states (
	plan         TEXT    NOT NULL PRIMARY KEY,
	municipality TEXT    NOT NULL,
	seq          INTEGER NOT NULL,
	data         TEXT,
	updated      INTEGER NOT NULL
) STRICT;

CREATE INDEX plan_states_municipality ON plan_states (municipality, plan);
