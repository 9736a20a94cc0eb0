//! Colors and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn selected() -> Style {
    Style::new().bg(Color::Blue).fg(Color::White)
}
pub fn tab() -> Style {
    Style::new().fg(Color::Gray)
}
pub fn tab_active() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}
pub fn label() -> Style {
    Style::new().fg(Color::Cyan)
}
pub fn focus() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn ok() -> Style {
    Style::new().fg(Color::Green)
}
pub fn warn() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn late() -> Style {
    Style::new().fg(Color::Red)
}
pub fn header() -> Style {
    Style::new().bg(Color::DarkGray).fg(Color::White)
}
pub fn key() -> Style {
    Style::new().fg(Color::Black).bg(Color::Gray)
}
pub fn open_case() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn field() -> Style {
    Style::new().add_modifier(Modifier::UNDERLINED)
}
