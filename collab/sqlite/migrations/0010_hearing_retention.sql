-- The deletion of hearing responses at the end of their retention
-- (collab.RetentionEnds, docs/hearing.md "Retention"): the name,
-- organisation, e-mail, text and quote of a deleted response are emptied
-- and deleted holds when (unix milliseconds; 0 while kept). The row, with
-- its receipt number, subject and received time, stays, so the
-- merknadsbehandling still counts the response.

ALTER TABLE hearing_responses ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;

CREATE INDEX IF NOT EXISTS hearing_responses_kept ON hearing_responses (deleted, plan);
