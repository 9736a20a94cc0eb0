//! Runs one parsed command: checks the input, calls the store, prints the
//! result for people or as JSON. All IO of the CLI happens here, in the
//! command modules beside it (`case`, `operator`, `report`, `imports`,
//! `access`) and in main; `Ctx` is what they share.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::access::{backup, login, logout, read_password, restore, verify};
use super::case::{case, queue};
use super::imports::{import_csv, import_open311, mapping};
use super::operator::{client, operator};
use super::output;
use super::report::{handover, report};
use super::{
    CaseCommand, CatalogPart, Cli, Command, ExportCommand, ExportFormat, ImportCommand,
    OperatorCommand,
};
use crate::auth::{self, SignIn, hash_password, verify_password};
use crate::clock::Clock;
use crate::config;
use crate::demo;
use crate::domain::catalog::Catalog;
use crate::domain::roles::{ActionKind, Actor, Role};
use crate::present::{Say, Words};
use crate::store::{self, Settings, Store, StoreError};

/// A command that was refused or failed: exit code 1 (3: `exit_code`), with this message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub message: String,
    /// The typed error, for `--json` (`{"error": …, "details": …}`).
    pub typed: Option<serde_json::Value>,
    /// The reader of our output went away (`| head`): stop quietly.
    pub broken_pipe: bool,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            typed: None,
            broken_pipe: false,
        }
    }

    /// The exit code: 3 when a write may or may not have been saved (the
    /// connection was lost at COMMIT and the server could not be asked
    /// again), so that a script does not simply retry; else 1.
    pub fn exit_code(&self) -> u8 {
        let unknown = self
            .typed
            .as_ref()
            .is_some_and(|t| t["error"] == "outcome-unknown");
        if unknown { 3 } else { 1 }
    }

    /// A typed error, said in `words`.
    pub fn said<E: Say + serde::Serialize>(e: &E, words: &Words) -> Self {
        CliError {
            typed: serde_json::to_value(e).ok(),
            ..CliError::new(e.say(words))
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError {
            broken_pipe: e.kind() == std::io::ErrorKind::BrokenPipe,
            ..CliError::new(super::say("cli.error.output", &[("why", &e.to_string())]))
        }
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> Self {
        match e.io_error_kind() {
            Some(kind) => std::io::Error::from(kind).into(),
            None => CliError::new(super::say("cli.error.json", &[("why", &e.to_string())])),
        }
    }
}

pub(super) struct Ctx<'a> {
    pub(super) settings: Settings,
    pub(super) words: Words,
    pub(super) location: String,
    pub(super) actor: Option<String>,
    pub(super) json: bool,
    pub(super) clock: &'a dyn Clock,
    /// --password-stdin was given.
    pub(super) password_stdin: bool,
    /// The password of `actor`, read from standard input (--password-stdin).
    pub(super) password: Option<String>,
    /// --token-file, else the CITYDESK_TOKEN environment variable.
    pub(super) token_file: Option<PathBuf>,
    pub(super) env_token: Option<String>,
    /// Whether the command is one a service account may run.
    pub(super) service_ok: bool,
    /// Who signed in (set by `open`; unset while the store has no operators).
    pub(super) signed: std::cell::OnceCell<Actor>,
}

