//! The state machine, exhaustively: every action from every state, for every
//! role. Pure: no store, no clock.

use chrono::{DateTime, Duration, Utc};

use citydesk::domain::Settings;
use citydesk::domain::case::{CancelReason, Case, Channel, Contact, Feedback, Kind, Status};
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::{self, CaseInput, Rules};
use citydesk::domain::roles::{ActionKind, Actor, Role};
use citydesk::domain::tracking::TrackingCode;
use citydesk::domain::workflow::{Action, Refusal, actions_from, apply};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn actor(role: Role) -> Actor {
    Actor {
        name: format!("{role}-person"),
        role,
    }
}

fn new_case(kind: Kind) -> Case {
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
    let (case, _) = intake::register(
        &input,
        &Catalog::builtin(),
        &Rules::default(),
        &actor(Role::Operator),
        now(),
    )
    .unwrap()
    .with_code(TrackingCode::from_serial(
        citydesk::domain::tracking::CodeKey::LEGACY,
        1,
    ));
    case
}

fn sample(kind: ActionKind) -> Action {
    match kind {
        ActionKind::Refer => Action::Refer {
            department: "d3".into(),
            assignee: None,
            comment: None,
        },
        ActionKind::Resolve => Action::Resolve {
            response: "done".into(),
        },
        ActionKind::Feedback => Action::Feedback {
            result: Feedback::Satisfied,
            comment: None,
        },
        ActionKind::Escalate => Action::Escalate {
            reason: "late".into(),
        },
        ActionKind::Close => Action::Close {
            outcome: None,
            reason: Some("explained to the citizen".into()),
        },
        ActionKind::Cancel => Action::Cancel {
            reason: CancelReason::Withdrawn,
            duplicate_of: None,
            comment: None,
        },
        ActionKind::Reopen => Action::Reopen {
            reason: "back again".into(),
        },
        ActionKind::Note => Action::Note {
            text: "called".into(),
        },
        ActionKind::Attach => Action::Attach {
            contact: Contact {
                at: now(),
                channel: Channel::Sms,
                name: "x".into(),
                phone: "09120000000".into(),
                comment: None,
                registered_by: "x".into(),
            },
        },
        ActionKind::Take => Action::Take,
        ActionKind::CallBack => Action::CallBack {
            on: now().date_naive() + Duration::days(2),
            comment: None,
        },
        ActionKind::Register | ActionKind::Import | ActionKind::ManageOperators => unreachable!(),
    }
}

/// A case brought into `status` through the workflow itself.
fn case_in(status: Status, kind: Kind) -> Case {
    use ActionKind as A;
    let cat = Catalog::builtin();
    let r = Settings::default();
    let sup = actor(Role::Supervisor);
    let mut c = new_case(kind);
    let path: Vec<ActionKind> = match status {
        Status::Registered => vec![],
        Status::Referred => vec![A::Refer],
        Status::Resolved => vec![A::Refer, A::Resolve],
        Status::FollowUp => vec![A::Escalate],
        Status::Closed => vec![A::Refer, A::Resolve, A::Feedback],
        Status::Cancelled => vec![A::Cancel],
    };
    for a in path {
        c = apply(&c, &sample(a), &sup, &cat, &r, now()).unwrap().case;
    }
    assert_eq!(c.status, status);
    c
}

const CASE_ACTIONS: [ActionKind; 11] = [
    ActionKind::Refer,
    ActionKind::Resolve,
    ActionKind::Feedback,
    ActionKind::Escalate,
    ActionKind::Close,
    ActionKind::Cancel,
    ActionKind::Reopen,
    ActionKind::Note,
    ActionKind::Attach,
    ActionKind::Take,
    ActionKind::CallBack,
];

/// The transition table as the issue states it (actions other than note and
/// attach, which are allowed everywhere, and take, allowed while open).
fn expected(status: Status, kind: Kind) -> Vec<ActionKind> {
    use ActionKind as A;
    let mut v = match status {
        Status::Registered => vec![A::Refer, A::Escalate, A::Cancel],
        Status::Referred => vec![A::Refer, A::Resolve, A::Escalate, A::Cancel],
        Status::Resolved => vec![A::Feedback, A::Escalate],
        Status::FollowUp => vec![A::Refer, A::Close, A::Cancel, A::CallBack],
        Status::Closed | Status::Cancelled => vec![A::Reopen],
    };
    if status == Status::Registered && kind == Kind::Appreciation {
        v.push(A::Close);
    }
    if status.is_open() {
        v.push(A::Take);
    }
    v.extend([A::Note, A::Attach]);
    v
}

