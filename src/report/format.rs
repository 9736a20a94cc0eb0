//! Reports and handovers put into words: a table for the terminal, Markdown
//! that prints cleanly on paper, CSV for a spreadsheet, JSON for scripts.
//! Labels and codes are said through `present`; citizen text never appears
//! here except a handed-over case's service and district names.

use std::fmt::Write as _;

use serde::Serialize;

use super::figures::{AGE_BANDS, Figures, GroupBy, Report};
use super::handover::{HandedOver, Handover, Work};
use crate::domain::catalog::Catalog;
use crate::present::Words;
use crate::text::{for_terminal, pad};

/// How a report or a handover is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Md,
    Csv,
    Json,
}

/// A group's name for people: a department's or a service's name, a
/// category's or a channel's word, a shift's date and name.
pub fn group_label(w: &Words, cat: &Catalog, by: GroupBy, key: &str) -> String {
    match by {
        GroupBy::Department => w.department(cat, key),
        GroupBy::Service => w.service(cat, key),
        GroupBy::Category => w.code("category", key),
        GroupBy::Channel => w.code("channel", key),
        GroupBy::District => w.district(cat, key),
        GroupBy::Operator => key.to_owned(),
        GroupBy::Shift => {
            crate::domain::shift::Shift::parse(key).map_or_else(|| key.to_owned(), |s| w.shift(&s))
        }
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_owned(), |v| format!("{:.0}%", v * 100.0))
}

fn span(w: &Words, secs: Option<i64>) -> String {
    secs.map_or_else(|| "–".to_owned(), |s| w.span(chrono::Duration::seconds(s)))
}

/// A report's column: its header, and its value in a row.
type Column<'a> = (String, Box<dyn Fn(&Figures) -> String + 'a>);

/// The columns of a report, in order.
fn columns(w: &Words) -> Vec<Column<'_>> {
    let n = |f: fn(&Figures) -> u64| {
        Box::new(move |x: &Figures| f(x).to_string()) as Box<dyn Fn(&Figures) -> String>
    };
    let mut cols: Vec<Column<'_>> = vec![
        (w.t("report.col.contacts").to_owned(), n(|f| f.contacts)),
        (w.t("report.col.cases").to_owned(), n(|f| f.cases)),
        (
            w.t("report.col.on-time").to_owned(),
            Box::new(|f: &Figures| {
                format!(
                    "{} {}/{}",
                    percent(f.on_time_share),
                    f.on_time,
                    f.on_time + f.late
                )
            }),
        ),
        (
            w.t("report.col.median").to_owned(),
            Box::new(move |f: &Figures| span(w, f.median_answer_seconds)),
        ),
        (
            w.t("report.col.p90").to_owned(),
            Box::new(move |f: &Figures| span(w, f.p90_answer_seconds)),
        ),
        (
            w.t("report.col.satisfied").to_owned(),
            Box::new(|f: &Figures| {
                format!(
                    "{} {}/{}",
                    percent(f.satisfaction),
                    f.satisfied,
                    f.satisfied + f.dissatisfied
                )
            }),
        ),
        (
            w.t("report.col.unreachable").to_owned(),
            Box::new(|f: &Figures| percent(f.unreachable_rate)),
        ),
        (
            w.t("report.col.reopened").to_owned(),
            Box::new(|f: &Figures| format!("{} {}", percent(f.reopen_rate), f.reopened)),
        ),
        (
            w.t("report.col.escalations").to_owned(),
            n(|f| f.escalations),
        ),
        (
            w.t("report.col.repeat").to_owned(),
            n(|f| f.repeat_contacts),
        ),
    ];
    for i in 0..=AGE_BANDS.len() {
        let name = band_name(w, i);
        cols.push((name, Box::new(move |f: &Figures| f.backlog[i].to_string())));
    }
    cols
}

/// "< 1d", "1-3d", …, "> 30d": the backlog's age bands.
pub fn band_name(w: &Words, i: usize) -> String {
    match i {
        0 => w.fill("report.band.first", &[("d", &AGE_BANDS[0].to_string())]),
        i if i == AGE_BANDS.len() => {
            w.fill("report.band.last", &[("d", &AGE_BANDS[i - 1].to_string())])
        }
        i => w.fill(
            "report.band.mid",
            &[
                ("from", &AGE_BANDS[i - 1].to_string()),
                ("to", &AGE_BANDS[i].to_string()),
            ],
        ),
    }
}

/// The report's title line.
fn title(w: &Words, r: &Report) -> String {
    w.fill(
        "report.title",
        &[
            ("from", &w.time(r.from)),
            ("to", &w.time(r.to)),
            ("by", &w.code("group", r.by.as_str())),
        ],
    )
}

