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

-- access: begin
-- Who may act, enforced by PostgreSQL itself (the design and its reasons:
-- src/store/postgres.rs). Every operator is a role of the database server
-- (citydesk_operator_role), a member of the store's staff role
-- (citydesk_staff), which holds the grants below; `citydesk login` signs in
-- to the server as that role (the server checks the password) and opens a
-- session: a role of its own with a random password, valid until the
-- session expires, member of the operator's role. The triggers below ask
-- citydesk_actor() whom a connection acts for and check every write against
-- it. The store's owner (who ran `citydesk init`) and members of its role
-- are trusted as before: NULL, nothing checked. The functions run with the
-- store's schema first and pg_temp last, so that no temporary table of an
-- operator's can stand in for the store's.
--
-- A new store runs this section as it is; a store made before runs the
-- migration steps that brought it here (src/store/migrations/, frozen
-- copies: version 9 this section as it was then, 10 the hidden secrets).
-- So a change here is a new migration step too: tests/pg_access.rs checks
-- that a migrated store ends with the same grants, functions and triggers.

-- Which operator each database role acts for: their own role (session
-- NULL), or one of their sessions (and service tokens).
CREATE TABLE citydesk_logins (
    role     TEXT PRIMARY KEY,
    operator TEXT NOT NULL REFERENCES operators (name),
    session  TEXT UNIQUE REFERENCES sessions (token_hash)
);

CREATE FUNCTION citydesk_hex(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(t, 'UTF8')), 'hex')
$$;

-- Role names are the cluster's, shared by its databases: each store's begin
-- with a prefix of its own, derived from the database's name (the same
-- derivation as src/store/postgres.rs `role_prefix`).
CREATE FUNCTION citydesk_role_prefix() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT 'cd' || left(citydesk_hex(current_database()), 10)
$$;

CREATE FUNCTION citydesk_staff() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT citydesk_role_prefix() || '_staff'
$$;

CREATE FUNCTION citydesk_operator_role(operator TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT citydesk_role_prefix() || '_o_' || left(citydesk_hex(operator), 16)
$$;

CREATE FUNCTION citydesk_epoch() RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT floor(extract(epoch FROM now()))::BIGINT
$$;

CREATE FUNCTION citydesk_refuse(why TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', why USING ERRCODE = '42501';
END
$$;

-- The operator this connection acts for; NULL for the store's owner. A role
-- that is neither an operator's nor the owner's, a session that has ended
-- and a disabled operator are refused. (It runs as the owner, so that a role
-- without grants is told so rather than denied a table.)
CREATE FUNCTION citydesk_actor() RETURNS TEXT LANGUAGE plpgsql STABLE SECURITY DEFINER AS $$
DECLARE
    l citydesk_logins;
    s sessions;
BEGIN
    SELECT * INTO l FROM citydesk_logins WHERE role = session_user;
    IF NOT FOUND THEN
        IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables
                WHERE schemaname = current_schema() AND tablename = 'cases'), 'MEMBER') THEN
            RETURN NULL;
        END IF;
        PERFORM citydesk_refuse(format('the database role %s is not a citydesk operator''s: sign in as yourself (citydesk login)', session_user));
    END IF;
    IF l.session IS NOT NULL THEN
        SELECT * INTO s FROM sessions WHERE token_hash = l.session;
        IF NOT FOUND OR s.revoked_at IS NOT NULL
            OR (s.expires_at IS NOT NULL AND s.expires_at <= citydesk_epoch()) THEN
            PERFORM citydesk_refuse(format('the session of %s has ended: sign in again (citydesk login)', l.operator));
        END IF;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM operators WHERE name = l.operator AND active = 1) THEN
        PERFORM citydesk_refuse(format('the operator %s is disabled', l.operator));
    END IF;
    RETURN l.operator;
END
$$;

