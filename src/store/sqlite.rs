//! The embedded store on SQLite, shared by the operators of one host. WAL with
//! synchronous=FULL (a committed case survives a power cut), a busy timeout, and
//! BEGIN IMMEDIATE for every write (a deferred transaction that reads and then
//! writes fails at once with SQLITE_BUSY_SNAPSHOT when another process committed
//! in between, whatever the timeout). WAL needs every process on one host: never
//! put the file on a network share.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use rusqlite::types::{Type, Value};
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};

use super::{
    ImportCase, InitReport, NewOperator, Operator, Page, Queue, QueueCounts, Result,
    SCHEMA_VERSION, Settings, Store, StoreError, migrations, schema_for,
};
use crate::domain::case::{
    Case, CaseRecord, Category, Channel, Contact, Event, Feedback, Kind, Outcome, Priority, Status,
};
use crate::domain::catalog::{Catalog, Department, District, Service};
use crate::domain::intake::{self, CaseInput};
use crate::domain::roles::{ActionKind, Actor, Role, check_add_operator, check_operator_name};
use crate::domain::tracking::TrackingCode;
use crate::domain::workflow::{self, Action};
use crate::text::phone_key;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: StdDuration = StdDuration::from_secs(15);

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    settings: Settings,
    catalog: Catalog,
}

/// The case columns in the order `case_values` and `case_from_row` use.
const CASE_COLUMNS: [&str; 33] = [
    "code",
    "received_at",
    "registered_at",
    "registered_by",
    "channel",
    "kind",
    "service",
    "category",
    "citizen_name",
    "citizen_phone",
    "district",
    "neighborhood",
    "address",
    "description",
    "priority",
    "status",
    "status_since",
    "department",
    "assignee",
    "deadline_hours",
    "due_at",
    "escalate_at",
    "escalation_level",
    "response",
    "resolved_at",
    "feedback",
    "feedback_attempts",
    "outcome",
    "closed_at",
    "duplicate_of",
    "version",
    "updated_at",
    "updated_by",
];

/// Columns the store derives from a case on every write (after CASE_COLUMNS).
const DERIVED_COLUMNS: [&str; 3] = ["phone_key", "pending_due", "pending_escalate"];

fn select_cols() -> String {
    CASE_COLUMNS.join(", ")
}

fn insert_case_sql() -> String {
    let cols: Vec<&str> = std::iter::once("id")
        .chain(CASE_COLUMNS)
        .chain(DERIVED_COLUMNS)
        .collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO cases ({}) VALUES ({})",
        cols.join(", "),
        marks.join(", ")
    )
}

fn update_case_sql() -> String {
    let sets: Vec<String> = CASE_COLUMNS
        .iter()
        .chain(DERIVED_COLUMNS.iter())
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 2))
        .collect();
    let n = CASE_COLUMNS.len() + DERIVED_COLUMNS.len() + 2;
    format!(
        "UPDATE cases SET {} WHERE id = ?1 AND version = ?{n}",
        sets.join(", ")
    )
}

fn ts(t: DateTime<Utc>) -> Value {
    Value::Integer(t.timestamp())
}

fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, ts)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, text)
}

/// `id`, then CASE_COLUMNS, then DERIVED_COLUMNS.
fn case_values(id: i64, c: &Case) -> Vec<Value> {
    let pending = c.status.awaits_department();
    vec![
        Value::Integer(id),
        Value::Integer(c.code.get() as i64),
        ts(c.received_at),
        ts(c.registered_at),
        text(&c.registered_by),
        text(c.channel.as_str()),
        text(c.kind.as_str()),
        text(&c.service),
        text(c.category.as_str()),
        text(&c.citizen_name),
        text(&c.citizen_phone),
        text(&c.district),
        text(&c.neighborhood),
        text(&c.address),
        text(&c.description),
        text(c.priority.as_str()),
        text(c.status.as_str()),
        ts(c.status_since),
        text(&c.department),
        opt_text(c.assignee.as_deref()),
        Value::Integer(i64::from(c.deadline_hours)),
        ts(c.due_at),
        ts(c.escalate_at),
        Value::Integer(i64::from(c.escalation_level)),
        opt_text(c.response.as_deref()),
        opt_ts(c.resolved_at),
        opt_text(c.feedback.map(Feedback::as_str)),
        Value::Integer(i64::from(c.feedback_attempts)),
        opt_text(c.outcome.map(Outcome::as_str)),
        opt_ts(c.closed_at),
        c.duplicate_of
            .map_or(Value::Null, |d| Value::Integer(d.get() as i64)),
        Value::Integer(c.version),
        ts(c.updated_at),
        text(&c.updated_by),
        text(&phone_key(&c.citizen_phone).unwrap_or_default()),
        if pending { ts(c.due_at) } else { Value::Null },
        if pending {
            ts(c.escalate_at)
        } else {
            Value::Null
        },
    ]
}

