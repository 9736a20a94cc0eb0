//! The store contract: what every engine must do, checked through the `Store`
//! trait only. Runs on SQLite here; the PostgreSQL store runs the same checks.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

mod common;

use citydesk::demo;
use citydesk::domain::case::{Case, Status};
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::CaseInput;
use citydesk::domain::roles::{Actor, Role};
use citydesk::domain::workflow::{self, Action};
use citydesk::store::{self, Page, Queue, Settings, Store, StoreError};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A store with operators admin, ali (operator), sara and reza (follow-up).
struct Fixture {
    _dir: tempfile::TempDir,
    db: Option<common::pg::TempDb>,
    path: String,
}

impl Fixture {
    fn sqlite() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db").display().to_string();
        Fixture::setup(Fixture {
            _dir: dir,
            db: None,
            path,
        })
    }

    /// On a fresh PostgreSQL database; None without a test server (`pg::server`
    /// has said so, or failed the test under CI).
    fn postgres() -> Option<Fixture> {
        let db = common::pg::TempDb::new(&common::pg::server()?);
        let path = db.url.clone();
        Some(Fixture::setup(Fixture {
            _dir: tempfile::tempdir().unwrap(),
            db: Some(db),
            path,
        }))
    }

    fn setup(f: Fixture) -> Fixture {
        common::seeded_store(
            &f.path,
            now(),
            "مدیر",
            "!",
            &[
                ("ali", Role::Operator),
                ("sara", Role::FollowUpOfficer),
                ("reza", Role::FollowUpOfficer),
            ],
        );
        f
    }

    fn open(&self) -> Box<dyn Store> {
        store::open(&self.path, &Settings::default()).unwrap()
    }

    /// Tries to change and delete timeline rows behind the store's back;
    /// returns the engine's errors.
    fn tamper_with_timeline(&self) -> Vec<String> {
        if let Some(db) = &self.db {
            let mut c = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
            [
                "UPDATE timeline SET data = 'forged'",
                "DELETE FROM timeline",
                "TRUNCATE timeline",
            ]
            .iter()
            .map(|q| {
                c.batch_execute(q)
                    .unwrap_err()
                    .as_db_error()
                    .unwrap()
                    .message()
                    .to_owned()
            })
            .collect()
        } else {
            let s = store::sqlite::SqliteStore::open(
                std::path::Path::new(&self.path),
                Settings::default(),
            )
            .unwrap();
            let conn = s.connection();
            [
                "UPDATE timeline SET data = 'forged'",
                "DELETE FROM timeline",
            ]
            .iter()
            .map(|q| conn.execute(q, []).unwrap_err().to_string())
            .collect()
        }
    }

    /// Two text columns of every row of a query, read behind the store's back.
    fn raw_pairs(&self, q: &str) -> Vec<(String, String)> {
        if let Some(db) = &self.db {
            let mut c = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
            c.query(q, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect()
        } else {
            let conn = rusqlite::Connection::open(&self.path).unwrap();
            let mut stmt = conn.prepare(q).unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        }
    }

    fn set_schema_version(&self, v: u32) {
        self.exec(&format!(
            "UPDATE meta SET value = '{v}' WHERE key = 'schema_version'"
        ));
    }

    /// Runs statements behind the store's back.
    fn exec(&self, q: &str) {
        if let Some(db) = &self.db {
            ::postgres::Client::connect(&db.url, ::postgres::NoTls)
                .unwrap()
                .batch_execute(q)
                .unwrap();
        } else {
            rusqlite::Connection::open(&self.path)
                .unwrap()
                .execute_batch(q)
                .unwrap();
        }
    }
}

/// Every contract test runs on SQLite, and on PostgreSQL (see `common::pg::server`).
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&super::Fixture::sqlite()) })*
        }
        mod postgres {
            $(#[test] fn $name() {
                if let Some(f) = super::Fixture::postgres() {
                    super::$name(&f);
                }
            })*
        }
    };
}

contract!(
    a_registered_case_reads_back_exactly,
    a_stale_version_is_refused_and_names_who_changed_it,
    two_people_taking_one_case_at_once_one_wins,
    the_timeline_is_append_only_in_the_engine_itself,
    a_store_from_a_newer_citydesk_is_refused,
    a_store_with_a_damaged_schema_version_is_refused,
    a_used_up_code_space_is_an_error_not_a_panic,
    nul_is_refused_alike_by_every_engine,
    a_case_and_its_timeline_are_read_in_one_snapshot,
    queues_and_counts_match_the_rules_on_a_demo_history,
    demo_is_deterministic_for_a_seed,
    a_watcher_sees_changes_from_other_connections,
    operators_and_catalog_round_trip,
    search_finds_by_code_phone_and_words,
    search_understands_persian,
    a_retried_submission_registers_once,
    drafts_are_kept_per_operator,
    the_timeline_holds_events_not_prose,
);

