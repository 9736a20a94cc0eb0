//! The `import` commands: Open311 records and an old system's CSV export.

use std::io::Write;
use std::path::Path;

use crate::cli::output;
use crate::config;
use crate::present::Say;

use super::run::{CliError, Ctx};

pub(super) fn import_open311(
    ctx: &Ctx,
    open311: &config::Open311Config,
    file: &Path,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let by = ctx.actor(store.as_mut())?;
    crate::domain::roles::check(&by, crate::domain::roles::ActionKind::Import)
        .map_err(|e| CliError::said(&e, &ctx.words))?;
    let text = std::fs::read_to_string(file).map_err(|e| {
        CliError::new(ctx.words.fill(
            "cli.import-open311.unreadable",
            &[
                ("file", &file.display().to_string()),
                ("why", &e.to_string()),
            ],
        ))
    })?;
    let report = crate::open311::transfer::import(
        store.as_mut(),
        &by,
        &text,
        open311.default_district.as_deref(),
        ctx.now(),
    )
    .map_err(|e| match e {
        crate::open311::transfer::ImportError::Store(e) => ctx.err(e),
        other => CliError::new(ctx.words.fill(
            "cli.import-open311.refused",
            &[
                ("file", &file.display().to_string()),
                ("why", &other.to_string()),
            ],
        )),
    })?;
    ctx.emit(out, &report, |out| {
        let w = &ctx.words;
        writeln!(
            out,
            "{}",
            w.fill(
                "cli.import-open311.done",
                &[
                    ("file", &file.display().to_string()),
                    ("records", &w.n(report.records)),
                    ("imported", &w.n(report.imported)),
                    ("repeated", &w.n(report.repeated)),
                    ("already", &w.n(report.already)),
                    ("refused", &w.n(report.refused.len())),
                ]
            )
        )?;
        for (n, why) in &report.refused {
            writeln!(
                out,
                "  {}",
                w.fill(
                    "cli.import-open311.record-refused",
                    &[("n", &w.n(n)), ("why", &output::safe(why))]
                )
            )?;
        }
        if !report.services_added.is_empty() {
            writeln!(
                out,
                "  {}",
                w.fill(
                    "cli.import-open311.services-added",
                    &[
                        ("n", &w.n(report.services_added.len())),
                        ("codes", &report.services_added.join(", ")),
                    ]
                )
            )?;
        }
        let counts = |m: &std::collections::BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{} {}", output::safe(k), w.n(v)))
                .collect::<Vec<_>>()
                .join(w.t("cli.list-sep"))
        };
        writeln!(
            out,
            "  {}",
            w.fill(
                "cli.import-open311.by-status",
                &[("counts", &counts(&report.by_status))]
            )
        )?;
        writeln!(
            out,
            "  {}",
            w.fill(
                "cli.import-open311.by-service",
                &[("counts", &counts(&report.by_service))]
            )
        )
    })?;
    Ok(())
}

/// `citydesk import mapping`: a shipped mapping's text, or without a name the list.
pub(super) fn mapping(name: Option<&str>, out: &mut dyn Write) -> Result<(), CliError> {
    use crate::import::mapping::{Mapping, SHIPPED};
    let Some(name) = name else {
        for (name, _) in SHIPPED {
            let m = Mapping::shipped(name).expect("shipped");
            writeln!(out, "{name:8} {}", m.about)?;
        }
        return Ok(());
    };
    let text = SHIPPED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| no_such_mapping(name))?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// `citydesk import csv`: an old system's CSV export, through a mapping.
pub(super) fn import_csv(
    ctx: &Ctx,
    args: &super::CsvArgs,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use crate::import::{self, ImportError, mapping::Mapping};
    let is_file = Path::new(&args.mapping)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        || args.mapping.contains(std::path::MAIN_SEPARATOR);
    let mapping = if is_file {
        let path = Path::new(&args.mapping);
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::new(ctx.words.fill(
                "cli.mapping.unreadable",
                &[
                    ("path", &path.display().to_string()),
                    ("why", &e.to_string()),
                    ("names", &Mapping::shipped_names().join(", ")),
                ],
            ))
        })?;
        Mapping::parse(&text, &path.display().to_string())
            .map_err(|e| CliError::said(&e, &ctx.words))?
    } else {
        Mapping::shipped(&args.mapping).ok_or_else(|| no_such_mapping(&args.mapping))?
    };
    let mut store = ctx.open()?;
    let by = ctx.actor(store.as_mut())?;
    let progress = crate::progress::bar(args.quiet || ctx.json);
    let summary = import::run(
        store.as_mut(),
        &by,
        &ctx.settings,
        &import::Options {
            file: &args.file,
            mapping: &mapping,
            skip_bad: args.skip_bad,
            dry_run: args.dry_run,
            lang: ctx.words.lang(),
        },
        &progress,
    )
    .map_err(|e| match e {
        ImportError::Store(e) => ctx.err(e),
        e => CliError {
            typed: serde_json::to_value(&e).ok(),
            ..CliError::new(e.say(&ctx.words))
        },
    })?;
    ctx.emit(out, &summary, |out| {
        output::import_summary(out, &summary, &ctx.words)
    })
}

fn no_such_mapping(name: &str) -> CliError {
    CliError::new(super::say(
        "cli.mapping.no-such",
        &[
            ("name", &format!("{name:?}")),
            (
                "names",
                &crate::import::mapping::Mapping::shipped_names().join(", "),
            ),
        ],
    ))
}
