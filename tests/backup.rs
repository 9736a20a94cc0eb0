//! `citydesk backup` while operators register cases, then `citydesk restore`
//! into an empty store (SQLite, and PostgreSQL through migrate's code): the
//! restored store verifies clean and its queues equal the backup's.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use citydesk::store::{self, Page, Queue, Settings};
use common::{Env, PASSWORD};

/// Every queue's count and its cases' codes, read through the library.
fn queues(location: &str) -> (store::QueueCounts, Vec<Vec<String>>) {
    let mut s = store::open(location, &Settings::default()).unwrap();
    let now = citydesk::clock::Clock::now(&citydesk::clock::SystemClock);
    let counts = s
        .queue_counts("ali", chrono::Duration::hours(4), now)
        .unwrap();
    let lists = [
        Queue::Unreferred,
        Queue::Overdue,
        Queue::DueSoon(chrono::Duration::hours(4)),
        Queue::Feedback,
        Queue::FollowUp,
        Queue::Mine("ali".into()),
    ]
    .iter()
    .map(|q| {
        s.queue(
            q,
            Page {
                limit: 1000,
                offset: 0,
            },
            now,
        )
        .unwrap()
        .iter()
        .map(|c| c.code.to_string())
        .collect()
    })
    .collect();
    (counts, lists)
}

fn restore_into(env: &Env, target: &str, file: &std::path::Path) {
    let out = env
        .bare("restorer")
        .env("CITYDESK_STORE", target)
        .arg("restore")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "restore into {target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("verified"), "{said}");
    // The restored store's people sign in with their passwords, and it verifies.
    let out = env.run_with_input(
        None,
        &[
            "--store",
            target,
            "--as",
            "sam",
            "--password-stdin",
            "verify",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "verify {target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_backup_under_write_load_restores_and_verifies() {
    let env = Env::new();
    for _ in 0..5 {
        env.new_case(&[]);
    }
    env.sign_in("ali");
    let stop = AtomicBool::new(false);
    let written = AtomicU64::new(0);
    let file = env.dir.path().join("backup.db");
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    env.new_case(&[]);
                    written.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        while written.load(Ordering::Relaxed) < 6 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = env.ok(Some("admin"), &["backup", file.to_str().unwrap()]);
        assert!(out.contains("backed up"), "{out}");
        let at_backup = written.load(Ordering::Relaxed);
        while written.load(Ordering::Relaxed) < at_backup + 6 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
    });
    // The writers went on: the store holds more than the backup.
    let in_backup = store::open(file.to_str().unwrap(), &Settings::default())
        .unwrap()
        .case_count()
        .unwrap();
    assert!(in_backup >= 5 + 6, "{in_backup}");
    assert!(env.case_count() > in_backup);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a backup is the owner's alone");
    }
    // Only administrators take backups; a backup never overwrites.
    let err = env.refused(Some("ali"), &["backup", "other.db"]);
    assert!(err.contains("only an administrator"), "{err}");
    let err = env.refused(Some("admin"), &["backup", file.to_str().unwrap()]);
    assert!(err.contains("exists already"), "{err}");

    let before = queues(file.to_str().unwrap());
    let target = env.dir.path().join("restored.db");
    restore_into(&env, target.to_str().unwrap(), &file);
    assert_eq!(queues(target.to_str().unwrap()), before, "queues equal");
    // Into a store that holds data: refused, nothing changed.
    let out = env
        .bare("restorer")
        .arg("restore")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already holds"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Into an empty PostgreSQL database.
    if let Some(pg) = Env::empty_pg() {
        restore_into(&env, &pg.store, &file);
        assert_eq!(queues(&pg.store), before, "queues equal on PostgreSQL");
    }
}
