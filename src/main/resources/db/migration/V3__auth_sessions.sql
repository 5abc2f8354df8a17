-- SPEC 5.2 sessions. The app secret is needed to sign heartbeat answers, whose requests do
-- not carry it; it is kept only XOR-ed with a keystream derived from the session token,
-- whose digest alone is stored: the database by itself yields neither.
ALTER TABLE sessions ADD COLUMN secret_box bytea NOT NULL;
-- Credits: a session costs one more each 60 minutes of heartbeats; billed_until is the end
-- of the hour already paid for.
ALTER TABLE sessions ADD COLUMN billed_until timestamptz NOT NULL;
CREATE INDEX sessions_license ON sessions (license_id);
