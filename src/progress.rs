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

/// The indicatif template `key` of the locale, in the language of the
/// command line (`progress.*`).
pub fn template(key: &'static str) -> &'static str {
    crate::cli::lang().locale().t(key)
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
        for lang in crate::locale::Lang::ALL {
            for key in ["progress.demo", "progress.reading", "progress.writing"] {
                let t = lang.locale().t(key);
                assert!(t != key, "{key} is in the {lang} locale");
                assert!(indicatif::ProgressStyle::with_template(t).is_ok(), "{t}");
            }
        }
    }
}
