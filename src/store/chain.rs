//! Tamper-evident history: every timeline entry carries `hash`, the SHA-256 of
//! its own fields and of the hash of its case's entry before it, and a place
//! on one store-wide chain (`chain_seq` 1, 2, 3 …; `chain` is the SHA-256 of
//! the chain before it and the entry's hash). The `chain` counter holds the
//! last place taken: the chain's head. `verify` recomputes everything and
//! reports each break: an entry edited, deleted or forged, a link broken, the
//! head moved, an append-only trigger dropped.
//!
//! What it proves: a change made outside citydesk (sqlite3, psql) by someone
//! who does not recompute the chain shows. Someone with write access who
//! recomputes every hash after their change is only caught against a head
//! recorded elsewhere: `verify` prints the head (place and hash) so that a
//! backup log or a supervisor's report can keep it.

use sha2::{Digest, Sha256};

use super::sql::{Dialect, Param, Row, Tx, first, req_int, req_text};
use super::{Result, StoreError};
use crate::domain::tracking::{CodeKey, TrackingCode};

/// The chain's columns, after the event's own (`sql::EVENT_COLUMNS`).
pub const COLUMNS: [&str; 3] = ["hash", "chain_seq", "chain"];

/// How many of the event's own columns are BIGINT (case_id, seq, at); the
/// rest are TEXT.
const INT_COLUMNS: usize = 3;

