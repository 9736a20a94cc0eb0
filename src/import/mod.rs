//! `citydesk import csv`: an old system's history from its CSV export, all or
//! nothing. The file is streamed once and every row is checked against the
//! mapping (`mapping`) and turned into a case in the state the row gives
//! before anything is written; a wrong row is refused with its line, its
//! column and what was wrong, and one refused row stops the import unless the
//! caller skips them (they are then written to FILE.refused.csv). Request
//! types, departments and districts that the mapping does not match to the
//! catalog become entries of their own (services marked imported). One
//! transaction then adds those entries and every case
//! (`Store::import_history`), and refuses a file imported before. File IO is
//! here only; one row's rules are `row`, the entries and cases `plan`, both
//! pure.
//!
//! An imported case: received and registered when the row was opened, by
//! the importing operator, with one contact (the mapping's placeholder name,
//! phone `0000000`, the row's channel) and one timeline entry (`import`, at
//! the received time, from nothing to its status). An open row is referred to
//! its department and due when the row says (no due time: no deadline); a
//! closed row is closed (and answered) at its closed time with the outcome
//! the mapping gives (`work-done` unless it says otherwise); a cancelled row
//! is cancelled then (`withdrawn` unless it says otherwise).

pub mod mapping;
pub mod plan;
pub mod row;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;
use serde::Serialize;

use crate::domain::roles::{self, ActionKind, Actor};
use crate::domain::shift::Center;
use crate::locale::Lang;
use crate::present::{Say, Words};
use crate::store::{ImportCase, Settings, Store, StoreError};
use mapping::{Mapping, MappingError};
pub use plan::{Plan, case_of, check_codes, new_code, plan};
pub use row::{Entry, Layout, Problem, Refused, Row, SeenIds, check_row};

/// What to import, and how.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub file: &'a Path,
    pub mapping: &'a Mapping,
    /// Import the good rows and write the refused ones beside the file.
    pub skip_bad: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// The language of the refused rows' reasons in FILE.refused.csv.
    pub lang: Lang,
}

/// At most this many refused rows are listed in a refusal.
pub const LISTED: usize = 20;

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub file: String,
    /// The mapping's source name.
    pub source: String,
    pub dry_run: bool,
    /// Data rows read (the header not counted).
    pub rows: u64,
    /// Cases written (0 in a dry run).
    pub imported: u64,
    pub refused: u64,
    /// Refused rows by reason (`Problem::reason`).
    pub refused_by_reason: BTreeMap<String, u64>,
    /// Where the refused rows were written (with --skip-bad).
    pub refused_file: Option<String>,
    /// The good rows by the status their case has.
    pub by_status: BTreeMap<String, u64>,
    /// Codes of the catalog entries created (in a dry run: that would be).
    pub new_services: Vec<String>,
    pub new_departments: Vec<String>,
    pub new_districts: Vec<String>,
    pub seconds: f64,
    pub rows_per_second: f64,
}

/// Why an import did nothing (words: `present`).
#[derive(Debug, Serialize)]
#[serde(tag = "error", content = "details", rename_all = "kebab-case")]
pub enum ImportError {
    Read {
        file: String,
        why: String,
    },
    MissingColumns {
        file: String,
        origin: String,
        /// (the mapping's table, the column it names)
        missing: Vec<(String, String)>,
        header: Vec<String>,
    },
    Mapping(MappingError),
    Refused {
        file: String,
        rows: u64,
        refused: u64,
        /// The first `LISTED` refused rows.
        listed: Vec<Refused>,
        refused_file: String,
    },
    WriteRefused {
        path: String,
        why: String,
    },
    /// The store's refusal (words: `present`).
    Store(StoreError),
}

impl std::error::Error for ImportError {}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// Where `--skip-bad` writes the refused rows: `FILE.refused.csv` beside it.
pub fn refused_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".refused.csv");
    PathBuf::from(name)
}

// ---------------------------------------------------------------------------
// The run

