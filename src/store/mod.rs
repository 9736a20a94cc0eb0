//! The store: one trait, the only door to persistence; everything above it is
//! engine-free. Every write runs in one transaction that calls the pure
//! workflow, checks the version the caller read, writes the case and appends to
//! its timeline. The queries and steps live once in `sql`; an engine (`sqlite`,
//! `postgres`) supplies only connections and transactions (`engine::Engine`),
//! and `Store` follows from that.
//!
//! The schema: `schema.sql` is its one source. Its portable part runs as it is
//! on both engines; engine-only statements (triggers) sit in marked
//! `-- @dialect NAME` blocks; for PostgreSQL the text is derived mechanically
//! (`schema_for`): its own block, and INTEGER written as BIGINT.

pub mod chain;
pub mod engine;
pub mod files;
pub mod migrations;
pub mod postgres;
pub mod reports;
pub mod sql;
pub mod sqlite;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

pub use crate::auth::{NewSession, Session};
use crate::domain::case::{Case, CaseRecord, Channel, Contact};
use crate::domain::catalog::{Catalog, CatalogError, Department, District, Service};
use crate::domain::event::Event;
use crate::domain::intake::{CaseInput, InvalidInput};
use crate::domain::roles::{Actor, Denied, Role};
use crate::domain::shift::Shift;
use crate::domain::tracking::{CodeKey, TrackingCode};
use crate::domain::workflow::{Action, Refusal};
use crate::report::figures::{ReportQuery, Rows as ReportRows};
use crate::report::handover::{CaseRef, HandoverRecord};

/// The schema version this program writes (schema.sql plus migrations).
pub const SCHEMA_VERSION: u32 = migrations::LATEST;

/// The schema text, `schema.sql`, shared by every engine.
pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");

/// `schema.sql` as one engine runs it: the portable part plus that engine's
/// `-- @dialect NAME` blocks. For PostgreSQL, INTEGER becomes BIGINT, so that
/// every integer column is 64-bit on both engines (SQLite's INTEGER already is).
pub fn schema_for(dialect: &str) -> String {
    schema_text_for(SCHEMA_SQL, dialect)
}

/// A schema text (this version's, or an older one kept by tests) as one
/// engine runs it.
pub fn schema_text_for(schema: &str, dialect: &str) -> String {
    let mut out = String::with_capacity(schema.len());
    let mut keep = true;
    for line in schema.lines() {
        let t = line.trim();
        if let Some(d) = t.strip_prefix("-- @dialect ") {
            keep = d.trim() == dialect;
            continue;
        }
        if t == "-- @end" {
            keep = true;
            continue;
        }
        if keep {
            if dialect == "postgres" {
                out.push_str(&line.replace("INTEGER", "BIGINT"));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
    }
    out
}

/// An operator account (the password hash is never serialized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub name: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    /// The hash of citydesk's own password check: read only by
    /// `Store::accounts` (a store's copy, by its owner); None from the
    /// everyday reads, which on PostgreSQL a staff connection makes and may
    /// not read it in.
    #[serde(skip)]
    pub password_hash: Option<String>,
}

impl Operator {
    pub fn actor(&self) -> Actor {
        Actor {
            name: self.name.clone(),
            role: self.role,
        }
    }
}

/// A new operator account, its password already hashed.
#[derive(Debug, Clone)]
pub struct NewOperator {
    pub name: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// A front end that files cases through the Open311 server (its API key is
/// kept only as a hash, never serialized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    pub name: String,
    /// How its cases arrive: `web` or `app`.
    pub channel: Channel,
    /// Its service account, which registers its cases.
    pub operator: String,
    /// Requests a minute the server accepts with its key.
    pub per_minute: u32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new client, its key already hashed (`secret::key_hash`).
#[derive(Debug, Clone)]
pub struct NewClient {
    pub name: String,
    pub channel: Channel,
    pub per_minute: u32,
    pub key_hash: String,
}

/// A GeoReport `GET /requests` query: the cases with these codes (if any are
/// given, nothing else narrows), else the cases received in `from..=to`, of
/// these services (all if empty), open or closed (both if None); newest
/// first, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestQuery {
    pub codes: Vec<TrackingCode>,
    pub services: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub open: Option<bool>,
    pub limit: u32,
}

/// The work queues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queue {
    /// Registered, not yet referred: urgent first, then nearest deadline.
    Unreferred,
    /// Not answered and past the deadline: most overdue first.
    Overdue,
    /// Not answered, deadline within the given time: nearest first.
    DueSoon(Duration),
    /// Not answered, deadline in `[from, until)`: nearest first.
    DueBetween(DateTime<Utc>, DateTime<Utc>),
    /// Answered by the department, waiting for the feedback call: urgent, then oldest.
    Feedback,
    /// Escalated, or overdue by more than the threshold: longest waiting first.
    FollowUp,
    /// Open cases held by this operator: nearest deadline first.
    Mine(String),
}