CREATE FUNCTION citydesk_role_of(operator TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT role FROM operators WHERE name = operator
$$;

-- Whether case `id` is being imported in this transaction: its first entry
-- is an import, written by this transaction. Such a case's entries keep the
-- times (and names) of the system it comes from.
CREATE FUNCTION citydesk_importing(id BIGINT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM timeline t WHERE t.case_id = id AND t.seq = 1
        AND t.action = 'import' AND t.xmin = pg_current_xact_id()::xid)
$$;

-- A timeline entry names the operator who wrote it, at the present time
-- (the server's clock, give or take 5 minutes for the consoles' clocks); an
-- import (a case whose first entry, an import, this transaction writes)
-- keeps the old system's times, still in the importer's name. A service
-- account writes registrations and attached contacts only (so never
-- imports).
CREATE FUNCTION citydesk_timeline_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a TEXT := citydesk_actor();
    r TEXT;
BEGIN
    IF a IS NULL THEN
        RETURN NEW;
    END IF;
    r := citydesk_role_of(a);
    IF r = 'service' AND NEW.action NOT IN ('register', 'attach') THEN
        PERFORM citydesk_refuse(format('%s is a service account: it only registers cases and attaches contacts', a));
    END IF;
    IF NEW.actor = a AND abs(NEW.at - citydesk_epoch()) <= 300 THEN
        RETURN NEW;
    END IF;
    IF NEW.actor = a AND (NEW.action = 'import' AND NEW.seq = 1 OR citydesk_importing(NEW.case_id)) THEN
        RETURN NEW;
    END IF;
    PERFORM citydesk_refuse(format('a timeline entry is written by its own operator (%s) at the present time', a));
    RETURN NULL;
END
$$;

CREATE TRIGGER timeline_actor BEFORE INSERT ON timeline
    FOR EACH ROW EXECUTE FUNCTION citydesk_timeline_check();

-- A case changes only together with its timeline entry: the entry of its
-- new version, by the same operator, in the same transaction (checked at
-- commit).
CREATE FUNCTION citydesk_case_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a TEXT := citydesk_actor();
BEGIN
    IF a IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.id <> OLD.id OR NEW.version < OLD.version) THEN
        PERFORM citydesk_refuse('a case''s id and version never go back');
    END IF;
    IF NEW.updated_by <> a OR NOT EXISTS (SELECT 1 FROM timeline t
            WHERE t.case_id = NEW.id AND t.seq = NEW.version AND t.actor = a
            AND t.xmin = pg_current_xact_id()::xid) THEN
        PERFORM citydesk_refuse(format('case %s changes only together with its timeline entry by %s', NEW.code, a));
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER cases_with_timeline AFTER INSERT OR UPDATE ON cases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION citydesk_case_check();

-- A contact is registered by the operator who writes it (or an import's).
CREATE FUNCTION citydesk_contact_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a TEXT := citydesk_actor();
BEGIN
    IF a IS NULL OR NEW.registered_by = a THEN
        RETURN NEW;
    END IF;
    PERFORM citydesk_refuse(format('a contact is registered by its own operator (%s)', a));
    RETURN NULL;
END
$$;

CREATE TRIGGER contacts_actor BEFORE INSERT ON contacts
    FOR EACH ROW EXECUTE FUNCTION citydesk_contact_check();

-- An operator's connection adds to the catalog only within an import (the
-- old system's request types, departments and districts it brings): the
-- transaction writes an import entry in their name (checked at commit). The
-- catalog file itself is loaded by the owner (`citydesk init`).
CREATE FUNCTION citydesk_catalog_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a TEXT := citydesk_actor();
BEGIN
    IF a IS NULL OR EXISTS (SELECT 1 FROM timeline t WHERE t.action = 'import' AND t.seq = 1
            AND t.actor = a AND t.xmin = pg_current_xact_id()::xid) THEN
        RETURN NULL;
    END IF;
    PERFORM citydesk_refuse(format('the catalog (%s) grows on an operator''s connection only with an import', TG_TABLE_NAME));
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER departments_by_import AFTER INSERT ON departments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION citydesk_catalog_check();
CREATE CONSTRAINT TRIGGER districts_by_import AFTER INSERT ON districts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION citydesk_catalog_check();
CREATE CONSTRAINT TRIGGER services_by_import AFTER INSERT ON services
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION citydesk_catalog_check();

-- Counters only grow (serials and the chain's head are never given twice).
CREATE FUNCTION citydesk_counter_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF citydesk_actor() IS NOT NULL AND (NEW.name <> OLD.name OR NEW.value < OLD.value) THEN
        PERFORM citydesk_refuse('counters only grow');
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER counters_grow BEFORE UPDATE ON counters
    FOR EACH ROW EXECUTE FUNCTION citydesk_counter_check();

-- Operators are added and changed by administrators; an operator changes
-- only when they were last seen at work, on their own row.
CREATE FUNCTION citydesk_operator_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a TEXT := citydesk_actor();
BEGIN
    IF a IS NULL OR citydesk_role_of(a) = 'admin' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.name = a
        AND (NEW.name, NEW.display_name, NEW.role, NEW.password_hash, NEW.active, NEW.created_at, NEW.created_by)
            IS NOT DISTINCT FROM
            (OLD.name, OLD.display_name, OLD.role, OLD.password_hash, OLD.active, OLD.created_at, OLD.created_by) THEN
        RETURN NEW;
    END IF;
    PERFORM citydesk_refuse(format('only an administrator adds or changes operators (%s is not one)', a));
    RETURN NULL;
END
$$;

CREATE TRIGGER operators_by_admin BEFORE INSERT OR UPDATE ON operators
    FOR EACH ROW EXECUTE FUNCTION citydesk_operator_check();

-- Every operator has a role of their own (without a password until one is
-- set, `citydesk_set_login`); a disabled operator's role and sessions cannot
-- sign in.
CREATE FUNCTION citydesk_operator_role_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    own TEXT := citydesk_operator_role(NEW.name);
    other TEXT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = own) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', own);
        END IF;
        EXECUTE format('GRANT %I TO %I', citydesk_staff(), own);
        INSERT INTO citydesk_logins (role, operator) VALUES (own, NEW.name)
            ON CONFLICT (role) DO NOTHING;
    ELSIF NEW.active = 0 AND OLD.active <> 0 THEN
        FOR other IN SELECT l.role FROM citydesk_logins l JOIN pg_roles p ON p.rolname = l.role
                WHERE l.operator = NEW.name LOOP
            EXECUTE format('ALTER ROLE %I NOLOGIN', other);
        END LOOP;
    ELSIF NEW.active <> 0 AND OLD.active = 0 AND NEW.role <> 'service'
        AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = own) THEN
        EXECUTE format('ALTER ROLE %I LOGIN', own);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER operators_roles AFTER INSERT OR UPDATE OF active ON operators
    FOR EACH ROW EXECUTE FUNCTION citydesk_operator_role_sync();

