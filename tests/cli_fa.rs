//! The command line in Persian, through the real binary: every command's
//! `--help` and a set of representative commands and refusals, run with
//! CITYDESK_LANG=fa, print no English word (a run of three or more ASCII
//! letters that is not a code, an option or command name, a value name, a
//! path, a URL, a command to type in backquotes, or a name such as
//! citydesk); the same commands in English still say what they said.

mod common;

use std::collections::HashSet;

use citydesk::locale::Lang;
use common::Env;

/// Words a Persian line may hold: what is typed (command and option names,
/// codes, value names), names (citydesk, Open311 …) and the built-in
/// catalog's codes.
fn allowed() -> HashSet<String> {
    fn walk(cmd: &clap::Command, words: &mut HashSet<String>) {
        words.insert(cmd.get_name().to_lowercase());
        for a in cmd.get_arguments() {
            if let Some(l) = a.get_long() {
                words.insert(l.to_lowercase());
            }
            for n in a.get_value_names().into_iter().flatten() {
                words.insert(n.to_lowercase());
            }
            for v in a.get_possible_values() {
                words.insert(v.get_name().to_lowercase());
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, words);
        }
    }
    let mut words: HashSet<String> = [
        "citydesk",
        "open311",
        "georeport",
        "sqlite",
        "postgresql",
        "postgres",
        "pg_dump",
        "roff",
        "utf",
        "http",
        "https",
        "ssh",
        "toml",
        "json",
        "xml",
        "csv",
        "api",
        "sms",
        "rfc",
        "boston",
        "nyc",
        "bash",
        "zsh",
        "fish",
        "elvish",
        "powershell",
        "request_id",
        "default_district",
        "listen",
        "display",
        "bidi",
        "lang",
        "access",
        "session_hours",
        "client",
        "morning",
        "evening",
        "night",
        // a mapping file's tables and keys, named as what to fix in it
        "old_id",
        "received",
        "due",
        "closed",
        "status",
        "channel",
        "service",
        "department",
        "district",
        "neighborhood",
        "address",
        "description",
        "response",
        "location",
        "values",
        "if_empty",
        "tolerance_hours",
        "source",
        "time_zone",
        "date_formats",
        "citizen_name",
        // a catalog file's keys
        "departments",
        "deadline_hours",
        // the test store's people and client
        "admin",
        "ali",
        "sara",
        "sam",
        "portal",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    walk(&citydesk::cli::help::command(Lang::Fa), &mut words);
    let catalog = citydesk::domain::catalog::Catalog::builtin();
    for d in &catalog.departments {
        words.insert(d.code.to_lowercase());
    }
    for s in &catalog.services {
        words.insert(s.code.to_lowercase());
    }
    words
}

/// The English words of `text`: runs of 3+ ASCII letters outside backquoted
/// commands, options, paths, URLs, `<VALUE>` names, ALL-CAPS names and the
/// allowed words.
fn english(text: &str, allowed: &HashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    // What was typed, quoted back: "…" and «…».
    let mut unquoted = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"') => quote = Some('"'),
            (None, '«') => quote = Some('»'),
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, c) => unquoted.push(c),
        }
    }
    for (i, part) in unquoted.split('`').enumerate() {
        if i % 2 == 1 {
            continue; // a command to type
        }
        for token in part.split_whitespace() {
            let bare = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '<');
            if bare.starts_with('-')
                || bare.starts_with('<')
                || token.contains('/')
                || token.contains("::")
                || token.contains('=')
                || token.contains('@')
                || bare.contains('.')
            {
                continue;
            }
            for run in bare.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
                for word in run.split('-') {
                    let letters = word.chars().filter(char::is_ascii_alphabetic).count();
                    if letters < 3
                        || word.chars().any(|c| c.is_ascii_digit())
                        || word.chars().all(|c| !c.is_ascii_lowercase())
                        || allowed.contains(&word.to_lowercase())
                        || allowed.contains(&run.to_lowercase())
                    {
                        continue;
                    }
                    out.push(word.to_owned());
                }
            }
        }
    }
    out
}

