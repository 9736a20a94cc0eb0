//! Drawing: `render(&App, &mut Frame)` reads the state and draws it; it cannot
//! change anything. The frame is a header (who, role, shift, clock, store),
//! the queue tabs with live counts, the screen on view (one module per screen,
//! mirroring `app`), and a status line with the keys that work here (or the
//! latest notice); overlays (help, questions) go on top. Usable at 80x24,
//! roomier when wider.

pub mod case;
pub mod handover;
pub mod intake;
pub mod list;
pub mod modal;
pub mod report;
pub mod session;
pub mod text;
pub mod theme;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;

use crate::app::{App, Session, View};
use crate::domain::case::{Case, Status};
use crate::keymap::{Action, Mode};
use text::{Row, cut};

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if !matches!(app.cx.session, Session::Working(_)) {
        session::draw(app, frame, area);
        if let Some(o) = &app.overlay {
            modal::draw(app, o, frame, area);
        }
        return;
    }
    let [head, tabs, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    let flow = app.cx.flow;
    text::rows(frame, head, flow, &[header(app, head.width)]);
    text::rows(frame, tabs, flow, &[tab_line(app, area.width)]);
    match app.view {
        View::Queue(_) | View::Search => list::draw(app, frame, main),
        View::Intake => intake::draw(app, frame, main),
        View::Case => case::draw(app, frame, main),
        View::Handover => handover::draw(app, frame, main),
        View::Report => report::draw(app, frame, main),
    }
    text::rows(frame, status, flow, &[status_line(app)]);
    if let Some(o) = &app.overlay {
        modal::draw(app, o, frame, area);
    }
}

/// The header: trouble first, then who, which shift and the time (never
/// cut), a handover waiting, who else is at work, and the store (cut first).
fn header(app: &App, width: u16) -> Row {
    let w = &app.cx.words;
    // The name and the role are cells of their own: a Persian name must
    // not turn the role's brackets around it.
    let me = app.cx.me().map(|o| {
        (
            format!("{} ", cut(&o.display_name, 20)),
            format!("({}) ", w.code("role", o.role.as_str())),
        )
    });
    let clock = w.clock(app.cx.now);
    let mut row = Row::new().style(theme::header());
    // Trouble first, where the eye starts: the store down, or a call in flight.
    if app.cx.store_down {
        row = row.text(format!(" {} ", w.t("app.store-down")), theme::error());
    } else if app.cx.busy() {
        const FRAMES: [&str; 4] = ["◐", "◓", "◑", "◒"];
        let f = FRAMES[(app.cx.ms / 120 % 4) as usize];
        row = row.text(format!(" {f} {} ", w.t("app.busy")), Style::new());
    }
    row = row
        .text(format!(" {} ", w.t("app.title")), theme::title())
        .text("│ ", Style::new())
        .text(me.as_ref().map_or("", |m| m.0.as_str()), Style::new())
        .text(me.as_ref().map_or(" ", |m| m.1.as_str()), Style::new())
        .text("│ ", Style::new())
        .text(
            format!("{} {} ", w.t("app.shift"), app.cx.shift()),
            Style::new(),
        )
        .text("│ ", Style::new())
        .text(format!("{clock} "), Style::new())
        .text("│ ", Style::new());
    // A handover waiting for the supervisor comes before the store, which may be cut.
    if let Some(s) = &app.cx.pending_handover {
        row = row
            .text(
                format!(
                    "{} ",
                    w.fill(
                        "app.handover-pending",
                        &[("shift", &w.code("shift", &s.name))]
                    )
                ),
                theme::warn(),
            )
            .text("│ ", Style::new());
    }
    // Who is at work: the first names on a wide screen, else how many.
    let at_work = &app.cx.at_work;
    let names = match at_work.len() {
        0 => None,
        n if width < 120 => Some(w.fill("app.at-work-count", &[("n", &w.n(n))])),
        n if n <= 3 => Some(at_work.join(w.t("list.and"))),
        n => Some(format!(
            "{} +{}",
            at_work[..3].join(w.t("list.and")),
            w.n(n - 3)
        )),
    };
    if let Some(names) = names {
        row = row
            .text(format!("{} ", cut(&names, 60)), Style::new())
            .text("│ ", Style::new());
    }
    // The store's path or URL reads left to right in any layout.
    row.text(format!("{} ", w.t("app.store")), Style::new())
        .fill(cut(&app.cx.store_label, 40), Style::new())
        .ltr()
}

