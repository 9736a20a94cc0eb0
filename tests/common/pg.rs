//! PostgreSQL for tests: one server per test process, and a fresh database
//! per test on it. Every PostgreSQL test asks `server()`, which finds, in this
//! order: the server CITYDESK_TEST_PG names (CI; a URL whose user may create
//! databases); else a throwaway cluster this process starts itself from the
//! newest `/usr/lib/postgresql/*/bin` (or the directory CITYDESK_TEST_PG_BIN
//! names), stopped and removed by a watchdog once the process is gone; else
//! none, and `missing` says so (under CI, the test fails).

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use super::missing;

/// A server the tests may create databases on.
struct Server {
    url: String,
    /// Shell commands that stop and start the server (for the outage test).
    stop_start: Option<(String, String)>,
}

/// The URL of the test server; None when there is none (`missing` has said
/// so, or failed the test under CI). Panics when server binaries are there
/// but the cluster does not start.
pub fn server() -> Option<String> {
    found().map(|s| s.url.clone())
}

/// Shell commands that stop and start the test server; None when there are
/// none (`missing` has said so).
pub fn stop_start() -> Option<(String, String)> {
    let server = found()?;
    if server.stop_start.is_none() {
        missing::prerequisite(
            "the PostgreSQL outage tests",
            "CITYDESK_TEST_PG names a server, but CITYDESK_TEST_PG_STOP and \
             CITYDESK_TEST_PG_START (shell commands that stop and start it) are not set",
            "set both, or unset CITYDESK_TEST_PG and let `cargo test` start a PostgreSQL of its own",
        );
    }
    server.stop_start.clone()
}

/// What `server()` found, once per test process.
enum Lookup {
    Ready(Server),
    /// Where it looked for server binaries.
    NoBinaries(String),
    /// Why the throwaway cluster did not start.
    DidNotStart(String),
}

fn found() -> Option<&'static Server> {
    static LOOKUP: OnceLock<Lookup> = OnceLock::new();
    match LOOKUP.get_or_init(lookup) {
        Lookup::Ready(server) => Some(server),
        Lookup::DidNotStart(why) => panic!(
            "the throwaway PostgreSQL for the tests did not start: {why}\n\
             Fix that, or set CITYDESK_TEST_PG=postgres://USER@HOST:PORT/DB to use another server."
        ),
        Lookup::NoBinaries(looked) => {
            missing::prerequisite(
                "the PostgreSQL tests",
                looked,
                "install the PostgreSQL server (apt-get install postgresql), and `cargo test` \
                 starts a throwaway one itself; or set CITYDESK_TEST_PG=postgres://USER@HOST:PORT/DB",
            );
            None
        }
    }
}

fn lookup() -> Lookup {
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    if let Some(url) = var("CITYDESK_TEST_PG") {
        let stop_start = var("CITYDESK_TEST_PG_STOP").zip(var("CITYDESK_TEST_PG_START"));
        return Lookup::Ready(Server { url, stop_start });
    }
    match server_binaries() {
        Err(looked) => Lookup::NoBinaries(looked),
        Ok(bin) => throwaway_cluster(&bin, None).map_or_else(Lookup::DidNotStart, Lookup::Ready),
    }
}

/// The directory with `initdb` and `pg_ctl`: CITYDESK_TEST_PG_BIN, else the
/// newest `/usr/lib/postgresql/VERSION/bin`. Err says where it looked.
fn server_binaries() -> Result<PathBuf, String> {
    let usable = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("CITYDESK_TEST_PG_BIN") {
        let dir = PathBuf::from(dir);
        return if usable(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "no initdb and pg_ctl in {} (named by CITYDESK_TEST_PG_BIN)",
                dir.display()
            ))
        };
    }
    let version =
        |name: &str| -> Option<Vec<u32>> { name.split('.').map(|n| n.parse().ok()).collect() };
    std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let bin = entry.path().join("bin");
            let v = version(entry.file_name().to_str()?)?;
            usable(&bin).then_some((v, bin))
        })
        .max()
        .map(|(_, bin)| bin)
        .ok_or_else(|| {
            "PostgreSQL server binaries not found (no initdb and pg_ctl in \
             /usr/lib/postgresql/*/bin)"
                .to_owned()
        })
}

/// A throwaway cluster of its own (not the shared one: its clients would
/// all have to trust its certificate) that speaks TLS with this certificate
/// and key (PEM); its URL. None when there are no server binaries
/// (`missing` has said so, or failed the test under CI).
pub fn tls_server(cert_pem: &str, key_pem: &str) -> Option<String> {
    match server_binaries() {
        Err(looked) => {
            missing::prerequisite(
                "the PostgreSQL TLS test",
                &looked,
                "install the PostgreSQL server (apt-get install postgresql): the test starts a cluster with ssl=on itself",
            );
            None
        }
        Ok(bin) => Some(
            throwaway_cluster(&bin, Some((cert_pem, key_pem)))
                .unwrap_or_else(|e| panic!("the throwaway PostgreSQL with TLS did not start: {e}"))
                .url,
        ),
    }
}