fn fa(env: &Env, actor: Option<&str>, args: &[&str]) -> std::process::Output {
    env.cmd(actor)
        .env("CITYDESK_LANG", "fa")
        .args(args)
        .output()
        .unwrap()
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn assert_persian(what: &str, said: &str, allowed: &HashSet<String>) {
    let found = english(said, allowed);
    assert!(
        found.is_empty(),
        "{what}: English reached the terminal in Persian: {found:?}\n{said}"
    );
    assert!(
        said.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "{what}: no Persian at all:\n{said}"
    );
}

/// Every command path of the command line: `[]`, `["case"]`, `["case", "new"]` …
fn paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, at: &[String], out: &mut Vec<Vec<String>>) {
        out.push(at.to_vec());
        for s in cmd.get_subcommands() {
            let mut next = at.to_vec();
            next.push(s.get_name().to_owned());
            walk(s, &next, out);
        }
    }
    let mut out = Vec::new();
    walk(&citydesk::cli::help::command(Lang::Fa), &[], &mut out);
    out
}

/// The man page and the completions' descriptions follow the language.
#[test]
fn man_page_and_completions_speak_the_language() {
    let env = Env::new();
    let about_fa = citydesk::locale::Locale::persian().t("cli-doc.arg.json");
    let about_en = citydesk::locale::Locale::english().t("cli-doc.arg.json");
    for (lang, about, other) in [("fa", about_fa, about_en), ("en", about_en, about_fa)] {
        for args in [&["man"][..], &["completions", "fish"]] {
            let out = env
                .cmd(None)
                .env("CITYDESK_LANG", lang)
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{lang} {args:?}: {}", text(&out));
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(
                said.contains(about),
                "{lang} {args:?}: no {about:?}:\n{said}"
            );
            assert!(!said.contains(other), "{lang} {args:?}: {other:?}");
        }
    }
}

