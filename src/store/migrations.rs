//! Forward migrations for stores created by an older citydesk. A new store is
//! created from schema.sql at the latest version; an older one runs the steps
//! from its version up, each in the same transaction as its version bump. A
//! step is portable SQL where it can be, and Rust where rows must be read and
//! rewritten. Never edit a released step: add one.
//!
//! Version 2 turns the timeline's prose (`detail`, and `shift` as
//! "2026-11-28/morning") into typed events: shift date and name, the result
//! code, and a versioned JSON payload. Every row of a version-1 store is read
//! and rewritten; the prose is parsed by the rules version 1 wrote it with,
//! and where a row does not follow them (a hand-edited store), its text is
//! kept in the event's free-text field, so nothing is lost. Grants on the
//! tables are kept (columns are altered in place, not tables rebuilt).
//! Version 2 also adds the Open311 clients table and services' attributes,
//! and gives the store tracking-code key 0 (`CodeKey::LEGACY`): the codes a
//! version-1 store printed stay the codes of its cases.
//!
//! Version 3 gives the managers' report indexes that hold what it reads.
//!
//! Version 4 gives the case search a word index: every case's `search_text`
//! is written again as its words (`sql::words_of`: code, callers' names and
//! phones, place, description, old id, normalized by `words::index_text`),
//! and the engine's index over them is built: SQLite's FTS5 table `cases_fts`
//! with the triggers that keep it in step, PostgreSQL's generated column
//! `search_words` (a tsvector of the words and their starts, made by the
//! function `citydesk_words`) and its GIN index `cases_words`.
//!
//! Version 5 adds the sessions table (`citydesk login`, service tokens).
//!
//! Version 6 makes the timeline tamper-evident (`chain`): every existing
//! entry gets its hash and its place on the store-wide chain, in case order,
//! as if appended so; the append-only triggers are lifted for the rewrite and
//! put back in the same transaction.
//!
//! Version 7 keeps on each case the shift it was registered in (its first
//! timeline entry's), in the report's index, so that a report by shift
//! reads no timeline row per case (5.8 s at a million cases); the events'
//! report index holds who made each and in which shift, and the open cases
//! have an index of their own with every grouping column (the backlog).
//!
//! Version 8 (PostgreSQL) marks each case's words with the blocks of ids it is
//! in (`citydesk_blocks`), so that the word search can ask the GIN index for
//! the newest matches first (`sql::pg_words_sql`): the column `search_words`
//! is made again (every row is rewritten) and its index with it. SQLite's
//! index gives rows newest first already: nothing to do there.
//!
//! Version 9 (PostgreSQL only; nothing on SQLite) has the server enforce who
//! may act: the roles, grants, functions and triggers of schema.sql's access
//! section as it was at version 9 (see src/store/postgres.rs), and a role
//! for every operator already there. The step applies a frozen copy,
//! `migrations/v9_pg_access.sql`, never schema.sql itself: a later change to
//! the access section is a step of its own, and a store migrated from 8 ends
//! where a new store begins (tests/pg_access.rs compares their catalogs).
//!
//! Version 10 (PostgreSQL only) lets a staff connection read no secret: the
//! columns holding password, token and key hashes are no longer granted,
//! and sessions and Open311 clients are found by their hash through
//! functions run as the owner (`migrations/v10_pg_reads.sql`).

use chrono::{DateTime, NaiveDateTime, Utc};

use super::sql::{self, Dialect, Param, Row, Tx};
use super::{Result, StoreError};
use crate::domain::case::{CancelReason, Channel, Feedback, Outcome};
use crate::domain::event::What;
use crate::domain::shift::{Center, Shift};
use crate::domain::tracking::TrackingCode;

/// The newest schema version.
pub const LATEST: u32 = 10;

