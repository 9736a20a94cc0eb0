//! The networked store on PostgreSQL, for operators at many machines. Same
//! queries as SQLite (`sql`, with `?N` rewritten to `$N`), the schema derived
//! from schema.sql (its postgres block, INTEGER as BIGINT). Writes run in one
//! READ COMMITTED transaction that locks the case row (`FOR UPDATE`) before it
//! checks the version, so of two people taking one case at once exactly one
//! wins and the other is told who. Connections use TLS through rustls when the
//! server offers it (`sslmode=require` insists; `sslrootcert`, `verify-ca` and
//! `verify-full` as in libpq), with the system's CA roots unless `sslrootcert`
//! names others. A dropped connection is reopened on the next call.
//!
//! Every call is bounded (tokio-postgres on a runtime of the store's own, each
//! call under `bounded`): connecting within 4 s; a call that hears nothing for
//! 2.5 s asks the server on a new connection whether it answers at all, and
//! ends when it does not. A COMMIT whose answer is lost is asked about by
//! transaction id (`txid_status`) on a new connection: committed, the result
//! stands; not, the write runs once more; unknowable, `OutcomeUnknown`.
//! The watcher's LISTEN connection asks `SELECT 1` of the server after 2 s
//! without traffic (answered within PROBE_LIMIT), so an idle console is told
//! of a stalled or lost server too.
//! A database whose schema holds another program's tables is refused, never
//! written to.
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
//!   every write. Every connection, the owner's, an operator's or a
//!   session's, is bounded, TLS-checked and COMMIT-recovered alike: the
//!   recovery's `txid_current`, `txid_status` and `pg_terminate_backend` (of
//!   the role's own backends) stay callable by PUBLIC, so never revoke them.
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
//! * A staff connection reads no secret: the staff role is granted every
//!   column but the password, session-token and client-key hashes
//!   (`operators.password_hash`, `sessions.token_hash`,
//!   `citydesk_logins.session`, `clients.key_hash`). A session or client is
//!   found by its hash, and a session ended by it, through functions that
//!   run as the owner (`citydesk_session`, `citydesk_end_session`,
//!   `citydesk_client_by_key`; `sql` calls them on PostgreSQL, the tables
//!   on SQLite); the console checks a password by signing in to the server
//!   with it (`server_checks_password`).
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
use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration as StdDuration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::SinkExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio_postgres::config::Host;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{AsyncMessage, Client, Config, SimpleQueryMessage, Statement};
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
    is_url(url) && Config::from_str(&split_trust(url).0).is_ok_and(|c| c.get_user().is_none())
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
    parse(url)?
        .0
        .get_dbname()
        .map(str::to_owned)
        .ok_or_else(|| {
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

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
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

struct PgRow<'a>(&'a tokio_postgres::Row);

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
    fn str(&self, i: usize) -> Result<Option<&str>> {
        self.0
            .try_get(i)
            .map_err(|e| StoreError::Backend(format!("column {i}: {e}")))
    }
}

/// How long a call may wait for an answer before the server is asked,
/// on a connection of its own, whether it still answers at all.
const QUIET: StdDuration = StdDuration::from_millis(2500);
/// How long that question may wait: a server that does not answer it
/// either (stopped, frozen, a proxy that stopped forwarding) is given up,
/// so a stalled server is told within QUIET + PROBE_LIMIT (4 s).
const PROBE_LIMIT: StdDuration = StdDuration::from_millis(1500);
/// The longest one statement may take while the server answers others (a
/// long lock wait, a report over millions of cases).
const CALL_LIMIT: StdDuration = StdDuration::from_secs(120);
/// How long a write whose COMMIT got no answer keeps trying to reach the
/// server again to learn whether it was saved.
const RECOVER_WINDOW: StdDuration = StdDuration::from_secs(10);

/// Where the server listens, for the "do you answer at all" question.
#[derive(Debug, Clone)]
enum Target {
    Tcp(String, u16),
    Unix(PathBuf),
}

