//! The GeoNames loader on our own small fixtures (tests/fixtures/gazetteer/):
//! every format, malformed lines, BOM/CRLF, .gz and .zip, override by
//! geonameid, admin lookups and region phrases, errors for missing input.

use std::io::Write;
use std::path::{Path, PathBuf};

use frontline::cli::GazetteerOpts;
use frontline::gazetteer::{
    AdminLevel, FileFormat, Gazetteer, GazetteerError, LoadOptions, LoadReport, NameKind, normalize,
};

fn fixture(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gazetteer")
        .join(dir)
}

fn load(paths: &[PathBuf], extra: &[char]) -> (Gazetteer, LoadReport) {
    let opts = LoadOptions {
        default: false,
        paths: paths.to_vec(),
        extra_classes: extra.to_vec(),
        max_warnings: 100,
    };
    Gazetteer::load(&opts).unwrap_or_else(|e| panic!("load {paths:?}: {e}"))
}

fn gid(g: &Gazetteer, geonameid: u64) -> &frontline::gazetteer::Place {
    let i = g
        .by_geonameid(geonameid)
        .unwrap_or_else(|| panic!("{geonameid} not loaded"));
    g.place(i)
}

fn has(g: &Gazetteer, name: &str, geonameid: u64) -> Option<NameKind> {
    g.candidates(&normalize(name))
        .iter()
        .find(|h| g.place(h.place).geonameid == geonameid)
        .map(|h| h.kind)
}

