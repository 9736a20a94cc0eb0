//! The store's logic once, for every engine: portable SQL text, row mapping and
//! the steps of each operation, written against the small `Tx` trait. An engine
//! supplies a connection, its transactions and its dialect's few differences
//! (statement numbering, row locks); it never repeats a query.
//!
//! SQL here uses `?N` parameters, numbered from 1 with every number used; the
//! PostgreSQL engine rewrites them to `$N` mechanically. Integers are BIGINT
//! (i64) and text is TEXT on both engines.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{
    Client, Filter, ImportCase, NewClient, NewOperator, Operator, Page, Queue, QueueCounts,
    RequestQuery, Result, SCHEMA_VERSION, Settings, StoreError,
};
use crate::domain::UnknownCode;
use crate::domain::case::{
    Case, CaseRecord, Category, Channel, Contact, Feedback, Kind, Outcome, Priority, Status,
};
use crate::domain::catalog::{Catalog, Department, District, Service};
use crate::domain::event::{Event, What};
use crate::domain::intake::{self, CaseInput};
use crate::domain::intake::{InvalidInput, Problem};
use crate::domain::roles::{
    self, ActionKind, Actor, Denied, Role, check_add_operator, check_operator_name,
};
use crate::domain::shift::Shift;
use crate::domain::tracking::{CAPACITY, CodeKey, TrackingCode};
use crate::domain::workflow::{self, Action};
use crate::text::phone_key;
use crate::words;

mod open311;
mod schema;
mod sessions;
pub use open311::*;
pub use schema::*;
pub use sessions::*;

/// The engines' few differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A statement parameter: a BIGINT or a TEXT, either of which may be NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

/// Refuses text with a NUL character before it reaches an engine: PostgreSQL
/// cannot keep it and SQLite can, and both engines must accept the same data
/// (else `migrate` fails halfway). Input checks refuse it earlier, field by
/// field; this is the last gate for every other write.
pub fn no_nul(params: &[Param]) -> Result<()> {
    if params
        .iter()
        .any(|p| matches!(p, Param::Text(Some(s)) if s.contains('\0')))
    {
        return Err(StoreError::Backend(
            "a text holds a NUL character (U+0000), which the store does not keep; nothing was saved".into(),
        ));
    }
    Ok(())
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(Some(v.to_owned()))
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(Some(v))
    }
}
impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Self {
        Param::Text(v.map(str::to_owned))
    }
}
impl From<DateTime<Utc>> for Param {
    fn from(t: DateTime<Utc>) -> Self {
        Param::Int(Some(t.timestamp()))
    }
}
impl From<Option<DateTime<Utc>>> for Param {
    fn from(t: Option<DateTime<Utc>>) -> Self {
        Param::Int(t.map(|t| t.timestamp()))
    }
}

/// One result row, read by column index.
pub trait Row {
    fn int(&self, i: usize) -> Result<Option<i64>>;
    fn text(&self, i: usize) -> Result<Option<String>>;
    /// A text column without copying it (reading many rows).
    fn str(&self, i: usize) -> Result<Option<&str>>;
}