impl Target {
    fn of(config: &Config) -> Option<Target> {
        let port = config.get_ports().first().copied().unwrap_or(5432);
        match config.get_hosts().first() {
            Some(Host::Tcp(h)) => Some(Target::Tcp(h.clone(), port)),
            Some(Host::Unix(dir)) => Some(Target::Unix(dir.join(format!(".s.PGSQL.{port}")))),
            None => None,
        }
    }

    /// Whether the server answers a GSSENCRequest (8 bytes, answered by one
    /// byte, `N` when GSSAPI encryption is off) within PROBE_LIMIT. The
    /// server closes such a connection without a word in its log.
    async fn answers(&self) -> bool {
        const GSSENC_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30];
        async fn ask<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
            mut s: S,
        ) -> Option<()> {
            s.write_all(&GSSENC_REQUEST).await.ok()?;
            let mut answer = [0u8; 1];
            s.read_exact(&mut answer).await.ok()?;
            Some(())
        }
        let asked = async {
            match self {
                Target::Tcp(host, port) => {
                    ask(tokio::net::TcpStream::connect((host.as_str(), *port))
                        .await
                        .ok()?)
                    .await
                }
                Target::Unix(path) => ask(tokio::net::UnixStream::connect(path).await.ok()?).await,
            }
        };
        matches!(tokio::time::timeout(PROBE_LIMIT, asked).await, Ok(Some(())))
    }
}

/// Runs `call`, giving it up when the server stops answering: after QUIET
/// without an answer the server is asked on a new connection whether it
/// answers at all; a server that does not (or a call past CALL_LIMIT) ends
/// the call. Err says why. Keepalives cannot tell: a stopped server's
/// kernel still acknowledges them.
async fn bounded<F: Future>(target: Option<&Target>, call: F) -> Result<F::Output, String> {
    let started = Instant::now();
    tokio::pin!(call);
    loop {
        if let Ok(out) = tokio::time::timeout(QUIET, &mut call).await {
            return Ok(out);
        }
        if started.elapsed() >= CALL_LIMIT {
            return Err(format!(
                "no answer within {} s, though the server answers others",
                CALL_LIMIT.as_secs()
            ));
        }
        if let Some(t) = target
            && !t.answers().await
        {
            return Err(format!(
                "the server stopped answering (nothing for {:.1} s)",
                started.elapsed().as_secs_f64()
            ));
        }
    }
}

/// One connection: the client, and the task that drives its socket on the
/// store's runtime.
struct Link {
    client: Client,
    task: tokio::task::JoinHandle<()>,
    /// Given up (the server stopped answering): reopened on the next call.
    dead: AtomicBool,
}

impl Link {
    fn kill(&self) {
        self.dead.store(true, Ordering::SeqCst);
        self.task.abort();
    }

