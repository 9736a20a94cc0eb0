//! The command line's own words in the operator's language: `--help` texts
//! (every command's about and every argument's help come from the locale's
//! `cli-doc.*` keys, keyed by the command's path and the argument's id), the
//! help page's headings, and a usage error's lead line. English keeps clap's
//! definitions as written in `cli/mod.rs` (a test checks that en.toml's
//! `cli-doc.*` keys say the same); the language is chosen before clap parses,
//! from the arguments, the environment and the config ([`early_lang`]).

use std::ffi::OsString;

use clap::builder::PossibleValue;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory};

use super::Cli;
use crate::locale::{Lang, Locale};

/// The language of the command line, read before clap parses (so that
/// `--help` and usage errors speak it): `--lang X` or `--lang=X` among the
/// arguments, else `CITYDESK_LANG`, else the config's `[display] lang`
/// (`--config`, `CITYDESK_CONFIG`, or the default path), else the system
/// locale. Anything unreadable here falls back to English; the run itself
/// reports a bad value properly.
pub fn early_lang(args: &[OsString], var: impl Fn(&str) -> Option<String>) -> Lang {
    let mut flag = None;
    let mut config = None;
    let mut it = args.iter().skip(1).filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            flag = Lang::parse(v).or(flag);
        } else if a == "--lang" {
            flag = it.next().and_then(Lang::parse).or(flag);
        } else if let Some(v) = a.strip_prefix("--config=") {
            config = Some(std::path::PathBuf::from(v));
        } else if a == "--config" {
            config = it.next().map(std::path::PathBuf::from).or(config);
        }
    }
    if let Some(l) = flag {
        return l;
    }
    let path = config
        .or_else(|| var("CITYDESK_CONFIG").map(std::path::PathBuf::from))
        .or_else(crate::config::default_path);
    let from_config = path.and_then(|p| crate::config::load_display(&p).ok()?.lang);
    Lang::choose(None, from_config, var).unwrap_or_default()
}

/// The clap command of citydesk in `lang`: English as defined; Persian with
/// every about and help text, the headings, the defaults, the codes and the
/// help flags from the locale.
pub fn command(lang: Lang) -> Command {
    let cmd = Cli::command();
    if lang == Lang::En {
        return cmd;
    }
    let loc = lang.locale();
    let cmd = localize(cmd, "cli-doc", loc);
    cmd.disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .display_order(usize::MAX)
            .help(loc.t("cli-help.version").to_owned())
            .help_heading(loc.t("cli-help.options")),
    )
}

/// `citydesk help a b` as `citydesk a b --help`: the Persian command has no
/// `help` subcommand of clap's (its words are clap's), so its meaning is kept
/// this way.
pub fn help_subcommand_as_flag(args: &[OsString]) -> Option<Vec<OsString>> {
    if args.get(1).and_then(|a| a.to_str()) != Some("help") {
        return None;
    }
    let mut out: Vec<OsString> = Vec::with_capacity(args.len() + 1);
    out.push(args[0].clone());
    out.extend(args[2..].iter().cloned());
    out.push("--help".into());
    Some(out)
}

/// The locale key of a command's or an argument's text: `cli-doc.<path>.about`,
/// `cli-doc.<path>.arg.<id>` (and `-long` for the long forms).
fn key(path: &str, what: &str) -> String {
    format!("{path}.{what}")
}

fn localize(mut cmd: Command, path: &str, loc: &'static Locale) -> Command {
    if cmd.get_about().is_some() {
        cmd = cmd.about(loc.t(&key(path, "about")).to_owned());
    }
    if cmd.get_long_about().is_some() {
        cmd = cmd.long_about(loc.t(&key(path, "long-about")).to_owned());
    }
    let ids: Vec<clap::Id> = cmd.get_arguments().map(|a| a.get_id().clone()).collect();
    for id in ids {
        let base = format!("{path}.arg.{id}");
        cmd = cmd.mut_arg(id, |a| localize_arg(a, &base, loc));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subs {
        let sub_path = format!("{path}.{name}");
        cmd = cmd.mut_subcommand(&name, |c| localize(c, &sub_path, loc));
    }
    cmd.disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .display_order(usize::MAX)
                .help(loc.t("cli-help.help").to_owned())
                .help_heading(loc.t("cli-help.options")),
        )
        .subcommand_help_heading(loc.t("cli-help.commands"))
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{}: {{usage}}\n\n{{all-args}}{{after-help}}",
            loc.t("cli-help.usage")
        ))
}

