//! Drawing what shows over the screen: the help (the keys of the screen
//! underneath, from the keymap that binds them) and the yes-or-no questions;
//! and the large digits a saved call's code is read aloud from.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::text::cell;
use super::{centered, theme};
use crate::app::App;
use crate::app::modal::{Confirm, Overlay};
use crate::keymap::{Action, Mode};

pub fn draw(app: &App, o: &Overlay, frame: &mut Frame, area: Rect) {
    match o {
        Overlay::Help => help(app, frame, area),
        Overlay::Confirm(c) => {
            let w = &app.cx.words;
            let text = match c {
                Confirm::DiscardIntake => w.t("modal.discard-intake").to_owned(),
                Confirm::DiscardPrompt => w.t("modal.discard-prompt").to_owned(),
                Confirm::Quit => w.t("modal.quit").to_owned(),
                Confirm::Leave => w.t("modal.leave").to_owned(),
                Confirm::DiscardNotes => w.t("modal.discard-notes").to_owned(),
                Confirm::AcceptHandover(s) => {
                    w.fill("modal.accept-handover", &[("shift", &w.shift(s))])
                }
            };
            question(app, &text, frame, area);
        }
        Overlay::Restore(d) => {
            let w = &app.cx.words;
            let text = w.fill("modal.restore", &[("when", &w.time(d.saved_at))]);
            question(app, &text, frame, area);
        }
    }
}

/// A question, with the keys that answer it.
fn question(app: &App, text: &str, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let k = |a| {
        app.cx
            .keymap
            .key_for(Mode::Dialog, a)
            .map_or(String::new(), |k| k.to_string())
    };
    let keys = w.fill(
        "modal.answer",
        &[("yes", &k(Action::Yes)), ("no", &k(Action::No))],
    );
    let lines = vec![
        Line::from(""),
        Line::from(format!("  {text}")),
        Line::from(""),
        Line::from(Span::styled(format!("  {keys}"), theme::dim())),
    ];
    let box_area = centered(area, 64, lines.len() as u16 + 4);
    frame.render_widget(Clear, box_area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::ALL)
                .title(format!(" {} ", w.t("app.title"))),
        ),
        box_area,
    );
}

fn help(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let mode = {
        // The keys of the screen underneath the help.
        let m = app.mode();
        if m == Mode::Dialog { Mode::List } else { m }
    };
    let keys = app.cx.keymap.keys(mode);
    let h = (keys.len() as u16 + 7).min(area.height);
    let box_area = centered(area, 70, h);
    frame.render_widget(Clear, box_area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(" {} ", w.t("help.title")));
    let inner = block.inner(box_area);
    frame.render_widget(block, box_area);
    let mut lines: Vec<Line> = keys
        .iter()
        .map(|(action, ks)| {
            let names: Vec<String> = ks.iter().map(ToString::to_string).collect();
            Line::from(vec![
                Span::styled(format!("{} ", cell(&names.join(" "), 16)), theme::label()),
                Span::raw(w.t(&action.desc_key()).to_owned()),
            ])
        })
        .collect();
    if mode == Mode::Form {
        lines.push(Line::from(Span::styled(
            w.t("help.form").to_owned(),
            theme::dim(),
        )));
    }
    if mode == Mode::List {
        lines.push(Line::from(Span::styled(
            w.t("help.legend").to_owned(),
            theme::dim(),
        )));
    }
    lines.push(Line::from(Span::styled(
        w.t("help.close").to_owned(),
        theme::dim(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Digits three cells wide and three rows high, to read a code aloud from across a desk.
const BIG: [[&str; 3]; 10] = [
    ["█▀█", "█ █", "▀▀▀"],
    [" ▄█", "  █", "  ▀"],
    ["▀▀█", "█▀▀", "▀▀▀"],
    ["▀▀█", " ▀█", "▀▀▀"],
    ["█ █", "▀▀█", "  ▀"],
    ["█▀▀", "▀▀█", "▀▀▀"],
    ["█▀▀", "█▀█", "▀▀▀"],
    ["▀▀█", "  █", "  ▀"],
    ["█▀█", "█▀█", "▀▀▀"],
    ["█▀█", "▀▀█", "▀▀▀"],
];

pub fn big_digits(code: &str) -> [String; 3] {
    let mut rows = [String::new(), String::new(), String::new()];
    for (i, c) in code.chars().enumerate() {
        if i > 0 {
            for r in &mut rows {
                r.push_str(if i % 3 == 0 { "   " } else { " " });
            }
        }
        if let Some(d) = c.to_digit(10) {
            for (r, row) in rows.iter_mut().enumerate() {
                row.push_str(BIG[d as usize][r]);
            }
        }
    }
    rows
}
