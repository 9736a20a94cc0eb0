//! A TCP proxy between citydesk and the test PostgreSQL that can fail on
//! command: stop forwarding (a stalled server: connections stay open and
//! nothing comes back), drop a connection at the COMMIT of a registration
//! (before or after passing it on), and refuse new connections.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Forward,
    /// Nothing passes either way; new connections are accepted and hear nothing.
    Stall,
    /// On a connection that sent `INSERT INTO cases`, its next COMMIT is
    /// passed on to the server (`forward`) or not, and then both sides are
    /// closed; the proxy then turns to `then`.
    DropAtCommit {
        forward: bool,
        then: After,
    },
    /// New connections are closed at once.
    Refuse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Forward,
    Refuse,
}

pub struct Proxy {
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    /// How many COMMITs were dropped.
    dropped: Arc<Mutex<u32>>,
}

impl Proxy {
    /// A proxy to `127.0.0.1:upstream`.
    pub fn to(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(Mode::Forward));
        let dropped = Arc::new(Mutex::new(0));
        let (m, d) = (mode.clone(), dropped.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if *m.lock().unwrap() == Mode::Refuse {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let (m1, m2, d1) = (m.clone(), m.clone(), d.clone());
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                // Set when this connection is being cut: the server's
                // answers are no longer passed on.
                let cut = Arc::new(AtomicBool::new(false));
                let cut2 = cut.clone();
                std::thread::spawn(move || pump(client, server, &m1, Some(&d1), &cut));
                std::thread::spawn(move || pump(s2, c2, &m2, None, &cut2));
            }
        });
        Proxy {
            port,
            mode,
            dropped,
        }
    }

    /// `url` (a test server's, `…@127.0.0.1:PORT/…`) through this proxy.
    pub fn url(&self, url: &str) -> String {
        let (head, rest) = url.split_once("@127.0.0.1:").expect("a 127.0.0.1 URL");
        let (_, tail) = rest.split_once('/').expect("a database in the URL");
        format!("{head}@127.0.0.1:{}/{tail}", self.port)
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn dropped(&self) -> u32 {
        *self.dropped.lock().unwrap()
    }
}

/// The port of a test server's URL.
pub fn port_of(url: &str) -> u16 {
    let rest = url.split_once("@127.0.0.1:").expect("a 127.0.0.1 URL").1;
    rest.split('/').next().unwrap().parse().unwrap()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Copies `from` to `to` as the mode allows. `commits` is Some on the
/// client-to-server side, which watches for the COMMIT to drop.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    mode: &Mutex<Mode>,
    commits: Option<&Mutex<u32>>,
    cut: &AtomicBool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    // The last bytes seen, so a word split between two reads is found.
    let mut seen: Vec<u8> = Vec::new();
    let mut armed = false;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        while *mode.lock().unwrap() == Mode::Stall {
            std::thread::sleep(Duration::from_millis(20));
        }
        if let Some(count) = commits {
            seen.extend_from_slice(chunk);
            armed |= contains(&seen, b"INSERT INTO cases");
            let now = *mode.lock().unwrap();
            if let Mode::DropAtCommit { forward, then } = now
                && armed
                && contains(chunk, b"COMMIT\0")
            {
                cut.store(true, Ordering::SeqCst);
                *count.lock().unwrap() += 1;
                *mode.lock().unwrap() = match then {
                    After::Forward => Mode::Forward,
                    After::Refuse => Mode::Refuse,
                };
                if forward {
                    let _ = to.write_all(chunk);
                    let _ = to.flush();
                    // Let the server read it before it sees the end.
                    std::thread::sleep(Duration::from_millis(200));
                }
                let _ = from.shutdown(Shutdown::Both);
                let _ = to.shutdown(Shutdown::Both);
                return;
            }
            let keep = seen.len().saturating_sub(64);
            seen.drain(..keep);
        }
        if cut.load(Ordering::SeqCst) || to.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}
