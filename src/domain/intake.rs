//! Registering a message: checks what the operator typed and builds the new case
//! with its department and deadline from the catalog. Pure.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, Channel, Contact, Kind, Priority, Status};
use super::catalog::Catalog;
use super::roles::Actor;
use super::tracking::TrackingCode;
use crate::text::{PhoneError, is_blank, phone_key};

/// Limits on what one field may hold, in characters.
pub const MAX_NAME: usize = 100;
pub const MAX_ADDRESS: usize = 300;
pub const MAX_DESCRIPTION: usize = 4000;
/// A message received longer ago than this is refused as a likely typo.
pub const MAX_BACKDATE_DAYS: i64 = 365;

/// The workflow settings (from the config file).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rules {
    /// Unanswered feedback calls after which a case closes as "citizen unreachable".
    pub feedback_attempts: u32,
    /// How far past its deadline (as a fraction of the deadline) an unanswered case
    /// enters the special follow-up queue.
    pub follow_up_after: f64,
    /// A deadline this close is "due soon" (the due-soon queue), in hours.
    pub due_soon_hours: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            feedback_attempts: 3,
            follow_up_after: 0.5,
            due_soon_hours: 4,
        }
    }
}

impl Rules {
    /// How close a deadline is "due soon".
    pub fn due_soon(&self) -> Duration {
        Duration::hours(i64::from(self.due_soon_hours))
    }

    /// Deadline and follow-up time for a deadline that starts at `from`.
    pub fn deadlines(
        &self,
        from: DateTime<Utc>,
        deadline_hours: u32,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        if deadline_hours == 0 {
            let never = super::case::no_deadline();
            return (never, never);
        }
        let due = from + Duration::hours(i64::from(deadline_hours));
        let grace = (f64::from(deadline_hours) * 3600.0 * self.follow_up_after).round() as i64;
        (due, due + Duration::seconds(grace))
    }
}

/// A message as typed by the operator (or sent by a script).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    pub phone: String,
    pub name: String,
    pub service: String,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub kind: Option<Kind>,
    pub district: String,
    #[serde(default)]
    pub neighborhood: String,
    pub address: String,
    pub description: String,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub received_at: Option<DateTime<Utc>>,
    /// Set by the console, unique per submission: saving twice registers once.
    #[serde(default)]
    pub request_id: Option<String>,
    /// Refer it at once to this department (a code), in the same step.
    #[serde(default)]
    pub refer_to: Option<String>,
}

/// One field that is not acceptable, and why (words: `present`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    #[serde(flatten)]
    pub problem: Problem,
}

/// What is wrong with a field's value, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum Problem {
    /// Required and empty.
    Empty,
    /// Holds a NUL character (U+0000), which no store keeps (PostgreSQL
    /// refuses it; SQLite would keep it, and then `migrate` would fail).
    Nul,
    /// Longer than the field holds.
    TooLong {
        chars: usize,
        max: usize,
    },
    NotAPhone {
        given: String,
        why: PhoneError,
    },
    UnknownService {
        given: String,
    },
    /// A service the catalog no longer offers.
    RetiredService {
        code: String,
    },
    UnknownDistrict {
        given: String,
        accepted: Vec<String>,
    },
    UnknownDepartment {
        given: String,
    },
    /// Not one of the values offered.
    NotAChoice {
        given: String,
        accepted: Vec<String>,
    },
    /// A contact time in the future.
    InFuture {
        at: DateTime<Utc>,
    },
    /// A contact time further back than `days`.
    TooOld {
        at: DateTime<Utc>,
        days: i64,
    },
    /// Cancelled as a duplicate without the case it repeats.
    DuplicateNeedsCode,
    DuplicateOfItself,
    /// Another case named for a cancellation that is not a duplicate.
    OnlyDuplicateNamesCase,
    /// Taking a case one already holds.
    AlreadyYours,
    /// Taking a case someone else holds.
    HeldBy {
        holder: String,
    },
    /// A call-back date that is not after today.
    NotInFuture {
        on: NaiveDate,
    },
    /// A call-back date more than `days` ahead.
    TooFar {
        on: NaiveDate,
        days: i64,
    },
}

/// Everything wrong with an input, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidInput {
    pub errors: Vec<FieldError>,
}

impl std::error::Error for InvalidInput {}

impl InvalidInput {
    pub fn one(field: &'static str, problem: Problem) -> Self {
        InvalidInput {
            errors: vec![FieldError { field, problem }],
        }
    }

    /// The problem with `field`, if it has one.
    pub fn problem(&self, field: &str) -> Option<&Problem> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| &e.problem)
    }
}

/// A checked case waiting for its tracking code from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    case: Case,
    contact: Contact,
}

impl NewCase {
    /// The case with its code, and the first contact.
    pub fn with_code(mut self, code: TrackingCode) -> (Case, Contact) {
        self.case.code = code;
        (self.case, self.contact)
    }

    pub fn case(&self) -> &Case {
        &self.case
    }
}