fn time_at(row: &Row, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: i64 = row.get(i)?;
    DateTime::from_timestamp(s, 0).ok_or(rusqlite::Error::IntegralValueOutOfRange(i, s))
}

fn opt_time_at(row: &Row, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<i64> = row.get(i)?;
    s.map(|s| DateTime::from_timestamp(s, 0).ok_or(rusqlite::Error::IntegralValueOutOfRange(i, s)))
        .transpose()
}

fn code_at<T>(
    row: &Row,
    i: usize,
    parse: fn(&str) -> std::result::Result<T, crate::domain::UnknownCode>,
) -> rusqlite::Result<T> {
    let s: String = row.get(i)?;
    parse(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn opt_code_at<T>(
    row: &Row,
    i: usize,
    parse: fn(&str) -> std::result::Result<T, crate::domain::UnknownCode>,
) -> rusqlite::Result<Option<T>> {
    let s: Option<String> = row.get(i)?;
    s.map(|s| {
        parse(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
    })
    .transpose()
}

/// Reads a case from CASE_COLUMNS starting at column 0.
fn case_from_row(r: &Row) -> rusqlite::Result<Case> {
    Ok(Case {
        code: TrackingCode::from_stored(r.get::<_, i64>(0)? as u64),
        received_at: time_at(r, 1)?,
        registered_at: time_at(r, 2)?,
        registered_by: r.get(3)?,
        channel: code_at(r, 4, Channel::parse)?,
        kind: code_at(r, 5, Kind::parse)?,
        service: r.get(6)?,
        category: code_at(r, 7, Category::parse)?,
        citizen_name: r.get(8)?,
        citizen_phone: r.get(9)?,
        district: r.get(10)?,
        neighborhood: r.get(11)?,
        address: r.get(12)?,
        description: r.get(13)?,
        priority: code_at(r, 14, Priority::parse)?,
        status: code_at(r, 15, Status::parse)?,
        status_since: time_at(r, 16)?,
        department: r.get(17)?,
        assignee: r.get(18)?,
        deadline_hours: r.get(19)?,
        due_at: time_at(r, 20)?,
        escalate_at: time_at(r, 21)?,
        escalation_level: r.get(22)?,
        response: r.get(23)?,
        resolved_at: opt_time_at(r, 24)?,
        feedback: opt_code_at(r, 25, Feedback::parse)?,
        feedback_attempts: r.get(26)?,
        outcome: opt_code_at(r, 27, Outcome::parse)?,
        closed_at: opt_time_at(r, 28)?,
        duplicate_of: r
            .get::<_, Option<i64>>(29)?
            .map(|d| TrackingCode::from_stored(d as u64)),
        version: r.get(30)?,
        updated_at: time_at(r, 31)?,
        updated_by: r.get(32)?,
    })
}

fn operator_from_row(r: &Row) -> rusqlite::Result<Operator> {
    Ok(Operator {
        name: r.get(0)?,
        display_name: r.get(1)?,
        role: code_at(r, 2, Role::parse)?,
        password_hash: r.get(3)?,
        active: r.get::<_, i64>(4)? != 0,
        created_at: time_at(r, 5)?,
        created_by: r.get(6)?,
    })
}

const OPERATOR_COLS: &str =
    "name, display_name, role, password_hash, active, created_at, created_by";

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        {
            return StoreError::Busy;
        }
        StoreError::Backend(e.to_string())
    }
}

fn connect(path: &Path, create: bool) -> Result<Connection> {
    if !create && !path.exists() {
        return Err(StoreError::Missing(path.display().to_string()));
    }
    if create && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("cannot create folder {}: {e}", dir.display()))
        })?;
    }
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        StoreError::Backend(format!("cannot open the store at {}: {e}", path.display()))
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "the store at {} cannot use write-ahead logging (journal mode {mode}); put it on a local disk",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    // A console lives for a shift: keep the hot pages of the queue indexes in
    // memory (16 MiB cache; reads through a 256 MiB map instead of syscalls).
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn schema_version(conn: &Connection) -> Result<Option<u32>> {
    let has_meta: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(None);
    }
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.and_then(|v| v.parse().ok()))
}

