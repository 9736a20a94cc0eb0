//! Every screen of the console at 80x24, 120x40 and 200x60, as snapshots (insta,
//! TestBackend) with a fixed clock and fixed data; and every screen in Persian
//! at 80x24 and 120x40 in both bidi modes (`fa_app_*`, `fa_terminal_*`). Review changes with
//! `cargo insta review`; the files live in tests/snapshots/.

mod common;

use chrono::Duration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use citydesk::app::modal::Overlay;
use citydesk::app::{App, Command, Counts, Effect, Msg, Reach, Reply, Session, update};
use citydesk::bidi::BidiMode;
use citydesk::domain::case::{CaseRecord, Contact, Feedback, Status};
use citydesk::domain::event::{Event, What};
use citydesk::domain::roles::Role;
use citydesk::domain::shift::Shift;
use citydesk::domain::workflow::{self, Action};
use citydesk::locale::Lang;
use citydesk::store::{Draft, QueueCounts, QueuePage, StoreError};
use common::console::{app, case, handover, now, press};

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];
/// The Persian console's sizes (each in both bidi modes).
const SIZES_FA: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Builds and shoots a screen in every look: English, then Persian with the
/// app putting right-to-left text in order (`fa_app_*`), then Persian with
/// the terminal doing it (`fa_terminal_*`). `common::console::app` builds
/// the console in the look being shot, so every word on it is of that
/// language (notices included).
fn in_every_look(build_and_shoot: impl Fn()) {
    for look in [None, Some(BidiMode::App), Some(BidiMode::Terminal)] {
        common::console::set_look(look.map(|m| (Lang::Fa, m)));
        build_and_shoot();
    }
    common::console::set_look(None);
}

fn shot(name: &str, a: &App) {
    let (prefix, sizes): (&str, &[(u16, u16)]) = match common::console::look() {
        None => ("", &SIZES),
        Some((_, BidiMode::App)) => ("fa_app_", &SIZES_FA),
        Some((_, BidiMode::Terminal)) => ("fa_terminal_", &SIZES_FA),
    };
    for &(w, h) in sizes {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| citydesk::ui::render(a, f)).unwrap();
        insta::assert_snapshot!(format!("{prefix}{name}_{w}x{h}"), term.backend());
    }
}

fn answer(
    a: &mut App,
    fx: &[Effect],
    pred: impl Fn(&Command) -> bool,
    reply: Reply,
) -> Vec<Effect> {
    let id = fx
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Store { id, command } if pred(command) => Some(*id),
            _ => None,
        })
        .expect("asked");
    update(a, Msg::Reply { id, reply })
}

fn page(cases: Vec<citydesk::domain::case::Case>) -> QueuePage {
    QueuePage {
        total: cases.len() as u64 * 10,
        cases,
    }
}

fn counts() -> Counts {
    Counts {
        queues: QueueCounts {
            unreferred: 3,
            overdue: 12,
            due_soon: 4,
            feedback: 7,
            follow_up: 2,
            mine: 1,
        },
        at_work: vec!["Maryam Ahmadi".into(), "Reza Karimi".into()],
    }
}

/// A working console on the unreferred queue with a few cases.
fn queue_app() -> App {
    let mut a = app(Role::Operator);
    let fx = update(&mut a, Msg::Changed);
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Counts { .. }),
        Reply::Counts(Ok(counts())),
    );
    let mut urgent = case(11, "tree-fallen", 1, &[]);
    urgent.priority = citydesk::domain::case::Priority::Urgent;
    let rows = vec![
        urgent,
        case(12, "pothole", 80, &[]),
        case(13, "trash-missed", 20, &[]),
        case(14, "graffiti", 3, &[]),
    ];
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Queue { .. }),
        Reply::Rows(Ok(page(rows))),
    );
    a
}

