//! Drawing the intake screen: the form, and beside it (below it when narrow)
//! the list the field in focus narrows (services, districts, departments),
//! the code of the call just saved, and the caller's earlier cases, which
//! stay in view while the service is picked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::Borders;

use super::modal::big_digits;
use super::text::{self, Row, caret_at, tail};
use super::theme;
use crate::app::App;
use crate::app::intake::{Field, Referral, department_choices};
use crate::domain::case::{Channel, Kind, Priority};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 100;
    let flow = app.cx.flow;
    let rows = Field::ORDER.len() as u16 + if wide { 3 } else { 1 };
    let (form_area, picker_area, related_area) = if wide {
        let [form, side] = text::split_h(
            area,
            flow,
            [Constraint::Percentage(55), Constraint::Percentage(45)],
        );
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(side);
        (form, top, bottom)
    } else {
        let [form, below] =
            Layout::vertical([Constraint::Length(rows), Constraint::Min(3)]).areas(area);
        let [left, right] = text::split_h(
            below,
            flow,
            [Constraint::Percentage(50), Constraint::Percentage(50)],
        );
        (form, left, right)
    };
    form(app, frame, form_area, wide);
    let f = &app.intake.form;
    if f.focus.is_picker() {
        picker(app, frame, picker_area);
    } else if let (Some(_), false) = (&app.intake.saved, f.has_text()) {
        saved(app, frame, picker_area);
    } else {
        hints(app, frame, picker_area);
    }
    related(app, frame, related_area);
}

/// A field's value as shown in the form.
fn value(app: &App, field: Field, focused: bool) -> String {
    let w = &app.cx.words;
    let cat = &app.cx.catalog;
    let f = &app.intake.form;
    match field {
        Field::Phone => f.phone.text(),
        Field::Name => f.name.text(),
        Field::Neighborhood => f.neighborhood.text(),
        Field::Address => f.address.text(),
        Field::Description => f.description.text(),
        Field::Channel => format!(
            "‹ {} ›",
            w.code("channel", Channel::ALL[f.channel].as_str())
        ),
        Field::Kind => format!("‹ {} ›", w.code("kind", Kind::ALL[f.kind].as_str())),
        Field::Priority => format!(
            "‹ {} ›",
            w.code("priority", Priority::ALL[f.priority].as_str())
        ),
        Field::Service => match &f.service {
            Some(code) if !focused => cat
                .service(code)
                .map_or(code.clone(), |s| w.names(&s.name_fa, &s.name_en)),
            _ => f.service_filter.text(),
        },
        Field::District => match &f.district {
            Some(code) if !focused || f.district_filter.is_empty() => {
                cat.district(code).map_or(code.clone(), |d| {
                    format!("{} · {}", w.n(&d.code), w.names(&d.name_fa, &d.name_en))
                })
            }
            _ => f.district_filter.text(),
        },
        Field::Department if focused && !f.department_filter.is_empty() => {
            f.department_filter.text()
        }
        Field::Department => match (&f.referral, f.department(cat)) {
            (Referral::Unreferred, _) => w.t("intake.unreferred").to_owned(),
            (Referral::Proposed, Some(d)) => {
                w.fill("intake.proposed", &[("department", &w.department(cat, &d))])
            }
            (Referral::Proposed, None) => w.t("intake.proposed-later").to_owned(),
            (Referral::Chosen(_), Some(d)) => w.department(cat, &d),
            (Referral::Chosen(c), None) => c.clone(),
        },
    }
}

