#!/usr/bin/env node
// Writes synthetic news items (JSONL, the ingest contract) that yield about N
// distinct events, for measuring the web map's load time with a big database.
//
//   node tests/browser/gen-load-docs.mjs 100000 > /tmp/load.jsonl
//   frontline ingest --db /tmp/load.db /tmp/load.jsonl
//
// Each item is one day's short bulletin of 10 sentences (our own wording); an
// event is distinct per (type, place, day), so 5 templates x 44 places give up
// to 220 events a day.

const target = Number(process.argv[2] || 100000);
const places = [
  'Kupiansk', 'Sumy', 'Pokrovsk', 'Kharkiv', 'Selydove', 'Toretsk', 'Chasiv Yar', 'Kurakhove', 'Vuhledar',
  'Kherson', 'Zaporizhzhia', 'Nikopol', 'Odesa', 'Mykolaiv', 'Dnipro', 'Kramatorsk', 'Sloviansk', 'Kostiantynivka',
  'Bakhmut', 'Avdiivka', 'Marinka', 'Lyman', 'Siversk', 'Izium', 'Balakliia', 'Vovchansk', 'Lyptsi', 'Orikhiv',
  'Huliaipole', 'Robotyne', 'Velyka Novosilka', 'Myrnohrad', 'Novohrodivka', 'Chernihiv', 'Kyiv', 'Poltava',
  'Kryvyi Rih', 'Bilhorod-Dnistrovskyi', 'Ochakiv', 'Beryslav', 'Sudzha', 'Belgorod', 'Kursk', 'Bryansk',
];
const templates = [
  (p) => `Russian artillery shelled ${p}.`,
  (p) => `Drones struck ${p} overnight.`,
  (p) => `Ukrainian troops repelled an assault near ${p}.`,
  (p) => `A missile hit ${p}.`,
  (p) => `Russian forces claimed to have captured ${p}.`,
];
const perDay = 10 * 14; // 14 bulletins of 10 sentences
const days = Math.ceil(target / perDay);
const start = Date.UTC(2023, 0, 1);
let n = 0;
let written = 0;
for (let d = 0; d < days && written < target; d++) {
  const date = new Date(start + d * 86400000).toISOString().slice(0, 10);
  for (let b = 0; b < 14 && written < target; b++) {
    const sentences = [];
    for (let s = 0; s < 10 && written < target; s++, written++) {
      const k = b * 10 + s + d; // rotate combinations from day to day
      const place = places[k % places.length];
      const tpl = templates[Math.floor(k / places.length) % templates.length];
      sentences.push(tpl(place));
    }
    n++;
    process.stdout.write(
      `${JSON.stringify({ id: `load-${date}-${b}`, text: `Bulletin ${n} of ${date}. ` + sentences.join(' '), published: `${date}T18:00:00Z`, source: 'Synthetic load bulletin' })}\n`,
    );
  }
}
process.stderr.write(`${n} bulletins, ${written} sentences over ${days} days\n`);
