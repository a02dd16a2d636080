//! Text plumbing for extraction: sentence splitting, tokens with byte offsets,
//! clause segments and byte ↔ code-point offset conversion.
//!
//! Everything inside the extractor works in byte offsets of the document text;
//! offsets are converted to Unicode code points only at the edges (geoparser
//! mentions in, evidence spans out).

use std::ops::Range;

/// Byte ↔ code-point offset conversion for one text.
#[derive(Debug, Clone)]
pub struct CharMap {
    /// Byte offset of every char, plus `text.len()` at the end.
    byte_of_char: Vec<usize>,
}

impl CharMap {
    pub fn new(text: &str) -> Self {
        let mut byte_of_char: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_of_char.push(text.len());
        Self { byte_of_char }
    }

    /// Number of chars in the text.
    pub fn len_chars(&self) -> usize {
        self.byte_of_char.len() - 1
    }

    /// Byte offset of char offset `c` (clamped to the end of the text).
    pub fn byte(&self, c: usize) -> usize {
        let last = self.byte_of_char.len() - 1;
        self.byte_of_char[c.min(last)]
    }

    /// Char offset of byte offset `b` (a byte inside a char maps to that char).
    pub fn char(&self, b: usize) -> usize {
        match self.byte_of_char.binary_search(&b) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

/// Lower-case abbreviations (without the final period) after which a period
/// does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "st", "jr", "sr",
    "rev", "gov", "sen", "rep", "pres", "adm", "cmdr", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "no", "vs", "approx", "est", "dept", "u.s", "u.k",
    "e.g", "i.e", "a.m", "p.m", "inc", "ltd", "co", "corp", "fig", "vol",
];

/// Split a text into sentences: byte ranges, trimmed, never empty.
///
/// A line break always ends a sentence (headlines and live-blog lines have no
/// final period). Inside a line a sentence ends at `.`, `!` or `?` (plus any
/// closing quotes or brackets) followed by white space, unless the word before
/// the period is a known abbreviation or a single initial.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for (i, ch) in text.char_indices() {
        if ch == '\n' {
            split_line(text, line_start, i, &mut out);
            line_start = i + 1;
        }
    }
    split_line(text, line_start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<Range<usize>>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(start + lead..end - trail);
    }
}

fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

fn split_line(text: &str, start: usize, end: usize, out: &mut Vec<Range<usize>>) {
    let line = &text[start..end];
    let mut sent_start = 0;
    let mut iter = line.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        // Absorb further terminators and closing quotes/brackets.
        let mut j = i + c.len_utf8();
        while let Some(&(k, d)) = iter.peek() {
            if matches!(d, '.' | '!' | '?') || is_closing(d) {
                j = k + d.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        // Must be followed by white space (or the end of the line).
        if j < line.len() && !line[j..].starts_with(char::is_whitespace) {
            continue;
        }
        if c == '.' && !ends_sentence_at_period(&line[sent_start..i]) {
            continue;
        }
        // A lower-case continuation after the period means it was not an end.
        let rest = line[j..].trim_start();
        if let Some(nc) = rest.chars().next()
            && nc.is_lowercase()
            && c == '.'
        {
            continue;
        }
        push_trimmed(text, start + sent_start, start + j, out);
        sent_start = j;
    }
    push_trimmed(text, start + sent_start, end, out);
}

/// Whether a period right after `before` ends a sentence.
fn ends_sentence_at_period(before: &str) -> bool {
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if word.is_empty() {
        return true;
    }
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    // A single capital initial ("J. Smith").
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next())
        && c.is_uppercase()
    {
        return false;
    }
    true
}

/// Kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    Word,
    Number,
    /// Clause punctuation: `, ; : — – ( )` and quotes.
    Punct,
    /// Sentence-final punctuation.
    End,
}

/// One token with byte offsets into the document text.
#[derive(Debug, Clone)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// Lower-cased, apostrophes unified to `'`.
    pub lower: String,
    pub kind: TokKind,
    /// First char is upper case.
    pub cap: bool,
}

