import { sha256 } from '@noble/hashes/sha2.js';
import { CborError, decodeCbor, encodeCbor, type CborValue } from '../crypto/cbor';
import { concat, publicKeyOf, sign, verifyStrict } from '../crypto/ed25519';
import { toHex } from '../encoding/hex';

/**
 * Who may sync with whom over a direct connection [NEAR-3]. Before any document crosses, each
 * phone proves, for each group both hold, that it is a member: it signs a challenge bound to this
 * connection with its device key, and the other phone checks the key against its own copy of
 * the group's ledger. Only groups where both proofs pass are shared; a stranger who scanned the
 * code learns nothing but how many groups the other phone offered.
 *
 * Messages (deterministic CBOR maps, in this order each way):
 *   hello  { t: "hello", v: 1, nonce: 32 bytes }
 *   groups { t: "groups", tags: [16 bytes…] }      one tag per group the sender is a member of:
 *                                                  SHA-256(context ‖ "tag" ‖ document id)[0..16],
 *                                                  so only a phone that holds the same document
 *                                                  recognises it
 *   proofs { t: "proofs", proofs: [[tag, device key, signature]…] }   for the tags both sent
 *   ready  { t: "ready", shared: [tag…] }          the tags whose proof the sender accepted
 *   bye    { t: "bye", why: text }                 at any time; the connection then closes
 *
 * context = SHA-256("hearth/near/1" ‖ session ‖ host fingerprint ‖ guest fingerprint ‖
 *                   host nonce ‖ guest nonce); a signature covers "hearth/near/1/proof" ‖ context ‖
 * role (0 host, 1 guest) ‖ document id. A proof from another connection, another role or another
 * group does not verify. Pure: the caller passes the nonce.
 */

const HANDSHAKE_VERSION = 1;
const te = new TextEncoder();
const MAX_GROUPS = 512;
const TAG_BYTES = 16;

export type Role = 'host' | 'guest';

/** A group this phone holds, as the handshake needs it. */
export interface NearbyGroup {
  documentId: string;
  /** Whether this device key belongs to an active member, by this phone's copy of the ledger. */
  isMemberDevice(deviceHex: string): boolean;
}

export type HandshakeError =
  /** Not a message of this protocol, or one out of order. */
  | 'garbage'
  /** The other phone speaks another version of the protocol. */
  | 'version'
  /** The other phone said goodbye (its reason is in `detail`). */
  | 'bye';

export interface HandshakeDone {
  /** Documents both phones proved membership of: only these may cross. */
  shared: string[];
  /** Groups the other phone also holds, whose proof this phone refused (or the other refused ours). */
  refused: string[];
  /** The other phone's device key (hex), from a proof this phone accepted. */
  device: string | undefined;
}

export type Step =
  | { send: Uint8Array[]; done?: HandshakeDone; error?: undefined }
  | { send: Uint8Array[]; error: HandshakeError; detail?: string; done?: undefined };

type Stage = 'hello' | 'groups' | 'proofs' | 'ready' | 'done' | 'failed';

export class Handshake {
  readonly #o: HandshakeOptions;
  #stage: Stage = 'hello';
  #context: Uint8Array | undefined;
  /** Tag (hex) → document id, for this phone's groups. */
  #mine = new Map<string, string>();
  #common: string[] = [];
  #accepted = new Set<string>();
  #device: string | undefined;

  constructor(o: HandshakeOptions) {
    if (o.nonce.length !== 32) throw new RangeError('nonce must be 32 bytes');
    this.#o = o;
  }

