import { fromBase64Url, toBase64Url } from '../encoding/base64url';
import { err, ok, type Result } from '../result';

/**
 * The codes two phones in one room show each other to open a direct connection [NEAR-1]: one
 * phone's WebRTC offer, the other's answer, each squeezed from a few hundred bytes of SDP to what a
 * data channel on one network needs (ICE user fragment and password, the DTLS certificate's
 * SHA-256 fingerprint, the host candidates), so each fits one QR code a phone reads at arm's
 * length. The rest of the SDP is the same for every Hearth data channel and is written back
 * from a template.
 *
 *   "HN:" base64url( "HN" ‖ version (1) ‖ kind (1 offer, 2 answer) ‖ session (8 bytes) ‖
 *                    made (4 bytes, seconds, big-endian) ‖ ufrag (length ‖ ASCII) ‖
 *                    pwd (length ‖ ASCII) ‖ fingerprint (32 bytes) ‖ candidate count ‖
 *                    candidates: family (4 IPv4, 6 IPv6, 0x6d mDNS name) ‖ address ‖ port (2) )
 *
 * Pure: parsing and writing only; the caller passes the time.
 */

const CODE_VERSION = 1;
const MAGIC = [0x48, 0x4e]; // "HN"
const TEXT_PREFIX = 'HN:';
/** Most host candidates a code carries (a phone has one or two networks; more is noise). */
const MAX_CANDIDATES = 8;

export interface Candidate {
  /** An IPv4 or IPv6 address, or an mDNS name (`<uuid>.local`) that hides the address. */
  address: string;
  port: number;
}

export interface Signal {
  ufrag: string;
  pwd: string;
  /** SHA-256 of the DTLS certificate. */
  fingerprint: Uint8Array;
  candidates: Candidate[];
}

export type CodeKind = 'offer' | 'answer';

export interface NearbyCode {
  kind: CodeKind;
  /** Random, made with the offer; the answer repeats it so the host knows which offer it answers. */
  session: Uint8Array;
  /** When it was made (seconds, the maker's clock). */
  made: number;
  signal: Signal;
}

export type SdpError = 'not-a-data-channel' | 'no-ice' | 'no-fingerprint' | 'no-candidates';

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
const MDNS = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\.local$/i;

/** What a Hearth data channel needs from an SDP (gathering complete, so candidates are in it). */
export function parseSdp(sdp: string): Result<Signal, SdpError> {
  const lines = sdp.split(/\r?\n/);
  if (!lines.some((l) => /^m=application \d+ UDP\/DTLS\/SCTP webrtc-datachannel/.test(l)))
    return err('not-a-data-channel');
  const value = (name: string) =>
    lines
      .find((l) => l.startsWith(`a=${name}:`))
      ?.slice(name.length + 3)
      .trim();
  const ufrag = value('ice-ufrag');
  const pwd = value('ice-pwd');
  if (!ufrag || !pwd || !ICE_CHARS.test(ufrag) || !ICE_CHARS.test(pwd)) return err('no-ice');
  if (ufrag.length > 64 || pwd.length > 64 || ufrag.length < 4 || pwd.length < 22)
    return err('no-ice');
  const fp = /^sha-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/i.exec(value('fingerprint') ?? '');
  if (!fp) return err('no-fingerprint');
  const fingerprint = Uint8Array.from(fp[1]!.split(':'), (h) => parseInt(h, 16));
  const candidates: Candidate[] = [];
  for (const line of lines) {
    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
    const c = /^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host(?: |$)/i.exec(line.trim());
    if (!c) continue;
    const address = canonical(c[1]!);
    const port = Number(c[2]);
    if (port < 1 || port > 65535 || !address) continue;
    if (candidates.some((x) => x.address === address && x.port === port)) continue;
    if (candidates.length < MAX_CANDIDATES) candidates.push({ address, port });
  }
  if (candidates.length === 0) return err('no-candidates');
  return ok({ ufrag, pwd, fingerprint, candidates });
}

/**
 * The SDP a browser accepts for a signal: an offer (`actpass`) or an answer (`active`), one data
 * channel, no trickle (every candidate is in it).
 */
export function sdpOf(signal: Signal, kind: CodeKind): string {
  const fp = Array.from(signal.fingerprint, (b) => b.toString(16).padStart(2, '0').toUpperCase());
  const lines = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    ...signal.candidates.map(
      (c, i) =>
        // Host candidates, highest priority first (RFC 8445 §5.1.2.1: type 126, local preference).
        `a=candidate:${i + 1} 1 udp ${(126 << 24) | ((65535 - i) << 8) | 255} ${c.address} ${c.port} typ host`
    ),
    'a=end-of-candidates',
    `a=ice-ufrag:${signal.ufrag}`,
    `a=ice-pwd:${signal.pwd}`,
    `a=fingerprint:sha-256 ${fp.join(':')}`,
    `a=setup:${kind === 'offer' ? 'actpass' : 'active'}`,
    'a=mid:0',
    'a=sctp-port:5000',
    'a=max-message-size:262144'
  ];
  return lines.join('\r\n') + '\r\n';
}

function addressBytes(address: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? Uint8Array.from([4, ...parts]) : undefined;
  }
  const mdns = MDNS.exec(address);
  if (mdns) {
    const hex = mdns.slice(1).join('');
    return Uint8Array.from([0x6d, ...hex.match(/../g)!.map((h) => parseInt(h, 16))]);
  }
  const v6 = ipv6Bytes(address);
  return v6 ? Uint8Array.from([6, ...v6]) : undefined;
}