impl Token {
    pub fn is(&self, w: &str) -> bool {
        self.lower == w
    }
    pub fn is_any(&self, ws: &[&str]) -> bool {
        ws.contains(&self.lower.as_str())
    }
    pub fn is_word(&self) -> bool {
        self.kind == TokKind::Word
    }
    /// Clause boundary punctuation (comma, semicolon, dash, colon, brackets).
    pub fn is_clause_break(&self) -> bool {
        self.kind == TokKind::Punct
            && matches!(self.lower.as_str(), "," | ";" | ":" | "—" | "–" | "(" | ")")
    }
    pub fn is_quote(&self) -> bool {
        self.kind == TokKind::Punct && matches!(self.lower.as_str(), "\"" | "“" | "”" | "‘" | "'")
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‑' | '‐')
}

/// Tokenise `text[range]`: words (letters/digits with inner hyphens and
/// apostrophes; a possessive `'s` becomes its own token), numbers and
/// punctuation. Offsets are bytes into `text`.
pub fn tokenize(text: &str, range: Range<usize>) -> Vec<Token> {
    let s = &text[range.clone()];
    let base = range.start;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::with_capacity(chars.len() / 5 + 1);
    let mut i = 0;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let mut j = i + 1;
            while j < chars.len() {
                let d = chars[j].1;
                if d.is_alphanumeric() {
                    j += 1;
                } else if (is_hyphen(d) || is_apostrophe(d) || d == '.' || d == ',')
                    && j + 1 < chars.len()
                    && chars[j + 1].1.is_alphanumeric()
                {
                    // "counter-attack", "o'clock", "3.5", "1,000"; not "Russia's".
                    if is_apostrophe(d) {
                        let rest: String = chars[j + 1..].iter().take(2).map(|x| x.1).collect();
                        let r = rest.to_lowercase();
                        if r.starts_with('s')
                            && (r.len() == 1 || !r[1..].starts_with(char::is_alphanumeric))
                        {
                            break;
                        }
                    }
                    if (d == '.' || d == ',')
                        && !(chars[j - 1].1.is_ascii_digit() && chars[j + 1].1.is_ascii_digit())
                    {
                        break;
                    }
                    j += 2;
                } else {
                    break;
                }
            }
            let end_b = if j < chars.len() { chars[j].0 } else { s.len() };
            let word = &s[b..end_b];
            let lower: String = if word.is_ascii() && !word.contains('`') {
                word.to_ascii_lowercase()
            } else {
                word.chars()
                    .map(|ch| {
                        if is_apostrophe(ch) {
                            '\''
                        } else if is_hyphen(ch) {
                            '-'
                        } else {
                            ch
                        }
                    })
                    .flat_map(char::to_lowercase)
                    .collect()
            };
            let kind = if word
                .chars()
                .all(|ch| ch.is_ascii_digit() || ch == '.' || ch == ',')
            {
                TokKind::Number
            } else {
                TokKind::Word
            };
            out.push(Token {
                start: base + b,
                end: base + end_b,
                lower,
                kind,
                cap: c.is_uppercase(),
            });
            i = j;
            continue;
        }
        if is_apostrophe(c) && i + 1 < chars.len() && matches!(chars[i + 1].1, 's' | 'S') {
            let after_ok = i + 2 >= chars.len() || !chars[i + 2].1.is_alphanumeric();
            let before_word = i > 0 && chars[i - 1].1.is_alphanumeric();
            if after_ok && before_word {
                let end_b = chars[i + 1].0 + 1;
                out.push(Token {
                    start: base + b,
                    end: base + end_b,
                    lower: "'s".to_string(),
                    kind: TokKind::Word,
                    cap: false,
                });
                i += 2;
                continue;
            }
        }
        let kind = if matches!(c, '.' | '!' | '?') {
            TokKind::End
        } else {
            TokKind::Punct
        };
        let lower = if is_apostrophe(c) {
            "'".to_string()
        } else {
            c.to_string()
        };
        out.push(Token {
            start: base + b,
            end: base + b + c.len_utf8(),
            lower,
            kind,
            cap: false,
        });
        i += 1;
    }
    out
}

/// Index of the clause segment of every token: segments are separated by
/// clause punctuation and by the conjunctions "but", "while", "whereas",
/// "although", "though".
pub fn segments(tokens: &[Token]) -> Vec<usize> {
    let mut seg = 0;
    let mut out = Vec::with_capacity(tokens.len());
    for t in tokens {
        if t.is_clause_break()
            || t.is_any(&["but", "while", "whereas", "although", "though", "however"])
        {
            seg += 1;
        }
        out.push(seg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        sentences(t).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn splits_on_periods_and_lines() {
        let t = "Headline without a stop\nFirst one. Second one! Third?\n\n  Last line.";
        assert_eq!(
            sents(t),
            vec![
                "Headline without a stop",
                "First one.",
                "Second one!",
                "Third?",
                "Last line."
            ]
        );
    }

    #[test]
    fn keeps_abbreviations_and_initials() {
        let t = "Mr. Smith met Gen. Jones in the U.S. on Jan. 5 in Kyiv. J. K. Doe agreed.";
        assert_eq!(
            sents(t),
            vec![
                "Mr. Smith met Gen. Jones in the U.S. on Jan. 5 in Kyiv.",
                "J. K. Doe agreed."
            ]
        );
    }

    #[test]
    fn closing_quotes_stay_with_sentence() {
        let t = "“We hold the town.” The army said so.";
        assert_eq!(sents(t), vec!["“We hold the town.”", "The army said so."]);
    }

    #[test]
    fn tokens_split_possessive_and_keep_hyphens() {
        let t = "Russia’s counter-attack near Kyiv's outskirts, 1,000 troops.";
        let toks = tokenize(t, 0..t.len());
        let words: Vec<&str> = toks.iter().map(|t| t.lower.as_str()).collect();
        assert_eq!(
            words,
            vec![
                "russia",
                "'s",
                "counter-attack",
                "near",
                "kyiv",
                "'s",
                "outskirts",
                ",",
                "1,000",
                "troops",
                "."
            ]
        );
        assert_eq!(&t[toks[0].start..toks[0].end], "Russia");
        assert_eq!(&t[toks[1].start..toks[1].end], "’s");
        assert!(toks[0].cap);
        assert_eq!(toks[8].kind, TokKind::Number);
    }

    #[test]
    fn char_map_round_trips() {
        let t = "Київ — Kyiv’s";
        let m = CharMap::new(t);
        assert_eq!(m.len_chars(), t.chars().count());
        for (ci, (b, _)) in t.char_indices().enumerate() {
            assert_eq!(m.byte(ci), b);
            assert_eq!(m.char(b), ci);
        }
        assert_eq!(m.byte(m.len_chars()), t.len());
        assert_eq!(m.byte(1000), t.len());
    }

    #[test]
    fn segments_break_on_commas_and_but() {
        let t = "Troops advanced, officials said but nobody confirmed";
        let toks = tokenize(t, 0..t.len());
        let seg = segments(&toks);
        assert_eq!(seg[0], 0);
        assert_eq!(seg[3], 1); // officials
        assert_eq!(seg[5], 2); // but
    }
}
