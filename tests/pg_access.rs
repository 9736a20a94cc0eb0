//! On PostgreSQL the server enforces who may act: an operator signs in to
//! the server as themself (`citydesk login`, the server checks the password)
//! and works through a session role of their own; on that connection the
//! server refuses every write citydesk would not make in their name, while
//! their work through citydesk succeeds. Ended sessions cannot connect. The
//! store's URL names no user here (`Env::reached_by_operators`); the owner's URL
//! (the superuser's) set the store up.

mod common;

use common::{Env, PASSWORD};

fn env() -> Option<Env> {
    Some(Env::new_pg()?.reached_by_operators())
}

/// The login (role, password) the session file of `actor` holds for the
/// operators' URL (an administrator who set the store up has one for the
/// owner's URL too).
fn session_login(env: &Env, actor: &str) -> (String, String) {
    let file = citydesk::auth::session_path(&env.state_dir(actor).join("citydesk"), &env.store);
    let token =
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let (role, password) = token.trim().split_once(':').expect("ROLE:PASSWORD");
    (role.to_owned(), password.to_owned())
}

fn connect(env: &Env, role: &str, password: &str) -> Result<postgres::Client, postgres::Error> {
    let mut config: postgres::Config = env.store.parse().unwrap();
    config.user(role).password(password);
    config.connect(postgres::NoTls)
}

/// The superuser's connection (the store's owner here).
fn owner(env: &Env) -> postgres::Client {
    let url = common::pg::server().unwrap();
    let base = url.rsplit_once('/').unwrap().0;
    let db = env.store.rsplit_once('/').unwrap().1;
    postgres::Client::connect(&format!("{base}/{db}"), postgres::NoTls).unwrap()
}

/// What the server said refusing `sql`.
fn refused(c: &mut postgres::Client, sql: &str) -> String {
    let e = c
        .batch_execute(sql)
        .expect_err(&format!("the server should refuse: {sql}"));
    let db = e
        .as_db_error()
        .unwrap_or_else(|| panic!("{sql}: not the server's refusal: {e}"));
    db.message().to_owned()
}

fn login(env: &Env, actor: &str, password: &str) -> std::process::Output {
    let mut cmd = env.bare(actor);
    cmd.args(["login", "--as", actor, "--password-stdin"]);
    common::output_with_input(cmd, &format!("{password}\n"))
}

