//! Drawing: `render(&App, &mut Frame)` reads the state and draws it; it cannot
//! change anything. Layout: a header (who, role, shift, clock, store), the
//! queue tabs with live counts, the main pane, and a status line with the keys
//! that work here (or the latest notice). Usable at 80x24, roomier when wider.

pub mod text;
pub mod theme;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::intake::{Field, matching_services};
use crate::app::{App, Confirm, Modal, Session, View, refusal};
use crate::domain::case::{Case, Channel, Kind, Priority, Status};
use crate::domain::roles::ActionKind;
use crate::keymap::{Action, Mode};
use crate::locale::{code, fill, t};
use text::{cell, cut, span};

pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    match &app.session {
        Session::Setup(_) | Session::Login(_) => return sign_in(app, frame, area),
        Session::Working(_) => {}
    }
    let [head, tabs, main, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(header(app)).style(theme::header()), head);
    frame.render_widget(Paragraph::new(tab_line(app, area.width)), tabs);
    match app.view {
        View::Queue(_) => list(app, frame, main),
        View::Search => search(app, frame, main),
        View::Intake => intake(app, frame, main),
        View::Case => case(app, frame, main),
    }
    frame.render_widget(Paragraph::new(status_line(app)), status);
    if app.help {
        help(app, frame, area);
    }
    if let Some(m) = &app.modal {
        modal(app, m, frame, area);
    }
}

fn header(app: &App) -> Line<'static> {
    let me = app.me().map_or(String::new(), |o| {
        format!(
            "{} ({})",
            cut(&o.display_name, 20),
            code("role", o.role.as_str())
        )
    });
    let clock = app
        .settings
        .center
        .local(app.now)
        .format("%H:%M")
        .to_string();
    // Trouble first, where the eye starts: the store down, or a call in flight.
    let mut spans = Vec::new();
    if app.store_down {
        spans.push(Span::styled(
            format!(" {} ", t("app.store-down")),
            theme::error(),
        ));
    } else if app.busy() {
        const FRAMES: [&str; 4] = ["◐", "◓", "◑", "◒"];
        let f = FRAMES[(app.ms / 120 % 4) as usize];
        spans.push(Span::raw(format!(" {f} {} ", t("app.busy"))));
    }
    spans.extend([
        Span::styled(format!(" {} ", t("app.title")), theme::title()),
        Span::raw(format!(
            "│ {me} │ {} {} │ {clock} │ ",
            t("app.shift"),
            app.shift()
        )),
        Span::raw(format!("{} {}", t("app.store"), cut(&app.store_label, 40))),
    ]);
    Line::from(spans)
}

