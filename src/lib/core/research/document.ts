import { KIND_NAMES, type Payload } from '../governance/kinds';
import type { GroupState } from '../governance/state';
import type { Text } from '../governance/text';
import { FORM_REASONS, Kind, type Reason } from '../governance/types';
import type { DecodedEntry } from './dataset';
import { generalTier, type TierLevel } from './kanon';
import { bucketLabel, type Grain } from './time';

/**
 * The anonymized group document [RES-5]: the ledger's structure (entries keyed by id, each with
 * author, seq, prev, kind, payload) holding only exported members' entries. Payloads are rebuilt
 * from an allow-list per kind: what is not named here is not exported. Free text becomes its
 * length in bytes; keys, nonces, proofs and lockboxes go; references to people or entries outside
 * the export read `withheld`.
 */

const WITHHELD = 'withheld';

const FORM = new Set<Reason>(FORM_REASONS);

export interface DocumentEntry {
  author: string;
  seq: number;
  prev: string[];
  kind: string;
  time: string;
  verdict: 'applied' | 'ignored';
  reason: Reason | null;
  payload: Record<string, unknown>;
  sig?: string;
}

const te = new TextEncoder();
const textBytes = (t: Text | null | undefined): number | null =>
  t === null || t === undefined
    ? null
    : typeof t === 'string'
      ? te.encode(t).length
      : Math.max(0, t.data.length - 40);

const CHOICE = ['no', 'yes', 'abstain'] as const;

