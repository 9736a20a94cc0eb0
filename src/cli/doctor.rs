//! `citydesk doctor`: how this terminal shows Persian. It prints a Persian
//! sample drawn both ways (put in order by citydesk; left to the terminal),
//! says what it knows of the terminal from its environment, and saves the
//! way that reads right as `[display] bidi` in the config file. The words
//! come from the locale; the answer is read from standard input (or
//! `--answer`), so scripts and tests can give it.

use std::io::{BufRead, Write};
use std::path::Path;

use super::run::CliError;
use crate::app::modal::BIDI_SAMPLE;
use crate::bidi::{self, BidiMode};
use crate::present::Words;

/// What a terminal is known to do with right-to-left text, from the
/// variables it sets (shared/notes/persian-terminal.md): `Some(App)` when
/// it draws cells as given, `Some(Terminal)` when it always reorders.
pub fn guess(var: impl Fn(&str) -> Option<String>) -> (String, Option<BidiMode>) {
    let has = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    let term = var("TERM").unwrap_or_default();
    let program = var("TERM_PROGRAM").unwrap_or_default();
    if has("KONSOLE_VERSION") {
        ("Konsole".into(), Some(BidiMode::Terminal))
    } else if program == "Apple_Terminal" {
        ("Terminal.app".into(), Some(BidiMode::Terminal))
    } else if term.starts_with("mlterm") {
        ("mlterm".into(), Some(BidiMode::Terminal))
    } else if has("WT_SESSION") {
        ("Windows Terminal".into(), Some(BidiMode::App))
    } else if term == "xterm-kitty" || has("KITTY_WINDOW_ID") {
        ("kitty".into(), Some(BidiMode::App))
    } else if has("ALACRITTY_SOCKET") || term == "alacritty" {
        ("Alacritty".into(), Some(BidiMode::App))
    } else if program == "ghostty" || term == "xterm-ghostty" {
        ("Ghostty".into(), Some(BidiMode::App))
    } else if program == "WezTerm" {
        ("WezTerm".into(), Some(BidiMode::App))
    } else if has("VTE_VERSION") {
        // VTE reorders, and also honours CSI 8 l: either works.
        ("VTE (GNOME Terminal, Tilix…)".into(), None)
    } else if program == "iTerm.app" {
        ("iTerm2".into(), None)
    } else if program == "mintty" {
        ("mintty".into(), None)
    } else {
        (if term.is_empty() { "?".into() } else { term }, None)
    }
}

fn mode_word(w: &Words, mode: Option<BidiMode>) -> String {
    match mode {
        Some(BidiMode::App) => w.t("bidi.mode-app").to_owned(),
        Some(BidiMode::Terminal) => w.t("bidi.mode-terminal").to_owned(),
        None => w.t("bidi.mode-none").to_owned(),
    }
}

/// The answer `1` or `2` (any digit script), if that is what was given.
fn answer_of(s: &str) -> Option<BidiMode> {
    match crate::text::ascii_digits(s.trim()).as_str() {
        "1" => Some(BidiMode::App),
        "2" => Some(BidiMode::Terminal),
        _ => None,
    }
}

pub fn run(
    w: &Words,
    current: Option<BidiMode>,
    config: Option<&Path>,
    answer: Option<&str>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let (terminal, suggested) = guess(|name| std::env::var(name).ok());
    // The samples are drawn with the terminal as it is by default.
    if std::io::stdout().is_terminal() {
        out.write_all(bidi::BIDI_IMPLICIT.as_bytes())?;
    }
    writeln!(out, "{}", w.t("bidi.title"))?;
    writeln!(
        out,
        "{}",
        w.fill(
            "bidi.terminal-is",
            &[
                ("terminal", &terminal),
                ("suggested", &mode_word(w, suggested))
            ]
        )
    )?;
    writeln!(
        out,
        "{}",
        w.fill("bidi.current", &[("mode", &mode_word(w, current))])
    )?;
    writeln!(out)?;
    for (n, mode, key) in [
        (1, BidiMode::App, "bidi.app"),
        (2, BidiMode::Terminal, "bidi.terminal"),
    ] {
        writeln!(out, " {}  {}", w.n(n), w.t(key))?;
        writeln!(out, "     {}", bidi::for_cell_dir(BIDI_SAMPLE, mode, true))?;
    }
    writeln!(out)?;
    let chosen = if let Some(a) = answer {
        Some(answer_of(a).ok_or_else(|| {
            CliError::new(w.fill("bidi.bad-answer", &[("given", &format!("{a:?}"))]))
        })?)
    } else {
        write!(out, "{} ", w.t("bidi.ask"))?;
        out.flush()?;
        let mut line = String::new();
        input
            .read_line(&mut line)
            .map_err(|e| CliError::new(w.fill("cli.error.stdin", &[("why", &e.to_string())])))?;
        writeln!(out)?;
        answer_of(&line)
    };
    let Some(mode) = chosen else {
        writeln!(out, "{}", w.t("bidi.unchanged"))?;
        return Ok(());
    };
    let Some(path) = config else {
        return Err(CliError::new(w.t("bidi.no-config")));
    };
    crate::config::save_bidi(path, mode).map_err(|e| {
        CliError::new(w.fill(
            "cli.error.config",
            &[("path", &e.path), ("why", &e.message)],
        ))
    })?;
    writeln!(
        out,
        "{}",
        w.fill("bidi.saved", &[("path", &path.display().to_string())])
    )?;
    writeln!(
        out,
        "{}",
        w.fill("bidi.now", &[("mode", &mode_word(w, Some(mode)))])
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn known_terminals_are_told_apart() {
        assert_eq!(
            guess(env(&[("KONSOLE_VERSION", "230804")])).1,
            Some(BidiMode::Terminal)
        );
        assert_eq!(guess(env(&[("WT_SESSION", "x")])).1, Some(BidiMode::App));
        assert_eq!(
            guess(env(&[("TERM", "xterm-kitty")])).1,
            Some(BidiMode::App)
        );
        assert_eq!(guess(env(&[("VTE_VERSION", "7600")])).1, None);
        assert_eq!(
            guess(env(&[("TERM", "xterm-256color")])).0,
            "xterm-256color"
        );
    }

    #[test]
    fn answers_in_any_digits() {
        assert_eq!(answer_of("1\n"), Some(BidiMode::App));
        assert_eq!(answer_of(" ۲ "), Some(BidiMode::Terminal));
        assert_eq!(answer_of(""), None);
        assert_eq!(answer_of("3"), None);
    }
}
