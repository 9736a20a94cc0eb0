//! Who may act: `citydesk login` leaves a private session file that every
//! command, reads included, needs; sessions expire and are ended by
//! `citydesk logout` (or by an administrator); `--as NAME --password-stdin`
//! signs in for one command; a service account's token only registers cases
//! and attaches contacts.

mod common;

use std::process::Output;

use common::{Env, PASSWORD};

fn with_input(mut cmd: std::process::Command, args: &[&str], input: &str) -> Output {
    cmd.args(args);
    common::output_with_input(cmd, input)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn refused(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(1),
        "should be refused: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
    stderr(o)
}

fn succeeded(o: &Output) -> String {
    assert!(o.status.success(), "failed: {}", stderr(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The one session file under `state` (XDG_STATE_HOME).
fn session_files(state: &std::path::Path) -> Vec<std::path::PathBuf> {
    let dir = state.join("citydesk").join("sessions");
    std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

#[test]
fn login_leaves_a_private_session_that_logout_ends() {
    let env = Env::new();
    let state = env.state_dir("ali-shift");
    // Nobody signed in: reads are refused too.
    let err = refused(&env.bare("ali-shift").args(["queue"]).output().unwrap());
    assert!(err.contains("you are not signed in"), "{err}");
    let err = refused(
        &env.bare("ali-shift")
            .args(["case", "search", "x"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("run `citydesk login`"), "{err}");

    let wrong = with_input(
        env.bare("ali-shift"),
        &["login", "--as", "ali", "--password-stdin"],
        "not the password\n",
    );
    assert!(refused(&wrong).contains("wrong operator name or password"));
    let nobody = with_input(
        env.bare("ali-shift"),
        &["login", "--as", "nobody", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    );
    assert!(refused(&nobody).contains("wrong operator name or password"));
    assert!(session_files(&state).is_empty());

    let out = succeeded(&with_input(
        env.bare("ali-shift"),
        &["login", "--as", "ali", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    ));
    assert!(out.contains("signed in as ali"), "{out}");
    let files = session_files(&state);
    assert_eq!(files.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the session file is the user's alone");
        let dir = std::fs::metadata(files[0].parent().unwrap()).unwrap();
        assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    }
    let token = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(token.trim().len(), 64);
    // The store keeps only the token's hash.
    let raw = rusqlite_count(
        &env.store,
        &format!(
            "SELECT COUNT(*) FROM sessions WHERE token_hash = '{}'",
            token.trim()
        ),
    );
    assert_eq!(raw, 0, "the token itself is not stored");

    // Signed in: reads and writes work, as ali.
    let code = {
        let out = succeeded(
            &env.bare("ali-shift")
                .args([
                    "--json",
                    "case",
                    "new",
                    "--phone",
                    "09121234567",
                    "--name",
                    "مریم",
                    "--service",
                    "pothole",
                    "--district",
                    "3",
                    "--address",
                    "x",
                    "--description",
                    "y",
                ])
                .output()
                .unwrap(),
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["registered_by"], "ali");
        v["code"].as_str().unwrap().to_owned()
    };
    succeeded(
        &env.bare("ali-shift")
            .args(["case", "show", &code])
            .output()
            .unwrap(),
    );
    // --as must name who signed in.
    let err = refused(
        &env.bare("ali-shift")
            .args(["--as", "sam", "queue"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("you are signed in as ali, not sam"), "{err}");
    succeeded(
        &env.bare("ali-shift")
            .args(["--as", "ali", "queue"])
            .output()
            .unwrap(),
    );

    let out = succeeded(&env.bare("ali-shift").args(["logout"]).output().unwrap());
    assert!(out.contains("signed out ali"), "{out}");
    assert!(session_files(&state).is_empty(), "the file is removed");
    let err = refused(&env.bare("ali-shift").args(["queue"]).output().unwrap());
    assert!(err.contains("you are not signed in"), "{err}");
    // The token is dead in the store, not only gone from the file.
    let err = refused(
        &env.bare("ali-shift")
            .env("CITYDESK_TOKEN", token.trim())
            .args(["queue"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("was ended by ali"), "{err}");
}

fn rusqlite_count(store: &str, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(store).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn one_command_signs_in_with_the_password_on_standard_input() {
    let env = Env::new();
    let out = succeeded(&with_input(
        env.bare("someone"),
        &[
            "--as",
            "admin",
            "--password-stdin",
            "operator",
            "disable",
            "ali",
        ],
        &format!("{PASSWORD}\n"),
    ));
    assert!(out.contains("disabled ali"), "{out}");
    assert!(
        session_files(&env.state_dir("someone")).is_empty(),
        "no session is left"
    );
    // A wrong password changes nothing.
    let err = refused(&with_input(
        env.bare("someone"),
        &[
            "--as",
            "admin",
            "--password-stdin",
            "operator",
            "enable",
            "ali",
        ],
        "guess\n",
    ));
    assert!(err.contains("wrong operator name or password"), "{err}");
    let list = env.json(Some("admin"), &["operator", "list"]);
    let ali = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "ali")
        .unwrap();
    assert_eq!(ali["active"], false);
    // The reproduction: --as alone is no longer taken on trust.
    let err = refused(
        &env.bare("someone")
            .args(["--as", "admin", "operator", "enable", "ali"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("you are not signed in"), "{err}");
    // operator add: the signing-in password first, then the new account's.
    succeeded(&with_input(
        env.bare("someone"),
        &[
            "--as",
            "admin",
            "--password-stdin",
            "operator",
            "add",
            "reza",
            "--role",
            "operator",
        ],
        &format!("{PASSWORD}\nreza's own password\n"),
    ));
    succeeded(&with_input(
        env.bare("reza"),
        &["--as", "reza", "--password-stdin", "queue"],
        "reza's own password\n",
    ));
}

#[test]
fn sessions_expire_and_an_administrator_ends_anyones() {
    use citydesk::auth::{NewSession, SessionKind};
    use citydesk::domain::roles::{Actor, Role};
    let env = Env::new();
    // A session that ended an hour ago, written as `login` would have.
    let mut store =
        citydesk::store::open(&env.store, &citydesk::store::Settings::default()).unwrap();
    let now = citydesk::clock::Clock::now(&citydesk::clock::SystemClock);
    let token = citydesk::secret::new_api_key().unwrap();
    let ali = Actor {
        name: "ali".into(),
        role: Role::Operator,
    };
    store
        .add_session(
            &ali,
            &NewSession {
                token_hash: citydesk::secret::key_hash(&token),
                operator: "ali".into(),
                kind: SessionKind::Shift,
                created_by: "ali".into(),
                expires_at: Some(now - chrono::Duration::hours(1)),
            },
            now - chrono::Duration::hours(13),
        )
        .unwrap();
    let path = citydesk::auth::session_path(
        &env.state_dir("old").join("citydesk"),
        &std::path::absolute(&env.store)
            .unwrap()
            .display()
            .to_string(),
    );
    citydesk::auth::write_session(&path, &token).unwrap();
    let out = env.bare("old").args(["--json", "queue"]).output().unwrap();
    let err = refused(&out);
    assert!(err.contains("the session of ali expired at"), "{err}");
    let typed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(typed["error"]["sign-in"], "expired");

    // ali (signed in properly) cannot end sam's sessions; an administrator can end ali's.
    env.sign_in("sam");
    let err = env.refused(Some("ali"), &["logout", "--operator", "sam"]);
    assert!(err.contains("only an administrator"), "{err}");
    env.ok(Some("sam"), &["queue"]);
    let out = env.ok(Some("admin"), &["logout", "--operator", "ali"]);
    assert!(out.contains("ended 1 sessions and tokens of ali"), "{out}");
    let err = env.refused(Some("ali"), &["queue"]);
    assert!(
        err.contains("the session of ali was ended by admin"),
        "{err}"
    );
    env.ok(Some("sam"), &["queue"]);
}

#[test]
fn a_service_token_only_registers_and_attaches() {
    let env = Env::new();
    env.add_operator(Some("admin"), "sms-gateway", "service");
    // A service account does not sign in with a password.
    let err = refused(&with_input(
        env.bare("gw"),
        &["login", "--as", "sms-gateway", "--password-stdin"],
        &format!("{PASSWORD}\n"),
    ));
    assert!(err.contains("signs in with a token"), "{err}");
    // Only an administrator issues tokens, only to service accounts.
    let err = env.refused(Some("sam"), &["operator", "token", "sms-gateway"]);
    assert!(err.contains("only an administrator"), "{err}");
    let err = env.refused(Some("admin"), &["operator", "token", "ali"]);
    assert!(err.contains("ali is not a service account"), "{err}");
    let issued = env.json(Some("admin"), &["operator", "token", "sms-gateway"]);
    let token = issued["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);

    let gw = |args: &[&str]| {
        let mut c = env.bare("gw");
        c.env("CITYDESK_TOKEN", &token).args(args);
        c.output().unwrap()
    };
    let new = [
        "--json",
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
        "y",
    ];
    let v: serde_json::Value = serde_json::from_str(&succeeded(&gw(&new))).unwrap();
    assert_eq!(v["registered_by"], "sms-gateway");
    let code = v["code"].as_str().unwrap();
    succeeded(&gw(&[
        "case",
        "attach",
        code,
        "--phone",
        "09121112233",
        "--name",
        "y",
        "--channel",
        "sms",
    ]));
    for args in [
        &["queue"][..],
        &["case", "show", code],
        &["case", "search", "x"],
        &["case", "note", code, "x"],
        &["operator", "list"],
    ] {
        let err = refused(&gw(args));
        assert!(
            err.contains("sms-gateway is a service account: it may only register"),
            "{args:?}: {err}"
        );
    }
    // From a file only the script can read.
    let file = env.dir.path().join("gw.token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = refused(
            &env.bare("gw")
                .arg("--token-file")
                .arg(&file)
                .args(new)
                .output()
                .unwrap(),
        );
        assert!(err.contains("others may read it"), "{err}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    succeeded(
        &env.bare("gw")
            .arg("--token-file")
            .arg(&file)
            .args(new)
            .output()
            .unwrap(),
    );
    // Revoked by an administrator: refused at once.
    env.ok(Some("admin"), &["logout", "--operator", "sms-gateway"]);
    let err = refused(&gw(&new));
    assert!(err.contains("was ended by admin"), "{err}");
    let err = refused(
        &env.bare("gw")
            .env("CITYDESK_TOKEN", "0".repeat(64))
            .args(new)
            .output()
            .unwrap(),
    );
    assert!(err.contains("not known to the store"), "{err}");
}

#[test]
fn sessions_work_on_postgres() {
    // None only where `pg::server` has said why (under CI it fails instead).
    let Some(env) = Env::new_pg() else {
        return;
    };
    let code = env.new_case(&[]);
    env.ok(Some("ali"), &["case", "show", &code]);
    let err = env.refused(None, &["case", "show", &code]);
    assert!(err.contains("you are not signed in"), "{err}");
    env.ok(Some("admin"), &["logout", "--operator", "ali"]);
    let err = env.refused(Some("ali"), &["case", "show", &code]);
    assert!(err.contains("was ended by admin"), "{err}");
}

#[cfg(unix)]
#[test]
fn the_store_files_are_the_owners_alone_or_one_groups() {
    use citydesk::domain::Access;
    use citydesk::store::{self, Settings, files};
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let now = citydesk::clock::Clock::now(&citydesk::clock::SystemClock);
    let catalog = citydesk::domain::catalog::Catalog::builtin();
    let dir = tempfile::tempdir().unwrap();

    // Made by the CLI: 0600.
    let env = Env::new();
    assert_eq!(mode(std::path::Path::new(&env.store)), 0o600);

    // Open, with its -wal and -shm: all three 0600.
    let path = dir.path().join("private.db");
    let (mut s, _) =
        store::init(path.to_str().unwrap(), &Settings::default(), &catalog, now).unwrap();
    s.add_operator(
        None,
        &store::NewOperator {
            name: "admin".into(),
            display_name: "admin".into(),
            role: citydesk::domain::roles::Role::Administrator,
            password_hash: "!".into(),
        },
        now,
    )
    .unwrap();
    for f in files::store_files(&path) {
        assert!(f.exists(), "{}", f.display());
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    drop(s);
    // A store an older citydesk made 0644 is closed to others when opened.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let s = store::open(path.to_str().unwrap(), &Settings::default()).unwrap();
    assert_eq!(mode(&path), 0o600);
    drop(s);

    // Shared with a group (here our own, by number): 0660 and that group.
    let gid = std::fs::metadata(dir.path()).unwrap().gid();
    let shared = Settings {
        access: Access {
            group: Some(gid.to_string()),
            ..Access::default()
        },
        ..Settings::default()
    };
    let path = dir.path().join("shared.db");
    let (s, _) = store::init(path.to_str().unwrap(), &shared, &catalog, now).unwrap();
    for f in files::store_files(&path).iter().filter(|f| f.exists()) {
        assert_eq!(mode(f), 0o660, "{}", f.display());
        assert_eq!(std::fs::metadata(f).unwrap().gid(), gid);
    }
    drop(s);
    // A group that does not exist is refused with what to do.
    let err = files::gid("no-such-group-here").unwrap_err().to_string();
    assert!(err.contains("groupadd"), "{err}");
}

/// `citydesk operator password NAME`: an administrator sets another's
/// password; the old one no longer signs in, the new one does. Nobody else
/// may, a service account has none, and a command without a terminal or
/// --password-stdin changes nothing.
fn an_administrator_sets_a_password(env: &Env) {
    let new = "a brand new password";
    let set = |by: &str, name: &str, input: &str| {
        with_input(
            env.bare(by),
            &["--as", by, "--password-stdin", "operator", "password", name],
            input,
        )
    };
    let login = |who: &str, password: &str| {
        with_input(
            env.bare(who),
            &["login", "--as", who, "--password-stdin"],
            &format!("{password}\n"),
        )
    };
    // ali is signed in with the old password; the reset ends that session.
    succeeded(&login("ali", PASSWORD));
    succeeded(&env.bare("ali").args(["queue"]).output().unwrap());
    let out = succeeded(&set("admin", "ali", &format!("{PASSWORD}\n{new}\n")));
    assert!(out.contains("set the password of ali"), "{out}");
    assert!(out.contains("ended the 1 open session(s) of ali"), "{out}");
    let err = refused(&env.bare("ali").args(["queue"]).output().unwrap());
    assert!(
        err.contains("login"),
        "the ended session is told to sign in again: {err}"
    );
    let err = refused(&login("ali", PASSWORD));
    assert!(err.contains("wrong operator name or password"), "{err}");
    succeeded(&login("ali", new));
    succeeded(&env.bare("ali").args(["queue"]).output().unwrap());

    // Not an administrator: refused, nothing changed.
    let err = refused(&set("sara", "sam", &format!("{PASSWORD}\n{new}\n")));
    assert!(err.contains("only an administrator"), "{err}");
    succeeded(&login("sam", PASSWORD));
    // Too short, a service account, nobody of that name: refused.
    let err = refused(&set("admin", "sam", &format!("{PASSWORD}\nshort\n")));
    assert!(err.contains("too short"), "{err}");
    env.add_operator(Some("admin"), "gateway", "service");
    let err = refused(&set("admin", "gateway", &format!("{PASSWORD}\n{new}\n")));
    assert!(err.contains("gateway is a service account"), "{err}");
    let err = refused(&set("admin", "nobody", &format!("{PASSWORD}\n{new}\n")));
    assert!(err.contains("no operator is named \"nobody\""), "{err}");
    succeeded(&login("sam", PASSWORD));
    // No terminal and no --password-stdin: told how, nothing read.
    succeeded(&login("admin", PASSWORD));
    let err = refused(
        &env.bare("admin")
            .args(["operator", "password", "sam"])
            .output()
            .unwrap(),
    );
    assert!(err.contains("--password-stdin"), "{err}");
    succeeded(&login("sam", PASSWORD));
}

#[test]
fn an_administrator_sets_a_password_on_sqlite() {
    an_administrator_sets_a_password(&Env::new());
}

#[test]
fn an_administrator_sets_a_password_on_postgres_by_the_owners_url() {
    let Some(env) = Env::new_pg() else {
        return;
    };
    an_administrator_sets_a_password(&env);
}
