//! Right-to-left text for terminal cells, pure: text is stored in logical order, always, and only the copy handed to a cell is shaped, reordered or isolated here.
//!
//! # Two modes
//!
//! Terminals disagree about who reorders right-to-left text
//! (`shared/notes/persian-terminal.md`): VTE and mintty have their own BiDi
//! and honour `CSI 8 l`; Konsole, mlterm, PuTTY and Terminal.app always
//! reorder; Windows Terminal, Alacritty, Ghostty and xterm draw cells as
//! given. So the console has a [`BidiMode`]:
//!
//! - [`BidiMode::App`]: the console does the work. Arabic-script letters are
//!   shaped to their contextual presentation forms with ar-reshaper, with
//!   ligatures off so that one letter stays one char in one cell; the line
//!   is reordered to visual order with unicode-bidi; mirrored characters in
//!   right-to-left runs are mirrored here, because unicode-bidi's reordering
//!   skips rule L4. The console sends [`BIDI_EXPLICIT`] at start so that a
//!   terminal with BiDi does not reorder a second time (the double reversal
//!   of translate-shell#486), and [`BIDI_IMPLICIT`] on every way out.
//! - [`BidiMode::Terminal`]: the terminal does the work. Text goes out in
//!   logical order, but a cell with right-to-left text is wrapped in an
//!   isolate (FSI … PDI), because a terminal that reorders a whole row swaps
//!   table columns (tmux#3262, trippy#1344). The console sends
//!   [`BIDI_TERMINAL_START`] at start (reordering on, every row a
//!   left-to-right paragraph, no guessing of a row's direction) and
//!   [`BIDI_TERMINAL_END`] on every way out.
//!
//! # Width rule
//!
//! ratatui draws every char in a cell of its own, so the columns a prepared
//! string takes are the sum of its chars' widths ([`cells`]), never the width
//! of the string: unicode-width gives lam + alef the width 1 of the ligature
//! a font would draw (unicode-width#88), and a right-aligned cell measured that
//! way loses a char. The trap is in Terminal mode, whose cells hold logical
//! text (`"سلام"` measures 3 as a string, takes 4 cells); App mode's
//! presentation forms happen to measure right either way, but one rule for
//! both is simpler. Zero-width chars (ZWNJ, harakat, the isolate controls)
//! count 0, which is what ratatui gives them too (ratatui#1165).

use ar_reshaper::ArabicReshaper;
use ar_reshaper::config::{Language, LigaturesFlags, ReshaperConfig};
use serde::{Deserialize, Serialize};
use unicode_bidi::{BidiClass, Direction, Level, ParagraphBidiInfo};
use unicode_width::UnicodeWidthChar;

/// Who reorders right-to-left text: the app (for terminals that draw cells as given) or the terminal (for terminals with their own BiDi).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BidiMode {
    #[default]
    App,
    Terminal,
}

/// How text flows on this console: who reorders right-to-left text, and
/// whether the whole layout is right to left (the Persian locale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flow {
    pub mode: BidiMode,
    /// The layout mirrors: labels on the right, tables read right to left.
    pub rtl: bool,
}

/// Tells a terminal to stop its own BiDi reordering (explicit mode): sent at start in App mode.
pub const BIDI_EXPLICIT: &str = "\x1b[8l";
/// Gives a terminal its own BiDi reordering back (implicit mode): sent on every way out.
pub const BIDI_IMPLICIT: &str = "\x1b[8h";

/// Hands right-to-left text to a terminal with BiDi of its own, per the
/// "BiDi in terminal emulators" recommendation (terminal-wg.pages.freedesktop.org/bidi),
/// sent at start in Terminal mode: save the terminal's paragraph-direction
/// autodetection (`CSI ? 2501 s`, XTSAVE), reorder (implicit mode, `CSI 8 h`),
/// but do not guess each row's direction (`CSI ? 2501 l`) and take every row
/// as a left-to-right paragraph (`CSI 1 SP k`, SCP). The console places the
/// columns itself (mirrored in Persian); a row whose direction the terminal
/// guessed from its first Persian letter would be mirrored a second time,
/// swapping the columns back. Inside each isolated cell (FSI … PDI) the
/// terminal still reorders the Persian text.
pub const BIDI_TERMINAL_START: &str = "\x1b[?2501s\x1b[8h\x1b[?2501l\x1b[1 k";
/// Undoes [`BIDI_TERMINAL_START`] on every way out: the default direction
/// (`CSI 0 SP k`), the saved autodetection back (`CSI ? 2501 r`, XTRESTORE:
/// VTE's default is off, mintty's on), and the terminal's own reordering
/// ([`BIDI_IMPLICIT`]).
pub const BIDI_TERMINAL_END: &str = "\x1b[0 k\x1b[?2501r\x1b[8h";

/// What the console tells the terminal when it starts showing text in `mode`.
pub fn start_escapes(mode: BidiMode) -> &'static str {
    match mode {
        BidiMode::App => BIDI_EXPLICIT,
        BidiMode::Terminal => BIDI_TERMINAL_START,
    }
}

/// What the console tells the terminal on its way out after
/// [`start_escapes`]`(mode)`: the terminal as it was, reordering on.
pub fn end_escapes(mode: BidiMode) -> &'static str {
    match mode {
        BidiMode::App => BIDI_IMPLICIT,
        BidiMode::Terminal => BIDI_TERMINAL_END,
    }
}

const LRI: char = '\u{2066}';
const RLI: char = '\u{2067}';
const FSI: char = '\u{2068}';
const PDI: char = '\u{2069}';
const ZWJ: char = '\u{200D}';
const ELLIPSIS: char = '…';

/// Shapes letters one for one: ligatures off (lam + alef stays two chars),
/// harakat kept (they are taken out before shaping anyway, see [`shape`]).
static RESHAPER: ArabicReshaper = ArabicReshaper::new({
    let mut config = ReshaperConfig::new(Language::Arabic, LigaturesFlags::none());
    config.delete_harakat = false;
    config
});