/// Writes `r` in `format`.
pub fn report(
    out: &mut dyn std::io::Write,
    w: &Words,
    cat: &Catalog,
    r: &Report,
    format: Format,
) -> std::io::Result<()> {
    let cols = columns(w);
    let label = |key: &str| group_label(w, cat, r.by, key);
    let all = w.t("report.all").to_owned();
    let mut rows: Vec<(String, &Figures)> = r.rows.iter().map(|(k, f)| (label(k), f)).collect();
    // Names in alphabetical order; shifts as they came (see `in_time_order`).
    if r.by != GroupBy::Shift {
        rows.sort_by(|a, b| a.0.cmp(&b.0));
    }
    rows.push((all, &r.total));
    match format {
        Format::Json => json(out, r),
        Format::Csv => {
            let mut line = vec![csv_field(&w.code("group", r.by.as_str()))];
            line.extend(cols.iter().map(|(h, _)| csv_field(h)));
            writeln!(out, "{}", line.join(","))?;
            for (name, f) in &rows {
                let mut line = vec![csv_field(name)];
                line.extend(cols.iter().map(|(_, v)| csv_field(&v(f))));
                writeln!(out, "{}", line.join(","))?;
            }
            Ok(())
        }
        Format::Md => {
            writeln!(out, "# {}\n", title(w, r))?;
            let mut head = format!("| {} |", w.code("group", r.by.as_str()));
            let mut rule = String::from("|---|");
            for (h, _) in &cols {
                let _ = write!(head, " {h} |");
                rule.push_str("--:|");
            }
            writeln!(out, "{head}\n{rule}")?;
            for (name, f) in &rows {
                let mut line = format!("| {} |", md_cell(name));
                for (_, v) in &cols {
                    let _ = write!(line, " {} |", v(f));
                }
                writeln!(out, "{line}")?;
            }
            writeln!(out, "\n{}", w.t("report.notes"))
        }
        Format::Text => {
            writeln!(out, "{}\n", title(w, r))?;
            let name_w = rows
                .iter()
                .map(|(n, _)| crate::text::width(n))
                .max()
                .unwrap_or(10)
                .clamp(10, 34);
            let widths: Vec<usize> = cols
                .iter()
                .map(|(h, v)| {
                    rows.iter()
                        .map(|(_, f)| crate::text::width(&v(f)))
                        .chain([crate::text::width(h)])
                        .max()
                        .unwrap_or(4)
                })
                .collect();
            let mut head = pad(&w.code("group", r.by.as_str()), name_w);
            for ((h, _), cw) in cols.iter().zip(&widths) {
                let _ = write!(head, "  {}", pad(h, *cw));
            }
            writeln!(out, "{}", head.trim_end())?;
            for (name, f) in &rows {
                let mut line = pad(&for_terminal(name), name_w);
                for ((_, v), cw) in cols.iter().zip(&widths) {
                    let _ = write!(line, "  {}", pad(&v(f), *cw));
                }
                writeln!(out, "{}", line.trim_end())?;
            }
            writeln!(out, "\n{}", w.t("report.notes"))
        }
    }
}

