//! The words of the case search, pure: the one normalization that both
//! engines' word indexes are fed (`index_text`) and that every query is read
//! with (`query`), so SQLite's FTS5 table and PostgreSQL's tsvector index hold
//! the same words and a query means the same on both. Text is stored as typed;
//! only this derived copy is normalized.
//!
//! A word is a run of letters and digits of any script, after folding:
//! - Arabic letter forms become the Persian ones (ي ى ئ → ی, ك ڪ → ک,
//!   ة ۀ ھ → ه, أ إ آ ٱ → ا, ؤ → و), Persian and Arabic-Indic digits ASCII,
//!   Latin letters lower case;
//! - harakat, the superscript alef, Quranic marks, combining accents and
//!   tatweel are dropped, and so are invisible format characters (bidi marks,
//!   soft hyphen, BOM): none of them splits a word;
//! - white space of every kind (space, no-break and thin spaces, tabs, line
//!   breaks) ends a word and its chunk; a zero-width non-joiner or joiner,
//!   and any punctuation or symbol, ends a word inside its chunk.
//!
//! A chunk written of several words (`آب‌گرفتگی` with a ZWNJ, `12-B`) is
//! indexed as its words and as the words written together (`آب`, `گرفتگی`,
//! `آبگرفتگی`). A query's words are matched whole, each alone or written
//! together with up to two neighbours, so "آب گرفتگی", "آب‌گرفتگی" and
//! "آبگرفتگی" all find a case that says "آب‌گرفتگی", and the first two find
//! one that says "آب گرفتگی" (a word typed solid cannot be split again).
//! Every word of a query must be found; the last one may be the start of a
//! word (type-ahead), unless it is a single letter or a short number (fewer
//! than `MIN_NUMBER_PREFIX` digits: `پلاک 12` does not find `پلاک 125`, while
//! `0912 123` finds the phone 09121234567 and `483 920` the code 483920175).
//!
//! `Query::fts5` and `Query::tsquery` write a query in each engine's syntax;
//! the index text is split on single spaces by both (SQLite's `ascii`
//! tokenizer, PostgreSQL's `string_to_array`), so neither engine re-reads a
//! word by rules of its own.

use std::collections::HashSet;

use crate::text::ascii_digit;

/// The longest word kept, in characters; longer words are cut to it, in the
/// index and in a query alike, so a long word still finds itself.
pub const MAX_WORD: usize = 32;

/// How many words of a query are looked for; the rest are not (a query is a
/// few words, and every word narrows).
pub const MAX_QUERY_WORDS: usize = 8;

/// How many neighbouring query words may be found written together as one.
const MAX_JOINED: usize = 3;

/// The fewest digits a number has to be looked for as the start of a longer
/// one (a phone number, a tracking code, an old system's id).
pub const MIN_NUMBER_PREFIX: usize = 4;

/// The lengths of the starts of words both engines index as such (SQLite:
/// the FTS5 table's `prefix` option; PostgreSQL: a lexeme `start~` for each,
/// made by `citydesk_words` in schema.sql), so that looking up the start of a
/// word is as quick as looking up a word. A longer start is gathered from the
/// words that begin with it.
pub const PREFIX_LEXEMES: std::ops::RangeInclusive<usize> = 2..=8;

/// What one character of text is to the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    /// Part of a word, as this character (folded).
    Keep(char),
    /// Not there at all.
    Drop,
    /// Ends a word, inside one chunk of text.
    Joint,
    /// Ends a word and its chunk.
    Space,
}

