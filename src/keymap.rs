//! Keys → actions, per mode. One table binds the keys and feeds the help
//! screen, so help can never disagree with what the keys do. Bindings can be
//! changed in the config file's `[keys]` table; a bad entry is refused with
//! its line and what to write. With a Persian keyboard layout active, a
//! Persian letter counts as the QWERTY key at the same place.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::actions::CASE_ACTIONS;
use crate::domain::roles::ActionKind;

/// Where the keyboard focus is; decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// Lists: the queues and search results.
    List,
    /// A case on screen.
    Case,
    /// Typing in a form (intake, a prompt, the search box, a filter):
    /// printable keys are text.
    Form,
    /// The sign-in and first-account screens (printable keys are text).
    SignIn,
    /// A question waiting for yes or no.
    Dialog,
    /// The handover and the managers' figures: ← → move between shifts or
    /// groupings.
    Board,
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::List,
        Mode::Case,
        Mode::Form,
        Mode::SignIn,
        Mode::Dialog,
        Mode::Board,
    ];

    /// Whether printable keys type text in this mode.
    pub fn types_text(self) -> bool {
        matches!(self, Mode::Form | Mode::SignIn)
    }
}

/// Everything a key can do. Each has a stable name (for the config file) and
/// a locale key describing it (for the help screen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Intake,
    Queue(u8),
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Open,
    Back,
    Search,
    Filter,
    Help,
    Quit,
    NextField,
    PrevField,
    Save,
    AttachToCase,
    FillFromCaller,
    /// Marks the call being typed urgent, or normal again.
    ToggleUrgent,
    /// Clears the filter of the queues.
    ClearFilter,
    /// The shift handover screen.
    Handover,
    /// The managers' figures.
    Report,
    /// The shift (or grouping) before, and after.
    Earlier,
    Later,
    /// The next list of the handover (or grouping of the figures), and the one before.
    NextList,
    PrevList,
    /// Write the handover's notes.
    EditNotes,
    /// Accept the handover.
    Accept,
    /// Another period for the figures.
    Period,
    /// An action on the open case (see `app::actions::CASE_ACTIONS`).
    Case(ActionKind),
    /// Sign in, or create the first account.
    Submit,
    Yes,
    No,
}

impl Action {
    /// The name used in the config file's `[keys]` table.
    pub fn name(self) -> String {
        match self {
            Action::Queue(n) => format!("queue-{n}"),
            Action::Case(kind) => kind.as_str().to_owned(),
            other => {
                let s = match other {
                    Action::Intake => "intake",
                    Action::Up => "up",
                    Action::Down => "down",
                    Action::PageUp => "page-up",
                    Action::PageDown => "page-down",
                    Action::Home => "first",
                    Action::End => "last",
                    Action::Open => "open",
                    Action::Back => "back",
                    Action::Search => "search",
                    Action::Filter => "filter",
                    Action::Help => "help",
                    Action::Quit => "quit",
                    Action::NextField => "next-field",
                    Action::PrevField => "previous-field",
                    Action::Save => "save",
                    Action::AttachToCase => "attach-to-case",
                    Action::FillFromCaller => "fill-from-caller",
                    Action::ToggleUrgent => "urgent",
                    Action::ClearFilter => "clear-filter",
                    Action::Handover => "handover",
                    Action::Report => "figures",
                    Action::Earlier => "earlier",
                    Action::Later => "later",
                    Action::NextList => "next-list",
                    Action::PrevList => "previous-list",
                    Action::EditNotes => "notes",
                    Action::Accept => "accept",
                    Action::Period => "period",
                    Action::Submit => "sign-in",
                    Action::Yes => "yes",
                    Action::No => "no",
                    Action::Queue(_) | Action::Case(_) => unreachable!(),
                };
                s.to_owned()
            }
        }
    }

    /// The workflow action a key action stands for, if it acts on a case.
    pub fn case_action(self) -> Option<ActionKind> {
        match self {
            Action::Case(kind) => Some(kind),
            _ => None,
        }
    }

    /// The locale key of the action's description.
    pub fn desc_key(self) -> String {
        format!("action.{}", self.name())
    }
}

