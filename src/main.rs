//! The citydesk binary: parse the command line, run, map the outcome to an exit
//! code (0 done, 1 refused or invalid, 2 usage, 3 a write whose outcome is
//! unknown: the connection was lost at COMMIT). Never calls process::exit, so
//! destructors (and later the terminal restore) always run.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::FromArgMatches;

use citydesk::cli::{self, Cli, guard};
use citydesk::clock::SystemClock;
use citydesk::locale::Lang;
use citydesk::text::for_terminal;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    // The language is known before clap parses, so that `--help` and usage
    // errors speak it.
    let lang = cli::help::early_lang(&args, |name| std::env::var(name).ok());
    cli::set_lang(lang);
    let args = match lang {
        Lang::Fa => cli::help::help_subcommand_as_flag(&args).unwrap_or(args),
        Lang::En => args,
    };
    let parse = |args: &[OsString]| {
        cli::help::command(lang)
            .try_get_matches_from(args)
            .and_then(|m| Cli::from_arg_matches(&m))
    };
    let parsed = match parse(&args) {
        Ok(c) => c,
        // A usage error quotes what was typed, and clap writes a bad value's
        // escape sequences raw to a terminal (and drops them elsewhere): say
        // the error of the same arguments neutralized, then pass the gate.
        Err(e) if e.use_stderr() => {
            let shown: Vec<OsString> = args
                .iter()
                .map(|a| {
                    a.to_str()
                        .map_or_else(|| a.clone(), |s| for_terminal(s).into_owned().into())
                })
                .collect();
            let e = parse(&shown)
                .err()
                .filter(|again| again.kind() == e.kind())
                .unwrap_or(e);
            eprint!("{}", guard::terminal(&cli::help::usage_error(&e, lang)));
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let json = parsed.json;
    let mode = guard::Mode::for_stream(json, stdout.is_terminal());
    let mut out = guard::Guard::new(stdout.lock(), mode);
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
            eprintln!("citydesk: {}", guard::terminal(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
    }
}