/// A connection or transaction of one engine.
pub trait Tx {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64>;
    /// Runs a query, calling `each` for every row.
    fn query(
        &mut self,
        sql: &str,
        params: &[Param],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()>;
    /// Runs several statements without parameters (schema scripts).
    fn batch(&mut self, sql: &str) -> Result<()>;
    /// Inserts many rows into `table` (bulk loads). By default one prepared
    /// INSERT per row; an engine may stream them instead (PostgreSQL: COPY).
    fn insert_many(&mut self, table: &str, columns: &[&str], rows: &[Vec<Param>]) -> Result<()> {
        let sql = insert_sql(table, columns);
        for r in rows {
            self.execute(&sql, r)?;
        }
        Ok(())
    }
}

pub(super) fn rows<T>(
    tx: &mut dyn Tx,
    sql: &str,
    params: &[Param],
    map: impl Fn(&dyn Row) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    tx.query(sql, params, &mut |r| {
        out.push(map(r)?);
        Ok(())
    })?;
    Ok(out)
}

pub(super) fn first<T>(
    tx: &mut dyn Tx,
    sql: &str,
    params: &[Param],
    map: impl Fn(&dyn Row) -> Result<T>,
) -> Result<Option<T>> {
    Ok(rows(tx, sql, params, map)?.into_iter().next())
}

pub(super) fn count(tx: &mut dyn Tx, sql: &str, params: &[Param]) -> Result<u64> {
    Ok(first(tx, sql, params, |r| req_int(r, 0))?.unwrap_or(0) as u64)
}

pub(super) fn corrupt(i: usize, what: &str) -> StoreError {
    StoreError::Backend(format!("unexpected value in column {i}: {what}"))
}

pub(super) fn req_int(r: &dyn Row, i: usize) -> Result<i64> {
    r.int(i)?
        .ok_or_else(|| corrupt(i, "NULL where a number belongs"))
}

pub(super) fn req_text(r: &dyn Row, i: usize) -> Result<String> {
    r.text(i)?
        .ok_or_else(|| corrupt(i, "NULL where text belongs"))
}

pub(super) fn time(r: &dyn Row, i: usize) -> Result<DateTime<Utc>> {
    let s = req_int(r, i)?;
    DateTime::from_timestamp(s, 0).ok_or_else(|| corrupt(i, "time out of range"))
}

pub(super) fn opt_time(r: &dyn Row, i: usize) -> Result<Option<DateTime<Utc>>> {
    r.int(i)?
        .map(|s| DateTime::from_timestamp(s, 0).ok_or_else(|| corrupt(i, "time out of range")))
        .transpose()
}

pub(super) fn parsed<T>(
    r: &dyn Row,
    i: usize,
    parse: fn(&str) -> Result<T, UnknownCode>,
) -> Result<T> {
    parse(&req_text(r, i)?).map_err(|e| corrupt(i, &e.to_string()))
}

pub(super) fn opt_code<T>(
    r: &dyn Row,
    i: usize,
    parse: fn(&str) -> Result<T, UnknownCode>,
) -> Result<Option<T>> {
    r.text(i)?
        .map(|s| parse(&s).map_err(|e| corrupt(i, &e.to_string())))
        .transpose()
}

pub(super) fn small(r: &dyn Row, i: usize) -> Result<u32> {
    u32::try_from(req_int(r, i)?).map_err(|_| corrupt(i, "number out of range"))
}

// ---------------------------------------------------------------------------
// Cases

/// The case columns in the order `case_params` and `case_from_row` use.
pub const CASE_COLUMNS: [&str; 36] = [
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
    "contacts",
    "call_back_at",
    "old_id",
    "version",
    "updated_at",
    "updated_by",
];

/// Columns the store derives from a case on every write (after CASE_COLUMNS).
const DERIVED_COLUMNS: [&str; 4] = [
    "pending_due",
    "pending_escalate",
    "follow_up_at",
    "search_text",
];

pub(super) fn cols() -> String {
    CASE_COLUMNS.join(", ")
}

fn insert_case_sql() -> String {
    insert_sql("cases", &case_table_columns())
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

/// The words search finds a case by (`words::index_text`, kept as
/// `search_text`, which each engine's word index reads): its tracking code,
/// the caller's name and phone, the place, the description, its old system's
/// id, and the name and phone of every contact about it (`contacts`: name,
/// phone). Phones are indexed by their key, so any way of typing one finds it.
pub fn case_words(c: &Case, contacts: &[(&str, &str)]) -> String {
    let code = c.code.to_string();
    words_of(
        [
            &code,
            &c.citizen_name,
            &c.citizen_phone,
            &c.neighborhood,
            &c.address,
            &c.description,
            c.old_id.as_deref().unwrap_or_default(),
        ],
        contacts,
    )
}

/// The columns of `cases` that `words_of` reads, in its order.
pub const WORD_COLUMNS: &str =
    "code, citizen_name, citizen_phone, neighborhood, address, description, old_id";

/// `case_words` from the `WORD_COLUMNS` of a case (the caller's phone third).
pub fn words_of(fields: [&str; 7], contacts: &[(&str, &str)]) -> String {
    let phone = |p: &str| phone_key(p).unwrap_or_else(|_| p.to_owned());
    let mut all: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    all[2] = phone(fields[2]);
    for (name, p) in contacts {
        all.push((*name).to_owned());
        all.push(phone(p));
    }
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    words::index_text(&refs)
}

/// The contacts of the case with row `id` as `case_words` takes them.
fn contact_words(tx: &mut dyn Tx, id: i64) -> Result<Vec<(String, String)>> {
    rows(
        tx,
        "SELECT name, phone FROM contacts WHERE case_id = ?1 ORDER BY seq",
        &[id.into()],
        |r| Ok((req_text(r, 0)?, req_text(r, 1)?)),
    )
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// `id`, then CASE_COLUMNS, then DERIVED_COLUMNS; `words` is the case's
/// `case_words`.
fn case_params(id: i64, c: &Case, words: String) -> Vec<Param> {
    let pending = c.status.awaits_department();
    let int = |v: u32| Param::from(i64::from(v));
    // Set aside until a call-back: listed for follow-up no earlier than that.
    let not_before = |t: DateTime<Utc>| c.call_back_at.map_or(t, |cb| cb.max(t)).timestamp();
    vec![
        id.into(),
        (c.code.get() as i64).into(),
        c.received_at.into(),
        c.registered_at.into(),
        c.registered_by.as_str().into(),
        c.channel.as_str().into(),
        c.kind.as_str().into(),
        c.service.as_str().into(),
        c.category.as_str().into(),
        c.citizen_name.as_str().into(),
        c.citizen_phone.as_str().into(),
        c.district.as_str().into(),
        c.neighborhood.as_str().into(),
        c.address.as_str().into(),
        c.description.as_str().into(),
        c.priority.as_str().into(),
        c.status.as_str().into(),
        c.status_since.into(),
        c.department.as_str().into(),
        c.assignee.as_deref().into(),
        int(c.deadline_hours),
        c.due_at.into(),
        c.escalate_at.into(),
        int(c.escalation_level),
        c.response.as_deref().into(),
        c.resolved_at.into(),
        c.feedback.map(Feedback::as_str).into(),
        int(c.feedback_attempts),
        c.outcome.map(Outcome::as_str).into(),
        c.closed_at.into(),
        Param::Int(c.duplicate_of.map(|d| d.get() as i64)),
        int(c.contacts),
        c.call_back_at.into(),
        c.old_id.as_deref().into(),
        c.version.into(),
        c.updated_at.into(),
        c.updated_by.as_str().into(),
        Param::Int(pending.then(|| c.due_at.timestamp())),
        Param::Int(pending.then(|| not_before(c.escalate_at))),
        Param::Int((c.status == Status::FollowUp).then(|| not_before(c.status_since))),
        words.into(),
    ]
}

/// `case_params`, and the shift the case is registered in (its first
/// timeline entry's; set once, when the case is written first).
fn new_case_params(id: i64, c: &Case, words: String, shift: Option<&Shift>) -> Vec<Param> {
    let mut params = case_params(id, c, words);
    params.push(shift.map(Shift::to_string).unwrap_or_default().into());
    params
}

/// Reads a case from CASE_COLUMNS starting at column 0.
pub(super) fn case_from_row(r: &dyn Row) -> Result<Case> {
    Ok(Case {
        code: TrackingCode::from_stored(req_int(r, 0)? as u64),
        received_at: time(r, 1)?,
        registered_at: time(r, 2)?,
        registered_by: req_text(r, 3)?,
        channel: parsed(r, 4, Channel::parse)?,
        kind: parsed(r, 5, Kind::parse)?,
        service: req_text(r, 6)?,
        category: parsed(r, 7, Category::parse)?,
        citizen_name: req_text(r, 8)?,
        citizen_phone: req_text(r, 9)?,
        district: req_text(r, 10)?,
        neighborhood: req_text(r, 11)?,
        address: req_text(r, 12)?,
        description: req_text(r, 13)?,
        priority: parsed(r, 14, Priority::parse)?,
        status: parsed(r, 15, Status::parse)?,
        status_since: time(r, 16)?,
        department: req_text(r, 17)?,
        assignee: r.text(18)?,
        deadline_hours: small(r, 19)?,
        due_at: time(r, 20)?,
        escalate_at: time(r, 21)?,
        escalation_level: small(r, 22)?,
        response: r.text(23)?,
        resolved_at: opt_time(r, 24)?,
        feedback: opt_code(r, 25, Feedback::parse)?,
        feedback_attempts: small(r, 26)?,
        outcome: opt_code(r, 27, Outcome::parse)?,
        closed_at: opt_time(r, 28)?,
        duplicate_of: r.int(29)?.map(|d| TrackingCode::from_stored(d as u64)),
        contacts: small(r, 30)?,
        call_back_at: opt_time(r, 31)?,
        old_id: r.text(32)?,
        version: req_int(r, 33)?,
        updated_at: time(r, 34)?,
        updated_by: req_text(r, 35)?,
    })
}

/// The case with `code`, and its row id; with `lock`, the row stays locked
/// for this transaction (PostgreSQL; SQLite's write transactions are exclusive).
fn find_case(tx: &mut dyn Tx, code: TrackingCode, lock: bool) -> Result<(i64, Case)> {
    let lock = if lock && tx.dialect() == Dialect::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    first(
        tx,
        &format!("SELECT {}, id FROM cases WHERE code = ?1{lock}", cols()),
        &[(code.get() as i64).into()],
        |r| Ok((req_int(r, CASE_COLUMNS.len())?, case_from_row(r)?)),
    )?
    .ok_or(StoreError::NoSuchCase(code))
}

/// The contact columns, in the order `contact_params` gives them.
pub const CONTACT_COLUMNS: [&str; 9] = [
    "case_id",
    "seq",
    "at",
    "channel",
    "name",
    "phone",
    "phone_key",
    "comment",
    "registered_by",
];

/// The timeline columns, in the order `event_params` gives them.
pub const EVENT_COLUMNS: [&str; 11] = [
    "case_id",
    "seq",
    "at",
    "actor",
    "shift_date",
    "shift_name",
    "action",
    "from_status",
    "to_status",
    "result",
    "data",
];

fn insert_sql(table: &str, columns: &[&str]) -> String {
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        marks.join(", ")
    )
}

fn contact_params(case_id: i64, seq: i64, k: &Contact) -> Vec<Param> {
    vec![
        case_id.into(),
        seq.into(),
        k.at.into(),
        k.channel.as_str().into(),
        k.name.as_str().into(),
        k.phone.as_str().into(),
        phone_key(&k.phone).unwrap_or_default().into(),
        k.comment.as_deref().into(),
        k.registered_by.as_str().into(),
    ]
}

fn event_params(case_id: i64, e: &Event) -> Vec<Param> {
    vec![
        case_id.into(),
        e.seq.into(),
        e.at.into(),
        e.actor.as_str().into(),
        e.shift.date.format("%Y-%m-%d").to_string().into(),
        e.shift.name.as_str().into(),
        e.what.kind().as_str().into(),
        e.from.map(Status::as_str).into(),
        e.to.map(Status::as_str).into(),
        e.what.result_code().into(),
        e.what.to_payload().into(),
    ]
}

fn insert_contact(tx: &mut dyn Tx, case_id: i64, seq: i64, k: &Contact) -> Result<()> {
    tx.execute(
        &insert_sql("contacts", &CONTACT_COLUMNS),
        &contact_params(case_id, seq, k),
    )?;
    Ok(())
}

/// The timeline's columns as rows are inserted: the event's, then the chain's.
fn timeline_columns() -> Vec<&'static str> {
    EVENT_COLUMNS
        .iter()
        .chain(super::chain::COLUMNS.iter())
        .copied()
        .collect()
}

fn insert_event(tx: &mut dyn Tx, case_id: i64, e: &Event) -> Result<()> {
    let mut rows = [event_params(case_id, e)];
    super::chain::link(tx, &mut rows)?;
    tx.execute(&insert_sql("timeline", &timeline_columns()), &rows[0])?;
    Ok(())
}

/// Takes `n` serials from the case counter (locking it until commit); returns the first.
fn reserve_serials(tx: &mut dyn Tx, n: u64) -> Result<u64> {
    let last = first(
        tx,
        "UPDATE counters SET value = value + ?1 WHERE name = 'case' RETURNING value",
        &[(n as i64).into()],
        |r| req_int(r, 0),
    )?
    .ok_or_else(|| StoreError::Backend("the case counter is missing".into()))?;
    // The last serial must fit the code space (and a damaged counter below
    // zero must not wrap around into it).
    match u64::try_from(last) {
        Ok(last) if last >= n && last <= CAPACITY => Ok(last - n + 1),
        _ => Err(StoreError::CodesExhausted { capacity: CAPACITY }),
    }
}

/// The code of `serial`, or the error saying the code space is used up.
fn code_of(key: CodeKey, serial: u64) -> Result<TrackingCode> {
    TrackingCode::checked_from_serial(key, serial)
        .ok_or(StoreError::CodesExhausted { capacity: CAPACITY })
}

/// Registers a case (and refers it, when the input asks); `note` is kept as
/// the comment of its first contact (e.g. an e-mail address to answer).
#[allow(clippy::too_many_arguments)] // the whole context of one registration
pub fn register(
    tx: &mut dyn Tx,
    catalog: &Catalog,
    settings: &Settings,
    by: &Actor,
    input: &CaseInput,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Case> {
    roles::check(by, ActionKind::Register)?;
    let new = intake::register(input, catalog, &settings.rules, by, now)?;
    active_operator(tx, &by.name)?;
    // Two attempts of one submission at once (a client retrying while its
    // first attempt still waits) take turns, so the second finds the first's
    // case: SQLite's write transactions already do; PostgreSQL's READ
    // COMMITTED would let both miss it, and one would fail on the unique id.
    if let Some(rid) = &input.request_id
        && tx.dialect() == Dialect::Postgres
    {
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext(?1))",
            &[rid.as_str().into()],
        )?;
    }
    // A retried submission (its first answer was lost) finds its case.
    if let Some(rid) = &input.request_id
        && let Some((_, case)) = first(
            tx,
            &format!("SELECT {}, id FROM cases WHERE request_id = ?1", cols()),
            &[rid.as_str().into()],
            |r| Ok((req_int(r, CASE_COLUMNS.len())?, case_from_row(r)?)),
        )?
    {
        return Ok(case);
    }
    let serial = reserve_serials(tx, 1)?;
    let key = code_key(tx)?;
    let (case, mut contact) = new.with_code(code_of(key, serial)?);
    contact.comment = note.map(str::to_owned);
    let id = serial as i64;
    let words = case_words(&case, &[(&contact.name, &contact.phone)]);
    let shift = settings.center.shift_of(now);
    tx.execute(
        &insert_case_sql(),
        &new_case_params(id, &case, words, Some(&shift)),
    )?;
    if let Some(rid) = &input.request_id {
        tx.execute(
            "UPDATE cases SET request_id = ?1 WHERE id = ?2",
            &[rid.as_str().into(), id.into()],
        )?;
    }
    insert_contact(tx, id, 1, &contact)?;
    insert_event(
        tx,
        id,
        &Event {
            seq: 1,
            at: now,
            actor: by.name.clone(),
            shift,
            from: None,
            to: Some(case.status),
            what: workflow::registered(&case),
        },
    )?;
    // Registered and referred in one step, when the caller asked for it.
    if let Some(department) = &input.refer_to {
        let refer = Action::Refer {
            department: department.clone(),
            assignee: None,
            comment: None,
        };
        return act(tx, catalog, settings, by, case.code, Some(1), &refer, now);
    }
    Ok(case)
}

