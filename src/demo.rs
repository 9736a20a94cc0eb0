//! Fills a store with a realistic history, for demonstrations and benchmarks.
//! Every case is driven through the real workflow (`workflow::apply`), so the
//! generated history obeys the same rules as a typed one. Deterministic for a
//! given seed and `now`. Shapes that follow real centers: calls peak in the
//! late morning and evening and are rare at night; phone is half the traffic;
//! a few services take most of the calls; departments answer in a spread of
//! times around part of their deadline, some late; about one caller in eight
//! is unhappy at the feedback call and a few cannot be reached.

use std::sync::mpsc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::domain::case::{
    CancelReason, Case, Channel, Contact, Feedback, Kind, Outcome, Priority, Status,
};
use crate::domain::catalog::{Catalog, Service};
use crate::domain::event::Event;
use crate::domain::intake::{self, CaseInput};
use crate::domain::roles::{Actor, Role};
use crate::domain::workflow::{self, Action};
use crate::store::{ImportCase, Result, Settings, Store};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub cases: u64,
    pub days: u32,
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cases: u64,
    pub total: u64,
    pub seconds: f64,
}

const BATCH: usize = 20_000;

/// Generates `plan.cases` cases ending at `now` and loads them into `store`,
/// showing how many are loaded on `progress` (see `crate::progress::bar`).
pub fn fill(
    store: &mut dyn Store,
    plan: &Plan,
    settings: &Settings,
    now: DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<Report> {
    let started = Instant::now();
    let catalog = store.catalog().clone();
    let settings = settings.clone();
    let plan = *plan;
    progress.set_style(crate::progress::style(crate::progress::template(
        "progress.demo",
    )));
    progress.set_length(plan.cases);
    let (tx, rx) = mpsc::sync_channel::<Vec<ImportCase>>(2);
    // Generation runs beside the inserts, so the two cores are both busy.
    let generator = std::thread::spawn(move || {
        let mut g = Generator::new(&catalog, &settings, plan, now);
        let mut left = plan.cases;
        while left > 0 {
            let n = left.min(BATCH as u64) as usize;
            let batch: Vec<ImportCase> = (0..n).map(|_| g.case()).collect();
            left -= n as u64;
            if tx.send(batch).is_err() {
                return;
            }
        }
    });
    let mut done = 0u64;
    for batch in rx {
        store.import(&batch)?;
        done += batch.len() as u64;
        progress.set_position(done);
    }
    generator.join().expect("the demo generator does not panic");
    progress.finish_and_clear();
    Ok(Report {
        cases: done,
        total: store.case_count()?,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// SplitMix64: small, fast, good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// Log-normal with the given median and spread (sigma of the log).
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let (u1, u2) = (self.unit().max(1e-12), self.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }
}

/// Picks an index with the given weights.
struct Weighted(Vec<f64>);

impl Weighted {
    fn new(weights: &[f64]) -> Self {
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        Weighted(
            weights
                .iter()
                .map(|w| {
                    acc += w / total;
                    acc
                })
                .collect(),
        )
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.0.partition_point(|&c| c < u).min(self.0.len() - 1)
    }
}

/// Share of calls by local hour of day (a 137/311 center's daily curve).
const HOURLY: [f64; 24] = [
    1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.8, 5.0, 6.8, 7.4, 7.2, 6.5, 5.6, 5.2, 5.0, 5.0, 5.3, 5.8,
    6.0, 5.4, 4.2, 2.8, 1.8,
];

const CHANNELS: [(Channel, f64); 9] = [
    (Channel::Phone, 52.0),
    (Channel::Sms, 12.0),
    (Channel::Web, 10.0),
    (Channel::MobileApp, 12.0),
    (Channel::Email, 3.0),
    (Channel::WalkIn, 4.0),
    (Channel::CityManager, 2.5),
    (Channel::CityCouncil, 2.0),
    (Channel::Letter, 2.5),
];

const KINDS: [(Kind, f64); 5] = [
    (Kind::Request, 58.0),
    (Kind::Complaint, 30.0),
    (Kind::Suggestion, 5.0),
    (Kind::Criticism, 5.0),
    (Kind::Appreciation, 2.0),
];

const FIRST: [&str; 24] = [
    "علی",
    "محمد",
    "حسین",
    "رضا",
    "مهدی",
    "امیر",
    "سعید",
    "حمید",
    "مجید",
    "ناصر",
    "کریم",
    "جواد",
    "فاطمه",
    "زهرا",
    "مریم",
    "سارا",
    "نرگس",
    "لیلا",
    "مینا",
    "شیرین",
    "الهام",
    "پروین",
    "سمیرا",
    "نازنین",
];
const LAST: [&str; 24] = [
    "محمدی",
    "حسینی",
    "احمدی",
    "رضایی",
    "کریمی",
    "موسوی",
    "جعفری",
    "رحیمی",
    "صادقی",
    "قاسمی",
    "کاظمی",
    "نوری",
    "عباسی",
    "اکبری",
    "طاهری",
    "شریفی",
    "مرادی",
    "یزدانی",
    "فرهادی",
    "بهرامی",
    "سلیمانی",
    "نجفی",
    "ملکی",
    "زمانی",
];
const STREETS: [&str; 16] = [
    "خیابان آزادی",
    "خیابان انقلاب",
    "بلوار کشاورز",
    "خیابان ولیعصر",
    "خیابان شریعتی",
    "خیابان فردوسی",
    "بلوار فرهنگ",
    "خیابان بهار",
    "خیابان گلستان",
    "خیابان نسترن",
    "بلوار امام رضا",
    "خیابان سعدی",
    "خیابان حافظ",
    "خیابان پیروزی",
    "خیابان مطهری",
    "بلوار جمهوری",
];
const DETAILS: [&str; 8] = [
    "چند روز است که مشکل ادامه دارد.",
    "لطفاً سریع‌تر رسیدگی شود.",
    "قبلاً هم تماس گرفته‌ام.",
    "برای عابران و کودکان خطرناک است.",
    "همسایه‌ها هم شکایت دارند.",
    "از صبح امروز این وضعیت است.",
    "شب‌ها وضعیت بدتر می‌شود.",
    "",
];

struct Generator<'a> {
    catalog: &'a Catalog,
    settings: &'a Settings,
    rng: Rng,
    now: DateTime<Utc>,
    start: DateTime<Utc>,
    days: i64,
    services: Vec<&'a Service>,
    service_pick: Weighted,
    channel_pick: Weighted,
    kind_pick: Weighted,
    hour_pick: Weighted,
    operators: Vec<Actor>,
    officers: Vec<Actor>,
    callers: Vec<(String, String)>,
}

impl<'a> Generator<'a> {
    fn new(catalog: &'a Catalog, settings: &'a Settings, plan: Plan, now: DateTime<Utc>) -> Self {
        let mut rng = Rng(plan.seed);
        let mut services: Vec<&Service> = catalog.services.iter().filter(|s| s.active).collect();
        // A few services take most calls (Zipf-like), in a seed-dependent order.
        for i in (1..services.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            services.swap(i, j);
        }
        let weights: Vec<f64> = (0..services.len())
            .map(|r| 1.0 / (r as f64 + 2.0).powf(0.9))
            .collect();
        let operators = (1..=12)
            .map(|i| Actor {
                name: format!("op{i:02}"),
                role: Role::Operator,
            })
            .collect();
        let officers = (1..=3)
            .map(|i| Actor {
                name: format!("followup{i}"),
                role: Role::FollowUpOfficer,
            })
            .collect();
        let days = i64::from(plan.days);
        Generator {
            catalog,
            settings,
            rng,
            now,
            start: now - Duration::days(days),
            days,
            service_pick: Weighted::new(&weights),
            services,
            channel_pick: Weighted::new(&CHANNELS.map(|c| c.1)),
            kind_pick: Weighted::new(&KINDS.map(|k| k.1)),
            hour_pick: Weighted::new(&HOURLY),
            operators,
            officers,
            callers: Vec::new(),
        }
    }

    /// A contact time: a random day, an hour from the daily curve (local time).
    fn received_at(&mut self) -> DateTime<Utc> {
        let center = &self.settings.center;
        loop {
            let day = self.rng.below(self.days as u64 + 1) as i64;
            let local_midnight =
                center.day_start(center.local(self.start + Duration::days(day)).date());
            let hour = self.hour_pick.sample(&mut self.rng) as i64;
            let t = local_midnight
                + Duration::hours(hour)
                + Duration::seconds(self.rng.below(3600) as i64);
            if t <= self.now && t >= self.start {
                return t;
            }
        }
    }

    fn caller(&mut self) -> (String, String) {
        // One caller in eight has called before.
        if !self.callers.is_empty() && self.rng.chance(0.125) {
            return self.rng.pick(&self.callers).clone();
        }
        let name = format!("{} {}", self.rng.pick(&FIRST), self.rng.pick(&LAST));
        let prefix = *self
            .rng
            .pick(&["0912", "0935", "0919", "0901", "0938", "021"]);
        let digits = if prefix.len() == 3 { 8 } else { 7 };
        let number: String = (0..digits)
            .map(|_| char::from(b'0' + self.rng.below(10) as u8))
            .collect();
        let c = (name, format!("{prefix}{number}"));
        if self.callers.len() < 50_000 {
            self.callers.push(c.clone());
        }
        c
    }

    fn case(&mut self) -> ImportCase {
        let received = self.received_at();
        let channel = CHANNELS[self.channel_pick.sample(&mut self.rng)].0;
        let kind = KINDS[self.kind_pick.sample(&mut self.rng)].0;
        let service = self.services[self.service_pick.sample(&mut self.rng)];
        let district = self.rng.pick(&self.catalog.districts);
        let neighborhood = if district.neighborhoods.is_empty() {
            String::new()
        } else {
            self.rng.pick(&district.neighborhoods).clone()
        };
        let (name, phone) = self.caller();
        let delay_min = match channel {
            Channel::Phone | Channel::WalkIn => self.rng.lognormal(1.5, 0.6),
            Channel::Letter => self.rng.lognormal(2.0 * 1440.0, 0.5),
            Channel::CityManager | Channel::CityCouncil => self.rng.lognormal(120.0, 1.0),
            _ => self.rng.lognormal(40.0, 1.0),
        };
        let registered = (received + Duration::seconds((delay_min * 60.0) as i64)).min(self.now);
        let operator = self.rng.pick(&self.operators).clone();
        let input = CaseInput {
            phone,
            name,
            service: service.code.clone(),
            channel: Some(channel),
            kind: Some(kind),
            district: district.code.clone(),
            neighborhood: neighborhood.clone(),
            address: format!(
                "{}، کوچه {}، پلاک {}",
                self.rng.pick(&STREETS),
                self.rng.below(40) + 1,
                self.rng.below(200) + 1
            ),
            description: format!(
                "{} در محله {}. {}",
                service.name_fa,
                neighborhood,
                self.rng.pick(&DETAILS)
            ),
            priority: Some(if self.rng.chance(0.05) {
                Priority::Urgent
            } else {
                Priority::Normal
            }),
            received_at: Some(received),
            request_id: None,
            refer_to: None,
        };
        let new = intake::register(
            &input,
            self.catalog,
            &self.settings.rules,
            &operator,
            registered,
        )
        .expect("generated input is valid");
        let (case, contact) = new.with_code(crate::domain::tracking::TrackingCode::from_stored(0));
        let mut life = Life {
            timeline: vec![Event {
                seq: 1,
                at: registered,
                actor: operator.name.clone(),
                shift: self.settings.center.shift_of(registered),
                from: None,
                to: Some(Status::Registered),
                what: workflow::registered(&case),
            }],
            contacts: vec![contact],
            case,
        };
        self.live(&mut life, registered, &operator);
        ImportCase {
            serial: None,
            case: life.case,
            contacts: life.contacts,
            timeline: life.timeline,
        }
    }

    /// Drives a case through the workflow until `now`.
    fn live(&mut self, life: &mut Life, registered: DateTime<Utc>, operator: &Actor) {
        let hours = f64::from(life.case.deadline_hours);
        let mut t = registered;
        let after = |t: DateTime<Utc>, minutes: f64| t + Duration::seconds((minutes * 60.0) as i64);

        if life.case.kind == Kind::Appreciation {
            t = after(t, self.rng.lognormal(60.0, 0.5));
            self.step(
                life,
                t,
                operator,
                &Action::Close {
                    outcome: None,
                    reason: Some("thanks passed on".into()),
                },
            );
            return;
        }
        t = after(t, self.rng.lognormal(20.0, 1.0));
        if self.rng.chance(0.03) {
            let reason = *self
                .rng
                .pick(&[CancelReason::Withdrawn, CancelReason::OutsideJurisdiction]);
            self.step(
                life,
                t,
                operator,
                &Action::Cancel {
                    reason,
                    duplicate_of: None,
                    comment: None,
                },
            );
            return;
        }
        let dept = life.case.department.clone();
        if !self.step(
            life,
            t,
            operator,
            &Action::Refer {
                department: dept,
                assignee: None,
                comment: None,
            },
        ) {
            return;
        }
        // A caller rings again about the same problem now and then.
        if self.rng.chance(0.06) {
            let (name, phone) = self.caller();
            let at = after(t, self.rng.lognormal(600.0, 1.0));
            let contact = Contact {
                at,
                channel: Channel::Phone,
                name,
                phone,
                comment: None,
                registered_by: operator.name.clone(),
            };
            self.step(life, at, operator, &Action::Attach { contact });
        }
        for round in 0..3 {
            // The department answers around part of the deadline; some are late.
            let answer = after(
                life.case.status_since,
                hours * 60.0 * self.rng.lognormal(0.45, 0.9),
            );
            if answer > life.case.escalate_at
                && life.case.escalate_at < self.now
                && self.rng.chance(0.5)
            {
                let officer = self.rng.pick(&self.officers).clone();
                let at = after(life.case.escalate_at, self.rng.lognormal(180.0, 1.0));
                if !self.step(
                    life,
                    at,
                    &officer,
                    &Action::Escalate {
                        reason: "overdue past the threshold".into(),
                    },
                ) {
                    return;
                }
                if !self.follow_up(life, at, &officer) {
                    return;
                }
                continue;
            }
            if !self.step(
                life,
                answer,
                operator,
                &Action::Resolve {
                    response: "رسیدگی شد و نتیجه به واحد ۱۳۷ اعلام گردید.".into(),
                },
            ) {
                return;
            }
            let mut call = after(answer, self.rng.lognormal(360.0, 0.8));
            let inspector = self.rng.pick(&self.operators).clone();
            loop {
                let u = self.rng.unit();
                let result = if u < 0.10 {
                    Feedback::Unreachable
                } else if u < 0.10 + 0.12 / (1.0 + f64::from(round) * 2.0) {
                    Feedback::Dissatisfied
                } else {
                    Feedback::Satisfied
                };
                if !self.step(
                    life,
                    call,
                    &inspector,
                    &Action::Feedback {
                        result,
                        comment: None,
                    },
                ) {
                    return;
                }
                match life.case.status {
                    Status::Resolved => call = after(call, self.rng.lognormal(600.0, 0.6)),
                    Status::FollowUp => break,
                    _ => return,
                }
            }
            let officer = self.rng.pick(&self.officers).clone();
            if !self.follow_up(life, call, &officer) {
                return;
            }
        }
    }

    /// A follow-up officer takes up an escalated case: re-refers it or closes it.
    /// Returns whether the case went back to a department.
    fn follow_up(&mut self, life: &mut Life, from: DateTime<Utc>, officer: &Actor) -> bool {
        let at = from + Duration::seconds((self.rng.lognormal(8.0, 1.0) * 3600.0) as i64);
        if self.rng.chance(0.55) {
            let dept = life.case.department.clone();
            self.step(
                life,
                at,
                officer,
                &Action::Refer {
                    department: dept,
                    assignee: None,
                    comment: None,
                },
            )
        } else {
            self.step(
                life,
                at,
                officer,
                &Action::Close {
                    outcome: Some(Outcome::WorkDone),
                    reason: Some("pursued with the department; explained to the citizen".into()),
                },
            );
            false
        }
    }

    /// Applies one action at `at` if that is not in the future. Returns
    /// whether it happened.
    fn step(&mut self, life: &mut Life, at: DateTime<Utc>, actor: &Actor, action: &Action) -> bool {
        if at > self.now {
            return false;
        }
        let at = at.max(life.case.updated_at);
        let change = workflow::apply(&life.case, action, actor, self.catalog, self.settings, at)
            .expect("the demo follows the workflow");
        life.timeline.push(Event {
            seq: change.case.version,
            at,
            actor: actor.name.clone(),
            shift: self.settings.center.shift_of(at),
            from: Some(life.case.status),
            to: Some(change.case.status),
            what: change.what,
        });
        if let Some(k) = change.contact {
            life.contacts.push(k);
        }
        life.case = change.case;
        true
    }
}

struct Life {
    case: Case,
    contacts: Vec<Contact>,
    timeline: Vec<Event>,
}
