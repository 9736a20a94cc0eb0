//! What a case is: its fields and the closed sets of values they take. Pure data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::code_enum;
use super::event::Event;
use super::tracking::TrackingCode;

code_enum! {
    /// How the citizen reached the center.
    Channel {
        Phone = "phone",
        Sms = "sms",
        Email = "email",
        Web = "web",
        MobileApp = "app",
        WalkIn = "walk-in",
        CityManager = "manager",
        CityCouncil = "council",
        Letter = "letter",
    }
}

code_enum! {
    /// What kind of message the citizen brought.
    Kind {
        Request = "request",
        Complaint = "complaint",
        Suggestion = "suggestion",
        Criticism = "criticism",
        Appreciation = "appreciation",
    }
}

code_enum! {
    Priority {
        Normal = "normal",
        Urgent = "urgent",
    }
}

code_enum! {
    /// The seven areas of the service catalog.
    Category {
        UrbanServices = "urban-services",
        TechnicalCivil = "technical-civil",
        TransportTraffic = "transport-traffic",
        PublicPlaces = "public-places",
        Beautification = "beautification",
        SocialAffairs = "social-affairs",
        StaffConduct = "staff-conduct",
    }
}

code_enum! {
    /// Where a case stands in the workflow (see `workflow`).
    Status {
        Registered = "registered",
        Referred = "referred",
        Resolved = "resolved",
        FollowUp = "follow-up",
        Closed = "closed",
        Cancelled = "cancelled",
    }
}

impl Status {
    /// Closed and cancelled cases are finished; every other status is open.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Closed | Status::Cancelled)
    }

    /// Waiting for the department: the deadline runs in these states.
    pub fn awaits_department(self) -> bool {
        matches!(self, Status::Registered | Status::Referred)
    }
}

code_enum! {
    /// What the citizen said on the feedback call.
    Feedback {
        Satisfied = "satisfied",
        Dissatisfied = "dissatisfied",
        Unreachable = "unreachable",
    }
}

code_enum! {
    /// Why a case was cancelled.
    CancelReason {
        Duplicate = "duplicate",
        OutsideJurisdiction = "outside-jurisdiction",
        Withdrawn = "withdrawn",
    }
}

code_enum! {
    /// How a finished case ended.
    Outcome {
        Satisfied = "satisfied",
        ClosedByOfficer = "closed-by-officer",
        WorkDone = "work-done",
        NotFeasible = "not-feasible",
        CitizenUnreachable = "citizen-unreachable",
        Acknowledged = "acknowledged",
        Duplicate = "duplicate",
        OutsideJurisdiction = "outside-jurisdiction",
        Withdrawn = "withdrawn",
    }
}

impl From<CancelReason> for Outcome {
    fn from(r: CancelReason) -> Self {
        match r {
            CancelReason::Duplicate => Outcome::Duplicate,
            CancelReason::OutsideJurisdiction => Outcome::OutsideJurisdiction,
            CancelReason::Withdrawn => Outcome::Withdrawn,
        }
    }
}

/// One case, as stored. Text fields are exactly as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub code: TrackingCode,
    pub received_at: DateTime<Utc>,
    pub registered_at: DateTime<Utc>,
    pub registered_by: String,
    pub channel: Channel,
    pub kind: Kind,
    pub service: String,
    pub category: Category,
    pub citizen_name: String,
    pub citizen_phone: String,
    pub district: String,
    pub neighborhood: String,
    pub address: String,
    pub description: String,
    pub priority: Priority,
    pub status: Status,
    /// When the case entered its current status.
    pub status_since: DateTime<Utc>,
    pub department: String,
    pub assignee: Option<String>,
    pub deadline_hours: u32,
    pub due_at: DateTime<Utc>,
    /// From this time on an unanswered case belongs in the special follow-up queue.
    pub escalate_at: DateTime<Utc>,
    pub escalation_level: u32,
    pub response: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub feedback: Option<Feedback>,
    pub feedback_attempts: u32,
    pub outcome: Option<Outcome>,
    pub closed_at: Option<DateTime<Utc>>,
    pub duplicate_of: Option<TrackingCode>,
    /// How many contacts the case has had: the first, and every call attached.
    pub contacts: u32,
    /// A follow-up officer's call-back: until then the case is set aside.
    pub call_back_at: Option<DateTime<Utc>>,
    /// Its id in the system it was imported from, if it was.
    pub old_id: Option<String>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// The due time of a case without a deadline (an old system's request that
/// had none): never reached.
pub fn no_deadline() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_400, 0).expect("9999-12-31 is a time") // 9999-12-31
}

impl Case {
    /// Whether the case has a deadline at all (imported cases may not).
    pub fn has_deadline(&self) -> bool {
        self.deadline_hours > 0
    }

    /// Not yet answered by the department, and past its deadline.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status.awaits_department() && self.due_at < now
    }

    /// In the special follow-up queue: escalated, or overdue past the
    /// threshold; not while set aside until a call-back.
    pub fn in_follow_up(&self, now: DateTime<Utc>) -> bool {
        if self.call_back_at.is_some_and(|t| t > now) {
            return false;
        }
        self.status == Status::FollowUp
            || (self.status.awaits_department() && self.escalate_at < now)
    }
}

/// One contact about a case: the first call, and every later one attached to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub at: DateTime<Utc>,
    pub channel: Channel,
    pub name: String,
    pub phone: String,
    pub comment: Option<String>,
    pub registered_by: String,
}

/// A case with everything attached to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    #[serde(flatten)]
    pub case: Case,
    pub contacts: Vec<Contact>,
    pub timeline: Vec<Event>,
}
