//! The whole life of cases through the real binary: lifecycle, refusals with
//! their messages, roles, optimistic concurrency, timeline, bad input.

mod common;

use common::Env;

#[test]
fn a_case_lives_its_whole_life() {
    whole_life(&Env::new());
}

#[test]
fn a_case_lives_its_whole_life_on_postgres() {
    if let Some(env) = Env::new_pg() {
        whole_life(&env);
    }
}

fn whole_life(env: &Env) {
    let code = env.new_case(&["--neighborhood", "کوی خضر"]);
    assert_eq!(code.len(), 9);
    let c = env.case(&code);
    assert_eq!(c["status"], "registered");
    assert_eq!(c["department"], "d3", "potholes go to the district office");
    assert_eq!(c["deadline_hours"], 72);

    env.ok(
        Some("ali"),
        &["case", "refer", &code, "--department", "d3", "--to", "sara"],
    );
    assert_eq!(env.status(&code), "referred");
    env.ok(
        Some("ali"),
        &["case", "resolve", &code, "--response", "چاله پر شد"],
    );
    assert_eq!(env.status(&code), "resolved");
    env.ok(
        Some("ali"),
        &[
            "case",
            "feedback",
            &code,
            "--dissatisfied",
            "--comment",
            "هنوز ناصاف است",
        ],
    );
    assert_eq!(env.status(&code), "follow-up");
    // The follow-up officer sends it back: one level up, a new deadline.
    env.ok(
        Some("sara"),
        &["case", "refer", &code, "--department", "civil"],
    );
    let c = env.case(&code);
    assert_eq!(c["status"], "referred");
    assert_eq!(c["escalation_level"], 1);
    assert_eq!(c["department"], "civil");
    assert_eq!(c["assignee"], "sara", "refer without --to keeps the holder");
    env.ok(
        Some("ali"),
        &["case", "resolve", &code, "--response", "آسفالت شد"],
    );
    env.ok(Some("ali"), &["case", "feedback", &code, "--satisfied"]);
    let c = env.case(&code);
    assert_eq!(c["status"], "closed");
    assert_eq!(c["outcome"], "satisfied");
    assert!(c["closed_at"].is_string());

    env.ok(
        Some("sam"),
        &["case", "reopen", &code, "--reason", "the pothole is back"],
    );
    assert_eq!(env.status(&code), "registered");

    let actions: Vec<&str> = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "register", "refer", "resolve", "feedback", "refer", "resolve", "feedback"
        ]
    );
    let t = &c["timeline"][3];
    assert_eq!(t["actor"], "ali");
    assert_eq!(t["from"], "resolved");
    assert_eq!(t["to"], "follow-up");
    assert_eq!(t["result"], "dissatisfied");
    assert_eq!(t["comment"], "هنوز ناصاف است");
    assert!(t.get("detail").is_none(), "events are data, not prose: {t}");
    assert!(t["shift"]["date"].as_str().is_some(), "{t}");
    assert!(t["shift"]["name"].as_str().is_some(), "{t}");
    for (i, e) in c["timeline"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            e["seq"],
            i as i64 + 1,
            "entry n is the change that made version n"
        );
    }
}

