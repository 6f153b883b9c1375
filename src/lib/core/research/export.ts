import { sha256 } from '@noble/hashes/sha2.js';
import { concat, publicKeyOf, sign } from '../crypto/ed25519';
import { toHex } from '../encoding/hex';
import { canonicalJson } from '../governance/derive';
import type { GroupState, Study } from '../governance/state';
import { isSealed, type Text } from '../governance/text';
import type { ResearchTable } from '../governance/types';
import { CATEGORIES } from '../group/templates';
import { err, ok, type Result } from '../result';
import type { ThreadContent } from '../space/thread';
import { consentingMembers, memberConsent } from './consent';
import { ACTIVITIES, buildDataset, decodeAll, type Dataset } from './dataset';
import { anonymizedEntries, type DocumentEntry } from './document';
import { generalTier, kAnonymize, type KAnonymity } from './kanon';
import { healthMetrics, type HealthMetrics } from './metrics';
import { noisyCount, type RandomBytes } from './noise';
import { dataDictionary, schemaJson, SCHEMA_VERSION, TABLES, type TableSchema } from './schema';
import { bucketLabel, bucketStart, coarser, grainSeconds, weeks, type Grain } from './time';

/**
 * Research export [RES-4 … RES-11]: one pure function from a group's ledger (and its threads) to
 * the files a study receives. The app and `npm run export` both call it; only the randomness
 * (pseudonyms, export key, noise) and the clock come from outside.
 */

export interface ExportParams {
  /** Smallest class of members who share quasi-identifiers (2 … 100). */
  k: number;
  /** Privacy parameter of each noised count (0.01 … 10). */
  epsilon: number;
  /** The finest time the export shows. */
  grain: 'day' | 'week';
  /** Share of members the recoding may suppress before it generalizes further (0 … 1). */
  maxSuppression: number;
  /** The study (its proposal id); default: the newest study still in force. */
  study?: string;
}

export const DEFAULT_PARAMS: Omit<ExportParams, 'study'> = {
  k: 5,
  epsilon: 1,
  grain: 'week',
  maxSuppression: 0.1
};

export type ExportError =
  | 'not-a-group'
  | 'no-consent'
  | 'unknown-study'
  | 'consent-expired'
  | 'bad-parameters'
  | 'too-few-members';

export interface ExportInput {
  state: GroupState;
  entries: Iterable<Uint8Array>;
  threads?: { thread: string; content: ThreadContent }[];
  /** The group's category, opened (the app can open sealed text; the CLI passes plain text only). */
  category?: string;
  /** Seconds. */
  now: number;
  random: RandomBytes;
  params?: Partial<ExportParams>;
}

export type Row = Record<string, string | number | boolean | null>;

export interface ResearchExport {
  manifest: Record<string, unknown>;
  /** Released rows per table (what the files hold), for the screen that shows them first. */
  tables: Partial<Record<TableSchema['name'], Row[]>>;
  documentEntries: number | null;
  suppression: Record<string, unknown>;
  metrics: HealthMetrics;
  /** File name → bytes, the manifest last (it holds the others' hashes and the signature). */
  files: Map<string, Uint8Array>;
}

const te = new TextEncoder();
const json = (v: unknown) => te.encode(`${JSON.stringify(v, null, 2)}\n`);
/** The document can hold thousands of entries: no indentation. */
const compact = (v: unknown) => te.encode(`${JSON.stringify(v)}\n`);

function checkParams(p: Partial<ExportParams>): Result<ExportParams, 'bad-parameters'> {
  const v = { ...DEFAULT_PARAMS, ...p };
  if (!Number.isInteger(v.k) || v.k < 2 || v.k > 100)
    return err('bad-parameters', 'k must be a whole number from 2 to 100');
  if (typeof v.epsilon !== 'number' || !(v.epsilon >= 0.01 && v.epsilon <= 10))
    return err('bad-parameters', 'epsilon must be a number from 0.01 to 10');
  if (v.grain !== 'day' && v.grain !== 'week')
    return err('bad-parameters', "the time grain must be 'day' or 'week'");
  if (typeof v.maxSuppression !== 'number' || !(v.maxSuppression >= 0 && v.maxSuppression <= 1))
    return err('bad-parameters', 'maxSuppression must be from 0 to 1');
  if (v.study !== undefined && !/^[0-9a-f]{64}$/.test(v.study))
    return err('bad-parameters', 'the study must be a proposal id (64 hex characters)');
  return ok(v);
}

