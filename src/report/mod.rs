//! The read side of the center: figures for managers over a period, and the
//! handover of a shift. The figures and the handover are made from what the
//! store counts and lists (read through the `Store` trait, nothing else);
//! `format` puts them into words as text, Markdown, CSV or JSON.

pub mod figures;
pub mod format;
pub mod handover;

use chrono::{DateTime, Duration, Utc};

use crate::domain::Settings;
use crate::domain::shift::Shift;
use crate::store::{Filter, Page, Queue, Result, Store, StoreError};
use figures::{Report, ReportQuery};
use handover::{Activity, HandedOver, Handover, ListKind};

/// How many cases of each handed-over list are listed (the rest are counted).
pub const LIST_LIMIT: u32 = 50;

/// A report for `q`.
pub fn report(store: &mut dyn Store, q: &ReportQuery) -> Result<Report> {
    Ok(Report::build(q, store.report_rows(q)?))
}

/// Puts a by-shift report's rows in the order the shifts were worked (their
/// keys, date/name, would put a day's evening before its morning).
pub fn in_time_order(r: &mut Report, center: &crate::domain::shift::Center) {
    if r.by == figures::GroupBy::Shift {
        r.rows.sort_by_cached_key(|(key, _)| {
            (
                Shift::parse(key)
                    .and_then(|s| center.bounds(&s))
                    .map(|b| b.0),
                key.clone(),
            )
        });
    }
}

/// The shift whose handover is due at `now`: in the first half of a shift,
/// the one that just ended; later, the one under way.
pub fn default_shift(settings: &Settings, now: DateTime<Utc>) -> Shift {
    let center = &settings.center;
    let current = center.shift_of(now);
    match center.bounds(&current) {
        Some((start, end)) if now - start < (end - start) / 2 => {
            center.previous(&current).unwrap_or(current)
        }
        _ => current,
    }
}

/// The handover of `shift`, as of `now`.
pub fn handover(
    store: &mut dyn Store,
    settings: &Settings,
    shift: &Shift,
    now: DateTime<Utc>,
) -> Result<Handover> {
    let center = &settings.center;
    let unknown = || {
        StoreError::Invalid(crate::domain::intake::InvalidInput::one(
            "shift",
            crate::domain::intake::Problem::NotAChoice {
                given: shift.name.clone(),
                accepted: center.shifts.iter().map(|s| s.name.clone()).collect(),
            },
        ))
    };
    let (start, end) = center.bounds(shift).ok_or_else(unknown)?;
    let next = center.next(shift).ok_or_else(unknown)?;
    let (next_start, next_end) = center.bounds(&next).ok_or_else(unknown)?;
    let events = store.events_between(start, end.min(now.max(start)))?;
    let outgoing = Handover::outgoing(&events);
    let page = Page {
        limit: LIST_LIMIT,
        offset: 0,
    };
    let none = Filter::default();
    let mut lists = Vec::new();
    for kind in ListKind::ALL {
        let list = if kind == ListKind::HeldByOutgoing {
            let cases = store.held_by(&outgoing, LIST_LIMIT * 20)?;
            HandedOver {
                kind,
                total: cases.len() as u64,
                cases: cases.into_iter().take(LIST_LIMIT as usize).collect(),
            }
        } else {
            let queue = match kind {
                ListKind::Overdue => Queue::Overdue,
                ListKind::DueNextShift => Queue::DueBetween(next_start, next_end),
                ListKind::Unreferred => Queue::Unreferred,
                ListKind::FeedbackPending => Queue::Feedback,
                _ => Queue::FollowUp,
            };
            HandedOver {
                kind,
                total: store.queue_total(&queue, &none, now)?,
                cases: store.queue_filtered(&queue, &none, page, now)?,
            }
        };
        lists.push(list);
    }
    Ok(Handover {
        shift: shift.clone(),
        start,
        end,
        next,
        as_of: now,
        next_end,
        activity: Activity::of(&events),
        lists,
        record: store.handover(shift)?,
    })
}

/// Who counts as at work now: seen by a console in the last 15 minutes.
pub fn at_work_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::minutes(15)
}

#[cfg(test)]
mod tests {
    use super::*;
    use figures::{Figures, GroupBy};

    #[test]
    fn a_days_shifts_are_listed_in_the_order_they_are_worked() {
        let key = |k: &str| (k.to_owned(), Figures::default());
        let t = DateTime::<Utc>::UNIX_EPOCH;
        let mut r = Report {
            from: t,
            to: t,
            by: GroupBy::Shift,
            rows: vec![
                key("2026-11-10/evening"),
                key("2026-11-10/morning"),
                key("2026-11-10/night"),
                key("2026-11-09/night"),
            ],
            total: Figures::default(),
        };
        in_time_order(&mut r, &crate::domain::shift::Center::default());
        let keys: Vec<&str> = r.rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "2026-11-09/night",
                "2026-11-10/morning",
                "2026-11-10/evening",
                "2026-11-10/night"
            ]
        );
    }
}
