//! Drawing the managers' figures: the groupings as tabs, a table whose rows
//! carry an on-time gauge, bars of contacts per group, and today's calls
//! per hour beside the same weekday last week (ratatui's own BarChart,
//! LineGauge and Sparkline).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Borders, RenderDirection, Sparkline};

use super::text::{self, Row};
use super::theme;
use crate::app::App;
use crate::report::figures::{Figures, GroupBy};
use crate::report::format::group_label;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let s = &app.report;
    let [head, tabs, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);
    let q = s.query(&app.cx);
    let title = w.fill(
        "figures.title",
        &[
            ("period", w.t(&format!("figures.period.{}", s.period))),
            ("from", &w.date(app.cx.settings.center.local(q.from).date())),
            (
                "to",
                // The last day in the period (it ends at midnight after it).
                &w.date(app.cx.settings.center.local(q.to).date() - chrono::Duration::days(1)),
            ),
        ],
    );
    let mut tab_row = Row::new();
    for g in GroupBy::ALL {
        let style = if *g == s.by {
            theme::tab_active()
        } else {
            theme::tab()
        };
        tab_row = tab_row
            .text(format!(" {} ", w.code("group", g.as_str())), style)
            .gap(1);
    }
    text::rows(
        frame,
        head,
        flow,
        &[Row::new()
            .text(title, theme::title())
            .fill(format!("  {}", w.t("figures.hint")), theme::dim())],
    );
    text::rows(frame, tabs, flow, &[tab_row]);
    let Some(report) = &s.report else {
        text::rows(
            frame,
            body,
            flow,
            &[Row::line(w.t("queue.loading"), theme::dim())],
        );
        return;
    };
    let wide = body.width >= 110;
    let [table_area, side] = if wide {
        text::split_h(
            body,
            flow,
            [Constraint::Percentage(60), Constraint::Percentage(40)],
        )
    } else {
        Layout::vertical([Constraint::Min(6), Constraint::Length(8)]).areas(body)
    };
    table(app, frame, table_area);
    let [bars, hours] = if wide {
        Layout::vertical([Constraint::Min(6), Constraint::Length(8)]).areas(side)
    } else {
        text::split_h(
            side,
            flow,
            [Constraint::Percentage(50), Constraint::Percentage(50)],
        )
    };
    contacts_bars(app, frame, bars, &report.rows);
    sparklines(app, frame, hours);
}

/// The width of the on-time gauge.
const GAUGE: usize = 14;

/// The figures table's column widths.
struct Cols {
    name: usize,
    contacts: usize,
    median: usize,
    satisfied: usize,
    open: usize,
}

/// One row of the table: the group, an on-time gauge, then contacts,
/// median time to answer, satisfaction and backlog.
fn row(app: &App, name: &str, f: &Figures, cols: &Cols, style: Style) -> Row {
    let name_w = cols.name;
    let w = &app.cx.words;
    let pct =
        |x: Option<f64>| x.map_or_else(|| "–".to_owned(), |v| w.n(format!("{:.0}%", v * 100.0)));
    let mut r = Row::new()
        .style(style)
        .cell(name, name_w, Style::new())
        .gap(1);
    r = match f.on_time_share {
        Some(share) => {
            let gauge_style = if share >= 0.9 {
                theme::ok()
            } else if share >= 0.75 {
                theme::warn()
            } else {
                theme::late()
            };
            let label = w.n(format!("{:>3.0}%", share * 100.0));
            let bar_w = GAUGE - 5;
            let filled = ((share.clamp(0.0, 1.0) * bar_w as f64).round() as usize).min(bar_w);
            // The bar fills from the start of the row: the right in a
            // right-to-left layout.
            r.num(label, 4, Style::new())
                .gap(1)
                .cell("━".repeat(filled), filled, gauge_style)
                .cell("─".repeat(bar_w - filled), bar_w - filled, theme::dim())
        }
        None => r.gap(GAUGE),
    };
    r.gap(1)
        .num(w.n(f.contacts), cols.contacts, Style::new())
        .gap(1)
        .num(
            f.median_answer_seconds.map_or_else(
                || "–".to_owned(),
                |s| w.span_short(chrono::Duration::seconds(s)),
            ),
            cols.median,
            Style::new(),
        )
        .gap(1)
        .num(pct(f.satisfaction), cols.satisfied, Style::new())
        .gap(1)
        .num(w.n(f.backlog.iter().sum::<u64>()), cols.open, Style::new())
}