#[test]
fn every_help_page_is_in_persian() {
    let env = Env::empty();
    let allowed = allowed();
    let paths = paths();
    assert!(paths.len() > 40, "{}", paths.len());
    for path in &paths {
        for flag in ["--help", "-h"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let out = fa(&env, None, &args);
            assert!(out.status.success(), "{args:?}: {}", text(&out));
            let said = String::from_utf8(out.stdout).unwrap();
            assert_persian(&format!("{args:?}"), &said, &allowed);
            assert!(said.contains("کاربرد: citydesk"), "{args:?}:\n{said}");
        }
    }
    // `help` as a command, --lang on the command line, and LANG, all choose Persian.
    let out = fa(&env, None, &["help", "case", "new"]);
    assert_persian("help case new", &text(&out), &allowed);
    assert!(text(&out).contains("ثبت پروندهٔ تازه"), "{}", text(&out));
    let out = env
        .cmd(None)
        .env_remove("CITYDESK_LANG")
        .env("LANG", "fa_IR.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .args(["queue", "--help"])
        .output()
        .unwrap();
    assert!(text(&out).contains("گزینه‌ها:"), "{}", text(&out));
    let out = env
        .cmd(None)
        .args(["--lang", "fa", "queue", "--help"])
        .output()
        .unwrap();
    assert!(text(&out).contains("گزینه‌ها:"), "{}", text(&out));
}

#[test]
fn english_help_is_clap_s_own() {
    let env = Env::empty();
    for path in [vec![], vec!["case", "new"], vec!["queue"]] {
        let mut args = path.clone();
        args.push("--help");
        let out = env.cmd(None).args(&args).output().unwrap();
        let said = String::from_utf8(out.stdout).unwrap();
        assert!(said.contains("Usage: citydesk"), "{said}");
        assert!(said.contains("Options:"), "{said}");
        assert!(!said.contains("کاربرد"), "{said}");
    }
}

#[test]
fn commands_speak_persian() {
    let env = Env::new();
    let allowed = allowed();
    let code = env.new_case(&[]);
    let run = |actor: Option<&str>, args: &[&str]| {
        let out = fa(&env, actor, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        let said = text(&out);
        assert_persian(&format!("{args:?}"), &said, &allowed);
        said
    };
    let registered = run(
        Some("ali"),
        &[
            "case",
            "new",
            "--phone",
            "۰۹۱۲۱۲۳۴۵۶۷",
            "--name",
            "رضا کریمی",
            "--service",
            "pothole",
            "--district",
            "3",
            "--address",
            "خیابان بوعلی",
            "--description",
            "چاله",
        ],
    );
    assert!(registered.contains("ثبت شد"), "{registered}");
    let shown = run(Some("admin"), &["case", "show", &code]);
    assert!(shown.contains("سابقه"), "{shown}");
    assert!(shown.contains('۱'), "Persian digits: {shown}");
    let acted = run(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    assert!(acted.contains("ارجاع شد"), "{acted}");
    run(Some("ali"), &["case", "note", &code, "یادداشت"]);
    run(Some("admin"), &["case", "show", &code]);
    run(Some("ali"), &["queue"]);
    run(Some("ali"), &["queue", "unreferred"]);
    run(Some("ali"), &["queue", "overdue"]);
    run(Some("ali"), &["case", "search", "ناپیدا"]);
    run(Some("admin"), &["operator", "list"]);
    run(Some("admin"), &["catalog", "services"]);
    run(Some("admin"), &["catalog", "departments"]);
    run(Some("admin"), &["catalog", "districts"]);
    run(Some("admin"), &["client", "list"]);
    run(Some("admin"), &["init"]);
    run(Some("admin"), &["verify"]);
    run(Some("admin"), &["operator", "disable", "sam"]);
    run(Some("admin"), &["operator", "enable", "sam"]);
    run(
        Some("admin"),
        &["client", "add", "portal", "--channel", "web"],
    );
    run(Some("admin"), &["client", "list"]);
    run(Some("admin"), &["client", "revoke", "portal"]);
    run(
        Some("admin"),
        &["demo", "--cases", "30", "--days", "3", "--quiet"],
    );
    run(Some("admin"), &["report"]);
    run(Some("admin"), &["handover"]);
    // The export itself is data for another system; its count is for people.
    let out = fa(&env, Some("admin"), &["export", "open311"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_persian("export", &String::from_utf8_lossy(&out.stderr), &allowed);
    let backup = env.dir.path().join("copy.db").display().to_string();
    run(Some("admin"), &["backup", &backup]);
    let restored = env.dir.path().join("restored.db").display().to_string();
    let out = env
        .bare("_nobody")
        .env("CITYDESK_LANG", "fa")
        .args(["--store", &restored, "restore", &backup])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_persian("restore", &text(&out), &allowed);
    let mut login = env.bare("someone");
    login
        .env("CITYDESK_LANG", "fa")
        .args(["login", "--as", "ali", "--password-stdin"]);
    let out = common::output_with_input(login, &format!("{}\n", common::PASSWORD));
    assert!(out.status.success(), "{}", text(&out));
    assert_persian("login", &text(&out), &allowed);
    let out = env
        .bare("someone")
        .env("CITYDESK_LANG", "fa")
        .arg("logout")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_persian("logout", &text(&out), &allowed);
}

#[test]
fn refusals_and_usage_errors_speak_persian() {
    let env = Env::new();
    let allowed = allowed();
    // Refused by citydesk (exit code 1): all Persian.
    for args in [
        &["case", "show", "123456789"][..],
        &["case", "show", "12"],
        &["report", "--from", "1405-09-10", "--to", "1405-09-01"],
        &["handover", "--shift", "1405-09-07:lunch"],
        &["import", "mapping", "nowhere"],
        &["--password-stdin", "queue"],
    ] {
        let out = fa(&env, Some("admin"), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        assert_persian(&format!("{args:?}"), &text(&out), &allowed);
    }
    let mut add = env.cmd(Some("admin"));
    add.env("CITYDESK_LANG", "fa").args([
        "operator",
        "add",
        "nima",
        "--role",
        "operator",
        "--password-stdin",
    ]);
    let out = common::output_with_input(add, "short\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_persian("a short password", &text(&out), &allowed);
    // A CSV import: its dry run, and a file the mapping cannot read.
    let boston = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real/records/boston_311_2015-03_to_2015-04.csv");
    let head: Vec<String> = std::fs::read_to_string(&boston)
        .unwrap_or_else(|e| panic!("{}: {e}", boston.display()))
        .lines()
        .take(6)
        .map(str::to_owned)
        .collect();
    let few = env.dir.path().join("few.csv");
    std::fs::write(&few, head.join("\n") + "\n").unwrap();
    let few = few.display().to_string();
    let out = fa(
        &env,
        Some("ali"),
        &[
            "import",
            "csv",
            &few,
            "--mapping",
            "boston",
            "--dry-run",
            "--quiet",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_persian("import csv --dry-run", &text(&out), &allowed);
    let odd = env.dir.path().join("odd.csv");
    std::fs::write(&odd, "a,b\n1,2\n").unwrap();
    let odd = odd.display().to_string();
    let out = fa(
        &env,
        Some("ali"),
        &["import", "csv", &odd, "--mapping", "boston", "--quiet"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_persian("import csv, no such columns", &text(&out), &allowed);
    // A mapping file that cannot be used: what to fix in it, in Persian.
    let boston_toml = include_str!("../assets/mappings/boston.toml");
    let mapping = env.dir.path().join("ours.toml");
    for (bad, says) in [
        (
            boston_toml.replacen("time_zone = \"", "time_zone = \"Mars/", 1),
            "Mars/",
        ),
        (
            boston_toml.replacen("\nsource = \"", "\nsource = \"Our City ", 1),
            "Our City",
        ),
    ] {
        assert_ne!(bad, boston_toml, "{says}: the mapping did not change");
        std::fs::write(&mapping, &bad).unwrap();
        let out = fa(
            &env,
            Some("ali"),
            &[
                "import",
                "csv",
                &few,
                "--mapping",
                &mapping.display().to_string(),
                "--quiet",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(says), "{says}: {}", text(&out));
        assert_persian("import csv, a bad mapping", &text(&out), &allowed);
    }
    // Rows the import refuses: each row's problem in Persian, on the
    // terminal and in the refused file's reason column.
    let mut bad: Vec<String> = head.clone();
    bad[2] = bad[2].replacen("03/01/2015 01:47:25 AM", "13/45/2015 01:47:25 AM", 1);
    let mut fields: Vec<&str> = head[3].splitn(8, ',').collect();
    fields[6] = "Reopened"; // CASE_STATUS
    bad[3] = fields.join(",");
    bad[4] = bad[4].split(',').take(5).collect::<Vec<_>>().join(",");
    bad.push(head[1].clone());
    let rows = env.dir.path().join("bad.csv");
    std::fs::write(&rows, bad.join("\n") + "\n").unwrap();
    let rows = rows.display().to_string();
    let out = fa(
        &env,
        Some("ali"),
        &["import", "csv", &rows, "--mapping", "boston", "--quiet"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(said.matches("سطر ").count() >= 4, "{said}");
    assert_persian("import csv, refused rows", &said, &allowed);
    let out = fa(
        &env,
        Some("ali"),
        &[
            "import",
            "csv",
            &rows,
            "--mapping",
            "boston",
            "--quiet",
            "--skip-bad",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let refused = std::fs::read_to_string(format!("{rows}.refused.csv")).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(refused.as_bytes());
    let reasons: Vec<String> = reader
        .records()
        .map(|r| r.unwrap().iter().next_back().unwrap().to_owned())
        .collect();
    assert_eq!(reasons.len(), 4, "{refused}");
    for reason in &reasons {
        assert_persian("a refused row's reason", reason, &allowed);
    }
    let out = fa(&env, None, &["queue"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_persian("not signed in", &text(&out), &allowed);
    // A catalog file that cannot be used: what is wrong, in Persian, and
    // no store made.
    let catalog = env.dir.path().join("catalog.toml");
    let good = citydesk::domain::catalog::DEFAULT_TOML;
    for (bad, says) in [
        (
            good.replacen("\ndeadline_hours = ", "\ndeadline_hours = 0 #", 1),
            "deadline_hours",
        ),
        (
            good.replacen("\ndepartment = \"", "\ndepartment = \"nowhere-", 1),
            "nowhere-",
        ),
        (
            format!(
                "{good}\n[[districts]]\ncode = \"1\"\nname_fa = \"x\"\nname_en = \"x\"\noffice = \"x\"\n"
            ),
            "\"1\"",
        ),
    ] {
        std::fs::write(&catalog, &bad).unwrap();
        let fresh = env.dir.path().join("fresh.db");
        let out = env
            .bare("_nobody")
            .env("CITYDESK_LANG", "fa")
            .env("CITYDESK_STORE", &fresh)
            .args(["init", "--catalog", &catalog.display().to_string()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains(says), "{says}: {}", text(&out));
        assert_persian("init --catalog, a bad catalog", &text(&out), &allowed);
        assert!(!fresh.exists(), "a store was made from a bad catalog");
    }
    // Usage errors (exit code 2): a Persian lead, then clap's own message.
    for (args, lead) in [
        (&["case", "new", "--bogus"][..], "گزینهٔ این فرمان نیست"),
        (&["frobnicate"], "فرمان نیست"),
        (&["queue", "overdue", "--limit", "x"], "پذیرفتنی نیست"),
        (&["queue", "--within", "9999d"], "بیش از"),
        (&["report", "--from", "1404-12-30"], "روز دارد"),
        (&["case", "new"], "این داده نشد"),
        (&["catalog", "planets"], "پذیرفتنی نیست"),
    ] {
        let out = fa(&env, None, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let said = String::from_utf8(out.stderr).unwrap();
        let (ours, clap_s) = said.split_once("\n\n").unwrap();
        assert_persian(&format!("{args:?}"), ours, &allowed);
        assert!(ours.contains("citydesk --help"), "{args:?}: {said}");
        assert!(said.contains(lead), "{args:?}: {said}");
        assert!(clap_s.contains("error:"), "clap's detail is kept: {said}");
    }
}

#[test]
fn english_output_is_unchanged() {
    let env = Env::new();
    let code = env.new_case(&[]);
    let shown = env.ok(Some("admin"), &["case", "show", &code]);
    assert!(shown.starts_with(&format!("case {code}   (")), "{shown}");
    assert!(shown.contains("  status         registered\n"), "{shown}");
    assert!(shown.contains("\ntimeline\n"), "{shown}");
    let acted = env.ok(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    assert!(
        acted.starts_with(&format!("case {code}: referred; status referred, due ")),
        "{acted}"
    );
    let counts = env.ok(Some("ali"), &["queue"]);
    assert!(counts.contains("registered, not yet referred"), "{counts}");
    let empty = env.ok(Some("ali"), &["queue", "feedback"]);
    assert_eq!(empty, "this queue is empty\n");
    let e = env.refused(Some("admin"), &["import", "mapping", "nowhere"]);
    assert!(
        e.contains("there is no shipped mapping named \"nowhere\""),
        "{e}"
    );
    let out = env
        .cmd(None)
        .args(["case", "new", "--bogus"])
        .output()
        .unwrap();
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.starts_with("error: unexpected argument '--bogus'"),
        "{said}"
    );
}
