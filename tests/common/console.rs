//! Driving the console's App without a terminal: key strings in, state and
//! effects out. `<F2>`, `<Tab>`, `<S-Tab>`, `<C-s>`, `<Enter>`, `<Esc>`,
//! `<Up>`, `<Down>`, `<Left>`, `<Right>`, `<BS>`; anything else is typed.

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use citydesk::app::{App, Effect, Msg, Session, update};
use citydesk::bidi::BidiMode;
use citydesk::domain::case::Case;
use citydesk::domain::catalog::Catalog;
use citydesk::domain::intake::{self, CaseInput, Rules};
use citydesk::domain::roles::{Actor, Role};
use citydesk::domain::tracking::TrackingCode;
use citydesk::domain::workflow::{self, Action};
use citydesk::keymap::Keymap;
use citydesk::locale::Lang;
use citydesk::store::{Operator, Settings};

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-28T06:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn operator(name: &str, role: Role) -> Operator {
    Operator {
        name: name.into(),
        display_name: "علی رضایی".into(),
        role,
        active: true,
        created_at: now() - Duration::days(30),
        created_by: Some("admin".into()),
        password_hash: None,
    }
}

thread_local! {
    /// The language and bidi mode `app` builds consoles in (None: English,
    /// as `App::new` makes them).
    static LOOK: std::cell::Cell<Option<(Lang, BidiMode)>> = const { std::cell::Cell::new(None) };
}

/// Consoles built on this thread from now on speak `look`'s language.
#[allow(dead_code)] // not every test file shoots Persian screens
pub fn set_look(look: Option<(Lang, BidiMode)>) {
    LOOK.with(|l| l.set(look));
}

#[allow(dead_code)]
pub fn look() -> Option<(Lang, BidiMode)> {
    LOOK.with(std::cell::Cell::get)
}

/// A console signed in as `role` (in the look `set_look` chose).
pub fn app(role: Role) -> App {
    let a = App::new(
        Session::Working(operator("ali", role)),
        Catalog::builtin(),
        Settings::default(),
        Keymap::default(),
        "/var/lib/citydesk/citydesk.db".into(),
        now(),
    );
    match LOOK.with(std::cell::Cell::get) {
        Some((lang, mode)) => a.display(lang, mode),
        None => a,
    }
}

