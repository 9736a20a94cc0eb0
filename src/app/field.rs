//! A text field: characters (not bytes) with a cursor. What was typed is kept
//! exactly; control characters are refused at the door, newlines only in
//! multi-line fields.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::bidi::Flow;

/// The zero-width non-joiner: the Persian half-space (Shift+Space).
pub const ZWNJ: char = '\u{200c}';

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextField {
    chars: Vec<char>,
    cursor: usize,
    pub multiline: bool,
    pub secret: bool,
}

impl TextField {
    pub fn new() -> Self {
        TextField::default()
    }

    pub fn multiline() -> Self {
        TextField {
            multiline: true,
            ..TextField::default()
        }
    }

    pub fn secret() -> Self {
        TextField {
            secret: true,
            ..TextField::default()
        }
    }

    pub fn set(&mut self, text: &str) {
        self.chars = text
            .chars()
            .filter(|c| !c.is_control() || (self.multiline && *c == '\n'))
            .collect();
        self.cursor = self.chars.len();
    }

    #[must_use]
    pub fn with(mut self, text: &str) -> Self {
        self.set(text);
        self
    }

    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.iter().all(|c| c.is_whitespace())
    }

    pub fn clear(&mut self) {
        self.chars.clear();
        self.cursor = 0;
    }

    /// Characters before the cursor.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Applies an editing key, ← and → moving through the text in logical
    /// order; returns whether the text changed.
    pub fn handle(&mut self, key: KeyEvent) -> bool {
        self.handle_in(key, None)
    }

    /// Applies an editing key as the console shows the field: with a
    /// `flow`, ← and → move the caret to the place on that side of it as
    /// the text is drawn (in a Persian word ← goes forward); Shift+Space
    /// types a zero-width non-joiner (the Persian half-space). Returns
    /// whether the text changed.
    pub fn handle_in(&mut self, key: KeyEvent, flow: Option<Flow>) -> bool {
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        match key.code {
            KeyCode::Char(' ') if key.modifiers.contains(KeyModifiers::SHIFT) => {
                self.chars.insert(self.cursor, ZWNJ);
                self.cursor += 1;
                true
            }
            KeyCode::Left | KeyCode::Right if flow.is_some() && !self.secret => {
                let flow = flow.unwrap_or_default();
                self.step(key.code == KeyCode::Left, flow);
                false
            }
            KeyCode::Char(c) if !c.is_control() => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
                true
            }
            KeyCode::Enter if self.multiline => {
                self.chars.insert(self.cursor, '\n');
                self.cursor += 1;
                true
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
                true
            }
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.chars.len());
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = self.chars.len();
                false
            }
            _ => false,
        }
    }

    /// One step left or right on screen, within the line the caret is on.
    fn step(&mut self, left: bool, flow: Flow) {
        let start = self.chars[..self.cursor]
            .iter()
            .rposition(|c| *c == '\n')
            .map_or(0, |i| i + 1);
        let end = self.chars[self.cursor..]
            .iter()
            .position(|c| *c == '\n')
            .map_or(self.chars.len(), |i| self.cursor + i);
        let line: String = self.chars[start..end].iter().collect();
        let at = crate::bidi::step(&line, self.cursor - start, left, flow.mode, flow.rtl);
        self.cursor = start + at;
    }

    /// What to show: the text, or dots for a secret.
    pub fn shown(&self) -> String {
        if self.secret {
            "•".repeat(self.chars.len())
        } else {
            self.text()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn edits_by_character_not_byte() {
        let mut f = TextField::new();
        for c in "سلام".chars() {
            f.handle(key(KeyCode::Char(c)));
        }
        f.handle(key(KeyCode::Left));
        f.handle(key(KeyCode::Backspace));
        assert_eq!(f.text(), "سلم");
        f.handle(key(KeyCode::Enter));
        assert_eq!(f.text(), "سلم", "single-line fields take no newline");
        let mut d = TextField::multiline().with("a");
        d.handle(key(KeyCode::Enter));
        d.handle(key(KeyCode::Char('b')));
        assert_eq!(d.text(), "a\nb");
        assert_eq!(TextField::new().with("x\u{1b}[2Jy").text(), "x[2Jy");
    }

    #[test]
    fn arrows_move_on_screen_and_shift_space_is_a_half_space() {
        use crate::bidi::BidiMode;
        let flow = Some(Flow {
            mode: BidiMode::App,
            rtl: false,
        });
        let mut f = TextField::new();
        for c in "می".chars() {
            f.handle_in(key(KeyCode::Char(c)), flow);
        }
        f.handle_in(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::SHIFT), flow);
        for c in "خواهم".chars() {
            f.handle_in(key(KeyCode::Char(c)), flow);
        }
        assert_eq!(f.text(), "می\u{200c}خواهم", "the half-space is kept");
        // The caret is at the end of the word: its left end on screen. →
        // goes back into the word (logically backwards); ← stays.
        f.handle_in(key(KeyCode::Left), flow);
        assert_eq!(f.cursor(), 8);
        f.handle_in(key(KeyCode::Right), flow);
        assert_eq!(f.cursor(), 7);
        f.handle_in(key(KeyCode::Home), flow);
        f.handle_in(key(KeyCode::Left), flow);
        assert_eq!(f.cursor(), 1, "from the right-hand start, ← goes forward");
        // a plain space is a space
        f.handle_in(key(KeyCode::Char(' ')), flow);
        assert_eq!(f.text(), "م ی\u{200c}خواهم");
        // in a multi-line field the arrows stay on the caret's line
        let mut d = TextField::multiline().with("ab\nسلام");
        d.handle_in(key(KeyCode::Left), flow);
        assert_eq!(d.cursor(), 7, "the end of سلام is its left end");
        d.handle_in(key(KeyCode::Right), flow);
        assert_eq!(d.cursor(), 6);
    }
}