impl Ctx<'_> {
    /// Prints `value` as JSON for scripts, or with `human` for people.
    pub(super) fn emit<T: serde::Serialize>(
        &self,
        out: &mut dyn Write,
        value: &T,
        human: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<(), CliError> {
        if self.json {
            serde_json::to_writer_pretty(&mut *out, value)?;
            writeln!(out)?;
        } else {
            human(out)?;
        }
        Ok(())
    }

    #[allow(clippy::needless_pass_by_value)] // used as `map_err(|e| ctx.err(e))`
    pub(super) fn err(&self, e: StoreError) -> CliError {
        CliError::said(&e, &self.words)
    }

    pub(super) fn said(&self, e: &SignIn) -> CliError {
        CliError::said(e, &self.words)
    }

    /// Opens the store and signs in (see `sign_in`).
    pub(super) fn open(&self) -> Result<Box<dyn Store>, CliError> {
        self.open_at(&self.location)
    }

    pub(super) fn open_at(&self, location: &str) -> Result<Box<dyn Store>, CliError> {
        if store::postgres::signs_in_operators(location) {
            return self.open_as_operator(location);
        }
        let mut store = store::open(location, &self.settings).map_err(|e| self.err(e))?;
        self.sign_in(store.as_mut(), location)?;
        Ok(store)
    }

    /// A PostgreSQL store whose operators sign in to the server as
    /// themselves: with --as and --password-stdin as NAME's own role (the
    /// server checks the password), else as the session's role its token
    /// names (the server refuses one that has ended).
    fn open_as_operator(&self, location: &str) -> Result<Box<dyn Store>, CliError> {
        if let (Some(name), Some(password)) = (&self.actor, &self.password) {
            let (store, actor) = self.open_with_password(location, name, password)?;
            if actor.role == Role::Service && !self.service_ok {
                return Err(self.said(&SignIn::ServiceOnly {
                    operator: actor.name,
                }));
            }
            let _ = self.signed.set(actor);
            return Ok(store);
        }
        let token = self.token(location, None)?;
        let login = store::postgres::Login::from_token(&token)
            .ok_or_else(|| self.said(&SignIn::UnknownToken))?;
        let mut store = store::open_as(location, &self.settings, Some(&login))
            .map_err(|e| self.refused_login(e, &SignIn::UnknownToken))?;
        self.sign_in(store.as_mut(), location)?;
        Ok(store)
    }

    /// Signs in to the server as operator `name`'s own role with `password`.
    pub(super) fn open_with_password(
        &self,
        location: &str,
        name: &str,
        password: &str,
    ) -> Result<(Box<dyn Store>, Actor), CliError> {
        let login = store::postgres::Login {
            role: store::postgres::operator_role(location, name).map_err(|e| self.err(e))?,
            password: password.to_owned(),
        };
        let mut store = store::open_as(location, &self.settings, Some(&login))
            .map_err(|e| self.refused_login(e, &SignIn::WrongPassword))?;
        let actor = self.active(store.as_mut(), name)?;
        if actor.role == Role::Service {
            return Err(self.said(&SignIn::ServiceByPassword {
                operator: actor.name,
            }));
        }
        Ok((store, actor))
    }

    /// The server refused to sign in: `why`, or the error as it is.
    fn refused_login(&self, e: StoreError, why: &SignIn) -> CliError {
        match e {
            StoreError::ConnectionRefused { .. } => self.said(why),
            e => self.err(e),
        }
    }

    /// The token this command signs in with: CITYDESK_TOKEN or --token-file,
    /// else the session `citydesk login` left for the store at `location`.
    pub(super) fn token(&self, location: &str, shown: Option<&str>) -> Result<String, CliError> {
        match (&self.token_file, &self.env_token) {
            (Some(path), _) => auth::read_session(path)
                .map_err(|e| self.said(&e))?
                .ok_or_else(|| self.said(&SignIn::UnknownToken)),
            (None, Some(t)) => Ok(t.clone()),
            (None, None) => auth::read_session(&session_file(location)?)
                .map_err(|e| self.said(&e))?
                .ok_or_else(|| {
                    self.said(&SignIn::NotSignedIn {
                        location: shown.map_or_else(|| location.to_owned(), str::to_owned),
                    })
                }),
        }
    }

    /// Signs in to `store`: with --as and --password-stdin for this command,
    /// else with the token of CITYDESK_TOKEN or --token-file, else with the
    /// session `citydesk login` left for this store. A store without
    /// operators has nobody to sign in as: the first account is added unsigned.
    pub(super) fn sign_in(&self, store: &mut dyn Store, location: &str) -> Result<(), CliError> {
        if self.signed.get().is_some() || store.operator_count().map_err(|e| self.err(e))? == 0 {
            return Ok(());
        }
        let actor = self.authenticate(store, location)?;
        if actor.role == Role::Service && !self.service_ok {
            return Err(self.said(&SignIn::ServiceOnly {
                operator: actor.name,
            }));
        }
        let _ = self.signed.set(actor);
        Ok(())
    }

    pub(super) fn authenticate(
        &self,
        store: &mut dyn Store,
        location: &str,
    ) -> Result<Actor, CliError> {
        if let (Some(name), Some(password)) = (&self.actor, &self.password) {
            return self.check_password(store, name, password);
        }
        let token = self.token(location, Some(&store.location()))?;
        let session = store
            .session(&crate::secret::key_hash(&token))
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.said(&SignIn::UnknownToken))?;
        let name = auth::check_session(&session, self.now())
            .map_err(|e| self.said(&e))?
            .to_owned();
        if let Some(named) = self.actor.as_ref().filter(|n| **n != name) {
            return Err(self.said(&SignIn::OtherOperator {
                signed_in: name,
                named: named.clone(),
            }));
        }
        self.active(store, &name)
    }

    /// The operator `name` if `password` is theirs and they may sign in with one.
    pub(super) fn check_password(
        &self,
        store: &mut dyn Store,
        name: &str,
        password: &str,
    ) -> Result<Actor, CliError> {
        let hash = store.password_hash(name).map_err(|e| self.err(e))?;
        // An unknown name costs a hash check too, and is told like a wrong password.
        let checked = verify_password(password, hash.as_deref().unwrap_or(DUMMY_HASH.as_str()));
        if !checked || hash.is_none() {
            return Err(self.said(&SignIn::WrongPassword));
        }
        let actor = self.active(store, name)?;
        if actor.role == Role::Service {
            return Err(self.said(&SignIn::ServiceByPassword {
                operator: actor.name,
            }));
        }
        Ok(actor)
    }

    pub(super) fn active(&self, store: &mut dyn Store, name: &str) -> Result<Actor, CliError> {
        let op = store
            .operator(name)
            .map_err(|e| self.err(e))?
            .ok_or_else(|| self.err(StoreError::NoSuchOperator(name.to_owned())))?;
        if !op.active {
            return Err(self.err(StoreError::OperatorDisabled(name.to_owned())));
        }
        Ok(op.actor())
    }

    /// The operator who signed in (`open` signs in).
    pub(super) fn actor(&self, _store: &mut dyn Store) -> Result<Actor, CliError> {
        self.signed.get().cloned().ok_or_else(|| {
            self.said(&SignIn::NotSignedIn {
                location: self.location.clone(),
            })
        })
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// An argon2id hash of no one's password: checked against when the name is
/// unknown, so that a wrong name takes as long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("no one's password").unwrap_or_default());

/// The session file of the store at `location` (a path made absolute, or a URL).
pub(super) fn session_file(location: &str) -> Result<PathBuf, CliError> {
    let key = if store::postgres::is_url(location) {
        location.to_owned()
    } else {
        std::path::absolute(location)
            .map_or_else(|_| location.to_owned(), |p| p.display().to_string())
    };
    let dir = auth::state_dir()
        .ok_or_else(|| CliError::new(super::say("cli.error.no-state-dir", &[])))?;
    Ok(auth::session_path(&dir, &key))
}

/// Where the store is when --store is not given.
pub fn default_store() -> Result<String, CliError> {
    directories::ProjectDirs::from("", "", "citydesk")
        .map(|d| d.data_dir().join("citydesk.db").display().to_string())
        .ok_or_else(|| CliError::new(super::say("cli.error.no-data-dir", &[])))
}

/// Runs `cli`, reading standard input from `input` and printing to `out`.
pub fn run(
    cli: Cli,
    clock: &dyn Clock,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    // These describe the command line itself: no config file, no store.
    match cli.command {
        Some(Command::Completions { shell }) => return completions(shell, out),
        Some(Command::Man { out: dir }) => return man(dir.as_deref(), out),
        _ => {}
    }
    let config_path = cli.config.clone().or_else(config::default_path);
    // Until the config is read, the language of the flag and the environment.
    if let Ok(early) = crate::locale::Lang::choose(cli.lang, None, |name| std::env::var(name).ok())
    {
        super::set_lang(early);
    }
    let display = match &config_path {
        Some(p) => config::load_display(p).map_err(|e| config_error(&e))?,
        None => config::Display::default(),
    };
    let lang = crate::locale::Lang::choose(cli.lang, display.lang, |name| std::env::var(name).ok())
        .map_err(CliError::new)?;
    super::set_lang(lang);
    let open311 = match &config_path {
        Some(p) => config::load_open311(p).map_err(|e| config_error(&e))?,
        None => config::Open311Config::default(),
    };
    let (settings, keymap) = match &config_path {
        Some(p) => config::load_all(p).map_err(|e| config_error(&e))?,
        None => (Settings::default(), crate::keymap::Keymap::default()),
    };
    let location = match cli.store {
        Some(s) => s,
        None => default_store()?,
    };
    let Some(command) = cli.command else {
        use std::io::IsTerminal;
        if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
            return Err(CliError::new(super::say("cli.error.no-terminal", &[])));
        }
        let operator = cli.operator.or(cli.actor);
        let looks = crate::console::Looks {
            lang,
            bidi: display.bidi,
            config: config_path.clone(),
        };
        let words = Words::of(lang, settings.center.clone());
        return crate::console::run(
            &location,
            &settings,
            keymap,
            &looks,
            operator.as_deref(),
            clock,
        )
        .map_err(|e| CliError::said(&e, &words));
    };
    let words = Words::of(lang, settings.center.clone());
    // --as NAME --password-stdin: the first line is NAME's password.
    let password = if cli.password_stdin && cli.actor.is_some() {
        Some(read_password(input)?)
    } else {
        None
    };
    let service_ok = matches!(
        command,
        Command::Case(CaseCommand::New(_) | CaseCommand::Import | CaseCommand::Attach { .. })
            | Command::Logout { operator: None }
    );
    let ctx = Ctx {
        words,
        settings,
        location,
        actor: cli.actor,
        json: cli.json,
        clock,
        password_stdin: cli.password_stdin,
        password,
        token_file: cli.token_file,
        env_token: std::env::var("CITYDESK_TOKEN")
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        service_ok,
        signed: std::cell::OnceCell::new(),
    };
    if cli.password_stdin
        && ctx.actor.is_none()
        && !matches!(
            command,
            Command::Operator(OperatorCommand::Add { .. } | OperatorCommand::Password { .. })
        )
    {
        return Err(CliError::new(ctx.words.t("cli.error.password-stdin-as")));
    }
    match command {
        Command::Login => login(&ctx, input, out),
        Command::Logout { operator } => logout(&ctx, operator.as_deref(), out),
        Command::Verify => verify(&ctx, out),
        Command::Backup { file } => backup(&ctx, &file, out),
        Command::Restore { file } => restore(&ctx, &file, out),
        Command::Init { catalog } => init(&ctx, catalog.as_deref(), config_path.as_deref(), out),
        Command::Operator(cmd) => operator(&ctx, cmd, input, out),
        Command::Case(cmd) => case(&ctx, cmd, input, out),
        Command::Queue(args) => queue(&ctx, &args, out),
        Command::Catalog { what } => catalog(&ctx, what, out),
        Command::Serve { listen } => serve(&ctx, &open311, listen, out),
        Command::Client(cmd) => client(&ctx, cmd, out),
        Command::Import(cmd) => match cmd {
            ImportCommand::Open311 { file } => import_open311(&ctx, &open311, &file, out),
            ImportCommand::Csv(args) => import_csv(&ctx, &args, out),
            ImportCommand::Mapping { name } => mapping(name.as_deref(), out),
        },
        Command::Export(ExportCommand::Open311 { from, to, format }) => {
            let mut store = ctx.open()?;
            let format = match format {
                ExportFormat::Json => crate::open311::Format::Json,
                ExportFormat::Xml => crate::open311::Format::Xml,
            };
            let (text, n) = crate::open311::transfer::export(store.as_mut(), from, to, format)
                .map_err(|e| ctx.err(e))?;
            out.write_all(text.as_bytes())?;
            if !text.ends_with('\n') {
                writeln!(out)?;
            }
            eprintln!(
                "citydesk: {}",
                ctx.words.fill("cli.export.done", &[("n", &ctx.words.n(n))])
            );
            Ok(())
        }
        Command::Doctor { answer } => super::doctor::run(
            &ctx.words,
            display.bidi,
            config_path.as_deref(),
            answer.as_deref(),
            input,
            out,
        ),
        Command::Completions { .. } | Command::Man { .. } => {
            unreachable!("answered above, before the config is read")
        }
        Command::Migrate { from, to } => {
            let mut source = ctx.open_at(&from)?;
            if let Some(by) = ctx.signed.get() {
                crate::domain::roles::check(by, ActionKind::ManageOperators)
                    .map_err(|e| CliError::said(&e, &ctx.words))?;
            }
            let progress: &mut dyn Write = if ctx.json {
                &mut std::io::sink()
            } else {
                &mut std::io::stderr()
            };
            let report =
                crate::migrate::migrate(source.as_mut(), &to, &ctx.settings, ctx.now(), progress)
                    .map_err(|e| ctx.err(e))?;
            ctx.emit(out, &report, |out| {
                let t = report.target;
                let w = &ctx.words;
                writeln!(
                    out,
                    "{}",
                    w.fill(
                        "cli.migrate.copied",
                        &[
                            ("seconds", &w.n(format!("{:.1}", report.seconds))),
                            ("cases", &w.n(t.cases)),
                            ("contacts", &w.n(t.contacts)),
                            ("timeline", &w.n(t.timeline)),
                            ("operators", &w.n(t.operators)),
                            ("drafts", &w.n(t.drafts)),
                        ]
                    )
                )?;
                writeln!(
                    out,
                    "{}",
                    w.fill(
                        "cli.migrate.verified",
                        &[("checksum", &report.target_checksum)]
                    )
                )
            })
        }
        Command::Report(args) => report(&ctx, &args, out),
        Command::Handover(args) => handover(&ctx, args, out),
        Command::Demo(args) => {
            let mut store = ctx.open()?;
            let progress = &crate::progress::bar(args.quiet || ctx.json);
            let report = demo::fill(
                store.as_mut(),
                &demo::Plan {
                    cases: args.cases,
                    days: args.days,
                    seed: args.seed,
                },
                &ctx.settings,
                ctx.now(),
                progress,
            )
            .map_err(|e| ctx.err(e))?;
            ctx.emit(out, &report, |out| {
                let w = &ctx.words;
                writeln!(
                    out,
                    "{}",
                    w.fill(
                        "cli.demo.done",
                        &[
                            ("cases", &w.n(report.cases)),
                            ("days", &w.n(args.days)),
                            ("seconds", &w.n(format!("{:.1}", report.seconds))),
                            (
                                "rate",
                                &w.n(format!(
                                    "{:.0}",
                                    report.cases as f64 / report.seconds.max(1e-9)
                                ))
                            ),
                            ("total", &w.n(report.total)),
                        ]
                    )
                )
            })?;
            Ok(())
        }
    }
}

