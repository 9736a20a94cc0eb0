//! The case search at 1,000,000 cases: the word index (`Store::search`, as the
//! console and `citydesk case search` call it, 100 results at most) against
//! the LIKE scan it replaced (the same words as substrings of `search_text`,
//! every row tested, newest first), in the same run, on SQLite and (when
//! CITYDESK_BENCH_PG names a server) on PostgreSQL.
//!
//! Run: `cargo bench --bench search`, or with PostgreSQL on loopback:
//! `CITYDESK_BENCH_PG=postgres://postgres@127.0.0.1:55432/postgres cargo bench --bench search`.
//! The store is made once per engine by `store::init` and one bulk
//! `INSERT … SELECT` per table (cases, then their first contacts), generated
//! by the engine itself (a recursive CTE on SQLite, generate_series on
//! PostgreSQL) from word lists, with each row's `search_text` written as the
//! store writes it (checked on a sample against `sql::words_of`). It is kept
//! under target/bench-stores (SQLite) or in database citydesk_search_KEY
//! (PostgreSQL), keyed by the schema text, and reused. Results: BENCHMARKS.md.

mod common;

use std::fmt;

use citydesk::domain::catalog::Catalog;
use citydesk::store::sql::{CASE_COLUMNS, WORD_COLUMNS, words_of};
use citydesk::store::{self, Settings};
use citydesk::words::index_text;
use common::{now, pg_server};

fn main() {
    divan::main();
}

const CASES: u64 = 1_000_000;

/// Two-word queries, as operators type them: a caller's first and last name
/// (about 1 case in 1,000), a street (1 in 30, in the address of every case
/// with the word "خیابان"), a complaint typed with a space where the cases
/// have a ZWNJ (1 in 20), a name the store does not hold (no match: the scan
/// reads every row), and two typed halfway (the last word is the start of one:
/// no case has both words whole, so the search goes on to prefixes; "رضا" is
/// the start of "رضایی", 1 in 40, and a first name of its own).
const QUERIES: [&str; 6] = [
    "علی رضایی",
    "خیابان آزادی",
    "آب گرفتگی",
    "بهزاد تهرانی",
    "علی رضا",
    "آب گرفت",
];

const FIRST: [&str; 24] = [
    "علی",
    "محمد",
    "حسین",
    "رضا",
    "مهدی",
    "امیر",
    "حسن",
    "سعید",
    "مریم",
    "فاطمه",
    "زهرا",
    "سارا",
    "نرگس",
    "لیلا",
    "مینا",
    "پروین",
    "جواد",
    "کاظم",
    "ناصر",
    "بهرام",
    "شیرین",
    "الهام",
    "نازنین",
    "کیان",
];
const LAST: [&str; 40] = [
    "رضایی",
    "احمدی",
    "محمدي",
    "حسینی",
    "كريمي",
    "موسوی",
    "جعفری",
    "صادقی",
    "رحیمی",
    "هاشمی",
    "قاسمی",
    "نوری",
    "عباسی",
    "کاظمی",
    "مرادی",
    "زمانی",
    "شریفی",
    "اکبری",
    "باقری",
    "سلیمانی",
    "نجفی",
    "طاهری",
    "یوسفی",
    "فرهادی",
    "امینی",
    "کامرانی",
    "رستمی",
    "عزیزی",
    "ملکی",
    "توکلی",
    "حیدری",
    "بهرامی",
    "نیکپور",
    "شجاعی",
    "مختاری",
    "سبحانی",
    "فتحی",
    "منصوری",
    "قربانی",
    "خلیلی",
];
const STREET: [&str; 30] = [
    "آزادی",
    "انقلاب",
    "ولیعصر",
    "فردوسی",
    "شریعتی",
    "طالقانی",
    "جمهوری",
    "کارگر",
    "اکباتان",
    "بوعلی",
    "ستارخان",
    "پاسداران",
    "دماوند",
    "پیروزی",
    "نواب",
    "کریمخان",
    "حافظ",
    "سعدی",
    "مولوی",
    "بهار",
    "ایرانشهر",
    "جردن",
    "میرداماد",
    "سهروردی",
    "شهرزاد",
    "فاطمی",
    "گاندی",
    "وزرا",
    "باباطاهر",
    "ونک",
];
const LANE: [&str; 20] = [
    "نسترن",
    "لاله",
    "یاس",
    "اقاقیا",
    "شقایق",
    "بنفشه",
    "سوسن",
    "نیلوفر",
    "ارغوان",
    "صنوبر",
    "چنار",
    "سرو",
    "کاج",
    "بید",
    "افرا",
    "گلستان",
    "بوستان",
    "سپیده",
    "مهتاب",
    "ستاره",
];
/// Hamedan's neighborhoods: the default catalog's, and three it leaves out
/// (no source places them in a region; see assets/catalog.toml).
const NEIGHBORHOOD: [&str; 16] = [
    "کوی شهید مدرس",
    "کوی مزدقینه",
    "شهرک شهید بهشتی",
    "کوی خضر",
    "پردیسان",
    "کوی کوثر",
    "شهرک فرهنگیان",
    "حصار مطهری",
    "بازار",
    "میدان امام",
    "حاجی",
    "کلپا",
    "شالبافان",
    "دره مرادبیگ",
    "کوی مدنی",
    "قاسم‌آباد",
];
const DESCRIPTION: [&str; 20] = [
    "آب‌گرفتگی معبر پس از بارندگی",
    "چراغ روشنايي معبر خاموش است",
    "درخت افتاده روی پیاده‌رو",
    "چاله بزرگ در آسفالت",
    "زباله‌ها جمع‌آوری نشده",
    "صدای بلند کارگاه ساختمانی در شب",
    "نشت لوله آب شهری",
    "جدول شكسته و خطرناك",
    "سگ‌های ولگرد در پارک",
    "تابلوی راهنمایی کج شده",
    "فاضلاب روی سطح معبر",
    "دیوار ریزشی کنار مدرسه",
    "سد معبر توسط دستفروشان",
    "پارک خودرو روی پیاده‌رو",
    "علف هرز در فضای سبز",
    "آبیاری نشدن درختان پارک",
    "تخلیه نخاله ساختمانی غیرمجاز",
    "موش در جوی آب",
    "صندلی پارک شکسته است",
    "Broken street LIGHT near school",
];

