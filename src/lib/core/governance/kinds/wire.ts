/**
 * The pieces every entry kind's wire format is made of [LED-3]: a strict reader (a missing, extra
 * or mistyped field is 'bad-payload', so every device reads an entry the same way), the writer's
 * side of each piece, and the structures several kinds share (voting rules, lockbox sets, member
 * lists). The kinds themselves, one module each, are in this folder; `index.ts` lists them.
 */
import type { CborMap, CborValue } from '../../crypto/cbor';
import { hexToBytes, toHex } from '../../encoding/hex';
import { MAX_NAMED, MAX_TEXT } from '../settings';
import { isSealed, type Text } from '../text';
import { TIERS, type Tier, type VotingRules } from '../types';

/** A payload that does not read: the entry is 'bad-payload'. */
export class Bad extends Error {}

/** The entry a payload belongs to: sealed texts keep it as their ENC-3 context. */
export interface Origin {
  author: string;
  seq: number;
  kind: number;
}

/** A payload as the writer hands it to CBOR: undefined fields are left out. */
export type Fields = Record<string, CborValue | undefined>;

/**
 * Turns what a person typed into the field's wire value: sealed with the writer's epoch key in
 * the app [ENC-7], or left plain (`plain`) where a test or a tool writes readable payloads.
 */
export type Seal = (field: string, text: string) => CborValue;
export const plain: Seal = (_field, text) => text;

export function cborMap(obj: Fields): CborMap {
  const m: CborMap = new Map();
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) m.set(k, v);
  return m;
}

/** A text field's wire value: plain text goes through `seal`; already sealed text is kept. */
export function textField(seal: Seal, field: string, t: Text): CborValue {
  return isSealed(t) ? [t.epoch, t.data] : seal(field, t);
}
export function optTextField(
  seal: Seal,
  field: string,
  t: Text | undefined
): CborValue | undefined {
  return t === undefined ? undefined : textField(seal, field, t);
}

export const id = (hex: string): Uint8Array => hexToBytes(hex);