fn tab_line(app: &App, width: u16) -> Line<'static> {
    let names = if width < 100 { "queue.short" } else { "queue" };
    let c = &app.counts;
    let counts = [
        c.unreferred,
        c.overdue,
        c.due_soon,
        c.feedback,
        c.follow_up,
        c.mine,
    ];
    let mut spans = Vec::new();
    for (i, n) in counts.iter().enumerate() {
        let k = i as u8 + 1;
        let active = app.view == View::Queue(k)
            || (app.view != View::Queue(k)
                && app.last_list == View::Queue(k)
                && app.view == View::Case);
        let style = if active {
            theme::tab_active()
        } else {
            theme::tab()
        };
        spans.push(Span::styled(
            format!(" {k} {} {n} ", t(&format!("{names}.{k}"))),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn status_line(app: &App) -> Line<'static> {
    if let Some(n) = &app.notice {
        let style = if n.error { theme::error() } else { theme::ok() };
        return Line::from(span(&n.text, style));
    }
    let mode = app.mode();
    let wanted: &[Action] = match (mode, &app.view) {
        (Mode::Form, View::Intake) => &[
            Action::Save,
            Action::NextField,
            Action::AttachToCase,
            Action::Back,
            Action::Help,
        ],
        (Mode::Form, _) => &[Action::Save, Action::NextField, Action::Back],
        (Mode::Case, _) => &[
            Action::Refer,
            Action::Note,
            Action::Resolve,
            Action::Feedback,
            Action::Escalate,
            Action::Close,
            Action::Cancel,
            Action::Reopen,
            Action::Take,
            Action::Back,
            Action::Help,
        ],
        _ => &[
            Action::Intake,
            Action::Open,
            Action::Search,
            Action::Help,
            Action::Quit,
        ],
    };
    // Only what works now; the case view lists the rest with the reason.
    let mut spans = Vec::new();
    for a in wanted {
        if let Some(k) = app.keymap.key_for(mode, *a) {
            if let Some(kind) = a.case_action()
                && refusal(app, kind).is_some()
            {
                continue;
            }
            spans.push(Span::styled(format!(" {k} "), theme::key()));
            spans.push(Span::raw(format!(" {}  ", short(*a))));
        }
    }
    Line::from(spans)
}

/// The one-word label of an action for the status line.
fn short(a: Action) -> String {
    t(&format!("short.{}", a.name())).to_owned()
}

/// Time left to a deadline, or how late, and its color.
fn deadline(app: &App, case: &Case, now: DateTime<Utc>) -> (String, Style) {
    if case.status == Status::FollowUp {
        return (
            fill(
                "queue.escalated",
                &[("time", &app.words.span(now - case.status_since))],
            ),
            theme::warn(),
        );
    }
    let since = app.words.span(now - case.status_since);
    match case.status {
        Status::Resolved => {
            return (fill("queue.answered", &[("time", &since)]), Style::new());
        }
        Status::Closed | Status::Cancelled => {
            let status = code("status", case.status.as_str());
            return (
                fill("queue.finished", &[("status", &status), ("time", &since)]),
                theme::dim(),
            );
        }
        _ => {}
    }
    let left = case.due_at - now;
    if left.num_seconds() < 0 {
        (
            fill("queue.late", &[("time", &app.words.span(-left))]),
            theme::late(),
        )
    } else if left.num_seconds() * 4 < i64::from(case.deadline_hours) * 3600 {
        (
            fill("queue.left", &[("time", &app.words.span(left))]),
            theme::warn(),
        )
    } else {
        (
            fill("queue.left", &[("time", &app.words.span(left))]),
            theme::ok(),
        )
    }
}

/// Case rows like a queue: code, age, service, department, district, deadline.
fn case_rows(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    rows: &[Case],
    selected: usize,
    loaded: bool,
    empty: &str,
) {
    let w = area.width as usize;
    // Column widths that fit 80 columns and grow with the screen.
    let wide = w >= 110;
    let dept_w = if wide { 26 } else { 12 };
    // Narrow screens show the district's code, wide ones its name.
    let district_w = if wide { 12 } else { 4 };
    let service_w = w
        .saturating_sub(10 + 8 + dept_w + 1 + district_w + 1 + 14)
        .clamp(12, 40);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{} {} {} {} {}{}",
            cell(t("queue.code"), 9),
            cell(t("queue.age"), 7),
            cell(t("queue.service"), service_w),
            cell(t("queue.department"), dept_w),
            cell(
                t(if wide { "queue.district" } else { "queue.dist" }),
                district_w
            ) + " ",
            t("queue.deadline")
        ),
        theme::title(),
    ))];
    if rows.is_empty() {
        lines.push(Line::from(Span::styled(
            if loaded {
                empty.to_owned()
            } else {
                t("queue.loading").to_owned()
            },
            theme::dim(),
        )));
    }
    let height = area.height.saturating_sub(1) as usize;
    let start = selected.saturating_sub(height.saturating_sub(1));
    for (i, c) in rows.iter().enumerate().skip(start).take(height) {
        let service = app
            .catalog
            .service(&c.service)
            .map_or(c.service.as_str(), |s| s.name_en.as_str());
        let dept = app.catalog.department_name(&c.department);
        let district = app
            .catalog
            .district(&c.district)
            .map_or(c.district.as_str(), |d| d.name_en.as_str());
        let (dl, dl_style) = deadline(app, c, app.now);
        let urgent = if c.priority == Priority::Urgent {
            "!"
        } else {
            " "
        };
        let base = if i == selected {
            theme::selected()
        } else {
            Style::new()
        };
        let mut spans = vec![
            Span::styled(format!("{} ", c.code), base),
            Span::styled(
                format!("{} ", cell(&app.words.span(app.now - c.received_at), 7)),
                base,
            ),
            Span::styled(format!("{} ", cell(service, service_w)), base),
            Span::styled(format!("{} ", cell(dept, dept_w)), base),
        ];
        let district = if wide { district } else { c.district.as_str() };
        spans.push(Span::styled(
            format!("{} ", cell(district, district_w)),
            base,
        ));
        spans.push(Span::styled(
            format!("{urgent}{dl}"),
            if i == selected { base } else { dl_style },
        ));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn list(app: &App, frame: &mut Frame, area: Rect) {
    case_rows(
        app,
        frame,
        area,
        &app.list.rows,
        app.list.selected,
        app.list.loaded,
        t("queue.empty"),
    );
}

fn search(app: &App, frame: &mut Frame, area: Rect) {
    let [input, hint, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let style = if app.searching {
        theme::focus()
    } else {
        theme::label()
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{}: ", t("search.title")), style),
            span(&app.search.text(), Style::new()),
        ])),
        input,
    );
    if app.searching {
        let x = input.x
            + crate::text::width(&format!("{}: ", t("search.title"))) as u16
            + crate::text::width(
                &app.search
                    .text()
                    .chars()
                    .take(app.search.cursor())
                    .collect::<String>(),
            ) as u16;
        frame.set_cursor_position((x.min(input.right().saturating_sub(1)), input.y));
    }
    frame.render_widget(
        Paragraph::new(Span::styled(
            cut(t("search.hint"), hint.width as usize),
            theme::dim(),
        )),
        hint,
    );
    if app.last_list == View::Search {
        case_rows(
            app,
            frame,
            rest,
            &app.list.rows,
            app.list.selected,
            app.list.loaded,
            t("search.empty"),
        );
    }
}

