//! The read side, checked: a scripted day whose figures are known by hand; a
//! demo history whose figures are recomputed case by case from the raw
//! cases and timelines (another route than the report's grouped queries);
//! and a shift's handover, with events at the shift's edges.

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use citydesk::demo;
use citydesk::domain::case::{Feedback, Status};
use citydesk::domain::event::What;
use citydesk::domain::intake::CaseInput;
use citydesk::domain::roles::{Actor, Role};
use citydesk::domain::shift::Shift;
use citydesk::domain::workflow::Action;
use citydesk::report::figures::{GroupBy, ReportQuery};
use citydesk::report::handover::ListKind;
use citydesk::store::{Settings, Store, StoreError};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn actor(name: &str, role: Role) -> Actor {
    Actor {
        name: name.into(),
        role,
    }
}

/// Where a test's store is: a SQLite file, or a PostgreSQL database.
enum Place {
    Sqlite(tempfile::TempDir),
    Postgres(common::pg::TempDb),
}

impl Place {
    fn location(&self) -> String {
        match self {
            Place::Sqlite(dir) => dir.path().join("s.db").display().to_string(),
            Place::Postgres(db) => db.url.clone(),
        }
    }
}

/// Runs `test` on SQLite, and on PostgreSQL (see tests/common/pg.rs).
fn on_both(test: fn(&Place)) {
    test(&Place::Sqlite(tempfile::tempdir().unwrap()));
    if let Some(server) = common::pg::server() {
        test(&Place::Postgres(common::pg::TempDb::new(&server)));
    }
}

fn store(place: &Place) -> Box<dyn Store> {
    let path = place.location();
    common::seeded_store(
        &path,
        at("2026-11-01T00:00:00Z"),
        "مدیر",
        "!",
        &[
            ("ali", Role::Operator),
            ("reza", Role::Operator),
            ("sara", Role::FollowUpOfficer),
            ("sam", Role::Supervisor),
        ],
    )
}

fn input(service: &str, district: &str) -> CaseInput {
    CaseInput {
        phone: "09121234567".into(),
        name: "مریم".into(),
        service: service.into(),
        district: district.into(),
        address: "خیابان".into(),
        description: "x".into(),
        ..CaseInput::default()
    }
}

/// Four cases on 2026-11-10 (Tehran time), worked by hand; the figures are
/// counted here on paper.
#[test]
fn a_scripted_day_gives_the_figures_known_by_hand() {
    on_both(scripted_day);
}

