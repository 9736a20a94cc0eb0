//! `citydesk import csv` on the real exports in shared/data/real/records:
//! what the store holds afterwards is checked against figures computed here
//! from the raw CSV (with the csv crate and chrono-tz, not the import's own
//! code): counts by status and department, every time exactly, and Boston's
//! own on-time verdicts. Runs on SQLite; the whole-file test also on
//! PostgreSQL (see `common::pg::server`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use citydesk::domain::case::{Case, Channel, Status, no_deadline};
use citydesk::domain::event::What;
use citydesk::domain::roles::{Actor, Role};
use citydesk::import::mapping::Mapping;
use citydesk::import::{self, ImportError, Options, Summary};
use citydesk::store::{self, ImportCase, Settings, Store, StoreError};

mod common;

const RECORDS: &str = "../shared/data/real/records";
const BOSTON: &str = "boston_311_2015-03_to_2015-04.csv";

fn records(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(RECORDS)
        .join(name)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn ali() -> Actor {
    Actor {
        name: "ali".into(),
        role: Role::Operator,
    }
}

/// A fresh store with operators admin and ali.
fn seeded(location: &str) -> Box<dyn Store> {
    common::seeded_store(location, now(), "admin", "!", &[("ali", Role::Operator)])
}

fn sqlite() -> (tempfile::TempDir, Box<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let s = seeded(&dir.path().join("s.db").display().to_string());
    (dir, s)
}

fn run(
    store: &mut dyn Store,
    file: &Path,
    mapping: &str,
    skip_bad: bool,
    dry_run: bool,
) -> Result<Summary, ImportError> {
    let mapping = Mapping::shipped(mapping).unwrap();
    import::run(
        store,
        &ali(),
        &Settings::default(),
        &Options {
            file,
            mapping: &mapping,
            skip_bad,
            dry_run,
            lang: citydesk::locale::Lang::En,
        },
        &indicatif::ProgressBar::hidden(),
    )
}

/// Every case in the store, read back through `Store::export`.
fn all_cases(store: &mut dyn Store) -> Vec<ImportCase> {
    let mut out: Vec<ImportCase> = Vec::new();
    loop {
        let after = out.last().and_then(|c| c.serial).unwrap_or(0);
        let page = store.export(after, 5_000).unwrap();
        if page.is_empty() {
            return out;
        }
        out.extend(page);
    }
}

/// The rows of a CSV file by column name, read independently of the import.
fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// A Boston time (New York wall clock) in UTC; None for an empty cell.
fn boston_time(cell: &str) -> Option<DateTime<Utc>> {
    if cell.is_empty() {
        return None;
    }
    let local = NaiveDateTime::parse_from_str(cell, "%m/%d/%Y %I:%M:%S %p").unwrap();
    Some(
        chrono_tz::America::New_York
            .from_local_datetime(&local)
            .earliest()
            .unwrap()
            .with_timezone(&Utc),
    )
}

/// Writes the header and the first `n` data rows of `source` to `dir`,
/// changing cells with `edit(row index, column name, cell)`.
fn head(
    dir: &Path,
    source: &Path,
    n: usize,
    edit: impl Fn(usize, &str, &str) -> Option<String>,
) -> PathBuf {
    let mut r = csv::Reader::from_path(source).unwrap();
    let header = r.headers().unwrap().clone();
    let path = dir.join(source.file_name().unwrap());
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&header).unwrap();
    for (i, rec) in r.records().take(n).enumerate() {
        let rec = rec.unwrap();
        let row: Vec<String> = header
            .iter()
            .zip(rec.iter())
            .map(|(h, c)| edit(i, h, c).unwrap_or_else(|| c.to_owned()))
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    path
}

/// The whole Boston file: counts by CASE_STATUS and by Department, every
/// time kept exactly, and each Department's ONTIME / OVERDUE counts
/// reproduced from what the store holds.
fn the_whole_boston_file_imports_exactly(store: &mut dyn Store) {
    let path = records(BOSTON);
    let rows = csv_rows(&path);
    let summary = run(store, &path, "boston", false, false).unwrap();
    assert_eq!(summary.rows, rows.len() as u64);
    assert_eq!(summary.imported, rows.len() as u64);
    assert_eq!(summary.refused, 0);
    assert_eq!(summary.new_departments.len(), 14, "{summary:?}");

    let cases = all_cases(store);
    assert_eq!(cases.len(), rows.len());
    let by_old: HashMap<&str, &ImportCase> = cases
        .iter()
        .map(|c| (c.case.old_id.as_deref().unwrap(), c))
        .collect();
    assert_eq!(by_old.len(), rows.len(), "every old id once");

    // By CASE_STATUS: Closed rows are closed cases, Open rows referred ones.
    let mut want: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &rows {
        *want.entry(r["CASE_STATUS"].as_str()).or_default() += 1;
    }
    let count = |s: Status| cases.iter().filter(|c| c.case.status == s).count() as u64;
    assert_eq!(count(Status::Closed), want["Closed"]);
    assert_eq!(count(Status::Referred), want["Open"]);
    assert_eq!(want["Closed"] + want["Open"], rows.len() as u64);

    // By Department: each of the file's departments is one department of
    // the store, holding exactly that department's cases.
    let mut file_dept: BTreeMap<&str, u64> = BTreeMap::new();
    let mut store_dept_of: HashMap<&str, &str> = HashMap::new();
    for r in &rows {
        let c = &by_old[r["CASE_ENQUIRY_ID"].as_str()].case;
        *file_dept.entry(r["Department"].as_str()).or_default() += 1;
        let d = store_dept_of
            .entry(r["Department"].as_str())
            .or_insert(c.department.as_str());
        assert_eq!(*d, c.department, "{} split", r["Department"]);
    }
    let mut store_dept: HashMap<&str, u64> = HashMap::new();
    for c in &cases {
        *store_dept.entry(c.case.department.as_str()).or_default() += 1;
    }
    assert_eq!(
        store_dept.len(),
        file_dept.len(),
        "no two departments merged"
    );
    for (dept, n) in &file_dept {
        assert_eq!(store_dept[store_dept_of[dept]], *n, "{dept}");
    }
    assert_eq!(file_dept["PWDx"], 9975);

    // Every time as the file says, in New York's zone; one contact, one
    // timeline entry.
    for r in &rows {
        let ic = by_old[r["CASE_ENQUIRY_ID"].as_str()];
        let c = &ic.case;
        let received = boston_time(&r["OPEN_DT"]).unwrap();
        assert_eq!(c.received_at, received);
        assert_eq!(c.registered_at, received);
        let due = boston_time(&r["TARGET_DT"]);
        assert_eq!(
            c.due_at,
            due.unwrap_or_else(no_deadline),
            "{}",
            r["CASE_ENQUIRY_ID"]
        );
        assert_eq!(c.has_deadline(), due.is_some());
        if r["CASE_STATUS"] == "Closed" {
            assert_eq!(c.closed_at, boston_time(&r["CLOSED_DT"]));
        } else {
            assert_eq!(c.closed_at, None);
        }
        assert_eq!(c.version, 1);
        assert_eq!(c.citizen_phone, "0000000");
        assert_eq!(ic.contacts.len(), 1);
        assert_eq!(ic.timeline.len(), 1);
        let e = &ic.timeline[0];
        assert_eq!(
            (e.seq, e.at, e.from, e.to),
            (1, received, None, Some(c.status))
        );
        assert_eq!(e.actor, "ali");
        assert_eq!(
            e.what,
            What::Import {
                source: "boston".into(),
                old_id: r["CASE_ENQUIRY_ID"].clone()
            }
        );
    }
    let channel = |src: &str| {
        let id = rows.iter().find(|r| r["Source"] == src).unwrap()["CASE_ENQUIRY_ID"].as_str();
        by_old[id].case.channel
    };
    assert_eq!(channel("Constituent Call"), Channel::Phone);
    assert_eq!(channel("Citizens Connect App"), Channel::MobileApp);

    // OnTime_Status per Department, from the file...
    let mut want: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in &rows {
        let e = want.entry(r["Department"].as_str()).or_default();
        match r["OnTime_Status"].as_str() {
            "ONTIME" => e.0 += 1,
            "OVERDUE" => e.1 += 1,
            _ => {}
        }
    }
    // ... and from the store, by the rule: closed by its due time, or no
    // deadline, or still open and due after the export.
    let exported = DateTime::parse_from_rfc3339("2016-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let on_time = |c: &Case| {
        !c.has_deadline()
            || c.closed_at.is_some_and(|t| t <= c.due_at)
            || (c.status.is_open() && c.due_at > exported)
    };
    let mut got: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r["OnTime_Status"].is_empty()) {
        let c = &by_old[r["CASE_ENQUIRY_ID"].as_str()].case;
        let dept = store_dept_of
            .iter()
            .find(|(_, d)| **d == c.department)
            .map(|(f, _)| *f)
            .unwrap();
        let e = got.entry(dept).or_default();
        if on_time(c) {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    assert_eq!(got, want);
    assert_eq!(
        want.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1)),
        (15_116, 5_619)
    );

    // The managers' report says the same, per department, as of the export.
    // Boston left 36 rows unrated (22 PWDx, 14 BTDT; every one closed after
    // its target, or open past it): the report rates them late.
    let mut unrated: BTreeMap<&str, u64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r["OnTime_Status"].is_empty()) {
        *unrated.entry(r["Department"].as_str()).or_default() += 1;
    }
    assert_eq!(unrated.values().sum::<u64>(), 36);
    let q = citydesk::report::figures::ReportQuery {
        from: DateTime::parse_from_rfc3339("2015-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
        to: exported,
        by: citydesk::report::figures::GroupBy::Department,
        now: exported,
    };
    let report = citydesk::report::report(store, &q).unwrap();
    let from_report: BTreeMap<&str, (u64, u64)> = report
        .rows
        .iter()
        .map(|(code, f)| {
            let dept = store_dept_of
                .iter()
                .find(|(_, d)| **d == code.as_str())
                .map_or_else(
                    || panic!("a department the file does not have: {code}"),
                    |(f, _)| *f,
                );
            (dept, (f.on_time, f.late))
        })
        .collect();
    let mut expected = want.clone();
    for (dept, n) in &unrated {
        expected.get_mut(dept).unwrap().1 += n;
    }
    assert_eq!(from_report, expected);
    assert_eq!(report.total.cases, rows.len() as u64);
    assert_eq!(
        (report.total.on_time, report.total.late),
        (15_116, 5_619 + 36)
    );

    // A shift's handover counts the contacts received in it, under the old
    // system's name (not the one who ran the import), by channel.
    let settings = Settings::default();
    let shift = citydesk::domain::shift::Shift::parse("2015-03-10/evening").unwrap();
    let (start, end) = settings.center.bounds(&shift).unwrap();
    let in_shift: Vec<_> = rows
        .iter()
        .filter(|r| boston_time(&r["OPEN_DT"]).is_some_and(|t| t >= start && t < end))
        .collect();
    assert!(in_shift.len() > 100, "{}", in_shift.len());
    let h = citydesk::report::handover(store, &settings, &shift, exported).unwrap();
    assert_eq!(h.activity.registered, in_shift.len() as u64);
    assert_eq!(
        h.activity.by_operator["import:boston"].contacts,
        in_shift.len() as u64
    );
    assert_eq!(
        h.activity.by_operator.len(),
        1,
        "{:?}",
        h.activity.by_operator.keys()
    );
    // Where the old system left those cases (closed weeks later) is not
    // this shift's work.
    assert_eq!((h.activity.all.closed, h.activity.all.escalations), (0, 0));
    let calls = in_shift
        .iter()
        .filter(|r| r["Source"] == "Constituent Call")
        .count() as u64;
    assert_eq!(h.activity.contacts_by_channel[&Channel::Phone], calls);
}