/** The study an export is for, if the group allowed it and it is still in force [RES-1]. */
function chooseStudy(
  state: GroupState,
  now: number,
  id?: string
): Result<Study, 'no-consent' | 'unknown-study' | 'consent-expired'> {
  const all = Object.values(state.research.studies);
  if (id !== undefined) {
    const s = state.research.studies[id];
    if (!s) return err('unknown-study', 'no study with that id was allowed by the group');
    return now > s.until
      ? err('consent-expired', 'the group allowed this study only until an earlier date')
      : ok(s);
  }
  if (all.length === 0)
    return err('no-consent', 'the group has not voted to allow a research export');
  const live = all
    .filter((s) => now <= s.until)
    .sort((a, b) => b.approvedAt - a.approvedAt || (a.id < b.id ? -1 : 1));
  return live[0] ? ok(live[0]) : err('consent-expired', 'every study the group allowed has ended');
}

/** A category from Hearth's list, or 'other': the group's own words never leave [RES-5]. */
function categoryCode(category: Text | string | undefined): string {
  if (category === undefined || (typeof category !== 'string' && isSealed(category)))
    return 'other';
  const known = Object.values(CATEGORIES).flat() as string[];
  return known.includes(category.trim()) ? category.trim() : 'other';
}

function csvCell(v: Row[string]): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(schema: TableSchema, rows: Row[]): string {
  const names = schema.columns.map((c) => c.name);
  return (
    [names.join(','), ...rows.map((r) => names.map((n) => csvCell(r[n] ?? null)).join(','))].join(
      '\n'
    ) + '\n'
  );
}

function toJsonl(schema: TableSchema, rows: Row[]): string {
  const names = schema.columns.map((c) => c.name);
  return (
    rows
      .map((r) => JSON.stringify(Object.fromEntries(names.map((n) => [n, r[n] ?? null]))))
      .join('\n') + (rows.length ? '\n' : '')
  );
}

const SIGN_DOMAIN = te.encode('hearth/research/v1\0');

