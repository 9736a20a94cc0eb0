//! The Open311 GeoReport v2 endpoint and the Open311 import/export, end to
//! end through the real binary: real city payloads import without loss; the
//! server answers in the spec's shapes in JSON and XML, refuses bad input
//! with the spec's errors and registers nothing then, never shows a
//! citizen's name, phone or e-mail, and passes an independently written
//! Python client (georeport, from PyPI).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::Env;
use common::serve::Server;

fn real_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/real/open311");
    if dir.is_dir() {
        Some(dir)
    } else {
        common::missing::prerequisite(
            "the Open311 real-payload tests",
            &format!("{} is not there", dir.display()),
            "put the project's shared/ folder beside the checkout (shared/data/real/open311)",
        );
        None
    }
}

/// Counts per service code and per status of the records with an id, each
/// id once, read from the file without citydesk's reader.
fn file_counts(path: &Path) -> (BTreeMap<String, usize>, BTreeMap<String, usize>, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut records: Vec<(Option<String>, String, String)> = Vec::new();
    if text.trim_start().starts_with('<') {
        let field = |r: &str, name: &str| -> Option<String> {
            let open = format!("<{name}>");
            let start = r.find(&open)? + open.len();
            let end = r[start..].find(&format!("</{name}>"))? + start;
            Some(r[start..end].trim().to_owned()).filter(|v| !v.is_empty())
        };
        for r in text.split("<request>").skip(1) {
            records.push((
                field(r, "service_request_id"),
                field(r, "service_code").unwrap_or_default(),
                field(r, "status").unwrap_or_default().to_lowercase(),
            ));
        }
    } else {
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for r in v.as_array().unwrap() {
            let s = |k: &str| match &r[k] {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            records.push((
                s("service_request_id"),
                s("service_code").unwrap_or_default(),
                s("status").unwrap_or_default().to_lowercase(),
            ));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let (mut by_service, mut by_status) = (BTreeMap::new(), BTreeMap::new());
    let mut without_id = 0;
    for (id, code, status) in records {
        let Some(id) = id else {
            without_id += 1;
            continue;
        };
        if seen.insert(id) {
            *by_service.entry(code).or_insert(0) += 1;
            *by_status.entry(status).or_insert(0) += 1;
        }
    }
    (by_service, by_status, without_id)
}

fn counts_of(v: &serde_json::Value, key: &str) -> BTreeMap<String, usize> {
    v.as_object()
        .unwrap_or_else(|| panic!("{key} is not an object: {v}"))
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap() as usize))
        .collect()
}

/// Counts per service code and status of what the store exports.
fn store_counts(env: &Env) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let out = env.ok(Some("admin"), &["export", "open311", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    for r in v.as_array().unwrap() {
        *a.entry(r["service_code"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
        *b.entry(r["status"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    (a, b)
}

fn payloads_import_without_loss(env: &Env) {
    let Some(dir) = real_dir() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .contains("requests")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    let (mut all_services, mut all_statuses) = (BTreeMap::new(), BTreeMap::new());
    for f in &files {
        let (services, statuses, without_id) = file_counts(f);
        let report = env.json(Some("ali"), &["import", "open311", f.to_str().unwrap()]);
        let name = f.display();
        assert_eq!(
            counts_of(&report["by_service"], "by_service"),
            services,
            "{name}"
        );
        assert_eq!(
            counts_of(&report["by_status"], "by_status"),
            statuses,
            "{name}"
        );
        let refused = report["refused"].as_array().unwrap();
        assert_eq!(refused.len(), without_id, "{name}: {refused:?}");
        for r in refused {
            assert!(
                r[1].as_str().unwrap().contains("no service_request_id"),
                "{name}: {r}"
            );
        }
        let imported = report["imported"].as_u64().unwrap() as usize;
        assert_eq!(imported, services.values().sum::<usize>(), "{name}");
        assert_eq!(
            imported + report["repeated"].as_u64().unwrap() as usize + without_id,
            report["records"].as_u64().unwrap() as usize,
            "{name}: every record imported, repeated or refused"
        );
        for (k, v) in services {
            *all_services.entry(k).or_insert(0) += v;
        }
        for (k, v) in statuses {
            *all_statuses.entry(k).or_insert(0) += v;
        }
    }
    // The store holds exactly what the files hold.
    let (services, statuses) = store_counts(env);
    assert_eq!(services, all_services);
    assert_eq!(statuses, all_statuses);
    // Boston repeats 50 records of its illegal-parking file word for word.
    let again = env.json(
        Some("ali"),
        &[
            "import",
            "open311",
            dir.join("boston_requests_illegal_parking.json")
                .to_str()
                .unwrap(),
        ],
    );
    assert_eq!(
        again["imported"], 0,
        "a second import adds nothing: {again}"
    );
    assert_eq!(again["already"], 949);
    assert_eq!(store_counts(env).0, all_services);

    // An imported case keeps its old id, its answer and its photo link.
    let toronto = env.json(Some("admin"), &["case", "search", "Warden Freeman"]);
    assert_eq!(toronto.as_array().unwrap().len(), 1, "{toronto}");
    let code = toronto[0]["code"].as_str().unwrap().to_owned();
    let case = env.case(&code);
    assert_eq!(case["old_id"], "101005420892");
    assert_eq!(case["status"], "referred");
    assert_eq!(
        case["response"],
        "In progress - The request has been scheduled."
    );
    assert_eq!(case["timeline"][0]["action"], "import");
    assert_eq!(case["timeline"][0]["source"], "open311");
}

#[test]
fn real_payloads_import_without_loss_sqlite() {
    payloads_import_without_loss(&Env::new());
}

#[test]
fn real_payloads_import_without_loss_postgres() {
    if let Some(env) = Env::new_pg() {
        payloads_import_without_loss(&env);
    }
}

#[test]
fn broken_files_import_nothing() {
    let env = Env::new();
    for (name, text, says) in [
        (
            "broken.json",
            "[{\"service_request_id\": \"1\",",
            "not valid JSON",
        ),
        (
            "broken.xml",
            "<service_requests><request><service_request_id>1</service_request_id>",
            "ends inside an element",
        ),
        (
            "other.xml",
            "<html><body>hi</body></html>",
            "not <service_requests>",
        ),
        (
            "services.json",
            r#"[{"service_code":"1","service_name":"x","metadata":false,"type":"realtime"}]"#,
            "services list",
        ),
    ] {
        let path = env.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let err = env.refused(Some("ali"), &["import", "open311", path.to_str().unwrap()]);
        assert!(err.contains(says), "{name}: {err}");
        assert!(err.contains("nothing was imported"), "{name}: {err}");
    }
    assert_eq!(env.case_count(), 0);
}

#[test]
fn export_then_import_round_trips_without_personal_data() {
    let env = Env::new();
    let code = env.new_case(&["--refer"]);
    let out = env.ok(Some("admin"), &["export", "open311", "--format", "xml"]);
    assert!(
        out.contains(&format!("<service_request_id>{code}</service_request_id>")),
        "{out}"
    );
    assert!(!out.contains("مریم") && !out.contains("0912"), "{out}");
    let file = env.dir.path().join("export.xml");
    std::fs::write(&file, &out).unwrap();
    let other = Env::new();
    let report = other.json(Some("ali"), &["import", "open311", file.to_str().unwrap()]);
    assert_eq!(report["imported"], 1, "{report}");
    assert_eq!(
        report["by_service"]["pothole"], 1,
        "a known service is the catalog's"
    );
    assert_eq!(store_counts(&other), store_counts(&env));
}

/// A store with an Open311 client `portal`; returns its key.
fn with_client(env: &Env, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["client", "add", name, "--channel", "web"];
    args.extend_from_slice(extra);
    let v = env.json(Some("admin"), &args);
    assert_eq!(v["operator"], format!("client-{name}"));
    v["api_key"].as_str().unwrap().to_owned()
}

fn serve(env: &Env) -> Server {
    Server::start(env.cmd(None))
}

fn post_fields<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("api_key", key),
        ("service_code", "tree-fallen"),
        ("attribute[size]", "large"),
        ("address_string", "خیابان شریعتی، کوی شهید مدرس"),
        ("description", "درخت چنار روی خیابان افتاده"),
        ("first_name", "Parisa"),
        ("last_name", "Karimi"),
        ("email", "parisa.k@example.org"),
        ("phone", "0935 123 4567"),
    ];
    for (k, v) in extra {
        f.retain(|(fk, _)| fk != k);
        if !v.is_empty() {
            f.push((k, v));
        }
    }
    f
}

fn endpoint_speaks_georeport(env: &Env) {
    let key = with_client(env, "portal", &[]);
    let s = serve(env);

    // Services, in English and in Persian; only active catalog services.
    let services = s.get("/services.json").json();
    let list = services.as_array().unwrap();
    let tree = list
        .iter()
        .find(|x| x["service_code"] == "tree-fallen")
        .unwrap();
    assert_eq!(tree["metadata"], true);
    assert_eq!(tree["type"], "realtime");
    assert_eq!(tree["group"], "beautification");
    assert!(tree["keywords"].as_str().unwrap().contains("tree"));
    assert_eq!(tree["service_name"], "Fallen or falling tree");
    let graffiti = list
        .iter()
        .find(|x| x["service_code"] == "graffiti")
        .unwrap();
    assert_eq!(graffiti["metadata"], false);
    let fa = s.send(
        "GET",
        "/services.json",
        &[("Accept-Language", "fa-IR,fa;q=0.9")],
        b"",
    );
    assert!(fa.body.contains("درخت افتاده"), "{}", fa.body);
    assert!(
        s.get("/services.json?locale=fa")
            .body
            .contains("درخت افتاده")
    );
    let xml = s.get("/services.xml?jurisdiction_id=anything");
    assert_eq!(xml.status, 200);
    assert!(
        xml.content_type.starts_with("text/xml"),
        "{}",
        xml.content_type
    );
    assert!(
        xml.body.contains("<services><service><service_code>"),
        "{}",
        xml.body
    );

    // A definition.
    let def = s.get("/services/water-leak.json").json();
    assert_eq!(def["service_code"], "water-leak");
    let severity = &def["attributes"][0];
    assert_eq!(severity["code"], "severity");
    assert_eq!(severity["datatype"], "singlevaluelist");
    assert_eq!(severity["required"], true);
    assert_eq!(severity["values"][2]["key"], "gushing");
    assert!(
        s.get("/services/water-leak.xml")
            .body
            .contains("<attributes><attribute><variable>true</variable><code>severity</code>")
    );
    assert_eq!(s.get("/services/nope.json").status, 404);

    // POST, then read it back; a retry registers once.
    let posted = s.post_form("/requests.json", &post_fields(&key, &[]));
    assert_eq!(posted.status, 200, "{}", posted.body);
    let id = posted.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        posted.json()[0]["service_notice"]
            .as_str()
            .unwrap()
            .contains("Referred to")
    );
    let again = s.post_form("/requests.json", &post_fields(&key, &[]));
    assert_eq!(again.json()[0]["service_request_id"], id.as_str());
    assert_eq!(env.case_count(), 1);

    let case = env.case(&id);
    assert_eq!(case["channel"], "web");
    assert_eq!(
        case["status"], "referred",
        "registered and referred in one step"
    );
    assert_eq!(case["registered_by"], "client-portal");
    assert_eq!(
        case["district"], "1",
        "Kuy-e Shahid Modarres is a neighborhood of district 1"
    );
    assert_eq!(case["neighborhood"], "کوی شهید مدرس");
    assert_eq!(case["citizen_name"], "Parisa Karimi");
    assert_eq!(case["citizen_phone"], "0935 123 4567");
    assert_eq!(
        case["contacts"][0]["comment"],
        "e-mail: parisa.k@example.org"
    );
    let d = case["description"].as_str().unwrap();
    assert!(d.contains("\nsize: large"), "{d}");
    assert!(d.contains("client: portal"), "{d}");
    assert_eq!(case["timeline"][0]["actor"], "client-portal");
    assert_eq!(case["timeline"][1]["action"], "refer");

    let one = s.get(&format!("/requests/{id}.json")).json();
    let r = &one[0];
    assert_eq!(r["service_request_id"], id.as_str());
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "tree-fallen");
    assert_eq!(r["description"], "درخت چنار روی خیابان افتاده");
    assert_eq!(r["status_notes"], serde_json::Value::Null);
    assert_eq!(
        r["agency_responsible"],
        "Parks and Green Space Organization"
    );
    assert!(r["expected_datetime"].as_str().unwrap().ends_with("+03:30"));
    let x = s.get(&format!("/requests/{id}.xml"));
    assert!(
        x.body.contains(&format!(
            "<request><service_request_id>{id}</service_request_id><status>open</status>"
        )),
        "{}",
        x.body
    );
    assert_eq!(
        s.get(&format!("/tokens/{id}.json")).json()[0]["service_request_id"],
        id.as_str()
    );

    // Without a name and a phone: "(web)", a placeholder number, and a note.
    let bare = s.post_form(
        "/requests.json",
        &post_fields(
            &key,
            &[
                ("first_name", ""),
                ("last_name", ""),
                ("phone", ""),
                ("email", ""),
                ("service_code", "graffiti"),
                ("attribute[size]", ""),
                ("description", "graffiti on the school wall"),
            ],
        ),
    );
    assert_eq!(bare.status, 200, "{}", bare.body);
    let bare_id = bare.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bare_case = env.case(&bare_id);
    assert_eq!(bare_case["citizen_name"], "(web)");
    assert_eq!(bare_case["citizen_phone"], "1111111");
    assert!(
        bare_case["description"]
            .as_str()
            .unwrap()
            .contains("phone: none given (1111111 is a placeholder)"),
        "{bare_case}"
    );
    assert_eq!(bare_case["contacts"][0]["comment"], serde_json::Value::Null);

    // The department answers: status_notes is that answer, and only that.
    env.ok(
        Some("ali"),
        &["case", "resolve", &id, "--response", "Removed the tree"],
    );
    let r = &s.get(&format!("/requests/{id}.json")).json()[0];
    assert_eq!(r["status"], "closed");
    assert_eq!(r["status_notes"], "Removed the tree");

    // Lists: by id, by date window, by status.
    let listed = s
        .get(&format!("/requests.json?service_request_id={id},123456789"))
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        s.get("/requests.json?status=closed")
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.get("/requests.json?status=open")
            .json()
            .as_array()
            .unwrap()
            .len(),
        1,
        "the graffiti case"
    );
    assert_eq!(
        s.get("/requests.json?status=open,closed")
            .json()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        s.get("/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z")
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let wide =
        s.get("/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-06-01T00:00:00Z");
    assert_eq!(wide.status, 400);
    assert!(wide.body.contains("90 days"), "{}", wide.body);

    // Nothing public shows the citizen's name, phone or e-mail.
    for path in [
        format!("/requests/{id}.json"),
        format!("/requests/{id}.xml"),
        "/requests.json".to_owned(),
        "/requests.xml".to_owned(),
    ] {
        let body = s.get(&path).body;
        for personal in ["Parisa", "Karimi", "parisa.k@", "0935", "123 4567"] {
            assert!(!body.contains(personal), "{path} shows {personal}: {body}");
        }
    }
    let out = env.ok(Some("admin"), &["export", "open311"]);
    assert!(!out.contains("Parisa") && !out.contains("0935"), "{out}");
}

fn bad_input_is_refused_and_registers_nothing(env: &Env) {
    let key = with_client(env, "app1", &["--rate", "1000"]);
    let log = env.dir.path().join("log/open311.log");
    std::fs::write(
        env.dir.path().join("config.toml"),
        format!("[open311]\nlog = {:?}\n", log.display().to_string()),
    )
    .unwrap();
    let s = serve(env);
    let err = |r: &common::serve::Reply, status: u16, says: &str| {
        assert_eq!(r.status, status, "{}", r.body);
        let v = r.json();
        assert_eq!(v[0]["code"], status, "{v}");
        let d = v[0]["description"].as_str().unwrap();
        assert!(d.contains(says), "{d:?} should say {says:?}");
    };
    err(
        &s.post_form("/requests.json", &post_fields("", &[("api_key", "")])),
        403,
        "api_key is required",
    );
    err(
        &s.post_form("/requests.json", &post_fields("0123abcd", &[])),
        403,
        "not valid",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("service_code", "no-such")]),
        ),
        404,
        "not a service",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("address_string", "")]),
        ),
        400,
        "a location is required",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("attribute[size]", "huge")]),
        ),
        400,
        "\"huge\" is not one of its values: give small, medium, large",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("attribute[size]", "")]),
        ),
        400,
        "attribute[size] is required",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("attribute[colour]", "green")]),
        ),
        400,
        "attribute[colour] is not asked",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("phone", "call me")]),
        ),
        400,
        "is not a phone number",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("lat", "99"), ("long", "10")]),
        ),
        400,
        "not a position",
    );
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("attribute[district]", "99")]),
        ),
        400,
        "is not a district",
    );
    let big = "x".repeat(70 * 1024);
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("description", &big)]),
        ),
        413,
        "too large",
    );
    let xml = s.post_form("/requests.xml", &post_fields("", &[("api_key", "")]));
    assert_eq!(xml.status, 403);
    assert!(
        xml.body
            .contains("<errors><error><code>403</code><description>"),
        "{}",
        xml.body
    );
    err(&s.get("/requests/12345.json"), 404, "no request");
    err(&s.get("/nothing.json"), 404, "no such resource");
    assert_eq!(env.case_count(), 0, "nothing was registered");

    // Escape sequences are stored as typed and never leave raw.
    let evil = "tree \u{1b}[2J\u{1b}]0;pwned\u{7} down";
    let r = s.post_form(
        "/requests.json",
        &post_fields(&key, &[("description", evil)]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let case = env.case(&id);
    assert!(
        case["description"].as_str().unwrap().starts_with(evil),
        "stored as typed"
    );
    for path in [
        format!("/requests/{id}.json"),
        format!("/requests/{id}.xml"),
    ] {
        let body = s.get(&path).raw_body;
        assert!(
            !body.contains(&0x1b) && !body.contains(&0x07),
            "{path}: raw control bytes"
        );
    }
    assert!(
        s.get(&format!("/requests/{id}.json"))
            .body
            .contains("\\u001b[2J")
    );
    assert!(
        s.get(&format!("/requests/{id}.xml"))
            .body
            .contains("\u{241b}[2J")
    );
    let shown = env.ok(Some("admin"), &["case", "show", &id]);
    assert!(!shown.contains('\u{1b}'), "the CLI neutralizes: {shown}");

    // A revoked key is refused; the client's cases stay.
    env.ok(Some("admin"), &["client", "revoke", "app1"]);
    err(
        &s.post_form(
            "/requests.json",
            &post_fields(&key, &[("description", "again")]),
        ),
        403,
        "revoked",
    );
    assert_eq!(env.case_count(), 1);
    let listed = env.json(Some("admin"), &["client", "list"]);
    assert_eq!(listed[0]["active"], false);
    assert!(
        !listed.to_string().contains(&key),
        "the key is never listed"
    );
}

#[test]
fn endpoint_speaks_georeport_sqlite() {
    endpoint_speaks_georeport(&Env::new());
}

#[test]
fn endpoint_speaks_georeport_postgres() {
    if let Some(env) = Env::new_pg() {
        endpoint_speaks_georeport(&env);
    }
}

#[test]
fn bad_input_is_refused_and_registers_nothing_sqlite() {
    bad_input_is_refused_and_registers_nothing(&Env::new());
}

#[test]
fn bad_input_is_refused_and_registers_nothing_postgres() {
    if let Some(env) = Env::new_pg() {
        bad_input_is_refused_and_registers_nothing(&env);
    }
}

#[test]
fn a_key_over_its_rate_gets_429() {
    let env = Env::new();
    let key = with_client(&env, "slow", &["--rate", "3"]);
    let s = serve(&env);
    let mut codes = Vec::new();
    for i in 0..5 {
        let d = format!("request {i}");
        codes.push(
            s.post_form("/requests.json", &post_fields(&key, &[("description", &d)]))
                .status,
        );
    }
    assert_eq!(codes, [200, 200, 200, 429, 429]);
    let r = s.post_form("/requests.xml", &post_fields(&key, &[]));
    assert_eq!(r.status, 429);
    assert!(
        r.body.contains("<code>429</code>") && r.body.contains("at most 3 a minute"),
        "{}",
        r.body
    );
    assert_eq!(env.case_count(), 3);
}

#[test]
fn only_administrators_issue_keys_and_names_are_checked() {
    let env = Env::new();
    let e = env.refused(Some("ali"), &["client", "add", "x", "--channel", "app"]);
    assert!(e.contains("only an administrator"), "{e}");
    let e = env.refused(
        Some("admin"),
        &["client", "add", "Bad Name", "--channel", "app"],
    );
    assert!(e.contains("Bad Name"), "{e}");
    with_client(&env, "portal", &[]);
    let e = env.refused(
        Some("admin"),
        &["client", "add", "portal", "--channel", "app"],
    );
    assert!(e.contains("already exists"), "{e}");
    // Its service account cannot sign in with a password, and with a token
    // it may not work cases.
    let code = env.new_case(&[]);
    let e = env.refused(
        Some("client-portal"),
        &["case", "refer", &code, "--department", "d3"],
    );
    assert!(e.contains("not signed in"), "{e}");
    let token = env.json(Some("admin"), &["operator", "token", "client-portal"])["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = env
        .bare("portal")
        .env("CITYDESK_TOKEN", token)
        .args(["case", "refer", &code, "--department", "d3"])
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("service account"), "{e}");
}

#[test]
fn new_stores_draw_their_own_code_key() {
    let a = Env::new();
    let b = Env::new();
    let (ca, cb) = (a.new_case(&[]), b.new_case(&[]));
    assert_ne!(ca, cb, "two centers' first codes differ");
    assert_ne!(ca, "419239437", "not the unkeyed permutation's first code");
}

/// The Python interpreter with `georeport` installed: CITYDESK_TEST_PYTHON
/// (set by .ci/run), else a virtualenv this test makes once under the
/// target folder; None (said, or failed under CI) when neither works.
fn python() -> Option<String> {
    static FOUND: OnceLock<Result<String, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let works = |py: &str| {
            Command::new(py)
                .args(["-c", "import georeport, requests, xmltodict"])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if let Ok(py) = std::env::var("CITYDESK_TEST_PYTHON") {
            return if works(&py) {
                Ok(py)
            } else {
                Err(format!("CITYDESK_TEST_PYTHON={py} cannot import georeport"))
            };
        }
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("open311-venv");
        let py = venv.join("bin/python").display().to_string();
        if works(&py) {
            return Ok(py);
        }
        let made = Command::new("python3")
            .args(["-m", "venv", venv.to_str().unwrap()])
            .output()
            .map_err(|e| format!("python3 is not there ({e})"))?;
        if !made.status.success() {
            return Err(format!(
                "python3 -m venv failed: {}",
                String::from_utf8_lossy(&made.stderr)
            ));
        }
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "georeport==0.3.1"])
            .output()
            .map_err(|e| format!("pip did not run ({e})"))?;
        if !pip.status.success() || !works(&py) {
            return Err(format!(
                "pip install georeport==0.3.1 failed: {}",
                String::from_utf8_lossy(&pip.stderr)
            ));
        }
        Ok(py)
    });
    match found {
        Ok(py) => Some(py.clone()),
        Err(why) => {
            common::missing::prerequisite(
                "the Open311 Python client test",
                why,
                "python3 -m venv DIR && DIR/bin/pip install georeport==0.3.1, then set CITYDESK_TEST_PYTHON=DIR/bin/python (.ci/run does this)",
            );
            None
        }
    }
}

