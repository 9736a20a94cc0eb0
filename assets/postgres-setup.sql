-- Setting up PostgreSQL for citydesk: run once as a superuser (psql -U postgres -f postgres-setup.sql).
--
-- The database has one owner, citydesk_owner: `citydesk init` and later
-- versions' migrations run as it, and it creates and drops the roles the
-- operators sign in to the server with (hence CREATEROLE). Nobody else gets
-- its password. Replace it.
--
-- Operators get no role from this file: `citydesk operator add` (run by an
-- administrator) gives each operator a role of the database server, member
-- of the store's staff role, which `citydesk init` created with the grants
-- citydesk needs; `citydesk login` signs in to the server as that role (the
-- server checks the password) and opens a session role that expires with
-- the session. What each may do is checked by the server, on every write
-- (schema.sql, its access section; README, "PostgreSQL: operators at many
-- machines").
--
-- Then, in pg_hba.conf, let the operators' machines in with passwords over
-- TLS, for example:
--     hostssl citydesk all 10.20.0.0/16 scram-sha-256
-- (never `trust`: the server's password check is what signs operators in).

CREATE ROLE citydesk_owner LOGIN CREATEROLE PASSWORD 'change me';
CREATE DATABASE citydesk OWNER citydesk_owner;
-- Nobody but the owner creates objects in the database (PostgreSQL 15 and
-- later already keep PUBLIC from creating in the public schema).
REVOKE CREATE ON DATABASE citydesk FROM PUBLIC;