/// Narrows a queue to one department, district or service (codes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub department: Option<String>,
    pub district: Option<String>,
    pub service: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.department.is_none() && self.district.is_none() && self.service.is_none()
    }
}

/// One page of a queue, and how many cases the whole queue holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueuePage {
    pub cases: Vec<Case>,
    pub total: u64,
}

/// A page of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub offset: u32,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 50,
            offset: 0,
        }
    }
}

/// How many cases each queue holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    pub unreferred: u64,
    pub overdue: u64,
    pub due_soon: u64,
    pub feedback: u64,
    pub follow_up: u64,
    pub mine: u64,
}

/// A whole case for bulk loading (the demo generator; moving between stores).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportCase {
    /// The case's serial, kept when moving a store (its tracking code follows
    /// from it); None takes a fresh one from the store's counter.
    pub serial: Option<u64>,
    /// Its tracking code is replaced by the one of its serial.
    pub case: Case,
    pub contacts: Vec<Contact>,
    pub timeline: Vec<Event>,
}

/// Entries an import adds to the catalog: an old system's departments,
/// districts and request types that the mapping did not match to the
/// catalog's own. Added beside the catalog, never replacing or retiring an
/// entry (see `Store::extend_catalog`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogAdditions {
    pub departments: Vec<Department>,
    pub districts: Vec<District>,
    pub services: Vec<Service>,
}

impl CatalogAdditions {
    pub fn is_empty(&self) -> bool {
        self.departments.is_empty() && self.districts.is_empty() && self.services.is_empty()
    }
}

/// How many rows a store holds, table by table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub cases: u64,
    pub contacts: u64,
    pub timeline: u64,
    pub operators: u64,
    pub drafts: u64,
}

/// An intake form being typed, saved as the operator types (JSON body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Draft {
    pub operator: String,
    pub saved_at: DateTime<Utc>,
    pub body: String,
}

/// What `init` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InitReport {
    pub created: bool,
    pub schema_version: u32,
    pub services: usize,
    pub departments: usize,
    pub districts: usize,
    pub services_retired: usize,
}

impl InitReport {
    pub fn new(created: bool, catalog: &Catalog, retired: usize) -> Self {
        InitReport {
            created,
            schema_version: SCHEMA_VERSION,
            services: catalog.services.iter().filter(|s| s.active).count(),
            departments: catalog.departments.len(),
            districts: catalog.districts.len(),
            services_retired: retired,
        }
    }
}

/// Tells a console that someone (another console, the CLI) changed the store.
pub trait Watcher: Send {
    /// Waits up to `timeout` for a change committed since the last call;
    /// returns whether there was one.
    fn wait(&mut self, timeout: std::time::Duration) -> Result<bool>;
}

