-- studytool progress database, schema version 2 (kept to test forward migration).
-- v3 added the quiz tables; before it, the quiz log created them on a quiz's first write.
CREATE TABLE cards (
    id INTEGER PRIMARY KEY,            -- the fsrs card_id
    key TEXT NOT NULL UNIQUE,          -- review key: deck/card or deck/card@rev
    deck TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 3),  -- 0 = new, else fsrs.State
    step INTEGER,
    stability REAL,
    difficulty REAL,
    due_ms INTEGER,                    -- UTC epoch ms; NULL while new
    last_review_ms INTEGER,
    buried_until_ms INTEGER,
    suspended INTEGER NOT NULL DEFAULT 0,
    orphaned INTEGER NOT NULL DEFAULT 0,  -- gone from the content; history kept
    added_ms INTEGER NOT NULL
);
-- covers the queue and stats queries: they never touch the table rows
CREATE INDEX cards_queue ON cards(state, due_ms, suspended, orphaned, buried_until_ms, deck, key);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    mode TEXT NOT NULL,
    filter TEXT                        -- JSON: {"decks": [...], "tags": [...]}
);

CREATE TABLE params (
    id INTEGER PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    parameters TEXT NOT NULL,          -- JSON list of the 21 FSRS weights
    reviews INTEGER NOT NULL,          -- qualifying reviews they were fitted on
    fsrs_version TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE revlog (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after an undo
    card_id INTEGER NOT NULL REFERENCES cards(id),
    time_ms INTEGER NOT NULL,          -- review time, UTC epoch ms
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    mode TEXT NOT NULL CHECK (mode IN ('review', 'cram', 'quiz')),
    duration_ms INTEGER,
    sched TEXT NOT NULL,               -- scheduler version, e.g. fsrs-6.3.2/default
    session_id INTEGER REFERENCES sessions(id),
    -- the card exactly as it was before this review: undo restores it
    state_before INTEGER NOT NULL,
    step_before INTEGER,
    stability_before REAL,
    difficulty_before REAL,
    due_before_ms INTEGER,
    last_review_before_ms INTEGER
);
CREATE INDEX revlog_card ON revlog(card_id, time_ms);
CREATE INDEX revlog_time ON revlog(time_ms);

-- Aggregates kept by triggers, so stats never scan a million log rows. They are derived:
-- doctor rebuilds them if they ever disagree with the log; exports leave them out.
CREATE TABLE review_quarters (
    quarter INTEGER PRIMARY KEY,       -- time_ms / 900000: every UTC offset is a multiple of 15 min
    n INTEGER NOT NULL
);
CREATE TABLE deck_retention (
    deck TEXT PRIMARY KEY,             -- reviews of Review-state cards in review mode
    reviews INTEGER NOT NULL,
    passed INTEGER NOT NULL            -- not rated Again
);
CREATE TRIGGER revlog_insert AFTER INSERT ON revlog BEGIN
    INSERT INTO review_quarters (quarter, n) VALUES (NEW.time_ms / 900000, 1)
        ON CONFLICT (quarter) DO UPDATE SET n = n + 1;
    INSERT INTO deck_retention (deck, reviews, passed)
        SELECT deck, 1, NEW.rating > 1 FROM cards
        WHERE id = NEW.card_id AND NEW.state_before = 2 AND NEW.mode = 'review'
        ON CONFLICT (deck) DO UPDATE
        SET reviews = reviews + 1, passed = passed + excluded.passed;
END;
CREATE TRIGGER revlog_delete AFTER DELETE ON revlog BEGIN
    UPDATE review_quarters SET n = n - 1 WHERE quarter = OLD.time_ms / 900000;
    DELETE FROM review_quarters WHERE quarter = OLD.time_ms / 900000 AND n <= 0;
    UPDATE deck_retention SET reviews = reviews - 1, passed = passed - (OLD.rating > 1)
        WHERE OLD.state_before = 2 AND OLD.mode = 'review'
        AND deck = (SELECT deck FROM cards WHERE id = OLD.card_id);
END;
-- the log is history: lines are added (and removed by undo), never rewritten
CREATE TRIGGER revlog_append_only BEFORE UPDATE ON revlog BEGIN
    SELECT RAISE(ABORT, 'the review log is append-only');
END;
PRAGMA user_version = 2;
