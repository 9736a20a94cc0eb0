//! The embedded store on SQLite, shared by the operators of one host. WAL with
//! synchronous=FULL (a committed case survives a power cut), a busy timeout, and
//! BEGIN IMMEDIATE for every write (a deferred transaction that reads and then
//! writes fails at once with SQLITE_BUSY_SNAPSHOT when another process committed
//! in between, whatever the timeout). WAL needs every process on one host: never
//! put the file on a network share. The queries themselves live in `sql`.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
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

/// Whether connections get SQLite's own busy handler instead of `on_busy`
/// (only for benchmarks that compare the two: `benches/writers.rs`).
static SQLITE_OWN_BUSY_HANDLER: AtomicBool = AtomicBool::new(false);

/// Gives connections opened from now on SQLite's own busy handler (`true`)
/// or citydesk's (`false`, the default). For benchmarks comparing them.
pub fn use_sqlite_busy_handler(own: bool) {
    SQLITE_OWN_BUSY_HANDLER.store(own, Ordering::Relaxed);
}

thread_local! {
    /// When the current wait for the lock began, and a cheap random state.
    static BUSY: Cell<(Option<Instant>, u64)> = const { Cell::new((None, 0)) };
}

/// Waits for another process's write lock, for up to `BUSY_TIMEOUT`, in
/// jittered sleeps that get shorter the longer this writer has waited (up to
/// 5 ms when it has just begun, down to at most 0.3 ms after about 0.25 s):
/// the lock goes, more often than not, to whoever has waited longest, as in
/// a queue, without one. SQLite's own handler sleeps in growing steps up to
/// 100 ms while the lock is usually free again within a millisecond, so with
/// 32 writers its slowest waits took seconds; sleeps that grow with the wait
/// (citydesk's earlier handler) favoured newcomers and left a long tail
/// (BENCHMARKS.md, "Many writers"). The jitter keeps waiting processes from
/// retrying in step.
fn on_busy(attempt: i32) -> bool {
    BUSY.with(|b| {
        let (since, mut rng) = b.get();
        let since = match since {
            Some(t) if attempt > 0 => t,
            _ => Instant::now(),
        };
        if rng == 0 {
            rng = u64::from(std::process::id()) << 32 | 0x9e37_79b9;
        }
        // xorshift64: jitter only, not a secret.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        b.set((Some(since), rng));
        if since.elapsed() >= BUSY_TIMEOUT {
            return false;
        }
        let waited = u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX);
        let cap = 5_000u64.saturating_sub(waited / 20).max(300);
        std::thread::sleep(StdDuration::from_micros(cap / 2 + rng % (cap / 2 + 1)));
        true
    })
}

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// The file or its folder cannot be written: reads work, writes are refused.
    read_only: bool,
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
    fn str(&self, i: usize) -> Result<Option<&str>> {
        self.0
            .get_ref(i)?
            .as_str_or_null()
            .map_err(|e| StoreError::Backend(format!("column {i}: {e}")))
    }
}

/// A connection, in or out of a transaction (a rusqlite Transaction derefs to it).
struct SqliteTx<'a>(&'a Connection);

impl Tx for SqliteTx<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64> {
        sql::no_nul(params)?;
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

/// What a file holds, found by reading only (nothing is written before a
/// file is known to be a citydesk store or empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    /// No tables at all (a new or empty file): `init` may set it up.
    Nothing,
    /// A citydesk store (it has citydesk's `meta` table).
    Citydesk,
}

/// Reads which tables the file has; refuses another program's database and
/// a file that is not a database.
fn holds(conn: &Connection, path: &Path) -> Result<Holds> {
    let foreign = |why: String| StoreError::Foreign {
        at: path.display().to_string(),
        why,
    };
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => {
                foreign("it is not a SQLite database".into())
            }
            _ => StoreError::from(e),
        })?;
    if names.is_empty() {
        return Ok(Holds::Nothing);
    }
    if names.iter().any(|n| n == "meta") && names.iter().any(|n| n == "cases") {
        return Ok(Holds::Citydesk);
    }
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    Err(foreign(format!(
        "it holds other tables: {}{}",
        shown.join(", "),
        if names.len() > shown.len() {
            ", …"
        } else {
            ""
        }
    )))
}