fn fold(c: char) -> Fold {
    match c {
        'ي' | 'ى' | 'ئ' => Fold::Keep('ی'),
        'ك' | 'ڪ' => Fold::Keep('ک'),
        'ة' | 'ۀ' | 'ھ' => Fold::Keep('ه'),
        'أ' | 'إ' | 'آ' | 'ٱ' => Fold::Keep('ا'),
        'ؤ' => Fold::Keep('و'),
        // harakat and hamza marks, superscript alef, tatweel, Quranic marks,
        // Latin combining accents
        '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{0640}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0300}'..='\u{036F}'
        // soft hyphen, Arabic letter mark, LRM/RLM, bidi embeddings and
        // isolates, word joiner, BOM
        | '\u{00AD}'
        | '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => Fold::Drop,
        // zero-width space, non-joiner, joiner: a word boundary inside a chunk
        '\u{200B}'..='\u{200D}' => Fold::Joint,
        c if c.is_whitespace() || c.is_control() => Fold::Space,
        c => match ascii_digit(c) {
            Some(d) => Fold::Keep(d),
            None if c.is_alphanumeric() => Fold::Keep(c),
            None => Fold::Joint,
        },
    }
}

/// Pushes `c` lower-cased onto `word`, unless the word is full.
fn push_folded(word: &mut String, len: &mut usize, c: char) {
    for l in c.to_lowercase() {
        if *len < MAX_WORD && fold(l) != Fold::Drop {
            word.push(l);
            *len += 1;
        }
    }
}

fn end_word(word: &mut String, len: &mut usize, chunk: &mut Vec<String>) {
    if !word.is_empty() {
        chunk.push(std::mem::take(word));
    }
    *len = 0;
}

/// The chunks of `text` (runs between white space), each as its words.
fn chunks(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut chunk: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut len = 0;
    for c in text.chars() {
        match fold(c) {
            Fold::Keep(c) => push_folded(&mut word, &mut len, c),
            Fold::Drop => {}
            Fold::Joint => end_word(&mut word, &mut len, &mut chunk),
            Fold::Space => {
                end_word(&mut word, &mut len, &mut chunk);
                if !chunk.is_empty() {
                    out.push(std::mem::take(&mut chunk));
                }
            }
        }
    }
    end_word(&mut word, &mut len, &mut chunk);
    if !chunk.is_empty() {
        out.push(chunk);
    }
    out
}

/// `words` written together, cut to `MAX_WORD`.
fn joined(words: &[String]) -> String {
    words.concat().chars().take(MAX_WORD).collect()
}

/// The text both engines index for these fields: their words, and the words
/// of each chunk written together, each once, separated by single spaces
/// (no other separator; never an empty word).
pub fn index_text(fields: &[&str]) -> String {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = String::new();
    let mut add = |w: String, out: &mut String| {
        if !seen.contains(&w) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&w);
            seen.insert(w);
        }
    };
    for field in fields {
        for chunk in chunks(field) {
            let together = (chunk.len() > 1).then(|| joined(&chunk));
            for w in chunk {
                add(w, &mut out);
            }
            if let Some(w) = together {
                add(w, &mut out);
            }
        }
    }
    out
}

/// One word a query looks for: the whole word, or with `prefix` any word
/// that starts with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub word: String,
    pub prefix: bool,
}

/// What a query looks for: a case matches when, for every clause, one of the
/// clause's terms is among its words. Empty when the query has no words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub clauses: Vec<Vec<Term>>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    /// The same query with every word whole (no prefix), each term once.
    #[must_use]
    pub fn whole_words(&self) -> Query {
        let clauses = self
            .clauses
            .iter()
            .map(|clause| {
                let mut out: Vec<Term> = Vec::with_capacity(clause.len());
                for t in clause {
                    let whole = Term {
                        word: t.word.clone(),
                        prefix: false,
                    };
                    if !out.contains(&whole) {
                        out.push(whole);
                    }
                }
                out
            })
            .collect();
        Query { clauses }
    }
}

