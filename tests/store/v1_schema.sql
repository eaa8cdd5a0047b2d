-- studytool progress database, schema version 1 (kept to test forward migration).
-- cards held fsrs Card.to_json() per review key; the log had no state, mode or scheduler.
CREATE TABLE cards (
    key TEXT PRIMARY KEY,
    card TEXT NOT NULL,
    orphaned INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE revlog (
    id INTEGER PRIMARY KEY,          -- review time, UTC epoch ms
    key TEXT NOT NULL REFERENCES cards(key),
    rating INTEGER NOT NULL,
    duration_ms INTEGER
);
PRAGMA user_version = 1;
