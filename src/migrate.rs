//! Moving a whole store into an empty one (the embedded SQLite store up to
//! PostgreSQL): catalog, operators with their password hashes, and every case
//! with its contacts and timeline, tracking codes kept. Proven at the end:
//! the row counts of both sides are compared, and a checksum of everything
//! copied is computed once from the source and once by reading the target back.
//! The target takes the source's tracking-code key, so every code printed for
//! a citizen stays the code of the same case, and new cases continue the
//! source's sequence of codes.
//!
//! Nothing is written before the whole source has been read once and found
//! fit for every engine (today: no text holds a NUL, which PostgreSQL cannot
//! keep; stores written before input refused it may hold one), so a copy
//! that would fail on the data fails before it starts. The copy is one
//! transaction on the target (`Store::load`): a copy interrupted by a fault
//! (the server lost) leaves the target as empty as `init` made it, and
//! running migrate again copies everything.

use std::io::Write;
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::{self, Operator, Settings, Store, StoreError, Totals};

/// Cases read and written per transaction.
const BATCH: u32 = 5_000;

/// What was moved, and the proof.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub source: Totals,
    pub target: Totals,
    pub source_checksum: String,
    pub target_checksum: String,
    pub seconds: f64,
}

/// FNV-1a, 64 bits: a stable checksum of the copied data (not a security measure).
struct Checksum(u64);

impl Checksum {
    fn new() -> Self {
        Checksum(0xcbf2_9ce4_8422_2325)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn add_json<T: Serialize>(&mut self, value: &T) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| StoreError::Backend(format!("cannot encode for the checksum: {e}")))?;
        self.add(&bytes);
        Ok(())
    }
    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

fn operators_sum(sum: &mut Checksum, ops: &[Operator]) -> Result<(), StoreError> {
    for op in ops {
        sum.add_json(op)?;
        sum.add(op.password_hash.as_deref().unwrap_or_default().as_bytes());
    }
    Ok(())
}

/// Everything in `store`, checksummed in serial order.
fn checksum(store: &mut dyn Store) -> Result<String, StoreError> {
    let mut sum = Checksum::new();
    operators_sum(&mut sum, &store.accounts()?)?;
    for d in store.drafts(None)? {
        sum.add_json(&d)?;
    }
    let mut after = 0;
    loop {
        let batch = store.export(after, BATCH)?;
        let Some(last) = batch.last() else {
            return Ok(sum.hex());
        };
        after = last.serial.unwrap_or(after);
        for c in &batch {
            sum.add_json(c)?;
        }
    }
}

/// Whether any string in `value` holds a NUL character.
fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(has_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// Refuses data no engine may keep, naming where it is (`what`).
fn fit<T: Serialize>(value: &T, what: impl FnOnce() -> String) -> Result<(), StoreError> {
    let v = serde_json::to_value(value)
        .map_err(|e| StoreError::Backend(format!("cannot encode for the check: {e}")))?;
    if has_nul(&v) {
        return Err(StoreError::Backend(format!(
            "{} holds a NUL character (U+0000), which PostgreSQL cannot keep: nothing was copied; correct that text in the source first",
            what()
        )));
    }
    Ok(())
}

/// Copies `from` into the store at `to`, which must hold no cases and no operators.
pub fn migrate(
    from: &mut dyn Store,
    to: &str,
    settings: &Settings,
    now: DateTime<Utc>,
    progress: &mut dyn Write,
) -> Result<Report, StoreError> {
    let started = Instant::now();
    let source = from.totals()?;
    // First read everything once: the checksum, and every text checked.
    let mut sum = Checksum::new();
    let operators = from.accounts()?;
    operators_sum(&mut sum, &operators)?;
    for op in &operators {
        fit(op, || format!("operator {:?}", op.name))?;
    }
    let drafts = from.drafts(None)?;
    for d in &drafts {
        fit(d, || "a saved draft".to_owned())?;
        sum.add_json(d)?;
    }
    let mut after = 0;
    loop {
        let batch = from.export(after, BATCH)?;
        let Some(last) = batch.last() else { break };
        after = last.serial.unwrap_or(after);
        for c in &batch {
            fit(c, || format!("case {}", c.case.code))?;
            sum.add_json(c)?;
        }
    }
    let (mut target, _) = store::init(to, settings, from.catalog(), now)?;
    // One transaction on the target: a copy cut short (the server lost)
    // leaves it as empty as it was, and the next run starts again.
    let key = from.code_key()?;
    target.load(
        key,
        &operators,
        &drafts,
        &mut |after| from.export(after, BATCH),
        &mut |done| {
            let _ = write!(
                progress,
                "\r{}",
                crate::cli::lang().locale().fill(
                    "cli.migrate.progress",
                    &[
                        ("done", &crate::cli::num(done)),
                        ("all", &crate::cli::num(source.cases)),
                        (
                            "seconds",
                            &crate::cli::num(format!("{:.1}", started.elapsed().as_secs_f64()))
                        ),
                    ]
                )
            );
            let _ = progress.flush();
        },
    )?;
    let _ = writeln!(progress);
    let report = Report {
        source,
        target: target.totals()?,
        source_checksum: sum.hex(),
        target_checksum: checksum(target.as_mut())?,
        seconds: started.elapsed().as_secs_f64(),
    };
    if report.source != report.target || report.source_checksum != report.target_checksum {
        return Err(StoreError::Backend(format!(
            "the copy does not match the source (source {:?} {}, target {:?} {}): do not use the target; drop it and migrate again",
            report.source, report.source_checksum, report.target, report.target_checksum
        )));
    }
    Ok(report)
}