#[test]
fn an_operator_works_through_citydesk_but_their_connection_cannot_forge() {
    let Some(env) = env() else {
        return;
    };
    // Normal work, each command on ali's own session role.
    let code = env.new_case(&[]);
    env.ok(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    env.ok(Some("ali"), &["case", "note", &code, "called the district"]);
    env.ok(
        Some("ali"),
        &["case", "resolve", &code, "--response", "filled"],
    );
    let awaiting = env.json(Some("ali"), &["queue", "feedback"]);
    assert!(awaiting.to_string().contains(&code), "{awaiting}");
    let found = env.json(Some("ali"), &["case", "search", "۰۹۱۲ ۱۲۳ ۴۵۶۷"]);
    assert!(found.to_string().contains(&code), "{found}");
    let shown = env.json(Some("ali"), &["case", "show", &code]);
    assert_eq!(shown["status"], "resolved", "{shown}");
    let (role, password) = session_login(&env, "ali");
    assert!(
        role.contains("_s_"),
        "the session signs in as a role of its own: {role}"
    );

    let mut ali = connect(&env, &role, &password).unwrap();
    // The store's one case.
    let id: i64 = ali.query_one("SELECT id FROM cases", &[]).unwrap().get(0);
    // The server's clock, as the server checks entries against it.
    let now = "extract(epoch FROM now())::BIGINT";
    let entry = |actor: &str, at: &str| {
        format!(
            "INSERT INTO timeline (case_id, seq, at, actor, shift_date, shift_name, action, data, hash, chain_seq, chain)
             VALUES ({id}, 99, {at}, '{actor}', '2026-01-01', 'morning', 'note', '{{}}', 'x', 999999, 'x')"
        )
    };
    let forged_verifier = "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5";
    for (sql, says) in [
        (
            "UPDATE operators SET role = 'admin' WHERE name = 'ali'".to_owned(),
            "only an administrator",
        ),
        (
            "UPDATE operators SET password_hash = 'forged' WHERE name = 'admin'".to_owned(),
            "only an administrator",
        ),
        (
            "INSERT INTO operators (name, display_name, role, password_hash, created_at) VALUES ('eve', 'eve', 'admin', 'x', 0)".to_owned(),
            "only an administrator",
        ),
        (
            format!("UPDATE cases SET citizen_name = 'forged' WHERE id = {id}"),
            "changes only together with its timeline entry",
        ),
        (
            format!("UPDATE cases SET version = version + 1, citizen_name = 'forged' WHERE id = {id}"),
            "changes only together with its timeline entry",
        ),
        (entry("sam", now), "written by its own operator"),
        (entry("ali", &format!("{now} - 86400")), "at the present time"),
        ("UPDATE counters SET value = 0".to_owned(), "counters only grow"),
        (
            "INSERT INTO sessions (token_hash, operator, kind, created_at, created_by) VALUES ('ab', 'admin', 'shift', 0, 'admin')".to_owned(),
            "permission denied",
        ),
        (
            "UPDATE sessions SET expires_at = NULL".to_owned(),
            "permission denied",
        ),
        (
            format!("INSERT INTO citydesk_logins (role, operator) VALUES ('{role}', 'admin')"),
            "permission denied",
        ),
        (
            format!("SELECT citydesk_set_login('admin', '{forged_verifier}')"),
            "only an administrator",
        ),
        (
            "INSERT INTO departments (code, name_fa, name_en) VALUES ('d99', 'x', 'x')".to_owned(),
            "only with an import",
        ),
        ("DELETE FROM cases".to_owned(), "permission denied"),
        ("DELETE FROM timeline".to_owned(), "permission denied"),
        (
            "UPDATE services SET deadline_hours = 1".to_owned(),
            "permission denied",
        ),
        (
            "INSERT INTO drafts (operator, saved_at, body) VALUES ('sam', 0, 'x')".to_owned(),
            "own operator",
        ),
    ] {
        let said = refused(&mut ali, &sql);
        assert!(said.contains(says), "{sql}: {said}");
    }
    // A temporary table of the operator's does not stand in for the store's.
    ali.batch_execute(
        "CREATE TEMP TABLE operators (name TEXT, role TEXT, active INTEGER);
         INSERT INTO pg_temp.operators VALUES ('ali', 'admin', 1)",
    )
    .ok();
    let said = refused(
        &mut ali,
        "UPDATE public.operators SET role = 'admin' WHERE name = 'ali'",
    );
    assert!(said.contains("only an administrator"), "{said}");

    // Nothing changed: the case is as citydesk left it; the history verifies.
    let shown = env.json(Some("admin"), &["case", "show", &code]);
    assert_ne!(shown["citizen_name"], "forged", "{shown}");
    assert_eq!(shown["version"], 4, "{shown}");
    let ops = env.json(Some("admin"), &["operator", "list"]);
    let ali_op = ops
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "ali")
        .unwrap();
    assert_eq!(ali_op["role"], "operator");
    env.ok(Some("admin"), &["verify"]);
}