fn record() -> CaseRecord {
    let c = case(
        21,
        "pothole",
        30,
        &[
            Action::Refer {
                department: "d3".into(),
                assignee: None,
                comment: None,
            },
            Action::Resolve {
                response: "چاله با آسفالت سرد پر شد".into(),
            },
            Action::Feedback {
                result: Feedback::Dissatisfied,
                comment: Some("هنوز گود است".into()),
            },
        ],
    );
    let ev = |seq, from, to, what| Event {
        seq,
        at: now() - Duration::hours(30 - seq * 5),
        actor: "ali".into(),
        shift: Shift::parse("2026-11-27/evening").unwrap(),
        from,
        to,
        what,
    };
    CaseRecord {
        timeline: vec![
            ev(1, None, Some(Status::Registered), workflow::registered(&c)),
            ev(
                2,
                Some(Status::Registered),
                Some(Status::Referred),
                What::Refer {
                    department: "d3".into(),
                    assignee: None,
                    escalation_level: None,
                    due_at: None,
                    comment: None,
                },
            ),
            ev(
                3,
                Some(Status::Referred),
                Some(Status::Resolved),
                What::Resolve {
                    response: "چاله با آسفالت سرد پر شد".into(),
                },
            ),
            ev(
                4,
                Some(Status::Resolved),
                Some(Status::FollowUp),
                What::Feedback {
                    result: Feedback::Dissatisfied,
                    attempt: None,
                    attempts_allowed: None,
                    comment: Some("هنوز گود است".into()),
                },
            ),
        ],
        contacts: vec![
            Contact {
                at: c.received_at,
                channel: c.channel,
                name: c.citizen_name.clone(),
                phone: c.citizen_phone.clone(),
                comment: None,
                registered_by: "ali".into(),
            },
            Contact {
                at: now() - Duration::hours(2),
                channel: citydesk::domain::case::Channel::Sms,
                name: "همسایه".into(),
                phone: "09350001111".into(),
                comment: Some("same hole".into()),
                registered_by: "ali".into(),
            },
        ],
        case: c,
    }
}

fn case_app(role: Role) -> App {
    let mut a = queue_app();
    a.cx.session = citydesk::app::Session::Working(common::console::operator("sara", role));
    let r = record();
    let fx = update(&mut a, Msg::Changed);
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Queue { .. }),
        Reply::Rows(Ok(page(vec![r.case.clone()]))),
    );
    let fx = press(&mut a, "<Enter>");
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Case(_)),
        Reply::Case(Ok(r)),
    );
    a
}

#[test]
fn setup_screen() {
    in_every_look(|| {
        let mut a = app(Role::Operator);
        a.cx.session = Session::setup();
        press(&mut a, "sam<Tab>سام شریفی<Tab>short<Tab>short<Enter>");
        shot("setup", &a);
    });
}

#[test]
fn login_screen() {
    in_every_look(|| {
        let mut a = app(Role::Operator);
        a.cx.session = Session::login(Some("ali"));
        press(&mut a, "secret");
        shot("login", &a);
    });
}

#[test]
fn queue_screen() {
    in_every_look(|| {
        shot("queue", &queue_app());
    });
}

#[test]
fn empty_queue_screen() {
    in_every_look(|| {
        let mut a = app(Role::Operator);
        let fx = press(&mut a, "6");
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Queue { .. }),
            Reply::Rows(Ok(page(vec![]))),
        );
        shot("queue_empty", &a);
    });
}

#[test]
fn intake_choosing_a_service() {
    in_every_look(|| {
        let mut a = queue_app();
        press(&mut a, "<F2>۰۹۱۲ ۱۲۳ ۴۵۶۷<Tab>مریم احمدی<Tab>tree");
        shot("intake_service", &a);
    });
}

#[test]
fn intake_with_earlier_cases_and_a_mistake() {
    in_every_look(|| {
        let mut a = queue_app();
        let fx = press(&mut a, "<F2>09121234567");
        let earlier = vec![
            case(31, "pothole", 40, &[]),
            case(
                32,
                "trash-missed",
                150,
                &[Action::Cancel {
                    reason: citydesk::domain::case::CancelReason::Withdrawn,
                    duplicate_of: None,
                    comment: None,
                }],
            ),
        ];
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Related { .. }),
            Reply::Related(Ok(earlier)),
        );
        press(
            &mut a,
            "<Tab>مریم احمدی<Tab>pothole<Enter>کوی خضر<Enter><Tab>چاله<C-s>",
        );
        shot("intake_related", &a);
    });
}

