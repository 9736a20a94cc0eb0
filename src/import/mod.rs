//! `citydesk import csv`: an old system's history from its CSV export, all or
//! nothing. The file is streamed once and every row is checked against the
//! mapping (`mapping`) and turned into a case in the state the row gives
//! before anything is written; a wrong row is refused with its line, its
//! column and what was wrong, and one refused row stops the import unless the
//! caller skips them (they are then written to FILE.refused.csv). Request
//! types, departments and districts that the mapping does not match to the
//! catalog become entries of their own (services marked imported). One
//! transaction then adds those entries and every case
//! (`Store::import_history`), and refuses a file imported before. File IO is
//! here; the rules of one row are `check_row`, pure.
//!
//! An imported case: received and registered when the row was opened, by
//! the importing operator, with one contact (the mapping's placeholder name,
//! phone `0000000`, the row's channel) and one timeline entry (`import`, at
//! the received time, from nothing to its status). An open row is referred to
//! its department and due when the row says (no due time: no deadline); a
//! closed row is closed (and answered) at its closed time with the outcome
//! the mapping gives (`work-done` unless it says otherwise); a cancelled row
//! is cancelled then (`withdrawn` unless it says otherwise).

pub mod mapping;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::domain::case::{Case, Category, Channel, Contact, Kind, Priority, Status, no_deadline};
use crate::domain::catalog::{Catalog, Department, District, Service};
use crate::domain::event::{Event, What};
use crate::domain::intake::{MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAME};
use crate::domain::roles::{self, ActionKind, Actor};
use crate::domain::tracking::TrackingCode;
use crate::store::{CatalogAdditions, ImportCase, Settings, Store, StoreError};
use mapping::{CodeColumn, Mapping, MappingError, PLACEHOLDER_PHONE, State, TextColumns};

/// What to import, and how.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub file: &'a Path,
    pub mapping: &'a Mapping,
    /// Import the good rows and write the refused ones beside the file.
    pub skip_bad: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
}

/// At most this many refused rows are listed in a refusal.
pub const LISTED: usize = 20;

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub file: String,
    /// The mapping's source name.
    pub source: String,
    pub dry_run: bool,
    /// Data rows read (the header not counted).
    pub rows: u64,
    /// Cases written (0 in a dry run).
    pub imported: u64,
    pub refused: u64,
    /// Refused rows by reason (`Problem::reason`).
    pub refused_by_reason: BTreeMap<String, u64>,
    /// Where the refused rows were written (with --skip-bad).
    pub refused_file: Option<String>,
    /// The good rows by the status their case has.
    pub by_status: BTreeMap<String, u64>,
    /// Codes of the catalog entries created (in a dry run: that would be).
    pub new_services: Vec<String>,
    pub new_departments: Vec<String>,
    pub new_districts: Vec<String>,
    pub seconds: f64,
    pub rows_per_second: f64,
}

/// Why a row was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    /// Bytes that are not UTF-8.
    NotUtf8,
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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::NotUtf8 => write!(f, "is not UTF-8 text: save the export as UTF-8"),
            Problem::FieldCount { found, expected } => write!(
                f,
                "has {found} fields but the header has {expected}: check this line's quotes and commas"
            ),
            Problem::Empty { field } => match *field {
                "old_id" => write!(f, "is empty: every row needs its id in the old system"),
                "received" => write!(f, "is empty: every row needs the time it was received"),
                "channel" => write!(
                    f,
                    "is empty: give [channel] default = \"phone\" (or another channel) in the mapping"
                ),
                "status" => write!(
                    f,
                    "is empty: add \"\" to [status] values in the mapping if such rows mean something"
                ),
                other => write!(
                    f,
                    "is empty: give [{other}] if_empty = \"…\" in the mapping for rows without one"
                ),
            },
            Problem::BadTime { value, formats } => {
                let examples: Vec<String> = formats
                    .iter()
                    .map(|fm| match mapping::example(fm) {
                        Some(e) => format!("{fm} (e.g. {e})"),
                        None => fm.clone(),
                    })
                    .collect();
                write!(
                    f,
                    "{value:?} is not a time in the form {}: fix the cell, or add its format to the mapping",
                    examples.join(" or ")
                )
            }
            Problem::UnknownValue {
                field,
                value,
                listed,
            } => write!(
                f,
                "{field} {value:?} is not in the mapping: add it to [{field}] values (it lists {})",
                if listed.is_empty() {
                    "none".to_owned()
                } else {
                    listed.join(", ")
                }
            ),
            Problem::ClosedBeforeReceived {
                closed,
                received,
                tolerance_hours,
            } => {
                write!(f, "closed {closed} is before received {received}")?;
                if *tolerance_hours > 0 {
                    write!(f, " by more than {tolerance_hours} hours")?;
                }
                write!(f, ": fix the dates (or raise [closed] tolerance_hours)")
            }
            Problem::DueBeforeReceived { due, received } => {
                write!(f, "due {due} is before received {received}: fix the dates")
            }
            Problem::ClosedWithoutTime { status } => write!(
                f,
                "status {status:?} means finished, but the closed time is empty: give the closed time"
            ),
            Problem::DuplicateId { id, first_line } => write!(
                f,
                "old id {id:?} is on line {first_line} too: an id names one case; remove the repeated row"
            ),
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

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.problem),
            None => write!(f, "line {}: {}", self.line, self.problem),
        }
    }
}

