//! A fresh PostgreSQL database per test, on the server named by
//! CITYDESK_TEST_PG (a URL whose database the tests may connect to and whose
//! user may create databases). Without it, PostgreSQL tests are skipped.

use std::sync::atomic::{AtomicU32, Ordering};

/// The server URL for PostgreSQL tests, if there is one.
pub fn url() -> Option<String> {
    std::env::var("CITYDESK_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A database that exists for one test and is dropped after it.
pub struct TempDb {
    admin: String,
    name: String,
    pub url: String,
}

impl TempDb {
    pub fn new(server: &str) -> TempDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "citydesk_t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = postgres::Client::connect(server, postgres::NoTls)
            .expect("CITYDESK_TEST_PG is reachable");
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
        TempDb {
            admin: server.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
