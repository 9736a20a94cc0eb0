//! Pure rules of the citizen-request center: no IO, no clock, no terminal.
//! Every function here takes the time it needs as an argument.

pub mod case;
pub mod catalog;
pub mod event;
pub mod intake;
pub mod roles;
pub mod shift;
pub mod tracking;
pub mod workflow;

/// What the rules need to know about the center: the workflow settings and
/// its clock (time zone and shifts). From the config file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    pub rules: intake::Rules,
    pub center: shift::Center,
    pub access: Access,
}

/// Who may reach the store, from the config's `[access]`: how long a
/// sign-in lasts, and (SQLite on a shared host) the group whose members may
/// open the store file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Hours a session from `citydesk login` lasts (1 to 24).
    pub session_hours: u32,
    /// A SQLite store (and its -wal/-shm files, and backups) is made 0600, or
    /// 0660 owned by this group when one is named.
    pub group: Option<String>,
}

impl Default for Access {
    fn default() -> Self {
        Access {
            session_hours: 12,
            group: None,
        }
    }
}

/// Declares a closed set of values with a stable code used in the store, the
/// CLI and JSON (`as_str`/`parse`), and `ALL` in display order; implements `Code`.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code of this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses a code; the error lists the codes that are accepted.
            pub fn parse(s: &str) -> Result<Self, crate::domain::UnknownCode> {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($code) { return Ok($name::$variant); })+
                Err(crate::domain::UnknownCode {
                    what: stringify!($name),
                    given: t.to_owned(),
                    accepted: Self::ALL.iter().map(|v| v.as_str()).collect(),
                })
            }
        }

        impl crate::domain::Code for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::domain::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::parse(s) }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use code_enum;

/// What every `code_enum!` type is, for code that works on any of them (the
/// command line lists their codes in `--help` and shell completions).
pub trait Code: Copy + Send + Sync + 'static + std::str::FromStr<Err = UnknownCode> {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// The stable code of this value.
    fn as_str(self) -> &'static str;
}

/// A code that is not one of the accepted values (words: `present`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnknownCode {
    /// The type's name, e.g. `CancelReason`.
    pub what: &'static str,
    pub given: String,
    pub accepted: Vec<&'static str>,
}

impl std::error::Error for UnknownCode {}

/// `CancelReason` → `cancel reason`.
pub fn kebab(type_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in type_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}
