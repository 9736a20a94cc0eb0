//! Backups of a SQLite store while consoles work, and restoring one into an
//! empty store. A backup is SQLite's online backup of the whole file taken in
//! one step, so it is one consistent snapshot (WAL readers never block the
//! writers, who go on working meanwhile); it is written 0600 (or 0660 with
//! `[access] group`) as a single self-contained file (no -wal), and is itself
//! a store that `citydesk verify` checks.
//!
//! PostgreSQL stores are backed up with PostgreSQL's own `pg_dump` (README):
//! it takes one consistent snapshot of a live database natively, keeps
//! grants, triggers and functions exactly, and is what a database
//! administrator already schedules and monitors; copying through `migrate`
//! would read in many transactions (not one snapshot) and drop the server's
//! own objects. A SQLite backup restores into PostgreSQL through `migrate`'s
//! code (`restore FILE` with a postgres:// store), which proves the copy.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::domain::Access;
use crate::store::{StoreError, files};

/// Copies the SQLite store at `source` into the new file `to`.
pub fn backup_sqlite(source: &Path, to: &Path, access: &Access) -> Result<(), StoreError> {
    if to.exists() {
        return Err(StoreError::Backend(format!(
            "{} exists already: give the backup a new file name (a backup never overwrites)",
            to.display()
        )));
    }
    if !source.exists() {
        return Err(StoreError::Missing(source.display().to_string()));
    }
    files::create(to, access)?;
    let result = copy(source, to);
    if result.is_err() {
        let _ = std::fs::remove_file(to);
    }
    result?;
    files::secure(to, access)
}

/// Copies the database `from` into the (empty) file `to`, all pages in one
/// step, then makes `to` a single file.
pub fn copy(from: &Path, to: &Path) -> Result<(), StoreError> {
    let fail = |e: rusqlite::Error| StoreError::Backend(format!("the backup failed: {e}"));
    let src = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(fail)?;
    src.busy_timeout(Duration::from_secs(15)).map_err(fail)?;
    let mut dst = Connection::open(to).map_err(fail)?;
    {
        let b = rusqlite::backup::Backup::new(&src, &mut dst).map_err(fail)?;
        let started = std::time::Instant::now();
        loop {
            match b.step(-1).map_err(fail)? {
                rusqlite::backup::StepResult::Done => break,
                _ if started.elapsed() > Duration::from_secs(60) => {
                    return Err(StoreError::Busy);
                }
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    let _: String = dst
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(fail)?;
    Ok(())
}