#[test]
fn an_independent_python_client_files_and_follows_requests() {
    let Some(py) = python() else { return };
    let env = Env::new();
    let key = with_client(&env, "portal", &[]);
    // A closed case, so that the status filter has something to tell apart.
    let closed = env.new_case(&["--refer"]);
    env.ok(
        Some("ali"),
        &["case", "resolve", &closed, "--response", "patched"],
    );
    env.ok(Some("sara"), &["case", "feedback", &closed, "--satisfied"]);
    assert_eq!(env.status(&closed), "closed");
    let s = serve(&env);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/open311_client.py");
    for format in ["json", "xml"] {
        let out = Command::new(&py)
            .arg(&script)
            .args([s.url().as_str(), key.as_str(), format, closed.as_str()])
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "the Python client ({format}) failed:\n{said}"
        );
        assert!(
            said.contains(&format!("all checks passed ({format})")),
            "{said}"
        );
    }
    assert_eq!(
        env.case_count(),
        3,
        "one case per format, and the closed one"
    );
}

#[test]
fn the_config_sets_jurisdiction_and_default_district() {
    let env = Env::new();
    let key = with_client(&env, "portal", &[]);
    let config = env.dir.path().join("config.toml");
    std::fs::write(&config, "[open311]\ndefault_district = \"nowhere\"\n").unwrap();
    let out = env
        .cmd(None)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("[open311] default_district = \"nowhere\" is not a district"),
        "{err}"
    );
    std::fs::write(&config, "[open311]\nconnections = 0\n").unwrap();
    let err = env.refused(None, &["serve"]);
    assert!(
        err.contains("line 2: [open311] connections: give 1 to 64"),
        "{err}"
    );

    std::fs::write(
        &config,
        "[open311]\ndefault_district = \"5\"\njurisdiction_id = \"tehran.ir\"\n",
    )
    .unwrap();
    let s = serve(&env);
    assert_eq!(
        s.get("/services.json?jurisdiction_id=tehran.ir").status,
        200
    );
    let other = s.get("/services.json?jurisdiction_id=boston.gov");
    assert_eq!(other.status, 400);
    assert!(other.body.contains("not served here"), "{}", other.body);
    let r = s.post_form(
        "/requests.json",
        &post_fields(&key, &[("address_string", "Somewhere Unknown 12")]),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(env.case(&id)["district"], "5", "the configured default");
    let r = s.post_form(
        "/requests.json",
        &post_fields(
            &key,
            &[
                ("attribute[district]", "District 2"),
                ("description", "second"),
            ],
        ),
    );
    let id = r.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        env.case(&id)["district"],
        "2",
        "the district attribute, by name"
    );
    assert_eq!(env.case(&id)["department"], "parks");
}

