//! Name normalisation: the key under which every gazetteer name is indexed.
//!
//! [`normalize`] is the exact key: Unicode NFKC, case fold, diacritics stripped
//! (NFD, combining marks removed), apostrophes (’ ʼ ' ` ‘ ′ ʹ) removed, every other
//! non-alphanumeric run (hyphens, dashes, spaces, punctuation) turned into one
//! space, trimmed. Scanners must normalise text spans with the same function.
//!
//! [`fold`] is a looser transliteration key applied on top of [`normalize`]
//! (kh→h, y/iy/yi/ii→i, ie→e, doubled letters collapsed, -ovo/-ove/-oye→-ov …),
//! used as a second-level index for spellings such as "Hulyaipole" vs
//! "Huliaipole".

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Exact index key of a name. See the module docs.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    normalize_into(s, &mut out);
    out
}

/// Like [`normalize`], appending to `out` (no allocation when `out` has room).
pub fn normalize_into(s: &str, out: &mut String) {
    let base = out.len();
    // `pending_space`: a separator was seen after some output of this call.
    let mut pending_space = false;
    if s.is_ascii() {
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(b.to_ascii_lowercase() as char);
            } else if b == b'\'' || b == b'`' {
                // apostrophes vanish
            } else if out.len() > base {
                pending_space = true;
            }
        }
        return;
    }
    if s.chars().all(fast_char) {
        // ASCII and basic Cyrillic letters need neither NFKC nor decomposition.
        for c in s.chars() {
            if let Some(l) = fast_lower(c) {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(l);
            } else if is_apostrophe(c) {
            } else if out.len() > base {
                pending_space = true;
            }
        }
        return;
    }
    for c in s.nfkc() {
        // NFD of one char, then drop combining marks.
        let push = |c: char, out: &mut String, pending: &mut bool| {
            if is_apostrophe(c) {
                return;
            }
            if c.is_alphanumeric() {
                if *pending {
                    out.push(' ');
                    *pending = false;
                }
                push_lower(c, out);
            } else if out.len() > base {
                *pending = true;
            }
        };
        if c.is_ascii() {
            push(c, out, &mut pending_space);
            continue;
        }
        let mut any = false;
        unicode_normalization::char::decompose_canonical(c, |d| {
            any = true;
            if is_combining_mark(d) {
                return;
            }
            push(d, out, &mut pending_space);
        });
        if !any {
            push(c, out, &mut pending_space);
        }
    }
}

/// Characters handled by the fast path: ASCII, and Cyrillic letters without
/// a canonical decomposition (й, ё, ї, ў, ѓ, ќ, ѐ, ѝ and their capitals have one).
fn fast_char(c: char) -> bool {
    match c as u32 {
        0..=0x7F => true,
        0x0419 | 0x0439 | 0x0401 | 0x0451 | 0x0407 | 0x0457 | 0x040E | 0x045E => false,
        0x0403 | 0x0453 | 0x040C | 0x045C | 0x0400 | 0x0450 | 0x040D | 0x045D => false,
        0x0400..=0x045F => true,
        0x0490 | 0x0491 | 0x2019 | 0x02BC => true,
        _ => false,
    }
}

/// Lower-case letter or digit of a [`fast_char`]; None for separators and apostrophes.
fn fast_lower(c: char) -> Option<char> {
    let u = c as u32;
    match u {
        0x30..=0x39 | 0x61..=0x7A => Some(c),
        0x41..=0x5A => Some((u as u8 + 32) as char),
        0x0410..=0x042F => char::from_u32(u + 0x20),
        0x0400..=0x040F => char::from_u32(u + 0x50),
        0x0430..=0x045F => Some(c),
        0x0490 => Some('\u{0491}'),
        0x0491 => Some(c),
        _ => None,
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '`'
            | '\u{2019}'
            | '\u{02BC}'
            | '\u{2018}'
            | '\u{02B9}'
            | '\u{2032}'
            | '\u{00B4}'
            | '\u{02BB}'
            | '\u{02BE}'
            | '\u{02BF}'
            | '\u{2035}'
    )
}

