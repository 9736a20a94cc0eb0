//! The networked store on PostgreSQL, for operators at many machines. Same
//! queries as SQLite (`sql`, with `?N` rewritten to `$N`), the schema derived
//! from schema.sql (its postgres block, INTEGER as BIGINT). Writes run in one
//! READ COMMITTED transaction that locks the case row (`FOR UPDATE`) before it
//! checks the version, so of two people taking one case at once exactly one
//! wins and the other is told who. Connections use TLS through rustls when the
//! server offers it (`sslmode=require` insists), with the system's CA roots. A
//! dropped connection is reopened on the next call.
//!
//! Who may act is enforced by the server, not only by this program: whatever
//! credential an operator's console holds is in the operator's hands, so it
//! is their own, and the server checks every write against it. The design:
//!
//! * Every operator is a role of the server (`operator_role`: the store's
//!   prefix, derived from the database's name, and a hash of the operator's
//!   name), member of the store's staff role, which holds the grants. `citydesk
//!   operator add` creates it (a trigger on operators) and gives it the
//!   password (`citydesk_set_login`, as a SCRAM verifier made here: the
//!   password never reaches the server).
//! * A URL that names no user (`signs_in_operators`) is the operators' way in:
//!   `citydesk login` signs in to the server as the operator's own role (the
//!   server checks the password), then `citydesk_open_session` makes the
//!   session a role of its own with a random password, `VALID UNTIL` the
//!   session's end, member of the operator's role. The session file keeps
//!   `ROLE:PASSWORD` (0600); later commands and the console sign in with it.
//!   Logout and an administrator's revocation make the role NOLOGIN (and the
//!   next session dropped); an ended session's open connections are refused
//!   every write.
//! * Triggers ask `citydesk_actor()` whom a connection acts for (by
//!   `session_user`; a role that is neither an operator's nor the owner's is
//!   refused) and check: a timeline entry names that operator and the
//!   server's present time (5 minutes' leeway for the consoles' clocks; an
//!   import keeps the old system's times, still in the importer's name: for
//!   a case whose first entry is an import written in the same transaction,
//!   by whoever the program lets import, never a service account); a
//!   case row changes only with its new version's timeline entry by the same
//!   operator in the same transaction (a deferred constraint trigger); the
//!   counters only grow; operators are added and changed by administrators
//!   only (an operator may touch only their own `last_seen`); sessions are
//!   added only through `citydesk_open_session` and ended by their operator or
//!   an administrator; a service account writes registrations and attached
//!   contacts only; drafts are their own operator's; the catalog grows on an
//!   operator's connection only with an import.
//! * The store's owner (who ran `init`; members of its role) is trusted as
//!   before: init, migrate, backups and the tests' superuser work unchanged,
//!   and a URL that names the owner signs people in by the program's own
//!   checks, as on SQLite.
//!
//! Why this and not another: one shared role with the program checking
//! passwords (before) trusts whoever holds that role's password; per-request
//! signed tokens checked by a server-side function would need every write
//! to go through functions, a second copy of the store's SQL. Roles, grants
//! and triggers keep the one shared SQL (`sql`) and put the check where the
//! data is. Roles rather than row-level security because the checks are
//! about the writer and the history (who, when, with which entry), which
//! triggers see whole; one staff role rather than a group per citydesk role
//! because the operators table (changed only by administrators) stays the
//! one place a person's role is kept.

use std::collections::HashMap;
use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, Config, GenericClient, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::engine::Engine;
use super::sql::{self, Dialect, Param, Row, Tx};
use super::{InitReport, Result, SCHEMA_VERSION, Settings, StoreError, Watcher};
use crate::domain::catalog::Catalog;

/// Whether `location` names a PostgreSQL store.
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Whether `url` names a store whose operators sign in to the server as
/// themselves: it names no user (the owner's URL names the owner).
pub fn signs_in_operators(url: &str) -> bool {
    is_url(url) && Config::from_str(url).is_ok_and(|c| c.get_user().is_none())
}

/// Who signs in to the server: a database role and its password.
#[derive(Clone)]
pub struct Login {
    pub role: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Login({}, ***)", self.role)
    }
}

