//! What shows over the screen: the help (any key closes it) and the questions
//! that wait for yes or no (keys through the keymap's dialog mode) before
//! typed text is thrown away or an unsaved call is brought back.

use super::{App, View};
use crate::domain::shift::Shift;
use crate::store::Draft;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The keys of the screen underneath.
    Help,
    Confirm(Confirm),
    /// A call typed in an earlier session and never saved: bring it back?
    Restore(Draft),
    /// The first run on this terminal: a Persian sample drawn both ways;
    /// the operator picks the one that reads right (1 or 2).
    BidiCheck,
}

/// Questions before something typed is thrown away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    DiscardIntake,
    DiscardPrompt,
    /// Quit with text unsaved (it stays as a draft).
    Quit,
    /// Quit with nothing unsaved.
    Leave,
    /// Throw away handover notes being written.
    DiscardNotes,
    /// Accept a shift's handover (it cannot be undone).
    AcceptHandover(Shift),
}

impl Overlay {
    /// Whether it waits for yes or no.
    pub fn asks(&self) -> bool {
        !matches!(self, Overlay::Help)
    }
}

/// The sample line of the first-run check: Persian letters that join, a
/// number, Latin letters and brackets, so that a wrong order shows at once.
pub const BIDI_SAMPLE: &str = "پرونده‌ی ۱۲۳ (منطقه ۳) برای Ali ثبت شد";

/// The first-run check's answer: `1` the console puts the text in order,
/// `2` the terminal does (Persian digits count); Esc leaves it for next
/// time. Any other key is ignored.
pub fn bidi_choice(app: &mut App, key: ratatui::crossterm::event::KeyEvent) {
    use crate::bidi::BidiMode;
    use ratatui::crossterm::event::KeyCode;
    let mode = match key.code {
        KeyCode::Char(c) => match crate::text::ascii_digit(c) {
            Some('1') => BidiMode::App,
            Some('2') => BidiMode::Terminal,
            _ => return,
        },
        KeyCode::Esc => {
            app.overlay = None;
            return;
        }
        _ => return,
    };
    app.overlay = None;
    app.cx.flow.mode = mode;
    app.cx.push(super::Effect::SaveBidi(mode));
}

/// The answer to a question.
pub fn answer(app: &mut App, overlay: Overlay, yes: bool) {
    match (overlay, yes) {
        (Overlay::Confirm(Confirm::DiscardIntake), true) => {
            app.intake.discard(&mut app.cx);
            app.view = app.last_list;
        }
        (Overlay::Confirm(Confirm::DiscardPrompt), true) => app.case.prompt = None,
        (Overlay::Confirm(Confirm::Quit | Confirm::Leave), true) => app.cx.quit = true,
        (Overlay::Confirm(Confirm::DiscardNotes), true) => app.handover.notes = None,
        (Overlay::Confirm(Confirm::AcceptHandover(shift)), true) => {
            app.handover.accept(&mut app.cx, shift);
        }
        (Overlay::Restore(d), true) => {
            if app.intake.restore(&mut app.cx, &d) {
                app.view = View::Intake;
            }
        }
        (Overlay::Restore(_), false) => app.intake.drop_draft(&mut app.cx),
        (Overlay::Help | Overlay::Confirm(_) | Overlay::BidiCheck, _) => {}
    }
}