export function anonymizedEntries(o: {
  state: GroupState;
  entries: Map<string, DecodedEntry>;
  /** Exported members → pseudonym. */
  pseudonym: Map<string, string>;
  /** Entry ids (exported entries and every proposal) → pseudonym. */
  entryPseudonym: (id: string) => string | undefined;
  grain: Grain;
  tierLevel: TierLevel;
}): { id: string; entry: DocumentEntry }[] {
  const { state, pseudonym } = o;
  const memberOfDevice = new Map<string, string>();
  for (const m of Object.values(state.members))
    for (const d of m.devices) memberOfDevice.set(d, m.id);
  const person = (hex: string): string => pseudonym.get(memberOfDevice.get(hex) ?? hex) ?? WITHHELD;
  const entryRef = (hex: string): string => o.entryPseudonym(hex) ?? WITHHELD;
  const any = (hex: string): string =>
    pseudonym.has(memberOfDevice.get(hex) ?? hex) ? person(hex) : entryRef(hex);
  const tier = (t: Parameters<typeof generalTier>[0]) => generalTier(t, o.tierLevel);
  const when = (t: number) => bucketLabel(t, o.grain);

  const payloadOf = (p: Payload): Record<string, unknown> => {
    switch (p.kind) {
      case Kind.Genesis:
        return {
          founders: p.founders.map((f) => ({ member: person(f.identity), tier: tier(f.tier) })),
          treasury: p.treasury,
          nameBytes: textBytes(p.name),
          categoryBytes: textBytes(p.category),
          rulesBytes: textBytes(p.rules),
          settingsChanged: Object.keys(p.settings).sort()
        };
      case Kind.Apply:
        return {
          motivationBytes: textBytes(p.motivation),
          named: p.name !== undefined,
          invited: !!p.invite
        };
      case Kind.Invite:
        return { expires: when(p.expires), singleUse: p.singleUse };
      case Kind.Profile:
        return { nameBytes: textBytes(p.name) };
      case Kind.Thread:
        return {
          private: !!p.private,
          titleBytes: textBytes(p.title),
          warning: p.cw !== undefined
        };
      case Kind.Propose: {
        const b = p.proposal;
        const base = { type: b.type };
        switch (b.type) {
          case 'admit':
            return { ...base, application: entryRef(b.application) };
          case 'remove':
            return { ...base, member: person(b.member) };
          case 'tier':
            return { ...base, member: person(b.member), tier: tier(b.tier) };
          case 'allocate':
            return {
              ...base,
              member: person(b.member),
              amount: b.amount,
              textBytes: textBytes(b.text)
            };
          case 'governance':
            return b.target === 'history'
              ? { ...base, target: 'history', share: b.share }
              : {
                  ...base,
                  target: b.target,
                  rules: { ...b.rules, electorate: [...b.rules.electorate] }
                };
          case 'ratify':
            return { ...base, action: entryRef(b.action) };
          case 'research':
            return {
              ...base,
              tables: [...b.tables],
              until: when(b.until),
              studyBytes: textBytes(b.study)
            };
          case 'appeal':
            return { ...base, target: entryRef(b.target), textBytes: textBytes(b.text) };
          case 'retire':
            // How many devices the member keeps, never which: device keys identify phones [ID-7].
            return { ...base, member: person(b.member), kept: b.keep.length };
          case 'moderation':
            // How many were named, never who: a responder is someone others turn to [SAFE-21].
            return {
              ...base,
              textBytes: textBytes(b.text),
              reportThreshold: b.threshold ?? null,
              moderatorsNamed: b.moderators?.length ?? null,
              respondersNamed: b.responders?.length ?? null
            };
          default:
            return { ...base, textBytes: textBytes(b.text) };
        }
      }
      case Kind.Ballot:
        return {
          proposal: entryRef(p.proposal),
          choice: CHOICE[p.choice],
          reasonBytes: textBytes(p.reason)
        };
      case Kind.Delegate:
        return { scope: p.scope, to: person(p.to) };
      case Kind.RevokeDelegation:
        return { scope: p.scope };
      case Kind.Comment:
        return { proposal: entryRef(p.proposal), textBytes: textBytes(p.text) };
      case Kind.Close:
        return { proposal: entryRef(p.proposal), rotatesKey: !!p.lockboxes };
      case Kind.Lockboxes:
        return { epoch: p.epoch, boxes: p.boxes.length };
      case Kind.Outcome:
        return {
          proposal: entryRef(p.proposal),
          textBytes: textBytes(p.text),
          review: when(p.review)
        };
      case Kind.Mentor:
        return { mentee: person(p.mentee), mentor: person(p.mentor) };
      case Kind.Helped:
        return { target: any(p.target), post: !!p.post };
      case Kind.Emergency:
        return {
          action: p.action,
          target: any(p.target),
          durationSeconds: p.duration,
          reasonBytes: textBytes(p.reason)
        };
      case Kind.Settings:
        return { nameBytes: textBytes(p.name), descriptionBytes: textBytes(p.description) };
      case Kind.Consent:
        return { study: p.study === undefined ? 'all' : entryRef(p.study), consent: p.consent };
      case Kind.Mute:
        return {
          member: person(p.member),
          durationSeconds: p.duration,
          reason: p.reason,
          noteBytes: textBytes(p.note)
        };
      case Kind.DeviceAdd:
      case Kind.DeviceRemove:
      case Kind.RevokeInvite:
      case Kind.KeyReport:
      case Kind.Push:
        return {};
    }
  };

  // Causal order (the audit's), and for each entry the nearest exported entries in its past.
  const nearest = new Map<string, Set<string>>();
  const seqOf = new Map<string, number>();
  const out: { id: string; entry: DocumentEntry }[] = [];
  for (const a of state.audit) {
    const d = o.entries.get(a.id);
    if (!d || a.verdict === 'waiting') continue;
    const past = new Set<string>();
    for (const p of d.entry.prev) for (const x of nearest.get(p) ?? []) past.add(x);
    const exported =
      a.author !== null &&
      pseudonym.has(a.author) &&
      d.payload !== undefined &&
      !(a.reason && FORM.has(a.reason));
    const pid = exported ? o.entryPseudonym(a.id) : undefined;
    if (!exported || !pid || !d.payload) {
      nearest.set(a.id, past);
      continue;
    }
    nearest.set(a.id, new Set([pid]));
    const seq = (seqOf.get(a.author!) ?? 0) + 1;
    seqOf.set(a.author!, seq);
    out.push({
      id: pid,
      entry: {
        author: pseudonym.get(a.author!)!,
        seq,
        prev: [...past].sort(),
        kind: KIND_NAMES[d.entry.kind] ?? `kind ${d.entry.kind}`,
        time: when(d.entry.time),
        verdict: a.verdict === 'applied' ? 'applied' : 'ignored',
        reason: a.reason,
        payload: payloadOf(d.payload)
      }
    });
  }
  return out;
}