/// An engine and a query.
#[derive(Debug, Clone, Copy)]
struct Arg {
    postgres: bool,
    query: &'static str,
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engine = if self.postgres { "postgres" } else { "sqlite" };
        write!(f, "{engine} {}", self.query)
    }
}

fn args() -> Vec<Arg> {
    let engines: &[bool] = if pg_server().is_some() {
        &[false, true]
    } else {
        &[false]
    };
    engines
        .iter()
        .flat_map(|&postgres| QUERIES.map(|query| Arg { postgres, query }))
        .collect()
}

/// A short key of the engine's schema text and this generator, so a change
/// to either makes a new store.
fn key(postgres: bool) -> String {
    common::key(&[
        &store::schema_for(if postgres { "postgres" } else { "sqlite" }),
        &cases_sql(postgres),
    ])
}

/// `CASE (at) WHEN 0 THEN 'a' …` over `list`, each entry through `f`.
fn pick(list: &[&str], at: &str, f: impl Fn(&str) -> String) -> String {
    let arms: Vec<String> = list
        .iter()
        .enumerate()
        .map(|(i, w)| format!("WHEN {i} THEN '{}'", f(w).replace('\'', "''")))
        .collect();
    format!("(CASE {at} {} END)", arms.join(" "))
}

/// One bulk statement that fills `cases` with `CASES` rows: the engine makes
/// the rows itself from the word lists, `h` being a hash of the row number.
fn cases_sql(postgres: bool) -> String {
    let typed = |w: &str| w.to_owned();
    let words = |w: &str| index_text(&[w]);
    let h = "((i * 2654435761) % 4294967296)";
    let first = format!("({h} % 24)");
    let last = format!("(({h} / 24) % 40)");
    let street = format!("(({h} / 960) % 30)");
    let lane = format!("(({h} / 28800) % 20)");
    let plate = format!("(1 + ({h} / 576000) % 300)");
    let neighborhood = "((i * 7) % 16)";
    let description = "((i * 13) % 20)";
    let text = |e: String| format!("CAST({e} AS TEXT)");
    let phone = format!(
        "'09' || {}",
        text("100000000 + (i * 7919) % 900000000".into())
    );
    let code = "(100000000 + i)";
    let name = format!(
        "{} || ' ' || {}",
        pick(&FIRST, &first, typed),
        pick(&LAST, &last, typed)
    );
    let address = format!(
        "'خیابان ' || {} || '، کوچه ' || {} || '، پلاک ' || {}",
        pick(&STREET, &street, typed),
        pick(&LANE, &lane, typed),
        text(plate.clone())
    );
    // search_text as `sql::case_words` writes it: code, name, phone,
    // neighborhood, address, description, each as its words.
    let search_text = [
        text(code.into()),
        pick(&FIRST, &first, words),
        pick(&LAST, &last, words),
        phone.clone(),
        pick(&NEIGHBORHOOD, neighborhood, words),
        format!(
            "'خیابان ' || {} || ' کوچه ' || {} || ' پلاک ' || {}",
            pick(&STREET, &street, words),
            pick(&LANE, &lane, words),
            text(plate)
        ),
        pick(&DESCRIPTION, description, words),
    ]
    .join(" || ' ' || ");
    let at = format!("({} - ({CASES} - i) * 7)", now().timestamp());
    let due = format!("({at} + 360 * 3600)");
    let select = format!(
        "SELECT i, {code}, {at}, {at}, 'bench', 'phone', 'request', 'street-light-out',
                'technical-civil', {name}, {phone}, '4', {neigh}, {address}, {desc},
                'normal', 'registered', {at}, 'facilities', 360, {due}, {due} + 24 * 3600, 0,
                0, 1, 1, {at}, 'bench', {due}, {due} + 24 * 3600, {search_text}",
        neigh = pick(&NEIGHBORHOOD, neighborhood, typed),
        desc = pick(&DESCRIPTION, description, typed),
    );
    let columns = "id, code, received_at, registered_at, registered_by, channel, kind, service,
         category, citizen_name, citizen_phone, district, neighborhood, address, description,
         priority, status, status_since, department, deadline_hours, due_at, escalate_at,
         escalation_level, feedback_attempts, contacts, version, updated_at, updated_by,
         pending_due, pending_escalate, search_text";
    if postgres {
        format!(
            "INSERT INTO cases ({columns}) {select} FROM generate_series(CAST(1 AS BIGINT), {CASES}) AS g(i)"
        )
    } else {
        format!(
            "INSERT INTO cases ({columns}) WITH RECURSIVE g(i) AS
             (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {CASES}) {select} FROM g"
        )
    }
}

