//! Drawing the handover screen: what the shift did (beside, when wide), the
//! lists it hands over with the highlighted case, and the supervisor's notes
//! (or the field they are being written in) with who accepted it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::Borders;

use super::text::{self, Row, wrap};
use super::theme;
use crate::app::App;
use crate::report::format::case_line;
use crate::report::handover::{HandoverRecord, Work};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.handover;
    let flow = app.cx.flow;
    let Some(h) = &s.handover else {
        text::rows(
            frame,
            area,
            flow,
            &[Row::line(w.t("queue.loading"), theme::dim())],
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
        Some(r) => (
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
        None => (w.t("handover.not-accepted").to_owned(), theme::warn()),
    };
    text::rows(
        frame,
        head,
        flow,
        &[
            Row::new()
                .text(
                    w.fill(
                        "handover.screen-title",
                        &[
                            ("shift", &w.shift(&h.shift)),
                            ("from", &w.clock(h.start)),
                            ("to", &w.clock(h.end)),
                        ],
                    ),
                    theme::title(),
                )
                .gap(2)
                .fill(accepted.0, accepted.1),
            Row::line(
                w.t(if s.notes.is_some() {
                    "handover.editing-hint"
                } else if h.record.as_ref().is_some_and(HandoverRecord::accepted)
                    || app.cx.me().map(|o| o.role) != Some(crate::domain::roles::Role::Supervisor)
                {
                    "handover.read-hint"
                } else {
                    "handover.notes-hint"
                }),
                theme::dim(),
            ),
        ],
    );
    let wide = body.width >= 110;
    let [did_area, lists_area]: [Rect; 2] = if wide {
        text::split_h(
            body,
            flow,
            [Constraint::Percentage(42), Constraint::Percentage(58)],
        )
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
            ("contacts", &w.n(k.contacts)),
            ("referred", &w.n(k.referred)),
            ("resolved", &w.n(k.resolved)),
            ("closed", &w.n(k.closed)),
            ("feedback", &w.n(k.feedback_calls)),
            ("escalations", &w.n(k.escalations)),
        ],
    )
}

