//! The config file (`<config dir>/config.toml`): the center's time zone and
//! shifts, and the workflow settings. Parse, then check; a bad file gets a
//! message naming the line and what to write instead, never a crash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use serde::Deserialize;

use crate::domain::intake::Rules;
use crate::domain::shift::{Center, SHIFT_NAMES, ShiftStart, Zone};
use crate::keymap::Keymap;
use crate::store::Settings;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    center: CenterFile,
    #[serde(default)]
    workflow: Rules,
    /// Key bindings: `action = "key"` or `action = ["key", "key"]`.
    #[serde(default)]
    keys: BTreeMap<String, toml::Spanned<Keys>>,
    /// The Open311 server (`citydesk serve`).
    #[serde(default)]
    open311: Open311Config,
    /// Sessions and the store file's access.
    #[serde(default)]
    access: AccessFile,
    /// The console's language and right-to-left mode.
    #[serde(default)]
    display: DisplayFile,
}

/// `[access]`: how long a sign-in lasts; who may open a SQLite store file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct AccessFile {
    /// Hours a session from `citydesk login` lasts (default 12).
    session_hours: Option<u32>,
    /// A group whose members share a SQLite store on one host: the store
    /// is made 0660 and owned by it (default: none, the store is 0600).
    group: Option<String>,
}

/// `[display]` as written: checked into [`Display`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct DisplayFile {
    lang: Option<String>,
    bidi: Option<String>,
}

/// `[display]`: the language (when no `--lang` or `CITYDESK_LANG` says
/// otherwise) and who reorders right-to-left text (`citydesk doctor` and
/// the console's first-run check write `bidi`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Display {
    pub lang: Option<crate::locale::Lang>,
    /// `None`: not chosen yet (the console asks once).
    pub bidi: Option<crate::bidi::BidiMode>,
}

/// `[open311]`: the Open311 GeoReport v2 server's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Open311Config {
    /// The address to listen on when `--listen` is not given (default 127.0.0.1:8311).
    pub listen: Option<String>,
    /// If set, a request naming another `jurisdiction_id` is refused (400);
    /// if not, `jurisdiction_id` is accepted and ignored.
    pub jurisdiction_id: Option<String>,
    /// The district (code or name) of a request whose address names none
    /// (default: the catalog's first district).
    pub default_district: Option<String>,
    /// The request log file (default: standard error).
    pub log: Option<PathBuf>,
    /// How many store connections serve requests (default 4).
    pub connections: Option<u32>,
    /// Seconds a request may take before it is answered 503 (default 10).
    pub timeout_seconds: Option<u64>,
    /// The largest request body accepted, in KiB (default 64).
    pub max_body_kib: Option<u64>,
}

#[derive(Debug)]
enum Keys {
    One(String),
    Many(Vec<String>),
}

/// By hand rather than `untagged`, so a wrong type is told what to write
/// (serde's untagged message names only the Rust enum).
impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a key like "F2", or a list of keys like ["/", "Ctrl+f"]"#)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Keys, E> {
                Ok(Keys::One(s.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = seq.next_element::<String>()? {
                    keys.push(k);
                }
                Ok(Keys::Many(keys))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CenterFile {
    /// An IANA time zone name, e.g. "Asia/Tehran" (the default).
    time_zone: Option<String>,
    /// A fixed offset from UTC, e.g. "+03:30" (older configs; prefer time_zone).
    utc_offset: Option<String>,
    shifts: Option<ShiftsFile>,
}

/// The shifts: `[{ name = "morning", start = "07:00" }, …]`, or (older
/// configs) three start times for the morning, evening and night shifts.
#[derive(Debug)]
enum ShiftsFile {
    Named(Vec<NamedShift>),
    Times(Vec<String>),
}

/// By hand rather than `untagged`, so a wrong shape is told what to write.
impl<'de> Deserialize<'de> for ShiftsFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let items = Vec::<toml::Value>::deserialize(d).map_err(|_| {
            D::Error::custom(
                r#"shifts is a list, e.g. [{ name = "morning", start = "07:00" }, { name = "evening", start = "15:00" }, { name = "night", start = "23:00" }]"#,
            )
        })?;
        if items.iter().all(toml::Value::is_str) {
            return Ok(ShiftsFile::Times(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ));
        }
        items
            .into_iter()
            .map(|v| {
                v.try_into::<NamedShift>().map_err(|_| {
                    D::Error::custom(
                        r#"each shift is { name = "morning", start = "07:00" } (a name of lower-case letters, and its start time)"#,
                    )
                })
            })
            .collect::<Result<_, _>>()
            .map(ShiftsFile::Named)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamedShift {
    name: String,
    start: String,
}

/// A config file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config file {path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

/// The default config file location.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "citydesk").map(|d| d.config_dir().join("config.toml"))
}

/// Reads the config at `path`; a missing file means the defaults.
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    load_all(path).map(|(s, _)| s)
}

