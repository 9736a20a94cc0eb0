//! The handover screen: what a shift did and what it hands over (each list's
//! cases openable), the outgoing supervisor's notes (written here until the
//! handover is accepted) and the incoming supervisor's acceptance. ← → go to
//! the shift before or after.

use ratatui::crossterm::event::KeyEvent;

use super::field::TextField;
use super::modal::{Confirm, Overlay};
use super::{Command, Go, Shell, Slot};
use crate::domain::case::Case;
use crate::domain::roles::Role;
use crate::domain::shift::Shift;
use crate::keymap::{Action, Mode};
use crate::report::handover::{Handover, HandoverRecord};
use crate::store::StoreError;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandoverScreen {
    /// The shift on view (loading until `handover` comes).
    pub shift: Option<Shift>,
    pub handover: Option<Handover>,
    /// The list on view (Tab goes to the next).
    pub list: usize,
    /// The highlighted case in that list.
    pub selected: usize,
    /// The notes being written, while they are.
    pub notes: Option<TextField>,
}

impl HandoverScreen {
    pub fn mode(&self) -> Mode {
        if self.notes.is_some() {
            Mode::Form
        } else {
            Mode::Board
        }
    }

    pub fn has_text(&self) -> bool {
        self.notes.as_ref().is_some_and(|n| {
            let saved = self
                .handover
                .as_ref()
                .and_then(|h| h.record.as_ref())
                .map_or("", |r| r.notes.as_str());
            n.text() != saved
        })
    }

    /// Opens the handover waiting for acceptance, else the one last shown,
    /// else the one due now.
    pub fn open(&mut self, cx: &mut Shell) {
        let shift = cx
            .pending_handover
            .clone()
            .or_else(|| self.shift.clone())
            .unwrap_or_else(|| crate::report::default_shift(&cx.settings, cx.now));
        if self.shift.as_ref() != Some(&shift) {
            self.shift = Some(shift);
            self.handover = None;
            self.selected = 0;
        }
        self.reload(cx);
    }

    pub fn reload(&mut self, cx: &mut Shell) {
        if let Some(s) = &self.shift {
            cx.send(Slot::Handover, Command::Handover(s.clone()));
        }
    }

    pub fn loaded(&mut self, cx: &mut Shell, r: Result<Handover, StoreError>) {
        match r {
            Ok(h) if Some(&h.shift) == self.shift.as_ref() => {
                self.handover = Some(h);
                self.list = self.list.min(self.lists().saturating_sub(1));
                self.selected = self.selected.min(self.cases().len().saturating_sub(1));
            }
            Ok(_) => {}
            Err(e) => cx.store_error(&e),
        }
    }

    fn lists(&self) -> usize {
        self.handover.as_ref().map_or(0, |h| h.lists.len())
    }

    /// The cases of the list on view (what ↑ ↓ move through).
    pub fn cases(&self) -> &[Case] {
        self.handover
            .as_ref()
            .and_then(|h| h.lists.get(self.list))
            .map_or(&[], |l| l.cases.as_slice())
    }

    fn record(&self) -> Option<&HandoverRecord> {
        self.handover.as_ref().and_then(|h| h.record.as_ref())
    }