/// The hash of one entry: its fields (each tagged and length-prefixed, so
/// that no two different rows encode alike) and its case's previous hash
/// ("" for a case's first entry).
pub fn entry_hash(prev: &str, fields: &[Param]) -> String {
    let mut h = Sha256::new();
    h.update(b"citydesk-timeline-v1\0");
    h.update((prev.len() as u64).to_le_bytes());
    h.update(prev.as_bytes());
    for f in fields {
        match f {
            Param::Int(None) | Param::Text(None) => h.update([0u8]),
            Param::Int(Some(v)) => {
                h.update([1u8]);
                h.update(v.to_le_bytes());
            }
            Param::Text(Some(s)) => {
                h.update([2u8]);
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    hex(&h.finalize())
}

/// The chain's hash at an entry: the chain before it and the entry's hash.
pub fn chain_hash(prev_chain: &str, hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"citydesk-chain-v1\0");
    h.update(prev_chain.as_bytes());
    h.update(b"\0");
    h.update(hash.as_bytes());
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn int(p: &Param) -> i64 {
    match p {
        Param::Int(Some(v)) => *v,
        _ => 0,
    }
}

/// Appends the chain's three columns to new timeline rows (an event's own
/// columns, in `sql::EVENT_COLUMNS` order), in the transaction that inserts
/// them: takes their places on the chain (the counter's row lock orders
/// concurrent writers) and links each to its case's entry before it, in the
/// batch or in the store.
pub fn link(tx: &mut dyn Tx, rows: &mut [Vec<Param>]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let n = rows.len() as i64;
    let last = first(
        tx,
        "UPDATE counters SET value = value + ?1 WHERE name = 'chain' RETURNING value",
        &[n.into()],
        |r| req_int(r, 0),
    )?
    .ok_or_else(|| StoreError::Backend("the timeline's chain counter is missing".into()))?;
    let start = last - n + 1;
    let mut chain = if start > 1 {
        first(
            tx,
            "SELECT chain FROM timeline WHERE chain_seq = ?1",
            &[(start - 1).into()],
            |r| req_text(r, 0),
        )?
        .ok_or_else(|| {
            StoreError::Backend(format!(
                "the timeline's chain has no entry {}: run `citydesk verify`",
                start - 1
            ))
        })?
    } else {
        String::new()
    };
    let mut last_of_case: std::collections::HashMap<i64, (i64, String)> =
        std::collections::HashMap::new();
    for (i, row) in rows.iter_mut().enumerate() {
        let (case_id, seq) = (int(&row[0]), int(&row[1]));
        let prev = match last_of_case.get(&case_id) {
            Some((s, h)) if *s == seq - 1 => h.clone(),
            _ if seq <= 1 => String::new(),
            _ => first(
                tx,
                "SELECT hash FROM timeline WHERE case_id = ?1 AND seq = ?2",
                &[case_id.into(), (seq - 1).into()],
                |r| req_text(r, 0),
            )?
            .unwrap_or_default(),
        };
        let hash = entry_hash(&prev, row);
        chain = chain_hash(&chain, &hash);
        last_of_case.insert(case_id, (seq, hash.clone()));
        row.push(hash.into());
        row.push((start + i as i64).into());
        row.push(chain.clone().into());
    }
    Ok(())
}

/// The event's own columns of a timeline row read with `ENTRY_SELECT`, as
/// they were inserted.
fn fields(r: &dyn Row, count: usize) -> Result<Vec<Param>> {
    (0..count)
        .map(|i| {
            if i < INT_COLUMNS {
                Ok(Param::Int(r.int(i)?))
            } else {
                Ok(Param::Text(r.text(i)?))
            }
        })
        .collect()
}

/// One break in the history, as data (words: `present`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "break", rename_all = "kebab-case")]
pub enum Break {
    /// An entry's fields do not give its hash: edited, or forged.
    Edited { case_id: i64, seq: i64 },
    /// An entry's hash does not follow from its case's entry before it: one
    /// was deleted, inserted or edited before it.
    Link { case_id: i64, seq: i64 },
    /// A case's entries skip from one seq to another: entries were deleted.
    CaseGap { case_id: i64, after: i64, next: i64 },
    /// Places `from..=to` of the chain are missing: entries were deleted.
    Missing { from: i64, to: i64 },
    /// The chain's hash at this place does not follow: forged or edited.
    Chain { place: i64 },
    /// The head (the counter) and the last entry disagree.
    Head { counter: i64, last: i64 },
    /// An entry that has no place on the chain (inserted by hand).
    Unchained { case_id: i64, seq: i64 },
    /// An append-only trigger is missing (or disabled).
    Trigger { name: String },
}

impl Verified {
    /// A case's tracking code (its id is its serial).
    pub fn code(&self, case_id: i64) -> String {
        match (self.key, u64::try_from(case_id)) {
            (Some(key), Ok(serial)) => TrackingCode::from_serial(key, serial).to_string(),
            _ => format!("#{case_id}"),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Verified {
    /// The store's tracking-code key, to name cases by their codes.
    #[serde(skip)]
    pub key: Option<CodeKey>,
    pub entries: u64,
    /// The chain's head: the last place, and its hash.
    pub head: i64,
    pub head_hash: String,
    pub breaks: Vec<Break>,
}

/// The triggers that keep the timeline append-only on each engine.
fn triggers(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Sqlite => &["timeline_no_update", "timeline_no_delete"],
        Dialect::Postgres => &["timeline_no_change", "timeline_no_truncate"],
    }
}

/// Recomputes the whole history and reports every break (reading it in one
/// transaction, so concurrent writers do not show as breaks).
pub fn verify(tx: &mut dyn Tx, event_columns: &[&str]) -> Result<Verified> {
    let mut out = Verified::default();
    for name in triggers(tx.dialect()) {
        let present = match tx.dialect() {
            Dialect::Sqlite => first(
                tx,
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = ?1 AND tbl_name = 'timeline'",
                &[(*name).into()],
                |r| req_int(r, 0),
            )?,
            Dialect::Postgres => first(
                tx,
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname = ?1 AND tgrelid = 'timeline'::regclass AND tgenabled <> 'D'",
                &[(*name).into()],
                |r| req_int(r, 0),
            )?,
        };
        if present.unwrap_or(0) == 0 {
            out.breaks.push(Break::Trigger {
                name: (*name).to_owned(),
            });
        }
    }
    let counter = first(
        tx,
        "SELECT value FROM counters WHERE name = 'chain'",
        &[],
        |r| req_int(r, 0),
    )?
    .unwrap_or(0);
    let count = event_columns.len();
    let sql = format!(
        "SELECT {}, hash, chain_seq, chain FROM timeline ORDER BY chain_seq, case_id, seq",
        event_columns.join(", ")
    );
    let mut expected = 1i64;
    let mut chain = String::new();
    let mut cases: std::collections::HashMap<i64, (i64, String)> = std::collections::HashMap::new();
    let mut breaks = Vec::new();
    tx.query(&sql, &[], &mut |r| {
        let f = fields(r, count)?;
        let (case_id, seq) = (int(&f[0]), int(&f[1]));
        let hash = r.text(count)?.unwrap_or_default();
        let place = r.int(count + 1)?;
        let stored_chain = r.text(count + 2)?.unwrap_or_default();
        out.entries += 1;
        let Some(place) = place.filter(|p| *p > 0) else {
            breaks.push(Break::Unchained { case_id, seq });
            return Ok(());
        };
        if place > expected {
            breaks.push(Break::Missing {
                from: expected,
                to: place - 1,
            });
        }
        expected = place + 1;
        // The case's link: to its entry before (none for its first).
        let (after, prev) = cases
            .get(&case_id)
            .map_or((0, String::new()), |(s, h)| (*s, h.clone()));
        if after != seq - 1 {
            breaks.push(Break::CaseGap {
                case_id,
                after,
                next: seq,
            });
        }
        if entry_hash(&prev, &f) != hash {
            // With its case's entry before it in place, the entry itself is
            // wrong; after a gap, the link is what broke.
            breaks.push(if after == seq - 1 {
                Break::Edited { case_id, seq }
            } else {
                Break::Link { case_id, seq }
            });
        }
        cases.insert(case_id, (seq, hash.clone()));
        // The store-wide chain, recomputed from the stored hashes.
        chain = chain_hash(&chain, &hash);
        if chain != stored_chain {
            breaks.push(Break::Chain { place });
            chain = stored_chain;
        }
        out.head = place;
        Ok(())
    })?;
    if counter != out.head {
        breaks.push(Break::Head {
            counter,
            last: out.head,
        });
    }
    out.head_hash = chain;
    out.breaks.extend(breaks);
    out.key = Some(super::sql::code_key(tx)?);
    Ok(out)
}

/// Computes the chain for a store's existing entries (the migration that
/// brings the chain in): in case order, as if appended so.
pub fn backfill(tx: &mut dyn Tx, event_columns: &[&str]) -> Result<()> {
    let count = event_columns.len();
    let select = format!(
        "SELECT {} FROM timeline WHERE case_id > ?1 OR (case_id = ?1 AND seq > ?2) ORDER BY case_id, seq LIMIT 5000",
        event_columns.join(", ")
    );
    let mut after = (i64::MIN, i64::MIN);
    let mut place = 0i64;
    let mut chain = String::new();
    let mut prev: Option<(i64, String)> = None;
    loop {
        let mut batch: Vec<Vec<Param>> = Vec::new();
        tx.query(&select, &[after.0.into(), after.1.into()], &mut |r| {
            batch.push(fields(r, count)?);
            Ok(())
        })?;
        let Some(last) = batch.last() else {
            break;
        };
        after = (int(&last[0]), int(&last[1]));
        for f in &batch {
            let case_id = int(&f[0]);
            let p = match &prev {
                Some((c, h)) if *c == case_id => h.clone(),
                _ => String::new(),
            };
            let hash = entry_hash(&p, f);
            place += 1;
            chain = chain_hash(&chain, &hash);
            tx.execute(
                "UPDATE timeline SET hash = ?1, chain_seq = ?2, chain = ?3 WHERE case_id = ?4 AND seq = ?5",
                &[
                    hash.as_str().into(),
                    place.into(),
                    chain.as_str().into(),
                    case_id.into(),
                    f[1].clone(),
                ],
            )?;
            prev = Some((case_id, hash));
        }
    }
    tx.execute(
        "INSERT INTO counters (name, value) VALUES ('chain', ?1)",
        &[place.into()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_tell_fields_apart() {
        let a = entry_hash(
            "",
            &[
                Param::Text(Some("ab".into())),
                Param::Text(Some("c".into())),
            ],
        );
        let b = entry_hash(
            "",
            &[
                Param::Text(Some("a".into())),
                Param::Text(Some("bc".into())),
            ],
        );
        let c = entry_hash("", &[Param::Text(None), Param::Text(Some("abc".into()))]);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(entry_hash("x", &[]), entry_hash("", &[]));
        assert_eq!(a.len(), 64);
    }
}
