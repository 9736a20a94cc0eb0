//! Driving the real console binary in tmux: one tmux server per console.
//! Without tmux, `Tmux::console` gives None and `missing` says so (under CI,
//! the test fails).

use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::{Env, missing};

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    /// Starts the console on `env`'s store, signed in as ali; None without
    /// tmux.
    pub fn console(env: &Env, name: &str) -> Option<Tmux> {
        let t = Tmux::console_in(env, name, "en")?;
        t.sign_in("Sign in", "Welcome");
        Some(t)
    }

    /// Starts the console in `lang` (not signed in yet); None without tmux.
    pub fn console_in(env: &Env, name: &str, lang: &str) -> Option<Tmux> {
        if !available() {
            return None;
        }
        let t = Tmux {
            socket: format!("citydesk-test-{}-{name}", std::process::id()),
        };
        t.launch(env, lang);
        Some(t)
    }

    /// Starts the console in English with the state folder of `state`
    /// (XDG_STATE_HOME: where `citydesk login` left its session), not
    /// signed in yet; None without tmux.
    pub fn console_with_state(env: &Env, name: &str, state: &str) -> Option<Tmux> {
        if !available() {
            return None;
        }
        let t = Tmux {
            socket: format!("citydesk-test-{}-{name}", std::process::id()),
        };
        t.session(&format!(
            "XDG_STATE_HOME='{}' {}",
            env.state_dir(state).display(),
            console_command(env, "en")
        ));
        Some(t)
    }

    pub fn start(&self, env: &Env) {
        self.launch(env, "en");
        self.sign_in("Sign in", "Welcome");
    }

    /// Waits for the sign-in screen (`title` as drawn), signs in as ali
    /// and waits for `welcome` as drawn.
    pub fn sign_in(&self, title: &str, welcome: &str) {
        self.wait_for(title, Duration::from_secs(10));
        self.text(super::PASSWORD);
        self.keys(&["Enter"]);
        self.wait_for(welcome, Duration::from_secs(10));
    }

    /// Starts the console in `lang` under `script`, which copies every byte
    /// the console writes to the terminal into `log`; None without tmux.
    pub fn console_logged(
        env: &Env,
        name: &str,
        lang: &str,
        log: &std::path::Path,
    ) -> Option<Tmux> {
        if !available() {
            return None;
        }
        let t = Tmux {
            socket: format!("citydesk-test-{}-{name}", std::process::id()),
        };
        let run = env.dir.path().join(format!("{name}.sh"));
        std::fs::write(&run, console_command(env, lang)).unwrap();
        t.session(&format!(
            "exec script -q -f -c 'sh {}' '{}'",
            run.display(),
            log.display()
        ));
        Some(t)
    }

    fn launch(&self, env: &Env, lang: &str) {
        self.session(&console_command(env, lang));
    }

    fn session(&self, cmd: &str) {
        let ok = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                cmd,
            ])
            .status()
            .expect("tmux is installed")
            .success();
        assert!(ok, "tmux started");
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["-L", &self.socket, "send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }

    /// Types text literally (no key names).
    pub fn text(&self, s: &str) {
        assert!(
            Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "0", "-l", s])
                .status()
                .unwrap()
                .success()
        );
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text`; returns how long it took.
    pub fn wait_for(&self, text: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "{text:?} did not appear within {limit:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen no longer shows `text`; returns how long it took.
    pub fn wait_gone(&self, text: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if !screen.contains(text) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "{text:?} still shown after {limit:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "list-panes", "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }

    pub fn stop(&self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

impl Tmux {
    /// Types a pothole call into the intake form (without saving it).
    pub fn type_call(&self, phone: &str) {
        self.keys(&["F2"]);
        self.wait_for("New call", Duration::from_secs(5));
        self.text(phone);
        self.keys(&["Tab"]);
        self.text("مریم احمدی");
        self.keys(&["Tab"]);
        self.text("pothole");
        self.wait_for("Services (1)", Duration::from_secs(5));
        self.keys(&["Enter"]);
        // The neighborhood tells the district; Enter goes on to the next
        // empty field, the address.
        self.text("کوی خضر");
        self.keys(&["Enter"]);
        self.text("خیابان فردوسی، کوچه ۱۲");
        self.keys(&["Tab"]);
        self.text("چاله بزرگ جلوی پلاک ۱۲");
    }
}

/// The shell command that runs the console on `env`'s store in `lang`.
fn console_command(env: &Env, lang: &str) -> String {
    format!(
        "CITYDESK_LANG={lang} CITYDESK_STORE='{}' CITYDESK_CONFIG='{}' exec '{}' --operator ali",
        env.store,
        env.dir.path().join("config.toml").display(),
        env!("CARGO_BIN_EXE_citydesk")
    )
}

/// Whether tmux runs here; when it does not, `missing` says so.
fn available() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    let found = *FOUND.get_or_init(|| {
        Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|out| out.status.success())
    });
    if !found {
        missing::prerequisite(
            "the console tests in tmux",
            "tmux was not found on PATH",
            "install it (apt-get install tmux)",
        );
    }
    found
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.stop();
    }
}