  /** The first message (send it as soon as the channel opens). */
  start(): Uint8Array {
    return message({ t: 'hello', v: HANDSHAKE_VERSION, nonce: this.#o.nonce });
  }

  get finished(): boolean {
    return this.#stage === 'done' || this.#stage === 'failed';
  }

  /** Takes the other phone's next message; says what to send back and whether it is over. */
  receive(bytes: Uint8Array): Step {
    const m = parse(bytes);
    // A goodbye may come at any time, even after the handshake is over.
    if (m?.t === 'bye') {
      this.#stage = 'failed';
      return {
        send: [],
        error: 'bye',
        detail: typeof m.why === 'string' ? m.why.slice(0, 40) : ''
      };
    }
    if (this.finished || !m) return this.#fail('garbage');
    switch (this.#stage) {
      case 'hello': {
        if (m.t !== 'hello') return this.#fail('garbage');
        if (m.v !== HANDSHAKE_VERSION)
          return this.#fail('version', typeof m.v === 'number' ? String(m.v) : '?');
        const nonce = m.nonce;
        if (!(nonce instanceof Uint8Array) || nonce.length !== 32) return this.#fail('garbage');
        const o = this.#o;
        const [hostNonce, guestNonce] = o.role === 'host' ? [o.nonce, nonce] : [nonce, o.nonce];
        this.#context = sha256(
          concat(
            te.encode('hearth/near/1'),
            o.session,
            o.fingerprints.host,
            o.fingerprints.guest,
            hostNonce,
            guestNonce
          )
        );
        const me = toHex(publicKeyOf(o.secret));
        const tags: Uint8Array[] = [];
        for (const g of o.groups.slice(0, MAX_GROUPS)) {
          // Only groups this device is a member of, by its own ledger.
          if (!g.isMemberDevice(me)) continue;
          const tag = this.#tag(g.documentId);
          this.#mine.set(toHex(tag), g.documentId);
          tags.push(tag);
        }
        this.#stage = 'groups';
        return { send: [message({ t: 'groups', tags })] };
      }
      case 'groups': {
        if (m.t !== 'groups') return this.#fail('garbage');
        const tags = byteList(m.tags, TAG_BYTES, MAX_GROUPS);
        if (!tags) return this.#fail('garbage');
        const theirs = new Set(tags.map(toHex));
        this.#common = [...this.#mine.keys()].filter((t) => theirs.has(t));
        const proofs: CborValue[] = this.#common.map((tag) => {
          const doc = this.#mine.get(tag)!;
          return [
            hexBytes(tag),
            publicKeyOf(this.#o.secret),
            sign(this.#o.secret, this.#signed(this.#o.role, doc))
          ];
        });
        this.#stage = 'proofs';
        return { send: [message({ t: 'proofs', proofs })] };
      }
      case 'proofs': {
        if (m.t !== 'proofs' || !Array.isArray(m.proofs) || m.proofs.length > MAX_GROUPS)
          return this.#fail('garbage');
        const peer: Role = this.#o.role === 'host' ? 'guest' : 'host';
        const groups = new Map(this.#o.groups.map((g) => [g.documentId, g]));
        for (const p of m.proofs) {
          if (!Array.isArray(p) || p.length !== 3) return this.#fail('garbage');
          const [tag, device, signature] = p;
          if (
            !(tag instanceof Uint8Array) ||
            tag.length !== TAG_BYTES ||
            !(device instanceof Uint8Array) ||
            device.length !== 32 ||
            !(signature instanceof Uint8Array) ||
            signature.length !== 64
          )
            return this.#fail('garbage');
          const doc = this.#mine.get(toHex(tag));
          // A proof for a group this phone did not offer proves nothing here.
          if (!doc || !this.#common.includes(toHex(tag))) continue;
          const group = groups.get(doc)!;
          if (!verifyStrict(device, this.#signed(peer, doc), signature)) continue;
          if (!group.isMemberDevice(toHex(device))) continue;
          this.#accepted.add(toHex(tag));
          this.#device ??= toHex(device);
        }
        this.#stage = 'ready';
        return {
          send: [message({ t: 'ready', shared: [...this.#accepted].map(hexBytes) })]
        };
      }
      case 'ready': {
        if (m.t !== 'ready') return this.#fail('garbage');
        const tags = byteList(m.shared, TAG_BYTES, MAX_GROUPS);
        if (!tags) return this.#fail('garbage');
        const theyAccepted = new Set(tags.map(toHex));
        const shared: string[] = [];
        const refused: string[] = [];
        for (const tag of this.#common) {
          const doc = this.#mine.get(tag)!;
          if (this.#accepted.has(tag) && theyAccepted.has(tag)) shared.push(doc);
          else refused.push(doc);
        }
        this.#stage = 'done';
        return {
          send: [],
          done: { shared, refused, device: shared.length > 0 ? this.#device : undefined }
        };
      }
      default:
        return this.#fail('garbage');
    }
  }

  #tag(documentId: string): Uint8Array {
    return sha256(concat(this.#context!, te.encode('tag'), te.encode(documentId))).slice(
      0,
      TAG_BYTES
    );
  }

  #signed(role: Role, documentId: string): Uint8Array {
    return concat(
      te.encode('hearth/near/1/proof'),
      this.#context!,
      Uint8Array.of(role === 'host' ? 0 : 1),
      te.encode(documentId)
    );
  }

  #fail(error: HandshakeError, detail?: string): Step {
    this.#stage = 'failed';
    return {
      send: [byeMessage(error)],
      error,
      ...(detail === undefined ? {} : { detail })
    };
  }
}

export interface HandshakeOptions {
  role: Role;
  /** The session id both codes carry. */
  session: Uint8Array;
  /** SHA-256 fingerprints of both phones' DTLS certificates, from the two codes. */
  fingerprints: { host: Uint8Array; guest: Uint8Array };
  /** This device's Ed25519 seed. */
  secret: Uint8Array;
  groups: NearbyGroup[];
  /** 32 random bytes. */
  nonce: Uint8Array;
}

/** A goodbye with a reason (`garbage`, `stalled`, `closed`…), sent before closing the channel. */
export function byeMessage(why: string): Uint8Array {
  return message({ t: 'bye', why: why.slice(0, 40) });
}

function message(fields: Record<string, CborValue>): Uint8Array {
  return encodeCbor(new Map(Object.entries(fields)));
}

function parse(bytes: Uint8Array): Record<string, CborValue> | undefined {
  let value: CborValue;
  try {
    value = decodeCbor(bytes);
  } catch (e) {
    if (e instanceof CborError || e instanceof RangeError || e instanceof TypeError)
      return undefined;
    throw e;
  }
  if (!(value instanceof Map)) return undefined;
  const out: Record<string, CborValue> = {};
  for (const [k, v] of value) {
    if (typeof k !== 'string') return undefined;
    out[k] = v;
  }
  return typeof out.t === 'string' ? out : undefined;
}

function byteList(v: CborValue | undefined, size: number, max: number): Uint8Array[] | undefined {
  if (!Array.isArray(v) || v.length > max) return undefined;
  for (const x of v) if (!(x instanceof Uint8Array) || x.length !== size) return undefined;
  return v as Uint8Array[];
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Whether a device key belongs to an active member of a group, by a state this phone derived. */
export function isActiveMemberDevice(
  state: { members: Record<string, { status: string; devices: string[] }> },
  deviceHex: string
): boolean {
  return Object.values(state.members).some(
    (m) => m.status === 'active' && m.devices.includes(deviceHex)
  );
}
