import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codeText,
  decodeCode,
  encodeCode,
  offerStale,
  OFFER_LIFETIME_S,
  parseSdp,
  readCode,
  sdpOf,
  type NearbyCode
} from '../../src/lib/core/nearby/code';
import { CodeReader, codeFrames } from '../../src/lib/core/nearby/scan';
import { toBase64Url } from '../../src/lib/core/encoding/base64url';
import { toFrames } from '../../src/lib/core/sync/qr-frames';

/** An offer exactly as Debian's Chromium wrote it on this machine (mDNS names hide the addresses). */
const chromiumOffer = readFileSync('tests/fixtures/nearby/chromium-offer.sdp', 'utf8');

/** An answer with its addresses shown (a page that may use the camera), IPv6 and TCP included. */
const rawAnswer = [
  'v=0',
  'o=- 4643094177542010367 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=candidate:1 1 udp 2122260223 192.168.1.23 54400 typ host generation 0 network-id 1',
  'a=candidate:2 1 udp 2122197247 fd00::2 55012 typ host generation 0 network-id 2',
  'a=candidate:3 1 udp 2122197247 2001:db8:0:1::5 55013 typ host generation 0 network-id 3',
  'a=candidate:4 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active generation 0',
  'a=candidate:5 1 udp 1686052607 203.0.113.7 54400 typ srflx raddr 192.168.1.23 rport 54400',
  'a=ice-ufrag:93P3',
  'a=ice-pwd:TF02Uyl+gq75kkM1bP+/mlew',
  'a=fingerprint:sha-256 DD:05:5A:D7:F6:D3:8F:C5:5C:54:14:C3:F2:32:1E:E7:25:00:6A:95:67:40:3A:F4:76:D3:45:3F:A9:7F:B4:39',
  'a=setup:active',
  'a=mid:0',
  'a=sctp-port:5000',
  ''
].join('\r\n');

const session = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
const NOW = 1_790_000_000;

function offer(sdp = chromiumOffer): NearbyCode {
  const signal = parseSdp(sdp);
  if (!signal.ok) throw new Error(signal.error);
  return { kind: 'offer', session, made: NOW, signal: signal.value };
}

describe('nearby codes: an SDP squeezed into one QR code', () => {
  it('[NEAR-1] Chromium’s offer keeps what a data channel needs: ICE credentials, the fingerprint, every UDP host candidate', () => {
    const s = parseSdp(chromiumOffer);
    expect(s.ok && s.value).toMatchObject({
      ufrag: 'oAF0',
      pwd: 'oRwNn10WEfg1rOeIR9OxXQot',
      candidates: [
        { address: '3f00e34f-d328-40d6-8ee5-8404db9b6821.local', port: 44710 },
        { address: 'a3e00cd5-f4e6-4cdc-8bcc-e55562ec14be.local', port: 56699 }
      ]
    });
    expect(s.ok && s.value.fingerprint[0]).toBe(0xbf);
  });

  it('[NEAR-1] addresses shown in the clear: IPv4 and IPv6 host candidates kept, TCP and server-reflexive ones dropped', () => {
    const s = parseSdp(rawAnswer);
    expect(s.ok && s.value.candidates).toEqual([
      { address: '192.168.1.23', port: 54400 },
      { address: 'fd00::2', port: 55012 },
      { address: '2001:db8:0:1::5', port: 55013 }
    ]);
  });

  it('[NEAR-1] a code is a tenth of the SDP and fits one QR code; decoding and writing the SDP again gives the same signal', () => {
    for (const [sdp, kind] of [
      [chromiumOffer, 'offer'],
      [rawAnswer, 'answer']
    ] as const) {
      const code = { ...offer(sdp), kind };
      const text = codeText(code);
      expect(text.length).toBeLessThan(200);
      expect(text.length * 3).toBeLessThan(sdp.length);
      // One frame of the moving-code format would carry it (400 bytes per frame).
      expect(toFrames(encodeCode(code))).toHaveLength(1);
      const back = readCode(text);
      expect(back.ok && back.value).toEqual(code);
      const again = parseSdp(sdpOf(back.ok ? back.value.signal : code.signal, kind));
      expect(again.ok && again.value).toEqual(code.signal);
    }
  });

  it('[NEAR-1] the written SDP is an offer (actpass) or an answer (active), with all candidates and no trickle', () => {
    const code = offer();
    const sdp = sdpOf(code.signal, 'offer');
    expect(sdp).toContain('a=setup:actpass');
    expect(sdpOf(code.signal, 'answer')).toContain('a=setup:active');
    expect(sdp).toContain('a=end-of-candidates');
    expect(sdp.match(/a=candidate:/g)).toHaveLength(2);
  });

  it('[NEAR-1] an SDP without a data channel, ICE credentials, a SHA-256 fingerprint or a host candidate is refused with its reason', () => {
    expect(parseSdp('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n')).toMatchObject({
      error: 'not-a-data-channel'
    });
    expect(parseSdp(chromiumOffer.replace(/a=ice-pwd:.*\n/, ''))).toMatchObject({
      error: 'no-ice'
    });
    expect(parseSdp(chromiumOffer.replace('sha-256', 'sha-1'))).toMatchObject({
      error: 'no-fingerprint'
    });
    expect(parseSdp(chromiumOffer.replace(/a=candidate:.*\n/g, ''))).toMatchObject({
      error: 'no-candidates'
    });
  });
});