#[test]
fn a_request_that_waits_too_long_is_answered_503_and_a_retry_registers_once() {
    let env = Env::new();
    let key = with_client(&env, "portal", &[]);
    std::fs::write(
        env.dir.path().join("config.toml"),
        "[open311]\ntimeout_seconds = 1\n",
    )
    .unwrap();
    let s = serve(&env);
    // Another writer holds the store for three seconds.
    let conn = rusqlite::Connection::open(&env.store).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    let fields = post_fields(&key, &[("request_id", "portal-42")]);
    let r = s.post_form("/requests.json", &fields);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("took too long"), "{}", r.body);
    let x = s.post_form("/requests.xml", &fields);
    assert_eq!(x.status, 503);
    assert!(
        x.body.contains("<errors><error><code>503</code>"),
        "{}",
        x.body
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    conn.execute_batch("COMMIT").unwrap();
    // The client retries with its own request_id: one case, whatever the
    // stopped attempts did once the store was free.
    let again = s.post_form("/requests.json", &fields);
    assert_eq!(again.status, 200, "{}", again.body);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(env.case_count(), 1);
}

fn simultaneous_retries_register_once(env: &Env) {
    let key = with_client(env, "portal", &["--rate", "1000"]);
    let s = std::sync::Arc::new(serve(env));
    let ids: Vec<String> = (0..8)
        .map(|_| {
            let s = std::sync::Arc::clone(&s);
            let key = key.clone();
            std::thread::spawn(move || {
                let r = s.post_form(
                    "/requests.json",
                    &post_fields(&key, &[("request_id", "portal-7")]),
                );
                assert_eq!(r.status, 200, "{}", r.body);
                r.json()[0]["service_request_id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    assert_eq!(env.case_count(), 1);
}

#[test]
fn simultaneous_retries_register_once_sqlite() {
    simultaneous_retries_register_once(&Env::new());
}

#[test]
fn simultaneous_retries_register_once_postgres() {
    if let Some(env) = Env::new_pg() {
        simultaneous_retries_register_once(&env);
    }
}
