//! Drawing the intake screen: the form, and beside it (below it when narrow)
//! the list the field in focus narrows (services, districts, departments),
//! the code of the call just saved, and the caller's earlier cases, which
//! stay in view while the service is picked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::modal::big_digits;
use super::text::{cell, cut, span};
use super::theme;
use crate::app::App;
use crate::app::intake::{Field, Referral, department_choices};
use crate::domain::case::{Channel, Kind, Priority};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 100;
    let rows = Field::ORDER.len() as u16 + if wide { 3 } else { 1 };
    let (form_area, picker_area, related_area) = if wide {
        let [form, side] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(side);
        (form, top, bottom)
    } else {
        let [form, below] =
            Layout::vertical([Constraint::Length(rows), Constraint::Min(3)]).areas(area);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(below);
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
                .map_or(code.clone(), |s| format!("{} · {}", s.name_en, s.name_fa)),
            _ => f.service_filter.text(),
        },
        Field::District => match &f.district {
            Some(code) if !focused || f.district_filter.is_empty() => {
                cat.district(code).map_or(code.clone(), |d| {
                    format!("{} · {} · {}", d.code, d.name_en, d.name_fa)
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
    let f = &app.intake.form;
    let label_w = 13;
    let value_w = area.width.saturating_sub(label_w as u16 + 1) as usize;
    let mut lines = vec![Line::from(Span::styled(
        w.t("intake.title").to_owned(),
        theme::title(),
    ))];
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
        for (i, v) in value_lines.iter().enumerate() {
            let label = if i == 0 {
                cell(w.t(&format!("intake.{}", field.name())), label_w)
            } else {
                " ".repeat(label_w)
            };
            let mut spans = vec![
                Span::styled(format!("{label} "), label_style),
                span(&cut(v, value_w), Style::new()),
            ];
            if i == 0
                && let Some(err) = &error
            {
                spans.push(Span::styled(
                    format!("  ← {}", cut(err, 60)),
                    theme::error(),
                ));
            }
            lines.push(Line::from(spans));
        }
        if focused && !field.is_choice() {
            let row = area.y + lines.len() as u16 - 1;
            let tf = match field {
                Field::Phone => Some(&f.phone),
                Field::Name => Some(&f.name),
                Field::Service => Some(&f.service_filter),
                Field::District => Some(&f.district_filter),
                Field::Neighborhood => Some(&f.neighborhood),
                Field::Address => Some(&f.address),
                Field::Department => Some(&f.department_filter),
                _ => None,
            };
            let upto = match tf {
                Some(t) => t.text().chars().take(t.cursor()).collect::<String>(),
                None => value_lines
                    .last()
                    .map(|s| (*s).to_owned())
                    .unwrap_or_default(),
            };
            let x = area.x + label_w as u16 + 1 + crate::text::width(&upto) as u16;
            cursor = Some((x.min(area.right().saturating_sub(1)), row));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
    if let Some(c) = cursor {
        frame.set_cursor_position(c);
    }
}

fn titled(frame: &mut Frame, area: Rect, title: String) -> Rect {
    let block = Block::new().borders(Borders::TOP).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
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
                        s.name_en,
                        w.fill(
                            "intake.deadline-hours",
                            &[("hours", &s.deadline_hours.to_string())]
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
                        "{} · {} · {} · {}",
                        d.code,
                        d.name_en,
                        d.name_fa,
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
                        format!("{} · {} · {}", d.code, d.name_en, d.name_fa),
                        f.department(cat).as_deref() == Some(d.code.as_str()),
                    ),
                })
                .collect(),
        ),
    };
    let inner = titled(frame, area, format!(" {} ({}) ", w.t(title), items.len()));
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                w.t("intake.no-match").to_owned(),
                theme::warn(),
            )),
            inner,
        );
        return;
    }
    let (width, height) = (inner.width as usize, inner.height as usize);
    let cursor = f.cursor.min(items.len() - 1);
    let start = cursor.saturating_sub(height.saturating_sub(1));
    let lines: Vec<Line> = items
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
            let mark = if *chosen { "✓ " } else { "  " };
            Line::from(Span::styled(cell(&format!("{mark}{text}"), width), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
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
    let inner = titled(frame, area, format!(" {title} "));
    let mut lines = Vec::new();
    if inner.height >= 7 && inner.width >= 40 {
        for r in big_digits(&s.code.to_string()) {
            lines.push(Line::from(Span::styled(format!(" {r}"), theme::title())));
        }
    }
    lines.push(Line::from(Span::styled(
        format!(" {}", s.code.spoken()),
        theme::title(),
    )));
    lines.push(Line::from(format!(
        " {}",
        w.fill("intake.due", &[("when", &w.time(s.due))])
    )));
    let referred = match &s.department {
        Some(d) => w.fill(
            "intake.referred-to",
            &[("department", &w.department(&app.cx.catalog, d))],
        ),
        None if s.attached => String::new(),
        None => w.t("intake.not-referred").to_owned(),
    };
    lines.push(Line::from(format!(" {referred}")));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What the keys of this form do that is easy to miss.
fn hints(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let inner = titled(frame, area, format!(" {} ", w.t("intake.tips")));
    let text = w.t("intake.tips-text");
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line::from(Span::styled(cut(l, inner.width as usize), theme::dim())))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The caller's earlier cases, and cases about the same service nearby.
fn related(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let f = &app.intake.form;
    let inner = titled(frame, area, format!(" {} ", w.t("intake.related")));
    let width = inner.width as usize;
    let mut lines = Vec::new();
    if let Some(c) = f.caller_case() {
        let district = app
            .cx
            .catalog
            .district(&c.district)
            .map_or(c.district.clone(), |d| d.name_en.clone());
        let text = w.fill(
            "intake.known-caller",
            &[
                ("name", &c.citizen_name),
                ("district", &district),
                ("address", &format!("{} {}", c.neighborhood, c.address)),
            ],
        );
        lines.push(Line::from(Span::styled(cut(&text, width), theme::focus())));
    }
    if f.related.is_empty() {
        lines.push(Line::from(Span::styled(
            w.t("intake.related-none").to_owned(),
            theme::dim(),
        )));
    }
    for (i, c) in f.related.iter().enumerate() {
        let text = format!(
            "{} {} · {} · {} · {}",
            c.code,
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
        lines.push(Line::from(Span::styled(cell(&text, width), style)));
    }
    lines.truncate(inner.height as usize);
    frame.render_widget(Paragraph::new(lines), inner);
}
