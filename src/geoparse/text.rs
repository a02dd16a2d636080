//! Tokeniser, sentence splitter and offset mapping.
//!
//! Everything here works on byte offsets into the original `&str`; the public
//! contract (mentions, JSONL) speaks Unicode code points, converted at the edge by
//! [`OffsetMap`], [`char_to_byte`] and [`byte_to_char`].

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A run of letters (and digits mixed in, e.g. "F16").
    Word,
    /// A run of digits only.
    Number,
    /// One punctuation or symbol character.
    Punct,
}

/// Token flags (bit set).
pub mod flag {
    /// First character is upper or title case.
    pub const CAP: u16 = 1;
    /// Every letter is upper case and there are at least two letters.
    pub const ALLCAPS: u16 = 1 << 1;
    /// Only ASCII characters.
    pub const ASCII: u16 = 1 << 2;
    /// White space (or the start of the text) right before the token.
    pub const SPACE_BEFORE: u16 = 1 << 3;
    /// A line break in the white space right before the token.
    pub const NL_BEFORE: u16 = 1 << 4;
    /// Two or more line breaks (a paragraph break) before the token.
    pub const PARA_BEFORE: u16 = 1 << 5;
    /// First character is lower case.
    pub const LOWER: u16 = 1 << 6;
    /// Some letter of the word is upper (or title) case.
    pub const HAS_UPPER: u16 = 1 << 7;
}

/// One token with its byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// For [`Kind::Punct`]: the character; otherwise the first character.
    pub ch: char,
    pub flags: u16,
}

impl Token {
    #[inline]
    pub fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }
    #[inline]
    pub fn is_word(&self) -> bool {
        self.kind == Kind::Word
    }
    #[inline]
    pub fn is_cap(&self) -> bool {
        self.kind == Kind::Word && self.flags & flag::CAP != 0
    }
    #[inline]
    pub fn is_lower_word(&self) -> bool {
        self.kind == Kind::Word && self.flags & flag::LOWER != 0
    }
    #[inline]
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.ch == c
    }
    #[inline]
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Apostrophe-like characters (joined inside names, possessive marker after them).
#[inline]
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´' | 'ʻ' | 'ʹ')
}

/// Hyphen- and dash-like characters.
#[inline]
pub fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–')
}

#[inline]
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// Byte-class table for ASCII: 0 = other/punct, 1 = lower, 2 = upper, 3 = digit, 4 = space, 5 = newline.
const fn ascii_class() -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = if b.is_ascii_lowercase() {
            1
        } else if b.is_ascii_uppercase() {
            2
        } else if b.is_ascii_digit() {
            3
        } else if b == b'\n' {
            5
        } else if b == b' ' || b == b'\t' || b == b'\r' || b == 0x0c || b == 0x0b {
            4
        } else {
            0
        };
        i += 1;
    }
    t
}
static ASCII_CLASS: [u8; 128] = ascii_class();

/// Byte table of the ASCII word scan, as bits: 1 lower, 2 upper, 4 digit, 0
/// anything else (punctuation, space, and every byte of a non-ASCII character).
const fn word_byte() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        t[i] = match ascii_class()[i] {
            1 => 1,
            2 => 2,
            3 => 4,
            _ => 0,
        };
        i += 1;
    }
    t
}
static WORD_BYTE: [u8; 256] = word_byte();

