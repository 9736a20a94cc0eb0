//! Progress bars on standard error (indicatif), for a person at a terminal:
//! hidden when asked (`--quiet`, `--json`) or when standard error is not a
//! terminal, so scripts and logs get none of their escape codes.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar on standard error, or a hidden one.
pub fn bar(hidden: bool) -> ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
    }
}

/// A style from an indicatif template, drawn with `#`.
pub fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("the templates in this crate are valid (tested)")
        .progress_chars("## ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_templates_are_valid() {
        for t in [
            crate::demo::PROGRESS,
            "reading  [{bar:30}] {percent:>3}%  {msg}  {elapsed}",
            "writing  [{bar:30}] {percent:>3}%  {pos}/{len} cases  {elapsed}",
        ] {
            assert!(indicatif::ProgressStyle::with_template(t).is_ok(), "{t}");
        }
    }
}
