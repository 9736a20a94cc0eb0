//! Load on `citydesk serve`: N concurrent clients (100 by default), each
//! posting a request and reading it back, over and over for a time (60 s),
//! while another thread asks the store for the queue counts once a second
//! the way a console does. Then every id the server acknowledged is looked
//! up in the store: none may be lost. Prints requests per second, latency
//! percentiles and the counts' latency. Not part of `cargo test`.
//!
//! Run (SQLite in a temp folder):
//!   cargo bench --bench open311_load
//! PostgreSQL (an empty database the user may create tables in):
//!   OPEN311_LOAD_STORE=postgres://postgres@127.0.0.1:55432/load cargo bench --bench open311_load
//! Other knobs: OPEN311_LOAD_CLIENTS (100), OPEN311_LOAD_SECONDS (60),
//! OPEN311_LOAD_CONNECTIONS (the server's store connections, 4).
//! Results: BENCHMARKS.md.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use citydesk::domain::tracking::TrackingCode;
use citydesk::store::{self, Settings};

const BIN: &str = env!("CARGO_BIN_EXE_citydesk");

fn var(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn citydesk(store: &str, config: &str, args: &[&str], input: &str) -> String {
    let mut child = Command::new(BIN)
        .env("CITYDESK_STORE", store)
        .env("CITYDESK_CONFIG", config)
        .args(args)
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
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "citydesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A keep-alive HTTP/1.1 connection.
struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Conn {
    fn new(addr: &str) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        Conn {
            w: s.try_clone().unwrap(),
            r: BufReader::new(s),
        }
    }

    fn request(&mut self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: load\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.w.write_all(head.as_bytes())?;
        self.w.write_all(body.as_bytes())?;
        let mut status = 0u16;
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            if self.r.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("closed"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if status == 0 {
                status = l
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
            } else if let Some((k, v)) = l.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut buf = vec![0; length];
        self.r.read_exact(&mut buf)?;
        Ok((status, String::from_utf8_lossy(&buf).into_owned()))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[derive(Default)]
struct Tally {
    posts: Vec<Duration>,
    gets: Vec<Duration>,
    ids: Vec<String>,
    errors: Vec<String>,
}

fn main() {
    let clients = var("OPEN311_LOAD_CLIENTS", 100) as usize;
    let seconds = var("OPEN311_LOAD_SECONDS", 60);
    let connections = var("OPEN311_LOAD_CONNECTIONS", 4);
    let dir = tempfile::tempdir().unwrap();
    let store = std::env::var("OPEN311_LOAD_STORE")
        .unwrap_or_else(|_| dir.path().join("load.db").display().to_string());
    let config = dir.path().join("config.toml").display().to_string();
    std::fs::write(
        &config,
        format!(
            "[open311]\nconnections = {connections}\nlog = \"{}\"\n",
            dir.path().join("open311.log").display()
        ),
    )
    .unwrap();
    citydesk(&store, &config, &["init"], "");
    citydesk(
        &store,
        &config,
        &[
            "operator",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "a long admin password\n",
    );
    let added = citydesk(
        &store,
        &config,
        &[
            "--as",
            "admin",
            "--password-stdin",
            "--json",
            "client",
            "add",
            "load",
            "--channel",
            "app",
            "--rate",
            "100000",
        ],
        "a long admin password\n",
    );
    let key = serde_json::from_str::<serde_json::Value>(&added).unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut server = Command::new(BIN)
        .env("CITYDESK_STORE", &store)
        .env("CITYDESK_CONFIG", &config)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("citydesk serve: Open311 GeoReport v2 on http://")
        .trim_end_matches('/')
        .to_owned();
    let engine = if store.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    eprintln!(
        "{engine}: {clients} clients for {seconds} s against http://{addr}/ ({connections} store connections)"
    );

    let until = Instant::now() + Duration::from_secs(seconds);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let counts: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let watcher = {
        let counts = Arc::clone(&counts);
        let store = store.clone();
        std::thread::spawn(move || {
            let mut s = store::open(&store, &Settings::default()).unwrap();
            while Instant::now() < until {
                let t = Instant::now();
                s.queue_counts(
                    "",
                    chrono::Duration::hours(4),
                    chrono::DateTime::UNIX_EPOCH + chrono::Duration::seconds(1_800_000_000),
                )
                .unwrap();
                counts.lock().unwrap().push(t.elapsed());
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|c| {
            let tally = Arc::clone(&tally);
            let addr = addr.clone();
            let key = key.clone();
            std::thread::spawn(move || {
                let mut local = Tally::default();
                let mut conn = Conn::new(&addr);
                let mut n = 0u64;
                while Instant::now() < until {
                    n += 1;
                    let body = format!(
                        "api_key={key}&service_code=pothole&attribute%5Bsize%5D=medium&address_string=Golestan+{c}&description=load+test+client+{c}+request+{n}&request_id=load-{c}-{n}"
                    );
                    let t = Instant::now();
                    match conn.request("POST", "/requests.json", &body) {
                        Ok((200, text)) => {
                            local.posts.push(t.elapsed());
                            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                            let id = v[0]["service_request_id"].as_str().unwrap().to_owned();
                            let t = Instant::now();
                            match conn.request("GET", &format!("/requests/{id}.json"), "") {
                                Ok((200, _)) => local.gets.push(t.elapsed()),
                                Ok((s, text)) => local.errors.push(format!("GET {s}: {text}")),
                                Err(e) => {
                                    local.errors.push(format!("GET: {e}"));
                                    conn = Conn::new(&addr);
                                }
                            }
                            local.ids.push(id);
                        }
                        Ok((s, text)) => local.errors.push(format!("POST {s}: {text}")),
                        Err(e) => {
                            local.errors.push(format!("POST: {e}"));
                            conn = Conn::new(&addr);
                        }
                    }
                }
                let mut t = tally.lock().unwrap();
                t.posts.extend(local.posts);
                t.gets.extend(local.gets);
                t.ids.extend(local.ids);
                t.errors.extend(local.errors);
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    watcher.join().unwrap();
    let _ = server.kill();
    let _ = server.wait();

    let mut t = std::mem::take(&mut *tally.lock().unwrap());
    t.posts.sort();
    t.gets.sort();
    let mut c = counts.lock().unwrap().clone();
    c.sort();
    // Every acknowledged id is in the store.
    let mut s = store::open(&store, &Settings::default()).unwrap();
    let lost: Vec<&String> = t
        .ids
        .iter()
        .filter(|id| s.case(TrackingCode::parse(id).unwrap()).is_err())
        .collect();
    let total = t.posts.len() + t.gets.len();
    println!(
        "engine: {engine}; clients: {clients}; seconds: {elapsed:.1}; store connections: {connections}"
    );
    println!(
        "requests: {total} ({:.0}/s): POST {} ({:.0}/s), GET {} ({:.0}/s); errors {}",
        total as f64 / elapsed,
        t.posts.len(),
        t.posts.len() as f64 / elapsed,
        t.gets.len(),
        t.gets.len() as f64 / elapsed,
        t.errors.len()
    );
    for (name, v) in [("POST", &t.posts), ("GET", &t.gets)] {
        println!(
            "{name} latency: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.9)),
            ms(percentile(v, 0.99)),
            ms(percentile(v, 1.0))
        );
    }
    println!(
        "queue counts during the load ({} asks): p50 {:.1} ms, max {:.1} ms",
        c.len(),
        ms(percentile(&c, 0.5)),
        ms(percentile(&c, 1.0))
    );
    println!("acknowledged ids: {}; lost: {}", t.ids.len(), lost.len());
    for e in t.errors.iter().take(5) {
        println!("  error: {e}");
    }
    assert!(lost.is_empty(), "acknowledged but not stored: {lost:?}");
}
