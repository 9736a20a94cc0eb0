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
use crate::domain::shift::Center;
use crate::present::Words;
use crate::store::{Operator, QueueCounts};
use crate::text::{for_terminal, pad};

/// Stored text made safe for a terminal.
pub fn safe(s: &str) -> Cow<'_, str> {
    for_terminal(s)
}

fn service_name(catalog: &Catalog, code: &str) -> String {
    catalog.service(code).map_or_else(
        || code.to_owned(),
        |s| format!("{} ({})", s.name_en, s.name_fa),
    )
}

pub fn registered(out: &mut dyn Write, c: &Case, catalog: &Catalog, w: &Words) -> io::Result<()> {
    writeln!(
        out,
        "registered case {}   (read it aloud: {})",
        c.code,
        c.code.spoken()
    )?;
    writeln!(
        out,
        "  service     {}",
        safe(&service_name(catalog, &c.service))
    )?;
    writeln!(
        out,
        "  department  {}",
        catalog.department_name(&c.department)
    )?;
    if c.status == Status::Referred {
        writeln!(
            out,
            "  status      referred to {}",
            catalog.department_name(&c.department)
        )?;
    } else {
        writeln!(
            out,
            "  status      {}, not referred (it waits in the unreferred queue)",
            c.status
        )?;
    }
    writeln!(
        out,
        "  due         {} ({} hours from contact)",
        w.time(c.due_at),
        c.deadline_hours
    )
}

