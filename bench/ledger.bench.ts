// Governance-core figures (pure core in Node, as the relay and CLI run it):
//  - ballot envelope size with one, two and three causal heads (goal ≤ 256 bytes up to two),
//  - derive 10,000 entries with cached signature verdicts (goal ≤ 300 ms; median of 7),
//  - apply one more entry to a 10,000-entry ledger (goal ≤ 5 ms; median of 30),
//  - verify 10,000 signatures cold through the WebCrypto fast path (goal ≤ 1.5 s),
//  - Automerge document size and load time for 10,000 entries,
//  - derive 10,000 entries with 1,000 junk entries by outsiders' keys mixed in (goal ≤ 330 ms: the
//    10,000-entry goal's 30 µs an entry, for 11,000, so junk costs no more than its share; the
//    goal was 300 ms until 2026-12-07, which asked junk to cost nothing), and one member's entry
//    applied to that ledger (goal ≤ 5 ms) [LED-14],
//  - a burst of 200 devices writing at once twice beside 1,000 junk entries: entries applied (goal:
//    all 400) and the time an observing phone takes to converge on them [RED-27].
import * as A from '@automerge/automerge';
import { verifyFast } from '../src/lib/adapters/verify';
import { Ledger } from '../src/lib/core/governance/derive';
import { newLedgerDoc, putEntry, readLedgerDoc, type LedgerDoc } from '../src/lib/core/ledger/doc';
import { decodeEntry, signedMessage } from '../src/lib/core/ledger/envelope';
import { bigGroup } from '../tests/kit/big-group';
import { Device, Kind, P } from '../tests/kit/ledger-kit';
import { crowdBurst } from '../tests/kit/simulation';
import { median, report } from './lib';

const N = 10_000;
const g = bigGroup(N);

function firstOfKind(kind: number): string {
  for (const bytes of g.entries) {
    const d = decodeEntry(bytes);
    if (d.ok && d.entry.kind === kind) return d.entry.id;
  }
  throw new Error(`no entry of kind ${kind}`);
}

// Ballot size: a real ballot on a real proposal, with one and with three heads.
{
  const voter = g.devices[3]!;
  const pid = firstOfKind(Kind.Propose);
  const one = voter.write(g.groupId, Kind.Ballot, P.ballot(pid, 1), [g.heads[0]!], 1_790_000_000);
  const two = voter.write(
    g.groupId,
    Kind.Ballot,
    P.ballot(pid, 1),
    ['cc'.repeat(32), g.heads[0]!],
    1_790_000_000
  );
  const three = voter.write(
    g.groupId,
    Kind.Ballot,
    P.ballot(pid, 0),
    ['aa'.repeat(32), 'bb'.repeat(32), g.heads[0]!],
    1_790_000_000
  );
  report('ballot-envelope-bytes', one.bytes.length, 'bytes', 256);
  report('ballot-envelope-bytes-2-heads', two.bytes.length, 'bytes', 256);
  report('ballot-envelope-bytes-3-heads', three.bytes.length, 'bytes', 256); // over: see SPEC LED-2
}

// Cold verification through WebCrypto (what a device does once per entry, then caches).
const verdicts = new Map<string, boolean>();
{
  const decoded = g.entries.map((b) => decodeEntry(b)).flatMap((d) => (d.ok ? [d.entry] : []));
  const t = performance.now();
  for (const e of decoded)
    verdicts.set(e.id, await verifyFast(e.author, signedMessage(g.groupId, e.body), e.signature));
  report('verify-10k-signatures-cold', performance.now() - t, 'ms', 1500);
  if ([...verdicts.values()].some((v) => !v))
    throw new Error('a generated signature did not verify');
}

// Derive with cached verdicts.
{
  new Ledger({ groupId: g.groupId, verdicts }).addAll(g.entries); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const l = new Ledger({ groupId: g.groupId, verdicts });
    l.addAll(g.entries);
    // The state itself (tallies, group time): what a screen reads.
    void l.state;
    times.push(performance.now() - t);
    // Every entry was placed and judged: the figure is for the whole ledger.
    if (l.state.audit.length !== g.entries.length) throw new Error('derive judged fewer entries');
  }
  report('derive-10k-cached-verdicts', median(times), 'ms', 300, {
    entries: g.entries.length,
    runs: times.length
  });
}