fn push_lower(c: char, out: &mut String) {
    match c {
        'ß' | 'ẞ' => out.push_str("ss"),
        'Ł' | 'ł' => out.push('l'),
        'Ø' | 'ø' => out.push('o'),
        'Đ' | 'đ' => out.push('d'),
        'Ħ' | 'ħ' => out.push('h'),
        'ı' => out.push('i'),
        'Æ' | 'æ' => out.push_str("ae"),
        'Œ' | 'œ' => out.push_str("oe"),
        'Þ' | 'þ' => out.push_str("th"),
        'ς' => out.push('σ'),
        _ => {
            for l in c.to_lowercase() {
                // Lowercasing can produce combining marks (İ → i̇).
                if !is_combining_mark(l) {
                    out.push(l);
                }
            }
        }
    }
}

/// Number of space-separated tokens of a normalised key.
pub fn token_count(normalized: &str) -> usize {
    if normalized.is_empty() {
        0
    } else {
        normalized.bytes().filter(|&b| b == b' ').count() + 1
    }
}

/// Looser transliteration key of an already [`normalize`]d name.
///
/// Applied per token on Latin text (other scripts pass through, with doubled
/// letters collapsed):
/// - `shch`→`sh`, `zhzh`→`zh`, `kh`→`h`, `gh`→`h`, `ts`→`c`, `w`→`v`;
/// - `j`, `y` → `i`; then `ie` → `e` and runs of `i` collapse (`iy`/`yi`/`ii`→`i`);
/// - doubled letters collapse (`nn`→`n`);
/// - endings `-ovo`/`-ove` → `-ov`, `-skoe`/`-ske` → `-sk`,
///   `-noe`/`-ne` → `-n`, `-aia` → `-a`.
pub fn fold(normalized: &str) -> String {
    let mut out = String::with_capacity(normalized.len());
    for (i, tok) in normalized.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        fold_token(tok, &mut out);
    }
    out
}