pub fn acted(out: &mut dyn Write, c: &Case, action: ActionKind, w: &Words) -> io::Result<()> {
    let done = match action {
        ActionKind::Refer => "referred",
        ActionKind::Resolve => "department's answer recorded",
        ActionKind::Feedback => "feedback call recorded",
        ActionKind::Escalate => "sent to special follow-up",
        ActionKind::Close => "closed",
        ActionKind::Cancel => "cancelled",
        ActionKind::Reopen => "reopened",
        ActionKind::Note => "note added",
        ActionKind::Attach => "contact attached",
        ActionKind::Take => "taken",
        ActionKind::CallBack => "call-back date set",
        ActionKind::Register | ActionKind::Import | ActionKind::ManageOperators => "done",
    };
    write!(out, "case {}: {done}; status {}", c.code, c.status)?;
    if let Some(o) = c.outcome {
        write!(out, " ({o})")?;
    }
    if c.status.awaits_department() {
        write!(out, ", due {}", w.time(c.due_at))?;
    }
    writeln!(out, ", version {}", c.version)
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
            pad(label, 13),
            safe(lines.next().unwrap_or(""))
        )?;
        for l in lines {
            writeln!(out, "  {}  {}", pad("", 13), safe(l))?;
        }
        Ok(())
    };
    writeln!(
        out,
        "case {}   ({})   version {}",
        c.code,
        c.code.spoken(),
        c.version
    )?;
    let mut status = c.status.to_string();
    if let Some(o) = c.outcome {
        status = format!("{status} ({o})");
    }
    if c.is_overdue(now) {
        status = format!("{status}, OVERDUE");
    }
    line(out, "status", &status)?;
    line(out, "kind", c.kind.as_str())?;
    line(out, "service", &service_name(catalog, &c.service))?;
    line(out, "category", c.category.as_str())?;
    line(out, "priority", c.priority.as_str())?;
    line(
        out,
        "citizen",
        &format!("{}  {}", c.citizen_name, c.citizen_phone),
    )?;
    let district = catalog.district(&c.district).map_or_else(
        || c.district.clone(),
        |d| format!("{} ({})", d.name_en, d.name_fa),
    );
    line(out, "district", &district)?;
    if !c.neighborhood.is_empty() {
        line(out, "neighborhood", &c.neighborhood)?;
    }
    line(out, "address", &c.address)?;
    line(out, "description", &c.description)?;
    line(out, "channel", c.channel.as_str())?;
    line(out, "received", &w.time(c.received_at))?;
    line(
        out,
        "registered",
        &format!("{} by {}", w.time(c.registered_at), c.registered_by),
    )?;
    line(out, "department", catalog.department_name(&c.department))?;
    line(out, "held by", c.assignee.as_deref().unwrap_or("nobody"))?;
    let due = if c.status.awaits_department() {
        format!("{} ({})", w.time(c.due_at), w.left(c.due_at, now))
    } else {
        w.time(c.due_at)
    };
    line(out, "due", &due)?;
    if c.escalation_level > 0 {
        line(out, "escalation", &c.escalation_level.to_string())?;
    }
    if let Some(resp) = &c.response {
        line(out, "response", resp)?;
    }
    if let Some(f) = c.feedback {
        let tries = match c.feedback_attempts {
            0 => String::new(),
            n => format!(" (after {n} unanswered calls)"),
        };
        line(out, "feedback", &format!("{f}{tries}"))?;
    }
    if let Some(d) = c.duplicate_of {
        line(out, "duplicate of", &d.to_string())?;
    }
    if let Some(t) = c.call_back_at {
        line(out, "call back", &w.date(center.local(t).date()))?;
    }
    if let Some(t) = c.closed_at {
        line(out, "closed", &w.time(t))?;
    }
    writeln!(out, "contacts ({})", r.contacts.len())?;
    for k in &r.contacts {
        write!(
            out,
            "  {}  {}  {}  {}",
            w.time(k.at),
            pad(k.channel.as_str(), 8),
            safe(&k.name),
            safe(&k.phone)
        )?;
        if let Some(cm) = &k.comment {
            write!(out, "  — {}", safe(cm))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "timeline")?;
    for e in &r.timeline {
        let transition = match (e.from, e.to) {
            (Some(f), Some(t)) if f != t => format!("{f} → {t}"),
            (None, Some(t)) => format!("→ {t}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {:>3}  {}  {}  {}  {}  {}  {}",
            e.seq,
            w.time(e.at),
            pad(&e.shift.to_string(), 18),
            pad(&safe(&e.actor), 10),
            pad(e.what.kind().as_str(), 9),
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
                "no more cases in this queue"
            } else {
                "this queue is empty"
            }
        );
    }
    writeln!(
        out,
        "{}  {}  {}  {}  {}  {}  deadline",
        pad("code", 9),
        pad("age", 7),
        pad("service", 28),
        pad("department", 24),
        pad("district", 10),
        pad("status", 10),
    )?;
    for c in cases {
        let service = catalog
            .service(&c.service)
            .map_or(c.service.as_str(), |s| s.name_en.as_str());
        let district = catalog
            .district(&c.district)
            .map_or(c.district.as_str(), |d| d.name_en.as_str());
        let deadline = if c.status.awaits_department() {
            w.left(c.due_at, now)
        } else if c.status == Status::FollowUp {
            format!("escalated {} ago", w.span(now - c.status_since))
        } else {
            format!("since {}", w.span(now - c.status_since))
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
            pad(service, 28),
            pad(catalog.department_name(&c.department), 24),
            pad(district, 10),
            pad(c.status.as_str(), 10),
        )?;
    }
    Ok(())
}

pub fn counts(out: &mut dyn Write, c: &QueueCounts, within: Duration, w: &Words) -> io::Result<()> {
    let rows = [
        (
            "unreferred",
            c.unreferred,
            "registered, not yet referred".to_owned(),
        ),
        (
            "overdue",
            c.overdue,
            "past the deadline, no answer yet".to_owned(),
        ),
        (
            "due-soon",
            c.due_soon,
            format!("deadline within {}", w.span(within)),
        ),
        (
            "feedback",
            c.feedback,
            "answered, waiting for the feedback call".to_owned(),
        ),
        (
            "follow-up",
            c.follow_up,
            "escalated, or long overdue".to_owned(),
        ),
        ("mine", c.mine, "open cases you hold".to_owned()),
    ];
    for (name, n, what) in rows {
        writeln!(out, "{}  {:>8}  {what}", pad(name, 10), n)?;
    }
    Ok(())
}