#[test]
fn the_whole_boston_file_imports_exactly_on_sqlite() {
    let (_dir, mut s) = sqlite();
    the_whole_boston_file_imports_exactly(s.as_mut());
}

#[test]
fn the_whole_boston_file_imports_exactly_on_postgres() {
    let Some(server) = common::pg::server() else {
        return;
    };
    let db = common::pg::TempDb::new(&server);
    let mut s = seeded(&db.url);
    the_whole_boston_file_imports_exactly(s.as_mut());
    // Twice is refused on PostgreSQL too, and the catalog reads back.
    let err = run(s.as_mut(), &records(BOSTON), "boston", false, false).unwrap_err();
    assert!(matches!(
        err,
        ImportError::Store(StoreError::AlreadyImported { count: 20_771, .. })
    ));
    let again = store::open(&db.url, &Settings::default()).unwrap();
    assert!(again.catalog().department("boston-pwdx").is_some());
}

#[test]
fn a_bad_date_refuses_the_file_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = head(dir.path(), &records(BOSTON), 300, |i, col, _| {
        (i == 41 && col == "CLOSED_DT").then(|| "13/45/2015 10:00:00 AM".to_owned())
    });
    let (_sdir, mut s) = sqlite();
    let departments = s.catalog().departments.len();
    let err = run(s.as_mut(), &file, "boston", false, false).unwrap_err();
    let ImportError::Refused {
        rows,
        refused,
        listed,
        ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!((*rows, *refused), (300, 1));
    // Row 41 (from 0) is line 43: the header is line 1.
    assert_eq!(listed[0].line, 43);
    assert_eq!(listed[0].column.as_deref(), Some("CLOSED_DT"));
    assert_eq!(
        err.to_string().lines().nth(1).unwrap(),
        "  line 43, column CLOSED_DT: \"13/45/2015 10:00:00 AM\" is not a time in the form \
         %m/%d/%Y %I:%M:%S %p (e.g. 04/30/2015 09:50:05 AM): fix the cell, or add its format to the mapping"
    );
    assert!(err.to_string().contains("--skip-bad"), "{err}");
    assert_eq!(s.case_count().unwrap(), 0);
    assert_eq!(s.catalog().departments.len(), departments);
    assert!(!import::refused_path(&file).exists());
}

