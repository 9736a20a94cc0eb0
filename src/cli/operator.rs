//! The `operator` and `client` commands: accounts, their passwords and
//! tokens, and Open311 clients.

use std::io::{BufRead, Write};

use crate::auth::{self, NewSession, SessionKind, SignIn, hash_password};
use crate::cli::access::read_password;
use crate::cli::output;
use crate::cli::{ClientChannel, ClientCommand, OperatorCommand};
use crate::domain::roles::{ActionKind, Role};
use crate::store::{self, NewOperator};

use super::run::{CliError, Ctx};

pub(super) fn operator(
    ctx: &Ctx,
    cmd: OperatorCommand,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let now = ctx.now();
    match cmd {
        OperatorCommand::Add {
            name,
            role,
            display_name,
        } => {
            if !ctx.password_stdin {
                return Err(CliError::new(
                    ctx.words.t("cli.operator.needs-password-stdin"),
                ));
            }
            let by = ctx.signed.get().cloned();
            let password = read_password(input)?;
            if password.chars().count() < auth::MIN_PASSWORD {
                return Err(CliError::new(ctx.words.fill(
                    "cli.operator.short-password",
                    &[("min", &ctx.words.n(auth::MIN_PASSWORD))],
                )));
            }
            let password_hash = hash_password(&password).map_err(CliError::new)?;
            let op = store
                .add_operator(
                    by.as_ref(),
                    &NewOperator {
                        display_name: display_name
                            .filter(|d| !crate::text::is_blank(d))
                            .unwrap_or_else(|| name.clone()),
                        name,
                        role,
                        password_hash,
                    },
                    now,
                )
                .map_err(|e| ctx.err(e))?;
            // On PostgreSQL the server checks the password too: the
            // operator's role gets it (a service account signs in by token).
            if op.role != Role::Service {
                store
                    .set_login(&op.name, &password)
                    .map_err(|e| ctx.err(e))?;
            }
            ctx.emit(out, &op, |out| {
                writeln!(
                    out,
                    "{}",
                    ctx.words.fill(
                        "cli.operator.added",
                        &[
                            ("name", &op.name),
                            ("display", &output::safe(&op.display_name)),
                            ("role", &ctx.words.word("role", op.role.as_str())),
                        ]
                    )
                )
            })?;
        }
        OperatorCommand::Password { name } => {
            let by = ctx.actor(store.as_mut())?;
            let password = new_password(ctx, &name, input)?;
            let password_hash = hash_password(&password).map_err(CliError::new)?;
            let op = store
                .set_password(&by, &name, &password, &password_hash)
                .map_err(|e| ctx.err(e))?;
            // A password reset for someone else ends what they had open: the
            // old password may be why it was reset.
            let ended = if op.name == by.name {
                0
            } else {
                store
                    .end_sessions(&by, &op.name, ctx.now())
                    .map_err(|e| ctx.err(e))?
            };
            ctx.emit(out, &op, |out| {
                writeln!(
                    out,
                    "{}",
                    ctx.words
                        .fill("cli.operator.password-set", &[("name", &op.name)])
                )?;
                if ended > 0 {
                    writeln!(
                        out,
                        "{}",
                        ctx.words.fill(
                            "cli.operator.sessions-ended",
                            &[("name", &op.name), ("n", &ctx.words.n(ended))]
                        )
                    )?;
                }
                Ok(())
            })?;
        }
        OperatorCommand::List => {
            let ops = store.operators().map_err(|e| ctx.err(e))?;
            ctx.emit(out, &ops, |out| output::operators(out, &ops, &ctx.words))?;
        }
        OperatorCommand::Disable { name } => {
            let by = ctx.actor(store.as_mut())?;
            let op = store
                .set_operator_active(&by, &name, false, now)
                .map_err(|e| ctx.err(e))?;
            writeln!(
                out,
                "{}",
                ctx.words
                    .fill("cli.operator.disabled", &[("name", &op.name)])
            )?;
        }
        OperatorCommand::Token { name } => {
            #[derive(serde::Serialize)]
            struct Issued<'a> {
                operator: &'a str,
                token: &'a str,
            }
            let by = ctx.actor(store.as_mut())?;
            crate::domain::roles::check(&by, ActionKind::ManageOperators)
                .map_err(|e| CliError::said(&e, &ctx.words))?;
            let op = ctx.active(store.as_mut(), &name)?;
            if op.role != Role::Service {
                return Err(ctx.said(&SignIn::NotService { operator: name }));
            }
            let mut token = crate::secret::new_api_key().map_err(CliError::new)?;
            let mut login = None;
            // On PostgreSQL the token also signs in to the server: a role
            // of its own, acting for the service account.
            if store::postgres::is_url(&ctx.location) {
                let (l, t) =
                    store::postgres::new_session_login(&ctx.location).map_err(|e| ctx.err(e))?;
                token = t;
                login = Some(l);
            }
            let new = NewSession {
                token_hash: crate::secret::key_hash(&token),
                operator: op.name.clone(),
                kind: SessionKind::Service,
                created_by: by.name.clone(),
                expires_at: None,
            };
            match &login {
                Some(l) => store.add_login_session(&new, l),
                None => store.add_session(&by, &new, now),
            }
            .map_err(|e| ctx.err(e))?;
            ctx.emit(
                out,
                &Issued {
                    operator: &op.name,
                    token: &token,
                },
                |out| {
                    writeln!(
                        out,
                        "{}",
                        ctx.words.fill("cli.operator.token", &[("name", &op.name)])
                    )?;
                    writeln!(out, "{token}")?;
                    writeln!(
                        out,
                        "{}",
                        ctx.words
                            .fill("cli.operator.token-use", &[("name", &op.name)])
                    )
                },
            )?;
        }
        OperatorCommand::Enable { name } => {
            let by = ctx.actor(store.as_mut())?;
            let op = store
                .set_operator_active(&by, &name, true, now)
                .map_err(|e| ctx.err(e))?;
            writeln!(
                out,
                "{}",
                ctx.words
                    .fill("cli.operator.enabled", &[("name", &op.name)])
            )?;
        }
    }
    Ok(())
}