/// Checks a text field: required, at most `max` characters.
pub fn required(errors: &mut Vec<FieldError>, field: &'static str, value: &str, max: usize) {
    if is_blank(value) {
        errors.push(FieldError {
            field,
            problem: Problem::Empty,
        });
    } else {
        too_long(errors, field, value, max);
    }
}

/// Checks an optional text field's length (and that it has no NUL).
pub fn too_long(errors: &mut Vec<FieldError>, field: &'static str, value: &str, max: usize) {
    if value.contains('\0') {
        errors.push(FieldError {
            field,
            problem: Problem::Nul,
        });
        return;
    }
    let chars = value.chars().count();
    if chars > max {
        errors.push(FieldError {
            field,
            problem: Problem::TooLong { chars, max },
        });
    }
}

/// Checks a phone number, recording an error for `field`.
pub fn check_phone(errors: &mut Vec<FieldError>, field: &'static str, value: &str) {
    if let Err(why) = phone_key(value) {
        errors.push(FieldError {
            field,
            problem: Problem::NotAPhone {
                given: value.to_owned(),
                why,
            },
        });
    }
}

/// Checks `input` and builds the case it describes, as registered by `actor` at `now`.
pub fn register(
    input: &CaseInput,
    catalog: &Catalog,
    rules: &Rules,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<NewCase, InvalidInput> {
    let mut errors = Vec::new();
    check_phone(&mut errors, "phone", &input.phone);
    required(&mut errors, "name", &input.name, MAX_NAME);
    required(&mut errors, "address", &input.address, MAX_ADDRESS);
    required(
        &mut errors,
        "description",
        &input.description,
        MAX_DESCRIPTION,
    );
    too_long(&mut errors, "neighborhood", &input.neighborhood, MAX_NAME);
    if input
        .request_id
        .as_deref()
        .is_some_and(|r| r.contains('\0'))
    {
        errors.push(FieldError {
            field: "request_id",
            problem: Problem::Nul,
        });
    }
    let mut fail = |field, problem| errors.push(FieldError { field, problem });
    let service = catalog.service(&input.service);
    match service {
        None if is_blank(&input.service) => fail("service", Problem::Empty),
        None => fail(
            "service",
            Problem::UnknownService {
                given: input.service.clone(),
            },
        ),
        Some(s) if !s.active => fail(
            "service",
            Problem::RetiredService {
                code: s.code.clone(),
            },
        ),
        Some(_) => {}
    }
    let district = catalog.district(&input.district);
    match district {
        None if is_blank(&input.district) => fail("district", Problem::Empty),
        None => fail(
            "district",
            Problem::UnknownDistrict {
                given: input.district.clone(),
                accepted: catalog.districts.iter().map(|d| d.code.clone()).collect(),
            },
        ),
        Some(_) => {}
    }
    if let Some(d) = &input.refer_to
        && catalog.department(d).is_none()
    {
        fail(
            "department",
            Problem::UnknownDepartment { given: d.clone() },
        );
    }
    let received_at = input.received_at.unwrap_or(now);
    if received_at > now + Duration::minutes(1) {
        fail("received_at", Problem::InFuture { at: received_at });
    } else if received_at < now - Duration::days(MAX_BACKDATE_DAYS) {
        fail(
            "received_at",
            Problem::TooOld {
                at: received_at,
                days: MAX_BACKDATE_DAYS,
            },
        );
    }
    let (Some(service), Some(district)) = (service, district) else {
        return Err(InvalidInput { errors });
    };
    if !errors.is_empty() {
        return Err(InvalidInput { errors });
    }
    let received_at = received_at.min(now);
    let channel = input.channel.unwrap_or(Channel::Phone);
    let (due_at, escalate_at) = rules.deadlines(received_at, service.deadline_hours);
    let case = Case {
        code: TrackingCode::from_stored(0),
        received_at,
        registered_at: now,
        registered_by: actor.name.clone(),
        channel,
        kind: input.kind.unwrap_or(Kind::Request),
        service: service.code.clone(),
        category: service.category,
        citizen_name: input.name.trim().to_owned(),
        citizen_phone: input.phone.trim().to_owned(),
        district: district.code.clone(),
        neighborhood: input.neighborhood.trim().to_owned(),
        address: input.address.trim().to_owned(),
        description: input.description.trim_end().to_owned(),
        priority: input.priority.unwrap_or(Priority::Normal),
        status: Status::Registered,
        status_since: now,
        department: catalog.default_department(service, district),
        assignee: None,
        deadline_hours: service.deadline_hours,
        due_at,
        escalate_at,
        escalation_level: 0,
        response: None,
        resolved_at: None,
        feedback: None,
        feedback_attempts: 0,
        outcome: None,
        closed_at: None,
        duplicate_of: None,
        contacts: 1,
        call_back_at: None,
        old_id: None,
        version: 1,
        updated_at: now,
        updated_by: actor.name.clone(),
    };
    let contact = Contact {
        at: received_at,
        channel,
        name: case.citizen_name.clone(),
        phone: case.citizen_phone.clone(),
        comment: None,
        registered_by: actor.name.clone(),
    };
    Ok(NewCase { case, contact })
}