export function prepareExport(input: ExportInput): Result<ResearchExport, ExportError> {
  const { state } = input;
  if (state.founder === null)
    return err('not-a-group', 'this is not a Hearth group document (no valid first entry)');
  const params = checkParams(input.params ?? {});
  if (!params.ok) return params;
  const P = params.value;
  const clock = Math.max(input.now, state.groupTime);
  const chosen = chooseStudy(state, clock, P.study);
  if (!chosen.ok) return chosen;
  const study = chosen.value;
  const scope = new Set<ResearchTable>(study.tables);

  const entries = decodeAll(input.entries);
  const data = buildDataset({
    state,
    timeOf: (id) => entries.get(id)?.entry.time,
    threads: input.threads,
    now: input.now
  });
  const category = categoryCode(input.category ?? state.category);

  // Consent, then k-anonymity over those who consent [RES-3, RES-7].
  const consenting = consentingMembers(state, study.id);
  const facts = new Map(data.members.map((m) => [m.id, m]));
  const k = kAnonymize({
    members: new Map(
      consenting.map((id) => [id, { tier: facts.get(id)!.tier, joined: facts.get(id)!.joined }])
    ),
    category,
    k: P.k,
    finest: P.grain,
    maxSuppression: P.maxSuppression
  });
  if (k.kept.length < P.k)
    return err(
      'too-few-members',
      `only ${k.kept.length} member(s) could be exported safely; k is ${P.k}, so nothing would stay anonymous`
    );
  const grain: Grain = coarser(P.grain, k.recoding.time);

  // Per-export pseudonyms and the export key, drawn in a fixed order [RES-5].
  const hex = (n: number) => toHex(input.random(n));
  const pseudonym = new Map<string, string>();
  for (const id of k.kept) pseudonym.set(id, `m_${hex(6)}`);
  const kept = new Set(k.kept);
  const docIds = state.audit
    .filter((a) => a.author !== null && kept.has(a.author) && entries.has(a.id))
    .map((a) => a.id);
  const entryIds = [...new Set([...Object.keys(state.proposals), ...docIds])].sort();
  const entryPseudonym = new Map(entryIds.map((id) => [id, `e_${hex(8)}`]));
  const exportSeed = input.random(32);
  const exportKey = publicKeyOf(exportSeed);
  const groupId = hex(32);

  const released = releasedDataset(data, kept, pseudonym, entryPseudonym, grain);
  const tables: ResearchExport['tables'] = {};
  const files = new Map<string, Uint8Array>();
  const removedRows: Record<string, number> = {};
  const suppressedSet = new Set(k.suppressed);
  const rowsFor = {
    proposals: () => proposalRows(data, kept, entryPseudonym, grain),
    ballots: () => {
      removedRows.ballots = data.proposals.reduce(
        (n, p) => n + p.ballots.filter((b) => suppressedSet.has(b.member)).length,
        0
      );
      return ballotRows(data, pseudonym, entryPseudonym, grain);
    },
    memberships: () => {
      removedRows.memberships = data.spells.filter((s) => suppressedSet.has(s.member)).length;
      return membershipRows(data, k, pseudonym, category, grain);
    },
    moderation: () => moderationRows(data, grain),
    engagement: () => engagementRows(data, kept, grain, P, input.random)
  } satisfies Record<TableSchema['name'], () => Row[]>;
  for (const schema of TABLES) {
    if (!scope.has(schema.name)) continue;
    const rows = rowsFor[schema.name]();
    tables[schema.name] = rows;
    files.set(`${schema.name}.csv`, te.encode(toCsv(schema, rows)));
    files.set(`${schema.name}.jsonl`, te.encode(toJsonl(schema, rows)));
  }

  let documentEntries: number | null = null;
  if (scope.has('document')) {
    const list = anonymizedEntries({
      state,
      entries,
      pseudonym,
      entryPseudonym: (id) => entryPseudonym.get(id),
      grain,
      tierLevel: k.recoding.tier
    });
    const gid = te.encode(groupId);
    const doc: Record<string, DocumentEntry> = {};
    for (const { id, entry } of list)
      doc[id] = {
        ...entry,
        sig: toHex(sign(exportSeed, concat(SIGN_DOMAIN, gid, te.encode(canonicalJson(entry)))))
      };
    documentEntries = list.length;
    removedRows.document = state.audit.filter(
      (a) => a.author !== null && suppressedSet.has(a.author) && entries.has(a.id)
    ).length;
    files.set(
      'document.json',
      compact({
        v: 1,
        format: 'hearth-research-document',
        groupId,
        exportKey: toHex(exportKey),
        timeGrain: grain,
        entries: doc
      })
    );
  }

  // Health metrics from what is released only; weekly activity from the noised 'any' counts.
  const active =
    scope.has('engagement') && grain === 'week'
      ? new Map(
          (tables.engagement ?? [])
            .filter((r) => r.activity === 'any')
            .map((r) => [
              Date.parse(`${r.period as string}T00:00:00Z`) / 1000,
              r.members as number | null
            ])
        )
      : new Map<number, number | null>();
  const metrics = healthMetrics(
    {
      ...released,
      members: scope.has('memberships') ? released.members : [],
      admissions: scope.has('memberships') ? released.admissions : [],
      proposals: scope.has('proposals') && scope.has('ballots') ? released.proposals : [],
      disputes: scope.has('moderation') ? released.disputes : [],
      activity: []
    },
    { activeMembers: active }
  );
  files.set(
    'metrics.json',
    json({
      timeGrain: grain,
      ...metrics,
      weeks: metrics.weeks.map((w) => bucketLabel(w, 'day')),
      participation: metrics.participation.map((p) => ({
        ...p,
        closed: bucketLabel(p.closed, grain)
      }))
    })
  );

  const cells = tables.engagement?.length ?? 0;
  const suppression = {
    k: P.k,
    quasiIdentifiers: ['tier', 'joined', 'category'],
    recoding: k.recoding,
    tried: k.tried,
    classes: k.classes,
    consentingMembers: consenting.length,
    suppressedMembers: k.suppressed.length,
    why: 'members left in a class of fewer than k after the recoding are left out of every table and the document',
    rowsRemoved: removedRows,
    engagementCellsSuppressed: (tables.engagement ?? []).filter((r) => r.suppressed === true).length
  };
  files.set('suppression.json', json(suppression));
  files.set('schema.json', json(schemaJson()));
  files.set('data-dictionary.md', te.encode(dataDictionary()));

  const consent = Object.keys(state.members).map((m) => memberConsent(state, m, study.id));
  const manifest: Record<string, unknown> = {
    format: 'hearth-research-export',
    version: 1,
    schemaVersion: SCHEMA_VERSION,
    created: bucketLabel(input.now, 'day'),
    study: {
      proposal: entryPseudonym.get(study.id) ?? null,
      tables: [...study.tables],
      approved: bucketLabel(study.approvedAt, 'day'),
      until: bucketLabel(study.until, 'day')
    },
    parameters: {
      k: P.k,
      epsilon: P.epsilon,
      timeGrain: P.grain,
      maxSuppression: P.maxSuppression
    },
    timeGrain: grain,
    recoding: k.recoding,
    members: {
      active: consent.filter((c) => c.why !== 'not-active').length,
      consenting: consenting.length,
      exported: k.kept.length,
      suppressed: k.suppressed.length
    },
    privacy: {
      mechanism:
        'discrete Laplace (two-sided geometric), sensitivity 1: each member counts at most once per cell',
      epsilonPerCell: P.epsilon,
      cells,
      epsilonTotalByBasicComposition: Math.round(cells * P.epsilon * 1000) / 1000,
      suppressedWhen: 'the noised count is under k (post-processing: no extra privacy cost)',
      randomness: 'cryptographic'
    },
    documentEntries,
    exportKey: toHex(exportKey),
    files: Object.fromEntries(
      [...files.entries()].map(([name, bytes]) => [name, toHex(sha256(bytes))]).sort()
    )
  };
  manifest.signature = toHex(
    sign(exportSeed, concat(SIGN_DOMAIN, te.encode(canonicalJson(manifest))))
  );
  files.set('manifest.json', json(manifest));
  return ok({ manifest, tables, documentEntries, suppression, metrics, files });
}

