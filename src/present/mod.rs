//! Words at the edge: the one layer that turns typed values — timeline events,
//! refusals, store errors, codes, times and durations — into text for people,
//! in the locale chosen, for the console and the command line alike. Nothing
//! below this layer (domain, store) holds a sentence; `Display` of the error
//! types is this layer in English, for logs and tests.
//!
//! Text typed by people (a comment, a response) is put in as it is; whoever
//! prints it passes it through the terminal neutralizer.

use std::fmt;

mod loading;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::calendar::{Calendar, Digits};
use crate::domain::UnknownCode;
use crate::domain::catalog::Catalog;
use crate::domain::event::What;
use crate::domain::intake::{FieldError, InvalidInput, Problem};
use crate::domain::roles::{Denied, Role};
use crate::domain::shift::{Center, Shift};
use crate::domain::tracking::CodeError;
use crate::domain::workflow::Refusal;
use crate::locale::{Lang, Locale};
use crate::store::StoreError;
use crate::text::PhoneError;

/// The words of one locale, with the center's clock for times.
#[derive(Debug, Clone)]
pub struct Words {
    locale: &'static Locale,
    pub center: Center,
}

/// A value that can be said in words.
pub trait Say {
    fn say(&self, w: &Words) -> String;
}

impl Words {
    pub fn new(locale: &'static Locale, center: Center) -> Words {
        Words { locale, center }
    }

    /// The words of `lang`, with the center's clock.
    pub fn of(lang: Lang, center: Center) -> Words {
        Words::new(lang.locale(), center)
    }

    /// English, with the default center (Tehran time).
    pub fn english() -> Words {
        Words::new(Locale::english(), Center::default())
    }

