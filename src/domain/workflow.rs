//! The case state machine, pure: given a case, an action, who acts and when, it
//! returns the changed case and the timeline entry, or a refusal that names the
//! current state and what is allowed from it.
//!
//! ```text
//! registered ─refer─▶ referred ─resolve─▶ resolved ─feedback: satisfied──▶ closed
//!     │                  │  ▲                 │      feedback: unreachable ×N ▶ closed
//!     │                  │  └─refer (level+1)─┤      feedback: dissatisfied ─▶ follow-up
//!     └──── escalate ────┴──────────────────▶ follow-up ─close─▶ closed
//! cancel: from registered, referred, follow-up.   reopen: closed/cancelled ▶ registered
//! note, attach (another contact): any state.      take: any open state.
//! ```

use chrono::{DateTime, Utc};

use super::case::{CancelReason, Case, Contact, Feedback, Kind, Outcome, Status};
use super::catalog::Catalog;
use super::intake::{InvalidInput, MAX_DESCRIPTION, Rules, check_phone, required};
use super::roles::{ActionKind, Actor, Role, allowed_roles, may};
use super::tracking::TrackingCode;

/// An action on an existing case, with what it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Refer {
        department: String,
        assignee: Option<String>,
    },
    Resolve {
        response: String,
    },
    Feedback {
        result: Feedback,
        comment: Option<String>,
    },
    Escalate {
        reason: String,
    },
    Close {
        reason: Option<String>,
    },
    Cancel {
        reason: CancelReason,
        duplicate_of: Option<TrackingCode>,
        comment: Option<String>,
    },
    Reopen {
        reason: String,
    },
    Note {
        text: String,
    },
    Attach {
        contact: Contact,
    },
    Take,
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Refer { .. } => ActionKind::Refer,
            Action::Resolve { .. } => ActionKind::Resolve,
            Action::Feedback { .. } => ActionKind::Feedback,
            Action::Escalate { .. } => ActionKind::Escalate,
            Action::Close { .. } => ActionKind::Close,
            Action::Cancel { .. } => ActionKind::Cancel,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Note { .. } => ActionKind::Note,
            Action::Attach { .. } => ActionKind::Attach,
            Action::Take => ActionKind::Take,
        }
    }
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "cannot {action} case {code}: it is {status}; from {status} you can: {}",
        list(allowed)
    )]
    NotAllowed {
        code: TrackingCode,
        action: ActionKind,
        status: Status,
        allowed: Vec<ActionKind>,
    },
    #[error(
        "cannot {action} case {code} as {}: while it is {status} only {} may do that; ask one of them",
        role.label(),
        roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(" or ")
    )]
    Forbidden {
        code: TrackingCode,
        action: ActionKind,
        status: Status,
        role: Role,
        roles: Vec<Role>,
    },
    #[error("{0}")]
    Invalid(#[from] InvalidInput),
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an accepted action changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The case after the action, its version one higher.
    pub case: Case,
    /// The timeline entry (`action`, `detail`); the store adds seq, time and shift.
    pub action: ActionKind,
    pub detail: String,
    /// A contact to attach, for `Attach`.
    pub contact: Option<Contact>,
}

/// The actions the state machine accepts from `case`'s state (ignoring roles).
pub fn actions_from(case: &Case) -> Vec<ActionKind> {
    use ActionKind as A;
    let mut v = match case.status {
        Status::Registered => vec![A::Refer, A::Escalate, A::Cancel],
        Status::Referred => vec![A::Refer, A::Resolve, A::Escalate, A::Cancel],
        Status::Resolved => vec![A::Feedback, A::Escalate],
        Status::FollowUp => vec![A::Refer, A::Close, A::Cancel],
        Status::Closed | Status::Cancelled => vec![A::Reopen],
    };
    if case.status == Status::Registered && case.kind == Kind::Appreciation {
        v.push(A::Close);
    }
    if case.status.is_open() {
        v.push(A::Take);
    }
    v.extend([A::Note, A::Attach]);
    v
}

