/**
 * Every kind of entry, in one list [LED-3]. Adding a kind is one module in this folder, one line
 * here, and its words: the reducer, the writer (`GroupSession`), the tier table and the test kits
 * all read from this list.
 */
import type { CborMap } from '../../crypto/cbor';
import type { KindName, Tier } from '../types';
import { apply, type ApplyPayload } from './apply';
import { ballot, type BallotPayload } from './ballot';
import { close, type ClosePayload } from './close';
import { comment, type CommentPayload } from './comment';
import { consent, type ConsentPayload } from './consent';
import { delegate, type DelegatePayload } from './delegate';
import { deviceAdd, type DeviceAddPayload } from './device-add';
import { deviceRemove, type DeviceRemovePayload } from './device-remove';
import { emergency, type EmergencyPayload } from './emergency';
import { genesis, type GenesisPayload } from './genesis';
import { helped, type HelpedPayload } from './helped';
import { invite, type InvitePayload } from './invite';
import { keyReport, type KeyReportPayload } from './key-report';
import type { KindModule, SpaceKindModule } from './kind';
import { lockboxes, type LockboxesPayload } from './lockboxes';
import { mentor, type MentorPayload } from './mentor';
import { mute, type MutePayload } from './mute';
import { outcome, type OutcomePayload } from './outcome';
import { profile, type ProfilePayload } from './profile';
import { propose, type ProposePayload } from './propose';
import { push, type PushPayload } from './push';
import { revokeDelegation, type RevokeDelegationPayload } from './revoke-delegation';
import { revokeInvite, type RevokeInvitePayload } from './revoke-invite';
import { settings, type SettingsPayload } from './settings';
import {
  moderate,
  post,
  react,
  report,
  type ModeratePayload,
  type PostPayload,
  type ReactPayload,
  type ReportPayload
} from './space';
import { thread, type ThreadPayload } from './thread';
import { Bad, cborMap, plain, Reader, type Origin, type Seal } from './wire';

/** Typed payloads, one per entry kind [LED-3]. */
export type Payload =
  | GenesisPayload
  | DeviceAddPayload
  | DeviceRemovePayload
  | ApplyPayload
  | ProposePayload
  | BallotPayload
  | DelegatePayload
  | RevokeDelegationPayload
  | CommentPayload
  | ClosePayload
  | OutcomePayload
  | MentorPayload
  | HelpedPayload
  | EmergencyPayload
  | SettingsPayload
  | LockboxesPayload
  | InvitePayload
  | RevokeInvitePayload
  | ProfilePayload
  | ThreadPayload
  | ConsentPayload
  | MutePayload
  | KeyReportPayload
  | PushPayload;

/** What a thread document's entries say [SPACE-2]. */
export type SpacePayload = PostPayload | ReactPayload | ReportPayload | ModeratePayload;

export type PayloadOf<K extends number> = Extract<Payload, { kind: K }>;

type AnyKind = KindModule<Payload>;

const LEDGER = [
  genesis,
  deviceAdd,
  deviceRemove,
  apply,
  propose,
  ballot,
  delegate,
  revokeDelegation,
  comment,
  close,
  outcome,
  mentor,
  helped,
  emergency,
  settings,
  lockboxes,
  invite,
  revokeInvite,
  profile,
  thread,
  consent,
  mute,
  keyReport,
  push
];
/** The ledger's kinds. */
export const KINDS = LEDGER as unknown as readonly AnyKind[];

/** A thread document's kinds [SPACE-2]. */
export const SPACE_KINDS = [
  post,
  react,
  report,
  moderate
] as unknown as readonly SpaceKindModule<SpacePayload>[];

const byNumber = new Map<number, AnyKind>(KINDS.map((k) => [k.kind, k]));
const spaceByNumber = new Map<number, SpaceKindModule<SpacePayload>>(
  SPACE_KINDS.map((k) => [k.kind, k])
);

/** The module of a ledger kind, or undefined for a number no kind has. */
export function kindModule(kind: number): KindModule<Payload> | undefined {
  return byNumber.get(kind);
}

/** Kind number → name, for the audit list and exports. */
export const KIND_NAMES: Readonly<Record<number, KindName>> = Object.fromEntries(
  KINDS.map((k) => [k.kind, k.name])
);

/** The tier each kind needs from its author [GOV-5] (kinds with their own check are absent). */
export const MIN_TIER: Readonly<Record<number, Tier>> = Object.fromEntries(
  KINDS.flatMap((k) => (k.minTier ? [[k.kind, k.minTier]] : []))
);

/** Reads a payload with a kind's reader; undefined means 'bad-payload'. */
export function readWith<P>(
  m: { read(r: Reader): object; kind: number } | undefined,
  map: CborMap,
  origin?: Origin
): P | undefined {
  if (!m) return undefined;
  const r = new Reader(map, origin);
  try {
    const p = Object.assign(m.read(r), { kind: m.kind }) as P;
    r.done();
    return p;
  } catch (e) {
    if (e instanceof Bad) return undefined;
    throw e;
  }
}

/** Parses the payload of an entry of `kind`; undefined means 'bad-payload' (or 'unknown-kind'). */
export function parsePayload(kind: number, map: CborMap, origin?: Origin): Payload | undefined {
  return readWith<Payload>(byNumber.get(kind), map, origin);
}

export function parseSpacePayload(
  kind: number,
  map: CborMap,
  origin?: Origin
): SpacePayload | undefined {
  return readWith<SpacePayload>(spaceByNumber.get(kind), map, origin);
}

/** A ledger payload as CBOR; texts given as strings go through `seal` (plain by default). */
export function encodePayload(p: Payload, seal: Seal = plain): CborMap {
  const m = byNumber.get(p.kind)!;
  return cborMap(m.write(p, seal));
}

/** A thread document's payload as CBOR. */
export function encodeSpacePayload(p: SpacePayload, seal: Seal = plain): CborMap {
  const m = spaceByNumber.get(p.kind)!;
  return cborMap(m.write(p, seal));
}

export type { Origin, Seal } from './wire';
export type { LockboxSet } from './wire';
export type { ProposalBody } from './propose';
export { CHANNEL_PURPOSES, type ChannelPurpose, type PrivateChannel } from './thread';
