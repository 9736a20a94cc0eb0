//! Issue 10, faults on an open PostgreSQL connection: a server that stalls
//! (stops answering, connections left open) is told "cannot be reached"
//! within 5 s, not waited for forever, while a slow answer from a live
//! server (a lock wait) is waited for; a connection lost at COMMIT is not
//! "nothing was saved": the write is looked up again by its transaction and
//! kept (it committed) or done once more (it did not), never twice, and when
//! the server cannot be asked again the outcome is said to be unknown (exit
//! code 3). The faults come from a proxy between citydesk and the server
//! (`common::proxy`), so other tests on the server are not disturbed.

mod common;

use std::process::Output;
use std::time::{Duration, Instant};

use citydesk::store::{self, Page, Queue, Settings, StoreError};
use common::proxy::{After, Mode, Proxy, port_of};
use common::tmux::Tmux;
use common::{Env, PASSWORD};

fn now() -> chrono::DateTime<chrono::Utc> {
    citydesk::clock::Clock::now(&citydesk::clock::SystemClock)
}

/// `case new` as ali on `store`, signed in for this one command.
fn case_new(env: &Env, store: &str, phone: &str) -> Output {
    let mut c = env.bare("ali");
    c.env("CITYDESK_STORE", store)
        .args(["--json", "--as", "ali", "--password-stdin"])
        .args(common::pothole_call(phone));
    common::output_with_input(c, &format!("{PASSWORD}\n"))
}

