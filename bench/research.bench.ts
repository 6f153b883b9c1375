// Research export figures [RES-4, RES-10]: the time to prepare a whole export (consent,
// k-anonymity, pseudonyms, the signed document, noised counts, every file) and to compute the
// group's health for the app's charts, on a 20-member group with a 5,000-entry ledger; and the
// size of the files a study receives.
import { randomBytes } from 'node:crypto';
import { derive, Ledger } from '../src/lib/core/governance/derive';
import { RESEARCH_TABLES } from '../src/lib/core/governance/types';
import { prepareExport } from '../src/lib/core/research/export';
import { buildDataset } from '../src/lib/core/research/dataset';
import { healthMetrics } from '../src/lib/core/research/metrics';
import { bigGroup } from '../tests/kit/big-group';
import { Kind, P } from '../tests/kit/ledger-kit';
import { median, report } from './lib';

const { groupId, entries, devices, heads } = bigGroup(5000);
let time = 1_790_000_000;
let tips = heads;
const write = (d: (typeof devices)[number], kind: number, payload: ReturnType<typeof P.apply>) => {
  const e = d.write(groupId, kind, payload, tips, (time += 30));
  entries.push(e.bytes);
  tips = [e.id];
  return e.id;
};
const study = write(
  devices[0]!,
  Kind.Propose,
  P.research(time + 365 * 86_400, [...RESEARCH_TABLES])
);
for (const d of devices) write(d, Kind.Ballot, P.ballot(study, 1));
write(devices[0]!, Kind.Close, P.close(study));
const state = derive(entries, { groupId });
if (!state.research.studies[study]) throw new Error('the study did not pass');

const random = (n: number) => new Uint8Array(randomBytes(n));
const now = time + 60;
const runs: number[] = [];
let files = 0;
let bytes = 0;
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  const r = prepareExport({ state, entries, now, random, params: { k: 5 } });
  runs.push(performance.now() - t0);
  if (!r.ok) throw new Error(r.error);
  files = r.value.files.size;
  bytes = [...r.value.files.values()].reduce((n, b) => n + b.length, 0);
}
report('research export, 5,000-entry ledger, 20 members', median(runs), 'ms', 2000);
report(`research export size (${files} files)`, bytes / 1024, 'KiB');
// As the app does: entry times from a ledger that already holds them decoded.
const ledger = new Ledger({ groupId });
ledger.addAll(entries);
const health: number[] = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  healthMetrics(buildDataset({ state, timeOf: (id) => ledger.entry(id)?.time, now }));
  health.push(performance.now() - t0);
}
report('group health metrics, 5,000-entry ledger', median(health), 'ms', 250);