/// Starts a cluster in a fresh temp dir on a free loopback port, trusting
/// the superuser's connections (others give their passwords); with `tls`
/// (certificate and key, PEM), ssl=on. A watchdog (`sh`) waits while this process lives,
/// then stops the cluster and removes the dir: the test harness runs no
/// destructors at exit. As root, initdb and pg_ctl run as `postgres` (they
/// refuse root).
fn throwaway_cluster(bin: &Path, tls: Option<(&str, &str)>) -> Result<Server, String> {
    let root = tempfile::Builder::new()
        .prefix("citydesk-test-pg-")
        .tempdir()
        .map_err(|e| format!("could not make a temp dir: {e}"))?
        .keep();
    let dir = root.display().to_string();
    // The paths go into shell commands unquoted, so they must be plain.
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    };
    if !plain(&dir) || !plain(&bin.display().to_string()) {
        let _ = std::fs::remove_dir(&root);
        return Err(format!(
            "{dir} or {} has characters a shell command would need quoted: set TMPDIR to a plain path",
            bin.display()
        ));
    }
    let as_root = root.metadata().map_err(|e| format!("{dir}: {e}"))?.uid() == 0;
    let run_as = if as_root {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let pg_ctl = format!("{run_as}{}/pg_ctl -D {dir}/data", bin.display());

    let watchdog = format!(
        "trap '' INT HUP TERM; \
         while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; \
         {pg_ctl} -m immediate -w stop >/dev/null 2>&1; \
         rm -rf {dir}",
        pid = std::process::id()
    );
    // In a process group of its own, and deaf to INT, HUP and TERM: a Ctrl-C
    // or a kill of the tests' process group does not take it down with them.
    Command::new("sh")
        .args(["-c", &watchdog])
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start its watchdog (sh): {e}"))?;

    if as_root {
        sh(&format!("chown postgres: {dir}"), &root).map_err(|e| {
            format!("as root, initdb and pg_ctl run as the user postgres, who must own {dir}: {e}")
        })?;
    }
    sh(
        &format!(
            "{run_as}{}/initdb -D {dir}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync",
            bin.display()
        ),
        &root,
    )?;
    // The superuser `postgres` is trusted; every other role gives its
    // password (citydesk's operators sign in to the server as themselves,
    // and the tests show the server checking them).
    std::fs::write(
        root.join("data").join("pg_hba.conf"),
        "local all all trust\n\
         host all postgres 127.0.0.1/32 trust\n\
         host all all 127.0.0.1/32 scram-sha-256\n",
    )
    .map_err(|e| format!("could not write pg_hba.conf: {e}"))?;
    let mut ssl = "";
    if let Some((cert, key)) = tls {
        let data = root.join("data");
        std::fs::write(data.join("server.crt"), cert).map_err(|e| format!("server.crt: {e}"))?;
        std::fs::write(data.join("server.key"), key).map_err(|e| format!("server.key: {e}"))?;
        sh(
            &format!(
                "chmod 600 {dir}/data/server.key{}",
                if as_root {
                    format!(" && chown postgres: {dir}/data/server.crt {dir}/data/server.key")
                } else {
                    String::new()
                }
            ),
            &root,
        )?;
        ssl = " -c ssl=on";
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free loopback port: {e}"))?
        .port();
    let start = format!(
        "{pg_ctl} -l {dir}/pg.log -w -t 30 \
         -o '-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off{ssl}' start"
    );
    let stop = format!("{pg_ctl} -m fast -w stop");
    sh(&start, &root).map_err(|e| {
        let log = std::fs::read_to_string(root.join("pg.log")).unwrap_or_default();
        format!("{e}\nits log:\n{log}")
    })?;
    Ok(Server {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        stop_start: Some((stop, start)),
    })
}

/// Runs a shell command in `dir`; Err holds what it said.
fn sh(cmd: &str, dir: &Path) -> Result<(), String> {
    let out = Command::new("sh")
        .args(["-c", cmd])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

/// A database that exists for one test and is dropped after it.
pub struct TempDb {
    admin: String,
    name: String,
    pub url: String,
}

impl TempDb {
    pub fn new(server: &str) -> TempDb {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "citydesk_t{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = postgres::Client::connect(server, postgres::NoTls)
            .unwrap_or_else(|e| panic!("the test PostgreSQL server {server} is unreachable: {e}"));
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
        TempDb {
            admin: server.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
