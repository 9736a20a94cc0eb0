//! The citydesk binary: parse the command line, run, map the outcome to an exit
//! code (0 done, 1 refused or invalid, 2 usage). Never calls process::exit, so
//! destructors (and later the terminal restore) always run.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use citydesk::cli::{self, Cli};
use citydesk::clock::SystemClock;

fn main() -> ExitCode {
    let parsed = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let json = parsed.json;
    match cli::run(parsed, &SystemClock, &mut input, &mut out) {
        Ok(()) => {
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(e) if e.broken_pipe => ExitCode::SUCCESS,
        Err(e) => {
            // With --json, the typed error for scripts; the words for people.
            if let (true, Some(typed)) = (json, &e.typed) {
                let v = serde_json::json!({ "error": typed, "message": e.message });
                let _ = writeln!(out, "{v}");
            }
            let _ = out.flush();
            eprintln!("citydesk: {e}");
            ExitCode::from(1)
        }
    }
}
