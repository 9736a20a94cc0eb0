//! The read side's queries: what a report counts for a period (grouped in
//! SQL where it can be, each count an index range), a shift's events for its
//! handover, the handover record itself, and who is at work. Counting only;
//! the rules that make figures of the counts are `report::figures`.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::sql::{self, Param, Row, Tx};
use super::{Result, StoreError};
use crate::domain::case::{Case, Category, Channel};
use crate::domain::event::Event;
use crate::domain::roles::{Actor, Role};
use crate::domain::shift::{Center, Shift};
use crate::domain::tracking::TrackingCode;
use crate::report::figures::{AGE_BANDS, CaseCounts, GroupBy, ReportQuery, Rows};
use crate::report::handover::{CaseRef, HandoverRecord};

/// The group of a case (`c`): its own columns, its registering operator, or
/// the shift of its first timeline entry.
fn case_group(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Department => "c.department",
        GroupBy::Category => "c.category",
        GroupBy::Service => "c.service",
        GroupBy::Channel => "c.channel",
        GroupBy::District => "c.district",
        GroupBy::Operator => "c.registered_by",
        GroupBy::Shift => {
            "(SELECT t1.shift_date || '/' || t1.shift_name FROM timeline t1 WHERE t1.case_id = c.id AND t1.seq = 1)"
        }
    }
}

/// The group of a timeline event (`t`, of case `c`): who made it, and in
/// which shift, are the event's own.
fn event_group(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Operator => "t.actor",
        GroupBy::Shift => "t.shift_date || '/' || t.shift_name",
        other => case_group(other),
    }
}

/// When a case was answered: the department's answer, or its closing.
const ANSWERED: &str = "COALESCE(c.resolved_at, c.closed_at)";

fn text_key(r: &dyn Row, i: usize) -> Result<String> {
    Ok(r.text(i)?.unwrap_or_default())
}

/// What a report counts for `q` (see `report::figures` for the rules).
pub fn report_rows(tx: &mut dyn Tx, q: &ReportQuery, center: &Center) -> Result<Rows> {
    let g = case_group(q.by);
    let period = [Param::from(q.from), Param::from(q.to), Param::from(q.now)];
    let cases = sql::rows(
        tx,
        &format!(
            "SELECT {g}, COUNT(*),
               SUM(CASE WHEN c.status <> 'cancelled' AND (c.deadline_hours = 0
                   OR ({ANSWERED} IS NOT NULL AND {ANSWERED} <= c.due_at)
                   OR ({ANSWERED} IS NULL AND c.due_at >= ?3)) THEN 1 ELSE 0 END),
               SUM(CASE WHEN c.status <> 'cancelled' AND c.deadline_hours > 0
                   AND (({ANSWERED} IS NOT NULL AND {ANSWERED} > c.due_at)
                   OR ({ANSWERED} IS NULL AND c.due_at < ?3)) THEN 1 ELSE 0 END),
               SUM(CASE WHEN c.status <> 'cancelled' AND {ANSWERED} IS NOT NULL THEN 1 ELSE 0 END)
             FROM cases c WHERE c.received_at >= ?1 AND c.received_at < ?2 GROUP BY 1"
        ),
        &period,
        |r| {
            let n = |i| r.int(i).map(|v| v.unwrap_or(0) as u64);
            Ok((
                text_key(r, 0)?,
                CaseCounts {
                    cases: n(1)?,
                    on_time: n(2)?,
                    late: n(3)?,
                    answered: n(4)?,
                },
            ))
        },
    )?;
    let answer_seconds = sql::rows(
        tx,
        &format!(
            "SELECT {g}, {ANSWERED} - c.received_at FROM cases c
             WHERE c.received_at >= ?1 AND c.received_at < ?2
               AND c.status <> 'cancelled' AND {ANSWERED} IS NOT NULL"
        ),
        &period[..2],
        |r| Ok((text_key(r, 0)?, sql::req_int(r, 1)?)),
    )?;
    // The groups of the period's cases, when a group is the case's: a join
    // would look each event's or contact's case up in the wide cases table
    // (seconds at a million cases); they are read once, from an index, and
    // the few cases of earlier periods by id.
    let mut groups = if matches!(q.by, GroupBy::Operator | GroupBy::Shift) {
        None
    } else {
        Some(Groups::of_period(tx, q.by, &period[..2])?)
    };
    let events = if let Some(groups) = groups.as_mut() {
        let rows = sql::rows(
            tx,
            "SELECT t.case_id, t.action, t.result, t.to_status FROM timeline t
             WHERE t.action IN ('feedback', 'escalate', 'reopen', 'close')
               AND t.at >= ?1 AND t.at < ?2",
            &period[..2],
            |r| {
                Ok((
                    sql::req_int(r, 0)?,
                    (sql::req_text(r, 1)?, r.text(2)?, r.text(3)?),
                ))
            },
        )?;
        groups.add_missing(tx, rows.iter().map(|(id, _)| *id))?;
        // Counted by the group's and the kind's numbers (a few dozen kinds),
        // not by strings: hundreds of thousands of events at a million cases.
        let mut kinds: Vec<EventKind> = Vec::new();
        let mut counts: HashMap<(u32, usize), u64> = HashMap::new();
        for (id, what) in rows {
            let kind = kinds.iter().position(|k| *k == what).unwrap_or_else(|| {
                kinds.push(what);
                kinds.len() - 1
            });
            *counts.entry((groups.of(id), kind)).or_default() += 1;
        }
        counts
            .into_iter()
            .map(|((g, kind), n)| {
                let (action, result, to) = kinds[kind].clone();
                (groups.name(g), action, result, to, n)
            })
            .collect()
    } else {
        // Who made an event and in which shift are the event's own.
        sql::rows(
            tx,
            &format!(
                "SELECT {}, t.action, t.result, t.to_status, COUNT(*) FROM timeline t
                 WHERE t.action IN ('feedback', 'escalate', 'reopen', 'close')
                   AND t.at >= ?1 AND t.at < ?2
                 GROUP BY 1, 2, 3, 4",
                event_group(q.by)
            ),
            &period[..2],
            |r| {
                Ok((
                    text_key(r, 0)?,
                    sql::req_text(r, 1)?,
                    r.text(2)?,
                    r.text(3)?,
                    sql::req_int(r, 4)? as u64,
                ))
            },
        )?
    };
    let repeat_contacts = if q.by == GroupBy::Shift {
        // A contact's shift is that of its time, in the center's zone.
        let times = sql::rows(
            tx,
            "SELECT k.at FROM contacts k WHERE k.seq > 1 AND k.at >= ?1 AND k.at < ?2",
            &period[..2],
            |r| sql::time(r, 0),
        )?;
        let mut by_shift = std::collections::BTreeMap::new();
        for t in times {
            *by_shift
                .entry(center.shift_of(t).to_string())
                .or_insert(0u64) += 1;
        }
        by_shift.into_iter().collect()
    } else if let (Some(groups), false) = (groups.as_mut(), q.by == GroupBy::Channel) {
        let ids = sql::rows(
            tx,
            "SELECT k.case_id FROM contacts k WHERE k.seq > 1 AND k.at >= ?1 AND k.at < ?2",
            &period[..2],
            |r| sql::req_int(r, 0),
        )?;
        groups.add_missing(tx, ids.iter().copied())?;
        let mut counts: HashMap<u32, u64> = HashMap::new();
        for id in ids {
            *counts.entry(groups.of(id)).or_default() += 1;
        }
        counts
            .into_iter()
            .map(|(g, n)| (groups.name(g), n))
            .collect()
    } else {
        // A contact's channel and who took it are the contact's own.
        let kg = if q.by == GroupBy::Channel {
            "k.channel"
        } else {
            "k.registered_by"
        };
        sql::rows(
            tx,
            &format!(
                "SELECT {kg}, COUNT(*) FROM contacts k
                 WHERE k.seq > 1 AND k.at >= ?1 AND k.at < ?2 GROUP BY 1"
            ),
            &period[..2],
            |r| Ok((text_key(r, 0)?, sql::req_int(r, 1)? as u64)),
        )?
    };
    let backlog = backlog(tx, q.by, q.backlog_at())?;
    Ok(Rows {
        cases,
        answer_seconds,
        events,
        repeat_contacts,
        backlog,
    })
}

