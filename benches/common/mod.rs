//! What the benchmarks that keep a store share: the stores are made once and
//! kept (SQLite files under target/bench-stores, PostgreSQL databases on the
//! server CITYDESK_BENCH_PG names), each named with a key of what made it, so
//! that a change to that makes a new one and an unchanged one is reused.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

/// The PostgreSQL server CITYDESK_BENCH_PG names (a URL whose user may create
/// databases); None when unset or empty (SQLite only).
pub fn pg_server() -> Option<String> {
    std::env::var("CITYDESK_BENCH_PG")
        .ok()
        .filter(|u| !u.is_empty())
}

/// The fixed "now" the benchmark stores are generated at.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A short key (12 hex digits) of `texts`, hashed in order: a store's name
/// holds the key of what made it.
pub fn key(texts: &[&str]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for text in texts {
        text.hash(&mut h);
    }
    format!("{:012x}", h.finish() & 0xffff_ffff_ffff)
}

/// The directory the SQLite stores are kept in (target/bench-stores), made
/// if missing.
pub fn stores_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("bench-stores");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Database `name` on the benchmark server: its URL, whether it exists, and
/// a connection to the server's own database (to create or rename it).
pub fn pg_database(name: &str) -> (String, bool, postgres::Client) {
    let server = pg_server().unwrap();
    let base = server.rsplit_once('/').unwrap().0;
    let url = format!("{base}/{name}");
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    let exists = admin
        .query_one(
            "SELECT COUNT(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .unwrap()
        .get::<_, i64>(0)
        > 0;
    (url, exists, admin)
}
