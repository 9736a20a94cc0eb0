//! Drawing the lists: a queue (each row says why the case is there) or the
//! search results (name, status, address), the search box, the filter line,
//! and where the selection is ("row x of n"). Columns grow with the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cell, cut, span};
use super::{deadline, theme};
use crate::app::App;
use crate::app::list::{FILTER_FIELDS, Showing};
use crate::domain::case::{Case, Feedback, Priority, Status};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let l = &app.list;
    let top = u16::from(l.searching || l.showing == Showing::Search)
        + u16::from(l.filter_line.open || l.filtered());
    let [bar, info, rows] = Layout::vertical([
        Constraint::Length(top),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let mut y = bar.y;
    if l.searching || l.showing == Showing::Search {
        search_box(app, frame, Rect::new(bar.x, y, bar.width, 1));
        y += 1;
    }
    if l.filter_line.open || l.filtered() {
        filter_line(app, frame, Rect::new(bar.x, y, bar.width, 1));
    }
    frame.render_widget(Paragraph::new(position(app)), info);
    if matches!(l.showing, Showing::Search | Showing::Group) {
        search_rows(app, frame, rows);
    } else {
        queue_rows(app, frame, rows);
    }
}

/// Which list, "row x of n", and the hint when it is empty.
fn position(app: &App) -> Line<'static> {
    let w = &app.cx.words;
    let l = &app.list;
    let name = match l.showing {
        Showing::Queue(n) => w.t(&format!("queue.{n}")).to_owned(),
        Showing::Search => w.fill("search.results-for", &[("query", &l.searched)]),
        Showing::Group => l.group.as_ref().map_or_else(String::new, |(_, _, label)| {
            w.fill("figures.cases-of", &[("group", label)])
        }),
        Showing::Nothing => String::new(),
    };
    let mut where_ = if l.rows.is_empty() {
        String::new()
    } else {
        w.fill(
            "queue.row-of",
            &[
                (
                    "row",
                    &(u64::from(l.offset) + l.selected as u64 + 1).to_string(),
                ),
                ("of", &l.total.to_string()),
            ],
        )
    };
    if l.filtered() {
        where_.push_str(w.t("queue.filtered"));
    }
    if l.showing == Showing::Search && l.rows.len() >= crate::app::list::SEARCH_LIMIT {
        where_.push_str(&w.fill(
            "search.first",
            &[("n", &crate::app::list::SEARCH_LIMIT.to_string())],
        ));
    }
    Line::from(vec![
        Span::styled(format!("{} ", cut(&name, 50)), theme::title()),
        Span::styled(where_, theme::dim()),
    ])
}

fn search_box(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let l = &app.list;
    let label = format!("{}: ", w.t("search.title"));
    let style = if l.searching {
        theme::focus()
    } else {
        theme::label()
    };
    let hint = if l.searching && l.search.is_empty() {
        Span::styled(w.t("search.hint").to_owned(), theme::dim())
    } else {
        span(&l.search.text(), Style::new())
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![Span::styled(label.clone(), style), hint])),
        area,
    );
    if l.searching {
        let upto: String = l.search.text().chars().take(l.search.cursor()).collect();
        let x = area.x + crate::text::width(&label) as u16 + crate::text::width(&upto) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }
}