fn json<T: Serialize>(out: &mut dyn std::io::Write, v: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn md_cell(s: &str) -> String {
    for_terminal(s).replace('|', "\\|")
}

fn work_line(w: &Words, name: &str, k: &Work) -> String {
    w.fill(
        "handover.work",
        &[
            ("who", name),
            ("contacts", &k.contacts.to_string()),
            ("referred", &k.referred.to_string()),
            ("resolved", &k.resolved.to_string()),
            ("closed", &k.closed.to_string()),
            ("cancelled", &k.cancelled.to_string()),
            ("feedback", &k.feedback_calls.to_string()),
            ("escalations", &k.escalations.to_string()),
        ],
    )
}

/// A handed-over case in one line: code, why now, service, where (the
/// most telling first, as a narrow screen cuts the end).
pub fn case_line(
    w: &Words,
    cat: &Catalog,
    c: &crate::domain::case::Case,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let when = if c.status.awaits_department() && c.has_deadline() {
        w.left(c.due_at, now)
    } else {
        w.code("status", c.status.as_str())
    };
    format!(
        "{} · {} · {} · {} · {}",
        c.code,
        when,
        w.service(cat, &c.service),
        w.department(cat, &c.department),
        w.district(cat, &c.district),
    )
}

/// Writes a handover in `format` (CSV is not offered for it: JSON instead).
pub fn handover(
    out: &mut dyn std::io::Write,
    w: &Words,
    cat: &Catalog,
    h: &Handover,
    now: chrono::DateTime<chrono::Utc>,
    format: Format,
) -> std::io::Result<()> {
    if matches!(format, Format::Json | Format::Csv) {
        return json(out, h);
    }
    let md = format == Format::Md;
    let heading = |level: usize, text: &str| {
        if md {
            format!("{} {text}\n", "#".repeat(level))
        } else {
            format!(
                "{text}\n{}",
                if level == 1 {
                    "=".repeat(crate::text::width(text))
                } else {
                    "-".repeat(crate::text::width(text))
                }
            )
        }
    };
    let item = |text: &str| {
        if md {
            format!("- {}", md_cell(text))
        } else {
            format!("  {}", for_terminal(text))
        }
    };
    let a = &h.activity;
    writeln!(
        out,
        "{}",
        heading(
            1,
            &w.fill(
                "handover.title",
                &[
                    ("shift", &w.shift(&h.shift)),
                    ("from", &w.time(h.start)),
                    ("to", &w.time(h.end)),
                ],
            )
        )
    )?;
    match &h.record {
        Some(r) if r.accepted() => writeln!(
            out,
            "{}\n",
            item(&w.fill(
                "handover.accepted",
                &[
                    ("who", r.accepted_by.as_deref().unwrap_or("")),
                    (
                        "when",
                        &r.accepted_at.map(|t| w.time(t)).unwrap_or_default()
                    ),
                ],
            ))
        )?,
        _ => writeln!(out, "{}\n", item(w.t("handover.not-accepted")))?,
    }
    writeln!(out, "{}", heading(2, w.t("handover.did")))?;
    writeln!(
        out,
        "{}",
        item(&w.fill(
            "handover.contacts",
            &[
                ("n", &a.all.contacts.to_string()),
                ("new", &a.registered.to_string()),
                ("attached", &a.attached.to_string()),
            ],
        ))
    )?;
    let by_channel: Vec<String> = a
        .contacts_by_channel
        .iter()
        .map(|(c, n)| format!("{} {n}", w.code("channel", c.as_str())))
        .collect();
    writeln!(
        out,
        "{}",
        item(&format!(
            "{}: {}",
            w.t("handover.by-channel"),
            by_channel.join(", ")
        ))
    )?;
    let by_category: Vec<String> = a
        .contacts_by_category
        .iter()
        .map(|(c, n)| format!("{} {n}", w.code("category", c.as_str())))
        .collect();
    writeln!(
        out,
        "{}",
        item(&format!(
            "{}: {}",
            w.t("handover.by-category"),
            by_category.join(", ")
        ))
    )?;
    writeln!(
        out,
        "{}",
        item(&work_line(w, w.t("handover.everyone"), &a.all))
    )?;
    let feedback: Vec<String> = a
        .feedback
        .iter()
        .map(|(f, n)| format!("{} {n}", w.code("feedback", f.as_str())))
        .collect();
    if !feedback.is_empty() {
        writeln!(
            out,
            "{}",
            item(&format!(
                "{}: {}",
                w.t("handover.feedback"),
                feedback.join(", ")
            ))
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", heading(3, w.t("handover.per-operator")))?;
    for (name, k) in &a.by_operator {
        writeln!(out, "{}", item(&work_line(w, &w.person(name), k)))?;
    }
    writeln!(out)?;
    let lists_heading = if h.as_of >= h.next_end {
        w.fill("handover.open-now", &[("when", &w.time(h.as_of))])
    } else {
        w.fill("handover.hands-over", &[("next", &w.shift(&h.next))])
    };
    writeln!(out, "{}", heading(2, &lists_heading))?;
    for l in &h.lists {
        list(out, w, cat, l, now, md)?;
    }
    writeln!(out, "{}", heading(2, w.t("handover.notes")))?;
    match h.record.as_ref().filter(|r| !r.notes.trim().is_empty()) {
        Some(r) => {
            for line in r.notes.lines() {
                writeln!(out, "{}", item(line))?;
            }
            writeln!(
                out,
                "\n{}",
                item(&w.fill(
                    "handover.noted",
                    &[
                        ("who", r.noted_by.as_deref().unwrap_or("")),
                        ("when", &r.noted_at.map(|t| w.time(t)).unwrap_or_default()),
                    ],
                ))
            )
        }
        None => writeln!(out, "{}", item(w.t("handover.no-notes"))),
    }
}

fn list(
    out: &mut dyn std::io::Write,
    w: &Words,
    cat: &Catalog,
    l: &HandedOver,
    now: chrono::DateTime<chrono::Utc>,
    md: bool,
) -> std::io::Result<()> {
    let title = w.fill(
        &format!("handover.list.{}", l.kind.key()),
        &[("n", &l.total.to_string())],
    );
    if md {
        writeln!(out, "### {title}\n")?;
    } else {
        writeln!(out, "{title}")?;
    }
    for c in &l.cases {
        let text = case_line(w, cat, c, now);
        if md {
            writeln!(out, "- {}", md_cell(&text))?;
        } else {
            writeln!(out, "  {}", for_terminal(&text))?;
        }
    }
    let more = l.total.saturating_sub(l.cases.len() as u64);
    if more > 0 {
        let text = w.fill("handover.more", &[("n", &more.to_string())]);
        writeln!(out, "{}{text}", if md { "- " } else { "  " })?;
    }
    if l.total == 0 {
        writeln!(
            out,
            "{}{}",
            if md { "- " } else { "  " },
            w.t("handover.empty")
        )?;
    }
    writeln!(out)
}