fn localize_arg(mut a: Arg, base: &str, loc: &'static Locale) -> Arg {
    let mut extra: Vec<String> = Vec::new();
    let takes_values = a.get_action().takes_values();
    let values: Vec<PossibleValue> = a.get_possible_values();
    if takes_values && !values.is_empty() && !a.is_hide_possible_values_set() {
        let codes: Vec<&str> = values
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(PossibleValue::get_name)
            .collect();
        extra.push(loc.fill("cli-help.values", &[("values", &codes.join("، "))]));
        a = a.hide_possible_values(true);
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .filter(|v| !v.is_empty())
        .collect();
    if takes_values && !a.get_default_values().is_empty() && !a.is_hide_default_value_set() {
        if !defaults.is_empty() {
            let shown = crate::calendar::persian_digits(&defaults.join("، "));
            extra.push(loc.fill("cli-help.default", &[("value", &shown)]));
        }
        a = a.hide_default_value(true);
    }
    if let Some(env) = a.get_env().and_then(|e| e.to_str()).map(str::to_owned) {
        if !a.is_hide_env_set() {
            extra.push(loc.fill("cli-help.env", &[("name", &env)]));
        }
        a = a.hide_env(true);
    }
    let tail = if extra.is_empty() {
        String::new()
    } else {
        format!(" [{}]", extra.join("؛ "))
    };
    let heading = if a.is_positional() {
        "cli-help.arguments"
    } else {
        "cli-help.options"
    };
    a = a.help_heading(loc.t(heading));
    let short = a
        .get_help()
        .is_some()
        .then(|| format!("{}{tail}", loc.t(base)));
    if a.get_long_help().is_some() {
        a = a.long_help(format!("{}{tail}", text(loc, &format!("{base}-long"))));
    }
    match short {
        Some(h) => a.help(h),
        None if !tail.is_empty() => a.help(tail.trim_start().to_owned()),
        None => a,
    }
}

/// A help text of the locale, `{codes}` filled with the built-in catalog's
/// department codes (the long help of `--department` lists them).
fn text(loc: &Locale, key: &str) -> String {
    loc.fill(key, &[("codes", &super::department_codes())])
}

/// Every `cli-doc.*` text the English definitions hold, as (key, text): what
/// en.toml's `cli-doc` section says (tested), and the list fa.toml translates.
pub fn english_texts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    collect(&Cli::command(), "cli-doc", &mut out);
    out
}

fn collect(cmd: &Command, path: &str, out: &mut Vec<(String, String)>) {
    if let Some(a) = cmd.get_about() {
        out.push((key(path, "about"), a.to_string()));
    }
    if let Some(a) = cmd.get_long_about() {
        out.push((key(path, "long-about"), a.to_string()));
    }
    for a in cmd.get_arguments() {
        let base = format!("{path}.arg.{}", a.get_id());
        if let Some(h) = a.get_help() {
            out.push((base.clone(), h.to_string()));
        }
        if let Some(h) = a.get_long_help() {
            out.push((format!("{base}-long"), h.to_string()));
        }
    }
    for s in cmd.get_subcommands() {
        collect(s, &format!("{path}.{}", s.get_name()), out);
    }
}

