//! Drawing the managers' figures: the groupings as tabs, a table whose rows
//! carry an on-time gauge, bars of contacts per group, and today's calls
//! per hour beside the same weekday last week (ratatui's own BarChart,
//! LineGauge and Sparkline).

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, LineGauge, Paragraph, Sparkline};

use super::text::{cell, cut};
use super::theme;
use crate::app::App;
use crate::report::figures::{Figures, GroupBy};
use crate::report::format::group_label;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.report;
    let [head, tabs, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);
    let q = s.query(&app.cx);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                w.fill(
                    "figures.title",
                    &[
                        ("period", w.t(&format!("figures.period.{}", s.period))),
                        ("from", &w.date(app.cx.settings.center.local(q.from).date())),
                        (
                            "to",
                            // The last day in the period (it ends at midnight after it).
                            &w.date(
                                app.cx.settings.center.local(q.to).date()
                                    - chrono::Duration::days(1),
                            ),
                        ),
                    ],
                ),
                theme::title(),
            ),
            Span::styled(format!("  {}", w.t("figures.hint")), theme::dim()),
        ])),
        head,
    );
    let mut spans = Vec::new();
    for g in GroupBy::ALL {
        let style = if *g == s.by {
            theme::tab_active()
        } else {
            theme::tab()
        };
        spans.push(Span::styled(
            format!(" {} ", w.code("group", g.as_str())),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
    let Some(report) = &s.report else {
        frame.render_widget(
            Paragraph::new(Span::styled(w.t("queue.loading").to_owned(), theme::dim())),
            body,
        );
        return;
    };
    let wide = body.width >= 110;
    let [table_area, side] = if wide {
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(body)
    } else {
        Layout::vertical([Constraint::Min(6), Constraint::Length(8)]).areas(body)
    };
    table(app, frame, table_area);
    let [bars, hours] = if wide {
        Layout::vertical([Constraint::Min(6), Constraint::Length(8)]).areas(side)
    } else {
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(side)
    };
    contacts_bars(app, frame, bars, &report.rows);
    sparklines(app, frame, hours);
}

/// A row of figures in words: contacts, median time to answer, satisfaction, backlog.
fn numbers(app: &App, f: &Figures) -> String {
    let w = &app.cx.words;
    let pct = |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |v| format!("{:.0}%", v * 100.0));
    format!(
        "{:>6} {:>8} {:>5} {:>6}",
        f.contacts,
        f.median_answer_seconds
            .map_or_else(|| "–".to_owned(), |s| w.span(chrono::Duration::seconds(s))),
        pct(f.satisfaction),
        f.backlog.iter().sum::<u64>()
    )
}

fn table(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.report;
    let Some(report) = &s.report else { return };
    let name_w = (area.width as usize).saturating_sub(48).clamp(12, 34);
    let gauge_w = 14u16;
    let head = format!(
        "{} {} {:>6} {:>8} {:>5} {:>6}",
        cell(&w.code("group", report.by.as_str()), name_w),
        cell(w.t("report.col.on-time"), gauge_w as usize),
        w.t("report.col.contacts"),
        w.t("report.col.median"),
        w.t("figures.satisfied"),
        w.t("figures.open"),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            cut(&head, area.width as usize),
            theme::title(),
        )),
        Rect::new(area.x, area.y, area.width, 1),
    );
    let rows: Vec<(String, &Figures)> = report
        .rows
        .iter()
        .map(|(k, f)| (group_label(w, &app.cx.catalog, report.by, k), f))
        .collect();
    let height = area.height.saturating_sub(2) as usize;
    let start = s.selected.saturating_sub(height.saturating_sub(1));
    for (n, (i, (name, f))) in rows.iter().enumerate().skip(start).take(height).enumerate() {
        let y = area.y + 1 + n as u16;
        let style = if i == s.selected {
            theme::selected()
        } else {
            Style::new()
        };
        draw_row(
            frame,
            area,
            y,
            name_w,
            gauge_w,
            name,
            f,
            style,
            &numbers(app, f),
        );
    }
    // The total, last.
    let y = area.y + 1 + rows.len().min(height) as u16;
    if y < area.bottom() {
        let all = w.t("report.all");
        draw_row(
            frame,
            area,
            y,
            name_w,
            gauge_w,
            all,
            &report.total,
            theme::title(),
            &numbers(app, &report.total),
        );
    }
}

#[allow(clippy::too_many_arguments)] // one row's cells, each placed
fn draw_row(
    frame: &mut Frame,
    area: Rect,
    y: u16,
    name_w: usize,
    gauge_w: u16,
    name: &str,
    f: &Figures,
    style: Style,
    numbers: &str,
) {
    frame.render_widget(
        Paragraph::new(Span::styled(cell(name, name_w), style)),
        Rect::new(area.x, y, name_w as u16, 1),
    );
    let gx = area.x + name_w as u16 + 1;
    if let Some(share) = f.on_time_share {
        let gauge_style = if share >= 0.9 {
            theme::ok()
        } else if share >= 0.75 {
            theme::warn()
        } else {
            theme::late()
        };
        frame.render_widget(
            LineGauge::default()
                .ratio(share.clamp(0.0, 1.0))
                .label(format!("{:>3.0}%", share * 100.0))
                .filled_symbol(ratatui::symbols::line::THICK_HORIZONTAL)
                .filled_style(gauge_style)
                .unfilled_style(theme::dim()),
            Rect::new(gx, y, gauge_w.min(area.right().saturating_sub(gx)), 1),
        );
    }
    let nx = gx + gauge_w + 1;
    if nx < area.right() {
        frame.render_widget(
            Paragraph::new(Span::styled(numbers.to_owned(), style)),
            Rect::new(nx, y, area.right() - nx, 1),
        );
    }
}

/// Contacts per group, the largest first (the first twelve).
fn contacts_bars(app: &App, frame: &mut Frame, area: Rect, rows: &[(String, Figures)]) {
    let w = &app.cx.words;
    let by = app.report.by;
    let mut top: Vec<&(String, Figures)> = rows.iter().collect();
    top.sort_by_key(|row| std::cmp::Reverse(row.1.contacts));
    let bars: Vec<Bar> = top
        .iter()
        .take(12)
        .map(|(k, f)| {
            let name = group_label(w, &app.cx.catalog, by, k);
            Bar::default()
                .value(f.contacts)
                .label(Line::from(cut(&name, 22)))
                .text_value(f.contacts.to_string())
        })
        .collect();
    let chart = BarChart::default()
        .block(
            Block::new()
                .borders(Borders::TOP)
                .title(format!(" {} ", w.t("figures.contacts-by"))),
        )
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .bar_style(theme::label())
        .value_style(theme::key())
        .data(BarGroup::default().bars(&bars));
    frame.render_widget(chart, area);
}

/// Today's calls per hour, and the same weekday last week.
fn sparklines(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let Some([today, last_week]) = &app.report.hourly else {
        return;
    };
    let [a, b] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    // One scale for both, so that the two days compare at a glance.
    let max = today
        .iter()
        .chain(last_week)
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    for (rect, data, key, style) in [
        (a, today, "figures.today", theme::ok()),
        (b, last_week, "figures.last-week", theme::dim()),
    ] {
        let total: u64 = data.iter().sum();
        frame.render_widget(
            Sparkline::default()
                .block(
                    Block::new()
                        .borders(Borders::TOP)
                        .title(format!(" {} ", w.fill(key, &[("n", &total.to_string())]))),
                )
                .data(data)
                .max(max)
                .style(style),
            rect,
        );
    }
}