fn intake(app: &App, frame: &mut Frame, area: Rect) {
    let wide = area.width >= 100;
    let (form_area, side) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(area);
        (a, b)
    } else {
        let [a, b] = Layout::vertical([Constraint::Length(13), Constraint::Min(3)]).areas(area);
        (a, b)
    };
    let f = &app.intake;
    let label_w = 13;
    let value_w = form_area.width.saturating_sub(label_w as u16 + 3) as usize;
    let mut lines = vec![Line::from(Span::styled(
        t("intake.title").to_owned(),
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
        let value = match field {
            Field::Channel => format!("‹ {} ›", code("channel", Channel::ALL[f.channel].as_str())),
            Field::Kind => format!("‹ {} ›", code("kind", Kind::ALL[f.kind].as_str())),
            Field::Priority => format!(
                "‹ {} ›",
                code("priority", Priority::ALL[f.priority].as_str())
            ),
            Field::District => format!(
                "‹ {} ›",
                app.catalog
                    .districts
                    .get(f.district)
                    .map_or(String::new(), |d| format!("{} {}", d.name_en, d.name_fa))
            ),
            Field::Service => match &f.service {
                Some(code) if !focused => app
                    .catalog
                    .service(code)
                    .map_or(code.clone(), |s| format!("{} · {}", s.name_en, s.name_fa)),
                _ => f.service_filter.text(),
            },
            Field::Phone => f.phone.text(),
            Field::Name => f.name.text(),
            Field::Neighborhood => f.neighborhood.text(),
            Field::Address => f.address.text(),
            Field::Description => f.description.text(),
        };
        let rows = if field == Field::Description && !wide {
            1
        } else if field == Field::Description {
            3
        } else {
            1
        };
        let mut value_lines: Vec<String> = value.split('\n').map(str::to_owned).collect();
        if value_lines.len() > rows {
            let keep = value_lines.split_off(value_lines.len() - rows);
            value_lines = keep;
        }
        for (i, v) in value_lines.iter().enumerate() {
            let label = if i == 0 {
                cell(t(&field.label_key()), label_w)
            } else {
                " ".repeat(label_w)
            };
            let mut spans = vec![
                Span::styled(format!("{label} "), label_style),
                span(&cut(v, value_w), Style::new()),
            ];
            if i == 0
                && let Some(err) = f.error(field)
            {
                let err = app.words.problem(field.error_name(), err);
                spans.push(Span::styled(
                    format!("  ← {}", cut(&err, 60)),
                    theme::error(),
                ));
            }
            lines.push(Line::from(spans));
        }
        if focused && !field.is_choice() {
            let row = form_area.y + lines.len() as u16 - 1;
            let text: String = match field {
                Field::Service => f.service_filter.text(),
                Field::Description => value_lines.last().cloned().unwrap_or_default(),
                _ => value.clone(),
            };
            let upto = match f.clone().text_field(field) {
                Some(tf) if field != Field::Description => {
                    tf.text().chars().take(tf.cursor()).collect::<String>()
                }
                _ => text,
            };
            let x = form_area.x + label_w as u16 + 1 + crate::text::width(&upto) as u16;
            cursor = Some((x.min(form_area.right().saturating_sub(1)), row));
        }
    }
    frame.render_widget(Paragraph::new(lines), form_area);
    if let Some(c) = cursor {
        frame.set_cursor_position(c);
    }
    if f.focus == Field::Service {
        service_picker(app, frame, side);
    } else {
        related(app, frame, side);
    }
}

fn service_picker(app: &App, frame: &mut Frame, area: Rect) {
    let f = &app.intake;
    let matches = matching_services(&app.catalog, &f.service_filter.text());
    let block = Block::new().borders(Borders::TOP).title(format!(
        " {} ({}) ",
        t("intake.services"),
        matches.len()
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if matches.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                t("intake.no-service").to_owned(),
                theme::warn(),
            )),
            inner,
        );
        return;
    }
    let w = inner.width as usize;
    let h = inner.height as usize;
    let cursor = f.service_cursor.min(matches.len() - 1);
    let start = cursor.saturating_sub(h.saturating_sub(1));
    let lines: Vec<Line> = matches
        .iter()
        .enumerate()
        .skip(start)
        .take(h)
        .map(|(i, s)| {
            // Who answers for this service in the district chosen so far.
            let dept = match app.catalog.districts.get(f.district) {
                Some(d) => app
                    .catalog
                    .department_name(&app.catalog.default_department(s, d))
                    .to_owned(),
                None if s.department == crate::domain::catalog::DISTRICT_OFFICE => {
                    t("intake.district-office").to_owned()
                }
                None => app.catalog.department_name(&s.department).to_owned(),
            };
            let text = format!(
                "{} {} · {} · {} · {}",
                if f.service.as_deref() == Some(s.code.as_str()) {
                    "✓"
                } else {
                    " "
                },
                s.name_en,
                fill(
                    "intake.deadline-hours",
                    &[("hours", &s.deadline_hours.to_string())]
                ),
                dept,
                code("category", s.category.as_str())
            );
            let style = if i == cursor {
                theme::selected()
            } else {
                Style::new()
            };
            Line::from(Span::styled(cell(&text, w), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn related(app: &App, frame: &mut Frame, area: Rect) {
    let f = &app.intake;
    let block = Block::new()
        .borders(Borders::TOP)
        .title(format!(" {} ", t("intake.related")));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if f.related.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                t("intake.related-none").to_owned(),
                theme::dim(),
            )),
            inner,
        );
        return;
    }
    let w = inner.width as usize;
    let lines: Vec<Line> = f
        .related
        .iter()
        .enumerate()
        .take(inner.height as usize)
        .map(|(i, c)| {
            let service = app
                .catalog
                .service(&c.service)
                .map_or(c.service.as_str(), |s| s.name_en.as_str());
            let text = format!(
                "{} {} · {} · {} · {}",
                c.code,
                app.settings.center.show(c.received_at),
                service,
                code("status", c.status.as_str()),
                c.neighborhood
            );
            let style = if i == f.related_cursor {
                theme::selected()
            } else if c.status.is_open() {
                theme::open_case()
            } else {
                theme::dim()
            };
            Line::from(Span::styled(cell(&text, w), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn case(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = &app.case else {
        frame.render_widget(
            Paragraph::new(Span::styled(t("case.loading").to_owned(), theme::dim())),
            area,
        );
        return;
    };
    let r = &view.record;
    let c = &r.case;
    let center = &app.settings.center;
    let wide = area.width >= 110;
    let prompt_h = if view.prompt.is_some() { 7 } else { 0 };
    let [body, prompt_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(prompt_h)]).areas(area);
    let (left, right) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(body);
        (a, b)
    } else {
        let [a, b] = Layout::vertical([Constraint::Min(12), Constraint::Length(5)]).areas(body);
        (a, b)
    };
    let label_w = 12;
    let vw = left.width.saturating_sub(label_w as u16 + 1) as usize;
    let row = |label: &str, value: String, style: Style| {
        Line::from(vec![
            Span::styled(format!("{} ", cell(t(label), label_w)), theme::label()),
            Span::styled(cut(&value, vw), style),
        ])
    };
    let mut status = code("status", c.status.as_str());
    if let Some(o) = c.outcome {
        status = format!("{status} ({})", code("outcome", o.as_str()));
    }
    let status_style = if c.is_overdue(app.now) {
        status = format!("{status} · {}", t("case.overdue"));
        theme::late()
    } else {
        theme::title()
    };
    let service = app
        .catalog
        .service(&c.service)
        .map_or(c.service.clone(), |s| {
            format!("{} · {}", s.name_en, s.name_fa)
        });
    let district = app
        .catalog
        .district(&c.district)
        .map_or(c.district.clone(), |d| d.name_en.clone());
    let dept = app.catalog.department_name(&c.department).to_owned();
    let (dl, dl_style) = deadline(app, c, app.now);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} {}  ", t("case.title"), c.code.spoken()),
                theme::title(),
            ),
            Span::styled(status, status_style),
        ]),
        row("case.service", service, Style::new()),
        row(
            "case.citizen",
            format!("{}  {}", c.citizen_name, c.citizen_phone),
            Style::new(),
        ),
        row(
            "case.district",
            format!("{district} · {} · {}", c.neighborhood, c.address),
            Style::new(),
        ),
        row(
            "case.channel",
            format!(
                "{} · {} · {} {}",
                code("channel", c.channel.as_str()),
                code("kind", c.kind.as_str()),
                t("case.received"),
                center.show(c.received_at)
            ),
            Style::new(),
        ),
        row("case.department", dept, Style::new()),
        row(
            "case.holder",
            c.assignee
                .clone()
                .unwrap_or_else(|| t("case.nobody").to_owned()),
            Style::new(),
        ),
        row(
            "case.due",
            format!("{} · {dl}", center.show(c.due_at)),
            dl_style,
        ),
    ];
    if c.escalation_level > 0 {
        lines.push(row(
            "case.escalation",
            c.escalation_level.to_string(),
            theme::warn(),
        ));
    }
    if let Some(resp) = &c.response {
        lines.push(row("case.response", resp.clone(), Style::new()));
    }
    if let Some(fb) = c.feedback {
        lines.push(row(
            "case.feedback",
            code("feedback", fb.as_str()),
            Style::new(),
        ));
    }
    lines.push(row(
        "case.description",
        c.description.lines().next().unwrap_or("").to_owned(),
        Style::new(),
    ));
    for extra in c.description.lines().skip(1).take(3) {
        lines.push(Line::from(Span::raw(format!(
            "{} {}",
            " ".repeat(label_w),
            cut(extra, vw)
        ))));
    }
    // Every action, with why the disabled ones are disabled.
    lines.push(Line::from(Span::styled(
        t("case.actions").to_owned(),
        theme::title(),
    )));
    for a in [
        Action::Refer,
        Action::Note,
        Action::Resolve,
        Action::Feedback,
        Action::Escalate,
        Action::Close,
        Action::Cancel,
        Action::Reopen,
        Action::Take,
    ] {
        let (Some(kind), Some(k)) = (a.case_action(), app.keymap.key_for(Mode::Case, a)) else {
            continue;
        };
        let line = match refusal(app, kind) {
            None => Line::from(vec![
                Span::styled(format!(" {k} "), theme::key()),
                Span::raw(format!(" {}", t(&a.desc_key()))),
            ]),
            Some(why) => Line::from(Span::styled(
                cut(
                    &format!(" {k}  {} — {why}", t(&a.desc_key())),
                    left.width as usize,
                ),
                theme::dim(),
            )),
        };
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), left);

    // Timeline and contacts.
    let mut tl = vec![Line::from(Span::styled(
        format!(
            "{} ({}) · {} ({})",
            t("case.timeline"),
            r.timeline.len(),
            t("case.contacts"),
            r.contacts.len()
        ),
        theme::title(),
    ))];
    let tw = right.width as usize;
    for e in r.timeline.iter().rev() {
        let arrow = match (e.from, e.to) {
            (Some(a), Some(b)) if a != b => format!(
                " {}→{}",
                code("status", a.as_str()),
                code("status", b.as_str())
            ),
            _ => String::new(),
        };
        let text = format!(
            "{} {} {}{} {}",
            center.show(e.at),
            e.actor,
            code("action", e.what.kind().as_str()),
            arrow,
            app.words.event(&e.what, &app.catalog)
        );
        tl.push(Line::from(Span::raw(cut(&text, tw))));
    }
    for k in r.contacts.iter().skip(1) {
        let text = format!(
            "{} ☎ {} {} {} {}",
            center.show(k.at),
            code("channel", k.channel.as_str()),
            k.name,
            k.phone,
            k.comment.clone().unwrap_or_default()
        );
        tl.push(Line::from(Span::styled(cut(&text, tw), theme::dim())));
    }
    frame.render_widget(Paragraph::new(tl).scroll((view.scroll, 0)), right);

    if let Some(p) = &view.prompt {
        let block = Block::new().borders(Borders::ALL).title(format!(
            " {} — {} ",
            t(&format!("action.{}", p.action)),
            t("prompt.submit")
        ));
        let inner = block.inner(prompt_area);
        frame.render_widget(Clear, prompt_area);
        frame.render_widget(block, prompt_area);
        let mut pl = Vec::new();
        let mut focus_i = 0;
        if !p.choices.is_empty() {
            let mut spans = vec![Span::styled(
                format!("{} ", cell(t("prompt.choice"), 20)),
                if p.focus == 0 {
                    theme::focus()
                } else {
                    theme::label()
                },
            )];
            for (i, ch) in p.choices.iter().enumerate() {
                spans.push(Span::styled(
                    format!(
                        " {} ",
                        code(
                            if p.action == ActionKind::Feedback {
                                "feedback"
                            } else {
                                "cancel"
                            },
                            ch
                        )
                    ),
                    if i == p.choice {
                        theme::selected()
                    } else {
                        Style::new()
                    },
                ));
            }
            pl.push(Line::from(spans));
            focus_i = 1;
        }
        if p.action == ActionKind::Refer {
            let typed = p
                .fields
                .first()
                .map(|(_, f, _)| f.text())
                .unwrap_or_default();
            let names: Vec<String> = crate::app::matching_departments(&app.catalog, &typed)
                .iter()
                .take(4)
                .map(|d| format!("{} {}", d.code, d.name_en))
                .collect();
            pl.push(Line::from(Span::styled(
                cut(&names.join(" · "), inner.width as usize),
                theme::dim(),
            )));
        }
        for (i, (label, f, _)) in p.fields.iter().enumerate() {
            let focused = p.focus == i + focus_i;
            pl.push(Line::from(vec![
                Span::styled(
                    format!("{} ", cell(t(label), 34)),
                    if focused {
                        theme::focus()
                    } else {
                        theme::label()
                    },
                ),
                span(
                    &cut(&f.text(), inner.width.saturating_sub(36) as usize),
                    Style::new(),
                ),
            ]));
            if focused {
                let upto: String = f.text().chars().take(f.cursor()).collect();
                let x = inner.x + 35 + crate::text::width(&upto) as u16;
                frame.set_cursor_position((
                    x.min(inner.right().saturating_sub(1)),
                    inner.y + pl.len() as u16 - 1,
                ));
            }
        }
        frame.render_widget(Paragraph::new(pl), inner);
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn sign_in(app: &App, frame: &mut Frame, area: Rect) {
    let box_area = centered(area, 70, 14);
    frame.render_widget(Clear, box_area);
    match &app.session {
        Session::Login(f) => {
            let block = Block::new().borders(Borders::ALL).title(format!(
                " {} — {} ",
                t("app.title"),
                t("login.title")
            ));
            let inner = block.inner(box_area);
            frame.render_widget(block, box_area);
            let field = |label: &str, value: String, on: bool| {
                Line::from(vec![
                    Span::styled(
                        format!("{} ", cell(t(label), 12)),
                        if on { theme::focus() } else { theme::label() },
                    ),
                    span(&value, Style::new()),
                ])
            };
            let mut lines = vec![
                Line::from(Span::raw(format!(
                    "{} {}",
                    t("app.store"),
                    cut(&app.store_label, 50)
                ))),
                Line::from(""),
                field("login.name", f.name.text(), !f.on_password),
                field("login.password", f.password.shown(), f.on_password),
                Line::from(""),
            ];
            if let Some(e) = &f.error {
                lines.push(Line::from(span(e, theme::error())));
            } else if app.busy() {
                lines.push(Line::from(Span::raw(t("app.busy").to_owned())));
            }
            lines.push(Line::from(Span::styled(
                t("login.hint").to_owned(),
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
                t("app.title"),
                t("setup.title")
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
                let value = f.fields[i].shown();
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} ", cell(t(key), 34)),
                        if f.focus == i {
                            theme::focus()
                        } else {
                            theme::label()
                        },
                    ),
                    span(&value, Style::new()),
                ]));
            }
            lines.push(Line::from(""));
            if let Some(e) = &f.error {
                lines.push(Line::from(span(e, theme::error())));
            }
            lines.push(Line::from(Span::styled(
                t("setup.hint").to_owned(),
                theme::dim(),
            )));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::raw(t("setup.intro").to_owned())));
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