/// Reads the config at `path` with its key bindings.
pub fn load_all(path: &Path) -> Result<(Settings, Keymap), ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_all(&text).map_err(|message| ConfigError {
            path: path.display().to_string(),
            message,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((Settings::default(), Keymap::default()))
        }
        Err(e) => Err(ConfigError {
            path: path.display().to_string(),
            message: format!("cannot be read: {e}"),
        }),
    }
}

/// Reads `[open311]` of the config at `path`; a missing file means the defaults.
pub fn load_open311(path: &Path) -> Result<Open311Config, ConfigError> {
    let err = |message: String| ConfigError {
        path: path.display().to_string(),
        message,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            parse_all(&text).map_err(err)?;
            let file: File = toml::from_str(&text).map_err(|e| err(toml_error(&e)))?;
            let o = file.open311;
            let at = |key: &str| {
                value_start(&text, "open311", key)
                    .map_or(String::new(), |i| format!("line {}: ", line_at(&text, i)))
            };
            if o.connections.is_some_and(|n| !(1..=64).contains(&n)) {
                return Err(err(format!(
                    "{}[open311] connections: give 1 to 64 store connections",
                    at("connections")
                )));
            }
            if o.timeout_seconds.is_some_and(|n| !(1..=600).contains(&n)) {
                return Err(err(format!(
                    "{}[open311] timeout_seconds: give 1 to 600 seconds",
                    at("timeout_seconds")
                )));
            }
            if o.max_body_kib.is_some_and(|n| !(1..=10_240).contains(&n)) {
                return Err(err(format!(
                    "{}[open311] max_body_kib: give 1 to 10240 KiB",
                    at("max_body_kib")
                )));
            }
            Ok(o)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Open311Config::default()),
        Err(e) => Err(err(format!("cannot be read: {e}"))),
    }
}

/// Parses and checks config text.
pub fn parse(text: &str) -> Result<Settings, String> {
    parse_all(text).map(|(s, _)| s)
}

/// Parses and checks config text, key bindings included.
pub fn parse_all(text: &str) -> Result<(Settings, Keymap), String> {
    let file: File = toml::from_str(text).map_err(|e| toml_error(&e))?;
    let line_of = |name: &str| file.keys.get(name).map(|k| line_at(text, k.span().start));
    // "line N: " before a message about `[table] key`, when the file sets it.
    let at = |table: &str, key: &str| {
        value_start(text, table, key)
            .map_or(String::new(), |i| format!("line {}: ", line_at(text, i)))
    };
    let keys: BTreeMap<String, Vec<String>> = file
        .keys
        .iter()
        .map(|(k, v)| {
            let list = match v.get_ref() {
                Keys::One(s) => vec![s.clone()],
                Keys::Many(v) => v.clone(),
            };
            (k.clone(), list)
        })
        .collect();
    let keymap = Keymap::default().with_overrides(&keys, line_of)?;
    display(&file.display, &at)?;
    let center = center(file.center, &at)?;
    let rules = file.workflow;
    if !(1..=10).contains(&rules.feedback_attempts) {
        return Err(format!(
            "{}[workflow] feedback_attempts = {}: give 1 to 10 calls",
            at("workflow", "feedback_attempts"),
            rules.feedback_attempts
        ));
    }
    if !(1..=72).contains(&rules.due_soon_hours) {
        return Err(format!(
            "{}[workflow] due_soon_hours = {}: give 1 to 72 hours",
            at("workflow", "due_soon_hours"),
            rules.due_soon_hours
        ));
    }
    if !(0.0..=10.0).contains(&rules.follow_up_after) {
        return Err(format!(
            "{}[workflow] follow_up_after = {}: give a fraction of the deadline from 0 to 10 (0.5 = half the deadline)",
            at("workflow", "follow_up_after"),
            rules.follow_up_after
        ));
    }
    let access = access(file.access, &at)?;
    Ok((
        Settings {
            rules,
            center,
            access,
        },
        keymap,
    ))
}