#[allow(clippy::too_many_arguments)] // the whole context of one action; a struct would only rename it
pub fn act(
    tx: &mut dyn Tx,
    catalog: &Catalog,
    settings: &Settings,
    by: &Actor,
    code: TrackingCode,
    expected_version: Option<i64>,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Case> {
    active_operator(tx, &by.name)?;
    let (id, case) = find_case(tx, code, true)?;
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
            active_operator(tx, a)?;
        }
        Action::Cancel {
            duplicate_of: Some(of),
            ..
        } if *of != code => {
            find_case(tx, *of, false)?;
        }
        _ => {}
    }
    let change = workflow::apply(&case, action, by, catalog, settings, now)?;
    // The words are derived again from the case and all its contacts, with
    // the one this change adds (an attached call's caller becomes findable).
    let mut contacts = contact_words(tx, id)?;
    if let Some(k) = &change.contact {
        contacts.push((k.name.clone(), k.phone.clone()));
    }
    let words = case_words(&change.case, &pairs(&contacts));
    let mut params = case_params(id, &change.case, words);
    params.push(case.version.into());
    if tx.execute(&update_case_sql(), &params)? != 1 {
        return Err(StoreError::Backend(format!(
            "case {code} changed under a lock; nothing was saved"
        )));
    }
    if let Some(k) = &change.contact {
        insert_contact(tx, id, i64::from(change.case.contacts), k)?;
    }
    insert_event(
        tx,
        id,
        &Event {
            seq: change.case.version,
            at: now,
            actor: by.name.clone(),
            shift: settings.center.shift_of(now),
            from: Some(case.status),
            to: Some(change.case.status),
            what: change.what,
        },
    )?;
    Ok(change.case)
}

/// The timeline columns `event_from_row` reads, in order.
pub(super) const EVENT_READ: &str =
    "seq, at, actor, shift_date, shift_name, action, from_status, to_status, data";

/// A timeline entry from the `EVENT_READ` columns starting at `b`.
pub(super) fn event_from_row(r: &dyn Row, b: usize) -> Result<Event> {
    let date = req_text(r, b + 3)?;
    let shift = Shift {
        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|_| corrupt(b + 3, "a shift date that is not a date"))?,
        name: req_text(r, b + 4)?,
    };
    let what = What::from_payload(&req_text(r, b + 5)?, &req_text(r, b + 8)?)
        .map_err(|e| corrupt(b + 8, &e.to_string()))?;
    Ok(Event {
        seq: req_int(r, b)?,
        at: time(r, b + 1)?,
        actor: req_text(r, b + 2)?,
        shift,
        from: opt_code(r, b + 6, Status::parse)?,
        to: opt_code(r, b + 7, Status::parse)?,
        what,
    })
}

pub fn case_record(tx: &mut dyn Tx, code: TrackingCode) -> Result<CaseRecord> {
    let (id, case) = find_case(tx, code, false)?;
    let contacts = rows(
        tx,
        "SELECT at, channel, name, phone, comment, registered_by FROM contacts WHERE case_id = ?1 ORDER BY seq",
        &[id.into()],
        |r| {
            Ok(Contact {
                at: time(r, 0)?,
                channel: parsed(r, 1, Channel::parse)?,
                name: req_text(r, 2)?,
                phone: req_text(r, 3)?,
                comment: r.text(4)?,
                registered_by: req_text(r, 5)?,
            })
        },
    )?;
    let timeline = rows(
        tx,
        &format!("SELECT {EVENT_READ} FROM timeline WHERE case_id = ?1 ORDER BY seq"),
        &[id.into()],
        |r| event_from_row(r, 0),
    )?;
    Ok(CaseRecord {
        case,
        contacts,
        timeline,
    })
}

/// One index range of a queue: its condition and the order it is read in.
struct Range {
    cond: String,
    /// The column a merged queue orders its ranges by.
    key: &'static str,
    order: &'static str,
}