#[test]
fn many_bad_rows_are_listed_twenty_then_counted() {
    let dir = tempfile::tempdir().unwrap();
    let file = head(dir.path(), &records(BOSTON), 100, |i, col, _| {
        (i % 3 == 0 && col == "CASE_STATUS").then(|| "Reopened".to_owned())
    });
    let (_sdir, mut s) = sqlite();
    let err = run(s.as_mut(), &file, "boston", false, false).unwrap_err();
    let text = err.to_string();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("  line ")).count(),
        20
    );
    assert!(text.contains("\n  and 14 more\n"), "{text}");
    assert!(
        text.contains(
            "column CASE_STATUS: status \"Reopened\" is not in the mapping: add it to [status] values (it lists \"Closed\", \"Open\")"
        ),
        "{text}"
    );
}

#[test]
fn skip_bad_imports_the_good_rows_and_writes_the_refused_ones() {
    let dir = tempfile::tempdir().unwrap();
    let source = records(BOSTON);
    let file = head(dir.path(), &source, 500, |i, col, _| match (i, col) {
        (10, "OPEN_DT") => Some(String::new()),
        (20, "CLOSED_DT") => Some("yesterday".into()),
        (30, "CASE_STATUS") => Some("Reopened".into()),
        _ => None,
    });
    let (_sdir, mut s) = sqlite();
    let summary = run(s.as_mut(), &file, "boston", true, false).unwrap();
    assert_eq!(
        (summary.rows, summary.imported, summary.refused),
        (500, 497, 3)
    );
    assert_eq!(
        summary.refused_by_reason,
        BTreeMap::from([
            ("bad-time".to_owned(), 1),
            ("empty".to_owned(), 1),
            ("unknown-value".to_owned(), 1)
        ])
    );
    assert_eq!(s.case_count().unwrap(), 497);
    let refused = import::refused_path(&file);
    assert_eq!(
        summary.refused_file.as_deref(),
        Some(refused.display().to_string().as_str())
    );
    assert!(refused.display().to_string().ends_with(".csv.refused.csv"));
    // The header and the rows as they were, with a reason column.
    let original = csv_rows(&file);
    let mut r = csv::Reader::from_path(&refused).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header.last().map(String::as_str), Some("reason"));
    let back: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(back.len(), 3);
    for (rec, i) in back.iter().zip([10, 20, 30]) {
        for (h, cell) in header.iter().zip(rec.iter()).take(header.len() - 1) {
            assert_eq!(original[i][h], cell, "row {i} column {h}");
        }
    }
    assert!(
        back[0][header.len() - 1].starts_with(&format!("line {}, column OPEN_DT: is empty", 12))
    );
    assert!(back[2][header.len() - 1].contains("\"Reopened\""));
}