/// Split `text` into tokens (appended to `out`, which is cleared first).
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0usize;
    let mut pending_flags: u16 = flag::SPACE_BEFORE; // start of text counts as space
    let mut newlines = 0u32;
    while i < n {
        let b = bytes[i];
        if b < 128 {
            match ASCII_CLASS[b as usize] {
                4 => {
                    pending_flags |= flag::SPACE_BEFORE;
                    i += 1;
                    continue;
                }
                5 => {
                    pending_flags |= flag::SPACE_BEFORE | flag::NL_BEFORE;
                    newlines += 1;
                    if newlines >= 2 {
                        pending_flags |= flag::PARA_BEFORE;
                    }
                    i += 1;
                    continue;
                }
                0 => {
                    out.push(Token {
                        start: i,
                        end: i + 1,
                        kind: Kind::Punct,
                        ch: b as char,
                        flags: pending_flags | flag::ASCII,
                    });
                    pending_flags = 0;
                    newlines = 0;
                    i += 1;
                    continue;
                }
                _ => {
                    let (tok, next) = scan_word(text, i);
                    let mut tok = tok;
                    tok.flags |= pending_flags;
                    out.push(tok);
                    pending_flags = 0;
                    newlines = 0;
                    i = next;
                    continue;
                }
            }
        }
        // Non-ASCII character.
        let c = match text[i..].chars().next() {
            Some(c) => c,
            None => break,
        };
        let len = c.len_utf8();
        if is_word_char(c) {
            let (tok, next) = scan_word(text, i);
            let mut tok = tok;
            tok.flags |= pending_flags;
            out.push(tok);
            pending_flags = 0;
            newlines = 0;
            i = next;
        } else if c.is_whitespace() {
            pending_flags |= flag::SPACE_BEFORE;
            if matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                pending_flags |= flag::NL_BEFORE;
                newlines += 1;
                if newlines >= 2 || c == '\u{2029}' {
                    pending_flags |= flag::PARA_BEFORE;
                }
            }
            i += len;
        } else {
            out.push(Token {
                start: i,
                end: i + len,
                kind: Kind::Punct,
                ch: c,
                flags: pending_flags,
            });
            pending_flags = 0;
            newlines = 0;
            i += len;
        }
    }
}

/// Tokenise `text` into a new vector.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut v = Vec::with_capacity(text.len() / 5 + 4);
    tokenize_into(text, &mut v);
    v
}

/// Scan one word starting at byte `i` (which holds a word character).
fn scan_word(text: &str, start: usize) -> (Token, usize) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = start;
    // ASCII run first (nearly every word of English news): one table load and
    // one branch per byte, no per-character decoding; `seen` collects the
    // classes. Non-ASCII bytes stop the run (class 0).
    let mut seen = 0u8;
    while i < n {
        let cls = WORD_BYTE[bytes[i] as usize];
        if cls == 0 {
            break;
        }
        seen |= cls;
        i += 1;
    }
    if i > start && (i == n || bytes[i] < 128) {
        // The whole word was ASCII (an ASCII byte that is not a letter or digit
        // ends a word): its flags follow from the classes and the first byte.
        let b0 = bytes[start];
        let mut flags = flag::ASCII;
        if b0.is_ascii_uppercase() {
            flags |= flag::CAP;
        } else if b0.is_ascii_lowercase() {
            flags |= flag::LOWER;
        }
        if seen & 2 != 0 {
            flags |= flag::HAS_UPPER;
            if seen & 1 == 0
                && bytes[start..i]
                    .iter()
                    .filter(|b| b.is_ascii_uppercase())
                    .count()
                    >= 2
            {
                flags |= flag::ALLCAPS;
            }
        }
        let kind = if seen & 3 == 0 {
            Kind::Number
        } else {
            Kind::Word
        };
        let tok = Token {
            start,
            end: i,
            kind,
            ch: b0 as char,
            flags,
        };
        return (tok, i);
    }
    // A word with non-ASCII characters: scanned again from its start.
    let mut i = start;
    let mut all_digits = true;
    let mut ascii = true;
    let mut upper = 0u32;
    let mut lower = 0u32;
    let mut first: Option<char> = None;
    while i < n {
        let b = bytes[i];
        if b < 128 {
            let cls = ASCII_CLASS[b as usize];
            if cls == 0 || cls >= 4 {
                break;
            }
            if first.is_none() {
                first = Some(b as char);
            }
            match cls {
                1 => {
                    lower += 1;
                    all_digits = false;
                }
                2 => {
                    upper += 1;
                    all_digits = false;
                }
                _ => {}
            }
            i += 1;
        } else {
            let c = match text[i..].chars().next() {
                Some(c) => c,
                None => break,
            };
            if !is_word_char(c) {
                break;
            }
            if first.is_none() {
                first = Some(c);
            }
            ascii = false;
            if c.is_uppercase() {
                upper += 1;
                all_digits = false;
            } else if c.is_lowercase() {
                lower += 1;
                all_digits = false;
            } else if !c.is_numeric() {
                all_digits = false;
            }
            i += c.len_utf8();
        }
    }
    let first = first.unwrap_or(' ');
    let mut flags = 0u16;
    if ascii {
        flags |= flag::ASCII;
    }
    if first.is_uppercase() || (!first.is_ascii() && is_titlecase(first)) {
        flags |= flag::CAP;
    } else if first.is_lowercase() {
        flags |= flag::LOWER;
    }
    if upper >= 2 && lower == 0 {
        flags |= flag::ALLCAPS;
    }
    if upper > 0 {
        flags |= flag::HAS_UPPER;
    }
    let kind = if all_digits { Kind::Number } else { Kind::Word };
    (
        Token {
            start,
            end: i,
            kind,
            ch: first,
            flags,
        },
        i,
    )
}