#[test]
fn the_server_checks_passwords_and_ended_sessions_cannot_connect() {
    let Some(env) = env() else {
        return;
    };
    let wrong = login(&env, "ali", "not the password");
    assert_eq!(wrong.status.code(), Some(1));
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(said.contains("wrong operator name or password"), "{said}");

    // Signed out: the session's role cannot connect again.
    assert!(login(&env, "ali", PASSWORD).status.success());
    let (role, password) = session_login(&env, "ali");
    connect(&env, &role, &password).unwrap();
    assert!(
        env.bare("ali")
            .arg("logout")
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(connect(&env, &role, &password).is_err(), "logged out");

    // Ended by an administrator: refused too, and so are ali's commands.
    assert!(login(&env, "ali", PASSWORD).status.success());
    let (role, password) = session_login(&env, "ali");
    let mut open = connect(&env, &role, &password).unwrap();
    env.ok(Some("admin"), &["logout", "--operator", "ali"]);
    assert!(connect(&env, &role, &password).is_err(), "revoked");
    let out = env.bare("ali").args(["queue", "overdue"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    // A connection opened before is refused its writes.
    let said = refused(
        &mut open,
        "UPDATE operators SET last_seen = 1 WHERE name = 'ali'",
    );
    assert!(said.contains("has ended"), "{said}");

    // A session's role is valid until the session expires; past that the
    // server refuses it (its expiry brought forward, as time would).
    assert!(login(&env, "ali", PASSWORD).status.success());
    let (role, password) = session_login(&env, "ali");
    let mut su = owner(&env);
    let row = su
        .query_one(
            "SELECT extract(epoch FROM r.rolvaliduntil)::BIGINT, s.expires_at
             FROM pg_roles r JOIN citydesk_logins l ON l.role = r.rolname
             JOIN sessions s ON s.token_hash = l.session WHERE r.rolname = $1",
            &[&role],
        )
        .unwrap();
    let (valid_until, expires): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(valid_until, expires);
    su.batch_execute(&format!(
        "ALTER ROLE \"{role}\" VALID UNTIL '2001-01-01';
         UPDATE sessions SET expires_at = 978307200
         WHERE token_hash = (SELECT session FROM citydesk_logins WHERE role = '{role}')"
    ))
    .unwrap();
    assert!(connect(&env, &role, &password).is_err(), "expired");
    let out = env.bare("ali").args(["queue", "overdue"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(login(&env, "ali", PASSWORD).status.success());
    assert!(
        env.bare("ali")
            .args(["queue", "overdue"])
            .output()
            .unwrap()
            .status
            .success()
    );
}

#[test]
fn an_administrator_adds_and_disables_operators_on_their_own_connection() {
    let Some(env) = env() else {
        return;
    };
    env.add_operator(Some("admin"), "reza", "operator");
    assert!(login(&env, "reza", PASSWORD).status.success());
    let (role, password) = session_login(&env, "reza");
    assert!(
        env.bare("reza")
            .args(["queue", "unreferred"])
            .output()
            .unwrap()
            .status
            .success()
    );
    // Not an administrator: the server refuses what the program would too.
    let mut reza = connect(&env, &role, &password).unwrap();
    let said = refused(
        &mut reza,
        "UPDATE operators SET active = 0 WHERE name = 'ali'",
    );
    assert!(said.contains("only an administrator"), "{said}");

    env.ok(Some("admin"), &["operator", "disable", "reza"]);
    assert!(connect(&env, &role, &password).is_err(), "disabled");
    assert_eq!(login(&env, "reza", PASSWORD).status.code(), Some(1));
    let said = refused(
        &mut reza,
        "UPDATE operators SET last_seen = 1 WHERE name = 'reza'",
    );
    assert!(said.contains("disabled"), "{said}");

    // A service account's token registers cases, on a role of its own,
    // and its connection may write nothing else.
    env.add_operator(Some("admin"), "gateway", "service");
    let issued = env.json(Some("admin"), &["operator", "token", "gateway"]);
    let token = issued["token"].as_str().unwrap().to_owned();
    let out = env
        .bare("_gateway")
        .env("CITYDESK_TOKEN", &token)
        .args([
            "--json",
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
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (role, password) = token.split_once(':').unwrap();
    let mut gateway = connect(&env, role, password).unwrap();
    let said = refused(
        &mut gateway,
        "INSERT INTO timeline (case_id, seq, at, actor, shift_date, shift_name, action, data, hash, chain_seq, chain)
         SELECT id, 2, extract(epoch FROM now())::BIGINT, 'gateway', '2026-01-01', 'morning', 'refer', '{}', 'x', 999999, 'x'
         FROM cases ORDER BY id DESC LIMIT 1",
    );
    assert!(said.contains("service account"), "{said}");
    env.ok(Some("admin"), &["verify"]);
}

/// An import keeps the old system's times on the importer's own connection
/// (its cases' first entries are imports written in the same transaction),
/// in the importer's name; the history verifies.
#[test]
fn an_import_keeps_the_old_times_on_the_importers_connection() {
    let Some(env) = env() else {
        return;
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/real/records/boston_311_2015-03_to_2015-04.csv");
    let mut r = csv::Reader::from_path(&source).unwrap();
    let file = env.dir.path().join("boston.csv");
    let mut w = csv::Writer::from_path(&file).unwrap();
    w.write_record(r.headers().unwrap()).unwrap();
    for rec in r.records().take(20) {
        w.write_record(&rec.unwrap()).unwrap();
    }
    w.flush().unwrap();
    let out = env.ok(
        Some("ali"),
        &[
            "import",
            "csv",
            file.to_str().unwrap(),
            "--mapping",
            "boston",
        ],
    );
    assert!(out.starts_with("imported 20 of 20 rows of "), "{out}");
    let (role, password) = session_login(&env, "ali");
    let mut ali = connect(&env, &role, &password).unwrap();
    let row = ali
        .query_one(
            "SELECT count(*), max(at), min(actor), max(actor) FROM timeline WHERE action = 'import'",
            &[],
        )
        .unwrap();
    let (n, latest, first, last): (i64, i64, String, String) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(n, 20);
    assert!(latest < 1_430_000_000, "2015's times, kept: {latest}");
    assert_eq!((first.as_str(), last.as_str()), ("ali", "ali"));
    env.ok(Some("admin"), &["verify"]);
}

/// The owner's URL of this store (the superuser's, as `owner` connects).
fn owner_url(env: &Env) -> String {
    let url = common::pg::server().unwrap();
    let base = url.rsplit_once('/').unwrap().0;
    let db = env.store.rsplit_once('/').unwrap().1;
    format!("{base}/{db}")
}

/// Issue 10, reads: a staff connection (any signed-in operator's session,
/// an administrator's too) cannot read a secret-derived column: password
/// hashes, session and service-token hashes, Open311 client key hashes, the
/// sessions' hashes in citydesk_logins; while everything citydesk does on
/// the operators' URL still works.
#[test]
fn a_staff_connection_reads_no_secret() {
    let Some(env) = env() else {
        return;
    };
    // Every kind of secret is there: sessions, a service token, a client.
    env.add_operator(Some("admin"), "gateway", "service");
    let issued = env.json(Some("admin"), &["operator", "token", "gateway"]);
    assert!(issued["token"].as_str().is_some(), "{issued}");
    let client = env.json(
        Some("admin"),
        &["client", "add", "portal", "--channel", "web"],
    );
    assert!(client.to_string().contains("portal"), "{client}");
    let code = env.new_case(&[]);
    env.ok(Some("ali"), &["case", "show", &code]);

    for who in ["ali", "admin"] {
        let (role, password) = session_login(&env, who);
        let mut c = connect(&env, &role, &password).unwrap();
        for sql in [
            "SELECT password_hash FROM operators",
            "SELECT * FROM operators",
            "SELECT o FROM operators o",
            "SELECT name FROM operators WHERE password_hash LIKE '$argon2%'",
            "SELECT token_hash FROM sessions",
            "SELECT * FROM sessions",
            "SELECT operator FROM sessions ORDER BY token_hash",
            "SELECT key_hash FROM clients",
            "SELECT * FROM clients",
            "SELECT session FROM citydesk_logins",
            "SELECT * FROM citydesk_logins",
            "UPDATE sessions SET revoked_by = revoked_by WHERE token_hash LIKE 'a%'",
        ] {
            let said = refused(&mut c, sql);
            assert!(said.contains("permission denied"), "{who}: {sql}: {said}");
        }
        // What citydesk reads is granted.
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM operators WHERE active = 1 AND role <> ''",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(n, 6, "{who}");
        let n: i64 = c
            .query_one("SELECT count(*) FROM sessions WHERE operator = $1", &[&who])
            .unwrap()
            .get(0);
        assert!(n >= 1, "{who}");
        // A hash looked up by the functions gives no hash back.
        let rows = c
            .query("SELECT * FROM citydesk_session('no such hash')", &[])
            .unwrap();
        assert!(rows.is_empty());
    }

    // Normal work on the operators' URL, reads of operators, sessions and
    // clients included.
    let listed = env.json(Some("admin"), &["operator", "list"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(6), "{listed}");
    assert!(!listed.to_string().contains("argon2"), "{listed}");
    let clients = env.json(Some("admin"), &["client", "list"]);
    assert!(clients.to_string().contains("portal"), "{clients}");
    env.ok(Some("ali"), &["case", "refer", &code, "--department", "d3"]);
    let found = env.json(Some("ali"), &["case", "search", "۰۹۱۲ ۱۲۳ ۴۵۶۷"]);
    assert!(found.to_string().contains(&code), "{found}");
    env.ok(Some("ali"), &["queue", "overdue"]);
    // A new sign-in ends the session the file held (found by its hash).
    assert!(login(&env, "ali", PASSWORD).status.success());
    env.ok(Some("ali"), &["case", "show", &code]);
    env.ok(Some("admin"), &["logout", "--operator", "gateway"]);
    let out = env.bare("ali").arg("logout").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The owner still reads everything (backups, migrate).
    let mut su = owner(&env);
    let n: i64 = su
        .query_one(
            "SELECT count(*) FROM operators WHERE password_hash LIKE '$argon2%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 5);
}

/// Rows that say what the server enforces in `c`'s store: grants on tables
/// and columns, functions (text, settings, who may run them, whose rights
/// they run with) and triggers, the store's role prefix written as `P`.
fn access_catalog(c: &mut postgres::Client) -> Vec<String> {
    let prefix: String = c
        .query_one("SELECT citydesk_role_prefix()", &[])
        .unwrap()
        .get(0);
    let mut out = Vec::new();
    for (what, sql) in [
        (
            "table grant",
            "SELECT concat_ws(' ', grantee, table_name, privilege_type)
             FROM information_schema.role_table_grants WHERE table_schema = current_schema()",
        ),
        (
            "column grant",
            "SELECT concat_ws(' ', grantee, table_name, column_name, privilege_type)
             FROM information_schema.column_privileges WHERE table_schema = current_schema()",
        ),
        (
            "function",
            "SELECT concat_ws(' | ', p.oid::REGPROCEDURE::TEXT, p.prosecdef, p.provolatile,
                 p.proconfig::TEXT, p.proacl::TEXT, pg_get_function_result(p.oid), p.prosrc)
             FROM pg_proc p WHERE p.pronamespace = current_schema()::REGNAMESPACE",
        ),
        (
            "trigger",
            "SELECT concat_ws(' | ', pg_get_triggerdef(t.oid), t.tgenabled)
             FROM pg_trigger t JOIN pg_class k ON k.oid = t.tgrelid
             WHERE k.relnamespace = current_schema()::REGNAMESPACE AND NOT t.tgisinternal",
        ),
        (
            "staff member",
            "SELECT m.rolname FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid
             JOIN pg_roles m ON m.oid = a.member WHERE r.rolname = citydesk_staff()",
        ),
    ] {
        for row in c.query(sql, &[]).unwrap() {
            let text: String = row.get(0);
            out.push(format!("{what}: {}", text.replace(&prefix, "P")));
        }
    }
    out.sort();
    out
}

/// Issue 10, migrations: a store brought forward from before version 9
/// (the version-1 fixture, through 8, 9 and 10) ends with the same grants,
/// functions and triggers as a new store: the access steps are frozen in
/// src/store/migrations, and a change to schema.sql's access section that no
/// migration step makes shows here as a difference.
#[test]
fn a_migrated_store_is_guarded_as_a_new_one() {
    use citydesk::store::{self, Settings};
    let Some(server) = common::pg::server() else {
        return;
    };
    let old = common::pg::TempDb::new(&server);
    let mut c = postgres::Client::connect(&old.url, postgres::NoTls).unwrap();
    c.batch_execute(&store::schema_text_for(
        include_str!("fixtures/store-v1/schema.sql"),
        "postgres",
    ))
    .unwrap();
    c.batch_execute(include_str!("fixtures/store-v1/data.sql"))
        .unwrap();
    drop(store::open(&old.url, &Settings::default()).unwrap());

    let new = common::pg::TempDb::new(&server);
    let catalog = citydesk::domain::catalog::Catalog::builtin();
    let now = chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap();
    drop(store::init(&new.url, &Settings::default(), &catalog, now).unwrap());
    let mut n = postgres::Client::connect(&new.url, postgres::NoTls).unwrap();
    // The same operators, so that their roles are the staff's members alike.
    n.batch_execute(
        "INSERT INTO operators (name, display_name, role, password_hash, active, created_at)
         SELECT * FROM (VALUES ('admin', 'a', 'admin', '!', 1, 0), ('ali', 'a', 'operator', '!', 1, 0),
             ('sara', 's', 'follow-up', '!', 1, 0)) AS v",
    )
    .unwrap();
    let (migrated, fresh) = (access_catalog(&mut c), access_catalog(&mut n));
    assert!(
        fresh.iter().any(|r| r.contains("citydesk_session(text)")),
        "{fresh:#?}"
    );
    let only_migrated: Vec<_> = migrated.iter().filter(|r| !fresh.contains(r)).collect();
    let only_fresh: Vec<_> = fresh.iter().filter(|r| !migrated.contains(r)).collect();
    assert!(
        only_migrated.is_empty() && only_fresh.is_empty(),
        "only in the migrated store: {only_migrated:#?}\nonly in a new store: {only_fresh:#?}"
    );
}

/// Issue 10, passwords: an operator whose role has no server password (one
/// brought from a store before version 9, or restored from a backup) cannot
/// sign in on the operators' URL until an administrator sets it with
/// `citydesk operator password`: on the owner's URL, or on the
/// administrator's own session.
#[test]
fn an_administrator_gives_a_migrated_operator_a_server_password() {
    let Some(env) = env() else {
        return;
    };
    let mut su = owner(&env);
    for name in ["ali", "sara"] {
        su.batch_execute(&format!(
            "DO $$ BEGIN EXECUTE format('ALTER ROLE %I PASSWORD NULL', citydesk_operator_role('{name}')); END $$"
        ))
        .unwrap();
        assert_eq!(login(&env, name, PASSWORD).status.code(), Some(1), "{name}");
    }
    let new = "a brand new password";
    // On the owner's URL (citydesk checks the administrator's password).
    let mut cmd = env.bare("admin-owner");
    cmd.env("CITYDESK_STORE", owner_url(&env)).args([
        "--as",
        "admin",
        "--password-stdin",
        "operator",
        "password",
        "ali",
    ]);
    let out = common::output_with_input(cmd, &format!("{PASSWORD}\n{new}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = login(&env, "ali", new);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    env.ok(Some("ali"), &["queue", "overdue"]);

    // On the administrator's own session (the operators' URL).
    let out = env.run_with_input(
        Some("admin"),
        &["--password-stdin", "operator", "password", "sara"],
        &format!("{new}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(login(&env, "sara", new).status.success());
    // citydesk's own hash is the new password's too (the owner's URL checks it).
    let mut cmd = env.bare("sara-owner");
    cmd.env("CITYDESK_STORE", owner_url(&env))
        .args(["login", "--as", "sara", "--password-stdin"]);
    let out = common::output_with_input(cmd, &format!("{new}\n"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // An operator who is not an administrator: refused by the program, and
    // by the server on their own connection.
    let out = env.run_with_input(
        Some("ali"),
        &["--password-stdin", "operator", "password", "sam"],
        &format!("{new}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let (role, password) = session_login(&env, "ali");
    let mut ali = connect(&env, &role, &password).unwrap();
    let said = refused(
        &mut ali,
        "UPDATE operators SET password_hash = 'forged' WHERE name = 'sam'",
    );
    assert!(said.contains("only an administrator"), "{said}");
    let said = refused(
        &mut ali,
        "SELECT citydesk_set_login('sam', 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5')",
    );
    assert!(said.contains("only an administrator"), "{said}");
}

/// The console on the operators' URL, its connection a session's (from
/// `citydesk login`): its sign-in screen has the server check the password
/// (a staff connection cannot read the hashes), and the right one opens it.
#[test]
fn the_console_signs_in_on_the_operators_url() {
    let Some(env) = env() else {
        return;
    };
    assert!(login(&env, "ali", PASSWORD).status.success());
    let Some(t) = common::tmux::Tmux::console_with_state(&env, "pg-console", "ali") else {
        return;
    };
    t.sign_in("Sign in", "Welcome");
    t.stop();
}

/// Nobody signed in on this machine: a command that opens the store (here
/// `serve`) says so, and where a new store's first account is added.
#[test]
fn nobody_signed_in_is_told_how_to_begin() {
    let Some(env) = env() else {
        return;
    };
    let out = env.bare("nobody").arg("serve").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("nobody is signed in to"), "{said}");
    assert!(
        said.contains("citydesk --store OWNER-URL operator add"),
        "{said}"
    );
}
