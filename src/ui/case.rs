//! Drawing the case screen: its fields, every action with why the disabled
//! ones are disabled (from the one table of case actions), the contacts and
//! the timeline (beside the fields when the screen is wide, below them when
//! narrow), and the prompt of an action under way.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::text::{cell, cut, safe, span, wrap};
use super::{deadline, theme};
use crate::app::App;
use crate::app::actions::{CASE_ACTIONS, Input, matching_departments};
use crate::app::case::Prompt;
use crate::domain::case::CaseRecord;
use crate::keymap::{Action, Mode};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let Some(record) = &app.case.record else {
        frame.render_widget(
            Paragraph::new(Span::styled(w.t("case.loading").to_owned(), theme::dim())),
            area,
        );
        return;
    };
    let prompt_h = app
        .case
        .prompt
        .as_ref()
        .map_or(0, |p| p.fields.len() as u16 + 4);
    let [body, prompt_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(prompt_h)]).areas(area);
    let wide = area.width >= 110;
    let (left, right) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(body);
        (a, b)
    } else {
        let [a, b] = Layout::vertical([Constraint::Min(12), Constraint::Length(6)]).areas(body);
        (a, b)
    };
    fields(app, record, frame, left);
    timeline(app, record, frame, right);
    if let Some(p) = &app.case.prompt {
        prompt(app, p, frame, prompt_area);
    }
}

#[allow(clippy::many_single_char_names)] // the words, the record, its case: in every line
fn fields(app: &App, r: &CaseRecord, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let cat = &app.cx.catalog;
    let c = &r.case;
    let now = app.cx.now;
    let label_w = 12;
    let vw = area.width.saturating_sub(label_w as u16 + 1) as usize;
    let row = |label: &str, value: &str, style: Style| {
        Line::from(vec![
            Span::styled(format!("{} ", cell(w.t(label), label_w)), theme::label()),
            Span::styled(cut(value, vw), style),
        ])
    };
    let mut status = w.code("status", c.status.as_str());
    if let Some(o) = c.outcome {
        status = format!("{status} ({})", w.code("outcome", o.as_str()));
    }
    let status_style = if c.is_overdue(now) {
        status = format!("{status} · {}", w.t("case.overdue"));
        theme::late()
    } else {
        theme::title()
    };
    let service = cat.service(&c.service).map_or(c.service.clone(), |s| {
        format!("{} · {}", s.name_en, s.name_fa)
    });
    let district = cat
        .district(&c.district)
        .map_or(c.district.clone(), |d| d.name_en.clone());
    let (dl, dl_style) = deadline(app, c, now);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("{} {}  ", w.t("case.title"), c.code.spoken()),
                theme::title(),
            ),
            Span::styled(status, status_style),
        ]),
        row("case.service", &service, Style::new()),
        row(
            "case.citizen",
            &format!("{}  {}", c.citizen_name, c.citizen_phone),
            Style::new(),
        ),
        row(
            "case.district",
            &format!("{district} · {} · {}", c.neighborhood, c.address),
            Style::new(),
        ),
        row(
            "case.channel",
            &format!(
                "{} · {} · {} {}",
                w.code("channel", c.channel.as_str()),
                w.code("kind", c.kind.as_str()),
                w.t("case.received"),
                w.time(c.received_at)
            ),
            Style::new(),
        ),
        row(
            "case.department",
            &w.department(cat, &c.department),
            Style::new(),
        ),
        row(
            "case.holder",
            c.assignee.as_deref().unwrap_or(w.t("case.nobody")),
            Style::new(),
        ),
        row(
            "case.due",
            &format!("{} · {dl}", w.time(c.due_at)),
            dl_style,
        ),
    ];
    if c.escalation_level > 0 {
        lines.push(row(
            "case.escalation",
            &c.escalation_level.to_string(),
            theme::warn(),
        ));
    }
    if let Some(t) = c.call_back_at {
        let day = app.cx.settings.center.local(t).date();
        lines.push(row("case.call-back", &w.date(day), theme::warn()));
    }
    if let Some(resp) = &c.response {
        lines.push(row("case.response", resp, Style::new()));
    }
    if let Some(fb) = c.feedback {
        lines.push(row(
            "case.feedback",
            &w.code("feedback", fb.as_str()),
            Style::new(),
        ));
    }
    // The citizen's words in full (wrapped), up to eight lines.
    for (i, l) in wrap(&c.description, vw).iter().take(8).enumerate() {
        let label = if i == 0 {
            cell(w.t("case.description"), label_w)
        } else {
            " ".repeat(label_w)
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{label} "), theme::label()),
            Span::raw(l.clone()),
        ]));
    }
    // Every action, with why the disabled ones are disabled.
    lines.push(Line::from(Span::styled(
        w.t("case.actions").to_owned(),
        theme::title(),
    )));
    for spec in &CASE_ACTIONS {
        let a = Action::Case(spec.kind);
        let Some(k) = app.cx.keymap.key_for(Mode::Case, a) else {
            continue;
        };
        let line = match app.case.refusal(&app.cx, spec.kind) {
            None => Line::from(vec![
                Span::styled(format!(" {k} "), theme::key()),
                Span::raw(format!(" {}", w.t(&a.desc_key()))),
            ]),
            Some(why) => Line::from(Span::styled(
                cut(
                    &format!(" {k}  {} — {}", w.t(&a.desc_key()), w.refusal_short(&why)),
                    area.width as usize,
                ),
                theme::dim(),
            )),
        };
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Newest first: the timeline's events in words, and every contact.
fn timeline(app: &App, r: &CaseRecord, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{} ({}) · {} ({})",
            w.t("case.timeline"),
            r.timeline.len(),
            w.t("case.contacts"),
            r.contacts.len()
        ),
        theme::title(),
    ))];
    for e in r.timeline.iter().rev() {
        let arrow = match (e.from, e.to) {
            (Some(a), Some(b)) if a != b => format!(
                " {}→{}",
                w.code("status", a.as_str()),
                w.code("status", b.as_str())
            ),
            _ => String::new(),
        };
        let text = format!(
            "{} {} {}{} {}",
            w.time(e.at),
            e.actor,
            w.code("action", e.what.kind().as_str()),
            arrow,
            w.event(&e.what, &app.cx.catalog)
        );
        lines.push(Line::from(Span::raw(safe(&text).into_owned())));
    }
    for (i, k) in r.contacts.iter().enumerate().rev() {
        let text = format!(
            "{} ☎{} {} {} {} {}",
            w.time(k.at),
            i + 1,
            w.code("channel", k.channel.as_str()),
            k.name,
            k.phone,
            k.comment.clone().unwrap_or_default()
        );
        lines.push(Line::from(Span::styled(
            safe(&text).into_owned(),
            theme::dim(),
        )));
    }
    // Whole lines, wrapped: what the department answered and the citizen said.
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(ratatui::widgets::Wrap { trim: false })
            .scroll((app.case.scroll, 0)),
        area,
    );
}

