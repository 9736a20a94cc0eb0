//! Text rules, pure: digit and letter normalization for search keys and phone
//! numbers, and neutralizing citizen text before it reaches a terminal. Text is
//! stored as typed; only the copies made here are normalized.

use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

/// Maps Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII.
pub fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
        '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
        _ => None,
    }
}

/// Replaces Persian and Arabic-Indic digits by ASCII ones, leaving the rest.
pub fn ascii_digits(s: &str) -> String {
    s.chars().map(|c| ascii_digit(c).unwrap_or(c)).collect()
}

/// Why a phone number was refused (words: `present`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "why", content = "value", rename_all = "kebab-case")]
pub enum PhoneError {
    Empty,
    NotADigit(char),
    /// How many digits it has; a phone number has 7 to 15.
    Length(usize),
}

impl std::error::Error for PhoneError {}

/// Normalizes a phone number as typed into its key: ASCII digits only, with
/// separators (space, dash, dot, parentheses) dropped and an Iranian country
/// prefix (+98, 0098) turned into the trunk prefix 0. Any digit script is accepted.
pub fn phone_key(raw: &str) -> Result<String, PhoneError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(PhoneError::Empty);
    }
    let mut digits = String::with_capacity(trimmed.len());
    let mut plus = false;
    for (i, c) in trimmed.chars().enumerate() {
        if let Some(d) = ascii_digit(c) {
            digits.push(d);
        } else if matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{200c}' | '\u{00a0}') {
        } else if c == '+' && i == 0 {
            plus = true;
        } else {
            return Err(PhoneError::NotADigit(c));
        }
    }
    if plus || digits.starts_with("00") {
        let rest = digits.trim_start_matches('0');
        if let Some(national) = rest.strip_prefix("98") {
            digits = format!("0{national}");
        } else {
            digits = format!("00{rest}");
        }
    }
    if !(7..=15).contains(&digits.len()) {
        return Err(PhoneError::Length(digits.len()));
    }
    Ok(digits)
}

/// A search key: digits in ASCII, Arabic letter forms unified with Persian ones
/// (ي→ی, ك→ک, ة→ه, أإآ→ا), diacritics and tatweel dropped, ZWNJ as a space,
/// lower case, runs of white space folded.
pub fn search_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.chars() {
        let c = match c {
            'ي' | 'ى' | 'ئ' => 'ی',
            'ك' => 'ک',
            'ة' => 'ه',
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ؤ' => 'و',
            '\u{200c}' | '\u{200d}' => ' ',
            '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => continue,
            c => ascii_digit(c).unwrap_or(c),
        };
        if c.is_whitespace() || c.is_control() {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Neutralizes one line of untrusted text for a terminal: C0 controls (ESC
/// among them) become their Unicode control pictures (␛), DEL becomes ␡, C1
/// controls and bidi overrides become U+FFFD. Nothing is removed, so what was
/// typed can still be read; nothing reaches the terminal as a control.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_neutralizing) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
                '\u{7f}' => '\u{2421}',
                c if needs_neutralizing(c) => '\u{fffd}',
                c => c,
            })
            .collect(),
    )
}

fn needs_neutralizing(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Columns that text takes on a terminal (wide and zero-width characters counted).
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` terminal columns, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        out.push(c);
    }
    if max > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// Pads `s` with spaces to `cols` terminal columns (cutting it if longer).
pub fn pad(s: &str, cols: usize) -> String {
    let cut = truncate(s, cols);
    let w = width(&cut);
    format!("{cut}{}", " ".repeat(cols.saturating_sub(w)))
}

/// Whether text is empty once white space is ignored.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_accepts_every_digit_script() {
        assert_eq!(phone_key("۰۹۱۲ ۱۲۳ ۴۵۶۷").unwrap(), "09121234567");
        assert_eq!(phone_key("٠٩١٢١٢٣٤٥٦٧").unwrap(), "09121234567");
        assert_eq!(phone_key("+98 912-123-4567").unwrap(), "09121234567");
        assert_eq!(phone_key("0098(912)1234567").unwrap(), "09121234567");
        assert_eq!(phone_key("+1 617 555 0100").unwrap(), "0016175550100");
    }

    #[test]
    fn phone_refuses_what_is_not_a_number() {
        assert_eq!(phone_key("0912abc"), Err(PhoneError::NotADigit('a')));
        assert_eq!(phone_key("  "), Err(PhoneError::Empty));
        assert_eq!(phone_key("12345"), Err(PhoneError::Length(5)));
        assert_eq!(phone_key("1234567890123456"), Err(PhoneError::Length(16)));
        assert_eq!(phone_key("09+12345678"), Err(PhoneError::NotADigit('+')));
    }

    #[test]
    fn search_key_unifies_arabic_and_persian() {
        assert_eq!(search_key("علي  كريمي"), search_key("علی کریمی"));
        assert_eq!(search_key("خيابان ۱۲"), "خیابان 12");
        assert_eq!(search_key("Main\tSt"), "main st");
        assert_eq!(search_key("می\u{200c}خواهم"), "می خواهم");
    }

    #[test]
    fn escapes_never_reach_the_terminal() {
        let evil = "a\u{1b}[2Jb\u{7}c\u{9b}d\u{202e}e";
        let safe = for_terminal(evil);
        assert!(!safe.chars().any(char::is_control), "{safe:?}");
        assert_eq!(safe, "a␛[2Jb␇c\u{fffd}d\u{fffd}e");
        assert!(matches!(for_terminal("سلام"), Cow::Borrowed(_)));
    }

    #[test]
    fn width_counts_columns_not_bytes() {
        assert_eq!(width("مریم"), 4);
        // lam + alef render as one ligature cell
        assert_eq!(width("سلام"), 3);
        assert_eq!(width("漢字"), 4);
        assert_eq!(pad("漢字x", 4), "漢… ");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(pad("ab", 4), "ab  ");
    }
}
