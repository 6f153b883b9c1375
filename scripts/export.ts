// `npm run export -- --ledger <file> --out <dir> [--k 5 --epsilon 1 --grain week
//   --max-suppression 0.1 --study <proposal id> --thread <file> …]`
// Writes the research export of a saved group document (Automerge binary) with the same core the
// app runs [RES-4]: only if the group voted to allow a study that is still in force, only the
// data of members who consent, pseudonymized, k-anonymous, with noised counts.
// `npm run export -- --dictionary` prints docs/research-data-dictionary.md.
// Exit codes: 0 written, 1 unreadable or not a group document, 2 usage or bad parameters,
// 3 refused (no consent, study ended, too few members to stay anonymous).
import * as A from '@automerge/automerge';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyStrict } from '../src/lib/core/crypto/ed25519';
import { derive } from '../src/lib/core/governance/derive';
import { readLedgerDoc } from '../src/lib/core/ledger/doc';
import { signedMessage, type Entry } from '../src/lib/core/ledger/envelope';
import { prepareExport, type ExportParams } from '../src/lib/core/research/export';
import { dataDictionary } from '../src/lib/core/research/schema';
import { readThread, type ThreadContent } from '../src/lib/core/space/thread';

const USAGE =
  'usage: npm run export -- --ledger <group-document-file> --out <dir> [--k 5] [--epsilon 1] [--grain week|day] [--max-suppression 0.1] [--study <proposal id>] [--thread <thread-document-file> ...]\n       npm run export -- --dictionary';

function fail(message: string, code: number): never {
  console.error(`export: ${message}`);
  if (code === 2) console.error(USAGE);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.includes('--dictionary')) {
  process.stdout.write(dataDictionary());
  process.exit(0);
}
const opts = new Map<string, string[]>();
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const known = [
    '--ledger',
    '--out',
    '--k',
    '--epsilon',
    '--grain',
    '--max-suppression',
    '--study',
    '--thread'
  ];
  if (!known.includes(a)) fail(`unknown argument: ${a}`, 2);
  const v = args[++i];
  if (v === undefined || v.startsWith('--')) fail(`${a} needs a value`, 2);
  opts.set(a, [...(opts.get(a) ?? []), v]);
}
const one = (k: string) => opts.get(k)?.[opts.get(k)!.length - 1];
const ledgerFile = one('--ledger');
const out = one('--out');
if (!ledgerFile || !out) fail('--ledger and --out are required', 2);

const num = (k: string): number | undefined => {
  const v = one(k);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) fail(`${k} must be a number, not "${v}"`, 2);
  return n;
};
const params: Partial<ExportParams> = {};
const k = num('--k');
if (k !== undefined) params.k = k;
const epsilon = num('--epsilon');
if (epsilon !== undefined) params.epsilon = epsilon;
const maxSuppression = num('--max-suppression');
if (maxSuppression !== undefined) params.maxSuppression = maxSuppression;
const grain = one('--grain');
if (grain !== undefined) params.grain = grain as ExportParams['grain'];
const study = one('--study');
if (study !== undefined) params.study = study;

function load(file: string, what: string) {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    fail(`cannot read ${what} ${file}`, 1);
  }
  let doc: unknown;
  try {
    doc = A.load(bytes);
  } catch {
    fail(`${file} is not an Automerge document (is it a saved Hearth group?)`, 1);
  }
  const ledger = readLedgerDoc(doc);
  if (!ledger) fail(`${file} is not a Hearth group document`, 1);
  return ledger;
}

const ledger = load(ledgerFile, 'the group document');
const state = derive(ledger.entries.values(), { groupId: ledger.groupId });
if (state.founder === null) fail(`${ledgerFile} holds no valid group (no genesis entry)`, 1);

// Thread documents: each is read as the thread (of those the ledger lists) its posts name.
const threads: { thread: string; content: ThreadContent }[] = [];
const verify = (e: Entry) =>
  verifyStrict(e.author, signedMessage(ledger.groupId, e.body), e.signature);
for (const file of opts.get('--thread') ?? []) {
  const doc = load(file, 'the thread document');
  let best: { thread: string; content: ThreadContent; wrong: number } | undefined;
  for (const [id, t] of Object.entries(state.threads)) {
    if (t.private) continue;
    const content = readThread({ state, thread: id, entries: doc.entries, verify });
    const wrong = content.ignored.filter((x) => x.reason === 'wrong-thread').length;
    if (!best || wrong < best.wrong) best = { thread: id, content, wrong };
  }
  if (!best || best.wrong === doc.entries.size)
    fail(`${file} is not one of this group's threads`, 1);
  threads.push({ thread: best.thread, content: best.content });
}

const result = prepareExport({
  state,
  entries: ledger.entries.values(),
  threads,
  now: Math.floor(Date.now() / 1000),
  random: (n) => new Uint8Array(randomBytes(n)),
  params
});
if (!result.ok) {
  const code = result.error === 'bad-parameters' ? 2 : result.error === 'not-a-group' ? 1 : 3;
  fail(`${result.error}: ${result.detail ?? ''}`, code);
}
if (existsSync(out) && readdirSync(out).length > 0)
  fail(`${out} is not empty; choose a new folder`, 2);
mkdirSync(out, { recursive: true });
for (const [name, bytes] of result.value.files) writeFileSync(join(out, name), bytes);
const m = result.value.manifest as {
  members: { exported: number; suppressed: number };
  timeGrain: string;
};
console.log(
  `export: ${result.value.files.size} files in ${out}: ${m.members.exported} members exported, ${m.members.suppressed} suppressed for k-anonymity, times by ${m.timeGrain}`
);
