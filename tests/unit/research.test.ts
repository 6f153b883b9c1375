import * as A from '@automerge/automerge';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, verifyStrict } from '../../src/lib/core/crypto/ed25519';
import { hexToBytes, toHex } from '../../src/lib/core/encoding/hex';
import { canonicalJson } from '../../src/lib/core/governance/derive';
import type { GroupState } from '../../src/lib/core/governance/state';
import { RESEARCH_TABLES } from '../../src/lib/core/governance/types';
import { newLedgerDoc, putEntry, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { entryId } from '../../src/lib/core/ledger/envelope';
import { memberConsent } from '../../src/lib/core/research/consent';
import {
  prepareExport,
  type ExportInput,
  type ResearchExport
} from '../../src/lib/core/research/export';
import { kAnonymize } from '../../src/lib/core/research/kanon';
import { healthMetrics } from '../../src/lib/core/research/metrics';
import { buildDataset } from '../../src/lib/core/research/dataset';
import { discreteLaplace, discreteLaplacePmf } from '../../src/lib/core/research/noise';
import { dataDictionary } from '../../src/lib/core/research/schema';
import { MARKERS } from '../kit/session-kit';
import {
  RESEARCH_MARKERS,
  researchGroup,
  seededRandom,
  type ResearchGroup
} from '../kit/research-kit';
import { T0 } from '../kit/ledger-kit';

const td = new TextDecoder();
const dir = mkdtempSync(join(tmpdir(), 'hearth-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let shared: ResearchGroup | undefined;
/** One group for the tests that only read: 12 members, one opts out, one votes against. */
const group = () => (shared ??= researchGroup({ optOut: [1], against: [2] }));

function input(g: ResearchGroup, over: Partial<ExportInput> = {}): ExportInput {
  return {
    state: g.founder.state,
    entries: g.net.entries.values(),
    threads: [{ thread: g.thread, content: g.read(g.founder) }],
    now: g.now,
    random: seededRandom(7),
    params: { k: 3 },
    ...over
  };
}

function run(g: ResearchGroup, over: Partial<ExportInput> = {}): ResearchExport {
  const r = prepareExport(input(g, over));
  if (!r.ok) throw new Error(`${r.error}: ${r.detail}`);
  return r.value;
}

const rows = (x: ResearchExport, name: string) =>
  td
    .decode(x.files.get(`${name}.jsonl`))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Every secret a group holds that an export must never contain, as text. */
function identifying(g: ResearchGroup, state: GroupState): string[] {
  const out = new Set<string>([
    ...MARKERS,
    ...RESEARCH_MARKERS,
    'MARK-MOTIVE',
    ...g.names,
    'Robin',
    'Zyxwort'
  ]);
  for (const m of Object.values(state.members)) {
    out.add(m.id);
    for (const d of m.devices) out.add(d);
    for (const x of Object.values(m.x25519)) out.add(x);
  }
  out.add(state.groupId);
  for (const id of [...g.net.entries.keys(), ...g.threadEntries.keys()]) out.add(id);
  for (const i of Object.values(state.invites)) out.add(i.key);
  for (const t of Object.values(state.threads)) out.add(t.doc);
  for (const e of Object.values(state.epochs)) out.add(e.keyId);
  return [...out];
}

const b64 = (hex: string) => Buffer.from(hexToBytes(hex)).toString('base64').replace(/=+$/, '');

describe('Research consent in the ledger', () => {
  it('[RES-1] a research proposal names the study, its tables and an end date; once passed the study is in force until then; a member opting out names a research proposal or every study', () => {
    const g = group();
    const s = g.founder.state;
    const study = s.research.studies[g.study]!;
    expect(study.tables).toEqual([...RESEARCH_TABLES]);
    expect(study.until).toBe(T0 + 60 * 7 * 86_400);
    expect(s.proposals[g.study]!.execution?.code).toBe('research');
    // A consent entry naming a proposal that is not about research is refused.
    const general = Object.values(s.proposals).find((p) => p.kind === 'general')!.id;
    const bytes = g.members[3]!.consent(general, false, g.now);
    expect(bytes).toHaveLength(1);
    const id = entryId(bytes[0]!);
    expect(g.members[3]!.state.audit.find((a) => a.id === id)).toMatchObject({
      verdict: 'ignored',
      reason: 'unknown-target'
    });
  });

  it('[RES-2] each member can opt out at any time and back in; the later of a study choice and an all-studies choice counts; a "no" vote counts as opting out; members who left are out', () => {
    const g = researchGroup({ size: 6, against: [0], optOut: [1], optOutAll: [2] });
    const net = g.net;
    const all = [g.founder, ...g.members];
    const who = (i: number) => memberConsent(g.founder.state, g.members[i]!.me, g.study);
    expect(who(0)).toEqual({ consent: false, why: 'voted-against' });
    expect(who(1)).toEqual({ consent: false, why: 'opted-out' });
    expect(who(2)).toEqual({ consent: false, why: 'opted-out-all' });
    expect(who(3)).toEqual({ consent: true, why: 'group-decision' });
    // Member 0 changes their mind; member 2 says yes to this study after opting out of all;
    // member 3 later opts out of everything, which overrides the earlier default.
    net.put(g.members[0]!.consent(g.study, true, g.now + 10));
    net.put(g.members[2]!.consent(g.study, true, g.now + 20));
    net.put(g.members[3]!.consent(g.study, true, g.now + 30));
    net.sync(...all);
    net.put(g.members[3]!.consent(null, false, g.now + 40));
    net.sync(...all);
    expect(who(0)).toEqual({ consent: true, why: 'chose-yes' });
    expect(who(2)).toEqual({ consent: true, why: 'chose-yes' });
    expect(who(3)).toEqual({ consent: false, why: 'opted-out-all' });
    // Consent entries are ledger entries: everyone derives the same choices.
    expect(g.members[4]!.state.research).toEqual(g.founder.state.research);
    expect(memberConsent(g.founder.state, 'ff'.repeat(32), g.study).why).toBe('not-active');
  });

  it('[RES-3] only consenting members are exported: an opted-out member is in no table, no document entry, no count', () => {
    const g = group();
    const x = run(g, { params: { k: 2, maxSuppression: 0 } });
    const s = g.founder.state;
    const consenting = Object.keys(s.members).filter((m) => memberConsent(s, m, g.study).consent);
    expect(consenting).toHaveLength(11);
    expect(consenting).not.toContain(g.members[1]!.me);
    expect(consenting).not.toContain(g.members[2]!.me);
    expect((x.manifest.members as { exported: number }).exported).toBe(11);
    const doc = JSON.parse(td.decode(x.files.get('document.json'))) as {
      entries: Record<string, { author: string }>;
    };
    const authors = new Set(Object.values(doc.entries).map((e) => e.author));
    const members = new Set(rows(x, 'memberships').map((r) => r.member));
    expect(authors.size).toBeLessThanOrEqual(11);
    expect(members.size).toBe(11);
    // The opted-out member's ballot on the general proposal is not in the ballots table.
    const general = rows(x, 'proposals').find((r) => r.kind === 'general')!;
    const ballots = rows(x, 'ballots').filter((r) => r.proposal === general.proposal);
    expect(ballots).toHaveLength(11);
    expect(general).toMatchObject({ electorate: 11, ballots: 11 });
  });
});

describe('Research export', () => {
  it('[RES-4] refuses with a clear reason: no study allowed, an unknown or ended study, bad parameters, too few members to stay anonymous, not a group', () => {
    const g = group();
    const refuse = (over: Partial<ExportInput>) => {
      const r = prepareExport(input(g, over));
      expect(r.ok).toBe(false);
      return r.ok ? undefined : r;
    };
    const noStudy = structuredClone(g.founder.state);
    noStudy.research.studies = {};
    expect(refuse({ state: noStudy })).toMatchObject({ error: 'no-consent' });
    expect(refuse({ now: T0 + 61 * 7 * 86_400 })).toMatchObject({ error: 'consent-expired' });
    expect(refuse({ params: { study: 'ab'.repeat(32) } })).toMatchObject({
      error: 'unknown-study'
    });
    for (const params of [
      { k: 1 },
      { k: 2.5 },
      { epsilon: 0 },
      { epsilon: Number.NaN },
      { grain: 'hour' as 'day' },
      { maxSuppression: 2 },
      { study: 'nope' }
    ])
      expect(refuse({ params })).toMatchObject({ error: 'bad-parameters' });
    expect(refuse({ params: { k: 40 } })).toMatchObject({ error: 'too-few-members' });
    const empty = structuredClone(g.founder.state);
    empty.founder = null;
    expect(refuse({ state: empty })).toMatchObject({ error: 'not-a-group' });
  });

  it('[RES-5] no member key, device key, key id, entry id, display name or any marker string written in the group appears in any exported byte', () => {
    const g = group();
    const x = run(g);
    const secrets = identifying(g, g.founder.state);
    expect(secrets.length).toBeGreaterThan(60);
    const rawKeys = secrets.filter((s) => /^[0-9a-f]{64}$/.test(s)).map(hexToBytes);
    for (const [name, bytes] of x.files) {
      const text = Buffer.from(bytes).toString('latin1');
      const lower = text.toLowerCase();
      for (const s of secrets) {
        expect(lower.includes(s.toLowerCase()), `${name} holds ${s}`).toBe(false);
        if (/^[0-9a-f]{64}$/.test(s))
          expect(text.includes(b64(s)), `${name} holds ${s} in base64`).toBe(false);
      }
      for (const key of rawKeys) expect(Buffer.from(bytes).includes(Buffer.from(key))).toBe(false);
    }
    // The document keeps the ledger's structure, with text lengths instead of text.
    const doc = JSON.parse(td.decode(x.files.get('document.json'))) as {
      groupId: string;
      exportKey: string;
      entries: Record<
        string,
        { kind: string; payload: Record<string, unknown>; sig: string; author: string }
      >;
    };
    const kinds = new Set(Object.values(doc.entries).map((e) => e.kind));
    for (const k of ['Apply', 'Ballot', 'Comment', 'Propose']) expect(kinds).toContain(k);
    const comment = Object.values(doc.entries).find((e) => e.kind === 'Comment')!;
    expect(Object.keys(comment.payload).sort()).toEqual(['proposal', 'textBytes']);
    expect(comment.payload.proposal).toMatch(/^e_[0-9a-f]{16}$/);
    expect(comment.payload.textBytes).toBeGreaterThan(10);
    expect(comment.author).toMatch(/^m_[0-9a-f]{12}$/);
  });

  it('[RES-5] every document entry and the manifest are signed by the export key; a changed byte fails', () => {
    const x = run(group());
    const doc = JSON.parse(td.decode(x.files.get('document.json'))) as {
      groupId: string;
      exportKey: string;
      entries: Record<string, Record<string, unknown>>;
    };
    const key = hexToBytes(doc.exportKey);
    const te = new TextEncoder();
    const domain = te.encode('hearth/research/v1\0');
    for (const e of Object.values(doc.entries)) {
      const { sig, ...body } = e;
      const msg = concat(domain, te.encode(doc.groupId), te.encode(canonicalJson(body)));
      expect(verifyStrict(key, msg, hexToBytes(sig as string))).toBe(true);
      const changed = concat(
        domain,
        te.encode(doc.groupId),
        te.encode(canonicalJson({ ...body, seq: 99 }))
      );
      expect(verifyStrict(key, changed, hexToBytes(sig as string))).toBe(false);
    }
    const manifest = JSON.parse(td.decode(x.files.get('manifest.json'))) as Record<string, unknown>;
    const { signature, ...rest } = manifest;
    expect(
      verifyStrict(
        key,
        concat(domain, te.encode(canonicalJson(rest))),
        hexToBytes(signature as string)
      )
    ).toBe(true);
    // The manifest names every other file with its hash.
    expect(Object.keys(manifest.files as object).sort()).toEqual(
      [...x.files.keys()].filter((n) => n !== 'manifest.json').sort()
    );
  });

  it('[RES-6] times are coarsened: every date is the start of a week (a Monday) unless a day grain was asked for', () => {
    const x = run(group());
    const dates: string[] = [];
    for (const [name, bytes] of x.files)
      if (name.endsWith('.jsonl') || name === 'document.json')
        for (const m of td.decode(bytes).matchAll(/"(\d{4}-\d{2}-\d{2})"/g)) dates.push(m[1]!);
    expect(dates.length).toBeGreaterThan(50);
    for (const d of dates) expect(new Date(`${d}T00:00:00Z`).getUTCDay()).toBe(1);
    // No time of day or unix time anywhere.
    for (const [, bytes] of x.files)
      expect(td.decode(bytes)).not.toMatch(/T\d\d:\d\d|\b1[78]\d{8}\b/);
  });

  it('[RES-7] k-anonymity holds on every table: each exported member shares tier, join time and category with at least k−1 others; the rest are suppressed and reported', () => {
    const g = group();
    for (const k of [2, 3, 5]) {
      const x = run(g, { params: { k } });
      const qi = new Map<string, string>();
      for (const r of rows(x, 'memberships'))
        qi.set(r.member as string, JSON.stringify([r.tier, r.joined, r.category]));
      const size = new Map<string, number>();
      for (const c of qi.values()) size.set(c, (size.get(c) ?? 0) + 1);
      for (const n of size.values()) expect(n).toBeGreaterThanOrEqual(k);
      for (const table of ['ballots', 'memberships'])
        for (const r of rows(x, table)) expect(qi.has(r.member as string)).toBe(true);
      const doc = JSON.parse(td.decode(x.files.get('document.json'))) as {
        entries: Record<string, { author: string }>;
      };
      for (const e of Object.values(doc.entries)) expect(qi.has(e.author)).toBe(true);
      const sup = JSON.parse(td.decode(x.files.get('suppression.json'))) as {
        suppressedMembers: number;
        consentingMembers: number;
      };
      expect(qi.size + sup.suppressedMembers).toBe(sup.consentingMembers);
      // Aggregates: no released cell under k.
      for (const r of rows(x, 'engagement'))
        if (!r.suppressed) expect(r.members as number).toBeGreaterThanOrEqual(k);
    }
  });

  it('[RES-7] for any members and join times, the recoding leaves only classes of at least k and suppresses the fewest it can', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            tier: fc.constantFrom('new', 'regular', 'senior', 'leader'),
            weeks: fc.nat(120)
          }),
          { minLength: 1, maxLength: 60 }
        ),
        fc.integer({ min: 2, max: 8 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (list, k, maxSuppression) => {
          const members = new Map(
            list.map((m, i) => [
              `m${i}`,
              { tier: m.tier as 'new', joined: T0 + m.weeks * 7 * 86_400 }
            ])
          );
          const r = kAnonymize({ members, category: 'other', k, finest: 'week', maxSuppression });
          const sizes = new Map<string, number>();
          for (const id of r.kept)
            sizes.set(r.classOf.get(id)!, (sizes.get(r.classOf.get(id)!) ?? 0) + 1);
          for (const n of sizes.values()) expect(n).toBeGreaterThanOrEqual(k);
          expect(r.kept.length + r.suppressed.length).toBe(list.length);
          expect(r.suppressed.length).toBe(
            Math.min(...r.tried.map((t) => t.suppressed)) <= maxSuppression * list.length
              ? r.tried.at(-1)!.suppressed
              : Math.min(...r.tried.map((t) => t.suppressed))
          );
        }
      ),
      { numRuns: 300 }
    );
  });

  it('[RES-9] the noise follows the discrete Laplace distribution (chi-square over 200,000 draws) with mean 0 and variance 2α/(1−α)²', () => {
    for (const epsilon of [0.5, 1, 2]) {
      const random = seededRandom(11);
      const n = 200_000;
      const counts = new Map<number, number>();
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const z = discreteLaplace(epsilon, random);
        counts.set(z, (counts.get(z) ?? 0) + 1);
        sum += z;
        sq += z * z;
      }
      // Bins with an expected count of at least 20, and one bin for both tails.
      let chi = 0;
      let bins = 0;
      let tailP = 1;
      let tailObs = n;
      for (let z = 0; ; z++) {
        const p = discreteLaplacePmf(epsilon, z);
        if (p * n < 20) break;
        for (const v of z === 0 ? [0] : [z, -z]) {
          const obs = counts.get(v) ?? 0;
          chi += (obs - p * n) ** 2 / (p * n);
          tailP -= p;
          tailObs -= obs;
          bins++;
        }
      }
      chi += (tailObs - tailP * n) ** 2 / (tailP * n);
      // Critical value of chi-square at p = 0.001 for `bins` degrees of freedom (Wilson–Hilferty).
      const df = bins;
      const crit = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
      expect(chi).toBeLessThan(crit);
      const alpha = Math.exp(-epsilon);
      const variance = (2 * alpha) / (1 - alpha) ** 2;
      expect(Math.abs(sum / n)).toBeLessThan(5 * Math.sqrt(variance / n));
      expect(Math.abs(sq / n - variance) / variance).toBeLessThan(0.03);
    }
  });

  it('[RES-9] a wrong mechanism fails the same test: noise from a continuous Laplace rounded to integers is caught', () => {
    const random = seededRandom(12);
    const n = 200_000;
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      const u = (random(1)[0]! + 0.5) / 256 - 0.5;
      const z = Math.round(-Math.sign(u) * Math.log(1 - 2 * Math.abs(u)));
      if (z === 0) zeros++;
    }
    const expected = discreteLaplacePmf(1, 0) * n;
    expect(Math.abs(zeros - expected) / Math.sqrt(expected)).toBeGreaterThan(4);
  });

  it('[RES-11] the same export with the same test seed is byte-identical; another seed gives new pseudonyms', () => {
    const g = group();
    const a = run(g, { random: seededRandom(3) });
    const b = run(g, { random: seededRandom(3) });
    expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    for (const [name, bytes] of a.files) expect(toHex(bytes), name).toBe(toHex(b.files.get(name)!));
    const c = run(g, { random: seededRandom(4) });
    const pa = new Set(rows(a, 'memberships').map((r) => r.member));
    for (const r of rows(c, 'memberships')) expect(pa.has(r.member)).toBe(false);
  });

  it('[RES-8] the data dictionary in docs is the one the schema makes; every exported column is in the schema', () => {
    expect(readFileSync('docs/research-data-dictionary.md', 'utf8')).toBe(dataDictionary());
    const x = run(group());
    const schema = JSON.parse(td.decode(x.files.get('schema.json'))) as {
      tables: { name: string; columns: { name: string }[] }[];
    };
    for (const t of schema.tables) {
      const header = td.decode(x.files.get(`${t.name}.csv`)).split('\n')[0];
      expect(header).toBe(t.columns.map((c) => c.name).join(','));
      for (const r of rows(x, t.name)) expect(Object.keys(r)).toEqual(t.columns.map((c) => c.name));
    }
  });

  it('[RES-1] a study receives only the tables the group allowed', () => {
    const g = researchGroup({ size: 6, tables: ['proposals', 'engagement'] });
    const x = run(g, { params: { k: 2 } });
    expect([...x.files.keys()].filter((n) => /\.(csv|jsonl)$|document/.test(n)).sort()).toEqual([
      'engagement.csv',
      'engagement.jsonl',
      'proposals.csv',
      'proposals.jsonl'
    ]);
    const metrics = JSON.parse(td.decode(x.files.get('metrics.json'))) as {
      participation: unknown[];
      retention: { eligible: number }[];
    };
    // Participation comes from ballots, retention from memberships: neither was allowed.
    expect(metrics.participation).toEqual([]);
    expect(metrics.retention.every((r) => r.eligible === 0)).toBe(true);
  });

  it("[RES-10] group health from the group's own facts: members, weekly activity, participation, retention, time to admission, disputes", () => {
    const g = group();
    const s = g.founder.state;
    const d = buildDataset({
      state: s,
      // As the app does: times from the session's ledger.
      timeOf: (id) => g.founder.ledger.entry(id)?.time,
      threads: [{ thread: g.thread, content: g.read(g.founder) }],
      now: g.now
    });
    const h = healthMetrics(d);
    expect(h.members.at(-1)).toBe(13);
    expect(Math.max(...(h.activeMembers as number[]))).toBe(13);
    expect(h.participation.length).toBeGreaterThan(12);
    expect(h.participation.find((p) => p.share === 1)).toBeDefined();
    expect(h.retention[0]).toMatchObject({ weeks: 4, stayed: h.retention[0]!.eligible });
    expect(h.timeToAdmission.count).toBe(12);
    expect(h.timeToAdmission.medianDays).toBeLessThan(1);
    // The reported post was hidden by a moderator: one dispute, resolved.
    expect(h.disputes).toMatchObject({ opened: 1, resolved: 1 });
  });
});

