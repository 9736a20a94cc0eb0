//! The catalog entries a file's good rows need, and the case each row
//! becomes. Pure: the store is not touched here.

use std::collections::{HashMap, HashSet};

use chrono::Duration;

use super::mapping::{
    self, CodeColumn, Mapping, MappingError, MappingProblem, PLACEHOLDER_PHONE, State,
};
use super::row::{Entry, Row};
use crate::domain::case::{Case, Category, Contact, Kind, Priority, Status, no_deadline};
use crate::domain::catalog::{Catalog, Department, District, Service};
use crate::domain::event::{Event, What};
use crate::domain::roles::Actor;
use crate::domain::tracking::TrackingCode;
use crate::store::{CatalogAdditions, ImportCase, Settings};

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
                attributes: Vec::new(),
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
    let err = |problem: MappingProblem| MappingError {
        origin: m.origin.clone(),
        problem,
    };
    let check = |table: &str, col: &CodeColumn, known: &dyn Fn(&str) -> bool| {
        let mut bad: Vec<&String> = col.values.values().filter(|c| !known(c)).collect();
        bad.sort();
        match bad.first() {
            Some(code) => Err(err(MappingProblem::NotInCatalog {
                table: table.to_owned(),
                code: (*code).clone(),
            })),
            None => Ok(()),
        }
    };
    check("service", &m.service, &|c| catalog.service(c).is_some())?;
    check("department", &m.department, &|c| {
        catalog.department(c).is_some()
    })?;
    check("district", &m.district, &|c| {
        catalog.districts.iter().any(|d| d.code == c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_codes_are_the_source_and_the_value_in_dashes() {
        assert_eq!(
            new_code("boston", "Street Light Outages"),
            "boston-street-light-outages"
        );
        assert_eq!(new_code("boston", "CHT_"), "boston-cht");
        assert_eq!(
            new_code("boston", "Heat - Excessive  Insufficient"),
            "boston-heat-excessive-insufficient"
        );
        assert_eq!(new_code("nyc", "HEAT/HOT WATER"), "nyc-heat-hot-water");
        assert_eq!(new_code("x", "چاله در خیابان"), "x-چاله-در-خیابان");
        assert_eq!(new_code("x", "***"), "x-x");
        let mut taken = HashSet::new();
        let free = |_: &str| false;
        assert_eq!(code_for("x", "A b", free, &mut taken).0, "x-a-b");
        assert_eq!(code_for("x", "a-B", free, &mut taken).0, "x-a-b-2");
        // One an earlier import made is reused.
        let mut taken = HashSet::new();
        assert_eq!(
            code_for("x", "a b", |c| c == "x-a-b", &mut taken),
            ("x-a-b".to_owned(), true)
        );
    }

    #[test]
    fn a_new_service_takes_the_median_target_in_whole_hours() {
        assert_eq!(median_hours(vec![]), 0, "no due time: no deadline");
        assert_eq!(median_hours(vec![60]), 1, "at least an hour");
        assert_eq!(median_hours(vec![3600, 7200, 360_000]), 2);
        assert_eq!(median_hours(vec![10 * 3600, 20 * 3600]), 15);
        assert_eq!(
            median_hours(vec![i64::from(u32::MAX)]),
            8760,
            "at most a year"
        );
    }
}
