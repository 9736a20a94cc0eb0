//! The case state machine, pure: given a case, an action, who acts and when, it
//! returns the changed case and the timeline event (as data), or a refusal
//! that names the current state and what is allowed from it.
//!
//! ```text
//! registered ─refer─▶ referred ─resolve─▶ resolved ─feedback: satisfied──▶ closed
//!     │                  │  ▲                 │      feedback: unreachable ×N ▶ closed
//!     │                  │  └─refer (level+1)─┤      feedback: dissatisfied ─▶ follow-up
//!     └──── escalate ────┴──────────────────▶ follow-up ─close─▶ closed
//! cancel: from registered, referred, follow-up.   reopen: closed/cancelled ▶ registered
//! note, attach (another contact): any state.      take: any open state.
//! close, call back: also on a case long overdue (past the follow-up threshold).
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::Settings;
use super::case::{CancelReason, Case, Contact, Feedback, Kind, Outcome, Status};
use super::catalog::Catalog;
use super::event::What;
use super::intake::{InvalidInput, MAX_DESCRIPTION, Problem, check_phone, required, too_long};
use super::roles::{ActionKind, Actor, Role, allowed_roles, may_act};
use super::tracking::TrackingCode;

/// How far ahead a call-back date may be set.
pub const MAX_CALL_BACK_DAYS: i64 = 90;

/// The outcomes a follow-up officer (or supervisor) may close a case with.
pub const OFFICER_OUTCOMES: [Outcome; 5] = [
    Outcome::WorkDone,
    Outcome::NotFeasible,
    Outcome::OutsideJurisdiction,
    Outcome::Withdrawn,
    Outcome::ClosedByOfficer,
];

/// An action on an existing case, with what it needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Refer {
        department: String,
        assignee: Option<String>,
        comment: Option<String>,
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
    /// Without an outcome: an appreciation is acknowledged, anything else is
    /// closed by the officer (`closed-by-officer`).
    Close {
        outcome: Option<Outcome>,
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
    CallBack {
        on: NaiveDate,
        comment: Option<String>,
    },
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
            Action::CallBack { .. } => ActionKind::CallBack,
        }
    }
}

/// Why an action was refused, as data (words: `present`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "refusal", rename_all = "kebab-case")]
pub enum Refusal {
    /// The case's state does not allow the action; `allowed` lists what it does.
    NotAllowed {
        code: TrackingCode,
        action: ActionKind,
        status: Status,
        allowed: Vec<ActionKind>,
    },
    /// The person's role may not take the action on this case; `roles` may.
    Forbidden {
        code: TrackingCode,
        action: ActionKind,
        status: Status,
        role: Role,
        roles: Vec<Role>,
    },
    /// What was given with the action is not acceptable.
    Invalid(InvalidInput),
}

impl std::error::Error for Refusal {}

impl From<InvalidInput> for Refusal {
    fn from(e: InvalidInput) -> Self {
        Refusal::Invalid(e)
    }
}

/// What an accepted action changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The case after the action, its version one higher.
    pub case: Case,
    /// The timeline event; the store adds seq, time, actor and shift.
    pub what: What,
    /// A contact to attach, for `Attach`.
    pub contact: Option<Contact>,
}

/// The actions the state machine accepts from `case`'s state at `now`
/// (ignoring roles).
pub fn actions_from(case: &Case, now: DateTime<Utc>) -> Vec<ActionKind> {
    use ActionKind as A;
    let mut v = match case.status {
        Status::Registered => vec![A::Refer, A::Escalate, A::Cancel],
        Status::Referred => vec![A::Refer, A::Resolve, A::Escalate, A::Cancel],
        Status::Resolved => vec![A::Feedback, A::Escalate],
        Status::FollowUp => vec![A::Refer, A::Close, A::Cancel, A::CallBack],
        Status::Closed | Status::Cancelled => vec![A::Reopen],
    };
    if case.status == Status::Registered && case.kind == Kind::Appreciation {
        v.push(A::Close);
    } else if case.status.awaits_department() && case.in_follow_up(now) {
        // Long overdue: special follow-up works it without escalating first.
        v.extend([A::Close, A::CallBack]);
    }
    if case.status.is_open() {
        v.push(A::Take);
    }
    v.extend([A::Note, A::Attach]);
    v
}