/// A proxy in front of `env`'s server, and the store's URL through it.
fn behind_proxy(env: &Env) -> (Proxy, String) {
    let proxy = Proxy::to(port_of(&env.store));
    let url = proxy.url(&env.store);
    (proxy, url)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// How many cases the phone has, read on the server itself.
fn cases_of(env: &Env, phone: &str) -> usize {
    let found = env.json(Some("admin"), &["case", "search", phone]);
    found.as_array().unwrap().len()
}

#[test]
fn a_stalled_server_is_told_unreachable_within_5_s_and_used_again_after() {
    let Some(env) = Env::new_pg() else {
        return;
    };
    env.new_case(&[]);
    let proxy = Proxy::to(port_of(&env.store));
    let mut s = store::open(&proxy.url(&env.store), &Settings::default()).unwrap();
    assert_eq!(
        s.queue(&Queue::Unreferred, Page::default(), now())
            .unwrap()
            .len(),
        1
    );

    proxy.set(Mode::Stall);
    // What the console's worker calls: the counts and a queue page.
    let started = Instant::now();
    match s.queue_counts("ali", chrono::Duration::hours(4), now()) {
        Err(StoreError::Unreachable(why)) => assert!(why.contains("stopped answering"), "{why}"),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "told after {took:?}");
    // The next call reconnects, and is bounded too.
    let started = Instant::now();
    match s.queue(&Queue::Unreferred, Page::default(), now()) {
        Err(StoreError::Unreachable(_)) => {}
        other => panic!("expected Unreachable, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    proxy.set(Mode::Forward);
    assert_eq!(
        s.queue(&Queue::Unreferred, Page::default(), now())
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_slow_answer_from_a_live_server_is_waited_for() {
    let Some(env) = Env::new_pg() else {
        return;
    };
    let code = env.new_case(&[]);
    // Another session holds the case's row for 6 s: a note waits for it.
    let (locked, is_locked) = std::sync::mpsc::channel();
    let url = env.store.clone();
    let release = std::thread::spawn(move || {
        let mut holder = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut tx = holder.transaction().unwrap();
        tx.execute("SELECT 1 FROM cases FOR UPDATE", &[]).unwrap();
        locked.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(6));
        tx.commit().unwrap();
    });
    is_locked.recv().unwrap();
    let started = Instant::now();
    env.ok(Some("ali"), &["case", "note", &code, "after the lock"]);
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "the note waited for the lock: {:?}",
        started.elapsed()
    );
    release.join().unwrap();
    let notes = env.case(&code)["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "note")
        .count();
    assert_eq!(notes, 1);
}

/// `case new` for `phone` through a proxy that loses the COMMIT's answer
/// (after passing the COMMIT on, or not), then does `then`.
fn case_new_losing_commit(forward: bool, then: After, phone: &str) -> Option<(Env, Proxy, Output)> {
    let env = Env::new_pg()?;
    let (proxy, url) = behind_proxy(&env);
    proxy.set(Mode::DropAtCommit { forward, then });
    let out = case_new(&env, &url, phone);
    Some((env, proxy, out))
}

#[test]
fn a_commit_that_reached_the_server_is_kept_not_made_twice() {
    let Some((env, proxy, out)) = case_new_losing_commit(true, After::Forward, "09121110001")
    else {
        return;
    };
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(proxy.dropped(), 1, "the COMMIT's answer was lost once");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["code"].is_string(), "{v}");
    assert_eq!(cases_of(&env, "09121110001"), 1, "saved once, not twice");
    assert_eq!(env.case_count(), 1);
}

#[test]
fn a_commit_that_never_reached_the_server_is_done_once_more() {
    let Some((env, proxy, out)) = case_new_losing_commit(false, After::Forward, "09121110002")
    else {
        return;
    };
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(proxy.dropped(), 1);
    assert_eq!(cases_of(&env, "09121110002"), 1, "saved once, by the retry");
    assert_eq!(env.case_count(), 1);
}

#[test]
fn a_commit_whose_outcome_cannot_be_learned_is_said_to_be_unknown() {
    // The COMMIT reaches the server (it saves the case), its answer is
    // lost, and the server cannot be reached again.
    let Some((env, proxy, out)) = case_new_losing_commit(true, After::Refuse, "09121110003") else {
        return;
    };
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("may have been"), "{err}");
    assert!(err.contains("citydesk case search"), "{err}");
    assert!(
        !err.contains("nothing was saved"),
        "not a wrong 'nothing was saved': {err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["error"], "outcome-unknown", "{v}");
    assert!(v["error"]["details"]["transaction"].is_i64(), "{v}");
    // It was saved, once: what the message said to check.
    proxy.set(Mode::Forward);
    assert_eq!(cases_of(&env, "09121110003"), 1);
}

/// The COMMIT recovery on an operator's own connection (pgsec's access
/// control): the store's URL names no user, so `case new` signs in to the
/// server as ali's session role; a COMMIT whose answer is lost is looked up
/// (`txid_status`) and the lost backend ended (`pg_terminate_backend`, its
/// own) as that role, and the write kept or done once more, never twice.
#[test]
fn a_lost_commit_is_recovered_on_an_operators_session_connection() {
    let Some(env) = Env::new_pg() else {
        return;
    };
    let proxy = Proxy::to(port_of(&env.store));
    let owner_via_proxy = proxy.url(&env.store);
    let env = env.reached_by_operators();
    // The operators' URL, through the proxy: no user, no password.
    let via_proxy = format!(
        "postgres://127.0.0.1:{}/{}",
        proxy.port,
        owner_via_proxy.rsplit_once('/').unwrap().1
    );
    env.sign_in("ali");
    let dir = env.state_dir("ali").join("citydesk").join("sessions");
    let file = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "token"))
        .expect("ali's session file");
    let token = std::fs::read_to_string(file).unwrap().trim().to_owned();
    assert!(token.contains("_s_"), "a session role's login: {token}");
    for (forward, phone) in [(true, "09121110004"), (false, "09121110005")] {
        proxy.set(Mode::DropAtCommit {
            forward,
            then: After::Forward,
        });
        let dropped = proxy.dropped();
        let mut c = env.bare("ali");
        c.env("CITYDESK_STORE", &via_proxy)
            .env("CITYDESK_TOKEN", &token)
            .arg("--json")
            .args(common::pothole_call(phone));
        let out = c.output().unwrap();
        assert!(out.status.success(), "forward {forward}: {}", stderr(&out));
        assert_eq!(proxy.dropped(), dropped + 1, "the COMMIT's answer was lost");
        assert_eq!(cases_of(&env, phone), 1, "forward {forward}: saved once");
    }
}

/// Waits on `w` (as the console's watcher thread does, 1 s at a time)
/// until it fails or `limit` has passed; returns the error and when it came.
fn watch_until_err(
    w: &mut dyn citydesk::store::Watcher,
    limit: Duration,
) -> Option<(StoreError, Duration)> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Err(e) = w.wait(Duration::from_secs(1)) {
            return Some((e, started.elapsed()));
        }
    }
    None
}

