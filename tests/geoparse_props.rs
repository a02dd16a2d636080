//! Robustness: on arbitrary UTF-8 (and on news-like text mixed with it) the
//! geoparser never panics and always yields in-bounds, non-overlapping mentions on
//! character boundaries whose text is the slice; spans mode answers one mention per
//! span.

use std::sync::{Arc, OnceLock};

use frontline::gazetteer::{Gazetteer, LoadOptions};
use frontline::geoparse::{GeoparseOptions, Geoparser, sentences};
use proptest::prelude::*;

fn gp() -> &'static Geoparser {
    static GP: OnceLock<Geoparser> = OnceLock::new();
    GP.get_or_init(|| {
        // The mini gazetteer keeps the test fast in debug builds; the scanner's code
        // paths (lexicon, regions, aliases, admin phrases) do not depend on its size.
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/geoparse/mini");
        let (g, _) = Gazetteer::load(&LoadOptions {
            default: false,
            paths: vec![dir],
            ..Default::default()
        })
        .expect("mini gazetteer");
        Geoparser::new(Arc::new(g), GeoparseOptions::default())
    })
}

const WORDS: &[&str] = &[
    "Alphaton",
    "Betaburg",
    "Gammaville",
    "Deltaly",
    "near",
    "the",
    "village",
    "of",
    "region",
    "Oblast",
    "Mr",
    "said",
    ",",
    ".",
    "Kyiv",
    "U.S.",
    "Washington",
    "state",
    "Black",
    "Sea",
    "Lake",
    "River",
    "’s",
    "-",
    "Київ",
    "\n",
    "\n\n",
    "ÉLAN",
    "of the",
    "Rostov-on-Don",
    "Nato",
    "Jr.",
    "Ind.",
    "Europe",
    "Middle",
    "East",
    "\u{301}",
    "🙂",
    "\u{0}",
    "«",
    "»",
    "—",
];

fn check(text: &str) {
    let gp = gp();
    let n = text.chars().count();
    let a = gp.analyze(text);
    let chars: Vec<char> = text.chars().collect();
    let mut last_end = 0;
    for m in &a.mentions {
        assert!(
            m.start < m.end && m.end <= n,
            "span {}..{} out of bounds ({n})",
            m.start,
            m.end
        );
        assert!(m.start >= last_end, "overlapping or unsorted mentions");
        last_end = m.end;
        assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
        assert!((0.0..=1.0).contains(&m.score));
    }
    for d in &a.demonyms {
        assert!(d.0 < d.1 && d.1 <= n);
    }
    for r in sentences(text) {
        assert!(r.start < r.end && r.end <= text.len());
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
    }
    let _ = gp.explain(text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_utf8_never_panics(s in any::<String>()) {
        check(&s);
    }

    #[test]
    fn news_like_soup_never_panics(ws in proptest::collection::vec(proptest::sample::select(WORDS), 0..40), seps in proptest::collection::vec(proptest::sample::select(&[" ", "", "  ", "\t"][..]), 40)) {
        let mut t = String::new();
        for (i, w) in ws.iter().enumerate() {
            t.push_str(w);
            t.push_str(seps[i % seps.len()]);
        }
        check(&t);
    }

    #[test]
    fn spans_mode_one_answer_per_span(s in "[A-Za-zА-я ,.'’-]{0,60}", spans in proptest::collection::vec((0usize..70, 0usize..70), 0..6)) {
        let n = s.chars().count();
        let spans: Vec<(usize, usize)> = spans.into_iter().map(|(a, b)| (a.min(b), a.max(b))).collect();
        let ms = gp().parse_with_spans(&s, &spans);
        prop_assert_eq!(ms.len(), spans.len());
        for (m, sp) in ms.iter().zip(&spans) {
            prop_assert_eq!((m.start, m.end), *sp);
            if sp.1 <= n {
                let slice: String = s.chars().skip(sp.0).take(sp.1 - sp.0).collect();
                prop_assert_eq!(&m.text, &slice);
            } else {
                prop_assert!(m.place.is_none());
            }
        }
    }
}