impl Login {
    /// The login a session token holds: `ROLE:PASSWORD`.
    pub fn from_token(token: &str) -> Option<Login> {
        let (role, password) = token.trim().split_once(':')?;
        (!role.is_empty() && !password.is_empty()).then(|| Login {
            role: role.to_owned(),
            password: password.to_owned(),
        })
    }
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64);
    for b in sha2::Sha256::digest(text.as_bytes()) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The database `url` names (a store's roles are named after it).
fn database(url: &str) -> Result<String> {
    parse(url)?.get_dbname().map(str::to_owned).ok_or_else(|| {
        StoreError::Backend(format!(
            "{} names no database: write postgres://host:port/database",
            redact(url)
        ))
    })
}

/// The prefix of a store's role names (roles are the cluster's, shared by
/// its databases): as schema.sql's `citydesk_role_prefix`.
fn role_prefix(database: &str) -> String {
    format!("cd{}", &sha256_hex(database)[..10])
}

/// The role operator `name` signs in to the server as: as schema.sql's
/// `citydesk_operator_role`.
pub fn operator_role(url: &str, name: &str) -> Result<String> {
    Ok(format!(
        "{}_o_{}",
        role_prefix(&database(url)?),
        &sha256_hex(name)[..16]
    ))
}

/// A new session's role and password (random), and its token
/// (`ROLE:PASSWORD`, what the session file keeps).
pub fn new_session_login(url: &str) -> Result<(Login, String)> {
    let random = |what: &str| {
        crate::secret::new_api_key()
            .map_err(|e| StoreError::Backend(format!("no random {what}: {e}")))
    };
    let role = format!(
        "{}_s_{}",
        role_prefix(&database(url)?),
        &random("name")?[..24]
    );
    let login = Login {
        role,
        password: random("password")?,
    };
    let token = format!("{}:{}", login.role, login.password);
    Ok((login, token))
}

/// A password's SCRAM-SHA-256 verifier, as the server keeps it (the
/// password itself is never sent to be stored).
pub fn scram_verifier(password: &str) -> String {
    postgres_protocol::password::scram_sha_256(password.as_bytes())
}

/// `?1` → `$1`, leaving quoted text alone.
pub fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    for c in sql.chars() {
        if c == '\'' {
            quoted = !quoted;
        }
        out.push(if c == '?' && !quoted { '$' } else { c });
    }
    out
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::T_R_SERIALIZATION_FAILURE
                || *code == SqlState::T_R_DEADLOCK_DETECTED
                || *code == SqlState::LOCK_NOT_AVAILABLE
            {
                return StoreError::Busy;
            }
            if *code == SqlState::ADMIN_SHUTDOWN || *code == SqlState::CANNOT_CONNECT_NOW {
                return StoreError::Unreachable(db.message().to_owned());
            }
            return StoreError::Backend(db.message().to_owned());
        }
        let io = std::error::Error::source(&e)
            .is_some_and(<dyn std::error::Error>::is::<std::io::Error>);
        if e.is_closed() || io {
            return StoreError::Unreachable(e.to_string());
        }
        StoreError::Backend(e.to_string())
    }
}

struct PgRow<'a>(&'a postgres::Row);

impl Row for PgRow<'_> {
    fn int(&self, i: usize) -> Result<Option<i64>> {
        // Columns are BIGINT; a computed one (a CASE of literals) may be INTEGER.
        self.0
            .try_get::<_, Option<i64>>(i)
            .or_else(|_| {
                self.0
                    .try_get::<_, Option<i32>>(i)
                    .map(|v| v.map(i64::from))
            })
            .map_err(|e| StoreError::Backend(format!("column {i}: {e}")))
    }
    fn text(&self, i: usize) -> Result<Option<String>> {
        self.0
            .try_get(i)
            .map_err(|e| StoreError::Backend(format!("column {i}: {e}")))
    }
}

/// A client or a transaction, with the store's prepared statements.
struct PgTx<'a, C: GenericClient> {
    client: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
}

impl<C: GenericClient> PgTx<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(&numbered(sql))?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

