//! Unit tests of the extraction pipeline on our own sentences, with mentions
//! given by hand (the geoparser is tested on its own).

use chrono::{DateTime, NaiveDate};

use super::*;
use crate::model::{LocationPrecision, Mention, ResolvedPlace, TimePrecision};

#[derive(Clone, Copy)]
struct P {
    id: u64,
    name: &'static str,
    lat: f64,
    lon: f64,
    class: &'static str,
    code: &'static str,
    cc: &'static str,
    a1: &'static str,
}

const KURAKHOVE: P = P {
    id: 695357,
    name: "Kurakhove",
    lat: 47.9847,
    lon: 37.28069,
    class: "P",
    code: "PPL",
    cc: "UA",
    a1: "UA.05",
};
const BELAYA: P = P {
    id: 578230,
    name: "Belaya",
    lat: 51.05878,
    lon: 35.71088,
    class: "P",
    code: "PPL",
    cc: "RU",
    a1: "RU.41",
};
const KURSK_OBL: P = P {
    id: 538555,
    name: "Kursk Oblast",
    lat: 51.75,
    lon: 36.0,
    class: "A",
    code: "ADM1",
    cc: "RU",
    a1: "RU.41",
};
const DONETSK_OBL: P = P {
    id: 709716,
    name: "Donetsk Oblast",
    lat: 48.0,
    lon: 37.8,
    class: "A",
    code: "ADM1",
    cc: "UA",
    a1: "UA.05",
};
const RUSSIA: P = P {
    id: 2017370,
    name: "Russia",
    lat: 60.0,
    lon: 100.0,
    class: "A",
    code: "PCLI",
    cc: "RU",
    a1: "",
};
const UKRAINE: P = P {
    id: 690791,
    name: "Ukraine",
    lat: 49.0,
    lon: 32.0,
    class: "A",
    code: "PCLI",
    cc: "UA",
    a1: "",
};
const BULGARIA: P = P {
    id: 732800,
    name: "Bulgaria",
    lat: 42.67,
    lon: 25.25,
    class: "A",
    code: "PCLI",
    cc: "BG",
    a1: "",
};
const PALM_BEACH: P = P {
    id: 4167505,
    name: "Palm Beach",
    lat: 26.70562,
    lon: -80.03643,
    class: "P",
    code: "PPL",
    cc: "US",
    a1: "US.FL",
};
const FLORIDA: P = P {
    id: 4155751,
    name: "Florida",
    lat: 28.0,
    lon: -82.0,
    class: "A",
    code: "ADM1",
    cc: "US",
    a1: "US.FL",
};
const VUHLEDAR: P = P {
    id: 690823,
    name: "Vuhledar",
    lat: 47.77973,
    lon: 37.24999,
    class: "P",
    code: "PPL",
    cc: "UA",
    a1: "UA.05",
};
const MOSCOW: P = P {
    id: 524901,
    name: "Moscow",
    lat: 55.75,
    lon: 37.62,
    class: "P",
    code: "PPLC",
    cc: "RU",
    a1: "RU.48",
};
const KYIV: P = P {
    id: 703448,
    name: "Kyiv",
    lat: 50.45466,
    lon: 30.5238,
    class: "P",
    code: "PPLC",
    cc: "UA",
    a1: "UA.12",
};

fn resolved(p: P) -> ResolvedPlace {
    ResolvedPlace {
        geonameid: p.id,
        name: p.name.into(),
        lat: p.lat,
        lon: p.lon,
        feature_class: p.class.into(),
        feature_code: p.code.into(),
        country_code: p.cc.into(),
        admin1: p.a1.into(),
        approximate: false,
    }
}

/// Mentions of every occurrence of each surface form.
fn mentions(text: &str, places: &[(&str, P)]) -> Vec<Mention> {
    let mut out = Vec::new();
    for &(surface, p) in places {
        let mut from = 0;
        while let Some(i) = text[from..].find(surface) {
            let b = from + i;
            let start = text[..b].chars().count();
            let end = start + surface.chars().count();
            let precision = match (p.class, p.code) {
                ("A", "ADM1") => LocationPrecision::Admin1,
                ("A", _) => LocationPrecision::Country,
                _ => LocationPrecision::Settlement,
            };
            out.push(Mention {
                start,
                end,
                text: surface.into(),
                place: Some(resolved(p)),
                precision,
                score: 0.9,
            });
            from = b + surface.len();
        }
    }
    out.sort_by_key(|m| m.start);
    out
}

