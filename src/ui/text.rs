//! The text layer: every piece of text a widget draws passes through here.
//! Citizen text has its control characters and escape sequences neutralized;
//! widths are sums of per-char cells (never `Line::width`, which counts
//! lam + alef as one cell where ratatui draws two); and right-to-left text
//! is prepared for its cell by the console's [`Flow`]:
//!
//! - App mode: each cell's text shaped and reordered to visual order
//!   (`bidi::fit`), so a terminal that draws cells as given shows it right;
//! - Terminal mode: each cell's text in logical order, isolated (FSI … PDI),
//!   so a terminal with its own BiDi reorders it without swapping columns.
//!
//! Widgets say what a row holds as a [`Row`] of cells in reading order; in
//! the Persian layout (`flow.rtl`) the first cell goes on the right, each
//! cell's text against its right edge, so the whole screen mirrors. The
//! zero-width isolate controls are kept inside the cell symbols they belong
//! to (ratatui's own string drawing drops zero-width graphemes).

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Borders};
use unicode_width::UnicodeWidthChar;

use crate::bidi;
pub use crate::bidi::{Flow, cells};
use crate::text::for_terminal;

/// Text made safe for the terminal.
pub fn safe(s: &str) -> Cow<'_, str> {
    for_terminal(s)
}

/// One line of safe text: line breaks shown as ⏎.
fn one_line(s: &str) -> String {
    safe(&s.replace('\n', " ⏎ ")).into_owned()
}

/// Safe text cut to `cols` cells (with … when cut), one line, in logical
/// order (a row prepares it for its cell).
pub fn cut(s: &str, cols: usize) -> String {
    let line = one_line(s);
    if cells(&line) <= cols {
        return line;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > cols {
            break;
        }
        used += w;
        out.push(c);
    }
    if cols > 0 {
        let kept = out.trim_end().len();
        out.truncate(kept);
        out.push('…');
    }
    out
}

/// Safe text broken into lines of at most `cols` cells, at spaces where it
/// can (a word longer than a line is cut), keeping the text's own line
/// breaks. In logical order: each line is then a row of its own.
pub fn wrap(s: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    let mut out = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in safe(para).split(' ') {
            let w = cells(word);
            let used = cells(&line);
            if !line.is_empty() && used + 1 + w > cols {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            if w > cols {
                line.push_str(&cut(word, cols));
            } else {
                line.push_str(word);
            }
        }
        out.push(line);
    }
    out
}

/// How wide a part of a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    /// Exactly this many cells (cut with …, or padded).
    Fixed(usize),
    /// As wide as its text.
    Natural,
    /// What is left of the row.
    Fill,
}

#[derive(Debug, Clone, PartialEq)]
struct Part {
    text: String,
    style: Style,
    width: Width,
    /// Against the far end of its cell (numbers in a table).
    end: bool,
    /// Left to right whatever the layout (a phone number, digits drawn as
    /// art): its direction comes from the text, not from the layout.
    ltr: bool,
}

/// One line of a widget: cells in reading order. Drawn left to right, or
/// right to left in a right-to-left layout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    parts: Vec<Part>,
    style: Style,
}

impl Row {
    pub fn new() -> Row {
        Row::default()
    }

    /// A row holding one text as wide as the area (cut with … when longer).
    pub fn line(text: impl AsRef<str>, style: Style) -> Row {
        Row::new().fill(text, style)
    }

    /// The style under every cell, and of the row's empty cells (a selection).
    #[must_use]
    pub fn style(mut self, style: Style) -> Row {
        self.style = style;
        self
    }

    fn push(mut self, text: &str, style: Style, width: Width, end: bool) -> Row {
        self.parts.push(Part {
            text: one_line(text),
            style,
            width,
            end,
            ltr: false,
        });
        self
    }

    /// The last cell added reads left to right, even in a right-to-left
    /// layout (it still sits at the start of its cell: the right).
    #[must_use]
    pub fn ltr(mut self) -> Row {
        if let Some(p) = self.parts.last_mut() {
            p.ltr = true;
        }
        self
    }

    /// A cell of exactly `width` cells, its text at its start.
    #[must_use]
    pub fn cell(self, text: impl AsRef<str>, width: usize, style: Style) -> Row {
        self.push(text.as_ref(), style, Width::Fixed(width), false)
    }

    /// A cell of exactly `width` cells, its text at its far end (a number).
    #[must_use]
    pub fn num(self, text: impl AsRef<str>, width: usize, style: Style) -> Row {
        self.push(text.as_ref(), style, Width::Fixed(width), true)
    }

    /// Text as wide as it is.
    #[must_use]
    pub fn text(self, text: impl AsRef<str>, style: Style) -> Row {
        self.push(text.as_ref(), style, Width::Natural, false)
    }