/// What each person did, as a table (the whole shift last).
fn per_person(
    app: &App,
    by_operator: &std::collections::BTreeMap<String, Work>,
    all: &Work,
) -> Vec<Row> {
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
    let widths: Vec<usize> = heads.iter().map(|h| crate::bidi::cells(h).max(3)).collect();
    let name_w = by_operator
        .keys()
        .map(|n| crate::bidi::cells(&w.person(n)))
        .chain(["handover.everyone", "handover.per-operator"].map(|k| crate::bidi::cells(w.t(k))))
        .max()
        .unwrap_or(8)
        .min(16);
    let row = |name: &str, values: [u64; 6], style: Style| {
        let mut r = Row::new().style(style).cell(name, name_w, Style::new());
        for (v, width) in values.iter().zip(&widths) {
            r = r.gap(1).num(w.n(v), *width, Style::new());
        }
        r
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
    let mut head =
        Row::new()
            .style(theme::header())
            .cell(w.t("handover.per-operator"), name_w, Style::new());
    for (h, width) in heads.iter().zip(&widths) {
        head = head.gap(1).num(h, *width, Style::new());
    }
    let mut lines = vec![head];
    for (name, k) in by_operator {
        lines.push(row(&w.person(name), values(k), Style::new()));
    }
    lines.push(row(w.t("handover.everyone"), values(all), theme::title()));
    lines
}

fn did(app: &App, frame: &mut Frame, area: Rect, wide: bool) {
    let w = &app.cx.words;
    let Some(h) = &app.handover.handover else {
        return;
    };
    let width = area.width as usize;
    let a = &h.activity;
    let mut lines = vec![Row::line(w.t("handover.did"), theme::title())];
    let mut para = |text: String| {
        for l in wrap(&text, width) {
            lines.push(Row::line(l, Style::new()));
        }
    };
    para(w.fill(
        "handover.contacts",
        &[
            ("n", &w.n(a.all.contacts)),
            ("new", &w.n(a.registered)),
            ("attached", &w.n(a.attached)),
        ],
    ));
    let channels: Vec<String> = a
        .contacts_by_channel
        .iter()
        .map(|(c, n)| format!("{} {}", w.code("channel", c.as_str()), w.n(n)))
        .collect();
    para(format!(
        "{}: {}",
        w.t("handover.by-channel"),
        channels.join(w.t("list.and"))
    ));
    if wide {
        let areas: Vec<String> = a
            .contacts_by_category
            .iter()
            .map(|(c, n)| format!("{} {}", w.code("category", c.as_str()), w.n(n)))
            .collect();
        para(format!(
            "{}: {}",
            w.t("handover.by-category"),
            areas.join(w.t("list.and"))
        ));
        let feedback: Vec<String> = a
            .feedback
            .iter()
            .map(|(f, n)| format!("{} {}", w.code("feedback", f.as_str()), w.n(n)))
            .collect();
        para(format!(
            "{}: {}",
            w.t("handover.feedback"),
            feedback.join(w.t("list.and"))
        ));
        lines.push(Row::new());
        lines.extend(per_person(app, &a.by_operator, &a.all));
    } else {
        para(work(app, w.t("handover.everyone"), &a.all));
    }
    text::rows(frame, area, app.cx.flow, &lines);
}

fn lists(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.handover;
    let Some(h) = &s.handover else { return };
    // Every list's name and size, one line each, the one on view marked;
    // under them that list's cases, the selection kept in view. When short
    // of room, only the list on view is named (Tab goes on to the next).
    let all_named = area.height as usize >= h.lists.len() + 4;
    let mark_on = if app.cx.flow.rtl { "◂" } else { "▸" };
    let mut lines: Vec<Row> = h
        .lists
        .iter()
        .enumerate()
        .filter(|(i, _)| all_named || *i == s.list)
        .map(|(i, l)| {
            let on = i == s.list;
            let name = w.fill(
                &format!("handover.list.{}", l.kind.key()),
                &[("n", &w.n(l.total))],
            );
            let (mark, style) = if on {
                (mark_on, theme::title())
            } else if l.total == 0 {
                ("", theme::dim())
            } else {
                ("", Style::new())
            };
            Row::new().cell(mark, 2, style).fill(name, style)
        })
        .collect();
    if all_named {
        lines.push(Row::new());
    }
    let Some(l) = h.lists.get(s.list) else {
        text::rows(frame, area, app.cx.flow, &lines);
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
        lines.push(Row::new().style(style).gap(1).fill(text, Style::new()));
    }
    let more = l.total.saturating_sub(l.cases.len() as u64);
    if l.total == 0 {
        lines.push(Row::new().gap(1).fill(w.t("handover.empty"), theme::dim()));
    } else if more > 0 && start + room >= l.cases.len() {
        lines.push(
            Row::new()
                .gap(1)
                .fill(w.fill("handover.more", &[("n", &w.n(more))]), theme::dim()),
        );
    }
    text::rows(frame, area, app.cx.flow, &lines);
}

fn notes_pane(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let state = &app.handover;
    let record = state.handover.as_ref().and_then(|h| h.record.as_ref());
    let title = match record.and_then(|r| r.noted_by.as_deref().zip(r.noted_at)) {
        Some((who, at)) => format!(
            " {} · {} ",
            w.t("handover.notes"),
            w.fill("handover.noted", &[("who", who), ("when", &w.time(at))])
        ),
        None => format!(" {} ", w.t("handover.notes")),
    };
    let inner = text::block(frame, area, flow, Borders::TOP, &title);
    let (text, style) = match (&state.notes, record) {
        (Some(field), _) => (field.text(), theme::focus()),
        (None, Some(r)) if !r.notes.trim().is_empty() => (r.notes.clone(), Style::new()),
        _ => (w.t("handover.no-notes").to_owned(), theme::dim()),
    };
    // Wrapped to the pane, one cell kept for the cursor; a new line just
    // begun is a line too (wrap keeps it).
    let rows = wrap(&text, (inner.width as usize).saturating_sub(1));
    let last = rows.last().cloned().unwrap_or_default();
    // While writing, the last lines stay in view with the cursor after them.
    let skip = rows.len().saturating_sub(inner.height as usize);
    let shown = rows.len() - skip;
    let lines: Vec<Row> = rows
        .into_iter()
        .skip(skip)
        .map(|l| Row::line(l, style))
        .collect();
    text::rows(frame, inner, flow, &lines);
    if state.notes.is_some() {
        let n = last.chars().count();
        let x = text::caret_x(&last, n, inner.x, inner.width, flow);
        let y = inner.y + shown.saturating_sub(1) as u16;
        frame.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
}