fn doc(text: &str) -> Document {
    Document {
        id: "doc-1".into(),
        text: text.into(),
        published: DateTime::parse_from_rfc3339("2025-01-07T10:00:00+00:00").ok(),
        ..Default::default()
    }
}

fn run(text: &str, places: &[(&str, P)]) -> Vec<Event> {
    extract_with_mentions(&doc(text), &mentions(text, places)).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn claim(by: &str, stance: Stance) -> Claim {
    Claim {
        by: by.into(),
        stance,
    }
}

#[test]
fn disputed_capture_claim_is_one_event() {
    let t = "Moscow said its troops had captured the town of Kurakhove on Monday. \
             Kyiv denied it, saying its soldiers were still holding positions in the town.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    let terr: Vec<&Event> = ev
        .iter()
        .filter(|e| e.event_type.starts_with("territory"))
        .collect();
    assert_eq!(terr.len(), 1, "{ev:#?}");
    let e = terr[0];
    assert_eq!(e.event_type, "territory_claimed");
    assert_eq!(e.actor, Actor::Russia);
    assert_eq!(e.date_start, day("2025-01-06"));
    assert_eq!(e.time_precision, TimePrecision::Day);
    assert!(
        e.claims.contains(&claim("russia", Stance::Claimed)),
        "{:?}",
        e.claims
    );
    assert!(
        e.claims.contains(&claim("ukraine", Stance::Denied)),
        "{:?}",
        e.claims
    );
    assert!(disputed(&e.claims));
    assert!(e.frontline);
    assert_eq!(e.sub_event_type, "Non-state actor overtakes territory");
}

#[test]
fn region_claim_folds_into_the_named_town() {
    let t = "Kyiv rejected Russian claims that troops had captured a town in the Donetsk region.\n\
             Russia claimed control of Kurakhove on Monday after weeks of fighting.";
    let ev = run(
        t,
        &[("Donetsk region", DONETSK_OBL), ("Kurakhove", KURAKHOVE)],
    );
    let terr: Vec<&Event> = ev
        .iter()
        .filter(|e| e.event_type.starts_with("territory"))
        .collect();
    assert_eq!(terr.len(), 1, "{ev:#?}");
    assert_eq!(terr[0].place.name, "Kurakhove");
    assert!(disputed(&terr[0].claims), "{:?}", terr[0].claims);
}

#[test]
fn strike_near_a_settlement() {
    let t = "Ukraine's army said on Sunday that its drones had struck an ammunition depot near Belaya in the Kursk region.";
    let ev = run(t, &[("Belaya", BELAYA), ("Kursk region", KURSK_OBL)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0];
    assert_eq!(e.event_type, "air_drone_strike");
    assert_eq!(e.place.name, "Belaya");
    assert_eq!(e.place.precision, LocationPrecision::NearSettlement);
    assert_eq!(e.actor, Actor::Ukraine);
    assert_eq!(e.date_start, day("2025-01-05"));
    assert!(e.frontline);
    assert_eq!(e.evidence.start, 0);
    assert_eq!(e.evidence.end, t.chars().count());
}

#[test]
fn strike_on_military_target_without_weapon() {
    let t =
        "Kyiv's military hit a Russian command post near the Kursk village of Belaya yesterday.";
    let ev = run(t, &[("Kursk", KURSK_OBL), ("Belaya", BELAYA)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "strike_military_target");
    assert_eq!(ev[0].actor, Actor::Ukraine);
    assert_eq!(ev[0].place.name, "Belaya");
    assert_eq!(ev[0].date_start, day("2025-01-06"));
}

#[test]
fn offensive_in_a_region_drops_the_country_qualifier() {
    let t = "Kyiv's forces launched a new offensive in Russia's Kursk region, officials said.";
    let ev = run(t, &[("Russia", RUSSIA), ("Kursk region", KURSK_OBL)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0];
    assert_eq!(e.event_type, "ground_assault");
    assert_eq!(e.place.name, "Kursk Oblast");
    assert_eq!(e.place.precision, LocationPrecision::Admin1);
    assert_eq!(e.actor, Actor::Ukraine);
    // No date in the clause: published day or the day before.
    assert_eq!(
        (e.date_start, e.date_end),
        (day("2025-01-06"), day("2025-01-07"))
    );
    assert_eq!(e.time_precision, TimePrecision::Days);
}

#[test]
fn political_statement_at_a_town() {
    let t = "Speaking at a press conference in Palm Beach, Florida, the president-elect said the war must end.";
    let ev = run(t, &[("Palm Beach", PALM_BEACH), ("Florida", FLORIDA)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "political_statement");
    assert_eq!(ev[0].place.name, "Palm Beach");
    assert!(!ev[0].frontline);
    assert_eq!(ev[0].sub_event_type, "Other");
}

#[test]
fn unrelated_news_is_not_frontline() {
    let t = "Crowds in Bulgaria celebrated a winter festival on Monday.";
    let ev = run(t, &[("Bulgaria", BULGARIA)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "other");
    assert!(!ev[0].frontline);
    assert_eq!(ev[0].place.precision, LocationPrecision::Country);
    assert_eq!(ev[0].date_start, day("2025-01-06"));
}

#[test]
fn no_combat_events_on_country_centroids() {
    let t = "Russia launched dozens of drones at Ukraine overnight.";
    let ev = run(t, &[("Russia", RUSSIA), ("Ukraine", UKRAINE)]);
    assert!(ev.is_empty(), "{ev:#?}");
}

#[test]
fn future_and_negated_events_are_skipped() {
    assert!(
        run(
            "Russian forces will attack Kurakhove next week.",
            &[("Kurakhove", KURAKHOVE)]
        )
        .is_empty()
    );
    assert!(
        run(
            "Russian troops did not capture Kurakhove.",
            &[("Kurakhove", KURAKHOVE)]
        )
        .iter()
        .all(|e| !e.event_type.starts_with("territory"))
    );
    assert!(
        run(
            "Could Russia capture Kurakhove?",
            &[("Kurakhove", KURAKHOVE)]
        )
        .is_empty()
    );
}

#[test]
fn a_captured_person_is_not_a_captured_town() {
    let t = "The soldier was captured by Russian troops near Kurakhove in 2022.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    assert!(
        ev.iter().all(|e| !e.event_type.starts_with("territory")),
        "{ev:#?}"
    );
}

#[test]
fn anaphor_carries_the_place() {
    let t = "Russian troops took control of Kurakhove last week. The town has been shelled every day since.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    let shelling: Vec<&Event> = ev.iter().filter(|e| e.event_type == "shelling").collect();
    assert_eq!(shelling.len(), 1, "{ev:#?}");
    assert_eq!(shelling[0].place.name, "Kurakhove");
    assert_eq!(shelling[0].place.surface_form, "Kurakhove");
    let terr: Vec<&Event> = ev
        .iter()
        .filter(|e| e.event_type == "territory_captured")
        .collect();
    assert_eq!(terr.len(), 1, "{ev:#?}");
    assert_eq!(terr[0].time_precision, TimePrecision::Week);
}

#[test]
fn outskirts_make_near_settlement() {
    let t = "Ukrainian units repelled assaults on the outskirts of Kurakhove on Sunday.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].place.precision, LocationPrecision::NearSettlement);
}

#[test]
fn liberated_by_ukraine_is_regained() {
    let t = "Ukrainian troops liberated Kurakhove on 5 January.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "territory_regained");
    assert_eq!(ev[0].sub_event_type, "Government regains territory");
    assert_eq!(ev[0].date_start, day("2025-01-05"));
    assert!(ev[0].claims.is_empty());
}

#[test]
fn same_event_twice_merges_and_ids_are_stable() {
    let t = "Russian artillery shelled Kurakhove on Monday. Kurakhove was shelled again on Monday, officials said.";
    let a = run(t, &[("Kurakhove", KURAKHOVE)]);
    let b = run(t, &[("Kurakhove", KURAKHOVE)]);
    assert_eq!(a.len(), 1, "{a:#?}");
    assert_eq!(a, b);
    assert_eq!(a[0].event_id.len(), 16);
    assert_eq!(merge_key(&a[0]), "shelling|g695357|2025-01-06");
}

#[test]
fn undated_restatement_folds_into_the_dated_report() {
    let t = "Russia claimed control of Kurakhove on Monday.\n\nKyiv insists it still holds part of Kurakhove, which Moscow claims to have captured.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    let terr: Vec<&Event> = ev
        .iter()
        .filter(|e| e.event_type.starts_with("territory"))
        .collect();
    assert_eq!(terr.len(), 1, "{ev:#?}");
    assert_eq!(terr[0].date_start, day("2025-01-06"));
}

#[test]
fn kyiv_as_speaker_is_not_a_place() {
    let t = "Kyiv said Russian missiles hit Kurakhove.";
    let ev = run(t, &[("Kyiv", KYIV), ("Kurakhove", KURAKHOVE)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].place.name, "Kurakhove");
    assert_eq!(ev[0].event_type, "missile_strike");
    assert_eq!(ev[0].actor, Actor::Russia);
    assert_eq!(ev[0].claims, vec![claim("ukraine", Stance::Claimed)]);
}

#[test]
fn evidence_offsets_are_code_points() {
    let t = "Київ — «news». Russian drones struck Kurakhove overnight.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0];
    let slice: String = t
        .chars()
        .skip(e.evidence.start)
        .take(e.evidence.end - e.evidence.start)
        .collect();
    assert_eq!(slice, e.evidence.text);
    assert_eq!(
        e.evidence.text,
        "Russian drones struck Kurakhove overnight."
    );
    assert_eq!(
        (e.date_start, e.date_end, e.time_precision),
        (day("2025-01-06"), day("2025-01-07"), TimePrecision::Day)
    );
}

#[test]
fn missing_publication_date_names_the_document() {
    let mut d = doc("Russian drones struck Kurakhove.");
    d.published = None;
    let err = extract_with_mentions(&d, &[]).unwrap_err();
    assert!(err.to_string().contains("doc-1"), "{err}");
}

#[test]
fn serialises_to_the_contract() {
    let t = "Russian drones struck Kurakhove on 5 January.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    let v = serde_json::to_value(&ev[0]).unwrap();
    assert_eq!(v["date_start"], "2025-01-05");
    assert_eq!(v["date_end"], "2025-01-05");
    assert_eq!(v["time_precision"], "day");
    assert_eq!(v["actor"], "russia");
    assert_eq!(v["place"]["precision"], "settlement");
    assert_eq!(v["place"]["geonameid"], 695357);
    let published = v["published"].as_str().unwrap();
    assert_eq!(
        DateTime::parse_from_rfc3339(published).unwrap(),
        doc(t).published.unwrap()
    );
    for k in [
        "doc_id",
        "event_id",
        "date_start",
        "date_end",
        "time_precision",
        "published",
        "event_type",
        "sub_event_type",
        "frontline",
        "actor",
        "claims",
        "place",
        "evidence",
        "confidence",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
}

#[test]
fn contract_view_has_exactly_the_contract_keys() {
    let t = "Russian drones struck Kurakhove on 5 January.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    let v = serde_json::to_value(ContractEvent::from(&ev[0])).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    let mut want = vec![
        "doc_id",
        "event_id",
        "date_start",
        "date_end",
        "time_precision",
        "published",
        "event_type",
        "sub_event_type",
        "frontline",
        "actor",
        "claims",
        "place",
        "evidence",
        "confidence",
    ];
    want.sort();
    assert_eq!(keys, want);
    let mut pk: Vec<&str> = v["place"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    pk.sort();
    assert_eq!(
        pk,
        vec![
            "admin1",
            "country_code",
            "geonameid",
            "lat",
            "lon",
            "name",
            "precision"
        ]
    );
    let mut ek: Vec<&str> = v["evidence"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    ek.sort();
    assert_eq!(ek, vec!["end", "start", "text"]);
}

#[test]
fn disputed_helper() {
    assert!(disputed(&[
        claim("russia", Stance::Claimed),
        claim("ukraine", Stance::Denied)
    ]));
    assert!(!disputed(&[
        claim("russia", Stance::Claimed),
        claim("russia", Stance::Denied)
    ]));
    assert!(!disputed(&[claim("russia", Stance::Claimed)]));
    assert!(!disputed(&[]));
}

#[test]
fn withdrawal_then_capture_is_one_confirmed_capture() {
    let t = "Kyiv's southern command said on Friday it had pulled its units out of Vuhledar. \
             On Saturday Moscow announced that the town was under its control.";
    let ev = run(
        t,
        &[("Vuhledar", VUHLEDAR), ("Moscow", MOSCOW), ("Kyiv", KYIV)],
    );
    assert_eq!(ev.len(), 1, "{ev:#?}");
    let e = &ev[0];
    assert_eq!(e.event_type, "territory_captured");
    assert_eq!(e.actor, Actor::Russia);
    assert_eq!(
        (e.date_start, e.date_end),
        (day("2025-01-03"), day("2025-01-04"))
    );
    assert!(
        e.claims.contains(&claim("ukraine", Stance::Confirmed)),
        "{:?}",
        e.claims
    );
    assert!(!disputed(&e.claims));
}

#[test]
fn anaphors_never_point_at_speakers() {
    let t = "Moscow said its troops had taken the town.";
    let ev = run(t, &[("Moscow", MOSCOW)]);
    assert!(ev.is_empty(), "{ev:#?}");
}

#[test]
fn relative_clause_object() {
    let t = "Moscow said its troops had retaken Belaya, the village Ukrainian forces seized last August.";
    let ev = run(t, &[("Moscow", MOSCOW), ("Belaya", BELAYA)]);
    let mut types: Vec<(&str, String)> = ev
        .iter()
        .map(|e| (e.event_type.as_str(), e.actor.as_str().to_string()))
        .collect();
    types.sort();
    assert_eq!(
        types,
        vec![
            ("territory_captured", "ukraine".to_string()),
            ("territory_regained", "russia".to_string())
        ],
        "{ev:#?}"
    );
    let aug = ev
        .iter()
        .find(|e| e.event_type == "territory_captured")
        .unwrap();
    assert_eq!(aug.time_precision, TimePrecision::Month);
    assert_eq!(aug.date_start, day("2024-08-01"));
}

#[test]
fn denial_sentence_is_not_a_separate_clash() {
    let t = "Moscow said on Monday that its forces had captured Kurakhove. \
             A Ukrainian army spokesman denied it, saying fighting was still going on in the town.";
    let ev = run(t, &[("Moscow", MOSCOW), ("Kurakhove", KURAKHOVE)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "territory_claimed");
    assert!(disputed(&ev[0].claims));
}

#[test]
fn reporters_and_attackers_are_told_apart() {
    let t = "A fuel depot near Belaya caught fire overnight after a Ukrainian drone attack, officials said.";
    let ev = run(t, &[("Belaya", BELAYA)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].actor, Actor::Ukraine);
    assert_eq!(ev[0].event_type, "air_drone_strike");
    let t = "Two Russian ballistic missiles struck Kurakhove.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    assert_eq!(ev[0].actor, Actor::Russia);
}

#[test]
fn claimant_of_a_relative_clause_is_the_actor() {
    let t = "Kyiv said it still holds part of Kurakhove, a town that Moscow claims to have captured.\n\n\
             Russia claimed control of Kurakhove on Monday.";
    let ev = run(
        t,
        &[("Kyiv", KYIV), ("Kurakhove", KURAKHOVE), ("Moscow", MOSCOW)],
    );
    let terr: Vec<&Event> = ev
        .iter()
        .filter(|e| e.event_type.starts_with("territory"))
        .collect();
    assert_eq!(terr.len(), 1, "{ev:#?}");
    assert_eq!(terr[0].event_type, "territory_claimed");
    assert_eq!(terr[0].actor, Actor::Russia);
    assert_eq!(terr[0].date_start, day("2025-01-06"));
    assert!(disputed(&terr[0].claims), "{:?}", terr[0].claims);
}

#[test]
fn every_event_type_from_its_cues() {
    use EventType as E;
    let k = &[("Kurakhove", KURAKHOVE)][..];
    let b = &[("Belaya", BELAYA)][..];
    type Case<'a> = (&'a str, &'a [(&'a str, P)], E);
    let cases: &[Case] = &[
        (
            "Heavy clashes broke out in Kurakhove on Sunday.",
            k,
            E::ArmedClash,
        ),
        (
            "Ukrainian and Russian units fought for Kurakhove on Sunday.",
            k,
            E::ArmedClash,
        ),
        (
            "Russian troops launched an assault on Kurakhove on Sunday.",
            k,
            E::GroundAssault,
        ),
        (
            "Russian forces advanced towards Kurakhove on Sunday.",
            k,
            E::GroundAssault,
        ),
        (
            "Moscow's army seized Kurakhove on Sunday, according to independent analysts.",
            k,
            E::TerritoryCaptured,
        ),
        (
            "Kurakhove fell to Russian forces on Sunday.",
            k,
            E::TerritoryCaptured,
        ),
        (
            "Russia claimed on Sunday to have captured Kurakhove.",
            k,
            E::TerritoryClaimed,
        ),
        (
            "Ukrainian soldiers recaptured Kurakhove on Sunday.",
            k,
            E::TerritoryRegained,
        ),
        (
            "Russian forces recaptured Belaya on Sunday.",
            b,
            E::TerritoryRegained,
        ),
        (
            "Russian artillery pounded Kurakhove on Sunday.",
            k,
            E::Shelling,
        ),
        ("Mortar fire hit Kurakhove on Sunday.", k, E::Shelling),
        (
            "A ballistic missile slammed into Kurakhove on Sunday.",
            k,
            E::MissileStrike,
        ),
        (
            "A Russian missile strike on Kurakhove on Sunday destroyed a school.",
            k,
            E::MissileStrike,
        ),
        ("Drones attacked Kurakhove on Sunday.", k, E::AirDroneStrike),
        (
            "Glide bombs fell on Kurakhove on Sunday.",
            k,
            E::AirDroneStrike,
        ),
        (
            "An airstrike flattened a building in Kurakhove on Sunday.",
            k,
            E::AirDroneStrike,
        ),
        (
            "A blast ripped through a warehouse in Belaya on Sunday.",
            b,
            E::Explosion,
        ),
        (
            "A landmine killed a farmer near Kurakhove on Sunday.",
            k,
            E::Explosion,
        ),
        (
            "Ukrainian forces struck an ammunition depot in Belaya on Sunday.",
            b,
            E::StrikeMilitaryTarget,
        ),
        (
            "Soldiers killed two civilians in Kurakhove on Sunday, prosecutors said.",
            k,
            E::CivilianHarm,
        ),
        (
            "A prisoner swap took place near Belaya on Sunday.",
            b,
            E::PrisonerExchange,
        ),
        (
            "The minister gave a speech in Kurakhove on Sunday.",
            k,
            E::PoliticalStatement,
        ),
        (
            "The general visited Kurakhove on Sunday.",
            k,
            E::PoliticalStatement,
        ),
        (
            "A humanitarian convoy reached Kurakhove on Sunday.",
            k,
            E::Aid,
        ),
        (
            "Residents of Kurakhove celebrated a holiday on Sunday.",
            k,
            E::Other,
        ),
    ];
    for (text, places, want) in cases {
        let ev = run(text, places);
        assert!(
            ev.iter().any(|e| e.event_type == want.code()),
            "{text}: want {} got {:?}",
            want.code(),
            ev.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>()
        );
        let e = ev.iter().find(|e| e.event_type == want.code()).unwrap();
        assert_eq!(e.date_start, day("2025-01-05"), "{text}");
        assert_eq!(e.frontline, want.is_combat(), "{text}");
        assert_eq!(e.sub_event_type, want.acled().1, "{text}");
    }
}

#[test]
fn speakers_places_and_metonymy_are_not_event_places() {
    const WASHINGTON: P = P {
        id: 4140963,
        name: "Washington",
        lat: 38.89,
        lon: -77.03,
        class: "P",
        code: "PPLC",
        cc: "US",
        a1: "US.DC",
    };
    let t = "Ukrainian missiles hit Belaya after Washington allowed their use, officials in Moscow said.";
    let ev = run(
        t,
        &[
            ("Belaya", BELAYA),
            ("Washington", WASHINGTON),
            ("Moscow", MOSCOW),
        ],
    );
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].place.name, "Belaya");
    assert_eq!(ev[0].actor, Actor::Ukraine);
}

#[test]
fn interceptions_credit_the_attacker() {
    let t = "Moscow's defence ministry said it had destroyed 40 drones over Belaya overnight.";
    let ev = run(t, &[("Moscow", MOSCOW), ("Belaya", BELAYA)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "air_drone_strike");
    assert_eq!(ev[0].actor, Actor::Ukraine);
}

#[test]
fn troops_attacking_positions_is_a_ground_assault() {
    let t = "Russian forces attacked Ukrainian positions around Kurakhove on Sunday.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "ground_assault");
    assert_eq!(ev[0].actor, Actor::Russia);
    assert_eq!(ev[0].place.precision, LocationPrecision::NearSettlement);
}

#[test]
fn black_sea_combat_is_frontline() {
    const BLACK_SEA: P = P {
        id: 630673,
        name: "Black Sea",
        lat: 43.0,
        lon: 34.0,
        class: "H",
        code: "SEA",
        cc: "",
        a1: "",
    };
    let t = "A missile struck a cargo ship in the Black Sea on Sunday.";
    let ev = run(t, &[("Black Sea", BLACK_SEA)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert!(ev[0].frontline);
    assert_eq!(ev[0].place.precision, LocationPrecision::SeaAir);
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "Russian",
        "troops",
        "captured",
        "Kurakhove",
        "on",
        "Monday",
        "the",
        "town",
        ".",
        ",",
        "\n",
        "said",
        "drones",
        "hit",
        "near",
        "Kyiv",
        "denied",
        "claims",
        "“",
        "”",
        "’s",
        "09:40 GMT",
        "Updated 7 January 2025 14:05",
        "overnight",
        "5-6 January",
        "last August",
        "it",
        "its",
        "forces",
        "—",
        "?",
        "Київ",
        "🙂",
        "  ",
    ];

    fn text_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::collection::vec(proptest::sample::select(WORDS), 0..60)
                .prop_map(|w| w.join(" ")),
            "\\PC{0,200}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn extraction_is_total(text in text_strategy(), spans in proptest::collection::vec((0usize..300, 0usize..12), 0..8)) {
            let n = text.chars().count();
            let mentions: Vec<Mention> = spans
                .iter()
                .filter(|(s, l)| *l > 0 && s + l <= n)
                .map(|&(s, l)| Mention {
                    start: s,
                    end: s + l,
                    text: text.chars().skip(s).take(l).collect(),
                    place: Some(resolved(if s % 2 == 0 { KURAKHOVE } else { KURSK_OBL })),
                    precision: LocationPrecision::Settlement,
                    score: 0.8,
                })
                .collect();
            let d = doc(&text);
            let events = extract_with_mentions(&d, &mentions).unwrap();
            for e in &events {
                prop_assert!(e.evidence.start <= e.evidence.end && e.evidence.end <= n);
                prop_assert!(e.date_start <= e.date_end);
                prop_assert!((0.0..=1.0).contains(&e.confidence));
            }
            for p in liveblog::split_posts(&d) {
                let from: String = text.chars().skip(p.start).take(p.text.chars().count()).collect();
                prop_assert_eq!(from, p.text);
            }
        }
    }
}

mod text_properties {
    use crate::extract::{dates, text};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn dates_sentences_tokens_are_total(s in "(\\PC|[0-9]|January|Monday|last|-|–| ){0,120}") {
            let p = NaiveDate::from_ymd_opt(2025, 1, 7).unwrap();
            for m in dates::find_dates(&s, p) {
                prop_assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end) && m.start < m.end);
                prop_assert!(m.span.start <= m.span.end);
            }
            for r in text::sentences(&s) {
                prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end) && r.start < r.end);
                for t in text::tokenize(&s, r.clone()) {
                    prop_assert!(r.start <= t.start && t.end <= r.end && t.start < t.end);
                }
            }
        }
    }
}