#[test]
fn importing_a_file_twice_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let first = head(dir.path(), &records(BOSTON), 200, |_, _, _| None);
    let (_sdir, mut s) = sqlite();
    run(s.as_mut(), &first, "boston", false, false).unwrap();
    let err = run(s.as_mut(), &first, "boston", false, false).unwrap_err();
    assert!(
        matches!(&err, ImportError::Store(StoreError::AlreadyImported { source, count: 200, .. }) if source == "boston"),
        "{err:?}"
    );
    // A longer export that holds the same cases: refused whole, even in a dry run.
    let dir2 = tempfile::tempdir().unwrap();
    let longer = head(dir2.path(), &records(BOSTON), 300, |_, _, _| None);
    for dry_run in [true, false] {
        let err = run(s.as_mut(), &longer, "boston", false, dry_run).unwrap_err();
        assert!(
            matches!(
                err,
                ImportError::Store(StoreError::AlreadyImported { count: 200, .. })
            ),
            "{err:?}"
        );
    }
    assert_eq!(s.case_count().unwrap(), 200);
}

#[test]
fn a_dry_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = head(dir.path(), &records(BOSTON), 400, |_, _, _| None);
    let (_sdir, mut s) = sqlite();
    let catalog = s.catalog().clone();
    let summary = run(s.as_mut(), &file, "boston", false, true).unwrap();
    assert!(summary.dry_run);
    assert_eq!((summary.rows, summary.imported), (400, 0));
    assert_eq!(summary.by_status.values().sum::<u64>(), 400);
    assert!(!summary.new_services.is_empty() && !summary.new_departments.is_empty());
    assert_eq!(s.case_count().unwrap(), 0);
    assert_eq!(*s.catalog(), catalog);
    // Then for real: the same entries.
    let real = run(s.as_mut(), &file, "boston", false, false).unwrap();
    assert_eq!(real.new_services, summary.new_services);
    for code in &real.new_services {
        let svc = s.catalog().service(code).unwrap();
        assert!(svc.imported && !svc.active, "{code}");
    }
}

