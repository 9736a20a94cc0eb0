//! Shifts and the center's local time. The center works three shifts a day; the
//! timeline records the shift of every change, named by the local date the shift
//! started on (the night shift that starts at 23:00 on the 5th is `…-05/night`).

use std::fmt;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// One shift: the local date it started on and its name (`morning`,
/// `evening`, `night`). A night shift that crosses midnight is one shift,
/// named by the date it started.
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

/// The center's clock settings: its UTC offset and when each shift starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Center {
    /// Local offset from UTC in minutes (Iran: +210).
    pub utc_offset_minutes: i32,
    /// Local start times of the morning, evening and night shifts, in order.
    pub shift_starts: [NaiveTime; 3],
}

pub const SHIFT_NAMES: [&str; 3] = ["morning", "evening", "night"];

impl Default for Center {
    fn default() -> Self {
        Center {
            utc_offset_minutes: 210,
            shift_starts: [
                NaiveTime::from_hms_opt(7, 0, 0).expect("valid"),
                NaiveTime::from_hms_opt(15, 0, 0).expect("valid"),
                NaiveTime::from_hms_opt(23, 0, 0).expect("valid"),
            ],
        }
    }
}

impl Center {
    pub fn offset(&self) -> FixedOffset {
        FixedOffset::east_opt(self.utc_offset_minutes * 60)
            .unwrap_or(FixedOffset::east_opt(0).expect("zero"))
    }

    /// Local time at the center.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        t.with_timezone(&self.offset())
    }

    /// The shift `t` falls in.
    pub fn shift_of(&self, t: DateTime<Utc>) -> Shift {
        let local = self.local(t);
        let tod = local.time().with_nanosecond(0).unwrap_or(local.time());
        // The shift whose start is the latest one not after `tod`; before the
        // first start of the day we are still in yesterday's last shift.
        let mut idx = None;
        for (i, s) in self.shift_starts.iter().enumerate() {
            if tod >= *s {
                idx = Some(i);
            }
        }
        let (date, i) = match idx {
            Some(i) => (local.date_naive(), i),
            None => ((local - Duration::days(1)).date_naive(), 2),
        };
        Shift {
            date,
            name: SHIFT_NAMES[i].to_owned(),
        }
    }

    /// When the local day `date` starts, in UTC.
    pub fn day_start(&self, date: NaiveDate) -> DateTime<Utc> {
        let local = date.and_time(NaiveTime::MIN);
        (local - Duration::minutes(i64::from(self.utc_offset_minutes))).and_utc()
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
    fn shifts_follow_local_time() {
        let c = Center::default();
        // 04:00 UTC = 07:30 Tehran
        let shift = |t| c.shift_of(at(t)).to_string();
        assert_eq!(shift("2026-11-28T04:00:00Z"), "2026-11-28/morning");
        assert_eq!(shift("2026-11-28T11:30:00Z"), "2026-11-28/evening");
        assert_eq!(shift("2026-11-28T19:30:00Z"), "2026-11-28/night");
        // 02:00 Tehran on the 29th is still the night shift of the 28th
        assert_eq!(shift("2026-11-28T22:30:00Z"), "2026-11-28/night");
        assert_eq!(
            Shift::parse("2026-11-28/night"),
            Some(c.shift_of(at("2026-11-28T22:30:00Z")))
        );
        assert_eq!(Shift::parse("2026-11-28"), None);
        assert_eq!(c.show(at("2026-11-28T22:30:00Z")), "2026-11-29 02:00");
    }
}