#[test]
fn base_directory_all_formats() {
    let (g, report) = load(&[fixture("base")], &[]);
    // P and A rows only: the hotel (S) and the stream (H) are not kept.
    assert_eq!(
        g.places().len(),
        9,
        "{:?}",
        g.places().iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    assert!(g.by_geonameid(2000001).is_none());
    // Malformed lines: UA.txt 2 (short line, latitude 123), countryInfo 1,
    // admin1 1 (code without a dot), alternateNames 1 (bad geonameid).
    assert_eq!(report.skipped_lines, 5, "{:#?}", report.warnings);
    let w = report.warnings.join("\n");
    assert!(
        w.contains("UA.txt:7: expected 19 tab-separated columns, found 2"),
        "{w}"
    );
    assert!(
        w.contains("UA.txt:8: latitude \"123.0\" out of range"),
        "{w}"
    );
    assert!(w.contains("countryInfo.txt:6:"), "{w}");
    assert!(
        w.contains("admin1CodesASCII.txt:10: bad code \"UA05\""),
        "{w}"
    );
    assert!(
        w.contains("alternateNamesV2.txt:7: bad geonameid \"notanumber\""),
        "{w}"
    );
    // BOM on the first line did not break the first record; CRLF is gone.
    let k = gid(&g, 695357);
    assert_eq!(k.name, "Kurakhove");
    assert_eq!(k.admin1_key(), "UA.05");
    assert_eq!(k.admin2_key(), "UA.05.1416");
    assert_eq!(k.to_resolved().admin1, "UA.05");
    assert_eq!(gid(&g, 4140963).feature_code, "PPLC");
    // Names: primary, inline alternates, alternateNames (historic flag), abbr kept.
    assert_eq!(has(&g, "Kurakhove", 695357), Some(NameKind::Primary));
    assert_eq!(has(&g, "Kurakhovo", 695357), Some(NameKind::Alternate));
    assert_eq!(has(&g, "Курахово", 695357), Some(NameKind::Alternate));
    assert_eq!(has(&g, "Krasnoarmiysk", 704422), Some(NameKind::Historic));
    assert_eq!(has(&g, "DC", 4140963), Some(NameKind::Alternate));
    // post and link rows are not names.
    assert!(g.candidates("85612").is_empty());
    assert!(
        g.candidates(&normalize("https://en.wikipedia.org/wiki/Kurakhove"))
            .is_empty()
    );
    // A name of an id that is not loaded is an orphan, not an error.
    assert!(report.orphan_names >= 1);
    assert!(g.is_name_prefix("kura"));
    assert!(g.is_name_prefix("kurakhove"));
    assert!(!g.is_name_prefix("kurax"));
    let st = g.stats();
    assert_eq!(st.by_class, vec![('A', 2), ('P', 7)]);
    assert_eq!(st.countries, 3);
}

#[test]
fn extra_feature_classes_are_kept_on_request() {
    let (g, _) = load(&[fixture("base")], &['S', 'H']);
    assert_eq!(g.places().len(), 11);
    assert_eq!(gid(&g, 2000001).feature_class, 'S');
}

#[test]
fn admin_codes_names_and_region_phrases() {
    let (g, _) = load(&[fixture("base")], &[]);
    assert_eq!(
        g.admin1("UA.05").map(|u| u.name.as_str()),
        Some("Donetska oblast")
    );
    assert_eq!(
        g.admin2("UA.05.1416").map(|u| u.name.as_str()),
        Some("Pokrovsk Raion")
    );
    assert!(g.admin1("UA05").is_none());
    assert_eq!(g.country("ua").map(|c| c.name.as_str()), Some("Ukraine"));
    assert_eq!(g.country("UKR").map(|c| c.iso.as_str()), Some("UA"));
    assert_eq!(g.country_by_name("USA").map(|c| c.iso.as_str()), Some("US"));
    assert_eq!(
        g.country_by_name("Russian Federation")
            .map(|c| c.iso.as_str()),
        Some("RU")
    );
    assert_eq!(
        g.country_by_name("Ukraine").map(|c| c.iso.as_str()),
        Some("UA")
    );
    let key = |p: &str| g.admin_by_phrase(p).map(|m| m.key);
    assert_eq!(key("Donetsk oblast").as_deref(), Some("UA.05"));
    assert_eq!(key("Donetska oblast").as_deref(), Some("UA.05"));
    assert_eq!(key("Donetsk region").as_deref(), Some("UA.05"));
    // Kursk Oblast is named only in alternateNames (its record is not loaded).
    assert_eq!(key("Kursk region").as_deref(), Some("RU.41"));
    assert_eq!(key("Kurskaya oblast").as_deref(), Some("RU.41"));
    assert_eq!(key("Florida").as_deref(), Some("US.FL"));
    assert_eq!(key("Washington state").as_deref(), Some("US.WA"));
    // "Kyiv region" is the oblast, not the city-status unit named "Kyiv".
    assert_eq!(key("Kyiv region").as_deref(), Some("UA.13"));
    assert_eq!(key("Pokrovsk raion").as_deref(), Some("UA.05.1416"));
    assert_eq!(key("UA.05").as_deref(), Some("UA.05"));
    // Capital-city rule: Luhansk oblast has no English alias here, but
    // "Ivanivske region" names the admin-1 of the place called Ivanivske.
    let m = g
        .admin_by_phrase("Ivanivske region")
        .expect("capital-city rule");
    assert_eq!((m.key.as_str(), m.level), ("UA.14", AdminLevel::Admin1));
    let c = g.admin_by_phrase("Ukraine").expect("country");
    assert_eq!((c.key.as_str(), c.level), ("UA", AdminLevel::Country));
    assert!(g.admin_by_phrase("Nowhere region").is_none());
    let (lat, lon) = g.admin_center("UA.05").expect("centre");
    assert!(
        (lat - 48.0).abs() < 1e-9 && (lon - 37.75).abs() < 1e-9,
        "the ADM1 record's point"
    );
}

#[test]
fn later_sources_override_by_geonameid_and_add() {
    let (g, report) = load(&[fixture("base"), fixture("extra")], &[]);
    let k = gid(&g, 695357);
    assert_eq!((k.lat, k.population), (47.99, 17000));
    assert!(
        g.source(k.source)
            .is_some_and(|s| s.label.ends_with("extra/UA.txt"))
    );
    // The replaced record's inline names are gone; alternateNames rows stay.
    assert_eq!(has(&g, "Курахове", 695357), None);
    assert_eq!(has(&g, "Курахово", 695357), Some(NameKind::Alternate));
    assert_eq!(
        g.places().iter().filter(|p| p.geonameid == 695357).count(),
        1
    );
    // New place and its alias.
    assert_eq!(
        has(&g, "Rabotino village", 3000000001),
        Some(NameKind::Alias)
    );
    assert_eq!(has(&g, "Kurakhovo-town", 695357), Some(NameKind::Alias));
    // KATOTTG: an approximate new point, names added to a known place.
    let t = gid(&g, 3100000001);
    assert!(t.approximate);
    assert_eq!(
        (t.country_code.as_str(), t.admin1_key().as_str()),
        ("UA", "UA.05")
    );
    assert_eq!(has(&g, "Тоненьке", 3100000001), Some(NameKind::Katottg));
    assert_eq!(has(&g, "Tonenke", 3100000001), Some(NameKind::Primary));
    let p = gid(&g, 704422);
    assert!(
        !p.approximate,
        "a surveyed point is not replaced by a KATOTTG row"
    );
    assert_eq!(p.lat, 48.28198);
    assert_eq!(report.unplaced_rows, 1);
    // 5 from base + KATOTTG latitude 91 + alias of an unknown id.
    assert_eq!(report.skipped_lines, 7, "{:#?}", report.warnings);
    let w = report.warnings.join("\n");
    assert!(
        w.contains("aliases.tsv:5: alias \"Ghost\": geonameid 123 is not a loaded place"),
        "{w}"
    );
    assert!(
        w.contains("ua_katottg.tsv:5: latitude \"91\" out of range"),
        "{w}"
    );
    assert!(g.by_geonameid(3100000003).is_none());
}

fn gz(path: &Path, data: &[u8]) {
    let f = std::fs::File::create(path).expect("create");
    let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::default());
    e.write_all(data).expect("write");
    e.finish().expect("finish");
}