fn is_titlecase(c: char) -> bool {
    // The few Unicode title-case letters (Dž, Lj, Nj, Dz and Greek with prosgegrammeni).
    matches!(c as u32, 0x01C5 | 0x01C8 | 0x01CB | 0x01F2 | 0x1F88..=0x1F8F | 0x1F98..=0x1F9F | 0x1FA8..=0x1FAF | 0x1FBC | 0x1FCC | 0x1FFC)
}

/// Abbreviations after which a period does not end a sentence (lower case, no period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "mt", "ft", "gen", "lt", "col", "sgt", "capt", "cpt", "maj",
    "adm", "cmdr", "gov", "sen", "rep", "rev", "prof", "jr", "sr", "vs", "etc", "inc", "ltd", "co",
    "corp", "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "approx", "est", "fig", "vol", "pp", "ave", "blvd", "rd", "e.g", "i.e", "al",
    "pres", "dept", "univ", "assn", "bros", "ph", "mx",
];

fn is_abbreviation(word: &str) -> bool {
    if word.len() > 6 {
        return false;
    }
    let mut buf = [0u8; 6];
    for (i, b) in word.bytes().enumerate() {
        buf[i] = b.to_ascii_lowercase();
    }
    let w = &buf[..word.len()];
    ABBREVIATIONS.iter().any(|a| a.as_bytes() == w)
}

#[inline]
fn is_closing(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '}' | '›')
}

#[inline]
fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

