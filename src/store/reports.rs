//! The read side's queries: what a report counts for a period (grouped in
//! SQL where it can be, each count an index range), a shift's events for its
//! handover, the handover record itself, and who is at work. Counting only;
//! the rules that make figures of the counts are `report::figures`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::sql::{self, Param, Row, Tx};
use super::{Result, StoreError};
use crate::domain::case::{Case, Category, Channel};
use crate::domain::event::Event;
use crate::domain::roles::{Actor, Role};
use crate::domain::shift::{Center, Shift};
use crate::domain::tracking::TrackingCode;
use crate::report::figures::{AGE_BANDS, CaseCounts, CaseFacts, GroupBy, ReportQuery, Rows};
use crate::report::handover::{CaseRef, HandoverRecord};

/// The group of a case (`c`): its own columns, its registering operator, or
/// the shift it was registered in (its first timeline entry's, kept on the
/// case).
fn case_group(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Department => "c.department",
        GroupBy::Category => "c.category",
        GroupBy::Service => "c.service",
        GroupBy::Channel => "c.channel",
        GroupBy::District => "c.district",
        GroupBy::Operator => "c.registered_by",
        GroupBy::Shift => "c.registered_shift",
    }
}

/// The group of a timeline event (`t`) when it is the event's own (who made
/// it, in which shift); otherwise an event counts in its case's group.
fn own_event_group(by: GroupBy) -> Option<&'static str> {
    match by {
        GroupBy::Operator => Some("t.actor"),
        GroupBy::Shift => Some("t.shift_date || '/' || t.shift_name"),
        _ => None,
    }
}

/// When a case was answered: the department's answer, or its closing.
const ANSWERED: &str = "COALESCE(c.resolved_at, c.closed_at)";

/// The events a report counts.
const REPORTED_EVENTS: &str = "t.action IN ('feedback', 'escalate', 'reopen', 'close')";

fn text_key(r: &dyn Row, i: usize) -> Result<String> {
    Ok(r.text(i)?.unwrap_or_default())
}