/// Why an import did nothing.
#[derive(Debug, thiserror::Error, Serialize)]
#[serde(tag = "error", content = "details", rename_all = "kebab-case")]
pub enum ImportError {
    #[error("cannot read {file}: {why}")]
    Read { file: String, why: String },
    #[error("{}", missing_columns(file, origin, missing, header))]
    MissingColumns {
        file: String,
        origin: String,
        /// (the mapping's table, the column it names)
        missing: Vec<(String, String)>,
        header: Vec<String>,
    },
    #[error(transparent)]
    Mapping(MappingError),
    #[error("{}", refused_rows(file, *rows, *refused, listed, refused_file))]
    Refused {
        file: String,
        rows: u64,
        refused: u64,
        /// The first `LISTED` refused rows.
        listed: Vec<Refused>,
        refused_file: String,
    },
    #[error(
        "cannot write the refused rows to {path}: {why}; nothing was imported: make the folder writable, or fix the rows and run without --skip-bad"
    )]
    WriteRefused { path: String, why: String },
    /// The store's refusal (words: `present`).
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

fn missing_columns(
    file: &str,
    origin: &str,
    missing: &[(String, String)],
    header: &[String],
) -> String {
    let names: Vec<String> = missing
        .iter()
        .map(|(table, col)| format!("{col:?} (named in [{table}])"))
        .collect();
    format!(
        "{file} has no column {} that mapping {origin} reads; its columns are: {}. Is this the export the mapping is for? Otherwise fix the mapping",
        names.join(", "),
        header
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn refused_rows(
    file: &str,
    rows: u64,
    refused: u64,
    listed: &[Refused],
    refused_file: &str,
) -> String {
    use fmt::Write as _;
    let mut text =
        format!("nothing was imported: {refused} of the {rows} rows of {file} are wrong:\n");
    for r in listed {
        let _ = writeln!(text, "  {r}");
    }
    if refused > listed.len() as u64 {
        let _ = writeln!(text, "  and {} more", refused - listed.len() as u64);
    }
    let _ = write!(
        text,
        "fix them (or the mapping) and run the import again, or add --skip-bad to import the {} good rows and write the wrong ones to {refused_file}",
        rows - refused
    );
    text
}

/// Where `--skip-bad` writes the refused rows: `FILE.refused.csv` beside it.
pub fn refused_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".refused.csv");
    PathBuf::from(name)
}

// ---------------------------------------------------------------------------
// One row

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

// ---------------------------------------------------------------------------
// The catalog entries of the rows

/// What the rows add to the catalog, and the code each entry of theirs has.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub additions: CatalogAdditions,
    services: HashMap<Entry, (String, u32, Category)>,
    departments: HashMap<Entry, String>,
    districts: HashMap<Entry, String>,
}

/// The value seen most often (the first seen of equals).
#[derive(Default)]
struct Tally(HashMap<String, (u64, usize)>);