/// Applies `action` to `case` for `actor` at `now`.
pub fn apply(
    case: &Case,
    action: &Action,
    actor: &Actor,
    catalog: &Catalog,
    rules: &Rules,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    let kind = action.kind();
    let allowed = actions_from(case);
    if !allowed.contains(&kind) {
        return Err(Refusal::NotAllowed {
            code: case.code,
            action: kind,
            status: case.status,
            allowed,
        });
    }
    if !may(actor.role, kind, Some(case.status)) {
        return Err(Refusal::Forbidden {
            code: case.code,
            action: kind,
            status: case.status,
            role: actor.role,
            roles: allowed_roles(kind, Some(case.status)).to_vec(),
        });
    }
    let mut c = case.clone();
    let mut contact = None;
    let detail = match action {
        Action::Refer {
            department,
            assignee,
        } => {
            let Some(dept) = catalog.department(department) else {
                return Err(InvalidInput::one(
                    "department",
                    format!(
                        "{department:?} is not a department: list them with `citydesk catalog departments`"
                    ),
                )
                .into());
            };
            let mut detail = format!("to {}", dept.code);
            if case.status == Status::FollowUp {
                c.escalation_level += 1;
                (c.due_at, c.escalate_at) = rules.deadlines(now, c.deadline_hours);
                c.response = None;
                c.resolved_at = None;
                c.feedback = None;
                c.feedback_attempts = 0;
                detail = format!(
                    "{detail}, escalation level {}, new deadline {}",
                    c.escalation_level,
                    utc(c.due_at)
                );
            }
            c.department.clone_from(&dept.code);
            // Without a person named, whoever holds the case keeps it.
            if let Some(a) = assignee {
                detail = format!("{detail}, assigned to {a}");
                c.assignee = Some(a.clone());
            }
            detail
        }
        Action::Resolve { response } => {
            text(response, "response")?;
            c.response = Some(response.trim_end().to_owned());
            c.resolved_at = Some(now);
            response.trim_end().to_owned()
        }
        Action::Feedback { result, comment } => {
            c.feedback = Some(*result);
            let mut detail = result.to_string();
            match result {
                Feedback::Satisfied => finish(&mut c, Outcome::Satisfied, now),
                Feedback::Dissatisfied => c.status = Status::FollowUp,
                Feedback::Unreachable => {
                    c.feedback_attempts += 1;
                    detail = format!(
                        "unreachable (attempt {} of {})",
                        c.feedback_attempts, rules.feedback_attempts
                    );
                    if c.feedback_attempts >= rules.feedback_attempts {
                        finish(&mut c, Outcome::CitizenUnreachable, now);
                    }
                }
            }
            with_comment(detail, comment.as_deref())
        }
        Action::Escalate { reason } => {
            text(reason, "reason")?;
            c.status = Status::FollowUp;
            reason.trim_end().to_owned()
        }
        Action::Close { reason } => {
            let outcome = if case.status == Status::FollowUp {
                Outcome::ClosedByOfficer
            } else {
                Outcome::Acknowledged
            };
            finish(&mut c, outcome, now);
            with_comment(outcome.to_string(), reason.as_deref())
        }
        Action::Cancel {
            reason,
            duplicate_of,
            comment,
        } => {
            match (reason, duplicate_of) {
                (CancelReason::Duplicate, None) => {
                    return Err(InvalidInput::one(
                        "duplicate_of",
                        "a duplicate needs the tracking code of the case it repeats",
                    )
                    .into());
                }
                (CancelReason::Duplicate, Some(of)) if *of == case.code => {
                    return Err(InvalidInput::one(
                        "duplicate_of",
                        "a case cannot be a duplicate of itself",
                    )
                    .into());
                }
                (CancelReason::Duplicate, Some(_)) | (_, None) => {}
                (_, Some(_)) => {
                    return Err(InvalidInput::one(
                        "duplicate_of",
                        "only a duplicate names another case",
                    )
                    .into());
                }
            }
            c.duplicate_of = *duplicate_of;
            finish(&mut c, Outcome::from(*reason), now);
            c.status = Status::Cancelled;
            let mut detail = reason.to_string();
            if let Some(of) = duplicate_of {
                detail = format!("{detail} of {of}");
            }
            with_comment(detail, comment.as_deref())
        }
        Action::Reopen { reason } => {
            text(reason, "reason")?;
            c.status = Status::Registered;
            (c.due_at, c.escalate_at) = rules.deadlines(now, c.deadline_hours);
            c.outcome = None;
            c.closed_at = None;
            c.duplicate_of = None;
            c.response = None;
            c.resolved_at = None;
            c.feedback = None;
            c.feedback_attempts = 0;
            reason.trim_end().to_owned()
        }
        Action::Note { text: t } => {
            text(t, "note")?;
            t.trim_end().to_owned()
        }
        Action::Attach { contact: k } => {
            let mut errors = Vec::new();
            check_phone(&mut errors, "phone", &k.phone);
            required(&mut errors, "name", &k.name, super::intake::MAX_NAME);
            if !errors.is_empty() {
                return Err(InvalidInput { errors }.into());
            }
            contact = Some(k.clone());
            with_comment(
                format!("{} {} via {}", k.name.trim(), k.phone.trim(), k.channel),
                k.comment.as_deref(),
            )
        }
        Action::Take => {
            match &case.assignee {
                Some(holder) if *holder == actor.name => {
                    return Err(InvalidInput::one("case", "you already hold this case").into());
                }
                Some(holder) => {
                    return Err(InvalidInput::one(
                        "case",
                        format!(
                            "it is held by {holder}: a supervisor can reassign it with refer --to"
                        ),
                    )
                    .into());
                }
                None => {}
            }
            c.assignee = Some(actor.name.clone());
            format!("taken by {}", actor.name)
        }
    };
    if matches!(action, Action::Refer { .. }) {
        c.status = Status::Referred;
    }
    if matches!(action, Action::Resolve { .. }) {
        c.status = Status::Resolved;
    }
    if c.status != case.status {
        c.status_since = now;
    }
    c.version += 1;
    c.updated_at = now;
    c.updated_by.clone_from(&actor.name);
    Ok(Change {
        case: c,
        action: kind,
        detail,
        contact,
    })
}

/// The timeline detail of a registration.
pub fn registered_detail(case: &Case) -> String {
    format!(
        "{} via {}, to {}, due {}",
        case.service,
        case.channel,
        case.department,
        utc(case.due_at)
    )
}

/// A time in timeline details (stored text, so in UTC, not the center's zone).
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn finish(c: &mut Case, outcome: Outcome, now: DateTime<Utc>) {
    c.status = Status::Closed;
    c.outcome = Some(outcome);
    c.closed_at = Some(now);
}

fn text(value: &str, field: &'static str) -> Result<(), InvalidInput> {
    let mut errors = Vec::new();
    required(&mut errors, field, value, MAX_DESCRIPTION);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InvalidInput { errors })
    }
}

fn with_comment(detail: String, comment: Option<&str>) -> String {
    match comment.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => format!("{detail}: {c}"),
        None => detail,
    }
}