function ipv6Bytes(address: string): number[] | undefined {
  if (!/^[0-9a-f:]+$/i.test(address) || address.length > 39) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const head = group(halves[0]!);
  const tail = halves.length === 2 ? group(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 255];
  });
}

function addressText(family: number, bytes: Uint8Array): string {
  if (family === 4) return Array.from(bytes).join('.');
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  if (family === 0x6d)
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}.local`;
  const groups: string[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(parseInt(hex.slice(i, i + 4), 16).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

/** One spelling per address, as the code gives it back. */
function canonical(address: string): string | undefined {
  const bytes = addressBytes(address);
  return bytes && addressText(bytes[0]!, bytes.subarray(1));
}

export function encodeCode(code: NearbyCode): Uint8Array {
  const out: number[] = [...MAGIC, CODE_VERSION, code.kind === 'offer' ? 1 : 2];
  if (code.session.length !== 8) throw new RangeError('session must be 8 bytes');
  out.push(...code.session);
  const made = Math.max(0, Math.min(0xffffffff, Math.floor(code.made)));
  out.push((made >>> 24) & 255, (made >>> 16) & 255, (made >>> 8) & 255, made & 255);
  for (const s of [code.signal.ufrag, code.signal.pwd]) {
    out.push(s.length);
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  }
  out.push(...code.signal.fingerprint);
  const candidates = code.signal.candidates.slice(0, MAX_CANDIDATES);
  out.push(candidates.length);
  for (const c of candidates) {
    const a = addressBytes(c.address);
    if (!a) throw new RangeError(`not an address: ${c.address}`);
    out.push(...a, c.port >> 8, c.port & 255);
  }
  return Uint8Array.from(out);
}

/**
 * Why a scanned code cannot be used, each with its own words on screen [NEAR-6]: a code of another
 * app, a Hearth code of another kind (a group file's moving codes, a link, a backup), a nearby code
 * made by another version of Hearth, or one that is damaged.
 */
export type CodeError = 'other-app' | 'other-hearth-code' | 'other-version' | 'damaged';

export function decodeCode(bytes: Uint8Array): Result<NearbyCode, CodeError> {
  if (bytes.length < 3 || bytes[0] !== MAGIC[0] || bytes[1] !== MAGIC[1]) return err('other-app');
  if (bytes[2] !== CODE_VERSION) return err('other-version', String(bytes[2]));
  let at = 3;
  const take = (n: number): Uint8Array | undefined => {
    if (at + n > bytes.length) return undefined;
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const kindByte = take(1)?.[0];
  if (kindByte !== 1 && kindByte !== 2) return err('damaged');
  const session = take(8);
  const madeBytes = take(4);
  if (!session || !madeBytes) return err('damaged');
  const made =
    ((madeBytes[0]! << 24) >>> 0) + (madeBytes[1]! << 16) + (madeBytes[2]! << 8) + madeBytes[3]!;
  const text = (): string | undefined => {
    const n = take(1)?.[0];
    const raw = n === undefined ? undefined : take(n);
    if (!raw) return undefined;
    const s = String.fromCharCode(...raw);
    return ICE_CHARS.test(s) ? s : undefined;
  };
  const ufrag = text();
  const pwd = text();
  const fingerprint = take(32);
  const count = take(1)?.[0];
  if (!ufrag || !pwd || ufrag.length < 4 || pwd.length < 22 || !fingerprint || count === undefined)
    return err('damaged');
  if (count === 0 || count > MAX_CANDIDATES) return err('damaged');
  const candidates: Candidate[] = [];
  for (let i = 0; i < count; i++) {
    const family = take(1)?.[0];
    const size = family === 4 ? 4 : family === 6 || family === 0x6d ? 16 : undefined;
    const address = size === undefined ? undefined : take(size);
    const port = take(2);
    if (family === undefined || !address || !port) return err('damaged');
    const p = (port[0]! << 8) | port[1]!;
    if (p === 0) return err('damaged');
    candidates.push({ address: addressText(family, address), port: p });
  }
  if (at !== bytes.length) return err('damaged');
  return ok({
    kind: kindByte === 1 ? 'offer' : 'answer',
    session: session.slice(),
    made,
    signal: { ufrag, pwd, fingerprint: fingerprint.slice(), candidates }
  });
}

/** The code as the text a QR code shows. */
export function codeText(code: NearbyCode): string {
  return TEXT_PREFIX + toBase64Url(encodeCode(code));
}

/** Reads what the camera saw (or what was pasted). */
export function readCode(text: string): Result<NearbyCode, CodeError> {
  const t = text.trim();
  if (t.startsWith(TEXT_PREFIX)) {
    const bytes = fromBase64Url(t.slice(TEXT_PREFIX.length));
    return bytes ? decodeCode(bytes) : err('damaged');
  }
  // Hearth's other codes: moving codes of a group file (HQ1/…), a phone's heads, a backup or
  // link transfer, a group or invitation link.
  if (/^(HQ\d+\/|hearth-heads:|\{\s*"hearth"\s*:|https?:\/\/\S+\/(group|join)#)/.test(t))
    return err('other-hearth-code');
  if (/^HN\d*:/.test(t)) return err('other-version');
  return err('other-app');
}

/** How long an offer may be used after it was made: a photo of an old code is refused [NEAR-5]. */
export const OFFER_LIFETIME_S = 10 * 60;

/** Whether an offer is too old (or from too far in the future: a phone whose clock is wrong). */
export function offerStale(code: NearbyCode, now: number): boolean {
  return now - code.made > OFFER_LIFETIME_S || code.made - now > OFFER_LIFETIME_S;
}