/// What a report counts for `q` (see `report::figures` for the rules).
///
/// A month at a million cases is some 330,000 cases and 420,000 events: each
/// is read once, in index order, and counted here by its group's number;
/// grouping them in SQL would sort them all (BENCHMARKS.md: ten times the
/// CPU of the read itself).
pub fn report_rows(tx: &mut dyn Tx, q: &ReportQuery, center: &Center) -> Result<Rows> {
    let period = [Param::from(q.from), Param::from(q.to)];
    let now = q.now.timestamp();
    let mut keys = Keys::default();
    // Events and contacts count in their case's group unless the group is
    // their own (who, which shift, which channel).
    let by_case = !matches!(q.by, GroupBy::Operator | GroupBy::Shift);
    let mut group_of: HashMap<i64, u32> = HashMap::new();
    let mut cases: Vec<(CaseCounts, Vec<i64>)> = Vec::new();
    tx.query(
        &format!(
            "SELECT c.id, {}, c.status, c.deadline_hours, c.received_at, c.due_at, {ANSWERED}
             FROM cases c WHERE c.received_at >= ?1 AND c.received_at < ?2",
            case_group(q.by)
        ),
        &period,
        &mut |r| {
            let g = keys.number(r.str(1)?);
            if cases.len() <= g as usize {
                cases.resize_with(g as usize + 1, Default::default);
            }
            let facts = CaseFacts {
                cancelled: r.str(2)? == Some("cancelled"),
                deadline_hours: sql::req_int(r, 3)?,
                received_at: sql::req_int(r, 4)?,
                due_at: sql::req_int(r, 5)?,
                answered_at: r.int(6)?,
            };
            let (counts, seconds) = &mut cases[g as usize];
            seconds.extend(counts.count(&facts, now));
            if by_case {
                group_of.insert(sql::req_int(r, 0)?, g);
            }
            Ok(())
        },
    )?;

    // Events, by kind (a few dozen) and group; those of cases received
    // before the period wait until their cases' groups are read.
    let mut kinds: Vec<EventKind> = Vec::new();
    let mut events: HashMap<(u32, usize), u64> = HashMap::new();
    let mut earlier: Vec<(i64, usize)> = Vec::new();
    let own = own_event_group(q.by);
    tx.query(
        &format!(
            "SELECT {}, t.action, t.result, t.to_status FROM timeline t
             WHERE {REPORTED_EVENTS} AND t.at >= ?1 AND t.at < ?2",
            own.unwrap_or("t.case_id")
        ),
        &period,
        &mut |r| {
            let (action, result, to) = (r.str(1)?.unwrap_or_default(), r.str(2)?, r.str(3)?);
            let kind = kinds
                .iter()
                .position(|(a, res, t)| {
                    a == action && res.as_deref() == result && t.as_deref() == to
                })
                .unwrap_or_else(|| {
                    kinds.push((action.into(), result.map(Into::into), to.map(Into::into)));
                    kinds.len() - 1
                });
            if own.is_some() {
                *events.entry((keys.number(r.str(0)?), kind)).or_default() += 1;
            } else {
                let id = sql::req_int(r, 0)?;
                match group_of.get(&id) {
                    Some(g) => *events.entry((*g, kind)).or_default() += 1,
                    None => earlier.push((id, kind)),
                }
            }
            Ok(())
        },
    )?;
    // Later calls attached to a case, by their own shift, channel or taker,
    // or else by their case's group.
    let mut repeat_contacts: HashMap<u32, u64> = HashMap::new();
    let mut contact_cases = Vec::new();
    match q.by {
        GroupBy::Shift => {
            for at in sql::rows(
                tx,
                "SELECT k.at FROM contacts k WHERE k.seq > 1 AND k.at >= ?1 AND k.at < ?2",
                &period,
                |r| sql::time(r, 0),
            )? {
                let shift = center.shift_of(at).to_string();
                *repeat_contacts
                    .entry(keys.number(Some(&shift)))
                    .or_default() += 1;
            }
        }
        GroupBy::Channel | GroupBy::Operator => {
            let kg = if q.by == GroupBy::Channel {
                "k.channel"
            } else {
                "k.registered_by"
            };
            for (key, count) in sql::rows(
                tx,
                &format!(
                    "SELECT {kg}, COUNT(*) FROM contacts k
                     WHERE k.seq > 1 AND k.at >= ?1 AND k.at < ?2 GROUP BY 1"
                ),
                &period,
                |r| Ok((text_key(r, 0)?, sql::req_int(r, 1)? as u64)),
            )? {
                *repeat_contacts.entry(keys.number(Some(&key))).or_default() += count;
            }
        }
        _ => {
            contact_cases = sql::rows(
                tx,
                "SELECT k.case_id FROM contacts k WHERE k.seq > 1 AND k.at >= ?1 AND k.at < ?2",
                &period,
                |r| sql::req_int(r, 0),
            )?;
        }
    }
    if by_case {
        let missing = earlier
            .iter()
            .map(|(id, _)| *id)
            .chain(contact_cases.iter().copied());
        read_groups(tx, q.by, q.from, missing, &mut keys, &mut group_of)?;
        for (id, kind) in earlier {
            *events.entry((group_of[&id], kind)).or_default() += 1;
        }
        for id in contact_cases {
            *repeat_contacts.entry(group_of[&id]).or_default() += 1;
        }
    }

    let backlog = backlog(tx, q.by, q.backlog_at())?;
    let name = |g: u32| keys.names[g as usize].clone();
    Ok(Rows {
        cases: (0u32..)
            .zip(cases)
            .filter(|(_, (counts, _))| counts.cases > 0)
            .map(|(g, (counts, seconds))| (name(g), counts, seconds))
            .collect(),
        events: events
            .into_iter()
            .map(|((g, kind), n)| {
                let (action, result, to) = kinds[kind].clone();
                (name(g), action, result, to, n)
            })
            .collect(),
        repeat_contacts: repeat_contacts
            .into_iter()
            .map(|(g, n)| (name(g), n))
            .collect(),
        backlog,
    })
}