/// A usage error as said to people: in Persian, a line saying what was wrong
/// and how to get help, then clap's own message (its words are English);
/// in English, clap's message as it is.
pub fn usage_error(e: &clap::Error, lang: Lang) -> String {
    let detail = e.render().to_string();
    if lang == Lang::En {
        return detail;
    }
    let loc = lang.locale();
    let context = |kind: ContextKind| -> String {
        match e.get(kind) {
            Some(ContextValue::String(s)) => s.clone(),
            Some(ContextValue::Strings(v)) => v.join("، "),
            Some(ContextValue::StyledStr(s)) => s.to_string(),
            Some(ContextValue::StyledStrs(v)) => v
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("، "),
            Some(ContextValue::Number(n)) => n.to_string(),
            Some(ContextValue::Bool(b)) => b.to_string(),
            _ => String::new(),
        }
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    let sub = context(ContextKind::InvalidSubcommand);
    let what = match e.kind() {
        ErrorKind::UnknownArgument => loc.fill("cli-usage.unknown-argument", &[("arg", &arg)]),
        ErrorKind::InvalidSubcommand => loc.fill("cli-usage.unknown-command", &[("command", &sub)]),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            loc.fill("cli-usage.bad-value", &[("arg", &arg), ("value", &value)])
        }
        ErrorKind::MissingRequiredArgument => {
            loc.fill("cli-usage.missing-argument", &[("arg", &arg)])
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            loc.t("cli-usage.missing-command").to_owned()
        }
        ErrorKind::ArgumentConflict => loc.fill(
            "cli-usage.conflict",
            &[("arg", &arg), ("other", &context(ContextKind::PriorArg))],
        ),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            loc.fill("cli-usage.value-count", &[("arg", &arg)])
        }
        ErrorKind::NoEquals => loc.fill("cli-usage.no-equals", &[("arg", &arg)]),
        ErrorKind::InvalidUtf8 => loc.t("cli-usage.invalid-utf8").to_owned(),
        _ => loc.t("cli-usage.other").to_owned(),
    };
    format!(
        "citydesk: {what}\n{}\n\n{detail}",
        loc.t("cli-usage.get-help")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml_string(s: &str) -> String {
        toml::Value::String(s.to_owned()).to_string()
    }

    /// en.toml's `cli-doc.*` keys say what the definitions in cli/mod.rs say,
    /// no more and no less (so fa.toml, which has en.toml's keys, translates
    /// every help text). On a difference, prints the section to paste.
    fn args(v: &[&str]) -> Vec<OsString> {
        let mut all = vec!["citydesk", "--config", "/nonexistent/citydesk.toml"];
        all.extend_from_slice(v);
        all.into_iter().map(OsString::from).collect()
    }

    #[test]
    fn the_language_is_read_before_clap_parses() {
        let none = |_: &str| None;
        let fa_env = |n: &str| (n == "CITYDESK_LANG").then(|| "fa".to_owned());
        let fa_system = |n: &str| (n == "LANG").then(|| "fa_IR.UTF-8".to_owned());
        assert_eq!(
            early_lang(&args(&["--lang", "fa", "queue"]), none),
            Lang::Fa
        );
        assert_eq!(early_lang(&args(&["queue", "--lang=fa"]), none), Lang::Fa);
        assert_eq!(early_lang(&args(&["queue"]), none), Lang::En);
        assert_eq!(early_lang(&args(&["queue"]), fa_env), Lang::Fa);
        assert_eq!(early_lang(&args(&["queue"]), fa_system), Lang::Fa);
        assert_eq!(early_lang(&args(&["--lang", "en"]), fa_env), Lang::En);
        // after `--` nothing is an option; a language not known falls back
        assert_eq!(early_lang(&args(&["--", "--lang", "fa"]), none), Lang::En);
        assert_eq!(early_lang(&args(&["--lang", "xx"]), none), Lang::En);
    }

    #[test]
    fn help_as_a_command_is_help_as_a_flag() {
        let v = help_subcommand_as_flag(&args(&[])[..1]);
        assert_eq!(v, None);
        let got = help_subcommand_as_flag(&[
            OsString::from("citydesk"),
            OsString::from("help"),
            OsString::from("case"),
        ]);
        assert_eq!(
            got,
            Some(vec![
                OsString::from("citydesk"),
                OsString::from("case"),
                OsString::from("--help")
            ])
        );
    }

    #[test]
    fn a_usage_error_leads_with_the_language_s_line_and_keeps_clap_s() {
        let e = command(Lang::Fa)
            .try_get_matches_from(["citydesk", "--bogus"])
            .unwrap_err();
        let said = usage_error(&e, Lang::Fa);
        assert!(
            said.starts_with("citydesk: --bogus گزینهٔ این فرمان نیست\n"),
            "{said}"
        );
        assert!(
            said.contains("error: unexpected argument '--bogus'"),
            "{said}"
        );
        let e = command(Lang::En)
            .try_get_matches_from(["citydesk", "--bogus"])
            .unwrap_err();
        assert_eq!(usage_error(&e, Lang::En), e.render().to_string());
    }

    #[test]
    fn the_commands_of_every_language_are_consistent() {
        for lang in Lang::ALL {
            command(lang).debug_assert();
        }
    }

    #[test]
    fn the_english_help_texts_are_the_locales() {
        let en = Locale::english();
        let texts = english_texts();
        let mut section = String::new();
        let mut wrong = Vec::new();
        for (k, v) in &texts {
            section.push_str(&k["cli-doc.".len()..]);
            section.push_str(" = ");
            section.push_str(&toml_string(v));
            section.push('\n');
            if text(en, k) != *v {
                wrong.push(k.clone());
            }
        }
        let extra: Vec<&str> = en
            .keys()
            .into_iter()
            .filter(|k| k.starts_with("cli-doc.") && !texts.iter().any(|(t, _)| t == k))
            .collect();
        assert!(
            wrong.is_empty() && extra.is_empty(),
            "en.toml [cli-doc] differs from cli/mod.rs: {wrong:?}, not used: {extra:?}; the section is:\n[cli-doc]\n{section}"
        );
    }
}