#[test]
fn every_action_from_every_state_is_accepted_or_refused_with_the_allowed_list() {
    let cat = Catalog::builtin();
    let r = Settings::default();
    for kind in [Kind::Request, Kind::Appreciation] {
        for &status in Status::ALL {
            let case = case_in(status, kind);
            let allowed = expected(status, kind);
            assert_eq!(actions_from(&case, now()), allowed, "{status}");
            for action in CASE_ACTIONS {
                // A supervisor may do every case action; roles are tested below.
                let result = apply(
                    &case,
                    &sample(action),
                    &actor(Role::Supervisor),
                    &cat,
                    &r,
                    now(),
                );
                if allowed.contains(&action) {
                    let change = result.unwrap_or_else(|e| panic!("{action} from {status}: {e}"));
                    assert_eq!(change.case.version, case.version + 1);
                    assert_eq!(change.what.kind(), action);
                } else {
                    match result {
                        Err(Refusal::NotAllowed {
                            status: s,
                            allowed: a,
                            action: k,
                            ..
                        }) => {
                            assert_eq!((s, k), (status, action));
                            assert_eq!(a, allowed);
                            let msg = apply(
                                &case,
                                &sample(action),
                                &actor(Role::Supervisor),
                                &cat,
                                &r,
                                now(),
                            )
                            .unwrap_err()
                            .to_string();
                            assert!(
                                msg.contains(&format!("it is {status}; from {status} you can: ")),
                                "{msg}"
                            );
                        }
                        other => panic!("{action} from {status} should be refused, got {other:?}"),
                    }
                }
            }
        }
    }
}

#[test]
fn roles_gate_actions() {
    let cat = Catalog::builtin();
    let r = Settings::default();
    let follow_up = case_in(Status::FollowUp, Kind::Request);
    let closed = case_in(Status::Closed, Kind::Request);
    let referred = case_in(Status::Referred, Kind::Request);
    let check = |case: &Case, action: ActionKind, role: Role, ok: bool| {
        let res = apply(case, &sample(action), &actor(role), &cat, &r, now());
        match (ok, res) {
            (true, Ok(_)) => {}
            (false, Err(Refusal::Forbidden { role: got, .. })) => assert_eq!(got, role),
            (ok, res) => panic!(
                "{action} by {role} on {}: expected ok={ok}, got {res:?}",
                case.status
            ),
        }
    };
    for role in [Role::FollowUpOfficer, Role::Supervisor] {
        check(&follow_up, ActionKind::Close, role, true);
        check(&follow_up, ActionKind::Refer, role, true);
        check(&follow_up, ActionKind::CallBack, role, true);
        check(&closed, ActionKind::Reopen, role, true);
    }
    for role in [Role::Operator, Role::Administrator] {
        check(&follow_up, ActionKind::Close, role, false);
        check(&follow_up, ActionKind::Refer, role, false);
        check(&follow_up, ActionKind::CallBack, role, false);
        check(&closed, ActionKind::Reopen, role, false);
    }
    check(&referred, ActionKind::Refer, Role::Operator, true);
    check(&referred, ActionKind::Resolve, Role::Administrator, false);
    check(&referred, ActionKind::Note, Role::Administrator, true);
}

#[test]
fn deadlines_follow_the_service_and_re_referral_sets_a_new_one() {
    let cat = Catalog::builtin();
    let r = Settings::default();
    let c = new_case(Kind::Request);
    assert_eq!(c.due_at, now() + Duration::hours(72));
    assert_eq!(
        c.escalate_at,
        now() + Duration::hours(72 + 36),
        "half the deadline past due"
    );
    assert!(!c.is_overdue(now() + Duration::hours(71)));
    assert!(c.is_overdue(now() + Duration::hours(73)));
    assert!(!c.in_follow_up(now() + Duration::hours(100)));
    assert!(c.in_follow_up(now() + Duration::hours(109)));
    let later = now() + Duration::hours(200);
    let sup = actor(Role::Supervisor);
    let esc = apply(&c, &sample(ActionKind::Escalate), &sup, &cat, &r, later)
        .unwrap()
        .case;
    let back = apply(&esc, &sample(ActionKind::Refer), &sup, &cat, &r, later)
        .unwrap()
        .case;
    assert_eq!(back.escalation_level, 1);
    assert_eq!(back.due_at, later + Duration::hours(72));
    assert!(!back.is_overdue(later + Duration::hours(1)));
}

#[test]
fn letters_registered_later_count_from_when_they_arrived() {
    let input = CaseInput {
        phone: "09121234567".into(),
        name: "x".into(),
        service: "trash-missed".into(),
        channel: Some(Channel::Letter),
        district: "1".into(),
        address: "x".into(),
        description: "x".into(),
        received_at: Some(now() - Duration::days(3)),
        ..CaseInput::default()
    };
    let (c, contact) = intake::register(
        &input,
        &Catalog::builtin(),
        &Rules::default(),
        &actor(Role::Operator),
        now(),
    )
    .unwrap()
    .with_code(TrackingCode::from_serial(
        citydesk::domain::tracking::CodeKey::LEGACY,
        9,
    ));
    assert_eq!(c.due_at, now() - Duration::days(3) + Duration::hours(24));
    assert!(c.is_overdue(now()));
    assert_eq!(c.registered_at, now());
    assert_eq!(contact.at, now() - Duration::days(3));
}
