//! The config file (`<config dir>/config.toml`): the center's time zone and
//! shifts, and the workflow settings. Parse, then check; a bad file gets a
//! message naming the line and what to write instead, never a crash.

use std::path::{Path, PathBuf};

use chrono::NaiveTime;
use serde::Deserialize;

use crate::domain::intake::Rules;
use crate::domain::shift::Center;
use crate::store::Settings;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    center: CenterFile,
    #[serde(default)]
    workflow: Rules,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CenterFile {
    /// e.g. "+03:30"
    utc_offset: String,
    /// local start of the morning, evening and night shifts, "HH:MM"
    shifts: Vec<String>,
}

impl Default for CenterFile {
    fn default() -> Self {
        CenterFile {
            utc_offset: "+03:30".into(),
            shifts: vec!["07:00".into(), "15:00".into(), "23:00".into()],
        }
    }
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
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text).map_err(|message| ConfigError {
            path: path.display().to_string(),
            message,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
        Err(e) => Err(ConfigError {
            path: path.display().to_string(),
            message: format!("cannot be read: {e}"),
        }),
    }
}

/// Parses and checks config text.
pub fn parse(text: &str) -> Result<Settings, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
    let offset = parse_offset(&file.center.utc_offset).ok_or_else(|| {
        format!(
            "[center] utc_offset = {:?} is not an offset: write it like \"+03:30\" or \"-05:00\"",
            file.center.utc_offset
        )
    })?;
    let starts: Vec<NaiveTime> = file
        .center
        .shifts
        .iter()
        .map(|s| {
            NaiveTime::parse_from_str(s, "%H:%M")
                .map_err(|_| format!("[center] shifts: {s:?} is not a time: write \"HH:MM\""))
        })
        .collect::<Result<_, _>>()?;
    let shift_starts: [NaiveTime; 3] = starts.try_into().map_err(|_| {
        "[center] shifts must list three start times (morning, evening, night), e.g. [\"07:00\", \"15:00\", \"23:00\"]".to_owned()
    })?;
    if !(shift_starts[0] < shift_starts[1] && shift_starts[1] < shift_starts[2]) {
        return Err(
            "[center] shifts must be in order within the day: morning, evening, night".into(),
        );
    }
    let rules = file.workflow;
    if !(1..=10).contains(&rules.feedback_attempts) {
        return Err(format!(
            "[workflow] feedback_attempts = {}: give 1 to 10 calls",
            rules.feedback_attempts
        ));
    }
    if !(0.0..=10.0).contains(&rules.follow_up_after) {
        return Err(format!(
            "[workflow] follow_up_after = {}: give a fraction of the deadline from 0 to 10 (0.5 = half the deadline)",
            rules.follow_up_after
        ));
    }
    Ok(Settings {
        rules,
        center: Center {
            utc_offset_minutes: offset,
            shift_starts,
        },
    })
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
    }

    #[test]
    fn custom_center() {
        let s = parse("[center]\nutc_offset = \"-05:00\"\nshifts = [\"06:00\", \"14:00\", \"22:00\"]\n[workflow]\nfeedback_attempts = 2\n").unwrap();
        assert_eq!(s.center.utc_offset_minutes, -300);
        assert_eq!(s.rules.feedback_attempts, 2);
    }
}
