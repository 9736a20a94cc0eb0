//! The command line: clap definitions parsed loosely, then checked into typed
//! values before anything touches the store. Exit codes: 0 done; 1 refused or
//! invalid input, with a message saying why and what to do; 2 usage error.

mod access;
mod case;
pub mod doctor;
pub mod guard;
pub mod help;
mod imports;
mod operator;
pub mod output;
mod report;
pub mod run;

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::Code;

pub use run::{CliError, run};

/// The language of this process's messages: set once the command line is
/// read (`main`, before clap parses, then `run` with the config known), and
/// read where no `Words` is at hand: clap's value parsers, I/O errors.
static LANG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says the messages of this process in `lang` from now on.
pub fn set_lang(lang: crate::locale::Lang) {
    LANG.store(
        lang == crate::locale::Lang::Fa,
        std::sync::atomic::Ordering::Relaxed,
    );
}

/// The language of this process's messages ([`set_lang`]; English before).
pub fn lang() -> crate::locale::Lang {
    if LANG.load(std::sync::atomic::Ordering::Relaxed) {
        crate::locale::Lang::Fa
    } else {
        crate::locale::Lang::En
    }
}

/// `key` of the locale, filled, in the process's language.
pub(crate) fn say(key: &str, args: &[(&str, &str)]) -> String {
    lang().locale().fill(key, args)
}

