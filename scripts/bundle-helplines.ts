// Copies the corrected crisis-line data (../shared/data/helplines-v2, Hearth's own set; its
// README says where every number came from) into src/lib/safety/helplines.json, keeping what the
// crisis panel shows, and adds `display`: the number as text, grouped the way that country writes
// it (libphonenumber-js), holding exactly the digits dialled. Reviewer notes stay in the source.
// Refuses to write anything the dial check refuses [SAFE-26]. The output is committed so a build
// needs nothing outside the repository; run this again to refresh it:
//   npx tsx scripts/bundle-helplines.ts [path/to/helplines-v2]
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { checkHelplines, type CheckedData } from './helplines-check';

interface SourceContact {
  method: string;
  dial?: string;
  e164?: string;
  keyword?: string;
  menuOption?: string;
  starCode?: boolean;
  tollFree?: boolean;
  url?: string;
  hours: string | null;
  free: boolean | null;
  languages: string[];
  region?: string;
  confidence?: string;
}
interface SourceLine {
  id: string;
  name: string;
  category: string;
  website: string | null;
  contacts: SourceContact[];
  sources: string[];
  checkedAt: string;
  confidence: string;
}
interface Source {
  schema: number;
  checkedAt: string;
  countries: Record<string, { emergency: string; lines: SourceLine[] }>;
}

/** The number as text: national grouping when the library knows it, else as dialled. */
export function displayOf(dial: string, cc: string): string {
  const digits = dial.replace(/\D/g, '');
  if (digits.length <= 6) return dial;
  const p = parsePhoneNumberFromString(dial, cc as CountryCode);
  const shown = p?.isValid() ? p.formatNational() : dial;
  const shownDigits = shown.replace(/\D/g, '');
  if (shownDigits === digits) return shown;
  // NANP toll-free: "(800) 668-6868" drops the 1 that is dialled before it.
  if (digits.endsWith(shownDigits)) return `${digits.slice(0, -shownDigits.length)} ${shown}`;
  return dial;
}

const from = process.argv[2] ?? '../shared/data/helplines-v2';
const source = JSON.parse(readFileSync(join(from, 'helplines.json'), 'utf8')) as Source;
if (source.schema !== 2) throw new Error(`expected schema 2, got ${source.schema}`);

const countries: Record<string, unknown> = {};
for (const cc of Object.keys(source.countries).sort()) {
  const c = source.countries[cc]!;
  countries[cc] = {
    emergency: c.emergency,
    lines: c.lines.map((l) => ({
      id: l.id,
      name: l.name,
      category: l.category,
      website: l.website,
      confidence: l.confidence,
      checkedAt: l.checkedAt,
      sources: l.sources,
      contacts: l.contacts.map((k) => ({
        method: k.method,
        ...(k.dial !== undefined ? { dial: k.dial, display: displayOf(k.dial, cc) } : {}),
        ...(k.e164 !== undefined ? { e164: k.e164 } : {}),
        ...(k.keyword !== undefined ? { keyword: k.keyword } : {}),
        ...(k.menuOption !== undefined ? { menuOption: k.menuOption } : {}),
        ...(k.starCode ? { starCode: true } : {}),
        ...(k.tollFree ? { tollFree: true } : {}),
        ...(k.url !== undefined ? { url: k.url } : {}),
        hours: k.hours,
        free: k.free,
        languages: k.languages,
        ...(k.region !== undefined ? { region: k.region } : {}),
        ...(k.confidence !== undefined ? { confidence: k.confidence } : {})
      }))
    }))
  };
}
const out = {
  schema: 2,
  source:
    "Hearth's crisis-line set, version 2 (../shared/data/helplines-v2): numbers as dialled inside each country, checked on the date given against the sources listed with each line. Attribution and sources: /licenses/helplines-data.md",
  licence:
    'Facts (numbers, hours) gathered from public pages listed per line; builds on open-helplines (CC0-1.0, /licenses/open-helplines-data.txt)',
  checkedAt: source.checkedAt,
  countries
};
const errors = checkHelplines(out as unknown as CheckedData);
if (errors.length) {
  for (const e of errors) console.error(`helplines: ${e}`);
  process.exit(1);
}
writeFileSync('src/lib/safety/helplines.json', JSON.stringify(out, null, 1) + '\n');
copyFileSync(join(from, 'README.md'), 'static/licenses/helplines-data.md');
const lines = Object.values(source.countries).flatMap((c) => c.lines);
console.log(
  `helplines: ${Object.keys(countries).length} countries, ${lines.length} lines, checked ${source.checkedAt}`
);