    fn usable(&self) -> bool {
        !self.dead.load(Ordering::SeqCst) && !self.client.is_closed()
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a call needs to run bounded on a link.
#[derive(Clone, Copy)]
struct Conn<'a> {
    rt: &'a Runtime,
    link: &'a Link,
    target: Option<&'a Target>,
}

impl Conn<'_> {
    /// Runs `call`; Err(why) when the server stopped answering (the link
    /// is then given up).
    fn run_raw<T>(
        &self,
        call: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<Result<T, tokio_postgres::Error>, String> {
        if !self.link.usable() {
            return Err("the connection was given up".to_owned());
        }
        self.rt
            .block_on(bounded(self.target, call))
            .inspect_err(|_| self.link.kill())
    }

    fn run<T>(&self, call: impl Future<Output = Result<T, tokio_postgres::Error>>) -> Result<T> {
        match self.run_raw(call) {
            Ok(r) => r.map_err(StoreError::from),
            Err(why) => Err(StoreError::Unreachable(why)),
        }
    }
}

/// A connection with the store's prepared statements.
struct PgTx<'a> {
    conn: Conn<'a>,
    statements: &'a mut HashMap<String, Statement>,
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let client = &self.conn.link.client;
        let s = self.conn.run(client.prepare(&numbered(sql)))?;
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

impl Tx for PgTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        sql::no_nul(params)?;
        let stmt = self.statement(sql)?;
        let client = &self.conn.link.client;
        self.conn.run(client.execute(&stmt, &refs(params)))
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Param],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let stmt = self.statement(sql)?;
        let client = &self.conn.link.client;
        for r in self.conn.run(client.query(&stmt, &refs(params)))? {
            each(&PgRow(&r))?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        let client = &self.conn.link.client;
        self.conn.run(client.batch_execute(sql))
    }

    /// COPY: one round trip per table instead of one per row.
    fn insert_many(&mut self, table: &str, columns: &[&str], rows: &[Vec<Param>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        for r in rows {
            sql::no_nul(r)?;
        }
        let copy = format!("COPY {table} ({}) FROM STDIN", columns.join(", "));
        let data = Bytes::from(copy_text(rows));
        let client = &self.conn.link.client;
        self.conn.run(async move {
            let sink = client.copy_in::<_, Bytes>(&copy).await?;
            tokio::pin!(sink);
            sink.send(data).await?;
            sink.finish().await
        })?;
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

/// How the server's certificate is checked (libpq's `sslmode` and
/// `sslrootcert`, which the driver does not read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Trust {
    /// `sslmode=verify-ca`: the chain is checked, the host name is not.
    ca_only: bool,
    /// `sslrootcert=FILE`: the CA certificates (PEM) trusted instead of
    /// the system's.
    rootcert: Option<PathBuf>,
}

/// The URL as the driver reads it, and what it says about trust:
/// `sslrootcert` is taken out, and `sslmode=verify-ca` / `verify-full`
/// become `require` (TLS or nothing) with the checks kept in `Trust`.
/// Without them, as before: the system's CA roots, host name checked.
fn split_trust(url: &str) -> (String, Trust) {
    let mut trust = Trust::default();
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), trust);
    };
    let mut kept = Vec::new();
    for piece in query.split('&') {
        let (key, value) = form_urlencoded::parse(piece.as_bytes())
            .next()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .unwrap_or_default();
        match (key.as_str(), value.as_str()) {
            ("sslrootcert", "system") => trust.rootcert = None,
            ("sslrootcert", file) => trust.rootcert = Some(PathBuf::from(file)),
            ("sslmode", "verify-full") => kept.push("sslmode=require".to_owned()),
            ("sslmode", "verify-ca") => {
                trust.ca_only = true;
                kept.push("sslmode=require".to_owned());
            }
            _ => kept.push(piece.to_owned()),
        }
    }
    if kept.is_empty() {
        (base.to_owned(), trust)
    } else {
        (format!("{base}?{}", kept.join("&")), trust)
    }
}

