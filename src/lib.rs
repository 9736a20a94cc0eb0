//! citydesk: a keyboard-driven console for a city's citizen-request center.
//! The library holds everything; `main.rs` only parses and runs.

pub mod app;
pub mod auth;
pub mod backup;
pub mod bidi;
pub mod calendar;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod import;
pub mod keymap;
pub mod locale;
pub mod migrate;
pub mod open311;
pub mod present;
pub mod progress;
pub mod report;
pub mod secret;
pub mod store;
pub mod text;
pub mod ui;
pub mod words;
pub mod worker;