fn serve(
    ctx: &Ctx,
    open311: &config::Open311Config,
    listen: Option<String>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let options = crate::open311::server::Options {
        listen: listen
            .or_else(|| open311.listen.clone())
            .unwrap_or_else(|| "127.0.0.1:8311".to_owned()),
        connections: open311.connections.unwrap_or(4) as usize,
        timeout: std::time::Duration::from_secs(open311.timeout_seconds.unwrap_or(10)),
        max_body: (open311.max_body_kib.unwrap_or(64) * 1024) as usize,
        jurisdiction: open311.jurisdiction_id.clone(),
        default_district: open311.default_district.clone(),
        log: open311.log.clone(),
    };
    crate::open311::server::serve(
        &ctx.location,
        &ctx.settings,
        &options,
        ctx.clock.shared(),
        out,
    )
    .map_err(CliError::new)
}

/// Prints the completion script for `shell` (the descriptions some shells
/// show are in the process's language).
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<(), CliError> {
    // Into a buffer first: clap_complete panics when it cannot write
    // (`citydesk completions bash | head`), and we stop quietly instead.
    let mut script = Vec::new();
    let mut cmd = super::help::command(super::lang());
    clap_complete::generate(shell, &mut cmd, "citydesk", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// Prints the man page, or writes one page per command into `dir`, in the
/// process's language (the section headings are clap_mangen's own).
fn man(dir: Option<&Path>, out: &mut dyn Write) -> Result<(), CliError> {
    let cmd = super::help::command(super::lang());
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut page)?;
        out.write_all(&page)?;
        return Ok(());
    };
    std::fs::create_dir_all(dir)
        .and_then(|()| clap_mangen::generate_to(cmd, dir))
        .map_err(|e| {
            CliError::new(super::say(
                "cli.man.cannot-write",
                &[("dir", &dir.display().to_string()), ("why", &e.to_string())],
            ))
        })?;
    writeln!(
        out,
        "{}",
        super::say("cli.man.wrote", &[("dir", &dir.display().to_string())])
    )?;
    Ok(())
}