/// Reads what was typed into a search: its words (the first `MAX_QUERY_WORDS`)
/// become one clause each, holding the word and the same word written
/// together with up to two neighbours. A term that ends with the last word is
/// also a prefix, when it has two characters or more and is not a number of
/// fewer than `MIN_NUMBER_PREFIX` digits.
pub fn query(typed: &str) -> Query {
    let words: Vec<String> = chunks(typed)
        .into_iter()
        .flatten()
        .take(MAX_QUERY_WORDS)
        .collect();
    let n = words.len();
    if n == 0 {
        return Query::default();
    }
    let term = |from: usize, to: usize| {
        let word = joined(&words[from..=to]);
        let prefix = to == n - 1 && may_be_prefix(&word);
        Term { word, prefix }
    };
    let clauses = (0..n)
        .map(|i| {
            let mut clause = vec![term(i, i)];
            // Runs of up to MAX_JOINED words that hold word i, shortest first.
            for len in 2..=MAX_JOINED {
                for from in i.saturating_sub(len - 1)..=i {
                    let to = from + len - 1;
                    if to < n {
                        let t = term(from, to);
                        if !clause.contains(&t) {
                            clause.push(t);
                        }
                    }
                }
            }
            clause
        })
        .collect();
    Query { clauses }
}

fn may_be_prefix(word: &str) -> bool {
    let len = word.chars().count();
    len >= 2 && (len >= MIN_NUMBER_PREFIX || !word.chars().all(|c| c.is_ascii_digit()))
}

impl Query {
    /// The query in SQLite FTS5's syntax: `("a" OR "ab"*) AND ("b"* OR "ab"*)`.
    pub fn fts5(&self) -> String {
        self.render(" AND ", " OR ", |t| {
            let star = if t.prefix { "*" } else { "" };
            format!("\"{}\"{star}", t.word.replace('"', "\"\""))
        })
    }

    /// The query in PostgreSQL's `tsquery` input syntax (no parser or
    /// dictionary between): `('a' | 'ab~') & ('b~' | 'ab~')`, the start of a
    /// word as its own lexeme `start~` (`PREFIX_LEXEMES`), or, when longer,
    /// as `'start':*`.
    pub fn tsquery(&self) -> String {
        self.render(" & ", " | ", |t| {
            let quoted = t.word.replace('\\', "\\\\").replace('\'', "''");
            if !t.prefix {
                format!("'{quoted}'")
            } else if PREFIX_LEXEMES.contains(&t.word.chars().count()) {
                format!("'{quoted}~'")
            } else {
                format!("'{quoted}':*")
            }
        })
    }

