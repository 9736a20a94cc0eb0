//! Shifts and the center's local time. The center works three shifts a day; the
//! timeline records the shift of every change, named by the local date the shift
//! started on (the night shift that starts at 23:00 on the 5th is `…-05/night`).

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

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

    /// The shift `t` falls in, as `YYYY-MM-DD/name` (date the shift started).
    pub fn shift_of(&self, t: DateTime<Utc>) -> String {
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
        format!("{}/{}", date.format("%Y-%m-%d"), SHIFT_NAMES[i])
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
        assert_eq!(c.shift_of(at("2026-11-28T04:00:00Z")), "2026-11-28/morning");
        assert_eq!(c.shift_of(at("2026-11-28T11:30:00Z")), "2026-11-28/evening");
        assert_eq!(c.shift_of(at("2026-11-28T19:30:00Z")), "2026-11-28/night");
        // 02:00 Tehran on the 29th is still the night shift of the 28th
        assert_eq!(c.shift_of(at("2026-11-28T22:30:00Z")), "2026-11-28/night");
        assert_eq!(c.show(at("2026-11-28T22:30:00Z")), "2026-11-29 02:00");
    }
}
