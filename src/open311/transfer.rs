//! `citydesk import open311 FILE` and `citydesk export open311`: service
//! requests in the JSON or XML real GeoReport v2 endpoints return, in and
//! out. The rule of an import: nothing is lost and nothing is guessed. Every
//! record becomes one case (status open → referred, closed → closed; its
//! `service_request_id` its old id; one `Import` event), or is refused with
//! its reason and counted; what has no column is kept in the description's
//! note block (`record`). A record repeated word for word (paged scrapes
//! overlap) is imported once and counted as repeated; a record imported
//! before (its id is a case's old id) is not imported again. Unknown service
//! codes become imported services of their own (inactive, without a
//! deadline), so the counts per service of the store equal the file's.
//! Times without an offset (SF311 wrote some) are read as UTC.
//!
//! An export writes the public records (`record::from_case`): no names,
//! phone numbers or e-mail addresses.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;

use super::Format;
use super::post::district_of_address;
use super::record::{self, Request, join_description};
use super::wire::{self, Document};
use crate::domain::case::{Case, Category, Channel, Contact, Kind, Outcome, Priority, Status};
use crate::domain::catalog::{Catalog, DISTRICT_OFFICE, Service};
use crate::domain::event::{Event, What};
use crate::domain::roles::Actor;
use crate::domain::tracking::TrackingCode;
use crate::store::{ImportCase, Settings, Store, StoreError};

/// The source name import events carry.
pub const SOURCE: &str = "open311";

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Records in the file.
    pub records: usize,
    pub imported: usize,
    /// Records identical to an earlier record of the file (imported once).
    pub repeated: usize,
    /// Records whose id is already a case's old id (an earlier import).
    pub already: usize,
    /// Records not imported, with why: (position in the file from 1, reason).
    pub refused: Vec<(usize, String)>,
    /// Service codes that became imported services.
    pub services_added: Vec<String>,
    /// Imported cases per service code and per GeoReport status.
    pub by_service: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
}

/// Why an import did nothing at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Read(#[from] wire::ReadError),
    #[error(
        "the file is a GeoReport services list ({0} services), not requests: give the requests (GET /requests.json or .xml)"
    )]
    Services(usize),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// A GeoReport time: W3C/RFC 3339, or (without an offset) UTC.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Whether a record's status reads open (Some(true)), closed, or neither.
fn open_status(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "open" => Some(true),
        "closed" => Some(false),
        _ => None,
    }
}

/// A checked record, ready to become a case.
struct Checked {
    request: Request,
    id: String,
    code: String,
    open: bool,
    requested: DateTime<Utc>,
}

fn check(r: &Request) -> Result<Checked, String> {
    let id = r
        .service_request_id
        .clone()
        .ok_or("it has no service_request_id, so nobody could follow it up; it was not imported")?;
    let code = r
        .service_code
        .clone()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty() && !c.starts_with('@'))
        .ok_or_else(|| format!("request {id} has no usable service_code"))?;
    let status = r.status.as_deref().unwrap_or("");
    let open = open_status(status).ok_or_else(|| {
        format!(
            "request {id} has status {status:?}: only open and closed are GeoReport v2 statuses"
        )
    })?;
    let requested = r
        .requested_datetime
        .as_deref()
        .and_then(parse_time)
        .ok_or_else(|| {
            format!(
                "request {id} has requested_datetime {:?}, which is not a time (e.g. 2019-12-29T10:18:38-05:00)",
                r.requested_datetime.as_deref().unwrap_or("")
            )
        })?;
    Ok(Checked {
        request: r.clone(),
        id,
        code,
        open,
        requested,
    })
}