fn fold_token(tok: &str, out: &mut String) {
    if !tok.is_ascii() {
        // Collapse doubled letters only.
        let mut prev = None;
        for c in tok.chars() {
            if Some(c) != prev {
                out.push(c);
            }
            prev = Some(c);
        }
        return;
    }
    let b = tok.as_bytes();
    let mut t: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"shch") {
            t.extend_from_slice(b"sh");
            i += 4;
        } else if rest.starts_with(b"zhzh") {
            t.extend_from_slice(b"zh");
            i += 4;
        } else if rest.starts_with(b"kh") || rest.starts_with(b"gh") {
            t.push(b'h');
            i += 2;
        } else if rest.starts_with(b"ts") {
            t.push(b'c');
            i += 2;
        } else {
            let c = match b[i] {
                b'y' | b'j' => b'i',
                b'w' => b'v',
                c => c,
            };
            t.push(c);
            i += 1;
        }
    }
    // ie → e (Sievierodonetsk/Severodonetsk, Avdeievka/Avdeevka)
    let mut u: Vec<u8> = Vec::with_capacity(t.len());
    let mut k = 0;
    while k < t.len() {
        if t[k] == b'i' && t.get(k + 1) == Some(&b'e') && k > 0 {
            k += 1;
            continue;
        }
        u.push(t[k]);
        k += 1;
    }
    // collapse doubled letters
    u.dedup();
    // endings
    const ENDINGS: &[(&[u8], &[u8])] = &[
        (b"skoe", b"sk"),
        (b"ske", b"sk"),
        (b"noe", b"n"),
        (b"ovo", b"ov"),
        (b"ove", b"ov"),
        (b"aia", b"a"),
        (b"ne", b"n"),
    ];
    for (end, rep) in ENDINGS {
        if u.len() > end.len() + 2 && u.ends_with(end) {
            u.truncate(u.len() - end.len());
            u.extend_from_slice(rep);
            break;
        }
    }
    // All bytes are ASCII.
    out.extend(u.iter().map(|&c| c as char));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_cases() {
        assert_eq!(normalize("Kurakhove"), "kurakhove");
        assert_eq!(normalize("  Chasiv   Yar "), "chasiv yar");
        assert_eq!(normalize("Nikolayevo-Daryino"), "nikolayevo daryino");
        assert_eq!(normalize("Rostov-na-Donu"), "rostov na donu");
        assert_eq!(normalize("Kam’yanske"), "kamyanske");
        assert_eq!(normalize("Kamʼianske"), "kamianske");
        assert_eq!(normalize("Kam'yanske"), "kamyanske");
        assert_eq!(normalize("Kam`yanske"), "kamyanske");
        assert_eq!(normalize("Kam‘yanske"), "kamyanske");
        assert_eq!(normalize("Takht-e Qeyşar"), "takht e qeysar");
        assert_eq!(normalize("Zürich"), "zurich");
        assert_eq!(normalize("Łódź"), "lodz");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("Washington, D.C."), "washington d c");
        assert_eq!(normalize("Velyka — Novosilka"), "velyka novosilka");
        assert_eq!(normalize("Velyka\u{00A0}Novosilka"), "velyka novosilka");
        assert_eq!(normalize("-Kyiv-"), "kyiv");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("’"), "");
    }

    #[test]
    fn nfkc_and_cyrillic() {
        // Fullwidth letters fold under NFKC.
        assert_eq!(normalize("ＫＹＩＶ"), "kyiv");
        // Ukrainian apostrophe and letters with diacritics.
        assert_eq!(normalize("Кам'янське"), "камянське");
        assert_eq!(normalize("Кам’янське"), normalize("Камʼянське"));
        assert_eq!(normalize("Курахове"), "курахове");
        // й → и, ї → і, ё → е once combining marks are gone.
        assert_eq!(normalize("Київ"), "киів");
        assert_eq!(normalize("Гуляйполе"), "гуляиполе");
        assert_eq!(normalize("Орёл"), "орел");
        // Decomposed input equals composed input.
        assert_eq!(normalize("Cafe\u{0301}"), normalize("Café"));
    }

    #[test]
    fn fast_path_matches_slow_path() {
        for c in (0u32..0x80)
            .chain(0x0400..0x0460)
            .chain([0x0490, 0x0491, 0x2019, 0x02BC])
        {
            let Some(ch) = char::from_u32(c) else {
                continue;
            };
            if !fast_char(ch) {
                continue;
            }
            let s = format!("ab{ch}\u{0436}c");
            // The slow path: force it with a char outside the fast set.
            let slow = normalize(&format!("{s}\u{00E9}"));
            let fast = normalize(&s);
            assert_eq!(format!("{fast}e"), slow, "char U+{c:04X}");
        }
    }

    #[test]
    fn fold_cases() {
        let f = |s: &str| fold(&normalize(s));
        assert_eq!(f("Hulyaipole"), f("Huliaipole"));
        assert_eq!(f("Graivoron"), f("Grayvoron"));
        assert_eq!(f("Zaporizhia"), f("Zaporizhzhia"));
        assert_eq!(f("Sievierodonetsk"), f("Severodonetsk"));
        assert_eq!(f("Kurakhovo"), f("Kurakhove"));
        assert_eq!(f("Avdiyivka"), f("Avdiivka"));
        assert_eq!(f("Rubezhnoye"), f("Rubezhnoe"));
        assert_eq!(f("Kremennaya"), "kremenaia".replace("aia", "a"));
        assert_eq!(f("Zolotoye"), f("Zolotoe"));
        assert_ne!(f("Kyiv"), f("Lviv"));
        assert_eq!(token_count("velyka novosilka"), 2);
        assert_eq!(token_count(""), 0);
    }
}