    /// `n` blank cells.
    #[must_use]
    pub fn gap(self, n: usize) -> Row {
        self.push("", Style::new(), Width::Fixed(n), false)
    }

    /// Text taking what is left of the row.
    #[must_use]
    pub fn fill(self, text: impl AsRef<str>, style: Style) -> Row {
        self.push(text.as_ref(), style, Width::Fill, false)
    }

    /// How many cells the row has so far (the index of the next one).
    pub fn parts_len(&self) -> usize {
        self.parts.len()
    }

    /// Cells the row's text takes when nothing is cut (fill parts as wide
    /// as their text).
    pub fn natural_width(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p.width {
                Width::Fixed(n) => n,
                Width::Natural | Width::Fill => cells(&p.text),
            })
            .sum()
    }

    /// Each part's cells in a row `width` wide: fixed and natural parts in
    /// order as long as there is room, fill parts share what is left.
    fn widths(&self, width: usize) -> Vec<usize> {
        let wanted: Vec<usize> = self
            .parts
            .iter()
            .map(|p| match p.width {
                Width::Fixed(n) => n,
                Width::Natural => cells(&p.text),
                Width::Fill => 0,
            })
            .collect();
        let fills = self.parts.iter().filter(|p| p.width == Width::Fill).count();
        let rest = width.saturating_sub(wanted.iter().sum());
        let mut left = width;
        let mut fill_left = rest;
        let mut fill_seen = 0;
        self.parts
            .iter()
            .zip(wanted)
            .map(|(p, want)| {
                let want = if p.width == Width::Fill {
                    fill_seen += 1;
                    let share = if fill_seen == fills {
                        fill_left
                    } else {
                        rest / fills
                    };
                    fill_left -= share;
                    share
                } else {
                    want
                };
                let w = want.min(left);
                left -= w;
                w
            })
            .collect()
    }

    /// Where the cell of part `index` is in a row drawn at `x` `width` wide:
    /// (its first column, its cells).
    pub fn span_of(&self, index: usize, x: u16, width: u16, flow: Flow) -> (u16, u16) {
        let widths = self.widths(width as usize);
        let before: usize = widths[..index.min(widths.len())].iter().sum();
        let w = widths.get(index).copied().unwrap_or(0);
        let start = if flow.rtl {
            width as usize - before - w
        } else {
            before
        };
        (x + start as u16, w as u16)
    }

    /// Draws the row on line `y` from `x`, `width` cells wide.
    pub fn draw(&self, buf: &mut Buffer, x: u16, y: u16, width: u16, flow: Flow) {
        let area = Rect::new(x, y, width, 1).intersection(buf.area);
        if area.is_empty() {
            return;
        }
        buf.set_style(area, self.style);
        let widths = self.widths(area.width as usize);
        let mut used = 0usize;
        for (p, w) in self.parts.iter().zip(widths) {
            if w == 0 {
                continue;
            }
            let text = part_text(p, w, flow);
            let start = if flow.rtl {
                area.width as usize - used - w
            } else {
                used
            };
            put(
                buf,
                area.x + start as u16,
                y,
                &text,
                self.style.patch(p.style),
            );
            used += w;
        }
    }
}

/// What a part draws in its `w` cells, left to right on screen. Spaces at
/// the start and end of its text stay at the start and end of the cell in
/// the layout's direction (a trailing separator stays on the far side even
/// when the text itself reads right to left); the text between them is cut,
/// shaped and reordered by `bidi::fitted`.
fn part_text(p: &Part, w: usize, flow: Flow) -> String {
    let core = p.text.trim_matches(' ');
    let (lead, trail) = if core.is_empty() {
        (0, 0)
    } else {
        let lead = p.text.len() - p.text.trim_start_matches(' ').len();
        let trail = p.text.len() - p.text.trim_end_matches(' ').len();
        let lead = lead.min(w);
        let trail = trail.min(w.saturating_sub(lead + cells(core)));
        (lead, trail)
    };
    let (drawn, pad) = bidi::fitted(core, w - lead - trail, flow.mode, flow.rtl && !p.ltr);
    let pad = " ".repeat(pad);
    let body = if flow.rtl == p.end {
        drawn + &pad
    } else {
        pad + &drawn
    };
    let (left, right) = if flow.rtl {
        (trail, lead)
    } else {
        (lead, trail)
    };
    format!("{}{body}{}", " ".repeat(left), " ".repeat(right))
}

