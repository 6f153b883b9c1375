// `npm run ledger -- inspect <file> [--json]`: loads a saved group document (Automerge binary),
// derives its state with the same core every device runs, and prints the state and the verdict
// of every entry. For operators and for debugging. Exit codes: 0 ok, 1 unreadable, 2 usage.
import * as A from '@automerge/automerge';
import { readFileSync } from 'node:fs';
import { derive } from '../src/lib/core/governance/derive';
import type { GroupState } from '../src/lib/core/governance/state';
import { isSealed, type Text } from '../src/lib/core/governance/text';
import { readLedgerDoc } from '../src/lib/core/ledger/doc';
import { describeExecution } from '../src/lib/core/governance/state';

const USAGE = 'usage: npm run ledger -- inspect <group-document-file> [--json]';

function fail(message: string, code = 1): never {
  console.error(`ledger: ${message}`);
  process.exit(code);
}

/** Sealed texts stay sealed here: the CLI holds no group keys. */
const show = (t: Text) => (isSealed(t) ? `(encrypted, key epoch ${t.epoch})` : t);
const short = (id: string | null) => (id ? id.slice(0, 10) : '-');
const when = (seconds: number) =>
  seconds ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : '-';

function print(state: GroupState, file: string): void {
  const members = Object.values(state.members);
  const applied = state.audit.filter((a) => a.verdict === 'applied').length;
  console.log(
    `Group      ${state.founder ? show(state.name) : '(no genesis)'}  [${show(state.category)}]`
  );
  console.log(`File       ${file}`);
  console.log(`Group id   ${state.groupId}`);
  console.log(`Clock      ${when(state.groupTime)}  (witnessed group time)`);
  console.log(
    `Entries    ${state.audit.length} (${applied} applied, ${state.audit.length - applied} not)`
  );
  console.log(`Rules      version ${state.rules.version}`);
  console.log(
    `Key epoch  ${state.currentEpoch || 'none yet'}${state.rotationDue ? ' (rotation due)' : ''}`
  );
  console.log(`Treasury   ${state.treasury.balance} points`);
  console.log(`\nMembers (${members.length})`);
  for (const m of members.sort((a, b) => a.seniority - b.seniority)) {
    const rep = state.reputation[m.id]?.total ?? 0;
    console.log(
      `  ${short(m.id)}  ${m.tier.padEnd(8)} ${m.status.padEnd(8)} reputation ${rep}${m.mentor ? `  mentor ${short(m.mentor)}` : ''}`
    );
  }
  const proposals = Object.values(state.proposals);
  console.log(`\nProposals (${proposals.length})`);
  for (const p of proposals) {
    const t = p.tally;
    const tally = t
      ? `yes ${t.yes} no ${t.no} abstain ${t.abstain} of ${t.electorateWeight}`
      : `${p.ballots.length} ballot(s)`;
    console.log(
      `  ${short(p.id)}  ${p.kind.padEnd(11)} ${p.status.padEnd(7)} ${tally}${p.execution ? `  → ${describeExecution(p.execution)}` : ''}`
    );
  }
  console.log('\nEntries (causal order)');
  state.audit.forEach((a, i) => {
    console.log(
      `  ${String(i + 1).padStart(5)}  ${short(a.id)}  ${a.kind.padEnd(16)} by ${short(a.author)}  ${a.verdict}${a.reason ? ` (${a.reason})` : ''}`
    );
  });
}

const [command, file, ...rest] = process.argv.slice(2);
if (command !== 'inspect' || !file) fail(USAGE, 2);
let bytes: Uint8Array;
try {
  bytes = readFileSync(file);
} catch (e) {
  fail(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
}
let doc: unknown;
try {
  doc = A.load(bytes);
} catch {
  fail(`${file} is not an Automerge document (is it a group document saved by Hearth?)`);
}
const ledger = readLedgerDoc(doc);
if (!ledger)
  fail(
    `${file} is an Automerge document, but not a Hearth group document (no "v: 1", "groupId" and "entries")`
  );
const state = derive(ledger.entries.values(), { groupId: ledger.groupId });
if (rest.includes('--json')) console.log(JSON.stringify(state, null, 2));
else print(state, file);