fn init(
    ctx: &Ctx,
    catalog_file: Option<&Path>,
    config_path: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let beside_config: Option<PathBuf> =
        config_path.and_then(|p| p.parent().map(|d| d.join("catalog.toml")));
    let (catalog, origin) = match (catalog_file, beside_config) {
        (Some(f), _) => (read_catalog(f, &ctx.words)?, f.display().to_string()),
        (None, Some(f)) if f.exists() => (read_catalog(&f, &ctx.words)?, f.display().to_string()),
        _ => (
            Catalog::builtin(),
            ctx.words.t("cli.init.built-in").to_owned(),
        ),
    };
    // A store in use: only a signed-in administrator changes its catalog.
    if let Ok(mut existing) = store::open(&ctx.location, &ctx.settings) {
        ctx.sign_in(existing.as_mut(), &ctx.location)?;
        if let Some(by) = ctx.signed.get() {
            crate::domain::roles::check(by, ActionKind::ManageOperators)
                .map_err(|e| CliError::said(&e, &ctx.words))?;
        }
    }
    let (_store, report) =
        store::init(&ctx.location, &ctx.settings, &catalog, ctx.now()).map_err(|e| ctx.err(e))?;
    if ctx.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    let w = &ctx.words;
    writeln!(
        out,
        "{}",
        w.fill(
            if report.created {
                "cli.init.created"
            } else {
                "cli.init.checked"
            },
            &[
                ("location", &ctx.location),
                ("version", &w.n(report.schema_version)),
            ]
        )
    )?;
    let retired = if report.services_retired > 0 {
        w.fill("cli.init.retired", &[("n", &w.n(report.services_retired))])
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}{retired}",
        w.fill(
            "cli.init.catalog",
            &[
                ("origin", &origin),
                ("services", &w.n(report.services)),
                ("departments", &w.n(report.departments)),
                ("districts", &w.n(report.districts)),
            ]
        )
    )?;
    Ok(())
}