    fn render(&self, and: &str, or: &str, term: impl Fn(&Term) -> String) -> String {
        self.clauses
            .iter()
            .map(|clause| {
                let terms: Vec<String> = clause.iter().map(&term).collect();
                format!("({})", terms.join(or))
            })
            .collect::<Vec<_>>()
            .join(and)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        index_text(&[s]).split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn letters_digits_and_marks_fold_as_typed_on_any_keyboard() {
        assert_eq!(index_text(&["علي كريمي"]), index_text(&["علی کریمی"]));
        assert_eq!(index_text(&["كوچه ۱۲"]), "کوچه 12");
        assert_eq!(index_text(&["كوچه ١٢"]), "کوچه 12");
        assert_eq!(index_text(&["مَدرِسه"]), "مدرسه", "harakat dropped");
        assert_eq!(index_text(&["خيـــابان"]), "خیابان", "tatweel dropped");
        assert_eq!(index_text(&["Main STREET"]), "main street");
        assert_eq!(index_text(&["خانهٔ"]), "خانه", "hamza above dropped");
        assert_eq!(index_text(&["\u{200f}تهران\u{200e}"]), "تهران");
        assert_eq!(index_text(&["آزادی"]), index_text(&["ازادی"]));
    }

    #[test]
    fn zwnj_words_are_indexed_apart_and_together() {
        assert_eq!(words("آب\u{200c}گرفتگی"), ["اب", "گرفتگی", "ابگرفتگی"]);
        assert_eq!(words("آب گرفتگی"), ["اب", "گرفتگی"]);
        assert_eq!(words("12-B"), ["12", "b", "12b"]);
        assert_eq!(words("فردوسی، کوچه"), ["فردوسی", "کوچه"]);
    }

    #[test]
    fn space_variants_all_separate() {
        for space in [" ", "\u{a0}", "\u{202f}", "\u{2009}", "\t", "\n", "  "] {
            assert_eq!(
                index_text(&[&format!("آب{space}گرفتگی")]),
                "اب گرفتگی",
                "{space:?}"
            );
        }
    }

    #[test]
    fn the_index_text_is_single_spaced_words_each_once() {
        let t = index_text(&["  علی  ", "", "،،", "علی رضا", "رضا\u{200c}\u{200c}علی"]);
        assert_eq!(t, "علی رضا رضاعلی");
        assert_eq!(index_text(&["", " ", "!?"]), "");
    }

    #[test]
    fn long_words_are_cut_alike_in_the_index_and_the_query() {
        let long = "ب".repeat(100);
        let indexed = index_text(&[&long]);
        assert_eq!(indexed.chars().count(), MAX_WORD);
        let q = query(&long);
        assert_eq!(q.clauses[0][0].word, indexed);
    }

    fn t(word: &str, prefix: bool) -> Term {
        Term {
            word: word.into(),
            prefix,
        }
    }

    #[test]
    fn a_query_word_may_be_found_alone_or_joined_to_its_neighbours() {
        let q = query("آب گرفتگی");
        assert_eq!(
            q.clauses,
            [
                vec![t("اب", false), t("ابگرفتگی", true)],
                vec![t("گرفتگی", true), t("ابگرفتگی", true)],
            ]
        );
        assert_eq!(query("آب\u{200c}گرفتگی"), q, "ZWNJ reads as a space");
        assert_eq!(query("  آب   گرفتگی "), q);
    }

    #[test]
    fn the_last_word_is_a_prefix_unless_a_letter_or_a_short_number() {
        assert_eq!(query("ع").clauses, [vec![t("ع", false)]]);
        assert_eq!(query("کوچه 12").clauses[1][0], t("12", false));
        assert_eq!(query("کوچه 123").clauses[1][1], t("کوچه123", true));
        assert_eq!(query("12b").clauses[0][0], t("12b", true));
        assert_eq!(query("۰۹۱۲۱۲۳").clauses[0][0], t("0912123", true));
        assert_eq!(
            query("0912 123").clauses[1],
            [t("123", false), t("0912123", true)],
            "a phone typed in groups is found by its groups written together"
        );
        assert_eq!(
            query("علی 12").clauses[0],
            [t("علی", false), t("علی12", true)]
        );
        assert!(query("  ").is_empty());
        assert!(query("%!").is_empty());
    }

    #[test]
    fn each_engine_gets_the_same_query_in_its_syntax() {
        let q = query("آب گرفتگی");
        assert_eq!(
            q.fts5(),
            r#"("اب" OR "ابگرفتگی"*) AND ("گرفتگی"* OR "ابگرفتگی"*)"#
        );
        assert_eq!(
            q.tsquery(),
            "('اب' | 'ابگرفتگی~') & ('گرفتگی~' | 'ابگرفتگی~')"
        );
        assert_eq!(
            query("09173334455").tsquery(),
            "('09173334455':*)",
            "longer starts than the indexed ones are gathered"
        );
        assert_eq!(query("12").fts5(), r#"("12")"#);
        // Quotes never survive normalization, but would be escaped if they did.
        let odd = Query {
            clauses: vec![vec![t("a\"b'c\\", false)]],
        };
        assert_eq!(odd.fts5(), r#"("a""b'c\")"#);
        assert_eq!(odd.tsquery(), r#"('a"b''c\\')"#);
    }

    #[test]
    fn whole_words_drop_the_prefixes() {
        let q = query("آب گرفت");
        assert_eq!(
            q.whole_words().clauses,
            [
                vec![t("اب", false), t("ابگرفت", false)],
                vec![t("گرفت", false), t("ابگرفت", false)],
            ]
        );
        assert_eq!(query("12").whole_words(), query("12"), "nothing to drop");
    }

    #[test]
    fn runs_of_three_at_most() {
        let q = query("a b c d");
        let second: Vec<&str> = q.clauses[1].iter().map(|t| t.word.as_str()).collect();
        assert_eq!(second, ["b", "ab", "bc", "abc", "bcd"]);
        assert_eq!(query(&"w ".repeat(20)).clauses.len(), MAX_QUERY_WORDS);
    }
}
