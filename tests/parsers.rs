//! Issue 10: no input reaches a panic. Property tests feed every parser the
//! program has (spans, phones, tracking codes, dates, keys, config files,
//! mappings, catalogs, import rows and lines, Open311 documents, the command
//! line) with arbitrary text and with text shaped like the real thing, and
//! check that each one answers: a value or an error, never a panic. The
//! command line is also run (through the library, on a throwaway store), so
//! a value that parses but overflows later is caught too.

use std::io::Cursor;

use chrono::{DateTime, Utc};
use clap::Parser;
use proptest::prelude::*;
use proptest::sample::select;

use citydesk::calendar::parse_date;
use citydesk::cli::{Cli, parse_span};
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::CaseInput;
use citydesk::domain::roles::{Actor, Role};
use citydesk::domain::shift::Shift;
use citydesk::domain::tracking::TrackingCode;
use citydesk::import::mapping::Mapping;
use citydesk::import::row::{Layout, SeenIds, check_row};
use citydesk::keymap::Key;
use citydesk::store::Settings;
use citydesk::text::phone_key;

mod common;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Digits of every script, units, signs, separators and a few hostile chars.
fn shaped() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[0-9]{1,25}",
        "[۰-۹]{1,12}",
        "[٠-٩]{1,12}",
        select(vec![
            "d",
            "h",
            "m",
            "s",
            "-",
            "+",
            "/",
            ":",
            "T",
            "Z",
            " ",
            ".",
            "e",
            "\u{0}",
            "\u{1b}",
            "\u{202e}",
            "F",
            "Ctrl+",
            "Alt+",
            "ی",
            "٫",
            "9223372036854775807",
            "18446744073709551616",
            "-9223372036854775808",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

/// Any text, or text shaped like a value.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), shaped()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn small_parsers_answer_and_never_panic(s in text()) {
        if let Ok(d) = parse_span(&s) {
            prop_assert!(d > chrono::Duration::zero());
            prop_assert!(d <= chrono::Duration::days(citydesk::cli::MAX_SPAN_DAYS));
        }
        if let Ok(p) = phone_key(&s) {
            prop_assert!((7..=15).contains(&p.len()) || p.starts_with("00"));
        }
        if let Ok(c) = TrackingCode::parse(&s) {
            prop_assert_eq!(TrackingCode::parse(&c.to_string()), Ok(c));
        }
        let _ = parse_date(&s);
        let _ = Key::parse(&s);
        let _ = Shift::parse(&s);
        let _ = citydesk::open311::transfer::parse_time(&s);
        let _ = citydesk::open311::wire::read(&s);
        let _ = citydesk::text::search_key(&s);
        let _ = citydesk::text::truncate(&s, 7);
        prop_assert!(!citydesk::text::for_terminal(&s).chars().any(char::is_control));
    }

    #[test]
    fn config_files_answer_and_never_panic(
        table in select(vec!["center", "rules", "keys", "console", "open311", "import", "x"]),
        key in prop_oneof![
            select(vec!["time_zone", "calendar", "digits", "bidi", "feedback_hours", "default_district",
                "shift", "save", "new_call", "quit", "search", "locale", "followup_factor"])
                .prop_map(str::to_owned),
            any::<String>(),
        ],
        value in prop_oneof![
            shaped().prop_map(|s| format!("{s:?}")),
            "-?[0-9]{1,22}",
            "[0-9]{1,5}\\.[0-9]{1,5}",
            Just("[\"F2\", \"Ctrl+s\", \"\"]".to_owned()),
            Just("true".to_owned()),
            Just("{ a = 1 }".to_owned()),
        ],
        junk in any::<String>(),
    ) {
        let _ = citydesk::config::parse_all(&format!("[{table}]\n{key:?} = {value}\n"));
        let _ = citydesk::config::parse_all(&format!("[{table}]\n{key} = {value}\n"));
        let _ = citydesk::config::parse_all(&junk);
        let _ = Mapping::parse(&format!("{key} = {value}\n"), "test");
        let _ = Mapping::parse(&junk, "test");
        let _ = Catalog::parse(&format!("[[{table}]]\n{key} = {value}\n"));
        let _ = Catalog::parse(&junk);
    }

    #[test]
    fn import_rows_answer_and_never_panic(
        mapping in select(Mapping::shipped_names()),
        cells in prop::collection::vec(text(), 0..40),
        extra in 0usize..3,
    ) {
        let m = Mapping::shipped(mapping).unwrap();
        let mut header: Vec<String> = m.columns().iter().map(|(_, c)| (*c).to_owned()).collect();
        header.sort();
        header.dedup();
        header.extend((0..extra).map(|i| format!("extra{i}")));
        let layout = Layout::new(&m, header.clone()).unwrap();
        let width = if cells.len() % 5 == 0 { cells.len() } else { header.len() };
        let fields: Vec<&str> = (0..width).map(|i| cells.get(i).map_or("", String::as_str)).collect();
        let mut seen = SeenIds::default();
        let _ = check_row(&m, &layout, 2, &fields, &mut seen);
        let _ = check_row(&m, &layout, 3, &fields, &mut seen);
    }

    #[test]
    fn case_import_lines_answer_and_never_panic(
        fields in prop::collection::vec(
            (
                select(vec!["phone", "name", "service", "district", "address", "description",
                    "channel", "kind", "priority", "received_at", "request_id", "refer_to",
                    "neighborhood", "\u{1b}]0;pwned\u{7}"]),
                prop_oneof![
                    text().prop_map(serde_json::Value::from),
                    any::<i64>().prop_map(serde_json::Value::from),
                    Just(serde_json::Value::Null),
                ],
            ),
            0..14,
        ),
        junk in any::<String>(),
    ) {
        let catalog = Catalog::builtin();
        let by = Actor { name: "ali".into(), role: Role::Operator };
        let settings = Settings::default();
        let line: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        for text in [serde_json::Value::Object(line).to_string(), junk] {
            if let Ok(input) = serde_json::from_str::<CaseInput>(&text) {
                let _ = citydesk::domain::intake::register(&input, &catalog, &settings.rules, &by, now());
            }
        }
    }
}