-- Sets the password an operator signs in to the server with (a SCRAM
-- verifier, made by the client: the password itself never reaches the
-- server). An administrator sets anyone's; an operator only their own.
CREATE FUNCTION citydesk_set_login(operator TEXT, verifier TEXT) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    a TEXT := citydesk_actor();
    own TEXT := citydesk_operator_role(operator);
BEGIN
    IF a IS NOT NULL AND a <> operator AND citydesk_role_of(a) <> 'admin' THEN
        PERFORM citydesk_refuse('only an administrator sets another operator''s password');
    END IF;
    IF verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        PERFORM citydesk_refuse('a password is given as its SCRAM-SHA-256 verifier');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM operators o WHERE o.name = operator AND o.role <> 'service') THEN
        PERFORM citydesk_refuse(format('%s is not an operator who signs in with a password', operator));
    END IF;
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', own, verifier);
END
$$;

-- Opens a session (kind 'shift': an operator signed in to the server as
-- themself opens their own; 'service': an administrator issues a service
-- account's token): a new role `role` (named by the client under this
-- store's prefix) with the password whose verifier is given, valid until
-- `expires_at` (seconds; NULL: until revoked), member of the operator's
-- role; and its row in sessions (token_hash: the client's token, which
-- holds the role's name and password, as src/secret.rs key_hash).
CREATE FUNCTION citydesk_open_session(operator TEXT, kind TEXT, role TEXT, verifier TEXT,
    token_hash TEXT, expires_at BIGINT) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    a TEXT := citydesk_actor();
    me citydesk_logins;
    op operators;
    old TEXT;
BEGIN
    SELECT * INTO op FROM operators o WHERE o.name = operator AND o.active = 1;
    IF NOT FOUND THEN
        PERFORM citydesk_refuse(format('%s is not an active operator', operator));
    END IF;
    IF kind = 'shift' THEN
        SELECT * INTO me FROM citydesk_logins l WHERE l.role = session_user;
        IF a IS NOT NULL AND (me.operator <> operator OR me.session IS NOT NULL) THEN
            PERFORM citydesk_refuse('a shift is opened by its operator, signed in with their own password');
        END IF;
        IF op.role = 'service' OR expires_at IS NULL
            OR expires_at > citydesk_epoch() + 31 * 86400 THEN
            PERFORM citydesk_refuse('a shift session is a person''s, and ends within 31 days');
        END IF;
    ELSIF kind = 'service' THEN
        IF a IS NOT NULL AND citydesk_role_of(a) <> 'admin' THEN
            PERFORM citydesk_refuse('only an administrator issues a service account''s token');
        END IF;
        IF op.role <> 'service' THEN
            PERFORM citydesk_refuse(format('%s is not a service account', operator));
        END IF;
    ELSE
        PERFORM citydesk_refuse(format('no session of kind %s', kind));
    END IF;
    IF role !~ ('^' || citydesk_role_prefix() || '_s_[0-9a-f]{16,32}$')
        OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
        PERFORM citydesk_refuse('a session''s role is new, and named under the store''s prefix');
    END IF;
    IF verifier NOT LIKE 'SCRAM-SHA-256$%' THEN
        PERFORM citydesk_refuse('a password is given as its SCRAM-SHA-256 verifier');
    END IF;
    -- The roles of sessions that have ended go (those still in use stay).
    FOR old IN SELECT l.role FROM citydesk_logins l JOIN sessions s ON s.token_hash = l.session
            JOIN pg_roles p ON p.rolname = l.role
            WHERE s.revoked_at IS NOT NULL OR s.expires_at <= citydesk_epoch() LOOP
        BEGIN
            EXECUTE format('DROP ROLE %I', old);
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END LOOP;
    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L VALID UNTIL %L IN ROLE %I', role, verifier,
        CASE WHEN expires_at IS NULL THEN 'infinity' ELSE to_timestamp(expires_at)::TEXT END,
        citydesk_operator_role(operator));
    INSERT INTO sessions (token_hash, operator, kind, created_at, created_by, expires_at)
        VALUES (token_hash, operator, kind, citydesk_epoch(), coalesce(a, operator), expires_at);
    INSERT INTO citydesk_logins (role, operator, session) VALUES (role, operator, token_hash);
END
$$;

-- A session is ended by its operator or an administrator, once, in their
-- own name; its role then cannot sign in again.
CREATE FUNCTION citydesk_session_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a TEXT := citydesk_actor();
BEGIN
    IF a IS NOT NULL AND NOT (OLD.revoked_at IS NULL AND NEW.revoked_by = a
            AND (OLD.operator = a OR citydesk_role_of(a) = 'admin')) THEN
        PERFORM citydesk_refuse('a session is ended once, by its operator or an administrator');
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sessions_end BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION citydesk_session_check();

-- Sessions are added only by the owner (its own connection, or
-- citydesk_open_session on an operator's behalf).
CREATE FUNCTION citydesk_session_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_has_role(current_user, (SELECT tableowner FROM pg_tables
            WHERE schemaname = current_schema() AND tablename = 'cases'), 'MEMBER') THEN
        PERFORM citydesk_actor();
        PERFORM citydesk_refuse('a session is opened only by citydesk_open_session');
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER sessions_added BEFORE INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION citydesk_session_added();

CREATE FUNCTION citydesk_session_ended() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    r TEXT;
BEGIN
    IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
        FOR r IN SELECT l.role FROM citydesk_logins l JOIN pg_roles p ON p.rolname = l.role
                WHERE l.session = NEW.token_hash LOOP
            EXECUTE format('ALTER ROLE %I NOLOGIN', r);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER sessions_ended AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION citydesk_session_ended();

-- An intake draft is its operator's own; handover notes and acceptances
-- are signed by who writes them; Open311 clients are an administrator's.
CREATE FUNCTION citydesk_own_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a TEXT := citydesk_actor();
BEGIN
    IF a IS NULL THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_TABLE_NAME = 'drafts' THEN
        IF (TG_OP <> 'INSERT' AND OLD.operator <> a) OR (TG_OP <> 'DELETE' AND NEW.operator <> a) THEN
            PERFORM citydesk_refuse(format('an intake draft is its own operator''s (%s)', a));
        END IF;
    ELSIF TG_TABLE_NAME = 'handovers' THEN
        IF (NEW.noted_by IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.noted_by END)
                AND NEW.noted_by IS DISTINCT FROM a)
            OR (NEW.accepted_by IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.accepted_by END)
                AND NEW.accepted_by IS DISTINCT FROM a) THEN
            PERFORM citydesk_refuse(format('a handover is signed by who writes it (%s)', a));
        END IF;
    ELSIF citydesk_role_of(a) <> 'admin' THEN
        PERFORM citydesk_refuse(format('only an administrator changes %s', TG_TABLE_NAME));
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER drafts_own BEFORE INSERT OR UPDATE OR DELETE ON drafts
    FOR EACH ROW EXECUTE FUNCTION citydesk_own_rows();