/// Issue 10, a console left idle: its watcher's connection (LISTEN) is
/// probed while quiet, so a server that stalls is told Unreachable within
/// 5 s though nobody makes a call; a healthy idle server is never taken for
/// a stalled one (6 s of quiet, probes answered), and changes still come.
#[test]
fn an_idle_watcher_tells_a_stalled_server_and_raises_no_false_alarm() {
    let Some(env) = Env::new_pg() else {
        return;
    };
    let (proxy, url) = behind_proxy(&env);
    let s = store::open(&url, &Settings::default()).unwrap();
    let mut w = s.watcher().unwrap();

    // Quiet and healthy: 6 s, three probes' worth, and no alarm.
    let quiet = Instant::now();
    while quiet.elapsed() < Duration::from_secs(6) {
        match w.wait(Duration::from_secs(1)) {
            Ok(false) => {}
            other => panic!(
                "after {:?} on an idle, healthy server: {other:?}",
                quiet.elapsed()
            ),
        }
    }
    // A change by another connection still comes through.
    env.new_case(&[]);
    let started = Instant::now();
    while !w.wait(Duration::from_secs(1)).unwrap() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the change was not told"
        );
    }

    proxy.set(Mode::Stall);
    match watch_until_err(w.as_mut(), Duration::from_secs(15)) {
        Some((StoreError::Unreachable(why), took)) => {
            assert!(why.contains("stopped answering"), "{why}");
            assert!(took < Duration::from_secs(5), "told after {took:?}");
        }
        other => panic!("expected Unreachable within 15 s, got {other:?}"),
    }
    // While stalled a new watcher cannot be made either, and says so in time.
    let started = Instant::now();
    match s.watcher() {
        Err(StoreError::Unreachable(_)) => {}
        other => panic!("expected Unreachable, got {:?}", other.map(|_| "a watcher")),
    }
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    // Forwarding again: a new watcher works.
    proxy.set(Mode::Forward);
    let mut w = s.watcher().unwrap();
    assert!(!w.wait(Duration::from_millis(100)).unwrap());
}

/// A watcher whose connection the server ends (a restart, an
/// administrator) says Unreachable at once, not after a probe.
#[test]
fn a_watcher_whose_connection_is_ended_says_unreachable() {
    let Some(env) = Env::new_pg() else {
        return;
    };
    let s = store::open(&env.store, &Settings::default()).unwrap();
    let mut w = s.watcher().unwrap();
    assert!(!w.wait(Duration::from_millis(100)).unwrap());
    let mut admin = postgres::Client::connect(&env.store, postgres::NoTls).unwrap();
    let ended = admin
        .query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND query LIKE 'LISTEN%'",
            &[],
        )
        .unwrap()
        .len();
    assert_eq!(ended, 1, "the watcher's connection was found");
    match watch_until_err(w.as_mut(), Duration::from_secs(10)) {
        Some((StoreError::Unreachable(_), took)) => {
            assert!(took < Duration::from_secs(2), "told after {took:?}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

/// Issue 10, the real console in tmux, signed in and left alone on its
/// queue, its store behind the proxy: the proxy stops forwarding and the
/// header says STORE UNREACHABLE within 5 s with nobody touching a key;
/// forwarding again, it goes within a few seconds.
#[test]
fn an_idle_console_shows_a_stalled_store_within_5_s_and_clears_after() {
    let Some(mut env) = Env::new_pg() else {
        return;
    };
    env.new_case(&[]);
    let (proxy, url) = behind_proxy(&env);
    // The console (and what the test asks of the store) goes through the proxy.
    env.store = url;
    let Some(t) = Tmux::console(&env, "pg-watch") else {
        return;
    };
    // Settled on the queue, and quiet for a while.
    std::thread::sleep(Duration::from_secs(3));
    assert!(!t.screen().contains("STORE UNREACHABLE"), "{}", t.screen());
    proxy.set(Mode::Stall);
    let took = t.wait_for("STORE UNREACHABLE", Duration::from_secs(15));
    assert!(took < Duration::from_secs(5), "shown after {took:?}");
    proxy.set(Mode::Forward);
    let back = t.wait_gone("STORE UNREACHABLE", Duration::from_secs(30));
    assert!(back < Duration::from_secs(10), "cleared after {back:?}");
}
