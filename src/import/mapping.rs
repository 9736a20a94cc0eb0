//! How an old system's CSV export maps onto citydesk's cases: a TOML file
//! (the format: `assets/mappings/README.md`), parsed and checked here into a
//! `Mapping` that reads one row's cells. Pure: no IO. The mappings shipped
//! for real exports are embedded by name.
//!
//! Cells are read as the export wrote them: values are looked up in the
//! mapping's tables ignoring letter case and surrounding spaces; times are
//! the old system's wall-clock times in its IANA zone, parsed with the
//! mapping's formats (strftime), and stored in UTC.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::Deserialize;

use crate::domain::case::{Category, Channel, Outcome};
use crate::domain::shift::{Center, Zone};

/// The mappings that ship with citydesk, by name, for the real exports in
/// `shared/data/real/records/` (see each file's comments).
pub const SHIPPED: [(&str, &str); 4] = [
    ("boston", include_str!("../../assets/mappings/boston.toml")),
    ("nyc", include_str!("../../assets/mappings/nyc.toml")),
    ("sf", include_str!("../../assets/mappings/sf.toml")),
    ("la", include_str!("../../assets/mappings/la.toml")),
];

/// The caller's phone on every imported case: exports carry none, and seven
/// zeros pass the phone check. The name is the mapping's `citizen_name`.
pub const PLACEHOLDER_PHONE: &str = "0000000";

/// A mapping that cannot be used (words, with what to fix: `present`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MappingError {
    /// The shipped name or the file's path.
    pub origin: String,
    #[serde(flatten)]
    pub problem: MappingProblem,
}

impl std::error::Error for MappingError {}

/// What is wrong with a mapping. `table`: the mapping's table (`status`,
/// `service` …); `old`: a value of the old system as the mapping lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum MappingProblem {
    /// Not TOML of a mapping's shape: the TOML reader's own words.
    Toml {
        message: String,
    },
    Source {
        value: String,
    },
    TimeZone {
        value: String,
    },
    NoDateFormat {
        table: String,
    },
    DateFormat {
        table: String,
        format: String,
    },
    CitizenName {
        value: String,
        max: usize,
    },
    /// Some statuses mean finished, and no closed time is mapped.
    FinishedWithoutClosed,
    Category {
        table: String,
        code: String,
        accepted: Vec<String>,
    },
    /// A text table without a column.
    NoTextColumn {
        table: String,
    },
    /// A `[status] values` entry that is not a status.
    Status {
        old: String,
        target: String,
        why: StatusWhy,
    },
    Outcome {
        old: String,
        outcome: String,
        accepted: Vec<String>,
    },
    /// The same old value twice in a table's values.
    Twice {
        table: String,
        old: String,
    },
    NoStatusValues,
    /// `old`: None for the table's default.
    Channel {
        old: Option<String>,
        code: String,
        accepted: Vec<String>,
    },
    NoChannel,
    /// A code table with neither a column nor a value for every row.
    NoColumn {
        table: String,
    },
    /// A value naming a code the store's catalog does not have.
    NotInCatalog {
        table: String,
        code: String,
    },
}

/// Why a `[status] values` entry is not a status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum StatusWhy {
    NotAKey { key: String },
    NoStatus,
    NotText,
    OpenWithOutcome,
    OutcomeMismatch { outcome: String },
    Unknown { status: String },
}

/// Where an old system's row ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Still open: referred to its department, waiting for its answer.
    Open,
    /// Finished, with this outcome (default `work-done`).
    Closed(Outcome),
    /// Cancelled, with this outcome (default `withdrawn`).
    Cancelled(Outcome),
}

/// A time column and the formats its cells are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeColumn {
    pub column: String,
    pub formats: Vec<String>,
}

/// The status column and what each of its values means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusColumn {
    pub column: String,
    /// Lower-cased old value → state.
    pub values: HashMap<String, State>,
    /// The old values as the mapping lists them, for messages.
    pub listed: Vec<String>,
}