/// Sentence boundaries as token index ranges (`tokens` from [`tokenize`]).
///
/// A sentence ends at `.`/`!`/`?` (plus closing quotes/brackets) when the next token
/// starts after white space with a capital, digit or opening quote and the word before
/// the period is not a known abbreviation or a single initial; and at line breaks
/// unless the line break falls inside a lower-case running sentence.
pub fn sentence_token_ranges(text: &str, tokens: &[Token], out: &mut Vec<Range<usize>>) {
    out.clear();
    let n = tokens.len();
    let mut start = 0usize;
    let mut i = 0usize;
    while i < n {
        let t = &tokens[i];
        // Line breaks before token i.
        if i > start && t.has(flag::NL_BEFORE) {
            let prev = &tokens[i - 1];
            let continues = !t.has(flag::PARA_BEFORE)
                && t.is_lower_word()
                && (prev.is_lower_word() || prev.is_punct(',') || prev.kind == Kind::Number);
            if !continues {
                out.push(start..i);
                start = i;
            }
        }
        if t.kind == Kind::Punct && is_terminal(t.ch) {
            // Extend over repeated terminals and closing quotes/brackets glued to it.
            let mut j = i + 1;
            while j < n
                && tokens[j].kind == Kind::Punct
                && !tokens[j].has(flag::SPACE_BEFORE)
                && (is_terminal(tokens[j].ch) || is_closing(tokens[j].ch))
            {
                j += 1;
            }
            if j >= n {
                i = j;
                continue;
            }
            let next = &tokens[j];
            let boundary = if !next.has(flag::SPACE_BEFORE) {
                false
            } else if next.has(flag::NL_BEFORE) {
                true
            } else {
                let starts_ok = next.is_cap()
                    || next.kind == Kind::Number
                    || (next.kind == Kind::Punct
                        && matches!(
                            next.ch,
                            '"' | '“' | '‘' | '\'' | '(' | '[' | '«' | '-' | '—' | '–'
                        ));
                if !starts_ok {
                    false
                } else if t.ch == '.' && j == i + 1 && i > 0 {
                    let prev = &tokens[i - 1];
                    if prev.end != t.start || prev.kind != Kind::Word {
                        true
                    } else {
                        let w = prev.text(text);
                        let single_initial = w.chars().count() == 1 && prev.is_cap();
                        !(single_initial || is_abbreviation(w))
                    }
                } else {
                    true
                }
            };
            if boundary {
                out.push(start..j);
                start = j;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if start < n {
        out.push(start..n);
    }
}

/// Byte ranges of the sentences of `text` (trimmed; punctuation included).
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let tokens = tokenize(text);
    let mut ranges = Vec::new();
    sentence_token_ranges(text, &tokens, &mut ranges);
    ranges
        .into_iter()
        .filter(|r| r.start < r.end)
        .map(|r| tokens[r.start].start..tokens[r.end - 1].end)
        .collect()
}

/// Code-point offset → byte offset (clamped to the text length).
pub fn char_to_byte(text: &str, char_idx: usize) -> usize {
    text.char_indices()
        .nth(char_idx)
        .map(|(b, _)| b)
        .unwrap_or(text.len())
}

/// Byte offset → code-point offset (a byte inside a character counts that character's start).
pub fn byte_to_char(text: &str, byte_idx: usize) -> usize {
    let b = byte_idx.min(text.len());
    // Count char starts before b.
    text.as_bytes()[..b]
        .iter()
        .filter(|&&x| (x as i8) >= -0x40)
        .count()
}

/// Monotone byte↔char converter for many increasing offsets over one text.
pub struct OffsetMap<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> OffsetMap<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            chars: 0,
        }
    }
    /// Char offset of byte offset `b`; fastest when called with non-decreasing `b`.
    pub fn to_char(&mut self, b: usize) -> usize {
        let b = b.min(self.text.len());
        if b < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        let slice = &self.text.as_bytes()[self.byte..b];
        self.chars += if slice.is_ascii() {
            slice.len()
        } else {
            slice.iter().filter(|&&x| (x as i8) >= -0x40).count()
        };
        self.byte = b;
        self.chars
    }
}

