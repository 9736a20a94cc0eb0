//! `citydesk import csv` on the real Boston export (20,771 rows,
//! shared/data/real/records/boston_311_2015-03_to_2015-04.csv) into a fresh
//! SQLite store each time: reading and checking every row, planning the new
//! catalog entries, and the one transaction that writes them and the cases.
//! divan reports the time and the rows per second (items/s).
//!
//! Run: `cargo bench --bench import`. Results: BENCHMARKS.md.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use citydesk::domain::catalog::Catalog;
use citydesk::domain::roles::{Actor, Role};
use citydesk::import::{self, mapping::Mapping};
use citydesk::store::{self, NewOperator, Settings, Store};
use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

const ROWS: usize = 20_771;

fn boston() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real/records/boston_311_2015-03_to_2015-04.csv")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A new store in a temporary folder, with an operator to import as.
fn fresh() -> (tempfile::TempDir, Box<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("s.db").display().to_string();
    let (mut s, _) =
        store::init(&location, &Settings::default(), &Catalog::builtin(), now()).unwrap();
    let op = NewOperator {
        name: "bench".into(),
        display_name: "bench".into(),
        role: Role::Supervisor,
        password_hash: "!".into(),
    };
    s.add_operator(None, &op, now()).unwrap();
    (dir, s)
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn boston_into_a_fresh_sqlite_store(bencher: divan::Bencher) {
    let mapping = Mapping::shipped("boston").unwrap();
    let file = boston();
    let by = Actor {
        name: "bench".into(),
        role: Role::Supervisor,
    };
    bencher
        .counter(ItemsCount::new(ROWS))
        .with_inputs(fresh)
        .bench_local_values(|(dir, mut s)| {
            let summary = import::run(
                s.as_mut(),
                &by,
                &Settings::default(),
                &import::Options {
                    file: &file,
                    mapping: &mapping,
                    skip_bad: false,
                    dry_run: false,
                    lang: citydesk::locale::Lang::En,
                },
                &indicatif::ProgressBar::hidden(),
            )
            .unwrap();
            assert_eq!(summary.imported, ROWS as u64);
            (dir, s)
        });
}
