//! The one door for words on screen: every user-visible string of the console
//! is a key looked up here (assets/locales/en.toml now; a Persian locale
//! follows). `{name}` placeholders are filled by `fill`. A missing key shows as
//! the key itself, and a test checks that every key the code uses exists.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug)]
pub struct Locale {
    strings: HashMap<String, String>,
}

impl Locale {
    /// The English locale (embedded).
    pub fn english() -> &'static Locale {
        static EN: OnceLock<Locale> = OnceLock::new();
        EN.get_or_init(|| {
            Locale::parse(include_str!("../assets/locales/en.toml"))
                .expect("the embedded English locale is valid (tested)")
        })
    }

    pub fn parse(text: &str) -> Result<Locale, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut strings = HashMap::new();
        flatten("", &table, &mut strings)?;
        Ok(Locale { strings })
    }

    pub fn has(&self, key: &str) -> bool {
        self.strings.contains_key(key)
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

/// How a domain code (a status, a channel…) reads on screen: the locale's
/// `code.<kind>.<code>`, or the code itself.
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
