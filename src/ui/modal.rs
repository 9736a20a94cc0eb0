//! Drawing what shows over the screen: the help (the keys of the screen
//! underneath, from the keymap that binds them) and the yes-or-no questions;
//! and the large digits a saved call's code is read aloud from.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Borders, Clear};

use super::text::{self, Flow, Row, wrap};
use super::{centered, key_name, theme};
use crate::app::App;
use crate::app::modal::{BIDI_SAMPLE, Confirm, Overlay};
use crate::bidi::BidiMode;
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
        Overlay::BidiCheck => bidi_check(app, frame, area),
    }
}

/// A question, with the keys that answer it.
fn question(app: &App, text: &str, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
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
    let width = 64.min(area.width);
    let mut lines = vec![Row::new()];
    for l in wrap(text, (width as usize).saturating_sub(6)) {
        lines.push(Row::new().gap(2).fill(l, Style::new()));
    }
    lines.push(Row::new());
    lines.push(Row::new().gap(2).fill(keys, theme::dim()));
    let box_area = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, box_area);
    let inner = text::block(
        frame,
        box_area,
        flow,
        Borders::ALL,
        &format!(" {} ", w.t("app.title")),
    );
    text::rows(frame, inner, flow, &lines);
}

fn help(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let mode = {
        // The keys of the screen underneath the help.
        let m = app.mode();
        if m == Mode::Dialog { Mode::List } else { m }
    };
    let keys = app.cx.keymap.keys(mode);
    let width = 70.min(area.width);
    let inner_w = (width as usize).saturating_sub(2);
    let mut lines: Vec<Row> = keys
        .iter()
        .map(|(action, ks)| {
            let names: Vec<String> = ks.iter().map(|k| key_name(app, *k)).collect();
            Row::new()
                .cell(names.join(" "), 16, theme::label())
                .ltr()
                .gap(1)
                .fill(w.t(&action.desc_key()), Style::new())
        })
        .collect();
    let mut notes = Vec::new();
    if mode == Mode::Form {
        notes.push(w.t("help.form"));
    }
    if mode == Mode::List {
        notes.push(w.t("help.legend"));
    }
    notes.push(w.t("help.close"));
    for n in notes {
        lines.extend(
            wrap(n, inner_w)
                .into_iter()
                .map(|l| Row::line(l, theme::dim())),
        );
    }
    let h = (lines.len() as u16 + 2).min(area.height);
    let box_area = centered(area, width, h);
    frame.render_widget(Clear, box_area);
    let inner = text::block(
        frame,
        box_area,
        flow,
        Borders::ALL,
        &format!(" {} ", w.t("help.title")),
    );
    text::rows(frame, inner, flow, &lines);
}

/// The first-run check: the sample drawn both ways, each under its number.
/// The sample lines are drawn in the way they stand for, whatever the
/// console's mode; the words around them in the console's own. It is asked
/// before anything else, on a cleared screen: nothing of the screen beneath
/// (the setup box is narrower and shorter) shows around it, and a terminal
/// that reorders whole rows finds nothing but the sample on a sample's row.
fn bidi_check(app: &App, frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let width = 72.min(area.width);
    let inner_w = (width as usize).saturating_sub(2);
    let mut lines = Vec::new();
    for l in wrap(w.t("bidi.question"), inner_w) {
        lines.push(Row::line(l, Style::new()));
    }
    lines.push(Row::new());
    let sample_at = lines.len();
    lines.push(Row::new());
    lines.push(Row::new());
    lines.push(Row::new());
    lines.push(Row::new());
    for l in wrap(w.t("bidi.keys"), inner_w) {
        lines.push(Row::line(l, theme::dim()));
    }
    let box_area = centered(area, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, box_area);
    let inner = text::block(
        frame,
        box_area,
        flow,
        Borders::ALL,
        &format!(" {} ", w.t("bidi.title")),
    );
    text::rows(frame, inner, flow, &lines);
    for (i, (mode, key)) in [
        (BidiMode::App, "bidi.app"),
        (BidiMode::Terminal, "bidi.terminal"),
    ]
    .into_iter()
    .enumerate()
    {
        let y = inner.y + (sample_at + i * 2) as u16;
        let label = Row::new()
            .text(format!(" {} ", w.n(i + 1)), theme::key())
            .gap(1)
            .fill(w.t(key), theme::dim());
        label.draw(frame.buffer_mut(), inner.x, y, inner.width, flow);
        let sample = Row::new().gap(5).fill(BIDI_SAMPLE, theme::title());
        let as_drawn = Flow { mode, rtl: true };
        sample.draw(frame.buffer_mut(), inner.x, y + 1, inner.width, as_drawn);
    }
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