/// A key with its modifiers, as written in the config (`F2`, `Ctrl+s`, `q`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// The key an event stands for, with Persian letters mapped to their
    /// QWERTY places (so shortcuts work whatever the layout), and Persian
    /// and Arabic-Indic digits to the digit keys (۱ opens queue 1).
    pub fn from_event(e: KeyEvent) -> Key {
        let code = match e.code {
            KeyCode::Char(c) => KeyCode::Char(
                qwerty(c)
                    .or_else(|| crate::text::ascii_digit(c))
                    .unwrap_or(c),
            ),
            other => other,
        };
        // Shift is part of the character itself ('?', 'G'); BackTab carries it too.
        Key {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// Parses `F2`, `Ctrl+s`, `Alt+x`, `Enter`, `Esc`, `Tab`, `BackTab`,
    /// `Up`, `Down`, `PageUp`, `PageDown`, `Home`, `End`, `Space`, or one character.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut key = Key::plain(KeyCode::Null);
        let mut rest = s.trim();
        loop {
            if let Some(r) = strip_prefix_ci(rest, "ctrl+") {
                key.ctrl = true;
                rest = r;
            } else if let Some(r) = strip_prefix_ci(rest, "alt+") {
                key.alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let named = [
            ("enter", KeyCode::Enter),
            ("esc", KeyCode::Esc),
            ("tab", KeyCode::Tab),
            ("backtab", KeyCode::BackTab),
            ("up", KeyCode::Up),
            ("down", KeyCode::Down),
            ("left", KeyCode::Left),
            ("right", KeyCode::Right),
            ("pageup", KeyCode::PageUp),
            ("pagedown", KeyCode::PageDown),
            ("home", KeyCode::Home),
            ("end", KeyCode::End),
            ("space", KeyCode::Char(' ')),
            ("backspace", KeyCode::Backspace),
            ("delete", KeyCode::Delete),
        ];
        key.code = if let Some((_, c)) = named.iter().find(|(n, _)| rest.eq_ignore_ascii_case(n)) {
            *c
        } else if let Some(n) = rest
            .strip_prefix(['F', 'f'])
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=12).contains(n))
        {
            KeyCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(if key.ctrl { c.to_ascii_lowercase() } else { c }),
                _ => {
                    return Err(format!(
                        "{s:?} is not a key: write e.g. \"F2\", \"Ctrl+s\", \"q\", \"Enter\", \"PageDown\""
                    ));
                }
            }
        };
        Ok(key)
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    // By `get`, not slicing: the text may hold letters of any width.
    s.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .and_then(|_| s.get(prefix.len()..))
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl+")?;
        }
        if self.alt {
            f.write_str("Alt+")?;
        }
        match self.code {
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The QWERTY key at the place of a Persian (ISIRI 9147) letter.
pub fn qwerty(c: char) -> Option<char> {
    const MAP: [(char, char); 32] = [
        ('ض', 'q'),
        ('ص', 'w'),
        ('ث', 'e'),
        ('ق', 'r'),
        ('ف', 't'),
        ('غ', 'y'),
        ('ع', 'u'),
        ('ه', 'i'),
        ('خ', 'o'),
        ('ح', 'p'),
        ('ج', '['),
        ('چ', ']'),
        ('ش', 'a'),
        ('س', 's'),
        ('ی', 'd'),
        ('ب', 'f'),
        ('ل', 'g'),
        ('ا', 'h'),
        ('ت', 'j'),
        ('ن', 'k'),
        ('م', 'l'),
        ('ک', ';'),
        ('گ', '\''),
        ('ظ', 'z'),
        ('ط', 'x'),
        ('ز', 'c'),
        ('ر', 'v'),
        ('ذ', 'b'),
        ('د', 'n'),
        ('پ', 'm'),
        ('و', ','),
        ('؟', '?'),
    ];
    MAP.iter().find(|(p, _)| *p == c).map(|(_, q)| *q)
}

/// One binding: in `mode`, `key` does `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub mode: Mode,
    pub key: Key,
    pub action: Action,
}