// Apply one more entry (the common case: it extends the whole ledger).
{
  const ledger = new Ledger({ groupId: g.groupId, verdicts });
  ledger.addAll(g.entries);
  void ledger.state;
  const author = g.devices[5]!;
  let heads = g.heads;
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const e = author.write(
      g.groupId,
      Kind.Comment,
      P.comment(firstOfKind(Kind.Propose), `note ${i}`),
      heads,
      1_790_000_000 + i
    );
    verdicts.set(e.id, true); // verified beforehand by the adapter (WebCrypto), as in the app
    const t = performance.now();
    ledger.add(e.bytes);
    times.push(performance.now() - t);
    heads = [e.id];
  }
  // Each was applied, not refused or left waiting: the figure is for a real step.
  const applied = ledger.state.audit.filter((a) => a.verdict === 'applied').length;
  report('apply-one-entry-to-10k', median(times), 'ms', 5, {
    entriesBefore: g.entries.length,
    runs: times.length,
    appliedAfter: applied
  });
}

// Automerge document size and load time.
{
  let doc = A.from<LedgerDoc>(newLedgerDoc(g.groupId));
  doc = A.change(doc, (d) => {
    for (const bytes of g.entries) putEntry(d, bytes);
  });
  const saved = A.save(doc);
  report('automerge-doc-bytes-10k', saved.length / 1024, 'KiB', 4096);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const loaded = readLedgerDoc(A.load<LedgerDoc>(saved));
    times.push(performance.now() - t);
    if (loaded?.entries.size !== N) throw new Error('document did not round-trip');
  }
  report('automerge-load-10k', median(times), 'ms', 1000);
}

// Junk from outsiders mixed in: 1,000 entries by 100 keys, half on the genesis, half on members'
// entries, dated a year ahead. They are judged and recorded, never heads [LED-14].
{
  const junk: Uint8Array[] = [];
  const genesis = decodeEntry(g.entries[0]!);
  if (!genesis.ok) throw new Error('no genesis');
  // 100 outsiders' keys, ten entries each (each key's own chain), well-formed and signed.
  const keys = Array.from({ length: 100 }, (_, i) => new Device(500_000 + i));
  for (let k = 0; k < 1_000; k++) {
    const at = decodeEntry(g.entries[Math.floor((k / 1_000) * g.entries.length)]!);
    if (!at.ok) throw new Error('bad entry');
    const j = keys[k % 100]!.write(
      g.groupId,
      Kind.Consent,
      P.consent(undefined, true),
      [k % 2 ? genesis.entry.id : at.entry.id],
      1_800_000_000
    );
    verdicts.set(j.id, true);
    junk.push(j.bytes);
  }
  const mixed = [...g.entries];
  junk.forEach((j, i) => mixed.splice(Math.floor((i * mixed.length) / junk.length), 0, j));
  new Ledger({ groupId: g.groupId, verdicts }).addAll(mixed); // warm-up
  const times: number[] = [];
  let ledger = new Ledger({ groupId: g.groupId, verdicts });
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    ledger = new Ledger({ groupId: g.groupId, verdicts });
    ledger.addAll(mixed);
    void ledger.state;
    times.push(performance.now() - t);
  }
  const st = ledger.state;
  const refused = st.audit.filter((a) => a.reason === 'unknown-author').length;
  report('derive-10k-plus-1k-junk-entries', mixed.length, 'entries');
  report('derive-10k-plus-1k-junk-refused', refused, 'entries', 1_000);
  report('derive-10k-plus-1k-junk', median(times), 'ms', 330);
  // A device whose chain is all in this ledger (devices[5] wrote more in the section above).
  const author = g.devices[7]!;
  let heads = st.heads;
  const apply: number[] = [];
  for (let i = 0; i < 30; i++) {
    const e = author.write(
      g.groupId,
      Kind.Comment,
      P.comment(firstOfKind(Kind.Propose), `after junk ${i}`),
      heads,
      1_790_000_100 + i
    );
    verdicts.set(e.id, true);
    const t = performance.now();
    ledger.add(e.bytes);
    apply.push(performance.now() - t);
    heads = [e.id];
  }
  report('apply-one-entry-to-10k-plus-1k-junk', median(apply), 'ms', 5);
}

// 200 devices (100 members, two phones each) writing at once, twice, with 1,000 junk entries.
{
  const out = crowdBurst({ members: 100, junk: 1_000, observers: 3, seed: 11 });
  if (new Set([...out.hashes, out.fullHash]).size !== 1)
    throw new Error('the burst did not converge');
  report('burst-200-writers-entries', out.entries, 'entries');
  report('burst-200-writers-applied', out.applied, 'entries', out.written);
  report('burst-200-writers-frozen-devices', out.frozen.length, 'entries', 0);
  report('burst-200-writers-converge', out.convergeMs, 'ms');
}