/// Writes prepared text into cells from `x`: each char of non-zero width
/// in a cell of its own (a wide one hides the cell after it); an isolate's
/// opening control (LRI, RLI, FSI) goes into the symbol of the cell after
/// it; any other zero-width char (ZWNJ, a mark, PDI) into the symbol of the
/// cell before it, or of the first cell when nothing comes before it.
fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, style: Style) {
    let right = buf.area.right();
    let mut col = x;
    let mut last: Option<u16> = None;
    let mut pending = String::new();
    for c in text.chars() {
        let w = c.width().unwrap_or(0) as u16;
        // An isolate's opening control belongs to the char it opens, so a
        // cell redrawn alone still sends it.
        if matches!(c, '\u{2066}' | '\u{2067}' | '\u{2068}') {
            pending.push(c);
            continue;
        }
        if w == 0 {
            match last {
                Some(at) => {
                    let cell = &mut buf[(at, y)];
                    let mut symbol = cell.symbol().to_owned();
                    symbol.push(c);
                    cell.set_symbol(&symbol);
                }
                None => pending.push(c),
            }
            continue;
        }
        if col + w > right {
            break;
        }
        let mut symbol = std::mem::take(&mut pending);
        symbol.push(c);
        buf[(col, y)].set_symbol(&symbol).set_style(style);
        for hidden in 1..w {
            buf[(col + hidden, y)].reset();
        }
        last = Some(col);
        col += w;
    }
    // An isolate opened with nothing drawn after it still closes.
    if let Some(at) = last.filter(|_| !pending.is_empty()) {
        let cell = &mut buf[(at, y)];
        let symbol = format!("{}{pending}", cell.symbol());
        cell.set_symbol(&symbol);
    }
}

/// Draws rows one per line from the top of `area`, as many as fit.
pub fn draw_rows(buf: &mut Buffer, area: Rect, flow: Flow, rows: &[Row]) {
    for (i, row) in rows.iter().take(area.height as usize).enumerate() {
        row.draw(buf, area.x, area.y + i as u16, area.width, flow);
    }
}

/// Draws rows into the frame (see [`draw_rows`]).
pub fn rows(frame: &mut Frame, area: Rect, flow: Flow, rows: &[Row]) {
    draw_rows(frame.buffer_mut(), area, flow, rows);
}

/// A block with borders and a title in its top border (at its start: the
/// right in a right-to-left layout); returns the inside.
pub fn block(frame: &mut Frame, area: Rect, flow: Flow, borders: Borders, title: &str) -> Rect {
    let b = Block::new().borders(borders);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if !title.is_empty() && area.width > 2 && borders.contains(Borders::TOP) {
        let row = Row::new().text(title, Style::new());
        let room = area.width - 2;
        let w = (row.natural_width() as u16).min(room);
        let x = if flow.rtl {
            area.x + 1 + room - w
        } else {
            area.x + 1
        };
        row.draw(frame.buffer_mut(), x, area.y, w, flow);
    }
    inner
}

/// Splits `area` side by side; in a right-to-left layout the first part is
/// on the right. The parts come back in reading order.
pub fn split_h<const N: usize>(area: Rect, flow: Flow, constraints: [Constraint; N]) -> [Rect; N] {
    let parts: [Rect; N] = Layout::horizontal(constraints).areas(area);
    if flow.rtl {
        parts.map(|r| Rect::new(area.x + area.right() - r.right(), r.y, r.width, r.height))
    } else {
        parts
    }
}

/// The column of a field's caret: the field's text `text` is drawn (by
/// [`Row::draw`], not cut) in the cell at `x`, `width` cells wide, and
/// `cursor` chars of it are before the caret.
pub fn caret_x(text: &str, cursor: usize, x: u16, width: u16, flow: Flow) -> u16 {
    caret_at(text, cursor, x, width, flow, false)
}

/// [`caret_x`] for a cell marked [`Row::ltr`] (when `ltr`).
pub fn caret_at(text: &str, cursor: usize, x: u16, width: u16, flow: Flow, ltr: bool) -> u16 {
    let text = one_line(text);
    let w = cells(&text).min(width as usize);
    let pad = width as usize - w;
    let start = if flow.rtl { pad } else { 0 };
    let col = bidi::caret(&text, cursor, flow.mode, flow.rtl && !ltr).min(w);
    // Past the end of the text is the cell after it (the gap beside a field).
    (x as usize + start + col).min((x + width) as usize) as u16
}