CREATE TRIGGER handovers_signed BEFORE INSERT OR UPDATE ON handovers
    FOR EACH ROW EXECUTE FUNCTION citydesk_own_rows();
CREATE TRIGGER clients_by_admin BEFORE INSERT OR UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION citydesk_own_rows();

-- A staff connection reads no secret: the columns holding a password's,
-- a token's or a key's hash are not granted (the grants below). A session
-- and an Open311 client are found by their hash, and a session ended by it,
-- through these functions, which run as the owner and give back no hash.
CREATE FUNCTION citydesk_session(token TEXT) RETURNS TABLE (operator TEXT, kind TEXT,
    created_at BIGINT, created_by TEXT, expires_at BIGINT, revoked_at BIGINT, revoked_by TEXT)
    LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT s.operator, s.kind, s.created_at, s.created_by, s.expires_at, s.revoked_at, s.revoked_by
    FROM sessions s WHERE s.token_hash = $1
$$;

CREATE FUNCTION citydesk_end_session(token TEXT, moment BIGINT, who TEXT) RETURNS BIGINT
    LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    n BIGINT;
BEGIN
    UPDATE sessions s SET revoked_at = moment, revoked_by = who
        WHERE s.token_hash = token AND s.revoked_at IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

CREATE FUNCTION citydesk_client_by_key(key TEXT) RETURNS TABLE (name TEXT, channel TEXT,
    operator TEXT, per_minute BIGINT, active BIGINT, created_at BIGINT, created_by TEXT,
    revoked_at BIGINT) LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT c.name, c.channel, c.operator, c.per_minute, c.active, c.created_at, c.created_by,
        c.revoked_at
    FROM clients c WHERE c.key_hash = $1
