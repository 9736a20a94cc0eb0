//! Calendars and dates for people, pure: no IO, no clock. Every conversion
//! between the Gregorian and the Jalali (Persian solar hijri) calendar, every
//! month length and every Jalali month name comes from ICU4X (`icu_calendar`,
//! `icu_datetime`, compiled data); this module only picks fields, pads, joins
//! and changes digits. It holds no calendar arithmetic of its own.
//!
//! - Dates cross between chrono and ICU4X as day numbers: chrono's
//!   `num_days_from_ce` counts 0001-01-01 as day 1, which is exactly ICU4X's
//!   `RataDie` (ICU4X's own chrono bridge does the same, and a test here checks
//!   it day by day against ICU4X's ISO calendar). Every date chrono can hold
//!   has a Jalali date, so [`to_jalali`] cannot fail.
//! - The long Jalali form ("۷ آذر ۱۴۰۵") is ICU4X's `fa` long date in the
//!   Persian calendar, month name and order included. Numeric forms and times
//!   are put together here, zero-padded ("۱۴۰۵/۰۹/۰۷", "۰۹:۰۵"), because
//!   table columns need a fixed width and ICU4X's `fa` patterns do not pad
//!   ("۱۴۰۵/۹/۷", "۹:۰۵"); its long date with time reads "۷ آذر ۱۴۰۵ ساعت ۱۶:۲۰".
//! - Gregorian dates are shown as ISO numbers ("2026-11-28"), never with
//!   month names. Jalali month names are always the Persian ones, whichever
//!   digits are chosen: they are the names the operators and citizens use.
//! - [`parse_date`] reads a year below 1700 as Jalali and 1700 and above as
//!   Gregorian: the two calendars' years of interest (1300s–1400s and
//!   1900s–2000s) are centuries apart.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use icu_calendar::cal::Persian;
use icu_calendar::types::RataDie;
use icu_calendar::{AsCalendar, Date};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{M, YMD};
use icu_locale_core::locale;
use serde::{Deserialize, Serialize};

use crate::text::ascii_digits;

/// Which calendar dates are shown and read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Calendar {
    Gregorian,
    /// The Persian solar hijri calendar, Iran's official one.
    Jalali,
}

/// Which digits numbers are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Digits {
    /// 0-9
    Latin,
    /// ۰-۹ (U+06F0..U+06F9)
    Persian,
}

/// A date as year, month (1-12) and day (1-31) of some calendar. Ordered by
/// year, then month, then day, so dates of one calendar sort in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// The Jalali date of a Gregorian date.
pub fn to_jalali(date: NaiveDate) -> Ymd {
    let jalali = Date::from_rata_die(rata_die(date), Persian);
    Ymd {
        year: jalali.year().extended_year(),
        month: jalali.month().ordinal,
        day: jalali.day_of_month().0,
    }
}

/// The Gregorian date of a Jalali date, or `None` when there is no such date
/// (1404-12-30: 1404 is not a leap year; month 13; day 32; years outside
/// -9999..=9999).
pub fn from_jalali(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    naive_date(&Date::try_new_persian(year, month, day).ok()?)
}

/// A date for people. Gregorian: "2026-11-28". Jalali: ICU4X's long Persian
/// form with the month name, "۷ آذر ۱۴۰۵" (or "7 آذر 1405" with Latin digits).
pub fn date(cal: Calendar, d: NaiveDate, digits: Digits) -> String {
    match cal {
        Calendar::Gregorian => date_numeric(cal, d, digits),
        Calendar::Jalali => {
            let jalali = Date::from_rata_die(rata_die(d), Persian);
            let long = FA_LONG.with(|f| f.as_ref().map(|f| f.format(&jalali).to_string()));
            match long {
                // ICU4X writes `fa` with Persian digits.
                Some(long) => with_digits(&long, digits),
                None => date_numeric(cal, d, digits),
            }
        }
    }
}