/// The ranges a queue is made of (special follow-up has two), with `?N`
/// placeholders numbered from `first`, and their parameters.
fn ranges(queue: &Queue, now: DateTime<Utc>, params: &mut Vec<Param>) -> Vec<Range> {
    let mut p = |v: Param| {
        params.push(v);
        format!("?{}", params.len())
    };
    match queue {
        Queue::Unreferred => vec![Range {
            cond: "status = 'registered'".into(),
            key: "due_at",
            order: "priority DESC, due_at, id",
        }],
        Queue::Overdue => vec![Range {
            cond: format!("pending_due < {}", p(now.into())),
            key: "pending_due",
            order: "pending_due, id",
        }],
        Queue::DueSoon(_) | Queue::DueBetween(..) => {
            let (from, until) = match queue {
                Queue::DueBetween(from, until) => (*from, *until),
                Queue::DueSoon(within) => (now, now + *within),
                _ => unreachable!(),
            };
            let (from, until) = (p(from.into()), p(until.into()));
            vec![Range {
                cond: format!("pending_due >= {from} AND pending_due < {until}"),
                key: "pending_due",
                order: "pending_due, id",
            }]
        }
        Queue::Feedback => vec![Range {
            cond: "status = 'resolved'".into(),
            key: "status_since",
            order: "priority DESC, status_since, id",
        }],
        // Escalated cases and cases long overdue: two index ranges.
        Queue::FollowUp => {
            let at = p(now.into());
            vec![
                Range {
                    cond: format!("follow_up_at <= {at}"),
                    key: "follow_up_at",
                    order: "follow_up_at, id",
                },
                Range {
                    cond: format!("pending_escalate < {at}"),
                    key: "pending_escalate",
                    order: "pending_escalate, id",
                },
            ]
        }
        Queue::Mine(name) => vec![Range {
            cond: format!(
                "assignee = {} AND status NOT IN ('closed', 'cancelled')",
                p(name.as_str().into())
            ),
            key: "due_at",
            order: "due_at, id",
        }],
    }
}

/// The filter's conditions, appended to every range.
fn filter_cond(filter: &Filter, params: &mut Vec<Param>) -> String {
    let mut out = String::new();
    for (column, value) in [
        ("department", &filter.department),
        ("district", &filter.district),
        ("service", &filter.service),
    ] {
        if let Some(v) = value {
            params.push(v.as_str().into());
            let _ = write!(out, " AND {column} = ?{}", params.len());
        }
    }
    out
}

/// The statement behind a queue and its parameters (public so tests can check
/// its plan). Every queue is read from index ranges in the order it is listed
/// in; where it has two, each is read in order and only the merged page is
/// sorted.
pub fn queue_sql(
    queue: &Queue,
    filter: &Filter,
    page: Page,
    now: DateTime<Utc>,
) -> (String, Vec<Param>) {
    let cols = cols();
    let mut params = vec![
        Param::from(i64::from(page.limit)),
        Param::from(i64::from(page.offset)),
    ];
    let ranges = ranges(queue, now, &mut params);
    let filter = filter_cond(filter, &mut params);
    let sql = if let [one] = ranges.as_slice() {
        format!(
            "SELECT {cols} FROM cases WHERE {}{filter} ORDER BY {} LIMIT ?1 OFFSET ?2",
            one.cond, one.order
        )
    } else {
        let parts: Vec<String> = ranges
            .iter()
            .map(|r| {
                format!(
                    "SELECT * FROM (
                       SELECT {cols}, {} AS k, id AS kid FROM cases WHERE {}{filter}
                       ORDER BY {} LIMIT CAST(?1 AS BIGINT) + CAST(?2 AS BIGINT)
                     ) r",
                    r.key, r.cond, r.order
                )
            })
            .collect();
        format!(
            "SELECT {cols} FROM ({}) u ORDER BY k, kid LIMIT ?1 OFFSET ?2",
            parts.join(" UNION ALL ")
        )
    };
    (sql, params)
}

pub fn queue(
    tx: &mut dyn Tx,
    queue: &Queue,
    filter: &Filter,
    page: Page,
    now: DateTime<Utc>,
) -> Result<Vec<Case>> {
    let (sql, params) = queue_sql(queue, filter, page, now);
    rows(tx, &sql, &params, case_from_row)
}

/// How many cases a (filtered) queue holds: a count over the same ranges.
pub fn queue_total(
    tx: &mut dyn Tx,
    queue: &Queue,
    filter: &Filter,
    now: DateTime<Utc>,
) -> Result<u64> {
    let mut params = Vec::new();
    let ranges = ranges(queue, now, &mut params);
    let filter = filter_cond(filter, &mut params);
    let counts: Vec<String> = ranges
        .iter()
        .map(|r| format!("(SELECT COUNT(*) FROM cases WHERE {}{filter})", r.cond))
        .collect();
    count(tx, &format!("SELECT {}", counts.join(" + ")), &params)
}

/// The sizes of all queues in one statement: ?1 now, ?2 due-soon limit, ?3 operator.
pub const COUNTS_SQL: &str = "SELECT
   (SELECT COUNT(*) FROM cases WHERE status = 'registered'),
   (SELECT COUNT(*) FROM cases WHERE pending_due < ?1),
   (SELECT COUNT(*) FROM cases WHERE pending_due >= ?1 AND pending_due < ?2),
   (SELECT COUNT(*) FROM cases WHERE status = 'resolved'),
   (SELECT COUNT(*) FROM cases WHERE follow_up_at <= ?1)
     + (SELECT COUNT(*) FROM cases WHERE pending_escalate < ?1),
   (SELECT COUNT(*) FROM cases WHERE assignee = ?3 AND status NOT IN ('closed', 'cancelled'))";

pub fn counts(
    tx: &mut dyn Tx,
    operator: &str,
    due_soon: Duration,
    now: DateTime<Utc>,
) -> Result<QueueCounts> {
    first(
        tx,
        COUNTS_SQL,
        &[now.into(), (now + due_soon).into(), operator.into()],
        |r| {
            let n = |i| req_int(r, i).map(|v| v as u64);
            Ok(QueueCounts {
                unreferred: n(0)?,
                overdue: n(1)?,
                due_soon: n(2)?,
                feedback: n(3)?,
                follow_up: n(4)?,
                mine: n(5)?,
            })
        },
    )?
    .ok_or_else(|| StoreError::Backend("the counts query returned nothing".into()))
}

/// The rows a bulk load writes, table by table, in column order.
#[derive(Debug, Default)]
pub struct ImportRows {
    pub cases: Vec<Vec<Param>>,
    pub contacts: Vec<Vec<Param>>,
    pub timeline: Vec<Vec<Param>>,
}

/// All case columns a new case is written with, `id` first, as
/// `ImportRows::cases` holds them (`new_case_params`).
pub fn case_table_columns() -> Vec<&'static str> {
    std::iter::once("id")
        .chain(CASE_COLUMNS)
        .chain(DERIVED_COLUMNS)
        .chain(["registered_shift"])
        .collect()
}

/// Plans a bulk load: gives each case its serial (kept if it has one, else a
/// fresh one from the counter, which never falls behind a kept one) and builds
/// its rows. The engine then writes them in whatever way is fastest for it.
pub fn plan_import(
    tx: &mut dyn Tx,
    batch: &[ImportCase],
) -> Result<(ImportRows, Vec<TrackingCode>)> {
    let fresh = batch.iter().filter(|c| c.serial.is_none()).count() as u64;
    let mut next = if fresh > 0 {
        reserve_serials(tx, fresh)?
    } else {
        0
    };
    if let Some(max) = batch.iter().filter_map(|c| c.serial).max() {
        tx.execute(
            "UPDATE counters SET value = ?1 WHERE name = 'case' AND value < ?1",
            &[(max as i64).into()],
        )?;
    }
    let key = code_key(tx)?;
    let mut rows = ImportRows::default();
    let mut codes = Vec::with_capacity(batch.len());
    for item in batch {
        let serial = item.serial.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        let id = serial as i64;
        let mut case = item.case.clone();
        case.code = code_of(key, serial)?;
        let contacts: Vec<(&str, &str)> = item
            .contacts
            .iter()
            .map(|k| (k.name.as_str(), k.phone.as_str()))
            .collect();
        let words = case_words(&case, &contacts);
        let first = item.timeline.iter().min_by_key(|e| e.seq);
        rows.cases
            .push(new_case_params(id, &case, words, first.map(|e| &e.shift)));
        for (seq, k) in item.contacts.iter().enumerate() {
            rows.contacts.push(contact_params(id, seq as i64 + 1, k));
        }
        for e in &item.timeline {
            rows.timeline.push(event_params(id, e));
        }
        codes.push(case.code);
    }
    super::chain::link(tx, &mut rows.timeline)?;
    Ok((rows, codes))
}