/// Imports the GeoReport requests in `text` as cases registered by `by`.
pub fn import(
    store: &mut dyn Store,
    by: &Actor,
    text: &str,
    default_district: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ImportReport, ImportError> {
    let list = match wire::read(text)? {
        Document::Requests(list) => list,
        Document::Services(n) => return Err(ImportError::Services(n)),
    };
    let mut report = ImportReport {
        records: list.len(),
        ..ImportReport::default()
    };
    let mut first_of: HashMap<String, usize> = HashMap::new();
    let mut checked: Vec<Checked> = Vec::new();
    for (i, r) in list.iter().enumerate() {
        match check(r) {
            Err(why) => report.refused.push((i + 1, why)),
            Ok(c) => match first_of.get(&c.id) {
                Some(&j) if checked[j].request == c.request => report.repeated += 1,
                Some(&j) => report.refused.push((
                    i + 1,
                    format!(
                        "request {} appears again with other fields than record {}: keep one of them",
                        c.id,
                        list.iter().position(|x| *x == checked[j].request).map_or(0, |p| p + 1)
                    ),
                )),
                None => {
                    first_of.insert(c.id.clone(), checked.len());
                    checked.push(c);
                }
            },
        }
    }
    let ids: Vec<String> = checked.iter().map(|c| c.id.clone()).collect();
    let done: HashSet<String> = store.old_ids(&ids)?.into_iter().collect();
    report.already = checked.iter().filter(|c| done.contains(&c.id)).count();
    checked.retain(|c| !done.contains(&c.id));

    // Service codes the catalog lacks become imported services.
    let mut new_services: Vec<Service> = Vec::new();
    for c in &checked {
        if store.catalog().service(&c.code).is_none()
            && !new_services.iter().any(|s| s.code == c.code)
        {
            let name = c
                .request
                .service_name
                .clone()
                .unwrap_or_else(|| c.code.clone());
            new_services.push(Service {
                code: c.code.clone(),
                category: Category::UrbanServices,
                name_fa: name.clone(),
                name_en: name,
                department: DISTRICT_OFFICE.to_owned(),
                deadline_hours: 0,
                keywords: Vec::new(),
                imported: true,
                active: false,
                attributes: Vec::new(),
            });
        }
    }
    if !new_services.is_empty() {
        report.services_added = new_services.iter().map(|s| s.code.clone()).collect();
        store.extend_catalog(&crate::store::CatalogAdditions {
            services: new_services,
            ..Default::default()
        })?;
    }
    let catalog = store.catalog().clone();
    let settings = store.settings().clone();
    let default = match default_district {
        Some(d) => catalog.district(d).unwrap_or(&catalog.districts[0]),
        None => &catalog.districts[0],
    };
    let batch: Vec<ImportCase> = checked
        .iter()
        .map(|c| to_case(c, &catalog, &settings, default, by, now))
        .collect();
    for chunk in batch.chunks(5000) {
        store.import(chunk)?;
    }
    for c in &checked {
        *report.by_service.entry(c.code.clone()).or_default() += 1;
        *report
            .by_status
            .entry(if c.open { "open" } else { "closed" }.to_owned())
            .or_default() += 1;
    }
    report.imported = batch.len();
    Ok(report)
}

fn to_case(
    c: &Checked,
    catalog: &Catalog,
    settings: &Settings,
    default: &crate::domain::catalog::District,
    by: &Actor,
    now: DateTime<Utc>,
) -> ImportCase {
    let r = &c.request;
    let service = catalog
        .service(&c.code)
        .expect("every service code was added to the catalog above");
    let address = r.address.clone().unwrap_or_default().trim().to_owned();
    let (district, neighborhood) =
        district_of_address(catalog, &address).unwrap_or_else(|| (default, String::new()));
    let mut notes: Vec<(String, String)> = Vec::new();
    for (k, v) in r.fields() {
        if record::NOTE_FIELDS.contains(&k)
            && let Some(v) = v
        {
            notes.push((k.to_owned(), v.to_owned()));
        }
    }
    if let Some(name) = &r.service_name
        && *name != service.name_en
    {
        notes.push(("service_name".into(), name.clone()));
    }
    let description = join_description(r.description.as_deref().unwrap_or(""), &notes);
    let requested = c.requested;
    let updated = r
        .updated_datetime
        .as_deref()
        .and_then(parse_time)
        .unwrap_or(requested);
    let expected = r.expected_datetime.as_deref().and_then(parse_time);
    let (mut due_at, mut escalate_at) = settings.rules.deadlines(requested, service.deadline_hours);
    let mut deadline_hours = service.deadline_hours;
    if let Some(e) = expected {
        let hours = ((e - requested).num_minutes() as f64 / 60.0).ceil();
        deadline_hours = hours.clamp(1.0, 8760.0) as u32;
        let (d, x) = settings.rules.deadlines(requested, deadline_hours);
        escalate_at = e + (x - d);
        due_at = e;
    }
    let status = if c.open {
        Status::Referred
    } else {
        Status::Closed
    };
    let case = Case {
        code: TrackingCode::from_stored(0),
        received_at: requested,
        registered_at: now,
        registered_by: by.name.clone(),
        channel: Channel::Web,
        kind: Kind::Request,
        service: service.code.clone(),
        category: service.category,
        citizen_name: String::new(),
        citizen_phone: String::new(),
        district: district.code.clone(),
        neighborhood,
        address,
        description,
        priority: Priority::Normal,
        status,
        status_since: updated,
        department: catalog.default_department(service, district),
        assignee: None,
        deadline_hours,
        due_at,
        escalate_at,
        escalation_level: 0,
        response: r.status_notes.clone(),
        resolved_at: None,
        feedback: None,
        feedback_attempts: 0,
        outcome: (!c.open).then_some(Outcome::ClosedByOfficer),
        closed_at: (!c.open).then_some(updated),
        duplicate_of: None,
        contacts: 1,
        call_back_at: None,
        old_id: Some(c.id.clone()),
        version: 1,
        updated_at: updated,
        updated_by: by.name.clone(),
    };
    ImportCase {
        serial: None,
        contacts: vec![Contact {
            at: requested,
            channel: Channel::Web,
            name: String::new(),
            phone: String::new(),
            comment: Some(format!("imported from Open311 request {}", c.id)),
            registered_by: by.name.clone(),
        }],
        timeline: vec![Event {
            seq: 1,
            at: now,
            actor: by.name.clone(),
            shift: settings.center.shift_of(now),
            from: None,
            to: Some(status),
            what: What::Import {
                source: SOURCE.to_owned(),
                old_id: c.id.clone(),
            },
        }],
        case,
    }
}

/// The public records of the cases received on the days `from..=to` (the
/// center's local days; all cases when open-ended), as a GeoReport document.
pub fn export(
    store: &mut dyn Store,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    format: Format,
) -> Result<(String, usize), StoreError> {
    let center = store.settings().center.clone();
    let start = from.map(|d| center.day_start(d));
    let end = to.and_then(|d| d.succ_opt()).map(|d| center.day_start(d));
    let mut records = Vec::new();
    let mut after = 0;
    loop {
        let batch = store.export(after, 5000)?;
        let Some(final_one) = batch.last() else { break };
        after = final_one.serial.unwrap_or(after);
        for c in &batch {
            let t = c.case.received_at;
            if start.is_some_and(|s| t < s) || end.is_some_and(|e| t >= e) {
                continue;
            }
            records.push(record::from_case(&c.case, store.catalog(), &center));
        }
    }
    let n = records.len();
    Ok((wire::requests(format, &records), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_real_endpoints_write() {
        assert_eq!(
            parse_time("2019-12-29T10:18:38-05:00")
                .unwrap()
                .to_rfc3339(),
            "2019-12-29T15:18:38+00:00"
        );
        assert_eq!(
            parse_time("2012-05-22 23:57:23.97").unwrap().to_rfc3339(),
            "2012-05-22T23:57:23.970+00:00"
        );
        assert!(parse_time("yesterday").is_none());
        assert_eq!(open_status("Open"), Some(true));
        assert_eq!(open_status("submitted"), None);
    }
}
