//! Drawing the sign-in screen and the first-account (setup) screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Borders, Clear};

use super::text::{self, Row, caret_x, cut, wrap};
use super::{centered, theme};
use crate::app::field::TextField;
use crate::app::{App, Session};
use crate::keymap::{Action, Mode};

/// The keys of the sign-in mode, for the hint under the form.
fn hint(app: &App, key: &str) -> String {
    let k = |a| {
        app.cx
            .keymap
            .key_for(Mode::SignIn, a)
            .map_or(String::new(), |k| k.to_string())
    };
    app.cx.words.fill(
        key,
        &[
            ("submit", &k(Action::Submit)),
            ("next", &k(Action::NextField)),
            ("quit", &k(Action::Quit)),
        ],
    )
}

/// A label and a field's value; the caret set when `on`.
fn field(
    app: &App,
    frame: &mut Frame,
    inner: Rect,
    y: u16,
    (label, label_w): (&str, usize),
    (f, shown): (&TextField, String),
    on: bool,
) -> Row {
    let flow = app.cx.flow;
    let row = Row::new()
        .cell(
            label,
            label_w,
            if on { theme::focus() } else { theme::label() },
        )
        .gap(1)
        .fill(&shown, Style::new());
    if on {
        let (x, width) = row.span_of(2, inner.x, inner.width, flow);
        let x = if f.secret {
            // Dots: one per char, in order.
            if flow.rtl {
                x + width - f.cursor().min(width as usize) as u16
            } else {
                x + f.cursor() as u16
            }
        } else {
            caret_x(&shown, f.cursor(), x, width, flow)
        };
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
    row
}

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let box_area = centered(area, 70, 14);
    frame.render_widget(Clear, box_area);
    match &app.cx.session {
        Session::Login(f) => {
            let title = format!(" {} — {} ", w.t("app.title"), w.t("login.title"));
            let inner = text::block(frame, box_area, flow, Borders::ALL, &title);
            let mut lines = vec![
                Row::line(
                    format!("{} {}", w.t("app.store"), cut(&app.cx.store_label, 50)),
                    Style::new(),
                ),
                Row::new(),
                field(
                    app,
                    frame,
                    inner,
                    inner.y + 2,
                    (w.t("login.name"), 12),
                    (&f.name, f.name.text()),
                    !f.on_password,
                ),
                field(
                    app,
                    frame,
                    inner,
                    inner.y + 3,
                    (w.t("login.password"), 12),
                    (&f.password, f.password.shown()),
                    f.on_password,
                ),
                Row::new(),
            ];
            if let Some(e) = &f.error {
                lines.extend(
                    wrap(e, inner.width as usize)
                        .into_iter()
                        .map(|l| Row::line(l, theme::error())),
                );
            } else if app.cx.busy() {
                lines.push(Row::line(w.t("app.busy"), Style::new()));
            }
            lines.push(Row::line(hint(app, "login.hint"), theme::dim()));
            text::rows(frame, inner, flow, &lines);
        }
        Session::Setup(f) => {
            let title = format!(" {} — {} ", w.t("app.title"), w.t("setup.title"));
            let inner = text::block(frame, box_area, flow, Borders::ALL, &title);
            let mut lines = Vec::new();
            for (i, key) in [
                "setup.name",
                "setup.display",
                "setup.password",
                "setup.repeat",
            ]
            .iter()
            .enumerate()
            {
                lines.push(field(
                    app,
                    frame,
                    inner,
                    inner.y + i as u16,
                    (w.t(key), 34),
                    (&f.fields[i], f.fields[i].shown()),
                    f.focus == i,
                ));
            }
            lines.push(Row::new());
            if let Some(e) = &f.error {
                lines.extend(
                    wrap(e, inner.width as usize)
                        .into_iter()
                        .map(|l| Row::line(l, theme::error())),
                );
            }
            lines.push(Row::line(hint(app, "setup.hint"), theme::dim()));
            lines.push(Row::new());
            lines.extend(
                wrap(w.t("setup.intro"), inner.width as usize)
                    .into_iter()
                    .map(|l| Row::line(l, Style::new())),
            );
            text::rows(frame, inner, flow, &lines);
        }
        Session::Working(_) => {}
    }
}
