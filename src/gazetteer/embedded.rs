//! The default gazetteer, embedded in the binary (written by `gazetteer/build`,
//! plus our hand-written `gazetteer/aliases.tsv` and `gazetteer/supplement.tsv`). The release binary is
//! self-contained: it needs no data files at run time.

macro_rules! data {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/gazetteer/", $name))
                as &'static [u8],
        )
    };
}

/// (file name, bytes). File names decide the format, as for a user directory.
pub(crate) static FILES: &[(&str, &[u8])] = &[
    data!("countryInfo.txt"),
    data!("admin1CodesASCII.txt"),
    data!("admin2Codes.txt"),
    data!("cities.txt.gz"),
    data!("admin.txt.gz"),
    data!("ua_katottg.tsv.gz"),
    data!("supplement.tsv"),
    data!("alternateNamesV2.txt.gz"),
    data!("aliases.tsv"),
];

/// English (ASCII) name of an admin-1 code ("UA.05" → "Donetska oblast") from
/// the built-in `admin1CodesASCII.txt`, without loading the gazetteer.
pub fn admin1_name(code: &str) -> Option<&'static str> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static NAMES: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            let bytes = FILES
                .iter()
                .find(|(n, _)| *n == "admin1CodesASCII.txt")
                .map_or(&[][..], |f| f.1);
            std::str::from_utf8(bytes)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| super::formats::parse_admin_code(l, 2).ok().flatten())
                .map(|row| (row.key, row.asciiname))
                .collect()
        })
        .get(code)
        .copied()
}

#[cfg(test)]
mod tests {
    #[test]
    fn admin1_names() {
        assert_eq!(super::admin1_name("UA.05"), Some("Donetska oblast"));
        assert_eq!(super::admin1_name("RU.41"), Some("Kurskaya oblast'"));
        assert_eq!(super::admin1_name("XX.99"), None);
    }
}