#[test]
fn saved_code_read_aloud() {
    in_every_look(|| {
        let mut a = queue_app();
        let fx = press(
            &mut a,
            "<F2>09121234567<Tab>مریم<Tab>pothole<Enter>کوی خضر<Enter>خیابان<Tab>چاله<C-s>",
        );
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Register { .. }),
            Reply::Registered(Ok(case(41, "pothole", 0, &[]))),
        );
        shot("saved", &a);
    });
}

#[test]
fn case_screen() {
    in_every_look(|| {
        shot("case", &case_app(Role::FollowUpOfficer));
    });
}

#[test]
fn case_screen_for_an_operator_shows_what_is_disabled() {
    in_every_look(|| {
        shot("case_operator", &case_app(Role::Operator));
    });
}

#[test]
fn case_with_a_refer_prompt() {
    in_every_look(|| {
        let mut a = case_app(Role::FollowUpOfficer);
        press(&mut a, "r");
        press(&mut a, "<BS><BS>park<Tab>reza");
        shot("case_refer", &a);
    });
}

#[test]
fn case_with_a_feedback_prompt() {
    in_every_look(|| {
        let mut a = case_app(Role::FollowUpOfficer);
        a.case.record.as_mut().unwrap().case.status = Status::Resolved;
        press(&mut a, "f<Right><Tab>still a hole");
        shot("case_feedback", &a);
    });
}

#[test]
fn search_results() {
    in_every_look(|| {
        let mut a = queue_app();
        let fx = press(&mut a, "/مریم<Enter>");
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Search(_)),
            Reply::Rows(Ok(page(vec![
                case(51, "pothole", 5, &[]),
                case(52, "graffiti", 50, &[]),
            ]))),
        );
        shot("search", &a);
    });
}

#[test]
fn help_overlay() {
    in_every_look(|| {
        let mut a = queue_app();
        press(&mut a, "?");
        shot("help", &a);
    });
}

#[test]
fn restore_draft_question() {
    in_every_look(|| {
        let mut a = queue_app();
        a.overlay = Some(Overlay::Restore(Draft {
            operator: "ali".into(),
            saved_at: now() - Duration::minutes(7),
            body: "{}".into(),
        }));
        shot("restore", &a);
    });
}

#[test]
fn store_unreachable_while_saving() {
    in_every_look(|| {
        let mut a = queue_app();
        let fx = press(
            &mut a,
            "<F2>09121234567<Tab>مریم<Tab>pothole<Enter>کوی خضر<Enter>خیابان<Tab>چاله<C-s>",
        );
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Register { .. }),
            Reply::Registered(Err(StoreError::Unreachable("connection refused".into()))),
        );
        shot("store_down", &a);
    });
}

/// The follow-up queue: each row says why the case is there.
#[test]
fn follow_up_queue_says_why() {
    in_every_look(|| {
        let mut a = app(Role::FollowUpOfficer);
        let fx = press(&mut a, "5");
        let dissatisfied = case(
            61,
            "pothole",
            200,
            &[
                Action::Refer {
                    department: "d3".into(),
                    assignee: None,
                    comment: None,
                },
                Action::Resolve {
                    response: "done".into(),
                },
                Action::Feedback {
                    result: Feedback::Dissatisfied,
                    comment: None,
                },
            ],
        );
        let escalated = case(
            62,
            "street-light-out",
            100,
            &[Action::Escalate {
                reason: "third call".into(),
            }],
        );
        let long_overdue = case(63, "trash-missed", 60, &[]);
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Queue { .. }),
            Reply::Rows(Ok(page(vec![dissatisfied, escalated, long_overdue]))),
        );
        shot("queue_follow_up", &a);
    });
}

#[test]
fn filter_line_open() {
    in_every_look(|| {
        let mut a = queue_app();
        press(&mut a, "fدرخت<Tab>3");
        shot("queue_filter", &a);
    });
}

