//! Issue 10, reaching PostgreSQL: a server that never answers is given up
//! within the connect timeout (the CLI never hangs), a server that refuses
//! (no such database, no such user) is not reported as unreachable, and a
//! password in the URL is never printed.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs `citydesk queue` on `store`; a run still going after 30 s is killed
/// (and fails the test: it would have hung).
fn citydesk(store: &str) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_citydesk"))
        .args(["--store", store, "queue"])
        .env("CITYDESK_CONFIG", "/nonexistent/citydesk.toml")
        .env_remove("PGPASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("citydesk hung on {store}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn a_server_that_never_answers_is_given_up_in_seconds() {
    // Accepts connections (the kernel does) and never says a word, like a
    // stopped postmaster.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (code, err, took) = citydesk(&format!(
        "postgres://desk:s3cret-pw@127.0.0.1:{port}/citydesk"
    ));
    assert_eq!(code, Some(1), "{err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(err.contains("cannot be reached"), "{err}");
    assert!(
        !err.contains("s3cret-pw"),
        "the password is never printed: {err}"
    );
    assert!(err.contains("desk:***@127.0.0.1"), "{err}");
    drop(listener);
}

#[test]
fn a_wrong_database_or_user_is_not_unreachable() {
    let Some(server) = common::pg::server() else {
        return;
    };
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    let (code, err, _) = citydesk(&format!("{base}/no_such_database_here"));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("refused the connection"), "{err}");
    assert!(err.contains("no_such_database_here"), "{err}");
    assert!(!err.contains("cannot be reached"), "{err}");
    let url = server.replacen(
        "postgres://postgres",
        "postgres://no_such_user:s3cret-pw",
        1,
    );
    assert_ne!(
        url, server,
        "the test server's URL names user postgres: {server}"
    );
    let (code, err, _) = citydesk(&url);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("refused the connection"), "{err}");
    assert!(err.contains("no_such_user"), "{err}");
    assert!(!err.contains("s3cret-pw"), "{err}");
}

/// Issue 10: `init` added citydesk's tables to another program's database.
/// A PostgreSQL database whose schema holds tables of someone else and no
/// citydesk schema version is refused by `init` (nothing written) and by
/// every other command (it is not a citydesk store).
#[test]
fn another_programs_database_is_refused_and_left_unchanged() {
    let Some(server) = common::pg::server() else {
        return;
    };
    let db = common::pg::TempDb::new(&server);
    let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    c.batch_execute("CREATE TABLE invoices (id BIGINT PRIMARY KEY, total NUMERIC)")
        .unwrap();
    let tables = |c: &mut postgres::Client| -> Vec<String> {
        c.query(
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let before = tables(&mut c);
    for args in [&["init"][..], &["queue"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_citydesk"))
            .args(["--store", &db.url])
            .args(args)
            .env("CITYDESK_CONFIG", "/nonexistent/citydesk.toml")
            .env("CITYDESK_LANG", "en")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("is not a citydesk store"), "{args:?}: {err}");
        assert!(err.contains("invoices"), "{args:?}: {err}");
        assert_eq!(tables(&mut c), before, "{args:?} wrote nothing");
    }
    // An empty database is still set up by init.
    let empty = common::pg::TempDb::new(&server);
    let out = Command::new(env!("CARGO_BIN_EXE_citydesk"))
        .args(["--store", &empty.url, "init"])
        .env("CITYDESK_CONFIG", "/nonexistent/citydesk.toml")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
