// Copies the crisis-helpline data (open-helplines, CC0) from ../shared/data/helplines into
// src/lib/safety/helplines.json, keeping only what the crisis panel shows. The output is committed
// so a build needs nothing outside the repository; run this again to refresh it:
//   node scripts/bundle-helplines.mjs [path/to/helplines]
import { readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';

const from = process.argv[2] ?? '../shared/data/helplines';
const countries = {};
for (const code of readdirSync(join(from, 'countries')).sort()) {
  const file = JSON.parse(readFileSync(join(from, 'countries', code, 'helplines.json'), 'utf8'));
  countries[file.country] = file.records.map((r) => ({
    id: r.id,
    name: r.name,
    category: r.category,
    contacts: r.contacts.map((c) => ({
      method: c.method,
      number: c.number,
      ...(c.hours ? { hours: c.hours } : {}),
      ...(c.free !== undefined ? { free: c.free } : {}),
      ...(c.languages ? { languages: c.languages } : {})
    })),
    ...(r.website ? { website: r.website } : {}),
    verifiedAt: r.verified_at
  }));
}
const out = {
  source:
    'open-helplines (public GitHub repository Kouki-odaka/open-helplines), data/countries/*/helplines.json; copied from ../shared/data/helplines',
  licence:
    'CC0-1.0 (static/licenses/open-helplines-data.txt, served at /licenses/open-helplines-data.txt)',
  countries
};
writeFileSync('src/lib/safety/helplines.json', JSON.stringify(out, null, 1) + '\n');
copyFileSync(join(from, 'LICENSE-DATA'), 'static/licenses/open-helplines-data.txt');
console.log(
  `helplines: ${Object.keys(countries).length} countries, ${Object.values(countries).flat().length} lines`
);
