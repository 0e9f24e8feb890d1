-- The export jobs (export.Store), so that any node answers for a job one
-- node runs: the job as JSON, its file once it is done, and when the node
-- running it last wrote it (unix milliseconds). Only that node writes a
-- job's row; rows are deleted an hour after their last write.

CREATE TABLE exports (
	id      TEXT    NOT NULL PRIMARY KEY,
	plan    TEXT    NOT NULL,
	job     TEXT    NOT NULL,
	file    BLOB,
	updated INTEGER NOT NULL
) STRICT;

CREATE INDEX exports_updated ON exports (updated);