    pub fn locale(&self) -> &'static Locale {
        self.locale
    }

    pub fn lang(&self) -> Lang {
        self.locale.lang()
    }

    /// The calendar dates are shown in: Jalali in Persian, else Gregorian.
    pub fn calendar(&self) -> Calendar {
        match self.lang() {
            Lang::Fa => Calendar::Jalali,
            Lang::En => Calendar::Gregorian,
        }
    }

    /// The digits numbers are written with: Persian in Persian, else Latin.
    pub fn digits(&self) -> Digits {
        match self.lang() {
            Lang::Fa => Digits::Persian,
            Lang::En => Digits::Latin,
        }
    }

    /// A number (or any text with digits: a percentage, a count) written
    /// with the language's digits. Identifiers (tracking codes, phone
    /// numbers) are not numbers: they stay as they are.
    pub fn n(&self, v: impl fmt::Display) -> String {
        let s = v.to_string();
        match self.digits() {
            Digits::Persian => crate::calendar::persian_digits(&s).replace('%', "٪"),
            Digits::Latin => s,
        }
    }

    /// The text of `key`.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.locale.t(key)
    }

    /// The text of `key` with `{name}` placeholders filled.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.locale.fill(key, args)
    }

    /// How a domain code (a status, a channel…) reads on screen: the
    /// locale's `code.<kind>.<code>`, or the code itself.
    pub fn code(&self, kind: &str, code: &str) -> String {
        let key = format!("code.{kind}.{code}");
        if self.locale.has(&key) {
            self.locale.t(&key).to_owned()
        } else {
            code.to_owned()
        }
    }

    /// How a code reads inside a sentence of a message (`word.<kind>.<code>`):
    /// in English the code itself, which the command line also takes as input.
    pub fn word(&self, kind: &str, code: &str) -> String {
        let key = format!("word.{kind}.{code}");
        if self.locale.has(&key) {
            self.locale.t(&key).to_owned()
        } else {
            code.to_owned()
        }
    }

    fn words(&self, kind: &str, codes: &[&str]) -> String {
        codes
            .iter()
            .map(|c| self.word(kind, c))
            .collect::<Vec<_>>()
            .join(self.t("list.and"))
    }

    /// "an operator"
    pub fn role_a(&self, r: Role) -> String {
        self.t(&format!("role-a.{r}")).to_owned()
    }

    /// "a follow-up officer or a supervisor"
    pub fn roles_or(&self, roles: &[Role]) -> String {
        roles
            .iter()
            .map(|r| self.role_a(*r))
            .collect::<Vec<_>>()
            .join(self.t("list.or"))
    }

    /// A span in its largest two units: `2d 4h`, `3h 20m`, `45m`
    /// ("۲ روز و ۴ ساعت").
    pub fn span(&self, d: Duration) -> String {
        self.span_units(d, 2)
    }

    /// A span for a narrow table cell: in as many units as the locale's
    /// `span.short-units` says (English 2: `2d 4h`; Persian 1: "۲ روز").
    pub fn span_short(&self, d: Duration) -> String {
        let units = self.t("span.short-units").parse().unwrap_or(2);
        self.span_units(d, units)
    }

    fn span_units(&self, d: Duration, units: u8) -> String {
        let m = d.num_minutes().abs();
        let (days, hours, mins) = (m / 1440, (m / 60) % 24, m % 60);
        let n = |key: &str, v: i64| self.fill(key, &[("n", &self.n(v))]);
        let two = |a: String, b: String| {
            if units >= 2 {
                format!("{a}{}{b}", self.t("span.and"))
            } else {
                a
            }
        };
        match (days, hours, mins) {
            (0, 0, m) => n("span.m", m),
            (0, h, 0) => n("span.h", h),
            (0, h, m) => two(n("span.h", h), n("span.m", m)),
            (d, 0, _) => n("span.d", d),
            (d, h, _) => two(n("span.d", d), n("span.h", h)),
        }
    }

    /// Time left to a deadline, or how late it is.
    pub fn left(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> String {
        self.left_in(due, now, Self::span)
    }

    /// Time left or late, for a narrow cell ([`Words::span_short`]).
    pub fn left_short(&self, due: DateTime<Utc>, now: DateTime<Utc>) -> String {
        self.left_in(due, now, Self::span_short)
    }

    fn left_in(
        &self,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        span: fn(&Words, Duration) -> String,
    ) -> String {
        let time = span(self, due - now);
        if due >= now {
            self.fill("span.left", &[("time", &time)])
        } else {
            self.fill("span.late", &[("time", &time)])
        }
    }

    /// A time as the center's local date and time: "2026-11-28 16:20";
    /// in Persian Jalali with Persian digits, "۷ آذر ۱۴۰۵ ۱۶:۲۰".
    pub fn time(&self, t: DateTime<Utc>) -> String {
        match self.lang() {
            Lang::En => self.center.show(t),
            Lang::Fa => {
                crate::calendar::date_time(self.calendar(), self.center.local(t), self.digits())
            }
        }
    }

    /// A local time of day (HH:MM).
    pub fn clock(&self, t: DateTime<Utc>) -> String {
        self.n(self.center.local(t).format("%H:%M"))
    }

    /// A local date: "2026-11-28"; in Persian "۷ آذر ۱۴۰۵".
    pub fn date(&self, d: NaiveDate) -> String {
        match self.lang() {
            Lang::En => d.format("%Y-%m-%d").to_string(),
            Lang::Fa => crate::calendar::date(self.calendar(), d, self.digits()),
        }
    }

    /// A date for a table column, of one width: "2026-11-28", "۱۴۰۵/۰۹/۰۷".
    pub fn date_numeric(&self, d: NaiveDate) -> String {
        crate::calendar::date_numeric(self.calendar(), d, self.digits())
    }

    /// A shift: its date and its name.
    pub fn shift(&self, s: &Shift) -> String {
        format!("{} {}", self.date(s.date), self.code("shift", &s.name))
    }

    /// Of a catalog entry's two names, the one in this language.
    pub fn name<'a>(&self, fa: &'a str, en: &'a str) -> &'a str {
        match self.lang() {
            Lang::Fa if !fa.trim().is_empty() => fa,
            _ => en,
        }
    }

    /// Both names, this language's first: "Pothole · چاله", "چاله · Pothole".
    pub fn names(&self, fa: &str, en: &str) -> String {
        match self.lang() {
            Lang::Fa => format!("{fa} · {en}"),
            Lang::En => format!("{en} · {fa}"),
        }
    }

    /// A service's name (the code itself for one the catalog no longer has).
    pub fn service(&self, catalog: &Catalog, code: &str) -> String {
        catalog.service(code).map_or_else(
            || code.to_owned(),
            |s| self.name(&s.name_fa, &s.name_en).to_owned(),
        )
    }

    /// A department's name (the code itself for one the catalog no longer has).
    pub fn department(&self, catalog: &Catalog, code: &str) -> String {
        catalog.department(code).map_or_else(
            || code.to_owned(),
            |d| self.name(&d.name_fa, &d.name_en).to_owned(),
        )
    }

    /// Who did a shift's work: an operator's login, or an old system's name
    /// for what was imported from it.
    pub fn person(&self, key: &str) -> String {
        match key.strip_prefix(crate::report::handover::IMPORTED) {
            Some(source) => self.fill("handover.imported", &[("source", source)]),
            None => key.to_owned(),
        }
    }

    /// A district's name (the code itself for one the catalog no longer has).
    pub fn district(&self, catalog: &Catalog, code: &str) -> String {
        catalog.district(code).map_or_else(
            || code.to_owned(),
            |d| self.name(&d.name_fa, &d.name_en).to_owned(),
        )
    }

    /// What happened in a timeline event, in a line (its time, actor and
    /// states are shown beside it by the caller).
    pub fn event(&self, what: &What, catalog: &Catalog) -> String {
        let with = |text: String, comment: &Option<String>| match comment {
            Some(c) => self.fill("event.with", &[("text", &text), ("comment", c)]),
            None => text,
        };
        match what {
            What::Register {
                service,
                channel,
                department,
                due_at,
            } => self.fill(
                "event.register",
                &[
                    ("service", &self.service(catalog, service)),
                    ("channel", &self.code("channel", channel.as_str())),
                    ("department", &self.department(catalog, department)),
                    ("due", &self.time(*due_at)),
                ],
            ),
            What::Refer {
                department,
                assignee,
                escalation_level,
                due_at,
                comment,
            } => {
                let mut text = self.fill(
                    "event.refer",
                    &[("department", &self.department(catalog, department))],
                );
                if let (Some(level), Some(due)) = (escalation_level, due_at) {
                    text.push_str(&self.fill(
                        "event.refer-level",
                        &[("level", &level.to_string()), ("due", &self.time(*due))],
                    ));
                }
                if let Some(a) = assignee {
                    text.push_str(&self.fill("event.refer-assignee", &[("who", a)]));
                }
                with(text, comment)
            }
            What::Resolve { response } => response.clone(),
            What::Feedback {
                result,
                attempt,
                attempts_allowed,
                comment,
            } => {
                let result = self.code("feedback", result.as_str());
                let text = match (attempt, attempts_allowed) {
                    (Some(n), Some(of)) => self.fill(
                        "event.feedback-attempt",
                        &[
                            ("result", &result),
                            ("n", &n.to_string()),
                            ("of", &of.to_string()),
                        ],
                    ),
                    _ => result,
                };
                with(text, comment)
            }
            What::Escalate { reason } => reason.clone(),
            What::Close { outcome, reason } => with(self.code("outcome", outcome.as_str()), reason),
            What::Cancel {
                reason,
                duplicate_of,
                comment,
            } => {
                let reason = self.code("cancel", reason.as_str());
                let text = match duplicate_of {
                    Some(of) => self.fill(
                        "event.cancel-of",
                        &[("reason", &reason), ("code", &of.to_string())],
                    ),
                    None => reason,
                };
                with(text, comment)
            }
            What::Reopen { reason, due_at } => match due_at {
                Some(due) => self.fill(
                    "event.reopen",
                    &[("reason", reason), ("due", &self.time(*due))],
                ),
                None => reason.clone(),
            },
            What::Note { text } => text.clone(),
            What::Attach {
                contact,
                channel,
                comment,
            } => with(
                self.fill(
                    "event.attach",
                    &[
                        ("n", &contact.to_string()),
                        ("channel", &self.code("channel", channel.as_str())),
                    ],
                ),
                comment,
            ),
            What::Take => self.t("event.take").to_owned(),
            What::Import { source, old_id } => {
                self.fill("event.import", &[("source", source), ("old_id", old_id)])
            }
            What::CallBack { on, comment } => with(
                self.fill("event.call-back", &[("date", &self.date(*on))]),
                comment,
            ),
        }
    }

    /// Why an action cannot be taken now, short, for a list of actions.
    pub fn refusal_short(&self, r: &Refusal) -> String {
        match r {
            Refusal::NotAllowed { status, .. } => self.fill(
                "refusal.short.not-now",
                &[("status", &self.code("status", status.as_str()))],
            ),
            Refusal::Forbidden { roles, .. } => {
                let names: Vec<String> = roles
                    .iter()
                    .map(|r| self.code("role", r.as_str()))
                    .collect();
                self.fill(
                    "refusal.short.not-role",
                    &[("roles", &names.join(self.t("list.slash")))],
                )
            }
            Refusal::Invalid(i) => i.say(self),
        }
    }

    /// One field's problem, without the field's name (shown beside it).
    pub fn problem(&self, field: &str, p: &Problem) -> String {
        let (kind, args): (&str, Vec<(&str, String)>) = match p {
            Problem::Empty => ("empty", vec![]),
            Problem::Nul => ("nul", vec![]),
            Problem::TooLong { chars, max } => (
                "too-long",
                vec![("chars", chars.to_string()), ("max", max.to_string())],
            ),
            Problem::NotAPhone { given, why } => (
                "not-a-phone",
                vec![("given", format!("{given:?}")), ("why", why.say(self))],
            ),
            Problem::UnknownService { given } => {
                ("unknown-service", vec![("given", format!("{given:?}"))])
            }
            Problem::RetiredService { code } => {
                ("retired-service", vec![("code", format!("{code:?}"))])
            }
            Problem::UnknownDistrict { given, accepted } => (
                "unknown-district",
                vec![
                    ("given", format!("{given:?}")),
                    ("accepted", accepted.join(", ")),
                ],
            ),
            Problem::UnknownDepartment { given } => {
                ("unknown-department", vec![("given", format!("{given:?}"))])
            }
            Problem::NotAChoice { given, accepted } => (
                "not-a-choice",
                vec![
                    ("given", format!("{given:?}")),
                    ("accepted", accepted.join(", ")),
                ],
            ),
            Problem::InFuture { at } => ("in-future", vec![("at", self.time(*at))]),
            Problem::TooOld { at, days } => (
                "too-old",
                vec![("at", self.time(*at)), ("days", days.to_string())],
            ),
            Problem::DuplicateNeedsCode => ("duplicate-needs-code", vec![]),
            Problem::DuplicateOfItself => ("duplicate-of-itself", vec![]),
            Problem::OnlyDuplicateNamesCase => ("only-duplicate-names-case", vec![]),
            Problem::AlreadyYours => ("already-yours", vec![]),
            Problem::HeldBy { holder } => ("held-by", vec![("holder", holder.clone())]),
            Problem::NotInFuture { on } => ("not-in-future", vec![("on", self.date(*on))]),
            Problem::TooFar { on, days } => (
                "too-far",
                vec![("on", self.date(*on)), ("days", days.to_string())],
            ),
        };
        // A field may word a problem its own way: problem.empty-service.
        let special = format!("problem.{kind}-{field}");
        let key = if self.locale.has(&special) {
            special
        } else {
            format!("problem.{kind}")
        };
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.fill(&key, &args)
    }

    /// A field's name in a message.
    pub fn field(&self, field: &str) -> String {
        self.word("field", field)
    }
}