/** The dataset as released: exported members only, pseudonyms, times at the export's grain. */
function releasedDataset(
  d: Dataset,
  kept: Set<string>,
  pseudonym: Map<string, string>,
  entryPseudonym: Map<string, string>,
  grain: Grain
): Dataset {
  const t = (x: number) => bucketStart(x, grain) ?? 0;
  const tn = (x: number | null) => (x === null ? null : t(x));
  const ps = (id: string) => pseudonym.get(id)!;
  return {
    start: t(d.start),
    now: d.now,
    members: d.members
      .filter((m) => kept.has(m.id))
      .map((m) => ({ ...m, id: ps(m.id), joined: t(m.joined), left: tn(m.left) })),
    spells: [],
    proposals: d.proposals.map((p) => ({
      ...p,
      id: entryPseudonym.get(p.id) ?? '',
      author: '',
      start: t(p.start),
      deadline: t(p.deadline),
      closed: tn(p.closed),
      electorate: p.electorate.filter((m) => kept.has(m)).map(ps),
      ballots: p.ballots
        .filter((b) => kept.has(b.member))
        .map((b) => ({ ...b, member: ps(b.member), time: t(b.time) }))
    })),
    moderation: [],
    disputes: d.disputes.map((x) => ({ ...x, opened: t(x.opened), resolved: tn(x.resolved) })),
    activity: [],
    admissions: d.admissions
      .filter((a) => kept.has(a.member))
      .map((a) => ({ member: ps(a.member), applied: t(a.applied), admitted: t(a.admitted) }))
  };
}