/// Why a store call failed, as data (words: `present`, which says what was
/// wrong and what to do).
#[derive(Debug, Serialize)]
#[serde(tag = "error", content = "details", rename_all = "kebab-case")]
pub enum StoreError {
    /// No store at this location.
    Missing(String),
    /// A store that `citydesk init` has not set up.
    NotInitialized(String),
    /// Made by a newer citydesk.
    TooNew {
        found: u32,
        known: u32,
    },
    NoSuchCase(TrackingCode),
    NoSuchOperator(String),
    OperatorDisabled(String),
    OperatorExists(String),
    NoSuchClient(String),
    ClientExists(String),
    /// The case changed since the caller read `version - 1` or earlier.
    Conflict {
        code: TrackingCode,
        by: String,
        at: DateTime<Utc>,
        version: i64,
    },
    Forbidden(Denied),
    Refused(Refusal),
    Invalid(InvalidInput),
    Catalog(CatalogError),
    /// The handover was accepted already: its notes are read-only.
    HandoverAccepted {
        by: String,
        at: DateTime<Utc>,
    },
    /// The one who wrote a handover's notes cannot also accept it.
    OwnHandover,
    /// Another write held the store too long.
    Busy,
    /// The server or file cannot be reached; the text is the driver's.
    Unreachable(String),
    /// Cases of this old system and these ids were imported before: an
    /// import is refused whole if any of its cases is already in the store.
    AlreadyImported {
        source: String,
        /// How many of the cases being imported are there already.
        count: u64,
        /// One of their old ids.
        example: String,
    },
    /// Anything else the engine reported; the text is the driver's.
    Backend(String),
    /// Every tracking code of this store is taken (`capacity` serials).
    CodesExhausted {
        capacity: u64,
    },
    /// The store's schema version is not one any citydesk wrote (0, or not
    /// a number): the store is damaged.
    BadVersion {
        found: String,
    },
    /// The file at `at` is not a citydesk store (another program's
    /// database, or not a database): it was not changed.
    Foreign {
        at: String,
        why: String,
    },
    /// The store cannot be written here (its file or folder is read-only):
    /// reading works.
    ReadOnly(String),
    /// The database server answered and refused the connection (a wrong
    /// password or user, a database that does not exist): `why` is its
    /// message, `at` the URL without its password.
    ConnectionRefused {
        at: String,
        why: String,
    },
    /// The connection to the server was lost at COMMIT and the server could
    /// not be reached again in time to learn whether the write was saved:
    /// it may have been. `transaction` is its id on the server
    /// (`SELECT txid_status(N)` tells), `at` the URL without its password.
    OutcomeUnknown {
        at: String,
        transaction: i64,
        why: String,
    },
    /// A PostgreSQL store whose operators sign in to the server as
    /// themselves (its URL names no user), and nobody has signed in to it on
    /// this machine (`citydesk login`): there is no one to connect as. A
    /// new store's first account is added on the owner's URL.
    NotSignedIn(String),
    /// No trusted TLS connection to the server: its certificate is not
    /// signed by a trusted CA (`sslrootcert`) or not for its host name
    /// (`sslmode=verify-full`), or it offers no TLS where the URL requires
    /// it. `why` is the TLS library's reason.
    Tls {
        at: String,
        why: String,
    },
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// Whether the store did not answer (cannot be reached, too busy, or
    /// lost at a COMMIT): what the console's header shows as STORE
    /// UNREACHABLE, as opposed to an answer that refuses.
    pub fn not_reached(&self) -> bool {
        matches!(
            self,
            StoreError::Unreachable(_) | StoreError::Busy | StoreError::OutcomeUnknown { .. }
        )
    }
}

impl From<Refusal> for StoreError {
    fn from(e: Refusal) -> Self {
        StoreError::Refused(e)
    }
}

impl From<InvalidInput> for StoreError {
    fn from(e: InvalidInput) -> Self {
        StoreError::Invalid(e)
    }
}

impl From<CatalogError> for StoreError {
    fn from(e: CatalogError) -> Self {
        StoreError::Catalog(e)
    }
}

