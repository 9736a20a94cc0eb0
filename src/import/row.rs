//! One row of an export: checked against the mapping and read into a `Row`,
//! or refused with its line, its column and what was wrong. Pure.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::mapping::{self, CodeColumn, Mapping, State, TextColumns};
use crate::domain::case::Channel;
use crate::domain::intake::{MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAME};

/// Why a row was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// A NUL character (U+0000), which no store keeps.
    Nul,
    /// Not as many fields as the header.
    FieldCount {
        found: usize,
        expected: usize,
    },
    /// A cell the case needs is empty (`field`: the mapping's table).
    Empty {
        field: &'static str,
    },
    /// Not a time in any of the formats.
    BadTime {
        value: String,
        formats: Vec<String>,
    },
    /// A status or channel the mapping does not list.
    UnknownValue {
        field: &'static str,
        value: String,
        listed: Vec<String>,
    },
    /// Closed (longer than the tolerance) before it was received.
    ClosedBeforeReceived {
        closed: String,
        received: String,
        tolerance_hours: i64,
    },
    DueBeforeReceived {
        due: String,
        received: String,
    },
    /// The status says finished, but there is no closed time.
    ClosedWithoutTime {
        status: String,
    },
    /// The same old id on an earlier line.
    DuplicateId {
        id: String,
        first_line: u64,
    },
}

impl Problem {
    /// A short code for counting refusals.
    pub fn reason(&self) -> &'static str {
        match self {
            Problem::NotUtf8 => "not-utf8",
            Problem::Nul => "nul",
            Problem::FieldCount { .. } => "field-count",
            Problem::Empty { .. } => "empty",
            Problem::BadTime { .. } => "bad-time",
            Problem::UnknownValue { .. } => "unknown-value",
            Problem::ClosedBeforeReceived { .. } => "closed-before-received",
            Problem::DueBeforeReceived { .. } => "due-before-received",
            Problem::ClosedWithoutTime { .. } => "closed-without-time",
            Problem::DuplicateId { .. } => "duplicate-id",
        }
    }
}

/// A refused row: its line in the file (where it starts), the column at
/// fault (the header's name) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub line: u64,
    pub column: Option<String>,
    #[serde(flatten)]
    pub problem: Problem,
}

/// A catalog entry a row names: the catalog's own (its code), or one of the
/// old system's that the mapping does not match (its value, trimmed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Entry {
    Catalog(String),
    New(String),
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub old_id: String,
    pub received: DateTime<Utc>,
    pub due: Option<DateTime<Utc>>,
    /// When it was finished (None while open).
    pub closed: Option<DateTime<Utc>>,
    pub state: State,
    pub channel: Channel,
    pub service: Entry,
    /// The value new services take their category by.
    pub category_key: String,
    pub department: Entry,
    pub department_name: String,
    pub district: Entry,
    pub district_name: String,
    pub neighborhood: String,
    pub address: String,
    pub description: String,
    pub response: Option<String>,
}

/// Where each column the mapping reads is in the file.
#[derive(Debug, Clone)]
pub struct Layout {
    header: Vec<String>,
    old_id: usize,
    received: usize,
    due: Option<usize>,
    closed: Option<usize>,
    status: Option<usize>,
    channel: Option<usize>,
    service: Option<usize>,
    category: Option<usize>,
    department: Option<usize>,
    department_name: Option<usize>,
    district: Option<usize>,
    district_name: Option<usize>,
    neighborhood: Vec<usize>,
    address: Vec<usize>,
    description: Vec<usize>,
    response: Vec<usize>,
    location: Option<(usize, usize)>,
}

