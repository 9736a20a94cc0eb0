//! The center's clock: its time zone and its shifts. Times are stored in UTC
//! and read in the center's zone (an IANA name through the tz database, so a
//! city with daylight saving time is right too; Asia/Tehran by default).
//! The center works in shifts that start at fixed local times; a shift is
//! named by the local date it started on, so the night shift that starts at
//! 23:00 on the 5th and ends at 07:00 on the 6th is `…-05/night`. Pure.

use std::fmt;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// One shift: the local date it started on and its name (`morning`,
/// `evening`, `night`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Shift {
    pub date: NaiveDate,
    pub name: String,
}

impl Shift {
    /// Parses the machine form `YYYY-MM-DD/name` (as older timelines stored it).
    pub fn parse(s: &str) -> Option<Shift> {
        let (date, name) = s.split_once('/')?;
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        (!name.is_empty()).then(|| Shift {
            date,
            name: name.to_owned(),
        })
    }
}

/// The machine form, `2026-11-28/night`.
impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.date.format("%Y-%m-%d"), self.name)
    }
}

/// Where the center's clock is: a named zone of the tz database, or (from
/// older configs) a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

/// When a shift starts, and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftStart {
    pub name: String,
    pub start: NaiveTime,
}

/// The center's clock settings: its zone and when each shift starts, in
/// order within the day (at least one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Center {
    pub zone: Zone,
    pub shifts: Vec<ShiftStart>,
}

/// The shifts of a center that works around the clock in three.
pub const SHIFT_NAMES: [&str; 3] = ["morning", "evening", "night"];

impl Default for Center {
    fn default() -> Self {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("valid");
        Center {
            zone: Zone::Named(chrono_tz::Asia::Tehran),
            shifts: SHIFT_NAMES
                .iter()
                .zip([7, 15, 23])
                .map(|(name, h)| ShiftStart {
                    name: (*name).to_owned(),
                    start: at(h),
                })
                .collect(),
        }
    }
}