fn read_catalog(path: &Path, words: &Words) -> Result<Catalog, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::new(super::say(
            "cli.init.unreadable-catalog",
            &[
                ("path", &path.display().to_string()),
                ("why", &e.to_string()),
            ],
        ))
    })?;
    Catalog::parse(&text).map_err(|mut e| {
        e.origin = Some(path.display().to_string());
        CliError::said(&e, words)
    })
}

fn catalog(ctx: &Ctx, what: CatalogPart, out: &mut dyn Write) -> Result<(), CliError> {
    let store = ctx.open()?;
    let c = store.catalog();
    match (what, ctx.json) {
        (CatalogPart::Services, true) => serde_json::to_writer_pretty(&mut *out, &c.services)?,
        (CatalogPart::Departments, true) => {
            serde_json::to_writer_pretty(&mut *out, &c.departments)?;
        }
        (CatalogPart::Districts, true) => serde_json::to_writer_pretty(&mut *out, &c.districts)?,
        (part, false) => return Ok(output::catalog(out, c, part, &ctx.words)?),
    }
    writeln!(out)?;
    Ok(())
}

/// A config file that cannot be used, said in the process's language (its
/// detail, from the TOML reader, stays as it is).
fn config_error(e: &config::ConfigError) -> CliError {
    CliError::new(super::say(
        "cli.error.config",
        &[("path", &e.path), ("why", &e.message)],
    ))
}
