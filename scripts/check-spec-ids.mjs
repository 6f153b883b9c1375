// Every rule in docs/SPEC.md has an id like [GOV-12]; every id must be cited by at least one test
// name, and every id a test cites must exist in the spec. When they disagree, one of them is wrong.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ID = /\[([A-Z][A-Z0-9]*-\d+)\]/g;
const spec = readFileSync('docs/SPEC.md', 'utf8');
const specIds = new Set(
  [...spec.matchAll(/^\|\s*\[?([A-Z][A-Z0-9]*-\d+)\]?\s*\|/gm)].map((m) => m[1])
);

const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.ts$/.test(e.name)) files.push(p);
  }
};
walk('tests');

const cited = new Set();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  // Only ids inside test titles count: it('[X-1] ...') / test('[X-1] ...') / template titles.
  for (const m of text.matchAll(/\b(?:it|test|describe)\s*\(\s*[`'"]([^`'"]*)/g)) {
    for (const id of m[1].matchAll(ID)) cited.add(id[1]);
  }
}

const missing = [...specIds].filter((id) => !cited.has(id)).sort();
const unknown = [...cited].filter((id) => !specIds.has(id)).sort();
if (missing.length) console.error(`Spec rules no test cites: ${missing.join(', ')}`);
if (unknown.length)
  console.error(`Tests cite ids that docs/SPEC.md does not define: ${unknown.join(', ')}`);
if (specIds.size === 0)
  console.error('docs/SPEC.md defines no rule ids (table rows starting with | ID |).');
if (missing.length || unknown.length || specIds.size === 0) process.exit(1);
console.log(`spec ids: ${specIds.size} rules, all cited by tests`);