$$;

-- The staff role and its grants; the functions' search path; the roles of
-- operators already there (a store brought to this version).
DO $$
DECLARE
    staff TEXT := citydesk_staff();
    f REGPROCEDURE;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = staff) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', staff);
    END IF;
    EXECUTE format('GRANT SELECT ON meta, counters, departments, districts, services, cases,
        contacts, timeline, handovers, drafts TO %I', staff);
    -- Every column but the secrets' (password, token and key hashes).
    EXECUTE format('GRANT SELECT (name, display_name, role, active, created_at, created_by, last_seen)
        ON operators TO %I', staff);
    EXECUTE format('GRANT SELECT (operator, kind, created_at, created_by, expires_at, revoked_at, revoked_by)
        ON sessions TO %I', staff);
    EXECUTE format('GRANT SELECT (name, channel, operator, per_minute, active, created_at, created_by, revoked_at)
        ON clients TO %I', staff);
    EXECUTE format('GRANT SELECT (role, operator) ON citydesk_logins TO %I', staff);
    EXECUTE format('GRANT INSERT, UPDATE ON cases, operators, handovers, clients TO %I', staff);
    EXECUTE format('GRANT INSERT ON contacts, timeline, departments, districts, services TO %I', staff);
    EXECUTE format('GRANT UPDATE ON counters TO %I', staff);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON drafts TO %I', staff);
    EXECUTE format('GRANT UPDATE (revoked_at, revoked_by) ON sessions TO %I', staff);
    FOR f IN SELECT p.oid::REGPROCEDURE FROM pg_proc p
            WHERE p.pronamespace = current_schema()::REGNAMESPACE
            AND p.proname LIKE 'citydesk\_%' AND p.proname <> 'citydesk_words' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
    REVOKE ALL ON FUNCTION citydesk_set_login(TEXT, TEXT) FROM PUBLIC;
    REVOKE ALL ON FUNCTION citydesk_open_session(TEXT, TEXT, TEXT, TEXT, TEXT, BIGINT) FROM PUBLIC;
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_set_login(TEXT, TEXT) TO %I', staff);
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_open_session(TEXT, TEXT, TEXT, TEXT, TEXT, BIGINT) TO %I', staff);
    REVOKE ALL ON FUNCTION citydesk_session(TEXT) FROM PUBLIC;
    REVOKE ALL ON FUNCTION citydesk_end_session(TEXT, BIGINT, TEXT) FROM PUBLIC;
    REVOKE ALL ON FUNCTION citydesk_client_by_key(TEXT) FROM PUBLIC;
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_session(TEXT) TO %I', staff);
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_end_session(TEXT, BIGINT, TEXT) TO %I', staff);
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_client_by_key(TEXT) TO %I', staff);
END
$$;

INSERT INTO citydesk_logins (role, operator)
    SELECT citydesk_operator_role(name), name FROM operators ON CONFLICT (role) DO NOTHING;
DO $$
DECLARE
    r TEXT;
BEGIN
    FOR r IN SELECT role FROM citydesk_logins WHERE session IS NULL LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
        EXECUTE format('GRANT %I TO %I', citydesk_staff(), r);
    END LOOP;
END
$$;
-- access: end
-- @end

INSERT INTO counters (name, value) VALUES ('case', 0);
-- the last place taken on the timeline's store-wide chain: its head
INSERT INTO counters (name, value) VALUES ('chain', 0);