#[test]
fn strikes_without_a_named_side_take_it_from_the_territory() {
    let t = "Shelling hit the centre of Moscow overnight, killing two people.\n\
             A missile struck an apartment block in Kyiv on Monday.";
    let ev = run(t, &[("Moscow", MOSCOW), ("Kyiv", KYIV)]);
    let side = |name: &str| {
        ev.iter()
            .find(|e| e.place.name == name)
            .unwrap_or_else(|| panic!("{name}: {ev:#?}"))
            .actor
    };
    assert_eq!(side("Moscow"), Actor::Ukraine);
    assert_eq!(side("Kyiv"), Actor::Russia);
    // An explosion without a cause keeps an unknown actor.
    let ev = run(
        "An explosion hit a depot in Kyiv on Monday, officials said.",
        &[("Kyiv", KYIV)],
    );
    assert!(ev.iter().all(|e| e.actor == Actor::Unknown), "{ev:#?}");
}

#[test]
fn a_wire_dateline_is_not_where_events_happen() {
    let t = "KYIV, Ukraine (Wire) — Russian artillery shelled Vuhledar overnight.";
    let ev = run(t, &[("KYIV", KYIV), ("Vuhledar", VUHLEDAR)]);
    assert!(ev.iter().all(|e| e.place.name != "Kyiv"), "{ev:#?}");
    assert!(ev.iter().any(|e| e.place.name == "Vuhledar"), "{ev:#?}");
    // The dateline test itself: capitals and a dash within the first tokens.
    let toks = |s: &'static str| (s, crate::extract::text::tokenize(s, 0..s.len()));
    for (s, want) in [
        ("KYIV, Ukraine (AP) — Missiles hit.", true),
        ("NEAR POKROVSK, Ukraine — Fighting.", true),
        ("MOSCOW — The ministry said.", true),
        ("Kyiv — a quiet night.", false),
        ("KYIV was hit overnight.", false),
        ("Missiles hit Kyiv — officials said.", false),
    ] {
        let (s, t) = toks(s);
        assert_eq!(super::dateline_end(s, &t).is_some(), want, "{s}");
    }
}

