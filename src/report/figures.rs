//! Figures for managers, pure: what the store counted for a period, grouped
//! (by department, category, service, channel, district, operator or
//! shift), made into one row of figures per group and a total. The rules
//! of each figure are written here once; the store's queries only count.
//!
//! - **contacts**: cases received in the period, and later calls attached to
//!   a case in the period (repeat contacts).
//! - **on time / late** (cases received in the period, cancelled ones left
//!   out): on time when the department answered (or the case was closed) by
//!   its due time, or it has no deadline, or it is open and not yet due at
//!   the moment of the report; late otherwise. This is Boston's
//!   `OnTime_Status` rule, so a city's imported history reads the same.
//! - **time to answer**: from contact to the department's answer (or the
//!   close), median and 90th percentile, of the cases received in the period.
//! - **feedback calls** made in the period and their results: satisfaction
//!   is satisfied / (satisfied + dissatisfied); the unreachable rate is
//!   unreachable / all calls.
//! - **closed / reopened** in the period (reopen rate = reopened / closed),
//!   **escalations** (to special follow-up, by a person or a dissatisfied
//!   citizen) in the period.
//! - **open backlog** at the period's end (or now, if sooner): cases open at
//!   that moment, by age band.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::code_enum;

code_enum! {
    /// What a report's rows are grouped by.
    GroupBy {
        Department = "department",
        Category = "category",
        Service = "service",
        Channel = "channel",
        District = "district",
        Operator = "operator",
        Shift = "shift",
    }
}

/// The age bands of the open backlog, upper bounds in days (the last is open-ended).
pub const AGE_BANDS: [i64; 4] = [1, 3, 7, 30];

/// What a report covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub by: GroupBy,
    /// When the report is made: an open case is late if due before this.
    pub now: DateTime<Utc>,
}

impl ReportQuery {
    /// The moment the backlog is counted at: the period's end, or now.
    pub fn backlog_at(&self) -> DateTime<Utc> {
        self.to.min(self.now)
    }
}

/// Counts of the cases received in the period, of one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CaseCounts {
    pub cases: u64,
    pub on_time: u64,
    pub late: u64,
    pub answered: u64,
}

/// What the on-time rule reads of one case received in the period (times in
/// seconds since 1970, as the store keeps them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    pub cancelled: bool,
    /// 0 when the service has no deadline.
    pub deadline_hours: i64,
    pub received_at: i64,
    pub due_at: i64,
    /// The department's answer, or else the close.
    pub answered_at: Option<i64>,
}

impl CaseCounts {
    /// Counts one case of the period at `now` (the module's rules); gives its
    /// time to answer when it counts towards the median.
    pub fn count(&mut self, c: &CaseFacts, now: i64) -> Option<i64> {
        self.cases += 1;
        if c.cancelled {
            return None;
        }
        let on_time = c.deadline_hours == 0
            || match c.answered_at {
                Some(at) => at <= c.due_at,
                None => c.due_at >= now,
            };
        if on_time {
            self.on_time += 1;
        } else {
            self.late += 1;
        }
        let seconds = c.answered_at.map(|at| at - c.received_at);
        if seconds.is_some() {
            self.answered += 1;
        }
        seconds
    }
}

/// Events of one kind counted in a group: (group, action, result, to-status, how many).
pub type EventCount = (String, String, Option<String>, Option<String>, u64);

/// What the store counted for a report (see each field's query in
/// `store::reports`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    /// The cases received in the period: their counts, and the seconds from
    /// contact to answer of each one answered.
    pub cases: Vec<(String, CaseCounts, Vec<i64>)>,
    /// Events in the period: (group, action, result, to-status, how many).
    pub events: Vec<EventCount>,
    /// Later calls attached to a case in the period.
    pub repeat_contacts: Vec<(String, u64)>,
    /// Open at `backlog_at`: (group, age band index, how many).
    pub backlog: Vec<(String, usize, u64)>,
}

/// One row of figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    pub contacts: u64,
    pub cases: u64,
    pub repeat_contacts: u64,
    pub on_time: u64,
    pub late: u64,
    /// on time / (on time + late), when there is any.
    pub on_time_share: Option<f64>,
    pub answered: u64,
    pub median_answer_seconds: Option<i64>,
    pub p90_answer_seconds: Option<i64>,
    pub feedback_calls: u64,
    pub satisfied: u64,
    pub dissatisfied: u64,
    pub unreachable: u64,
    pub satisfaction: Option<f64>,
    pub unreachable_rate: Option<f64>,
    pub closed: u64,
    pub reopened: u64,
    pub reopen_rate: Option<f64>,
    pub escalations: u64,
    /// Open at the end, by age band (see `AGE_BANDS`).
    pub backlog: [u64; 5],
}