/// The new password of `name`: the next line of standard input with
/// --password-stdin, else asked twice at the terminal. Too short, or typed
/// differently twice: refused, nothing changed.
fn new_password(ctx: &Ctx, name: &str, input: &mut dyn BufRead) -> Result<String, CliError> {
    use std::io::IsTerminal;
    let password = if ctx.password_stdin {
        read_password(input)?
    } else if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let ask = |key: &str| {
            super::access::ask_password(&format!("{}: ", ctx.words.fill(key, &[("name", name)])))?
                .ok_or_else(|| CliError::new(ctx.words.t("cli.operator.password-unchanged")))
        };
        let first = ask("cli.operator.new-password")?;
        if ask("cli.operator.new-password-again")? != first {
            return Err(CliError::new(ctx.words.t("cli.operator.passwords-differ")));
        }
        first
    } else {
        return Err(CliError::new(
            ctx.words.t("cli.operator.password-needs-input"),
        ));
    };
    if password.chars().count() < auth::MIN_PASSWORD {
        return Err(CliError::new(ctx.words.fill(
            "cli.operator.short-password",
            &[("min", &ctx.words.n(auth::MIN_PASSWORD))],
        )));
    }
    Ok(password)
}

pub(super) fn client(ctx: &Ctx, cmd: ClientCommand, out: &mut dyn Write) -> Result<(), CliError> {
    let mut store = ctx.open()?;
    let now = ctx.now();
    match cmd {
        ClientCommand::Add {
            name,
            channel,
            rate,
        } => {
            #[derive(serde::Serialize)]
            struct Added<'a> {
                #[serde(flatten)]
                client: &'a store::Client,
                api_key: &'a str,
            }
            let by = ctx.actor(store.as_mut())?;
            let key = crate::secret::new_api_key().map_err(CliError::new)?;
            let client = store
                .add_client(
                    &by,
                    &store::NewClient {
                        name,
                        channel: match channel {
                            ClientChannel::Web => crate::domain::case::Channel::Web,
                            ClientChannel::App => crate::domain::case::Channel::MobileApp,
                        },
                        per_minute: rate,
                        key_hash: crate::secret::key_hash(&key),
                    },
                    now,
                )
                .map_err(|e| ctx.err(e))?;
            ctx.emit(
                out,
                &Added {
                    client: &client,
                    api_key: &key,
                },
                |out| {
                    let w = &ctx.words;
                    writeln!(
                        out,
                        "{}",
                        w.fill(
                            "cli.client.added",
                            &[
                                ("name", &client.name),
                                (
                                    "channel",
                                    &output::code_word(w, "channel", client.channel.as_str()),
                                ),
                                ("rate", &w.n(client.per_minute)),
                                ("operator", &client.operator),
                            ]
                        )
                    )?;
                    writeln!(out, "{}", w.t("cli.client.key"))?;
                    writeln!(out, "{key}")
                },
            )?;
        }
        ClientCommand::List => {
            let clients = store.clients().map_err(|e| ctx.err(e))?;
            ctx.emit(out, &clients, |out| {
                let w = &ctx.words;
                if clients.is_empty() {
                    return writeln!(out, "{}", w.t("cli.client.none"));
                }
                for c in &clients {
                    writeln!(
                        out,
                        "{:<20} {:<4} {}  {}",
                        c.name,
                        c.channel.as_str(),
                        w.fill(
                            "cli.client.rate",
                            &[("rate", &format!("{:>6}", w.n(c.per_minute)))]
                        ),
                        w.fill(
                            if c.active {
                                "cli.client.active"
                            } else {
                                "cli.client.revoked"
                            },
                            &[
                                ("time", &w.time(c.created_at)),
                                ("by", &c.created_by),
                                (
                                    "revoked",
                                    &c.revoked_at.map(|t| w.time(t)).unwrap_or_default()
                                ),
                            ]
                        )
                    )?;
                }
                Ok(())
            })?;
        }
        ClientCommand::Revoke { name } => {
            let by = ctx.actor(store.as_mut())?;
            let c = store
                .revoke_client(&by, &name, now)
                .map_err(|e| ctx.err(e))?;
            ctx.emit(out, &c, |out| {
                writeln!(
                    out,
                    "{}",
                    ctx.words
                        .fill("cli.client.revoked-now", &[("name", &c.name)])
                )
            })?;
        }
    }
    Ok(())
}