/// Runs the step from version `from` to `from + 1` (not the version bump).
pub fn step(tx: &mut dyn Tx, from: u32) -> Result<()> {
    match from {
        1 => v1_to_v2(tx),
        2 => tx.batch(V3),
        3 => v3_to_v4(tx),
        4 => tx.batch(V5_SESSIONS),
        5 => v5_to_v6(tx),
        6 => tx.batch(V7),
        7 => match tx.dialect() {
            Dialect::Postgres => tx.batch(V8_PG_BLOCKS),
            Dialect::Sqlite => Ok(()),
        },
        8 => pg_only(tx, V9_PG_ACCESS),
        9 => pg_only(tx, V10_PG_READS),
        _ => Err(StoreError::Backend(format!(
            "no migration from schema version {from}"
        ))),
    }
}

/// Version 3: the indexes a period's report reads instead of the tables
/// (a month at a million cases read whole rows for seconds): the period's
/// cases with every column the figures count and group by, events of a kind
/// with their case and result, later contacts only.
const V3: &str = "
DROP INDEX cases_received;
CREATE INDEX cases_received ON cases (received_at, status, deadline_hours, due_at, resolved_at, closed_at,
    department, category, service, channel, district, registered_by);
DROP INDEX timeline_action_at;
CREATE INDEX timeline_report ON timeline (action, at, case_id, result, to_status);
CREATE INDEX contacts_repeat ON contacts (at, case_id) WHERE seq > 1;
";

/// Version 7: the shift a case was registered in, on the case and in the
/// index a period's report reads; the events' and the open backlog's
/// report indexes hold every column the report groups them by.
const V7: &str = "
ALTER TABLE cases ADD COLUMN registered_shift TEXT NOT NULL DEFAULT '';
UPDATE cases SET registered_shift = COALESCE((SELECT t.shift_date || '/' || t.shift_name
    FROM timeline t WHERE t.case_id = cases.id AND t.seq = 1), '');
DROP INDEX cases_received;
CREATE INDEX cases_received ON cases (received_at, status, deadline_hours, due_at, resolved_at, closed_at,
    department, category, service, channel, district, registered_by, registered_shift);
DROP INDEX timeline_report;
CREATE INDEX timeline_report ON timeline (action, at, case_id, result, to_status, actor, shift_date, shift_name);
CREATE INDEX cases_open ON cases (status, received_at, department, category, service, channel, district,
    registered_by, registered_shift) WHERE status IN ('registered', 'referred', 'resolved', 'follow-up');
";

const V2_CASES: &str = "
ALTER TABLE services ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN imported BIGINT NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN last_seen BIGINT;
ALTER TABLE cases ADD COLUMN old_id TEXT;
CREATE INDEX cases_received ON cases (received_at);
CREATE INDEX cases_old_id ON cases (old_id);
CREATE INDEX cases_closed ON cases (closed_at);
CREATE INDEX contacts_at ON contacts (at);
CREATE TABLE handovers (
    shift_date  TEXT NOT NULL,
    shift_name  TEXT NOT NULL,
    notes       TEXT NOT NULL DEFAULT '',
    noted_by    TEXT,
    noted_at    BIGINT,
    accepted_by TEXT,
    accepted_at BIGINT,
    PRIMARY KEY (shift_date, shift_name)
);
ALTER TABLE cases ADD COLUMN contacts BIGINT NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN call_back_at BIGINT;
ALTER TABLE cases ADD COLUMN follow_up_at BIGINT;
UPDATE cases SET contacts = (SELECT COUNT(*) FROM contacts WHERE contacts.case_id = cases.id);
UPDATE cases SET follow_up_at = status_since WHERE status = 'follow-up';
DROP INDEX cases_status_since;
CREATE INDEX cases_status_due ON cases (status, priority DESC, due_at);
CREATE INDEX cases_follow_up ON cases (follow_up_at);
ALTER TABLE timeline ADD COLUMN shift_date TEXT NOT NULL DEFAULT '';
ALTER TABLE timeline ADD COLUMN shift_name TEXT NOT NULL DEFAULT '';
ALTER TABLE timeline ADD COLUMN result TEXT;
ALTER TABLE timeline ADD COLUMN data TEXT NOT NULL DEFAULT '';
CREATE INDEX timeline_at ON timeline (at);
CREATE INDEX timeline_action_at ON timeline (action, at);
ALTER TABLE services ADD COLUMN attributes TEXT NOT NULL DEFAULT '';
CREATE TABLE clients (
    name       TEXT PRIMARY KEY,
    channel    TEXT NOT NULL,
    operator   TEXT NOT NULL REFERENCES operators (name),
    key_hash   TEXT NOT NULL UNIQUE,
    per_minute BIGINT NOT NULL,
    active     BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at BIGINT
);
INSERT INTO meta (key, value) VALUES ('code_key', '0');
";