#[allow(clippy::many_single_char_names)] // cases a, b, c, d of the script
fn scripted_day(place: &Place) {
    let mut s = store(place);
    let ali = actor("ali", Role::Operator);
    let sara = actor("sara", Role::FollowUpOfficer);
    let t0 = at("2026-11-10T09:00:00+03:30");
    let h = Duration::hours;
    // A: pothole (72 h, district 3 → d3): answered after 10 h, satisfied.
    let a = s.register(&ali, &input("pothole", "3"), t0).unwrap();
    s.act(&ali, a.code, None, &refer("d3"), t0 + h(1)).unwrap();
    s.act(&ali, a.code, None, &resolve(), t0 + h(10)).unwrap();
    s.act(
        &ali,
        a.code,
        None,
        &feedback(Feedback::Satisfied),
        t0 + h(12),
    )
    .unwrap();
    // B: missed trash (24 h → d3): answered after 30 h (late), dissatisfied,
    // escalated; the officer closes it; then it is reopened.
    let b = s
        .register(&ali, &input("trash-missed", "3"), t0 + h(1))
        .unwrap();
    s.act(&ali, b.code, None, &refer("d3"), t0 + h(2)).unwrap();
    s.act(&ali, b.code, None, &resolve(), t0 + h(31)).unwrap();
    s.act(
        &ali,
        b.code,
        None,
        &feedback(Feedback::Dissatisfied),
        t0 + h(32),
    )
    .unwrap();
    let close = Action::Close {
        outcome: Some(citydesk::domain::case::Outcome::WorkDone),
        reason: Some("done".into()),
    };
    s.act(&sara, b.code, None, &close, t0 + h(40)).unwrap();
    let reopen = Action::Reopen {
        reason: "again".into(),
    };
    s.act(&sara, b.code, None, &reopen, t0 + h(41)).unwrap();
    // C: pothole in district 3: never answered, due t0+72h+2h: late by now.
    let c = s.register(&ali, &input("pothole", "3"), t0 + h(2)).unwrap();
    // D: graffiti (48 h → beautification): cancelled (left out of on time).
    let d = s
        .register(&ali, &input("graffiti", "1"), t0 + h(3))
        .unwrap();
    let cancel = Action::Cancel {
        reason: citydesk::domain::case::CancelReason::Withdrawn,
        duplicate_of: None,
        comment: None,
    };
    s.act(&ali, d.code, None, &cancel, t0 + h(4)).unwrap();
    // A repeat contact on A, the next day.
    let contact = citydesk::domain::case::Contact {
        at: t0 + h(24),
        channel: citydesk::domain::case::Channel::Sms,
        name: "همسایه".into(),
        phone: "09350001111".into(),
        comment: None,
        registered_by: "reza".into(),
    };
    let reza = actor("reza", Role::Operator);
    s.act(&reza, a.code, None, &Action::Attach { contact }, t0 + h(24))
        .unwrap();
    let _ = c;

    let now = t0 + h(100);
    let q = ReportQuery {
        from: at("2026-11-10T00:00:00+03:30"),
        to: at("2026-11-11T00:00:00+03:30"),
        by: GroupBy::Department,
        now,
    };
    let r = citydesk::report::report(s.as_mut(), &q).unwrap();
    let t = &r.total;
    assert_eq!(t.cases, 4);
    // The attached call came the next day: not in this period.
    assert_eq!(t.repeat_contacts, 0);
    assert_eq!(t.contacts, 4);
    // On time: A. Late: B (answered after its deadline, then reopened: not
    // answered now, and its new deadline is still ahead at `now`? B's new
    // deadline is t0+41h+24h = t0+65h < now: late), C (open, past due).
    assert_eq!((t.on_time, t.late), (1, 2));
    assert_eq!(t.on_time_share, Some(1.0 / 3.0));
    // Answered: A (10 h after contact). B was reopened: its answer is gone.
    assert_eq!(t.answered, 1);
    assert_eq!(t.median_answer_seconds, Some(10 * 3600));
    // Feedback: two calls on the 10th? A's at t0+12h (the 10th) and B's at
    // t0+32h (the 11th): one in the period.
    assert_eq!(t.feedback_calls, 1);
    assert_eq!((t.satisfied, t.dissatisfied), (1, 0));
    assert_eq!(t.satisfaction, Some(1.0));
    // Closed in the period: A (by the satisfied feedback). B's closing and
    // reopening are on the 11th and 12th.
    assert_eq!((t.closed, t.reopened, t.escalations), (1, 0, 0));
    // Open at the period's end: B, C (A is closed, D cancelled).
    assert_eq!(t.backlog.iter().sum::<u64>(), 2);
    assert_eq!(t.backlog[0], 2, "both less than a day old then");
    // By department: d3 holds A, B, C; beautification holds D.
    let d3 = &r.rows.iter().find(|(g, _)| g == "d3").unwrap().1;
    assert_eq!((d3.cases, d3.on_time, d3.late), (3, 1, 2));
    let beaut = &r
        .rows
        .iter()
        .find(|(g, _)| g == "beautification")
        .unwrap()
        .1;
    assert_eq!((beaut.cases, beaut.on_time, beaut.late), (1, 0, 0));

    // The whole three days: B's story and the repeat contact come in.
    let q3 = ReportQuery {
        to: at("2026-11-13T00:00:00+03:30"),
        ..q.clone()
    };
    let t = citydesk::report::report(s.as_mut(), &q3).unwrap().total;
    assert_eq!(t.repeat_contacts, 1);
    assert_eq!(t.contacts, 5);
    assert_eq!(t.feedback_calls, 2);
    assert_eq!((t.satisfied, t.dissatisfied), (1, 1));
    assert_eq!(t.satisfaction, Some(0.5));
    assert_eq!(t.escalations, 1, "the dissatisfied call");
    assert_eq!(
        (t.closed, t.reopened),
        (2, 1),
        "A by feedback, B by the officer"
    );
    assert_eq!(t.reopen_rate, Some(0.5));
    // By operator: ali registered all four; reza made the repeat contact.
    let by_op = citydesk::report::report(
        s.as_mut(),
        &ReportQuery {
            by: GroupBy::Operator,
            ..q3.clone()
        },
    )
    .unwrap();
    let ali_row = &by_op.rows.iter().find(|(g, _)| g == "ali").unwrap().1;
    assert_eq!((ali_row.cases, ali_row.feedback_calls), (4, 2));
    let reza_row = &by_op.rows.iter().find(|(g, _)| g == "reza").unwrap().1;
    assert_eq!((reza_row.cases, reza_row.repeat_contacts), (0, 1));
    let sara_row = &by_op.rows.iter().find(|(g, _)| g == "sara").unwrap().1;
    assert_eq!((sara_row.closed, sara_row.reopened), (1, 1));
    // By shift: registrations at 09:00-12:00 Tehran: the morning shift of the 10th.
    let by_shift = citydesk::report::report(
        s.as_mut(),
        &ReportQuery {
            by: GroupBy::Shift,
            ..q3
        },
    )
    .unwrap();
    let morning = &by_shift
        .rows
        .iter()
        .find(|(g, _)| g == "2026-11-10/morning")
        .unwrap()
        .1;
    assert_eq!(morning.cases, 4);
}