/// What an event counts as: its action, result and the state it led to.
type EventKind = (String, Option<String>, Option<String>);

/// Group keys by number, each copied once (0 is the empty key).
struct Keys {
    names: Vec<String>,
    numbers: HashMap<String, u32>,
}

impl Default for Keys {
    fn default() -> Keys {
        Keys {
            names: vec![String::new()],
            numbers: HashMap::from([(String::new(), 0)]),
        }
    }
}

impl Keys {
    fn number(&mut self, key: Option<&str>) -> u32 {
        let key = key.unwrap_or_default();
        if let Some(n) = self.numbers.get(key) {
            return *n;
        }
        let n = self.names.len() as u32;
        self.names.push(key.to_owned());
        self.numbers.insert(key.to_owned(), n);
        n
    }
}

/// Reads the groups of those of `ids` whose group is not known yet: cases
/// received before the period `from`. They are found where they lie in the
/// report's index, by received time, in windows going back (30 days, then
/// 60 more, …): reading a month of that index takes a fraction of what
/// looking tens of thousands of cases up by id in the wide table does. Any
/// left (received after the period, or a store without them) are read by id.
fn read_groups(
    tx: &mut dyn Tx,
    by: GroupBy,
    from: DateTime<Utc>,
    ids: impl Iterator<Item = i64>,
    keys: &mut Keys,
    group_of: &mut HashMap<i64, u32>,
) -> Result<()> {
    let mut missing: HashSet<i64> = ids.filter(|id| !group_of.contains_key(id)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let g = case_group(by);
    let oldest = sql::first(tx, "SELECT MIN(received_at) FROM cases", &[], |r| {
        sql::opt_time(r, 0)
    })?
    .flatten();
    let (mut end, mut days) = (from, 30);
    while let Some(oldest) = oldest
        && !missing.is_empty()
        && end > oldest
    {
        let start = end - chrono::Duration::days(days);
        tx.query(
            &format!(
                "SELECT c.id, {g} FROM cases c WHERE c.received_at >= ?1 AND c.received_at < ?2"
            ),
            &[start.into(), end.into()],
            &mut |r| {
                let id = sql::req_int(r, 0)?;
                if missing.remove(&id) {
                    group_of.insert(id, keys.number(r.str(1)?));
                }
                Ok(())
            },
        )?;
        (end, days) = (start, days * 2);
    }
    let mut left: Vec<i64> = missing.into_iter().collect();
    left.sort_unstable();
    for chunk in left.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let params: Vec<Param> = chunk.iter().map(|id| Param::from(*id)).collect();
        tx.query(
            &format!(
                "SELECT c.id, {g} FROM cases c WHERE c.id IN ({})",
                marks.join(", ")
            ),
            &params,
            &mut |r| {
                group_of.insert(sql::req_int(r, 0)?, keys.number(r.str(1)?));
                Ok(())
            },
        )?;
    }
    // A case that is gone (never: the timeline keeps its case) counts in
    // the empty group rather than being lost.
    for id in left {
        group_of.entry(id).or_insert(0);
    }
    Ok(())
}

/// Cases open at `at`, by group and age band: those open now, and those
/// closed since `at` (two index ranges).
fn backlog(tx: &mut dyn Tx, by: GroupBy, at: DateTime<Utc>) -> Result<Vec<(String, usize, u64)>> {
    let g = case_group(by);
    let mut band = String::from("CASE");
    for (i, days) in AGE_BANDS.iter().enumerate() {
        let _ = write!(
            band,
            " WHEN ?1 - c.received_at < {} THEN {i}",
            days * 86_400
        );
    }
    let _ = write!(band, " ELSE {} END", AGE_BANDS.len());
    let mut out = Vec::new();
    // (`+`: the cases closed since are found by their closing's index, not
    // among every case received before.)
    for cond in [
        "c.status IN ('registered', 'referred', 'resolved', 'follow-up')",
        "c.closed_at > ?1",
    ] {
        out.extend(sql::rows(
            tx,
            &format!(
                "SELECT {g}, {band}, COUNT(*) FROM cases c
                 WHERE {cond} AND +c.received_at <= ?1 GROUP BY 1, 2"
            ),
            &[at.into()],
            |r| {
                Ok((
                    text_key(r, 0)?,
                    sql::req_int(r, 1)? as usize,
                    sql::req_int(r, 2)? as u64,
                ))
            },
        )?);
    }
    Ok(out)
}

