//! The managers' screen: figures for a period (today, the last 7 days, the
//! last 30), grouped as chosen (← → change the grouping), drawn as bars,
//! gauges and today's calls per hour beside the same weekday last week;
//! Enter on a row lists that group's cases.

use chrono::Duration;

use super::{Command, Go, Shell, Slot};
use crate::domain::code_enum;
use crate::keymap::{Action, Mode};
use crate::report::figures::{GroupBy, Report, ReportQuery};
use crate::store::StoreError;

code_enum! {
    /// The period the figures cover.
    Period {
        Today = "today",
        Week = "week",
        Month = "month",
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportScreen {
    pub period: Period,
    pub by: GroupBy,
    pub report: Option<Report>,
    /// Calls per hour: today, and the same weekday last week.
    pub hourly: Option<[Vec<u64>; 2]>,
    pub selected: usize,
}

impl Default for ReportScreen {
    fn default() -> Self {
        ReportScreen {
            period: Period::Month,
            by: GroupBy::Department,
            report: None,
            hourly: None,
            selected: 0,
        }
    }
}

impl ReportScreen {
    pub fn mode(&self) -> Mode {
        Mode::Board
    }

    /// The figures' query for the period chosen, as of now.
    pub fn query(&self, cx: &Shell) -> ReportQuery {
        let center = &cx.settings.center;
        let today = center.local(cx.now).date();
        let first = match self.period {
            Period::Today => today,
            Period::Week => today - Duration::days(6),
            Period::Month => today - Duration::days(29),
        };
        ReportQuery {
            from: center.day_start(first),
            to: center.day_start(today + Duration::days(1)),
            by: self.by,
            now: cx.now,
        }
    }

    pub fn reload(&mut self, cx: &mut Shell) {
        let center = &cx.settings.center;
        let today = center.local(cx.now).date();
        let days = [
            center.day_start(today),
            center.day_start(today - Duration::days(7)),
        ];
        let query = self.query(cx);
        cx.send(Slot::Report, Command::Report { query, days });
    }

    pub fn loaded(&mut self, cx: &mut Shell, r: Result<(Report, [Vec<u64>; 2]), StoreError>) {
        match r {
            Ok((mut report, hourly)) if report.by == self.by => {
                // In the order of the names people read.
                let (w, cat) = (&cx.words, &cx.catalog);
                report.rows.sort_by_cached_key(|(k, _)| {
                    crate::report::format::group_label(w, cat, report.by, k)
                });
                self.selected = self.selected.min(report.rows.len().saturating_sub(1));
                self.report = Some(report);
                self.hourly = Some(hourly);
            }
            Ok(_) => {}
            Err(e) => cx.store_error(&e),
        }
    }

    pub fn act(&mut self, cx: &mut Shell, action: Action) -> Go {
        let n = self.report.as_ref().map_or(0, |r| r.rows.len());
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Home => self.selected = 0,
            Action::End => self.selected = n.saturating_sub(1),
            Action::Earlier | Action::Later | Action::NextList | Action::PrevList => {
                let all = GroupBy::ALL;
                let i = all.iter().position(|g| *g == self.by).unwrap_or(0);
                let j = if matches!(action, Action::Later | Action::NextList) {
                    (i + 1) % all.len()
                } else {
                    (i + all.len() - 1) % all.len()
                };
                self.by = all[j];
                self.report = None;
                self.selected = 0;
                self.reload(cx);
            }
            Action::Period => {
                let all = Period::ALL;
                let i = all.iter().position(|p| *p == self.period).unwrap_or(0);
                self.period = all[(i + 1) % all.len()];
                self.report = None;
                self.reload(cx);
            }
            Action::Open => {
                if let Some((key, _)) = self.report.as_ref().and_then(|r| r.rows.get(self.selected))
                {
                    return Go::CasesOf(self.query(cx), key.clone());
                }
            }
            Action::Back => return Go::Back,
            _ => {}
        }
        Go::Stay
    }
}
