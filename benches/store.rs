//! Store benchmarks at 10,000 and 1,000,000 cases, on SQLite and (when
//! CITYDESK_BENCH_PG names a server) on PostgreSQL side by side.
//!
//! Run: `cargo bench --bench store`, or with PostgreSQL on loopback:
//! `CITYDESK_BENCH_PG=postgres://postgres@127.0.0.1:55432/postgres cargo bench --bench store`.
//! The first run builds the demo stores (the 1M one takes about a minute)
//! under target/bench-stores and reuses them; each SQLite run works on a fresh
//! copy; the PostgreSQL stores (databases citydesk_bench_*) are filled once by
//! `migrate` from the SQLite ones and reused. Results: BENCHMARKS.md.

mod common;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};

use chrono::Duration;
use citydesk::demo;
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::CaseInput;
use citydesk::domain::roles::{Actor, Role};
use citydesk::store::{self, NewOperator, Page, Queue, Settings, Store};
use common::{now, pg_server};

fn main() {
    divan::main();
    // Remove this run's SQLite copies (the 1M one is over a gigabyte).
    if let Some(copies) = COPIES.get() {
        for path in copies.lock().unwrap().values() {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
        }
    }
}

/// Where a benchmark runs: an engine and a store size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Target {
    postgres: bool,
    cases: u64,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engine = if self.postgres { "postgres" } else { "sqlite" };
        write!(f, "{engine} {:>9}", self.cases)
    }
}

fn targets() -> Vec<Target> {
    let engines: &[bool] = if pg_server().is_some() {
        &[false, true]
    } else {
        &[false]
    };
    engines
        .iter()
        .flat_map(|&postgres| {
            [10_000, 1_000_000]
                .into_iter()
                .map(move |cases| Target { postgres, cases })
        })
        .collect()
}

fn operator() -> Actor {
    Actor {
        name: "bench".into(),
        role: Role::Operator,
    }
}

static COPIES: OnceLock<Mutex<HashMap<Target, String>>> = OnceLock::new();

/// A short key of the schema text, so a changed schema rebuilds the stores.
fn schema_key() -> String {
    common::key(&[store::SCHEMA_SQL])
}

/// The store for `t`: a private copy of the SQLite demo store, or the shared
/// PostgreSQL one.
fn store_for(t: Target) -> Box<dyn Store> {
    let copies = COPIES.get_or_init(Default::default);
    let mut copies = copies.lock().unwrap();
    let location = copies
        .entry(t)
        .or_insert_with(|| {
            let dir = common::stores_dir();
            let master = dir.join(format!("demo-{}-{}.db", t.cases, schema_key()));
            if !master.exists() {
                build(&master, t.cases);
            }
            if t.postgres {
                return postgres_copy(&master, t.cases);
            }
            let copy = dir.join(format!("run-{}-{}.db", t.cases, std::process::id()));
            std::fs::copy(&master, &copy).unwrap();
            copy.display().to_string()
        })
        .clone();
    store::open(&location, &Settings::default()).unwrap()
}

/// The PostgreSQL database holding the demo store of `cases`, made by migrating
/// the SQLite master into it if it does not exist yet.
fn postgres_copy(master: &std::path::Path, cases: u64) -> String {
    let name = format!("citydesk_bench_{cases}_{}", schema_key());
    let (url, exists, mut admin) = common::pg_database(&name);
    if !exists {
        eprintln!("copying the {cases}-case store into PostgreSQL database {name} …");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let mut from = store::open(master.to_str().unwrap(), &Settings::default()).unwrap();
        citydesk::migrate::migrate(
            from.as_mut(),
            &url,
            &Settings::default(),
            now(),
            &mut std::io::stderr(),
        )
        .unwrap();
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.batch_execute("VACUUM ANALYZE").unwrap();
    }
    url
}