/// `[access]`, checked.
fn access(
    file: AccessFile,
    at: &dyn Fn(&str, &str) -> String,
) -> Result<crate::domain::Access, String> {
    let mut access = crate::domain::Access::default();
    if let Some(h) = file.session_hours {
        if !(1..=24).contains(&h) {
            return Err(format!(
                "{}[access] session_hours = {h}: give 1 to 24 hours (a shift's length, at most a day)",
                at("access", "session_hours")
            ));
        }
        access.session_hours = h;
    }
    if let Some(g) = file.group {
        let ok = !g.is_empty()
            && g.len() <= 32
            && g.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !ok {
            return Err(format!(
                "{}[access] group = {g:?} is not a group name: write the name of a group of this host, e.g. \"citydesk\"",
                at("access", "group")
            ));
        }
        access.group = Some(g);
    }
    Ok(access)
}

/// Reads `[display]` of config text (checked as `parse_all` checks it).
pub fn parse_display(text: &str) -> Result<Display, String> {
    let file: File = toml::from_str(text).map_err(|e| toml_error(&e))?;
    let at = |table: &str, key: &str| {
        value_start(text, table, key)
            .map_or(String::new(), |i| format!("line {}: ", line_at(text, i)))
    };
    display(&file.display, &at)
}

/// Reads `[display]` of the config at `path`; a missing file means the defaults.
pub fn load_display(path: &Path) -> Result<Display, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_display(&text).map_err(|message| ConfigError {
            path: path.display().to_string(),
            message,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Display::default()),
        Err(e) => Err(ConfigError {
            path: path.display().to_string(),
            message: format!("cannot be read: {e}"),
        }),
    }
}

fn display(file: &DisplayFile, at: &dyn Fn(&str, &str) -> String) -> Result<Display, String> {
    let lang = match &file.lang {
        None => None,
        Some(l) => Some(crate::locale::Lang::parse(l).ok_or_else(|| {
            format!(
                "{}[display] lang = {l:?} is not a language citydesk speaks: write \"fa\" or \"en\"",
                at("display", "lang")
            )
        })?),
    };
    let bidi = match file.bidi.as_deref().map(str::trim) {
        None => None,
        Some("app") => Some(crate::bidi::BidiMode::App),
        Some("terminal") => Some(crate::bidi::BidiMode::Terminal),
        Some(other) => {
            return Err(format!(
                "{}[display] bidi = {other:?}: write \"app\" (citydesk puts right-to-left text in order) or \"terminal\" (the terminal does); `citydesk doctor` shows both",
                at("display", "bidi")
            ));
        }
    };
    Ok(Display { lang, bidi })
}

/// Writes `[display] bidi = "…"` into the config at `path`, keeping the
/// rest of the file as it is (a new file, or a new `[display]` table, when
/// there is none). The file must stay a valid config: checked before writing.
pub fn save_bidi(path: &Path, mode: crate::bidi::BidiMode) -> Result<(), ConfigError> {
    let err = |message: String| ConfigError {
        path: path.display().to_string(),
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(err(format!("cannot be read: {e}"))),
    };
    let new = with_bidi(&text, mode);
    parse_all(&new).map_err(err)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot be written: {e}")))?;
    }
    std::fs::write(path, new).map_err(|e| err(format!("cannot be written: {e}")))
}