pub fn parse_keys(s: &str) -> Vec<KeyEvent> {
    let mut out = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<')
            && let Some(end) = after.find('>')
        {
            let name = &after[..end];
            let (code, mods) = match name {
                "Tab" => (KeyCode::Tab, KeyModifiers::NONE),
                "S-Tab" => (KeyCode::BackTab, KeyModifiers::SHIFT),
                "Enter" => (KeyCode::Enter, KeyModifiers::NONE),
                "Esc" => (KeyCode::Esc, KeyModifiers::NONE),
                "Up" => (KeyCode::Up, KeyModifiers::NONE),
                "Down" => (KeyCode::Down, KeyModifiers::NONE),
                "Left" => (KeyCode::Left, KeyModifiers::NONE),
                "Right" => (KeyCode::Right, KeyModifiers::NONE),
                "BS" => (KeyCode::Backspace, KeyModifiers::NONE),
                n if n.starts_with('F') => {
                    (KeyCode::F(n[1..].parse().unwrap()), KeyModifiers::NONE)
                }
                n if n.starts_with("C-") => (
                    KeyCode::Char(n[2..].chars().next().unwrap()),
                    KeyModifiers::CONTROL,
                ),
                other => panic!("unknown key <{other}>"),
            };
            out.push(KeyEvent::new(code, mods));
            rest = &after[end + 1..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Feeds keys; returns every effect they produced.
pub fn press(app: &mut App, keys: &str) -> Vec<Effect> {
    parse_keys(keys)
        .into_iter()
        .flat_map(|k| update(app, Msg::Key(k)))
        .collect()
}

/// A case as the store would hold it, driven through `actions` at `now()`.
pub fn case(serial: u64, service: &str, received_ago_hours: i64, actions: &[Action]) -> Case {
    let input = CaseInput {
        phone: "09121234567".into(),
        name: "مریم احمدی".into(),
        service: service.into(),
        district: "3".into(),
        neighborhood: "کوی خضر".into(),
        address: "خیابان فردوسی، کوچه ۱۲".into(),
        description: "چاله بزرگ جلوی پلاک ۱۲\nخطرناک برای موتورسوارها".into(),
        received_at: Some(now() - Duration::hours(received_ago_hours)),
        ..CaseInput::default()
    };
    let by = Actor {
        name: "ali".into(),
        role: Role::Supervisor,
    };
    let (mut c, _) = intake::register(&input, &Catalog::builtin(), &Rules::default(), &by, now())
        .unwrap()
        .with_code(TrackingCode::from_serial(
            citydesk::domain::tracking::CodeKey::LEGACY,
            serial,
        ));
    for a in actions {
        c = workflow::apply(&c, a, &by, &Catalog::builtin(), &Settings::default(), now())
            .unwrap()
            .case;
    }
    c
}

/// The night shift's handover: a few people's work and the lists handed over.
pub fn handover(notes: Option<&str>) -> citydesk::report::handover::Handover {
    use citydesk::domain::case::{Category, Channel};
    use citydesk::report::handover::{Activity, HandedOver, HandoverRecord, ListKind, Work};
    let shift = citydesk::domain::shift::Shift::parse("2026-11-27/night").unwrap();
    let work = |contacts, referred, resolved, closed, feedback_calls, escalations| Work {
        contacts,
        referred,
        resolved,
        closed,
        cancelled: 0,
        feedback_calls,
        escalations,
        other: 1,
    };
    let activity = Activity {
        registered: 41,
        attached: 6,
        contacts_by_channel: [(Channel::Phone, 38), (Channel::Sms, 6), (Channel::Web, 3)].into(),
        contacts_by_category: [
            (Category::UrbanServices, 29),
            (Category::TransportTraffic, 11),
            (Category::PublicPlaces, 7),
        ]
        .into(),
        feedback: [
            (citydesk::domain::case::Feedback::Satisfied, 9),
            (citydesk::domain::case::Feedback::Dissatisfied, 2),
        ]
        .into(),
        all: work(47, 39, 4, 6, 11, 2),
        by_operator: [
            ("maryam".to_owned(), work(25, 21, 0, 0, 0, 0)),
            ("reza".to_owned(), work(22, 18, 0, 0, 0, 0)),
            ("sara".to_owned(), work(0, 0, 4, 6, 11, 2)),
        ]
        .into(),
    };
    let list =
        |kind, total, cases: Vec<citydesk::domain::case::Case>| HandedOver { kind, total, cases };
    let refer = Action::Refer {
        department: "d3".into(),
        assignee: None,
        comment: None,
    };
    citydesk::report::handover::Handover {
        shift: shift.clone(),
        start: now() - Duration::hours(11),
        end: now() - Duration::hours(3),
        next: citydesk::domain::shift::Shift::parse("2026-11-28/morning").unwrap(),
        as_of: now(),
        next_end: now() + Duration::hours(5),
        activity,
        lists: vec![
            list(
                ListKind::Overdue,
                57,
                vec![
                    case(31, "water-leak", 30, std::slice::from_ref(&refer)),
                    case(32, "pothole", 200, std::slice::from_ref(&refer)),
                ],
            ),
            list(
                ListKind::DueNextShift,
                1,
                vec![case(33, "trash-missed", 20, &[])],
            ),
            list(ListKind::Unreferred, 3, vec![case(34, "graffiti", 5, &[])]),
            list(ListKind::FeedbackPending, 0, vec![]),
            list(ListKind::FollowUp, 0, vec![]),
            list(ListKind::HeldByOutgoing, 0, vec![]),
        ],
        record: notes.map(|n| HandoverRecord {
            shift,
            notes: n.to_owned(),
            noted_by: Some("sara".into()),
            noted_at: Some(now() - Duration::hours(3)),
            accepted_by: None,
            accepted_at: None,
        }),
    }
}