#[test]
fn a_file_of_another_export_names_the_missing_columns() {
    let (_sdir, mut s) = sqlite();
    let err = run(s.as_mut(), &records(BOSTON), "nyc", false, false).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("has no column \"Unique Key\" (named in [old_id])"),
        "{text}"
    );
    assert!(text.contains("\"CASE_ENQUIRY_ID\""), "{text}");
    assert_eq!(s.case_count().unwrap(), 0);
}

/// The shipped mappings each import their real file; the refused rows are
/// the ones their comments explain.
#[test]
fn every_shipped_mapping_imports_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let (_sdir, mut s) = sqlite();
    let cases = [
        ("boston", BOSTON, 2_000, vec![]),
        ("nyc", "nyc_311_2011-03_sample_2000.csv", 2_000, vec![]),
        ("nyc", "nyc_311_2023-02_sample_4999.csv", 4_999, vec![2, 3]),
        (
            "sf",
            "sf_311_cases_sample_10000.csv",
            10_000,
            vec![3484, 9455],
        ),
        (
            "la",
            "la_myla311_2018-12_sample_10000.csv",
            10_000,
            vec![2322, 7619],
        ),
    ];
    for (mapping, name, n, refused_lines) in cases {
        // A copy: --skip-bad writes beside the file, and shared/ is read-only.
        let sub = dir.path().join(name.trim_end_matches(".csv"));
        std::fs::create_dir_all(&sub).unwrap();
        let file = sub.join(name);
        std::fs::copy(records(name), &file).unwrap();
        let file = if n < csv_rows(&file).len() {
            head(&sub, &records(name), n, |_, _, _| None)
        } else {
            file
        };
        let before = s.case_count().unwrap();
        let summary = run(s.as_mut(), &file, mapping, true, false).unwrap();
        assert_eq!(summary.rows, n as u64, "{name}");
        assert_eq!(
            summary.imported,
            (n - refused_lines.len()) as u64,
            "{name}: {summary:?}"
        );
        assert_eq!(s.case_count().unwrap() - before, summary.imported);
        if refused_lines.is_empty() {
            assert_eq!(summary.refused_file, None);
            continue;
        }
        assert_eq!(
            summary.refused_by_reason,
            BTreeMap::from([(
                "closed-before-received".to_owned(),
                refused_lines.len() as u64
            )]),
            "{name}"
        );
        let reasons: Vec<String> = csv::Reader::from_path(import::refused_path(&file))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().next_back().unwrap().to_owned())
            .collect();
        let lines: Vec<u64> = reasons
            .iter()
            .map(|r| r["line ".len()..r.find(',').unwrap()].parse().unwrap())
            .collect();
        assert_eq!(lines, refused_lines, "{name}: {reasons:?}");
    }
    // The second NYC file reuses the agencies and types the first created.
    let nyc: Vec<_> = s
        .catalog()
        .departments
        .iter()
        .filter(|d| d.code.starts_with("nyc-"))
        .map(|d| d.code.clone())
        .collect();
    assert!(nyc.contains(&"nyc-nypd".to_owned()), "{nyc:?}");
    assert!(!nyc.iter().any(|c| c.ends_with("-2")), "{nyc:?}");
}