describe('npm run export', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export.ts', ...args], {
      encoding: 'utf8'
    });
  const save = (g: ResearchGroup, name: string, entries = g.net.entries) => {
    const doc = A.change(A.from<LedgerDoc>(newLedgerDoc(g.groupId)), (d) => {
      for (const bytes of entries.values()) putEntry(d, bytes);
    });
    const file = join(dir, name);
    writeFileSync(file, A.save(doc));
    return file;
  };

  it('[RES-4] writes the export of a saved group document, threads included, with the same core', () => {
    const g = group();
    const ledger = save(g, 'group.automerge');
    const thread = save(g, 'thread.automerge', g.threadEntries);
    const out = join(dir, 'out');
    const r = cli(
      '--ledger',
      ledger,
      '--out',
      out,
      '--k',
      '3',
      '--epsilon',
      '0.5',
      '--thread',
      thread
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/16 files .* members exported/);
    expect(readdirSync(out)).toContain('manifest.json');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      parameters: unknown;
    };
    expect(manifest.parameters).toMatchObject({ k: 3, epsilon: 0.5 });
    expect(readFileSync(join(out, 'moderation.csv'), 'utf8')).toMatch(/thread,hide,spam/);
    // Not into a folder that already holds files.
    expect(cli('--ledger', ledger, '--out', out).status).toBe(2);
  });

  it('[RES-4] clear errors: missing consent (3), bad parameters (2), a file that is not a group document (1), usage (2)', () => {
    const g = researchGroup({ size: 3 });
    // Before the study: the entries up to the first research proposal.
    const before = new Map(
      [...g.net.entries].filter(([id]) => {
        const a = g.founder.state.audit.find((x) => x.id === id);
        return a && !['Propose', 'Ballot', 'Close', 'Comment', 'Consent'].includes(a.kind);
      })
    );
    const noConsent = cli(
      '--ledger',
      save(g, 'before.automerge', before),
      '--out',
      join(dir, 'o1')
    );
    expect(noConsent.status).toBe(3);
    expect(noConsent.stderr).toMatch(/no-consent: the group has not voted/);
    const ledger = save(g, 'small.automerge');
    const few = cli('--ledger', ledger, '--out', join(dir, 'o2'));
    expect(few.status).toBe(3);
    expect(few.stderr).toMatch(/too-few-members/);
    const bad = cli('--ledger', ledger, '--out', join(dir, 'o3'), '--epsilon', 'lots');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--epsilon must be a number/);
    const badK = cli('--ledger', ledger, '--out', join(dir, 'o3'), '--k', '1');
    expect(badK.status).toBe(2);
    expect(badK.stderr).toMatch(/k must be a whole number/);
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'not automerge at all');
    const notGroup = cli('--ledger', junk, '--out', join(dir, 'o4'));
    expect(notGroup.status).toBe(1);
    expect(notGroup.stderr).toMatch(/not an Automerge document/);
    const other = join(dir, 'other.automerge');
    writeFileSync(other, A.save(A.from({ hello: 'world' })));
    expect(cli('--ledger', other, '--out', join(dir, 'o5')).stderr).toMatch(
      /not a Hearth group document/
    );
    expect(cli('--out', join(dir, 'o6')).status).toBe(2);
  });
});
