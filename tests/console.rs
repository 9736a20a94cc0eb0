//! The real console in a real terminal (tmux): an operator registers a call
//! by keys and the CLI finds it; a case registered by another process shows
//! up in a running console; a console killed mid-call offers the call back.
//! Each test has its own tmux server and store. Needs tmux (see `common::tmux`).

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::Env;
use common::tmux::Tmux;

#[test]
fn a_call_registered_by_keys_is_found_by_the_cli() {
    let env = Env::new();
    let Some(t) = Tmux::console(&env, "register") else {
        return;
    };
    t.type_call("09121234567");
    t.keys(&["C-s"]);
    t.wait_for("Registered: read the code", Duration::from_secs(10));
    let found = env.json(Some("admin"), &["case", "search", "09121234567"]);
    let case = &found[0];
    assert_eq!(case["citizen_phone"], "09121234567");
    assert_eq!(case["district"], "3");
    assert_eq!(case["registered_by"], "ali");
    // Registered and referred to the proposed department in one step.
    assert_eq!(case["status"], "referred");
    assert_eq!(case["department"], "d3");
    let code = case["code"].as_str().unwrap();
    let spoken = format!("{} {} {}", &code[0..3], &code[3..6], &code[6..9]);
    assert!(
        t.screen().contains(&spoken),
        "the code is on screen to read aloud"
    );
    let shown = env.ok(Some("admin"), &["case", "show", code]);
    assert!(shown.contains("چاله بزرگ جلوی پلاک ۱۲"), "{shown}");
}

#[test]
fn a_case_registered_elsewhere_appears_without_a_key_press() {
    let env = Env::new();
    let Some(t) = Tmux::console(&env, "live") else {
        return;
    };
    t.wait_for("Unreferred 0", Duration::from_secs(5));
    let code = env.new_case(&[]);
    let took = t.wait_for(&code, Duration::from_secs(5));
    assert!(took < Duration::from_secs(3), "seen after {took:?}");
    assert!(t.screen().contains("Unreferred 1"));
}

#[test]
fn a_console_killed_mid_call_offers_the_call_back() {
    let env = Env::new();
    let Some(t) = Tmux::console(&env, "kill") else {
        return;
    };
    t.type_call("09351112233");
    t.wait_for("چاله بزرگ جلوی پلاک ۱۲", Duration::from_secs(5));
    // Wait until the draft in the store holds the last words typed, then kill -9.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut store =
            citydesk::store::open(&env.store, &citydesk::store::Settings::default()).unwrap();
        let drafts = store.drafts(Some("ali")).unwrap();
        if drafts
            .first()
            .is_some_and(|d| d.body.contains("چاله بزرگ جلوی پلاک ۱۲"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the draft was not saved as typed: {drafts:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = t.pid();
    assert!(
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    t.stop();

    let again = Tmux::console(&env, "kill2").expect("tmux ran a moment ago");
    again.wait_for("You have an unsaved call", Duration::from_secs(5));
    again.keys(&["y"]);
    again.wait_for("09351112233", Duration::from_secs(5));
    again.wait_for("چاله بزرگ جلوی پلاک ۱۲", Duration::from_secs(5));
    again.keys(&["C-s"]);
    again.wait_for("Registered: read the code", Duration::from_secs(10));
    assert_eq!(env.case_count(), 1);
}