impl Tally {
    fn add(&mut self, v: &str) {
        let n = self.0.len();
        self.0.entry(v.to_owned()).or_insert((0, n)).0 += 1;
    }
    fn most(&self) -> Option<&str> {
        self.0
            .iter()
            .max_by_key(|(_, (count, first))| (*count, std::cmp::Reverse(*first)))
            .map(|(v, _)| v.as_str())
    }
}

/// What the rows of one new request type say about it.
struct TypeSeen {
    departments: Tally,
    categories: Tally,
    spans: Vec<i64>,
}

/// `boston` + "Street Light Outages" → `boston-street-light-outages`.
pub fn new_code(source: &str, value: &str) -> String {
    let mut slug = String::new();
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(48).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{source}-x")
    } else {
        format!("{source}-{slug}")
    }
}

/// The code of a new entry: its own (`new_code`) when that is free, or names
/// the catalog's entry of the same code (one an earlier import of the same
/// source made: reused); else with -2, -3… until free.
fn code_for(
    source: &str,
    value: &str,
    in_catalog: impl Fn(&str) -> bool,
    taken: &mut HashSet<String>,
) -> (String, bool) {
    let base = new_code(source, value);
    if !taken.contains(&base) && in_catalog(&base) {
        taken.insert(base.clone());
        return (base, true);
    }
    let mut code = base.clone();
    let mut n = 1;
    while taken.contains(&code) || in_catalog(&code) {
        n += 1;
        code = format!("{base}-{n}");
    }
    taken.insert(code.clone());
    (code, false)
}

/// Deadline of a new service: the median of (due - received) over its rows
/// with a due time, in whole hours (1 to 8760), or 0 (none) without any.
fn median_hours(mut spans: Vec<i64>) -> u32 {
    if spans.is_empty() {
        return 0;
    }
    spans.sort_unstable();
    let n = spans.len();
    let mid = if n % 2 == 1 {
        spans[n / 2] as f64
    } else {
        (spans[n / 2 - 1] + spans[n / 2]) as f64 / 2.0
    };
    ((mid / 3600.0).round() as i64).clamp(1, 24 * 365) as u32
}