/// Each case's first contact (the caller), and the case counter.
const CONTACTS_SQL: &str = "INSERT INTO contacts (case_id, seq, at, channel, name, phone, phone_key, registered_by)
     SELECT id, 1, received_at, channel, citizen_name, citizen_phone, citizen_phone, 'bench' FROM cases";

/// Checks that the generated `search_text` is what the store writes for
/// every 997th case.
fn check(rows: Vec<(String, [String; 7])>) {
    assert!(rows.len() > 1000, "{} rows sampled", rows.len());
    for (search_text, f) in rows {
        let fields = f.each_ref().map(String::as_str);
        let want = words_of(fields, &[(fields[1], fields[2])]);
        assert_eq!(
            search_text, want,
            "the generated words differ from the store's"
        );
    }
}

fn sample_sql() -> String {
    format!("SELECT search_text, {WORD_COLUMNS} FROM cases WHERE id % 997 = 0")
}

/// The SQLite store, built if missing.
fn sqlite_store() -> String {
    let path = common::stores_dir().join(format!("search-{CASES}-{}.db", key(false)));
    if !path.exists() {
        eprintln!("building the {CASES}-case store at {} …", path.display());
        let tmp = path.with_extension("building");
        let _ = std::fs::remove_file(&tmp);
        let location = tmp.to_str().unwrap();
        drop(store::init(location, &Settings::default(), &Catalog::builtin(), now()).unwrap());
        let c = rusqlite::Connection::open(&tmp).unwrap();
        c.execute_batch("PRAGMA cache_size = -262144").unwrap();
        c.execute_batch(&format!(
            "BEGIN; {}; {CONTACTS_SQL}; UPDATE counters SET value = {CASES} WHERE name = 'case'; COMMIT; ANALYZE;",
            cases_sql(false)
        ))
        .unwrap();
        let mut stmt = c.prepare(&sample_sql()).unwrap();
        let rows = stmt
            .query_map([], |r| {
                let t = |i: usize| -> rusqlite::Result<String> {
                    Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
                };
                Ok((
                    t(0)?,
                    [
                        r.get::<_, i64>(1)?.to_string(),
                        t(2)?,
                        t(3)?,
                        t(4)?,
                        t(5)?,
                        t(6)?,
                        t(7)?,
                    ],
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        check(rows);
        drop(stmt);
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        drop(c);
        std::fs::rename(&tmp, &path).unwrap();
        for ext in ["building-wal", "building-shm"] {
            let _ = std::fs::remove_file(path.with_extension(ext));
        }
    }
    path.display().to_string()
}

/// The PostgreSQL store, built if missing.
fn postgres_store() -> String {
    let name = format!("citydesk_search_{}", key(true));
    let (url, exists, mut admin) = common::pg_database(&name);
    if !exists {
        eprintln!("building the {CASES}-case store in PostgreSQL database {name} …");
        // (left by an interrupted build)
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name}_building"))
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}_building"))
            .unwrap();
        let building = format!("{url}_building");
        drop(store::init(&building, &Settings::default(), &Catalog::builtin(), now()).unwrap());
        let mut c = postgres::Client::connect(&building, postgres::NoTls).unwrap();
        // The word index is made again after the load, from its own definition
        // (faster than growing it row by row). The load runs without triggers
        // (a replica's session): the store's owner is no operator, so its
        // checks (schema.sql, `citydesk_actor`) would pass every row, but a
        // million deferred checks keep the index from being made in the same
        // transaction.
        let index: String = c
            .query_one(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'cases_words'",
                &[],
            )
            .unwrap()
            .get(0);
        c.batch_execute(&format!(
            "SET session_replication_role = replica; BEGIN; DROP INDEX cases_words; {}; {CONTACTS_SQL};
             UPDATE counters SET value = {CASES} WHERE name = 'case'; {index}; COMMIT;
             RESET session_replication_role;",
            cases_sql(true)
        ))
        .unwrap();
        c.batch_execute("VACUUM ANALYZE").unwrap();
        let rows = c
            .query(&sample_sql(), &[])
            .unwrap()
            .iter()
            .map(|r| {
                let t = |i: usize| r.get::<_, Option<String>>(i).unwrap_or_default();
                (
                    t(0),
                    [
                        r.get::<_, i64>(1).to_string(),
                        t(2),
                        t(3),
                        t(4),
                        t(5),
                        t(6),
                        t(7),
                    ],
                )
            })
            .collect();
        check(rows);
        drop(c);
        admin
            .batch_execute(&format!("ALTER DATABASE {name}_building RENAME TO {name}"))
            .unwrap();
    }
    url
}

fn location(postgres: bool) -> String {
    if postgres {
        postgres_store()
    } else {
        sqlite_store()
    }
}

/// The console's limit.
const LIMIT: u32 = 100;

/// The word index: `Store::search`, as the console calls it.
#[divan::bench(args = args(), sample_count = 50)]
fn word_index(bencher: divan::Bencher, a: Arg) {
    let mut s = store::open(&location(a.postgres), &Settings::default()).unwrap();
    let found = s.search(a.query, LIMIT).unwrap().len();
    eprintln!("[{a}] the word index finds {found}");
    bencher.bench_local(|| s.search(a.query, LIMIT).unwrap());
}

/// The LIKE scan the index replaced: each word a substring of `search_text`
/// (the statement `sql::search` ran before, same columns, order and limit).
fn like_sql(words: usize, postgres: bool) -> String {
    let mark = |i: usize| {
        if postgres {
            format!("${i}")
        } else {
            format!("?{i}")
        }
    };
    let conditions: Vec<String> = (1..=words)
        .map(|i| format!("search_text LIKE {} ESCAPE '\\'", mark(i)))
        .collect();
    format!(
        "SELECT {} FROM cases WHERE {} ORDER BY id DESC LIMIT {}",
        CASE_COLUMNS.join(", "),
        conditions.join(" AND "),
        mark(words + 1)
    )
}

/// The LIKE patterns of a query, made as the scan made them.
fn like_words(query: &str) -> Vec<String> {
    citydesk::text::search_key(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(6)
        .map(|w| {
            let escaped = w
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        })
        .collect()
}

#[divan::bench(args = args(), sample_count = 10, sample_size = 1)]
fn like_scan(bencher: divan::Bencher, a: Arg) {
    let words = like_words(a.query);
    let sql = like_sql(words.len(), a.postgres);
    let limit = i64::from(LIMIT);
    if a.postgres {
        let mut c = postgres::Client::connect(&location(true), postgres::NoTls).unwrap();
        let stmt = c.prepare(&sql).unwrap();
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = words
            .iter()
            .map(|w| w as &(dyn postgres::types::ToSql + Sync))
            .collect();
        params.push(&limit);
        let found = c.query(&stmt, &params).unwrap().len();
        eprintln!("[{a}] the LIKE scan finds {found}");
        bencher.bench_local(|| c.query(&stmt, &params).unwrap());
    } else {
        let c = rusqlite::Connection::open(location(false)).unwrap();
        let mut stmt = c.prepare(&sql).unwrap();
        let mut params: Vec<rusqlite::types::Value> = words
            .iter()
            .map(|w| rusqlite::types::Value::Text(w.clone()))
            .collect();
        params.push(rusqlite::types::Value::Integer(limit));
        let run = |stmt: &mut rusqlite::Statement| -> usize {
            let mut rows = stmt.query(rusqlite::params_from_iter(&params)).unwrap();
            let mut n = 0;
            while rows.next().unwrap().is_some() {
                n += 1;
            }
            n
        };
        eprintln!("[{a}] the LIKE scan finds {}", run(&mut stmt));
        bencher.bench_local(|| run(&mut stmt));
    }
}
