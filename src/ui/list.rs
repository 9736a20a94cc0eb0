//! Drawing the lists: a queue (each row says why the case is there) or the
//! search results (name, status, address), the search box, the filter line,
//! and where the selection is ("row x of n"). Columns grow with the screen;
//! in a right-to-left layout they read from the right.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;

use super::text::{self, Row, caret_x, cut, tail};
use super::{deadline, theme};
use crate::app::App;
use crate::app::field::TextField;
use crate::app::list::{FILTER_FIELDS, Showing};
use crate::domain::case::{Case, Feedback, Priority, Status};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let l = &app.list;
    let flow = app.cx.flow;
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
    text::rows(frame, info, flow, &[position(app)]);
    if matches!(l.showing, Showing::Search | Showing::Group) {
        search_rows(app, frame, rows);
    } else {
        queue_rows(app, frame, rows);
    }
}

/// Which list, "row x of n", and the hint when it is empty.
fn position(app: &App) -> Row {
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
                ("row", &w.n(u64::from(l.offset) + l.selected as u64 + 1)),
                ("of", &w.n(l.total)),
            ],
        )
    };
    if l.filtered() {
        where_.push_str(w.t("queue.filtered"));
    }
    if l.showing == Showing::Search && l.rows.len() >= crate::app::list::SEARCH_LIMIT {
        where_.push_str(&w.fill(
            "search.first",
            &[("n", &w.n(crate::app::list::SEARCH_LIMIT))],
        ));
    }
    Row::new()
        .text(format!("{} ", cut(&name, 50)), theme::title())
        .fill(where_, theme::dim())
}

/// A label and a text field after it, the caret in the field when `focused`.
/// Returns the row; sets the caret on the frame.
fn field_row(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    (label, label_style): (&str, Style),
    f: &TextField,
    hint: Option<&str>,
    focused: bool,
) -> Row {
    let flow = app.cx.flow;
    let label = format!("{label}: ");
    let room = (area.width as usize)
        .saturating_sub(text::Row::new().text(&label, Style::new()).natural_width());
    let (shown, dropped) = tail(&f.text(), room.saturating_sub(1));
    let row = match hint {
        Some(h) => Row::new().text(&label, label_style).fill(h, theme::dim()),
        None => Row::new()
            .text(&label, label_style)
            .fill(&shown, Style::new()),
    };
    if focused {
        let (x, width) = row.span_of(1, area.x, area.width, flow);
        let cursor = f.cursor().saturating_sub(dropped);
        let x = if hint.is_some() {
            if flow.rtl { x + width } else { x }
        } else {
            caret_x(&shown, cursor, x, width, flow)
        };
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }
    row
}

fn search_box(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let l = &app.list;
    let style = if l.searching {
        theme::focus()
    } else {
        theme::label()
    };
    let hint = (l.searching && l.search.is_empty()).then(|| w.t("search.hint"));
    let row = field_row(
        app,
        frame,
        area,
        (w.t("search.title"), style),
        &l.search,
        hint,
        l.searching,
    );
    text::rows(frame, area, app.cx.flow, &[row]);
}

fn filter_line(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let l = &app.list;
    let mut row = Row::new().text(format!("{}: ", w.t("filter.title")), theme::label());
    if l.filter_line.open {
        let mut caret = None;
        for (i, (name, f)) in FILTER_FIELDS.iter().zip(&l.filter_line.fields).enumerate() {
            let focused = i == l.filter_line.focus;
            let label = format!("{} ", w.t(&format!("filter.{name}")));
            row = row.text(
                label,
                if focused {
                    theme::focus()
                } else {
                    theme::label()
                },
            );
            if focused {
                caret = Some((row.parts_len(), f));
            }
            row = row.cell(f.text(), 14, theme::field()).gap(2);
        }
        row = row.fill(w.t("filter.open-hint"), theme::dim());
        if let Some((index, f)) = caret {
            let (x, width) = row.span_of(index, area.x, area.width, flow);
            let x = caret_x(&f.text(), f.cursor(), x, width, flow);
            frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
        }
    } else {
        let cat = &app.cx.catalog;
        let f = &l.filter;
        let mut parts = Vec::new();
        if let Some(d) = &f.department {
            parts.push(w.department(cat, d));
        }
        if let Some(d) = &f.district {
            parts.push(w.district(cat, d));
        }
        if let Some(s) = &f.service {
            parts.push(w.service(cat, s));
        }
        row = row
            .text(cut(&parts.join(" · "), 60), Style::new())
            .fill(format!("  {}", w.t("filter.hint")), theme::dim());
    }
    text::rows(frame, area, flow, &[row]);
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
    let span = |d| w.span_short(d);
    let late = |since| w.fill("why.overdue", &[("time", &span(now - since))]);
    match queue {
        1 if c.due_at < now => (late(c.due_at), theme::late()),
        1 => (
            w.fill("why.unreferred", &[("time", &span(c.due_at - now))]),
            deadline(app, c, now).1,
        ),
        2 => (late(c.due_at), theme::late()),
        3 => (
            w.fill("why.due-soon", &[("time", &span(c.due_at - now))]),
            theme::warn(),
        ),
        4 => (
            w.fill(
                "why.feedback",
                &[("time", &span(now - c.resolved_at.unwrap_or(c.status_since)))],
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
                w.fill("why.dissatisfied", &[("time", &span(now - since))])
            } else if c.status == Status::FollowUp {
                w.fill("why.escalated", &[("time", &span(now - since))])
            } else {
                w.fill("why.long-overdue", &[("time", &span(now - c.due_at))])
            };
            (text, theme::warn())
        }
        _ => deadline(app, c, now),
    }
}