#[test]
fn zip_gz_bom_crlf_and_single_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ua = std::fs::read(fixture("extra/UA.txt")).expect("read");
    // A zip holding UA.txt and a readme (ignored).
    let zpath = dir.path().join("UA.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).expect("create"));
    let o = zip::write::SimpleFileOptions::default();
    z.start_file("readme.txt", o).expect("zip");
    z.write_all(b"not a table\n").expect("zip");
    z.start_file("UA.txt", o).expect("zip");
    z.write_all(&ua).expect("zip");
    z.finish().expect("zip");
    // Alternate names, gzipped, with a BOM and CRLF line ends.
    gz(
        &dir.path().join("alternateNamesV2.txt.gz"),
        "\u{feff}1\t3000000001\tru\tРаботино\t\t\t\t\t\t\r\n2\t3000000001\tuk\tРоботине\t\t\t\t\t\t\r\n".as_bytes(),
    );
    let (g, report) = load(&[dir.path().to_path_buf()], &[]);
    assert_eq!(report.skipped_lines, 0, "{:?}", report.warnings);
    assert_eq!(g.places().len(), 2);
    assert!(
        report
            .sources
            .iter()
            .any(|s| s.label.ends_with("UA.zip!UA.txt"))
    );
    assert!(report.sources.iter().all(|s| !s.label.contains("readme")));
    assert_eq!(has(&g, "Работино", 3000000001), Some(NameKind::Alternate));
    assert_eq!(has(&g, "Роботине", 3000000001), Some(NameKind::Alternate));
    // Single files: the zip, the gz.
    let (g1, _) = load(std::slice::from_ref(&zpath), &[]);
    assert_eq!(g1.places().len(), 2);
    let single = dir.path().join("cities500.txt.gz");
    gz(&single, &ua);
    let (g2, r2) = load(&[single], &[]);
    assert_eq!(g2.places().len(), 2);
    assert_eq!(r2.sources[0].format, FileFormat::GeonameTable);
    // An unknown name with 19 columns is accepted as a geoname table.
    let odd = dir.path().join("my-export.tsv");
    std::fs::write(&odd, &ua).expect("write");
    let (g3, _) = load(&[odd], &[]);
    assert_eq!(g3.places().len(), 2);
}

#[test]
fn plain_file_wins_over_gz_copy_in_one_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ua = std::fs::read(fixture("extra/UA.txt")).expect("read");
    std::fs::write(dir.path().join("UA.txt"), &ua).expect("write");
    gz(&dir.path().join("UA.txt.gz"), &ua);
    let (_, report) = load(&[dir.path().to_path_buf()], &[]);
    assert_eq!(report.sources.len(), 1);
    assert!(report.sources[0].label.ends_with("UA.txt"));
}

#[test]
fn line_numbers_survive_chunking() {
    // Big enough for several 2 MiB chunks; one bad line far in.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = String::from("\u{feff}");
    let bad_line = 40_001;
    for i in 1..=60_000u64 {
        if i == bad_line {
            s.push_str("oops\r\n");
            continue;
        }
        s.push_str(&format!(
            "{}\tPlace {i}\tPlace {i}\tAlt {i},Другое {i}\t{}\t{}\tP\tPPL\tUA\t\t05\t\t\t\t{i}\t\t\tEurope/Kyiv\t2024-01-01\r\n",
            1_000_000 + i,
            45.0 + (i % 1000) as f64 / 200.0,
            30.0 + (i % 777) as f64 / 100.0
        ));
    }
    assert!(s.len() > 5 << 20, "{}", s.len());
    let path = dir.path().join("allCountries.txt");
    std::fs::write(&path, &s).expect("write");
    let (g, report) = load(&[path], &[]);
    assert_eq!(g.places().len(), 59_999);
    assert_eq!(report.skipped_lines, 1);
    assert!(
        report.warnings[0].contains(&format!("allCountries.txt:{bad_line}:")),
        "{:?}",
        report.warnings
    );
    assert_eq!(report.sources[0].lines, 60_000);
    assert_eq!(
        has(&g, "Другое 59999", 1_059_999),
        Some(NameKind::Alternate)
    );
    assert_eq!(has(&g, "Place 1", 1_000_001), Some(NameKind::Primary));
}

