/**
 * What a wake carries, sealed to its recipient, and what the person sees [PUSH-11..13]. Bad
 * input first: a wake for another handle or key, altered or cut bytes, a message that opens but
 * is not a wake, a screen on another origin — each opens to nothing and shows the generic notice.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { x25519PublicKey } from '../../src/lib/core/crypto/box';
import {
  MAX_SEALED,
  noticeFor,
  openWake,
  pushHandle,
  sealWake,
  splitPush,
  type NoticeTexts,
  type WakeMessage
} from '../../src/lib/core/notify/wake';

const bytes = (n: number) => new Uint8Array(randomBytes(n));
const te = new TextEncoder();
const group = '2ZsqYXmjAAnxbaXhFcMLgWjT3DPy';
const message: WakeMessage = {
  kind: 'checkin',
  group,
  path: `/group#${group}/care`,
  at: 1_765_000_000
};
const texts: NoticeTexts = {
  generic: 'Hearth: something new for you',
  byKind: {
    checkin: 'Someone asked for a check-in',
    reply: 'A reply to your post',
    application: 'Someone asked to join',
    vote: 'A vote closes soon',
    mention: 'You were mentioned',
    review: 'A decision is due to be looked at again'
  },
  several: (n) => `${n} new things in Hearth`
};

function recipient() {
  const secret = bytes(32);
  return { secret, pub: x25519PublicKey(secret) };
}

describe('push wakes', () => {
  it('[PUSH-11] a device’s handle differs per group and per epoch, is the same for the same inputs, and cannot be linked across groups without the device’s secret', () => {
    const s = bytes(32);
    const a = pushHandle(s, te.encode('group-a'), 1);
    expect(a).toHaveLength(16);
    expect(pushHandle(s, te.encode('group-a'), 1)).toEqual(a);
    expect(pushHandle(s, te.encode('group-a'), 2)).not.toEqual(a);
    expect(pushHandle(s, te.encode('group-b'), 1)).not.toEqual(a);
    expect(pushHandle(bytes(32), te.encode('group-a'), 1)).not.toEqual(a);
    expect(() => pushHandle(bytes(16), te.encode('g'), 1)).toThrow();
  });

  it('[PUSH-12] a wake sealed to the recipient opens only with its key and for the handle it was sent to, and is the same size whatever its kind; altered, cut or padded bytes open to nothing', () => {
    const r = recipient();
    const handle = bytes(16);
    const sealed = sealWake({
      message,
      recipientX25519: r.pub,
      handle,
      ephemeralSecret: bytes(32)
    });
    expect(sealed.length).toBeLessThanOrEqual(MAX_SEALED);
    expect(openWake({ sealed, handle, recipientSecret: r.secret })).toEqual(message);
    // The sealed bytes hold no readable trace of the message.
    expect(Buffer.from(sealed).includes(Buffer.from(group))).toBe(false);
    expect(Buffer.from(sealed).includes(Buffer.from('checkin'))).toBe(false);
    // Another key, another handle.
    expect(openWake({ sealed, handle, recipientSecret: bytes(32) })).toBeUndefined();
    expect(openWake({ sealed, handle: bytes(16), recipientSecret: r.secret })).toBeUndefined();
    // Any one byte changed.
    for (const i of [0, 31, 32, sealed.length - 1]) {
      const altered = sealed.slice();
      altered[i]! ^= 1;
      expect(openWake({ sealed: altered, handle, recipientSecret: r.secret })).toBeUndefined();
    }
    expect(
      openWake({ sealed: sealed.subarray(0, 40), handle, recipientSecret: r.secret })
    ).toBeUndefined();
    expect(
      openWake({ sealed: new Uint8Array(0), handle, recipientSecret: r.secret })
    ).toBeUndefined();
    expect(openWake({ sealed: bytes(2000), handle, recipientSecret: r.secret })).toBeUndefined();
    // Every kind, short path or long, is the same size sealed: the size does not tell the kind.
    const sizes = new Set(
      (['checkin', 'reply', 'application', 'vote', 'mention'] as const).map(
        (kind, i) =>
          sealWake({
            message: { ...message, kind, path: `/group#${group}/${'t'.repeat(i * 30)}` },
            recipientX25519: r.pub,
            handle,
            ephemeralSecret: bytes(32)
          }).length
      )
    );
    expect([...sizes]).toEqual([32 + 256 + 16]);
    // Two wakes with the same message are different bytes (the relay's replay check keeps both).
    const again = sealWake({ message, recipientX25519: r.pub, handle, ephemeralSecret: bytes(32) });
    expect(Buffer.from(again).equals(Buffer.from(sealed))).toBe(false);
    // A push as it arrives: handle, then sealed bytes.
    const split = splitPush(new Uint8Array([...handle, ...sealed]));
    expect(split && openWake({ ...split, recipientSecret: r.secret })).toEqual(message);
    expect(splitPush(bytes(20))).toBeUndefined();
  });

  it('[PUSH-13] a wake that opens but is not a well-formed message is nothing: unknown kind, a screen on another origin, a group id that is not one, a time that is not a whole number; the sender cannot seal one either', () => {
    const r = recipient();
    const handle = bytes(16);
    const bad: Partial<WakeMessage>[] = [
      { kind: 'sms' as WakeMessage['kind'] },
      { path: '//evil.example/x' },
      { path: 'https://evil.example/' },
      { path: 'javascript:alert(1)' },
      { path: '/\\evil.example' },
      { group: '../../etc' },
      { at: 1.5 },
      { at: -1 }
    ];
    for (const change of bad) {
      expect(() =>
        sealWake({
          message: { ...message, ...change },
          recipientX25519: r.pub,
          handle,
          ephemeralSecret: bytes(32)
        })
      ).toThrow();
    }
    // Sealed by hand (a device that does not run Hearth's code): opens to nothing.
    const forged = sealRaw(
      r.pub,
      handle,
      JSON.stringify({ k: 'checkin', g: group, p: '//evil.example', t: 1 })
    );
    expect(openWake({ sealed: forged, handle, recipientSecret: r.secret })).toBeUndefined();
    const notJson = sealRaw(r.pub, handle, 'not json');
    expect(openWake({ sealed: notJson, handle, recipientSecret: r.secret })).toBeUndefined();
  });

  it('[PUSH-13] what the person sees: private mode says only the generic line and opens home; kind mode names the kind in the app’s words and opens its screen; a wake that did not open gives the generic line; several under one tag become one notice', () => {
    const priv = noticeFor(message, 'private', texts);
    expect(priv).toEqual({
      title: 'Hearth',
      body: texts.generic,
      url: '/',
      tag: 'hearth',
      count: 1
    });
    expect(JSON.stringify(priv)).not.toContain(group);
    const kind = noticeFor(message, 'kind', texts);
    expect(kind).toMatchObject({
      body: texts.byKind.checkin,
      url: message.path,
      tag: `hearth-${group}`
    });
    expect(noticeFor(undefined, 'kind', texts)).toMatchObject({
      body: texts.generic,
      url: '/',
      tag: 'hearth'
    });
    expect(noticeFor(message, 'private', texts, 2)).toMatchObject({
      body: '3 new things in Hearth',
      count: 3
    });
    expect(noticeFor(message, 'kind', texts, 1)).toMatchObject({
      body: '2 new things in Hearth',
      url: `/group#${group}`,
      count: 2
    });
  });
});

/** The sealing without the message check, as a device not running Hearth's code could do it. */
function sealRaw(recipientX25519: Uint8Array, handle: Uint8Array, text: string): Uint8Array {
  return sealWakeUnchecked(recipientX25519, handle, te.encode(text));
}

function sealWakeUnchecked(pub: Uint8Array, handle: Uint8Array, plain: Uint8Array): Uint8Array {
  const eph = bytes(32);
  const ephPub = x25519.getPublicKey(eph);
  const shared = x25519.getSharedSecret(eph, pub);
  const ad = new Uint8Array([...te.encode('hearth/v1/wake\0'), ...handle]);
  const okm = hkdf(sha256, shared, new Uint8Array([...ephPub, ...pub]), ad, 56);
  return new Uint8Array([
    ...ephPub,
    ...xchacha20poly1305(okm.slice(0, 32), okm.slice(32), ad).encrypt(plain)
  ]);
}