/// Search finds an imported case by the id it had in the old system, on the
/// command line as the console does (both go through `sql::search`).
#[test]
fn search_finds_an_imported_case_by_its_old_id() {
    let env = common::Env::new();
    let (good, bad) = (env.dir.path().join("good"), env.dir.path().join("bad"));
    std::fs::create_dir_all(&good).unwrap();
    std::fs::create_dir_all(&bad).unwrap();
    let file = head(&good, &records(BOSTON), 50, |_, _, _| None);
    let out = env.ok(
        Some("ali"),
        &[
            "import",
            "csv",
            file.to_str().unwrap(),
            "--mapping",
            "boston",
        ],
    );
    assert!(out.starts_with("imported 50 of 50 rows of "), "{out}");
    assert!(out.contains("\n  refused   none\n"), "{out}");
    let found = env.json(Some("admin"), &["case", "search", "101001320322"]);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["old_id"], "101001320322");
    assert_eq!(found[0]["status"], "closed");
    let text = env.ok(Some("admin"), &["case", "search", "101001320322"]);
    assert!(text.contains(found[0]["code"].as_str().unwrap()), "{text}");
    // The case shows where it came from.
    let show = env.ok(
        Some("admin"),
        &["case", "show", found[0]["code"].as_str().unwrap()],
    );
    assert!(
        show.contains("imported from boston (its id there: 101001320322)"),
        "{show}"
    );
    // A refused import exits 1 and says which line and column.
    let bad = head(&bad, &records(BOSTON), 5, |i, col, _| {
        (i == 2 && col == "OPEN_DT").then(|| "31/02/2015".to_owned())
    });
    let err = env.refused(
        Some("ali"),
        &[
            "import",
            "csv",
            bad.to_str().unwrap(),
            "--mapping",
            "boston",
        ],
    );
    assert!(
        err.contains("  line 4, column OPEN_DT: \"31/02/2015\" is not a time"),
        "{err}"
    );
    let again = env.refused(
        Some("ali"),
        &[
            "import",
            "csv",
            file.to_str().unwrap(),
            "--mapping",
            "boston",
        ],
    );
    assert!(
        again.contains("50 of these cases were imported from boston before"),
        "{again}"
    );
}