/// Reads, checks and imports `opts.file` as `by`, drawing progress on
/// `progress` (rows read, then cases written).
pub fn run(
    store: &mut dyn Store,
    by: &Actor,
    settings: &Settings,
    opts: &Options,
    progress: &ProgressBar,
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    let m = opts.mapping;
    let file = opts.file.display().to_string();
    roles::check(by, ActionKind::Import).map_err(StoreError::from)?;
    check_codes(m, store.catalog()).map_err(ImportError::Mapping)?;
    let read_error = |e: &dyn fmt::Display| ImportError::Read {
        file: file.clone(),
        why: e.to_string(),
    };
    let size = std::fs::metadata(opts.file)
        .map_err(|e| read_error(&e))?
        .len();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(opts.file)
        .map_err(|e| read_error(&e))?;
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| read_error(&e))?
    {
        return Err(read_error(
            &"the file is empty: an export starts with a header line",
        ));
    }
    let header: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let h = String::from_utf8_lossy(f);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_owned()
        })
        .collect();
    let layout = Layout::new(m, header.clone()).map_err(|missing| ImportError::MissingColumns {
        file: file.clone(),
        origin: m.origin.clone(),
        missing,
        header: header.clone(),
    })?;

    progress.set_length(size.max(1));
    progress.set_message(
        crate::cli::lang()
            .locale()
            .fill("progress.rows", &[("n", &crate::cli::num(0))]),
    );
    progress.set_style(crate::progress::style(crate::progress::template(
        "progress.reading",
    )));
    let mut rows = Vec::new();
    let mut refused: Vec<(Refused, csv::ByteRecord)> = Vec::new();
    let mut seen = SeenIds::default();
    let mut read = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(read_error(&e)),
        }
        read += 1;
        let line = record.position().map_or(0, csv::Position::line);
        let fields: Result<Vec<&str>, _> = record.iter().map(std::str::from_utf8).collect();
        let checked = match fields {
            // Both engines keep the same text: PostgreSQL refuses NUL.
            Ok(fields) if fields.iter().any(|f| f.contains('\0')) => Err(Refused {
                line,
                column: None,
                problem: Problem::Nul,
            }),
            Ok(fields) => check_row(m, &layout, line, &fields, &mut seen),
            Err(_) => Err(Refused {
                line,
                column: None,
                problem: Problem::NotUtf8,
            }),
        };
        match checked {
            Ok(row) => rows.push(row),
            Err(r) => refused.push((r, record.clone())),
        }
        if read.is_multiple_of(1024) {
            progress.set_message(
                crate::cli::lang()
                    .locale()
                    .fill("progress.rows", &[("n", &crate::cli::num(read))]),
            );
            progress.set_position(record.position().map_or(0, csv::Position::byte));
        }
    }
    progress.set_message(
        crate::cli::lang()
            .locale()
            .fill("progress.rows", &[("n", &crate::cli::num(read))]),
    );
    progress.set_position(size);

    let refused_file = refused_path(opts.file);
    if !refused.is_empty() && !opts.skip_bad {
        progress.finish_and_clear();
        return Err(ImportError::Refused {
            file,
            rows: read,
            refused: refused.len() as u64,
            listed: refused
                .iter()
                .take(LISTED)
                .map(|(r, _)| r.clone())
                .collect(),
            refused_file: refused_file.display().to_string(),
        });
    }
    let ids: Vec<&str> = rows.iter().map(|r| r.old_id.as_str()).collect();
    if let (count @ 1.., Some(example)) = store.imported_before(&m.source, &ids)? {
        progress.finish_and_clear();
        return Err(StoreError::AlreadyImported {
            source: m.source.clone(),
            count,
            example,
        }
        .into());
    }
    let plan = plan(m, store.catalog(), &rows);
    let cases: Vec<ImportCase> = rows
        .iter()
        .map(|r| case_of(m, &plan, settings, by, r))
        .collect();
    let mut refused_by_reason = BTreeMap::new();
    for (r, _) in &refused {
        *refused_by_reason
            .entry(r.problem.reason().to_owned())
            .or_insert(0) += 1;
    }
    let written_refused = if !refused.is_empty() && !opts.dry_run {
        write_refused(&refused_file, &header, &refused, opts.lang)?;
        Some(refused_file.display().to_string())
    } else {
        None
    };
    let mut by_status = BTreeMap::new();
    for c in &cases {
        *by_status
            .entry(c.case.status.as_str().to_owned())
            .or_insert(0) += 1;
    }
    let imported = if opts.dry_run {
        0
    } else {
        progress.reset();
        progress.set_length(cases.len().max(1) as u64);
        progress.set_style(crate::progress::style(crate::progress::template(
            "progress.writing",
        )));
        store
            .import_history(&m.source, &plan.additions, &cases, &mut |n| {
                progress.set_position(n as u64);
            })?
            .len() as u64
    };
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    Ok(Summary {
        file,
        source: m.source.clone(),
        dry_run: opts.dry_run,
        rows: read,
        imported,
        refused: refused.len() as u64,
        refused_by_reason,
        refused_file: written_refused,
        by_status,
        new_services: plan
            .additions
            .services
            .iter()
            .map(|s| s.code.clone())
            .collect(),
        new_departments: plan
            .additions
            .departments
            .iter()
            .map(|d| d.code.clone())
            .collect(),
        new_districts: plan
            .additions
            .districts
            .iter()
            .map(|d| d.code.clone())
            .collect(),
        seconds,
        rows_per_second: read as f64 / seconds.max(1e-9),
    })
}

/// Writes the refused rows as they were, after the header, each with a
/// `reason` column.
fn write_refused(
    path: &Path,
    header: &[String],
    refused: &[(Refused, csv::ByteRecord)],
    lang: Lang,
) -> Result<(), ImportError> {
    let words = Words::of(lang, Center::default());
    let fail = |e: &dyn fmt::Display| ImportError::WriteRefused {
        path: path.display().to_string(),
        why: e.to_string(),
    };
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| fail(&e))?;
    let mut head: Vec<&str> = header.iter().map(String::as_str).collect();
    head.push("reason");
    w.write_record(&head).map_err(|e| fail(&e))?;
    for (r, record) in refused {
        let mut out = record.clone();
        out.push_field(r.say(&words).as_bytes());
        w.write_byte_record(&out).map_err(|e| fail(&e))?;
    }
    w.flush().map_err(|e| fail(&e))
}