fn build(path: &std::path::Path, n: u64) {
    eprintln!("building the {n}-case demo store at {} …", path.display());
    let tmp = path.with_extension("building");
    let _ = std::fs::remove_file(&tmp);
    let location = tmp.to_str().unwrap();
    let (mut s, _) =
        store::init(location, &Settings::default(), &Catalog::builtin(), now()).unwrap();
    let admin = NewOperator {
        name: "admin".into(),
        display_name: "admin".into(),
        role: Role::Administrator,
        password_hash: "!".into(),
    };
    s.add_operator(None, &admin, now()).unwrap();
    let by = Actor {
        name: "admin".into(),
        role: Role::Administrator,
    };
    let bench = NewOperator {
        name: "bench".into(),
        display_name: "bench".into(),
        role: Role::Operator,
        password_hash: "!".into(),
    };
    s.add_operator(Some(&by), &bench, now()).unwrap();
    demo::fill(
        s.as_mut(),
        &demo::Plan {
            cases: n,
            days: 90,
            seed: 137,
        },
        &Settings::default(),
        now(),
        &citydesk::progress::bar(false),
    )
    .unwrap();
    drop(s);
    std::fs::rename(&tmp, path).unwrap();
    for ext in ["building-wal", "building-shm"] {
        let _ = std::fs::remove_file(path.with_extension(ext));
    }
}

fn input(i: u64) -> CaseInput {
    CaseInput {
        phone: format!("0912{:07}", i % 10_000_000),
        name: "مریم احمدی".into(),
        service: "pothole".into(),
        district: "3".into(),
        neighborhood: "کوی خضر".into(),
        address: "خیابان فردوسی، کوچه ۱۲".into(),
        description: "چاله بزرگ جلوی پلاک ۱۲".into(),
        ..CaseInput::default()
    }
}

/// Registering one case, committed durably (SQLite: WAL, synchronous=FULL;
/// PostgreSQL: a committed transaction, fsync on).
#[divan::bench(args = targets(), sample_count = 30, sample_size = 1)]
fn register_case(bencher: divan::Bencher, t: Target) {
    let mut s = store_for(t);
    let by = operator();
    let mut i = 0;
    bencher.bench_local(|| {
        i += 1;
        s.register(&by, &input(i), now()).unwrap()
    });
}

/// The first page (50 rows) of the overdue queue.
#[divan::bench(args = targets(), sample_count = 100)]
fn overdue_first_page(bencher: divan::Bencher, t: Target) {
    let mut s = store_for(t);
    let rows = s.queue(&Queue::Overdue, Page::default(), now()).unwrap();
    assert_eq!(rows.len(), 50, "the demo store has a full overdue page");
    bencher.bench_local(|| s.queue(&Queue::Overdue, Page::default(), now()).unwrap());
}

/// The counts of all six queues (the console's tab bar).
#[divan::bench(args = targets(), sample_count = 100)]
fn queue_counts(bencher: divan::Bencher, t: Target) {
    let mut s = store_for(t);
    bencher.bench_local(|| s.queue_counts("bench", Duration::hours(4), now()).unwrap());
}

/// The first page of the special follow-up queue, for comparison.
#[divan::bench(args = targets(), sample_count = 50)]
fn follow_up_first_page(bencher: divan::Bencher, t: Target) {
    let mut s = store_for(t);
    bencher.bench_local(|| s.queue(&Queue::FollowUp, Page::default(), now()).unwrap());
}

/// The handover of the last complete shift (the night before "now"): what it
/// did, from its events, and the six lists it hands over.
#[divan::bench(args = targets(), sample_count = 10, sample_size = 1)]
fn shift_handover(bencher: divan::Bencher, t: Target) {
    let mut s = store_for(t);
    let settings = Settings::default();
    let center = &settings.center;
    let shift = center.previous(&center.shift_of(now())).unwrap();
    let h = citydesk::report::handover(s.as_mut(), &settings, &shift, now()).unwrap();
    assert!(h.activity.all.contacts > 0, "the demo shift has contacts");
    bencher
        .bench_local(|| citydesk::report::handover(s.as_mut(), &settings, &shift, now()).unwrap());
}

/// The last 30 days' figures, by department and by shift (the grouping that
/// reads each case's first timeline entry).
#[divan::bench(args = targets(), consts = [0, 1], sample_count = 10, sample_size = 1)]
fn month_report<const BY_SHIFT: u8>(bencher: divan::Bencher, t: Target) {
    use citydesk::report::figures::{GroupBy, ReportQuery};
    let mut s = store_for(t);
    let q = ReportQuery {
        from: now() - Duration::days(30),
        to: now(),
        by: if BY_SHIFT == 1 {
            GroupBy::Shift
        } else {
            GroupBy::Department
        },
        now: now(),
    };
    let r = citydesk::report::report(s.as_mut(), &q).unwrap();
    assert!(r.total.cases > 0);
    bencher.bench_local(|| citydesk::report::report(s.as_mut(), &q).unwrap());
}