/// Whether `actor` may take `kind` on `case` at `now`, by its state and then
/// by the actor's role.
pub fn check(
    case: &Case,
    kind: ActionKind,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let allowed = actions_from(case, now);
    if !allowed.contains(&kind) {
        return Err(Refusal::NotAllowed {
            code: case.code,
            action: kind,
            status: case.status,
            allowed,
        });
    }
    if !may_act(actor, kind, case) {
        return Err(Refusal::Forbidden {
            code: case.code,
            action: kind,
            status: case.status,
            role: actor.role,
            roles: allowed_roles(kind, Some(case)).to_vec(),
        });
    }
    // A case someone holds is not taken from them (a supervisor reassigns it).
    if kind == ActionKind::Take
        && let Some(holder) = &case.assignee
    {
        let problem = if *holder == actor.name {
            Problem::AlreadyYours
        } else {
            Problem::HeldBy {
                holder: holder.clone(),
            }
        };
        return Err(InvalidInput::one("case", problem).into());
    }
    Ok(())
}

/// The event of a case's registration.
pub fn registered(case: &Case) -> What {
    What::Register {
        service: case.service.clone(),
        channel: case.channel,
        department: case.department.clone(),
        due_at: case.due_at,
    }
}

/// Applies `action` to `case` for `actor` at `now`.
pub fn apply(
    case: &Case,
    action: &Action,
    actor: &Actor,
    catalog: &Catalog,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Change, Refusal> {
    check(case, action.kind(), actor, now)?;
    let rules = &settings.rules;
    let mut c = case.clone();
    let mut contact = None;
    let what = match action {
        Action::Refer {
            department,
            assignee,
            comment,
        } => {
            let Some(dept) = catalog.department(department) else {
                return Err(InvalidInput::one(
                    "department",
                    Problem::UnknownDepartment {
                        given: department.clone(),
                    },
                )
                .into());
            };
            let comment = optional(comment.as_deref(), "comment")?;
            let mut level = None;
            let mut due = None;
            if case.status == Status::FollowUp {
                c.escalation_level += 1;
                (c.due_at, c.escalate_at) = rules.deadlines(now, c.deadline_hours);
                c.response = None;
                c.resolved_at = None;
                c.feedback = None;
                c.feedback_attempts = 0;
                level = Some(c.escalation_level);
                due = Some(c.due_at);
            }
            c.department.clone_from(&dept.code);
            // Without a person named, whoever holds the case keeps it.
            if let Some(a) = assignee {
                c.assignee = Some(a.clone());
            }
            c.status = Status::Referred;
            What::Refer {
                department: dept.code.clone(),
                assignee: assignee.clone(),
                escalation_level: level,
                due_at: due,
                comment,
            }
        }
        Action::Resolve { response } => {
            let response = text(response, "response")?;
            c.response = Some(response.clone());
            c.resolved_at = Some(now);
            c.status = Status::Resolved;
            What::Resolve { response }
        }
        Action::Feedback { result, comment } => {
            let comment = optional(comment.as_deref(), "comment")?;
            c.feedback = Some(*result);
            let (mut attempt, mut allowed) = (None, None);
            match result {
                Feedback::Satisfied => finish(&mut c, Outcome::Satisfied, now),
                Feedback::Dissatisfied => c.status = Status::FollowUp,
                Feedback::Unreachable => {
                    c.feedback_attempts += 1;
                    attempt = Some(c.feedback_attempts);
                    allowed = Some(rules.feedback_attempts);
                    if c.feedback_attempts >= rules.feedback_attempts {
                        finish(&mut c, Outcome::CitizenUnreachable, now);
                    }
                }
            }
            What::Feedback {
                result: *result,
                attempt,
                attempts_allowed: allowed,
                comment,
            }
        }
        Action::Escalate { reason } => {
            let reason = text(reason, "reason")?;
            c.status = Status::FollowUp;
            What::Escalate { reason }
        }
        Action::Close { outcome, reason } => {
            let appreciation = case.kind == Kind::Appreciation && case.status == Status::Registered;
            let outcome = match outcome {
                None if appreciation => Outcome::Acknowledged,
                None => Outcome::ClosedByOfficer,
                Some(o) if appreciation && *o == Outcome::Acknowledged => *o,
                Some(o) if !appreciation && OFFICER_OUTCOMES.contains(o) => *o,
                Some(o) => {
                    let accepted = if appreciation {
                        vec![Outcome::Acknowledged.as_str().to_owned()]
                    } else {
                        OFFICER_OUTCOMES
                            .iter()
                            .map(|o| o.as_str().to_owned())
                            .collect()
                    };
                    return Err(InvalidInput::one(
                        "outcome",
                        Problem::NotAChoice {
                            given: o.as_str().to_owned(),
                            accepted,
                        },
                    )
                    .into());
                }
            };
            // An officer says why; an appreciation needs no reason.
            let reason = if appreciation {
                optional(reason.as_deref(), "reason")?
            } else {
                Some(text(reason.as_deref().unwrap_or(""), "reason")?)
            };
            finish(&mut c, outcome, now);
            What::Close { outcome, reason }
        }
        Action::Cancel {
            reason,
            duplicate_of,
            comment,
        } => {
            let problem = match (reason, duplicate_of) {
                (CancelReason::Duplicate, None) => Some(Problem::DuplicateNeedsCode),
                (CancelReason::Duplicate, Some(of)) if *of == case.code => {
                    Some(Problem::DuplicateOfItself)
                }
                (CancelReason::Duplicate, Some(_)) | (_, None) => None,
                (_, Some(_)) => Some(Problem::OnlyDuplicateNamesCase),
            };
            if let Some(p) = problem {
                return Err(InvalidInput::one("duplicate_of", p).into());
            }
            let comment = optional(comment.as_deref(), "comment")?;
            c.duplicate_of = *duplicate_of;
            finish(&mut c, Outcome::from(*reason), now);
            c.status = Status::Cancelled;
            What::Cancel {
                reason: *reason,
                duplicate_of: *duplicate_of,
                comment,
            }
        }
        Action::Reopen { reason } => {
            let reason = text(reason, "reason")?;
            c.status = Status::Registered;
            (c.due_at, c.escalate_at) = rules.deadlines(now, c.deadline_hours);
            c.outcome = None;
            c.closed_at = None;
            c.duplicate_of = None;
            c.response = None;
            c.resolved_at = None;
            c.feedback = None;
            c.feedback_attempts = 0;
            What::Reopen {
                reason,
                due_at: Some(c.due_at),
            }
        }
        Action::Note { text: t } => What::Note {
            text: text(t, "note")?,
        },
        Action::Attach { contact: k } => {
            let mut errors = Vec::new();
            check_phone(&mut errors, "phone", &k.phone);
            required(&mut errors, "name", &k.name, super::intake::MAX_NAME);
            if let Some(cm) = &k.comment {
                too_long(&mut errors, "comment", cm, MAX_DESCRIPTION);
            }
            if !errors.is_empty() {
                return Err(InvalidInput { errors }.into());
            }
            contact = Some(k.clone());
            c.contacts += 1;
            What::Attach {
                contact: c.contacts,
                channel: k.channel,
                comment: k
                    .comment
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            }
        }
        Action::Take => {
            c.assignee = Some(actor.name.clone());
            What::Take
        }
        Action::CallBack { on, comment } => {
            let today = settings.center.local(now).date();
            let problem = if *on <= today {
                Some(Problem::NotInFuture { on: *on })
            } else if *on > today + Duration::days(MAX_CALL_BACK_DAYS) {
                Some(Problem::TooFar {
                    on: *on,
                    days: MAX_CALL_BACK_DAYS,
                })
            } else {
                None
            };
            if let Some(p) = problem {
                return Err(InvalidInput::one("on", p).into());
            }
            let comment = optional(comment.as_deref(), "comment")?;
            c.call_back_at = Some(settings.center.day_start(*on));
            // The officer who will call holds the case, unless someone does.
            if c.assignee.is_none() {
                c.assignee = Some(actor.name.clone());
            }
            What::CallBack { on: *on, comment }
        }
    };
    if c.status != case.status {
        c.status_since = now;
    }
    // A call-back waits while nothing but notes, contacts and claims happen.
    if !matches!(
        action,
        Action::Note { .. } | Action::Attach { .. } | Action::Take | Action::CallBack { .. }
    ) {
        c.call_back_at = None;
    }
    c.version += 1;
    c.updated_at = now;
    c.updated_by.clone_from(&actor.name);
    Ok(Change {
        case: c,
        what,
        contact,
    })
}

fn finish(c: &mut Case, outcome: Outcome, now: DateTime<Utc>) {
    c.status = Status::Closed;
    c.outcome = Some(outcome);
    c.closed_at = Some(now);
}

/// A required text: trimmed at the end, at most `MAX_DESCRIPTION` characters.
fn text(value: &str, field: &'static str) -> Result<String, InvalidInput> {
    let mut errors = Vec::new();
    required(&mut errors, field, value, MAX_DESCRIPTION);
    if errors.is_empty() {
        Ok(value.trim_end().to_owned())
    } else {
        Err(InvalidInput { errors })
    }
}

/// An optional text: None when blank, else like `text`.
fn optional(value: Option<&str>, field: &'static str) -> Result<Option<String>, InvalidInput> {
    match value {
        Some(v) if !v.trim().is_empty() => text(v, field).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::intake::{self, CaseInput};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn case(kind: Kind) -> Case {
        let input = CaseInput {
            phone: "09121234567".into(),
            name: "مریم".into(),
            service: "pothole".into(),
            kind: Some(kind),
            district: "3".into(),
            address: "خیابان".into(),
            description: "چاله".into(),
            ..CaseInput::default()
        };
        let by = Actor {
            name: "ali".into(),
            role: Role::Operator,
        };
        let s = Settings::default();
        intake::register(
            &input,
            &Catalog::builtin(),
            &s.rules,
            &by,
            at("2026-11-28T06:00:00Z"),
        )
        .unwrap()
        .with_code(TrackingCode::from_serial(
            crate::domain::tracking::CodeKey::LEGACY,
            1,
        ))
        .0
    }

    #[test]
    fn long_overdue_cases_are_closed_and_called_back_by_officers_only() {
        let c = case(Kind::Request);
        // pothole: 72 h, follow-up after 1.5 × 72 h = 108 h
        let early = c.received_at + Duration::hours(100);
        let late = c.received_at + Duration::hours(110);
        let officer = Actor {
            name: "sara".into(),
            role: Role::FollowUpOfficer,
        };
        let operator = Actor {
            name: "ali".into(),
            role: Role::Operator,
        };
        assert!(!actions_from(&c, early).contains(&ActionKind::Close));
        assert!(actions_from(&c, late).contains(&ActionKind::Close));
        assert!(actions_from(&c, late).contains(&ActionKind::CallBack));
        assert!(check(&c, ActionKind::Close, &officer, late).is_ok());
        assert!(matches!(
            check(&c, ActionKind::Close, &operator, late),
            Err(Refusal::Forbidden { .. })
        ));
        // An appreciation is acknowledged by anyone who does case work.
        let thanks = case(Kind::Appreciation);
        assert!(check(&thanks, ActionKind::Close, &operator, early).is_ok());

        let s = Settings::default();
        let cat = Catalog::builtin();
        let close = |outcome, reason: Option<&str>| Action::Close {
            outcome,
            reason: reason.map(str::to_owned),
        };
        let err = apply(
            &c,
            &close(Some(Outcome::WorkDone), None),
            &officer,
            &cat,
            &s,
            late,
        )
        .unwrap_err();
        assert!(
            matches!(&err, Refusal::Invalid(i) if i.problem("reason") == Some(&Problem::Empty))
        );
        let err = apply(
            &c,
            &close(Some(Outcome::Satisfied), Some("x")),
            &officer,
            &cat,
            &s,
            late,
        )
        .unwrap_err();
        assert!(
            matches!(&err, Refusal::Invalid(i) if matches!(i.problem("outcome"), Some(Problem::NotAChoice { .. })))
        );
        let done = apply(
            &c,
            &close(Some(Outcome::NotFeasible), Some("private land")),
            &officer,
            &cat,
            &s,
            late,
        )
        .unwrap();
        assert_eq!(done.case.status, Status::Closed);
        assert_eq!(done.case.outcome, Some(Outcome::NotFeasible));
        assert_eq!(
            done.what,
            What::Close {
                outcome: Outcome::NotFeasible,
                reason: Some("private land".into())
            }
        );
    }

    #[test]
    fn a_call_back_date_sets_the_case_aside_until_that_day() {
        let c = case(Kind::Request);
        let late = c.received_at + Duration::hours(110);
        let officer = Actor {
            name: "sara".into(),
            role: Role::FollowUpOfficer,
        };
        let s = Settings::default();
        let cat = Catalog::builtin();
        let today = s.center.local(late).date();
        let call = |on| Action::CallBack { on, comment: None };
        for bad in [today, today - Duration::days(1), today + Duration::days(91)] {
            let e = apply(&c, &call(bad), &officer, &cat, &s, late).unwrap_err();
            assert!(matches!(e, Refusal::Invalid(_)), "{bad}: {e:?}");
        }
        let on = today + Duration::days(3);
        let ch = apply(&c, &call(on), &officer, &cat, &s, late).unwrap();
        assert_eq!(ch.case.call_back_at, Some(s.center.day_start(on)));
        assert_eq!(ch.case.assignee.as_deref(), Some("sara"));
        assert!(
            !ch.case.in_follow_up(late),
            "set aside until the call-back day"
        );
        assert!(
            ch.case
                .in_follow_up(s.center.day_start(on) + Duration::minutes(1))
        );
        // Any change of state ends the wait.
        let referred = apply(
            &ch.case,
            &Action::Refer {
                department: "d3".into(),
                assignee: None,
                comment: Some("please answer".into()),
            },
            &officer,
            &cat,
            &s,
            late,
        )
        .unwrap();
        assert_eq!(referred.case.call_back_at, None);
    }
}
