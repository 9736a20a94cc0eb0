//! The handover of one shift to the next, pure: what the outgoing shift did
//! (from its timeline events) and what it hands over (lists of cases the
//! store gives), with the outgoing supervisor's notes and who accepted it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::case::{Case, Category, Channel, Feedback, Status};
use crate::domain::event::{Event, What};
use crate::domain::shift::Shift;
use crate::domain::tracking::TrackingCode;

/// What an event's case is, as far as a handover counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRef {
    pub code: TrackingCode,
    pub channel: Channel,
    pub category: Category,
    pub department: String,
    pub service: String,
}

/// The notes and acceptance of one shift's handover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandoverRecord {
    pub shift: Shift,
    pub notes: String,
    pub noted_by: Option<String>,
    pub noted_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl HandoverRecord {
    pub fn accepted(&self) -> bool {
        self.accepted_by.is_some()
    }
}

/// What one person did in the shift.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Work {
    /// Contacts registered: new cases and calls attached to earlier ones.
    pub contacts: u64,
    pub referred: u64,
    pub resolved: u64,
    pub closed: u64,
    pub cancelled: u64,
    pub feedback_calls: u64,
    pub escalations: u64,
    /// Notes, takes, call-backs, reopenings.
    pub other: u64,
}

/// The prefix of a `by_operator` key that names an old system a case was
/// imported from, not a person (`Words::person` says it).
pub const IMPORTED: &str = "import:";

/// What the shift did, from its events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Activity {
    pub registered: u64,
    pub attached: u64,
    pub contacts_by_channel: BTreeMap<Channel, u64>,
    pub contacts_by_category: BTreeMap<Category, u64>,
    pub feedback: BTreeMap<Feedback, u64>,
    /// The whole shift's work, and each person's.
    pub all: Work,
    pub by_operator: BTreeMap<String, Work>,
}

impl Activity {
    /// Counts the events of a shift.
    pub fn of(events: &[(CaseRef, Event)]) -> Activity {
        let mut a = Activity::default();
        for (case, e) in events {
            let mut w = Work::default();
            // A case brought in from an old system was a contact of the shift
            // it was received in, made there by the old system's people: it
            // counts under the source's name, not the one who ran the import.
            let who = match &e.what {
                What::Import { source, .. } => format!("{IMPORTED}{source}"),
                _ => e.actor.clone(),
            };
            match &e.what {
                What::Import { .. } => {
                    w.contacts = 1;
                    a.registered += 1;
                    *a.contacts_by_channel.entry(case.channel).or_default() += 1;
                    *a.contacts_by_category.entry(case.category).or_default() += 1;
                }
                What::Register { channel, .. } | What::Attach { channel, .. } => {
                    w.contacts = 1;
                    *a.contacts_by_channel.entry(*channel).or_default() += 1;
                    *a.contacts_by_category.entry(case.category).or_default() += 1;
                    if matches!(e.what, What::Register { .. }) {
                        a.registered += 1;
                    } else {
                        a.attached += 1;
                    }
                }
                What::Refer { .. } => w.referred = 1,
                What::Resolve { .. } => w.resolved = 1,
                What::Cancel { .. } => w.cancelled = 1,
                What::Feedback { result, .. } => {
                    w.feedback_calls = 1;
                    *a.feedback.entry(*result).or_default() += 1;
                }
                What::Escalate { .. }
                | What::Close { .. }
                | What::Reopen { .. }
                | What::Note { .. }
                | What::Take
                | What::CallBack { .. } => {}
            }
            // An import's state is where the old system left the case, later
            // than this shift: only its contact counts here.
            let imported = matches!(e.what, What::Import { .. });
            if !imported && e.to == Some(Status::Closed) && e.from != Some(Status::Closed) {
                w.closed = 1;
            }
            if !imported && e.to == Some(Status::FollowUp) && e.from != Some(Status::FollowUp) {
                w.escalations = 1;
            }
            if w == Work::default() {
                w.other = 1;
            }
            a.all.add(&w);
            a.by_operator.entry(who).or_default().add(&w);
        }
        a
    }
}

impl Work {
    fn add(&mut self, o: &Work) {
        self.contacts += o.contacts;
        self.referred += o.referred;
        self.resolved += o.resolved;
        self.closed += o.closed;
        self.cancelled += o.cancelled;
        self.feedback_calls += o.feedback_calls;
        self.escalations += o.escalations;
        self.other += o.other;
    }
}

/// The lists a shift hands over, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListKind {
    /// Past the deadline, not answered, now.
    Overdue,
    /// Due during the next shift.
    DueNextShift,
    Unreferred,
    /// Answered: the feedback call is still to be made.
    FeedbackPending,
    FollowUp,
    /// Open cases held by people who worked the outgoing shift.
    HeldByOutgoing,
}

impl ListKind {
    pub const ALL: [ListKind; 6] = [
        ListKind::Overdue,
        ListKind::DueNextShift,
        ListKind::Unreferred,
        ListKind::FeedbackPending,
        ListKind::FollowUp,
        ListKind::HeldByOutgoing,
    ];

    /// Its locale key (`handover.list.<key>`).
    pub fn key(self) -> &'static str {
        match self {
            ListKind::Overdue => "overdue",
            ListKind::DueNextShift => "due-next",
            ListKind::Unreferred => "unreferred",
            ListKind::FeedbackPending => "feedback",
            ListKind::FollowUp => "follow-up",
            ListKind::HeldByOutgoing => "held",
        }
    }
}

/// One list handed over: how many cases, and the most urgent of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HandedOver {
    pub kind: ListKind,
    pub total: u64,
    pub cases: Vec<Case>,
}

/// A shift's handover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handover {
    pub shift: Shift,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub next: Shift,
    /// When the lists were read: they are the queues at that time. Once the
    /// next shift is over they no longer say what was handed over (past
    /// queues are not kept), and the forms say so.
    pub as_of: DateTime<Utc>,
    /// The end of the next shift.
    pub next_end: DateTime<Utc>,
    pub activity: Activity,
    pub lists: Vec<HandedOver>,
    pub record: Option<HandoverRecord>,
}

impl Handover {
    /// The people who worked the shift (made any change in it).
    pub fn outgoing(events: &[(CaseRef, Event)]) -> Vec<String> {
        let mut names: Vec<String> = events
            .iter()
            .filter(|(_, e)| !matches!(e.what, What::Import { .. }))
            .map(|(_, e)| e.actor.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    pub fn list(&self, kind: ListKind) -> Option<&HandedOver> {
        self.lists.iter().find(|l| l.kind == kind)
    }
}
