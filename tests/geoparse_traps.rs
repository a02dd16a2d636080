//! The seed's traps, in our own words: people named like towns, organisations and
//! media, feast days, parent cues, region phrases, metonymy, demonyms, precision,
//! spans mode and the area-of-interest option.

use std::sync::{Arc, OnceLock};

use frontline::gazetteer::{Gazetteer, haversine_km};
use frontline::geoparse::{Focus, GeoparseOptions, Geoparser};
use frontline::model::{LocationPrecision, Mention};

fn gaz() -> Arc<Gazetteer> {
    static G: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    G.get_or_init(|| {
        Arc::new(
            Gazetteer::load_default()
                .expect("default gazetteer loads")
                .0,
        )
    })
    .clone()
}

fn gp() -> &'static Geoparser {
    static GP: OnceLock<Geoparser> = OnceLock::new();
    GP.get_or_init(|| Geoparser::new(gaz(), GeoparseOptions::default()))
}

fn find<'a>(ms: &'a [Mention], text: &str) -> Vec<&'a Mention> {
    ms.iter().filter(|m| m.text == text).collect()
}

fn assert_near(ms: &[Mention], text: &str, lat: f64, lon: f64, km: f64) -> LocationPrecision {
    let found = find(ms, text);
    assert!(
        !found.is_empty(),
        "{text:?} not found in {:?}",
        ms.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    for m in &found {
        let p = m
            .place
            .as_ref()
            .unwrap_or_else(|| panic!("{text:?} unresolved"));
        let d = haversine_km(lat, lon, p.lat, p.lon);
        assert!(
            d <= km,
            "{text:?} resolved to {} {} ({d:.0} km away)",
            p.name,
            p.admin1
        );
    }
    found[0].precision
}

fn assert_absent(ms: &[Mention], text: &str) {
    let found = find(ms, text);
    assert!(found.is_empty(), "{text:?} must not be a place: {found:?}");
}

#[test]
fn people_named_like_towns_are_not_places() {
    let t = "The retired general Keith Kellogg flew in on Sunday. Defence chief Lloyd Austin said the aid \
             would arrive soon, and Mr Austin later thanked the crews. Roman Biletskiy, a welder, wrote that his \
             son Roman Jr. was safe. Kellogg told reporters nothing new.";
    let ms = gp().parse(t);
    for w in ["Austin", "Kellogg", "Roman", "Lloyd", "Keith"] {
        assert_absent(&ms, w);
    }
}

#[test]
fn organisations_media_and_feasts_are_not_places() {
    let t = "Nato ministers met again. The Independent reported the story first, and Independent subscribers \
             shared it on Telegram. Crowds marked Epiphany on Monday; Christmas came early for Trump, Biden and Putin.";
    let ms = gp().parse(t);
    for w in [
        "Nato",
        "Independent",
        "Telegram",
        "Epiphany",
        "Christmas",
        "Trump",
        "Biden",
        "Putin",
        "Monday",
    ] {
        assert_absent(&ms, w);
    }
}

#[test]
fn parent_cues_pick_the_right_homonym() {
    let t = "A command post near the Kursk settlement of Belaya was hit overnight. \
             Later the president held a dinner in Palm Beach, Florida. \
             A family from Kharkiv moved to Washington state last year.";
    let ms = gp().parse(t);
    let prec = assert_near(&ms, "Belaya", 51.05878, 35.71088, 10.0);
    assert_eq!(
        prec,
        LocationPrecision::NearSettlement,
        "'near the … settlement of Belaya' is near-settlement precision"
    );
    assert_near(&ms, "Palm Beach", 26.70562, -80.03643, 10.0);
    assert_near(&ms, "Florida", 28.0, -82.0, 500.0);
    let p = assert_near(&ms, "Washington", 47.5, -120.5, 400.0);
    assert_eq!(p, LocationPrecision::Admin1);
}

#[test]
fn region_phrases_cover_only_the_name_and_resolve_to_the_unit() {
    let t = "Shelling continued in the eastern Donetsk region and across Russia's Kursk Oblast.";
    let ms = gp().parse(t);
    let d = find(&ms, "Donetsk");
    assert_eq!(d.len(), 1, "{ms:?}");
    assert_eq!(d[0].precision, LocationPrecision::Admin1);
    assert_eq!(
        d[0].place.as_ref().map(|p| p.admin1.as_str()),
        Some("UA.05")
    );
    let k = find(&ms, "Kursk");
    assert_eq!(k.len(), 1, "{ms:?}");
    assert_eq!(
        k[0].place.as_ref().map(|p| p.admin1.as_str()),
        Some("RU.41")
    );
    assert_eq!(k[0].precision, LocationPrecision::Admin1);
    assert_near(&ms, "Russia", 60.0, 100.0, 3000.0);
    assert!(
        ms.iter()
            .all(|m| !m.text.contains("region") && !m.text.contains("Oblast"))
    );
}

#[test]
fn region_words_pick_the_named_level_and_cover_lists() {
    // A raion shares the oblast's name: "oblast"/"region" names the oblast.
    let t = "Fighting went on near Toretsk in Donetsk oblast and in the Kherson region, \
             while a depot burned in Russia's Bryansk region. Drones were downed over the \
             Belgorod, Kursk and Voronezh regions and over Zaporizhzhia and Kharkiv oblasts.";
    let ms = gp().parse(t);
    for (name, a1) in [
        ("Donetsk", "UA.05"),
        ("Kherson", "UA.08"),
        ("Bryansk", "RU.10"),
        ("Belgorod", "RU.09"),
        ("Kursk", "RU.41"),
        ("Voronezh", "RU.86"),
        ("Zaporizhzhia", "UA.26"),
        ("Kharkiv", "UA.07"),
    ] {
        let m = find(&ms, name);
        assert_eq!(m.len(), 1, "{name}: {ms:?}");
        assert_eq!(m[0].precision, LocationPrecision::Admin1, "{name}: {m:?}");
        assert_eq!(
            m[0].place.as_ref().map(|p| p.admin1.as_str()),
            Some(a1),
            "{name}"
        );
    }
    // The river is not the city; a country that is a first name before an
    // unknown capitalised word is a person.
    let t = "Troops crossed the Dnipro river near Krynky. Jordan Bardella spoke in Paris.";
    let ms = gp().parse(t);
    assert!(
        ms.iter()
            .all(|m| m.text != "Dnipro" || m.place.as_ref().is_none_or(|p| p.geonameid != 709930)),
        "{ms:?}"
    );
    assert_absent(&ms, "Jordan");
    assert_near(&ms, "Paris", 48.85, 2.35, 15.0);
    // A city's district named like another place, and a named power plant.
    let ms = gp().parse(
        "The mayor said bombs hit the Kyivskyi district of the city, near the \
         Zaporizhzhia nuclear power plant.",
    );
    assert_absent(&ms, "Kyivskyi");
    assert_near(&ms, "Zaporizhzhia nuclear power plant", 47.51, 34.59, 5.0);
    // A district without its own point is placed at its seat, not the oblast;
    // "..., Kyiv said" is a speaker, not the parent of the town before it.
    let ms = gp().parse(
        "Residents of the Glushkovo district were evacuated. Troops captured the town \
         of Sudzha, Kyiv said.",
    );
    assert_near(&ms, "Glushkovo", 51.34, 34.63, 25.0);
    assert_eq!(
        find(&ms, "Glushkovo")[0].precision,
        LocationPrecision::District
    );
    assert_near(&ms, "Sudzha", 51.19, 35.27, 10.0);
    // "Kherson's Dniprovskyi district" is Kherson's, not Kyiv's; "Donetsk's
    // Pokrovsk district" is the raion; the breakaway region "of Moldova" is the
    // country, not the Ukrainian village Moldove.
    let ms = gp().parse(
        "Shelling killed a man in Kherson's Dniprovskyi district. Fighting raged in \
         Donetsk's Pokrovsk district. Transnistria is a breakaway region of Moldova.",
    );
    assert_near(&ms, "Dniprovskyi", 46.64, 32.61, 15.0);
    assert_eq!(
        find(&ms, "Pokrovsk")[0].precision,
        LocationPrecision::District
    );
    assert_near(&ms, "Pokrovsk", 48.28, 37.18, 60.0);
    assert_eq!(
        assert_near(&ms, "Moldova", 47.25, 28.58, 300.0),
        LocationPrecision::Country
    );
    // "along the Dnipro" is the river; "hit Dnipro" the city.
    let ms = gp().parse("Guns shelled villages along the Dnipro. Drones hit Dnipro overnight.");
    let d: Vec<_> = find(&ms, "Dnipro");
    assert_eq!(d.len(), 2, "{ms:?}");
    assert!(
        d[0].place.as_ref().is_none_or(|p| p.geonameid != 709930),
        "{d:?}"
    );
    assert_eq!(
        d[1].place.as_ref().map(|p| p.geonameid),
        Some(709930),
        "{d:?}"
    );
}

#[test]
fn small_homonyms_and_neighbours_in_a_war_report() {
    let t = "Overnight drones hit power plants in the Lviv region, and Moldova said one \
             crashed in a field. Naval drones attacked ships near Feodosia; the fleet had \
             already left for Novorossiysk. Near Bakhmut, Ukrainian troops fought around \
             Klishchiivka and Andriivka.";
    let ms = gp().parse(t);
    // A Ukrainian village lists "Moldova" among its alternate names; a hamlet
    // in Kherson oblast once bore the name "Novorossiysk".
    assert_eq!(
        assert_near(&ms, "Moldova", 47.25, 28.58, 300.0),
        LocationPrecision::Country
    );
    assert_near(&ms, "Novorossiysk", 44.72, 37.77, 15.0);
    // Of the many Andriivkas, the one named with Bakhmut and Klishchiivka.
    assert_near(&ms, "Andriivka", 48.56, 37.97, 15.0);
    // A bare state name that is also a big city's is the city; with "state"
    // it is the state; a front-line village of the same name wins beside Toretsk.
    let ms = gp().parse("The envoy flew to New York for talks at the United Nations.");
    assert_near(&ms, "New York", 40.71, -74.01, 20.0);
    let ms = gp().parse("The governor said New York state would send aid.");
    assert_eq!(
        find(&ms, "New York")[0].precision,
        LocationPrecision::Admin1
    );
    let ms = gp().parse("Russian troops attacked near New York and Toretsk.");
    assert_near(&ms, "New York", 48.33, 37.84, 15.0);
}

#[test]
fn war_places_metonymy_and_countries() {
    let t = "Kyiv said its troops still held part of Kurakhove. Moscow claimed the opposite. \
             Fighting raged on the outskirts of Pokrovsk, and allies met in Germany and Bulgaria \
             a decade after the Bucharest Summit.";
    let ms = gp().parse(t);
    assert_near(&ms, "Kyiv", 50.45466, 30.5238, 10.0);
    assert_near(&ms, "Moscow", 55.75, 37.62, 15.0);
    assert_near(&ms, "Kurakhove", 47.9847, 37.28069, 10.0);
    let p = assert_near(&ms, "Pokrovsk", 48.28, 37.18, 15.0);
    assert_eq!(p, LocationPrecision::NearSettlement);
    assert_eq!(
        assert_near(&ms, "Germany", 51.5, 10.5, 600.0),
        LocationPrecision::Country
    );
    assert_near(&ms, "Bulgaria", 42.67, 25.25, 400.0);
    assert_near(&ms, "Bucharest", 44.43225, 26.10626, 25.0);
}

#[test]
fn demonyms_are_context_not_mentions() {
    let t =
        "Ukrainian drones hit a depot, Russian officials said, and Bulgarians rallied in Sofia.";
    let a = gp().analyze(t);
    assert!(
        a.mentions
            .iter()
            .all(|m| m.text != "Ukrainian" && m.text != "Russian" && m.text != "Bulgarians")
    );
    let ccs: Vec<&str> = a.demonyms.iter().map(|d| d.2.as_str()).collect();
    assert_eq!(ccs, vec!["UA", "RU", "BG"]);
    assert_eq!((a.demonyms[0].0, a.demonyms[0].1), (0, 9));
    assert!(a.countries.iter().any(|(c, _)| c == "BG"));
    assert_near(&a.mentions, "Sofia", 42.69, 23.32, 20.0);
}

#[test]
fn spans_mode_answers_one_mention_per_span() {
    let t = "Refugees from Kharkiv reached Lviv, then Xyzzyqua, then Paris.";
    let idx = |w: &str| {
        let b = t.find(w).unwrap();
        let s = t[..b].chars().count();
        (s, s + w.chars().count())
    };
    let spans = vec![
        idx("Lviv"),
        idx("Kharkiv"),
        idx("Xyzzyqua"),
        idx("Paris"),
        (0, 0),
    ];
    let ms = gp().parse_with_spans(t, &spans);
    assert_eq!(ms.len(), spans.len());
    for (m, s) in ms.iter().zip(&spans) {
        assert_eq!((m.start, m.end), *s);
    }
    assert_eq!(ms[0].text, "Lviv");
    assert!(ms[0].place.as_ref().is_some_and(|p| p.admin1 == "UA.15"));
    assert!(ms[1].place.as_ref().is_some_and(|p| p.admin1 == "UA.07"));
    assert!(
        ms[2].place.is_none(),
        "an unknown name stays unresolved: {:?}",
        ms[2]
    );
    assert!(ms[3].place.as_ref().is_some_and(|p| p.country_code == "FR"));
    assert!(ms[4].place.is_none());
}

#[test]
fn explain_lists_features_of_candidates() {
    let ex = gp().explain("Fighting continued near Pokrovsk on Tuesday.");
    let p = ex.iter().find(|e| e.text == "Pokrovsk").expect("explained");
    assert!(p.accepted);
    assert!(p.candidates.len() >= 2, "Pokrovsk has homonyms");
    let chosen = p
        .candidates
        .iter()
        .find(|c| c.chosen)
        .expect("a chosen candidate");
    assert_eq!(chosen.admin1, "UA.05");
    assert!(chosen.features.iter().any(|(n, _)| n == "area of interest"));
    let sum: f64 = chosen.features.iter().map(|f| f.1).sum();
    assert!(
        (sum - chosen.score).abs() < 0.01,
        "score is the sum of its features"
    );
}

#[test]
fn focus_option_moves_the_prior() {
    assert_eq!(Focus::parse("none").unwrap(), Focus::none());
    let f = Focus::parse("ua,ru.41").unwrap();
    assert_eq!(f.countries, vec!["UA"]);
    assert_eq!(f.admin1, vec!["RU.41"]);
    assert!(Focus::parse("Ukraine").is_err());
    assert!(Focus::parse("UA.").is_err());
    // Without an area of interest, a bare name with no context takes the prominent
    // reading; with the default focus, the front-line one.
    let none = Geoparser::new(
        gaz(),
        GeoparseOptions {
            focus: Focus::none(),
        },
    );
    let t = "Fighting continued near Pokrovsk on Tuesday.";
    let with = gp().explain(t);
    let without = none.explain(t);
    let score = |e: &[frontline::geoparse::MentionExplanation]| {
        e.iter()
            .find(|m| m.text == "Pokrovsk")
            .and_then(|m| {
                m.candidates
                    .iter()
                    .find(|c| c.admin1 == "UA.05")
                    .map(|c| c.score)
            })
            .expect("UA.05 candidate")
    };
    assert!(score(&with) > score(&without) + 1.0);
}

fn mini() -> Geoparser {
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geoparse/mini");
    let opts = frontline::gazetteer::LoadOptions {
        default: false,
        paths: vec![dir],
        ..Default::default()
    };
    let (g, _) = Gazetteer::load(&opts).expect("mini gazetteer loads");
    Geoparser::new(Arc::new(g), GeoparseOptions::default())
}

#[test]
fn far_homonym_is_left_unresolved() {
    // A small, ambiguous name whose readings are all far from everything else the
    // document talks about: unresolved rather than a guess.
    let gp = mini();
    let ms = gp.parse(
        "Shelling hit Alphaton and Betaburg on Monday. Volunteers from Gammaville arrived later.",
    );
    let g = find(&ms, "Gammaville");
    assert_eq!(g.len(), 1, "{ms:?}");
    assert!(g[0].place.is_none(), "far homonym chosen: {:?}", g[0].place);
    assert!(find(&ms, "Alphaton")[0].place.is_some());
    // Context moves an ambiguous name: the Donetsk-area reading next to the others,
    // although the far one is larger.
    let d = gp.parse("Troops left Alphaton for Deltaly.");
    let dm = find(&d, "Deltaly");
    assert_eq!(
        dm[0].place.as_ref().map(|p| p.admin1.as_str()),
        Some("UA.05")
    );
    // With no area of interest and no context, the larger reading wins.
    let (g2, _) = Gazetteer::load(&frontline::gazetteer::LoadOptions {
        default: false,
        paths: vec![
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/geoparse/mini"),
        ],
        ..Default::default()
    })
    .expect("mini gazetteer loads");
    let none = Geoparser::new(
        Arc::new(g2),
        GeoparseOptions {
            focus: Focus::none(),
        },
    );
    let d = none.parse("Volunteers drove to Deltaly.");
    assert_eq!(
        find(&d, "Deltaly")[0]
            .place
            .as_ref()
            .map(|p| p.admin1.as_str()),
        Some("RU.63")
    );
}

#[test]
fn strong_cue_unknown_name_is_a_mention_without_a_place() {
    let ms = gp().parse("Russian troops entered the village of Zzyxovka on Friday.");
    let z = find(&ms, "Zzyxovka");
    assert_eq!(z.len(), 1, "{ms:?}");
    assert!(z[0].place.is_none());
}

#[test]
fn a_demonym_in_the_sentence_keeps_its_own_reading_of_a_repeated_name() {
    let text = "Council members in Paris, Texas, approved a new water tower on Monday. \
                Separately, French investigators in Paris questioned two suspects.";
    let ms = gp().parse(text);
    let paris = find(&ms, "Paris");
    assert_eq!(paris.len(), 2, "{ms:?}");
    let cc = |m: &Mention| m.place.as_ref().map(|p| p.country_code.clone());
    assert_eq!(cc(paris[0]).as_deref(), Some("US"), "{:?}", paris[0]);
    assert_eq!(cc(paris[1]).as_deref(), Some("FR"), "{:?}", paris[1]);
}

#[test]
fn lists_of_countries_and_states_are_not_parents() {
    // A country after a comma is a sibling, not the parent of another country.
    let ms = gp()
        .parse("Ministers from Kazakhstan, Uzbekistan and Tajikistan met in Astana on Tuesday.");
    assert_near(&ms, "Kazakhstan", 48.0, 68.0, 400.0);
    assert_near(&ms, "Uzbekistan", 41.7, 63.8, 400.0);
    // The name after "X, " is the state (not Oklahoma City) when it parents a town.
    let ms = gp().parse("Hail damaged roofs across Norman, Oklahoma, late on Friday.");
    let ok = find(&ms, "Oklahoma");
    assert_eq!(ok.len(), 1, "{ms:?}");
    let p = ok[0].place.as_ref().expect("Oklahoma resolves");
    assert_eq!(p.feature_code, "ADM1", "{p:?}");
    assert_near(&ms, "Norman", 35.22, -97.44, 20.0);
}

#[test]
fn country_names_in_their_news_forms() {
    let ms = gp().parse(
        "Aid reached the Democratic Republic of Congo, while the Republic of Congo closed its border. \
         Later the envoy flew on to Congo again, then to Bosnia and to Vatican City.",
    );
    let names: Vec<&str> = ms.iter().map(|m| m.text.as_str()).collect();
    for (name, cc) in [
        ("Democratic Republic of Congo", "CD"),
        ("Republic of Congo", "CG"),
        ("Congo", "CD"),
        ("Bosnia", "BA"),
        ("Vatican City", "VA"),
    ] {
        let m = find(&ms, name);
        assert_eq!(m.len(), 1, "{name}: {names:?}");
        assert_eq!(
            m[0].place.as_ref().map(|p| p.country_code.as_str()),
            Some(cc),
            "{name}"
        );
    }
    // Russian republics under their English names, not homonymous villages.
    let ms = gp().parse("Recruiters toured Chechnya, Buryatia and Yakutia in the spring.");
    for (name, a1) in [
        ("Chechnya", "RU.12"),
        ("Buryatia", "RU.11"),
        ("Yakutia", "RU.63"),
    ] {
        let m = find(&ms, name);
        assert_eq!(m.len(), 1, "{name}: {ms:?}");
        assert_eq!(
            m[0].place.as_ref().map(|p| p.admin1.as_str()),
            Some(a1),
            "{name}"
        );
    }
}

#[test]
fn first_name_and_surname_word_is_a_person_and_city_bodies_keep_the_city() {
    let ms = gp().parse("Georgia Brown scored 19 points as the visitors won in Raleigh on Sunday.");
    assert_absent(&ms, "Georgia");
    let ms = gp().parse(
        "The Springfield City Council voted to rezone land next to the Sangamon County fairgrounds.",
    );
    let s = find(&ms, "Springfield");
    assert_eq!(
        s.len(),
        1,
        "{:?}",
        ms.iter().map(|m| &m.text).collect::<Vec<_>>()
    );
    assert_near(&ms, "Springfield", 39.80, -89.64, 30.0);
}

#[test]
fn a_state_named_in_the_sentence_picks_the_homonym_inside_it() {
    let ms = gp().parse(
        "Fans of Duke and North Carolina packed the arena in Durham as the rivals met again.",
    );
    assert_near(&ms, "Durham", 35.99, -78.90, 30.0);
    let ms = gp().parse(
        "A student was hit by a car in Lawrence, near the campus of the University of Kansas.",
    );
    assert_near(&ms, "Lawrence", 38.97, -95.24, 30.0);
}

#[test]
fn event_report_cues_islands_and_seats_of_power() {
    // "the capture of X" and the "X (district, region)" notation of event databases.
    let ms = gp().parse(
        "On 3 March 2025, Russian forces claimed the capture of Neskuchne (Volnovakha, Donetsk).",
    );
    assert_near(&ms, "Neskuchne", 47.76, 37.10, 25.0);
    // A short sentence with no long lower-case word is no Title Case headline.
    let ms = gp().parse("Lindsey Graham and Chuck Schumer met Zelensky at the Capitol.");
    assert_absent(&ms, "Graham");
    // Islands the settlement gazetteer only knows as far-away villages.
    let ms = gp().parse("The ferry sank off Sulawesi; tourists left Crete and Bali early.");
    assert_near(&ms, "Sulawesi", -1.8, 120.5, 200.0);
    assert_near(&ms, "Crete", 35.24, 24.9, 100.0);
    assert_near(&ms, "Bali", -8.4, 115.2, 100.0);
    // Seats of power are organisations in running text, their city as given spans.
    let t = "Aides at the White House and in the Kremlin traded statements.";
    assert_absent(&gp().parse(t), "White House");
    let a = t.find("White House").expect("in text");
    let b = t.find("Kremlin").expect("in text");
    let ms = gp().parse_with_spans(t, &[(a, a + 11), (b, b + 7)]);
    let p0 = ms[0].place.as_ref().expect("White House span resolves");
    assert!(haversine_km(p0.lat, p0.lon, 38.90, -77.04) < 30.0, "{p0:?}");
    let p1 = ms[1].place.as_ref().expect("Kremlin span resolves");
    assert!(haversine_km(p1.lat, p1.lon, 55.75, 37.62) < 30.0, "{p1:?}");
}

#[test]
fn ambiguous_names_that_lie_together_pick_each_other() {
    // No state is named and each name alone prefers another state; together
    // only Georgia fits all three.
    let ms = gp().parse(
        "Deputies in Hall County arrested a Gainesville man accused of stealing copper wire from a church in Oakwood.",
    );
    assert_near(&ms, "Hall County", 34.32, -83.82, 40.0);
    assert_near(&ms, "Gainesville", 34.30, -83.82, 30.0);
    assert_near(&ms, "Oakwood", 34.23, -83.88, 30.0);
}

#[test]
fn first_name_before_an_ordinary_capitalised_word_is_a_person() {
    let ms = gp().parse("Florence Nightingale's lamp went on display; Hope Solo spoke in Seattle.");
    assert_absent(&ms, "Florence");
    assert_absent(&ms, "Hope");
    assert_near(&ms, "Seattle", 47.61, -122.33, 20.0);
    // Place words after the name keep the place.
    let ms = gp().parse("Crowds gathered at Victoria Falls and later in the Midlands.");
    assert_near(&ms, "Victoria Falls", -17.93, 25.84, 30.0);
    assert_near(&ms, "Midlands", 52.6, -1.5, 150.0);
}

#[test]
fn a_big_region_named_with_a_peer_is_the_region_not_the_village() {
    // Wales (the nation, 3.1 M) and the Yorkshire village of Wales (6,000): with
    // England named in the same sentence, the village inside England must not win.
    let text = "The storm brought flooding to Wales and the south-west of England.";
    let ms = gp().parse(text);
    assert_near(&ms, "Wales", 52.2, -3.8, 60.0);
    assert_near(&ms, "England", 52.5, -1.5, 250.0);
    let text = "Rugby fans packed Twickenham on Saturday as England beat Wales.";
    let ms = gp().parse(text);
    assert_near(&ms, "Wales", 52.2, -3.8, 60.0);
}

#[test]
fn news_spellings_of_yemeni_and_kursk_places() {
    let ms = gp().parse("The Houthis fired missiles at ships in the Red Sea near Hodeidah.");
    assert_near(&ms, "Hodeidah", 14.8, 42.95, 25.0);
    let ms = gp().parse("Ukrainian troops pushed towards Hlushkovo in Kursk oblast on Monday.");
    assert_near(&ms, "Hlushkovo", 51.34, 34.64, 25.0);
}

#[test]
fn named_lakes_and_harbours_are_the_water_not_a_town_of_the_core_name() {
    // Before the lexicon entries, "Lake Mead" fell back to a village called Mead
    // in Washington state and "Sydney Harbour" was read as a facility.
    let ms = gp().parse("Water levels at Lake Mead fell to a record low this summer.");
    assert_near(&ms, "Lake Mead", 36.25, -114.39, 50.0);
    let ms = gp().parse("Fishermen on Lake Victoria reported a poor catch.");
    assert_near(&ms, "Lake Victoria", -1.0, 33.0, 100.0);
    let ms = gp().parse("Thousands watched the fireworks over Sydney Harbour at midnight.");
    assert_near(&ms, "Sydney Harbour", -33.85, 151.23, 20.0);
    // News writes "reservoir" in lower case; the span is the whole water body.
    let ms = gp().parse("The Sacramento River flooded farmland near Chico.");
    assert_absent(&ms, "The Sacramento River");
    assert_eq!(find(&ms, "Sacramento River").len(), 1, "{ms:?}");
    let ms = gp().parse("Shelling of Nikopol continued across the Kakhovka reservoir.");
    assert_near(&ms, "Kakhovka reservoir", 47.3, 34.1, 30.0);
}

#[test]
fn a_bridge_over_the_river_and_an_island_town() {
    // "over the Mississippi" in Minneapolis is the river, not the state 1,000 km south.
    let ms = gp().parse("A bridge in Minneapolis was closed for repairs over the Mississippi.");
    let m = find(&ms, "Mississippi");
    assert_eq!(m.len(), 1, "{ms:?}");
    assert!(
        m[0].place
            .as_ref()
            .is_some_and(|p| p.feature_code != "ADM1"),
        "{m:?}"
    );
    let ms = gp().parse("Residents of Lahaina on Maui returned to the burned town.");
    assert_near(&ms, "Maui", 20.8, -156.33, 40.0);
    assert_near(&ms, "Lahaina", 20.88, -156.68, 25.0);
}

#[test]
fn a_lexicon_region_as_parent_keeps_the_town_inside_it() {
    // "in the West Bank" used to put Tulkarm outside its parent (the region had no
    // admin-1 code and counted as no container) and answer with the region.
    let ms = gp().parse("Israeli forces raided a camp near Tulkarm in the West Bank.");
    assert_near(&ms, "Tulkarm", 32.31, 35.03, 15.0);
    let ms =
        gp().parse("Floods in Bavaria and Baden-Wuerttemberg forced thousands from their homes.");
    assert_near(&ms, "Baden-Wuerttemberg", 48.5, 9.0, 60.0);
}

#[test]
fn camps_in_gaza_and_the_west_bank() {
    // "Nur Shams" used to give "Nur" → a town in Iran.
    let ms = gp().parse("Israeli forces raided the Nur Shams camp near Tulkarm in the West Bank.");
    assert_near(&ms, "Nur Shams camp", 32.31, 35.05, 10.0);
    assert_absent(&ms, "Nur");
    let ms = gp().parse("Strikes hit tents in Mawasi and the Maghazi camp on Tuesday.");
    assert_near(&ms, "Mawasi", 31.36, 34.27, 10.0);
    assert_near(&ms, "Maghazi camp", 31.42, 34.38, 10.0);
}

#[test]
fn city_districts_follow_their_city() {
    // Strike reports name a city's raion: each city has its own "Shevchenkivskyi"
    // or "Dniprovskyi", so the named or nearby city decides.
    let ms = gp().parse(
        "A missile hit a high-rise in the Holosiivskyi district of Kyiv. In Kharkiv, \
         drones struck the Kyivskyi and Saltivskyi districts overnight. A guided bomb \
         hit the Shevchenkivskyi district of Zaporizhzhia. Russian artillery shelled \
         the Korabelnyi district of Kherson.",
    );
    assert_near(&ms, "Holosiivskyi", 50.37, 30.50, 10.0);
    assert_near(&ms, "Kyivskyi", 50.02, 36.27, 10.0);
    assert_near(&ms, "Saltivskyi", 50.03, 36.32, 10.0);
    assert_near(&ms, "Shevchenkivskyi", 47.87, 35.18, 10.0);
    assert_near(&ms, "Korabelnyi", 46.62, 32.56, 10.0);
}

#[test]
fn a_village_named_with_its_region_is_a_place() {
    // No cue word before the names, but "in the Y region" after them.
    let ms = gp().parse("They took Kostiantynopil and Novenke in the Kursk region.");
    assert_near(&ms, "Kostiantynopil", 48.00, 37.04, 10.0);
    let n = find(&ms, "Novenke");
    assert_eq!(n.len(), 1, "{ms:?}");
    let ms = gp().parse("Russian units took Kostiantynopil in the Donetsk region.");
    assert_near(&ms, "Kostiantynopil", 48.00, 37.04, 10.0);
    // A person is not made a place by a region after the name.
    let ms = gp().parse("Governor Roman Starovoit visited the Kursk region.");
    assert_absent(&ms, "Roman");
}

#[test]
fn a_surname_joined_to_another_name_is_no_place() {
    let ms = gp().parse("Austin and Milley briefed reporters at the Pentagon on Tuesday.");
    assert_absent(&ms, "Austin");
    // Two places joined by "and" stay places.
    let ms = gp().parse("Storms hit Austin and Dallas overnight.");
    assert_near(&ms, "Austin", 30.27, -97.74, 30.0);
    assert_near(&ms, "Dallas", 32.78, -96.80, 30.0);
}

#[test]
fn governors_and_institutions() {
    // Countries have no governors.
    let ms = gp().parse("Georgia's governor declared an emergency as the storm neared Savannah.");
    let g = find(&ms, "Georgia");
    assert_eq!(g.len(), 1, "{ms:?}");
    assert_eq!(
        g[0].place.as_ref().map(|p| p.admin1.as_str()),
        Some("US.GA")
    );
    // "University of X" is an institution, not the town University, Florida.
    let ms = gp().parse("Police said the suspect was arrested near the University of Nebraska.");
    assert_absent(&ms, "University");
}

/// The admin-1 key of the only mention `text`.
fn admin1_of(ms: &[Mention], text: &str) -> (String, String) {
    let found = find(ms, text);
    assert_eq!(found.len(), 1, "{text:?} in {ms:?}");
    let p = found[0]
        .place
        .as_ref()
        .unwrap_or_else(|| panic!("{text:?} unresolved"));
    (p.admin1.clone(), p.feature_code.clone())
}

#[test]
fn region_words_after_a_name() {
    // A region's border: the oblast, not a village of that name nearby.
    let ms = gp().parse("Fighting moved toward the Zaporizhzhia border near Velyka Novosilka.");
    assert_eq!(
        admin1_of(&ms, "Zaporizhzhia"),
        ("UA.26".to_string(), "ADM1".to_string())
    );
    // "X governor", "X's governor": the oblast.
    let ms = gp().parse("Belgorod governor Vyacheslav Gladkov said a woman was hurt.");
    assert_eq!(admin1_of(&ms, "Belgorod").1, "ADM1");
    let ms = gp().parse("Kursk's governor said two villages were evacuated.");
    assert_eq!(admin1_of(&ms, "Kursk").1, "ADM1");
    // A country's border stays the country.
    let ms = gp().parse("Texas governor Greg Abbott sent troops to the Mexico border.");
    assert_eq!(admin1_of(&ms, "Texas").1, "ADM1");
    assert_eq!(admin1_of(&ms, "Mexico").1, "PCLI");
}

#[test]
fn places_listed_after_a_locative_are_not_speakers() {
    // "Officials in X and Y said": Y is a place, not the speaker.
    let ms = gp().parse("Officials in Waukesha and Brookfield said the storm cut power.");
    assert_near(&ms, "Brookfield", 43.06, -88.11, 25.0);
    let ms = gp().parse("Officials in Kherson and Mykolaiv said power was restored.");
    assert_near(&ms, "Mykolaiv", 46.97, 32.0, 25.0);
    // Without the locative, "X and Y said" are speakers.
    let ms = gp().parse("Austin and Milley said the aid would arrive soon.");
    assert_absent(&ms, "Milley");
    assert_absent(&ms, "Austin");
}

#[test]
fn a_name_acting_in_person_is_no_place() {
    // "as Austin met …": a person meets people; Ramstein stays a place.
    let ms =
        gp().parse("The Pentagon announced new aid as Austin met his counterparts in Ramstein.");
    assert_absent(&ms, "Austin");
    assert_near(&ms, "Ramstein", 49.44, 7.55, 15.0);
    // A city of a million people may act through its officials.
    let ms = gp().parse("Houston met the deadline for the grant, city officials said.");
    assert_near(&ms, "Houston", 29.76, -95.36, 30.0);
}

#[test]
fn capitals_listed_together() {
    // Two national capitals named together speak for their governments: not
    // Washington in Tyne and Wear because London is in England.
    let ms = gp().parse("Officials in Washington and London welcomed the deal.");
    assert_near(&ms, "Washington", 38.90, -77.04, 30.0);
    assert_near(&ms, "London", 51.51, -0.13, 30.0);
}

#[test]
fn articles_and_companies_are_not_place_names() {
    // A sentence-initial article is no part of a feature phrase ("A Delta" is not
    // a delta named "A").
    let ms = gp().parse("A Delta flight from Atlanta to Paris was diverted to Gander.");
    assert_absent(&ms, "A Delta");
    assert_near(&ms, "Gander", 48.95, -54.61, 25.0);
    // Companies named after a place.
    let ms = gp().parse("Kentucky Fried Chicken opened a new outlet in Almaty.");
    assert_absent(&ms, "Kentucky");
    assert_near(&ms, "Almaty", 43.25, 76.92, 25.0);
    let ms = gp().parse("Texas Instruments and Boston Scientific shares fell.");
    assert_absent(&ms, "Texas");
    assert_absent(&ms, "Boston");
}

#[test]
fn seas_are_not_inside_the_country_named_before_them() {
    // "Russia's Black Sea coast": the sea is no part of Russia, so the mention
    // keeps the sea rather than falling back to the possessive parent.
    let ms = gp().parse("A tanker was hit off Russia's Black Sea coast on Monday.");
    let sea = find(&ms, "Black Sea");
    assert_eq!(sea.len(), 1, "{ms:?}");
    let p = sea[0].place.as_ref().expect("Black Sea resolved");
    assert_eq!(p.name, "Black Sea");
    assert_eq!(sea[0].precision, LocationPrecision::SeaAir);
    assert_near(&ms, "Black Sea", 43.4, 34.0, 400.0);
}

#[test]
fn renamed_port_of_pivdennyi() {
    // Yuzhne, the port east of Odesa, was renamed Pivdennyi in 2024; a village
    // of that name in Kirovohrad oblast is not what the news means.
    let ms = gp().parse("Drones struck the port of Pivdennyi near Odesa overnight.");
    assert_near(&ms, "Pivdennyi", 46.62, 31.10, 15.0);
}

#[test]
fn world_city_names_outside_talk_of_fighting() {
    // A roundup: a snow storm in New York state next to sentences about the
    // Donetsk front, where a village named New York (Niu-York) lies near Toretsk.
    let ms = gp().parse(
        "The storm dumped heavy snow on parts of western New York, and officials urged residents \
         to stay home. Russian forces pushed toward Pokrovsk and Myrnohrad, while fighting \
         continued near Toretsk.",
    );
    let ny = find(&ms, "New York");
    assert_eq!(ny.len(), 1, "{ms:?}");
    let p = ny[0].place.as_ref().expect("New York resolved");
    assert_eq!(p.country_code, "US", "{p:?}");
    assert_near(&ms, "Toretsk", 48.40, 37.85, 15.0);
    // Where the sentence itself is about fighting, it is the Donetsk village.
    let ms = gp().parse("Fighting continued near New York and Toretsk on Tuesday.");
    assert_near(&ms, "New York", 48.33, 37.84, 15.0);
}

#[test]
fn ordinary_words_next_to_a_place_of_the_same_passage() {
    // "Buffalo" and "Aurora" are ordinary English words, but inside a sentence,
    // capitalised, next to Erie County and Denver they are the cities.
    let ms = gp().parse(
        "Flooding closed roads across Erie County, and Buffalo schools shut early on Friday.",
    );
    assert_near(&ms, "Buffalo", 42.886, -78.878, 15.0);
    let ms = gp().parse("Snow fell across Denver overnight and Aurora schools opened late.");
    assert_near(&ms, "Aurora", 39.729, -104.832, 15.0);
    // Not part of a longer name, and not from another story of a roundup.
    let ms = gp().parse(
        "Flooding closed roads across Erie County on Friday. Leaders met at the Bucharest \
         Summit near Cluj.",
    );
    assert!(find(&ms, "Summit").is_empty(), "{ms:?}");
    let ms = gp().parse(
        "Crews cleared snow in Buffalo on Monday. Officials in Kyiv said the talks went well. \
         Ministers in Brussels said Hope was fading for a deal.",
    );
    assert!(find(&ms, "Hope").is_empty(), "{ms:?}");
}

#[test]
fn an_airline_before_flight_is_no_place() {
    // "A Delta flight": the airline, not Delta State (Nigeria); the cities of
    // the same sentence still resolve.
    let ms = gp().parse("A Delta flight from Atlanta to Lagos was diverted to Accra on Friday.");
    assert_absent(&ms, "Delta");
    assert_near(&ms, "Atlanta", 33.749, -84.388, 15.0);
    assert_near(&ms, "Accra", 5.556, -0.197, 15.0);
    // A place before "flight" after "to"/"from" is still the place.
    let ms = gp().parse("Passengers waited for hours in Kyiv for news of flights to Warsaw.");
    assert_near(&ms, "Warsaw", 52.23, 21.01, 15.0);
}

#[test]
fn football_clubs_named_like_towns() {
    // "Ajax" is a town in Ontario and "Aston" a district of Birmingham; in a
    // match report they are clubs. The host cities still resolve.
    let ms = gp().parse("Ajax beat PSV 2-1 in Eindhoven, and Aston Villa lost in Birmingham.");
    assert_absent(&ms, "Ajax");
    assert_absent(&ms, "Aston");
    assert_near(&ms, "Eindhoven", 51.44, 5.48, 15.0);
    assert_near(&ms, "Birmingham", 52.48, -1.90, 15.0);
}

#[test]
fn clubs_named_after_their_city_leave_the_city_a_place() {
    // The club names are no mentions; the city named on its own later is.
    let ms = gp().parse(
        "Real Madrid beat Bayern Munich 2-1, and Dynamo Kyiv drew with Shakhtar Donetsk. \
         Fans celebrated late into the night in Madrid, while air-raid sirens sounded in Kyiv.",
    );
    assert_absent(&ms, "Munich");
    assert_absent(&ms, "Donetsk");
    assert_near(&ms, "Madrid", 40.42, -3.70, 15.0);
    assert_near(&ms, "Kyiv", 50.45, 30.52, 15.0);
    assert_eq!(
        ms.iter()
            .filter(|m| m.text == "Madrid" || m.text == "Kyiv")
            .count(),
        2,
        "only the bare city names are mentions: {:?}",
        ms.iter().map(|m| (&m.text, m.start)).collect::<Vec<_>>()
    );
}

#[test]
fn a_named_facility_anchors_the_places_around_it() {
    // A roundup that earlier names places of Kharkiv oblast, where a hamlet is
    // also called Nikopol: the nuclear plant across the river places Nikopol,
    // the city of 100,000 in Dnipropetrovsk oblast.
    let ms = gp().parse(
        "Zelensky visited troops near Kupiansk before travelling on to Kharkiv. \
         Shelling in Nikopol across the Dnipro river from the occupied Zaporizhzhia \
         nuclear power plant damaged power lines.",
    );
    assert_near(&ms, "Nikopol", 47.57, 34.40, 10.0);
    let plant = ms
        .iter()
        .find(|m| m.text == "Zaporizhzhia nuclear power plant")
        .expect("the plant is a mention");
    let p = plant.place.as_ref().expect("resolved");
    assert_eq!(
        (p.feature_class.as_str(), p.feature_code.as_str()),
        ("S", "PSN")
    );
    assert_eq!(plant.precision, LocationPrecision::Exact);
}

#[test]
fn war_landmarks_are_sites_at_their_own_point() {
    let ms = gp().parse(
        "Ukrainian drones struck the Crimean Bridge again, and fires broke out at Azovstal \
         in Mariupol. Water poured through the breached Kakhovka dam toward Kherson.",
    );
    assert_near(&ms, "Crimean Bridge", 45.31, 36.51, 5.0);
    assert_near(&ms, "Azovstal", 47.10, 37.60, 5.0);
    assert_near(&ms, "Kakhovka dam", 46.78, 33.37, 5.0);
    assert_near(&ms, "Mariupol", 47.10, 37.55, 10.0);
    for name in ["Crimean Bridge", "Azovstal", "Kakhovka dam"] {
        let m = ms.iter().find(|m| m.text == name).expect("a mention");
        let p = m.place.as_ref().expect("resolved");
        assert_eq!(p.feature_class, "S", "{name}");
        assert_eq!(
            p.admin1.split('.').next(),
            Some("UA"),
            "{name}: {}",
            p.admin1
        );
    }
}

#[test]
fn names_before_family_and_disease_nouns_are_no_places() {
    let ms = gp().parse(
        "Cases of Lassa fever rose again in Nigeria, health officials said. \
         The Romanov dynasty ruled from St Petersburg for two centuries.",
    );
    assert_absent(&ms, "Lassa");
    assert_absent(&ms, "Romanov");
    assert_near(&ms, "Nigeria", 9.08, 8.68, 600.0);
}