fn refer(d: &str) -> Action {
    Action::Refer {
        department: d.into(),
        assignee: None,
        comment: None,
    }
}

fn resolve() -> Action {
    Action::Resolve {
        response: "done".into(),
    }
}

fn feedback(result: Feedback) -> Action {
    Action::Feedback {
        result,
        comment: None,
    }
}

/// One department's figures, recounted from its raw cases and timelines.
#[derive(Default, Debug, PartialEq)]
struct Recount {
    cases: u64,
    on_time: u64,
    late: u64,
    answers: Vec<i64>,
    feedback: u64,
    satisfied: u64,
    unreachable: u64,
    closed: u64,
    reopened: u64,
    escalations: u64,
    repeat: u64,
    backlog: u64,
}

/// A demo history: each department's, shift's and operator's figures,
/// recomputed case by case from the raw cases and timelines, equal the
/// report's.
#[test]
fn figures_on_a_demo_history_agree_with_a_recount_of_the_raw_rows() {
    on_both(demo_recount);
}

fn demo_recount(place: &Place) {
    let mut s = store(place);
    let now = at("2026-11-28T10:00:00Z");
    demo::fill(
        s.as_mut(),
        &demo::Plan {
            cases: 6000,
            days: 60,
            seed: 11,
        },
        &Settings::default(),
        now,
        &indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    for group in [GroupBy::Department, GroupBy::Shift, GroupBy::Operator] {
        recount(s.as_mut(), group, now);
    }
}

/// The report by `group` of a demo store against a recount of its raw rows.
fn recount(s: &mut dyn Store, group: GroupBy, now: DateTime<Utc>) {
    let center = Settings::default().center;
    let q = ReportQuery {
        from: now - Duration::days(30),
        to: now - Duration::days(5),
        by: group,
        now,
    };
    let report = citydesk::report::report(s, &q).unwrap();

    let mut by: BTreeMap<String, Recount> = BTreeMap::new();
    let in_period = |t: DateTime<Utc>| t >= q.from && t < q.to;
    let mut after = 0;
    loop {
        let batch = s.export(after, 1000).unwrap();
        let Some(last) = batch.last() else { break };
        after = last.serial.unwrap();
        for item in batch {
            let c = &item.case;
            // A case's group: its department, the shift of its first
            // entry, or who registered it; an event's and a later contact's
            // shift and operator are their own.
            let case_key = match group {
                GroupBy::Shift => item.timeline[0].shift.to_string(),
                GroupBy::Operator => c.registered_by.clone(),
                _ => c.department.clone(),
            };
            let r = by.entry(case_key.clone()).or_default();
            if in_period(c.received_at) {
                r.cases += 1;
                if c.status != Status::Cancelled {
                    let answered = c.resolved_at.or(c.closed_at);
                    let on_time =
                        !c.has_deadline() || answered.map_or(c.due_at >= now, |t| t <= c.due_at);
                    if on_time {
                        r.on_time += 1;
                    } else {
                        r.late += 1;
                    }
                    if let Some(t) = answered {
                        r.answers.push((t - c.received_at).num_seconds());
                    }
                }
            }
            // Open at the period's end: received by then, not closed by then.
            if c.received_at <= q.to && c.closed_at.is_none_or(|t| t > q.to) {
                r.backlog += 1;
            }
            for (i, k) in item.contacts.iter().enumerate() {
                if i > 0 && in_period(k.at) {
                    let key = match group {
                        GroupBy::Shift => center.shift_of(k.at).to_string(),
                        GroupBy::Operator => k.registered_by.clone(),
                        _ => case_key.clone(),
                    };
                    by.entry(key).or_default().repeat += 1;
                }
            }
            for e in &item.timeline {
                if !in_period(e.at) {
                    continue;
                }
                let r = by
                    .entry(match group {
                        GroupBy::Shift => e.shift.to_string(),
                        GroupBy::Operator => e.actor.clone(),
                        _ => case_key.clone(),
                    })
                    .or_default();
                match &e.what {
                    What::Feedback { result, .. } => {
                        r.feedback += 1;
                        r.satisfied += u64::from(*result == Feedback::Satisfied);
                        r.unreachable += u64::from(*result == Feedback::Unreachable);
                    }
                    What::Reopen { .. } => r.reopened += 1,
                    _ => {}
                }
                let kind = e.what.kind().as_str();
                if e.to == Some(Status::Closed) && matches!(kind, "feedback" | "close") {
                    r.closed += 1;
                }
                if e.to == Some(Status::FollowUp) && matches!(kind, "feedback" | "escalate") {
                    r.escalations += 1;
                }
            }
        }
    }
    let mut checked = 0;
    for (dept, f) in &report.rows {
        let r = by.remove(dept).unwrap_or_default();
        let mut answers = r.answers.clone();
        answers.sort_unstable();
        let median = (!answers.is_empty()).then(|| answers[answers.len().div_ceil(2) - 1]);
        assert_eq!(
            (f.cases, f.on_time, f.late, f.answered),
            (r.cases, r.on_time, r.late, answers.len() as u64),
            "{dept}"
        );
        assert_eq!(f.median_answer_seconds, median, "{dept}");
        assert_eq!(
            (f.feedback_calls, f.satisfied, f.unreachable),
            (r.feedback, r.satisfied, r.unreachable),
            "{dept}"
        );
        assert_eq!(
            (f.closed, f.reopened, f.escalations, f.repeat_contacts),
            (r.closed, r.reopened, r.escalations, r.repeat),
            "{dept}"
        );
        assert_eq!(f.backlog.iter().sum::<u64>(), r.backlog, "{dept} backlog");
        checked += 1;
    }
    let least = match group {
        GroupBy::Shift => 60,
        GroupBy::Operator => 3,
        _ => 20,
    };
    assert!(checked > least, "{checked} groups by {group:?}");
    assert!(
        by.values().all(|r| *r == Recount::default()),
        "every group with figures is in the report: {by:?}"
    );
    assert!(report.total.cases > 2000 && report.total.feedback_calls > 1000);
}

/// Events at the edges of a night shift (23:00 to 07:00, Tehran) land in it
/// or not; its handover lists what it leaves.
#[test]
fn a_shifts_handover_counts_its_own_events_and_lists_what_it_leaves() {
    on_both(night_handover);
}

fn night_handover(place: &Place) {
    let mut s = store(place);
    let ali = actor("ali", Role::Operator);
    let reza = actor("reza", Role::Operator);
    let night = Shift::parse("2026-11-28/night").unwrap();
    // 22:59 (evening), 23:00 and 02:00 and 06:59 (night), 07:00 (morning).
    let times = [
        ("2026-11-28T22:59:00+03:30", &ali),
        ("2026-11-28T23:00:00+03:30", &ali),
        ("2026-11-29T02:00:00+03:30", &reza),
        ("2026-11-29T06:59:00+03:30", &reza),
        ("2026-11-29T07:00:00+03:30", &ali),
    ];
    let mut codes = Vec::new();
    for (t, who) in times {
        let c = s.register(who, &input("trash-missed", "2"), at(t)).unwrap();
        assert_eq!(c.registered_at, at(t), "registered at the time given");
        codes.push(c.code);
    }
    // reza takes one in the night and goes off shift holding it.
    s.act(
        &reza,
        codes[2],
        None,
        &Action::Take,
        at("2026-11-29T03:00:00+03:30"),
    )
    .unwrap();
    let now = at("2026-11-29T07:10:00+03:30");
    let settings = Settings::default();
    assert_eq!(
        citydesk::report::default_shift(&settings, now),
        night,
        "early in the morning, the night shift's handover is due"
    );
    let h = citydesk::report::handover(s.as_mut(), &settings, &night, now).unwrap();
    assert_eq!(h.activity.registered, 3, "23:00, 02:00 and 06:59");
    assert_eq!(h.activity.all.contacts, 3);
    assert_eq!(h.activity.by_operator["reza"].contacts, 2);
    assert_eq!(h.activity.by_operator["ali"].contacts, 1);
    assert_eq!(h.activity.by_operator["reza"].other, 1, "the take");
    let unreferred = h.list(ListKind::Unreferred).unwrap();
    assert_eq!(unreferred.total, 5);
    let held = h.list(ListKind::HeldByOutgoing).unwrap();
    assert_eq!(held.cases.len(), 1);
    assert_eq!(held.cases[0].code, codes[2]);
    // Trash is due in 24 h: the 22:59 and 23:00 cases fall due in the next
    // night shift (the 29th, 23:00 onward), not during the morning shift.
    let due_next = h.list(ListKind::DueNextShift).unwrap();
    assert_eq!(due_next.total, 0);

    // Notes, then acceptance; then the notes are read-only.
    let sam = actor("sam", Role::Supervisor);
    let notes = "Water main break in district 2: many calls expected.\nCall reza back about 2.";
    s.note_handover(&sam, &night, notes, now).unwrap();
    let e = s.accept_handover(&ali, &night, now).unwrap_err();
    assert!(e.to_string().contains("only a supervisor"), "{e}");
    // The one who wrote the notes does not accept them: the incoming supervisor does.
    let e = s.accept_handover(&sam, &night, now).unwrap_err();
    assert!(matches!(e, StoreError::OwnHandover), "{e}");
    let mina = actor("mina", Role::Supervisor);
    let r = s.accept_handover(&mina, &night, now).unwrap();
    assert_eq!(r.accepted_by.as_deref(), Some("mina"));
    assert_eq!(r.noted_by.as_deref(), Some("sam"));
    assert_eq!(r.notes, notes);
    let e = s.note_handover(&sam, &night, "changed", now).unwrap_err();
    assert!(e.to_string().contains("accepted by mina"), "{e}");
    let mut md = Vec::new();
    let h = citydesk::report::handover(s.as_mut(), &settings, &night, now).unwrap();
    citydesk::report::format::handover(
        &mut md,
        &citydesk::present::Words::english(),
        s.catalog(),
        &h,
        now,
        citydesk::report::format::Format::Md,
    )
    .unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(
        md.starts_with("# Handover of the 2026-11-28 night shift"),
        "{md}"
    );
    assert!(md.contains("- Water main break in district 2"), "{md}");
    assert!(md.contains("### Still unreferred (5)"), "{md}");
    assert!(md.contains("Accepted by mina"), "{md}");
    assert!(
        md.contains("## What it hands over to the 2026-11-29 morning shift"),
        "{md}"
    );

    // Read once the next shift is over, the lists are today's queues, and
    // the heading says so rather than claim they are what was handed over.
    let later = at("2026-11-29T15:00:00+03:30");
    let h = citydesk::report::handover(s.as_mut(), &settings, &night, later).unwrap();
    let mut md = Vec::new();
    citydesk::report::format::handover(
        &mut md,
        &citydesk::present::Words::english(),
        s.catalog(),
        &h,
        later,
        citydesk::report::format::Format::Md,
    )
    .unwrap();
    let md = String::from_utf8(md).unwrap();
    assert!(!md.contains("What it hands over"), "{md}");
    assert!(
        md.contains("## Open now (2026-11-29 15:00): today's queues"),
        "{md}"
    );
}