impl Layout {
    /// Finds the mapping's columns in a header (exact names first, then
    /// ignoring letter case); the missing ones, with their tables, if any.
    pub fn new(m: &Mapping, header: Vec<String>) -> Result<Layout, Vec<(String, String)>> {
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h.trim() == name.trim())
                .or_else(|| {
                    header
                        .iter()
                        .position(|h| h.trim().eq_ignore_ascii_case(name.trim()))
                })
        };
        let missing: Vec<(String, String)> = m
            .columns()
            .into_iter()
            .filter(|(_, c)| find(c).is_none())
            .map(|(t, c)| (t.to_owned(), c.to_owned()))
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let at = |name: &str| find(name).expect("checked above");
        let opt = |name: Option<&str>| name.map(at);
        let many = |t: Option<&TextColumns>| {
            t.map(|t| t.columns.iter().map(|c| at(c)).collect())
                .unwrap_or_default()
        };
        Ok(Layout {
            old_id: at(&m.old_id),
            received: at(&m.received.column),
            due: opt(m.due.as_ref().map(|d| d.column.as_str())),
            closed: opt(m.closed.as_ref().map(|d| d.column.as_str())),
            status: opt(m.status.as_ref().map(|d| d.column.as_str())),
            channel: opt(m.channel.column.as_deref()),
            service: opt(m.service.column.as_deref()),
            category: opt(m.categories.column.as_deref()),
            department: opt(m.department.column.as_deref()),
            department_name: opt(m.department.name_column.as_deref()),
            district: opt(m.district.column.as_deref()),
            district_name: opt(m.district.name_column.as_deref()),
            neighborhood: many(m.neighborhood.as_ref()),
            address: many(m.address.as_ref()),
            description: many(m.description.as_ref()),
            response: many(m.response.as_ref()),
            location: m.location.as_ref().map(|(a, b)| (at(a), at(b))),
            header,
        })
    }
}

/// The old ids of the good rows so far, and their lines.
#[derive(Debug, Clone, Default)]
pub struct SeenIds(HashMap<String, u64>);