#[test]
fn intake_repeat_caller_and_department_list() {
    in_every_look(|| {
        let mut a = queue_app();
        let fx = press(&mut a, "<F2>09121234567");
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Related { .. }),
            Reply::Related(Ok(vec![case(71, "trash-missed", 50, &[])])),
        );
        press(&mut a, "<C-p>زباله<Enter>دوباره نبردند<Tab>");
        shot("intake_caller_department", &a);
    });
}

#[test]
fn intake_district_by_number() {
    in_every_look(|| {
        let mut a = queue_app();
        press(
            &mut a,
            "<F2>09121234567<Tab>مریم<Tab>pothole<Enter>کوچه باغ<Tab>",
        );
        shot("intake_district", &a);
    });
}

#[test]
fn case_with_a_close_prompt_and_outcomes() {
    in_every_look(|| {
        let mut a = case_app(Role::FollowUpOfficer);
        press(&mut a, "c<Right><Tab>private land");
        shot("case_close", &a);
    });
}

#[test]
fn case_with_a_call_back_prompt() {
    in_every_look(|| {
        let mut a = case_app(Role::FollowUpOfficer);
        press(&mut a, "b2026-12-0");
        shot("case_call_back", &a);
    });
}

/// A supervisor's console after signing in, the queues counted.
fn supervisor_app() -> App {
    let mut a = app(Role::Supervisor);
    let fx = update(&mut a, Msg::Changed);
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Counts { .. }),
        Reply::Counts(Ok(counts())),
    );
    a
}

#[test]
fn handover_screen() {
    in_every_look(|| {
        let mut a = supervisor_app();
        let fx = press(&mut a, "h");
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Handover(_)),
            Reply::Handover(Ok(handover(Some(
                "Water main break on Ferdowsi St: many calls expected.\nلوله اصلی خیابان فردوسی شکسته؛ تماس‌ها زیاد خواهد بود.",
            )))),
        );
        shot("handover", &a);
    });
}

#[test]
fn handover_notes_being_written() {
    in_every_look(|| {
        let mut a = supervisor_app();
        let fx = press(&mut a, "h");
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Handover(_)),
            Reply::Handover(Ok(handover(None))),
        );
        press(&mut a, "<Tab>nCall reza back about 1<Enter>لوله شکسته");
        shot("handover_notes", &a);
    });
}

#[test]
fn figures_screen() {
    in_every_look(|| {
        use citydesk::report::figures::{Figures, GroupBy, Report};
        let mut a = supervisor_app();
        let fx = press(&mut a, "m");
        let fig = |contacts: u64, on_time: u64, late: u64, median: i64, satisfied: u64| Figures {
            contacts,
            cases: contacts,
            on_time,
            late,
            on_time_share: Some(on_time as f64 / (on_time + late) as f64),
            answered: on_time + late,
            median_answer_seconds: Some(median),
            feedback_calls: satisfied + 2,
            satisfied,
            dissatisfied: 2,
            satisfaction: Some(satisfied as f64 / (satisfied + 2) as f64),
            backlog: [3, 2, 1, 0, 0],
            ..Figures::default()
        };
        let rows = vec![
            ("d3".to_owned(), fig(412, 300, 60, 30 * 3600, 88)),
            ("parks".to_owned(), fig(151, 120, 9, 20 * 3600, 40)),
            ("traffic".to_owned(), fig(96, 40, 41, 90 * 3600, 12)),
        ];
        let report = Report {
            from: now() - Duration::days(29),
            to: now() + Duration::hours(14),
            by: GroupBy::Department,
            total: fig(659, 460, 110, 33 * 3600, 140),
            rows,
        };
        let today: Vec<u64> = (0..24)
            .map(|h| if (8..11).contains(&h) { h * 3 } else { 1 })
            .collect();
        let last_week: Vec<u64> = (0..24)
            .map(|h| if (7..20).contains(&h) { 12 } else { 2 })
            .collect();
        answer(
            &mut a,
            &fx,
            |c| matches!(c, Command::Report { .. }),
            Reply::Report(Ok((report, [today, last_week]))),
        );
        shot("figures", &a);
    });
}

