//! Text for people: every piece of stored text passes through `safe` (control
//! characters and escape sequences neutralized) and columns are measured in
//! terminal cells, not bytes.

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::{DateTime, Duration, Utc};

use super::CatalogPart;
use crate::domain::case::{Case, CaseRecord, Status};
use crate::domain::catalog::Catalog;
use crate::domain::roles::ActionKind;
use crate::present::Words;
use crate::store::{Operator, QueueCounts};
use crate::text::{for_terminal, pad};

/// Stored text made safe for a terminal.
pub fn safe(s: &str) -> Cow<'_, str> {
    for_terminal(s)
}

fn service_name(catalog: &Catalog, code: &str, w: &Words) -> String {
    catalog
        .service(code)
        .map_or_else(|| code.to_owned(), |s| both(w, &s.name_fa, &s.name_en))
}

/// A catalog entry's name: in English both names, "Name (نام)"; in
/// Persian the Persian one.
fn both(w: &Words, fa: &str, en: &str) -> String {
    match w.lang() {
        crate::locale::Lang::En => format!("{en} ({fa})"),
        crate::locale::Lang::Fa => fa.to_owned(),
    }
}

/// A domain code as a message says it: in English the code itself (what the
/// command line takes), in Persian the locale's word (`code.<kind>.<code>`).
pub(super) fn code_word(w: &Words, kind: &str, code: &str) -> String {
    match w.lang() {
        crate::locale::Lang::En => code.to_owned(),
        crate::locale::Lang::Fa => w.code(kind, code),
    }
}

pub fn registered(out: &mut dyn Write, c: &Case, catalog: &Catalog, w: &Words) -> io::Result<()> {
    let code = c.code.to_string();
    let department = w.department(catalog, &c.department);
    writeln!(
        out,
        "{}",
        w.fill(
            "cli.registered.title",
            &[("code", &code), ("spoken", &c.code.spoken())]
        )
    )?;
    let line = |out: &mut dyn Write, label: &str, value: &str| {
        writeln!(out, "  {}  {value}", pad(w.t(label), 10))
    };
    line(
        out,
        "cli.registered.service",
        &safe(&service_name(catalog, &c.service, w)),
    )?;
    line(out, "cli.registered.department", &department)?;
    let status = if c.status == Status::Referred {
        w.fill("cli.registered.referred", &[("department", &department)])
    } else {
        w.fill(
            "cli.registered.not-referred",
            &[("status", &w.word("status", c.status.as_str()))],
        )
    };
    line(out, "cli.registered.status", &status)?;
    line(
        out,
        "cli.registered.due",
        &w.fill(
            "cli.registered.due-at",
            &[
                ("time", &w.time(c.due_at)),
                ("hours", &w.n(c.deadline_hours)),
            ],
        ),
    )
}

pub fn acted(out: &mut dyn Write, c: &Case, action: ActionKind, w: &Words) -> io::Result<()> {
    let done = match action {
        ActionKind::Refer => "refer",
        ActionKind::Resolve => "resolve",
        ActionKind::Feedback => "feedback",
        ActionKind::Escalate => "escalate",
        ActionKind::Close => "close",
        ActionKind::Cancel => "cancel",
        ActionKind::Reopen => "reopen",
        ActionKind::Note => "note",
        ActionKind::Attach => "attach",
        ActionKind::Take => "take",
        ActionKind::CallBack => "call-back",
        ActionKind::Register | ActionKind::Import | ActionKind::ManageOperators => "other",
    };
    let mut status = w.word("status", c.status.as_str());
    if let Some(o) = c.outcome {
        status = w.fill(
            "cli.acted.with-outcome",
            &[
                ("status", &status),
                ("outcome", &code_word(w, "outcome", o.as_str())),
            ],
        );
    }
    write!(
        out,
        "{}",
        w.fill(
            "cli.acted.line",
            &[
                ("code", &c.code.to_string()),
                ("done", w.t(&format!("cli.acted.{done}"))),
                ("status", &status),
            ]
        )
    )?;
    if c.status.awaits_department() {
        write!(
            out,
            "{}",
            w.fill("cli.acted.due", &[("time", &w.time(c.due_at))])
        )?;
    }
    writeln!(
        out,
        "{}",
        w.fill("cli.acted.version", &[("version", &w.n(c.version))])
    )
}

