//! The `case` and `queue` commands: register, act on, show, search and
//! import cases; list a queue.

use std::io::{BufRead, Write};

use crate::cli::output;
use crate::cli::{CaseCommand, QueueArgs, QueueName};
use crate::domain::case::{Contact, Feedback};
use crate::domain::intake::CaseInput;
use crate::domain::tracking::TrackingCode;
use crate::domain::workflow::Action;
use crate::present::{Say, Words};
use crate::store::{Page, Queue, Store};

use super::run::{CliError, Ctx};

fn parse_code(s: &str) -> Result<TrackingCode, CliError> {
    let words = Words::of(super::lang(), crate::domain::shift::Center::default());
    TrackingCode::parse(s).map_err(|e| CliError::said(&e, &words))
}

pub(super) fn case(
    ctx: &Ctx,
    cmd: CaseCommand,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let now = ctx.now();
    let (code, version, action) = match cmd {
        CaseCommand::New(a) => {
            let by = ctx.actor(store.as_mut())?;
            let catalog = store.catalog();
            // --refer: the catalog's department. With an unknown service or
            // district there is none; registering then reports those fields.
            let refer_to = if a.refer {
                catalog
                    .service(&a.service)
                    .zip(catalog.district(&a.district))
                    .map(|(service, district)| catalog.default_department(service, district))
            } else {
                a.department
            };
            let input = CaseInput {
                phone: a.phone,
                name: a.name,
                service: a.service,
                channel: Some(a.channel),
                kind: Some(a.kind),
                district: a.district,
                neighborhood: a.neighborhood,
                address: a.address,
                description: a.description,
                priority: Some(a.priority),
                received_at: a.received_at.map(|w| match w {
                    super::When::At(t) => t,
                    super::When::Local(local) => ctx.settings.center.instant(local),
                }),
                request_id: None,
                refer_to,
            };
            let case = store.register(&by, &input, now).map_err(|e| ctx.err(e))?;
            ctx.emit(out, &case, |out| {
                output::registered(out, &case, store.catalog(), &ctx.words)
            })?;
            return Ok(());
        }
        CaseCommand::Import => return import(ctx, store.as_mut(), input, out),
        CaseCommand::Search { query, limit } => {
            let cases = store.search(&query, limit).map_err(|e| ctx.err(e))?;
            return ctx.emit(out, &cases, |out| {
                if cases.is_empty() {
                    writeln!(
                        out,
                        "{}",
                        ctx.words.fill(
                            "cli.search.no-match",
                            &[("query", &format!("{:?}", output::safe(&query)))]
                        )
                    )
                } else {
                    output::queue(out, &cases, store.catalog(), &ctx.words, now, 0)
                }
            });
        }
        CaseCommand::Show { code } => {
            let record = store.case(parse_code(&code)?).map_err(|e| ctx.err(e))?;
            ctx.emit(out, &record, |out| {
                output::case_detail(out, &record, store.catalog(), &ctx.words, now)
            })?;
            return Ok(());
        }
        CaseCommand::Refer {
            code,
            department,
            to,
            comment,
            version,
        } => (
            code,
            version,
            Action::Refer {
                department,
                assignee: to,
                comment,
            },
        ),
        CaseCommand::Resolve {
            code,
            response,
            version,
        } => (code, version, Action::Resolve { response }),
        CaseCommand::Feedback {
            code,
            result,
            comment,
            version,
        } => {
            let result = if result.satisfied {
                Feedback::Satisfied
            } else if result.dissatisfied {
                Feedback::Dissatisfied
            } else {
                Feedback::Unreachable
            };
            (code, version, Action::Feedback { result, comment })
        }
        CaseCommand::Escalate {
            code,
            reason,
            version,
        } => (code, version, Action::Escalate { reason }),
        CaseCommand::Close {
            code,
            outcome,
            reason,
            version,
        } => (code, version, Action::Close { outcome, reason }),
        CaseCommand::CallBack {
            code,
            on,
            comment,
            version,
        } => (code, version, Action::CallBack { on, comment }),
        CaseCommand::Cancel {
            code,
            reason,
            of,
            comment,
            version,
        } => {
            let duplicate_of = of.as_deref().map(parse_code).transpose()?;
            (
                code,
                version,
                Action::Cancel {
                    reason,
                    duplicate_of,
                    comment,
                },
            )
        }
        CaseCommand::Reopen {
            code,
            reason,
            version,
        } => (code, version, Action::Reopen { reason }),
        CaseCommand::Note {
            code,
            text,
            version,
        } => (code, version, Action::Note { text }),
        CaseCommand::Attach {
            code,
            phone,
            name,
            channel,
            comment,
            version,
        } => {
            let by = ctx.actor(store.as_mut())?;
            (
                code,
                version,
                Action::Attach {
                    contact: Contact {
                        at: now,
                        channel,
                        name: name.trim().to_owned(),
                        phone: phone.trim().to_owned(),
                        comment,
                        registered_by: by.name,
                    },
                },
            )
        }
        CaseCommand::Take { code, version } => (code, version, Action::Take),
    };
    let code = parse_code(&code)?;
    let by = ctx.actor(store.as_mut())?;
    let case = store
        .act(&by, code, version.if_version, &action, now)
        .map_err(|e| ctx.err(e))?;
    ctx.emit(out, &case, |out| {
        output::acted(out, &case, action.kind(), &ctx.words)
    })?;
    Ok(())
}