fn refs(params: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| match p {
            Param::Int(v) => v as &(dyn ToSql + Sync),
            Param::Text(v) => v as &(dyn ToSql + Sync),
        })
        .collect()
}

impl<C: GenericClient> Tx for PgTx<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        sql::no_nul(params)?;
        let stmt = self.statement(sql)?;
        Ok(self.client.execute(&stmt, &refs(params))?)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Param],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let stmt = self.statement(sql)?;
        for r in self.client.query(&stmt, &refs(params))? {
            each(&PgRow(&r))?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    /// COPY: one round trip per table instead of one per row.
    fn insert_many(&mut self, table: &str, columns: &[&str], rows: &[Vec<Param>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        for r in rows {
            sql::no_nul(r)?;
        }
        let mut w = self
            .client
            .copy_in(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))?;
        w.write_all(copy_text(rows).as_bytes())
            .map_err(|e| StoreError::Unreachable(e.to_string()))?;
        w.finish()?;
        Ok(())
    }
}

/// Rows in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_text(rows: &[Vec<Param>]) -> String {
    let mut out = String::new();
    for row in rows {
        for (i, p) in row.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            match p {
                Param::Int(Some(v)) => out.push_str(&v.to_string()),
                Param::Text(Some(s)) => {
                    for c in s.chars() {
                        match c {
                            '\\' => out.push_str("\\\\"),
                            '\t' => out.push_str("\\t"),
                            '\n' => out.push_str("\\n"),
                            '\r' => out.push_str("\\r"),
                            c => out.push(c),
                        }
                    }
                }
                Param::Int(None) | Param::Text(None) => out.push_str("\\N"),
            }
        }
        out.push('\n');
    }
    out
}

fn tls() -> Result<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Backend(format!("TLS set-up failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn parse(url: &str) -> Result<Config> {
    let mut config = Config::from_str(url).map_err(|e| {
        StoreError::Backend(format!(
            "{} is not a PostgreSQL URL ({e}): write postgres://user@host:port/database",
            redact(url)
        ))
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(StdDuration::from_secs(5));
    }
    // A peer that vanished (host down, cable cut) is noticed within about
    // 10 s instead of the system's two hours: keepalives on an idle
    // connection, and a limit on unacknowledged data while a call waits.
    config
        .keepalives(true)
        .keepalives_idle(StdDuration::from_secs(5))
        .keepalives_interval(StdDuration::from_secs(2))
        .keepalives_retries(3)
        .tcp_user_timeout(StdDuration::from_secs(10));
    if config.get_password().is_none()
        && let Some(password) = password_from_env_or_pgpass(&config)
    {
        config.password(password);
    }
    config.application_name("citydesk");
    Ok(config)
}

/// The password libpq would use when the URL has none: PGPASSWORD, else the
/// first matching line of the password file (PGPASSFILE or ~/.pgpass;
/// `host:port:database:user:password`, `*` matches anything, `\:` and `\\`
/// escape). Keeping the password out of the URL keeps it out of `ps`.
fn password_from_env_or_pgpass(config: &Config) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD")
        && !p.is_empty()
    {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".pgpass")))?;
    pgpass_lookup(&std::fs::read_to_string(file).ok()?, config)
}

/// The password of the first line of a password file that matches `config`.
fn pgpass_lookup(text: &str, config: &Config) -> Option<String> {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or_default().to_owned();
    let db = config
        .get_dbname()
        .map_or_else(|| user.clone(), str::to_owned);
    let wanted = [host.as_str(), port.as_str(), db.as_str(), user.as_str()];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            let fields = pgpass_fields(line);
            (fields.len() == 5
                && fields[..4]
                    .iter()
                    .zip(wanted)
                    .all(|(f, w)| f == "*" || f == w || (w == "localhost" && f == "127.0.0.1")))
            .then(|| fields[4].clone())
        })
}

/// One password-file line split at unescaped colons.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(n), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// How long connecting (TCP, TLS, authentication) may take in all: the
/// driver's `connect_timeout` bounds only the TCP connect, and a server that
/// accepted and never answers (a stopped postmaster) hung the CLI forever.
const CONNECT_LIMIT: StdDuration = StdDuration::from_secs(4);

