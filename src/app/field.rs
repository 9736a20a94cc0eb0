//! A text field: characters (not bytes) with a cursor. What was typed is kept
//! exactly; control characters are refused at the door, newlines only in
//! multi-line fields.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

    /// Applies an editing key; returns whether the text changed.
    pub fn handle(&mut self, key: KeyEvent) -> bool {
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return false;
        }
        match key.code {
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
}