/// A numeric date for tables, zero-padded: "2026-11-28" and "1405-09-07" with
/// Latin digits, "۲۰۲۶/۱۱/۲۸" and "۱۴۰۵/۰۹/۰۷" with Persian digits (the slash is
/// how Iranians write dates). [`parse_date`] reads all of them back.
pub fn date_numeric(cal: Calendar, d: NaiveDate, digits: Digits) -> String {
    let Ymd { year, month, day } = ymd(cal, d);
    let sep = separator(digits);
    with_digits(&format!("{year:04}{sep}{month:02}{sep}{day:02}"), digits)
}

/// A local date and time: "2026-11-28 16:20", "۷ آذر ۱۴۰۵ ۱۶:۲۰".
pub fn date_time(cal: Calendar, t: NaiveDateTime, digits: Digits) -> String {
    format!("{} {}", date(cal, t.date(), digits), hour_minute(t, digits))
}

/// A date and time for narrow table cells, without the year: "11-28 16:20",
/// "09-07 16:20", "۰۹/۰۷ ۱۶:۲۰".
pub fn short_date_time(cal: Calendar, t: NaiveDateTime, digits: Digits) -> String {
    let Ymd { month, day, .. } = ymd(cal, t.date());
    let sep = separator(digits);
    let short = with_digits(&format!("{month:02}{sep}{day:02}"), digits);
    format!("{short} {}", hour_minute(t, digits))
}

/// Why a typed date was refused. Each message quotes the input and says what
/// to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("no date given: write e.g. 2026-11-28 or 1405-09-07")]
    Empty,
    #[error(
        "{input:?} is not a date: write year, month and day, e.g. 2026-11-28 or 1405-09-07 \
         (the year has four digits)"
    )]
    Shape { input: String },
    #[error("{input:?} is not a date: there is no month {month}; months are 1 to 12")]
    Month { input: String, month: u8 },
    #[error(
        "{input:?} is not a date: {} {year} has {days} days",
        MonthName(*calendar, *year, *month)
    )]
    Day {
        input: String,
        calendar: Calendar,
        year: i32,
        month: u8,
        days: u8,
    },
}

/// Parses a date typed by a person or given on the command line: year, month
/// and day separated by `-` or `/` ("2026-11-28", "1405-09-07", "1405/9/7"),
/// in any digit script (Latin, Persian ۰-۹, Arabic-Indic ٠-٩), with spaces
/// around the whole and around separators allowed. The year has four digits,
/// month and day one or two. A year below 1700 is Jalali, 1700 and above
/// Gregorian. Never panics.
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(DateError::Empty);
    }
    let shape = || DateError::Shape {
        input: trimmed.to_owned(),
    };
    let text = ascii_digits(trimmed);
    let mut parts = text.split(['-', '/']).map(str::trim);
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(shape());
    };
    let (Some(year), Some(month), Some(day)) = (
        number(year, 4..=4),
        number(month, 1..=2),
        number(day, 1..=2),
    ) else {
        return Err(shape());
    };
    let (year, month, day) = (year as i32, month as u8, day as u8);
    if !(1..=12).contains(&month) {
        return Err(DateError::Month {
            input: trimmed.to_owned(),
            month,
        });
    }
    let calendar = if year < 1700 {
        Calendar::Jalali
    } else {
        Calendar::Gregorian
    };
    let found = match calendar {
        Calendar::Gregorian => Date::try_new_gregorian(year, month, day)
            .ok()
            .and_then(|d| naive_date(&d)),
        Calendar::Jalali => from_jalali(year, month, day),
    };
    found.ok_or_else(|| DateError::Day {
        input: trimmed.to_owned(),
        calendar,
        year,
        month,
        days: days_in_month(calendar, year, month),
    })
}

/// Writes ASCII digits as Persian ones: "2026" → "۲۰۲۶". Other characters stay.
/// ([`crate::text::ascii_digits`] goes back.)
pub fn persian_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c.to_digit(10) {
            Some(n) if c.is_ascii_digit() => char::from_u32(0x06F0 + n).unwrap_or(c),
            _ => c,
        })
        .collect()
}