/// Every timeline row, written by every kind of change, is a typed event: its
/// payload reads back into `What` and names the row's action.
fn the_timeline_holds_events_not_prose(f: &Fixture) {
    let mut s = f.open();
    demo::fill(
        s.as_mut(),
        &demo::Plan {
            cases: 600,
            days: 20,
            seed: 3,
        },
        &Settings::default(),
        now(),
        &indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    let case = s.register(&ali(), &input(), now()).unwrap();
    let sara = Actor {
        name: "sara".into(),
        role: Role::FollowUpOfficer,
    };
    for (who, action) in [
        (
            &ali(),
            Action::Refer {
                department: "d4".into(),
                assignee: None,
                comment: Some("لطفاً فوری".into()),
            },
        ),
        (
            &ali(),
            Action::Escalate {
                reason: "no answer".into(),
            },
        ),
        (
            &sara,
            Action::CallBack {
                on: now().date_naive() + Duration::days(2),
                comment: None,
            },
        ),
        (
            &sara,
            Action::Note {
                text: "called: no answer".into(),
            },
        ),
        (
            &sara,
            Action::Close {
                outcome: Some(citydesk::domain::case::Outcome::NotFeasible),
                reason: Some("private land".into()),
            },
        ),
    ] {
        s.act(who, case.code, None, &action, now()).unwrap();
    }
    let rows = f.raw_pairs("SELECT action, data FROM timeline");
    assert!(rows.len() > 1800, "{}", rows.len());
    let mut kinds = HashSet::new();
    for (action, data) in &rows {
        let what = citydesk::domain::event::What::from_payload(action, data)
            .unwrap_or_else(|e| panic!("{action}: {data}: {e}"));
        kinds.insert(what.kind());
    }
    assert!(kinds.len() >= 10, "{kinds:?}");
}

fn ali() -> Actor {
    Actor {
        name: "ali".into(),
        role: Role::Operator,
    }
}

fn input() -> CaseInput {
    CaseInput {
        phone: "۰۹۱۲۱۲۳۴۵۶۷".into(),
        name: "مریم احمدی".into(),
        service: "street-light-out".into(),
        district: "4".into(),
        neighborhood: "کوی کوثر".into(),
        address: "خیابان ۱۲".into(),
        description: "چراغ خاموش است\nاز دیشب".into(),
        ..CaseInput::default()
    }
}

fn a_registered_case_reads_back_exactly(f: &Fixture) {
    let mut s = f.open();
    let case = s.register(&ali(), &input(), now()).unwrap();
    let record = s.case(case.code).unwrap();
    assert_eq!(record.case, case);
    assert_eq!(record.case.department, "facilities");
    assert_eq!(record.contacts.len(), 1);
    assert_eq!(record.contacts[0].phone, "۰۹۱۲۱۲۳۴۵۶۷");
    assert_eq!(record.timeline.len(), 1);
    assert_eq!(record.timeline[0].what, workflow::registered(&case));
    assert_eq!(record.timeline[0].shift.to_string(), "2026-11-28/morning");
    assert_eq!(record.timeline[0].to, Some(Status::Registered));
}

fn a_stale_version_is_refused_and_names_who_changed_it(f: &Fixture) {
    let (mut a, mut b) = (f.open(), f.open());
    let case = a.register(&ali(), &input(), now()).unwrap();
    let sara = Actor {
        name: "sara".into(),
        role: Role::FollowUpOfficer,
    };
    let reza = Actor {
        name: "reza".into(),
        role: Role::FollowUpOfficer,
    };
    // Both officers read version 1 and take the case: exactly one gets it.
    let later = now() + Duration::minutes(5);
    a.act(&sara, case.code, Some(1), &Action::Take, later)
        .unwrap();
    match b.act(&reza, case.code, Some(1), &Action::Take, later) {
        Err(StoreError::Conflict {
            by, at, version, ..
        }) => {
            assert_eq!(by, "sara");
            assert_eq!(at, later);
            assert_eq!(version, 2);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let record = b.case(case.code).unwrap();
    assert_eq!(record.case.assignee.as_deref(), Some("sara"));
    assert_eq!(record.timeline.len(), 2, "the refused write left no trace");
}

fn the_timeline_is_append_only_in_the_engine_itself(f: &Fixture) {
    let mut s = f.open();
    let case = s.register(&ali(), &input(), now()).unwrap();
    for e in f.tamper_with_timeline() {
        assert!(e.contains("append-only"), "{e}");
    }
    assert_eq!(s.case(case.code).unwrap().timeline.len(), 1);
}

fn a_store_from_a_newer_citydesk_is_refused(f: &Fixture) {
    f.set_schema_version(99);
    let e = store::open(&f.path, &Settings::default())
        .err()
        .expect("refused");
    assert!(e.to_string().contains("schema version 99"), "{e}");
    assert!(e.to_string().contains("newer citydesk"), "{e}");
}

/// Issue 10: schema version 0 panicked (or was "no migration from 0").
fn a_store_with_a_damaged_schema_version_is_refused(f: &Fixture) {
    for v in ["0", "two", ""] {
        f.exec(&format!(
            "UPDATE meta SET value = '{v}' WHERE key = 'schema_version'"
        ));
        let e = store::open(&f.path, &Settings::default())
            .err()
            .expect("refused");
        assert!(
            matches!(&e, StoreError::BadVersion { found } if found == v),
            "{e:?}"
        );
        assert!(e.to_string().contains("the store is damaged"), "{e}");
    }
}

/// Issue 10: the 90,000,001st case panicked in `TrackingCode::from_serial`.
fn a_used_up_code_space_is_an_error_not_a_panic(f: &Fixture) {
    f.exec("UPDATE counters SET value = 89999999 WHERE name = 'case'");
    let mut s = f.open();
    let last = s.register(&ali(), &input(), now()).unwrap();
    for _ in 0..2 {
        let e = s.register(&ali(), &input(), now()).unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::CodesExhausted {
                    capacity: 90_000_000
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("every tracking code"), "{e}");
    }
    assert_eq!(s.case(last.code).unwrap().timeline.len(), 1);
    // A damaged counter below zero does not wrap around into the code space.
    f.exec("UPDATE counters SET value = -5 WHERE name = 'case'");
    let e = f.open().register(&ali(), &input(), now()).unwrap_err();
    assert!(matches!(e, StoreError::CodesExhausted { .. }), "{e:?}");
}

/// Issue 10: SQLite kept a NUL that PostgreSQL refused (and `migrate` then
/// broke halfway): now input refuses it, field by field, on both engines,
/// and the store refuses it in any other text it is given.
fn nul_is_refused_alike_by_every_engine(f: &Fixture) {
    let mut s = f.open();
    let mut bad = input();
    bad.description = "a\u{0}b".into();
    let e = s.register(&ali(), &bad, now()).unwrap_err();
    assert!(
        e.to_string()
            .contains("holds a NUL character (U+0000), which the store does not keep"),
        "{e}"
    );
    let case = s.register(&ali(), &input(), now()).unwrap();
    let e = s
        .act(
            &ali(),
            case.code,
            None,
            &Action::Note {
                text: "x\u{0}".into(),
            },
            now(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("NUL character"), "{e}");
    let admin = Actor {
        name: "admin".into(),
        role: Role::Administrator,
    };
    let op = store::NewOperator {
        name: "nul".into(),
        display_name: "n\u{0}l".into(),
        role: Role::Operator,
        password_hash: "!".into(),
    };
    let e = s.add_operator(Some(&admin), &op, now()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the store failed: a text holds a NUL character (U+0000), which the store does not keep; nothing was saved"
    );
    assert_eq!(s.case_count().unwrap(), 1);
}

/// Issue 10: `case show` could show version N with N+1 timeline entries
/// (the case and its timeline were read by two statements, a write between).
fn a_case_and_its_timeline_are_read_in_one_snapshot(f: &Fixture) {
    let case = f.open().register(&ali(), &input(), now()).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let mut w = f.open();
        let done = &done;
        scope.spawn(move || {
            for i in 0..150 {
                w.act(
                    &ali(),
                    case.code,
                    None,
                    &Action::Note {
                        text: format!("note {i}"),
                    },
                    now(),
                )
                .unwrap();
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut r = f.open();
        let mut reads = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) || reads == 0 {
            let rec = r.case(case.code).unwrap();
            assert_eq!(
                rec.timeline.len() as i64,
                rec.case.version,
                "version {} shown with {} timeline entries",
                rec.case.version,
                rec.timeline.len()
            );
            reads += 1;
        }
    });
}

fn two_people_taking_one_case_at_once_one_wins(f: &Fixture) {
    let case = f.open().register(&ali(), &input(), now()).unwrap();
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = ["sara", "reza"]
            .into_iter()
            .map(|name| {
                let mut s = f.open();
                let barrier = &barrier;
                scope.spawn(move || {
                    let who = Actor {
                        name: name.into(),
                        role: Role::FollowUpOfficer,
                    };
                    barrier.wait();
                    (name, s.act(&who, case.code, Some(1), &Action::Take, now()))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let winners: Vec<_> = results
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one takes the case: {results:?}");
    let loser = results.iter().find(|(_, r)| r.is_err()).unwrap();
    match &loser.1 {
        Err(StoreError::Conflict { by, .. }) => assert_eq!(by, winners[0], "the other is told who"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let held = f.open().case(case.code).unwrap();
    assert_eq!(held.case.assignee.as_deref(), Some(winners[0]));
    assert_eq!(held.timeline.len(), 2);
}

fn a_watcher_sees_changes_from_other_connections(f: &Fixture) {
    let s = f.open();
    let mut w = s.watcher().unwrap();
    assert!(
        !w.wait(std::time::Duration::from_millis(300)).unwrap(),
        "nothing changed yet"
    );
    let started = std::time::Instant::now();
    let writer = std::thread::spawn({
        let mut other = f.open();
        move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            other.register(&ali(), &input(), now()).unwrap();
        }
    });
    assert!(
        w.wait(std::time::Duration::from_secs(2)).unwrap(),
        "the change is seen"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    writer.join().unwrap();
    assert!(
        !w.wait(std::time::Duration::from_millis(300)).unwrap(),
        "and seen once"
    );
}

fn operators_and_catalog_round_trip(f: &Fixture) {
    let mut s = f.open();
    let ops = s.operators().unwrap();
    assert_eq!(
        ops.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
        ["admin", "ali", "reza", "sara"]
    );
    assert_eq!(ops[0].display_name, "مدیر");
    assert_eq!(ops[0].role, Role::Administrator);
    assert_eq!(
        s.catalog(),
        &Catalog::builtin(),
        "the catalog comes back in file order, unchanged"
    );
    let admin = Actor {
        name: "admin".into(),
        role: Role::Administrator,
    };
    s.set_operator_active(&admin, "ali", false, now()).unwrap();
    assert!(matches!(
        s.register(&ali(), &input(), now()),
        Err(StoreError::OperatorDisabled(_))
    ));
    let again = store::init(&f.path, &Settings::default(), &Catalog::builtin(), now())
        .unwrap()
        .1;
    assert!(!again.created);
}

#[test]
fn opening_a_missing_store_says_to_run_init() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.db");
    let e = store::open(path.to_str().unwrap(), &Settings::default())
        .err()
        .expect("refused");
    assert!(e.to_string().contains("citydesk init"), "{e}");
    assert!(!path.exists(), "opening did not create a file");
}

type Pred = Box<dyn Fn(&Case) -> bool>;

fn all_pages(s: &mut dyn Store, q: &Queue, at: DateTime<Utc>) -> Vec<Case> {
    let mut out = Vec::new();
    loop {
        let page = s
            .queue(
                q,
                Page {
                    limit: 97,
                    offset: out.len() as u32,
                },
                at,
            )
            .unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// The queues agree with the rules applied to every case one by one, in the
/// documented order, across pages; the counts agree with the queues.
fn queues_and_counts_match_the_rules_on_a_demo_history(f: &Fixture) {
    let mut s = f.open();
    let report = demo::fill(
        s.as_mut(),
        &demo::Plan {
            cases: 4000,
            days: 30,
            seed: 7,
        },
        &Settings::default(),
        now(),
        &indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    assert_eq!(report.total, 4000);
    let at = now();
    let soon = Duration::hours(4);
    let me = "sara";
    // Give sara a few cases.
    let sara = Actor {
        name: me.into(),
        role: Role::FollowUpOfficer,
    };
    let key = s.code_key().unwrap();
    let read_all = |s: &mut dyn Store| -> Vec<Case> {
        (1..=4000u64)
            .map(|n| {
                s.case(citydesk::domain::tracking::TrackingCode::from_serial(
                    key, n,
                ))
                .unwrap()
                .case
            })
            .collect()
    };
    let open: Vec<_> = read_all(s.as_mut())
        .into_iter()
        .filter(|c| c.status.is_open() && c.assignee.is_none())
        .take(5)
        .map(|c| c.code)
        .collect();
    for code in open {
        s.act(&sara, code, None, &Action::Take, at).unwrap();
    }
    let cases = read_all(s.as_mut());

    let checks: Vec<(Queue, Pred)> = vec![
        (
            Queue::Unreferred,
            Box::new(|c: &Case| c.status == Status::Registered),
        ),
        (Queue::Overdue, Box::new(move |c: &Case| c.is_overdue(at))),
        (
            Queue::DueSoon(soon),
            Box::new(move |c: &Case| {
                c.status.awaits_department() && c.due_at >= at && c.due_at < at + soon
            }),
        ),
        (
            Queue::Feedback,
            Box::new(|c: &Case| c.status == Status::Resolved),
        ),
        (
            Queue::FollowUp,
            Box::new(move |c: &Case| c.in_follow_up(at)),
        ),
        (
            Queue::Mine(me.into()),
            Box::new(move |c: &Case| c.status.is_open() && c.assignee.as_deref() == Some(me)),
        ),
    ];
    let counts = s.queue_counts(me, soon, at).unwrap();
    let count_of = |q: &Queue| match q {
        Queue::Unreferred => counts.unreferred,
        Queue::Overdue => counts.overdue,
        Queue::DueSoon(_) | Queue::DueBetween(..) => counts.due_soon,
        Queue::Feedback => counts.feedback,
        Queue::FollowUp => counts.follow_up,
        Queue::Mine(_) => counts.mine,
    };
    for (q, pred) in &checks {
        let listed = all_pages(s.as_mut(), q, at);
        let got: HashSet<_> = listed.iter().map(|c| c.code).collect();
        assert_eq!(
            got.len(),
            listed.len(),
            "{q:?}: no case listed twice across pages"
        );
        let want: HashSet<_> = cases.iter().filter(|c| pred(c)).map(|c| c.code).collect();
        assert!(
            !want.is_empty(),
            "{q:?}: the demo history fills every queue"
        );
        assert_eq!(got, want, "{q:?}");
        assert_eq!(count_of(q), want.len() as u64, "{q:?} count");
        // Order: most urgent first.
        for w in listed.windows(2) {
            let ok = match q {
                Queue::Overdue | Queue::DueSoon(_) | Queue::DueBetween(..) | Queue::Mine(_) => {
                    w[0].due_at <= w[1].due_at
                }
                Queue::Unreferred => {
                    (w[0].priority, std::cmp::Reverse(w[0].due_at))
                        >= (w[1].priority, std::cmp::Reverse(w[1].due_at))
                }
                Queue::Feedback => {
                    (w[0].priority, std::cmp::Reverse(w[0].status_since))
                        >= (w[1].priority, std::cmp::Reverse(w[1].status_since))
                }
                Queue::FollowUp => {
                    // From when it is listed: the escalation (or the overdue
                    // threshold), or a later call-back.
                    let key = |c: &Case| {
                        let from = if c.status == Status::FollowUp {
                            c.status_since
                        } else {
                            c.escalate_at
                        };
                        c.call_back_at.map_or(from, |t| t.max(from))
                    };
                    key(&w[0]) <= key(&w[1])
                }
            };
            assert!(ok, "{q:?} out of order: {} then {}", w[0].code, w[1].code);
        }
    }
    // The history looks like a real center's.
    let share = |p: &dyn Fn(&Case) -> bool| {
        cases.iter().filter(|c| p(c)).count() as f64 / cases.len() as f64
    };
    assert!(
        share(&|c| c.status == Status::Closed) > 0.5,
        "most old cases are closed"
    );
    assert!(share(&|c| c.is_overdue(at)) > 0.005, "some are overdue");
    assert!(
        share(&|c| c.escalation_level > 0) > 0.01,
        "some were escalated and re-referred"
    );
    assert!(share(&|c| c.feedback == Some(citydesk::domain::case::Feedback::Dissatisfied)) > 0.01);
    assert!(share(&|c| c.status == Status::Cancelled) > 0.005);
    assert!(share(&|c| c.channel == citydesk::domain::case::Channel::Phone) > 0.4);
    let services: HashSet<_> = cases.iter().map(|c| c.service.clone()).collect();
    assert!(
        services.len() > 50,
        "spread over the catalog: {}",
        services.len()
    );
    let nights = cases
        .iter()
        .filter(|c| {
            let h = chrono::Timelike::hour(&Settings::default().center.local(c.received_at));
            (2..5).contains(&h)
        })
        .count();
    assert!(
        (nights as f64) < 0.03 * cases.len() as f64,
        "few calls at night: {nights}"
    );
    // Every timeline obeys seq = version.
    for c in cases.iter().take(300) {
        let r = s.case(c.code).unwrap();
        assert_eq!(r.timeline.len() as i64, r.case.version, "{}", c.code);
    }
}

fn demo_is_deterministic_for_a_seed(f: &Fixture) {
    let run = |f: &Fixture| {
        let mut s = f.open();
        // Each store draws its own tracking-code key: give both the same one,
        // so that the same serials have the same codes.
        let key = citydesk::domain::tracking::CodeKey(0x0c17_de5c);
        s.set_code_key(key).unwrap();
        demo::fill(
            s.as_mut(),
            &demo::Plan {
                cases: 300,
                days: 10,
                seed: 42,
            },
            &Settings::default(),
            now(),
            &indicatif::ProgressBar::hidden(),
        )
        .unwrap();
        (1..=300u64)
            .map(|n| {
                s.case(citydesk::domain::tracking::TrackingCode::from_serial(
                    key, n,
                ))
                .unwrap()
            })
            .collect::<Vec<_>>()
    };
    let first = run(f);
    assert_eq!(first, run(&Fixture::sqlite()), "same on every engine");
}

/// No queue query reads the whole table: every access to `cases` is an index
/// search, and none sorts the table (EXPLAIN QUERY PLAN on a store with data,
/// after ANALYZE, as the planner sees a real store).
#[test]
fn every_queue_query_is_an_index_search() {
    use citydesk::store::sql::{COUNTS_SQL, Param, queue_sql};
    use citydesk::store::sqlite::SqliteStore;
    let f = Fixture::sqlite();
    {
        let mut s = f.open();
        demo::fill(
            s.as_mut(),
            &demo::Plan {
                cases: 3000,
                days: 30,
                seed: 1,
            },
            &Settings::default(),
            now(),
            &indicatif::ProgressBar::hidden(),
        )
        .unwrap();
    }
    let s = SqliteStore::open(std::path::Path::new(&f.path), Settings::default()).unwrap();
    let conn = s.connection();
    conn.execute_batch("ANALYZE").unwrap();
    let queues = [
        Queue::Unreferred,
        Queue::Overdue,
        Queue::DueSoon(Duration::hours(4)),
        Queue::Feedback,
        Queue::FollowUp,
        Queue::Mine("sara".into()),
    ];
    let by_department = citydesk::store::Filter {
        department: Some("d3".into()),
        ..Default::default()
    };
    let mut statements: Vec<(String, String, Vec<Param>)> = queues
        .iter()
        .flat_map(|q| {
            [citydesk::store::Filter::default(), by_department.clone()].map(|filter| {
                let (sql, params) = queue_sql(q, &filter, Page::default(), now());
                (format!("{q:?}"), sql, params)
            })
        })
        .collect();
    statements.push((
        "counts".into(),
        COUNTS_SQL.into(),
        vec![
            now().into(),
            (now() + Duration::hours(4)).into(),
            "sara".into(),
        ],
    ));
    for (name, sql, params) in statements {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt
            .query_map(rusqlite::params_from_iter(&params), |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let last = plan.len() - 1;
        // Only the follow-up queue sorts, and only its merged page (the last step).
        for (i, line) in plan.iter().enumerate() {
            if line.contains("TEMP B-TREE") {
                assert!(
                    name == "FollowUp" && i == last,
                    "{name} sorts:\n{}",
                    plan.join("\n")
                );
            }
        }
        let plan = plan.join("\n");
        assert!(plan.contains("USING"), "{name}: {plan}");
        for line in plan.lines() {
            let l = line.trim();
            assert!(
                // "SCAN cases", even "USING INDEX", reads all of the table or an index.
                !l.starts_with("SCAN cases"),
                "{name} scans the whole table:\n{plan}"
            );
        }
    }
    // The word search asks the FTS5 index for the newest matching ids, then
    // reads those cases by id.
    let sql = citydesk::store::sql::words_sql(citydesk::store::sql::Dialect::Sqlite);
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let plan: Vec<String> = stmt
        .query_map(rusqlite::params!["(\"خیابان\"*)", 100], |r| {
            r.get::<_, String>(3)
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("SCAN cases_fts VIRTUAL TABLE INDEX"),
        "{plan}"
    );
    assert!(
        plan.contains("SEARCH cases USING INTEGER PRIMARY KEY"),
        "{plan}"
    );
    assert!(
        !plan.lines().any(|l| l.trim().starts_with("SCAN cases ")),
        "the word search scans the table:\n{plan}"
    );
}

/// The word search on PostgreSQL at scale: GIN cannot give rows newest first,
/// and when the planner reads the primary key backwards instead (filtering
/// each row by its words) a query it guesses wrong (`علی رضا`, names that
/// exclude each other) reads 94,000 rows for 100 (BENCHMARKS.md). So the
/// search goes in steps: the newest rows by the primary key, a bounded read;
/// then windows of the newest ids, whose block lexemes are words of the
/// query, so that the GIN index gives only the window's matches and only
/// those rows are read (EXPLAIN on a store with data, after ANALYZE; a few
/// thousand rows are read whole faster, so sequential scans are off, as
/// they would not be chosen at a million). And the steps find what one
/// newest-first query over every row finds.
#[test]
fn the_postgres_word_search_asks_the_index_for_a_window_of_the_newest_cases() {
    use citydesk::store::sql::{
        PG_RECENT_ROWS, pg_recent_typed_sql, pg_recent_words_sql, pg_typed_words_sql, pg_window,
        pg_words_sql,
    };
    let Some(f) = Fixture::postgres() else {
        return;
    };
    {
        let mut s = f.open();
        demo::fill(
            s.as_mut(),
            &demo::Plan {
                cases: 3000,
                days: 30,
                seed: 1,
            },
            &Settings::default(),
            now(),
            &indicatif::ProgressBar::hidden(),
        )
        .unwrap();
    }
    let mut c = ::postgres::Client::connect(&f.path, ::postgres::NoTls).unwrap();
    // The same cases again with ids from 20,001: the newest ids span blocks.
    let columns: Vec<String> = c
        .query(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_name = 'cases' AND column_name NOT IN ('id', 'code', 'search_words')
             ORDER BY ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let columns = columns.join(", ");
    c.batch_execute(&format!(
        "INSERT INTO cases (id, code, {columns}) SELECT id + 20000, code + 1000000000, {columns} FROM cases;
         ANALYZE cases"
    ))
    .unwrap();
    let newest: i64 = c
        .query_one("SELECT CAST(MAX(id) AS BIGINT) FROM cases", &[])
        .unwrap()
        .get(0);
    assert!(newest > PG_RECENT_ROWS);
    let pg = |sql: &str| {
        sql.replace("?1", "$1")
            .replace("?2", "$2")
            .replace("?3", "$3")
    };
    let explain = |c: &mut ::postgres::Client, sql: &str, window: Option<&str>| -> String {
        c.batch_execute("SET enable_seqscan = off").unwrap();
        let q = "'خیابان' & 'آزادی'";
        let rows = match window {
            Some(w) => c.query(&format!("EXPLAIN {}", pg(sql)), &[&q, &100_i64, &w]),
            None => c.query(&format!("EXPLAIN {}", pg(sql)), &[&q, &100_i64]),
        }
        .unwrap();
        rows.iter()
            .map(|r| r.get::<_, String>(0))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // The first step: the newest rows by the primary key, as many as the limit
    // in the subquery, then the filter.
    let plan = explain(&mut c, &pg_recent_words_sql(), None);
    assert!(
        plan.contains("Index Scan Backward using cases_pkey"),
        "{plan}"
    );
    assert!(!plan.contains("Bitmap"), "{plan}");
    // A window, and all: the GIN index first, never the primary key backwards.
    let (window, _) = pg_window(1, newest);
    for (sql, w) in [
        (pg_words_sql(true), Some(window.as_str())),
        (pg_words_sql(false), None),
    ] {
        let plan = explain(&mut c, &sql, w);
        assert!(plan.contains("Bitmap Index Scan on cases_words"), "{plan}");
        assert!(!plan.contains("Index Scan Backward"), "{plan}");
        assert!(!plan.contains("Seq Scan"), "{plan}");
    }
    // When the last word may be the start of one: the newest rows for both
    // searches at once, as the first step; all matches, whole words first.
    let whole = Some("'خیابان' & 'آزادی'");
    let plan = explain(&mut c, &pg_recent_typed_sql(), whole);
    assert!(
        plan.contains("Index Scan Backward using cases_pkey"),
        "{plan}"
    );
    assert!(!plan.contains("Bitmap"), "{plan}");
    let plan = explain(&mut c, &pg_typed_words_sql(), whole);
    assert!(plan.contains("Bitmap Index Scan on cases_words"), "{plan}");
    assert!(!plan.contains("Index Scan Backward"), "{plan}");
    c.batch_execute("RESET enable_seqscan").unwrap();
    // The steps find the newest matches, as one query over every row does:
    // with few cases (every step reads all at once, `pg_reads_all`), then with
    // a copy of them at ids from 1,020,001 (the newest rows say that common
    // words match many cases in all, so windows are asked).
    let mut s = f.open();
    let names: Vec<String> = c
        .query(
            "SELECT citizen_name FROM cases GROUP BY citizen_name ORDER BY COUNT(*) DESC, citizen_name",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let common = names.first().unwrap().clone();
    let rare = names.last().unwrap().clone();
    // A name typed halfway: the first word, then the first two letters of the
    // last (the start of a word, after whole words).
    let typed = |name: &str| {
        let (first, last) = name.rsplit_once(' ').unwrap();
        format!("{first} {}", last.chars().take(2).collect::<String>())
    };
    let queries = [
        common.clone(),
        rare.clone(),
        typed(&common),
        typed(&rare),
        // A last name, then a first name that starts it (the demo's): the
        // cases of "محمد محمدی" have every word whole, the other محمدی only
        // the start of one.
        "محمدی محمد".to_owned(),
        "رضایی رضا".to_owned(),
        "خیابان".to_owned(),
        "خیابان آز".to_owned(),
        "نیست‌چنین‌کلمه‌ای".to_owned(),
        "نیست‌چنین‌کلمه‌ای خی".to_owned(),
    ];
    assert!(
        queries
            .iter()
            .any(|q| citydesk::words::query(q).whole_words() != citydesk::words::query(q)),
        "some queries end with the start of a word"
    );
    for copy in [false, true] {
        if copy {
            c.batch_execute(&format!(
                "INSERT INTO cases (id, code, {columns})
                 SELECT id + 1020000, code + 2000000000, {columns} FROM cases WHERE id <= 20000;
                 ANALYZE cases"
            ))
            .unwrap();
        }
        for query in &queries {
            let found: Vec<i64> = s
                .search(query, 100)
                .unwrap()
                .iter()
                .map(|x| x.code.get() as i64)
                .collect();
            let q = citydesk::words::query(query);
            let newest = |c: &mut ::postgres::Client, tsquery: String| -> Vec<i64> {
                c.query(
                    "SELECT code FROM cases WHERE search_words @@ CAST($1 AS TEXT)::tsquery
                     ORDER BY id DESC LIMIT 100",
                    &[&tsquery],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect()
            };
            // Whole words first; then, under 100, the cases found by the
            // start of the last word, newest first.
            let mut every = newest(&mut c, q.whole_words().tsquery());
            for code in newest(&mut c, q.tsquery()) {
                if every.len() < 100 && !every.contains(&code) {
                    every.push(code);
                }
            }
            assert_eq!(
                found, every,
                "{query} (copy: {copy}): the newest matches, whole words first"
            );
        }
    }
}

/// The grants of the shared console role earlier versions documented.
const SHARED_ROLE_GRANTS: &str = "
GRANT SELECT ON meta, departments, districts, services TO citydesk_console;
GRANT SELECT, INSERT, UPDATE ON cases, contacts, operators TO citydesk_console;
GRANT SELECT, INSERT ON timeline TO citydesk_console;
GRANT SELECT, UPDATE ON counters TO citydesk_console;
GRANT SELECT, INSERT, UPDATE, DELETE ON drafts TO citydesk_console;
GRANT SELECT, INSERT, UPDATE ON clients, sessions TO citydesk_console;
";

/// A role that is neither an operator's nor the owner's (the shared console
/// role earlier versions documented) may read what it was granted, but the
/// server refuses its writes, and anything destructive (operators sign in
/// as themselves: tests/pg_access.rs).
#[test]
fn a_shared_role_that_is_no_operators_may_not_write() {
    let Some(f) = Fixture::postgres() else {
        return;
    };
    let db = f.db.as_ref().unwrap();
    let mut owner = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
    // Roles are cluster-wide: give this test's role a name of its own.
    let role = format!("citydesk_console_{}", std::process::id());
    owner
        .batch_execute(&format!("DROP ROLE IF EXISTS {role}"))
        .ok();
    owner
        .batch_execute(&format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'console-pass'; {}",
            SHARED_ROLE_GRANTS.replace("citydesk_console", &role)
        ))
        .unwrap();
    let url = db
        .url
        .replacen("postgres@", &format!("{role}:console-pass@"), 1);

    let mut s = store::open(&url, &Settings::default()).unwrap();
    assert_eq!(s.case_count().unwrap(), 0);
    let e = s.register(&ali(), &input(), now()).unwrap_err().to_string();
    assert!(e.contains("is not a citydesk operator's"), "{e}");
    assert_eq!(s.case_count().unwrap(), 0);

    let mut console = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    for q in [
        "UPDATE operators SET role = 'admin'",
        "UPDATE counters SET value = value + 1",
        "INSERT INTO sessions (token_hash, operator, kind, created_at, created_by) VALUES ('ab', 'ali', 'shift', 0, 'ali')",
    ] {
        let e = console.batch_execute(q).unwrap_err();
        let msg = e
            .as_db_error()
            .map(|d| d.message().to_owned())
            .unwrap_or_default();
        assert!(msg.contains("is not a citydesk operator's"), "{q}: {msg}");
    }
    for q in [
        "DELETE FROM cases",
        "DELETE FROM timeline",
        "UPDATE timeline SET data = 'forged'",
        "TRUNCATE timeline",
        "UPDATE services SET deadline_hours = 1",
        "DROP TABLE timeline",
        "ALTER TABLE timeline DISABLE TRIGGER ALL",
    ] {
        let e = console.batch_execute(q).unwrap_err();
        let msg = e
            .as_db_error()
            .map(|d| d.message().to_owned())
            .unwrap_or_default();
        assert!(
            msg.contains("permission denied") || msg.contains("must be owner"),
            "{q}: {msg}"
        );
    }
    drop(s);
    drop(console);
    owner
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .unwrap();
}

fn search_finds_by_code_phone_and_words(f: &Fixture) {
    let mut s = f.open();
    let a = s.register(&ali(), &input(), now()).unwrap();
    let mut other = input();
    other.phone = "09350001111".into();
    other.name = "علي كريمي".into(); // Arabic letter forms, as some keyboards type them
    other.description = "درخت افتاده روی ماشین".into();
    other.service = "tree-fallen".into();
    let b = s.register(&ali(), &other, now()).unwrap();
    let codes = |v: Vec<Case>| v.into_iter().map(|c| c.code).collect::<Vec<_>>();
    assert_eq!(codes(s.search(&a.code.spoken(), 50).unwrap()), [a.code]);
    assert_eq!(codes(s.search("۰۹۳۵ ۰۰۰ ۱۱۱۱", 50).unwrap()), [b.code]);
    assert_eq!(
        codes(s.search("علی کریمی", 50).unwrap()),
        [b.code],
        "Persian finds Arabic forms"
    );
    assert_eq!(
        codes(s.search("درخت ماشین", 50).unwrap()),
        [b.code],
        "all words, any order"
    );
    assert_eq!(
        codes(s.search("خیابان", 50).unwrap()),
        [b.code, a.code],
        "newest first"
    );
    assert!(
        s.search("100%", 50).unwrap().is_empty(),
        "LIKE wildcards are literal"
    );
    let related = s
        .related(
            "09121234567",
            "tree-fallen",
            "کوی کوثر",
            now() - Duration::days(7),
        )
        .unwrap();
    assert_eq!(
        codes(related),
        [a.code, b.code],
        "same caller, then same service nearby"
    );
    // A later call from 0935… about the first case makes it that caller's too.
    let contact = citydesk::domain::case::Contact {
        at: now(),
        channel: citydesk::domain::case::Channel::Phone,
        name: "علی".into(),
        phone: "09350001111".into(),
        comment: None,
        registered_by: "ali".into(),
    };
    s.act(&ali(), a.code, None, &Action::Attach { contact }, now())
        .unwrap();
    let theirs = s.related("۰۹۳۵۰۰۰۱۱۱۱", "", "", now()).unwrap();
    let mut got = codes(theirs);
    got.sort();
    let mut want = vec![a.code, b.code];
    want.sort();
    assert_eq!(
        got, want,
        "cases the caller opened, and those they called about"
    );
}

/// The word index (SQLite FTS5, PostgreSQL GIN over the same words): the
/// spellings one thing has in Persian all find it, and the index follows
/// every write (register, import, an attached call).
#[allow(clippy::many_single_char_names)] // cases a and b, as in the other search test
fn search_understands_persian(f: &Fixture) {
    let mut s = f.open();
    let codes = |v: Vec<Case>| v.into_iter().map(|c| c.code).collect::<Vec<_>>();
    let mut flood = input();
    flood.name = "رضا موسوي".into(); // Arabic yeh
    flood.phone = "۰۹۱۷ ۳۳۳ ۴۴۵۵".into(); // Persian digits, in groups
    flood.address = "خيابان كارگر، پلاك ۴۵".into(); // Arabic yeh and kaf, Persian digits
    flood.description = "آب\u{200c}گرفتگی معبر بعد از باران".into(); // with a ZWNJ
    let a = s.register(&ali(), &flood, now()).unwrap();
    let mut other = input();
    other.phone = "09121230000".into();
    other.description = "آب گرفتگی در زیرگذر Tohid TUNNEL".into(); // with a space
    let b = s.register(&ali(), &other, now()).unwrap();
    let mut q = |text: &str| codes(s.search(text, 50).unwrap());

    assert_eq!(q("آب گرفتگی"), [b.code, a.code], "a space finds a ZWNJ");
    assert_eq!(
        q("آب\u{200c}گرفتگی"),
        [b.code, a.code],
        "a ZWNJ finds a space"
    );
    assert_eq!(
        q("آب\u{a0}گرفتگی"),
        [b.code, a.code],
        "a no-break space too"
    );
    assert_eq!(q("آبگرفتگی"), [a.code], "written solid: the ZWNJ spelling");
    assert_eq!(q("رضا موسوی"), [a.code], "Persian yeh finds Arabic yeh");
    assert_eq!(q("مريم احمدي"), [b.code], "Arabic yeh finds Persian yeh");
    assert_eq!(q("خیابان کارگر"), [a.code], "Persian kaf finds Arabic kaf");
    assert_eq!(
        q("کارگر پلاک 45"),
        [a.code],
        "ASCII digits find Persian ones"
    );
    assert!(
        q("کارگر پلاک 4").is_empty(),
        "a short number is a whole word"
    );
    assert_eq!(
        q("۰۹۱۷۳۳۳۴۴۵۵"),
        [a.code],
        "the whole phone, Persian digits"
    );
    assert_eq!(q("09173334455"), [a.code], "the whole phone, ASCII digits");
    assert_eq!(q("۰۹۱۷۳۳۳"), [a.code], "the start of a phone");
    assert_eq!(q("0917 333"), [a.code], "the start of a phone, in groups");
    assert_eq!(
        q("۰۹۱۷۳۳۳۴۴"),
        [a.code],
        "a start longer than the indexed ones"
    );
    assert_eq!(
        q("0917"),
        [a.code],
        "the shortest start of a number looked for"
    );
    assert_eq!(q("گرفت"), [b.code, a.code], "the start of a word");
    assert_eq!(q("موسوی کارگ"), [a.code], "words and the start of the last");
    assert_eq!(q("tohid tun"), [b.code], "Latin letters in any case");
    assert_eq!(q("TOHID"), [b.code]);
    let code = a.code.to_string();
    assert_eq!(q(&a.code.spoken()), [a.code], "a tracking code, exactly");
    assert!(
        q(&code[..6]).contains(&a.code),
        "the start of a tracking code"
    );
    assert!(
        q("بارانی").is_empty(),
        "a word is not the start of a longer one"
    );

    // An imported case, by its old system's id (exactly, in any digits, and
    // by its words), and by what it says.
    let mut old = s
        .export(0, 10)
        .unwrap()
        .into_iter()
        .find(|c| c.case.code == b.code)
        .unwrap();
    old.serial = None;
    old.case.old_id = Some("SR-2024-00917".into());
    old.case.citizen_name = "Jane Roe".into();
    old.case.description = "چاله در پياده‌رو".into();
    let imported = s.import(&[old]).unwrap()[0];
    let mut q = |text: &str| codes(s.search(text, 50).unwrap());
    assert_eq!(q("SR-2024-00917"), [imported]);
    assert_eq!(q("SR-۲۰۲۴-۰۰۹۱۷"), [imported], "its id in Persian digits");
    assert_eq!(q("sr 2024"), [imported], "the start of its id, in words");
    assert_eq!(q("jane roe"), [imported]);
    assert_eq!(q("پیاده رو"), [imported]);

    // An attached call adds its caller to the words of the case.
    assert!(q("حسین مرادی").is_empty());
    let contact = citydesk::domain::case::Contact {
        at: now(),
        channel: citydesk::domain::case::Channel::Phone,
        name: "حسين مرادي".into(),
        phone: "۰۹۱۹-۸۸۸-۷۷۶۶".into(),
        comment: None,
        registered_by: "ali".into(),
    };
    s.act(&ali(), b.code, None, &Action::Attach { contact }, now())
        .unwrap();
    let mut q = |text: &str| codes(s.search(text, 50).unwrap());
    assert_eq!(q("حسین مرادی"), [b.code], "the attached caller's name");
    assert_eq!(
        q("۰۹۱۹۸۸۸"),
        [b.code],
        "the start of the attached caller's phone"
    );
    // Other changes keep the words: the case is still found after them.
    s.act(&ali(), a.code, None, &Action::Take, now()).unwrap();
    let mut q = |text: &str| codes(s.search(text, 50).unwrap());
    assert_eq!(q("آبگرفتگی"), [a.code]);
    assert_eq!(q("حسین مرادی"), [b.code]);
    assert!(
        q("  ").is_empty() && q("،؟!").is_empty(),
        "no words, no cases"
    );
}

fn a_retried_submission_registers_once(f: &Fixture) {
    let mut s = f.open();
    let mut i = input();
    i.request_id = Some("console-ali-1".into());
    let first = s.register(&ali(), &i, now()).unwrap();
    let again = s
        .register(&ali(), &i, now() + Duration::seconds(5))
        .unwrap();
    assert_eq!(first.code, again.code);
    assert_eq!(s.case_count().unwrap(), 1);
}

fn drafts_are_kept_per_operator(f: &Fixture) {
    let mut s = f.open();
    let d = store::Draft {
        operator: "ali".into(),
        saved_at: now(),
        body: "{\"phone\":\"0912\"}".into(),
    };
    s.save_draft(&d).unwrap();
    let newer = store::Draft {
        saved_at: now() + Duration::seconds(3),
        body: "{\"phone\":\"09121\"}".into(),
        ..d.clone()
    };
    s.save_draft(&newer).unwrap();
    assert_eq!(s.drafts(Some("ali")).unwrap(), [newer]);
    assert!(s.drafts(Some("sara")).unwrap().is_empty());
    s.discard_draft("ali").unwrap();
    assert!(s.drafts(None).unwrap().is_empty());
}

/// The windows of the PostgreSQL word search: the newest two blocks of a
/// level under the newest id, and whether they reach back to the first case.
#[test]
fn the_windows_of_the_newest_ids() {
    use citydesk::store::sql::{pg_window, pg_window_size};
    assert_eq!(pg_window(1, 3000), ("'#1:0'".to_owned(), true));
    assert_eq!(pg_window_size(1, 3000), 3001, "ids 0 to 3,000");
    assert_eq!(pg_window_size(1, 1_000_000), 1_000_000 - 995_328 + 1);
    // 1,000,000 >> 12 = 244: ids from 243 × 4,096 = 995,328 on.
    assert_eq!(
        pg_window(1, 1_000_000),
        ("'#1:244' | '#1:243'".to_owned(), false)
    );
    assert_eq!(
        pg_window(4, 1_000_000),
        ("'#4:3' | '#4:2'".to_owned(), false)
    );
    assert_eq!(pg_window(4, 300_000), ("'#4:1' | '#4:0'".to_owned(), true));
}

/// When few cases match in all, PostgreSQL's search reads them all rather
/// than ask for a window: as the newest rows say, spread evenly, one more
/// than found (so none found still counts).
#[test]
fn the_postgres_search_reads_all_when_few_match() {
    use citydesk::store::sql::{PG_READ_ALL, PG_RECENT_ROWS, pg_reads_all};
    assert_eq!(PG_READ_ALL, 2000);
    // 1,000,000 ids: none of the newest 2,000 (about 500 in all), or 3 (2,000).
    assert!(pg_reads_all(1_000_000, PG_RECENT_ROWS, 0));
    assert!(pg_reads_all(1_000_000, PG_RECENT_ROWS, 3));
    assert!(!pg_reads_all(1_000_000, PG_RECENT_ROWS, 4));
    // After a window of 20,000 ids with 30 matches: 1,550 in all.
    assert!(pg_reads_all(1_000_000, 20_000, 30));
    assert!(!pg_reads_all(1_000_000, 20_000, 40));
    assert!(!pg_reads_all(10_000_000, PG_RECENT_ROWS, 0));
}