fn connect(config: &Config, url: &str) -> Result<Client> {
    let tls = tls()?;
    let (send, receive) = std::sync::mpsc::channel();
    let attempt = config.clone();
    // On a timeout the thread is left behind, blocked on a silent socket;
    // it ends with the process (the console reconnects at most every few s).
    std::thread::spawn(move || {
        let _ = send.send(attempt.connect(tls));
    });
    let answer = receive.recv_timeout(CONNECT_LIMIT).map_err(|_| {
        StoreError::Unreachable(format!(
            "cannot connect to {}: no answer within {} s",
            redact(url),
            CONNECT_LIMIT.as_secs()
        ))
    })?;
    answer.map_err(|e| {
        // The server answered and refused: say what it said (a wrong
        // password or database is not "cannot be reached").
        if let Some(db) = e.as_db_error()
            && (db.code().code().starts_with("28")
                || *db.code() == SqlState::INVALID_CATALOG_NAME
                || *db.code() == SqlState::INSUFFICIENT_PRIVILEGE)
        {
            return StoreError::ConnectionRefused {
                at: redact(url),
                why: db.message().to_owned(),
            };
        }
        StoreError::Unreachable(format!("cannot connect to {}: {e}", redact(url)))
    })
}

pub struct PgStore {
    client: Client,
    config: Config,
    url: String,
    statements: HashMap<String, Statement>,
    settings: Settings,
    catalog: Catalog,
}

/// Serializes schema creation and migration between processes.
const SCHEMA_LOCK: i64 = 0x0c17_de5c;

impl PgStore {
    /// Opens a store that `init` has set up.
    pub fn open(url: &str, settings: Settings) -> Result<PgStore> {
        Self::open_as(url, settings, None)
    }

    /// Opens a store that `init` has set up, signed in to the server as
    /// `login` (else as the URL says).
    pub fn open_as(url: &str, settings: Settings, login: Option<&Login>) -> Result<PgStore> {
        let mut config = parse(url)?;
        if let Some(l) = login {
            config.user(&l.role).password(&l.password);
        }
        let mut client = connect(&config, url)?;
        let mut statements = HashMap::new();
        let version = sql::schema_version(&mut PgTx {
            client: &mut client,
            statements: &mut statements,
        })?;
        match version {
            None => return Err(StoreError::NotInitialized(redact(url))),
            Some(v) if v > SCHEMA_VERSION => {
                return Err(StoreError::TooNew {
                    found: v,
                    known: SCHEMA_VERSION,
                });
            }
            Some(v) if v < SCHEMA_VERSION => migrate(&mut client, &mut statements)?,
            Some(_) => {}
        }
        let catalog = sql::load_catalog(&mut PgTx {
            client: &mut client,
            statements: &mut statements,
        })?;
        Ok(PgStore {
            client,
            config,
            url: url.to_owned(),
            statements,
            settings,
            catalog,
        })
    }

    /// Creates the schema if needed and loads `catalog`. Idempotent.
    pub fn init(
        url: &str,
        settings: Settings,
        catalog: &Catalog,
        now: DateTime<Utc>,
    ) -> Result<(PgStore, InitReport)> {
        let config = parse(url)?;
        let mut client = connect(&config, url)?;
        let mut statements = HashMap::new();
        migrate(&mut client, &mut statements)?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
        let retired;
        let created;
        {
            let mut t = PgTx {
                client: &mut tx,
                statements: &mut statements,
            };
            created = sql::schema_version(&mut t)?.is_none();
            if created {
                sql::create_schema(&mut t, now)?;
            }
            retired = sql::store_catalog(&mut t, catalog)?;
        }
        tx.commit()?;
        // Statements prepared before the schema existed may be stale.
        statements.clear();
        let catalog = sql::load_catalog(&mut PgTx {
            client: &mut client,
            statements: &mut statements,
        })?;
        let report = InitReport::new(created, &catalog, retired);
        Ok((
            PgStore {
                client,
                config,
                url: url.to_owned(),
                statements,
                settings,
                catalog,
            },
            report,
        ))
    }