/// Writes planned rows, table by table, the engine's fastest way (`Tx::insert_many`).
pub fn insert_rows(tx: &mut dyn Tx, rows: &ImportRows) -> Result<()> {
    tx.insert_many("cases", &case_table_columns(), &rows.cases)?;
    tx.insert_many("contacts", &CONTACT_COLUMNS, &rows.contacts)?;
    tx.insert_many("timeline", &timeline_columns(), &rows.timeline)
}

/// Makes imports wait for each other, so that two runs of one file cannot
/// both find its cases missing (SQLite: its write transactions already do).
pub fn lock_imports(tx: &mut dyn Tx) -> Result<()> {
    if tx.dialect() == Dialect::Postgres {
        tx.execute("SELECT pg_advisory_xact_lock(?1)", &[IMPORT_LOCK.into()])?;
    }
    Ok(())
}

/// The advisory lock `lock_imports` takes on PostgreSQL.
const IMPORT_LOCK: i64 = 0x0c17_de51;

/// How many of `old_ids` belong to cases imported from `source` before (their
/// first timeline entry is that import), and one of them.
pub fn imported_before(
    tx: &mut dyn Tx,
    source: &str,
    old_ids: &[&str],
) -> Result<(u64, Option<String>)> {
    if old_ids.is_empty() {
        return Ok((0, None));
    }
    let mut before = std::collections::HashSet::new();
    tx.query(
        "SELECT c.old_id, t.data FROM cases c JOIN timeline t ON t.case_id = c.id AND t.seq = 1
         WHERE c.old_id IS NOT NULL AND t.action = 'import'",
        &[],
        &mut |r| {
            if let What::Import { source: s, old_id } =
                What::from_payload("import", &req_text(r, 1)?)
                    .map_err(|e| corrupt(1, &e.to_string()))?
                && s == source
            {
                before.insert(old_id);
            }
            Ok(())
        },
    )?;
    let mut found = old_ids.iter().filter(|id| before.contains(**id));
    let example = found.next().map(|id| (*id).to_owned());
    let count = found.count() as u64 + u64::from(example.is_some());
    Ok((count, example))
}

/// Whole cases with serial above `after`, in serial order, at most `limit`.
pub fn export(tx: &mut dyn Tx, after: u64, limit: u32) -> Result<Vec<ImportCase>> {
    let cases = rows(
        tx,
        &format!(
            "SELECT {}, id FROM cases WHERE id > ?1 ORDER BY id LIMIT ?2",
            cols()
        ),
        &[(after as i64).into(), i64::from(limit).into()],
        |r| Ok((req_int(r, CASE_COLUMNS.len())?, case_from_row(r)?)),
    )?;
    let (Some(lo), Some(hi)) = (cases.first().map(|c| c.0), cases.last().map(|c| c.0)) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<ImportCase> = cases
        .into_iter()
        .map(|(id, case)| ImportCase {
            serial: Some(id as u64),
            case,
            contacts: Vec::new(),
            timeline: Vec::new(),
        })
        .collect();
    let index = |out: &[ImportCase], id: i64| {
        out.binary_search_by_key(&Some(id as u64), |c| c.serial)
            .map_err(|_| corrupt(0, "a contact or timeline entry of a missing case"))
    };
    let contacts = rows(
        tx,
        "SELECT case_id, at, channel, name, phone, comment, registered_by FROM contacts
         WHERE case_id >= ?1 AND case_id <= ?2 ORDER BY case_id, seq",
        &[lo.into(), hi.into()],
        |r| {
            Ok((
                req_int(r, 0)?,
                Contact {
                    at: time(r, 1)?,
                    channel: parsed(r, 2, Channel::parse)?,
                    name: req_text(r, 3)?,
                    phone: req_text(r, 4)?,
                    comment: r.text(5)?,
                    registered_by: req_text(r, 6)?,
                },
            ))
        },
    )?;
    for (id, k) in contacts {
        let i = index(&out, id)?;
        out[i].contacts.push(k);
    }
    let events = rows(
        tx,
        &format!(
            "SELECT case_id, {EVENT_READ} FROM timeline
             WHERE case_id >= ?1 AND case_id <= ?2 ORDER BY case_id, seq"
        ),
        &[lo.into(), hi.into()],
        |r| Ok((req_int(r, 0)?, event_from_row(r, 1)?)),
    )?;
    for (id, e) in events {
        let i = index(&out, id)?;
        out[i].timeline.push(e);
    }
    Ok(out)
}

/// How many rows the store holds, table by table.
pub fn totals(tx: &mut dyn Tx) -> Result<super::Totals> {
    Ok(super::Totals {
        cases: count(tx, "SELECT COUNT(*) FROM cases", &[])?,
        contacts: count(tx, "SELECT COUNT(*) FROM contacts", &[])?,
        timeline: count(tx, "SELECT COUNT(*) FROM timeline", &[])?,
        operators: count(tx, "SELECT COUNT(*) FROM operators", &[])?,
        drafts: count(tx, "SELECT COUNT(*) FROM drafts", &[])?,
    })
}

/// Copies operator accounts as they are (password hashes, state, history).
pub fn copy_operators(tx: &mut dyn Tx, ops: &[Operator]) -> Result<()> {
    for op in ops {
        let Some(hash) = &op.password_hash else {
            return Err(StoreError::Backend(format!(
                "operator {} was read without their password hash: nothing was copied",
                op.name
            )));
        };
        tx.execute(
            "INSERT INTO operators (name, display_name, role, password_hash, active, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                op.name.as_str().into(),
                op.display_name.as_str().into(),
                op.role.as_str().into(),
                hash.as_str().into(),
                i64::from(op.active).into(),
                op.created_at.into(),
                op.created_by.as_deref().into(),
            ],
        )?;
    }
    Ok(())
}