/// The end of a text that is longer than `cols` cells, with … before it:
/// what a field being typed in shows, so the caret stays in view.
pub fn tail(s: &str, cols: usize) -> (String, usize) {
    let line = one_line(s);
    let n = line.chars().count();
    if cells(&line) <= cols || cols < 2 {
        return (line, 0);
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in line.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > cols {
            break;
        }
        used += w;
        kept.push(c);
    }
    kept.reverse();
    let dropped = n - kept.len();
    let mut out = String::from('…');
    out.extend(kept);
    // The ellipsis stands for the dropped chars: one char in their place.
    (out, dropped.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bidi::BidiMode;

    const APP: Flow = Flow {
        mode: BidiMode::App,
        rtl: false,
    };
    const APP_RTL: Flow = Flow {
        mode: BidiMode::App,
        rtl: true,
    };
    const TERM_RTL: Flow = Flow {
        mode: BidiMode::Terminal,
        rtl: true,
    };

    fn drawn(row: &Row, width: u16, flow: Flow) -> Vec<String> {
        let mut buf = Buffer::empty(Rect::new(0, 0, width, 1));
        row.draw(&mut buf, 0, 0, width, flow);
        (0..width)
            .map(|x| buf[(x, 0)].symbol().to_owned())
            .collect()
    }

    fn line(row: &Row, width: u16, flow: Flow) -> String {
        drawn(row, width, flow).concat()
    }

    #[test]
    fn wraps_at_spaces_in_cells() {
        assert_eq!(
            wrap("درخت چنار روی ماشین افتاده", 10),
            ["درخت چنار", "روی ماشین", "افتاده"]
        );
        assert_eq!(wrap("a\nb c", 3), ["a", "b c"]);
        assert_eq!(wrap("abcdefgh", 4), ["abc…"]);
        assert_eq!(wrap("x\u{1b}[2J", 20), ["x␛[2J"]);
        // lam + alef take two cells, not the one unicode-width gives them
        assert_eq!(wrap("سلام سلام", 8), ["سلام", "سلام"]);
    }

    #[test]
    fn cut_counts_cells() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("سلام", 4), "سلام");
        assert_eq!(cut("سلامت", 4), "سلا…");
        assert_eq!(cut("a\nb", 10), "a ⏎ b");
    }

    #[test]
    fn a_row_reads_from_the_right_in_a_right_to_left_layout() {
        let row = Row::new()
            .cell("کد", 4, Style::new())
            .num("12", 4, Style::new())
            .fill("abc", Style::new());
        assert_eq!(line(&row, 12, APP), "\u{FEAA}\u{FB90}    12abc ");
        // mirrored: the first cell on the right, each text at the right of
        // its cell, the number against the cell's left end
        assert_eq!(line(&row, 12, APP_RTL), " abc12    \u{FEAA}\u{FB90}");
    }

    #[test]
    fn isolates_stay_in_the_cells_in_terminal_mode() {
        let row = Row::new().cell("سلام", 6, Style::new());
        let cells_ = drawn(&row, 6, TERM_RTL);
        assert_eq!(cells_[2], "\u{2067}س");
        assert_eq!(cells_[5], "م\u{2069}");
        assert_eq!(cells_.concat(), "  \u{2067}سلام\u{2069}");
        // a ZWNJ is never dropped
        let row = Row::new().text("می\u{200c}خواهم", Style::new());
        assert!(line(&row, 10, APP).contains('\u{200c}'));
        assert!(line(&row, 10, TERM_RTL).contains('\u{200c}'));
    }

    #[test]
    fn widths_share_the_rest_and_cut_the_last() {
        let row = Row::new()
            .cell("a", 3, Style::new())
            .fill("b", Style::new())
            .cell("c", 3, Style::new());
        assert_eq!(row.widths(10), [3, 4, 3]);
        assert_eq!(row.widths(5), [3, 0, 2]);
        assert_eq!(row.span_of(2, 0, 10, APP), (7, 3));
        assert_eq!(row.span_of(2, 0, 10, APP_RTL), (0, 3));
    }

    #[test]
    fn caret_in_a_field() {
        // "سلام" in a 6-cell cell, left-to-right layout: drawn at 0..4;
        // the start of the word is on its right
        assert_eq!(caret_x("سلام", 0, 10, 6, APP), 14);
        assert_eq!(caret_x("سلام", 4, 10, 6, APP), 10);
        // right-to-left layout: drawn at 2..6 of the cell
        assert_eq!(caret_x("سلام", 0, 10, 6, APP_RTL), 16);
        assert_eq!(caret_x("سلام", 4, 10, 6, APP_RTL), 12);
        assert_eq!(caret_x("ab", 2, 10, 6, APP), 12);
    }

    #[test]
    fn the_tail_of_a_long_field() {
        assert_eq!(tail("abcdefgh", 5), ("…efgh".to_owned(), 3));
        assert_eq!(tail("abc", 5), ("abc".to_owned(), 0));
    }

    #[test]
    fn split_mirrors() {
        let area = Rect::new(10, 0, 100, 5);
        let [a, b] = split_h(area, APP_RTL, [Constraint::Length(30), Constraint::Min(1)]);
        assert_eq!((a.x, a.width), (80, 30));
        assert_eq!((b.x, b.width), (10, 70));
    }
}