impl Say for UnknownCode {
    fn say(&self, w: &Words) -> String {
        let what = crate::domain::kebab(self.what);
        w.fill(
            "error.unknown-code",
            &[
                ("what", &w.word("what", &what.replace(' ', "-"))),
                ("given", &format!("{:?}", self.given)),
                ("accepted", &self.accepted.join(", ")),
            ],
        )
    }
}

impl Say for CodeError {
    fn say(&self, w: &Words) -> String {
        match self {
            CodeError::NotADigit { given } => w.fill(
                "error.code.not-a-digit",
                &[("given", &format!("{given:?}"))],
            ),
            CodeError::Length { given, digits } => w.fill(
                "error.code.length",
                &[
                    ("given", &format!("{given:?}")),
                    ("digits", &digits.to_string()),
                ],
            ),
            CodeError::Check { given } => {
                w.fill("error.code.check", &[("given", &format!("{given:?}"))])
            }
        }
    }
}

impl Say for PhoneError {
    fn say(&self, w: &Words) -> String {
        match self {
            PhoneError::Empty => w.t("error.phone.empty").to_owned(),
            PhoneError::NotADigit(c) => {
                w.fill("error.phone.not-a-digit", &[("char", &format!("{c:?}"))])
            }
            PhoneError::Length(n) => w.fill("error.phone.length", &[("digits", &n.to_string())]),
        }
    }
}

