//! Helpers for tests that run the real `citydesk` binary against a temporary store.
#![allow(dead_code)] // each test binary uses its own share of these helpers

pub mod console;
pub mod missing;
pub mod pg;
pub mod proxy;
pub mod serve;
pub mod tmux;

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `cmd` with `input` on its standard input, and collects its output.
pub fn output_with_input(mut cmd: Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub struct Env {
    pub dir: tempfile::TempDir,
    /// A SQLite path or a PostgreSQL URL.
    pub store: String,
    _db: Option<pg::TempDb>,
    /// Who has signed in (`citydesk login`) to this store, each with a
    /// state folder of their own (XDG_STATE_HOME) holding the session file.
    signed_in: std::sync::Mutex<std::collections::HashSet<String>>,
}

pub const PASSWORD: &str = "correct horse battery";

impl Env {
    /// An empty folder; no store yet.
    pub fn empty() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("citydesk.db").display().to_string();
        Env {
            dir,
            store,
            _db: None,
            signed_in: std::sync::Mutex::default(),
        }
    }

    /// An empty PostgreSQL database, if there is a test server (see `pg::server`).
    pub fn empty_pg() -> Option<Env> {
        let db = pg::TempDb::new(&pg::server()?);
        Some(Env {
            dir: tempfile::tempdir().unwrap(),
            store: db.url.clone(),
            _db: Some(db),
            signed_in: std::sync::Mutex::default(),
        })
    }

    /// A store with an administrator `admin`, operator `ali`, follow-up officer
    /// `sara` and supervisor `sam`.
    pub fn new() -> Env {
        Env::empty().with_people()
    }

    /// `new`, on a fresh PostgreSQL database (None without a test server).
    pub fn new_pg() -> Option<Env> {
        Some(Env::empty_pg()?.with_people())
    }

    /// This PostgreSQL store as its operators reach it: its URL without the
    /// owner's name (and password), so that every command signs in to the
    /// server as the operator; nobody is signed in yet.
    pub fn reached_by_operators(mut self) -> Env {
        if let (Some(s), Some(at)) = (self.store.find("://"), self.store.rfind('@')) {
            self.store = format!("{}{}", &self.store[..s + 3], &self.store[at + 1..]);
        }
        self.signed_in = std::sync::Mutex::default();
        self
    }

    fn with_people(self) -> Env {
        let env = self;
        env.ok(None, &["init"]);
        env.add_operator(None, "admin", "admin");
        env.add_operator(Some("admin"), "ali", "operator");
        env.add_operator(Some("admin"), "sara", "follow-up");
        env.add_operator(Some("admin"), "sam", "supervisor");
        env
    }

    /// The state folder (XDG_STATE_HOME) of `actor`'s commands, where
    /// `citydesk login` leaves the session file.
    pub fn state_dir(&self, actor: &str) -> std::path::PathBuf {
        self.dir.path().join("state").join(actor)
    }

    /// The binary on this store with nobody signed in.
    pub fn bare(&self, state: &str) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_citydesk"));
        c.env("CITYDESK_STORE", &self.store)
            .env("CITYDESK_CONFIG", self.dir.path().join("config.toml"))
            .env("XDG_STATE_HOME", self.state_dir(state))
            .env_remove("CITYDESK_OPERATOR")
            .env_remove("CITYDESK_TOKEN")
            // English whatever the machine's locale; Persian tests ask for it.
            .env("CITYDESK_LANG", "en")
            .stdin(Stdio::null());
        c
    }

    /// The binary acting as `actor` through the session file `citydesk
    /// login` left (signed in once per Env, if they can be); None: nobody
    /// signed in.
    pub fn cmd(&self, actor: Option<&str>) -> Command {
        let Some(a) = actor else {
            return self.bare("_nobody");
        };
        self.sign_in(a);
        self.bare(a)
    }

    /// Signs `actor` in with `PASSWORD`, unless they are already; a refused
    /// sign-in (no such operator, disabled) is tried again next time.
    pub fn sign_in(&self, actor: &str) {
        let mut signed = self.signed_in.lock().unwrap();
        if signed.contains(actor) {
            return;
        }
        let mut login = self.bare(actor);
        login.args(["login", "--as", actor, "--password-stdin"]);
        if output_with_input(login, &format!("{PASSWORD}\n"))
            .status
            .success()
        {
            signed.insert(actor.to_owned());
        }
    }

    pub fn run_with_input(&self, actor: Option<&str>, args: &[&str], input: &str) -> Output {
        let mut cmd = self.cmd(actor);
        cmd.args(args);
        output_with_input(cmd, input)
    }

    pub fn run(&self, actor: Option<&str>, args: &[&str]) -> Output {
        self.cmd(actor).args(args).output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, actor: Option<&str>, args: &[&str]) -> String {
        let out = self.run(actor, args);
        assert!(
            out.status.success(),
            "citydesk {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects exit code 1 (refused); returns stderr.
    pub fn refused(&self, actor: Option<&str>, args: &[&str]) -> String {
        let out = self.run(actor, args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "citydesk {args:?} should be refused; stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub fn json(&self, actor: Option<&str>, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(actor, &all)).unwrap()
    }

    pub fn add_operator(&self, by: Option<&str>, name: &str, role: &str) {
        let out = self.run_with_input(
            by,
            &["operator", "add", name, "--role", role, "--password-stdin"],
            &format!("{PASSWORD}\n"),
        );
        assert!(
            out.status.success(),
            "adding {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Tries to add an operator and expects a refusal (exit code 1); returns
    /// what citydesk said.
    pub fn add_operator_refused(
        &self,
        by: Option<&str>,
        name: &str,
        role: &str,
        password: &str,
    ) -> String {
        let out = self.run_with_input(
            by,
            &["operator", "add", name, "--role", role, "--password-stdin"],
            password,
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "adding {name} should be refused"
        );
        String::from_utf8(out.stderr).unwrap()
    }

    /// Registers a pothole case as `ali`; returns its tracking code.
    pub fn new_case(&self, extra: &[&str]) -> String {
        let mut args = pothole_call("09121234567");
        args.extend_from_slice(extra);
        let v = self.json(Some("ali"), &args);
        v["code"].as_str().unwrap().to_owned()
    }

    pub fn case(&self, code: &str) -> serde_json::Value {
        self.json(Some("admin"), &["case", "show", code])
    }

    pub fn status(&self, code: &str) -> String {
        self.case(code)["status"].as_str().unwrap().to_owned()
    }

    /// How many cases the store holds, read through the library.
    pub fn case_count(&self) -> u64 {
        citydesk::store::open(&self.store, &citydesk::store::Settings::default())
            .unwrap()
            .case_count()
            .unwrap()
    }
}

/// Creates the store at `location` with an administrator `admin` (display
/// name `admin_name`, password hash `admin_hash`) who then adds `others`
/// (their display name is their login; their password hash "!" matches no password).
pub fn seeded_store(
    location: &str,
    now: chrono::DateTime<chrono::Utc>,
    admin_name: &str,
    admin_hash: &str,
    others: &[(&str, citydesk::domain::roles::Role)],
) -> Box<dyn citydesk::store::Store> {
    use citydesk::domain::roles::{Actor, Role};
    use citydesk::store::{self, NewOperator, Settings};
    let catalog = citydesk::domain::catalog::Catalog::builtin();
    let (mut s, _) = store::init(location, &Settings::default(), &catalog, now).unwrap();
    let admin = NewOperator {
        name: "admin".into(),
        display_name: admin_name.into(),
        role: Role::Administrator,
        password_hash: admin_hash.into(),
    };
    s.add_operator(None, &admin, now).unwrap();
    let by = Actor {
        name: "admin".into(),
        role: Role::Administrator,
    };
    for (name, role) in others {
        let op = NewOperator {
            name: (*name).into(),
            display_name: (*name).into(),
            role: *role,
            password_hash: "!".into(),
        };
        s.add_operator(Some(&by), &op, now).unwrap();
    }
    s
}

/// The arguments of `case new` for a pothole call from `phone`.
pub fn pothole_call(phone: &str) -> Vec<&str> {
    vec![
        "case",
        "new",
        "--phone",
        phone,
        "--name",
        "مریم احمدی",
        "--service",
        "pothole",
        "--district",
        "3",
        "--address",
        "خیابان فردوسی، کوچه ۱۲",
        "--description",
        "چاله بزرگ جلوی پلاک ۱۲",
    ]
}