/// The base direction a line is prepared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// From the text itself (UAX #9 P2/P3).
    Auto,
    Ltr,
    Rtl,
}

/// Whether a paragraph's base direction is right-to-left (first strong character, per UAX #9 P2/P3).
pub fn is_rtl(s: &str) -> bool {
    unicode_bidi::get_base_direction(s) == Direction::Rtl
}

/// One line (no newlines) of logical text made ready for cells, with the
/// base direction taken from the text itself.
///
/// - App mode: Arabic-script letters shaped to their contextual presentation
///   forms (one char per letter, one cell each), reordered to visual order,
///   mirrored characters mirrored in right-to-left runs. ZWNJ is kept (zero
///   width) and breaks joining; bidi control characters have done their work
///   once the line is in visual order and are dropped.
/// - Terminal mode: the logical text, wrapped in FSI … PDI when it holds
///   right-to-left characters or bidi controls, so that a terminal's own
///   BiDi never swaps table columns. Isolates inside are balanced, so that no
///   stray PDI can end the wrapper early.
pub fn for_cell(s: &str, mode: BidiMode) -> String {
    prepare(s, mode, Base::Auto)
}

/// Like [`for_cell`] with a forced base direction (for a whole RTL layout).
/// In Terminal mode the wrapper is RLI or LRI instead of FSI, and a forced
/// right-to-left line is always wrapped (a trailing "." belongs on the left).
pub fn for_cell_dir(s: &str, mode: BidiMode, rtl_base: bool) -> String {
    prepare(s, mode, if rtl_base { Base::Rtl } else { Base::Ltr })
}

fn prepare(s: &str, mode: BidiMode, base: Base) -> String {
    match mode {
        BidiMode::App => {
            let rtl = match base {
                Base::Auto => is_rtl(s),
                Base::Ltr => false,
                Base::Rtl => true,
            };
            layout(s, rtl).into_iter().filter_map(|g| g.drawn).collect()
        }
        BidiMode::Terminal => isolate(s, base),
    }
}

/// Columns a prepared string takes when every char is drawn in its own cell:
/// the sum of per-char widths. Zero-width and control chars count 0.
pub fn cells(s: &str) -> usize {
    s.chars().map(char_cells).sum()
}