impl Say for FieldError {
    fn say(&self, w: &Words) -> String {
        w.fill(
            "error.field",
            &[
                ("field", &w.field(self.field)),
                ("problem", &w.problem(self.field, &self.problem)),
            ],
        )
    }
}

impl Say for InvalidInput {
    fn say(&self, w: &Words) -> String {
        self.errors
            .iter()
            .map(|e| e.say(w))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Say for Refusal {
    fn say(&self, w: &Words) -> String {
        match self {
            Refusal::NotAllowed {
                code,
                action,
                status,
                allowed,
            } => {
                let allowed: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                w.fill(
                    "refusal.not-allowed",
                    &[
                        ("action", &w.word("action", action.as_str())),
                        ("code", &code.to_string()),
                        ("status", &w.word("status", status.as_str())),
                        ("allowed", &w.words("action", &allowed)),
                    ],
                )
            }
            Refusal::Forbidden {
                code,
                action,
                status,
                role,
                roles,
            } => w.fill(
                "refusal.forbidden",
                &[
                    ("action", &w.word("action", action.as_str())),
                    ("code", &code.to_string()),
                    ("role", &w.role_a(*role)),
                    ("status", &w.word("status", status.as_str())),
                    ("roles", &w.roles_or(roles)),
                ],
            ),
            Refusal::Invalid(i) => i.say(w),
        }
    }
}

impl Say for Denied {
    fn say(&self, w: &Words) -> String {
        match self {
            Denied::Role {
                actor,
                role,
                action,
                roles,
            } => {
                let special = format!("denied.role-{action}");
                let key = if w.locale.has(&special) {
                    special
                } else {
                    "denied.role".to_owned()
                };
                w.fill(
                    &key,
                    &[
                        ("actor", actor),
                        ("role", &w.role_a(*role)),
                        ("roles", &w.roles_or(roles)),
                        ("action", &w.word("action", action.as_str())),
                    ],
                )
            }
            Denied::FirstAccount { role } => w.fill(
                "denied.first-account",
                &[("role", &w.word("role", role.as_str()))],
            ),
            Denied::NeedsActor => w.t("denied.needs-actor").to_owned(),
            Denied::Handover { role } => w.fill("denied.handover", &[("role", &w.role_a(*role))]),
            Denied::DisableSelf => w.t("denied.disable-self").to_owned(),
            Denied::ServicePassword { name } => {
                w.fill("denied.service-password", &[("name", name)])
            }
            Denied::OperatorName { name } => {
                w.fill("denied.operator-name", &[("name", &format!("{name:?}"))])
            }
            Denied::TargetNotEmpty {
                location,
                cases,
                operators,
            } => w.fill(
                "denied.target-not-empty",
                &[
                    ("location", location),
                    ("cases", &cases.to_string()),
                    ("operators", &operators.to_string()),
                ],
            ),
        }
    }
}

impl Say for StoreError {
    fn say(&self, w: &Words) -> String {
        let quoted = |s: &str| format!("{s:?}");
        match self {
            StoreError::Missing(at) => w.fill("error.store.missing", &[("at", at)]),
            StoreError::NotInitialized(at) => w.fill("error.store.not-initialized", &[("at", at)]),
            StoreError::TooNew { found, known } => w.fill(
                "error.store.too-new",
                &[("found", &found.to_string()), ("known", &known.to_string())],
            ),
            StoreError::NoSuchCase(code) => {
                w.fill("error.store.no-such-case", &[("code", &code.to_string())])
            }
            StoreError::NoSuchOperator(n) => {
                w.fill("error.store.no-such-operator", &[("name", &quoted(n))])
            }
            StoreError::OperatorDisabled(n) => {
                w.fill("error.store.operator-disabled", &[("name", &quoted(n))])
            }
            StoreError::OperatorExists(n) => {
                w.fill("error.store.operator-exists", &[("name", &quoted(n))])
            }
            StoreError::NoSuchClient(n) => {
                w.fill("error.store.no-such-client", &[("name", &quoted(n))])
            }
            StoreError::ClientExists(n) => {
                w.fill("error.store.client-exists", &[("name", &quoted(n))])
            }
            StoreError::Conflict {
                code,
                by,
                at,
                version,
            } => w.fill(
                "error.store.conflict",
                &[
                    ("code", &code.to_string()),
                    ("by", by),
                    ("at", &w.time(*at)),
                    ("version", &version.to_string()),
                ],
            ),
            StoreError::Forbidden(d) => d.say(w),
            StoreError::Refused(r) => r.say(w),
            StoreError::Invalid(i) => i.say(w),
            StoreError::Catalog(c) => c.say(w),
            StoreError::HandoverAccepted { by, at } => w.fill(
                "error.store.handover-accepted",
                &[("by", by), ("at", &w.time(*at))],
            ),
            StoreError::OwnHandover => w.t("error.store.own-handover").to_owned(),
            StoreError::Busy => w.t("error.store.busy").to_owned(),
            StoreError::Unreachable(why) => w.fill("error.store.unreachable", &[("why", why)]),
            StoreError::AlreadyImported {
                source,
                count,
                example,
            } => w.fill(
                "error.store.already-imported",
                &[
                    ("source", source),
                    ("count", &count.to_string()),
                    ("example", example),
                ],
            ),
            StoreError::Backend(why) => w.fill("error.store.backend", &[("why", why)]),
            StoreError::CodesExhausted { capacity } => w.fill(
                "error.store.codes-exhausted",
                &[("capacity", &capacity.to_string())],
            ),
            StoreError::BadVersion { found } => {
                w.fill("error.store.bad-version", &[("found", &quoted(found))])
            }
            StoreError::Foreign { at, why } => {
                w.fill("error.store.foreign", &[("at", at), ("why", why)])
            }
            StoreError::ReadOnly(at) => w.fill("error.store.read-only", &[("at", at)]),
            StoreError::ConnectionRefused { at, why } => w.fill(
                "error.store.connection-refused",
                &[("at", at), ("why", why)],
            ),
            StoreError::Tls { at, why } => w.fill("error.store.tls", &[("at", at), ("why", why)]),
            StoreError::NotSignedIn(at) => w.fill("error.store.not-signed-in", &[("at", at)]),
            StoreError::OutcomeUnknown {
                at,
                transaction,
                why,
            } => w.fill(
                "error.store.outcome-unknown",
                &[
                    ("at", at),
                    ("why", why),
                    ("transaction", &transaction.to_string()),
                ],
            ),
        }
    }
}

impl Say for crate::auth::SignIn {
    fn say(&self, w: &Words) -> String {
        use crate::auth::SignIn;
        match self {
            SignIn::NotSignedIn { location } => {
                w.fill("sign-in.not-signed-in", &[("location", location)])
            }
            SignIn::UnknownToken => w.t("sign-in.unknown-token").to_owned(),
            SignIn::Expired { operator, at } => w.fill(
                "sign-in.expired",
                &[("operator", operator), ("at", &w.time(*at))],
            ),
            SignIn::Revoked { operator, by, at } => w.fill(
                "sign-in.revoked",
                &[("operator", operator), ("by", by), ("at", &w.time(*at))],
            ),
            SignIn::WrongPassword => w.t("sign-in.wrong-password").to_owned(),
            SignIn::OtherOperator { signed_in, named } => w.fill(
                "sign-in.other-operator",
                &[("signed_in", signed_in), ("named", named)],
            ),
            SignIn::ServiceOnly { operator } => {
                w.fill("sign-in.service-only", &[("operator", operator)])
            }
            SignIn::ServiceByPassword { operator } => {
                w.fill("sign-in.service-by-password", &[("operator", operator)])
            }
            SignIn::NotService { operator } => {
                w.fill("sign-in.not-service", &[("operator", operator)])
            }
            SignIn::NeedsPassword => w.t("sign-in.needs-password").to_owned(),
            SignIn::SessionFile { path, why } => {
                w.fill("sign-in.session-file", &[("path", path), ("why", why)])
            }
        }
    }
}

/// One break in a store's history, in words (`verified` names the cases).
pub fn say_break(
    verified: &crate::store::chain::Verified,
    b: &crate::store::chain::Break,
    w: &Words,
) -> String {
    use crate::store::chain::Break;
    let n = |v: &i64| v.to_string();
    match b {
        Break::Edited { case_id, seq } => w.fill(
            "verify.edited",
            &[("code", &verified.code(*case_id)), ("seq", &n(seq))],
        ),
        Break::Link { case_id, seq } => w.fill(
            "verify.link",
            &[("code", &verified.code(*case_id)), ("seq", &n(seq))],
        ),
        Break::CaseGap {
            case_id,
            after,
            next,
        } => w.fill(
            "verify.case-gap",
            &[
                ("code", &verified.code(*case_id)),
                ("after", &n(after)),
                ("next", &n(next)),
            ],
        ),
        Break::Missing { from, to } => {
            w.fill("verify.missing", &[("from", &n(from)), ("to", &n(to))])
        }
        Break::Chain { place } => w.fill("verify.chain", &[("place", &n(place))]),
        Break::Head { counter, last } => w.fill(
            "verify.head",
            &[("counter", &n(counter)), ("last", &n(last))],
        ),
        Break::Unchained { case_id, seq } => w.fill(
            "verify.unchained",
            &[("code", &verified.code(*case_id)), ("seq", &n(seq))],
        ),
        Break::Trigger { name } => w.fill("verify.trigger", &[("name", name)]),
    }
}

/// `Display` of the typed errors: their English words.
macro_rules! display_in_english {
    ($($t:ty),+) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.say(&Words::english()))
            }
        }
    )+};
}

