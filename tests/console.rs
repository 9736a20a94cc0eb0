//! The real console in a real terminal (tmux): an operator registers a call
//! by keys and the CLI finds it; a case registered by another process shows
//! up in a running console; a console killed mid-call offers the call back;
//! the Persian console (bidi = app) draws a name typed by keys shaped and in
//! visual order, its label on the right; each bidi mode tells the terminal
//! its escapes once the screen is up and undoes them on the way out (the
//! bytes as written, copied by `script`).
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
    // The console draws Persian text shaped and in visual order (bidi = app).
    let drawn = citydesk::bidi::for_cell("چاله بزرگ جلوی پلاک ۱۲", citydesk::bidi::BidiMode::App);
    t.wait_for(&drawn, Duration::from_secs(5));
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
    again.wait_for(&drawn, Duration::from_secs(5));
    again.keys(&["C-s"]);
    again.wait_for("Registered: read the code", Duration::from_secs(10));
    assert_eq!(env.case_count(), 1);
}

/// Text as the console draws it in App mode: shaped, in visual order.
fn drawn(s: &str) -> String {
    citydesk::bidi::for_cell(s, citydesk::bidi::BidiMode::App)
}

#[test]
fn a_persian_name_typed_by_keys_reads_right_in_the_persian_console() {
    let env = Env::new();
    let config = env.dir.path().join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap_or_default();
    text.push_str("\n[display]\nbidi = \"app\"\n");
    std::fs::write(&config, text).unwrap();
    let Some(t) = Tmux::console_in(&env, "fa", "fa") else {
        return;
    };
    t.sign_in(&drawn("ورود"), &drawn("خوش آمدید"));
    t.keys(&["F2"]);
    t.wait_for(&drawn("تماس تازه"), Duration::from_secs(5));
    // Persian digits for the phone, then the name, letter by letter.
    t.text("۰۹۱۲۱۲۳۴۵۶۷");
    t.keys(&["Tab"]);
    for c in "مریم احمدی".chars() {
        t.text(&c.to_string());
    }
    let name = drawn("مریم احمدی");
    // Shaped: joined (presentation) forms, in visual order: the last
    // letter of the last word (ی) on the left.
    assert!(
        name.chars()
            .filter(|c| ('\u{FB50}'..='\u{FEFF}').contains(c))
            .count()
            >= 8,
        "{name:?}"
    );
    assert_eq!(name.chars().next(), Some('\u{FBFC}'), "final ی on the left");
    t.wait_for(&name, Duration::from_secs(5));
    let screen = t.screen();
    let line = screen
        .lines()
        .find(|l| l.contains(&name))
        .expect("the name's line");
    // The label is on the right of the value, at the right of the form.
    let label = drawn("نام");
    let at_name = line.find(&name).unwrap();
    let at_label = line.rfind(&label).expect("the label on the name's line");
    assert!(at_label > at_name, "label right of the name: {line:?}");
    // The phone's line reads left to right: Persian digits in order.
    assert!(screen.contains("۰۹۱۲۱۲۳۴۵۶۷"), "{screen}");
    // The form's rows keep their columns: every label starts its row at the
    // same column from the right.
    // (in screen columns: zero-width chars such as ZWNJ take none)
    let right_edge = |l: &str, label: &str| {
        let at = l.rfind(&drawn(label))? + drawn(label).len();
        Some(citydesk::bidi::cells(&l[..at]))
    };
    let phone_line = screen
        .lines()
        .find(|l| l.contains("۰۹۱۲۱۲۳۴۵۶۷"))
        .expect("the phone's line");
    let (phone_end, name_end) = (
        right_edge(phone_line, "تلفن").expect("the phone label"),
        right_edge(line, "نام").expect("the name label"),
    );
    assert_eq!(
        phone_end, name_end,
        "labels aligned on the right:\n{screen}"
    );
}

/// What the console wrote to the terminal from start to exit in `mode`,
/// with Persian words: started under `script`, quit from the sign-in screen.
fn bytes_written(name: &str, mode: &str) -> Option<String> {
    let env = Env::new();
    let config = env.dir.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    std::fs::write(&config, format!("{text}\n[display]\nbidi = \"{mode}\"\n")).unwrap();
    let log = env.dir.path().join(format!("{name}.log"));
    let t = Tmux::console_logged(&env, name, "fa", &log)?;
    let read = || String::from_utf8_lossy(&std::fs::read(&log).unwrap_or_default()).into_owned();
    let wait = |what: &str, done: &dyn Fn(&str) -> bool| {
        let start = std::time::Instant::now();
        loop {
            let bytes = read();
            if done(&bytes) {
                return bytes;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{what} did not come; the console wrote {bytes:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    // Up: the alternate screen, then the sign-in screen drawn.
    wait("the screen", &|b| {
        b.contains("\x1b[?1049h") && b.matches('\x1b').count() > 20
    });
    // Esc on the sign-in screen quits.
    t.keys(&["Escape"]);
    // `script` ends its copy with a line of its own once the console is gone.
    Some(wait("the way out", &|b| {
        b.contains("\x1b[?1049l") && b.contains("Script done")
    }))
}

/// The part of `bytes` after the alternate screen is entered, and the part
/// after it is left, up to the console's exit (without `script`'s last line).
fn up_and_out(bytes: &str) -> (&str, &str) {
    let up = bytes.find("\x1b[?1049h").expect("the alternate screen");
    let out = bytes
        .rfind("\x1b[?1049l")
        .expect("the alternate screen left");
    let end = bytes.rfind("Script done").expect("script's last line");
    let out = bytes[out..end].trim_end_matches(['\r', '\n']);
    (&bytes[up..end], out)
}

#[test]
fn terminal_mode_hands_the_terminal_its_bidi_and_takes_it_back_on_the_way_out() {
    let Some(bytes) = bytes_written("bidi-terminal", "terminal") else {
        return;
    };
    let (up, out) = up_and_out(&bytes);
    // Once the screen is up: reordering on, rows left to right, no
    // guessing of a row's direction; never App mode's "stop reordering".
    assert!(
        up.contains(citydesk::bidi::BIDI_TERMINAL_START),
        "the start escapes: {up:?}"
    );
    assert!(!bytes.contains(citydesk::bidi::BIDI_EXPLICIT), "{bytes:?}");
    // On the way out, after the screen is restored: undone, last thing written.
    assert!(
        out.ends_with(citydesk::bidi::BIDI_TERMINAL_END),
        "the end escapes: {out:?}"
    );
}

#[test]
fn app_mode_stops_the_terminals_bidi_and_gives_it_back_on_the_way_out() {
    let Some(bytes) = bytes_written("bidi-app", "app") else {
        return;
    };
    let (up, out) = up_and_out(&bytes);
    assert!(up.contains(citydesk::bidi::BIDI_EXPLICIT), "{up:?}");
    assert!(!bytes.contains("\x1b[?2501"), "{bytes:?}");
    assert!(out.ends_with(citydesk::bidi::BIDI_IMPLICIT), "{out:?}");
    assert!(!out.contains(citydesk::bidi::BIDI_EXPLICIT), "{out:?}");
}
