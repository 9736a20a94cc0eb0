//! The store contract: what every engine must do, checked through the `Store`
//! trait only. Runs on SQLite here; the PostgreSQL store runs the same checks.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use citydesk::demo;
use citydesk::domain::case::{Case, Status};
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::CaseInput;
use citydesk::domain::roles::{Actor, Role};
use citydesk::domain::workflow::Action;
use citydesk::store::{self, NewOperator, Page, Queue, Settings, Store, StoreError};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: String,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db").display().to_string();
        let (mut s, _) =
            store::init(&path, &Settings::default(), &Catalog::builtin(), now()).unwrap();
        let admin = NewOperator {
            name: "admin".into(),
            display_name: "مدیر".into(),
            role: Role::Administrator,
            password_hash: "!".into(),
        };
        s.add_operator(None, &admin, now()).unwrap();
        let by = Actor {
            name: "admin".into(),
            role: Role::Administrator,
        };
        for (name, role) in [
            ("ali", Role::Operator),
            ("sara", Role::FollowUpOfficer),
            ("reza", Role::FollowUpOfficer),
        ] {
            let op = NewOperator {
                name: name.into(),
                display_name: name.into(),
                role,
                password_hash: "!".into(),
            };
            s.add_operator(Some(&by), &op, now()).unwrap();
        }
        Fixture { _dir: dir, path }
    }

    fn open(&self) -> Box<dyn Store> {
        store::open(&self.path, &Settings::default()).unwrap()
    }
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
        district: "6".into(),
        neighborhood: "یوسف‌آباد".into(),
        address: "خیابان ۱۲".into(),
        description: "چراغ خاموش است\nاز دیشب".into(),
        ..CaseInput::default()
    }
}

#[test]
fn a_registered_case_reads_back_exactly() {
    let f = Fixture::new();
    let mut s = f.open();
    let case = s.register(&ali(), &input(), now()).unwrap();
    let record = s.case(case.code).unwrap();
    assert_eq!(record.case, case);
    assert_eq!(record.case.department, "facilities");
    assert_eq!(record.contacts.len(), 1);
    assert_eq!(record.contacts[0].phone, "۰۹۱۲۱۲۳۴۵۶۷");
    assert_eq!(record.timeline.len(), 1);
    assert_eq!(record.timeline[0].action, "register");
    assert_eq!(record.timeline[0].shift, "2026-11-28/morning");
    assert_eq!(record.timeline[0].to, Some(Status::Registered));
}

#[test]
fn a_stale_version_is_refused_and_names_who_changed_it() {
    let f = Fixture::new();
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

#[test]
fn the_timeline_is_append_only_in_the_engine_itself() {
    let f = Fixture::new();
    let mut s =
        store::sqlite::SqliteStore::open(std::path::Path::new(&f.path), Settings::default())
            .unwrap();
    s.register(&ali(), &input(), now()).unwrap();
    let conn = s.connection();
    let e = conn
        .execute("UPDATE timeline SET detail = 'forged'", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = conn.execute("DELETE FROM timeline", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM timeline", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_store_from_a_newer_citydesk_is_refused() {
    let f = Fixture::new();
    {
        let s =
            store::sqlite::SqliteStore::open(std::path::Path::new(&f.path), Settings::default())
                .unwrap();
        s.connection()
            .execute(
                "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
                [],
            )
            .unwrap();
    }
    let e = store::open(&f.path, &Settings::default())
        .err()
        .expect("refused");
    assert!(e.to_string().contains("schema version 99"), "{e}");
    assert!(e.to_string().contains("newer citydesk"), "{e}");
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
#[test]
fn queues_and_counts_match_the_rules_on_a_demo_history() {
    let f = Fixture::new();
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
        &mut std::io::sink(),
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
    let read_all = |s: &mut dyn Store| -> Vec<Case> {
        (1..=4000u64)
            .map(|n| {
                s.case(citydesk::domain::tracking::TrackingCode::from_serial(n))
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
        Queue::DueSoon(_) => counts.due_soon,
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
                Queue::Overdue | Queue::DueSoon(_) | Queue::Mine(_) => w[0].due_at <= w[1].due_at,
                Queue::Unreferred | Queue::Feedback => {
                    (w[0].priority, std::cmp::Reverse(w[0].status_since))
                        >= (w[1].priority, std::cmp::Reverse(w[1].status_since))
                }
                Queue::FollowUp => {
                    let key = |c: &Case| {
                        if c.status == Status::FollowUp {
                            c.status_since
                        } else {
                            c.escalate_at
                        }
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

#[test]
fn demo_is_deterministic_for_a_seed() {
    let run = || {
        let f = Fixture::new();
        let mut s = f.open();
        demo::fill(
            s.as_mut(),
            &demo::Plan {
                cases: 300,
                days: 10,
                seed: 42,
            },
            &Settings::default(),
            now(),
            &mut std::io::sink(),
        )
        .unwrap();
        (1..=300u64)
            .map(|n| {
                s.case(citydesk::domain::tracking::TrackingCode::from_serial(n))
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

/// No queue query reads the whole table: every access to `cases` is an index
/// search, and none sorts the table (EXPLAIN QUERY PLAN on a store with data,
/// after ANALYZE, as the planner sees a real store).
#[test]
fn every_queue_query_is_an_index_search() {
    use citydesk::store::sql::{COUNTS_SQL, Param, queue_sql};
    use citydesk::store::sqlite::SqliteStore;
    let f = Fixture::new();
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
            &mut std::io::sink(),
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
    let mut statements: Vec<(String, String, Vec<Param>)> = queues
        .iter()
        .map(|q| {
            let (sql, params) = queue_sql(q, Page::default(), now());
            (format!("{q:?}"), sql, params)
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
}
