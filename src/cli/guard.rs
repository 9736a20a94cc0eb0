//! The last gate before bytes leave the CLI: every byte written to a terminal
//! passes the neutralizer, and `--json` escapes what JSON allows raw but a
//! terminal would obey. The per-field neutralizing in `output` stays; this
//! catches what no field formatter saw (messages that quote input, clap's
//! echo of a bad value, a future formatter that forgot).
//!
//! - Terminal (text mode on a terminal, and every message on stderr, which
//!   is for people even when redirected): C0 controls except line
//!   feed, tab and the CR of a CRLF become control pictures (␛), DEL ␡, C1
//!   controls and the bidi embeddings and overrides (U+202A..U+202E) U+FFFD.
//!   Bidi isolates (U+2066..U+2069) pass: layout code brackets cells with
//!   them, and an isolate cannot reorder text outside its line.
//! - JSON (`--json`, terminal or not): DEL, C1 controls, every bidi control
//!   and the line and paragraph separators are written as `\uXXXX`, which
//!   reads back as the same string (serde_json escapes C0 itself).
//! - Raw (text mode into a pipe or file): unchanged, the data as stored.

use std::fmt::Write as _;
use std::io::{self, Write};

/// What the gate does to the text that passes it (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Terminal,
    Json,
    Raw,
}

impl Mode {
    /// The mode for an output stream: JSON for `--json`, else by whether it is a terminal.
    pub fn for_stream(json: bool, terminal: bool) -> Mode {
        match (json, terminal) {
            (true, _) => Mode::Json,
            (false, true) => Mode::Terminal,
            (false, false) => Mode::Raw,
        }
    }
}

/// A writer that passes text through `Mode`'s rule; an incomplete UTF-8
/// sequence at the end of one write waits for the next.
pub struct Guard<W: Write> {
    inner: W,
    mode: Mode,
    pending: Vec<u8>,
}

impl<W: Write> Guard<W> {
    pub fn new(inner: W, mode: Mode) -> Self {
        Guard {
            inner,
            mode,
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, end: bool) -> io::Result<()> {
        let mut complete = match std::str::from_utf8(&self.pending) {
            Err(e) if e.error_len().is_none() && !end => e.valid_up_to(),
            _ => self.pending.len(),
        };
        // A CR at the end may be the first half of a CRLF.
        if !end && self.mode == Mode::Terminal && self.pending[..complete].ends_with(b"\r") {
            complete -= 1;
        }
        let rest = self.pending.split_off(complete);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        self.inner.write_all(apply(self.mode, &text).as_bytes())
    }
}

impl<W: Write> Write for Guard<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.mode == Mode::Raw {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        self.emit(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            self.emit(true)?;
        }
        self.inner.flush()
    }
}

/// `text` as `mode` lets it out.
pub fn apply(mode: Mode, text: &str) -> String {
    match mode {
        Mode::Raw => text.to_owned(),
        Mode::Json => json(text),
        Mode::Terminal => terminal(text),
    }
}

/// Text for a terminal, several lines kept (see the module doc).
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' if chars.peek() == Some(&'\n') => out.push(c),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// JSON text with DEL, C1, bidi controls and line separators escaped.
pub fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c,
            '\u{7f}'..='\u{9f}'
            | '\u{061c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}')
        {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(mode: Mode, pieces: &[&[u8]]) -> String {
        let mut g = Guard::new(Vec::new(), mode);
        for p in pieces {
            g.write_all(p).unwrap();
        }
        g.flush().unwrap();
        String::from_utf8(g.inner).unwrap()
    }

    #[test]
    fn a_terminal_gets_no_control_but_lines_and_tabs() {
        let s = "a\u{1b}]0;pwned\u{7}\tb\r\nc\rd\u{9b}e\u{202e}f\u{2067}g\u{2069}\u{7f}\n";
        assert_eq!(
            through(Mode::Terminal, &[s.as_bytes()]),
            "a␛]0;pwned␇\tb\r\nc␍d\u{fffd}e\u{fffd}f\u{2067}g\u{2069}␡\n"
        );
    }

    #[test]
    fn split_characters_and_crlf_survive_separate_writes() {
        let s = "سلام\r\n\u{9b}".as_bytes();
        for cut in 0..=s.len() {
            let (a, b) = s.split_at(cut);
            assert_eq!(
                through(Mode::Terminal, &[a, b]),
                "سلام\r\n\u{fffd}",
                "cut at {cut}"
            );
        }
        assert_eq!(through(Mode::Terminal, &[b"x\r"]), "x␍");
    }

    #[test]
    fn json_escapes_c1_del_and_bidi_and_reads_back_the_same() {
        let value = "x\u{7f}\u{85}\u{9b}[31m\u{202e}evil\u{2066}\u{200f}\u{2028}ok سلام";
        let raw = serde_json::to_string(&serde_json::json!({ "text": value })).unwrap();
        let out = through(Mode::Json, &[raw.as_bytes()]);
        assert!(
            out.chars()
                .all(|c| c.is_ascii() && !c.is_ascii_control() || c.is_alphabetic() || c == ' '),
            "{out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["text"], value);
    }

    #[test]
    fn raw_is_untouched() {
        assert_eq!(through(Mode::Raw, &[b"a\x1bb\r"]), "a\x1bb\r");
    }
}
