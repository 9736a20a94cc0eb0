//! Store benchmarks at 10,000 and 1,000,000 cases (SQLite).
//!
//! Run: `cargo bench --bench store`. The first run builds the demo stores (the
//! 1M one takes about a minute) under target/bench-stores and reuses them;
//! each run works on a fresh copy. Results and medians: BENCHMARKS.md.

use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use citydesk::demo;
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::CaseInput;
use citydesk::domain::roles::{Actor, Role};
use citydesk::store::{self, NewOperator, Page, Queue, Settings, Store};

fn main() {
    divan::main();
    // Remove this run's copies (the 1M one is over a gigabyte).
    if let Some(copies) = COPIES.get() {
        for path in copies.lock().unwrap().values() {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

type Copies = std::sync::Mutex<std::collections::HashMap<u64, PathBuf>>;
static COPIES: OnceLock<Copies> = OnceLock::new();

const SIZES: [u64; 2] = [10_000, 1_000_000];

/// The fixed "now" the demo stores were generated at.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn operator() -> Actor {
    Actor {
        name: "bench".into(),
        role: Role::Operator,
    }
}

/// A private copy of the demo store with `n` cases.
fn store_with(n: u64) -> Box<dyn Store> {
    let copies = COPIES.get_or_init(Default::default);
    let mut copies = copies.lock().unwrap();
    let path = copies
        .entry(n)
        .or_insert_with(|| {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .unwrap()
                .join("bench-stores");
            std::fs::create_dir_all(&dir).unwrap();
            // Keyed by the schema text, so a changed schema rebuilds the store.
            let schema = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                store::SCHEMA_SQL.hash(&mut h);
                h.finish()
            };
            let master = dir.join(format!("demo-{n}-{schema:016x}.db"));
            if !master.exists() {
                build(&master, n);
            }
            let copy = dir.join(format!("run-{n}-{}.db", std::process::id()));
            std::fs::copy(&master, &copy).unwrap();
            copy
        })
        .clone();
    store::open(path.to_str().unwrap(), &Settings::default()).unwrap()
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
        &mut std::io::stderr(),
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
        neighborhood: "بازار".into(),
        address: "خیابان فردوسی، کوچه ۱۲".into(),
        description: "چاله بزرگ جلوی پلاک ۱۲".into(),
        ..CaseInput::default()
    }
}

/// Registering one case, committed durably (WAL, synchronous=FULL).
#[divan::bench(args = SIZES, sample_count = 30, sample_size = 1)]
fn register_case(bencher: divan::Bencher, n: u64) {
    let mut s = store_with(n);
    let by = operator();
    let mut i = 0;
    bencher.bench_local(|| {
        i += 1;
        s.register(&by, &input(i), now()).unwrap()
    });
}

/// The first page (50 rows) of the overdue queue.
#[divan::bench(args = SIZES, sample_count = 100)]
fn overdue_first_page(bencher: divan::Bencher, n: u64) {
    let mut s = store_with(n);
    let rows = s.queue(&Queue::Overdue, Page::default(), now()).unwrap();
    assert_eq!(rows.len(), 50, "the demo store has a full overdue page");
    bencher.bench_local(|| s.queue(&Queue::Overdue, Page::default(), now()).unwrap());
}

/// The counts of all six queues (the console's tab bar).
#[divan::bench(args = SIZES, sample_count = 100)]
fn queue_counts(bencher: divan::Bencher, n: u64) {
    let mut s = store_with(n);
    bencher.bench_local(|| s.queue_counts("bench", Duration::hours(4), now()).unwrap());
}

/// The first page of every other queue, for comparison.
#[divan::bench(args = SIZES, sample_count = 50)]
fn follow_up_first_page(bencher: divan::Bencher, n: u64) {
    let mut s = store_with(n);
    bencher.bench_local(|| s.queue(&Queue::FollowUp, Page::default(), now()).unwrap());
}