fn char_cells(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// What a table cell calls: cuts `logical` to at most `cols` cells keeping
/// the start of the logical text (for right-to-left text in App mode, the
/// right-hand end of what is drawn) with an ellipsis `…` where cut, prepares
/// it as [`for_cell`] does, and pads it with spaces to exactly `cols` cells.
///
/// In an LTR layout the base direction comes from the text and the pad goes
/// on the right. In an RTL layout (`rtl_layout`) the base direction is forced
/// right-to-left and the text is right-aligned (pad on the left). The pad is
/// outside the Terminal mode isolate.
pub fn fit(logical: &str, cols: usize, mode: BidiMode, rtl_layout: bool) -> String {
    let (drawn, pad) = fitted(logical, cols, mode, rtl_layout);
    let pad = " ".repeat(pad);
    if rtl_layout {
        pad + &drawn
    } else {
        drawn + &pad
    }
}

/// Like [`fit`], with the text against the cell's far end instead (numbers
/// in a left-to-right table: pad on the left; in a right-to-left one, on the
/// right).
pub fn fit_end(logical: &str, cols: usize, mode: BidiMode, rtl_layout: bool) -> String {
    let (drawn, pad) = fitted(logical, cols, mode, rtl_layout);
    let pad = " ".repeat(pad);
    if rtl_layout {
        drawn + &pad
    } else {
        pad + &drawn
    }
}

/// What [`fit`] draws, and the cells of padding it needs (the caller puts
/// them on the side it wants).
pub fn fitted(logical: &str, cols: usize, mode: BidiMode, rtl_layout: bool) -> (String, usize) {
    if cols == 0 {
        return (String::new(), 0);
    }
    let full_rtl = rtl_layout || is_rtl(logical);
    // A cut can take the first strong character away ("۱۲۳۴ خیابان" → "۱۲…"):
    // the direction stays the one of the whole text.
    let base_for = |shown: &str| {
        if rtl_layout {
            Base::Rtl
        } else if is_rtl(shown) == full_rtl {
            Base::Auto
        } else if full_rtl {
            Base::Rtl
        } else {
            Base::Ltr
        }
    };
    let mut drawn = prepare(logical, mode, base_for(logical));
    if cells(&drawn) > cols {
        let mut prefix = String::new();
        let mut used = 0;
        for c in logical.chars() {
            let w = char_cells(c);
            if used + w >= cols {
                break;
            }
            used += w;
            prefix.push(c);
        }
        loop {
            let shown = format!("{}{ELLIPSIS}", prefix.trim_end());
            drawn = prepare(&shown, mode, base_for(&shown));
            if cells(&drawn) <= cols || prefix.pop().is_none() {
                break;
            }
        }
    }
    let pad = cols.saturating_sub(cells(&drawn));
    (drawn, pad)
}

/// Where the caret of a field being edited is drawn, in cells from the left
/// of the text as [`fit`] draws it (`rtl_layout` as given to `fit`, the
/// text not cut): `cursor` is the number of chars before it.
///
/// App mode: [`visual_cursor_in`], the text's base direction as `fit` takes
/// it. Terminal mode: the terminal draws the text, so only a guess is
/// possible: the logical place, counted from the right-hand end for a
/// right-to-left text.
pub fn caret(logical: &str, cursor: usize, mode: BidiMode, rtl_layout: bool) -> usize {
    let rtl = rtl_layout || is_rtl(logical);
    match mode {
        BidiMode::App => visual_cursor_in(logical, cursor, rtl),
        BidiMode::Terminal => {
            let before: usize = logical.chars().take(cursor).map(char_cells).sum();
            if rtl {
                cells(logical).saturating_sub(before)
            } else {
                before
            }
        }
    }
}

/// The logical cursor after one step left (`left`) or right on screen in a
/// single-line text: App mode moves to the nearest place on that side as the
/// text is drawn (so ← in a Persian word goes on to the next letter, which
/// is on the left); Terminal mode, which cannot know the drawing, goes
/// forward on → in a left-to-right text and on ← in a right-to-left one. At
/// the edge the cursor stays.
pub fn step(logical: &str, cursor: usize, left: bool, mode: BidiMode, rtl_layout: bool) -> usize {
    let n = logical.chars().count();
    let cursor = cursor.min(n);
    let rtl = rtl_layout || is_rtl(logical);
    if mode == BidiMode::Terminal || n == 0 {
        let forward = left == rtl;
        return if forward {
            (cursor + 1).min(n)
        } else {
            cursor.saturating_sub(1)
        };
    }
    let at: Vec<usize> = (0..=n).map(|i| visual_cursor_in(logical, i, rtl)).collect();
    let here = at[cursor];
    (0..=n)
        .filter(|&j| if left { at[j] < here } else { at[j] > here })
        .min_by_key(|&j| (at[j].abs_diff(here), j.abs_diff(cursor)))
        .unwrap_or(cursor)
}

/// For a single-line text field being edited in App mode: the visual column
/// (in cells, from the left of what [`for_cell`] draws) of the logical cursor
/// `cursor` (the number of chars before it; past the end counts as the end).
///
/// The caret stands at the leading edge of the char after it (its left edge
/// in a left-to-right run, its right edge in a right-to-left run), which is
/// where a char typed there appears; at the end of the text, at the trailing
/// edge of the last char. Draw a bar cursor at the left edge of that column.
pub fn visual_cursor(logical: &str, cursor: usize) -> usize {
    visual_cursor_in(logical, cursor, is_rtl(logical))
}

/// [`visual_cursor`] with the line's base direction given (right to left
/// when `rtl_base`), as [`for_cell_dir`] draws it.
pub fn visual_cursor_in(logical: &str, cursor: usize, rtl_base: bool) -> usize {
    let glyphs = layout(logical, rtl_base);
    let Some(last) = glyphs.len().checked_sub(1) else {
        return 0;
    };
    // (column, width, right-to-left) of each logical char
    let mut at = vec![(0, 0, false); glyphs.len()];
    let mut x = 0;
    for g in &glyphs {
        let w = g.drawn.map_or(0, char_cells);
        at[g.logical] = (x, w, g.rtl);
        x += w;
    }
    if cursor <= last {
        let (x, w, rtl) = at[cursor];
        if rtl { x + w } else { x }
    } else {
        let (x, w, rtl) = at[last];
        if rtl { x } else { x + w }
    }
}

/// One char of a line in visual order.
struct Glyph {
    /// Its index among the chars of the logical text.
    logical: usize,
    /// What is drawn: shaped and mirrored; `None` for a bidi control.
    drawn: Option<char>,
    /// Whether it is in a right-to-left run (odd level).
    rtl: bool,
}

/// Shapes and reorders a line: its chars in visual order (App mode).
///
/// Reordering goes by clusters, a char with the combining marks after it,
/// so that a mark still follows its letter once a run is reversed (UAX #9
/// L3): a terminal puts a combining mark on the cell before it.
fn layout(s: &str, rtl_base: bool) -> Vec<Glyph> {
    if s.is_empty() {
        return Vec::new();
    }
    let chars: Vec<char> = s.chars().collect();
    let shaped = shape(&chars);
    let para = if rtl_base { Level::rtl() } else { Level::ltr() };
    let levels = ParagraphBidiInfo::new(s, Some(para)).reordered_levels_per_char(0..s.len());
    let starts: Vec<usize> = (0..chars.len())
        .filter(|&i| i == 0 || !is_mark(chars[i]))
        .collect();
    let cluster_levels: Vec<Level> = starts.iter().map(|&i| levels[i]).collect();
    let mut glyphs = Vec::with_capacity(chars.len());
    for k in ParagraphBidiInfo::reorder_visual(&cluster_levels) {
        let end = starts.get(k + 1).copied().unwrap_or(chars.len());
        let rtl = cluster_levels[k].is_rtl();
        for i in starts[k]..end {
            let drawn = (!is_bidi_control(chars[i])).then(|| {
                let c = shaped[i];
                if rtl { mirrored(c) } else { c }
            });
            glyphs.push(Glyph {
                logical: i,
                drawn,
                rtl,
            });
        }
    }
    glyphs
}

/// The contextual form of every Arabic-script letter, one char for one char.
///
/// ar-reshaper drops ZWJ and NUL from its output and panics (in a debug
/// build) on a string that starts with a haraka, so it is handed the line
/// without harakat and with every char it does not shape replaced by a space
/// (which, like ZWNJ or any non-letter, breaks joining); its forms are then
/// put back in the letters' places. Harakat are transparent to joining, so leaving them out changes
/// no form. If its output ever has an unexpected length, the line stays
/// unshaped rather than misplaced.
fn shape(chars: &[char]) -> Vec<char> {
    let mut out = chars.to_vec();
    let slots: Vec<usize> = (0..chars.len())
        .filter(|&i| !is_transparent(chars[i]))
        .collect();
    let input: String = slots
        .iter()
        .map(|&i| if is_letter(chars[i]) { chars[i] } else { ' ' })
        .collect();
    if !RESHAPER.need_reshape(&input) {
        return out;
    }
    let forms: Vec<char> = RESHAPER.reshape(&input).chars().collect();
    let targets: Vec<usize> = slots.into_iter().filter(|&i| chars[i] != ZWJ).collect();
    if forms.len() == targets.len() {
        for (i, form) in targets.into_iter().zip(forms) {
            if is_letter(chars[i]) && form != '\0' {
                out[i] = form;
            }
        }
    }
    out
}

/// Whether ar-reshaper shapes this char (ZWJ included: it makes its
/// neighbours join and is dropped from the reshaper's output).
fn is_letter(c: char) -> bool {
    let mut buf = [0; 4];
    RESHAPER.need_reshape(c.encode_utf8(&mut buf))
}

/// Transparent to joining: combining marks, and the chars ar-reshaper
/// counts as harakat.
fn is_transparent(c: char) -> bool {
    is_mark(c)
        || matches!(c,
            '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
            | '\u{08D4}'..='\u{08FF}')
}

/// A combining mark: drawn on the cell of the char before it.
fn is_mark(c: char) -> bool {
    unicode_bidi::bidi_class(c) == BidiClass::NSM
}

/// Embeddings, overrides, isolates and the directional marks: they steer
/// reordering and have no glyph.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The mirrored glyph of a char in a right-to-left run (UAX #9 L4).
fn mirrored(c: char) -> char {
    unicode_bidi_mirroring::get_mirrored(c).unwrap_or(c)
}

/// Terminal mode: the logical text, isolated when a terminal's reordering of
/// the row could move it or be moved by it.
fn isolate(s: &str, base: Base) -> String {
    let needed = match base {
        Base::Rtl => !s.is_empty(),
        Base::Auto | Base::Ltr => s.chars().any(moves_text),
    };
    if !needed {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2 * PDI.len_utf8());
    out.push(match base {
        Base::Auto => FSI,
        Base::Ltr => LRI,
        Base::Rtl => RLI,
    });
    // A PDI with no isolate of its own in the text would close the wrapper
    // and let the rest out; an isolate left open would take the wrapper's PDI.
    let mut open = 0usize;
    for c in s.chars() {
        match c {
            LRI | RLI | FSI => open += 1,
            PDI if open == 0 => continue,
            PDI => open -= 1,
            _ => {}
        }
        out.push(c);
    }
    out.extend(std::iter::repeat_n(PDI, open + 1));
    out
}

/// Right-to-left letters, Arabic digits (their neighbours turn right-to-left
/// around them) and explicit bidi controls.
fn moves_text(c: char) -> bool {
    use BidiClass as C;
    matches!(
        unicode_bidi::bidi_class(c),
        C::R | C::AL
            | C::AN
            | C::LRE
            | C::RLE
            | C::LRO
            | C::RLO
            | C::PDF
            | C::LRI
            | C::RLI
            | C::FSI
            | C::PDI
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_width::UnicodeWidthStr;

    /// Code points, for assertions that read on failure.
    fn hex(s: &str) -> String {
        let cps: Vec<String> = s.chars().map(|c| format!("{:04X}", c as u32)).collect();
        cps.join(" ")
    }

    fn app(s: &str) -> String {
        for_cell(s, BidiMode::App)
    }

    #[test]
    fn base_direction_is_the_first_strong_character() {
        assert!(is_rtl("سلام"));
        assert!(is_rtl("123 سلام"), "digits are not strong");
        assert!(is_rtl("\u{200F}abc"), "RLM is a strong right-to-left char");
        assert!(!is_rtl("abc سلام"));
        assert!(!is_rtl(""));
        assert!(!is_rtl("۱۲۳ ..."), "no strong char: left-to-right (P3)");
        assert!(
            is_rtl("\u{2066}abc\u{2069} سلام"),
            "an isolate is skipped (P2)"
        );
    }

    #[test]
    fn app_mode_shapes_one_char_per_letter_and_reverses() {
        // seen initial, lam medial, alef final, meem isolated (alef does not
        // join to the letter after it), drawn right to left
        assert_eq!(hex(&app("سلام")), "FEE1 FE8E FEE0 FEB3");
        // ligatures are off: lam + alef stays two chars in two cells, while
        // unicode-width measures the pair as the one-cell ligature
        assert_eq!(cells(&app("سلام")), 4);
        assert_eq!(UnicodeWidthStr::width("سلام"), 3);
        assert_eq!(hex(&app("لا")), "FE8E FEDF");
        assert_eq!(cells(&app("لا")), 2);
        // Persian letters: peh, keheh, gaf, Farsi yeh
        assert_eq!(hex(&app("پیک")), "FB8F FBFF FB58");
        assert_eq!(hex(&app("گل")), "FEDE FB94");
    }

    #[test]
    fn zwnj_is_kept_and_breaks_joining() {
        // With ZWNJ: meem initial, yeh FINAL (it joins the meem before it,
        // not the khah after the ZWNJ), khah initial, waw final, alef
        // isolated, heh initial, meem final.
        let with = app("می\u{200c}خواهم");
        assert_eq!(hex(&with), "FEE2 FEEB FE8D FEEE FEA7 200C FBFD FEE3");
        // Without it yeh and khah are medial.
        let without = app("میخواهم");
        assert_eq!(hex(&without), "FEE2 FEEB FE8D FEEE FEA8 FBFF FEE3");
        assert_eq!(cells(&with), 7);
        assert_eq!(cells(&without), 7);
        assert_eq!(app("\u{200c}"), "\u{200c}");
    }

    #[test]
    fn app_mode_mixed_lines() {
        // Persian with digits: the number keeps its order inside the reversed line.
        assert_eq!(
            hex(&app("پرونده 419239437 ثبت شد")),
            hex("\u{FEAA}\u{FEB7} \u{FE96}\u{FE92}\u{FE9B} 419239437 \
                 \u{FEE9}\u{FEAA}\u{FEE7}\u{FEED}\u{FEAE}\u{FB58}")
        );
        // A Latin tracking code stays one left-to-right run.
        assert_eq!(
            hex(&app("کد رهگیری AB-1234 ثبت شد")),
            hex("\u{FEAA}\u{FEB7} \u{FE96}\u{FE92}\u{FE9B} AB-1234 \
                 \u{FBFC}\u{FEAE}\u{FBFF}\u{FB95}\u{FEEB}\u{FEAD} \u{FEAA}\u{FB90}")
        );
        // Persian digits after Persian letters are read left to right too.
        assert_eq!(
            hex(&app("تلفن ۰۹۱۲۳۴۵۶۷۸۹")),
            hex("۰۹۱۲۳۴۵۶۷۸۹ \u{FEE6}\u{FED4}\u{FEE0}\u{FE97}")
        );
        // A Persian name in a Latin sentence: only the name is reversed,
        // as one run (family name on the left).
        assert_eq!(
            hex(&app("Complaint from مریم رضایی about noise")),
            hex("Complaint from \u{FBFD}\u{FBFE}\u{FE8E}\u{FEBF}\u{FEAD} \
                 \u{FEE2}\u{FBFE}\u{FEAE}\u{FEE3} about noise")
        );
        // An English line is left alone, in both modes.
        let english = "Water leak at 12 Main St. (urgent)";
        assert_eq!(app(english), english);
        assert_eq!(for_cell(english, BidiMode::Terminal), english);
    }

    #[test]
    fn brackets_are_mirrored_in_right_to_left_runs() {
        let shown = app("(منطقه ۳)");
        assert_eq!(
            hex(&shown),
            hex("(۳ \u{FEEA}\u{FED8}\u{FEC4}\u{FEE8}\u{FEE3})")
        );
        // unicode-bidi's own reordering leaves them as they were, which
        // draws ")۳ منطقه(": the reason for mirroring here.
        let plain = ParagraphBidiInfo::new("(منطقه ۳)", None).reorder_line(0.."(منطقه ۳)".len());
        assert!(plain.starts_with(')'), "{plain}");
        assert_eq!(
            hex(&app("شکایت (منطقه ۳) ثبت شد")),
            hex(
                "\u{FEAA}\u{FEB7} \u{FE96}\u{FE92}\u{FE9B} (۳ \u{FEEA}\u{FED8}\u{FEC4}\u{FEE8}\u{FEE3}) \
                 \u{FE96}\u{FBFE}\u{FE8E}\u{FB91}\u{FEB7}"
            )
        );
        // In a left-to-right line a bracket around Persian is not mirrored.
        assert_eq!(
            hex(&app("Ali (علی)")),
            hex("Ali (\u{FBFD}\u{FEE0}\u{FECB})")
        );
    }

    #[test]
    fn harakat_stay_on_their_letter_and_controls_are_dropped() {
        // fatha on the seen: after it in visual order too, so that the
        // terminal puts it on the seen's cell; it does not change joining.
        assert_eq!(hex(&app("سَلام")), "FEE1 FE8E FEE0 FEB3 064E");
        assert_eq!(cells(&app("سَلام")), 4);
        // a right-to-left override is honoured, then dropped
        assert_eq!(app("\u{202E}abc\u{202C}"), "cba");
        assert_eq!(hex(&app("\u{2067}abc\u{2069}")), hex("abc"));
    }

    #[test]
    fn forced_direction() {
        // A right-to-left layout: a trailing full stop goes on the left.
        assert_eq!(for_cell_dir("abc.", BidiMode::App, true), ".abc");
        assert_eq!(for_cell_dir("abc.", BidiMode::App, false), "abc.");
        assert_eq!(
            hex(&for_cell_dir("سلام.", BidiMode::App, false)),
            "FEE1 FE8E FEE0 FEB3 002E"
        );
        assert_eq!(
            for_cell_dir("abc.", BidiMode::Terminal, true),
            "\u{2067}abc.\u{2069}"
        );
        assert_eq!(for_cell_dir("", BidiMode::Terminal, true), "");
        assert_eq!(for_cell_dir("abc", BidiMode::Terminal, false), "abc");
        assert_eq!(
            for_cell_dir("سلام", BidiMode::Terminal, false),
            "\u{2066}سلام\u{2069}"
        );
    }

    #[test]
    fn terminal_mode_isolates_what_the_terminal_would_move() {
        let t = |s| for_cell(s, BidiMode::Terminal);
        assert_eq!(t("سلام"), "\u{2068}سلام\u{2069}");
        assert_eq!(t("Ali علی"), "\u{2068}Ali علی\u{2069}");
        assert_eq!(
            t("١٢ - ٣٤"),
            "\u{2068}١٢ - ٣٤\u{2069}",
            "Arabic-Indic digits"
        );
        assert_eq!(
            t("۱۲ - ۳۴"),
            "۱۲ - ۳۴",
            "Persian digits are European numbers"
        );
        assert_eq!(t(""), "");
        // A stray PDI would end the wrapper: it is dropped. An isolate left
        // open would take the wrapper's PDI: it is closed.
        assert_eq!(t("سلام\u{2069}abc"), "\u{2068}سلامabc\u{2069}");
        assert_eq!(t("\u{2067}سلام"), "\u{2068}\u{2067}سلام\u{2069}\u{2069}");
        assert_eq!(t("\u{202E}abc"), "\u{2068}\u{202E}abc\u{2069}");
        // zero width: the wrapper takes no cell; the letters take one each,
        // though unicode-width measures the string (lam + alef) as 3
        assert_eq!(cells(&t("سلام")), 4);
    }

    /// Splits a drawn row into the strings under each column.
    fn columns(row: &str, widths: &[usize]) -> Vec<String> {
        let mut out = vec![String::new(); widths.len()];
        let (mut col, mut used) = (0, 0);
        for c in row.chars() {
            let w = char_cells(c);
            while col < widths.len() && w > 0 && used + w > widths[col] {
                col += 1;
                used = 0;
            }
            out[col.min(widths.len() - 1)].push(c);
            used += w;
        }
        out
    }

    fn sorted_chars(s: &str) -> Vec<char> {
        let mut v: Vec<char> = s.chars().filter(|&c| !is_bidi_control(c)).collect();
        v.sort_unstable();
        v
    }

    const ROW: [&str; 4] = ["علی", "رضایی", "AB-1234", "(منطقه ۳)"];
    const WIDTHS: [usize; 4] = [7, 8, 9, 12];

    /// The row's texts padded to their columns, with no isolation at all.
    fn naive_row() -> String {
        let mut row = String::new();
        for (text, w) in ROW.iter().zip(WIDTHS) {
            row.push_str(text);
            row.push_str(&" ".repeat(w - text.chars().count()));
        }
        row
    }

    #[test]
    fn table_row_keeps_its_columns_in_app_mode() {
        for rtl_layout in [false, true] {
            let cells_: Vec<String> = ROW
                .iter()
                .zip(WIDTHS)
                .map(|(text, w)| fit(text, w, BidiMode::App, rtl_layout))
                .collect();
            let row = cells_.concat();
            assert_eq!(cells(&row), WIDTHS.iter().sum::<usize>());
            // drawn as given: every column holds its own cell, and that is
            // its own text prepared
            assert_eq!(columns(&row, &WIDTHS), cells_);
            for (cell, text) in cells_.iter().zip(ROW) {
                assert_eq!(
                    cell.trim(),
                    for_cell_dir(text, BidiMode::App, rtl_layout || is_rtl(text))
                );
            }
        }
        // Reordering the row as one line instead swaps the two names.
        let padded = naive_row();
        let whole = app(&padded);
        assert_ne!(
            sorted_chars(&columns(&whole, &WIDTHS)[0]),
            sorted_chars(&app(&format!("{:7}", ROW[0])))
        );
    }

    /// What a terminal with its own BiDi draws: the row reordered as one
    /// paragraph (left-to-right, or from its first strong char).
    fn terminal_draws(row: &str, para: Option<Level>) -> String {
        ParagraphBidiInfo::new(row, para)
            .reorder_line(0..row.len())
            .into_owned()
    }

    #[test]
    fn table_row_keeps_its_columns_in_terminal_mode() {
        for rtl_layout in [false, true] {
            let cells_: Vec<String> = ROW
                .iter()
                .zip(WIDTHS)
                .map(|(text, w)| fit(text, w, BidiMode::Terminal, rtl_layout))
                .collect();
            for (cell, text) in cells_.iter().zip(ROW) {
                let open = if rtl_layout { RLI } else { FSI };
                if rtl_layout || is_rtl(text) {
                    assert_eq!(cell.trim_matches(' '), format!("{open}{text}{PDI}"));
                } else {
                    assert_eq!(cell.trim_end(), text);
                }
            }
            let row = cells_.concat();
            for para in [Some(Level::ltr()), None] {
                let drawn = terminal_draws(&row, para);
                let cols = columns(&drawn, &WIDTHS);
                for ((col, text), w) in cols.iter().zip(ROW).zip(WIDTHS) {
                    let expected = format!("{text:w$}");
                    assert_eq!(
                        sorted_chars(col),
                        sorted_chars(&expected),
                        "{rtl_layout} {para:?}: {drawn}"
                    );
                }
            }
        }
        // Without the isolates the terminal swaps the two names.
        let padded = naive_row();
        let drawn = terminal_draws(&padded, Some(Level::ltr()));
        assert_ne!(
            sorted_chars(&columns(&drawn, &WIDTHS)[0]),
            sorted_chars(&format!("{:7}", ROW[0]))
        );
    }

    #[test]
    fn fit_cuts_keeping_the_start() {
        let f = |s, cols| fit(s, cols, BidiMode::App, false);
        assert_eq!(f("abcdef", 0), "");
        assert_eq!(f("abcdef", 1), "…");
        assert_eq!(f("abcdef", 4), "abc…");
        assert_eq!(f("abc", 4), "abc ");
        assert_eq!(f("a", 1), "a");
        assert_eq!(f("", 1), " ");
        assert_eq!(f("", 0), "");
        assert_eq!(f("ab cd", 4), "ab… ", "no blank before the ellipsis");
        // wide chars are never cut in half
        assert_eq!(f("漢字x", 4), "漢… ");
        assert_eq!(f("漢字x", 3), "漢…");
        assert_eq!(f("漢字x", 2), "… ");
        assert_eq!(f("漢字", 4), "漢字");
        assert_eq!(
            fit("漢字x", 2, BidiMode::Terminal, true),
            " \u{2067}…\u{2069}"
        );
        // right-to-left: the start of the text is on the right, the
        // ellipsis on the left; the heh before the cut takes its isolated form
        assert_eq!(
            hex(&f("پرونده ثبت شد", 8)),
            hex("…\u{FEE9}\u{FEAA}\u{FEE7}\u{FEED}\u{FEAE}\u{FB58} ")
        );
        assert_eq!(
            fit("پرونده ثبت شد", 8, BidiMode::Terminal, false),
            "\u{2068}پرونده…\u{2069} "
        );
        // the cut took the only strong char away: the direction stays
        assert_eq!(f("۱۲۳۴۵ خیابان آزادی", 4), "…۱۲۳");
        assert_eq!(
            fit("۱۲۳۴۵ خیابان آزادی", 4, BidiMode::Terminal, false),
            "\u{2067}۱۲۳…\u{2069}"
        );
        assert_eq!(fit("12345 abc", 4, BidiMode::Terminal, false), "123…");
    }

    #[test]
    fn fit_right_aligns_in_a_right_to_left_layout() {
        assert_eq!(
            hex(&fit("سلام", 6, BidiMode::App, true)),
            hex("  \u{FEE1}\u{FE8E}\u{FEE0}\u{FEB3}")
        );
        assert_eq!(
            hex(&fit("سلام", 6, BidiMode::App, false)),
            hex("\u{FEE1}\u{FE8E}\u{FEE0}\u{FEB3}  ")
        );
        assert_eq!(fit("Ali", 5, BidiMode::App, true), "  Ali");
        assert_eq!(
            fit("سلام", 6, BidiMode::Terminal, true),
            "  \u{2067}سلام\u{2069}"
        );
        assert_eq!(
            fit("سلام", 6, BidiMode::Terminal, false),
            "\u{2068}سلام\u{2069}  "
        );
        assert_eq!(fit("abcdef", 4, BidiMode::App, true), "…abc");
    }

    #[test]
    fn fit_takes_exactly_its_columns_and_keeps_a_prefix() {
        let texts = [
            "پرونده 419239437 ثبت شد",
            "می\u{200c}خواهم بروم",
            "漢字 and سلام",
            "سَلام دنیا",
            "Ali (علی) 漢",
            "\u{200c}\u{200c}",
        ];
        for text in texts {
            for cols in 0..=30 {
                for rtl_layout in [false, true] {
                    let app_cell = fit(text, cols, BidiMode::App, rtl_layout);
                    assert_eq!(cells(&app_cell), cols, "{text:?} {cols}");
                    let term = fit(text, cols, BidiMode::Terminal, rtl_layout);
                    assert_eq!(cells(&term), cols, "{text:?} {cols}");
                    let kept: String = term
                        .chars()
                        .filter(|&c| !is_bidi_control(c) && c != ELLIPSIS)
                        .collect();
                    assert!(text.starts_with(kept.trim()), "{text:?} {cols}: {term:?}");
                }
            }
        }
    }

    #[test]
    fn visual_cursor_in_a_right_to_left_word() {
        // drawn: meem(0) alef(1) lam(2) seen(3); logical start on the right
        assert_eq!(visual_cursor("سلام", 0), 4);
        assert_eq!(visual_cursor("سلام", 1), 3);
        assert_eq!(visual_cursor("سلام", 2), 2);
        assert_eq!(visual_cursor("سلام", 4), 0);
        assert_eq!(visual_cursor("سلام", 99), 0);
        assert_eq!(visual_cursor("", 0), 0);
        assert_eq!(visual_cursor("abc", 0), 0);
        assert_eq!(visual_cursor("abc", 2), 2);
        assert_eq!(visual_cursor("abc", 3), 3);
        // the ZWNJ takes no cell: before it and after it is the same place
        let word = "می\u{200c}خواهم";
        assert_eq!(visual_cursor(word, 1), 6);
        assert_eq!(visual_cursor(word, 2), 5);
        assert_eq!(visual_cursor(word, 3), 5);
        assert_eq!(visual_cursor(word, 8), 0);
    }

    #[test]
    fn visual_cursor_in_a_mixed_line() {
        // right-to-left line, drawn "ABC دک": A(0) B(1) C(2) space(3) dal(4) keheh(5)
        let line = "کد ABC";
        let at: Vec<usize> = (0..=6).map(|i| visual_cursor(line, i)).collect();
        assert_eq!(at, [6, 5, 4, 0, 1, 2, 3]);
        // left-to-right line, drawn "id مالس ok"
        let line = "id سلام ok";
        let at: Vec<usize> = (0..=10).map(|i| visual_cursor(line, i)).collect();
        assert_eq!(at, [0, 1, 2, 7, 6, 5, 4, 7, 8, 9, 10]);
    }

    #[test]
    fn arrows_move_on_screen_in_app_mode() {
        let app_step = |s: &str, at, left| step(s, at, left, BidiMode::App, false);
        // a Persian word: the start is on the right; ← goes on through it
        assert_eq!(app_step("سلام", 0, true), 1);
        assert_eq!(app_step("سلام", 3, true), 4);
        assert_eq!(app_step("سلام", 4, true), 4, "the left edge");
        assert_eq!(app_step("سلام", 2, false), 1);
        assert_eq!(app_step("سلام", 0, false), 0, "the right edge");
        // Latin text as usual
        assert_eq!(app_step("abc", 1, true), 0);
        assert_eq!(app_step("abc", 1, false), 2);
        // Mixed, drawn "ABC دک": from after "کد " (column 0, left of A)
        // → goes into the code.
        let line = "کد ABC";
        assert_eq!(app_step(line, 3, false), 4);
        assert_eq!(app_step(line, 6, false), 2, "past C, on into the Persian");
        assert_eq!(app_step(line, 2, true), 6);
        // every place is reached by walking left from the right-hand end
        for text in ["کد ABC", "Ali (علی) 12", "می\u{200c}خواهم بروم"] {
            let n = text.chars().count();
            let rtl = is_rtl(text);
            let mut at = (0..=n)
                .max_by_key(|&i| visual_cursor_in(text, i, rtl))
                .unwrap();
            let mut cols = vec![visual_cursor_in(text, at, rtl)];
            loop {
                let next = step(text, at, true, BidiMode::App, false);
                if next == at {
                    break;
                }
                at = next;
                cols.push(visual_cursor_in(text, at, rtl));
            }
            assert!(cols.windows(2).all(|w| w[0] > w[1]), "{text:?}: {cols:?}");
            assert_eq!(*cols.last().unwrap(), 0, "{text:?}");
        }
    }

    #[test]
    fn arrows_in_terminal_mode_follow_the_text_direction() {
        let t = |s: &str, at, left, rtl| step(s, at, left, BidiMode::Terminal, rtl);
        assert_eq!(t("سلام", 1, true, false), 2);
        assert_eq!(t("سلام", 1, false, false), 0);
        assert_eq!(t("abc", 1, true, false), 0);
        assert_eq!(t("abc", 1, true, true), 2, "a right-to-left layout");
        assert_eq!(t("abc", 3, false, false), 3);
    }

    #[test]
    fn caret_where_fit_draws_the_text() {
        assert_eq!(caret("سلام", 0, BidiMode::App, false), 4);
        assert_eq!(caret("سلام", 4, BidiMode::App, true), 0);
        assert_eq!(caret("abc", 3, BidiMode::App, false), 3);
        // forced right-to-left base: "abc." draws ".abc"; before "." the
        // caret stands at the leading edge of "." (in the right-to-left
        // run: its right edge), column 1
        assert_eq!(caret("abc.", 3, BidiMode::App, true), 1);
        assert_eq!(caret("سلام", 1, BidiMode::Terminal, false), 3);
        assert_eq!(caret("abc", 1, BidiMode::Terminal, false), 1);
    }

    #[test]
    fn fit_end_puts_the_pad_on_the_near_side() {
        assert_eq!(fit_end("42", 5, BidiMode::App, false), "   42");
        assert_eq!(fit_end("42", 5, BidiMode::App, true), "42   ");
        assert_eq!(fit_end("123456", 4, BidiMode::App, false), "123…");
    }

    #[test]
    fn tricky_inputs_do_not_panic() {
        let tricky = [
            "",
            "\u{200c}",
            "\u{200c}\u{200c}\u{200c}",
            "\u{200d}",
            "\u{064e}",
            "\u{064e}\u{064e}سلام",
            "\u{0301}abc",
            "\u{06e5}",
            "\u{2069}",
            "\u{2067}",
            "\u{2069}\u{2069}abc\u{2068}",
            "\u{202e}\u{202b}abc\u{202c}",
            "\u{200f}\u{200e}\u{061c}",
            "\u{0}سلام\u{0}",
            "a\nب",
            "\u{2029}سلام",
            "ـــ",
            "لا\u{200d}لا",
            "(((]]]",
        ];
        for s in tricky {
            exercise(s);
        }
    }

    /// Everything a cell may call, with the invariants that hold for any text.
    fn exercise(s: &str) {
        let visible = s.chars().filter(|&c| !is_bidi_control(c));
        let drawn = app(s);
        assert_eq!(
            drawn.chars().count(),
            visible.clone().count(),
            "{s:?}: one char per char"
        );
        assert_eq!(
            cells(&drawn),
            visible.map(char_cells).sum::<usize>(),
            "{s:?}"
        );
        for rtl in [false, true] {
            let _ = for_cell_dir(s, BidiMode::App, rtl);
            let term = for_cell_dir(s, BidiMode::Terminal, rtl);
            assert_balanced(&term);
        }
        assert_balanced(&for_cell(s, BidiMode::Terminal));
        for cols in 0..8 {
            for mode in [BidiMode::App, BidiMode::Terminal] {
                assert_eq!(cells(&fit(s, cols, mode, false)), cols, "{s:?}");
                assert_eq!(cells(&fit(s, cols, mode, true)), cols, "{s:?}");
            }
        }
        let n = s.chars().count();
        for i in 0..=n + 1 {
            assert!(visual_cursor(s, i) <= cells(&drawn), "{s:?} {i}");
        }
    }

    /// A Terminal mode cell never closes more isolates than it opens, nor
    /// leaves one open.
    fn assert_balanced(s: &str) {
        let mut open = 0usize;
        for c in s.chars() {
            match c {
                LRI | RLI | FSI => open += 1,
                PDI => open = open.checked_sub(1).unwrap_or_else(|| panic!("{s:?}")),
                _ => {}
            }
        }
        assert_eq!(open, 0, "{s:?}");
    }

    fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                'س', 'ل', 'ا', 'م', 'ی', 'ک', 'گ', 'پ', 'ه', 'ـ', 'ي', '۳', '٣', '1', 'a', ' ',
                '漢', '(', ')', '[', '«', '\u{064e}', '\u{0651}', '\u{0670}', '\u{06e5}',
                '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{061c}', '\u{202a}', '\u{202b}',
                '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
                '\u{0}', '\n', '\t', '\u{0301}',
            ]),
        ]
    }

    proptest! {
        #[test]
        fn any_text_is_prepared_without_panic(chars in prop::collection::vec(tricky_char(), 0..24)) {
            let s: String = chars.into_iter().collect();
            exercise(&s);
        }
    }

    #[test]
    fn mode_setting_and_escapes() {
        assert_eq!(BidiMode::default(), BidiMode::App);
        assert_eq!(
            serde_json::to_string(&BidiMode::Terminal).unwrap(),
            "\"terminal\""
        );
        assert_eq!(
            serde_json::from_str::<BidiMode>("\"app\"").unwrap(),
            BidiMode::App
        );
        assert_eq!(BIDI_EXPLICIT, "\u{1b}[8l");
        assert_eq!(BIDI_IMPLICIT, "\u{1b}[8h");
    }

    #[test]
    fn each_mode_tells_the_terminal_at_start_and_undoes_it_at_the_end() {
        // App: the terminal stops reordering; at the end it reorders again.
        assert_eq!(start_escapes(BidiMode::App), "\u{1b}[8l");
        assert_eq!(end_escapes(BidiMode::App), "\u{1b}[8h");
        // Terminal: autodetection saved, reordering on, no guessing of a
        // row's direction, rows left to right.
        assert_eq!(
            start_escapes(BidiMode::Terminal),
            "\u{1b}[?2501s\u{1b}[8h\u{1b}[?2501l\u{1b}[1 k"
        );
        // The end: default direction, autodetection as saved, reordering on.
        assert_eq!(
            end_escapes(BidiMode::Terminal),
            "\u{1b}[0 k\u{1b}[?2501r\u{1b}[8h"
        );
        // Every way out leaves the terminal reordering (the spec's default).
        for mode in [BidiMode::App, BidiMode::Terminal] {
            assert!(end_escapes(mode).ends_with(BIDI_IMPLICIT), "{mode:?}");
        }
    }
}
