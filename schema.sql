-- citydesk store schema. The one source of the schema for every engine.
--
-- Portable SQL only, outside the marked dialect blocks: TEXT, INTEGER, BIGINT,
-- no engine-specific types or functions. Times are UTC seconds since the Unix
-- epoch (BIGINT). Text is stored as typed; *_key columns hold normalized copies
-- for lookups. A block between `-- @dialect NAME` and `-- @end` runs only on
-- that engine.
--
-- This file always describes the newest schema; a new store is created from it
-- directly. An existing store at an older version is brought forward by the
-- migrations in src/store/migrations.rs, one version at a time.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Serial counters (the tracking code of a case is derived from its serial).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

CREATE TABLE departments (
    code    TEXT PRIMARY KEY,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    active  INTEGER NOT NULL DEFAULT 1,
    -- order in the catalog file, for display
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE districts (
    code          TEXT PRIMARY KEY,
    name_fa       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    office        TEXT NOT NULL REFERENCES departments (code),
    -- neighborhood names, one per line
    neighborhoods TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    position      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE services (
    code           TEXT PRIMARY KEY,
    category       TEXT NOT NULL,
    name_fa        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    -- a department code, or '@district' for the office of the case's district
    department     TEXT NOT NULL,
    -- 0 for none (services brought in by an import whose old system set none)
    deadline_hours INTEGER NOT NULL,
    -- other words people use for it, one per line (search only)
    keywords       TEXT NOT NULL DEFAULT '',
    -- created by `citydesk import` for a request type of an old system
    imported       INTEGER NOT NULL DEFAULT 0,
    active         INTEGER NOT NULL DEFAULT 1,
    position       INTEGER NOT NULL DEFAULT 0,
    -- the questions an Open311 client asks for this service (its GeoReport
    -- "service definition"): a JSON list of attributes, '' for none
    attributes     TEXT NOT NULL DEFAULT ''
);

CREATE TABLE operators (
    name          TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    created_by    TEXT,
    -- when the console last saw this operator at work (who is on shift)
    last_seen     BIGINT
);

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,       -- the case's serial (SQLite: the rowid)
    code              BIGINT NOT NULL UNIQUE,    -- its tracking code
    received_at       BIGINT NOT NULL,
    registered_at     BIGINT NOT NULL,
    registered_by     TEXT NOT NULL,
    channel           TEXT NOT NULL,
    kind              TEXT NOT NULL,
    service           TEXT NOT NULL REFERENCES services (code),
    category          TEXT NOT NULL,
    citizen_name      TEXT NOT NULL,
    citizen_phone     TEXT NOT NULL,
    district          TEXT NOT NULL,
    neighborhood      TEXT NOT NULL,
    address           TEXT NOT NULL,
    description       TEXT NOT NULL,
    priority          TEXT NOT NULL,             -- 'normal' < 'urgent' as text
    status            TEXT NOT NULL,
    status_since      BIGINT NOT NULL,
    department        TEXT NOT NULL,
    assignee          TEXT,
    deadline_hours    INTEGER NOT NULL,
    due_at            BIGINT NOT NULL,
    escalate_at       BIGINT NOT NULL,
    escalation_level  INTEGER NOT NULL,
    response          TEXT,
    resolved_at       BIGINT,
    feedback          TEXT,
    feedback_attempts INTEGER NOT NULL,
    outcome           TEXT,
    closed_at         BIGINT,
    duplicate_of      BIGINT,
    -- how many contacts: the first, and every call attached since
    contacts          INTEGER NOT NULL DEFAULT 1,
    -- a follow-up officer's call-back: until then the case is set aside
    call_back_at      BIGINT,
    -- its id in the system it was imported from, if it was
    old_id            TEXT,
    version           BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    updated_by        TEXT NOT NULL,
    -- Derived by the store on every write, so that the queues are index range
    -- scans: due_at / escalate_at while the department has not answered
    -- (status registered or referred), NULL otherwise (pending_escalate no
    -- earlier than a call-back); follow_up_at: in special follow-up, from when
    -- it is listed there (the escalation, or a later call-back), else NULL.
    pending_due       BIGINT,
    pending_escalate  BIGINT,
    follow_up_at      BIGINT,
    -- the words search finds the case by (src/words.rs `index_text`): its
    -- code, callers' names and phones, place, description and old id,
    -- normalized, each once, separated by single spaces; each engine's word
    -- index (cases_fts, cases_words below) reads them as they are
    search_text       TEXT NOT NULL DEFAULT '',
    -- the console's id for one submission of the intake form: a retried save
    -- (the answer to the first was lost) finds the case instead of a duplicate
    request_id        TEXT UNIQUE,
    -- the shift the case was registered in, as "2026-11-28/morning" (its
    -- first timeline entry's shift): the managers' report by shift reads it
    -- from cases_received instead of the timeline
    registered_shift  TEXT NOT NULL DEFAULT ''
);

-- overdue and due-soon: a range of pending_due, already in deadline order
CREATE INDEX cases_pending_due ON cases (pending_due);
-- the overdue part of special follow-up
CREATE INDEX cases_pending_escalate ON cases (pending_escalate);
-- awaiting feedback: urgent first, then oldest
CREATE INDEX cases_status ON cases (status, priority DESC, status_since);
-- unreferred: urgent first, then nearest deadline
CREATE INDEX cases_status_due ON cases (status, priority DESC, due_at);
-- escalated cases, longest waiting first
CREATE INDEX cases_follow_up ON cases (follow_up_at);
-- my cases: the open ones a person holds, nearest deadline first
CREATE INDEX cases_mine ON cases (assignee, due_at) WHERE status NOT IN ('closed', 'cancelled');
-- likely duplicates: the same service recently
CREATE INDEX cases_service ON cases (service, received_at);
-- a period's cases, with every column a report counts and groups by (the
-- report reads this index, not the wide rows)
CREATE INDEX cases_received ON cases (received_at, status, deadline_hours, due_at, resolved_at, closed_at,
    department, category, service, channel, district, registered_by, registered_shift);
-- the open backlog by group and age (reports): the open cases only
CREATE INDEX cases_open ON cases (status, received_at, department, category, service, channel, district,
    registered_by, registered_shift) WHERE status IN ('registered', 'referred', 'resolved', 'follow-up');
-- an imported case by its old system's id (search)
CREATE INDEX cases_old_id ON cases (old_id);
-- cases closed after a moment (the open backlog at a period's end)
CREATE INDEX cases_closed ON cases (closed_at);

-- Front ends that file cases through the Open311 server (a web portal, a
-- mobile app): each has its own API key, kept only as its SHA-256, and its
-- own service account (an operator with role 'service') that registers its
-- cases. A revoked client keeps its row, so its cases still name it.
CREATE TABLE clients (
    name       TEXT PRIMARY KEY,
    -- the channel its cases arrive by: 'web' or 'app'
    channel    TEXT NOT NULL,
    operator   TEXT NOT NULL REFERENCES operators (name),
    key_hash   TEXT NOT NULL UNIQUE,
    -- requests per minute the server accepts with its key
    per_minute INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT
);

-- Every contact about a case: the first, and later ones attached to it.
CREATE TABLE contacts (
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    seq           INTEGER NOT NULL,
    at            BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    name          TEXT NOT NULL,
    phone         TEXT NOT NULL,
    phone_key     TEXT NOT NULL,
    comment       TEXT,
    registered_by TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- every case a phone number called about (the intake's earlier cases)
CREATE INDEX contacts_phone ON contacts (phone_key);
-- a period's contacts, and its later contacts (repeat calls, reports)
CREATE INDEX contacts_at ON contacts (at);
CREATE INDEX contacts_repeat ON contacts (at, case_id) WHERE seq > 1;

-- The timeline: entry seq is the change that made version seq of the case.
-- Events as data, never prose: the words come from the locale when shown.
-- Append-only: the engine refuses UPDATE and DELETE (triggers below).
CREATE TABLE timeline (
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    seq         INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    -- the shift of the change: the local date it started on, and its name
    shift_date  TEXT NOT NULL,
    shift_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    -- a feedback call's result, a closing's outcome, a cancellation's reason
    result      TEXT,
    -- the event's own fields as versioned JSON: {"v":1,"action":"refer",...}
    data        TEXT NOT NULL,
    -- Tamper evidence (src/store/chain.rs). hash: SHA-256 of this entry's
    -- fields and of the hash of its case's entry before it. chain_seq: its
    -- place on the store-wide chain (1, 2, ...); chain: the chain's hash up
    -- to it (SHA-256 of the chain before it and this entry's hash).
    hash        TEXT NOT NULL,
    chain_seq   BIGINT NOT NULL,
    chain       TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE UNIQUE INDEX timeline_chain ON timeline (chain_seq);

-- a shift's events (handover), and a period's of one kind (reports)
CREATE INDEX timeline_at ON timeline (at);
CREATE INDEX timeline_report ON timeline (action, at, case_id, result, to_status, actor, shift_date, shift_name);

-- The handover of one shift to the next: the outgoing supervisor's notes,
-- and who accepted it and when (after which the notes are read-only).
CREATE TABLE handovers (
    shift_date  TEXT NOT NULL,
    shift_name  TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    noted_by    TEXT,
    noted_at    BIGINT,
    accepted_by TEXT,
    accepted_at BIGINT,
    PRIMARY KEY (shift_date, shift_name)
);

-- Who is signed in: a person's session from `citydesk login`, and the
-- tokens an administrator issues to service accounts (`citydesk operator
-- token`). The token itself is given once and kept only as its SHA-256
-- (src/secret.rs key_hash, as Open311 client keys).
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    operator   TEXT NOT NULL REFERENCES operators (name),
    -- 'shift' (citydesk login) or 'service' (a script's token)
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    -- NULL: until revoked (service tokens)
    expires_at BIGINT,
    revoked_at BIGINT,
    revoked_by TEXT
);

CREATE INDEX sessions_operator ON sessions (operator);

-- An intake form being typed, one per operator, saved as it is typed and
-- offered back at the operator's next start.
CREATE TABLE drafts (
    operator TEXT PRIMARY KEY,
    saved_at BIGINT NOT NULL,
    body     TEXT NOT NULL
);

-- @dialect sqlite
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;

CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;

-- The word index of the case search: an FTS5 table over cases.search_text
-- (external content: the words are not stored twice), split on spaces only
-- (the store has normalized them), without positions (no phrase queries),
-- with prefix indexes of 2 to 8 characters for type-ahead (a longer prefix
-- gathers its words' lists at query time). The triggers keep it in step with
-- every write of a case.
CREATE VIRTUAL TABLE cases_fts USING fts5(
    search_text, content = 'cases', content_rowid = 'id',
    tokenize = 'ascii', detail = 'none', prefix = '2 3 4 5 6 7 8'
);

CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO cases_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER cases_fts_update AFTER UPDATE OF search_text ON cases
    WHEN old.search_text IS NOT new.search_text
BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO cases_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases
BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
-- @end

-- @dialect postgres
CREATE FUNCTION timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the timeline is append-only';
END
$$;

CREATE TRIGGER timeline_no_change BEFORE UPDATE OR DELETE ON timeline
    FOR EACH ROW EXECUTE FUNCTION timeline_append_only();

CREATE TRIGGER timeline_no_truncate BEFORE TRUNCATE ON timeline
    FOR EACH STATEMENT EXECUTE FUNCTION timeline_append_only();

-- The word index of the case search: the words of search_text as lexemes,
-- as they are (no parser, no dictionary: the store has normalized them), and
-- each word's starts of 2 to 8 characters marked with a '~' (which no word
-- holds), so that the start of a word is looked up like a word (as SQLite's
-- prefix indexes do; a longer start is matched with :*). Kept as a column so
-- that checking a row does not split its text again.
CREATE FUNCTION citydesk_words(words TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(string_to_array(words, ' ') || ARRAY(
        SELECT DISTINCT left(w, n) || '~'
        FROM unnest(string_to_array(words, ' ')) AS w, generate_series(2, 8) AS n
        WHERE char_length(w) >= n))
$$;
-- The blocks of ids a case is in, as lexemes '#level:block' (the '#' no word
-- holds): blocks of 4,096, 16,384, 65,536 and 262,144 ids (sql::PG_BLOCK_BITS).
-- The search asks for the newest matches first within the newest blocks, so
-- the index itself gives only the matches in that window, not every match of
-- a common word (sql::pg_words_sql).
CREATE FUNCTION citydesk_blocks(id BIGINT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(ARRAY['#1:' || (id >> 12), '#2:' || (id >> 14),
                                   '#3:' || (id >> 16), '#4:' || (id >> 18)])
$$;
ALTER TABLE cases ADD COLUMN search_words tsvector
    GENERATED ALWAYS AS (citydesk_words(search_text) || citydesk_blocks(id)) STORED;
CREATE INDEX cases_words ON cases USING gin (search_words);

-- Consoles LISTEN on 'citydesk' to learn of every committed change.
CREATE FUNCTION citydesk_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('citydesk', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER cases_notify AFTER INSERT OR UPDATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION citydesk_notify();

-- Not on last_seen: every console's heartbeat would wake every console.
CREATE TRIGGER operators_notify
    AFTER INSERT OR UPDATE OF display_name, role, active, password_hash ON operators
    FOR EACH STATEMENT EXECUTE FUNCTION citydesk_notify();
-- @end

INSERT INTO counters (name, value) VALUES ('case', 0);
-- the last place taken on the timeline's store-wide chain: its head
INSERT INTO counters (name, value) VALUES ('chain', 0);