/// Plans the catalog entries the good rows need: new departments first
/// (services and districts name them), then services, then districts.
pub fn plan(m: &Mapping, catalog: &Catalog, rows: &[Row]) -> Plan {
    let mut plan = Plan::default();
    // Departments.
    let mut order = Vec::new();
    let mut names: HashMap<String, Tally> = HashMap::new();
    for r in rows {
        if let Entry::New(v) = &r.department {
            let t = names.entry(v.clone()).or_insert_with(|| {
                order.push(v.clone());
                Tally::default()
            });
            if !r.department_name.is_empty() {
                t.add(&r.department_name);
            }
        }
    }
    let mut taken = HashSet::new();
    for v in order {
        let (code, reused) = code_for(
            &m.source,
            &v,
            |c| catalog.department(c).is_some(),
            &mut taken,
        );
        if !reused {
            let name = m
                .department
                .names
                .get(&mapping::key(&v))
                .cloned()
                .or_else(|| names[&v].most().map(str::to_owned))
                .unwrap_or_else(|| v.clone());
            plan.additions.departments.push(Department {
                code: code.clone(),
                name_fa: name.clone(),
                name_en: name,
            });
        }
        plan.departments.insert(Entry::New(v), code);
    }
    let dept = |plan: &Plan, e: &Entry| match e {
        Entry::Catalog(c) => c.clone(),
        e @ Entry::New(_) => plan.departments[e].clone(),
    };
    // Services.
    let mut order = Vec::new();
    let mut seen: HashMap<String, TypeSeen> = HashMap::new();
    for r in rows {
        if let Entry::New(v) = &r.service {
            let s = seen.entry(v.clone()).or_insert_with(|| {
                order.push(v.clone());
                TypeSeen {
                    departments: Tally::default(),
                    categories: Tally::default(),
                    spans: Vec::new(),
                }
            });
            s.departments.add(&dept(&plan, &r.department));
            s.categories.add(&r.category_key);
            if let Some(due) = r.due {
                s.spans.push((due - r.received).num_seconds());
            }
        }
    }
    let mut taken = HashSet::new();
    for v in order {
        let s = seen.remove(&v).expect("seen");
        let (code, reused) = code_for(&m.source, &v, |c| catalog.service(c).is_some(), &mut taken);
        let entry = if reused {
            let existing = catalog.service(&code).expect("reused from the catalog");
            (code, existing.deadline_hours, existing.category)
        } else {
            let category = s
                .categories
                .most()
                .and_then(|k| m.categories.values.get(&mapping::key(k)).copied())
                .unwrap_or(m.categories.default);
            let service = Service {
                code: code.clone(),
                category,
                name_fa: v.clone(),
                name_en: v.clone(),
                department: s.departments.most().unwrap_or_default().to_owned(),
                deadline_hours: median_hours(s.spans),
                keywords: vec![v.clone()],
                imported: true,
                // Kept for the imported cases, not offered for new calls.
                active: false,
            };
            let entry = (code, service.deadline_hours, category);
            plan.additions.services.push(service);
            entry
        };
        plan.services.insert(Entry::New(v), entry);
    }
    for r in rows {
        if let Entry::Catalog(c) = &r.service
            && let Some(s) = catalog.service(c)
        {
            plan.services
                .entry(r.service.clone())
                .or_insert_with(|| (s.code.clone(), s.deadline_hours, s.category));
        }
    }
    // Districts.
    let mut order = Vec::new();
    let mut seen: HashMap<String, (Tally, Tally)> = HashMap::new();
    for r in rows {
        if let Entry::New(v) = &r.district {
            let (offices, names) = seen.entry(v.clone()).or_insert_with(|| {
                order.push(v.clone());
                (Tally::default(), Tally::default())
            });
            offices.add(&dept(&plan, &r.department));
            if !r.district_name.is_empty() {
                names.add(&r.district_name);
            }
        }
    }
    let mut taken = HashSet::new();
    for v in order {
        let (offices, names) = &seen[&v];
        let (code, reused) = code_for(
            &m.source,
            &v,
            |c| catalog.districts.iter().any(|d| d.code == c),
            &mut taken,
        );
        if !reused {
            let name = m
                .district
                .names
                .get(&mapping::key(&v))
                .cloned()
                .or_else(|| names.most().map(str::to_owned))
                .unwrap_or_else(|| v.clone());
            plan.additions.districts.push(District {
                code: code.clone(),
                name_fa: name.clone(),
                name_en: name,
                office: offices.most().unwrap_or_default().to_owned(),
                neighborhoods: Vec::new(),
            });
        }
        plan.districts.insert(Entry::New(v), code);
    }
    plan
}

/// The case a good row becomes, with its one contact and one timeline entry.
pub fn case_of(m: &Mapping, plan: &Plan, settings: &Settings, by: &Actor, row: &Row) -> ImportCase {
    let (service, service_hours, category) = plan.services[&row.service].clone();
    let code = |map: &HashMap<Entry, String>, e: &Entry| match e {
        Entry::Catalog(c) => c.clone(),
        e @ Entry::New(_) => map[e].clone(),
    };
    let (status, outcome) = match row.state {
        State::Open => (Status::Referred, None),
        State::Closed(o) => (Status::Closed, Some(o)),
        State::Cancelled(o) => (Status::Cancelled, Some(o)),
    };
    // The deadline the row's own due time keeps; without one, none.
    let (deadline_hours, due_at, escalate_at) = match row.due {
        Some(due) => {
            let hours = if service_hours > 0 {
                service_hours
            } else {
                median_hours(vec![(due - row.received).num_seconds()])
            };
            let from = due - Duration::hours(i64::from(hours));
            let (due_at, escalate_at) = settings.rules.deadlines(from, hours);
            (hours, due_at, escalate_at)
        }
        None => (0, no_deadline(), no_deadline()),
    };
    let since = row.closed.unwrap_or(row.received);
    let case = Case {
        code: TrackingCode::from_stored(0),
        received_at: row.received,
        registered_at: row.received,
        registered_by: by.name.clone(),
        channel: row.channel,
        kind: Kind::Request,
        service,
        category,
        citizen_name: m.citizen_name.clone(),
        citizen_phone: PLACEHOLDER_PHONE.to_owned(),
        district: code(&plan.districts, &row.district),
        neighborhood: row.neighborhood.clone(),
        address: row.address.clone(),
        description: row.description.clone(),
        priority: Priority::Normal,
        status,
        status_since: since,
        department: code(&plan.departments, &row.department),
        assignee: None,
        deadline_hours,
        due_at,
        escalate_at,
        escalation_level: 0,
        response: row.response.clone(),
        resolved_at: (status == Status::Closed).then_some(since),
        feedback: None,
        feedback_attempts: 0,
        outcome,
        closed_at: row.closed,
        duplicate_of: None,
        contacts: 1,
        call_back_at: None,
        old_id: Some(row.old_id.clone()),
        version: 1,
        updated_at: since,
        updated_by: by.name.clone(),
    };
    let contact = Contact {
        at: row.received,
        channel: row.channel,
        name: m.citizen_name.clone(),
        phone: PLACEHOLDER_PHONE.to_owned(),
        comment: None,
        registered_by: by.name.clone(),
    };
    let event = Event {
        seq: 1,
        at: row.received,
        actor: by.name.clone(),
        shift: settings.center.shift_of(row.received),
        from: None,
        to: Some(status),
        what: What::Import {
            source: m.source.clone(),
            old_id: row.old_id.clone(),
        },
    };
    ImportCase {
        serial: None,
        case,
        contacts: vec![contact],
        timeline: vec![event],
    }
}

