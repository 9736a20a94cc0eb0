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
    EXECUTE format('GRANT SELECT ON meta, counters, departments, districts, services, operators, cases,
        clients, contacts, timeline, handovers, sessions, drafts, citydesk_logins TO %I', staff);
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