display_in_english!(
    UnknownCode,
    CodeError,
    PhoneError,
    InvalidInput,
    Refusal,
    Denied,
    StoreError,
    crate::auth::SignIn,
    crate::domain::catalog::CatalogError,
    crate::import::mapping::MappingError,
    crate::import::Refused,
    crate::import::Problem,
    crate::import::ImportError
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_in_their_two_largest_units() {
        let w = Words::english();
        assert_eq!(w.span(Duration::minutes(45)), "45m");
        assert_eq!(w.span(Duration::minutes(180)), "3h");
        assert_eq!(w.span(Duration::minutes(200)), "3h 20m");
        assert_eq!(w.span(Duration::hours(48)), "2d");
        assert_eq!(w.span(Duration::hours(52)), "2d 4h");
        assert_eq!(w.span(-Duration::hours(52)), "2d 4h");
    }

    #[test]
    fn every_problem_and_error_has_words() {
        let w = Words::english();
        let p = Problem::TooLong { chars: 5, max: 4 };
        assert_eq!(w.problem("name", &p), "has 5 characters; at most 4 fit");
        assert_eq!(
            w.problem("service", &Problem::Empty),
            "is empty: choose the service the call is about"
        );
        assert_eq!(w.problem("name", &Problem::Empty), "is empty: type it in");
        let e = StoreError::Forbidden(Denied::DisableSelf).to_string();
        assert!(e.contains("your own account"), "{e}");
        assert!(!e.contains("denied."), "{e}");
    }

    /// Unused variants of `ActionKind` still need words for messages.
    #[test]
    fn every_action_and_status_reads_in_a_sentence() {
        use crate::domain::case::Status;
        use crate::domain::roles::ActionKind;
        let w = Words::english();
        for a in ActionKind::ALL {
            assert!(w.locale.has(&format!("word.action.{a}")), "word.action.{a}");
        }
        for s in Status::ALL {
            assert!(w.locale.has(&format!("word.status.{s}")), "word.status.{s}");
        }
        for r in Role::ALL {
            assert!(w.locale.has(&format!("role-a.{r}")), "role-a.{r}");
        }
    }
}
