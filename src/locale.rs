//! The one door for words on screen: every user-visible string of the console
//! and the command line is a key looked up here, in the language chosen
//! (assets/locales/en.toml and fa.toml, embedded). `{name}` placeholders are
//! filled by `fill`. A missing key shows as the key itself; tests check that
//! both files have the same keys with the same placeholders, and that every
//! key the code uses exists.
//!
//! Which language: `--lang`, else `CITYDESK_LANG`, else the config's
//! `[display] lang`, else the system locale (`LC_ALL`, `LC_MESSAGES`, `LANG`
//! in that order, as POSIX reads them: one starting with `fa` is Persian),
//! else English ([`Lang::choose`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// A language the console and the command line speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    /// Persian: right to left, Jalali dates, Persian digits.
    Fa,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fa];

    /// Its code: "en", "fa".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fa => "fa",
        }
    }

    /// "fa", "FA", "fa_IR.UTF-8", "fa-IR", "en", "en_US.UTF-8"…: the language
    /// part of a code or a POSIX locale name; `None` for any other language.
    pub fn parse(s: &str) -> Option<Lang> {
        let lang = s
            .trim()
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match lang.as_str() {
            "fa" | "per" | "fas" => Some(Lang::Fa),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    /// Whether its script is written right to left (and the layout mirrors).
    pub fn rtl(self) -> bool {
        self == Lang::Fa
    }

    /// Its words.
    pub fn locale(self) -> &'static Locale {
        match self {
            Lang::En => Locale::english(),
            Lang::Fa => Locale::persian(),
        }
    }

    /// The language of the system locale: the first of `LC_ALL`,
    /// `LC_MESSAGES` and `LANG` that is set and not empty decides; Persian if
    /// it starts with `fa`, else English. `var` reads a variable (the process
    /// environment, or a test's).
    pub fn from_system(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|v| !v.trim().is_empty())
            .map_or(Lang::En, |v| {
                if v.trim().to_ascii_lowercase().starts_with("fa") {
                    Lang::Fa
                } else {
                    Lang::En
                }
            })
    }

    /// The language to speak: the command line's `--lang`, else the
    /// `CITYDESK_LANG` variable, else the config's `[display] lang`, else the
    /// system locale. A `CITYDESK_LANG` that names no language known here
    /// is an error (said in English: no language is known yet).
    pub fn choose(
        flag: Option<Lang>,
        config: Option<Lang>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Lang, String> {
        if let Some(l) = flag {
            return Ok(l);
        }
        if let Some(v) = var("CITYDESK_LANG").filter(|v| !v.trim().is_empty()) {
            return Lang::parse(&v).ok_or_else(|| {
                format!("CITYDESK_LANG={v:?} is not a language citydesk speaks: set it to fa or en")
            });
        }
        Ok(config.unwrap_or_else(|| Lang::from_system(var)))
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug)]
pub struct Locale {
    lang: Lang,
    strings: HashMap<String, String>,
}

impl Locale {
    /// The English locale (embedded).
    pub fn english() -> &'static Locale {
        static EN: OnceLock<Locale> = OnceLock::new();
        EN.get_or_init(|| {
            Locale::parse_as(Lang::En, include_str!("../assets/locales/en.toml"))
                .expect("the embedded English locale is valid (tested)")
        })
    }

    /// The Persian locale (embedded).
    pub fn persian() -> &'static Locale {
        static FA: OnceLock<Locale> = OnceLock::new();
        FA.get_or_init(|| {
            Locale::parse_as(Lang::Fa, include_str!("../assets/locales/fa.toml"))
                .expect("the embedded Persian locale is valid (tested)")
        })
    }

    /// Parses a locale file (its language taken as English).
    pub fn parse(text: &str) -> Result<Locale, String> {
        Locale::parse_as(Lang::En, text)
    }

    /// Parses a locale file of `lang`.
    pub fn parse_as(lang: Lang, text: &str) -> Result<Locale, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut strings = HashMap::new();
        flatten("", &table, &mut strings)?;
        Ok(Locale { lang, strings })
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn has(&self, key: &str) -> bool {
        self.strings.contains_key(key)
    }

    /// Every key, sorted (for the tests that compare locales).
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.strings.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    /// The text of `key`.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings.get(key).map_or(key, String::as_str)
    }

    /// The text of `key` with `{name}` placeholders filled.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_owned();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

/// The `{name}` placeholders of a text, sorted, without repeats.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            out.push(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    out.sort();
    out.dedup();
    out
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, String>,
) -> Result<(), String> {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out)?,
            _ => return Err(format!("{key}: locale entries are strings")),
        }
    }
    Ok(())
}

/// Shorthand for the English locale's `t`.
pub fn t(key: &str) -> &str {
    Locale::english().t(key)
}

/// How a domain code (a status, a channel…) reads on screen: the English
/// locale's `code.<kind>.<code>`, or the code itself.
pub fn code(kind: &str, code: &str) -> String {
    let key = format!("code.{kind}.{code}");
    let locale = Locale::english();
    if locale.has(&key) {
        locale.t(&key).to_owned()
    } else {
        code.to_owned()
    }
}