/** Reads fields of a payload map, failing on anything unexpected. */
export class Reader {
  private used = new Set<string>();
  constructor(
    private readonly map: CborMap,
    private readonly origin?: Origin
  ) {}
  private raw(key: string): CborValue | undefined {
    this.used.add(key);
    return this.map.get(key);
  }
  bytes(key: string, n: number): Uint8Array {
    const v = this.raw(key);
    if (!(v instanceof Uint8Array) || v.length !== n) throw new Bad();
    return v;
  }
  id(key: string): string {
    return toHex(this.bytes(key, 32));
  }
  optId(key: string): string | undefined {
    return this.map.has(key) ? this.id(key) : undefined;
  }
  /**
   * A text field: plain, within `min`..`max` characters, or sealed as `[epoch, nonce ‖ ciphertext]`
   * whose size fits `max` characters of UTF-8 [ENC-7].
   */
  text(key: string, max = MAX_TEXT, min = 0, minEpoch = 1): Text {
    const v = this.raw(key);
    if (typeof v === 'string') {
      if ([...v].length > max || v.length < min) throw new Bad();
      return v;
    }
    if (!Array.isArray(v) || v.length !== 2) throw new Bad();
    const [epoch, data] = v;
    if (typeof epoch !== 'number' || epoch < minEpoch || !(data instanceof Uint8Array))
      throw new Bad();
    if (data.length < 24 + 16 + min || data.length > 24 + 16 + max * 4) throw new Bad();
    return this.origin ? { epoch, data, from: { ...this.origin, field: key } } : { epoch, data };
  }
  /** An applicant's text: sealed with the group key, or with the invitation's key (epoch 0). */
  applicantText(key: string, max: number, min = 0): Text {
    return this.text(key, max, min, 0);
  }
  optText(key: string, max = MAX_TEXT): Text | undefined {
    return this.map.has(key) ? this.text(key, max) : undefined;
  }
  uint(key: string, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(key);
    if (typeof v !== 'number' || v < 0 || v > max) throw new Bad();
    return v;
  }
  /** 0 or 1 on the wire. */
  flag(key: string): boolean {
    return this.uint(key, 1) === 1;
  }
  oneOf<T extends string>(key: string, options: readonly T[]): T {
    const v = this.raw(key);
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new Bad();
    return v as T;
  }
  list(key: string): CborValue[] {
    const v = this.raw(key);
    if (!Array.isArray(v)) throw new Bad();
    return v;
  }
  /** Bytes of any length up to `max`. */
  bytesUpTo(key: string, max: number): Uint8Array {
    const v = this.raw(key);
    if (!(v instanceof Uint8Array) || v.length === 0 || v.length > max) throw new Bad();
    return v;
  }
  /** A plain string matching `pattern` (identifiers, never people's words). */
  str(key: string, pattern: RegExp): string {
    const v = this.raw(key);
    if (typeof v !== 'string' || !pattern.test(v)) throw new Bad();
    return v;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  /** A nested map, read with its own Reader (which must be `done` too). */
  inner(key: string): Reader {
    const v = this.raw(key);
    if (!(v instanceof Map)) throw new Bad();
    return new Reader(v, this.origin);
  }
  /** The keys of a nested map, for maps keyed by data (not field names). */
  entries(key: string): [CborValue, CborValue][] {
    const v = this.raw(key);
    if (!(v instanceof Map)) throw new Bad();
    return [...v];
  }
  /** The keys read so far (every one must be in its kind's wire table). */
  keysRead(): string[] {
    return [...this.used];
  }
  done(): void {
    for (const k of this.map.keys())
      if (typeof k !== 'string' || !this.used.has(k)) throw new Bad();
  }
}

// ---- Voting rules (genesis's starting settings, governance proposals) [GOV-2] ----

export function readVotingRules(r: Reader): VotingRules {
  const tiers = r.list('electorate');
  if (
    tiers.length === 0 ||
    tiers.length > TIERS.length ||
    !tiers.every((t) => typeof t === 'string' && (TIERS as readonly string[]).includes(t))
  )
    throw new Bad();
  if (new Set(tiers).size !== tiers.length) throw new Bad();
  const rules: VotingRules = {
    method: r.oneOf('method', ['majority', 'consent'] as const),
    electorate: tiers as Tier[],
    quorum: r.uint('quorum', 100),
    threshold: r.uint('threshold', 99),
    period: Math.max(3600, r.uint('period', 90 * 24 * 3600))
  };
  r.done();
  return rules;
}

export function votingRulesFields(rules: VotingRules): CborMap {
  return cborMap({
    method: rules.method,
    electorate: [...rules.electorate],
    quorum: rules.quorum,
    threshold: rules.threshold,
    period: rules.period
  });
}

// ---- Lockbox sets (lockboxes, close, private channels) [ENC-4] ----

/** Lockboxes for one epoch: the key id and one sealed key per device [ENC-4]. */
export interface LockboxSet {
  epoch: number;
  keyId: string;
  boxes: { device: string; sealed: Uint8Array }[];
}

const MAX_BOXES = 512;

/** `e` epoch, `k` key id (8 bytes), `b` [device, sealed key (80 bytes)] pairs. */
export function readLockboxSet(r: Reader): LockboxSet {
  const boxes = r.list('b').map((b) => {
    if (!Array.isArray(b) || b.length !== 2 || !(b[0] instanceof Uint8Array) || b[0].length !== 32)
      throw new Bad();
    if (!(b[1] instanceof Uint8Array) || b[1].length !== 80) throw new Bad();
    return { device: toHex(b[0]), sealed: b[1] };
  });
  if (boxes.length === 0 || boxes.length > MAX_BOXES) throw new Bad();
  if (new Set(boxes.map((b) => b.device)).size !== boxes.length) throw new Bad();
  const set = { epoch: r.uint('e', 1_000_000), keyId: toHex(r.bytes('k', 8)), boxes };
  r.done();
  return set;
}

export function lockboxSetFields(set: LockboxSet): Fields {
  return {
    e: set.epoch,
    k: hexToBytes(set.keyId),
    b: set.boxes.map((x) => [hexToBytes(x.device), x.sealed])
  };
}

/** Distinct member ids (32 bytes each), at least `min`, at most MAX_NAMED. */
export function readMemberList(v: CborValue[], min: number): string[] {
  if (v.length < min || v.length > MAX_NAMED) throw new Bad();
  if (!v.every((x) => x instanceof Uint8Array && x.length === 32)) throw new Bad();
  const ids = (v as Uint8Array[]).map((x) => toHex(x));
  if (new Set(ids).size !== ids.length) throw new Bad();
  return ids;
}