fn help(app: &App, frame: &mut Frame, area: Rect) {
    let mode = app.mode();
    let keys = app.keymap.keys(mode);
    let h = (keys.len() as u16 + 5).min(area.height);
    let box_area = centered(area, 64, h);
    frame.render_widget(Clear, box_area);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(" {} ", t("help.title")));
    let inner = block.inner(box_area);
    frame.render_widget(block, box_area);
    let mut lines: Vec<Line> = keys
        .iter()
        .map(|(action, ks)| {
            let names: Vec<String> = ks.iter().map(ToString::to_string).collect();
            Line::from(vec![
                Span::styled(format!("{} ", cell(&names.join(" "), 16)), theme::label()),
                Span::raw(t(&action.desc_key()).to_owned()),
            ])
        })
        .collect();
    if mode == Mode::Form {
        lines.push(Line::from(Span::styled(
            t("help.form").to_owned(),
            theme::dim(),
        )));
    }
    lines.push(Line::from(Span::styled(
        t("help.close").to_owned(),
        theme::dim(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
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

fn modal(app: &App, m: &Modal, frame: &mut Frame, area: Rect) {
    let (title, lines): (String, Vec<Line>) = match m {
        Modal::Saved {
            code,
            due,
            attached,
        } => {
            let head = if *attached {
                t("modal.attached")
            } else {
                t("modal.saved")
            };
            let mut lines = vec![Line::from("")];
            for r in big_digits(&code.to_string()) {
                lines.push(Line::from(Span::styled(format!("  {r}"), theme::title())));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                format!("  {}", code.spoken()),
                theme::title(),
            )));
            lines.push(Line::from(format!(
                "  {}",
                fill("modal.due", &[("when", &app.settings.center.show(*due))])
            )));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                format!("  {}", t("modal.continue")),
                theme::dim(),
            )));
            (head.to_owned(), lines)
        }
        Modal::Confirm(c) => {
            let key = match c {
                Confirm::DiscardIntake => "modal.discard-intake",
                Confirm::DiscardPrompt => "modal.discard-prompt",
                Confirm::Quit => "modal.quit",
            };
            (
                t("app.title").to_owned(),
                vec![Line::from(""), Line::from(format!("  {}", t(key)))],
            )
        }
        Modal::Restore(d) => (
            t("app.title").to_owned(),
            vec![
                Line::from(""),
                Line::from(format!(
                    "  {}",
                    fill(
                        "modal.restore",
                        &[("when", &app.settings.center.show(d.saved_at))]
                    )
                )),
            ],
        ),
    };
    let h = lines.len() as u16 + 3;
    let box_area = centered(area, 60, h);
    frame.render_widget(Clear, box_area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::ALL)
                .title(format!(" {title} ")),
        ),
        box_area,
    );
}