/// Opens the file and checks what it holds before anything is written; a
/// file the process cannot write (or in a folder it cannot write) opens
/// read-only (`read_only` tells). Only a citydesk store (or an empty file,
/// when `create`) is then switched to WAL.
fn connect(path: &Path, access: Option<&Access>) -> Result<(Connection, bool)> {
    let create = access.is_some();
    if !create && !path.exists() {
        return Err(StoreError::Missing(path.display().to_string()));
    }
    if create && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("cannot create folder {}: {e}", dir.display()))
        })?;
    }
    if let Some(access) = access {
        files::create(path, access)?;
    }
    let cannot_open = |e: rusqlite::Error| {
        StoreError::Backend(format!("cannot open the store at {}: {e}", path.display()))
    };
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    // SQLite opens a write-protected file read-only by itself.
    let mut conn = Connection::open_with_flags(path, flags).map_err(cannot_open)?;
    if SQLITE_OWN_BUSY_HANDLER.load(Ordering::Relaxed) {
        conn.busy_timeout(BUSY_TIMEOUT)?;
    } else {
        conn.busy_handler(Some(on_busy))?;
    }
    let found = match holds(&conn, path) {
        // A WAL store in a folder this process cannot write, without its
        // -shm file: nobody can be writing it, so read it as immutable.
        Err(StoreError::Backend(_)) if !create && path.exists() => {
            conn = read_only(path).map_err(cannot_open)?;
            holds(&conn, path)?
        }
        other => other?,
    };
    if found == Holds::Nothing && !create {
        return Err(StoreError::NotInitialized(path.display().to_string()));
    }
    let read_only = conn.is_readonly(rusqlite::MAIN_DB)?;
    if read_only {
        if create {
            return Err(StoreError::ReadOnly(path.display().to_string()));
        }
    } else {
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!(
                "the store at {} cannot use write-ahead logging (journal mode {mode}); put it on a local disk",
                path.display()
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // A console lives for a shift: keep the hot pages of the queue indexes in
    // memory (16 MiB cache; reads through a 256 MiB map instead of syscalls).
    conn.pragma_update(None, "cache_size", -16_384)?;
    conn.pragma_update(None, "mmap_size", 268_435_456)?;
    Ok((conn, read_only))
}

/// Opens `path` read-only and immutable (no -shm or lock needed).
fn read_only(path: &Path) -> rusqlite::Result<Connection> {
    let mut uri = String::from("file:");
    for c in path.display().to_string().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3F"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
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
        let (mut conn, read_only) = connect(path, None)?;
        let Some(found) = sql::schema_version(&mut SqliteTx(&conn))? else {
            return Err(StoreError::NotInitialized(path.display().to_string()));
        };
        if read_only && found < SCHEMA_VERSION {
            // It needs migrating, which is a write.
            return Err(StoreError::ReadOnly(path.display().to_string()));
        }
        migrate(&mut conn)?;
        let catalog = sql::load_catalog(&mut SqliteTx(&conn))?;
        if !read_only {
            files::secure(path, &settings.access)?;
        }
        Ok(SqliteStore {
            conn,
            path: path.to_owned(),
            read_only,
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
        let (mut conn, read_only) = connect(path, Some(&settings.access))?;
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
                read_only,
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
/// It has no "stopped answering" to tell: a local file does not stall, and
/// a store file removed or made unreadable under a running console is
/// still read and written through the connections already open (the
/// worker's too), so saying "unreachable" here would contradict the
/// worker's answers. A failing query is an error, and the watcher is made
/// again.
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
        let (conn, _) = connect(&self.path, None)?;
        let mut w = SqliteWatcher { conn, seen: 0 };
        w.seen = w.version()?;
        Ok(Box::new(w))
    }

    /// One read transaction: a case and its timeline come from one snapshot.
    fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&mut SqliteTx(&tx))?;
        tx.commit()?;
        Ok(out)
    }

    fn write<T>(
        &mut self,
        mut f: impl FnMut(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T> {
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.display().to_string()));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&mut SqliteTx(&tx), &self.catalog, &self.settings)?;
        tx.commit()?;
        Ok(out)
    }

    fn bulk<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T> {
        // Bulk loads touch every index at random places: a larger page cache
        // for this connection (256 MiB; the default is 2 MiB) saves re-reading.
        if self.read_only {
            return Err(StoreError::ReadOnly(self.path.display().to_string()));
        }
        self.conn.pragma_update(None, "cache_size", -262_144)?;
        self.write(f)
    }
}