fn table(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let s = &app.report;
    let Some(report) = &s.report else { return };
    // Each column as wide as its heading or its widest figure.
    let heading = |key: &str, least: usize| text::cells(w.t(key)).max(least);
    let mut cols = Cols {
        name: 0,
        contacts: heading("report.col.contacts", 6),
        median: heading("report.col.median", 8),
        satisfied: heading("figures.satisfied", 5),
        open: heading("figures.open", 6),
    };
    let figures = cols.contacts + cols.median + cols.satisfied + cols.open;
    cols.name = (area.width as usize)
        .saturating_sub(GAUGE + figures + 6)
        .clamp(12, 34);
    let t = theme::title();
    let mut lines = vec![
        Row::new()
            .cell(w.code("group", report.by.as_str()), cols.name, t)
            .gap(1)
            .cell(w.t("report.col.on-time"), GAUGE, t)
            .gap(1)
            .num(w.t("report.col.contacts"), cols.contacts, t)
            .gap(1)
            .num(w.t("report.col.median"), cols.median, t)
            .gap(1)
            .num(w.t("figures.satisfied"), cols.satisfied, t)
            .gap(1)
            .num(w.t("figures.open"), cols.open, t),
    ];
    let rows: Vec<(String, &Figures)> = report
        .rows
        .iter()
        .map(|(k, f)| (group_label(w, &app.cx.catalog, report.by, k), f))
        .collect();
    let height = area.height.saturating_sub(2) as usize;
    let start = s.selected.saturating_sub(height.saturating_sub(1));
    for (i, (name, f)) in rows.iter().enumerate().skip(start).take(height) {
        let style = if i == s.selected {
            theme::selected()
        } else {
            Style::new()
        };
        lines.push(row(app, name, f, &cols, style));
    }
    // The total, last.
    lines.push(row(app, w.t("report.all"), &report.total, &cols, t));
    text::rows(frame, area, app.cx.flow, &lines);
}

/// Contacts per group, the largest first (the first twelve): a bar each,
/// growing from the start of the row.
fn contacts_bars(app: &App, frame: &mut Frame, area: Rect, rows: &[(String, Figures)]) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
    let by = app.report.by;
    let inner = text::block(
        frame,
        area,
        flow,
        Borders::TOP,
        &format!(" {} ", w.t("figures.contacts-by")),
    );
    let mut top: Vec<&(String, Figures)> = rows.iter().collect();
    top.sort_by_key(|row| std::cmp::Reverse(row.1.contacts));
    let max = top.first().map_or(1, |r| r.1.contacts.max(1));
    let label_w = (inner.width as usize / 3).clamp(6, 22);
    let room = (inner.width as usize).saturating_sub(label_w + 2 + 6);
    let lines: Vec<Row> = top
        .iter()
        .take(12.min(inner.height as usize))
        .map(|(k, f)| {
            let name = group_label(w, &app.cx.catalog, by, k);
            let len = ((f.contacts as f64 / max as f64) * room as f64).round() as usize;
            Row::new()
                .cell(name, label_w, Style::new())
                .gap(1)
                .cell("█".repeat(len.max(1)), len.max(1), theme::label())
                .gap(1)
                .text(w.n(f.contacts), theme::key())
        })
        .collect();
    text::rows(frame, inner, flow, &lines);
}

/// Today's calls per hour, and the same weekday last week (the first hour
/// at the start of the row: on the right in a right-to-left layout).
fn sparklines(app: &App, frame: &mut Frame, area: Rect) {
    let w = &app.cx.words;
    let flow = app.cx.flow;
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
        let inner = text::block(
            frame,
            rect,
            flow,
            Borders::TOP,
            &format!(" {} ", w.fill(key, &[("n", &w.n(total))])),
        );
        let spark = Sparkline::default()
            .data(data)
            .max(max)
            .style(style)
            .direction(if flow.rtl {
                RenderDirection::RightToLeft
            } else {
                RenderDirection::LeftToRight
            });
        let used = (data.len() as u16).min(inner.width);
        let x = if flow.rtl {
            inner.right() - used
        } else {
            inner.x
        };
        frame.render_widget(spark, Rect::new(x, inner.y, used, inner.height));
    }
}
