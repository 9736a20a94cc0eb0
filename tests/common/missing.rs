//! A test whose prerequisite is missing never passes quietly: under CI it
//! fails, saying what is missing and how to install it; on a developer's
//! machine it returns early, and one line per test binary and prerequisite
//! goes to the real stderr (libtest captures `eprintln!`, not a direct write),
//! saying which tests did not run and how to make them run.

use std::io::Write;
use std::sync::Mutex;

/// Whether the tests run under CI: `CI=true` (or `1`), as CI services set it
/// and `.ci/run` does.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `tests` cannot run because `what` is missing; `remedy` says how to get it.
/// Panics under CI; otherwise tells the developer once per test binary.
pub fn prerequisite(tests: &str, what: &str, remedy: &str) {
    static TOLD: Mutex<Vec<String>> = Mutex::new(Vec::new());
    assert!(
        !under_ci(),
        "{tests} cannot run: {what}. Under CI every test must run: {remedy}."
    );
    let mut told = TOLD
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if told.iter().any(|t| t == tests) {
        return;
    }
    told.push(tests.to_owned());
    let line = format!(
        "citydesk tests ({}): {tests} did NOT run (libtest lists them as ok): {what}. To run them: {remedy}.\n",
        env!("CARGO_CRATE_NAME")
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}