    pub fn act(&mut self, cx: &mut Shell, action: Action) -> Go {
        if self.notes.is_some() {
            return self.act_on_notes(cx, action);
        }
        let n = self.cases().len();
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::PageUp => self.selected = self.selected.saturating_sub(10),
            Action::PageDown => self.selected = (self.selected + 10).min(n.saturating_sub(1)),
            Action::Home => self.selected = 0,
            Action::End => self.selected = n.saturating_sub(1),
            Action::NextList | Action::PrevList => {
                let lists = self.lists().max(1);
                self.list = if action == Action::NextList {
                    (self.list + 1) % lists
                } else {
                    (self.list + lists - 1) % lists
                };
                self.selected = 0;
            }
            Action::Open => {
                if let Some(c) = self.cases().get(self.selected) {
                    return Go::OpenCase(c.code);
                }
            }
            Action::Earlier | Action::Later => {
                let center = &cx.settings.center;
                let next = self.shift.as_ref().and_then(|s| {
                    if action == Action::Earlier {
                        center.previous(s)
                    } else {
                        center.next(s)
                    }
                });
                // Not a shift that has not begun.
                if let Some(s) =
                    next.filter(|s| center.bounds(s).is_some_and(|(start, _)| start <= cx.now))
                {
                    self.shift = Some(s);
                    self.handover = None;
                    self.selected = 0;
                    self.reload(cx);
                }
            }
            Action::EditNotes => self.start_notes(cx),
            Action::Accept => {
                if let Some(why) = self.refusal(cx, true) {
                    cx.warn(why);
                } else if let Some(s) = &self.shift {
                    return Go::Ask(Overlay::Confirm(Confirm::AcceptHandover(s.clone())));
                }
            }
            Action::Back => return Go::Back,
            _ => {}
        }
        Go::Stay
    }

    /// Why the person signed in cannot write the notes (or accept), if not.
    fn refusal(&self, cx: &Shell, accepting: bool) -> Option<String> {
        let w = &cx.words;
        if cx.me().map(|o| o.role) != Some(Role::Supervisor) {
            return Some(w.t("handover.only-supervisors").to_owned());
        }
        if let Some(r) = self.record().filter(|r| r.accepted()) {
            return Some(w.fill(
                "error.store.handover-accepted",
                &[
                    ("by", r.accepted_by.as_deref().unwrap_or("")),
                    ("at", &r.accepted_at.map(|t| w.time(t)).unwrap_or_default()),
                ],
            ));
        }
        if !accepting {
            return None;
        }
        if self.handover.is_none() {
            return Some(w.t("case.loading").to_owned());
        }
        let me = cx.me().map(|o| o.name.as_str());
        self.record()
            .filter(|r| r.noted_by.is_some() && r.noted_by.as_deref() == me)
            .map(|_| w.t("error.store.own-handover").to_owned())
    }

    fn start_notes(&mut self, cx: &mut Shell) {
        if let Some(why) = self.refusal(cx, false) {
            cx.warn(why);
            return;
        }
        let text = self.record().map_or("", |r| r.notes.as_str()).to_owned();
        self.notes = Some(TextField::multiline().with(&text));
    }

    fn act_on_notes(&mut self, cx: &mut Shell, action: Action) -> Go {
        match action {
            Action::Save => {
                let (Some(by), Some(shift), Some(notes)) =
                    (cx.actor(), self.shift.clone(), self.notes.as_ref())
                else {
                    return Go::Stay;
                };
                let notes = notes.text().trim_end().to_owned();
                cx.send(Slot::Act, Command::NoteHandover { by, shift, notes });
            }
            Action::Back if self.has_text() => {
                return Go::Ask(Overlay::Confirm(Confirm::DiscardNotes));
            }
            Action::Back => self.notes = None,
            _ => {}
        }
        Go::Stay
    }

    /// Text keys in the notes.
    pub fn edit(&mut self, key: KeyEvent, flow: crate::bidi::Flow) -> Go {
        // Enter is a new line in the notes (a multi-line field).
        if let Some(n) = &mut self.notes {
            n.handle_in(key, Some(flow));
        }
        Go::Stay
    }

    /// Accepts (after the question was answered yes).
    pub fn accept(&mut self, cx: &mut Shell, shift: Shift) {
        if let Some(by) = cx.actor() {
            cx.send(Slot::Act, Command::AcceptHandover { by, shift });
        }
    }

    /// The store's answer to the notes or the acceptance.
    pub fn recorded(&mut self, cx: &mut Shell, r: Result<Option<HandoverRecord>, StoreError>) {
        match r {
            Ok(Some(record)) => {
                let key = if record.accepted() {
                    "notice.handover-accepted"
                } else {
                    "notice.notes-saved"
                };
                let text = cx
                    .words
                    .fill(key, &[("shift", &cx.words.shift(&record.shift))]);
                cx.note(text);
                if cx.pending_handover.as_ref() == Some(&record.shift) && record.accepted() {
                    cx.pending_handover = None;
                }
                self.notes = None;
                if let Some(h) = &mut self.handover {
                    h.record = Some(record);
                }
            }
            Ok(None) => {}
            Err(e) => cx.store_error(&e),
        }
    }
}