fn form(app: &App, frame: &mut Frame, area: Rect, wide: bool) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let f = &app.intake.form;
    let label_w = 13;
    let value_w = area.width.saturating_sub(label_w as u16 + 1) as usize;
    let mut lines = vec![Row::line(w.t("intake.title"), theme::title())];
    let mut cursor = None;
    for field in Field::ORDER {
        let focused = f.focus == field;
        let label_style = if focused {
            theme::focus()
        } else {
            theme::label()
        };
        let value = value(app, field, focused);
        let rows = if field == Field::Description && wide {
            3
        } else {
            1
        };
        let mut value_lines: Vec<&str> = value.split('\n').collect();
        if value_lines.len() > rows {
            value_lines = value_lines.split_off(value_lines.len() - rows);
        }
        let error = app
            .intake
            .form
            .error(field)
            .map(|p| w.problem(field.name(), p));
        let tf = match field {
            Field::Phone => Some(&f.phone),
            Field::Name => Some(&f.name),
            Field::Service => Some(&f.service_filter),
            Field::District => Some(&f.district_filter),
            Field::Neighborhood => Some(&f.neighborhood),
            Field::Address => Some(&f.address),
            Field::Department => Some(&f.department_filter),
            _ => None,
        }
        .filter(|_| focused && !field.is_choice());
        // The phone number reads left to right in any layout.
        let ltr = field == Field::Phone;
        let last = value_lines.len() - 1;
        let label_key = format!("intake.{}", field.name());
        for (i, v) in value_lines.iter().enumerate() {
            let label = if i == 0 { w.t(&label_key) } else { "" };
            // The line being typed shows its end when it is too long.
            let (shown, dropped) = if tf.is_some() || (focused && i == last) {
                tail(v, value_w.saturating_sub(1))
            } else {
                ((*v).to_owned(), 0)
            };
            let mut row = Row::new()
                .cell(label, label_w, label_style)
                .gap(1)
                .text(&shown, Style::new());
            if ltr {
                row = row.ltr();
            }
            if i == 0
                && let Some(err) = &error
            {
                let arrow = if flow.rtl { "→" } else { "←" };
                row = row.fill(format!("  {arrow} {err}"), theme::error());
            }
            if focused && i == last && !field.is_choice() {
                let (x, width) = row.span_of(2, area.x, area.width, flow);
                let at = match tf {
                    Some(t) => t.cursor().saturating_sub(dropped),
                    None => shown.chars().count(),
                };
                let y = area.y + lines.len() as u16;
                cursor = Some((caret_at(&shown, at, x, width, flow, ltr), y));
            }
            lines.push(row);
        }
    }
    text::rows(frame, area, flow, &lines);
    if let Some((x, y)) = cursor {
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), y));
    }
}

fn titled(app: &App, frame: &mut Frame, area: Rect, title: &str) -> Rect {
    text::block(frame, area, app.cx.flow, Borders::TOP, title)
}

/// The list the field in focus narrows, with the highlighted line.
fn picker(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let cat = &app.cx.catalog;
    let f = &app.intake.form;
    let (title, items): (&str, Vec<(String, bool)>) = match f.focus {
        Field::Service => (
            "intake.services",
            cat.find_services(&f.service_filter.text())
                .iter()
                .map(|s| {
                    // Who answers for this service in the district chosen so far.
                    let dept = match f.district.as_deref().and_then(|d| cat.district(d)) {
                        Some(d) => w.department(cat, &cat.default_department(s, d)),
                        None if s.department == crate::domain::catalog::DISTRICT_OFFICE => {
                            w.t("intake.district-office").to_owned()
                        }
                        None => w.department(cat, &s.department),
                    };
                    let text = format!(
                        "{} · {} · {} · {}",
                        w.name(&s.name_fa, &s.name_en),
                        w.fill(
                            "intake.deadline-hours",
                            &[("hours", &w.n(s.deadline_hours))]
                        ),
                        dept,
                        w.code("category", s.category.as_str())
                    );
                    (text, f.service.as_deref() == Some(s.code.as_str()))
                })
                .collect(),
        ),
        Field::District => (
            "intake.districts",
            cat.find_districts(&f.district_filter.text())
                .iter()
                .map(|d| {
                    let text = format!(
                        "{} · {} · {}",
                        w.n(&d.code),
                        w.names(&d.name_fa, &d.name_en),
                        d.neighborhoods.join("، ")
                    );
                    (text, f.district.as_deref() == Some(d.code.as_str()))
                })
                .collect(),
        ),
        _ => (
            "intake.departments",
            department_choices(cat, &f.department_filter.text())
                .iter()
                .map(|d| match d {
                    None => (
                        w.t("intake.unreferred").to_owned(),
                        f.referral == Referral::Unreferred,
                    ),
                    Some(d) => (
                        format!("{} · {}", d.code, w.names(&d.name_fa, &d.name_en)),
                        f.department(cat).as_deref() == Some(d.code.as_str()),
                    ),
                })
                .collect(),
        ),
    };
    let inner = titled(
        app,
        frame,
        area,
        &format!(" {} ({}) ", w.t(title), w.n(items.len())),
    );
    if items.is_empty() {
        text::rows(
            frame,
            inner,
            app.cx.flow,
            &[Row::line(w.t("intake.no-match"), theme::warn())],
        );
        return;
    }
    let height = inner.height as usize;
    let cursor = f.cursor.min(items.len() - 1);
    let start = cursor.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Row> = items
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, (text, chosen))| {
            let style = if i == cursor {
                theme::selected()
            } else {
                Style::new()
            };
            let mark = if *chosen { "✓" } else { "" };
            Row::new()
                .style(style)
                .cell(mark, 2, Style::new())
                .fill(text, Style::new())
        })
        .collect();
    text::rows(frame, inner, app.cx.flow, &lines);
}