/// What an event counts as: its action, result and the state it led to.
type EventKind = (String, Option<String>, Option<String>);

/// The group of each case an event or a contact of a period is of, by
/// number (`names` holds each group's key once; 0 is the empty key).
struct Groups {
    by: GroupBy,
    names: Vec<String>,
    numbers: HashMap<String, u32>,
    of: HashMap<i64, u32>,
}

impl Groups {
    /// The groups of the cases received in the period (`from`, `to`).
    fn of_period(tx: &mut dyn Tx, by: GroupBy, period: &[Param]) -> Result<Groups> {
        let of = sql::rows(
            tx,
            &format!(
                "SELECT c.id, {} FROM cases c WHERE c.received_at >= ?1 AND c.received_at < ?2",
                case_group(by)
            ),
            period,
            |r| Ok((sql::req_int(r, 0)?, text_key(r, 1)?)),
        )?;
        let mut groups = Groups {
            by,
            names: vec![String::new()],
            numbers: HashMap::from([(String::new(), 0)]),
            of: HashMap::with_capacity(of.len()),
        };
        groups.add(of);
        Ok(groups)
    }

    fn add(&mut self, rows: Vec<(i64, String)>) {
        for (id, key) in rows {
            let next = self.names.len() as u32;
            let n = *self.numbers.entry(key).or_insert_with_key(|key| {
                self.names.push(key.clone());
                next
            });
            self.of.insert(id, n);
        }
    }

    /// Reads the groups of those of `ids` not known yet (cases received
    /// before the period).
    fn add_missing(&mut self, tx: &mut dyn Tx, ids: impl Iterator<Item = i64>) -> Result<()> {
        let mut missing: Vec<i64> = ids.filter(|id| !self.of.contains_key(id)).collect();
        missing.sort_unstable();
        missing.dedup();
        let g = case_group(self.by);
        for chunk in missing.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
            let params: Vec<Param> = chunk.iter().map(|id| Param::from(*id)).collect();
            let rows = sql::rows(
                tx,
                &format!(
                    "SELECT c.id, {g} FROM cases c WHERE c.id IN ({})",
                    marks.join(", ")
                ),
                &params,
                |r| Ok((sql::req_int(r, 0)?, text_key(r, 1)?)),
            )?;
            self.add(rows);
        }
        Ok(())
    }

    fn of(&self, id: i64) -> u32 {
        self.of.get(&id).copied().unwrap_or(0)
    }

    fn name(&self, n: u32) -> String {
        self.names[n as usize].clone()
    }
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
    for cond in [
        "c.status IN ('registered', 'referred', 'resolved', 'follow-up')",
        "c.closed_at > ?1",
    ] {
        out.extend(sql::rows(
            tx,
            &format!(
                "SELECT {g}, {band}, COUNT(*) FROM cases c
                 WHERE {cond} AND c.received_at <= ?1 GROUP BY 1, 2"
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
