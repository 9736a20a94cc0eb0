//! Who is acting and what keeps the store safe, from the command line:
//! passwords read once, sign-in sessions (login, logout), the history's
//! verification, backups and restores.

use std::io::{BufRead, Write};
use std::path::Path;

use chrono::{DateTime, Utc};

use super::run::{CliError, Ctx, session_file};
use crate::auth::{self, NewSession, SessionKind, SignIn};
use crate::domain::roles::{ActionKind, Role};
use crate::store::{self, Store};

/// One line of standard input: a password (its line end removed).
pub(super) fn read_password(input: &mut dyn BufRead) -> Result<String, CliError> {
    let mut line = String::new();
    input.read_line(&mut line).map_err(|e| {
        CliError::new(super::say(
            "cli.login.password-unreadable",
            &[("why", &e.to_string())],
        ))
    })?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Asks for a password at the terminal without showing it (None: Esc or Ctrl+C).
pub(super) fn ask_password(label: &str) -> std::io::Result<Option<String>> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use ratatui::crossterm::terminal;
    let mut err = std::io::stderr();
    write!(err, "{label}")?;
    err.flush()?;
    terminal::enable_raw_mode()?;
    let mut typed = String::new();
    let result = loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(Some(std::mem::take(&mut typed))),
                KeyCode::Esc => break Ok(None),
                KeyCode::Char('c' | 'd') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Ok(None);
                }
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char(c) => typed.push(c),
                _ => {}
            },
            Ok(Event::Paste(p)) => typed.push_str(&p),
            Ok(_) => {}
            Err(e) => break Err(e),
        }
    };
    let _ = terminal::disable_raw_mode();
    writeln!(err)?;
    result
}

/// What `citydesk login --json` prints.
#[derive(serde::Serialize)]
struct SignedIn<'a> {
    operator: &'a str,
    role: Role,
    until: DateTime<Utc>,
    session_file: String,
}

/// `citydesk login`: checks the password and leaves a session file.
pub(super) fn login(
    ctx: &Ctx,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let name = match &ctx.actor {
        Some(n) => n.clone(),
        None if terminal => {
            eprint!("{}: ", ctx.words.t("cli.login.operator"));
            let mut line = String::new();
            input.read_line(&mut line).map_err(|e| {
                CliError::new(
                    ctx.words
                        .fill("cli.login.name-unreadable", &[("why", &e.to_string())]),
                )
            })?;
            line.trim().to_owned()
        }
        None => {
            return Err(CliError::new(ctx.words.t("cli.login.who")));
        }
    };
    let password = match &ctx.password {
        Some(p) => p.clone(),
        None if terminal => ask_password(&format!("{}: ", ctx.words.t("cli.login.password")))?
            .ok_or_else(|| CliError::new(ctx.words.t("cli.login.not-signed-in")))?,
        None => return Err(ctx.said(&SignIn::NeedsPassword)),
    };
    // On a PostgreSQL store whose operators sign in to the server, the
    // server checks the password (the operator's own role), and the session
    // is a role of its own that the session file names.
    let server = store::postgres::signs_in_operators(&ctx.location);
    let (mut store, actor) = if server {
        ctx.open_with_password(&ctx.location, &name, &password)?
    } else {
        let mut store = store::open(&ctx.location, &ctx.settings).map_err(|e| ctx.err(e))?;
        let actor = ctx.check_password(store.as_mut(), &name, &password)?;
        (store, actor)
    };
    let path = session_file(&ctx.location)?;
    let now = ctx.now();
    // A session this file held before ends now: one session per person and store.
    if let Ok(Some(old)) = auth::read_session(&path) {
        let _ = store.end_session(&crate::secret::key_hash(&old), &actor.name, now);
    }
    let (token, login) = if server {
        let (login, token) =
            store::postgres::new_session_login(&ctx.location).map_err(|e| ctx.err(e))?;
        (token, Some(login))
    } else {
        (crate::secret::new_api_key().map_err(CliError::new)?, None)
    };
    let until = now + chrono::Duration::hours(i64::from(ctx.settings.access.session_hours));
    let new = NewSession {
        token_hash: crate::secret::key_hash(&token),
        operator: actor.name.clone(),
        kind: SessionKind::Shift,
        created_by: actor.name.clone(),
        expires_at: Some(until),
    };
    match &login {
        Some(l) => store.add_login_session(&new, l),
        None => store.add_session(&actor, &new, now),
    }
    .map_err(|e| ctx.err(e))?;
    auth::write_session(&path, &token).map_err(|e| ctx.said(&e))?;
    let report = SignedIn {
        operator: &actor.name,
        role: actor.role,
        until,
        session_file: path.display().to_string(),
    };
    ctx.emit(out, &report, |out| {
        writeln!(
            out,
            "{}",
            ctx.words.fill(
                "cli.login.signed-in",
                &[
                    ("name", &actor.name),
                    ("role", &ctx.words.word("role", actor.role.as_str())),
                    ("until", &ctx.words.time(until)),
                    ("file", &path.display().to_string()),
                ]
            )
        )
    })
}

