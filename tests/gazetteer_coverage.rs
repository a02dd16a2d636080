//! Coverage of the default gazetteer on the frontline test list
//! (`tests/data/frontline-places.tsv`, copied from the shared acceptance data):
//! for each row, at least one spelling must return a candidate in the expected
//! admin-1 (or country, for world cities given as a bare country code).

use frontline::gazetteer::{Gazetteer, LookupOptions};

/// Floors asserted. Reached when written: 199/199 rows (the Russian border
/// villages come from the hand-written gazetteer/supplement.tsv), 140/140
/// Ukrainian rows, 15/15 major and 14/14 world cities; the first spelling's top
/// candidate is in the expected unit for 185/199 rows (homonyms without context).
const FLOOR_ALL: f64 = 1.0;
const FLOOR_UA: f64 = 1.0;
const FLOOR_TOP1: f64 = 0.92;

struct Row {
    variants: Vec<String>,
    region: String,
    expected: String,
}

fn rows() -> Vec<Row> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/frontline-places.tsv"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.starts_with("variants\t") || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad row {line:?}");
        out.push(Row {
            variants: f[0].split(" / ").map(|s| s.trim().to_string()).collect(),
            region: f[1].to_string(),
            expected: f[2].to_string(),
        });
    }
    out
}

#[test]
fn default_gazetteer_covers_frontline_places() {
    let (g, report) = Gazetteer::load_default().expect("default gazetteer loads");
    assert_eq!(
        report.skipped_lines, 0,
        "default gazetteer has malformed lines: {:?}",
        report.warnings
    );
    let rows = rows();
    assert_eq!(rows.len(), 199);
    let in_expected = |idx: u32, expected: &str| {
        let p = g.place(idx);
        if expected.contains('.') {
            p.admin1_key() == expected
        } else {
            p.country_code == expected
        }
    };
    let opts = LookupOptions::default();
    let (mut hit, mut ua, mut ua_hit, mut top1) = (0, 0, 0, 0);
    let mut major = (0, 0);
    let mut world = (0, 0);
    let mut failures = Vec::new();
    let mut wrong_top = Vec::new();
    for r in &rows {
        let mut covered = false;
        let mut first_right = false;
        let mut detail = Vec::new();
        for (vi, v) in r.variants.iter().enumerate() {
            let cands = g.lookup(v, &opts);
            if cands.iter().any(|c| in_expected(c.place, &r.expected)) {
                covered = true;
            }
            if vi == 0 {
                first_right = cands
                    .first()
                    .is_some_and(|c| in_expected(c.place, &r.expected));
                if !first_right {
                    let top = cands.first().map(|c| {
                        let p = g.place(c.place);
                        format!("{} {} ({})", p.name, p.admin1_key(), p.geonameid)
                    });
                    wrong_top.push(format!("{} → {:?}", v, top));
                }
            }
            let admins: Vec<String> = cands
                .iter()
                .take(4)
                .map(|c| g.place(c.place).admin1_key())
                .collect();
            detail.push(format!("{v}: {} candidates {:?}", cands.len(), admins));
        }
        hit += usize::from(covered);
        top1 += usize::from(first_right);
        if r.expected.starts_with("UA") {
            ua += 1;
            ua_hit += usize::from(covered);
        }
        if r.region == "major city" {
            major.0 += 1;
            major.1 += usize::from(covered);
        }
        if r.region == "world city" {
            world.0 += 1;
            world.1 += usize::from(covered);
        }
        if !covered {
            failures.push(format!(
                "{} [{} {}]: {}",
                r.variants.join(" / "),
                r.region,
                r.expected,
                detail.join("; ")
            ));
        }
    }
    let n = rows.len();
    println!("covered {hit}/{n} ({:.1}%)", 100.0 * hit as f64 / n as f64);
    println!(
        "Ukrainian rows {ua_hit}/{ua} ({:.1}%)",
        100.0 * ua_hit as f64 / ua as f64
    );
    println!(
        "major cities {}/{}, world cities {}/{}",
        major.1, major.0, world.1, world.0
    );
    println!("first spelling's top candidate in the expected unit: {top1}/{n}");
    println!("failing rows ({}):", failures.len());
    for f in &failures {
        println!("  {f}");
    }
    println!(
        "wrong top candidate for the first spelling ({}):",
        wrong_top.len()
    );
    for w in &wrong_top {
        println!("  {w}");
    }
    assert!(
        hit as f64 / n as f64 >= FLOOR_ALL,
        "coverage {hit}/{n} below floor"
    );
    assert!(
        ua_hit as f64 / ua as f64 >= FLOOR_UA,
        "Ukrainian coverage {ua_hit}/{ua} below floor"
    );
    assert_eq!(major.1, major.0, "every major city must be covered");
    assert_eq!(world.1, world.0, "every world city must be covered");
    assert!(
        top1 as f64 / n as f64 >= FLOOR_TOP1,
        "top-1 {top1}/{n} below floor"
    );
}