/// Cases matching what an operator typed in search: first the cases imported
/// with exactly that id in their old system, then the case with that tracking
/// code, the cases a phone number called about, then the cases holding every
/// word typed (`words::query`: any digit script, Arabic or Persian letter
/// forms, words joined by a ZWNJ or a space alike) in their code, caller's
/// name and phone, place, description, old id or a later caller's name and
/// phone: those with every word whole first, then those where the last word
/// typed is the start of a word. Newest first within each.
pub fn search(tx: &mut dyn Tx, query: &str, limit: u32) -> Result<Vec<Case>> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let imported = rows(
        tx,
        &format!(
            "SELECT {} FROM cases WHERE old_id = ?1 OR old_id = ?2 ORDER BY id DESC LIMIT ?3",
            cols()
        ),
        &[
            q.into(),
            crate::text::ascii_digits(q).into(),
            i64::from(limit).into(),
        ],
        case_from_row,
    )?;
    if imported.is_empty() {
        return search_live(tx, q, limit);
    }
    let mut out = imported;
    let left = limit.saturating_sub(out.len() as u32);
    if left > 0 {
        for c in search_live(tx, q, left)? {
            if !out.iter().any(|o| o.code == c.code) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// `search` without the old ids: tracking code or phone number (exactly),
/// else words.
fn search_live(tx: &mut dyn Tx, q: &str, limit: u32) -> Result<Vec<Case>> {
    if let Ok(code) = TrackingCode::parse(q) {
        match find_case(tx, code, false) {
            Ok((_, c)) => return Ok(vec![c]),
            Err(StoreError::NoSuchCase(_)) => {}
            Err(e) => return Err(e),
        }
    }
    if let Ok(phone) = phone_key(q) {
        let lim = Param::from(i64::from(limit));
        let theirs = rows(
            tx,
            &format!(
                "SELECT {} FROM cases WHERE id IN (SELECT case_id FROM contacts WHERE phone_key = ?1)
                 ORDER BY received_at DESC, id DESC LIMIT ?2",
                cols()
            ),
            &[phone.into(), lim],
            case_from_row,
        )?;
        if !theirs.is_empty() {
            return Ok(theirs);
        }
    }
    let query = words::query(q);
    if query.is_empty() {
        return Ok(Vec::new());
    }
    // Whole words first: looking a word up is a step into the index, while
    // the start of a word gathers every word it begins (tens of thousands of
    // rows at 1M cases). Only if they are fewer than the limit, the cases
    // found by the start of the last word follow them.
    let dialect = tx.dialect();
    let exact = query.whole_words();
    if dialect == Dialect::Postgres && exact != query {
        return pg_typed_words(
            tx,
            &query_text(dialect, &exact),
            &query_text(dialect, &query),
            limit,
        );
    }
    let mut out = newest_with_words(tx, &query_text(dialect, &exact), limit)?;
    if exact != query && (out.len() as u32) < limit {
        let more = newest_with_words(tx, &query_text(dialect, &query), limit)?;
        then_newest(&mut out, more, limit);
    }
    Ok(out)
}

/// Appends to `out` (the cases with every word whole) the cases of `more`
/// (newest first) it does not hold, up to `limit` in all.
fn then_newest(out: &mut Vec<Case>, more: impl IntoIterator<Item = Case>, limit: u32) {
    for c in more {
        if out.len() as u32 >= limit {
            break;
        }
        if !out.iter().any(|o| o.code == c.code) {
            out.push(c);
        }
    }
}

/// `search_live`'s words on PostgreSQL when the last word may be the start
/// of one: the cases with every word whole (`whole`), newest first, then
/// those found by the start of the last word (`typed`, which finds every
/// case `whole` finds), as two searches would find them, in fewer steps
/// (each a round trip to the server). The newest rows are read once for
/// both (`pg_recent_typed_sql`); when few cases match `typed` in all
/// (`pg_reads_all`), one statement reads them all and puts whole words
/// first (`pg_typed_words_sql`); else each goes on in windows from what the
/// newest rows held (`pg_steps`).
fn pg_typed_words(tx: &mut dyn Tx, whole: &str, typed: &str, limit: u32) -> Result<Vec<Case>> {
    let lim = Param::from(i64::from(limit));
    let n = CASE_COLUMNS.len();
    let recent = rows(
        tx,
        &pg_recent_typed_sql(),
        &[typed.into(), lim.clone(), whole.into()],
        |r| {
            Ok((
                case_from_row(r)?,
                req_int(r, n)? != 0,
                req_int(r, n + 1)?,
                req_int(r, n + 2)?,
            ))
        },
    )?;
    // Of the newest rows: how many match `typed`, how many `whole`.
    let (typed_recent, whole_recent) = recent
        .first()
        .map_or((0, 0), |(_, _, t, w)| (*t as usize, *w as usize));
    let (whole_rows, typed_rows): (Vec<_>, Vec<_>) = recent
        .into_iter()
        .map(|(c, is_whole, _, _)| (c, is_whole))
        .partition(|(_, is_whole)| *is_whole);
    let whole_rows: Vec<Case> = whole_rows.into_iter().map(|(c, _)| c).collect();
    let typed_rows: Vec<Case> = typed_rows.into_iter().map(|(c, _)| c).collect();
    if whole_recent as u32 >= limit {
        // The newest rows hold the newest `limit` with every word whole.
        return Ok(whole_rows);
    }
    let newest = match newest_id(tx)? {
        // The newest rows were all of them.
        Some(newest) if newest > PG_RECENT_ROWS => newest,
        _ => {
            let mut out = whole_rows;
            then_newest(&mut out, typed_rows, limit);
            return Ok(out);
        }
    };
    if pg_reads_all(newest, PG_RECENT_ROWS, typed_recent) {
        return rows(
            tx,
            &pg_typed_words_sql(),
            &[typed.into(), lim, whole.into()],
            case_from_row,
        );
    }
    let mut out = pg_steps(tx, whole, limit, newest, PG_RECENT_ROWS, whole_recent)?;
    if out.len() as u32 >= limit {
        return Ok(out);
    }
    if typed_recent as u32 >= limit {
        // The newest rows hold the newest `limit` found by `typed`: those
        // without every word whole, newest first, are the ones to follow.
        then_newest(&mut out, typed_rows, limit);
        return Ok(out);
    }
    let more = pg_steps(tx, typed, limit, newest, PG_RECENT_ROWS, typed_recent)?;
    then_newest(&mut out, more, limit);
    Ok(out)
}

/// The newest case's id; None when there is none.
fn newest_id(tx: &mut dyn Tx) -> Result<Option<i64>> {
    first(
        tx,
        "SELECT id FROM cases ORDER BY id DESC LIMIT 1",
        &[],
        |r| req_int(r, 0),
    )
}

/// The newest `limit` cases (by id) whose words match `query` (in the
/// engine's syntax, `query_text`).
fn newest_with_words(tx: &mut dyn Tx, query: &str, limit: u32) -> Result<Vec<Case>> {
    let lim = Param::from(i64::from(limit));
    if tx.dialect() == Dialect::Sqlite {
        return rows(
            tx,
            &words_sql(Dialect::Sqlite),
            &[query.into(), lim],
            case_from_row,
        );
    }
    // PostgreSQL: the newest rows first, then ever larger windows of the
    // newest ids, then all (at once when few match in all: `pg_reads_all`);
    // a step that finds `limit` cases has the newest.
    let found = rows(
        tx,
        &pg_recent_words_sql(),
        &[query.into(), lim.clone()],
        case_from_row,
    )?;
    if found.len() as u32 >= limit {
        return Ok(found);
    }
    let Some(newest) = newest_id(tx)? else {
        return Ok(found);
    };
    if newest <= PG_RECENT_ROWS {
        // The newest rows were all of them.
        return Ok(found);
    }
    pg_steps(tx, query, limit, newest, PG_RECENT_ROWS, found.len())
}

/// PostgreSQL's steps after the newest rows: ever larger windows of the
/// newest ids, then all (at once when few match in all: `pg_reads_all`),
/// given that the newest `searched` ids held `matched` matches (fewer than
/// `limit`) and the newest id is `newest`.
fn pg_steps(
    tx: &mut dyn Tx,
    query: &str,
    limit: u32,
    newest: i64,
    searched: i64,
    matched: usize,
) -> Result<Vec<Case>> {
    let lim = Param::from(i64::from(limit));
    // How many of the newest ids hold `limit` matches, guessed from the last
    // step (as if matches were spread evenly; one more than found, so that
    // none found means a window much larger): windows smaller are skipped.
    let wanted = |window: i64, found: usize| {
        window.saturating_mul(i64::from(limit)) / (found as i64 + 1) * 5 / 4
    };
    // The last step: how many of the newest ids it searched, how many matched.
    let (mut searched, mut matched) = (searched, matched);
    for level in 1..=PG_BLOCK_BITS.len() {
        if pg_reads_all(newest, searched, matched) {
            break;
        }
        let (window, whole) = pg_window(level, newest);
        let size = pg_window_size(level, newest);
        if !whole && size < wanted(searched, matched) {
            continue;
        }
        let found = rows(
            tx,
            &pg_words_sql(true),
            &[query.into(), lim.clone(), window.into()],
            case_from_row,
        )?;
        if whole || found.len() as u32 >= limit {
            return Ok(found);
        }
        (searched, matched) = (size, found.len());
    }
    rows(
        tx,
        &pg_words_sql(false),
        &[query.into(), lim],
        case_from_row,
    )
}

/// The word search, newest first: ?1 is the query in the engine's syntax
/// (`query_text`), ?2 the limit. SQLite asks its FTS5 table `cases_fts` for
/// the newest matching rows (it reads its lists of rows newest first and stops
/// at the limit). PostgreSQL's GIN index cannot give rows in order, so it is
/// asked in steps (`pg_recent_words_sql`, `pg_words_sql`; for a query ending with
/// the start of a word, `pg_recent_typed_sql` and `pg_typed_words_sql`).
pub fn words_sql(dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "SELECT {} FROM cases WHERE id IN (
                 SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2)
             ORDER BY id DESC",
            cols()
        ),
        Dialect::Postgres => pg_words_sql(false),
    }
}