/// `citydesk logout`: ends this session, or every session of `operator`.
pub(super) fn logout(
    ctx: &Ctx,
    operator: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let now = ctx.now();
    if let Some(name) = operator {
        let mut store = ctx.open()?;
        let by = ctx.actor(store.as_mut())?;
        let n = store.end_sessions(&by, name, now).map_err(|e| ctx.err(e))?;
        return ctx.emit(
            out,
            &serde_json::json!({ "operator": name, "ended": n }),
            |out| {
                writeln!(
                    out,
                    "{}",
                    ctx.words.fill(
                        "cli.logout.ended",
                        &[("n", &ctx.words.n(n)), ("name", name)]
                    )
                )
            },
        );
    }
    let path = session_file(&ctx.location)?;
    let token = auth::read_session(&path)
        .map_err(|e| ctx.said(&e))?
        .ok_or_else(|| {
            ctx.said(&SignIn::NotSignedIn {
                location: ctx.location.clone(),
            })
        })?;
    let login = if store::postgres::signs_in_operators(&ctx.location) {
        store::postgres::Login::from_token(&token)
    } else {
        None
    };
    let opened = store::open_as(&ctx.location, &ctx.settings, login.as_ref());
    let mut store = match opened {
        // The server no longer lets the session in: it has ended already.
        Err(store::StoreError::ConnectionRefused { .. }) if login.is_some() => {
            auth::remove_session(&path).map_err(|e| ctx.said(&e))?;
            return ctx.emit(
                out,
                &serde_json::json!({ "operator": null, "ended": 0 }),
                |out| writeln!(out, "the session had ended already; its file is removed"),
            );
        }
        other => other.map_err(|e| ctx.err(e))?,
    };
    let hash = crate::secret::key_hash(&token);
    let who = store
        .session(&hash)
        .map_err(|e| ctx.err(e))?
        .map(|s| s.operator)
        .unwrap_or_default();
    let ended = store
        .end_session(&hash, &who, now)
        .map_err(|e| ctx.err(e))?;
    auth::remove_session(&path).map_err(|e| ctx.said(&e))?;
    ctx.emit(
        out,
        &serde_json::json!({ "operator": who, "ended": u64::from(ended) }),
        |out| {
            writeln!(
                out,
                "{}",
                ctx.words.fill("cli.logout.signed-out", &[("who", &who)])
            )
        },
    )
}

/// `citydesk verify`: the timeline's hash chain, every break said.
pub(super) fn verify(ctx: &Ctx, out: &mut dyn Write) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let v = store.verify().map_err(|e| ctx.err(e))?;
    let problems: Vec<String> = v
        .breaks
        .iter()
        .map(|b| crate::present::say_break(&v, b, &ctx.words))
        .collect();
    ctx.emit(out, &v, |out| {
        if problems.is_empty() {
            writeln!(
                out,
                "{}",
                ctx.words.fill(
                    "verify.clean",
                    &[
                        ("entries", &ctx.words.n(v.entries)),
                        ("head", &ctx.words.n(v.head)),
                        ("hash", &v.head_hash),
                    ],
                )
            )
        } else {
            for p in &problems {
                writeln!(out, "{p}")?;
            }
            Ok(())
        }
    })?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(CliError {
            typed: serde_json::to_value(&v.breaks).ok(),
            ..CliError::new(
                ctx.words
                    .fill("verify.broken", &[("count", &ctx.words.n(problems.len()))]),
            )
        })
    }
}