impl Center {
    /// The wall-clock time at the center.
    pub fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        match self.zone {
            Zone::Named(tz) => t.with_timezone(&tz).naive_local(),
            Zone::Fixed(off) => t.with_timezone(&off).naive_local(),
        }
    }

    /// The moment a wall-clock time names. A time the clocks skip (spring
    /// forward) moves on past the gap; one they repeat (fall back) is the
    /// earlier of the two.
    pub fn instant(&self, local: NaiveDateTime) -> DateTime<Utc> {
        fn resolve<Z: TimeZone>(z: &Z, local: NaiveDateTime) -> DateTime<Utc> {
            // Gaps are at most a few hours: the first minute after it exists.
            (0..=24 * 60)
                .find_map(|m| {
                    z.from_local_datetime(&(local + Duration::minutes(m)))
                        .earliest()
                })
                .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
        }
        match self.zone {
            Zone::Named(tz) => resolve(&tz, local),
            Zone::Fixed(off) => resolve(&off, local),
        }
    }

    /// When the local day `date` starts, in UTC.
    pub fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        self.instant(date.and_time(NaiveTime::MIN))
    }

    /// The shift `t` falls in: the latest start not after its local time;
    /// before the first start of a day, the day before's last shift.
    pub fn shift_of(&self, t: DateTime<Utc>) -> Shift {
        let local = self.local(t);
        let tod = local.time();
        match self.shifts.iter().rev().find(|s| s.start <= tod) {
            Some(s) => Shift {
                date: local.date(),
                name: s.name.clone(),
            },
            None => Shift {
                date: local.date() - Duration::days(1),
                name: self
                    .shifts
                    .last()
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            },
        }
    }

    /// When `shift` starts and ends (the next shift's start), in UTC; None
    /// for a shift name this center does not have.
    pub fn bounds(&self, shift: &Shift) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let i = self.shifts.iter().position(|s| s.name == shift.name)?;
        let start = self.instant(shift.date.and_time(self.shifts[i].start));
        let next = self.next(shift)?;
        let end = self.instant(
            next.date
                .and_time(self.shifts.iter().find(|s| s.name == next.name)?.start),
        );
        Some((start, end))
    }

    /// The shift after `shift`.
    pub fn next(&self, shift: &Shift) -> Option<Shift> {
        let i = self.shifts.iter().position(|s| s.name == shift.name)?;
        Some(match self.shifts.get(i + 1) {
            Some(s) => Shift {
                date: shift.date,
                name: s.name.clone(),
            },
            None => Shift {
                date: shift.date + Duration::days(1),
                name: self.shifts[0].name.clone(),
            },
        })
    }

    /// The shift before `shift`.
    pub fn previous(&self, shift: &Shift) -> Option<Shift> {
        let i = self.shifts.iter().position(|s| s.name == shift.name)?;
        Some(match i.checked_sub(1) {
            Some(j) => Shift {
                date: shift.date,
                name: self.shifts[j].name.clone(),
            },
            None => Shift {
                date: shift.date - Duration::days(1),
                name: self.shifts.last()?.name.clone(),
            },
        })
    }

    /// Shows a time as the center's local time, `YYYY-MM-DD HH:MM`.
    pub fn show(&self, t: DateTime<Utc>) -> String {
        self.local(t).format("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn shifts_follow_local_time_at_their_edges() {
        let c = Center::default();
        let shift = |t| c.shift_of(at(t)).to_string();
        // Tehran is UTC+03:30.
        assert_eq!(shift("2026-11-28T03:29:00+03:30"), "2026-11-27/night");
        assert_eq!(shift("2026-11-28T06:59:59+03:30"), "2026-11-27/night");
        assert_eq!(shift("2026-11-28T07:00:00+03:30"), "2026-11-28/morning");
        assert_eq!(shift("2026-11-28T14:59:00+03:30"), "2026-11-28/morning");
        assert_eq!(shift("2026-11-28T15:00:00+03:30"), "2026-11-28/evening");
        assert_eq!(shift("2026-11-28T22:59:00+03:30"), "2026-11-28/evening");
        assert_eq!(shift("2026-11-28T23:00:00+03:30"), "2026-11-28/night");
        // Past midnight: still the night shift of the day it started.
        assert_eq!(shift("2026-11-29T00:00:00+03:30"), "2026-11-28/night");
        assert_eq!(shift("2026-11-29T02:00:00+03:30"), "2026-11-28/night");
        assert_eq!(c.show(at("2026-11-28T22:30:00Z")), "2026-11-29 02:00");
        assert_eq!(
            Shift::parse("2026-11-28/night"),
            Some(c.shift_of(at("2026-11-28T22:30:00Z")))
        );
        assert_eq!(Shift::parse("2026-11-28"), None);
        // A night shift's bounds: 23:00 to 07:00 the next day.
        let night = Shift::parse("2026-11-28/night").unwrap();
        assert_eq!(
            c.bounds(&night),
            Some((
                at("2026-11-28T23:00:00+03:30"),
                at("2026-11-29T07:00:00+03:30")
            ))
        );
        assert_eq!(c.next(&night), Shift::parse("2026-11-29/morning"));
        assert_eq!(
            c.previous(&Shift::parse("2026-11-29/morning").unwrap()),
            Some(night)
        );
    }

    #[test]
    fn a_center_with_daylight_saving_time() {
        let c = Center {
            zone: Zone::Named(chrono_tz::America::New_York),
            ..Center::default()
        };
        // 2026-03-08: clocks go from 02:00 to 03:00 (EST -5 to EDT -4).
        let shift = |t| c.shift_of(at(t)).to_string();
        assert_eq!(shift("2026-03-08T06:59:00-04:00"), "2026-03-07/night");
        assert_eq!(shift("2026-03-08T07:00:00-04:00"), "2026-03-08/morning");
        let night = Shift::parse("2026-03-07/night").unwrap();
        let (start, end) = c.bounds(&night).unwrap();
        assert_eq!(start, at("2026-03-07T23:00:00-05:00"));
        assert_eq!(end, at("2026-03-08T07:00:00-04:00"));
        assert_eq!(
            end - start,
            Duration::hours(7),
            "an hour shorter that night"
        );
        // 2026-11-01: clocks go back from 02:00 to 01:00.
        let night = Shift::parse("2026-10-31/night").unwrap();
        let (start, end) = c.bounds(&night).unwrap();
        assert_eq!(end - start, Duration::hours(9), "an hour longer");
        assert_eq!(shift("2026-11-01T01:30:00-04:00"), "2026-10-31/night");
        assert_eq!(shift("2026-11-01T01:30:00-05:00"), "2026-10-31/night");
        // A wall time the clocks skip names the moment after the gap.
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(c.instant(gap), at("2026-03-08T03:00:00-04:00"));
        assert_eq!(
            c.day_start(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()),
            at("2026-03-08T00:00:00-05:00")
        );
    }
}
