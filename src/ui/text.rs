//! The text layer: every piece of text a widget draws passes through here.
//! Citizen text has its control characters and escape sequences neutralized;
//! widths are measured in terminal cells. (Right-to-left shaping lands here
//! later, in one place.)

use std::borrow::Cow;

use ratatui::style::Style;
use ratatui::text::Span;

use crate::text::{for_terminal, truncate};

/// Text made safe for the terminal.
pub fn safe(s: &str) -> Cow<'_, str> {
    for_terminal(s)
}

/// A span of safe text.
pub fn span(s: &str, style: Style) -> Span<'static> {
    Span::styled(safe(s).into_owned(), style)
}

/// Safe text cut to `cols` cells (with … when cut), one line.
pub fn cut(s: &str, cols: usize) -> String {
    let one_line = s.replace('\n', " ⏎ ");
    truncate(&safe(&one_line), cols).into_owned()
}

/// Safe text cut and padded to exactly `cols` cells.
pub fn cell(s: &str, cols: usize) -> String {
    let c = cut(s, cols);
    let w = crate::text::width(&c);
    format!("{c}{}", " ".repeat(cols.saturating_sub(w)))
}

/// Safe text broken into lines of at most `cols` cells, at spaces where it
/// can (a word longer than a line is cut), keeping the text's own line breaks.
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut out = Vec::new();
    for para in s.lines() {
        let mut line = String::new();
        for word in safe(para).split(' ') {
            let w = crate::text::width(word);
            let used = crate::text::width(&line);
            if !line.is_empty() && used + 1 + w > cols {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&crate::text::truncate(word, cols));
        }
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_in_cells() {
        assert_eq!(
            wrap("درخت چنار روی ماشین افتاده", 10),
            ["درخت چنار", "روی ماشین", "افتاده"]
        );
        assert_eq!(wrap("a\nb c", 3), ["a", "b c"]);
        assert_eq!(wrap("abcdefgh", 4), ["abc…"]);
        assert_eq!(wrap("x\u{1b}[2J", 20), ["x␛[2J"]);
    }
}