/// `citydesk backup FILE`: the SQLite store, copied whole while others work.
pub(super) fn backup(ctx: &Ctx, file: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    if store::postgres::is_url(&ctx.location) {
        return Err(CliError::new(ctx.words.t("cli.backup.postgres")));
    }
    let mut store = ctx.open()?;
    let by = ctx.actor(store.as_mut())?;
    crate::domain::roles::check(&by, ActionKind::ManageOperators)
        .map_err(|e| CliError::said(&e, &ctx.words))?;
    let started = std::time::Instant::now();
    crate::backup::backup_sqlite(Path::new(&ctx.location), file, &ctx.settings.access)
        .map_err(|e| ctx.err(e))?;
    let mut copy =
        store::open(&file.display().to_string(), &ctx.settings).map_err(|e| ctx.err(e))?;
    let totals = copy.totals().map_err(|e| ctx.err(e))?;
    let v = copy.verify().map_err(|e| ctx.err(e))?;
    let report = serde_json::json!({
        "file": file.display().to_string(),
        "cases": totals.cases,
        "timeline": totals.timeline,
        "head": v.head,
        "head_hash": v.head_hash,
        "breaks": v.breaks.len(),
        "seconds": started.elapsed().as_secs_f64(),
    });
    ctx.emit(out, &report, |out| {
        let w = &ctx.words;
        writeln!(
            out,
            "{}{}",
            w.fill(
                "cli.backup.done",
                &[
                    ("store", &ctx.location),
                    ("file", &file.display().to_string()),
                    (
                        "seconds",
                        &w.n(format!("{:.1}", started.elapsed().as_secs_f64()))
                    ),
                    ("cases", &w.n(totals.cases)),
                    ("timeline", &w.n(totals.timeline)),
                    ("head", &w.n(v.head)),
                    ("hash", &v.head_hash),
                ]
            ),
            if v.breaks.is_empty() {
                String::new()
            } else {
                w.fill("cli.backup.breaks", &[("n", &w.n(v.breaks.len()))])
            }
        )
    })
}

/// `citydesk restore FILE`: a backup into an empty store, then verified.
pub(super) fn restore(ctx: &Ctx, file: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    if !file.exists() {
        return Err(ctx.err(store::StoreError::Missing(file.display().to_string())));
    }
    let target = ctx.location.clone();
    let empty = |s: &mut dyn Store| -> Result<(), CliError> {
        let t = s.totals().map_err(|e| ctx.err(e))?;
        if t.cases > 0 || t.operators > 0 {
            return Err(CliError::said(
                &crate::domain::roles::Denied::TargetNotEmpty {
                    location: s.location(),
                    cases: t.cases,
                    operators: t.operators,
                },
                &ctx.words,
            ));
        }
        Ok(())
    };
    if store::postgres::is_url(&target) {
        // Through migrate's code: it refuses a target that holds data and
        // proves the copy (counts and checksum).
        let mut source =
            store::open(&file.display().to_string(), &ctx.settings).map_err(|e| ctx.err(e))?;
        crate::migrate::migrate(
            source.as_mut(),
            &target,
            &ctx.settings,
            ctx.now(),
            &mut std::io::sink(),
        )
        .map_err(|e| ctx.err(e))?;
    } else {
        let path = Path::new(&target);
        if path.exists() {
            let mut s = store::open(&target, &ctx.settings).map_err(|e| ctx.err(e))?;
            empty(s.as_mut())?;
            drop(s);
            for f in store::files::store_files(path) {
                let _ = std::fs::remove_file(f);
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        store::files::create(path, &ctx.settings.access).map_err(|e| ctx.err(e))?;
        crate::backup::copy(file, path).map_err(|e| ctx.err(e))?;
    }
    let mut restored = store::open(&target, &ctx.settings).map_err(|e| ctx.err(e))?;
    let totals = restored.totals().map_err(|e| ctx.err(e))?;
    let v = restored.verify().map_err(|e| ctx.err(e))?;
    if !v.breaks.is_empty() {
        return Err(CliError::new(ctx.words.fill(
            "cli.restore.breaks",
            &[
                ("file", &file.display().to_string()),
                ("store", &restored.location()),
                ("n", &ctx.words.n(v.breaks.len())),
            ],
        )));
    }
    let report = serde_json::json!({
        "file": file.display().to_string(),
        "store": restored.location(),
        "cases": totals.cases,
        "timeline": totals.timeline,
        "operators": totals.operators,
        "head": v.head,
        "head_hash": v.head_hash,
    });
    ctx.emit(out, &report, |out| {
        let w = &ctx.words;
        writeln!(
            out,
            "{}",
            w.fill(
                "cli.restore.done",
                &[
                    ("file", &file.display().to_string()),
                    ("store", &restored.location()),
                    ("cases", &w.n(totals.cases)),
                    ("timeline", &w.n(totals.timeline)),
                    ("operators", &w.n(totals.operators)),
                    ("head", &w.n(v.head)),
                    ("hash", &v.head_hash),
                ]
            )
        )
    })
}