    /// Reopens the connection if the server dropped it (a restart, a network cut).
    fn ensure_connected(&mut self) -> Result<()> {
        if self.client.is_closed() {
            self.client = connect(&self.config, &self.url)?;
            self.statements.clear();
        }
        Ok(())
    }
}

fn migrate(client: &mut Client, statements: &mut HashMap<String, Statement>) -> Result<()> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])?;
    {
        let mut t = PgTx {
            client: &mut tx,
            statements,
        };
        if let Some(found) = sql::schema_version(&mut t)? {
            for v in found..SCHEMA_VERSION {
                sql::migrate_step(&mut t, v)?;
            }
        }
    }
    tx.commit()?;
    statements.clear();
    Ok(())
}

/// LISTEN on a connection of its own; the server's triggers NOTIFY on every
/// committed change to cases and operators.
struct PgWatcher {
    client: Client,
}

impl Watcher for PgWatcher {
    fn wait(&mut self, timeout: StdDuration) -> Result<bool> {
        let mut notes = self.client.notifications();
        let got = notes.timeout_iter(timeout).next()?.is_some();
        // Drain what else arrived: one refresh covers them all.
        while notes.iter().next()?.is_some() {}
        Ok(got)
    }
}

impl Engine for PgStore {
    fn location(&self) -> String {
        redact(&self.url)
    }

    fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn set_catalog(&mut self, catalog: Catalog) {
        self.catalog = catalog;
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn watcher(&self) -> Result<Box<dyn Watcher>> {
        let mut client = connect(&self.config, &self.url)?;
        client.batch_execute("LISTEN citydesk")?;
        Ok(Box::new(PgWatcher { client }))
    }

    /// One REPEATABLE READ transaction: a case and its timeline come from
    /// one snapshot (READ COMMITTED gives each statement its own).
    fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        self.ensure_connected()?;
        self.client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")?;
        let out = f(&mut PgTx {
            client: &mut self.client,
            statements: &mut self.statements,
        });
        match out {
            Ok(v) => {
                self.client.batch_execute("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.client.batch_execute("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Runs `f` in one transaction, committed if it succeeds.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T> {
        self.ensure_connected()?;
        let mut tx = self.client.transaction()?;
        let out = f(
            &mut PgTx {
                client: &mut tx,
                statements: &mut self.statements,
            },
            &self.catalog,
            &self.settings,
        )?;
        tx.commit()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_outside_quotes() {
        assert_eq!(
            numbered("SELECT '?' FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT '?' FROM t WHERE a = $1 AND b = $12"
        );
    }

    #[test]
    fn copy_text_escapes_what_copy_treats_specially() {
        let rows = vec![vec![
            Param::Int(Some(-7)),
            Param::Text(Some("a\tb\\c\nd\re".into())),
            Param::Text(None),
            Param::Int(None),
            Param::Text(Some("سلام".into())),
        ]];
        assert_eq!(copy_text(&rows), "-7\ta\\tb\\\\c\\nd\\re\t\\N\t\\N\tسلام\n");
    }

    #[test]
    fn a_password_comes_from_pgpass_when_the_url_has_none() {
        assert_eq!(
            pgpass_fields(r"db.example:5432:*:desk:pa\:ss\\w"),
            ["db.example", "5432", "*", "desk", r"pa:ss\w"]
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:*:desk:wrong\ndb.example:*:citydesk:desk:right\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        let config = |url: &str| Config::from_str(url).unwrap();
        assert_eq!(
            pgpass_lookup(&text, &config("postgres://desk@db.example/citydesk")).as_deref(),
            Some("right")
        );
        assert_eq!(
            pgpass_lookup(&text, &config("postgres://desk@other/x")).as_deref(),
            Some("wrong")
        );
        assert_eq!(
            pgpass_lookup(&text, &config("postgres://desk@db.example/x")),
            None
        );
        assert!(
            parse("postgres://desk:given@db.example/citydesk")
                .unwrap()
                .get_password()
                == Some(&b"given"[..])
        );
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://desk:s3cret@db.example:5432/citydesk"),
            "postgres://desk:***@db.example:5432/citydesk"
        );
        assert_eq!(
            redact("postgres://desk@db.example/citydesk"),
            "postgres://desk@db.example/citydesk"
        );
    }
}
