//! Issue 10, files the store does not own: another program's database is
//! refused and left byte for byte as it was (not switched to WAL, no tables
//! added), and a store this process cannot write is read (queues, show,
//! search) while writes say why they cannot.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::Env;

fn citydesk(store: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_citydesk"));
    c.arg("--store")
        .arg(store)
        .args(args)
        .env_remove("CITYDESK_OPERATOR")
        .env("CITYDESK_CONFIG", store.with_extension("toml"));
    with_password(c, args)
}

/// Runs `c`; with `--as` among `args`, signed in for this one command
/// (`--password-stdin`, which writes nothing to the store).
fn with_password(mut c: Command, args: &[&str]) -> Output {
    if !args.contains(&"--as") {
        return common::output_with_input(c, "");
    }
    c.arg("--password-stdin");
    common::output_with_input(c, &format!("{}\n", common::PASSWORD))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn another_programs_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other-program.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    for args in [&["queue"][..], &["init"], &["case", "search", "x"]] {
        let out = citydesk(&path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("other-program.db is not a citydesk store (it holds other tables: notes)"),
            "{args:?}: {err}"
        );
        assert!(err.contains("it was left unchanged"), "{err}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
    let c = rusqlite::Connection::open(&path).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "not switched to WAL");
    let tables: i64 = c
        .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "no table added");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "shopping list\n".repeat(400)).unwrap();
    for args in [&["queue"][..], &["init"]] {
        let out = citydesk(&path, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).contains("is not a citydesk store (it is not a SQLite database)"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "shopping list\n".repeat(400)
    );
}

/// Runs citydesk as a user who cannot write `store` (as root, whom file
/// modes do not stop, through `runuser -u nobody`).
/// The binary where `nobody` can run it: the build folder may sit in a
/// home folder closed to others (as a CI checkout under /root is).
fn reader_binary() -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    static COPY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("citydesk-reader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = dir.join("citydesk");
        std::fs::copy(env!("CARGO_BIN_EXE_citydesk"), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    })
    .clone()
}

fn as_reader(store: &Path, args: &[&str]) -> Output {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let mut c = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--"]).arg(reader_binary());
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_citydesk"))
    };
    c.arg("--store")
        .arg(store)
        .args(args)
        .env_remove("CITYDESK_OPERATOR")
        .env("CITYDESK_CONFIG", "/nonexistent/citydesk.toml");
    with_password(c, args)
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_read_only_store_is_read_and_writes_say_why_not() {
    let env = Env::new();
    let code = env.new_case(&[]);
    // The store in a folder of its own, readable by everyone, writable by no one
    // but its owner: first the file read-only, then the folder too.
    let shelf = tempfile::tempdir().unwrap();
    set_mode(shelf.path(), 0o755);
    let store = shelf.path().join("archive.db");
    std::fs::copy(&env.store, &store).unwrap();
    for (file, folder) in [(0o444, 0o755), (0o444, 0o555)] {
        set_mode(&store, file);
        set_mode(shelf.path(), folder);
        let ok = |args: &[&str]| {
            let out = as_reader(&store, args);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            String::from_utf8(out.stdout).unwrap()
        };
        assert!(ok(&["--as", "ali", "queue"]).contains("unreferred         1"));
        assert!(ok(&["--as", "ali", "queue", "unreferred"]).contains(&code));
        assert!(ok(&["--as", "ali", "case", "show", &code]).contains("registered"));
        assert!(ok(&["--as", "ali", "case", "search", "مریم"]).contains(&code));
        let out = as_reader(
            &store,
            &["--as", "ali", "case", "refer", &code, "--department", "d3"],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("is read-only here (its file or folder cannot be written)"),
            "{}",
            stderr(&out)
        );
        set_mode(shelf.path(), 0o755);
    }
    set_mode(&store, 0o644);
    // Nothing was written: the case is as it was.
    let out = citydesk(&store, &["--as", "ali", "--json", "case", "show", &code]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "registered");
    if let Some(dir) = reader_binary().parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}