/// Words and values the command line knows, and hostile ones.
fn arg() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(vec![
            "case", "new", "show", "search", "refer", "resolve", "feedback", "reopen", "import",
            "queue", "due-soon", "overdue", "unreferred", "mine", "report", "handover", "catalog",
            "services", "operator", "list", "export", "--within", "--limit", "--offset", "--from",
            "--to", "--by", "--json", "--phone", "--name", "--service", "--district", "--address",
            "--description", "--channel", "--kind", "--priority", "--received-at", "--shift",
            "--format", "--department", "--help", "-h", "--", "4h", "99999999d",
            "9999999999999h", "200000000000000d", "4294967296", "-1", "0", "1405-09-12",
            "9999999-01-01", "2026-11-28T09:30:00Z", "+999999-01-01T00:00:00Z", "pothole", "3",
            "2026-11-28:night", "99999-99-99:x",
        ])
        .prop_map(str::to_owned),
        1 => text(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Parsing alone, any arguments: clap answers or refuses.
    #[test]
    fn command_lines_parse_or_are_refused(args in prop::collection::vec(arg(), 0..8)) {
        let _ = Cli::try_parse_from(std::iter::once("citydesk".to_owned()).chain(args));
    }
}

/// The command line parsed and run on one store (reads and writes alike):
/// never a panic, whatever the arguments.
#[test]
fn command_lines_run_or_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("s.db").display().to_string();
    common::seeded_store(&store, now(), "admin", "!", &[("ali", Role::Operator)]);
    let clock = citydesk::clock::FixedClock(now());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 160,
        ..ProptestConfig::default()
    });
    let strategy = (
        select(vec![
            "case", "queue", "report", "handover", "catalog", "export",
        ]),
        prop::collection::vec(arg(), 0..7),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(command, args, json)| {
            let mut all = vec!["citydesk".to_owned(), "--store".to_owned(), store.clone()];
            all.extend(["--as".to_owned(), "ali".to_owned()]);
            if json {
                all.push("--json".to_owned());
            }
            all.push(command.to_owned());
            all.extend(args);
            if let Ok(cli) = Cli::try_parse_from(&all) {
                let mut out = Vec::new();
                let _ = citydesk::cli::run(cli, &clock, &mut Cursor::new(Vec::new()), &mut out);
            }
            Ok(())
        })
        .unwrap();
}
