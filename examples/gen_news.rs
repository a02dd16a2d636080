//! Writes N synthetic news items (~400 words each) as JSONL documents for the
//! ingest benchmark (`scripts/bench-ingest`).
//!
//! ```text
//! cargo run --release --example gen_news -- --docs 10000 > news.jsonl
//! ```
//!
//! Every item is machine-made from our own sentence templates: 4–6 event
//! sentences about real places (strikes, clashes, claims, with relative dates
//! such as "on Monday" or "overnight") among filler paragraphs. Deterministic
//! for a given `--seed`; every item has its own URL and text.

use std::io::{self, BufWriter, Write};

use chrono::{Duration, NaiveDate};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Number of news items.
    #[arg(long, default_value_t = 10_000)]
    docs: usize,
    /// Target words per item.
    #[arg(long, default_value_t = 400)]
    words: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const PLACES: &[&str] = &[
    "Kharkiv",
    "Odesa",
    "Dnipro",
    "Zaporizhzhia",
    "Kherson",
    "Mykolaiv",
    "Sumy",
    "Chernihiv",
    "Poltava",
    "Kramatorsk",
    "Sloviansk",
    "Pokrovsk",
    "Kostiantynivka",
    "Toretsk",
    "Chasiv Yar",
    "Bakhmut",
    "Avdiivka",
    "Kurakhove",
    "Vuhledar",
    "Velyka Novosilka",
    "Huliaipole",
    "Orikhiv",
    "Kupiansk",
    "Lyman",
    "Siversk",
    "Izium",
    "Vovchansk",
    "Nikopol",
    "Marhanets",
    "Kryvyi Rih",
    "Myrnohrad",
    "Selydove",
    "Sudzha",
    "Belgorod",
    "Kursk",
    "Lviv",
    "Vinnytsia",
    "Zhytomyr",
    "Cherkasy",
    "Kropyvnytskyi",
    "Izmail",
    "Enerhodar",
    "Melitopol",
    "Berdiansk",
    "Mariupol",
    "Horlivka",
    "Lysychansk",
    "Bilozerka",
    "Ochakiv",
    "Kyiv",
];

const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const FILLER: &[&str] = &[
    "Officials said repair crews were working through the night to restore power and water to the affected districts.",
    "The regional administration urged residents to stay in shelters while the air raid alert remained in force.",
    "Analysts cautioned that the claims could not be independently verified and that both sides often exaggerate their gains.",
    "Aid groups said they had delivered food, medicine and generators to families who chose to stay despite the danger.",
    "Schools in the area have moved lessons online, and many businesses open only for a few hours a day.",
    "The general staff said its units had repelled dozens of attacks along the front over the past day.",
    "Local volunteers described long queues at evacuation points as buses left for safer regions in the west.",
    "Engineers are building new lines of fortifications behind the front, according to military officials.",
    "The foreign ministry said it would raise the attack with partners at a meeting later this week.",
    "Residents told reporters they had grown used to the sound of air defence, but that the last few nights had been worse.",
    "Prices for fuel and building materials have risen sharply since the start of the year, traders said.",
    "Doctors at the city hospital said they were treating several people for shrapnel wounds and burns.",
];

fn event_sentence(rng: &mut Rng, place: &str, when: &str) -> String {
    let actor_ru = rng.pick(&["Russian forces", "Russian troops", "Russian units"]);
    let actor_ua = rng.pick(&["Ukrainian forces", "Ukrainian troops", "Kyiv's forces"]);
    match rng.next() % 8 {
        0 => format!(
            "{actor_ru} shelled {place} {when}, damaging homes and a school, the regional governor said."
        ),
        1 => format!(
            "A Russian drone strike hit an energy facility in {place} {when}, officials said."
        ),
        2 => format!(
            "Russia's defence ministry said {when} that its troops had captured {place}; Ukraine denied the claim."
        ),
        3 => format!("{actor_ua} repelled an assault near {place} {when}, the general staff said."),
        4 => format!(
            "Heavy fighting continued around {place} {when} as {actor_ru} pressed their offensive."
        ),
        5 => format!(
            "A missile struck the centre of {place} {when}, killing two people and wounding eleven, rescuers said."
        ),
        6 => format!(
            "{actor_ua} said they had retaken positions near {place} {when} after a counterattack."
        ),
        _ => format!(
            "Explosions were reported in {place} {when} after an air raid alert, local media said."
        ),
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut rng = Rng(args.seed);
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let out = io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, out.lock());
    for i in 0..args.docs {
        let day = start + Duration::days((rng.next() % 700) as i64);
        let weekday = WEEKDAYS[(rng.next() % 7) as usize];
        let mut paras: Vec<String> = Vec::new();
        let mut words = 0;
        let n_events = 4 + (rng.next() % 3) as usize;
        let mut events_left = n_events;
        let mut sentence_no = 0;
        while words < args.words {
            let mut para = Vec::new();
            for _ in 0..3 {
                let s = if events_left > 0 && (sentence_no % 2 == 0 || words > args.words / 2) {
                    events_left -= 1;
                    let place = rng.pick(PLACES);
                    let when = match rng.next() % 5 {
                        0 => "yesterday".to_string(),
                        1 => format!("on {weekday}"),
                        2 => "overnight".to_string(),
                        3 => "earlier this week".to_string(),
                        _ => format!("on {}", day.format("%-d %B")),
                    };
                    event_sentence(&mut rng, place, &when)
                } else {
                    rng.pick(FILLER).to_string()
                };
                words += s.split_whitespace().count();
                sentence_no += 1;
                para.push(s);
            }
            paras.push(para.join(" "));
        }
        // A serial sentence keeps every text distinct.
        paras.push(format!("This is synthetic benchmark item number {i}."));
        let doc = serde_json::json!({
            "id": format!("bench-{}-{i}", args.seed),
            "url": format!("https://bench.frontline.invalid/{}/{i}", args.seed),
            "title": format!("Synthetic report {i}"),
            "source": "Synthetic Bench Wire",
            "published": format!("{}T{:02}:{:02}:00+00:00", day, rng.next() % 24, rng.next() % 60),
            "text": paras.join("\n\n"),
        });
        serde_json::to_writer(&mut w, &doc)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(())
}
