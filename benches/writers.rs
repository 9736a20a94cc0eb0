//! Many writer processes on one SQLite store: 8 and 32 processes register
//! cases at once, each timing every registration (durable commit included).
//! Run once with SQLite's own busy handler (what citydesk had) and once with
//! citydesk's (`store::sqlite::on_busy`), in one run, on fresh stores. Prints
//! per configuration: registrations, errors, throughput, p50 / p99 / max.
//! Not part of `cargo test` (a bench target, harness = false).
//!
//! Run: `cargo bench --bench writers`
//! Knobs: WRITERS_CASES (registrations per process, 60), WRITERS_SETS
//! ("8,32"). Results: BENCHMARKS.md ("Many writers").

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::CaseInput;
use citydesk::domain::roles::{Actor, Role};
use citydesk::store::{self, NewOperator, Settings};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn var(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes --bench; a child is started with WRITERS_CHILD.
    if let Ok(spec) = std::env::var("WRITERS_CHILD") {
        child(&spec);
        return;
    }
    let cases = var("WRITERS_CASES", 60);
    let sets: Vec<usize> = std::env::var("WRITERS_SETS")
        .unwrap_or_else(|_| "8,32".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "{:<18} {:>7} {:>6} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "busy handler", "writers", "cases", "errors", "cases/s", "p50 ms", "p99 ms", "max ms"
    );
    for &writers in &sets {
        for own in [true, false] {
            run(writers, cases, own);
        }
    }
}

/// One configuration on a fresh store.
fn run(writers: usize, cases: u64, sqlite_own: bool) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db").display().to_string();
    {
        let (mut s, _) =
            store::init(&path, &Settings::default(), &Catalog::builtin(), now()).unwrap();
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
        let op = NewOperator {
            name: "ali".into(),
            display_name: "ali".into(),
            role: Role::Operator,
            password_hash: "!".into(),
        };
        s.add_operator(Some(&by), &op, now()).unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..writers)
        .map(|w| {
            Command::new(&exe)
                .env(
                    "WRITERS_CHILD",
                    format!("{path}|{w}|{cases}|{}", u8::from(sqlite_own)),
                )
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    // Every child has opened the store and waits: then all start at once.
    let mut readers: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().unwrap()))
        .collect();
    for r in &mut readers {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready");
    }
    let start = Instant::now();
    for c in &mut children {
        let mut stdin = c.stdin.take().unwrap();
        stdin.write_all(b"go\n").unwrap();
    }
    let mut lat: Vec<Duration> = Vec::new();
    let mut errors = 0u64;
    for (r, mut c) in readers.into_iter().zip(children) {
        for line in r.lines() {
            let line = line.unwrap();
            if let Some(("ok", us)) = line.split_once(' ') {
                lat.push(Duration::from_micros(us.parse().unwrap()));
            } else {
                errors += 1;
                eprintln!("{line}");
            }
        }
        assert!(c.wait().unwrap().success());
    }
    let wall = start.elapsed();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "{:<18} {:>7} {:>6} {:>6} {:>9.0} {:>9.1} {:>9.1} {:>9.1}",
        if sqlite_own {
            "SQLite's own"
        } else {
            "citydesk on_busy"
        },
        writers,
        lat.len(),
        errors,
        lat.len() as f64 / wall.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
    let mut s = store::open(&path, &Settings::default()).unwrap();
    assert_eq!(
        s.case_count().unwrap(),
        lat.len() as u64,
        "every case landed"
    );
}

/// A writer process: open, say ready, wait for go, register, print each time.
fn child(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let (path, w, cases, own) = (
        parts[0],
        parts[1].parse::<u64>().unwrap(),
        parts[2].parse::<u64>().unwrap(),
        parts[3] == "1",
    );
    store::sqlite::use_sqlite_busy_handler(own);
    let mut s = store::open(path, &Settings::default()).unwrap();
    let by = Actor {
        name: "ali".into(),
        role: Role::Operator,
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    for i in 0..cases {
        let input = CaseInput {
            phone: format!("0912{w:03}{i:04}"),
            name: format!("تماس {w}-{i}"),
            service: "trash-missed".into(),
            district: format!("{}", w % 5 + 1),
            address: format!("خیابان {i}"),
            description: format!("writer {w} case {i}"),
            ..CaseInput::default()
        };
        let t = Instant::now();
        match s.register(&by, &input, now()) {
            Ok(_) => writeln!(out, "ok {}", t.elapsed().as_micros()).unwrap(),
            Err(e) => writeln!(out, "error {e}").unwrap(),
        }
    }
}