#[test]
fn missing_and_unusable_sources_are_clear_errors() {
    let missing = PathBuf::from("/nonexistent/frontline-gazetteer");
    let e = Gazetteer::load(&LoadOptions {
        default: false,
        paths: vec![missing.clone()],
        ..Default::default()
    })
    .expect_err("missing path");
    assert!(matches!(e, GazetteerError::NotFound { .. }));
    assert!(
        e.to_string().contains("/nonexistent/frontline-gazetteer"),
        "{e}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("notes.md"), "hello").expect("write");
    let e = Gazetteer::load(&LoadOptions {
        default: false,
        paths: vec![dir.path().to_path_buf()],
        ..Default::default()
    })
    .expect_err("empty dir");
    assert!(matches!(e, GazetteerError::NoFiles { .. }), "{e}");
    let e = Gazetteer::load(&LoadOptions {
        default: false,
        paths: vec![dir.path().join("notes.md")],
        ..Default::default()
    })
    .expect_err("unknown file");
    assert!(matches!(e, GazetteerError::UnknownFile { .. }), "{e}");
    assert!(e.to_string().contains("notes.md"));
    // A corrupt gzip is an I/O error naming the file.
    std::fs::write(dir.path().join("UA.txt.gz"), b"not gzip at all").expect("write");
    let e = Gazetteer::load(&LoadOptions {
        default: false,
        paths: vec![dir.path().join("UA.txt.gz")],
        ..Default::default()
    })
    .expect_err("corrupt gz");
    assert!(e.to_string().contains("UA.txt.gz"), "{e}");
}

#[test]
fn options_from_cli() {
    let opts = GazetteerOpts {
        gazetteer: vec![PathBuf::from("/a"), PathBuf::from("/b")],
        no_default_gazetteer: true,
        feature_classes: vec!["s".into(), "L,T".into()],
    };
    let lo = LoadOptions::from_cli(&opts);
    assert!(!lo.default);
    assert_eq!(lo.paths, vec![PathBuf::from("/a"), PathBuf::from("/b")]);
    assert_eq!(lo.extra_classes, vec!['S', 'L', 'T']);
    assert!(LoadOptions::from_cli(&GazetteerOpts::default()).default);
}

#[test]
fn default_gazetteer_is_embedded() {
    let (g, report) = Gazetteer::load_default().expect("default");
    assert!(report.sources.iter().all(|s| s.embedded));
    assert!(g.places().len() > 250_000);
    let k = g.candidates(&normalize("Kurakhove"));
    assert!(k.iter().any(|h| g.place(h.place).geonameid == 695357));
    assert!(g.max_name_tokens() >= 3);
    // Region phrases from the issue, on the real data.
    for (phrase, key) in [
        ("Kursk region", "RU.41"),
        ("Donetsk oblast", "UA.05"),
        ("Donetska oblast", "UA.05"),
        ("Kharkiv Oblast", "UA.07"),
        ("Kharkov region", "UA.07"),
        ("Zaporizhzhia province", "UA.26"),
        ("Krasnodar krai", "RU.38"),
        ("Autonomous Republic of Crimea", "UA.11"),
        ("Florida", "US.FL"),
        ("Washington state", "US.WA"),
        ("Kyiv region", "UA.13"),
        ("Moscow region", "RU.47"),
        ("Belgorod oblast", "RU.09"),
        ("Bryansk region", "RU.10"),
        ("Luhansk region", "UA.14"),
        ("Kherson region", "UA.08"),
        ("Sumy oblast", "UA.21"),
    ] {
        assert_eq!(
            g.admin_by_phrase(phrase).map(|m| m.key).as_deref(),
            Some(key),
            "{phrase}"
        );
    }
    for (name, cc) in [
        ("Russian Federation", "RU"),
        ("USA", "US"),
        ("Türkiye", "TR"),
        ("UK", "GB"),
        ("Britain", "GB"),
    ] {
        assert_eq!(
            g.country_by_name(name).map(|c| c.iso.as_str()),
            Some(cc),
            "{name}"
        );
    }
}