/// How many of the newest cases PostgreSQL's first step reads in id order.
/// Enough when a query's words are common (one case in 20 or more); reading
/// them takes a few milliseconds however rare the words.
pub const PG_RECENT_ROWS: i64 = 2000;

/// The first step on PostgreSQL: the matches among the `PG_RECENT_ROWS`
/// newest cases (a backward read of the primary key that stops there).
pub fn pg_recent_words_sql() -> String {
    format!(
        "SELECT {cols} FROM (SELECT * FROM cases ORDER BY id DESC LIMIT {PG_RECENT_ROWS}) AS recent
         WHERE {WORDS_TSVECTOR} @@ CAST(?1 AS TEXT)::tsquery ORDER BY id DESC LIMIT ?2",
        cols = cols()
    )
}

/// The first step on PostgreSQL when the last word may be the start of one
/// (`pg_typed_words`): among the `PG_RECENT_ROWS` newest cases, those found
/// by ?1 (the start of the last word), those also found by ?3 (every word
/// whole) first, each newest first, at most ?2; after the case's columns,
/// whether it has every word whole (1 or 0), then how many of the newest
/// cases ?1 finds, and how many ?3 finds (counted before the limit).
pub fn pg_recent_typed_sql() -> String {
    format!(
        "SELECT {cols}, CAST(CAST(whole AS INTEGER) AS BIGINT), COUNT(*) OVER (),
                COUNT(*) FILTER (WHERE whole) OVER ()
         FROM (SELECT *, {WORDS_TSVECTOR} @@ CAST(?3 AS TEXT)::tsquery AS whole
               FROM (SELECT * FROM cases ORDER BY id DESC LIMIT {PG_RECENT_ROWS}) AS newest
               WHERE {WORDS_TSVECTOR} @@ CAST(?1 AS TEXT)::tsquery) AS recent
         ORDER BY whole DESC, id DESC LIMIT ?2",
        cols = cols()
    )
}

/// Every case found by ?1 (the start of the last word, as `pg_words_sql`
/// reads them: the GIN index, then those rows), those found by ?3 (every
/// word whole, which ?1 finds too) first, each newest first, at most ?2: the
/// two searches of `pg_typed_words` in one, when few cases match ?1.
pub fn pg_typed_words_sql() -> String {
    format!(
        "SELECT {} FROM cases JOIN (
             SELECT id AS found, {WORDS_TSVECTOR} @@ CAST(?3 AS TEXT)::tsquery AS whole
             FROM cases WHERE {WORDS_TSVECTOR} @@ CAST(?1 AS TEXT)::tsquery
             ORDER BY whole DESC, id + 0 DESC LIMIT ?2) AS matches ON id = found
         ORDER BY whole DESC, id + 0 DESC",
        cols()
    )
}

/// How many matches in all PostgreSQL's search reads rather than ask for a
/// window of the newest ids. A window costs the index more than its words:
/// the posting lists of its block lexemes are long (a level-4 block holds
/// 262,144 ids), so at 1,000,000 cases `علی رضا` took 5 to 9 ms of the index
/// for the 497 matches of a window, against 3 ms for all its 1,042 matches,
/// read whole (heap and sort included) in 4 to 7 ms (BENCHMARKS.md). Up to
/// about this many matches, reading them all costs less than a window.
pub const PG_READ_ALL: i64 = 2000;

/// Whether PostgreSQL's search reads every match next, given that the
/// newest `searched` ids held `found` (of `newest` ids): when, spread evenly
/// (one more than found, so that none found still counts), all ids would
/// hold at most `PG_READ_ALL` matches.
pub fn pg_reads_all(newest: i64, searched: i64, found: usize) -> bool {
    newest.saturating_mul(found as i64 + 1) / searched.max(1) <= PG_READ_ALL
}

/// The sizes of the blocks of ids each case's words are marked with
/// (`citydesk_blocks` in schema.sql): block `id >> bits` of level `i + 1`,
/// lexeme `#level:block`. Blocks of 4,096, 16,384, 65,536 and 262,144 ids.
pub const PG_BLOCK_BITS: [u32; 4] = [12, 14, 16, 18];

/// The window of level `level` under the newest id: its newest two blocks,
/// as a tsquery (?3 of `pg_words_sql(true)`), and whether they reach back
/// to the first id (then the window holds every case).
pub fn pg_window(level: usize, newest: i64) -> (String, bool) {
    let block = newest >> PG_BLOCK_BITS[level - 1];
    if block == 0 {
        (format!("'#{level}:0'"), true)
    } else {
        (
            format!("'#{level}:{block}' | '#{level}:{}'", block - 1),
            block == 1,
        )
    }
}

/// How many ids the window of `pg_window(level, newest)` spans.
pub fn pg_window_size(level: usize, newest: i64) -> i64 {
    let block = newest >> PG_BLOCK_BITS[level - 1];
    newest - ((block - 1).max(0) << PG_BLOCK_BITS[level - 1]) + 1
}

/// A later step on PostgreSQL: the matches (in a window of the newest ids,
/// ?3, with `window`), from the GIN index `cases_words` alone: the window's
/// block lexemes are words of the tsquery, so the index gives only the
/// window's matches and only those rows are read. `id + 0` keeps the planner
/// from reading the primary key backwards instead, filtering every row (its
/// guess of how many rows match is the product of the words' frequencies,
/// and names that exclude each other, `علی` and `رضا`, fool it). Only the
/// ids of the matches are sorted, and the newest `limit` read whole by id
/// (sorting every match's whole row took half the time at 1,042 matches).
pub fn pg_words_sql(window: bool) -> String {
    let query = if window {
        "(CAST(?1 AS TEXT)::tsquery && CAST(?3 AS TEXT)::tsquery)"
    } else {
        "CAST(?1 AS TEXT)::tsquery"
    };
    format!(
        "SELECT {} FROM cases JOIN (
             SELECT id AS found FROM cases WHERE {WORDS_TSVECTOR} @@ {query}
             ORDER BY id + 0 DESC LIMIT ?2) AS matches ON id = found
         ORDER BY id + 0 DESC",
        cols()
    )
}

/// PostgreSQL's words of a case: the generated column holding `search_text`
/// split on its single spaces, each word a lexeme as it is (no parser, no
/// dictionary), with the starts of each (`words::PREFIX_LEXEMES`) and the
/// blocks of ids the case is in (`PG_BLOCK_BITS`), indexed by `cases_words`
/// (schema.sql).
pub const WORDS_TSVECTOR: &str = "search_words";

/// A query in the syntax `words_sql` takes on `dialect`.
pub fn query_text(dialect: Dialect, query: &words::Query) -> String {
    match dialect {
        Dialect::Sqlite => query.fts5(),
        Dialect::Postgres => query.tsquery(),
    }
}