impl From<Denied> for StoreError {
    fn from(e: Denied) -> Self {
        StoreError::Forbidden(e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

pub use crate::domain::Settings;

/// Opens the store at `location` (a SQLite file path or a `postgres://` URL),
/// which must have been set up with [`init`].
///
/// A PostgreSQL URL that names no user is a store whose operators sign in
/// to the server as themselves (see `postgres`): the login is the session
/// `citydesk login` left for it (or the token in CITYDESK_TOKEN).
pub fn open(location: &str, settings: &Settings) -> Result<Box<dyn Store>> {
    if postgres::signs_in_operators(location) {
        let token = std::env::var("CITYDESK_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                let path = crate::auth::session_path(&crate::auth::state_dir()?, location);
                crate::auth::read_session(&path).ok().flatten()
            });
        let login = token
            .as_deref()
            .and_then(postgres::Login::from_token)
            .ok_or_else(|| StoreError::NotSignedIn(postgres::redact(location)))?;
        return open_as(location, settings, Some(&login));
    }
    open_as(location, settings, None)
}

/// Opens the store at `location`; a PostgreSQL store signed in to the
/// server as `login` (else as its URL says).
pub fn open_as(
    location: &str,
    settings: &Settings,
    login: Option<&postgres::Login>,
) -> Result<Box<dyn Store>> {
    if postgres::is_url(location) {
        return Ok(Box::new(postgres::PgStore::open_as(
            location,
            settings.clone(),
            login,
        )?));
    }
    Ok(Box::new(sqlite::SqliteStore::open(
        std::path::Path::new(location),
        settings.clone(),
    )?))
}

/// Creates the store at `location` if needed and loads `catalog` into it.
/// Idempotent: running it again updates the catalog and changes nothing else.
pub fn init(
    location: &str,
    settings: &Settings,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<(Box<dyn Store>, InitReport)> {
    if postgres::is_url(location) {
        let (store, report) = postgres::PgStore::init(location, settings.clone(), catalog, now)?;
        return Ok((Box::new(store), report));
    }
    let (store, report) = sqlite::SqliteStore::init(
        std::path::Path::new(location),
        settings.clone(),
        catalog,
        now,
    )?;
    Ok((Box::new(store), report))
}

/// The only door to persistence. One value per connection; `Send` so a worker
/// thread can own it.
pub trait Store: Send {
    /// Where the store is, for people (a path or a URL without password).
    fn location(&self) -> String;

    /// The catalog the store holds.
    fn catalog(&self) -> &Catalog;

    /// The settings the store was opened with.
    fn settings(&self) -> &Settings;

    /// A watcher on a connection of its own, for live refresh.
    fn watcher(&self) -> Result<Box<dyn Watcher>>;

    fn operator_count(&mut self) -> Result<u64>;
    fn operators(&mut self) -> Result<Vec<Operator>>;
    fn operator(&mut self, name: &str) -> Result<Option<Operator>>;
    /// The hash citydesk checks `name`'s password against (its own sign-in
    /// check: SQLite, and PostgreSQL through the owner's URL; a staff
    /// connection on PostgreSQL may not read it).
    fn password_hash(&mut self, name: &str) -> Result<Option<String>>;
    /// Whether `password` is `name`'s: on PostgreSQL's operators' URL the
    /// server checks it (a connection as their own role), else citydesk's
    /// hash (`password_hash`). An unknown name is false.
    fn check_password(&mut self, name: &str, password: &str) -> Result<bool>;
    /// Every operator with their password hash (a store's copy: `migrate`).
    fn accounts(&mut self) -> Result<Vec<Operator>>;
    /// Sets `name`'s password (an administrator `by`): citydesk's hash and,
    /// on PostgreSQL, the server's login (its SCRAM verifier), in one
    /// transaction. Not a service account's (they sign in by token).
    fn set_password(
        &mut self,
        by: &Actor,
        name: &str,
        password: &str,
        password_hash: &str,
    ) -> Result<Operator>;
    /// Adds an operator. `by` is None only for the first operator.
    fn add_operator(
        &mut self,
        by: Option<&Actor>,
        new: &NewOperator,
        now: DateTime<Utc>,
    ) -> Result<Operator>;
    fn set_operator_active(
        &mut self,
        by: &Actor,
        name: &str,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<Operator>;

    /// Registers a new case; returns it with its tracking code.
    fn register(&mut self, by: &Actor, input: &CaseInput, now: DateTime<Utc>) -> Result<Case> {
        self.register_noting(by, input, None, now)
    }

    /// Registers a new case whose first contact carries `note` (how else to
    /// reach the citizen, e.g. an e-mail address).
    fn register_noting(
        &mut self,
        by: &Actor,
        input: &CaseInput,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Case>;

    /// The key the store's tracking codes are made with.
    fn code_key(&mut self) -> Result<CodeKey>;

    /// Gives a store that holds no cases `key` (a migrated store takes its
    /// source's, so that every code stays the same).
    fn set_code_key(&mut self, key: CodeKey) -> Result<()>;

    /// Open311 clients, revoked ones included.
    fn clients(&mut self) -> Result<Vec<Client>>;

    /// Adds a client and its service account `client-NAME` (administrators).
    fn add_client(&mut self, by: &Actor, new: &NewClient, now: DateTime<Utc>) -> Result<Client>;

    /// Revokes a client's key and disables its service account.
    fn revoke_client(&mut self, by: &Actor, name: &str, now: DateTime<Utc>) -> Result<Client>;

    /// The client whose key hashes to `key_hash`, active or revoked.
    fn client_by_key(&mut self, key_hash: &str) -> Result<Option<Client>>;

    /// Cases for a GeoReport `GET /requests` query.
    fn requests(&mut self, query: &RequestQuery) -> Result<Vec<Case>>;

    /// Which of `ids` are already the old id of a case.
    fn old_ids(&mut self, ids: &[String]) -> Result<Vec<String>>;

    /// A case with its contacts and timeline.
    fn case(&mut self, code: TrackingCode) -> Result<CaseRecord>;

    /// Applies an action. With `expected_version`, refuses with `Conflict` when
    /// the case has changed since the caller read that version.
    fn act(
        &mut self,
        by: &Actor,
        code: TrackingCode,
        expected_version: Option<i64>,
        action: &Action,
        now: DateTime<Utc>,
    ) -> Result<Case>;

    /// One page of a queue, most urgent first.
    fn queue(&mut self, queue: &Queue, page: Page, now: DateTime<Utc>) -> Result<Vec<Case>> {
        self.queue_filtered(queue, &Filter::default(), page, now)
    }

    /// One page of a queue narrowed by `filter`, most urgent first.
    fn queue_filtered(
        &mut self,
        queue: &Queue,
        filter: &Filter,
        page: Page,
        now: DateTime<Utc>,
    ) -> Result<Vec<Case>>;

    /// How many cases a queue narrowed by `filter` holds.
    fn queue_total(&mut self, queue: &Queue, filter: &Filter, now: DateTime<Utc>) -> Result<u64>;

    /// The size of every queue (`mine` for `operator`).
    fn queue_counts(
        &mut self,
        operator: &str,
        due_soon: Duration,
        now: DateTime<Utc>,
    ) -> Result<QueueCounts>;

    /// Bulk-loads whole cases in one transaction (see `ImportCase::serial`).
    fn import(&mut self, batch: &[ImportCase]) -> Result<Vec<TrackingCode>>;

    /// Adds departments, districts and services to the catalog without
    /// changing or retiring any entry (a code that exists already is
    /// refused), and reloads the catalog this store holds in memory.
    fn extend_catalog(&mut self, additions: &CatalogAdditions) -> Result<()>;

    /// How many of `old_ids` were imported from `source` before, and one of them.
    fn imported_before(&mut self, source: &str, old_ids: &[&str]) -> Result<(u64, Option<String>)>;

    /// Brings in an old system's cases, all or nothing, in one transaction:
    /// refuses with `AlreadyImported` if any case's old id came from `source`
    /// before, adds `additions` to the catalog (as `extend_catalog`), then
    /// loads `cases` (fresh serials) in batches, calling `progress` with how
    /// many are written so far. The catalog in memory is reloaded after.
    fn import_history(
        &mut self,
        source: &str,
        additions: &CatalogAdditions,
        cases: &[ImportCase],
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<TrackingCode>>;

    /// Whole cases with a serial above `after`, in serial order, at most `limit`.
    fn export(&mut self, after: u64, limit: u32) -> Result<Vec<ImportCase>>;

    /// How many rows each table holds.
    fn totals(&mut self) -> Result<Totals>;

    /// Copies operator accounts as they are, password hashes included (as
    /// `accounts` reads them; an account without its hash is refused).
    fn copy_operators(&mut self, operators: &[Operator]) -> Result<()>;

    /// Fills a store that holds no cases and no operators with another's
    /// content, in ONE transaction (all or nothing: a copy interrupted by a
    /// lost server leaves the store as empty as it was): its code key,
    /// operators, drafts, and the cases `cases(after)` gives, batch by
    /// batch (those with a serial above `after`; an empty batch ends).
    /// `progress` hears how many cases are in. Refused (`TargetNotEmpty`)
    /// when the store holds cases or operators.
    fn load(
        &mut self,
        key: CodeKey,
        operators: &[Operator],
        drafts: &[Draft],
        cases: &mut dyn FnMut(u64) -> Result<Vec<ImportCase>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<()>;

    /// Search by an old system's id, tracking code, phone, or words (see `sql::search`).
    fn search(&mut self, query: &str, limit: u32) -> Result<Vec<Case>>;

    /// Cases a new call may belong to (see `sql::related`).
    fn related(
        &mut self,
        phone: &str,
        service: &str,
        neighborhood: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Case>>;

    /// Saves (replaces) an operator's intake draft.
    fn save_draft(&mut self, draft: &Draft) -> Result<()>;

    /// The drafts of one operator, or of everyone.
    fn drafts(&mut self, operator: Option<&str>) -> Result<Vec<Draft>>;

    fn discard_draft(&mut self, operator: &str) -> Result<()>;

    /// How many cases the store holds.
    fn case_count(&mut self) -> Result<u64>;

    /// What a report counts for a period (see `report::figures`).
    fn report_rows(&mut self, q: &ReportQuery) -> Result<ReportRows>;

    /// Every timeline event from `from` to `to`, with its case (a handover).
    fn events_between(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(CaseRef, Event)>>;

    /// Open cases held by any of `names`, nearest deadline first.
    fn held_by(&mut self, names: &[String], limit: u32) -> Result<Vec<Case>>;

    /// A shift's handover notes and acceptance, if any.
    fn handover(&mut self, shift: &Shift) -> Result<Option<HandoverRecord>>;

    /// Writes the outgoing supervisor's notes (until the handover is accepted).
    fn note_handover(
        &mut self,
        by: &Actor,
        shift: &Shift,
        notes: &str,
        now: DateTime<Utc>,
    ) -> Result<HandoverRecord>;

    /// The incoming supervisor accepts a shift's handover (once).
    fn accept_handover(
        &mut self,
        by: &Actor,
        shift: &Shift,
        now: DateTime<Utc>,
    ) -> Result<HandoverRecord>;

    /// The console saw this operator at work now.
    fn seen(&mut self, name: &str, now: DateTime<Utc>) -> Result<()>;

    /// Who was seen at work since `since`.
    fn at_work(&mut self, since: DateTime<Utc>) -> Result<Vec<String>>;

    /// How many cases were received in each hour of the 24 from `start`.
    fn hourly(&mut self, start: DateTime<Utc>) -> Result<Vec<u64>>;

    /// The cases of one group of a report, newest first.
    fn cases_of(&mut self, q: &ReportQuery, key: &str, limit: u32) -> Result<Vec<Case>>;

    /// Keeps a new session or service token (its hash; see `auth`). A
    /// service token is issued only by an active administrator `by`, and
    /// only to an active service account.
    fn add_session(&mut self, by: &Actor, new: &NewSession, now: DateTime<Utc>) -> Result<()>;

    /// The session whose token hashes to `token_hash`, if any.
    fn session(&mut self, token_hash: &str) -> Result<Option<Session>>;

    /// Ends one session (`citydesk logout`); whether it was open.
    fn end_session(&mut self, token_hash: &str, by: &str, now: DateTime<Utc>) -> Result<bool>;

    /// Ends every open session and token of `operator` (the operator
    /// themself, or an administrator); how many were ended.
    fn end_sessions(&mut self, by: &Actor, operator: &str, now: DateTime<Utc>) -> Result<u64>;

    /// Recomputes the timeline's hash chain and reports every break (see
    /// `chain`). Holds the chain's head while it reads, so writers wait.
    fn verify(&mut self) -> Result<chain::Verified>;

    /// PostgreSQL: sets the password `operator` signs in to the database
    /// server with (their role's; the server keeps its SCRAM verifier). An
    /// administrator sets anyone's, an operator their own. SQLite: nothing
    /// (the store's own hash is the only password).
    fn set_login(&mut self, operator: &str, password: &str) -> Result<()>;

    /// PostgreSQL: opens a session whose connections sign in to the server
    /// as `login` (a new role, valid until the session expires, acting for
    /// `new.operator`; `new.token_hash` is the hash of its token). The
    /// server checks who may: an operator signed in as themself opens their
    /// shift; an administrator issues a service account's token.
    fn add_login_session(&mut self, new: &NewSession, login: &postgres::Login) -> Result<()>;
}
