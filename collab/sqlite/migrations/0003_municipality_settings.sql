-- A municipality's settings (auth.MunicipalitySettings) as one JSON object:
-- they are read and replaced whole, never queried by field.

ALTER TABLE municipalities ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
