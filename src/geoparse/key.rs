//! Name keys: the folded form used to look names up.
//!
//! This is exactly the gazetteer's key ([`crate::gazetteer::normalize`]); the
//! scanner builds keys word by word, which gives the same result because the
//! normaliser turns every non-alphanumeric run into one space and drops
//! apostrophes.

/// Append the key form of one word (a run of word characters) to `out`.
#[inline]
pub fn push_word(word: &str, out: &mut String) {
    if word.is_ascii() {
        let start = out.len();
        out.push_str(word);
        out[start..].make_ascii_lowercase();
    } else {
        crate::gazetteer::normalize_into(word, out);
    }
}

/// The key of a whole phrase.
pub fn key_of(s: &str) -> String {
    crate::gazetteer::normalize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert_eq!(key_of("Kramators'k"), "kramatorsk");
        assert_eq!(key_of("Rostov-on-Don"), "rostov on don");
        assert_eq!(key_of("  Bila  Tserkva "), "bila tserkva");
        assert_eq!(key_of("U.S."), "u s");
        assert_eq!(key_of("Türkiye"), "turkiye");
        let mut s = String::new();
        push_word("Kyïv", &mut s);
        assert_eq!(s, "kyiv");
    }
}