#[test]
fn the_city_of_a_speaker_qualifier() {
    // "Kharkiv" only qualifies the mayor, but "the city" still means Kharkiv.
    const KHARKIV: P = P {
        id: 706483,
        name: "Kharkiv",
        lat: 49.98081,
        lon: 36.25272,
        class: "P",
        code: "PPLA",
        cc: "UA",
        a1: "UA.07",
    };
    let t = "Shelling hit Kyiv on Monday. The Kharkiv mayor said glide bombs hit a district of the city.";
    let ev = run(t, &[("Kyiv", KYIV), ("Kharkiv", KHARKIV)]);
    let bomb = ev
        .iter()
        .find(|e| e.evidence.text.contains("glide bombs"))
        .unwrap_or_else(|| panic!("{ev:#?}"));
    assert_eq!(bomb.place.name, "Kharkiv", "{ev:#?}");
}

#[test]
fn a_semicolon_separates_two_reports() {
    let ev = run(
        "Ukrainian troops push deeper into Kursk region; prisoner swap agreed",
        &[("Kursk", KURSK_OBL)],
    );
    let kursk: Vec<&str> = ev
        .iter()
        .filter(|e| e.place.name == "Kursk Oblast")
        .map(|e| e.event_type.as_str())
        .collect();
    assert_eq!(kursk, ["ground_assault"], "{ev:#?}");
}