/// The codes a mapping's `values` name must be in the store's catalog.
pub fn check_codes(m: &Mapping, catalog: &Catalog) -> Result<(), MappingError> {
    let err = |message: String| MappingError {
        origin: m.origin.clone(),
        message,
    };
    let check = |table: &str, col: &CodeColumn, known: &dyn Fn(&str) -> bool, list: &str| {
        let mut bad: Vec<&String> = col.values.values().filter(|c| !known(c)).collect();
        bad.sort();
        match bad.first() {
            Some(code) => Err(err(format!(
                "[{table}] values name {code:?}, which is not a {table} of the store's catalog: see `citydesk catalog {list}`, or leave the value out to import it as a {table} of its own"
            ))),
            None => Ok(()),
        }
    };
    check(
        "service",
        &m.service,
        &|c| catalog.service(c).is_some(),
        "services",
    )?;
    check(
        "department",
        &m.department,
        &|c| catalog.department(c).is_some(),
        "departments",
    )?;
    check(
        "district",
        &m.district,
        &|c| catalog.districts.iter().any(|d| d.code == c),
        "districts",
    )
}

// ---------------------------------------------------------------------------
// The run

/// Reads, checks and imports `opts.file` as `by`, drawing progress on
/// `progress` (rows read, then cases written).
pub fn run(
    store: &mut dyn Store,
    by: &Actor,
    settings: &Settings,
    opts: &Options,
    progress: &ProgressBar,
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    let m = opts.mapping;
    let file = opts.file.display().to_string();
    roles::check(by, ActionKind::Import).map_err(StoreError::from)?;
    check_codes(m, store.catalog()).map_err(ImportError::Mapping)?;
    let read_error = |e: &dyn fmt::Display| ImportError::Read {
        file: file.clone(),
        why: e.to_string(),
    };
    let size = std::fs::metadata(opts.file)
        .map_err(|e| read_error(&e))?
        .len();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(opts.file)
        .map_err(|e| read_error(&e))?;
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| read_error(&e))?
    {
        return Err(read_error(
            &"the file is empty: an export starts with a header line",
        ));
    }
    let header: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let h = String::from_utf8_lossy(f);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_owned()
        })
        .collect();
    let layout = Layout::new(m, header.clone()).map_err(|missing| ImportError::MissingColumns {
        file: file.clone(),
        origin: m.origin.clone(),
        missing,
        header: header.clone(),
    })?;

    progress.set_length(size.max(1));
    progress.set_message("0 rows");
    progress.set_style(crate::progress::style(
        "reading  [{bar:30}] {percent:>3}%  {msg}  {elapsed}",
    ));
    let mut rows = Vec::new();
    let mut refused: Vec<(Refused, csv::ByteRecord)> = Vec::new();
    let mut seen = SeenIds::default();
    let mut read = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(read_error(&e)),
        }
        read += 1;
        let line = record.position().map_or(0, csv::Position::line);
        let fields: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        let checked = match fields {
            Ok(fields) => check_row(m, &layout, line, &fields, &mut seen),
            Err(_) => Err(Refused {
                line,
                column: None,
                problem: Problem::NotUtf8,
            }),
        };
        match checked {
            Ok(row) => rows.push(row),
            Err(r) => refused.push((r, record.clone())),
        }
        if read.is_multiple_of(1024) {
            progress.set_message(format!("{read} rows"));
            progress.set_position(record.position().map_or(0, csv::Position::byte));
        }
    }
    progress.set_message(format!("{read} rows"));
    progress.set_position(size);

    let refused_file = refused_path(opts.file);
    if !refused.is_empty() && !opts.skip_bad {
        progress.finish_and_clear();
        return Err(ImportError::Refused {
            file,
            rows: read,
            refused: refused.len() as u64,
            listed: refused
                .iter()
                .take(LISTED)
                .map(|(r, _)| r.clone())
                .collect(),
            refused_file: refused_file.display().to_string(),
        });
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.old_id.as_str()).collect();
    if let (count @ 1.., Some(example)) = store.imported_before(&m.source, &ids)? {
        progress.finish_and_clear();
        return Err(StoreError::AlreadyImported {
            source: m.source.clone(),
            count,
            example,
        }
        .into());
    }
    let plan = plan(m, store.catalog(), &rows);
    let cases: Vec<ImportCase> = rows
        .iter()
        .map(|r| case_of(m, &plan, settings, by, r))
        .collect();
    let mut refused_by_reason = BTreeMap::new();
    for (r, _) in &refused {
        *refused_by_reason
            .entry(r.problem.reason().to_owned())
            .or_insert(0) += 1;
    }
    let written_refused = if !refused.is_empty() && !opts.dry_run {
        write_refused(&refused_file, &header, &refused)?;
        Some(refused_file.display().to_string())
    } else {
        None
    };
    let mut by_status = BTreeMap::new();
    for c in &cases {
        *by_status
            .entry(c.case.status.as_str().to_owned())
            .or_insert(0) += 1;
    }
    let imported = if opts.dry_run {
        0
    } else {
        progress.reset();
        progress.set_length(cases.len().max(1) as u64);
        progress.set_style(crate::progress::style(
            "writing  [{bar:30}] {percent:>3}%  {pos}/{len} cases  {elapsed}",
        ));
        store
            .import_history(&m.source, &plan.additions, &cases, &mut |n| {
                progress.set_position(n as u64);
            })?
            .len() as u64
    };
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    Ok(Summary {
        file,
        source: m.source.clone(),
        dry_run: opts.dry_run,
        rows: read,
        imported,
        refused: refused.len() as u64,
        refused_by_reason,
        refused_file: written_refused,
        by_status,
        new_services: plan
            .additions
            .services
            .iter()
            .map(|s| s.code.clone())
            .collect(),
        new_departments: plan
            .additions
            .departments
            .iter()
            .map(|d| d.code.clone())
            .collect(),
        new_districts: plan
            .additions
            .districts
            .iter()
            .map(|d| d.code.clone())
            .collect(),
        seconds,
        rows_per_second: read as f64 / seconds.max(1e-9),
    })
}

/// Writes the refused rows as they were, after the header, each with a
/// `reason` column.
fn write_refused(
    path: &Path,
    header: &[String],
    refused: &[(Refused, csv::ByteRecord)],
) -> Result<(), ImportError> {
    let fail = |e: &dyn fmt::Display| ImportError::WriteRefused {
        path: path.display().to_string(),
        why: e.to_string(),
    };
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| fail(&e))?;
    let mut head: Vec<&str> = header.iter().map(String::as_str).collect();
    head.push("reason");
    w.write_record(&head).map_err(|e| fail(&e))?;
    for (r, record) in refused {
        let mut out = record.clone();
        out.push_field(r.to_string().as_bytes());
        w.write_byte_record(&out).map_err(|e| fail(&e))?;
    }
    w.flush().map_err(|e| fail(&e))
}
