//! Invalid config files as fixtures, with the exact message each one gets:
//! `tests/fixtures/config/NAME.toml` beside `NAME.expected`, which holds the
//! error of `citydesk::config::parse_all` for it — what a person reads after
//! `citydesk: config file PATH: ` (tests/cli.rs checks that framing). Adding a
//! case is adding two files; `CITYDESK_BLESS=1 cargo test --test config`
//! writes the `.expected` files from what citydesk says now, for review.

use std::fs;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config")
}

#[test]
fn every_bad_config_gets_its_exact_message() {
    let bless = std::env::var_os("CITYDESK_BLESS").is_some();
    let mut names: Vec<PathBuf> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 12, "the fixtures are missing: {names:?}");
    let mut wrong = Vec::new();
    for toml in &names {
        let text = fs::read_to_string(toml).unwrap();
        let expected_path = toml.with_extension("expected");
        let Err(said) = citydesk::config::parse_all(&text) else {
            wrong.push(format!("{}: accepted, but it is not valid", toml.display()));
            continue;
        };
        if !(said.starts_with("line ") || said.starts_with("TOML parse error at line ")) {
            wrong.push(format!("{}: no line number: {said}", toml.display()));
        }
        if bless {
            fs::write(&expected_path, format!("{said}\n")).unwrap();
            continue;
        }
        let Ok(expected) = fs::read_to_string(&expected_path) else {
            wrong.push(format!("{}: no .expected file", toml.display()));
            continue;
        };
        // The file ends with a newline; the message does not.
        let expected = expected.strip_suffix('\n').unwrap_or(&expected);
        if said != expected {
            wrong.push(format!(
                "{}:\n--- expected\n{expected}\n--- citydesk said\n{said}",
                toml.display()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn every_expected_message_has_its_config() {
    for entry in fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("expected") => assert!(
                path.with_extension("toml").exists(),
                "{} has no .toml beside it",
                path.display()
            ),
            Some("toml") => {}
            _ => panic!("{}: only NAME.toml and NAME.expected here", path.display()),
        }
    }
}