/// The call just saved: its code large, to read to the caller, and its deadline.
fn saved(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let Some(s) = &app.intake.saved else { return };
    let title = if s.attached {
        w.t("intake.attached")
    } else {
        w.t("intake.saved")
    };
    let inner = titled(app, frame, area, &format!(" {title} "));
    let mut lines = Vec::new();
    if inner.height >= 7 && inner.width >= 40 {
        // Digits drawn as art read left to right in any layout.
        for r in big_digits(&s.code.to_string()) {
            lines.push(Row::new().gap(1).text(r, theme::title()).ltr());
        }
    }
    lines.push(
        Row::new()
            .gap(1)
            .text(s.code.spoken(), theme::title())
            .ltr(),
    );
    lines.push(Row::new().gap(1).fill(
        w.fill("intake.due", &[("when", &w.time(s.due))]),
        Style::new(),
    ));
    let referred = match &s.department {
        Some(d) => w.fill(
            "intake.referred-to",
            &[("department", &w.department(&app.cx.catalog, d))],
        ),
        None if s.attached => String::new(),
        None => w.t("intake.not-referred").to_owned(),
    };
    lines.push(Row::new().gap(1).fill(referred, Style::new()));
    text::rows(frame, inner, app.cx.flow, &lines);
}

/// What the keys of this form do that is easy to miss.
fn hints(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let inner = titled(app, frame, area, &format!(" {} ", w.t("intake.tips")));
    let lines: Vec<Row> = w
        .t("intake.tips-text")
        .lines()
        .map(|l| Row::line(l, theme::dim()))
        .collect();
    text::rows(frame, inner, app.cx.flow, &lines);
}

/// The caller's earlier cases, and cases about the same service nearby.
fn related(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let f = &app.intake.form;
    let inner = titled(app, frame, area, &format!(" {} ", w.t("intake.related")));
    let mut lines = Vec::new();
    if let Some(c) = f.caller_case() {
        let text = w.fill(
            "intake.known-caller",
            &[
                ("name", &c.citizen_name),
                ("district", &w.district(&app.cx.catalog, &c.district)),
                ("address", &format!("{} {}", c.neighborhood, c.address)),
            ],
        );
        lines.push(Row::line(text, theme::focus()));
    }
    if f.related.is_empty() {
        lines.push(Row::line(w.t("intake.related-none"), theme::dim()));
    }
    for (i, c) in f.related.iter().enumerate() {
        let text = format!(
            "{} · {} · {} · {}",
            w.time(c.received_at),
            w.service(&app.cx.catalog, &c.service),
            w.code("status", c.status.as_str()),
            c.neighborhood
        );
        let style = if i == f.related_cursor {
            theme::selected()
        } else if c.status.is_open() {
            theme::open_case()
        } else {
            theme::dim()
        };
        lines.push(
            Row::new()
                .style(style)
                .text(format!("{} ", c.code), Style::new())
                .fill(text, Style::new()),
        );
    }
    lines.truncate(inner.height as usize);
    text::rows(frame, inner, app.cx.flow, &lines);
}
