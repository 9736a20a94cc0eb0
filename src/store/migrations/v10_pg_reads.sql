-- Version 10 (PostgreSQL): a staff connection reads no secret. The columns
-- that hold a password's hash or a token's or key's hash (operators.password_hash,
-- sessions.token_hash, clients.key_hash, citydesk_logins.session) are
-- not granted; every other column is. A session and an Open311 client are
-- found by their hash, and a session ended by it, through functions that
-- run as the store's owner and give back no hash.

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

DO $$
DECLARE
    staff TEXT := citydesk_staff();
BEGIN
    EXECUTE format('REVOKE SELECT ON operators, sessions, clients, citydesk_logins FROM %I', staff);
    EXECUTE format('GRANT SELECT (name, display_name, role, active, created_at, created_by, last_seen)
        ON operators TO %I', staff);
    EXECUTE format('GRANT SELECT (operator, kind, created_at, created_by, expires_at, revoked_at, revoked_by)
        ON sessions TO %I', staff);
    EXECUTE format('GRANT SELECT (name, channel, operator, per_minute, active, created_at, created_by, revoked_at)
        ON clients TO %I', staff);
    EXECUTE format('GRANT SELECT (role, operator) ON citydesk_logins TO %I', staff);
    EXECUTE format('ALTER FUNCTION citydesk_session(TEXT) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION citydesk_end_session(TEXT, BIGINT, TEXT) SET search_path = %I, pg_temp',
        current_schema());
    EXECUTE format('ALTER FUNCTION citydesk_client_by_key(TEXT) SET search_path = %I, pg_temp', current_schema());
    REVOKE ALL ON FUNCTION citydesk_session(TEXT) FROM PUBLIC;
    REVOKE ALL ON FUNCTION citydesk_end_session(TEXT, BIGINT, TEXT) FROM PUBLIC;
    REVOKE ALL ON FUNCTION citydesk_client_by_key(TEXT) FROM PUBLIC;
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_session(TEXT) TO %I', staff);
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_end_session(TEXT, BIGINT, TEXT) TO %I', staff);
    EXECUTE format('GRANT EXECUTE ON FUNCTION citydesk_client_by_key(TEXT) TO %I', staff);
END
$$;
