//! One frame of the busiest screen: the queue full of Persian cases (every
//! row shaped and reordered per cell in bidi = app, isolated per cell in
//! bidi = terminal), drawn into a TestBackend at 120x40 and 200x60, beside
//! the same screen in English for the ratio. Rendering only: no store.
//!
//! Run: `cargo bench --bench frame`. Results: BENCHMARKS.md.

use chrono::{DateTime, Duration, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use citydesk::app::{App, Command, Counts, Effect, Msg, Reply, Session, update};
use citydesk::bidi::BidiMode;
use citydesk::domain::case::Case;
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::{self, CaseInput, Rules};
use citydesk::domain::roles::{Actor, Role};
use citydesk::domain::tracking::{CodeKey, TrackingCode};
use citydesk::keymap::Keymap;
use citydesk::locale::Lang;
use citydesk::store::{Operator, QueueCounts, QueuePage, Settings};

fn main() {
    divan::main();
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

const SERVICES: [&str; 5] = [
    "pothole",
    "tree-fallen",
    "trash-missed",
    "graffiti",
    "street-light-out",
];
const NAMES: [&str; 4] = ["مریم احمدی", "رضا کریمی", "زهرا موسوی", "علی حسینی"];

fn case(serial: u64) -> Case {
    let i = serial as usize;
    let input = CaseInput {
        phone: "09121234567".into(),
        name: NAMES[i % NAMES.len()].into(),
        service: SERVICES[i % SERVICES.len()].into(),
        district: "3".into(),
        neighborhood: "کوی خضر".into(),
        address: "خیابان فردوسی، کوچه ۱۲ (پلاک ۴)".into(),
        description: "چاله بزرگ جلوی پلاک ۱۲، خطرناک برای موتورسوارها".into(),
        received_at: Some(now() - Duration::hours(serial as i64 * 3 + 1)),
        ..CaseInput::default()
    };
    let by = Actor {
        name: "ali".into(),
        role: Role::Supervisor,
    };
    intake::register(&input, &Catalog::builtin(), &Rules::default(), &by, now())
        .unwrap()
        .with_code(TrackingCode::from_serial(CodeKey::LEGACY, 1000 + serial))
        .0
}

/// A console on a full unreferred queue, in `look` (None: English).
fn queue_app(look: Option<BidiMode>) -> App {
    let me = Operator {
        name: "ali".into(),
        display_name: "علی رضایی".into(),
        role: Role::Operator,
        active: true,
        created_at: now() - Duration::days(30),
        created_by: None,
        password_hash: None,
    };
    let mut a = App::new(
        Session::Working(me),
        Catalog::builtin(),
        Settings::default(),
        Keymap::default(),
        "/var/lib/citydesk/citydesk.db".into(),
        now(),
    );
    if let Some(mode) = look {
        a = a.display(Lang::Fa, mode);
    }
    let fx = update(&mut a, Msg::Changed);
    for e in fx {
        let Effect::Store { id, command } = e else {
            continue;
        };
        let reply = match command {
            Command::Counts { .. } => Reply::Counts(Ok(Counts {
                queues: QueueCounts {
                    unreferred: 60,
                    overdue: 12,
                    due_soon: 4,
                    feedback: 7,
                    follow_up: 2,
                    mine: 1,
                },
                at_work: vec!["مریم احمدی".into(), "رضا کریمی".into()],
            })),
            Command::Queue { .. } => Reply::Rows(Ok(QueuePage {
                total: 60,
                cases: (0..60).map(case).collect(),
            })),
            _ => continue,
        };
        update(&mut a, Msg::Reply { id, reply });
    }
    a
}

fn frame(bencher: divan::Bencher, look: Option<BidiMode>, (w, h): (u16, u16)) {
    let a = queue_app(look);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    bencher.bench_local(|| {
        term.draw(|f| citydesk::ui::render(divan::black_box(&a), f))
            .unwrap();
    });
}

const SIZES: [(u16, u16); 2] = [(120, 40), (200, 60)];

#[divan::bench(args = SIZES)]
fn queue_fa_app(bencher: divan::Bencher, size: (u16, u16)) {
    frame(bencher, Some(BidiMode::App), size);
}

#[divan::bench(args = SIZES)]
fn queue_fa_terminal(bencher: divan::Bencher, size: (u16, u16)) {
    frame(bencher, Some(BidiMode::Terminal), size);
}

#[divan::bench(args = SIZES)]
fn queue_en(bencher: divan::Bencher, size: (u16, u16)) {
    frame(bencher, None, size);
}
