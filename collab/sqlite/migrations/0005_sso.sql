-- The single sign-on logins that were finished (auth.SSOStore): a callback
-- records the hash of its state, and the primary key decides that each
-- login at the provider is finished once — a replayed callback is refused.
-- A record is kept until expires (after which the login's cookie is
-- refused anyway) and then deleted. Times are unix milliseconds.

CREATE TABLE sso_states (
	key     TEXT    NOT NULL PRIMARY KEY,
	used    INTEGER NOT NULL,
	expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sso_states_expires ON sso_states (expires);