/// The first-run check of a Persian console: a sample drawn both ways.
#[test]
fn first_run_bidi_check() {
    in_every_look(|| {
        let mut a = queue_app();
        a.overlay = Some(Overlay::BidiCheck);
        shot("bidi_check", &a);
    });
}

/// On a new store the check comes up over the setup box (wider and taller
/// than it would be alone) and hides it: no border of the setup box shows
/// around the check until the check is answered.
#[test]
fn first_run_bidi_check_hides_the_setup_box() {
    in_every_look(|| {
        let mut a = app(Role::Operator);
        a.cx.session = Session::setup();
        a.overlay = Some(Overlay::BidiCheck);
        shot("bidi_check_setup", &a);
        for (w, h) in [(80, 24), (120, 40)] {
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| citydesk::ui::render(&a, f)).unwrap();
            let buf = term.backend().buffer();
            let rows: Vec<String> = (0..h)
                .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
                .collect();
            // The check's box: the rows from its top border to its bottom.
            let top = rows.iter().position(|r| r.contains('┌')).unwrap();
            let bottom = rows.iter().rposition(|r| r.contains('└')).unwrap();
            assert_eq!(
                rows.iter().filter(|r| r.contains('┌')).count(),
                1,
                "one box ({w}x{h}):\n{}",
                rows.join("\n")
            );
            for (y, r) in rows.iter().enumerate() {
                if y < top || y > bottom {
                    assert!(r.trim().is_empty(), "row {y} beside the check: {r:?}");
                }
            }
        }
    });
}

/// The drawn rows of `a` at `w`x`h`.
fn drawn(a: &App, w: u16, h: u16) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| citydesk::ui::render(a, f)).unwrap();
    let buf = term.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// The header as drawn at `w`x`h`: its text, and what of it is drawn as
/// trouble (`theme::error`, the style of STORE UNREACHABLE), in any look.
fn header_trouble(a: &App, w: u16, h: u16) -> (String, String) {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| citydesk::ui::render(a, f)).unwrap();
    let buf = term.backend().buffer();
    let error = citydesk::ui::theme::error();
    let (mut all, mut trouble) = (String::new(), String::new());
    for x in 0..w {
        let cell = &buf[(x, 0)];
        all.push_str(cell.symbol());
        if cell.fg == error.fg.unwrap() && cell.modifier.contains(error.add_modifier) {
            trouble.push_str(cell.symbol());
        }
    }
    (all, trouble.trim().to_owned())
}

/// Issue 10: a console left idle (a call half typed) hears from the watcher that
/// the store stopped answering (`Msg::Store`): the header says so at once,
/// in every look, and stops saying so when the store is back; nothing is
/// asked of the store meanwhile but the refresh that follows, and nothing
/// typed is touched.
#[test]
fn an_idle_console_shows_the_store_down_when_the_watcher_says_so() {
    in_every_look(|| {
        let mut a = queue_app();
        // Something typed and not yet saved, on the intake form, and left.
        press(&mut a, "<F2>09121234567<Tab>مریم");
        let typed = a.intake.form.to_input(&a.cx.catalog);
        // In English the words themselves; in Persian (shaped, reordered)
        // as many letters, drawn as trouble.
        let down = a.cx.words.t("app.store-down").to_owned();
        let english = common::console::look().is_none();
        for (w, h) in [(80, 24), (120, 40)] {
            let (header, trouble) = header_trouble(&a, w, h);
            assert!(
                trouble.is_empty() && !header.contains(&down),
                "not before: {header}"
            );
        }
        let fx = update(
            &mut a,
            Msg::Store(Reach::Unreachable(StoreError::Unreachable(
                "the server stopped answering".into(),
            ))),
        );
        assert!(
            fx.is_empty(),
            "nothing asked of a store that is down: {fx:?}"
        );
        assert!(a.cx.store_down);
        let said = &a.cx.notice.as_ref().expect("the status line says it").text;
        assert_eq!(
            said,
            &a.cx
                .words
                .fill("app.store-lost", &[("why", "the server stopped answering")]),
            "an idle console is not told that nothing was saved"
        );
        for (w, h) in [(80, 24), (120, 40)] {
            let (header, trouble) = header_trouble(&a, w, h);
            assert_eq!(
                trouble.chars().filter(|c| c.is_alphanumeric()).count(),
                down.chars().filter(|c| c.is_alphanumeric()).count(),
                "the header ({w}x{h}) says the store is down: {header}"
            );
            if english {
                assert_eq!(trouble, down);
                let rows = drawn(&a, w, h);
                assert!(
                    rows[h as usize - 1].contains("stopped answering"),
                    "the status line says why ({w}x{h}): {}",
                    rows[h as usize - 1]
                );
            }
        }
        update(&mut a, Msg::Store(Reach::Reachable));
        assert!(!a.cx.store_down);
        assert!(a.cx.notice.is_none(), "the word of it goes too");
        for (w, h) in [(80, 24), (120, 40)] {
            let (header, trouble) = header_trouble(&a, w, h);
            assert!(trouble.is_empty(), "cleared ({w}x{h}): {header}");
        }
        assert_eq!(
            a.intake.form.to_input(&a.cx.catalog),
            typed,
            "what was typed is untouched"
        );
    });
}

