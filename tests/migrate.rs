//! Moving a store: everything arrives, codes kept, queues and counts identical
//! on both sides, and a non-empty target is refused.

mod common;

use chrono::{DateTime, Duration, Utc};

use citydesk::demo;
use citydesk::domain::roles::{Actor, Role};
use citydesk::store::{self, Page, Queue, Settings, Store};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn demo_store(location: &str, cases: u64) -> Box<dyn Store> {
    // A real-looking hash, so that copying it is checked.
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
    let mut s = common::seeded_store(
        location,
        now(),
        "مدیر سامانه",
        hash,
        &[("followup1", Role::FollowUpOfficer)],
    );
    demo::fill(
        s.as_mut(),
        &demo::Plan {
            cases,
            days: 90,
            seed: 11,
        },
        &Settings::default(),
        now(),
        &indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    s
}

/// Both stores answer every queue and count alike.
fn same_answers(a: &mut dyn Store, b: &mut dyn Store) {
    let queues = [
        Queue::Unreferred,
        Queue::Overdue,
        Queue::DueSoon(Duration::hours(4)),
        Queue::Feedback,
        Queue::FollowUp,
        Queue::Mine("followup1".into()),
    ];
    for q in &queues {
        for offset in [0, 50, 100] {
            let page = Page { limit: 50, offset };
            assert_eq!(
                a.queue(q, page, now()).unwrap(),
                b.queue(q, page, now()).unwrap(),
                "{q:?} at {offset}"
            );
        }
    }
    assert_eq!(
        a.queue_counts("followup1", Duration::hours(4), now())
            .unwrap(),
        b.queue_counts("followup1", Duration::hours(4), now())
            .unwrap()
    );
    assert_eq!(a.totals().unwrap(), b.totals().unwrap());
    assert_eq!(
        a.operators().unwrap(),
        b.operators().unwrap(),
        "hashes included"
    );
    assert_eq!(a.catalog(), b.catalog());
    let key = a.code_key().unwrap();
    assert_eq!(
        key,
        b.code_key().unwrap(),
        "the copy keeps the source's key"
    );
    for serial in [1u64, 2, 777] {
        let code = citydesk::domain::tracking::TrackingCode::from_serial(key, serial);
        assert_eq!(a.case(code).unwrap(), b.case(code).unwrap());
    }
}

fn round_trip(from: &str, to: &str, cases: u64) {
    let mut source = demo_store(from, cases);
    let report = citydesk::migrate::migrate(
        source.as_mut(),
        to,
        &Settings::default(),
        now(),
        &mut std::io::sink(),
    )
    .unwrap();
    assert_eq!(report.source.cases, cases);
    assert_eq!(report.source, report.target);
    assert_eq!(report.source_checksum, report.target_checksum);
    let mut target = store::open(to, &Settings::default()).unwrap();
    same_answers(source.as_mut(), target.as_mut());
    // New cases in the target continue the serials: no code is reused.
    let before = target.totals().unwrap().cases;
    let by = Actor {
        name: "followup1".into(),
        role: Role::FollowUpOfficer,
    };
    let input = citydesk::domain::intake::CaseInput {
        phone: "09121234567".into(),
        name: "x".into(),
        service: "pothole".into(),
        district: "1".into(),
        address: "x".into(),
        description: "x".into(),
        ..Default::default()
    };
    let new = target.register(&by, &input, now()).unwrap();
    assert_eq!(
        new.code,
        citydesk::domain::tracking::TrackingCode::from_serial(
            target.code_key().unwrap(),
            before + 1
        )
    );

    // A second migration into the now non-empty target is refused and changes nothing.
    let err = citydesk::migrate::migrate(
        source.as_mut(),
        to,
        &Settings::default(),
        now(),
        &mut std::io::sink(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("migrate only into an empty store"), "{err}");
    assert_eq!(target.totals().unwrap().cases, before + 1);
}

#[test]
fn sqlite_to_sqlite_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("a.db").display().to_string();
    let to = dir.path().join("b.db").display().to_string();
    round_trip(&from, &to, 3_000);
}

#[test]
fn a_hundred_thousand_cases_move_to_postgres() {
    let Some(server) = common::pg::server() else {
        return;
    };
    let db = common::pg::TempDb::new(&server);
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("a.db").display().to_string();
    round_trip(&from, &db.url, 100_000);
}

#[test]
fn the_cli_migrates_and_reports_the_proof() {
    let env = common::Env::new();
    env.new_case(&[]);
    let to = env.dir.path().join("copy.db").display().to_string();
    let out = env.ok(
        Some("admin"),
        &["migrate", "--from", &env.store, "--to", &to],
    );
    assert!(
        out.contains("cases 1 · contacts 1 · timeline entries 1 · operators 4 · drafts 0"),
        "{out}"
    );
    assert!(out.contains("verified"), "{out}");
    let err = env.refused(
        Some("admin"),
        &["migrate", "--from", &env.store, "--to", &to],
    );
    assert!(
        err.contains("already holds 1 cases and 4 operators"),
        "{err}"
    );
}

/// Issue 10: a NUL kept by an old SQLite store broke `migrate` to
/// PostgreSQL halfway, leaving the target half-filled and refused on retry.
/// Now the whole source is read and checked before anything is written: the
/// copy is refused, naming the case, and the target is not even created.
#[test]
fn a_source_text_no_engine_may_keep_stops_the_copy_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("a.db").display().to_string();
    let mut source = demo_store(&from, 300);
    // Written behind the store's back, as citydesk before input refused NUL did.
    rusqlite::Connection::open(&from)
        .unwrap()
        .execute_batch(
            "UPDATE cases SET description = 'a' || char(0) || 'b' WHERE id = (SELECT MAX(id) FROM cases)",
        )
        .unwrap();
    let pg = common::pg::server().map(|s| common::pg::TempDb::new(&s));
    let file = dir.path().join("b.db");
    let to = pg
        .as_ref()
        .map_or_else(|| file.display().to_string(), |db| db.url.clone());
    let err = citydesk::migrate::migrate(
        source.as_mut(),
        &to,
        &Settings::default(),
        now(),
        &mut std::io::sink(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("holds a NUL character"), "{err}");
    assert!(err.contains("nothing was copied"), "{err}");
    if let Some(db) = &pg {
        let mut c = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
        let tables: i64 = c
            .query_one(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(tables, 0, "the target was not touched");
    } else {
        assert!(!file.exists(), "the target was not created");
    }
}

/// Issue 10: a copy into PostgreSQL cut short by a lost server left a
/// half-filled target that the next run refused. Now the copy is one
/// transaction on the target: the server process doing it is ended in the
/// middle of the cases (as a server restart would), the target is as empty
/// as before, and running migrate again copies everything and verifies.
#[test]
fn a_copy_cut_short_leaves_the_target_empty_and_the_next_run_completes_it() {
    let Some(server) = common::pg::server() else {
        return;
    };
    let db = common::pg::TempDb::new(&server);
    let dir = tempfile::tempdir().unwrap();
    let from = dir.path().join("a.db").display().to_string();
    let source = demo_store(&from, 15_000);
    let url = db.url.clone();
    let copy = std::thread::spawn(move || {
        let mut source = source;
        let out = citydesk::migrate::migrate(
            source.as_mut(),
            &url,
            &Settings::default(),
            now(),
            &mut std::io::sink(),
        );
        (source, out.map(|_| ()).map_err(|e| e.to_string()))
    });
    // Wait until the copy is writing cases, then end its server process.
    let mut admin = ::postgres::Client::connect(&db.url, ::postgres::NoTls).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let ended = loop {
        let row = admin
            .query_opt(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                 AND application_name = 'citydesk' AND query LIKE 'COPY cases%'",
                &[],
            )
            .unwrap();
        if let Some(r) = row {
            break r.get::<_, bool>(0);
        }
        assert!(
            std::time::Instant::now() < deadline && !copy.is_finished(),
            "the copy was never seen writing cases"
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    assert!(ended, "the copy's server process was ended");
    let (mut source, out) = copy.join().unwrap();
    let err = out.expect_err("the cut copy fails");
    assert!(err.contains("cannot be reached"), "{err}");
    let mut target = store::open(&db.url, &Settings::default()).unwrap();
    let left = target.totals().unwrap();
    assert_eq!(
        (left.cases, left.operators, left.timeline),
        (0, 0, 0),
        "nothing of the cut copy is left"
    );

    let report = citydesk::migrate::migrate(
        source.as_mut(),
        &db.url,
        &Settings::default(),
        now(),
        &mut std::io::sink(),
    )
    .unwrap();
    assert_eq!(report.source.cases, 15_000);
    assert_eq!(report.source, report.target);
    assert_eq!(report.source_checksum, report.target_checksum);
    let verified = target.verify().unwrap();
    assert!(verified.breaks.is_empty(), "{:?}", verified.breaks);
    same_answers(source.as_mut(), target.as_mut());
}