/// The key table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        use KeyCode as K;
        use Mode::{Board, Case, Dialog, Form, List, SignIn};
        let p = Key::plain;
        let c = |ch| p(K::Char(ch));
        let mut b = Vec::new();
        // Everywhere.
        for mode in [List, Case, Form, Board] {
            b.push((mode, p(K::F(2)), A::Intake));
        }
        for mode in [List, Case, Board] {
            b.push((mode, c('h'), A::Handover));
            b.push((mode, c('m'), A::Report));
        }
        for (mode, key, action) in [
            (List, c('/'), A::Search),
            (List, c('?'), A::Help),
            (List, c('q'), A::Quit),
            (List, p(K::Up), A::Up),
            (List, c('k'), A::Up),
            (List, p(K::Down), A::Down),
            (List, c('j'), A::Down),
            (List, p(K::PageUp), A::PageUp),
            (List, p(K::PageDown), A::PageDown),
            (List, p(K::Home), A::Home),
            (List, p(K::End), A::End),
            (List, p(K::Enter), A::Open),
            (List, c('f'), A::Filter),
            (List, c('F'), A::ClearFilter),
            (List, p(K::Esc), A::Back),
        ] {
            b.push((mode, key, action));
        }
        for spec in &CASE_ACTIONS {
            b.push((Case, c(spec.key), A::Case(spec.kind)));
        }
        for (mode, key, action) in [
            (Case, p(K::Up), A::Up),
            (Case, c('k'), A::Up),
            (Case, p(K::Down), A::Down),
            (Case, c('j'), A::Down),
            (Case, p(K::Esc), A::Back),
            (Case, c('/'), A::Search),
            (Case, c('?'), A::Help),
            (Case, c('q'), A::Quit),
            (Form, p(K::Tab), A::NextField),
            (Form, p(K::BackTab), A::PrevField),
            (Form, Key::ctrl('s'), A::Save),
            (Form, Key::ctrl('a'), A::AttachToCase),
            (Form, Key::ctrl('p'), A::FillFromCaller),
            (Form, Key::ctrl('u'), A::ToggleUrgent),
            (Form, p(K::Esc), A::Back),
            (Form, p(K::F(1)), A::Help),
            (SignIn, p(K::Enter), A::Submit),
            (SignIn, p(K::Tab), A::NextField),
            (SignIn, p(K::Down), A::NextField),
            (SignIn, p(K::BackTab), A::PrevField),
            (SignIn, p(K::Up), A::PrevField),
            (SignIn, p(K::Esc), A::Quit),
            (Board, p(K::Up), A::Up),
            (Board, c('k'), A::Up),
            (Board, p(K::Down), A::Down),
            (Board, c('j'), A::Down),
            (Board, p(K::PageUp), A::PageUp),
            (Board, p(K::PageDown), A::PageDown),
            (Board, p(K::Home), A::Home),
            (Board, p(K::End), A::End),
            (Board, p(K::Enter), A::Open),
            (Board, p(K::Left), A::Earlier),
            (Board, c('['), A::Earlier),
            (Board, p(K::Right), A::Later),
            (Board, c(']'), A::Later),
            (Board, p(K::Tab), A::NextList),
            (Board, p(K::BackTab), A::PrevList),
            (Board, c('n'), A::EditNotes),
            (Board, c('A'), A::Accept),
            (Board, c('p'), A::Period),
            (Board, p(K::Esc), A::Back),
            (Board, c('/'), A::Search),
            (Board, c('?'), A::Help),
            (Board, c('q'), A::Quit),
            (Dialog, c('y'), A::Yes),
            (Dialog, c('n'), A::No),
            (Dialog, p(K::Esc), A::No),
        ] {
            b.push((mode, key, action));
        }
        // After 'q', so that help and hints name 'q' first.
        for mode in [List, Case, Form, SignIn, Board] {
            b.push((mode, Key::ctrl('c'), A::Quit));
        }
        for n in 1..=6u8 {
            for mode in [List, Case, Board] {
                b.push((mode, c(char::from(b'0' + n)), A::Queue(n)));
            }
        }
        Keymap {
            bindings: b
                .into_iter()
                .map(|(mode, key, action)| Binding { mode, key, action })
                .collect(),
        }
    }
}

