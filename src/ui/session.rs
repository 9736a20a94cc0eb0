//! Drawing the sign-in screen and the first-account (setup) screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::text::{cell, cut, span};
use super::{centered, theme};
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

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let box_area = centered(area, 70, 14);
    frame.render_widget(Clear, box_area);
    match &app.cx.session {
        Session::Login(f) => {
            let block = Block::new().borders(Borders::ALL).title(format!(
                " {} — {} ",
                w.t("app.title"),
                w.t("login.title")
            ));
            let inner = block.inner(box_area);
            frame.render_widget(block, box_area);
            let field = |label: &str, value: String, on: bool| {
                Line::from(vec![
                    Span::styled(
                        format!("{} ", cell(w.t(label), 12)),
                        if on { theme::focus() } else { theme::label() },
                    ),
                    span(&value, Style::new()),
                ])
            };
            let mut lines = vec![
                Line::from(Span::raw(format!(
                    "{} {}",
                    w.t("app.store"),
                    cut(&app.cx.store_label, 50)
                ))),
                Line::from(""),
                field("login.name", f.name.text(), !f.on_password),
                field("login.password", f.password.shown(), f.on_password),
                Line::from(""),
            ];
            if let Some(e) = &f.error {
                lines.push(Line::from(span(e, theme::error())));
            } else if app.cx.busy() {
                lines.push(Line::from(Span::raw(w.t("app.busy").to_owned())));
            }
            lines.push(Line::from(Span::styled(
                hint(app, "login.hint"),
                theme::dim(),
            )));
            let row = inner.y + if f.on_password { 3 } else { 2 };
            let upto = if f.on_password {
                f.password.shown()
            } else {
                f.name.text()
            };
            frame.set_cursor_position((inner.x + 13 + crate::text::width(&upto) as u16, row));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Session::Setup(f) => {
            let block = Block::new().borders(Borders::ALL).title(format!(
                " {} — {} ",
                w.t("app.title"),
                w.t("setup.title")
            ));
            let inner = block.inner(box_area);
            frame.render_widget(block, box_area);
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
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} ", cell(w.t(key), 34)),
                        if f.focus == i {
                            theme::focus()
                        } else {
                            theme::label()
                        },
                    ),
                    span(&f.fields[i].shown(), Style::new()),
                ]));
            }
            lines.push(Line::from(""));
            if let Some(e) = &f.error {
                lines.push(Line::from(span(e, theme::error())));
            }
            lines.push(Line::from(Span::styled(
                hint(app, "setup.hint"),
                theme::dim(),
            )));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::raw(w.t("setup.intro").to_owned())));
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            let upto = f.fields[f.focus].shown();
            frame.set_cursor_position((
                inner.x + 35 + crate::text::width(&upto) as u16,
                inner.y + f.focus as u16,
            ));
        }
        Session::Working(_) => {}
    }
}
