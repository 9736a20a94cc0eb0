//! Drawing the handover screen: what the shift did (beside, when wide), the
//! lists it hands over with the highlighted case, and the supervisor's notes
//! (or the field they are being written in) with who accepted it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::text::{cell, cut, wrap};
use super::theme;
use crate::app::App;
use crate::report::format::case_line;
use crate::report::handover::{HandoverRecord, Work};
use std::fmt::Write as _;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.handover;
    let Some(h) = &s.handover else {
        frame.render_widget(
            Paragraph::new(Span::styled(w.t("queue.loading").to_owned(), theme::dim())),
            area,
        );
        return;
    };
    let notes_h = 6;
    let [head, body, notes] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(notes_h),
    ])
    .areas(area);
    let accepted = match h.record.as_ref().filter(|r| r.accepted()) {
        Some(r) => Span::styled(
            w.fill(
                "handover.accepted",
                &[
                    ("who", r.accepted_by.as_deref().unwrap_or("")),
                    (
                        "when",
                        &r.accepted_at.map(|t| w.time(t)).unwrap_or_default(),
                    ),
                ],
            ),
            theme::ok(),
        ),
        None => Span::styled(w.t("handover.not-accepted").to_owned(), theme::warn()),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(
                    w.fill(
                        "handover.screen-title",
                        &[
                            ("shift", &w.shift(&h.shift)),
                            ("from", &w.clock(h.start)),
                            ("to", &w.clock(h.end)),
                        ],
                    ),
                    theme::title(),
                ),
                Span::raw("  "),
                accepted,
            ]),
            Line::from(Span::styled(
                w.t(if s.notes.is_some() {
                    "handover.editing-hint"
                } else if h.record.as_ref().is_some_and(HandoverRecord::accepted)
                    || app.cx.me().map(|o| o.role) != Some(crate::domain::roles::Role::Supervisor)
                {
                    "handover.read-hint"
                } else {
                    "handover.notes-hint"
                })
                .to_owned(),
                theme::dim(),
            )),
        ]),
        head,
    );
    let wide = body.width >= 110;
    let [did_area, lists_area]: [Rect; 2] = if wide {
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(body)
    } else {
        Layout::vertical([Constraint::Length(6), Constraint::Min(3)]).areas(body)
    };
    did(app, frame, did_area, wide);
    lists(app, frame, lists_area);
    notes_pane(app, frame, notes);
}

fn work(app: &App, name: &str, k: &Work) -> String {
    let w = &app.cx.words;
    w.fill(
        "handover.work-short",
        &[
            ("who", name),
            ("contacts", &k.contacts.to_string()),
            ("referred", &k.referred.to_string()),
            ("resolved", &k.resolved.to_string()),
            ("closed", &k.closed.to_string()),
            ("feedback", &k.feedback_calls.to_string()),
            ("escalations", &k.escalations.to_string()),
        ],
    )
}

/// What each person did, as a table (the whole shift last).
fn per_person<'a>(
    app: &App,
    by_operator: &std::collections::BTreeMap<String, Work>,
    all: &Work,
) -> Vec<Line<'a>> {
    const COLS: [&str; 6] = [
        "contacts",
        "referred",
        "answered",
        "closed",
        "feedback",
        "escalated",
    ];
    let w = &app.cx.words;
    let heads: Vec<String> = COLS
        .iter()
        .map(|c| w.t(&format!("handover.col.{c}")).to_owned())
        .collect();
    let widths: Vec<usize> = heads.iter().map(|h| crate::text::width(h).max(3)).collect();
    let name_w = by_operator
        .keys()
        .map(|n| crate::text::width(&w.person(n)))
        .chain(["handover.everyone", "handover.per-operator"].map(|k| crate::text::width(w.t(k))))
        .max()
        .unwrap_or(8)
        .min(16);
    let row = |name: &str, values: [u64; 6]| {
        let mut s = cell(name, name_w);
        for (v, width) in values.iter().zip(&widths) {
            let _ = write!(s, " {v:>width$}");
        }
        s
    };
    let values = |k: &Work| {
        [
            k.contacts,
            k.referred,
            k.resolved,
            k.closed,
            k.feedback_calls,
            k.escalations,
        ]
    };
    let mut head = cell(w.t("handover.per-operator"), name_w);
    for (h, width) in heads.iter().zip(&widths) {
        head.push(' ');
        head.push_str(&" ".repeat(width - crate::text::width(h)));
        head.push_str(h);
    }
    let mut lines = vec![Line::from(Span::styled(head, theme::header()))];
    for (name, k) in by_operator {
        lines.push(Line::from(row(&w.person(name), values(k))));
    }
    lines.push(Line::from(Span::styled(
        row(w.t("handover.everyone"), values(all)),
        theme::title(),
    )));
    lines
}