/// Every timeline event from `from` to `to`, with the case it is of, in
/// time order (a shift's handover).
pub fn events_between(
    tx: &mut dyn Tx,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(CaseRef, Event)>> {
    sql::rows(
        tx,
        &format!(
            "SELECT c.code, c.channel, c.category, c.department, c.service, {}
             FROM timeline t JOIN cases c ON c.id = t.case_id
             WHERE t.at >= ?1 AND t.at < ?2 ORDER BY t.at, t.case_id, t.seq",
            sql::EVENT_READ
                .split(", ")
                .map(|c| format!("t.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        &[from.into(), to.into()],
        |r| {
            Ok((
                CaseRef {
                    code: TrackingCode::from_stored(sql::req_int(r, 0)? as u64),
                    channel: sql::parsed(r, 1, Channel::parse)?,
                    category: sql::parsed(r, 2, Category::parse)?,
                    department: sql::req_text(r, 3)?,
                    service: sql::req_text(r, 4)?,
                },
                sql::event_from_row(r, 5)?,
            ))
        },
    )
}

/// Open cases held by any of `names`, nearest deadline first.
pub fn held_by(tx: &mut dyn Tx, names: &[String], limit: u32) -> Result<Vec<Case>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let mut params: Vec<Param> = names.iter().map(|n| Param::from(n.as_str())).collect();
    params.push(i64::from(limit).into());
    sql::rows(
        tx,
        &format!(
            "SELECT {} FROM cases WHERE assignee IN ({}) AND status NOT IN ('closed', 'cancelled')
             ORDER BY due_at, id LIMIT ?{}",
            sql::cols(),
            marks.join(", "),
            names.len() + 1
        ),
        &params,
        sql::case_from_row,
    )
}

fn date(s: &Shift) -> String {
    s.date.format("%Y-%m-%d").to_string()
}

/// The handover record of `shift`, if notes were written or it was accepted.
pub fn handover(tx: &mut dyn Tx, shift: &Shift) -> Result<Option<HandoverRecord>> {
    sql::first(
        tx,
        "SELECT notes, noted_by, noted_at, accepted_by, accepted_at FROM handovers
         WHERE shift_date = ?1 AND shift_name = ?2",
        &[date(shift).into(), shift.name.as_str().into()],
        |r| {
            Ok(HandoverRecord {
                shift: shift.clone(),
                notes: sql::req_text(r, 0)?,
                noted_by: r.text(1)?,
                noted_at: sql::opt_time(r, 2)?,
                accepted_by: r.text(3)?,
                accepted_at: sql::opt_time(r, 4)?,
            })
        },
    )
}

/// Who may write a handover's notes and accept it: supervisors.
fn supervisor(by: &Actor) -> Result<()> {
    if by.role == Role::Supervisor {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            crate::domain::roles::Denied::Handover { role: by.role },
        ))
    }
}

/// Writes (replaces) the outgoing supervisor's notes of `shift`, until the
/// handover is accepted.
pub fn note_handover(
    tx: &mut dyn Tx,
    by: &Actor,
    shift: &Shift,
    notes: &str,
    now: DateTime<Utc>,
) -> Result<HandoverRecord> {
    supervisor(by)?;
    if let Some(h) = handover(tx, shift)?
        && let (Some(who), Some(at)) = (h.accepted_by, h.accepted_at)
    {
        return Err(StoreError::HandoverAccepted { by: who, at });
    }
    tx.execute(
        "INSERT INTO handovers (shift_date, shift_name, notes, noted_by, noted_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (shift_date, shift_name) DO UPDATE SET notes = excluded.notes,
           noted_by = excluded.noted_by, noted_at = excluded.noted_at",
        &[
            date(shift).into(),
            shift.name.as_str().into(),
            notes.into(),
            by.name.as_str().into(),
            now.into(),
        ],
    )?;
    handover(tx, shift)?.ok_or_else(|| StoreError::Backend("the handover was not saved".into()))
}

/// The incoming supervisor accepts the handover of `shift` (once).
pub fn accept_handover(
    tx: &mut dyn Tx,
    by: &Actor,
    shift: &Shift,
    now: DateTime<Utc>,
) -> Result<HandoverRecord> {
    supervisor(by)?;
    if let Some(h) = handover(tx, shift)? {
        if let (Some(who), Some(at)) = (h.accepted_by, h.accepted_at) {
            return Err(StoreError::HandoverAccepted { by: who, at });
        }
        if h.noted_by.as_deref() == Some(by.name.as_str()) {
            return Err(StoreError::OwnHandover);
        }
    }
    tx.execute(
        "INSERT INTO handovers (shift_date, shift_name, accepted_by, accepted_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (shift_date, shift_name) DO UPDATE SET accepted_by = excluded.accepted_by,
           accepted_at = excluded.accepted_at",
        &[
            date(shift).into(),
            shift.name.as_str().into(),
            by.name.as_str().into(),
            now.into(),
        ],
    )?;
    handover(tx, shift)?.ok_or_else(|| StoreError::Backend("the handover was not saved".into()))
}

/// How many cases were received in each hour of the 24 from `start`.
pub fn hourly(tx: &mut dyn Tx, start: DateTime<Utc>) -> Result<Vec<u64>> {
    let mut out = vec![0u64; 24];
    for (hour, n) in sql::rows(
        tx,
        "SELECT (received_at - ?1) / 3600, COUNT(*) FROM cases
         WHERE received_at >= ?1 AND received_at < ?2 GROUP BY 1",
        &[start.into(), (start + chrono::Duration::hours(24)).into()],
        |r| Ok((sql::req_int(r, 0)?, sql::req_int(r, 1)? as u64)),
    )? {
        if let Some(slot) = usize::try_from(hour).ok().and_then(|h| out.get_mut(h)) {
            *slot = n;
        }
    }
    Ok(out)
}

/// The cases of one group of a report (received in its period), newest first.
pub fn cases_of(tx: &mut dyn Tx, q: &ReportQuery, key: &str, limit: u32) -> Result<Vec<Case>> {
    let g = case_group(q.by);
    sql::rows(
        tx,
        &format!(
            "SELECT {} FROM cases c WHERE c.received_at >= ?1 AND c.received_at < ?2 AND {g} = ?3
             ORDER BY c.received_at DESC, c.id DESC LIMIT ?4",
            sql::cols()
                .split(", ")
                .map(|c| format!("c.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        &[
            q.from.into(),
            q.to.into(),
            key.into(),
            i64::from(limit).into(),
        ],
        sql::case_from_row,
    )
}

/// The console saw `name` at work.
pub fn seen(tx: &mut dyn Tx, name: &str, now: DateTime<Utc>) -> Result<()> {
    tx.execute(
        "UPDATE operators SET last_seen = ?1 WHERE name = ?2",
        &[now.into(), name.into()],
    )?;
    Ok(())
}

/// The operators seen at work since `since`, by name.
pub fn at_work(tx: &mut dyn Tx, since: DateTime<Utc>) -> Result<Vec<String>> {
    sql::rows(
        tx,
        "SELECT name FROM operators WHERE last_seen >= ?1 AND active = 1 ORDER BY name",
        &[since.into()],
        |r| sql::req_text(r, 0),
    )
}
