import type { Entry } from '../ledger/envelope';
import { CHANNEL_EPOCH } from '../space/channel';
import { authorize, type Ctx } from './context';
import { kindModule, readWith, type Payload } from './kinds';
import {
  DEFAULT_CHECKIN_WAIT_MINUTES,
  DEFAULT_REPORT_THRESHOLD,
  DEFAULT_UNANSWERED_HOURS
} from './safety';
import { DEFAULT_SETTINGS } from './settings';
import type { GroupState } from './state';
import type { SealedText } from './text';
import { Kind, type Reason } from './types';

export function emptyState(groupId: string): GroupState {
  return {
    groupId,
    name: '',
    category: '',
    description: '',
    founder: null,
    groupTime: 0,
    members: {},
    applications: {},
    invites: {},
    rules: { text: '', version: 0, history: [] },
    moderationPolicy: '',
    settings: structuredClone(DEFAULT_SETTINGS),
    proposals: {},
    reputation: {},
    points: {},
    treasury: { balance: 0, ledger: [] },
    emergencies: {},
    profiles: {},
    push: {},
    delegations: {},
    hidden: [],
    threads: {},
    epochs: {},
    currentEpoch: 0,
    rotationDue: true,
    shareHistory: false,
    safety: {
      reportThreshold: DEFAULT_REPORT_THRESHOLD,
      moderators: [],
      responders: [],
      checkInWaitMinutes: DEFAULT_CHECKIN_WAIT_MINUTES,
      unansweredHours: DEFAULT_UNANSWERED_HOURS
    },
    mutes: {},
    retired: {},
    overturned: {},
    research: { studies: {}, choices: {} },
    audit: [],
    heads: []
  };
}

/** Every sealed text in a parsed payload (they carry their ENC-3 context in `from`). */
function sealedTexts(v: unknown, out: SealedText[] = []): SealedText[] {
  if (!v || typeof v !== 'object' || v instanceof Uint8Array) return out;
  if (Array.isArray(v)) {
    for (const x of v) sealedTexts(x, out);
    return out;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.epoch === 'number' && o.data instanceof Uint8Array && o.from) {
    out.push(o as unknown as SealedText);
    return out;
  }
  for (const x of Object.values(o)) sealedTexts(x, out);
  return out;
}

/**
 * A member seals text with the newest key epoch in the entry's causal past [ENC-9]: an older one
 * (which a removed member may still hold) is `stale-epoch`; one not yet defined there is
 * `unknown-epoch` (epoch 0, the applicants' invitation key, is already refused when the payload is
 * read). Writers who had not seen a rotation yet (concurrent with it) are fine.
 */
function checkTextEpochs(state: GroupState, ctx: Ctx, e: Entry, p: Payload): Reason | null {
  const texts = sealedTexts(p);
  if (texts.length === 0) return null;
  // A mentor–mentee channel seals its title with the channel's own key [SPACE-4].
  if (p.kind === Kind.Thread && p.private)
    return texts.every((t) => t.epoch === CHANNEL_EPOCH) ? null : 'unknown-epoch';
  let seen = 0;
  for (const epoch of Object.values(state.epochs))
    if (epoch.number > seen && ctx.ancestor(epoch.definedBy, e.id)) seen = epoch.number;
  for (const t of texts) {
    if (t.epoch === 0 || t.epoch > seen) return 'unknown-epoch';
    if (t.epoch < seen) return 'stale-epoch';
  }
  return null;
}

/**
 * Applies one placed, signature-checked entry; returns null when applied, or why it was ignored.
 * What each kind does is in its module (`kinds/`); the author's tier is checked here, once, for
 * every kind written by a member [GOV-5].
 */
export function step(state: GroupState, ctx: Ctx, e: Entry): Reason | null {
  const k = kindModule(e.kind);
  if (!k) return 'unknown-kind';
  const p = readWith<Payload>(k, e.payload, { author: e.device, seq: e.seq, kind: e.kind });
  if (!p) return 'bad-payload';
  if (p.kind !== Kind.Genesis && state.founder === null) return 'no-genesis';
  // Nobody's act as a member yet (a genesis, an application), or carrying its own authorization
  // (a restored device): its own transform checks its author.
  if (k.minTier === null || k.selfAuthorized?.(p)) return k.applyOwn!(state, ctx, e, p);
  const who = authorize(state, ctx, e, k.minTier);
  if (typeof who === 'string') return who;
  const epochProblem = checkTextEpochs(state, ctx, e, p);
  if (epochProblem) return epochProblem;
  return k.apply!(state, ctx, e, p, who);
}