/// Checks one data row and reads it; `seen` holds the old ids of earlier
/// good rows (this row's is added when it passes).
pub fn check_row(
    m: &Mapping,
    layout: &Layout,
    line: u64,
    fields: &[&str],
    seen: &mut SeenIds,
) -> Result<Row, Refused> {
    let refuse = |i: Option<usize>, problem: Problem| Refused {
        line,
        column: i.map(|i| layout.header[i].clone()),
        problem,
    };
    if fields.len() != layout.header.len() {
        return Err(refuse(
            None,
            Problem::FieldCount {
                found: fields.len(),
                expected: layout.header.len(),
            },
        ));
    }
    let cell = |i: usize| fields[i].trim();
    let id = cell(layout.old_id);
    if id.is_empty() {
        return Err(refuse(
            Some(layout.old_id),
            Problem::Empty { field: "old_id" },
        ));
    }
    if let Some(first) = seen.0.get(id) {
        return Err(refuse(
            Some(layout.old_id),
            Problem::DuplicateId {
                id: id.to_owned(),
                first_line: *first,
            },
        ));
    }
    let time = |i: usize, col: &mapping::TimeColumn| -> Result<Option<DateTime<Utc>>, Refused> {
        let c = cell(i);
        if c.is_empty() {
            return Ok(None);
        }
        m.time(col, c).map(Some).ok_or_else(|| {
            refuse(
                Some(i),
                Problem::BadTime {
                    value: c.to_owned(),
                    formats: col.formats.clone(),
                },
            )
        })
    };
    let Some(received) = time(layout.received, &m.received)? else {
        return Err(refuse(
            Some(layout.received),
            Problem::Empty { field: "received" },
        ));
    };
    let due = match (layout.due, &m.due) {
        (Some(i), Some(col)) => time(i, col)?,
        _ => None,
    };
    if let (Some(due), Some(i)) = (due, layout.due)
        && due < received
    {
        return Err(refuse(
            Some(i),
            Problem::DueBeforeReceived {
                due: cell(i).to_owned(),
                received: cell(layout.received).to_owned(),
            },
        ));
    }
    let closed_at = match (layout.closed, &m.closed) {
        (Some(i), Some(col)) => time(i, col)?,
        _ => None,
    };
    let state = match (layout.status, &m.status) {
        (Some(i), Some(s)) => match m.state(cell(i)) {
            Some(state) => state,
            None if cell(i).is_empty() => {
                return Err(refuse(Some(i), Problem::Empty { field: "status" }));
            }
            None => {
                return Err(refuse(
                    Some(i),
                    Problem::UnknownValue {
                        field: "status",
                        value: cell(i).to_owned(),
                        listed: s.listed.clone(),
                    },
                ));
            }
        },
        _ if closed_at.is_some() => State::Closed(crate::domain::case::Outcome::WorkDone),
        _ => State::Open,
    };
    let closed = match state {
        State::Open => None,
        State::Closed(_) | State::Cancelled(_) => {
            let Some(t) = closed_at else {
                let (i, status) = match layout.status {
                    Some(i) => (layout.closed.or(Some(i)), cell(i).to_owned()),
                    None => (layout.closed, String::new()),
                };
                return Err(refuse(i, Problem::ClosedWithoutTime { status }));
            };
            if t >= received {
                Some(t)
            } else if received - t <= m.closed_tolerance {
                Some(received)
            } else {
                let i = layout
                    .closed
                    .expect("a closed time came from the closed column");
                return Err(refuse(
                    Some(i),
                    Problem::ClosedBeforeReceived {
                        closed: cell(i).to_owned(),
                        received: cell(layout.received).to_owned(),
                        tolerance_hours: m.closed_tolerance.num_hours(),
                    },
                ));
            }
        }
    };
    let channel = match layout.channel {
        Some(i) if !cell(i).is_empty() => match m.channel.values.get(&mapping::key(cell(i))) {
            Some(c) => *c,
            None => m.channel.default.ok_or_else(|| {
                refuse(
                    Some(i),
                    Problem::UnknownValue {
                        field: "channel",
                        value: cell(i).to_owned(),
                        listed: m.channel.listed.clone(),
                    },
                )
            })?,
        },
        i => m
            .channel
            .default
            .ok_or_else(|| refuse(i, Problem::Empty { field: "channel" }))?,
    };
    let entry =
        |field: &'static str, col: &CodeColumn, i: Option<usize>| -> Result<Entry, Refused> {
            let value = match i.map(cell).filter(|c| !c.is_empty()) {
                Some(c) => c,
                None => col
                    .if_empty
                    .as_deref()
                    .map(str::trim)
                    .ok_or_else(|| refuse(i, Problem::Empty { field }))?,
            };
            Ok(match col.values.get(&mapping::key(value)) {
                Some(code) => Entry::Catalog(code.clone()),
                None => Entry::New(value.to_owned()),
            })
        };
    let service = entry("service", &m.service, layout.service)?;
    let department = entry("department", &m.department, layout.department)?;
    let district = entry("district", &m.district, layout.district)?;
    let category_key = match (layout.category, &service) {
        (Some(i), _) => cell(i).to_owned(),
        (None, Entry::New(v) | Entry::Catalog(v)) => v.clone(),
    };
    let name_of = |i: Option<usize>| i.map(|i| cell(i).to_owned()).unwrap_or_default();
    let text = |cols: &[usize], t: Option<&TextColumns>, max: usize| -> String {
        let mut cells = cols.iter().map(|&i| cell(i)).filter(|c| !c.is_empty());
        let joined = match t.and_then(|t| t.join.as_deref()) {
            Some(sep) => cells.collect::<Vec<_>>().join(sep),
            None => cells.next().unwrap_or_default().to_owned(),
        };
        clip(joined, max)
    };
    let mut address = text(&layout.address, m.address.as_ref(), MAX_ADDRESS);
    if address.is_empty()
        && let Some((lat, long)) = layout.location
        && !cell(lat).is_empty()
        && !cell(long).is_empty()
    {
        address = format!("{}, {}", cell(lat), cell(long));
    }
    let response = match state {
        State::Open => None,
        _ => Some(text(&layout.response, m.response.as_ref(), MAX_DESCRIPTION))
            .filter(|r| !r.is_empty()),
    };
    seen.0.insert(id.to_owned(), line);
    Ok(Row {
        line,
        old_id: id.to_owned(),
        received,
        due,
        closed,
        state,
        channel,
        service,
        category_key,
        department,
        department_name: name_of(layout.department_name),
        district,
        district_name: name_of(layout.district_name),
        neighborhood: text(&layout.neighborhood, m.neighborhood.as_ref(), MAX_NAME),
        address,
        description: text(&layout.description, m.description.as_ref(), MAX_DESCRIPTION),
        response,
    })
}