const V5_SESSIONS: &str = "
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    operator   TEXT NOT NULL REFERENCES operators (name),
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    revoked_by TEXT
);
CREATE INDEX sessions_operator ON sessions (operator);
";

const V6_COLUMNS: &str = "
ALTER TABLE timeline ADD COLUMN hash TEXT NOT NULL DEFAULT '';
ALTER TABLE timeline ADD COLUMN chain_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE timeline ADD COLUMN chain TEXT NOT NULL DEFAULT '';
";

const V6_SQLITE_GUARD: &str = "
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;
CREATE UNIQUE INDEX timeline_chain ON timeline (chain_seq);
";

const V6_PG_GUARD: &str = "
ALTER TABLE timeline ENABLE TRIGGER timeline_no_change;
CREATE UNIQUE INDEX timeline_chain ON timeline (chain_seq);
";

/// Runs `sql` on PostgreSQL; nothing on SQLite.
fn pg_only(tx: &mut dyn Tx, sql: &str) -> Result<()> {
    if tx.dialect() == Dialect::Postgres {
        tx.batch(sql)?;
    }
    Ok(())
}

/// Version 9: schema.sql's access section as it was then (frozen: never
/// edit it; change the access section with a new step).
const V9_PG_ACCESS: &str = include_str!("migrations/v9_pg_access.sql");

/// Version 10: no secret-derived column is granted to the staff role.
const V10_PG_READS: &str = include_str!("migrations/v10_pg_reads.sql");

fn v5_to_v6(tx: &mut dyn Tx) -> Result<()> {
    let pg = tx.dialect() == Dialect::Postgres;
    tx.batch(V6_COLUMNS)?;
    tx.batch(if pg { V2_PG_UNGUARD } else { V2_SQLITE_UNGUARD })?;
    super::chain::backfill(tx, &super::sql::EVENT_COLUMNS)?;
    tx.batch(if pg { V6_PG_GUARD } else { V6_SQLITE_GUARD })
}

const V2_SQLITE_UNGUARD: &str = "
DROP TRIGGER timeline_no_update;
DROP TRIGGER timeline_no_delete;
";

const V2_SQLITE_GUARD: &str = "
ALTER TABLE timeline DROP COLUMN shift;
ALTER TABLE timeline DROP COLUMN detail;
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'the timeline is append-only');
END;
";

const V2_PG_UNGUARD: &str = "ALTER TABLE timeline DISABLE TRIGGER timeline_no_change;";

const V2_PG_GUARD: &str = "
ALTER TABLE timeline DROP COLUMN shift;
ALTER TABLE timeline DROP COLUMN detail;
ALTER TABLE timeline ALTER COLUMN shift_date DROP DEFAULT;
ALTER TABLE timeline ALTER COLUMN shift_name DROP DEFAULT;
ALTER TABLE timeline ALTER COLUMN data DROP DEFAULT;
ALTER TABLE timeline ENABLE TRIGGER timeline_no_change;
DROP TRIGGER operators_notify ON operators;
CREATE TRIGGER operators_notify
    AFTER INSERT OR UPDATE OF display_name, role, active, password_hash ON operators
    FOR EACH STATEMENT EXECUTE FUNCTION citydesk_notify();
";

const V4_SQLITE_INDEX: &str = "
CREATE VIRTUAL TABLE cases_fts USING fts5(
    search_text, content = 'cases', content_rowid = 'id',
    tokenize = 'ascii', detail = 'none', prefix = '2 3 4 5 6 7 8'
);
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO cases_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF search_text ON cases
    WHEN old.search_text IS NOT new.search_text
BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO cases_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases
BEGIN
    INSERT INTO cases_fts (cases_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
INSERT INTO cases_fts (cases_fts) VALUES ('rebuild');
";

const V4_PG_INDEX: &str = "
CREATE FUNCTION citydesk_words(words TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(string_to_array(words, ' ') || ARRAY(
        SELECT DISTINCT left(w, n) || '~'
        FROM unnest(string_to_array(words, ' ')) AS w, generate_series(2, 8) AS n
        WHERE char_length(w) >= n))
$$;
ALTER TABLE cases ADD COLUMN search_words tsvector
    GENERATED ALWAYS AS (citydesk_words(search_text)) STORED;
CREATE INDEX cases_words ON cases USING gin (search_words);
";

const V8_PG_BLOCKS: &str = "
CREATE FUNCTION citydesk_blocks(id BIGINT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(ARRAY['#1:' || (id >> 12), '#2:' || (id >> 14),
                                   '#3:' || (id >> 16), '#4:' || (id >> 18)])
$$;
DROP INDEX cases_words;
ALTER TABLE cases DROP COLUMN search_words;
ALTER TABLE cases ADD COLUMN search_words tsvector
    GENERATED ALWAYS AS (citydesk_words(search_text) || citydesk_blocks(id)) STORED;
CREATE INDEX cases_words ON cases USING gin (search_words);
";

/// Cases whose words are written per statement by `v3_to_v4`.
const V4_BATCH: usize = 500;

/// One case's words as `v3_to_v4` reads them: its id, `sql::WORD_COLUMNS`,
/// and its contacts' names and phones.
struct Words {
    id: i64,
    fields: [String; 7],
    contacts: Vec<(String, String)>,
}

fn v3_to_v4(tx: &mut dyn Tx) -> Result<()> {
    let mut after = i64::MIN;
    loop {
        let mut batch: Vec<Words> = Vec::new();
        tx.query(
            &format!(
                "SELECT id, {} FROM cases WHERE id > ?1 ORDER BY id LIMIT {V4_BATCH}",
                sql::WORD_COLUMNS
            ),
            &[after.into()],
            &mut |r: &dyn Row| {
                let text = |i| r.text(i).map(Option::unwrap_or_default);
                batch.push(Words {
                    id: r.int(0)?.unwrap_or_default(),
                    fields: [
                        r.int(1)?.unwrap_or_default().to_string(),
                        text(2)?,
                        text(3)?,
                        text(4)?,
                        text(5)?,
                        text(6)?,
                        text(7)?,
                    ],
                    contacts: Vec::new(),
                });
                Ok(())
            },
        )?;
        let (Some(first), Some(last)) = (batch.first(), batch.last()) else {
            break;
        };
        let (from, to) = (first.id, last.id);
        after = to;
        let mut contacts: Vec<(i64, String, String)> = Vec::new();
        tx.query(
            "SELECT case_id, name, phone FROM contacts WHERE case_id >= ?1 AND case_id <= ?2
             ORDER BY case_id, seq",
            &[from.into(), to.into()],
            &mut |r: &dyn Row| {
                contacts.push((
                    r.int(0)?.unwrap_or_default(),
                    r.text(1)?.unwrap_or_default(),
                    r.text(2)?.unwrap_or_default(),
                ));
                Ok(())
            },
        )?;
        for (case_id, name, phone) in contacts {
            if let Ok(i) = batch.binary_search_by_key(&case_id, |w| w.id) {
                batch[i].contacts.push((name, phone));
            }
        }
        let mut values = Vec::with_capacity(batch.len());
        let mut params: Vec<Param> = Vec::with_capacity(2 * batch.len());
        for (i, w) in batch.iter().enumerate() {
            let fields = w.fields.each_ref().map(String::as_str);
            let contacts: Vec<(&str, &str)> = w
                .contacts
                .iter()
                .map(|(n, p)| (n.as_str(), p.as_str()))
                .collect();
            values.push(format!(
                "(CAST(?{} AS BIGINT), CAST(?{} AS TEXT))",
                2 * i + 1,
                2 * i + 2
            ));
            params.push(w.id.into());
            params.push(sql::words_of(fields, &contacts).into());
        }
        tx.execute(
            &format!(
                "UPDATE cases SET search_text = v.column2 FROM (VALUES {}) AS v
                 WHERE cases.id = v.column1",
                values.join(", ")
            ),
            &params,
        )?;
    }
    tx.batch(if tx.dialect() == Dialect::Postgres {
        V4_PG_INDEX
    } else {
        V4_SQLITE_INDEX
    })
}

/// A version-1 timeline row with what is needed to type it.
struct OldRow {
    case_id: i64,
    seq: i64,
    at: i64,
    shift: String,
    action: String,
    detail: String,
}

fn v1_to_v2(tx: &mut dyn Tx) -> Result<()> {
    let pg = tx.dialect() == Dialect::Postgres;
    tx.batch(V2_CASES)?;
    tx.batch(if pg { V2_PG_UNGUARD } else { V2_SQLITE_UNGUARD })?;
    let center = Center::default();
    let mut after = (i64::MIN, i64::MIN);
    loop {
        let mut batch = Vec::new();
        tx.query(
            "SELECT case_id, seq, at, shift, action, detail FROM timeline
             WHERE case_id > ?1 OR (case_id = ?1 AND seq > ?2)
             ORDER BY case_id, seq LIMIT 5000",
            &[after.0.into(), after.1.into()],
            &mut |r: &dyn Row| {
                let text = |i| r.text(i).map(Option::unwrap_or_default);
                batch.push(OldRow {
                    case_id: r.int(0)?.unwrap_or_default(),
                    seq: r.int(1)?.unwrap_or_default(),
                    at: r.int(2)?.unwrap_or_default(),
                    shift: text(3)?,
                    action: text(4)?,
                    detail: text(5)?,
                });
                Ok(())
            },
        )?;
        let Some(last) = batch.last() else { break };
        after = (last.case_id, last.seq);
        for row in &batch {
            let at = DateTime::from_timestamp(row.at, 0).unwrap_or_default();
            let shift = Shift::parse(&row.shift).unwrap_or_else(|| center.shift_of(at));
            let what = v1_event(tx, row)?;
            tx.execute(
                "UPDATE timeline SET shift_date = ?1, shift_name = ?2, result = ?3, data = ?4
                 WHERE case_id = ?5 AND seq = ?6",
                &[
                    shift.date.format("%Y-%m-%d").to_string().into(),
                    shift.name.into(),
                    Param::from(what.result_code()),
                    what.to_payload().into(),
                    row.case_id.into(),
                    row.seq.into(),
                ],
            )?;
        }
    }
    tx.batch(if pg { V2_PG_GUARD } else { V2_SQLITE_GUARD })?;
    Ok(())
}

/// The typed event of a version-1 row, by the rules version 1 wrote it with.
fn v1_event(tx: &mut dyn Tx, row: &OldRow) -> Result<What> {
    let d = row.detail.as_str();
    Ok(match row.action.as_str() {
        "register" => match parse_register(d) {
            Some(w) => w,
            None => register_from_case(tx, row.case_id)?,
        },
        "refer" => parse_refer(d).unwrap_or_else(|| What::Refer {
            department: String::new(),
            assignee: None,
            escalation_level: None,
            due_at: None,
            comment: Some(d.to_owned()),
        }),
        "resolve" => What::Resolve {
            response: d.to_owned(),
        },
        "feedback" => parse_feedback(d),
        "escalate" => What::Escalate {
            reason: d.to_owned(),
        },
        "close" => {
            let (head, comment) = split_comment(d);
            match Outcome::parse(head) {
                Ok(outcome) => What::Close {
                    outcome,
                    reason: comment,
                },
                Err(_) => What::Close {
                    outcome: Outcome::ClosedByOfficer,
                    reason: Some(d.to_owned()),
                },
            }
        }
        "cancel" => parse_cancel(d),
        "reopen" => What::Reopen {
            reason: d.to_owned(),
            due_at: None,
        },
        "attach" => attach_from_contacts(tx, row)?,
        "take" => What::Take,
        // "note", and anything a version-1 store should not hold: its text kept.
        _ => What::Note { text: d.to_owned() },
    })
}

/// `text: comment` → (text, comment); version 1 joined them with ": ".
fn split_comment(d: &str) -> (&str, Option<String>) {
    match d.split_once(": ") {
        Some((head, c)) => (head, Some(c.to_owned())),
        None => (d, None),
    }
}

fn utc(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim().trim_end_matches(" UTC"), "%Y-%m-%d %H:%M")
        .ok()
        .map(|t| t.and_utc())
}

/// `pothole via phone, to d3, due 2026-12-01 14:22 UTC`
fn parse_register(d: &str) -> Option<What> {
    let (service, rest) = d.split_once(" via ")?;
    let (channel, rest) = rest.split_once(", to ")?;
    let (department, due) = rest.split_once(", due ")?;
    Some(What::Register {
        service: service.to_owned(),
        channel: Channel::parse(channel).ok()?,
        department: department.to_owned(),
        due_at: utc(due)?,
    })
}

fn register_from_case(tx: &mut dyn Tx, case_id: i64) -> Result<What> {
    let mut out = None;
    tx.query(
        "SELECT service, channel, department, due_at FROM cases WHERE id = ?1",
        &[case_id.into()],
        &mut |r: &dyn Row| {
            out = Some(What::Register {
                service: r.text(0)?.unwrap_or_default(),
                channel: Channel::parse(&r.text(1)?.unwrap_or_default()).unwrap_or(Channel::Phone),
                department: r.text(2)?.unwrap_or_default(),
                due_at: DateTime::from_timestamp(r.int(3)?.unwrap_or_default(), 0)
                    .unwrap_or_default(),
            });
            Ok(())
        },
    )?;
    out.ok_or_else(|| StoreError::Backend(format!("timeline entry of missing case {case_id}")))
}

/// `to civil, escalation level 1, new deadline 2026-12-01 14:22 UTC, assigned to sara`
fn parse_refer(d: &str) -> Option<What> {
    let rest = d.strip_prefix("to ")?;
    let mut parts = rest.split(", ");
    let department = parts.next()?.to_owned();
    let (mut level, mut due, mut assignee) = (None, None, None);
    for p in parts {
        if let Some(l) = p.strip_prefix("escalation level ") {
            level = Some(l.parse().ok()?);
        } else if let Some(t) = p.strip_prefix("new deadline ") {
            due = Some(utc(t)?);
        } else if let Some(a) = p.strip_prefix("assigned to ") {
            assignee = Some(a.to_owned());
        } else {
            return None;
        }
    }
    Some(What::Refer {
        department,
        assignee,
        escalation_level: level,
        due_at: due,
        comment: None,
    })
}

/// `satisfied`, `dissatisfied: comment`, `unreachable (attempt 2 of 3): comment`
fn parse_feedback(d: &str) -> What {
    let (head, comment) = split_comment(d);
    if let Ok(result) = Feedback::parse(head) {
        return What::Feedback {
            result,
            attempt: None,
            attempts_allowed: None,
            comment,
        };
    }
    let attempts = head
        .strip_prefix("unreachable (attempt ")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|r| r.split_once(" of "))
        .and_then(|(n, of)| Some((n.parse().ok()?, of.parse().ok()?)));
    match attempts {
        Some((n, of)) => What::Feedback {
            result: Feedback::Unreachable,
            attempt: Some(n),
            attempts_allowed: Some(of),
            comment,
        },
        // Not version 1's words: keep them whole beside the result it names.
        None => What::Feedback {
            result: if d.starts_with("dissatisfied") {
                Feedback::Dissatisfied
            } else if d.starts_with("unreachable") {
                Feedback::Unreachable
            } else {
                Feedback::Satisfied
            },
            attempt: None,
            attempts_allowed: None,
            comment: Some(d.to_owned()),
        },
    }
}

/// `duplicate of 419239437: comment`, `withdrawn`
fn parse_cancel(d: &str) -> What {
    let (head, comment) = split_comment(d);
    let (reason, of) = match head.split_once(" of ") {
        Some((r, code)) => (r, TrackingCode::parse(code).ok()),
        None => (head, None),
    };
    match CancelReason::parse(reason) {
        Ok(reason) => What::Cancel {
            reason,
            duplicate_of: of,
            comment,
        },
        Err(_) => What::Cancel {
            reason: CancelReason::Withdrawn,
            duplicate_of: None,
            comment: Some(d.to_owned()),
        },
    }
}

/// Version 1 wrote the caller's name and phone into the timeline; version 2
/// names the contact (they are in the contacts table): the n-th attach of a
/// case added contact n + 1.
fn attach_from_contacts(tx: &mut dyn Tx, row: &OldRow) -> Result<What> {
    let mut earlier = 0i64;
    tx.query(
        "SELECT COUNT(*) FROM timeline WHERE case_id = ?1 AND seq < ?2 AND action = 'attach'",
        &[row.case_id.into(), row.seq.into()],
        &mut |r: &dyn Row| {
            earlier = r.int(0)?.unwrap_or_default();
            Ok(())
        },
    )?;
    let number = earlier + 2;
    let mut contact = None;
    tx.query(
        "SELECT channel, comment FROM contacts WHERE case_id = ?1 AND seq = ?2",
        &[row.case_id.into(), number.into()],
        &mut |r: &dyn Row| {
            contact = Some((r.text(0)?.unwrap_or_default(), r.text(1)?));
            Ok(())
        },
    )?;
    Ok(match contact {
        Some((channel, comment)) => What::Attach {
            contact: number as u32,
            channel: Channel::parse(&channel).unwrap_or(Channel::Phone),
            comment,
        },
        None => What::Note {
            text: row.detail.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_one_prose_reads_back_as_events() {
        assert_eq!(
            parse_register("pothole via phone, to d3, due 2026-12-01 14:22 UTC"),
            Some(What::Register {
                service: "pothole".into(),
                channel: Channel::Phone,
                department: "d3".into(),
                due_at: utc("2026-12-01 14:22").unwrap(),
            })
        );
        assert_eq!(
            parse_refer(
                "to civil, escalation level 1, new deadline 2026-12-01 14:22 UTC, assigned to sara"
            ),
            Some(What::Refer {
                department: "civil".into(),
                assignee: Some("sara".into()),
                escalation_level: Some(1),
                due_at: utc("2026-12-01 14:22"),
                comment: None,
            })
        );
        assert_eq!(parse_refer("to d3, nonsense"), None);
        assert_eq!(
            parse_feedback("unreachable (attempt 2 of 3): no answer"),
            What::Feedback {
                result: Feedback::Unreachable,
                attempt: Some(2),
                attempts_allowed: Some(3),
                comment: Some("no answer".into()),
            }
        );
        assert_eq!(
            parse_feedback("dissatisfied: هنوز گود است: خطرناک"),
            What::Feedback {
                result: Feedback::Dissatisfied,
                attempt: None,
                attempts_allowed: None,
                comment: Some("هنوز گود است: خطرناک".into()),
            }
        );
        assert_eq!(
            parse_cancel("duplicate of 419239437: same as before"),
            What::Cancel {
                reason: CancelReason::Duplicate,
                duplicate_of: TrackingCode::parse("419239437").ok(),
                comment: Some("same as before".into()),
            }
        );
        // Words version 1 never wrote are kept, not lost.
        assert_eq!(
            parse_cancel("gone fishing"),
            What::Cancel {
                reason: CancelReason::Withdrawn,
                duplicate_of: None,
                comment: Some("gone fishing".into()),
            }
        );
    }
}
