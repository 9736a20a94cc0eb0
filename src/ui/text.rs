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