/// A report: a row per group (by its code), and the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub by: GroupBy,
    pub rows: Vec<(String, Figures)>,
    pub total: Figures,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The value at quantile `q` of sorted `v` (nearest rank).
fn quantile(v: &[i64], q: f64) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

impl Figures {
    fn add_cases(&mut self, c: &CaseCounts) {
        self.cases += c.cases;
        self.on_time += c.on_time;
        self.late += c.late;
        self.answered += c.answered;
    }

    fn add_event(&mut self, action: &str, result: Option<&str>, to: Option<&str>, n: u64) {
        if action == "feedback" {
            self.feedback_calls += n;
            match result {
                Some("satisfied") => self.satisfied += n,
                Some("dissatisfied") => self.dissatisfied += n,
                Some("unreachable") => self.unreachable += n,
                _ => {}
            }
        }
        if action == "reopen" {
            self.reopened += n;
        }
        if to == Some("closed") && matches!(action, "feedback" | "close") {
            self.closed += n;
        }
        if to == Some("follow-up") && matches!(action, "feedback" | "escalate") {
            self.escalations += n;
        }
    }

    fn finish(&mut self, mut seconds: Vec<i64>) {
        self.contacts = self.cases + self.repeat_contacts;
        self.on_time_share = share(self.on_time, self.on_time + self.late);
        self.satisfaction = share(self.satisfied, self.satisfied + self.dissatisfied);
        self.unreachable_rate = share(self.unreachable, self.feedback_calls);
        self.reopen_rate = share(self.reopened, self.closed);
        seconds.sort_unstable();
        self.median_answer_seconds = quantile(&seconds, 0.5);
        self.p90_answer_seconds = quantile(&seconds, 0.9);
    }
}

impl Report {
    /// The figures of each group and of all, from what the store counted.
    pub fn build(q: &ReportQuery, rows: Rows) -> Report {
        let mut groups: BTreeMap<String, (Figures, Vec<i64>)> = BTreeMap::new();
        let mut total = Figures::default();
        let mut all_seconds = Vec::new();
        for (g, c, seconds) in rows.cases {
            total.add_cases(&c);
            all_seconds.extend_from_slice(&seconds);
            let group = groups.entry(g).or_default();
            group.0.add_cases(&c);
            group.1.extend(seconds);
        }
        for (g, action, result, to, n) in &rows.events {
            let f = &mut groups.entry(g.clone()).or_default().0;
            f.add_event(action, result.as_deref(), to.as_deref(), *n);
            total.add_event(action, result.as_deref(), to.as_deref(), *n);
        }
        for (g, n) in &rows.repeat_contacts {
            groups.entry(g.clone()).or_default().0.repeat_contacts += n;
            total.repeat_contacts += n;
        }
        for (g, band, n) in &rows.backlog {
            let b = (*band).min(AGE_BANDS.len());
            groups.entry(g.clone()).or_default().0.backlog[b] += n;
            total.backlog[b] += n;
        }
        total.finish(all_seconds);
        let rows = groups
            .into_iter()
            .map(|(g, (mut f, seconds))| {
                f.finish(seconds);
                (g, f)
            })
            .collect();
        // (Rows are in the order of their keys; whoever shows them orders
        // them by the names people read.)
        Report {
            from: q.from,
            to: q.to,
            by: q.by,
            rows,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(quantile(&v, 0.5), Some(5));
        assert_eq!(quantile(&v, 0.9), Some(9));
        assert_eq!(quantile(&[7], 0.9), Some(7));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn a_case_counts_by_the_on_time_rule() {
        let now = 1_000;
        let case = |deadline_hours, due_at, answered_at| CaseFacts {
            cancelled: false,
            deadline_hours,
            received_at: 100,
            due_at,
            answered_at,
        };
        let mut c = CaseCounts::default();
        // answered by the due time, at it, and after it
        assert_eq!(c.count(&case(24, 500, Some(400)), now), Some(300));
        assert_eq!(c.count(&case(24, 500, Some(500)), now), Some(400));
        assert_eq!(c.count(&case(24, 500, Some(501)), now), Some(401));
        // open: not yet due at the report's moment, due at it, overdue
        assert_eq!(c.count(&case(24, 2_000, None), now), None);
        assert_eq!(c.count(&case(24, 1_000, None), now), None);
        assert_eq!(c.count(&case(24, 999, None), now), None);
        // no deadline: on time however late the answer
        assert_eq!(c.count(&case(0, 100, Some(9_000)), now), Some(8_900));
        // cancelled: a case, neither on time nor late, no answer time
        let cancelled = CaseFacts {
            cancelled: true,
            ..case(24, 500, Some(400))
        };
        assert_eq!(c.count(&cancelled, now), None);
        assert_eq!(
            c,
            CaseCounts {
                cases: 8,
                on_time: 5,
                late: 2,
                answered: 4,
            }
        );
    }
}