fn prompt(app: &App, p: &Prompt, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let a = Action::Case(p.spec.kind);
    let block = Block::new().borders(Borders::ALL).title(format!(
        " {} — {} ",
        w.t(&a.desc_key()),
        w.t("prompt.submit")
    ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let label_w = 28;
    let mut lines = Vec::new();
    if let Some(choice) = p.spec.choice {
        // The choice in focus, with how many there are: ← → changes it.
        let code = p.choices.get(p.choice).copied().unwrap_or_default();
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} ",
                    cell(w.t(&format!("prompt.choice-{}", choice.section())), label_w)
                ),
                if p.on_choice() {
                    theme::focus()
                } else {
                    theme::label()
                },
            ),
            Span::styled(
                format!(" ‹ {} › ", w.code(choice.section(), code)),
                theme::selected(),
            ),
            Span::styled(
                format!(" {}/{}", p.choice + 1, p.choices.len()),
                theme::dim(),
            ),
        ]));
    }
    let focused = p.focused_field();
    for (i, (spec, f)) in p.spec.fields.iter().zip(&p.fields).enumerate() {
        let mut label = w.t(&format!("prompt.{}", spec.name)).to_owned();
        if !p.spec.requires(spec, p.choices.get(p.choice).copied()) {
            label = w.fill("prompt.optional", &[("label", &label)]);
        }
        let on = focused == Some(i);
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", cell(&label, label_w)),
                if on { theme::focus() } else { theme::label() },
            ),
            span(
                &cut(
                    &f.text(),
                    inner.width.saturating_sub(label_w as u16 + 2) as usize,
                ),
                Style::new(),
            ),
        ]));
        if on {
            let upto: String = f.text().chars().take(f.cursor()).collect();
            let x = inner.x + label_w as u16 + 1 + crate::text::width(&upto) as u16;
            frame.set_cursor_position((
                x.min(inner.right().saturating_sub(1)),
                inner.y + lines.len() as u16 - 1,
            ));
        }
    }
    // What the field in focus takes: the form of a date; and for a referral,
    // always, the departments its words match.
    let department = p.spec.fields.iter().any(|f| f.input == Input::Department);
    let hint = match focused.and_then(|i| p.spec.fields.get(i)).map(|f| f.input) {
        _ if department => {
            let names: Vec<String> = matching_departments(&app.cx.catalog, &p.value("department"))
                .iter()
                .take(4)
                .map(|d| format!("{} {}", d.code, d.name_en))
                .collect();
            names.join(" · ")
        }
        Some(Input::Date) => w.t("prompt.date-hint").to_owned(),
        _ => String::new(),
    };
    lines.push(Line::from(Span::styled(
        cut(&hint, inner.width as usize),
        theme::dim(),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}