/// Checks a certificate's chain against the trusted CAs but not its host
/// name (`sslmode=verify-ca`).
#[derive(Debug)]
struct CaOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl rustls::client::danger::ServerCertVerifier for CaOnly {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(rustls::client::danger::ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

fn tls(trust: &Trust) -> Result<MakeRustlsConnect> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match &trust.rootcert {
        Some(file) => {
            let bad = |why: String| {
                StoreError::Backend(format!(
                    "sslrootcert {}: {why}: give a file of PEM certificates (-----BEGIN CERTIFICATE-----) of the CA that signed the server's",
                    file.display()
                ))
            };
            let certs = CertificateDer::pem_file_iter(file)
                .map_err(|e| bad(e.to_string()))?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| bad(e.to_string()))?;
            if certs.is_empty() {
                return Err(bad("it holds no certificate".into()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| bad(e.to_string()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let failed = |e: &dyn std::fmt::Display| StoreError::Backend(format!("TLS set-up failed: {e}"));
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(&e))?;
    let config = if trust.ca_only {
        let chain =
            rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| failed(&e))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(CaOnly(chain)))
            .with_no_client_auth()
    } else {
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    Ok(MakeRustlsConnect::new(config))
}

fn parse(url: &str) -> Result<(Config, Trust)> {
    let (url_for_driver, trust) = split_trust(url);
    let mut config = Config::from_str(&url_for_driver).map_err(|e| {
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
    Ok((config, trust))
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
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
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
pub fn redact(url: &str) -> String {
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

/// The runtime a store's connections live on (one thread: the caller's).
fn runtime() -> Result<Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Backend(format!("cannot start the PostgreSQL driver: {e}")))
}

/// A connection's socket, possibly under TLS.
type PgConnection = tokio_postgres::Connection<
    tokio_postgres::Socket,
    <MakeRustlsConnect as tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>>::Stream,
>;

/// Connects within CONNECT_LIMIT; the connection's socket is then driven by
/// a task on `rt` (while a call runs).
fn connect_parts(
    rt: &Runtime,
    config: &Config,
    trust: &Trust,
    url: &str,
) -> Result<(Client, PgConnection)> {
    let tls = tls(trust)?;
    let answer = rt
        .block_on(async { tokio::time::timeout(CONNECT_LIMIT, config.connect(tls)).await })
        .map_err(|_| {
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
        // The server's certificate was not trusted, or it offers no TLS
        // where TLS is required: not a network fault.
        let text = e.to_string();
        if text.contains("TLS") {
            let why = std::error::Error::source(&e).map_or(text, std::string::ToString::to_string);
            return StoreError::Tls {
                at: redact(url),
                why,
            };
        }
        StoreError::Unreachable(format!("cannot connect to {}: {e}", redact(url)))
    })
}

fn connect(rt: &Runtime, config: &Config, trust: &Trust, url: &str) -> Result<Link> {
    let (client, connection) = connect_parts(rt, config, trust, url)?;
    let task = rt.spawn(async move {
        let _ = connection.await;
    });
    Ok(Link {
        client,
        task,
        dead: AtomicBool::new(false),
    })
}

pub struct PgStore {
    rt: Runtime,
    link: Option<Link>,
    config: Config,
    trust: Trust,
    target: Option<Target>,
    url: String,
    statements: HashMap<String, Statement>,
    settings: Settings,
    catalog: Catalog,
}

/// Serializes schema creation and migration between processes.
const SCHEMA_LOCK: i64 = 0x0c17_de5c;

/// One try of a write: done, or its COMMIT sent and not answered (saved or
/// not: the server knows, as the outcome of transaction `xid`).
enum Attempt<T> {
    Done(T),
    CommitLost {
        xid: i64,
        pid: i32,
        out: T,
        why: String,
    },
}

impl PgStore {
    /// A store on `url` (signed in to the server as `login`, else as the
    /// URL says), connected, with the catalog `load` reads on that
    /// connection (after any checks and set-up it makes there).
    fn connected(
        url: &str,
        settings: Settings,
        login: Option<&Login>,
        load: impl FnOnce(&mut PgTx<'_>) -> Result<Catalog>,
    ) -> Result<PgStore> {
        let (mut config, trust) = parse(url)?;
        if let Some(l) = login {
            config.user(&l.role).password(&l.password);
        }
        let rt = runtime()?;
        let link = connect(&rt, &config, &trust, url)?;
        let target = Target::of(&config);
        let mut statements = HashMap::new();
        let catalog = load(&mut PgTx {
            conn: Conn {
                rt: &rt,
                link: &link,
                target: target.as_ref(),
            },
            statements: &mut statements,
        })?;
        Ok(PgStore {
            rt,
            link: Some(link),
            target,
            config,
            trust,
            url: url.to_owned(),
            statements,
            settings,
            catalog,
        })
    }

    /// The connection, reopened if the server dropped it (a restart, a
    /// network cut) or it was given up (the server stopped answering).
    fn tx(&mut self) -> Result<PgTx<'_>> {
        if !self.link.as_ref().is_some_and(Link::usable) {
            self.link = None;
            self.statements.clear();
            self.link = Some(connect(&self.rt, &self.config, &self.trust, &self.url)?);
        }
        let link = self.link.as_ref().expect("connected above");
        Ok(PgTx {
            conn: Conn {
                rt: &self.rt,
                link,
                target: self.target.as_ref(),
            },
            statements: &mut self.statements,
        })
    }

    /// Opens a store that `init` has set up.
    pub fn open(url: &str, settings: Settings) -> Result<PgStore> {
        Self::open_as(url, settings, None)
    }

    /// Opens a store that `init` has set up, signed in to the server as
    /// `login` (else as the URL says).
    pub fn open_as(url: &str, settings: Settings, login: Option<&Login>) -> Result<PgStore> {
        PgStore::connected(url, settings, login, |t| {
            match sql::schema_version(t)? {
                None => {
                    refuse_foreign(t, url)?;
                    return Err(StoreError::NotInitialized(redact(url)));
                }
                Some(v) if v > SCHEMA_VERSION => {
                    return Err(StoreError::TooNew {
                        found: v,
                        known: SCHEMA_VERSION,
                    });
                }
                Some(v) if v < SCHEMA_VERSION => migrate(t)?,
                Some(_) => {}
            }
            sql::load_catalog(t)
        })
    }

    /// Creates the schema if needed and loads `catalog`. Idempotent.
    pub fn init(
        url: &str,
        settings: Settings,
        catalog: &Catalog,
        now: DateTime<Utc>,
    ) -> Result<(PgStore, InitReport)> {
        let mut made = (false, 0);
        let store = PgStore::connected(url, settings, None, |t| {
            if sql::schema_version(t)?.is_none() {
                refuse_foreign(t, url)?;
            }
            migrate(t)?;
            t.batch("BEGIN")?;
            let done = (|| {
                t.execute("SELECT pg_advisory_xact_lock(?1)", &[SCHEMA_LOCK.into()])?;
                let created = sql::schema_version(t)?.is_none();
                if created {
                    sql::create_schema(t, now)?;
                }
                let retired = sql::store_catalog(t, catalog)?;
                Ok((created, retired))
            })();
            made = finish(t, done)?;
            // Statements prepared before the schema existed may be stale.
            t.statements.clear();
            sql::load_catalog(t)
        })?;
        let report = InitReport::new(made.0, &store.catalog, made.1);
        Ok((store, report))
    }

    /// One try of the write `f`: BEGIN (learning the transaction's id and
    /// the server process's), `f`, COMMIT.
    fn attempt<T>(
        &mut self,
        f: &mut impl FnMut(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<Attempt<T>> {
        self.tx()?;
        let PgStore {
            rt,
            link,
            target,
            statements,
            catalog,
            settings,
            ..
        } = self;
        let link = link.as_ref().expect("connected by tx()");
        let conn = Conn {
            rt,
            link,
            target: target.as_ref(),
        };
        let begun = conn.run(
            link.client
                .simple_query("BEGIN; SELECT txid_current()::text, pg_backend_pid()::text"),
        )?;
        let (xid, pid) = begun
            .iter()
            .find_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some((
                    r.get(0)?.parse::<i64>().ok()?,
                    r.get(1)?.parse::<i32>().ok()?,
                )),
                _ => None,
            })
            .ok_or_else(|| {
                StoreError::Backend("the server did not say its transaction id".into())
            })?;
        let out = f(&mut PgTx { conn, statements }, catalog, settings);
        let out = match out {
            Ok(v) => v,
            Err(e) => {
                if link.usable() {
                    let _ = conn.run(link.client.batch_execute("ROLLBACK"));
                }
                return Err(e);
            }
        };
        match conn.run_raw(link.client.batch_execute("COMMIT")) {
            Ok(Ok(())) => Ok(Attempt::Done(out)),
            // The server answered no: nothing was saved.
            Ok(Err(e)) if e.as_db_error().is_some() => Err(e.into()),
            Ok(Err(e)) => {
                link.kill();
                Ok(Attempt::CommitLost {
                    xid,
                    pid,
                    out,
                    why: e.to_string(),
                })
            }
            Err(why) => Ok(Attempt::CommitLost { xid, pid, out, why }),
        }
    }

    /// Whether transaction `xid` (run by server process `pid`) committed:
    /// asked on a new connection for up to RECOVER_WINDOW. Some(false): it
    /// did not, and never will; None: the server could not be asked.
    fn committed(&mut self, xid: i64, pid: i32) -> Option<bool> {
        let until = Instant::now() + RECOVER_WINDOW;
        let mut ended = false;
        while Instant::now() < until {
            let status = self.tx().and_then(|mut t| {
                let mut status = None;
                t.query("SELECT txid_status(?1)", &[xid.into()], &mut |r| {
                    status = r.text(0)?;
                    Ok(())
                })?;
                Ok(status)
            });
            match status.map(Option::unwrap_or_default).as_deref() {
                Ok("committed") => return Some(true),
                Ok("aborted") => return Some(false),
                // Too old to know (cannot happen within seconds).
                Ok("") => return None,
                // Still running: its process may not have noticed that we
                // left. Ending it settles the outcome either way.
                Ok(_) if !ended => {
                    ended = self
                        .tx()
                        .and_then(|mut t| {
                            t.execute(
                                "SELECT pg_terminate_backend(CAST(?1 AS BIGINT)::int)",
                                &[i64::from(pid).into()],
                            )
                        })
                        .is_ok();
                }
                Ok(_) | Err(_) => {}
            }
            std::thread::sleep(StdDuration::from_millis(200));
        }
        None
    }

    fn unknown(&self, xid: i64, why: String) -> StoreError {
        StoreError::OutcomeUnknown {
            at: redact(&self.url),
            transaction: xid,
            why,
        }
    }
}

/// Refuses another program's database: a store without citydesk's schema
/// version is citydesk's to set up only if its schema (the first on the
/// search path, normally `public`) holds no tables, views or sequences of
/// anyone else; citydesk's own (`meta` and `cases`, a set-up cut short)
/// do not count as foreign. Reads only.
fn refuse_foreign(t: &mut PgTx<'_>, url: &str) -> Result<()> {
    let mut names: Vec<String> = Vec::new();
    let mut schema = None;
    t.query(
        "SELECT c.relname, current_schema() FROM pg_class c \
         WHERE c.relnamespace = current_schema()::regnamespace \
         AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') ORDER BY c.relname",
        &[],
        &mut |r| {
            names.extend(r.text(0)?);
            schema = r.text(1)?;
            Ok(())
        },
    )?;
    if names.is_empty() || (names.iter().any(|n| n == "meta") && names.iter().any(|n| n == "cases"))
    {
        return Ok(());
    }
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    Err(StoreError::Foreign {
        at: redact(url),
        why: format!(
            "its schema {} holds other tables and no citydesk schema version: {}{}",
            schema.unwrap_or_default(),
            shown.join(", "),
            if names.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ),
    })
}

/// Commits `t`'s transaction if `done` is Ok, else rolls it back.
fn finish<T>(t: &mut PgTx<'_>, done: Result<T>) -> Result<T> {
    match done {
        Ok(v) => {
            t.batch("COMMIT")?;
            Ok(v)
        }
        Err(e) => {
            if t.conn.link.usable() {
                let _ = t.batch("ROLLBACK");
            }
            Err(e)
        }
    }
}

fn migrate(t: &mut PgTx<'_>) -> Result<()> {
    t.batch("BEGIN")?;
    let done = (|| {
        t.execute("SELECT pg_advisory_xact_lock(?1)", &[SCHEMA_LOCK.into()])?;
        if let Some(found) = sql::schema_version(t)? {
            for v in found..SCHEMA_VERSION {
                sql::migrate_step(t, v)?;
            }
        }
        Ok(())
    })();
    finish(t, done)?;
    t.statements.clear();
    Ok(())
}

/// How long the watcher's connection may hear nothing before it asks the
/// server (`SELECT 1` on that connection, answered within PROBE_LIMIT)
/// whether it still answers: a stalled server is told within
/// WATCH_QUIET + PROBE_LIMIT (3.5 s) even while nobody makes a call.
const WATCH_QUIET: StdDuration = StdDuration::from_secs(2);

/// LISTEN on a connection of its own; the server's triggers NOTIFY on every
/// committed change to cases and operators. A quiet connection is probed
/// (WATCH_QUIET), so `wait` says `Unreachable` when the server stops
/// answering (stopped, frozen, a proxy that stopped forwarding) or the
/// connection is lost, not only when a change arrives.
struct PgWatcher {
    rt: Runtime,
    connection: PgConnection,
    client: Client,
    /// When the server last said anything on this connection.
    heard: tokio::time::Instant,
}

/// What the connection says next: a notification (true), something else
/// (false); Err when it is lost.
async fn next_message(connection: &mut PgConnection) -> Result<bool> {
    match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
        None => Err(StoreError::Unreachable(
            "the server closed the connection".into(),
        )),
        Some(Err(e)) => Err(e.into()),
        Some(Ok(AsyncMessage::Notification(_))) => Ok(true),
        Some(Ok(_)) => Ok(false),
    }
}

/// Asks the server on the watcher's own connection whether it still
/// answers (`SELECT 1` within PROBE_LIMIT); Ok(whether a notification
/// arrived meanwhile).
async fn probe(client: &Client, connection: &mut PgConnection) -> Result<bool> {
    let asked = client.simple_query("SELECT 1");
    tokio::pin!(asked);
    let mut got = false;
    let answered = tokio::time::timeout(PROBE_LIMIT, async {
        loop {
            tokio::select! {
                r = &mut asked => return r.map(drop).map_err(StoreError::from),
                m = next_message(connection) => got |= m?,
            }
        }
    })
    .await;
    match answered {
        Ok(r) => r.map(|()| got),
        Err(_) => Err(StoreError::Unreachable(format!(
            "the server stopped answering (no answer to a probe within {:.1} s)",
            PROBE_LIMIT.as_secs_f64()
        ))),
    }
}

impl Watcher for PgWatcher {
    fn wait(&mut self, timeout: StdDuration) -> Result<bool> {
        let PgWatcher {
            rt,
            connection,
            client,
            heard,
        } = self;
        rt.block_on(async {
            let deadline = tokio::time::Instant::now() + timeout;
            let mut got = false;
            loop {
                // After the first, drain what else arrived: one refresh
                // covers them all. Otherwise wait until the deadline, or
                // until the connection has been quiet long enough to probe.
                let until = if got {
                    tokio::time::Instant::now()
                } else {
                    deadline.min(*heard + WATCH_QUIET)
                };
                match tokio::time::timeout_at(until, next_message(connection)).await {
                    Err(_) if got => return Ok(true),
                    Err(_) => {
                        if tokio::time::Instant::now() >= *heard + WATCH_QUIET {
                            got |= probe(client, connection).await?;
                            *heard = tokio::time::Instant::now();
                        }
                        if !got && tokio::time::Instant::now() >= deadline {
                            return Ok(false);
                        }
                    }
                    Ok(m) => {
                        got |= m?;
                        *heard = tokio::time::Instant::now();
                    }
                }
            }
        })
    }
}

impl Engine for PgStore {
    fn location(&self) -> String {
        redact(&self.url)
    }

    fn server_checks_password(&self, name: &str, password: &str) -> Option<Result<bool>> {
        if !signs_in_operators(&self.url) {
            return None;
        }
        let login = match operator_role(&self.url, name) {
            Ok(role) => Login {
                role,
                password: password.to_owned(),
            },
            Err(e) => return Some(Err(e)),
        };
        Some(
            match PgStore::open_as(&self.url, self.settings.clone(), Some(&login)) {
                Ok(_) => Ok(true),
                Err(StoreError::ConnectionRefused { .. }) => Ok(false),
                Err(e) => Err(e),
            },
        )
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
        let rt = runtime()?;
        let (client, mut connection) = connect_parts(&rt, &self.config, &self.trust, &self.url)?;
        let listened = rt.block_on(async {
            let listen = client.batch_execute("LISTEN citydesk");
            // The connection is driven here only while LISTEN runs.
            let drive = async {
                while let Some(m) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    m?;
                }
                Err(StoreError::Unreachable(
                    "the server closed the connection".into(),
                ))
            };
            let both = async {
                tokio::select! {
                    r = listen => r.map_err(StoreError::from),
                    r = drive => r,
                }
            };
            tokio::time::timeout(CONNECT_LIMIT, both).await
        });
        listened.map_err(|_| {
            StoreError::Unreachable(format!(
                "{}: no answer to LISTEN within {} s",
                redact(&self.url),
                CONNECT_LIMIT.as_secs()
            ))
        })??;
        Ok(Box::new(PgWatcher {
            rt,
            connection,
            client,
            heard: tokio::time::Instant::now(),
        }))
    }

    /// One REPEATABLE READ transaction: a case and its timeline come from
    /// one snapshot (READ COMMITTED gives each statement its own).
    fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let mut t = self.tx()?;
        t.batch("BEGIN ISOLATION LEVEL REPEATABLE READ")?;
        let done = f(&mut t);
        finish(&mut t, done)
    }

    /// Runs `f` in one transaction, committed if it succeeds. A COMMIT
    /// without an answer (the connection lost, the server stalled) is not
    /// "nothing was saved": the server is asked again whether that
    /// transaction committed. It did: `f`'s result stands. It did not: `f`
    /// runs once more in a new transaction. The server cannot be asked
    /// within RECOVER_WINDOW: `OutcomeUnknown`, which says how to check.
    fn write<T>(
        &mut self,
        mut f: impl FnMut(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T> {
        let (xid, pid, out, why) = match self.attempt(&mut f)? {
            Attempt::Done(v) => return Ok(v),
            Attempt::CommitLost { xid, pid, out, why } => (xid, pid, out, why),
        };
        match self.committed(xid, pid) {
            Some(true) => Ok(out),
            None => Err(self.unknown(xid, why)),
            Some(false) => match self.attempt(&mut f)? {
                Attempt::Done(v) => Ok(v),
                Attempt::CommitLost { xid, pid, out, why } => match self.committed(xid, pid) {
                    Some(true) => Ok(out),
                    Some(false) => Err(StoreError::Unreachable(why)),
                    None => Err(self.unknown(xid, why)),
                },
            },
        }
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
                .0
                .get_password()
                == Some(&b"given"[..])
        );
    }

    #[test]
    fn sslrootcert_and_the_verifying_modes_are_read_and_hidden_from_the_driver() {
        let (url, trust) = split_trust(
            "postgres://desk@db.example/citydesk?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca%20x.pem&application_name=a",
        );
        assert_eq!(
            url,
            "postgres://desk@db.example/citydesk?sslmode=require&application_name=a"
        );
        assert!(trust.ca_only);
        assert_eq!(trust.rootcert, Some(PathBuf::from("/etc/ca x.pem")));
        let (url, trust) = split_trust("postgres://h/d?sslrootcert=/ca.pem&sslmode=verify-full");
        assert_eq!(url, "postgres://h/d?sslmode=require");
        assert!(!trust.ca_only);
        assert_eq!(split_trust("postgres://h/d").0, "postgres://h/d");
        assert_eq!(
            split_trust("postgres://h/d?sslrootcert=/x").0,
            "postgres://h/d"
        );
        assert!(parse("postgres://h/d?sslmode=verify-full&sslrootcert=/x").is_ok());
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