/// A number in the process's language's digits.
pub(crate) fn num(n: impl std::fmt::Display) -> String {
    match lang() {
        crate::locale::Lang::En => n.to_string(),
        crate::locale::Lang::Fa => crate::calendar::persian_digits(&n.to_string()),
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "citydesk",
    version,
    about = "Console and command line for a city's citizen-request (311 / 137) center",
    long_about = "citydesk registers citizens' messages, refers them to the executing departments, \
follows their deadlines, records the feedback call, and escalates unsatisfied cases to special follow-up.\n\n\
Without a command it opens the console (creating the store and asking for the first account if needed). \
Scripts use the commands below."
)]
pub struct Cli {
    /// The store: a SQLite file path [default: <data dir>/citydesk.db]
    #[arg(long, env = "CITYDESK_STORE", global = true, value_name = "PATH")]
    pub store: Option<String>,
    /// The operator acting: with --password-stdin, sign in for this one
    /// command; else it must be who `citydesk login` signed in
    #[arg(
        long = "as",
        env = "CITYDESK_OPERATOR",
        global = true,
        value_name = "OPERATOR"
    )]
    pub actor: Option<String>,
    /// Read passwords from standard input, one a line: first the password of
    /// the operator named by --as (for this command, or for `login`), then
    /// (`operator add`) the new account's
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// A file holding a session or service-account token (scripts); the
    /// CITYDESK_TOKEN environment variable may hold the token instead
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The config file [default: <config dir>/config.toml]
    #[arg(long, env = "CITYDESK_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print JSON for scripts instead of text for people
    #[arg(long, global = true)]
    pub json: bool,
    /// The language of the console and of messages: fa or en [default:
    /// CITYDESK_LANG, else [display] lang of the config, else the system's]
    #[arg(long, global = true, value_name = "LANG", value_parser = parse_lang)]
    pub lang: Option<crate::locale::Lang>,
    /// The console: fill in this operator name on the sign-in screen
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in for a shift: asks for the password (or reads it with
    /// --password-stdin) and leaves a session token, readable only by you, in
    /// your state folder; it lasts `[access] session_hours` (default 12)
    Login,
    /// Sign out: end this session; with --operator, end every session and
    /// token of that operator (yourself, or anyone for an administrator)
    Logout {
        #[arg(long, value_name = "NAME")]
        operator: Option<String>,
    },
    /// Back the SQLite store up into FILE (a new file, 0600) while consoles
    /// work: one consistent snapshot; administrators. PostgreSQL: pg_dump (README)
    Backup { file: PathBuf },
    /// Restore a backup FILE into an empty store (--store: a new SQLite file,
    /// or an empty PostgreSQL database), then verify it
    Restore { file: PathBuf },
    /// Check the timeline's hash chain: every entry's hash and link, the
    /// chain's head and the append-only triggers; exit code 1 on any break
    Verify,
    /// Create the store (if needed) and load the service catalog; safe to repeat
    Init {
        /// A catalog TOML file to load instead of the built-in one
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
    },
    /// Manage operator accounts (administrators)
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Register and work on cases
    #[command(subcommand)]
    Case(CaseCommand),
    /// List a work queue, most urgent first; without a name, count every queue
    Queue(QueueArgs),
    /// Show the service catalog
    Catalog {
        #[arg(value_enum)]
        what: CatalogPart,
    },
    /// Figures for managers over a period: contacts, on-time share, time to
    /// answer, satisfaction, reopenings, escalations, the open backlog
    Report(ReportArgs),
    /// A shift's handover: what it did and what it hands over; a
    /// supervisor's notes and the acceptance
    Handover(HandoverArgs),
    /// Bring history in from an old system: a CSV export, or an Open311 endpoint's requests
    #[command(subcommand)]
    Import(ImportCommand),
    /// Fill the store with a realistic history of cases, for demonstrations and benchmarks
    Demo(DemoArgs),
    /// Copy a whole store into an empty one (e.g. SQLite up to PostgreSQL), then prove the copy
    Migrate {
        /// The store to copy (a SQLite path or a postgres:// URL)
        #[arg(long, value_name = "STORE")]
        from: String,
        /// The empty store to copy into (created if needed)
        #[arg(long, value_name = "STORE")]
        to: String,
    },
    /// Serve the Open311 GeoReport v2 endpoint (web portal and apps) on the store
    Serve {
        /// Address and port to listen on [default: [open311] listen, else 127.0.0.1:8311]
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<String>,
    },
    /// Manage the Open311 clients (web portal, apps) and their API keys (administrators)
    #[command(subcommand)]
    Client(ClientCommand),
    /// Write cases out for another system (no personal data)
    #[command(subcommand)]
    Export(ExportCommand),
    /// Check how this terminal shows Persian: a sample drawn both ways; the
    /// one that reads right is saved as [display] bidi in the config
    Doctor {
        /// Save this answer without asking: 1 (citydesk puts the text in
        /// order) or 2 (the terminal does)
        #[arg(long, value_name = "1|2")]
        answer: Option<String>,
    },
    /// Print a shell completion script
    ///
    /// For example: `citydesk completions bash > /etc/bash_completion.d/citydesk`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    ///
    /// For example: `citydesk man > /usr/local/share/man/man1/citydesk.1`
    Man {
        /// Write one page per command (citydesk.1, citydesk-case-new.1, …) into this folder instead
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Add an operator (give --password-stdin: the new password is read from
    /// standard input); the first one (an administrator) needs no sign-in
    Add {
        /// Login name: lower-case Latin letters, digits, '.', '_', '-'
        name: String,
        #[arg(long, value_parser = code::<crate::domain::roles::Role>())]
        role: crate::domain::roles::Role,
        /// The name shown in the console (any script)
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Issue a token to a service account (a script, e.g. an SMS gateway),
    /// shown this once and kept only as its hash; it may only register cases
    /// and attach contacts, and lasts until `citydesk logout --operator NAME`
    Token { name: String },
    /// Set an operator's password (administrators): citydesk's and, on
    /// PostgreSQL, the one they sign in to the server with (an operator
    /// brought from an older store or restored from a backup has none until
    /// then). Asks for it at the terminal, or reads it with --password-stdin
    /// (after the administrator's own, when --as is given)
    Password { name: String },
    /// List operators
    List,
    /// Disable an operator's account (they can no longer act)
    Disable { name: String },
    /// Enable a disabled operator's account
    Enable { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client; prints its API key once (only its hash is kept)
    Add {
        /// A short name: lower-case Latin letters, digits, '.', '_', '-' (its service account is client-NAME)
        name: String,
        /// How its cases arrive
        #[arg(long, value_enum)]
        channel: ClientChannel,
        /// Requests a minute accepted with its key
        #[arg(long, default_value_t = 120, value_parser = number::<u32>(1, 100_000))]
        rate: u32,
    },
    /// List clients (never their keys)
    List,
    /// Revoke a client's key; its cases stay
    Revoke { name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientChannel {
    /// The city's web portal
    Web,
    /// A mobile app
    App,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write cases as GeoReport v2 service requests (no names, phones or e-mail addresses)
    Open311 {
        /// The first day (YYYY-MM-DD, the center's local day) [default: the first case]
        #[arg(long, value_parser = parse_date, value_name = "DATE")]
        from: Option<chrono::NaiveDate>,
        /// The last day (YYYY-MM-DD) [default: today]
        #[arg(long, value_parser = parse_date, value_name = "DATE")]
        to: Option<chrono::NaiveDate>,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Xml,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Register a new case; prints its tracking code
    New(NewCaseArgs),
    /// Register many cases from JSON lines on standard input (an SMS gateway, an
    /// email importer): every line is checked first; if any is wrong nothing is registered
    Import,
    /// Show a case with its contacts and timeline
    Show { code: String },
    /// Find cases by tracking code, phone number, or words of the name,
    /// address or description (newest first)
    Search {
        query: String,
        #[arg(long, default_value_t = 50, value_parser = number::<u32>(1, 1000))]
        limit: u32,
    },
    /// Refer (or re-refer, or reassign) a case to a department
    Refer {
        code: String,
        /// The department's code (see `citydesk catalog departments`)
        #[arg(long, value_name = "CODE", long_help = department_help("The department's code"))]
        department: String,
        /// Assign it to this operator too
        #[arg(long = "to", value_name = "OPERATOR")]
        to: Option<String>,
        /// A word for the department, kept on the timeline
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Record the department's answer
    Resolve {
        code: String,
        #[arg(long)]
        response: String,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Record the feedback call with the citizen
    Feedback {
        code: String,
        #[command(flatten)]
        result: FeedbackResult,
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Send a case to special follow-up
    Escalate {
        code: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Close a case in special follow-up or long overdue (follow-up officers
    /// and supervisors, with a reason), or acknowledge an appreciation
    Close {
        code: String,
        /// How it ended [default: closed-by-officer; acknowledged for an appreciation]
        #[arg(long, value_parser = code::<crate::domain::case::Outcome>())]
        outcome: Option<crate::domain::case::Outcome>,
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Set the day a follow-up officer will call the citizen back: the case
    /// leaves the follow-up queue until then
    CallBack {
        code: String,
        /// The day (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        on: chrono::NaiveDate,
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Cancel a case
    Cancel {
        code: String,
        #[arg(long, value_parser = code::<crate::domain::case::CancelReason>())]
        reason: crate::domain::case::CancelReason,
        /// With --reason duplicate: the case this one repeats
        #[arg(long = "of", value_name = "CODE")]
        of: Option<String>,
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Reopen a closed or cancelled case
    Reopen {
        code: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Add a note to a case's timeline
    Note {
        code: String,
        text: String,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Record another contact about the same case
    Attach {
        code: String,
        #[arg(long)]
        phone: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = code::<crate::domain::case::Channel>())]
        channel: crate::domain::case::Channel,
        #[arg(long)]
        comment: Option<String>,
        #[command(flatten)]
        version: IfVersion,
    },
    /// Take (claim) a case: it becomes yours
    Take {
        code: String,
        #[command(flatten)]
        version: IfVersion,
    },
}

#[derive(Debug, Args)]
pub struct IfVersion {
    /// Refuse if the case is no longer at this version (optimistic concurrency)
    #[arg(long = "if-version", value_name = "N")]
    pub if_version: Option<i64>,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct FeedbackResult {
    #[arg(long)]
    pub satisfied: bool,
    #[arg(long)]
    pub dissatisfied: bool,
    /// The citizen did not answer
    #[arg(long)]
    pub unreachable: bool,
}

#[derive(Debug, Args)]
pub struct NewCaseArgs {
    /// The citizen's phone number (Persian, Arabic-Indic or Latin digits)
    #[arg(long)]
    pub phone: String,
    /// The citizen's name
    #[arg(long)]
    pub name: String,
    /// Service code (see `citydesk catalog services`)
    #[arg(long)]
    pub service: String,
    #[arg(long, value_parser = code::<crate::domain::case::Channel>(), default_value = "phone")]
    pub channel: crate::domain::case::Channel,
    #[arg(long, value_parser = code::<crate::domain::case::Kind>(), default_value = "request")]
    pub kind: crate::domain::case::Kind,
    /// District code or name (see `citydesk catalog districts`)
    #[arg(long)]
    pub district: String,
    #[arg(long, default_value = "")]
    pub neighborhood: String,
    #[arg(long)]
    pub address: String,
    #[arg(long)]
    pub description: String,
    /// When the citizen made contact, if earlier than now: RFC 3339
    /// (2026-11-28T09:30:00+03:30), or the center's local date and time,
    /// Gregorian or Jalali (2026-11-28 09:30, 1405-09-07 09:30)
    #[arg(long, value_parser = parse_when, value_name = "TIME")]
    pub received_at: Option<When>,
    #[arg(long, value_parser = code::<crate::domain::case::Priority>(), default_value = "normal")]
    pub priority: crate::domain::case::Priority,
    /// Refer it at once to this department (a code: see `citydesk catalog departments`)
    #[arg(
        long,
        value_name = "CODE",
        conflicts_with = "refer",
        long_help = department_help("Refer it at once to this department")
    )]
    pub department: Option<String>,
    /// Refer it at once to the catalog's department for the service and district
    #[arg(long)]
    pub refer: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a CSV export of an old system, all or nothing: every row is
    /// checked first, and if any is wrong nothing is imported (unless
    /// --skip-bad). Types, departments and districts the mapping does not
    /// match become catalog entries of their own. A file is imported once.
    Csv(CsvArgs),
    /// Print a shipped mapping (to start your own from); without a name, list them
    Mapping {
        /// One of the shipped mappings: boston, nyc, sf, la
        name: Option<String>,
    },
    /// Import service requests as an Open311 GeoReport v2 endpoint returns them (JSON or XML)
    Open311 {
        /// The file (GET /requests.json or .xml output)
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CsvArgs {
    /// The export: a CSV file with a header line, UTF-8
    pub file: PathBuf,
    /// A shipped mapping (boston, nyc, sf, la) or a mapping file (a path
    /// ending in .toml, or with a /); see assets/mappings/README.md
    #[arg(long, value_name = "NAME|FILE")]
    pub mapping: String,
    /// Import the good rows and write the wrong ones, with the reason, to FILE.refused.csv
    #[arg(long)]
    pub skip_bad: bool,
    /// Check every row and say what would be imported; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not draw the progress bar
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueueName {
    Unreferred,
    Overdue,
    DueSoon,
    Feedback,
    FollowUp,
    Mine,
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    /// The queue; leave it out to see how many cases every queue holds
    #[arg(value_enum)]
    pub name: Option<QueueName>,
    /// For due-soon: how far ahead to look (e.g. 4h, 90m, 2d)
    #[arg(long, value_parser = parse_span, default_value = "4h")]
    pub within: chrono::Duration,
    #[arg(long, default_value_t = 50, value_parser = number::<u32>(1, 1000))]
    pub limit: u32,
    #[arg(long, default_value_t = 0, value_parser = number::<u32>(0, u64::from(u32::MAX)))]
    pub offset: u32,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The first day (YYYY-MM-DD, Gregorian or Jalali) [default: 30 days ago]
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub from: Option<chrono::NaiveDate>,
    /// The last day, included [default: today]
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub to: Option<chrono::NaiveDate>,
    /// What each row is
    #[arg(long, value_parser = code::<crate::report::figures::GroupBy>(), default_value = "department")]
    pub by: crate::report::figures::GroupBy,
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::report::format::Format,
}

#[derive(Debug, Args)]
pub struct HandoverArgs {
    /// The shift, as DATE:NAME (e.g. 2026-11-28:night) [default: the shift
    /// that just ended, or the one under way in its second half]
    #[arg(long, value_name = "DATE:NAME")]
    pub shift: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::report::format::Format,
    #[command(subcommand)]
    pub action: Option<HandoverAction>,
}

#[derive(Debug, Subcommand)]
pub enum HandoverAction {
    /// Write (replace) the outgoing supervisor's notes
    Note {
        /// The notes; several lines are kept
        text: String,
    },
    /// Accept the handover as the incoming supervisor (the notes are then read-only)
    Accept,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogPart {
    Services,
    Departments,
    Districts,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many cases to generate
    #[arg(long, default_value_t = 10_000, value_parser = number::<u64>(0, u64::MAX))]
    pub cases: u64,
    /// Spread them over this many days up to now
    #[arg(long, default_value_t = 90, value_parser = number::<u32>(1, 365))]
    pub days: u32,
    /// Seed for the random generator (same seed, same cases)
    #[arg(long, default_value_t = 137, value_parser = number::<u64>(0, u64::MAX))]
    pub seed: u64,
    /// Do not draw the progress bar
    #[arg(long)]
    pub quiet: bool,
}

/// Parses one of the domain's closed sets of codes, in any letter case, and
/// tells clap the codes, so `--help` and the shell completions list them.
fn code<T: Code>() -> CodeParser<T> {
    CodeParser(std::marker::PhantomData)
}

#[derive(Clone)]
struct CodeParser<T>(std::marker::PhantomData<fn() -> T>);

impl<T: Code> TypedValueParser for CodeParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        if let Some(v) = value.to_str().and_then(|s| s.parse().ok()) {
            return Ok(v);
        }
        // Not a code: clap's own message, naming the option and its codes.
        let codes = T::ALL.iter().map(|v| v.as_str());
        Err(PossibleValuesParser::new(codes)
            .parse_ref(cmd, arg, value)
            .err()
            .unwrap_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue)))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::ALL.iter().map(|v| PossibleValue::new(v.as_str())),
        ))
    }
}

/// The long help of a `--department` option: where to find the codes, and
/// the built-in catalog's (a store may have loaded another catalog).
fn department_help(what: &str) -> String {
    format!(
        "{what}: a department code. `citydesk catalog departments` lists the store's departments; \
the built-in catalog has: {}",
        department_codes()
    )
}

/// The built-in catalog's department codes, listed.
fn department_codes() -> String {
    let builtin = crate::domain::catalog::Catalog::builtin();
    let codes: Vec<&str> = builtin
        .departments
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    codes.join(", ")
}

fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(&crate::text::ascii_digits(s.trim()))
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            say(
                "cli.parse.rfc3339",
                &[("value", &format!("{s:?}")), ("why", &e.to_string())],
            )
        })
}

/// A language code for `--lang`.
fn parse_lang(s: &str) -> Result<crate::locale::Lang, String> {
    crate::locale::Lang::parse(s)
        .ok_or_else(|| say("cli.parse.lang", &[("value", &format!("{s:?}"))]))
}

/// A time given on the command line: an instant (RFC 3339), or a local
/// date and time of the center, which becomes an instant once the center's
/// time zone is known (see `run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    At(chrono::DateTime<chrono::Utc>),
    Local(chrono::NaiveDateTime),
}

/// RFC 3339, or a local date (ISO or Jalali, any digit script) and a time
/// `HH:MM`, separated by a space or `T`.
fn parse_when(s: &str) -> Result<When, String> {
    if let Ok(t) = parse_time(s) {
        return Ok(When::At(t));
    }
    let t = crate::text::ascii_digits(s.trim());
    let (date, time) = t
        .rsplit_once([' ', 'T'])
        .ok_or_else(|| say("cli.parse.time", &[("value", &format!("{s:?}"))]))?;
    let date = crate::calendar::parse_date(date).map_err(|e| date_error(&e))?;
    let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M:%S"))
        .map_err(|_| {
            say(
                "cli.parse.time-of-day",
                &[
                    ("value", &format!("{s:?}")),
                    ("time", &format!("{:?}", time.trim())),
                ],
            )
        })?;
    Ok(When::Local(date.and_time(time)))
}

/// A date: ISO (2026-12-03) or Jalali (1405-09-12), any digit script.
fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    crate::calendar::parse_date(s).map_err(|e| date_error(&e))
}

/// A date that could not be read, said in the process's language.
pub(crate) fn date_error(e: &crate::calendar::DateError) -> String {
    use crate::calendar::DateError;
    if lang() == crate::locale::Lang::En {
        return e.to_string();
    }
    match e {
        DateError::Empty => say("cli.date.empty", &[]),
        DateError::Shape { input } => say("cli.date.shape", &[("input", &format!("{input:?}"))]),
        DateError::Month { input, month } => say(
            "cli.date.month",
            &[("input", &format!("{input:?}")), ("month", &num(month))],
        ),
        DateError::Day {
            input,
            year,
            month,
            days,
            ..
        } => say(
            "cli.date.day",
            &[
                ("input", &format!("{input:?}")),
                ("year", &num(year)),
                ("month", &num(month)),
                ("days", &num(days)),
            ],
        ),
    }
}

/// The longest span `--within` looks ahead.
pub const MAX_SPAN_DAYS: i64 = 366;

/// A whole number from `min` to `max` typed in any digit script (0-9,
/// Persian ۰-۹, Arabic-Indic ٠-٩), as a clap value parser.
fn number<T>(
    min: u64,
    max: u64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
{
    move |s: &str| {
        let n: u64 = crate::text::ascii_digits(s.trim()).parse().map_err(|_| {
            say(
                "cli.parse.number",
                &[("value", &format!("{s:?}")), ("min", &num(min))],
            )
        })?;
        if n < min || n > max {
            return Err(say(
                "cli.parse.range",
                &[
                    ("value", &format!("{s:?}")),
                    ("min", &num(min)),
                    ("max", &num(max)),
                ],
            ));
        }
        T::try_from(n).map_err(|_| say("cli.parse.too-large", &[("value", &format!("{s:?}"))]))
    }
}

/// Parses a span like `4h`, `90m`, `2d`, `1h30m` (any digit script), up to
/// `MAX_SPAN_DAYS`; larger numbers are refused, never overflowed.
pub fn parse_span(s: &str) -> Result<chrono::Duration, String> {
    let t = crate::text::ascii_digits(s.trim());
    let bad = || say("cli.parse.span", &[("value", &format!("{s:?}"))]);
    let too_long = || {
        say(
            "cli.parse.span-too-long",
            &[
                ("value", &format!("{s:?}")),
                ("days", &num(MAX_SPAN_DAYS)),
                ("max", &MAX_SPAN_DAYS.to_string()),
            ],
        )
    };
    let max = MAX_SPAN_DAYS * 86_400;
    let mut total = 0i64;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if num.is_empty() {
            return Err(bad());
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            _ => return Err(bad()),
        };
        // Too many digits for i64 is too long a span, like any sum above the limit.
        total = num
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .and_then(|n| n.checked_add(total))
            .filter(|&n| n <= max)
            .ok_or_else(too_long)?;
        num.clear();
    }
    if !num.is_empty() || total <= 0 {
        return Err(bad());
    }
    Ok(chrono::Duration::seconds(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_any_digits() {
        let limit = number::<u32>(1, 1000);
        assert_eq!(limit("۵۰"), Ok(50));
        assert_eq!(limit("٥٠"), Ok(50));
        assert_eq!(limit(" 7 "), Ok(7));
        assert!(limit("0").is_err());
        assert!(limit("۱۰۰۱").is_err());
        assert!(limit("5x").is_err());
        assert!(limit("").is_err());
        let parsed = Cli::try_parse_from(["citydesk", "queue", "overdue", "--limit", "۱۲"]);
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span("4h").unwrap(), chrono::Duration::hours(4));
        assert_eq!(parse_span("۱h۳۰m").unwrap(), chrono::Duration::minutes(90));
        assert!(parse_span("4").is_err());
        assert!(parse_span("h").is_err());
        assert!(parse_span("0h").is_err());
        assert!(parse_span("4x").is_err());
        assert_eq!(parse_span("366d").unwrap(), chrono::Duration::days(366));
        assert_eq!(parse_span("365d24h").unwrap(), chrono::Duration::days(366));
    }

    #[test]
    fn huge_spans_are_refused_not_overflowed() {
        let too_long = "is more than 366 days: write a shorter span, e.g. 4h, 2d or 366d";
        for s in [
            "367d",
            "366d1m",
            "99999999d",
            "9999999999999999999999d",
            "153722867280912930m",
            "9223372036854775807h1h",
            "۹۹۹۹۹۹۹۹d",
        ] {
            let e = parse_span(s).unwrap_err();
            assert!(e.ends_with(too_long), "{s}: {e}");
        }
    }

    #[test]
    fn extreme_times_are_parsed_or_refused_never_a_panic() {
        for s in [
            "0000-01-01T00:00:00+23:59",
            "9999-12-31T23:59:59-23:59",
            "99999-01-01T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "۲۰۲۶-۱۱-۲۸T09:30:00+03:30",
            "",
        ] {
            let _ = parse_time(s);
        }
        assert!(parse_time("99999-01-01T00:00:00Z").is_err());
        for s in ["99999999-01-01", "262144-01-01", "-1-01-01", "2026-02-30"] {
            let _ = parse_date(s);
        }
        assert!(parse_date("2026-02-30").is_err());
    }

    #[test]
    fn received_at_takes_an_instant_or_a_local_time_in_either_calendar() {
        let local = |y, m, d, h, min| {
            When::Local(
                chrono::NaiveDate::from_ymd_opt(y, m, d)
                    .unwrap()
                    .and_hms_opt(h, min, 0)
                    .unwrap(),
            )
        };
        assert_eq!(
            parse_when("1405-09-07 16:20"),
            Ok(local(2026, 11, 28, 16, 20))
        );
        assert_eq!(
            parse_when("۱۴۰۵/۰۹/۰۷ ۱۶:۲۰"),
            Ok(local(2026, 11, 28, 16, 20))
        );
        assert_eq!(
            parse_when("2026-11-28T16:20"),
            Ok(local(2026, 11, 28, 16, 20))
        );
        assert_eq!(parse_when("1405-01-01 00:00"), Ok(local(2026, 3, 21, 0, 0)));
        assert!(matches!(
            parse_when("2026-11-28T09:30:00+03:30"),
            Ok(When::At(_))
        ));
        let e = parse_when("1404-12-30 10:00").unwrap_err();
        assert!(e.contains("Esfand 1404 has 29 days"), "{e}");
        assert!(parse_when("1405-09-07 25:00").is_err());
        assert!(parse_when("yesterday").is_err());
    }

    #[test]
    fn clap_definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
