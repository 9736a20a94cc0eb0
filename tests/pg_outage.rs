//! The PostgreSQL server stops and starts again under a running store: calls
//! fail with a clear "cannot be reached", change nothing, and work again once
//! the server is back, on the same store value (it reconnects). A test binary
//! of its own, so no other test is running when the server goes down.
//!
//! Runs on the test server of `common::pg` with its stop and start commands:
//! the throwaway cluster's own, or CITYDESK_TEST_PG_STOP and
//! CITYDESK_TEST_PG_START with CITYDESK_TEST_PG (.ci/run sets all three).

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use citydesk::store::{self, Page, Queue, Settings, StoreError};
use common::tmux::Tmux;
use common::{Env, pg};

fn sh(cmd: &str) {
    let ok = Command::new("sh")
        .args(["-c", cmd])
        .status()
        .unwrap()
        .success();
    assert!(ok, "{cmd} failed");
}

/// Starts the server again when dropped, whatever happened in the test.
struct Restart(String);

impl Drop for Restart {
    fn drop(&mut self) {
        let _ = Command::new("sh").args(["-c", &self.0]).status();
    }
}

/// Both scenarios stop the one server, so they run one after the other in a
/// single test (tests in one binary run in parallel).
#[test]
fn outages() {
    calls_fail_clearly_during_an_outage_and_work_again_after();
    the_console_keeps_a_call_through_an_outage_and_saves_it_once();
}

fn calls_fail_clearly_during_an_outage_and_work_again_after() {
    let Some((stop, start)) = pg::stop_start() else {
        return;
    };
    let Some(env) = Env::new_pg() else {
        return;
    };
    let code = env.new_case(&[]);
    let mut console = store::open(&env.store, &Settings::default()).unwrap();
    let now = citydesk::clock::Clock::now(&citydesk::clock::SystemClock);
    assert_eq!(
        console
            .queue(&Queue::Unreferred, Page::default(), now)
            .unwrap()
            .len(),
        1
    );

    sh(&stop);
    let restart = Restart(start.clone());
    let err = env.refused(Some("ali"), &["case", "note", &code, "during the outage"]);
    assert!(
        err.contains("cannot be reached") && err.contains("nothing was saved"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    match console.queue(&Queue::Unreferred, Page::default(), now) {
        Err(StoreError::Unreachable(_)) => {}
        other => panic!("expected Unreachable, got {other:?}"),
    }

    sh(&start);
    std::mem::forget(restart);
    // The same store value reconnects on its next call.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match console.queue(&Queue::Unreferred, Page::default(), now) {
            Ok(rows) => {
                assert_eq!(rows.len(), 1);
                break;
            }
            Err(e) if Instant::now() < deadline => {
                eprintln!("waiting for the server: {e}");
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => panic!("the store did not come back: {e}"),
        }
    }
    env.ok(Some("ali"), &["case", "note", &code, "after the outage"]);
    let c = env.case(&code);
    let notes: Vec<&str> = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "note")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        ["after the outage"],
        "nothing from the outage was half-saved"
    );
}

/// The console keeps a call typed during an outage, says the store cannot be
/// reached, retries, and registers the call once when the server is back.
fn the_console_keeps_a_call_through_an_outage_and_saves_it_once() {
    let Some((stop, start)) = pg::stop_start() else {
        return;
    };
    let Some(env) = Env::new_pg() else {
        return;
    };
    let Some(t) = Tmux::console(&env, "pg-outage") else {
        return;
    };
    t.type_call("09121234567");
    sh(&stop);
    let restart = Restart(start.clone());
    t.keys(&["C-s"]);
    t.wait_for("STORE UNREACHABLE", Duration::from_secs(10));
    t.wait_for("Your call is kept", Duration::from_secs(5));
    // Still typing while the server is down: nothing is lost.
    t.keys(&["End"]);
    t.text(" و عمیق");
    // Drawn shaped and in visual order (bidi = app).
    let drawn = citydesk::bidi::for_cell("عمیق", citydesk::bidi::BidiMode::App);
    t.wait_for(&drawn, Duration::from_secs(5));
    sh(&start);
    std::mem::forget(restart);
    t.wait_for("Registered: read the code", Duration::from_secs(20));
    assert_eq!(
        env.case_count(),
        1,
        "registered once, though it was tried more than once"
    );
    let found = env.json(Some("admin"), &["case", "search", "09121234567"]);
    assert!(
        found[0]["description"]
            .as_str()
            .unwrap()
            .ends_with(" و عمیق"),
        "what was typed while the store was away is saved too: {}",
        found[0]["description"]
    );
}
