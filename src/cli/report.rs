//! The `report` and `handover` commands: managers' figures and a shift's
//! handover, for people or scripts.

use std::io::Write;

use chrono::{DateTime, Utc};

use super::run::{CliError, Ctx};

/// The start of a local day, in UTC.
fn day_start(ctx: &Ctx, d: chrono::NaiveDate) -> DateTime<Utc> {
    ctx.settings.center.day_start(d)
}

pub(super) fn report(
    ctx: &Ctx,
    args: &super::ReportArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let now = ctx.now();
    let last = args.to.unwrap_or(ctx.settings.center.local(now).date());
    let first = args.from.unwrap_or(last - chrono::Duration::days(29));
    if first > last {
        return Err(CliError::new(ctx.words.fill(
            "cli.report.from-after-to",
            &[
                ("from", &ctx.words.date_numeric(first)),
                ("to", &ctx.words.date_numeric(last)),
            ],
        )));
    }
    let q = crate::report::figures::ReportQuery {
        from: day_start(ctx, first),
        to: day_start(ctx, last + chrono::Duration::days(1)),
        by: args.by,
        now,
    };
    let mut r = crate::report::report(store.as_mut(), &q).map_err(|e| ctx.err(e))?;
    crate::report::in_time_order(&mut r, &ctx.settings.center);
    let format = if ctx.json {
        crate::report::format::Format::Json
    } else {
        args.format
    };
    crate::report::format::report(out, &ctx.words, store.catalog(), &r, format)?;
    Ok(())
}

/// A shift named on the command line: `DATE:NAME` (ISO or Jalali date).
fn parse_shift(ctx: &Ctx, s: &str) -> Result<crate::domain::shift::Shift, CliError> {
    let names: Vec<&str> = ctx
        .settings
        .center
        .shifts
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let bad = || {
        CliError::new(ctx.words.fill(
            "cli.handover.not-a-shift",
            &[
                ("value", &format!("{s:?}")),
                ("example", names.last().copied().unwrap_or("night")),
                ("names", &names.join(", ")),
            ],
        ))
    };
    let (date, name) = s.rsplit_once([':', '/']).ok_or_else(bad)?;
    let date =
        crate::calendar::parse_date(date).map_err(|e| CliError::new(super::date_error(&e)))?;
    if !names.contains(&name.trim()) {
        return Err(bad());
    }
    Ok(crate::domain::shift::Shift {
        date,
        name: name.trim().to_owned(),
    })
}

pub(super) fn handover(
    ctx: &Ctx,
    args: super::HandoverArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let now = ctx.now();
    let shift = match &args.shift {
        Some(s) => parse_shift(ctx, s)?,
        None => crate::report::default_shift(&ctx.settings, now),
    };
    if let Some(action) = args.action {
        let by = ctx.actor(store.as_mut())?;
        let record = match action {
            super::HandoverAction::Note { text } => store.note_handover(&by, &shift, &text, now),
            super::HandoverAction::Accept => store.accept_handover(&by, &shift, now),
        }
        .map_err(|e| ctx.err(e))?;
        return ctx.emit(out, &record, |out| {
            let key = if record.accepted() {
                "handover.accepted"
            } else {
                "handover.noted"
            };
            let (who, when) = if record.accepted() {
                (record.accepted_by.clone(), record.accepted_at)
            } else {
                (record.noted_by.clone(), record.noted_at)
            };
            writeln!(
                out,
                "{}: {}",
                ctx.words.shift(&shift),
                ctx.words.fill(
                    key,
                    &[
                        ("who", &who.unwrap_or_default()),
                        ("when", &when.map(|t| ctx.words.time(t)).unwrap_or_default()),
                    ],
                )
            )
        });
    }
    let h = crate::report::handover(store.as_mut(), &ctx.settings, &shift, now)
        .map_err(|e| ctx.err(e))?;
    let format = if ctx.json {
        crate::report::format::Format::Json
    } else {
        args.format
    };
    crate::report::format::handover(out, &ctx.words, store.catalog(), &h, now, format)?;
    Ok(())
}
