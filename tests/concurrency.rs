//! Eight processes register 200 cases each at the same time on one store file:
//! every case lands, none fails, no two share a tracking code.

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::process::Stdio;

use common::Env;

#[test]
fn eight_processes_register_two_hundred_cases_each_at_once_on_sqlite() {
    eight_processes(&Env::new());
}

#[test]
fn eight_processes_register_two_hundred_cases_each_at_once_on_postgres() {
    if let Some(env) = Env::new_pg() {
        eight_processes(&env);
    }
}

fn eight_processes(env: &Env) {
    let line = |p: usize, i: usize| {
        format!(
            r#"{{"phone":"0912{p:03}{i:04}","name":"تماس {p}-{i}","service":"trash-missed","district":"{}","address":"خیابان {i}","description":"process {p} case {i}"}}"#,
            p % 5 + 1
        )
    };
    let children: Vec<_> = (0..8)
        .map(|p| {
            let mut child = env
                .cmd(Some("ali"))
                .args(["case", "import"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let input: String = (0..200).map(|i| line(p, i) + "\n").collect();
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
            child
        })
        .collect();
    let mut codes = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a process failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        codes.extend(
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(str::to_owned),
        );
    }
    assert_eq!(codes.len(), 1600);
    let unique: HashSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), 1600, "no duplicate tracking codes");
    assert_eq!(env.case_count(), 1600);
    let overdue = env.json(Some("admin"), &["queue", "unreferred", "--limit", "1000"]);
    assert_eq!(overdue.as_array().unwrap().len(), 1000);
}
