//! The timeline as data: one `Event` per change of a case, typed, never prose.
//! Words come only when an event is shown (`present`), so a Persian console, a
//! report and an export can all read every year of history the same way.
//! Stored as columns plus a versioned JSON payload of the event's own fields
//! (`Payload`); a payload version this program does not know is refused, not
//! guessed at.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::case::{CancelReason, Channel, Feedback, Outcome, Status};
use super::roles::ActionKind;
use super::shift::Shift;
use super::tracking::TrackingCode;

/// One line of a case's timeline: who did what, when, in which shift. Entry
/// `seq` is the change that made version `seq` of the case. Append-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub shift: Shift,
    pub from: Option<Status>,
    pub to: Option<Status>,
    #[serde(flatten)]
    pub what: What,
}

/// What happened, with the event's own fields. The `action` tag is the same
/// code as `ActionKind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
pub enum What {
    /// The case was registered: its service, how the citizen reached the
    /// center, the department it was meant for and its deadline.
    Register {
        service: String,
        channel: Channel,
        department: String,
        due_at: DateTime<Utc>,
    },
    /// Referred (or re-referred, or reassigned) to a department. A referral
    /// out of special follow-up raises the escalation level and sets a new
    /// deadline.
    Refer {
        department: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        assignee: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        escalation_level: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_at: Option<DateTime<Utc>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// The department's answer.
    Resolve {
        response: String,
    },
    /// The feedback call: its result; for an unanswered call, which attempt
    /// of how many allowed.
    Feedback {
        result: Feedback,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attempt: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attempts_allowed: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// Sent to special follow-up by a person.
    Escalate {
        reason: String,
    },
    /// Closed by a person, with the outcome.
    Close {
        outcome: Outcome,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Cancel {
        reason: CancelReason,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duplicate_of: Option<TrackingCode>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// A finished case started again, with a new deadline.
    Reopen {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_at: Option<DateTime<Utc>>,
    },
    Note {
        text: String,
    },
    /// Another contact about the case: its number among the case's contacts
    /// (the contact itself, with the caller's name and phone, is in the
    /// contacts table, not in the timeline).
    Attach {
        contact: u32,
        channel: Channel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// Claimed by the actor.
    Take,
    /// Brought in from an old system by `citydesk import`, in the state it
    /// had there (its history before is not known).
    Import {
        /// Which system: the mapping's name (e.g. `boston`).
        source: String,
        /// The case's id there.
        old_id: String,
    },
    /// A follow-up officer will call the citizen back on this date: the case
    /// leaves the follow-up queue until then and comes back on that day.
    CallBack {
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
}

impl What {
    pub fn kind(&self) -> ActionKind {
        match self {
            What::Register { .. } => ActionKind::Register,
            What::Refer { .. } => ActionKind::Refer,
            What::Resolve { .. } => ActionKind::Resolve,
            What::Feedback { .. } => ActionKind::Feedback,
            What::Escalate { .. } => ActionKind::Escalate,
            What::Close { .. } => ActionKind::Close,
            What::Cancel { .. } => ActionKind::Cancel,
            What::Reopen { .. } => ActionKind::Reopen,
            What::Note { .. } => ActionKind::Note,
            What::Attach { .. } => ActionKind::Attach,
            What::Take => ActionKind::Take,
            What::CallBack { .. } => ActionKind::CallBack,
            What::Import { .. } => ActionKind::Import,
        }
    }

    /// The code of the event's result, kept in a column of its own so that
    /// reports can count by it: a feedback call's result, a closing's
    /// outcome, a cancellation's reason.
    pub fn result_code(&self) -> Option<&'static str> {
        match self {
            What::Feedback { result, .. } => Some(result.as_str()),
            What::Close { outcome, .. } => Some(outcome.as_str()),
            What::Cancel { reason, .. } => Some(reason.as_str()),
            _ => None,
        }
    }
}

/// The version of the JSON payload this program writes and reads.
pub const PAYLOAD_VERSION: u32 = 1;

/// The stored form of `What`: `{"v": 1, "action": "refer", ...}`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payload {
    pub v: u32,
    #[serde(flatten)]
    pub what: What,
}

/// Why a stored payload could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("timeline payload version {0} is newer than this citydesk understands")]
    Version(u32),
    #[error("timeline payload is not valid: {0}")]
    Invalid(String),
    #[error("timeline payload says {payload} but the entry is a {column}")]
    Mismatch { column: String, payload: String },
}

impl What {
    /// The stored JSON form.
    pub fn to_payload(&self) -> String {
        serde_json::to_string(&Payload {
            v: PAYLOAD_VERSION,
            what: self.clone(),
        })
        .expect("event payloads always serialize")
    }

    /// Reads a stored payload, checking it against the entry's action column.
    pub fn from_payload(action: &str, json: &str) -> Result<What, PayloadError> {
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        let v: Version =
            serde_json::from_str(json).map_err(|e| PayloadError::Invalid(e.to_string()))?;
        if v.v > PAYLOAD_VERSION {
            return Err(PayloadError::Version(v.v));
        }
        let p: Payload =
            serde_json::from_str(json).map_err(|e| PayloadError::Invalid(e.to_string()))?;
        if p.what.kind().as_str() != action {
            return Err(PayloadError::Mismatch {
                column: action.to_owned(),
                payload: p.what.kind().as_str().to_owned(),
            });
        }
        Ok(p.what)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_name_their_version() {
        let w = What::Refer {
            department: "d3".into(),
            assignee: None,
            escalation_level: Some(1),
            due_at: DateTime::from_timestamp(1_800_000_000, 0),
            comment: Some("به: منطقه".into()),
        };
        let json = w.to_payload();
        assert!(
            json.starts_with(r#"{"v":1,"action":"refer","department":"d3""#),
            "{json}"
        );
        assert_eq!(What::from_payload("refer", &json).unwrap(), w);
        assert_eq!(
            What::from_payload("take", r#"{"v":1,"action":"take"}"#).unwrap(),
            What::Take
        );
        assert!(matches!(
            What::from_payload("note", &w.to_payload()),
            Err(PayloadError::Mismatch { .. })
        ));
        assert_eq!(
            What::from_payload("take", r#"{"v":2,"action":"take"}"#),
            Err(PayloadError::Version(2))
        );
        assert!(matches!(
            What::from_payload("note", r#"{"v":1,"action":"note","text":"x","detail":"y"}"#),
            Err(PayloadError::Invalid(_))
        ));
    }
}