fn tab_line(app: &App, width: u16) -> Row {
    let w = &app.cx.words;
    let names = if width < 100 { "queue.short" } else { "queue" };
    let c = &app.cx.counts;
    let counts = [
        c.unreferred,
        c.overdue,
        c.due_soon,
        c.feedback,
        c.follow_up,
        c.mine,
    ];
    let mut row = Row::new();
    for (i, n) in counts.iter().enumerate() {
        let k = i as u8 + 1;
        let active = app.last_list == View::Queue(k)
            && matches!(app.view, View::Queue(_) | View::Search | View::Case);
        let style = if active {
            theme::tab_active()
        } else {
            theme::tab()
        };
        row = row
            .text(
                format!(" {} {} {} ", w.n(k), w.t(&format!("{names}.{k}")), w.n(n)),
                style,
            )
            .gap(1);
    }
    row
}

/// The keys that work here (only those possible now; the case view lists
/// the rest with why), or the latest notice.
fn status_line(app: &App) -> Row {
    let w = &app.cx.words;
    if let Some(n) = &app.cx.notice {
        let style = if n.error { theme::error() } else { theme::ok() };
        return Row::line(&n.text, style);
    }
    let mode = app.mode();
    let case_keys: Vec<Action> = crate::app::actions::CASE_ACTIONS
        .iter()
        .map(|s| Action::Case(s.kind))
        .chain([Action::Back, Action::Help])
        .collect();
    let wanted: &[Action] = match (mode, app.view) {
        (Mode::Form, View::Intake) => &[
            Action::Save,
            Action::NextField,
            Action::FillFromCaller,
            Action::AttachToCase,
            Action::Back,
            Action::Help,
        ],
        (Mode::Form, View::Handover) => &[Action::Save, Action::Back],
        (Mode::Form, _) => &[Action::Save, Action::NextField, Action::Back],
        (Mode::Case, _) => &case_keys,
        (Mode::Board, View::Handover) => &[
            Action::Open,
            Action::NextList,
            Action::Earlier,
            Action::EditNotes,
            Action::Accept,
            Action::Back,
            Action::Help,
        ],
        (Mode::Board, _) => &[
            Action::Open,
            Action::Later,
            Action::Period,
            Action::Back,
            Action::Help,
        ],
        _ => &[
            Action::Intake,
            Action::Open,
            Action::Search,
            Action::Filter,
            Action::Help,
            Action::Handover,
            Action::Report,
            Action::Quit,
        ],
    };
    let mut row = Row::new();
    for a in wanted {
        if let Some(k) = app.cx.keymap.key_for(mode, *a) {
            if let Some(kind) = a.case_action()
                && app.case.refusal(&app.cx, kind).is_some()
            {
                continue;
            }
            row = row
                .text(format!(" {} ", key_name(app, k)), theme::key())
                .text(
                    format!(" {}  ", w.t(&format!("short.{}", a.name()))),
                    Style::new(),
                );
        }
    }
    row
}

/// A key as the status line and help name it; in a mirrored layout ← and
/// → are the other way round (see `app::mirror_arrows`).
pub fn key_name(app: &App, k: crate::keymap::Key) -> String {
    use ratatui::crossterm::event::KeyCode;
    if app.cx.flow.rtl && app.mode() == Mode::Board {
        let swapped = match k.code {
            KeyCode::Left => Some(KeyCode::Right),
            KeyCode::Right => Some(KeyCode::Left),
            _ => None,
        };
        if let Some(code) = swapped {
            return crate::keymap::Key { code, ..k }.to_string();
        }
    }
    k.to_string()
}

/// Where a case stands against its deadline, in words, and its color: time
/// left (green), nearly gone (yellow), past (red); for cases the department
/// has answered or that are finished, since when.
pub fn deadline(app: &App, case: &Case, now: DateTime<Utc>) -> (String, Style) {
    let w = &app.cx.words;
    let since = w.span_short(now - case.status_since);
    match case.status {
        Status::FollowUp => {
            return (
                w.fill("queue.escalated", &[("time", &since)]),
                theme::warn(),
            );
        }
        Status::Resolved => {
            return (w.fill("queue.answered", &[("time", &since)]), Style::new());
        }
        Status::Closed | Status::Cancelled => {
            let status = w.code("status", case.status.as_str());
            return (
                w.fill("queue.finished", &[("status", &status), ("time", &since)]),
                theme::dim(),
            );
        }
        Status::Registered | Status::Referred => {}
    }
    let left = case.due_at - now;
    let text = w.left_short(case.due_at, now);
    if left.num_seconds() < 0 {
        (text, theme::late())
    } else if left.num_seconds() * 4 < i64::from(case.deadline_hours) * 3600 {
        (text, theme::warn())
    } else {
        (text, theme::ok())
    }
}

/// A rectangle of at most `width` x `height` in the middle of `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