pub fn operators(out: &mut dyn Write, ops: &[Operator], center: &Center) -> io::Result<()> {
    writeln!(
        out,
        "{}  {}  {}  {}  since",
        pad("name", 16),
        pad("display name", 24),
        pad("role", 11),
        pad("state", 8)
    )?;
    for o in ops {
        writeln!(
            out,
            "{}  {}  {}  {}  {}",
            pad(&o.name, 16),
            pad(&safe(&o.display_name), 24),
            pad(o.role.as_str(), 11),
            pad(if o.active { "active" } else { "disabled" }, 8),
            center.show(o.created_at)
        )?;
    }
    Ok(())
}

pub fn catalog(out: &mut dyn Write, c: &Catalog, part: CatalogPart) -> io::Result<()> {
    match part {
        CatalogPart::Services => {
            for s in c.services.iter().filter(|s| s.active) {
                let dept = if s.department == crate::domain::catalog::DISTRICT_OFFICE {
                    "(district office)".to_owned()
                } else {
                    c.department_name(&s.department).to_owned()
                };
                writeln!(
                    out,
                    "{}  {}  {}  {}  {}  {}",
                    pad(&s.code, 22),
                    pad(s.category.as_str(), 17),
                    pad(&format!("{}h", s.deadline_hours), 5),
                    pad(&dept, 34),
                    pad(&safe(&s.name_en), 40),
                    safe(&s.name_fa)
                )?;
            }
        }
        CatalogPart::Departments => {
            for d in &c.departments {
                writeln!(
                    out,
                    "{}  {}  {}",
                    pad(&d.code, 16),
                    pad(&safe(&d.name_en), 36),
                    safe(&d.name_fa)
                )?;
            }
        }
        CatalogPart::Districts => {
            for d in &c.districts {
                writeln!(
                    out,
                    "{}  {}  {}  office {}  {}",
                    pad(&d.code, 4),
                    pad(&safe(&d.name_en), 12),
                    pad(&safe(&d.name_fa), 10),
                    pad(&d.office, 6),
                    safe(&d.neighborhoods.join("، "))
                )?;
            }
        }
    }
    Ok(())
}

/// What `citydesk import csv` did.
pub fn import_summary(out: &mut dyn Write, s: &crate::import::Summary) -> io::Result<()> {
    let good = s.rows - s.refused;
    if s.dry_run {
        writeln!(
            out,
            "dry run: {good} of {} rows of {} would be imported (mapping {}); nothing was changed",
            s.rows,
            safe(&s.file),
            s.source
        )?;
    } else {
        writeln!(
            out,
            "imported {} of {} rows of {} (mapping {}) in {:.1} s ({:.0} rows/s)",
            s.imported,
            s.rows,
            safe(&s.file),
            s.source,
            s.seconds,
            s.rows_per_second
        )?;
    }
    let statuses: Vec<String> = s
        .by_status
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    writeln!(
        out,
        "  cases     {}",
        if statuses.is_empty() {
            "none".to_owned()
        } else {
            statuses.join(" · ")
        }
    )?;
    if s.refused == 0 {
        writeln!(out, "  refused   none")?;
    } else {
        let reasons: Vec<String> = s
            .refused_by_reason
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        write!(out, "  refused   {} ({})", s.refused, reasons.join(", "))?;
        match &s.refused_file {
            Some(f) => writeln!(out, ", written with the reason to {}", safe(f))?,
            None => writeln!(out)?,
        }
    }
    writeln!(
        out,
        "  new       {} services, {} departments, {} districts{}",
        s.new_services.len(),
        s.new_departments.len(),
        s.new_districts.len(),
        if s.new_services.len() + s.new_departments.len() + s.new_districts.len() > 0 {
            " (the old system's own; see `citydesk catalog services`)"
        } else {
            ""
        }
    )
}