thread_local! {
    /// ICU4X's `fa` long date in the Persian calendar ("۷ آذر ۱۴۰۵"). Each
    /// thread builds its formatters once: they hold `Rc`s, so they are neither
    /// `Send` nor `Sync` (unless icu_provider's `sync` feature is on).
    static FA_LONG: Option<FixedCalendarDateTimeFormatter<Persian, YMD>> =
        FixedCalendarDateTimeFormatter::try_new(locale!("fa").into(), YMD::long()).ok();
    /// Jalali month names for English error messages ("Esfand").
    static EN_PERSIAN_MONTH: Option<FixedCalendarDateTimeFormatter<Persian, M>> =
        FixedCalendarDateTimeFormatter::try_new(locale!("en").into(), M::long()).ok();
}

/// The English name of a month, for messages ("Esfand", "February"); "month
/// 12" if there is none.
struct MonthName(Calendar, i32, u8);

impl fmt::Display for MonthName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let &MonthName(calendar, year, month) = self;
        let name = match calendar {
            // chrono's English names: ICU4X's would link Gregorian month
            // names for every locale (about 240 KB) for this message alone.
            Calendar::Gregorian => chrono::Month::try_from(month)
                .ok()
                .map(|m| m.name().to_owned()),
            Calendar::Jalali => Date::try_new_persian(year, month, 1).ok().and_then(|d| {
                EN_PERSIAN_MONTH.with(|f| f.as_ref().map(|f| f.format(&d).to_string()))
            }),
        };
        match name {
            Some(name) => f.write_str(&name),
            None => write!(f, "month {month}"),
        }
    }
}

/// How many days a month has, from ICU4X; 0 if there is no such month.
fn days_in_month(calendar: Calendar, year: i32, month: u8) -> u8 {
    match calendar {
        Calendar::Gregorian => Date::try_new_gregorian(year, month, 1).map(|d| d.days_in_month()),
        Calendar::Jalali => Date::try_new_persian(year, month, 1).map(|d| d.days_in_month()),
    }
    .unwrap_or(0)
}

/// The date's year, month and day in a calendar.
fn ymd(cal: Calendar, d: NaiveDate) -> Ymd {
    match cal {
        // NaiveDate is Gregorian already.
        Calendar::Gregorian => Ymd {
            year: d.year(),
            month: d.month() as u8,
            day: d.day() as u8,
        },
        Calendar::Jalali => to_jalali(d),
    }
}

/// chrono's day number (0001-01-01 is day 1) as ICU4X's.
fn rata_die(d: NaiveDate) -> RataDie {
    RataDie::new(i64::from(d.num_days_from_ce()))
}

/// An ICU4X date as chrono's, by day number.
fn naive_date<C: AsCalendar>(d: &Date<C>) -> Option<NaiveDate> {
    let days = i32::try_from(d.to_rata_die().to_i64_date()).ok()?;
    NaiveDate::from_num_days_from_ce_opt(days)
}

/// "HH:MM", 24-hour, zero-padded.
fn hour_minute(t: NaiveDateTime, digits: Digits) -> String {
    with_digits(&format!("{:02}:{:02}", t.hour(), t.minute()), digits)
}

fn separator(digits: Digits) -> char {
    match digits {
        Digits::Latin => '-',
        Digits::Persian => '/',
    }
}

fn with_digits(s: &str, digits: Digits) -> String {
    match digits {
        Digits::Latin => ascii_digits(s),
        Digits::Persian => persian_digits(s),
    }
}

