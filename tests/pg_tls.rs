//! Issue 10: `sslrootcert` and the verifying `sslmode`s on PostgreSQL. A
//! cluster of the test's own speaks TLS with a certificate signed by a CA
//! the test makes (openssl): with that CA in `sslrootcert` the connection
//! is made, and made over TLS; a CA that did not sign it is refused, and so
//! is a certificate for another host name under `verify-full`, each with a
//! clear message that is not "cannot be reached".

mod common;

use std::path::Path;
use std::process::Command;

use citydesk::store::{self, Page, Queue, Settings};

fn openssl(dir: &Path, args: &str) {
    let out = Command::new("sh")
        .args(["-c", &format!("openssl {args}")])
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate it signed for host `db.example` only, and
/// another CA that signed nothing.
fn certificates(dir: &Path) {
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    openssl(
        dir,
        &format!("req -x509 {ec} -keyout ca.key -out ca.crt -days 2 -subj /CN=citydesk-test-ca"),
    );
    openssl(
        dir,
        &format!("req -x509 {ec} -keyout other.key -out other.crt -days 2 -subj /CN=another-ca"),
    );
    openssl(
        dir,
        &format!("req {ec} -keyout server.key -out server.csr -subj /CN=db.example"),
    );
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=DNS:db.example\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        dir,
        "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext",
    );
}

fn citydesk(url: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_citydesk"))
        .args(["--store", url])
        .args(args)
        .env("CITYDESK_CONFIG", "/nonexistent/citydesk.toml")
        .env("CITYDESK_LANG", "en")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sslrootcert_is_trusted_and_a_wrong_ca_or_host_name_refused() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let Some(server) = common::pg::tls_server(&read("server.crt"), &read("server.key")) else {
        return;
    };
    let ca = dir.path().join("ca.crt").display().to_string();
    let other = dir.path().join("other.crt").display().to_string();

    // The right CA; the host name is not checked (the certificate is for
    // db.example, the server is reached at 127.0.0.1).
    let good = format!("{server}?sslmode=verify-ca&sslrootcert={ca}");
    let (code, err) = citydesk(&good, &["init"]);
    assert_eq!(code, Some(0), "{err}");
    let mut s = store::open(&good, &Settings::default()).unwrap();
    let now = citydesk::clock::Clock::now(&citydesk::clock::SystemClock);
    assert!(
        s.queue(&Queue::Unreferred, Page::default(), now)
            .unwrap()
            .is_empty()
    );
    // And it is TLS, as the server sees it.
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    let over_tls: i64 = admin
        .query_one(
            "SELECT COUNT(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
             WHERE application_name = 'citydesk' AND ssl",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(over_tls, 1, "the store's connection uses TLS");

    // A CA that did not sign the server's certificate.
    let (code, err) = citydesk(
        &format!("{server}?sslmode=verify-ca&sslrootcert={other}"),
        &["queue"],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no trusted connection"), "{err}");
    assert!(
        err.to_lowercase().contains("unknown"),
        "names the unknown issuer: {err}"
    );
    assert!(!err.contains("cannot be reached"), "{err}");

    // verify-full checks the host name too: 127.0.0.1 is not db.example.
    let (code, err) = citydesk(
        &format!("{server}?sslmode=verify-full&sslrootcert={ca}"),
        &["queue"],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no trusted connection"), "{err}");
    assert!(err.contains("name"), "names the host-name mismatch: {err}");

    // A rootcert file that is not there.
    let (code, err) = citydesk(
        &format!("{server}?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt"),
        &["queue"],
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("sslrootcert /nonexistent/ca.crt"), "{err}");
}
