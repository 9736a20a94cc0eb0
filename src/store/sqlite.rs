//! The embedded store on SQLite, shared by the operators of one host. WAL with
//! synchronous=FULL (a committed case survives a power cut), a busy timeout, and
//! BEGIN IMMEDIATE for every write (a deferred transaction that reads and then
//! writes fails at once with SQLITE_BUSY_SNAPSHOT when another process committed
//! in between, whatever the timeout). WAL needs every process on one host: never
//! put the file on a network share. The queries themselves live in `sql`.

use std::path::{Path, PathBuf};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql, TransactionBehavior};

use super::engine::Engine;
use super::files;
use super::sql::{self, Dialect, Param, Row, Tx};
use super::{InitReport, Result, SCHEMA_VERSION, Settings, StoreError, Watcher};
use crate::domain::Access;
use crate::domain::catalog::Catalog;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: StdDuration = StdDuration::from_secs(15);

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    settings: Settings,
    catalog: Catalog,
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(Some(v)) => ToSqlOutput::Owned(Value::Integer(*v)),
            Param::Text(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Param::Int(None) | Param::Text(None) => ToSqlOutput::Owned(Value::Null),
        })
    }
}

struct SqliteRow<'a, 'b>(&'a rusqlite::Row<'b>);

impl Row for SqliteRow<'_, '_> {
    fn int(&self, i: usize) -> Result<Option<i64>> {
        Ok(self.0.get(i)?)
    }
    fn text(&self, i: usize) -> Result<Option<String>> {
        Ok(self.0.get(i)?)
    }
}

/// A connection, in or out of a transaction (a rusqlite Transaction derefs to it).
struct SqliteTx<'a>(&'a Connection);

impl Tx for SqliteTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        let n = self
            .0
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params))?;
        Ok(n as u64)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Param],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(r) = rows.next()? {
            each(&SqliteRow(r))?;
        }
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.execute_batch(sql)?)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        {
            return StoreError::Busy;
        }
        StoreError::Backend(e.to_string())
    }
}

fn connect(path: &Path, create: Option<&Access>) -> Result<Connection> {
    if create.is_none() && !path.exists() {
        return Err(StoreError::Missing(path.display().to_string()));
    }
    if create.is_some()
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("cannot create folder {}: {e}", dir.display()))
        })?;
    }
    if let Some(access) = create {
        files::create(path, access)?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        StoreError::Backend(format!("cannot open the store at {}: {e}", path.display()))
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "the store at {} cannot use write-ahead logging (journal mode {mode}); put it on a local disk",
            path.display()
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // A console lives for a shift: keep the hot pages of the queue indexes in
    // memory (16 MiB cache; reads through a 256 MiB map instead of syscalls).
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    Ok(conn)
}

/// Brings an older store forward; refuses a newer one.
fn migrate(conn: &mut Connection) -> Result<()> {
    let Some(found) = sql::schema_version(&mut SqliteTx(conn))? else {
        return Ok(());
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for v in found..SCHEMA_VERSION {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        if sql::schema_version(&mut SqliteTx(&tx))? == Some(v) {
            sql::migrate_step(&mut SqliteTx(&tx), v)?;
        }
        tx.commit()?;
    }
    Ok(())
}

impl SqliteStore {
    /// Opens a store that `init` has set up.
    pub fn open(path: &Path, settings: Settings) -> Result<SqliteStore> {
        let mut conn = connect(path, None)?;
        if sql::schema_version(&mut SqliteTx(&conn))?.is_none() {
            return Err(StoreError::NotInitialized(path.display().to_string()));
        }
        migrate(&mut conn)?;
        let catalog = sql::load_catalog(&mut SqliteTx(&conn))?;
        files::secure(path, &settings.access)?;
        Ok(SqliteStore {
            conn,
            path: path.to_owned(),
            settings,
            catalog,
        })
    }

    /// Creates the store if needed and loads `catalog`. Idempotent.
    pub fn init(
        path: &Path,
        settings: Settings,
        catalog: &Catalog,
        now: DateTime<Utc>,
    ) -> Result<(SqliteStore, InitReport)> {
        let mut conn = connect(path, Some(&settings.access))?;
        migrate(&mut conn)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let created = sql::schema_version(&mut SqliteTx(&tx))?.is_none();
        if created {
            sql::create_schema(&mut SqliteTx(&tx), now)?;
        }
        let retired = sql::store_catalog(&mut SqliteTx(&tx), catalog)?;
        tx.commit()?;
        let catalog = sql::load_catalog(&mut SqliteTx(&conn))?;
        files::secure(path, &settings.access)?;
        let report = InitReport::new(created, &catalog, retired);
        Ok((
            SqliteStore {
                conn,
                path: path.to_owned(),
                settings,
                catalog,
            },
            report,
        ))
    }

    /// The raw connection, for tests that check what the engine itself enforces.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Notices commits by other connections through `PRAGMA data_version`, which
/// changes whenever another connection commits: one cheap query per poll.
struct SqliteWatcher {
    conn: Connection,
    seen: i64,
}

impl SqliteWatcher {
    fn version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }
}

impl Watcher for SqliteWatcher {
    fn wait(&mut self, timeout: StdDuration) -> Result<bool> {
        let until = Instant::now() + timeout;
        loop {
            let v = self.version()?;
            if v != self.seen {
                self.seen = v;
                return Ok(true);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            std::thread::sleep(left.min(StdDuration::from_millis(250)));
        }
    }
}

impl Engine for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn set_catalog(&mut self, catalog: Catalog) {
        self.catalog = catalog;
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn watcher(&self) -> Result<Box<dyn Watcher>> {
        let conn = connect(&self.path, None)?;
        let mut w = SqliteWatcher { conn, seen: 0 };
        w.seen = w.version()?;
        Ok(Box::new(w))
    }

    fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        f(&mut SqliteTx(&self.conn))
    }

    fn write<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&mut SqliteTx(&tx), &self.catalog, &self.settings)?;
        tx.commit()?;
        Ok(out)
    }

    fn bulk<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T> {
        // Bulk loads touch every index at random places: a larger page cache
        // for this connection (256 MiB; the default is 2 MiB) saves re-reading.
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        self.write(f)
    }
}
