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