/// At most `max` characters; a longer text ends in "…".
fn clip(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING: &str = r#"
source = "t"
time_zone = "UTC"
date_formats = ["%Y-%m-%d %H:%M"]
[old_id]
column = "id"
[received]
column = "opened"
[due]
column = "due"
[closed]
column = "closed"
tolerance_hours = 24
[status]
column = "status"
values = { open = "open", done = "closed", gone = { status = "cancelled", outcome = "outside-jurisdiction" } }
[channel]
column = "via"
values = { tel = "phone" }
[service]
column = "type"
values = { Hole = "pothole" }
category = "urban-services"
[department]
column = "dept"
[district]
column = "zone"
if_empty = "none"
[address]
column = "street"
[location]
latitude = "lat"
longitude = "long"
"#;

    const HEADER: [&str; 12] = [
        "id", "opened", "due", "closed", "status", "via", "type", "dept", "zone", "street", "lat",
        "long",
    ];

    fn check(cells: [&str; 12], seen: &mut SeenIds) -> Result<Row, Refused> {
        let m = Mapping::parse(MAPPING, "t").unwrap();
        let layout = Layout::new(&m, HEADER.iter().map(|h| (*h).to_owned()).collect()).unwrap();
        check_row(&m, &layout, 7, &cells, seen)
    }

    const GOOD: [&str; 12] = [
        "A1",
        "2024-05-02 10:00",
        "2024-05-05 10:00",
        "2024-05-03 09:00",
        "Done",
        "TEL",
        "hole",
        "Roads",
        "",
        "",
        "35.7",
        "51.4",
    ];

    fn with(i: usize, v: &'static str) -> [&'static str; 12] {
        let mut c = GOOD;
        c[i] = v;
        c
    }

    #[test]
    fn a_good_row_reads_as_the_mapping_says() {
        let mut seen = SeenIds::default();
        let r = check(GOOD, &mut seen).unwrap();
        assert_eq!(r.old_id, "A1");
        assert_eq!(
            r.state,
            State::Closed(crate::domain::case::Outcome::WorkDone)
        );
        assert_eq!(r.channel, Channel::Phone);
        assert_eq!(r.service, Entry::Catalog("pothole".into()));
        assert_eq!(r.department, Entry::New("Roads".into()));
        assert_eq!(r.district, Entry::New("none".into()));
        assert_eq!(r.address, "35.7, 51.4", "no address: the location");
        assert_eq!(r.closed.unwrap().to_rfc3339(), "2024-05-03T09:00:00+00:00");
        // The same id again is refused, naming the first line.
        let e = check(GOOD, &mut seen).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 7, column id: old id \"A1\" is on line 7 too: an id names one case; remove the repeated row"
        );
        let gone = check(with(4, "gone"), &mut SeenIds::default()).unwrap();
        assert_eq!(
            gone.state,
            State::Cancelled(crate::domain::case::Outcome::OutsideJurisdiction)
        );
        let open = check(with(4, "open"), &mut SeenIds::default()).unwrap();
        assert_eq!(
            (open.state, open.closed),
            (State::Open, None),
            "its closed time is not used"
        );
    }

    #[test]
    fn a_closing_a_little_early_is_read_as_at_once_and_more_is_refused() {
        let r = check(with(3, "2024-05-01 12:00"), &mut SeenIds::default()).unwrap();
        assert_eq!(r.closed, Some(r.received), "22 hours early: within 24");
        let e = check(with(3, "2024-05-01 09:00"), &mut SeenIds::default()).unwrap_err();
        assert_eq!(e.problem.reason(), "closed-before-received");
        assert_eq!(e.column.as_deref(), Some("closed"));
    }

    #[test]
    fn wrong_rows_name_their_column_and_what_was_wrong() {
        let reason = |cells| {
            let e = check(cells, &mut SeenIds::default()).unwrap_err();
            (e.column.unwrap_or_default(), e.problem.reason())
        };
        assert_eq!(reason(with(0, " ")), ("id".into(), "empty"));
        assert_eq!(reason(with(1, "")), ("opened".into(), "empty"));
        assert_eq!(
            reason(with(1, "2024-13-01 10:00")),
            ("opened".into(), "bad-time")
        );
        assert_eq!(
            reason(with(2, "2024-05-01 10:00")),
            ("due".into(), "due-before-received")
        );
        assert_eq!(
            reason(with(3, "")),
            ("closed".into(), "closed-without-time")
        );
        assert_eq!(reason(with(4, "lost")), ("status".into(), "unknown-value"));
        assert_eq!(reason(with(5, "pigeon")), ("via".into(), "unknown-value"));
        assert_eq!(reason(with(6, "")), ("type".into(), "empty"));
        let short = check_row(
            &Mapping::parse(MAPPING, "t").unwrap(),
            &Layout::new(
                &Mapping::parse(MAPPING, "t").unwrap(),
                HEADER.iter().map(|h| (*h).to_owned()).collect(),
            )
            .unwrap(),
            9,
            &GOOD[..11],
            &mut SeenIds::default(),
        )
        .unwrap_err();
        assert_eq!(
            short.to_string(),
            "line 9: has 11 fields but the header has 12: check this line's quotes and commas"
        );
    }
}