impl Keymap {
    /// What `key` does in `mode`, if anything.
    pub fn resolve(&self, mode: Mode, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|b| b.mode == mode && b.key == key)
            .map(|b| b.action)
    }

    /// The keys of `mode`, grouped by action, in table order (for help and the status line).
    pub fn keys(&self, mode: Mode) -> Vec<(Action, Vec<Key>)> {
        let mut out: Vec<(Action, Vec<Key>)> = Vec::new();
        for b in self.bindings.iter().filter(|b| b.mode == mode) {
            match out.iter_mut().find(|(a, _)| *a == b.action) {
                Some((_, keys)) => keys.push(b.key),
                None => out.push((b.action, vec![b.key])),
            }
        }
        out
    }

    /// The key table as Markdown, one section per mode (the README shows it;
    /// a test keeps the two the same).
    pub fn markdown(&self) -> String {
        let locale = crate::locale::Locale::english();
        let mut out = String::new();
        for (mode, title) in [
            (Mode::List, "Queues and search results"),
            (Mode::Case, "A case"),
            (
                Mode::Form,
                "Forms (intake, an action's prompt, the search box, a filter)",
            ),
            (Mode::Board, "The handover and the figures"),
            (Mode::SignIn, "Signing in"),
            (Mode::Dialog, "A question (yes or no)"),
        ] {
            let _ = write!(out, "**{title}**\n\n| keys | what they do |\n|---|---|\n");
            for (action, keys) in self.keys(mode) {
                let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    keys.join(" "),
                    locale.t(&action.desc_key())
                );
            }
            out.push('\n');
        }
        out
    }

    /// The first key bound to `action` in `mode`, for hints.
    pub fn key_for(&self, mode: Mode, action: Action) -> Option<Key> {
        self.bindings
            .iter()
            .find(|b| b.mode == mode && b.action == action)
            .map(|b| b.key)
    }

    /// Applies the config's `[keys]` table: `action = "key"` or `["key", "key"]`
    /// replaces every key of that action (in every mode where it is bound).
    /// `lines` maps an action name to the config line it is on, for messages.
    pub fn with_overrides(
        mut self,
        keys: &BTreeMap<String, Vec<String>>,
        line_of: impl Fn(&str) -> Option<usize>,
    ) -> Result<Keymap, String> {
        let at = |name: &str| line_of(name).map_or(String::new(), |l| format!("line {l}: "));
        let all: Vec<Action> = {
            let mut v: Vec<Action> = self.bindings.iter().map(|b| b.action).collect();
            v.sort();
            v.dedup();
            v
        };
        for (name, new_keys) in keys {
            let Some(action) = all.iter().copied().find(|a| a.name() == *name) else {
                return Err(format!(
                    "{}[keys] has no action {name:?}: use one of {}",
                    at(name),
                    all.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
                ));
            };
            if new_keys.is_empty() {
                return Err(format!("{}[keys] {name}: give at least one key", at(name)));
            }
            let parsed: Vec<Key> = new_keys
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("{}[keys] {name}: {e}", at(name))))
                .collect::<Result<_, _>>()?;
            let modes: Vec<Mode> = {
                let mut m: Vec<Mode> = self
                    .bindings
                    .iter()
                    .filter(|b| b.action == action)
                    .map(|b| b.mode)
                    .collect();
                m.dedup();
                m
            };
            self.bindings.retain(|b| b.action != action);
            for mode in modes {
                for key in &parsed {
                    if let Some(other) = self.resolve(mode, *key) {
                        return Err(format!(
                            "{}[keys] {name}: {key} already does {} here; choose another key or rebind {} too",
                            at(name),
                            other.name(),
                            other.name()
                        ));
                    }
                    self.bindings.push(Binding {
                        mode,
                        key: *key,
                        action,
                    });
                }
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print() {
        for s in [
            "F2",
            "Ctrl+s",
            "q",
            "Enter",
            "Esc",
            "PgDn",
            "Shift+Tab",
            "?",
            "/",
        ] {
            let k = Key::parse(match s {
                "PgDn" => "PageDown",
                "Shift+Tab" => "BackTab",
                other => other,
            })
            .unwrap();
            assert_eq!(k.to_string(), s);
        }
        assert!(Key::parse("Hyper+x").is_err());
        assert!(Key::parse("F13").is_err());
    }

    #[test]
    fn persian_letters_reach_their_shortcuts() {
        let km = Keymap::default();
        // 'ق' sits where 'r' is: refer.
        let e = KeyEvent::new(KeyCode::Char('ق'), KeyModifiers::NONE);
        assert_eq!(
            km.resolve(Mode::Case, Key::from_event(e)),
            Some(Action::Case(ActionKind::Refer))
        );
        let e = KeyEvent::new(KeyCode::Char('ض'), KeyModifiers::NONE);
        assert_eq!(
            km.resolve(Mode::List, Key::from_event(e)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn overrides_replace_keys_and_refuse_clashes() {
        let mut keys = BTreeMap::new();
        keys.insert("intake".to_owned(), vec!["F3".to_owned()]);
        let km = Keymap::default()
            .with_overrides(&keys, |_| Some(4))
            .unwrap();
        assert_eq!(
            km.resolve(Mode::List, Key::parse("F3").unwrap()),
            Some(Action::Intake)
        );
        assert_eq!(km.resolve(Mode::List, Key::parse("F2").unwrap()), None);
        keys.insert("intake".to_owned(), vec!["q".to_owned()]);
        let e = Keymap::default()
            .with_overrides(&keys, |_| Some(4))
            .unwrap_err();
        assert!(
            e.starts_with("line 4: [keys] intake: q already does quit"),
            "{e}"
        );
        let mut bad = BTreeMap::new();
        bad.insert("teleport".to_owned(), vec!["x".to_owned()]);
        let e = Keymap::default()
            .with_overrides(&bad, |_| Some(7))
            .unwrap_err();
        assert!(
            e.starts_with("line 7: [keys] has no action \"teleport\""),
            "{e}"
        );
    }

    #[test]
    fn a_key_of_any_script_is_parsed_or_refused_never_a_panic() {
        for s in [
            "abcی",
            "ی",
            "Ctrlی",
            "Ctrl+ی",
            "Alt+ctrl+",
            "",
            "ctrl+",
            "F",
            "Fی",
            "\u{200c}",
        ] {
            let _ = Key::parse(s);
        }
        assert!(Key::parse("abcی").is_err());
        assert_eq!(Key::parse("ی").unwrap().code, KeyCode::Char('ی'));
    }

    #[test]
    fn every_action_has_a_description() {
        let locale = crate::locale::Locale::english();
        for b in &Keymap::default().bindings {
            assert!(locale.has(&b.action.desc_key()), "{}", b.action.desc_key());
        }
    }
}