fn head(app: &App, cols: &Columns) -> Row {
    let w = &app.cx.words;
    let s = theme::title();
    let mut row = Row::new()
        .cell(w.t("queue.code"), 9, s)
        .gap(1)
        .cell(w.t("queue.age"), 7, s)
        .gap(1)
        .cell(w.t("queue.service"), cols.service, s)
        .gap(1)
        .cell(w.t("queue.department"), cols.department, s)
        .gap(1)
        .cell(
            w.t(if cols.district > 4 {
                "queue.district"
            } else {
                "queue.dist"
            }),
            cols.district,
            s,
        )
        .gap(1);
    if cols.address > 0 {
        row = row.cell(w.t("queue.address"), cols.address, s).gap(1);
    }
    row.fill(w.t("queue.why"), s)
}

fn empty_line(app: &App, empty_key: &str) -> Row {
    let w = &app.cx.words;
    Row::line(
        if app.list.loaded {
            w.t(empty_key)
        } else {
            w.t("queue.loading")
        },
        theme::dim(),
    )
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
        let selected = i == l.selected;
        let district = if cols.district > 4 {
            w.district(cat, &c.district)
        } else {
            w.n(&c.district)
        };
        let mut row = Row::new()
            .style(if selected {
                theme::selected()
            } else {
                Style::new()
            })
            .cell(c.code.to_string(), 9, Style::new())
            .gap(1)
            .cell(w.span_short(app.cx.now - c.received_at), 7, Style::new())
            .gap(1)
            .cell(w.service(cat, &c.service), cols.service, Style::new())
            .gap(1)
            .cell(
                w.department(cat, &c.department),
                cols.department,
                Style::new(),
            )
            .gap(1)
            .cell(district, cols.district, Style::new())
            .gap(1);
        if cols.address > 0 {
            row = row.cell(&c.address, cols.address, Style::new()).gap(1);
        }
        let (text, style) = why(app, c, queue);
        let urgent = if c.priority == Priority::Urgent {
            "!"
        } else {
            " "
        };
        row = row
            .text(
                urgent,
                if selected {
                    Style::new()
                } else {
                    theme::late()
                },
            )
            .cell(
                text,
                cols.why.saturating_sub(1),
                if selected { Style::new() } else { style },
            );
        lines.push(row);
    }
    text::rows(frame, area, app.cx.flow, &lines);
}

/// Search results: who called, what about, where, and where the case stands.
fn search_rows(app: &App, frame: &mut Frame, area: Rect) {
    let l = &app.list;
    let w = &app.cx.words;
    let cat = &app.cx.catalog;
    let width = area.width as usize;
    let (name_w, status_w) = if width >= 110 { (22, 18) } else { (14, 12) };
    let service_w = if width >= 110 { 26 } else { 0 };
    let s = theme::title();
    let mut head = Row::new()
        .cell(w.t("queue.code"), 9, s)
        .gap(1)
        .cell(w.t("search.received"), 10, s)
        .gap(1)
        .cell(w.t("search.name"), name_w, s)
        .gap(1)
        .cell(w.t("search.status"), status_w, s)
        .gap(1);
    if service_w > 0 {
        head = head.cell(w.t("queue.service"), service_w, s).gap(1);
    }
    let mut lines = vec![head.fill(w.t("queue.address"), s)];
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
        let received = w.date_numeric(app.cx.settings.center.local(c.received_at).date());
        let mut row = Row::new()
            .style(base)
            .cell(c.code.to_string(), 9, Style::new())
            .gap(1)
            .cell(received, 10, Style::new())
            .gap(1)
            .cell(&c.citizen_name, name_w, Style::new())
            .gap(1)
            .cell(w.code("status", c.status.as_str()), status_w, Style::new())
            .gap(1);
        if service_w > 0 {
            row = row
                .cell(w.service(cat, &c.service), service_w, Style::new())
                .gap(1);
        }
        lines.push(row.fill(format!("{} {}", c.neighborhood, c.address), Style::new()));
    }
    text::rows(frame, area, app.cx.flow, &lines);
}