/// Config text with `[display] bidi` set to `mode`: the line replaced if
/// there is one, else added under `[display]`, else a `[display]` table
/// added at the end.
pub fn with_bidi(text: &str, mode: crate::bidi::BidiMode) -> String {
    let value = match mode {
        crate::bidi::BidiMode::App => "app",
        crate::bidi::BidiMode::Terminal => "terminal",
    };
    let line = format!("bidi = \"{value}\"");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header = |l: &str| l.trim_start().starts_with('[');
    if let Some(start) = lines.iter().position(|l| l.trim() == "[display]") {
        let end = lines[start + 1..]
            .iter()
            .position(|l| header(l))
            .map_or(lines.len(), |i| start + 1 + i);
        if let Some(i) = (start + 1..end).find(|&i| {
            let l = lines[i].trim_start();
            l.strip_prefix("bidi")
                .is_some_and(|r| r.trim_start().starts_with('='))
        }) {
            lines[i] = line;
        } else {
            lines.insert(start + 1, line);
        }
    } else {
        if lines.last().is_some_and(|l| !l.trim().is_empty()) {
            lines.push(String::new());
        }
        lines.push("[display]".to_owned());
        lines.push(line);
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The center's zone and shifts, checked.
fn center(file: CenterFile, at: &dyn Fn(&str, &str) -> String) -> Result<Center, String> {
    let zone = match (&file.time_zone, &file.utc_offset) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{}[center] has both time_zone and utc_offset: keep time_zone (e.g. \"Asia/Tehran\")",
                at("center", "utc_offset")
            ));
        }
        (Some(name), None) => Zone::Named(name.parse::<chrono_tz::Tz>().map_err(|_| {
            format!(
                "{}[center] time_zone = {name:?} is not a time zone: write an IANA name like \"Asia/Tehran\" or \"Europe/Berlin\"",
                at("center", "time_zone")
            )
        })?),
        (None, Some(off)) => {
            let minutes = parse_offset(off).ok_or_else(|| {
                format!(
                    "{}[center] utc_offset = {off:?} is not an offset: write it like \"+03:30\" or \"-05:00\" (or give time_zone = \"Asia/Tehran\")",
                    at("center", "utc_offset")
                )
            })?;
            Zone::Fixed(
                chrono::FixedOffset::east_opt(minutes * 60)
                    .ok_or_else(|| format!("[center] utc_offset = {off:?} is out of range"))?,
            )
        }
        (None, None) => Center::default().zone,
    };
    let shifts_at = at("center", "shifts");
    let time = |s: &str| {
        NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| {
            format!("{shifts_at}[center] shifts: {s:?} is not a time: write \"HH:MM\"")
        })
    };
    let shifts: Vec<ShiftStart> = match file.shifts {
        None => Center::default().shifts,
        Some(ShiftsFile::Times(times)) => {
            if times.len() != SHIFT_NAMES.len() {
                return Err(format!("{shifts_at}[center] shifts as plain times must list three (morning, evening, night), e.g. [\"07:00\", \"15:00\", \"23:00\"]; or name them: shifts = [{{ name = \"day\", start = \"08:00\" }}, …]"));
            }
            times
                .iter()
                .zip(SHIFT_NAMES)
                .map(|(t, name)| {
                    Ok(ShiftStart {
                        name: name.to_owned(),
                        start: time(t)?,
                    })
                })
                .collect::<Result<_, String>>()?
        }
        Some(ShiftsFile::Named(named)) => named
            .iter()
            .map(|s| {
                let ok = !s.name.is_empty()
                    && s.name.len() <= 20
                    && s.name.chars().all(|c| c.is_ascii_lowercase() || c == '-');
                if !ok {
                    return Err(format!(
                        "{shifts_at}[center] shifts: name {:?} is not valid: use 1 to 20 lower-case Latin letters or '-' (the words shown come from the locale)",
                        s.name
                    ));
                }
                Ok(ShiftStart {
                    name: s.name.clone(),
                    start: time(&s.start)?,
                })
            })
            .collect::<Result<_, String>>()?,
    };
    if shifts.is_empty() || shifts.len() > 6 {
        return Err(format!("{shifts_at}[center] shifts: give 1 to 6 shifts"));
    }
    if !shifts.windows(2).all(|w| w[0].start < w[1].start) {
        return Err(format!(
            "{shifts_at}[center] shifts must be in order within the day, each starting later than the one before, e.g. [\"07:00\", \"15:00\", \"23:00\"]"
        ));
    }
    let mut names: Vec<&str> = shifts.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if names.len() != shifts.len() {
        return Err(format!(
            "{shifts_at}[center] shifts: each shift needs a name of its own"
        ));
    }
    Ok(Center { zone, shifts })
}