/// Brings an older store forward; refuses a newer one.
fn migrate(conn: &mut Connection) -> Result<()> {
    let Some(found) = schema_version(conn)? else {
        return Ok(());
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for v in found..SCHEMA_VERSION {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        if schema_version(&tx)? != Some(v) {
            continue;
        }
        tx.execute_batch(migrations::STEPS[(v - 1) as usize])?;
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
            [(v + 1).to_string()],
        )?;
        tx.commit()?;
    }
    Ok(())
}

fn load_catalog(conn: &Connection) -> Result<Catalog> {
    let departments = conn
        .prepare("SELECT code, name_fa, name_en FROM departments ORDER BY rowid")?
        .query_map([], |r| {
            Ok(Department {
                code: r.get(0)?,
                name_fa: r.get(1)?,
                name_en: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let districts = conn
        .prepare(
            "SELECT code, name_fa, name_en, office, neighborhoods FROM districts ORDER BY rowid",
        )?
        .query_map([], |r| {
            let n: String = r.get(4)?;
            Ok(District {
                code: r.get(0)?,
                name_fa: r.get(1)?,
                name_en: r.get(2)?,
                office: r.get(3)?,
                neighborhoods: n.lines().map(str::to_owned).collect(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let services = conn
        .prepare(
            "SELECT code, category, name_fa, name_en, department, deadline_hours, active FROM services ORDER BY rowid",
        )?
        .query_map([], |r| {
            Ok(Service {
                code: r.get(0)?,
                category: code_at(r, 1, Category::parse)?,
                name_fa: r.get(2)?,
                name_en: r.get(3)?,
                department: r.get(4)?,
                deadline_hours: r.get(5)?,
                active: r.get::<_, i64>(6)? != 0,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Catalog::new(districts, departments, services)?)
}

/// Writes `catalog` into the store: new rows added, changed rows updated,
/// services no longer listed marked inactive (old cases still name them).
fn store_catalog(tx: &Transaction, catalog: &Catalog) -> Result<usize> {
    for d in &catalog.departments {
        tx.execute(
            "INSERT INTO departments (code, name_fa, name_en, active) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (code) DO UPDATE SET name_fa = excluded.name_fa, name_en = excluded.name_en, active = 1",
            params![d.code, d.name_fa, d.name_en],
        )?;
    }
    for d in &catalog.districts {
        tx.execute(
            "INSERT INTO districts (code, name_fa, name_en, office, neighborhoods, active) VALUES (?1, ?2, ?3, ?4, ?5, 1)
             ON CONFLICT (code) DO UPDATE SET name_fa = excluded.name_fa, name_en = excluded.name_en,
               office = excluded.office, neighborhoods = excluded.neighborhoods, active = 1",
            params![d.code, d.name_fa, d.name_en, d.office, d.neighborhoods.join("\n")],
        )?;
    }
    tx.execute("UPDATE services SET active = 0", [])?;
    for s in &catalog.services {
        tx.execute(
            "INSERT INTO services (code, category, name_fa, name_en, department, deadline_hours, active)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (code) DO UPDATE SET category = excluded.category, name_fa = excluded.name_fa,
               name_en = excluded.name_en, department = excluded.department,
               deadline_hours = excluded.deadline_hours, active = excluded.active",
            params![
                s.code,
                s.category.as_str(),
                s.name_fa,
                s.name_en,
                s.department,
                s.deadline_hours,
                i64::from(s.active)
            ],
        )?;
    }
    let retired: i64 = tx.query_row("SELECT COUNT(*) FROM services WHERE active = 0", [], |r| {
        r.get(0)
    })?;
    Ok(retired as usize)
}

/// The sizes of all queues in one statement: ?1 now, ?2 due-soon limit, ?3 operator.
pub const COUNTS_SQL: &str = "SELECT
   (SELECT COUNT(*) FROM cases WHERE status = 'registered'),
   (SELECT COUNT(*) FROM cases WHERE pending_due < ?1),
   (SELECT COUNT(*) FROM cases WHERE pending_due >= ?1 AND pending_due < ?2),
   (SELECT COUNT(*) FROM cases WHERE status = 'resolved'),
   (SELECT COUNT(*) FROM cases WHERE status = 'follow-up')
     + (SELECT COUNT(*) FROM cases WHERE pending_escalate < ?1),
   (SELECT COUNT(*) FROM cases WHERE assignee = ?3 AND status NOT IN ('closed', 'cancelled'))";

impl SqliteStore {
    /// Opens a store that `init` has set up.
    pub fn open(path: &Path, settings: Settings) -> Result<SqliteStore> {
        let mut conn = connect(path, false)?;
        if schema_version(&conn)?.is_none() {
            return Err(StoreError::NotInitialized(path.display().to_string()));
        }
        migrate(&mut conn)?;
        let catalog = load_catalog(&conn)?;
        Ok(SqliteStore {
            conn,
            path: path.to_owned(),
            settings,
            catalog,
        })
    }

    /// Creates the store if needed and loads `catalog`. Idempotent.
    pub fn init(
        path: &Path,
        settings: Settings,
        catalog: &Catalog,
        now: DateTime<Utc>,
    ) -> Result<(SqliteStore, InitReport)> {
        let mut conn = connect(path, true)?;
        migrate(&mut conn)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let created = schema_version(&tx)?.is_none();
        if created {
            tx.execute_batch(&schema_for("sqlite"))?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('created_at', ?2)",
                params![SCHEMA_VERSION.to_string(), now.to_rfc3339()],
            )?;
        }
        let retired = store_catalog(&tx, catalog)?;
        tx.commit()?;
        let catalog = load_catalog(&conn)?;
        let report = InitReport {
            created,
            schema_version: SCHEMA_VERSION,
            services: catalog.services.iter().filter(|s| s.active).count(),
            departments: catalog.departments.len(),
            districts: catalog.districts.len(),
            services_retired: retired,
        };
        Ok((
            SqliteStore {
                conn,
                path: path.to_owned(),
                settings,
                catalog,
            },
            report,
        ))
    }

    /// The raw connection, for tests that check what the engine itself enforces.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// The statement behind a queue (public so tests can check its plan).
    pub fn queue_sql(queue: &Queue) -> String {
        let cols = select_cols();
        match queue {
            Queue::Unreferred => format!(
                "SELECT {cols} FROM cases WHERE status = 'registered' ORDER BY priority DESC, status_since, id LIMIT ?1 OFFSET ?2"
            ),
            Queue::Feedback => format!(
                "SELECT {cols} FROM cases WHERE status = 'resolved' ORDER BY priority DESC, status_since, id LIMIT ?1 OFFSET ?2"
            ),
            Queue::Overdue => format!(
                "SELECT {cols} FROM cases WHERE pending_due < ?3 ORDER BY pending_due, id LIMIT ?1 OFFSET ?2"
            ),
            Queue::DueSoon(_) => format!(
                "SELECT {cols} FROM cases WHERE pending_due >= ?3 AND pending_due < ?4 ORDER BY pending_due, id LIMIT ?1 OFFSET ?2"
            ),
            Queue::FollowUp => format!(
                "SELECT {cols} FROM (
                   SELECT * FROM (
                     SELECT {cols}, status_since AS k, id AS kid FROM cases WHERE status = 'follow-up'
                     ORDER BY status_since, id LIMIT ?1 + ?2
                   ) a
                   UNION ALL
                   SELECT * FROM (
                     SELECT {cols}, pending_escalate AS k, id AS kid FROM cases WHERE pending_escalate < ?3
                     ORDER BY pending_escalate, id LIMIT ?1 + ?2
                   ) b
                 ) u
                 ORDER BY k, kid LIMIT ?1 OFFSET ?2"
            ),
            Queue::Mine(_) => format!(
                "SELECT {cols} FROM cases WHERE assignee = ?5 AND status NOT IN ('closed', 'cancelled')
                 ORDER BY due_at, id LIMIT ?1 OFFSET ?2"
            ),
        }
    }

    fn record(&self, id: i64, case: Case) -> Result<CaseRecord> {
        let contacts = self
            .conn
            .prepare_cached(
                "SELECT at, channel, name, phone, comment, registered_by FROM contacts WHERE case_id = ?1 ORDER BY seq",
            )?
            .query_map([id], |r| {
                Ok(Contact {
                    at: time_at(r, 0)?,
                    channel: code_at(r, 1, Channel::parse)?,
                    name: r.get(2)?,
                    phone: r.get(3)?,
                    comment: r.get(4)?,
                    registered_by: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let timeline = self
            .conn
            .prepare_cached(
                "SELECT seq, at, actor, shift, action, from_status, to_status, detail FROM timeline WHERE case_id = ?1 ORDER BY seq",
            )?
            .query_map([id], |r| {
                Ok(Event {
                    seq: r.get(0)?,
                    at: time_at(r, 1)?,
                    actor: r.get(2)?,
                    shift: r.get(3)?,
                    action: r.get(4)?,
                    from: opt_code_at(r, 5, Status::parse)?,
                    to: opt_code_at(r, 6, Status::parse)?,
                    detail: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(CaseRecord {
            case,
            contacts,
            timeline,
        })
    }
}

fn find_case(conn: &Connection, code: TrackingCode) -> Result<(i64, Case)> {
    conn.prepare_cached(&format!(
        "SELECT {}, id FROM cases WHERE code = ?1",
        select_cols()
    ))?
    .query_row([code.get() as i64], |r| {
        Ok((r.get(CASE_COLUMNS.len())?, case_from_row(r)?))
    })
    .optional()?
    .ok_or(StoreError::NoSuchCase(code))
}

fn insert_contact(tx: &Connection, case_id: i64, seq: i64, k: &Contact) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO contacts (case_id, seq, at, channel, name, phone, phone_key, comment, registered_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        case_id,
        seq,
        k.at.timestamp(),
        k.channel.as_str(),
        k.name,
        k.phone,
        phone_key(&k.phone).unwrap_or_default(),
        k.comment,
        k.registered_by
    ])?;
    Ok(())
}

fn insert_event(tx: &Connection, case_id: i64, e: &Event) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO timeline (case_id, seq, at, actor, shift, action, from_status, to_status, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        case_id,
        e.seq,
        e.at.timestamp(),
        e.actor,
        e.shift,
        e.action,
        e.from.map(Status::as_str),
        e.to.map(Status::as_str),
        e.detail
    ])?;
    Ok(())
}

/// Takes `n` serials from the case counter; returns the first.
fn reserve_serials(tx: &Connection, n: u64) -> Result<u64> {
    let last: i64 = tx
        .prepare_cached(
            "UPDATE counters SET value = value + ?1 WHERE name = 'case' RETURNING value",
        )?
        .query_row([n as i64], |r| r.get(0))?;
    Ok(last as u64 - n + 1)
}

fn active_operator(conn: &Connection, name: &str) -> Result<Operator> {
    let op = conn
        .prepare_cached(&format!(
            "SELECT {OPERATOR_COLS} FROM operators WHERE name = ?1"
        ))?
        .query_row([name], operator_from_row)
        .optional()?
        .ok_or_else(|| StoreError::NoSuchOperator(name.to_owned()))?;
    if !op.active {
        return Err(StoreError::OperatorDisabled(name.to_owned()));
    }
    Ok(op)
}

impl Store for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn operator_count(&mut self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM operators", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn operators(&mut self) -> Result<Vec<Operator>> {
        Ok(self
            .conn
            .prepare(&format!(
                "SELECT {OPERATOR_COLS} FROM operators ORDER BY name"
            ))?
            .query_map([], operator_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn operator(&mut self, name: &str) -> Result<Option<Operator>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {OPERATOR_COLS} FROM operators WHERE name = ?1"
            ))?
            .query_row([name], operator_from_row)
            .optional()?)
    }

    fn add_operator(
        &mut self,
        by: Option<&Actor>,
        new: &NewOperator,
        now: DateTime<Utc>,
    ) -> Result<Operator> {
        check_operator_name(&new.name).map_err(StoreError::Forbidden)?;
        let tx = self.write()?;
        let existing: i64 = tx.query_row("SELECT COUNT(*) FROM operators", [], |r| r.get(0))?;
        if let Some(by) = by {
            active_operator(&tx, &by.name)?;
        }
        check_add_operator(by, existing as u64, new.role).map_err(StoreError::Forbidden)?;
        let exists: bool = tx.query_row(
            "SELECT COUNT(*) > 0 FROM operators WHERE name = ?1",
            [&new.name],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::OperatorExists(new.name.clone()));
        }
        tx.execute(
            "INSERT INTO operators (name, display_name, role, password_hash, active, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
            params![
                new.name,
                new.display_name,
                new.role.as_str(),
                new.password_hash,
                now.timestamp(),
                by.map(|b| b.name.as_str())
            ],
        )?;
        let op = active_operator(&tx, &new.name)?;
        tx.commit()?;
        Ok(op)
    }

    fn set_operator_active(
        &mut self,
        by: &Actor,
        name: &str,
        active: bool,
        _now: DateTime<Utc>,
    ) -> Result<Operator> {
        let tx = self.write()?;
        let actor = active_operator(&tx, &by.name)?;
        if actor.role != Role::Administrator {
            return Err(StoreError::Forbidden(format!(
                "{} is {}: only an administrator can manage operators",
                actor.name,
                actor.role.label()
            )));
        }
        if !active && name == by.name {
            return Err(StoreError::Forbidden(
                "you cannot disable your own account: ask another administrator".into(),
            ));
        }
        let n = tx.execute(
            "UPDATE operators SET active = ?1 WHERE name = ?2",
            params![i64::from(active), name],
        )?;
        if n == 0 {
            return Err(StoreError::NoSuchOperator(name.to_owned()));
        }
        let op = tx.query_row(
            &format!("SELECT {OPERATOR_COLS} FROM operators WHERE name = ?1"),
            [name],
            operator_from_row,
        )?;
        tx.commit()?;
        Ok(op)
    }

    fn register(&mut self, by: &Actor, input: &CaseInput, now: DateTime<Utc>) -> Result<Case> {
        if !crate::domain::roles::may(by.role, ActionKind::Register, None) {
            return Err(StoreError::Forbidden(format!(
                "{} is {}: registering cases is for operators, supervisors and follow-up officers",
                by.name,
                by.role.label()
            )));
        }
        let new = intake::register(input, &self.catalog, &self.settings.rules, by, now)?;
        let shift = self.settings.center.shift_of(now);
        let tx = self.write()?;
        active_operator(&tx, &by.name)?;
        let serial = reserve_serials(&tx, 1)?;
        let (case, contact) = new.with_code(TrackingCode::from_serial(serial));
        let id = serial as i64;
        tx.prepare_cached(&insert_case_sql())?
            .execute(rusqlite::params_from_iter(case_values(id, &case)))?;
        insert_contact(&tx, id, 1, &contact)?;
        insert_event(
            &tx,
            id,
            &Event {
                seq: 1,
                at: now,
                actor: by.name.clone(),
                shift,
                action: ActionKind::Register.as_str().to_owned(),
                from: None,
                to: Some(case.status),
                detail: workflow::registered_detail(&case),
            },
        )?;
        tx.commit()?;
        Ok(case)
    }

    fn case(&mut self, code: TrackingCode) -> Result<CaseRecord> {
        let (id, case) = find_case(&self.conn, code)?;
        self.record(id, case)
    }

    fn act(
        &mut self,
        by: &Actor,
        code: TrackingCode,
        expected_version: Option<i64>,
        action: &Action,
        now: DateTime<Utc>,
    ) -> Result<Case> {
        let shift = self.settings.center.shift_of(now);
        let rules = self.settings.rules;
        let catalog = &self.catalog;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        active_operator(&tx, &by.name)?;
        let (id, case) = find_case(&tx, code)?;
        if let Some(v) = expected_version
            && v != case.version
        {
            return Err(StoreError::Conflict {
                code,
                by: case.updated_by,
                at: case.updated_at,
                version: case.version,
            });
        }
        match action {
            Action::Refer {
                assignee: Some(a), ..
            } => {
                active_operator(&tx, a)?;
            }
            Action::Cancel {
                duplicate_of: Some(of),
                ..
            } if *of != code => {
                find_case(&tx, *of)?;
            }
            _ => {}
        }
        let change = workflow::apply(&case, action, by, catalog, &rules, now)?;
        let mut values = case_values(id, &change.case);
        values.push(Value::Integer(case.version));
        let n = tx
            .prepare_cached(&update_case_sql())?
            .execute(rusqlite::params_from_iter(values))?;
        if n != 1 {
            return Err(StoreError::Backend(format!(
                "case {code} changed under a write lock; nothing was saved"
            )));
        }
        if let Some(k) = &change.contact {
            let seq: i64 = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM contacts WHERE case_id = ?1",
                [id],
                |r| r.get(0),
            )?;
            insert_contact(&tx, id, seq, k)?;
        }
        insert_event(
            &tx,
            id,
            &Event {
                seq: change.case.version,
                at: now,
                actor: by.name.clone(),
                shift,
                action: change.action.as_str().to_owned(),
                from: Some(case.status),
                to: Some(change.case.status),
                detail: change.detail,
            },
        )?;
        tx.commit()?;
        Ok(change.case)
    }

    fn queue(&mut self, queue: &Queue, page: Page, now: DateTime<Utc>) -> Result<Vec<Case>> {
        let until = match queue {
            Queue::DueSoon(w) => now + *w,
            _ => now,
        };
        let mine = match queue {
            Queue::Mine(name) => name.clone(),
            _ => String::new(),
        };
        let sql = Self::queue_sql(queue);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        // The queue statements share one numbering (?1 limit, ?2 offset, ?3 now,
        // ?4 until, ?5 operator); bind up to the highest one this statement names.
        let count = stmt.parameter_count();
        let all: [Value; 5] = [
            Value::Integer(i64::from(page.limit)),
            Value::Integer(i64::from(page.offset)),
            ts(now),
            ts(until),
            Value::Text(mine),
        ];
        let rows = stmt
            .query_map(
                rusqlite::params_from_iter(all.into_iter().take(count)),
                case_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn queue_counts(
        &mut self,
        operator: &str,
        due_soon: Duration,
        now: DateTime<Utc>,
    ) -> Result<QueueCounts> {
        let mut stmt = self.conn.prepare_cached(COUNTS_SQL)?;
        let c = stmt.query_row(
            params![now.timestamp(), (now + due_soon).timestamp(), operator],
            |r| {
                let n = |i| r.get::<_, i64>(i).map(|v| v as u64);
                Ok(QueueCounts {
                    unreferred: n(0)?,
                    overdue: n(1)?,
                    due_soon: n(2)?,
                    feedback: n(3)?,
                    follow_up: n(4)?,
                    mine: n(5)?,
                })
            },
        )?;
        Ok(c)
    }

    fn import(&mut self, batch: &[ImportCase]) -> Result<Vec<TrackingCode>> {
        // Bulk loads touch every index at random places: a larger page cache
        // for this connection (256 MiB; the default is 2 MiB) saves re-reading.
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        let tx = self.write()?;
        let first = reserve_serials(&tx, batch.len() as u64)?;
        let mut codes = Vec::with_capacity(batch.len());
        {
            let mut insert = tx.prepare_cached(&insert_case_sql())?;
            for (i, item) in batch.iter().enumerate() {
                let serial = first + i as u64;
                let id = serial as i64;
                let mut case = item.case.clone();
                case.code = TrackingCode::from_serial(serial);
                insert.execute(rusqlite::params_from_iter(case_values(id, &case)))?;
                for (seq, k) in item.contacts.iter().enumerate() {
                    insert_contact(&tx, id, seq as i64 + 1, k)?;
                }
                for e in &item.timeline {
                    insert_event(&tx, id, e)?;
                }
                codes.push(case.code);
            }
        }
        tx.commit()?;
        Ok(codes)
    }

    fn case_count(&mut self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}