describe('nearby codes: what the camera may see instead', () => {
  it('[NEAR-6] a code of another app, Hearth’s other codes and another version of this code each get their own reason', () => {
    expect(readCode('WIFI:S:Cafe;T:WPA;P:secret;;')).toMatchObject({ error: 'other-app' });
    expect(readCode('https://example.org/menu')).toMatchObject({ error: 'other-app' });
    expect(readCode('')).toMatchObject({ error: 'other-app' });
    // A group file's moving codes, a phone's heads, a backup, a group link.
    expect(readCode(toFrames(Uint8Array.of(1, 2, 3))[0]!)).toMatchObject({
      error: 'other-hearth-code'
    });
    expect(readCode('hearth-heads:1:abc:def')).toMatchObject({ error: 'other-hearth-code' });
    expect(readCode('{"hearth":"hearth-identity","v":1}')).toMatchObject({
      error: 'other-hearth-code'
    });
    expect(readCode('https://hearth.example.org/group#4NMNnkA3ZSwyQ8XahkhNmFabz7G5')).toMatchObject(
      { error: 'other-hearth-code' }
    );
    // The same format, a later version of Hearth.
    const bytes = encodeCode(offer());
    bytes[2] = 2;
    expect(readCode(`HN:${toBase64Url(bytes)}`)).toMatchObject({
      error: 'other-version',
      detail: '2'
    });
    expect(readCode('HN2:AAAA')).toMatchObject({ error: 'other-version' });
  });

  it('[NEAR-6] a damaged code (cut short, longer, a wrong kind, no candidates, bad characters) is refused as damaged', () => {
    const good = encodeCode(offer());
    expect(decodeCode(good.subarray(0, good.length - 1))).toMatchObject({ error: 'damaged' });
    expect(decodeCode(Uint8Array.from([...good, 0]))).toMatchObject({ error: 'damaged' });
    const kind = good.slice();
    kind[3] = 9;
    expect(decodeCode(kind)).toMatchObject({ error: 'damaged' });
    const none = good.slice();
    none[none.length - 2 * 19 - 1] = 0; // the candidate count
    expect(decodeCode(none)).toMatchObject({ error: 'damaged' });
    const chars = good.slice();
    chars[3 + 1 + 8 + 4 + 1] = 0x20; // a space in the ICE user fragment
    expect(decodeCode(chars)).toMatchObject({ error: 'damaged' });
    expect(readCode('HN:@@@')).toMatchObject({ error: 'damaged' });
  });

  it('[NEAR-6] nothing the camera can read makes the reader throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeCode(Uint8Array.from([0x48, 0x4e, 1, ...bytes]));
        expect(typeof r.ok).toBe('boolean');
        expect(typeof readCode(`HN:${toBase64Url(bytes)}`).ok).toBe('boolean');
      }),
      { numRuns: 2000 }
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof readCode(text).ok).toBe('boolean');
      })
    );
  });

  it('[NEAR-5] an offer older than ten minutes, or made by a clock ten minutes ahead, is stale', () => {
    const code = offer();
    expect(offerStale(code, NOW + 60)).toBe(false);
    expect(offerStale(code, NOW + OFFER_LIFETIME_S + 1)).toBe(true);
    expect(offerStale(code, NOW - OFFER_LIFETIME_S - 1)).toBe(true);
  });
});

describe('nearby codes: one QR code, or moving codes when long', () => {
  it('[NEAR-1] a code longer than one QR code holds is shown as moving codes, read in any order with repeats', () => {
    const code = offer(rawAnswer);
    expect(codeFrames(code)).toEqual([codeText(code)]);
    const frames = codeFrames(code, 50, 40);
    expect(frames.length).toBeGreaterThan(1);
    const reader = new CodeReader();
    const seen = [...frames].reverse();
    seen.splice(1, 0, seen[0]!);
    const out = seen.map((f) => reader.read(f));
    expect(out.slice(0, -1).every((s) => s.kind === 'partial')).toBe(true);
    expect(out.at(-1)).toEqual({ kind: 'code', code });
    expect(reader.seen).toBe(seen.length);
  });

  it('[NEAR-6] moving codes of a group file are another Hearth code; a frame of another loop starts over', () => {
    const reader = new CodeReader();
    const file = toFrames(new Uint8Array(500).fill(7), 400);
    expect(reader.read(file[0]!)).toMatchObject({ kind: 'partial', received: 1, total: 2 });
    expect(reader.read(file[1]!)).toEqual({ kind: 'bad', error: 'other-hearth-code' });
    const a = codeFrames(offer(), 50, 40);
    const b = codeFrames(offer(rawAnswer), 50, 40);
    reader.read(a[0]!);
    expect(reader.read(b[0]!)).toMatchObject({ kind: 'partial', received: 1 });
    expect(reader.read('WIFI:S:x;;')).toEqual({ kind: 'bad', error: 'other-app' });
  });
});