/// Registers cases from JSON lines: all lines are checked first, and if any
/// is wrong, nothing is registered. Each case is then registered in its own
/// transaction (so other operators are not held up), printing its code.
fn import(
    ctx: &Ctx,
    store: &mut dyn Store,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let by = ctx.actor(store)?;
    let now = ctx.now();
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    // request_id → (line, input): a repeat must be the same case.
    let mut ids: std::collections::HashMap<String, (usize, CaseInput)> =
        std::collections::HashMap::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| {
            CliError::new(
                ctx.words
                    .fill("cli.error.stdin", &[("why", &e.to_string())]),
            )
        })?;
        if crate::text::is_blank(&line) {
            continue;
        }
        match serde_json::from_str::<CaseInput>(&line) {
            Ok(c) => {
                if let Err(e) = crate::domain::intake::register(
                    &c,
                    store.catalog(),
                    &ctx.settings.rules,
                    &by,
                    now,
                ) {
                    problems.push(ctx.words.fill(
                        "cli.case-import.line",
                        &[("n", &ctx.words.n(i + 1)), ("why", &e.say(&ctx.words))],
                    ));
                }
                if let Some(rid) = &c.request_id {
                    match ids.get(rid) {
                        Some((first, earlier)) if *earlier != c => {
                            problems.push(ctx.words.fill(
                                "cli.case-import.repeated-id",
                                &[
                                    ("n", &ctx.words.n(i + 1)),
                                    ("id", &format!("{rid:?}")),
                                    ("first", &ctx.words.n(first)),
                                ],
                            ));
                        }
                        Some(_) => {}
                        None => {
                            ids.insert(rid.clone(), (i + 1, c.clone()));
                        }
                    }
                }
                inputs.push(c);
            }
            Err(e) => problems.push(ctx.words.fill(
                "cli.case-import.not-a-case",
                &[("n", &ctx.words.n(i + 1)), ("why", &e.to_string())],
            )),
        }
    }
    if !problems.is_empty() {
        return Err(CliError::new(format!(
            "{}\n  {}",
            ctx.words.t("cli.case-import.nothing"),
            problems.join("\n  ")
        )));
    }
    for (done, c) in inputs.iter().enumerate() {
        let case = store.register(&by, c, now).map_err(|e| {
            CliError::new(ctx.words.fill(
                "cli.case-import.partly",
                &[
                    ("why", &ctx.err(e).to_string()),
                    ("done", &ctx.words.n(done)),
                    ("all", &ctx.words.n(inputs.len())),
                ],
            ))
        })?;
        if ctx.json {
            serde_json::to_writer(&mut *out, &case)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{}", case.code)?;
        }
    }
    Ok(())
}

pub(super) fn queue(ctx: &Ctx, args: &QueueArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let now = ctx.now();
    let Some(name) = args.name else {
        // The "mine" count is the signed-in operator's (zero on a store
        // without operators).
        let me = ctx.signed.get().map(|a| a.name.clone()).unwrap_or_default();
        let counts = store
            .queue_counts(&me, args.within, now)
            .map_err(|e| ctx.err(e))?;
        ctx.emit(out, &counts, |out| {
            output::counts(out, &counts, args.within, &ctx.words)
        })?;
        return Ok(());
    };
    let q = match name {
        QueueName::Unreferred => Queue::Unreferred,
        QueueName::Overdue => Queue::Overdue,
        QueueName::DueSoon => Queue::DueSoon(args.within),
        QueueName::Feedback => Queue::Feedback,
        QueueName::FollowUp => Queue::FollowUp,
        QueueName::Mine => Queue::Mine(ctx.actor(store.as_mut())?.name),
    };
    let cases = store
        .queue(
            &q,
            Page {
                limit: args.limit,
                offset: args.offset,
            },
            now,
        )
        .map_err(|e| ctx.err(e))?;
    ctx.emit(out, &cases, |out| {
        output::queue(out, &cases, store.catalog(), &ctx.words, now, args.offset)
    })?;
    Ok(())
}
