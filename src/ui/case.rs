//! Drawing the case screen: its fields, every action with why the disabled
//! ones are disabled (from the one table of case actions), the contacts and
//! the timeline (beside the fields when the screen is wide, below them when
//! narrow), and the prompt of an action under way.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Borders, Clear};

use super::text::{self, Row, caret_x, tail, wrap};
use super::{deadline, key_name, theme};
use crate::app::App;
use crate::app::actions::{CASE_ACTIONS, Input, matching_departments};
use crate::app::case::Prompt;
use crate::domain::case::CaseRecord;
use crate::keymap::{Action, Mode};

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let Some(record) = &app.case.record else {
        text::rows(
            frame,
            area,
            app.cx.flow,
            &[Row::line(w.t("case.loading"), theme::dim())],
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
        let [a, b] = text::split_h(
            body,
            app.cx.flow,
            [Constraint::Percentage(50), Constraint::Percentage(50)],
        );
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
        Row::new()
            .cell(w.t(label), label_w, theme::label())
            .gap(1)
            .fill(value, style)
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
    let service = cat
        .service(&c.service)
        .map_or(c.service.clone(), |s| w.names(&s.name_fa, &s.name_en));
    let district = w.district(cat, &c.district);
    let (dl, dl_style) = deadline(app, c, now);
    let mut lines = vec![
        Row::new()
            .text(format!("{} ", w.t("case.title")), theme::title())
            .text(format!("{}  ", c.code.spoken()), theme::title())
            .ltr()
            .fill(status, status_style),
        row("case.service", &service, Style::new()),
        Row::new()
            .cell(w.t("case.citizen"), label_w, theme::label())
            .gap(1)
            .text(format!("{}  ", c.citizen_name), Style::new())
            .fill(&c.citizen_phone, Style::new())
            .ltr(),
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
            &w.n(c.escalation_level),
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
        let label = if i == 0 { w.t("case.description") } else { "" };
        lines.push(
            Row::new()
                .cell(label, label_w, theme::label())
                .gap(1)
                .fill(l, Style::new()),
        );
    }
    // Every action, with why the disabled ones are disabled.
    lines.push(Row::line(w.t("case.actions"), theme::title()));
    for spec in &CASE_ACTIONS {
        let a = Action::Case(spec.kind);
        let Some(k) = app.cx.keymap.key_for(Mode::Case, a) else {
            continue;
        };
        let line = match app.case.refusal(&app.cx, spec.kind) {
            None => Row::new()
                .text(format!(" {} ", key_name(app, k)), theme::key())
                .fill(format!(" {}", w.t(&a.desc_key())), Style::new()),
            Some(why) => Row::line(
                format!(" {k}  {} — {}", w.t(&a.desc_key()), w.refusal_short(&why)),
                theme::dim(),
            ),
        };
        lines.push(line);
    }
    text::rows(frame, area, app.cx.flow, &lines);
}

/// Newest first: the timeline's events in words, and every contact;
/// each wrapped to the pane, scrolled by ↑ ↓.
fn timeline(app: &App, r: &CaseRecord, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let width = area.width as usize;
    let mut lines = vec![Row::line(
        format!(
            "{} ({}) · {} ({})",
            w.t("case.timeline"),
            w.n(r.timeline.len()),
            w.t("case.contacts"),
            w.n(r.contacts.len())
        ),
        theme::title(),
    )];
    let mut body = Vec::new();
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
        body.extend(
            wrap(&text, width)
                .into_iter()
                .map(|l| Row::line(l, Style::new())),
        );
    }
    for (i, k) in r.contacts.iter().enumerate().rev() {
        let text = format!(
            "{} ☎{} {} {} {} {}",
            w.time(k.at),
            w.n(i + 1),
            w.code("channel", k.channel.as_str()),
            k.name,
            k.phone,
            k.comment.clone().unwrap_or_default()
        );
        body.extend(
            wrap(&text, width)
                .into_iter()
                .map(|l| Row::line(l, theme::dim())),
        );
    }
    lines.extend(body.into_iter().skip(app.case.scroll as usize));
    text::rows(frame, area, app.cx.flow, &lines);
}

fn prompt(app: &App, p: &Prompt, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let a = Action::Case(p.spec.kind);
    frame.render_widget(Clear, area);
    let inner = text::block(
        frame,
        area,
        flow,
        Borders::ALL,
        &format!(" {} — {} ", w.t(&a.desc_key()), w.t("prompt.submit")),
    );
    let label_w = 28;
    let mut lines = Vec::new();
    if let Some(choice) = p.spec.choice {
        // The choice in focus, with how many there are: ← → changes it.
        let code = p.choices.get(p.choice).copied().unwrap_or_default();
        lines.push(
            Row::new()
                .cell(
                    w.t(&format!("prompt.choice-{}", choice.section())),
                    label_w,
                    if p.on_choice() {
                        theme::focus()
                    } else {
                        theme::label()
                    },
                )
                .gap(1)
                .text(
                    format!(" ‹ {} › ", w.code(choice.section(), code)),
                    theme::selected(),
                )
                .fill(
                    format!(" {}/{}", w.n(p.choice + 1), w.n(p.choices.len())),
                    theme::dim(),
                ),
        );
    }
    let focused = p.focused_field();
    let value_w = inner.width.saturating_sub(label_w as u16 + 2) as usize;
    for (i, (spec, f)) in p.spec.fields.iter().zip(&p.fields).enumerate() {
        let mut label = w.t(&format!("prompt.{}", spec.name)).to_owned();
        if !p.spec.requires(spec, p.choices.get(p.choice).copied()) {
            label = w.fill("prompt.optional", &[("label", &label)]);
        }
        let on = focused == Some(i);
        let (shown, dropped) = tail(&f.text(), value_w);
        // Codes and dates read left to right.
        let ltr = matches!(spec.input, Input::Date | Input::Code);
        let mut row = Row::new()
            .cell(
                &label,
                label_w,
                if on { theme::focus() } else { theme::label() },
            )
            .gap(1)
            .fill(&shown, Style::new());
        if ltr {
            row = row.ltr();
        }
        if on {
            let (x, width) = row.span_of(2, inner.x, inner.width, flow);
            let x = if ltr {
                text::caret_at(
                    &shown,
                    f.cursor().saturating_sub(dropped),
                    x,
                    width,
                    flow,
                    true,
                )
            } else {
                caret_x(&shown, f.cursor().saturating_sub(dropped), x, width, flow)
            };
            frame.set_cursor_position((
                x.min(inner.right().saturating_sub(1)),
                inner.y + lines.len() as u16,
            ));
        }
        lines.push(row);
    }
    // What the field in focus takes: the form of a date; and for a referral,
    // always, the departments its words match.
    let department = p.spec.fields.iter().any(|f| f.input == Input::Department);
    let hint = match focused.and_then(|i| p.spec.fields.get(i)).map(|f| f.input) {
        _ if department => {
            let names: Vec<String> = matching_departments(&app.cx.catalog, &p.value("department"))
                .iter()
                .take(4)
                .map(|d| format!("{} {}", d.code, w.name(&d.name_fa, &d.name_en)))
                .collect();
            names.join(" · ")
        }
        Some(Input::Date) => w.t("prompt.date-hint").to_owned(),
        _ => String::new(),
    };
    lines.push(Row::line(hint, theme::dim()));
    text::rows(frame, inner, flow, &lines);
}