fn did(app: &App, frame: &mut Frame, area: Rect, wide: bool) {
    let w = &app.cx.words;
    let Some(h) = &app.handover.handover else {
        return;
    };
    let a = &h.activity;
    let mut lines = vec![
        Line::from(Span::styled(w.t("handover.did").to_owned(), theme::title())),
        Line::from(w.fill(
            "handover.contacts",
            &[
                ("n", &a.all.contacts.to_string()),
                ("new", &a.registered.to_string()),
                ("attached", &a.attached.to_string()),
            ],
        )),
    ];
    let channels: Vec<String> = a
        .contacts_by_channel
        .iter()
        .map(|(c, n)| format!("{} {n}", w.code("channel", c.as_str())))
        .collect();
    lines.push(Line::from(format!(
        "{}: {}",
        w.t("handover.by-channel"),
        channels.join(", ")
    )));
    if wide {
        let areas: Vec<String> = a
            .contacts_by_category
            .iter()
            .map(|(c, n)| format!("{} {n}", w.code("category", c.as_str())))
            .collect();
        lines.push(Line::from(format!(
            "{}: {}",
            w.t("handover.by-category"),
            areas.join(", ")
        )));
        let feedback: Vec<String> = a
            .feedback
            .iter()
            .map(|(f, n)| format!("{} {n}", w.code("feedback", f.as_str())))
            .collect();
        lines.push(Line::from(format!(
            "{}: {}",
            w.t("handover.feedback"),
            feedback.join(", ")
        )));
        lines.push(Line::from(""));
        lines.extend(per_person(app, &a.by_operator, &a.all));
    } else {
        lines.push(Line::from(work(app, w.t("handover.everyone"), &a.all)));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn lists(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.handover;
    let Some(h) = &s.handover else { return };
    let width = area.width as usize;
    // Every list's name and size, one line each, the one on view marked;
    // under them that list's cases, the selection kept in view. When short
    // of room, only the list on view is named (Tab goes on to the next).
    let all_named = area.height as usize >= h.lists.len() + 4;
    let mut lines: Vec<Line> = h
        .lists
        .iter()
        .enumerate()
        .filter(|(i, _)| all_named || *i == s.list)
        .map(|(i, l)| {
            let on = i == s.list;
            let name = w.fill(
                &format!("handover.list.{}", l.kind.key()),
                &[("n", &l.total.to_string())],
            );
            let (mark, style) = if on {
                ("▸ ", theme::title())
            } else if l.total == 0 {
                ("  ", theme::dim())
            } else {
                ("  ", Style::new())
            };
            Line::from(Span::styled(cut(&format!("{mark}{name}"), width), style))
        })
        .collect();
    if all_named {
        lines.push(Line::from(""));
    }
    let Some(l) = h.lists.get(s.list) else {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let room = (area.height as usize)
        .saturating_sub(lines.len() + 1)
        .max(1);
    let start = (s.selected + 1).saturating_sub(room);
    for (i, c) in l.cases.iter().enumerate().skip(start).take(room) {
        let style = if i == s.selected {
            theme::selected()
        } else {
            Style::new()
        };
        let text = case_line(w, &app.cx.catalog, c, app.cx.now);
        lines.push(Line::from(Span::styled(
            cut(&format!(" {text}"), width),
            style,
        )));
    }
    let more = l.total.saturating_sub(l.cases.len() as u64);
    if l.total == 0 {
        lines.push(Line::from(Span::styled(
            format!(" {}", w.t("handover.empty")),
            theme::dim(),
        )));
    } else if more > 0 && start + room >= l.cases.len() {
        lines.push(Line::from(Span::styled(
            format!(" {}", w.fill("handover.more", &[("n", &more.to_string())])),
            theme::dim(),
        )));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn notes_pane(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.handover;
    let record = s.handover.as_ref().and_then(|h| h.record.as_ref());
    let title = match record.and_then(|r| r.noted_by.as_deref().zip(r.noted_at)) {
        Some((who, at)) => format!(
            " {} · {} ",
            w.t("handover.notes"),
            w.fill("handover.noted", &[("who", who), ("when", &w.time(at))])
        ),
        None => format!(" {} ", w.t("handover.notes")),
    };
    let block = Block::new().borders(Borders::TOP).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (text, style) = match (&s.notes, record) {
        (Some(field), _) => (field.text(), theme::focus()),
        (None, Some(r)) if !r.notes.trim().is_empty() => (r.notes.clone(), Style::new()),
        _ => (w.t("handover.no-notes").to_owned(), theme::dim()),
    };
    // Wrapped to the pane, one cell kept for the cursor; a new line just
    // begun is a line too.
    let mut rows = wrap(&text, (inner.width as usize).saturating_sub(1));
    if text.ends_with('\n') {
        rows.push(String::new());
    }
    let last = rows.last().cloned().unwrap_or_default();
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect();
    // While writing, the last lines stay in view with the cursor after them.
    let skip = lines.len().saturating_sub(inner.height as usize);
    let shown = lines.len() - skip;
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()),
        inner,
    );
    if s.notes.is_some() {
        let x = inner.x + crate::text::width(&last) as u16;
        let y = inner.y + shown.saturating_sub(1) as u16;
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
}