/// Convert code-point spans to byte spans; `None` when a span is out of range or empty-inverted.
pub fn char_spans_to_bytes(text: &str, spans: &[(usize, usize)]) -> Vec<Option<(usize, usize)>> {
    // Char start positions; built once (spans may come in any order).
    let total = text.chars().count();
    let mut starts: Vec<usize> = Vec::new();
    let need = !text.is_ascii();
    if need {
        starts.reserve(total + 1);
        starts.extend(text.char_indices().map(|(b, _)| b));
        starts.push(text.len());
    }
    spans
        .iter()
        .map(|&(s, e)| {
            if s > e || e > total {
                return None;
            }
            if need {
                Some((starts[s], starts[e]))
            } else {
                Some((s, e))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn tokens_keep_offsets_and_split_punctuation() {
        let t = "Russia’s forces near Kramators'k, Rostov-on-Don.";
        assert_eq!(
            words(t),
            vec![
                "Russia",
                "’",
                "s",
                "forces",
                "near",
                "Kramators",
                "'",
                "k",
                ",",
                "Rostov",
                "-",
                "on",
                "-",
                "Don",
                "."
            ]
        );
        for tok in tokenize(t) {
            assert!(t.is_char_boundary(tok.start) && t.is_char_boundary(tok.end));
        }
    }

    #[test]
    fn flags() {
        let t = "NATO met in Kyiv and kharkiv 2024 Élan";
        let toks = tokenize(t);
        assert!(toks[0].has(flag::ALLCAPS) && toks[0].is_cap());
        assert!(toks[3].is_cap() && !toks[3].has(flag::ALLCAPS));
        assert!(toks[5].is_lower_word());
        assert_eq!(toks[6].kind, Kind::Number);
        assert!(toks[7].is_cap() && !toks[7].has(flag::ASCII));
    }

    #[test]
    fn ascii_and_unicode_words_get_the_same_flags() {
        // Each word twice: plain ASCII (fast path), then with a non-ASCII letter
        // at the end (general path); the case flags must agree.
        let pairs = [
            ("NATO", "NATOÉ"),
            ("McDonald", "McDonaldé"),
            ("iPhone", "iPhoneé"),
            ("kyiv", "kyivé"),
            ("Kyiv", "Kyivé"),
            ("A1", "A1É"),
        ];
        let bits = flag::CAP | flag::LOWER | flag::HAS_UPPER;
        for (a, u) in pairs {
            let (ta, tu) = (tokenize(a)[0], tokenize(u)[0]);
            assert_eq!(ta.flags & bits, tu.flags & bits, "{a} / {u}");
            assert!(ta.has(flag::ASCII) && !tu.has(flag::ASCII));
            assert_eq!(
                (ta.start, ta.end, ta.ch),
                (0, a.len(), a.chars().next().unwrap())
            );
        }
        let t = tokenize("kyiv Kyiv NATO 2024 iPhone");
        let up: Vec<bool> = t.iter().map(|t| t.has(flag::HAS_UPPER)).collect();
        assert_eq!(up, [false, true, true, false, true]);
        assert!(t[2].has(flag::ALLCAPS) && !t[4].has(flag::ALLCAPS));
        assert_eq!(t[3].kind, Kind::Number);
    }

    #[test]
    fn combining_marks_stay_in_words() {
        let t = "Zvi\u{301}ro town";
        assert_eq!(words(t), vec!["Zvi\u{301}ro", "town"]);
    }

    #[test]
    fn sentence_split_rules() {
        let t = "Mr. Smith went to Washington. He met Gen. Lee in the U.S. capital! \"Really?\" she asked.\nHeadline without stop\nNext line here.";
        let s: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            s,
            vec![
                "Mr. Smith went to Washington.",
                "He met Gen. Lee in the U.S. capital!",
                "\"Really?\" she asked.",
                "Headline without stop",
                "Next line here."
            ]
        );
    }

    #[test]
    fn wrapped_lower_case_line_continues() {
        let t = "Troops advanced towards the\nvillage on Monday.";
        assert_eq!(sentences(t).len(), 1);
    }

    #[test]
    fn offsets_convert() {
        let t = "Київ and Kyiv";
        assert_eq!(byte_to_char(t, t.find("Kyiv").unwrap()), 9);
        assert_eq!(char_to_byte(t, 9), t.find("Kyiv").unwrap());
        assert_eq!(char_to_byte(t, 100), t.len());
        let mut m = OffsetMap::new(t);
        assert_eq!(m.to_char(0), 0);
        assert_eq!(m.to_char(8), 4);
        assert_eq!(m.to_char(t.len()), 13);
        assert_eq!(m.to_char(8), 4);
        assert_eq!(
            char_spans_to_bytes(t, &[(9, 13), (5, 4), (0, 14)]),
            vec![Some((13, 17)), None, None]
        );
    }
}