#[test]
fn launch_sites_are_not_strike_places() {
    let ev = run(
        "Drones launched overnight from Moscow hit Kyiv, officials said.",
        &[("Moscow", MOSCOW), ("Kyiv", KYIV)],
    );
    assert!(ev.iter().all(|e| e.place.name != "Moscow"), "{ev:#?}");
    assert!(ev.iter().any(|e| e.place.name == "Kyiv"), "{ev:#?}");
}

#[test]
fn a_district_of_an_oblast_keeps_the_district() {
    const BAKHMUT_RAION: P = P {
        id: 12189535,
        name: "Bakhmut Raion",
        lat: 48.6,
        lon: 38.0,
        class: "A",
        code: "ADM2",
        cc: "UA",
        a1: "UA.05",
    };
    let ev = run(
        "A drone struck a minibus in Bakhmut district of Donetsk oblast, wounding five.",
        &[("Bakhmut", BAKHMUT_RAION), ("Donetsk", DONETSK_OBL)],
    );
    assert!(
        ev.iter().any(|e| e.place.name == "Bakhmut Raion"),
        "{ev:#?}"
    );
    assert!(
        ev.iter().all(|e| e.place.name != "Donetsk Oblast"),
        "{ev:#?}"
    );
}

#[test]
fn a_place_after_near_is_only_a_reference_point() {
    let t = "Russian troops captured the village of Kurakhove near Vuhledar on Monday, \
             Moscow claimed.";
    let ev = run(t, &[("Kurakhove", KURAKHOVE), ("Vuhledar", VUHLEDAR)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].place.name, "Kurakhove");
    assert_eq!(ev[0].event_type, "territory_claimed");
}

#[test]
fn saboteurs_blowing_up_a_line_is_an_explosion() {
    let t = "Ukrainian saboteurs blew up a railway line near Belaya on Sunday.";
    let ev = run(t, &[("Belaya", BELAYA)]);
    assert_eq!(ev.len(), 1, "{ev:#?}");
    assert_eq!(ev[0].event_type, "explosion");
    assert_eq!(ev[0].actor, Actor::Ukraine);
    assert_eq!(ev[0].date_start, day("2025-01-05"));
}