/// An ASCII number of `len` digits.
fn number(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(d: NaiveDate, h: u32, min: u32) -> NaiveDateTime {
        d.and_hms_opt(h, min, 0).unwrap()
    }

    fn ymd(year: i32, month: u8, day: u8) -> Ymd {
        Ymd { year, month, day }
    }

    #[test]
    fn known_dates() {
        for (gregorian, jalali) in [
            (day(2026, 3, 21), ymd(1405, 1, 1)),
            (day(2019, 6, 15), ymd(1398, 3, 25)),
            (day(2026, 11, 28), ymd(1405, 9, 7)),
            (day(1979, 2, 11), ymd(1357, 11, 22)),
        ] {
            assert_eq!(to_jalali(gregorian), jalali, "{gregorian}");
            assert_eq!(
                from_jalali(jalali.year, jalali.month, jalali.day),
                Some(gregorian)
            );
        }
    }

    #[test]
    fn leap_years_and_year_ends() {
        assert_eq!(from_jalali(1403, 12, 30), Some(day(2025, 3, 20)));
        assert_eq!(from_jalali(1404, 12, 30), None);
        assert_eq!(from_jalali(1404, 12, 29), Some(day(2026, 3, 20)));
        assert_eq!(to_jalali(day(2025, 3, 19)), ymd(1403, 12, 29));
        assert_eq!(to_jalali(day(2025, 3, 20)), ymd(1403, 12, 30));
        assert_eq!(to_jalali(day(2025, 3, 21)), ymd(1404, 1, 1));
        assert_eq!(to_jalali(day(2025, 12, 31)), ymd(1404, 10, 10));
        assert_eq!(to_jalali(day(2026, 1, 1)), ymd(1404, 10, 11));
        for (y, m, d) in [
            (1405, 13, 1),
            (1405, 0, 1),
            (1405, 1, 32),
            (1405, 7, 31),
            (1405, 1, 0),
        ] {
            assert_eq!(from_jalali(y, m, d), None, "{y}-{m}-{d}");
        }
    }

    /// Every day of two centuries: the conversion round-trips, consecutive
    /// days are consecutive Jalali dates, and months have the lengths the
    /// calendar defines (31 for the first six, 30 for the next five, 29 or 30
    /// for Esfand).
    #[test]
    fn every_day_from_1900_to_2100_round_trips_and_follows_on() {
        let mut d = day(1900, 1, 1);
        let mut before = to_jalali(d);
        let mut leap_years = 0;
        while d < day(2100, 12, 31) {
            // chrono's day numbers and ICU4X's are the same days.
            let iso = Date::from_rata_die(rata_die(d), icu_calendar::Iso);
            assert_eq!(
                (
                    iso.year().extended_year(),
                    iso.month().ordinal,
                    iso.day_of_month().0
                ),
                (d.year(), d.month() as u8, d.day() as u8)
            );
            let next = d.succ_opt().unwrap();
            let after = to_jalali(next);
            assert_eq!(
                from_jalali(after.year, after.month, after.day),
                Some(next),
                "{after:?}"
            );
            let follows = after == ymd(before.year, before.month, before.day + 1)
                || (before.month < 12 && after == ymd(before.year, before.month + 1, 1))
                || (before.month == 12 && after == ymd(before.year + 1, 1, 1));
            assert!(follows, "{d} is {before:?}, {next} is {after:?}");
            if after.day == 1 {
                let length = match before.month {
                    1..=6 => 31..=31,
                    7..=11 => 30..=30,
                    _ => 29..=30,
                };
                assert!(length.contains(&before.day), "{before:?} ends a month");
            }
            if after == ymd(before.year + 1, 1, 1) {
                assert_eq!(next.month(), 3, "Nowruz {next}");
                leap_years += u32::from(before.day == 30);
            }
            (d, before) = (next, after);
        }
        // About 8 leap years in 33: 1279 to 1479 has 200 year ends.
        assert!((45..=50).contains(&leap_years), "{leap_years} leap years");
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        for d in [NaiveDate::MIN, NaiveDate::MAX] {
            let j = to_jalali(d);
            assert!(date(Calendar::Jalali, d, Digits::Persian).len() > 4);
            assert!(!short_date_time(Calendar::Jalali, at(d, 0, 0), Digits::Latin).is_empty());
            let _ = from_jalali(j.year, j.month, j.day);
        }
    }

    #[test]
    fn formats() {
        let d = day(2026, 11, 28);
        let t = at(d, 16, 20);
        assert_eq!(date(Calendar::Jalali, d, Digits::Persian), "۷ آذر ۱۴۰۵");
        assert_eq!(date(Calendar::Jalali, d, Digits::Latin), "7 آذر 1405");
        assert_eq!(date(Calendar::Gregorian, d, Digits::Latin), "2026-11-28");
        assert_eq!(date(Calendar::Gregorian, d, Digits::Persian), "۲۰۲۶/۱۱/۲۸");
        assert_eq!(
            date_numeric(Calendar::Jalali, d, Digits::Persian),
            "۱۴۰۵/۰۹/۰۷"
        );
        assert_eq!(
            date_numeric(Calendar::Jalali, d, Digits::Latin),
            "1405-09-07"
        );
        assert_eq!(
            date_numeric(Calendar::Gregorian, d, Digits::Latin),
            "2026-11-28"
        );
        assert_eq!(
            date_time(Calendar::Jalali, t, Digits::Persian),
            "۷ آذر ۱۴۰۵ ۱۶:۲۰"
        );
        assert_eq!(
            date_time(Calendar::Gregorian, t, Digits::Latin),
            "2026-11-28 16:20"
        );
        assert_eq!(
            short_date_time(Calendar::Gregorian, t, Digits::Latin),
            "11-28 16:20"
        );
        assert_eq!(
            short_date_time(Calendar::Jalali, t, Digits::Persian),
            "۰۹/۰۷ ۱۶:۲۰"
        );
        assert_eq!(
            short_date_time(Calendar::Jalali, t, Digits::Latin),
            "09-07 16:20"
        );
        let morning = at(day(2019, 6, 15), 9, 5);
        assert_eq!(
            date_time(Calendar::Jalali, morning, Digits::Persian),
            "۲۵ خرداد ۱۳۹۸ ۰۹:۰۵"
        );
    }

    #[test]
    fn month_names_are_icu4x_fa() {
        // The first of each Jalali month of 1405.
        let names: Vec<String> = (1..=12)
            .map(|m| {
                let d = from_jalali(1405, m, 1).unwrap();
                date(Calendar::Jalali, d, Digits::Latin)
            })
            .collect();
        assert_eq!(
            names,
            [
                "1 فروردین 1405",
                "1 اردیبهشت 1405",
                "1 خرداد 1405",
                "1 تیر 1405",
                "1 مرداد 1405",
                "1 شهریور 1405",
                "1 مهر 1405",
                "1 آبان 1405",
                "1 آذر 1405",
                "1 دی 1405",
                "1 بهمن 1405",
                "1 اسفند 1405",
            ]
        );
    }

    #[test]
    fn parses_iso_jalali_and_any_digits() {
        let d = day(2026, 11, 28);
        for input in [
            "2026-11-28",
            "2026/11/28",
            "1405-09-07",
            "1405/9/7",
            "  1405 / 09 / 07 ",
            "۱۴۰۵/۰۹/۰۷",
            "٢٠٢٦-١١-٢٨",
            "۱۴۰۵-9-۷",
            "\t2026-11-28\n",
        ] {
            assert_eq!(parse_date(input), Ok(d), "{input:?}");
        }
        assert_eq!(parse_date("1403/12/30"), Ok(day(2025, 3, 20)));
        assert_eq!(
            parse_date("1699-01-01"),
            Ok(from_jalali(1699, 1, 1).unwrap())
        );
        assert_eq!(parse_date("1700-01-01"), Ok(day(1700, 1, 1)));
    }

    #[test]
    fn formats_read_back() {
        let mut d = day(1990, 1, 1);
        while d < day(2040, 1, 1) {
            for cal in [Calendar::Gregorian, Calendar::Jalali] {
                for digits in [Digits::Latin, Digits::Persian] {
                    let shown = date_numeric(cal, d, digits);
                    assert_eq!(parse_date(&shown), Ok(d), "{shown}");
                }
            }
            d += chrono::Duration::days(13);
        }
    }

    #[test]
    fn refuses_what_is_not_a_date_and_says_why() {
        let message = |s: &str| parse_date(s).unwrap_err().to_string();
        assert_eq!(
            message("1404-12-30"),
            r#""1404-12-30" is not a date: Esfand 1404 has 29 days"#
        );
        assert_eq!(
            message("۱۴۰۵/۰۷/۳۱"),
            r#""۱۴۰۵/۰۷/۳۱" is not a date: Mehr 1405 has 30 days"#
        );
        assert_eq!(
            message("2026-02-30"),
            r#""2026-02-30" is not a date: February 2026 has 28 days"#
        );
        assert_eq!(
            message("1405-13-01"),
            r#""1405-13-01" is not a date: there is no month 13; months are 1 to 12"#
        );
        assert_eq!(
            message(""),
            "no date given: write e.g. 2026-11-28 or 1405-09-07"
        );
        assert_eq!(
            message("tomorrow"),
            r#""tomorrow" is not a date: write year, month and day, e.g. 2026-11-28 or 1405-09-07 (the year has four digits)"#
        );
        assert_eq!(parse_date("   "), Err(DateError::Empty));
        assert_eq!(
            parse_date("1405-09-00"),
            Err(DateError::Day {
                input: "1405-09-00".into(),
                calendar: Calendar::Jalali,
                year: 1405,
                month: 9,
                days: 30
            })
        );
        assert_eq!(
            parse_date("1405-00-07"),
            Err(DateError::Month {
                input: "1405-00-07".into(),
                month: 0
            })
        );
        for garbage in [
            "99999999-01-01",
            "2026-11-28-1",
            "2026-11",
            "28/11/2026",
            "05/9/7",
            "2026--11-28",
            "-2026-11-28",
            "+2026-11-28",
            "2026-1 1-28",
            "2026-011-28",
            "2026-11-99999999999999999999",
            "2026.11.28",
            "2026-11-28T10:00",
            "١٤٠٥/٠٩/٠٧x",
        ] {
            assert!(
                matches!(parse_date(garbage), Err(DateError::Shape { .. })),
                "{garbage:?}: {:?}",
                parse_date(garbage)
            );
        }
    }

    #[test]
    fn persian_digits_only_changes_digits() {
        assert_eq!(persian_digits("2026"), "۲۰۲۶");
        assert_eq!(persian_digits("a1-9/0 ۵"), "a۱-۹/۰ ۵");
        assert_eq!(ascii_digits(&persian_digits("0123456789")), "0123456789");
    }

    #[test]
    fn calendar_names_in_config() {
        assert_eq!(
            serde_json::to_string(&Calendar::Jalali).unwrap(),
            r#""jalali""#
        );
        assert_eq!(
            serde_json::from_str::<Digits>(r#""persian""#).unwrap(),
            Digits::Persian
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_date_never_panics(s in "\\PC{0,24}") {
            let _ = parse_date(&s);
        }

        /// Dates typed in every shape parse_date reads, most of them real:
        /// whatever it reads shows again as the same date, and whatever it
        /// refuses is a month or a day out of range.
        #[test]
        fn parse_date_reads_what_it_shows(
            year in 0..10_000_i32,
            month in 0..14_u8,
            day in 0..33_u8,
            sep in proptest::sample::select(vec!["-", "/", " / "]),
            digits in proptest::sample::select(vec![Digits::Latin, Digits::Persian]),
        ) {
            let typed = with_digits(&format!("{year:04}{sep}{month}{sep}{day:02}"), digits);
            match parse_date(&typed) {
                Ok(d) if year < 1700 => {
                    proptest::prop_assert_eq!(to_jalali(d), Ymd { year, month, day });
                    let shown = date_numeric(Calendar::Jalali, d, digits);
                    proptest::prop_assert_eq!(parse_date(&shown), Ok(d));
                }
                Ok(d) => {
                    proptest::prop_assert_eq!((d.year(), d.month(), d.day()), (year, month.into(), day.into()));
                    let shown = date_numeric(Calendar::Gregorian, d, digits);
                    proptest::prop_assert_eq!(parse_date(&shown), Ok(d));
                }
                Err(DateError::Month { .. }) => proptest::prop_assert!(month == 0 || month > 12),
                Err(DateError::Day { days, .. }) => proptest::prop_assert!(day == 0 || day > days),
                Err(e) => proptest::prop_assert!(false, "{typed:?}: {e}"),
            }
        }
    }
}