#[test]
fn unreachable_citizens_close_after_three_attempts() {
    let env = Env::new();
    let code = env.new_case(&[]);
    env.ok(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    env.ok(
        Some("ali"),
        &["case", "resolve", &code, "--response", "done"],
    );
    for attempt in 1..=2 {
        env.ok(Some("ali"), &["case", "feedback", &code, "--unreachable"]);
        let c = env.case(&code);
        assert_eq!(c["status"], "resolved");
        assert_eq!(c["feedback_attempts"], attempt);
    }
    env.ok(Some("ali"), &["case", "feedback", &code, "--unreachable"]);
    let c = env.case(&code);
    assert_eq!(c["status"], "closed");
    assert_eq!(c["outcome"], "citizen-unreachable");
}

#[test]
fn the_number_of_feedback_attempts_comes_from_the_config() {
    let env = Env::new();
    std::fs::write(
        env.dir.path().join("config.toml"),
        "[workflow]\nfeedback_attempts = 1\n",
    )
    .unwrap();
    let code = env.new_case(&[]);
    env.ok(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    env.ok(
        Some("ali"),
        &["case", "resolve", &code, "--response", "done"],
    );
    env.ok(Some("ali"), &["case", "feedback", &code, "--unreachable"]);
    assert_eq!(env.case(&code)["outcome"], "citizen-unreachable");
}

#[test]
fn a_bad_config_file_is_named_with_its_line() {
    let env = Env::new();
    std::fs::write(
        env.dir.path().join("config.toml"),
        "[workflow]\n\nfeedback_attempts = \"three\"\n",
    )
    .unwrap();
    let err = env.refused(None, &["queue", "overdue"]);
    assert!(err.contains("config.toml"), "{err}");
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn refused_transitions_name_the_state_and_what_is_allowed() {
    let env = Env::new();
    let code = env.new_case(&[]);
    let err = env.refused(Some("ali"), &["case", "resolve", &code, "--response", "x"]);
    assert!(
        err.contains(&format!(
            "cannot resolve case {code}: it is registered; from registered you can: refer, escalate, cancel, take, note, attach"
        )),
        "{err}"
    );
    let err = env.refused(Some("ali"), &["case", "feedback", &code, "--satisfied"]);
    assert!(err.contains("it is registered"), "{err}");
    let err = env.refused(Some("sam"), &["case", "reopen", &code, "--reason", "x"]);
    assert!(err.contains("cannot reopen"), "{err}");
    let err = env.refused(Some("sara"), &["case", "close", &code]);
    assert!(err.contains("cannot close"), "{err}");

    env.ok(
        Some("ali"),
        &["case", "cancel", &code, "--reason", "withdrawn"],
    );
    let err = env.refused(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    assert!(
        err.contains("it is cancelled; from cancelled you can: reopen, note, attach"),
        "{err}"
    );
    // A refusal changes nothing.
    let c = env.case(&code);
    assert_eq!(c["status"], "cancelled");
    assert_eq!(c["version"], 2);
}

#[test]
fn roles_are_checked() {
    let env = Env::new();
    let code = env.new_case(&[]);
    env.ok(
        Some("ali"),
        &["case", "escalate", &code, "--reason", "urgent and ignored"],
    );
    let err = env.refused(Some("ali"), &["case", "close", &code]);
    assert!(
        err.contains("as an operator: while it is follow-up only a follow-up officer or a supervisor may do that"),
        "{err}"
    );
    let err = env.refused(Some("admin"), &["case", "close", &code]);
    assert!(err.contains("as an administrator"), "{err}");
    let err = env.refused(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    assert!(
        err.contains("only a follow-up officer or a supervisor"),
        "{err}"
    );
    env.ok(
        Some("sara"),
        &[
            "case",
            "close",
            &code,
            "--reason",
            "explained to the citizen",
        ],
    );
    assert_eq!(env.case(&code)["outcome"], "closed-by-officer");
    let err = env.refused(Some("ali"), &["case", "reopen", &code, "--reason", "x"]);
    assert!(
        err.contains("only a follow-up officer or a supervisor"),
        "{err}"
    );

    // Administrators manage operators; nobody else does.
    let err = env.add_operator_refused(Some("sam"), "newbie", "operator", "long enough password\n");
    assert!(err.contains("only an administrator"), "{err}");
    let err = env.refused(Some("sam"), &["operator", "disable", "ali"]);
    assert!(err.contains("only an administrator"), "{err}");
    let err = env.refused(
        Some("admin"),
        &[
            "case",
            "new",
            "--phone",
            "09121234567",
            "--name",
            "x",
            "--service",
            "pothole",
            "--district",
            "1",
            "--address",
            "x",
            "--description",
            "x",
        ],
    );
    assert!(err.contains("registering cases is for"), "{err}");

    // A disabled operator can no longer act.
    env.ok(Some("admin"), &["operator", "disable", "ali"]);
    let err = env.refused(Some("ali"), &["case", "note", &code, "hello"]);
    assert!(err.contains("\"ali\" is disabled"), "{err}");
    env.ok(Some("admin"), &["operator", "enable", "ali"]);
    env.ok(Some("ali"), &["case", "note", &code, "hello"]);
}

#[test]
fn the_first_account_must_be_able_to_add_the_others() {
    let env = Env::empty();
    env.ok(None, &["init"]);
    let err = env.add_operator_refused(None, "ali", "operator", "long enough password\n");
    assert!(
        err.contains("the first account must be an administrator or a supervisor"),
        "{err}"
    );
    env.add_operator(None, "boss", "admin");
    let err = env.add_operator_refused(None, "ali", "operator", "long enough password\n");
    assert!(err.contains("you are not signed in"), "{err}");
    let err = env.add_operator_refused(Some("boss"), "ali", "operator", "short\n");
    assert!(err.contains("at least 8 characters"), "{err}");
    let err = env.add_operator_refused(
        Some("boss"),
        "Ali Reza",
        "operator",
        "long enough password\n",
    );
    assert!(err.contains("is not valid"), "{err}");
    env.add_operator(Some("boss"), "ali", "operator");
    let err = env.add_operator_refused(Some("boss"), "ali", "operator", "long enough password\n");
    assert!(err.contains("already exists"), "{err}");
    let list = env.json(Some("boss"), &["operator", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);

    // A center set up by a supervisor: the supervisor adds operators until an
    // administrator exists.
    let small = Env::empty();
    small.ok(None, &["init"]);
    small.add_operator(None, "chief", "supervisor");
    small.add_operator(Some("chief"), "ali", "operator");
    small.add_operator(Some("chief"), "it", "admin");
    let err =
        small.add_operator_refused(Some("chief"), "reza", "operator", "long enough password\n");
    assert!(err.contains("only an administrator"), "{err}");
    assert!(
        list[0].get("password_hash").is_none(),
        "hashes never leave the store"
    );
}

#[test]
fn a_stale_write_is_refused_with_who_and_when() {
    let env = Env::new();
    let code = env.new_case(&[]);
    let v = env.case(&code)["version"].as_i64().unwrap();
    // Someone else refers it first.
    env.ok(Some("sam"), &["case", "refer", &code, "--department", "d3"]);
    let err = env.refused(
        Some("ali"),
        &[
            "case",
            "refer",
            &code,
            "--department",
            "parks",
            "--if-version",
            &v.to_string(),
        ],
    );
    assert!(
        err.contains(&format!("case {code} was changed by sam at ")),
        "{err}"
    );
    assert!(err.contains("nothing was saved"), "{err}");
    let c = env.case(&code);
    assert_eq!(c["department"], "d3", "the stale write did not land");
    assert_eq!(c["version"], 2);
    // With the current version it goes through.
    env.ok(
        Some("ali"),
        &[
            "case",
            "refer",
            &code,
            "--department",
            "parks",
            "--if-version",
            "2",
        ],
    );
    assert_eq!(env.case(&code)["department"], "parks");
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let env = Env::new();
    env.new_case(&[]);
    let base = [
        "case",
        "new",
        "--phone",
        "09121234567",
        "--name",
        "x",
        "--service",
        "pothole",
        "--district",
        "3",
        "--address",
        "x",
        "--description",
        "x",
    ];
    let with = |field: &str, value: &str| -> Vec<String> {
        let mut v: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
        let i = v.iter().position(|a| a == field).unwrap();
        v[i + 1] = value.to_owned();
        v
    };
    let cases: [(&str, &str, &str); 7] = [
        (
            "--service",
            "teleport",
            "\"teleport\" is not in the catalog",
        ),
        ("--district", "99", "\"99\" is not a district"),
        ("--description", "   ", "description: is empty"),
        ("--name", "", "name: is empty"),
        ("--phone", "0912-abc", "is not a phone number"),
        ("--phone", "123", "has 3 digits"),
        ("--address", "\t", "address: is empty"),
    ];
    for (field, value, expected) in cases {
        let args = with(field, value);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = env.refused(Some("ali"), &args);
        assert!(err.contains(expected), "{field}={value:?}: {err}");
    }
    let future = (citydesk::clock::Clock::now(&citydesk::clock::SystemClock)
        + chrono::Duration::hours(2))
    .to_rfc3339();
    let mut args = base.to_vec();
    args.extend(["--received-at", &future]);
    let err = env.refused(Some("ali"), &args);
    assert!(err.contains("is in the future"), "{err}");
    // Every problem is reported at once.
    let args = with("--service", "teleport");
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    args[3] = "abc";
    let err = env.refused(Some("ali"), &args);
    assert!(err.contains("phone:") && err.contains("service:"), "{err}");

    let code = env.new_case(&[]);
    let err = env.refused(
        Some("ali"),
        &["case", "refer", &code, "--department", "nasa"],
    );
    assert!(err.contains("\"nasa\" is not a department"), "{err}");
    let err = env.refused(
        Some("ali"),
        &[
            "case",
            "refer",
            &code,
            "--department",
            "d3",
            "--to",
            "ghost",
        ],
    );
    assert!(err.contains("no operator is named \"ghost\""), "{err}");
    // Nobody can sign in as someone who does not exist, and nobody acts unsigned.
    let err = env.refused(Some("ghost"), &["case", "note", &code, "x"]);
    assert!(err.contains("not signed in"), "{err}");
    let err = env.refused(None, &["case", "note", &code, "x"]);
    assert!(err.contains("run `citydesk login`"), "{err}");
    let err = env.refused(Some("ali"), &["case", "note", &code, "  "]);
    assert!(err.contains("note: is empty"), "{err}");
    let err = env.refused(
        Some("ali"),
        &["case", "cancel", &code, "--reason", "duplicate"],
    );
    assert!(err.contains("needs the tracking code"), "{err}");
    let err = env.refused(
        Some("ali"),
        &[
            "case",
            "cancel",
            &code,
            "--reason",
            "duplicate",
            "--of",
            &code,
        ],
    );
    assert!(err.contains("duplicate of itself"), "{err}");
    let err = env.refused(Some("ali"), &["case", "show", "123456789"]);
    assert!(err.contains("has a typo"), "{err}");

    assert_eq!(
        env.case_count(),
        2,
        "no refused command registered anything"
    );
    assert_eq!(
        env.case(&code)["version"],
        1,
        "no refused action changed the case"
    );

    // Usage errors exit with 2.
    let out = env.run(Some("ali"), &["case", "new", "--phone"]);
    assert_eq!(out.status.code(), Some(2));
    let out = env.run(
        Some("ali"),
        &["case", "feedback", &code, "--satisfied", "--unreachable"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = env.run(Some("ali"), &["case", "new", "--channel", "pigeon"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn persian_digits_are_accepted_and_normalized_for_search_keys() {
    let env = Env::new();
    let v = env.json(
        Some("ali"),
        &[
            "case",
            "new",
            "--phone",
            "۰۹۱۲ ۱۲۳ ۴۵۶۷",
            "--name",
            "علي",
            "--service",
            "graffiti",
            "--district",
            "۵",
            "--address",
            "خیابان ۱۲",
            "--description",
            "دیوارنویسی",
        ],
    );
    assert_eq!(v["citizen_phone"], "۰۹۱۲ ۱۲۳ ۴۵۶۷", "stored as typed");
    assert_eq!(v["district"], "5");
    assert_eq!(v["deadline_hours"], 48);
    let code = v["code"].as_str().unwrap();
    let persian: String = code
        .chars()
        .map(|c| char::from_u32(0x06F0 + c.to_digit(10).unwrap()).unwrap())
        .collect();
    assert_eq!(env.case(&persian)["code"], code);
}

#[test]
fn escape_sequences_are_stored_but_never_printed_raw() {
    let env = Env::new();
    let evil = "fine\u{1b}]0;pwned\u{7}\u{1b}[2J text";
    let v = env.json(
        Some("ali"),
        &[
            "case",
            "new",
            "--phone",
            "09121234567",
            "--name",
            evil,
            "--service",
            "pothole",
            "--district",
            "1",
            "--address",
            evil,
            "--description",
            evil,
        ],
    );
    assert_eq!(v["description"], evil, "stored as typed");
    let code = v["code"].as_str().unwrap();
    env.ok(Some("ali"), &["case", "note", code, evil]);
    let shown = env.ok(Some("admin"), &["case", "show", code]);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(shown.contains("␛]0;pwned␇␛[2J"), "{shown}");
    let queue = env.ok(Some("admin"), &["queue", "unreferred"]);
    assert!(!queue.contains('\u{1b}'));
}

#[test]
fn later_contacts_attach_to_the_case() {
    let env = Env::new();
    let code = env.new_case(&[]);
    env.ok(
        Some("ali"),
        &[
            "case",
            "attach",
            &code,
            "--phone",
            "09350001111",
            "--name",
            "همسایه",
            "--channel",
            "sms",
            "--comment",
            "same pothole",
        ],
    );
    let c = env.case(&code);
    let contacts = c["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1]["channel"], "sms");
    assert_eq!(contacts[1]["name"], "همسایه");
    assert_eq!(contacts[1]["registered_by"], "ali");
    assert_eq!(
        c["status"], "registered",
        "an attached contact does not change the state"
    );
    let err = env.refused(
        Some("ali"),
        &[
            "case",
            "attach",
            &code,
            "--phone",
            "nope",
            "--name",
            "x",
            "--channel",
            "sms",
        ],
    );
    assert!(err.contains("is not a phone number"), "{err}");
    assert_eq!(env.case(&code)["contacts"].as_array().unwrap().len(), 2);
}

#[test]
fn cancel_as_duplicate_names_the_original() {
    let env = Env::new();
    let first = env.new_case(&[]);
    let second = env.new_case(&[]);
    env.ok(
        Some("ali"),
        &[
            "case",
            "cancel",
            &second,
            "--reason",
            "duplicate",
            "--of",
            &first,
        ],
    );
    let c = env.case(&second);
    assert_eq!(c["status"], "cancelled");
    assert_eq!(c["outcome"], "duplicate");
    assert_eq!(c["duplicate_of"], first.as_str());
}

#[test]
fn taking_a_case_makes_it_mine() {
    let env = Env::new();
    let code = env.new_case(&[]);
    env.ok(Some("sara"), &["case", "take", &code]);
    assert_eq!(env.case(&code)["assignee"], "sara");
    let mine = env.json(Some("sara"), &["queue", "mine"]);
    assert_eq!(mine[0]["code"], code.as_str());
    let err = env.refused(Some("ali"), &["case", "take", &code]);
    assert!(err.contains("held by sara"), "{err}");
    let err = env.refused(Some("sara"), &["case", "take", &code]);
    assert!(err.contains("already hold"), "{err}");
}

#[test]
fn queues_list_the_right_cases_in_order() {
    let env = Env::new();
    let now = citydesk::clock::Clock::now(&citydesk::clock::SystemClock);
    let ago = |h: i64| (now - chrono::Duration::hours(h)).to_rfc3339();
    // pothole: 72 h deadline; follow-up after 72 + 36 h.
    let fresh = env.new_case(&[]);
    let late = env.new_case(&["--received-at", &ago(80)]);
    let very_late = env.new_case(&["--received-at", &ago(120)]);
    let soon = env.new_case(&["--received-at", &ago(70)]);
    let urgent = env.new_case(&["--priority", "urgent"]);

    let codes = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        codes(env.json(Some("admin"), &["queue", "overdue"])),
        [very_late.clone(), late.clone()]
    );
    assert_eq!(
        codes(env.json(Some("admin"), &["queue", "due-soon", "--within", "4h"])),
        [soon.as_str()]
    );
    assert_eq!(
        codes(env.json(Some("admin"), &["queue", "follow-up"])),
        [very_late.as_str()]
    );
    let unreferred = codes(env.json(Some("admin"), &["queue", "unreferred"]));
    assert_eq!(unreferred[0], urgent, "urgent first");
    assert_eq!(unreferred.len(), 5);
    assert!(unreferred.contains(&fresh));
    assert_eq!(
        codes(env.json(
            Some("admin"),
            &["queue", "unreferred", "--limit", "2", "--offset", "4"]
        ))
        .len(),
        1
    );

    env.ok(Some("ali"), &["case", "refer", &late, "--department", "d3"]);
    env.ok(
        Some("ali"),
        &["case", "resolve", &late, "--response", "done"],
    );
    assert_eq!(
        codes(env.json(Some("admin"), &["queue", "feedback"])),
        [late.as_str()]
    );
    assert_eq!(
        codes(env.json(Some("admin"), &["queue", "overdue"])),
        [very_late.as_str()],
        "answered cases are not overdue"
    );
    env.ok(Some("ali"), &["case", "feedback", &late, "--dissatisfied"]);
    assert_eq!(
        codes(env.json(Some("admin"), &["queue", "follow-up"])).len(),
        2
    );

    let text = env.ok(Some("admin"), &["queue", "overdue"]);
    assert!(text.contains("late"), "{text}");
    assert!(text.contains("Pothole"), "{text}");
    let err = env.refused(None, &["queue", "mine"]);
    assert!(err.contains("--as"), "{err}");
    let out = env.run(None, &["queue", "due-soon", "--within", "soon"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn import_registers_json_lines_all_or_nothing() {
    let env = Env::new();
    let good = r#"{"phone":"09121111111","name":"رضا","service":"trash-missed","district":"2","address":"بلوار فرهنگ","description":"زباله جمع نشده","channel":"sms"}"#;
    let bad = r#"{"phone":"nope","name":"رضا","service":"trash-missed","district":"2","address":"x","description":"x"}"#;
    let out = env.run_with_input(
        Some("ali"),
        &["case", "import"],
        &format!("{good}\n{bad}\n{good}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing was registered") && err.contains("line 2"),
        "{err}"
    );
    assert_eq!(env.case_count(), 0);
    let out = env.run_with_input(
        Some("ali"),
        &["case", "import"],
        &format!("{good}\n\n{good}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let codes: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(codes.len(), 2);
    assert_eq!(env.case(codes[0])["channel"], "sms");
}

#[test]
fn init_is_idempotent_and_commands_need_it() {
    let env = Env::empty();
    let err = env.refused(Some("ali"), &["queue", "overdue"]);
    assert!(err.contains("citydesk init"), "{err}");
    let first = env.json(None, &["init"]);
    assert_eq!(first["created"], true);
    let again = env.json(None, &["init"]);
    assert_eq!(again["created"], false);
    assert_eq!(again["services"], first["services"]);
    let services = env.json(None, &["catalog", "services"]);
    assert!(services.as_array().unwrap().len() >= 60);
    let text = env.ok(None, &["catalog", "departments"]);
    assert!(text.contains("سازمان مدیریت پسماند"), "{text}");
}

#[test]
fn init_with_a_catalog_file_retires_dropped_services() {
    let env = Env::new();
    let code = env.new_case(&[]);
    let custom = citydesk::domain::catalog::DEFAULT_TOML
        .replace("code = \"pothole\"", "code = \"pothole-v2\"");
    let path = env.dir.path().join("custom.toml");
    std::fs::write(&path, custom).unwrap();
    let report = env.json(
        Some("admin"),
        &["init", "--catalog", path.to_str().unwrap()],
    );
    assert_eq!(report["services_retired"], 1);
    assert_eq!(
        env.case(&code)["service"],
        "pothole",
        "old cases keep their service"
    );
    let err = env.refused(
        Some("ali"),
        &[
            "case",
            "new",
            "--phone",
            "09121234567",
            "--name",
            "x",
            "--service",
            "pothole",
            "--district",
            "1",
            "--address",
            "x",
            "--description",
            "x",
        ],
    );
    assert!(err.contains("no longer offered"), "{err}");
    std::fs::write(&path, "[[services]]\ncode = 1\n").unwrap();
    let err = env.refused(None, &["init", "--catalog", path.to_str().unwrap()]);
    assert!(err.contains("custom.toml") && err.contains("line"), "{err}");
}

#[test]
fn help_lists_the_commands() {
    let env = Env::empty();
    let out = env.ok(None, &["--help"]);
    assert!(out.contains("Usage: citydesk"), "{out}");
    assert!(out.contains("opens the console"), "{out}");
}

#[test]
fn search_from_the_command_line() {
    let env = Env::new();
    let code = env.new_case(&[]);
    let found = env.json(Some("admin"), &["case", "search", "۰۹۱۲ ۱۲۳ ۴۵۶۷"]);
    assert_eq!(found[0]["code"], code.as_str());
    let found = env.json(Some("admin"), &["case", "search", "چاله پلاک"]);
    assert_eq!(found.as_array().unwrap().len(), 1);
    let text = env.ok(Some("admin"), &["case", "search", "nothing like this"]);
    assert!(
        text.contains("no case matches \"nothing like this\""),
        "{text}"
    );
}

#[test]
fn the_console_without_a_terminal_says_what_to_do() {
    let env = Env::empty();
    let err = env.refused(None, &[]);
    assert!(err.contains("the console needs a terminal"), "{err}");
    assert!(
        !std::path::Path::new(&env.store).exists(),
        "nothing was created"
    );
}

#[test]
fn help_lists_the_codes_an_option_takes() {
    let env = Env::empty();
    let out = env.ok(None, &["case", "new", "--help"]);
    for code in [
        "phone",
        "sms",
        "walk-in",
        "council",
        "letter",
        "complaint",
        "urgent",
    ] {
        assert!(out.contains(code), "{code}: {out}");
    }
    assert!(out.contains("citydesk catalog departments"), "{out}");
    assert!(out.contains("civil"), "the built-in departments: {out}");
    let out = env.ok(None, &["case", "cancel", "--help"]);
    for code in ["duplicate", "outside-jurisdiction", "withdrawn"] {
        assert!(out.contains(code), "{code}: {out}");
    }
    let out = env.ok(None, &["case", "close", "--help"]);
    assert!(out.contains("not-feasible"), "{out}");
    let out = env.ok(None, &["operator", "add", "--help"]);
    assert!(out.contains("follow-up") && out.contains("admin"), "{out}");
    let out = env.ok(None, &["queue", "--help"]);
    assert!(
        out.contains("due-soon") && out.contains("unreferred"),
        "{out}"
    );
    let out = env.ok(None, &["case", "refer", "--help"]);
    assert!(out.contains("citydesk catalog departments"), "{out}");
    // Still any letter case, and a wrong code names the codes.
    let env = Env::new();
    let code = env.new_case(&["--channel", "SMS", "--kind", "Complaint"]);
    assert_eq!(env.case(&code)["channel"], "sms");
    let out = env.run(Some("ali"), &["case", "cancel", &code, "--reason", "bored"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value 'bored' for '--reason <REASON>'")
            && err.contains("duplicate, outside-jurisdiction, withdrawn"),
        "{err}"
    );
}

#[test]
fn completions_and_the_man_page_need_no_config_and_no_store() {
    let env = Env::empty();
    // A config file that would stop any other command.
    std::fs::write(env.dir.path().join("config.toml"), "[workflow\n").unwrap();
    let bash = env.ok(None, &["completions", "bash"]);
    assert!(bash.contains("case") && bash.contains("queue"), "{bash}");
    assert!(bash.contains("outside-jurisdiction"), "codes complete too");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = env.ok(None, &["completions", shell]);
        assert!(script.contains("citydesk"), "{shell}: {script}");
    }
    let page = env.ok(None, &["man"]);
    assert!(page.contains(".TH") && page.contains("citydesk"), "{page}");
    let dir = env.dir.path().join("man1");
    env.ok(None, &["man", "--out", dir.to_str().unwrap()]);
    for page in ["citydesk.1", "citydesk-case.1", "citydesk-case-new.1"] {
        let text = std::fs::read_to_string(dir.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}: {text}");
    }
    assert!(
        !std::path::Path::new(&env.store).exists(),
        "no store was opened or created"
    );
    let err = env.refused(None, &["queue"]);
    assert!(err.contains("config.toml"), "the config is bad: {err}");
}

#[test]
fn a_new_case_can_be_referred_at_once() {
    let env = Env::new();
    let base = [
        "case",
        "new",
        "--phone",
        "09121234567",
        "--name",
        "مریم احمدی",
        "--service",
        "pothole",
        "--district",
        "3",
        "--address",
        "خیابان فردوسی",
        "--description",
        "چاله",
    ];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };

    // A bad department: refused, nothing registered.
    let err = env.refused(Some("ali"), &with(&["--department", "nasa"]));
    assert!(err.contains("\"nasa\" is not a department"), "{err}");
    assert_eq!(env.case_count(), 0);
    // Both at once is a usage error.
    let out = env.run(Some("ali"), &with(&["--refer", "--department", "civil"]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(env.case_count(), 0);
    // --refer with an unknown service: the fields are reported as without it.
    let mut bad = with(&["--refer"]);
    bad[7] = "teleport";
    let err = env.refused(Some("ali"), &bad);
    assert!(err.contains("\"teleport\" is not in the catalog"), "{err}");
    assert_eq!(env.case_count(), 0);

    // --refer: the catalog's department, the district office for a pothole.
    let text = env.ok(Some("ali"), &with(&["--refer"]));
    assert!(
        text.contains("status      referred to District 3 Office"),
        "{text}"
    );
    let code = text.split_whitespace().nth(2).unwrap().to_owned();
    let c = env.case(&code);
    assert_eq!(c["status"], "referred");
    assert_eq!(c["department"], "d3");
    let actions: Vec<&str> = c["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["register", "refer"]);

    // --department: that department.
    let v = env.json(Some("ali"), &with(&["--department", "civil"]));
    assert_eq!(v["status"], "referred");
    assert_eq!(v["department"], "civil");

    // Neither: registered, and the operator is told it is not referred.
    let text = env.ok(Some("ali"), &with(&[]));
    assert!(
        text.contains("not referred (it waits in the unreferred queue)"),
        "{text}"
    );
    let code = text.split_whitespace().nth(2).unwrap().to_owned();
    assert_eq!(env.status(&code), "registered");
    assert_eq!(env.case_count(), 3);
}

#[test]
fn a_huge_span_is_refused_with_what_to_write() {
    let env = Env::new();
    for within in [
        "99999999d",
        "9999999999999h",
        "200000000000000d",
        "99999999999999999999999h",
        "367d",
    ] {
        let out = env.run(None, &["queue", "due-soon", "--within", within]);
        assert_eq!(out.status.code(), Some(2), "{within}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is more than 366 days"), "{within}: {err}");
    }
    env.ok(Some("admin"), &["queue", "due-soon", "--within", "366d"]);
}

/// Issue 10: escape sequences in a bad value reached the terminal raw, in
/// the "unknown field" message of `case import` and in clap's echo of a bad
/// `--channel/--kind/--priority/--received-at`. Now every message passes the
/// neutralizer: the sequence is shown as control pictures, never obeyed,
/// never dropped.
#[test]
fn escape_sequences_in_bad_input_never_reach_the_terminal_raw() {
    let env = Env::new();
    let evil = "x\u{1b}]0;pwned\u{7}\u{9b}2J";
    let shown = "x␛]0;pwned␇\u{fffd}2J";
    // As JSON writes it: "\u001b]0;pwned\u0007…".
    let line = format!("{}\n", serde_json::json!({ evil: 1 }));
    let out = env.run_with_input(Some("ali"), &["case", "import"], &line);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unknown field"), "{err}");
    assert!(err.contains(shown), "{err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
    for option in ["--channel", "--kind", "--priority", "--received-at"] {
        let out = env.run(
            Some("ali"),
            &[
                "case",
                "new",
                "--phone",
                "09121234567",
                "--name",
                "x",
                "--service",
                "pothole",
                "--district",
                "3",
                "--address",
                "a",
                "--description",
                "d",
                option,
                evil,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{option}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(option), "{option}: {err}");
        assert!(err.contains(shown), "{option}: {err}");
        assert!(
            !err.chars().any(|c| c.is_control() && c != '\n'),
            "{option}: {err:?}"
        );
    }
}

/// Issue 10: `--json` escapes C1 controls, DEL and bidi controls too (JSON
/// allows them raw; a terminal would obey them), and reads back the same.
#[test]
fn json_output_escapes_c1_del_and_bidi_controls() {
    let env = Env::new();
    let text = "چاله \u{9b}2J\u{7f}\u{202e}evil\u{2067}x\u{2069}";
    let code = env.new_case(&["--neighborhood", text]);
    let out = env.run(Some("ali"), &["--json", "case", "show", &code]);
    assert!(out.status.success());
    let raw = String::from_utf8(out.stdout).unwrap();
    assert!(
        !raw.chars().any(|c| c.is_control() && c != '\n'
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "{raw:?}"
    );
    assert!(
        raw.contains("\\u009b2J\\u007f\\u202eevil\\u2067x\\u2069"),
        "{raw}"
    );
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(v["neighborhood"], text);
}

/// Issue 10: two lines of one `case import` with the same request_id but
/// different content were silently merged (the second found the first's
/// case); now the second is refused, and nothing is registered. An identical
/// repeat (a gateway sending a line twice) still registers once.
#[test]
fn case_import_refuses_one_request_id_for_two_different_cases() {
    let env = Env::new();
    let line = |description: &str| {
        format!(
            "{}\n",
            serde_json::json!({
                "phone": "09121234567", "name": "مریم", "service": "pothole", "district": "3",
                "address": "خیابان ۱۲", "description": description, "request_id": "sms-77",
            })
        )
    };
    let input = format!("{}{}", line("چاله"), line("چراغ خاموش"));
    let out = env.run_with_input(Some("ali"), &["case", "import"], &input);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("line 2: request_id \"sms-77\" was used on line 1 for a different case"),
        "{err}"
    );
    assert_eq!(env.case_count(), 0, "nothing was registered");
    let input = format!("{}{}", line("چاله"), line("چاله"));
    let out = env.run_with_input(Some("ali"), &["case", "import"], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.case_count(), 1, "an identical repeat registers once");
}

/// `citydesk doctor` in Persian: the sample drawn both ways (shaped and in
/// visual order; isolated, in logical order), the answer read from standard
/// input in any digits and saved as `[display] bidi`; a wrong answer is
/// refused and changes nothing.
#[test]
fn doctor_shows_persian_both_ways_and_saves_the_pick() {
    use citydesk::bidi::{BidiMode, for_cell_dir};
    let env = Env::new();
    let config = env.dir.path().join("config.toml");
    let doctor = |args: &[&str], input: &str| {
        let mut cmd = env.cmd(None);
        cmd.env("CITYDESK_LANG", "fa").arg("doctor").args(args);
        common::output_with_input(cmd, input)
    };
    let sample = citydesk::app::modal::BIDI_SAMPLE;
    let out = doctor(&[], "۲\n");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&for_cell_dir(sample, BidiMode::App, true)),
        "{said}"
    );
    assert!(
        said.contains(&format!("\u{2067}{sample}\u{2069}")),
        "the terminal's way: logical, isolated: {said}"
    );
    assert!(said.contains("citydesk متن را مرتب می‌کند"), "{said}");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("bidi = \"terminal\""), "{text}");
    // --answer, Arabic-Indic digit; replaces the line
    let out = doctor(&["--answer", "١"], "");
    assert!(out.status.success());
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("bidi = \"app\"") && !text.contains("terminal"),
        "{text}"
    );
    // a wrong answer: refused, the config as it was
    let out = doctor(&["--answer", "3"], "");
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
}

/// `case show` in Persian gives its times in the Jalali calendar with
/// Persian digits; the English output keeps ISO dates.
#[test]
fn case_show_in_persian_gives_jalali_times() {
    let env = Env::new();
    let code = env.new_case(&["--received-at", "1405-09-07 10:00"]);
    let out = env
        .cmd(Some("ali"))
        .env("CITYDESK_LANG", "fa")
        .args(["case", "show", &code])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("۷ آذر ۱۴۰۵ ۱۰:۰۰"), "{shown}");
    let english = env.ok(Some("ali"), &["case", "show", &code]);
    assert!(english.contains("2026-11-28 10:00"), "{english}");
}