/// The channel column, its values, and the channel of empty or unlisted cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelColumn {
    pub column: Option<String>,
    pub values: HashMap<String, Channel>,
    pub listed: Vec<String>,
    pub default: Option<Channel>,
}

/// A column whose values are catalog entries (service, department,
/// district): listed values name an entry of the catalog; the others become
/// entries of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeColumn {
    pub column: Option<String>,
    /// Lower-cased old value → catalog code.
    pub values: HashMap<String, String>,
    /// The old value an empty cell stands for.
    pub if_empty: Option<String>,
    /// Lower-cased old value → the name of the entry it becomes.
    pub names: HashMap<String, String>,
    /// A column that names the entry (the most common name wins).
    pub name_column: Option<String>,
}

/// How new services get their category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Categories {
    pub default: Category,
    /// The column whose values `values` keys on (default: the service column).
    pub column: Option<String>,
    pub values: HashMap<String, Category>,
}

/// Text taken from cells: the first non-empty of `columns`, or with `join`,
/// all the non-empty ones joined by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextColumns {
    pub columns: Vec<String>,
    pub join: Option<String>,
}

/// A checked mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// Which old system: kept on every imported case's timeline; an id is
    /// imported at most once per source.
    pub source: String,
    /// Where the mapping came from, for messages.
    pub origin: String,
    /// What export it is for (the file's `about`).
    pub about: String,
    /// The old system's clock.
    pub clock: Center,
    pub citizen_name: String,
    pub old_id: String,
    pub received: TimeColumn,
    pub due: Option<TimeColumn>,
    pub closed: Option<TimeColumn>,
    /// A closed time at most this long before the received time is read as
    /// the received time; earlier, the row is refused.
    pub closed_tolerance: Duration,
    pub status: Option<StatusColumn>,
    pub channel: ChannelColumn,
    pub service: CodeColumn,
    pub categories: Categories,
    pub department: CodeColumn,
    pub district: CodeColumn,
    pub neighborhood: Option<TextColumns>,
    pub address: Option<TextColumns>,
    pub description: Option<TextColumns>,
    pub response: Option<TextColumns>,
    /// Latitude and longitude columns: written as the address when it is empty.
    pub location: Option<(String, String)>,
}

// ---------------------------------------------------------------------------
// The file as written

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    source: String,
    #[serde(default)]
    about: String,
    time_zone: String,
    date_formats: Vec<String>,
    #[serde(default = "placeholder_name")]
    citizen_name: String,
    old_id: IdSpec,
    received: TimeSpec,
    due: Option<TimeSpec>,
    closed: Option<ClosedSpec>,
    status: Option<StatusSpec>,
    channel: ChannelSpec,
    service: ServiceSpec,
    department: CodeSpec,
    district: CodeSpec,
    neighborhood: Option<TextSpec>,
    address: Option<TextSpec>,
    description: Option<TextSpec>,
    response: Option<TextSpec>,
    location: Option<LocationSpec>,
}