/// toml's message (the line, with a caret under the problem), with serde's
/// names of Rust types said in words.
fn toml_error(e: &toml::de::Error) -> String {
    let full = e.to_string();
    let said = e.message();
    let mut plain = said.to_owned();
    for (rust, words) in [
        ("expected u32", "expected a whole number, e.g. 3"),
        ("expected f64", "expected a number, e.g. 0.5"),
        (
            "expected a sequence",
            "expected a list, e.g. [\"07:00\", \"15:00\", \"23:00\"]",
        ),
        ("expected struct CenterFile", "expected a table: [center]"),
        ("expected struct Rules", "expected a table: [workflow]"),
        ("expected struct DisplayFile", "expected a table: [display]"),
        ("expected a map", "expected a table: [keys]"),
        (
            "expected a string",
            "expected text in quotes, e.g. \"+03:30\"",
        ),
    ] {
        plain = plain.replace(rust, words);
    }
    // A word without quotes (`utc_offset = +03:30`, `intake = F3`) is read
    // as the start of a date or a boolean.
    if said.starts_with("invalid datetime") || said.starts_with("invalid boolean") {
        plain.push_str("; text goes in quotes, e.g. \"+03:30\" or \"F3\"");
    }
    // The message comes last, after the line it is about.
    match full.rfind(said) {
        Some(i) => format!("{}{plain}", &full[..i]),
        None => full.trim_end().to_owned(),
    }
}

/// The line (from 1) of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.char_indices()
        .take_while(|&(i, _)| i < offset)
        .filter(|&(_, c)| c == '\n')
        .count()
        + 1
}

/// Where the value of `[table] key` starts in `text`, if the file sets it.
fn value_start(text: &str, table: &str, key: &str) -> Option<usize> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let toml::de::DeValue::Table(t) = doc.get_ref().get(table)?.get_ref() else {
        return None;
    };
    Some(t.get(key)?.span().start)
}