#[allow(clippy::many_single_char_names)] // out, the record, its case, the words: read in every line
pub fn case_detail(
    out: &mut dyn Write,
    r: &CaseRecord,
    catalog: &Catalog,
    w: &Words,
    now: DateTime<Utc>,
) -> io::Result<()> {
    let center = &w.center;
    let c = &r.case;
    let line = |out: &mut dyn Write, label: &str, value: &str| -> io::Result<()> {
        let mut lines = value.lines();
        writeln!(
            out,
            "  {}  {}",
            pad(w.t(&format!("cli.case.{label}")), 13),
            safe(lines.next().unwrap_or(""))
        )?;
        for l in lines {
            writeln!(out, "  {}  {}", pad("", 13), safe(l))?;
        }
        Ok(())
    };
    writeln!(
        out,
        "{}",
        w.fill(
            "cli.case.title",
            &[
                ("code", &c.code.to_string()),
                ("spoken", &c.code.spoken()),
                ("version", &w.n(c.version)),
            ]
        )
    )?;
    let mut status = w.word("status", c.status.as_str());
    if let Some(o) = c.outcome {
        status = w.fill(
            "cli.acted.with-outcome",
            &[
                ("status", &status),
                ("outcome", &code_word(w, "outcome", o.as_str())),
            ],
        );
    }
    if c.is_overdue(now) {
        status = w.fill("cli.case.overdue", &[("status", &status)]);
    }
    line(out, "status", &status)?;
    line(out, "kind", &code_word(w, "kind", c.kind.as_str()))?;
    line(out, "service", &service_name(catalog, &c.service, w))?;
    line(
        out,
        "category",
        &code_word(w, "category", c.category.as_str()),
    )?;
    line(
        out,
        "priority",
        &code_word(w, "priority", c.priority.as_str()),
    )?;
    line(
        out,
        "citizen",
        &format!("{}  {}", c.citizen_name, c.citizen_phone),
    )?;
    let district = catalog
        .district(&c.district)
        .map_or_else(|| c.district.clone(), |d| both(w, &d.name_fa, &d.name_en));
    line(out, "district", &district)?;
    if !c.neighborhood.is_empty() {
        line(out, "neighborhood", &c.neighborhood)?;
    }
    line(out, "address", &c.address)?;
    line(out, "description", &c.description)?;
    line(out, "channel", &code_word(w, "channel", c.channel.as_str()))?;
    line(out, "received", &w.time(c.received_at))?;
    line(
        out,
        "registered",
        &w.fill(
            "cli.case.registered-by",
            &[
                ("time", &w.time(c.registered_at)),
                ("who", &c.registered_by),
            ],
        ),
    )?;
    line(out, "department", &w.department(catalog, &c.department))?;
    line(
        out,
        "held-by",
        c.assignee.as_deref().unwrap_or(w.t("cli.case.nobody")),
    )?;
    let due = if c.status.awaits_department() {
        format!("{} ({})", w.time(c.due_at), w.left(c.due_at, now))
    } else {
        w.time(c.due_at)
    };
    line(out, "due", &due)?;
    if c.escalation_level > 0 {
        line(out, "escalation", &w.n(c.escalation_level))?;
    }
    if let Some(resp) = &c.response {
        line(out, "response", resp)?;
    }
    if let Some(f) = c.feedback {
        let tries = match c.feedback_attempts {
            0 => String::new(),
            n => w.fill("cli.case.tries", &[("n", &w.n(n))]),
        };
        line(
            out,
            "feedback",
            &format!("{}{tries}", code_word(w, "feedback", f.as_str())),
        )?;
    }
    if let Some(d) = c.duplicate_of {
        line(out, "duplicate-of", &d.to_string())?;
    }
    if let Some(t) = c.call_back_at {
        line(out, "call-back", &w.date(center.local(t).date()))?;
    }
    if let Some(t) = c.closed_at {
        line(out, "closed", &w.time(t))?;
    }
    writeln!(
        out,
        "{}",
        w.fill("cli.case.contacts", &[("n", &w.n(r.contacts.len()))])
    )?;
    for k in &r.contacts {
        write!(
            out,
            "  {}  {}  {}  {}",
            w.time(k.at),
            pad(&code_word(w, "channel", k.channel.as_str()), 8),
            safe(&k.name),
            safe(&k.phone)
        )?;
        if let Some(cm) = &k.comment {
            write!(out, "  — {}", safe(cm))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", w.t("cli.case.timeline"))?;
    let st = |s: Status| w.word("status", s.as_str());
    for e in &r.timeline {
        let transition = match (e.from, e.to) {
            (Some(f), Some(t)) if f != t => format!("{} → {}", st(f), st(t)),
            (None, Some(t)) => format!("→ {}", st(t)),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {:>3}  {}  {}  {}  {}  {}  {}",
            w.n(e.seq),
            w.time(e.at),
            pad(
                &match w.lang() {
                    crate::locale::Lang::En => e.shift.to_string(),
                    crate::locale::Lang::Fa => w.shift(&e.shift),
                },
                18
            ),
            pad(&safe(&e.actor), 10),
            pad(&code_word(w, "action", e.what.kind().as_str()), 9),
            pad(&transition, 22),
            safe(&w.event(&e.what, catalog)).replace('\n', " ⏎ ")
        )?;
    }
    Ok(())
}

pub fn queue(
    out: &mut dyn Write,
    cases: &[Case],
    catalog: &Catalog,
    w: &Words,
    now: DateTime<Utc>,
    offset: u32,
) -> io::Result<()> {
    if cases.is_empty() {
        return writeln!(
            out,
            "{}",
            if offset > 0 {
                w.t("cli.queue.no-more")
            } else {
                w.t("cli.queue.empty")
            }
        );
    }
    let h = |k: &str| w.t(&format!("cli.queue.col.{k}")).to_owned();
    writeln!(
        out,
        "{}  {}  {}  {}  {}  {}  {}",
        pad(&h("code"), 9),
        pad(&h("age"), 7),
        pad(&h("service"), 28),
        pad(&h("department"), 24),
        pad(&h("district"), 10),
        pad(&h("status"), 10),
        h("deadline"),
    )?;
    for c in cases {
        let service = w.service(catalog, &c.service);
        let district = w.district(catalog, &c.district);
        let deadline = if c.status.awaits_department() {
            w.left(c.due_at, now)
        } else if c.status == Status::FollowUp {
            w.fill(
                "cli.queue.escalated-ago",
                &[("time", &w.span(now - c.status_since))],
            )
        } else {
            w.fill(
                "cli.queue.since",
                &[("time", &w.span(now - c.status_since))],
            )
        };
        let urgent = if c.priority == crate::domain::case::Priority::Urgent {
            " !"
        } else {
            ""
        };
        writeln!(
            out,
            "{}  {}  {}  {}  {}  {}  {deadline}{urgent}",
            c.code,
            pad(&w.span(now - c.received_at), 7),
            pad(&service, 28),
            pad(&w.department(catalog, &c.department), 24),
            pad(&district, 10),
            pad(&w.word("status", c.status.as_str()), 10),
        )?;
    }
    Ok(())
}

pub fn counts(out: &mut dyn Write, c: &QueueCounts, within: Duration, w: &Words) -> io::Result<()> {
    let within = w.span(within);
    let rows = [
        ("unreferred", c.unreferred),
        ("overdue", c.overdue),
        ("due-soon", c.due_soon),
        ("feedback", c.feedback),
        ("follow-up", c.follow_up),
        ("mine", c.mine),
    ];
    for (name, n) in rows {
        let what = w.fill(&format!("cli.counts.{name}"), &[("within", &within)]);
        writeln!(out, "{}  {:>8}  {what}", pad(name, 10), w.n(n))?;
    }
    Ok(())
}

pub fn operators(out: &mut dyn Write, ops: &[Operator], w: &Words) -> io::Result<()> {
    let h = |k: &str| w.t(&format!("cli.operators.{k}")).to_owned();
    writeln!(
        out,
        "{}  {}  {}  {}  {}",
        pad(&h("name"), 16),
        pad(&h("display-name"), 24),
        pad(&h("role"), 11),
        pad(&h("state"), 8),
        h("since")
    )?;
    for o in ops {
        writeln!(
            out,
            "{}  {}  {}  {}  {}",
            pad(&o.name, 16),
            pad(&safe(&o.display_name), 24),
            pad(&w.word("role", o.role.as_str()), 11),
            pad(&h(if o.active { "active" } else { "disabled" }), 8),
            w.time(o.created_at)
        )?;
    }
    Ok(())
}

/// The catalog: in English each entry's English and Persian names; in
/// Persian its Persian name alone.
pub fn catalog(out: &mut dyn Write, c: &Catalog, part: CatalogPart, w: &Words) -> io::Result<()> {
    let english = w.lang() == crate::locale::Lang::En;
    // The English name's column, and the space after it, or nothing.
    let en = |name: &str, cols: usize| {
        if english {
            format!("{}  ", pad(&safe(name), cols))
        } else {
            String::new()
        }
    };
    match part {
        CatalogPart::Services => {
            for s in c.services.iter().filter(|s| s.active) {
                let dept = if s.department == crate::domain::catalog::DISTRICT_OFFICE {
                    w.t("cli.catalog.district-office").to_owned()
                } else {
                    w.department(c, &s.department)
                };
                writeln!(
                    out,
                    "{}  {}  {}  {}  {}{}",
                    pad(&s.code, 22),
                    pad(&code_word(w, "category", s.category.as_str()), 17),
                    pad(
                        &w.fill("cli.catalog.hours", &[("n", &w.n(s.deadline_hours))]),
                        if english { 5 } else { 8 }
                    ),
                    pad(&dept, 34),
                    en(&s.name_en, 40),
                    safe(&s.name_fa)
                )?;
            }
        }
        CatalogPart::Departments => {
            for d in &c.departments {
                writeln!(
                    out,
                    "{}  {}{}",
                    pad(&d.code, 16),
                    en(&d.name_en, 36),
                    safe(&d.name_fa)
                )?;
            }
        }
        CatalogPart::Districts => {
            for d in &c.districts {
                writeln!(
                    out,
                    "{}  {}{}  {}  {}",
                    pad(&d.code, 4),
                    en(&d.name_en, 12),
                    pad(&safe(&d.name_fa), 10),
                    w.fill("cli.catalog.office", &[("office", &pad(&d.office, 6))]),
                    safe(&d.neighborhoods.join("، "))
                )?;
            }
        }
    }
    Ok(())
}

/// What `citydesk import csv` did.
pub fn import_summary(
    out: &mut dyn Write,
    s: &crate::import::Summary,
    w: &Words,
) -> io::Result<()> {
    let good = s.rows - s.refused;
    let file = safe(&s.file);
    if s.dry_run {
        writeln!(
            out,
            "{}",
            w.fill(
                "cli.import.dry-run",
                &[
                    ("good", &w.n(good)),
                    ("rows", &w.n(s.rows)),
                    ("file", &file),
                    ("mapping", &s.source),
                ]
            )
        )?;
    } else {
        writeln!(
            out,
            "{}",
            w.fill(
                "cli.import.imported",
                &[
                    ("imported", &w.n(s.imported)),
                    ("rows", &w.n(s.rows)),
                    ("file", &file),
                    ("mapping", &s.source),
                    ("seconds", &w.n(format!("{:.1}", s.seconds))),
                    ("rate", &w.n(format!("{:.0}", s.rows_per_second))),
                ]
            )
        )?;
    }
    let statuses: Vec<String> = s
        .by_status
        .iter()
        .map(|(k, n)| format!("{} {}", w.n(n), w.word("status", k)))
        .collect();
    let label = |k: &str| pad(w.t(&format!("cli.import.{k}")), 8);
    writeln!(
        out,
        "  {}  {}",
        label("cases"),
        if statuses.is_empty() {
            w.t("cli.import.none").to_owned()
        } else {
            statuses.join(" · ")
        }
    )?;
    if s.refused == 0 {
        writeln!(out, "  {}  {}", label("refused"), w.t("cli.import.none"))?;
    } else {
        let reasons: Vec<String> = s
            .refused_by_reason
            .iter()
            .map(|(k, n)| format!("{k} {}", w.n(n)))
            .collect();
        write!(
            out,
            "  {}  {} ({})",
            label("refused"),
            w.n(s.refused),
            reasons.join(w.t("cli.list-sep"))
        )?;
        match &s.refused_file {
            Some(f) => writeln!(
                out,
                "{}",
                w.fill("cli.import.refused-file", &[("file", &safe(f))])
            )?,
            None => writeln!(out)?,
        }
    }
    let new = s.new_services.len() + s.new_departments.len() + s.new_districts.len();
    writeln!(
        out,
        "  {}  {}{}",
        label("new"),
        w.fill(
            "cli.import.new-counts",
            &[
                ("services", &w.n(s.new_services.len())),
                ("departments", &w.n(s.new_departments.len())),
                ("districts", &w.n(s.new_districts.len())),
            ]
        ),
        if new > 0 {
            w.t("cli.import.new-own")
        } else {
            ""
        }
    )
}