/// A notice on the status line is not replaced by the watcher's word; the
/// header says it all the same.
#[test]
fn the_watcher_does_not_replace_a_notice() {
    let mut a = queue_app();
    a.cx.note("Registered: read the code");
    update(
        &mut a,
        Msg::Store(Reach::Unreachable(StoreError::Unreachable("x".into()))),
    );
    assert!(a.cx.store_down);
    assert_eq!(
        a.cx.notice.as_ref().unwrap().text,
        "Registered: read the code"
    );
    update(&mut a, Msg::Store(Reach::Reachable));
    assert!(!a.cx.store_down);
    assert_eq!(
        a.cx.notice.as_ref().unwrap().text,
        "Registered: read the code"
    );
}

/// One rule for clearing the header: while a registration the store did
/// not take waits to be tried again, the store answering (a reply, or the
/// watcher's word) does not clear it; the watcher's word sends the kept
/// registration at once (same request id), and its saving clears it.
#[test]
fn the_store_back_does_not_clear_the_header_while_a_call_waits_to_be_saved() {
    let mut a = queue_app();
    let fx = press(
        &mut a,
        "<F2>09121234567<Tab>مریم<Tab>pothole<Enter>کوی خضر<Enter>خیابان<Tab>چاله<C-s>",
    );
    let first = fx
        .iter()
        .find_map(|e| match e {
            Effect::Store {
                command: Command::Register { input, .. },
                ..
            } => Some(input.request_id.clone()),
            _ => None,
        })
        .expect("a registration");
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Register { .. }),
        Reply::Registered(Err(StoreError::Unreachable("connection refused".into()))),
    );
    assert!(a.cx.store_down && a.intake.retrying());
    let fx = update(&mut a, Msg::Store(Reach::Reachable));
    assert!(a.cx.store_down, "still down: the call is not saved yet");
    assert!(fx.is_empty(), "{fx:?}");
    // A reply from the store does not clear it either (the same rule).
    let fx = update(&mut a, Msg::Changed);
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Counts { .. }),
        Reply::Counts(Ok(counts())),
    );
    assert!(a.cx.store_down, "a reply while the call waits");
    // The next tick sends the kept call, not three seconds later.
    let ms = a.cx.ms + 100;
    let fx = update(
        &mut a,
        Msg::Tick {
            now: common::console::now(),
            ms,
        },
    );
    let again = fx
        .iter()
        .find_map(|e| match e {
            Effect::Store {
                command: Command::Register { input, .. },
                ..
            } => Some(input.request_id.clone()),
            _ => None,
        })
        .expect("the kept call is tried again at once");
    assert_eq!(again, first, "the same submission");
    answer(
        &mut a,
        &fx,
        |c| matches!(c, Command::Register { .. }),
        Reply::Registered(Ok(case(3, "pothole", 0, &[]))),
    );
    assert!(!a.cx.store_down);
    let down = a.cx.words.t("app.store-down").to_owned();
    assert!(!drawn(&a, 120, 40)[0].contains(&down));
}