fn parse_offset(s: &str) -> Option<i32> {
    let (sign, rest) = match s.trim().as_bytes().first()? {
        b'+' => (1, &s.trim()[1..]),
        b'-' => (-1, &s.trim()[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    ((0..=14).contains(&h) && (0..60).contains(&m)).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_the_defaults() {
        assert_eq!(parse("").unwrap(), Settings::default());
    }

    #[test]
    fn bad_configs_name_the_problem() {
        let e = parse("[workflow]\nfeedback_attempts = \"three\"\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
        let e = parse("[center]\nutc_offset = \"Tehran\"\n").unwrap_err();
        assert!(e.contains("\"+03:30\""), "{e}");
        let e = parse("[workflow]\nfeedback_atempts = 2\n").unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
        let e = parse("[workflow]\nfeedback_attempts = 0\n").unwrap_err();
        assert!(e.contains("1 to 10"), "{e}");
        let e = parse("[center]\nshifts = [\"07:00\", \"25:00\", \"23:00\"]\n").unwrap_err();
        assert!(e.contains("\"25:00\""), "{e}");
        let e = parse("[center]\ntime_zone = \"Asia/Hamedan\"\n").unwrap_err();
        assert!(e.contains("IANA"), "{e}");
    }

    #[test]
    fn key_bindings_come_from_the_config_and_errors_name_the_line() {
        use crate::keymap::{Action, Key, Mode};
        let (_, km) = parse_all("[keys]\nintake = \"F3\"\nsearch = [\"/\", \"Ctrl+f\"]\n").unwrap();
        assert_eq!(
            km.resolve(Mode::List, Key::parse("F3").unwrap()),
            Some(Action::Intake)
        );
        assert_eq!(
            km.resolve(Mode::List, Key::parse("Ctrl+f").unwrap()),
            Some(Action::Search)
        );
        let e = parse_all("[workflow]\nfeedback_attempts = 3\n\n[keys]\nintake = \"Hyper+x\"\n")
            .unwrap_err();
        assert!(
            e.starts_with("line 5: [keys] intake: \"Hyper+x\" is not a key"),
            "{e}"
        );
        let e = parse_all("[keys]\nfly = \"x\"\n").unwrap_err();
        assert!(e.starts_with("line 2: [keys] has no action \"fly\""), "{e}");
    }

    #[test]
    fn custom_center() {
        let s = parse("[center]\nutc_offset = \"-05:00\"\nshifts = [\"06:00\", \"14:00\", \"22:00\"]\n[workflow]\nfeedback_attempts = 2\n").unwrap();
        assert_eq!(
            s.center.zone,
            Zone::Fixed(chrono::FixedOffset::west_opt(5 * 3600).unwrap())
        );
        assert_eq!(s.center.shifts[2].start.to_string(), "22:00:00");
        assert_eq!(s.rules.feedback_attempts, 2);
        let s = parse("[center]\ntime_zone = \"Europe/Berlin\"\nshifts = [{ name = \"day\", start = \"08:00\" }, { name = \"night\", start = \"20:00\" }]\n").unwrap();
        assert_eq!(s.center.zone, Zone::Named(chrono_tz::Europe::Berlin));
        assert_eq!(s.center.shifts.len(), 2);
        assert_eq!(s.center.shifts[1].name, "night");
    }

    #[test]
    fn display_lang_and_bidi() {
        use crate::bidi::BidiMode;
        use crate::locale::Lang;
        assert_eq!(parse_display("").unwrap(), Display::default());
        let d = parse_display("[display]\nlang = \"fa\"\nbidi = \"terminal\"\n").unwrap();
        assert_eq!(d.lang, Some(Lang::Fa));
        assert_eq!(d.bidi, Some(BidiMode::Terminal));
        let e = parse_all("[display]\nbidi = \"both\"\n").unwrap_err();
        assert!(
            e.starts_with("line 2: [display] bidi = \"both\": write \"app\""),
            "{e}"
        );
        let e = parse_all("\n[display]\nlang = \"de\"\n").unwrap_err();
        assert!(e.starts_with("line 3: [display] lang = \"de\""), "{e}");
        assert!(parse_all("[display]\nfont = 1\n").is_err());
    }

    #[test]
    fn bidi_is_saved_keeping_the_rest() {
        use crate::bidi::BidiMode;
        assert_eq!(with_bidi("", BidiMode::App), "[display]\nbidi = \"app\"\n");
        let text = "# mine\n[center]\ntime_zone = \"Asia/Tehran\"\n";
        let saved = with_bidi(text, BidiMode::Terminal);
        assert_eq!(
            saved,
            "# mine\n[center]\ntime_zone = \"Asia/Tehran\"\n\n[display]\nbidi = \"terminal\"\n"
        );
        // again: the line is replaced, not added
        assert_eq!(
            with_bidi(&saved, BidiMode::App),
            saved.replace("terminal", "app")
        );
        let text = "[display]\nlang = \"fa\"\n[keys]\nintake = \"F3\"\n";
        let saved = with_bidi(text, BidiMode::App);
        assert_eq!(
            saved,
            "[display]\nbidi = \"app\"\nlang = \"fa\"\n[keys]\nintake = \"F3\"\n"
        );
        assert_eq!(parse_display(&saved).unwrap().bidi, Some(BidiMode::App));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        save_bidi(&path, BidiMode::Terminal).unwrap();
        assert_eq!(load_display(&path).unwrap().bidi, Some(BidiMode::Terminal));
    }
}
