//! Durability under kill -9: writer processes registering cases are killed
//! at random moments, round after round, on one SQLite store. Every case a
//! writer acknowledged (printed its tracking code: `case import` prints a
//! code after its transaction committed) must be in the store afterwards,
//! and the file must pass SQLite's integrity check. Fixed rounds and a fixed
//! seed: the same kills every run.

mod common;

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::process::Stdio;
use std::time::Duration;

use common::Env;

const WRITERS: usize = 4;
const ROUNDS: usize = 8;
const LINES: usize = 400;

/// A small deterministic generator (xorshift64*) for kill times.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

#[test]
fn writers_killed_at_random_lose_no_acknowledged_case() {
    let env = Env::new();
    let mut rng = Rng(0x1337_c0de);
    let mut acknowledged: Vec<String> = Vec::new();
    let mut killed_mid_run = 0;
    for round in 0..ROUNDS {
        let children: Vec<_> = (0..WRITERS)
            .map(|w| {
                let mut child = env
                    .cmd(Some("ali"))
                    .args(["case", "import"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                let mut input = String::new();
                for i in 0..LINES {
                    let _ = writeln!(
                        input,
                        "{{\"phone\":\"0912{w:03}{i:04}\",\"name\":\"تماس {round}-{w}-{i}\",\"service\":\"trash-missed\",\"district\":\"{}\",\"address\":\"خیابان {i}\",\"description\":\"round {round} writer {w} case {i}\"}}",
                        w + 1
                    );
                }
                let mut stdin = child.stdin.take().unwrap();
                std::thread::spawn(move || {
                    let _ = stdin.write_all(input.as_bytes());
                });
                child
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150 + rng.below(600)));
        for mut child in children {
            // SIGKILL: no destructor, no rollback, no flush runs.
            let _ = child.kill();
            let status = child.wait().unwrap();
            if !status.success() {
                killed_mid_run += 1;
            }
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            // Only whole lines were acknowledged; a cut last line was not.
            let whole = out.rfind('\n').map_or("", |i| &out[..=i]);
            acknowledged.extend(whole.lines().map(str::to_owned));
        }
    }
    assert!(
        killed_mid_run >= ROUNDS * WRITERS / 2,
        "most writers must be killed while writing ({killed_mid_run} were)"
    );
    assert!(!acknowledged.is_empty());
    let conn = rusqlite::Connection::open(&env.store).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut store =
        citydesk::store::open(&env.store, &citydesk::store::Settings::default()).unwrap();
    for code in &acknowledged {
        let code = citydesk::domain::tracking::TrackingCode::parse(code).unwrap();
        let record = store
            .case(code)
            .unwrap_or_else(|e| panic!("{code} lost: {e}"));
        assert_eq!(record.timeline.len(), 1);
    }
    let total = store.case_count().unwrap();
    assert!(
        total >= acknowledged.len() as u64,
        "{total} cases, {} acknowledged",
        acknowledged.len()
    );
}