const byKeys =
  (...keys: string[]) =>
  (a: Row, b: Row) => {
    for (const k of keys) {
      const x = String(a[k] ?? '');
      const y = String(b[k] ?? '');
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };

function proposalRows(
  d: Dataset,
  kept: Set<string>,
  ids: Map<string, string>,
  grain: Grain
): Row[] {
  return d.proposals
    .map((p) => {
      const electorate = p.electorate.filter((m) => kept.has(m)).length;
      const ballots = p.ballots.filter(
        (b) => kept.has(b.member) && p.electorate.includes(b.member)
      ).length;
      return {
        proposal: ids.get(p.id)!,
        kind: p.kind,
        opened: bucketLabel(p.start, grain),
        deadline: bucketLabel(p.deadline, grain),
        closed: p.closed === null ? null : bucketLabel(p.closed, grain),
        status: p.status,
        execution: p.execution,
        electorate,
        ballots,
        participation: electorate ? Math.round((ballots / electorate) * 100) / 100 : null
      };
    })
    .sort(byKeys('opened', 'proposal'));
}

function ballotRows(
  d: Dataset,
  ps: Map<string, string>,
  ids: Map<string, string>,
  grain: Grain
): Row[] {
  const rows: Row[] = [];
  for (const p of d.proposals)
    for (const b of p.ballots)
      if (ps.has(b.member))
        rows.push({
          proposal: ids.get(p.id)!,
          member: ps.get(b.member)!,
          choice: b.choice,
          time: bucketLabel(b.time, grain)
        });
  return rows.sort(byKeys('time', 'proposal', 'member'));
}

function membershipRows(
  d: Dataset,
  k: KAnonymity,
  ps: Map<string, string>,
  category: string,
  grain: Grain
): Row[] {
  const rows: Row[] = [];
  const waited = new Map(d.admissions.map((a) => [a.member, weeks(a.admitted - a.applied)]));
  for (const m of d.members) {
    if (!ps.has(m.id)) continue;
    const [tier, joined] = k.classOf.get(m.id)!.split('|') as [string, string];
    // Spells at the recoding's tier level; consecutive spells that now read the same are one.
    const spells: { tier: string; start: number; end: number | null; ended: string | null }[] = [];
    for (const s of d.spells.filter((x) => x.member === m.id).sort((a, b) => a.start - b.start)) {
      const t = generalTier(s.tier, k.recoding.tier);
      const last = spells[spells.length - 1];
      if (last && last.tier === t) {
        last.end = s.end;
        last.ended = s.ended;
      } else spells.push({ tier: t, start: s.start, end: s.end, ended: s.ended });
    }
    spells.forEach((s, i) =>
      rows.push({
        member: ps.get(m.id)!,
        tier,
        joined,
        category,
        spell: i + 1,
        spell_tier: s.tier,
        spell_start: bucketLabel(s.start, grain),
        spell_weeks: weeks((s.end ?? d.now) - s.start),
        spell_ended: s.ended,
        waited_weeks: waited.get(m.id) ?? null
      })
    );
  }
  return rows.sort(byKeys('joined', 'member', 'spell'));
}

function moderationRows(d: Dataset, grain: Grain): Row[] {
  return d.moderation
    .map((x) => ({
      source: x.source,
      action: x.action,
      reason: x.reason,
      time: bucketLabel(x.time, grain),
      status: x.status
    }))
    .sort(byKeys('time', 'source', 'action', 'reason', 'status'));
}

/** Distinct members per period and activity, each count noised; every period, even empty ones. */
function engagementRows(
  d: Dataset,
  kept: Set<string>,
  grain: Grain,
  p: ExportParams,
  random: RandomBytes
): Row[] {
  const cell = new Map<string, Set<string>>();
  const add = (period: string, what: string, member: string) => {
    const key = `${period}|${what}`;
    let s = cell.get(key);
    if (!s) cell.set(key, (s = new Set()));
    s.add(member);
  };
  for (const a of d.activity) {
    if (!kept.has(a.member)) continue;
    const period = bucketLabel(a.time, grain);
    add(period, a.what, a.member);
    add(period, 'any', a.member);
  }
  const periods: string[] = [];
  const first = bucketStart(d.start, grain);
  if (first === null) periods.push('*');
  else {
    const step = grainSeconds(grain);
    for (let t = first; t <= d.now && periods.length < 5000; t += step)
      periods.push(bucketLabel(t, grain));
  }
  const rows: Row[] = [];
  for (const period of periods)
    for (const what of ['any', ...ACTIVITIES]) {
      const noised = noisyCount(cell.get(`${period}|${what}`)?.size ?? 0, p.epsilon, random);
      const suppressed = noised < p.k;
      rows.push({ period, activity: what, members: suppressed ? null : noised, suppressed });
    }
  return rows;
}