fn filter_line(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let l = &app.list;
    let mut spans = vec![Span::styled(
        format!("{}: ", w.t("filter.title")),
        theme::label(),
    )];
    if l.filter_line.open {
        let mut x = area.x + crate::text::width(&format!("{}: ", w.t("filter.title"))) as u16;
        for (i, (name, f)) in FILTER_FIELDS.iter().zip(&l.filter_line.fields).enumerate() {
            let focused = i == l.filter_line.focus;
            let label = format!("{} ", w.t(&format!("filter.{name}")));
            let value = cell(&f.text(), 14);
            if focused {
                let upto: String = f.text().chars().take(f.cursor()).collect();
                let cx = x + crate::text::width(&label) as u16 + crate::text::width(&upto) as u16;
                frame.set_cursor_position((cx.min(area.right().saturating_sub(1)), area.y));
            }
            x += (crate::text::width(&label) + crate::text::width(&value) + 2) as u16;
            spans.push(Span::styled(
                label,
                if focused {
                    theme::focus()
                } else {
                    theme::label()
                },
            ));
            spans.push(Span::styled(value, theme::field()));
            spans.push(Span::raw("  "));
        }
    } else {
        let cat = &app.cx.catalog;
        let f = &l.filter;
        let mut parts = Vec::new();
        if let Some(d) = &f.department {
            parts.push(w.department(cat, d));
        }
        if let Some(d) = &f.district {
            parts.push(cat.district(d).map_or(d.clone(), |d| d.name_en.clone()));
        }
        if let Some(s) = &f.service {
            parts.push(w.service(cat, s));
        }
        spans.push(Span::raw(cut(&parts.join(" · "), 60)));
        spans.push(Span::styled(
            format!("  {}", w.t("filter.hint")),
            theme::dim(),
        ));
    }
    if l.filter_line.open {
        spans.push(Span::styled(
            w.t("filter.open-hint").to_owned(),
            theme::dim(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Column widths for the screen's width: narrow (80), wide (≥ 110), very
/// wide (≥ 160, with the address).
struct Columns {
    service: usize,
    department: usize,
    district: usize,
    address: usize,
    why: usize,
}

fn columns(width: usize) -> Columns {
    let fixed = 10 + 8; // code, age
    if width >= 160 {
        let (service, department, district, why) = (34, 30, 14, 34);
        let address = width.saturating_sub(fixed + service + department + district + why + 5);
        Columns {
            service,
            department,
            district,
            address,
            why,
        }
    } else if width >= 110 {
        let (department, district, why) = (24, 12, 30);
        Columns {
            service: width
                .saturating_sub(fixed + department + district + why + 4)
                .clamp(12, 40),
            department,
            district,
            address: 0,
            why,
        }
    } else {
        let (department, district, why) = (12, 4, 22);
        Columns {
            service: width
                .saturating_sub(fixed + department + district + why + 4)
                .max(10),
            department,
            district,
            address: 0,
            why,
        }
    }
}

/// Why a case is in the queue on view, and its color.
fn why(app: &App, c: &Case, queue: u8) -> (String, Style) {
    let w = &app.cx.words;
    let now = app.cx.now;
    let late = |since| w.fill("why.overdue", &[("time", &w.span(now - since))]);
    match queue {
        1 if c.due_at < now => (late(c.due_at), theme::late()),
        1 => (
            w.fill("why.unreferred", &[("time", &w.span(c.due_at - now))]),
            deadline(app, c, now).1,
        ),
        2 => (late(c.due_at), theme::late()),
        3 => (
            w.fill("why.due-soon", &[("time", &w.span(c.due_at - now))]),
            theme::warn(),
        ),
        4 => (
            w.fill(
                "why.feedback",
                &[(
                    "time",
                    &w.span(now - c.resolved_at.unwrap_or(c.status_since)),
                )],
            ),
            Style::new(),
        ),
        5 => {
            let since = c
                .call_back_at
                .map_or(c.status_since, |t| t.max(c.status_since));
            let text = if c.call_back_at.is_some_and(|t| t <= now) {
                w.t("why.call-back").to_owned()
            } else if c.status == Status::FollowUp && c.feedback == Some(Feedback::Dissatisfied) {
                w.fill("why.dissatisfied", &[("time", &w.span(now - since))])
            } else if c.status == Status::FollowUp {
                w.fill("why.escalated", &[("time", &w.span(now - since))])
            } else {
                w.fill("why.long-overdue", &[("time", &w.span(now - c.due_at))])
            };
            (text, theme::warn())
        }
        _ => deadline(app, c, now),
    }
}

fn head(app: &App, cols: &Columns) -> Line<'static> {
    let w = &app.cx.words;
    let mut text = format!(
        "{} {} {} {} {} ",
        cell(w.t("queue.code"), 9),
        cell(w.t("queue.age"), 7),
        cell(w.t("queue.service"), cols.service),
        cell(w.t("queue.department"), cols.department),
        cell(
            w.t(if cols.district > 4 {
                "queue.district"
            } else {
                "queue.dist"
            }),
            cols.district
        ),
    );
    if cols.address > 0 {
        text.push_str(&cell(w.t("queue.address"), cols.address));
        text.push(' ');
    }
    text.push_str(w.t("queue.why"));
    Line::from(Span::styled(text, theme::title()))
}

fn empty_line(app: &App, empty_key: &str) -> Line<'static> {
    let w = &app.cx.words;
    Line::from(Span::styled(
        if app.list.loaded {
            w.t(empty_key).to_owned()
        } else {
            w.t("queue.loading").to_owned()
        },
        theme::dim(),
    ))
}

/// The rows that fit in `height`, keeping the selection on screen.
fn window(rows: &[Case], selected: usize, height: usize) -> impl Iterator<Item = (usize, &Case)> {
    let start = selected.saturating_sub(height.saturating_sub(1));
    rows.iter().enumerate().skip(start).take(height)
}

fn queue_rows(app: &App, frame: &mut Frame, area: Rect) {
    let l = &app.list;
    let w = &app.cx.words;
    let cat = &app.cx.catalog;
    let cols = columns(area.width as usize);
    let queue = match l.showing {
        Showing::Queue(n) => n,
        _ => 0,
    };
    let mut lines = vec![head(app, &cols)];
    if l.rows.is_empty() {
        lines.push(empty_line(app, "queue.empty"));
    }
    for (i, c) in window(&l.rows, l.selected, area.height.saturating_sub(1) as usize) {
        let base = if i == l.selected {
            theme::selected()
        } else {
            Style::new()
        };
        let district = if cols.district > 4 {
            cat.district(&c.district)
                .map_or(c.district.clone(), |d| d.name_en.clone())
        } else {
            c.district.clone()
        };
        let mut spans = vec![
            Span::styled(format!("{} ", c.code), base),
            Span::styled(
                format!("{} ", cell(&w.span(app.cx.now - c.received_at), 7)),
                base,
            ),
            Span::styled(
                format!("{} ", cell(&w.service(cat, &c.service), cols.service)),
                base,
            ),
            Span::styled(
                format!(
                    "{} ",
                    cell(&w.department(cat, &c.department), cols.department)
                ),
                base,
            ),
            Span::styled(format!("{} ", cell(&district, cols.district)), base),
        ];
        if cols.address > 0 {
            spans.push(Span::styled(
                format!("{} ", cell(&c.address, cols.address)),
                base,
            ));
        }
        let (text, style) = why(app, c, queue);
        let urgent = if c.priority == Priority::Urgent {
            "!"
        } else {
            " "
        };
        spans.push(Span::styled(
            cut(&format!("{urgent}{text}"), cols.why),
            if i == l.selected { base } else { style },
        ));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Search results: who called, what about, where, and where the case stands.
fn search_rows(app: &App, frame: &mut Frame, area: Rect) {
    let l = &app.list;
    let w = &app.cx.words;
    let cat = &app.cx.catalog;
    let width = area.width as usize;
    let (name_w, status_w) = if width >= 110 { (22, 18) } else { (14, 12) };
    let service_w = if width >= 110 { 26 } else { 0 };
    let address_w = width.saturating_sub(10 + 11 + name_w + status_w + service_w + 5);
    let mut head = format!(
        "{} {} {} {} ",
        cell(w.t("queue.code"), 9),
        cell(w.t("search.received"), 10),
        cell(w.t("search.name"), name_w),
        cell(w.t("search.status"), status_w),
    );
    if service_w > 0 {
        head.push_str(&cell(w.t("queue.service"), service_w));
        head.push(' ');
    }
    head.push_str(w.t("queue.address"));
    let mut lines = vec![Line::from(Span::styled(head, theme::title()))];
    if l.rows.is_empty() && !l.searched.is_empty() {
        lines.push(empty_line(app, "search.empty"));
    }
    for (i, c) in window(&l.rows, l.selected, area.height.saturating_sub(1) as usize) {
        let base = if i == l.selected {
            theme::selected()
        } else if c.status.is_open() {
            Style::new()
        } else {
            theme::dim()
        };
        let received = app
            .cx
            .settings
            .center
            .local(c.received_at)
            .format("%Y-%m-%d");
        let mut text = format!(
            "{} {} {} {} ",
            c.code,
            cell(&received.to_string(), 10),
            cell(&c.citizen_name, name_w),
            cell(&w.code("status", c.status.as_str()), status_w),
        );
        if service_w > 0 {
            text.push_str(&cell(&w.service(cat, &c.service), service_w));
            text.push(' ');
        }
        text.push_str(&cell(
            &format!("{} {}", c.neighborhood, c.address),
            address_w,
        ));
        lines.push(Line::from(Span::styled(text, base)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