fn placeholder_name() -> String {
    "(imported)".to_owned()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdSpec {
    column: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeSpec {
    column: String,
    #[serde(default)]
    formats: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClosedSpec {
    column: String,
    #[serde(default)]
    formats: Vec<String>,
    #[serde(default)]
    tolerance_hours: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusSpec {
    column: String,
    values: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChannelSpec {
    column: Option<String>,
    #[serde(default)]
    values: BTreeMap<String, String>,
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceSpec {
    column: String,
    #[serde(default)]
    values: BTreeMap<String, String>,
    if_empty: Option<String>,
    category: String,
    category_column: Option<String>,
    #[serde(default)]
    categories: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeSpec {
    column: Option<String>,
    #[serde(default)]
    values: BTreeMap<String, String>,
    if_empty: Option<String>,
    #[serde(default)]
    names: BTreeMap<String, String>,
    name_column: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TextSpec {
    column: Option<String>,
    #[serde(default)]
    columns: Vec<String>,
    join: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LocationSpec {
    latitude: String,
    longitude: String,
}

/// The key a value is looked up by: trimmed, lower-case.
pub fn key(value: &str) -> String {
    value.trim().to_lowercase()
}

impl Mapping {
    /// A shipped mapping by name.
    pub fn shipped(name: &str) -> Option<Mapping> {
        SHIPPED.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            Mapping::parse(text, &format!("{n} (shipped)"))
                .expect("shipped mappings are valid (tested)")
        })
    }

    /// The names of the shipped mappings.
    pub fn shipped_names() -> Vec<&'static str> {
        SHIPPED.iter().map(|(n, _)| *n).collect()
    }

    /// Parses and checks a mapping's TOML; `origin` names it in messages.
    pub fn parse(text: &str, origin: &str) -> Result<Mapping, MappingError> {
        let err = |problem: MappingProblem| MappingError {
            origin: origin.to_owned(),
            problem,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            err(MappingProblem::Toml {
                message: e.to_string().trim_end().to_owned(),
            })
        })?;
        let source = file.source.trim().to_owned();
        if source.is_empty()
            || !source
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(err(MappingProblem::Source { value: file.source }));
        }
        let zone = file.time_zone.parse::<chrono_tz::Tz>().map_err(|_| {
            err(MappingProblem::TimeZone {
                value: file.time_zone.clone(),
            })
        })?;
        let formats = |table: &str, own: Vec<String>| -> Result<Vec<String>, MappingError> {
            let list = if own.is_empty() {
                file.date_formats.clone()
            } else {
                own
            };
            if list.is_empty() {
                return Err(err(MappingProblem::NoDateFormat {
                    table: table.to_owned(),
                }));
            }
            for f in &list {
                if f.trim().is_empty() || StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
                    return Err(err(MappingProblem::DateFormat {
                        table: table.to_owned(),
                        format: f.clone(),
                    }));
                }
            }
            Ok(list)
        };
        let citizen_name = file.citizen_name.trim().to_owned();
        if citizen_name.is_empty() || citizen_name.chars().count() > crate::domain::intake::MAX_NAME
        {
            return Err(err(MappingProblem::CitizenName {
                value: file.citizen_name,
                max: crate::domain::intake::MAX_NAME,
            }));
        }
        let received = TimeColumn {
            column: file.received.column,
            formats: formats("received", file.received.formats)?,
        };
        let due = match file.due {
            Some(d) => Some(TimeColumn {
                column: d.column,
                formats: formats("due", d.formats)?,
            }),
            None => None,
        };
        let (closed, closed_tolerance) = match file.closed {
            Some(c) => (
                Some(TimeColumn {
                    column: c.column,
                    formats: formats("closed", c.formats)?,
                }),
                Duration::hours(i64::from(c.tolerance_hours)),
            ),
            None => (None, Duration::zero()),
        };
        let status = match file.status {
            Some(s) => Some(status_column(s).map_err(err)?),
            None => None,
        };
        if closed.is_none()
            && let Some(s) = &status
            && s.values.values().any(|v| *v != State::Open)
        {
            return Err(err(MappingProblem::FinishedWithoutClosed));
        }
        let channel = channel_column(file.channel).map_err(err)?;
        let category = |table: &str, code: &str| {
            Category::parse(code).map_err(|e| {
                err(MappingProblem::Category {
                    table: table.to_owned(),
                    code: code.to_owned(),
                    accepted: e.accepted.iter().map(ToString::to_string).collect(),
                })
            })
        };
        let mut categories = HashMap::new();
        for (old, code) in &file.service.categories {
            categories.insert(key(old), category("service", code)?);
        }
        let categories = Categories {
            default: category("service", &file.service.category)?,
            column: file.service.category_column,
            values: categories,
        };
        let service = code_column(
            "service",
            Some(file.service.column),
            file.service.values,
            file.service.if_empty,
            BTreeMap::new(),
            None,
        )
        .map_err(err)?;
        let department = code_column(
            "department",
            file.department.column,
            file.department.values,
            file.department.if_empty,
            file.department.names,
            file.department.name_column,
        )
        .map_err(err)?;
        let district = code_column(
            "district",
            file.district.column,
            file.district.values,
            file.district.if_empty,
            file.district.names,
            file.district.name_column,
        )
        .map_err(err)?;
        let text =
            |table: &str, spec: Option<TextSpec>| -> Result<Option<TextColumns>, MappingError> {
                let Some(spec) = spec else { return Ok(None) };
                let mut columns: Vec<String> = spec.column.into_iter().collect();
                columns.extend(spec.columns);
                if columns.is_empty() {
                    return Err(err(MappingProblem::NoTextColumn {
                        table: table.to_owned(),
                    }));
                }
                Ok(Some(TextColumns {
                    columns,
                    join: spec.join,
                }))
            };
        Ok(Mapping {
            source,
            origin: origin.to_owned(),
            about: file.about.trim().to_owned(),
            clock: Center {
                zone: Zone::Named(zone),
                ..Center::default()
            },
            citizen_name,
            old_id: file.old_id.column,
            received,
            due,
            closed,
            closed_tolerance,
            status,
            channel,
            service,
            categories,
            department,
            district,
            neighborhood: text("neighborhood", file.neighborhood)?,
            address: text("address", file.address)?,
            description: text("description", file.description)?,
            response: text("response", file.response)?,
            location: file.location.map(|l| (l.latitude, l.longitude)),
        })
    }

    /// Every column the mapping reads, with the table that names it.
    pub fn columns(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("old_id", self.old_id.as_str()),
            ("received", self.received.column.as_str()),
        ];
        if let Some(d) = &self.due {
            out.push(("due", &d.column));
        }
        if let Some(c) = &self.closed {
            out.push(("closed", &c.column));
        }
        if let Some(s) = &self.status {
            out.push(("status", &s.column));
        }
        if let Some(c) = &self.channel.column {
            out.push(("channel", c));
        }
        for (table, c) in [
            ("service", &self.service),
            ("department", &self.department),
            ("district", &self.district),
        ] {
            out.extend(c.column.as_deref().map(|col| (table, col)));
            out.extend(c.name_column.as_deref().map(|col| (table, col)));
        }
        if let Some(c) = &self.categories.column {
            out.push(("service", c));
        }
        for (table, t) in [
            ("neighborhood", &self.neighborhood),
            ("address", &self.address),
            ("description", &self.description),
            ("response", &self.response),
        ] {
            if let Some(t) = t {
                out.extend(t.columns.iter().map(|c| (table, c.as_str())));
            }
        }
        if let Some((lat, long)) = &self.location {
            out.push(("location", lat));
            out.push(("location", long));
        }
        out
    }

    /// Reads a time cell: the first of `col.formats` that parses it, as a
    /// wall-clock time of the old system (a format with an offset, %z or
    /// %:z, carries its own). A time the clocks skipped moves past the gap;
    /// one they repeated is the earlier.
    pub fn time(&self, col: &TimeColumn, cell: &str) -> Option<DateTime<Utc>> {
        let cell = cell.trim();
        for f in &col.formats {
            if f.contains("%z") || f.contains("%:z") || f.contains("%#z") {
                if let Ok(t) = DateTime::parse_from_str(cell, f) {
                    return Some(t.with_timezone(&Utc));
                }
                continue;
            }
            let local = NaiveDateTime::parse_from_str(cell, f).ok().or_else(|| {
                NaiveDate::parse_from_str(cell, f)
                    .ok()
                    .map(|d| d.and_time(NaiveTime::MIN))
            });
            if let Some(local) = local {
                return Some(self.clock.instant(local));
            }
        }
        None
    }

    /// What a status cell means, if the mapping lists it.
    pub fn state(&self, cell: &str) -> Option<State> {
        self.status.as_ref()?.values.get(&key(cell)).copied()
    }
}

/// A time written with a format, for messages ("e.g. 04/30/2015 09:50:05 AM").
pub fn example(format: &str) -> Option<String> {
    let t = DateTime::from_timestamp(1_430_387_405, 0)?; // 2015-04-30 09:50:05 UTC
    let mut out = String::new();
    write!(out, "{}", t.format(format)).ok()?;
    Some(out)
}

fn status_column(spec: StatusSpec) -> Result<StatusColumn, MappingProblem> {
    let mut values = HashMap::new();
    let mut listed = Vec::new();
    for (old, target) in spec.values {
        let bad = |why: StatusWhy| MappingProblem::Status {
            old: old.clone(),
            target: target.to_string(),
            why,
        };
        let (status, outcome) = match &target {
            toml::Value::String(s) => (s.clone(), None),
            toml::Value::Table(t) => {
                if let Some(extra) = t.keys().find(|k| *k != "status" && *k != "outcome") {
                    return Err(bad(StatusWhy::NotAKey { key: extra.clone() }));
                }
                let get = |k: &str| t.get(k).and_then(toml::Value::as_str).map(str::to_owned);
                let Some(s) = get("status") else {
                    return Err(bad(StatusWhy::NoStatus));
                };
                (s, get("outcome"))
            }
            _ => return Err(bad(StatusWhy::NotText)),
        };
        let outcome = match outcome {
            Some(o) => Some(Outcome::parse(&o).map_err(|e| MappingProblem::Outcome {
                old: old.clone(),
                outcome: o.clone(),
                accepted: e.accepted.iter().map(ToString::to_string).collect(),
            })?),
            None => None,
        };
        let cancel_outcomes = [Outcome::Withdrawn, Outcome::OutsideJurisdiction];
        let state = match (status.trim().to_lowercase().as_str(), outcome) {
            ("open", None) => State::Open,
            ("open", Some(_)) => return Err(bad(StatusWhy::OpenWithOutcome)),
            ("closed", None) => State::Closed(Outcome::WorkDone),
            ("closed", Some(o)) if !cancel_outcomes.contains(&o) && o != Outcome::Duplicate => {
                State::Closed(o)
            }
            ("cancelled", None) => State::Cancelled(Outcome::Withdrawn),
            ("cancelled", Some(o)) if cancel_outcomes.contains(&o) => State::Cancelled(o),
            ("closed" | "cancelled", Some(o)) => {
                return Err(bad(StatusWhy::OutcomeMismatch {
                    outcome: o.to_string(),
                }));
            }
            _ => return Err(bad(StatusWhy::Unknown { status })),
        };
        if values.insert(key(&old), state).is_some() {
            return Err(MappingProblem::Twice {
                table: "status".into(),
                old,
            });
        }
        listed.push(old);
    }
    if values.is_empty() {
        return Err(MappingProblem::NoStatusValues);
    }
    Ok(StatusColumn {
        column: spec.column,
        values,
        listed,
    })
}

fn channel_column(spec: ChannelSpec) -> Result<ChannelColumn, MappingProblem> {
    let channel = |old: Option<&String>, code: &str| {
        Channel::parse(code).map_err(|e| MappingProblem::Channel {
            old: old.cloned(),
            code: code.to_owned(),
            accepted: e.accepted.iter().map(ToString::to_string).collect(),
        })
    };
    let mut values = HashMap::new();
    let mut listed = Vec::new();
    for (old, code) in spec.values {
        let c = channel(Some(&old), &code)?;
        if values.insert(key(&old), c).is_some() {
            return Err(MappingProblem::Twice {
                table: "channel".into(),
                old,
            });
        }
        listed.push(old);
    }
    let default = match spec.default {
        Some(d) => Some(channel(None, &d)?),
        None => None,
    };
    if spec.column.is_none() && default.is_none() {
        return Err(MappingProblem::NoChannel);
    }
    Ok(ChannelColumn {
        column: spec.column,
        values,
        listed,
        default,
    })
}

fn code_column(
    table: &str,
    column: Option<String>,
    values: BTreeMap<String, String>,
    if_empty: Option<String>,
    names: BTreeMap<String, String>,
    name_column: Option<String>,
) -> Result<CodeColumn, MappingProblem> {
    if column.is_none() && if_empty.is_none() {
        return Err(MappingProblem::NoColumn {
            table: table.to_owned(),
        });
    }
    let mut map = HashMap::new();
    for (old, code) in values {
        if map.insert(key(&old), code.trim().to_owned()).is_some() {
            return Err(MappingProblem::Twice {
                table: table.to_owned(),
                old,
            });
        }
    }
    Ok(CodeColumn {
        column,
        values: map,
        if_empty: if_empty.filter(|v| !v.trim().is_empty()),
        names: names.into_iter().map(|(k, v)| (key(&k), v)).collect(),
        name_column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
source = "t"
time_zone = "America/New_York"
date_formats = ["%Y-%m-%d %H:%M"]

[old_id]
column = "id"

[received]
column = "opened"

[closed]
column = "closed"

[status]
column = "status"
values = { Open = "open", Closed = "closed" }

[channel]
column = "via"
values = { Phone = "phone" }

[service]
column = "type"
category = "urban-services"

[department]
column = "dept"

[district]
if_empty = "all"
"#;

    #[test]
    fn shipped_mappings_are_valid() {
        for (name, _) in SHIPPED {
            let m = Mapping::shipped(name).unwrap();
            assert_eq!(m.source, name);
        }
    }

    #[test]
    fn boston_times_are_new_york_wall_clock() {
        let m = Mapping::shipped("boston").unwrap();
        let t = m.time(&m.received, "04/30/2015 09:50:05 AM").unwrap();
        assert_eq!(t.to_rfc3339(), "2015-04-30T13:50:05+00:00");
        // Winter time, before the change on 2015-03-08.
        let t = m.time(&m.received, "03/02/2015 08:31:18 AM").unwrap();
        assert_eq!(t.to_rfc3339(), "2015-03-02T13:31:18+00:00");
        assert!(m.time(&m.received, "2015-04-30 09:50").is_none());
        // 02:30 did not happen on 2015-03-08 (clocks went 02:00 → 03:00):
        // it moves past the gap, to 03:00 EDT.
        let t = m.time(&m.received, "03/08/2015 02:30:00 AM").unwrap();
        assert_eq!(t.to_rfc3339(), "2015-03-08T07:00:00+00:00");
        assert_eq!(
            example("%m/%d/%Y %I:%M:%S %p").as_deref(),
            Some("04/30/2015 09:50:05 AM")
        );
    }

    #[test]
    fn bad_mappings_say_what_to_fix() {
        let good = GOOD;
        assert!(Mapping::parse(good, "t").is_ok());
        let cases = [
            (
                "time_zone = \"America/New_York\"",
                "time_zone = \"Boston\"",
                "is not a time zone",
            ),
            (
                "Closed = \"closed\"",
                "Closed = \"shut\"",
                "\"shut\" is not a status",
            ),
            (
                "Phone = \"phone\"",
                "Phone = \"fax\"",
                "\"fax\" is not a channel",
            ),
            (
                "category = \"urban-services\"",
                "category = \"space\"",
                "is not a category",
            ),
            ("source = \"t\"", "source = \"T T\"", "is not a name"),
            ("[old_id]", "[old_ids]", "unknown field"),
            ("[closed]\ncolumn = \"closed\"", "", "there is no [closed]"),
            (
                "Closed = \"closed\"",
                "Closed = { status = \"closed\", outcome = \"withdrawn\" }",
                "does not go with it",
            ),
        ];
        for (from, to, says) in cases {
            let text = good.replace(from, to);
            assert_ne!(text, good, "{from}");
            let e = Mapping::parse(&text, "t").unwrap_err();
            assert!(e.to_string().contains(says), "{to}: {e}");
        }
    }
}