/// Shorthand for the English locale's `fill`.
pub fn fill(key: &str, args: &[(&str, &str)]) -> String {
    Locale::english().fill(key, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_system_locale_decides_last() {
        assert_eq!(Lang::from_system(env(&[])), Lang::En);
        assert_eq!(Lang::from_system(env(&[("LANG", "fa_IR.UTF-8")])), Lang::Fa);
        assert_eq!(Lang::from_system(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(Lang::from_system(env(&[("LANG", "de_DE.UTF-8")])), Lang::En);
        // LC_ALL overrides LANG; an empty one does not count
        assert_eq!(
            Lang::from_system(env(&[("LC_ALL", "fa_IR"), ("LANG", "en_US")])),
            Lang::Fa
        );
        assert_eq!(
            Lang::from_system(env(&[("LC_ALL", "C"), ("LANG", "fa_IR")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_system(env(&[("LC_ALL", ""), ("LANG", "fa_IR")])),
            Lang::Fa
        );
        assert_eq!(
            Lang::from_system(env(&[("LC_MESSAGES", "fa"), ("LANG", "en_US")])),
            Lang::Fa
        );
    }

    #[test]
    fn flag_then_variable_then_config_then_system() {
        let sys = [("LANG", "fa_IR.UTF-8")];
        assert_eq!(Lang::choose(None, None, env(&sys)), Ok(Lang::Fa));
        assert_eq!(Lang::choose(None, Some(Lang::En), env(&sys)), Ok(Lang::En));
        let var = [("CITYDESK_LANG", "fa"), ("LANG", "en_US")];
        assert_eq!(Lang::choose(None, Some(Lang::En), env(&var)), Ok(Lang::Fa));
        assert_eq!(
            Lang::choose(Some(Lang::En), Some(Lang::Fa), env(&var)),
            Ok(Lang::En)
        );
        let bad = [("CITYDESK_LANG", "klingon")];
        let e = Lang::choose(None, None, env(&bad)).unwrap_err();
        assert!(e.contains("set it to fa or en"), "{e}");
        // an empty variable is not set
        let empty = [("CITYDESK_LANG", " "), ("LANG", "fa")];
        assert_eq!(Lang::choose(None, None, env(&empty)), Ok(Lang::Fa));
    }

    #[test]
    fn language_codes() {
        assert_eq!(Lang::parse("fa"), Some(Lang::Fa));
        assert_eq!(Lang::parse("FA_ir.utf8"), Some(Lang::Fa));
        assert_eq!(Lang::parse("fa-IR"), Some(Lang::Fa));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("far"), None);
        assert_eq!(Lang::parse(""), None);
        assert!(Lang::Fa.rtl() && !Lang::En.rtl());
    }

    #[test]
    fn persian_has_exactly_the_english_keys_and_placeholders() {
        let en = Locale::english();
        let fa = Locale::persian();
        let (en_keys, fa_keys) = (en.keys(), fa.keys());
        let missing: Vec<&&str> = en_keys.iter().filter(|k| !fa.has(k)).collect();
        let extra: Vec<&&str> = fa_keys.iter().filter(|k| !en.has(k)).collect();
        assert!(missing.is_empty(), "missing from fa.toml: {missing:?}");
        assert!(extra.is_empty(), "in fa.toml but not en.toml: {extra:?}");
        let differ: Vec<&&str> = en_keys
            .iter()
            .filter(|k| placeholders(en.t(k)) != placeholders(fa.t(k)))
            .collect();
        assert!(differ.is_empty(), "placeholders differ: {differ:?}");
        // Every Persian text is Persian (or a code/symbol kept as is on
        // purpose): none is the English text copied over.
        let copied: Vec<&&str> = en_keys
            .iter()
            .filter(|k| {
                let e = en.t(k);
                let mut words = e.to_owned();
                for p in placeholders(e) {
                    words = words.replace(&format!("{{{p}}}"), "");
                }
                e == fa.t(k) && words.chars().filter(char::is_ascii_alphabetic).count() > 3
            })
            .collect();
        assert!(copied.is_empty(), "English left in fa.toml: {copied:?}");
    }

    #[test]
    fn a_missing_or_extra_key_is_found() {
        let en = Locale::parse("[a]\nb = \"x\"\nc = \"y {n}\"\n").unwrap();
        let fa = Locale::parse_as(Lang::Fa, "[a]\nb = \"ایکس\"\nd = \"{n}\"\n").unwrap();
        assert_eq!(en.keys(), ["a.b", "a.c"]);
        assert!(!fa.has("a.c") && !en.has("a.d"));
    }

    #[test]
    fn placeholders_are_found() {
        assert_eq!(placeholders("{a} and {b}, {a}"), ["a", "b"]);
        assert_eq!(
            placeholders("no {} here {not a name}"),
            Vec::<String>::new()
        );
        assert_eq!(placeholders("{old_id} {n}"), ["n", "old_id"]);
    }
}
