-- A least-privilege role for citydesk's connections on PostgreSQL.
--
-- Run as the owner of the citydesk database after `citydesk init` has created
-- the schema (the owner keeps the right to change the schema; consoles and
-- scripts connect as citydesk_console). Replace the password.
--
-- What it may do: read everything citydesk reads; add and update cases,
-- contacts and operators; add timeline entries; take serials from the counter.
-- What it may not: delete anything but its own unfinished intake drafts, update or truncate the timeline, change the
-- catalog or the schema (the timeline's triggers refuse changes even to the
-- owner; without UPDATE and DELETE, the console role is refused before them).

CREATE ROLE citydesk_console LOGIN PASSWORD 'change me';

GRANT SELECT ON meta, departments, districts, services TO citydesk_console;
GRANT SELECT, INSERT, UPDATE ON cases, contacts, operators TO citydesk_console;
GRANT SELECT, INSERT ON timeline TO citydesk_console;
GRANT SELECT, UPDATE ON counters TO citydesk_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON drafts TO citydesk_console;
-- the Open311 server reads clients by key; `citydesk client add/revoke` writes them
GRANT SELECT, INSERT, UPDATE ON clients TO citydesk_console;
-- `citydesk login` keeps sessions (token hashes); `logout` ends them
GRANT SELECT, INSERT, UPDATE ON sessions TO citydesk_console;