/// Earlier cases a new call may belong to: the caller's own (every case this
/// phone number called about, first or later), and
/// cases about the same service in the same neighborhood since `since`.
/// Open ones first, then newest first; each case once.
pub fn related(
    tx: &mut dyn Tx,
    phone: &str,
    service: &str,
    neighborhood: &str,
    since: DateTime<Utc>,
) -> Result<Vec<Case>> {
    let mut out: Vec<Case> = Vec::new();
    if let Ok(key) = phone_key(phone) {
        out = rows(
            tx,
            &format!(
                "SELECT {} FROM cases WHERE id IN (SELECT case_id FROM contacts WHERE phone_key = ?1)
                 ORDER BY received_at DESC LIMIT 20",
                cols()
            ),
            &[key.into()],
            case_from_row,
        )?;
    }
    if !service.is_empty() && !neighborhood.trim().is_empty() {
        let same = rows(
            tx,
            &format!(
                "SELECT {} FROM cases WHERE service = ?1 AND received_at >= ?2 AND neighborhood = ?3
                 ORDER BY received_at DESC LIMIT 20",
                cols()
            ),
            &[service.into(), since.into(), neighborhood.trim().into()],
            case_from_row,
        )?;
        for c in same {
            if !out.iter().any(|o| o.code == c.code) {
                out.push(c);
            }
        }
    }
    out.sort_by(|a, b| {
        b.status
            .is_open()
            .cmp(&a.status.is_open())
            .then(b.received_at.cmp(&a.received_at))
    });
    Ok(out)
}

pub fn save_draft(tx: &mut dyn Tx, draft: &super::Draft) -> Result<()> {
    tx.execute(
        "INSERT INTO drafts (operator, saved_at, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (operator) DO UPDATE SET saved_at = excluded.saved_at, body = excluded.body",
        &[
            draft.operator.as_str().into(),
            draft.saved_at.into(),
            draft.body.as_str().into(),
        ],
    )?;
    Ok(())
}

pub fn drafts(tx: &mut dyn Tx, operator: Option<&str>) -> Result<Vec<super::Draft>> {
    let map = |r: &dyn Row| {
        Ok(super::Draft {
            operator: req_text(r, 0)?,
            saved_at: time(r, 1)?,
            body: req_text(r, 2)?,
        })
    };
    match operator {
        Some(op) => rows(
            tx,
            "SELECT operator, saved_at, body FROM drafts WHERE operator = ?1",
            &[op.into()],
            map,
        ),
        None => rows(
            tx,
            "SELECT operator, saved_at, body FROM drafts ORDER BY operator",
            &[],
            map,
        ),
    }
}

pub fn discard_draft(tx: &mut dyn Tx, operator: &str) -> Result<()> {
    tx.execute("DELETE FROM drafts WHERE operator = ?1", &[operator.into()])?;
    Ok(())
}

pub fn case_count(tx: &mut dyn Tx) -> Result<u64> {
    count(tx, "SELECT COUNT(*) FROM cases", &[])
}

// ---------------------------------------------------------------------------
// Operators

/// Never the password hash: on PostgreSQL a staff connection may not read
/// it (`password_hash`, `accounts` read it, for the owner's uses).
const OPERATOR_COLS: &str = "name, display_name, role, active, created_at, created_by";

fn operator_from_row(r: &dyn Row) -> Result<Operator> {
    Ok(Operator {
        name: req_text(r, 0)?,
        display_name: req_text(r, 1)?,
        role: parsed(r, 2, Role::parse)?,
        active: req_int(r, 3)? != 0,
        created_at: time(r, 4)?,
        created_by: r.text(5)?,
        password_hash: None,
    })
}

/// The hash citydesk checks `name`'s password against.
pub fn password_hash(tx: &mut dyn Tx, name: &str) -> Result<Option<String>> {
    first(
        tx,
        "SELECT password_hash FROM operators WHERE name = ?1",
        &[name.into()],
        |r| req_text(r, 0),
    )
}

/// Every operator with their password hash.
pub fn accounts(tx: &mut dyn Tx) -> Result<Vec<Operator>> {
    rows(
        tx,
        &format!("SELECT {OPERATOR_COLS}, password_hash FROM operators ORDER BY name"),
        &[],
        |r| {
            Ok(Operator {
                password_hash: Some(req_text(r, 6)?),
                ..operator_from_row(r)?
            })
        },
    )
}

/// Sets an operator's password: citydesk's hash, and on PostgreSQL the
/// server's login (an administrator's; never a service account's).
pub fn set_password(
    tx: &mut dyn Tx,
    by: &Actor,
    name: &str,
    password: &str,
    password_hash: &str,
) -> Result<Operator> {
    let actor = active_operator(tx, &by.name)?;
    roles::check(&actor.actor(), ActionKind::ManageOperators)?;
    let op = operator(tx, name)?.ok_or_else(|| StoreError::NoSuchOperator(name.to_owned()))?;
    if op.role == Role::Service {
        return Err(Denied::ServicePassword {
            name: name.to_owned(),
        }
        .into());
    }
    tx.execute(
        "UPDATE operators SET password_hash = ?1 WHERE name = ?2",
        &[password_hash.into(), name.into()],
    )?;
    sessions::set_login(tx, name, password)?;
    Ok(op)
}

pub fn operators(tx: &mut dyn Tx) -> Result<Vec<Operator>> {
    rows(
        tx,
        &format!("SELECT {OPERATOR_COLS} FROM operators ORDER BY name"),
        &[],
        operator_from_row,
    )
}

pub fn operator(tx: &mut dyn Tx, name: &str) -> Result<Option<Operator>> {
    first(
        tx,
        &format!("SELECT {OPERATOR_COLS} FROM operators WHERE name = ?1"),
        &[name.into()],
        operator_from_row,
    )
}

pub fn operator_count(tx: &mut dyn Tx) -> Result<u64> {
    count(tx, "SELECT COUNT(*) FROM operators", &[])
}

fn active_operator(tx: &mut dyn Tx, name: &str) -> Result<Operator> {
    let op = operator(tx, name)?.ok_or_else(|| StoreError::NoSuchOperator(name.to_owned()))?;
    if !op.active {
        return Err(StoreError::OperatorDisabled(name.to_owned()));
    }
    Ok(op)
}

pub fn add_operator(
    tx: &mut dyn Tx,
    by: Option<&Actor>,
    new: &NewOperator,
    now: DateTime<Utc>,
) -> Result<Operator> {
    check_operator_name(&new.name)?;
    if tx.dialect() == Dialect::Postgres {
        // Two "first operators" at once must not both see an empty table.
        tx.execute("LOCK TABLE operators IN SHARE ROW EXCLUSIVE MODE", &[])?;
    }
    let existing = operator_count(tx)?;
    if let Some(by) = by {
        active_operator(tx, &by.name)?;
    }
    let admins = count(
        tx,
        "SELECT COUNT(*) FROM operators WHERE role = 'admin' AND active = 1",
        &[],
    )?;
    check_add_operator(by, existing, admins, new.role)?;
    if operator(tx, &new.name)?.is_some() {
        return Err(StoreError::OperatorExists(new.name.clone()));
    }
    tx.execute(
        "INSERT INTO operators (name, display_name, role, password_hash, active, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
        &[
            new.name.as_str().into(),
            new.display_name.as_str().into(),
            new.role.as_str().into(),
            new.password_hash.as_str().into(),
            now.into(),
            by.map(|b| b.name.as_str()).into(),
        ],
    )?;
    active_operator(tx, &new.name)
}

pub fn set_operator_active(
    tx: &mut dyn Tx,
    by: &Actor,
    name: &str,
    active: bool,
) -> Result<Operator> {
    let actor = active_operator(tx, &by.name)?;
    roles::check(&actor.actor(), ActionKind::ManageOperators)?;
    if !active && name == by.name {
        return Err(Denied::DisableSelf.into());
    }
    let n = tx.execute(
        "UPDATE operators SET active = ?1 WHERE name = ?2",
        &[i64::from(active).into(), name.into()],
    )?;
    if n == 0 {
        return Err(StoreError::NoSuchOperator(name.to_owned()));
    }
    operator(tx, name)?.ok_or_else(|| StoreError::NoSuchOperator(name.to_owned()))
}
