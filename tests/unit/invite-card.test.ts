import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { describe, expect, it } from 'vitest';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  CARD_NAME_MAX,
  CARD_RULES_MAX,
  inviteCardKey,
  LINK_CARD_DESCRIPTION_MAX,
  MAX_INVITE_CARD_BYTES,
  openInviteCard,
  openLinkCard,
  sealInviteCard,
  sealLinkCard
} from '../../src/lib/core/governance/invite-card';
import { inviteLink, parseInvite } from '../../src/lib/core/group/links';
import { inviteKeyPair, signInviteProof } from '../../src/lib/core/governance/invites';
import { hexToBytes } from '../../src/lib/core/encoding/hex';
import { DAY, Device, Kind, map, standardGroup, T0 } from '../kit/ledger-kit';

const secret = new Uint8Array(32).fill(42);
const otherSecret = new Uint8Array(32).fill(43);
const nonce = new Uint8Array(24).fill(5);
const card = {
  name: 'Night owls',
  description: 'For people whose panic comes at night.',
  rules: 'Be kind.\nWhat is said here stays here.\nIn a crisis, call your local line first.'
};

function inviteWith(extra: Record<string, Uint8Array | undefined>) {
  const g = standardGroup();
  const invite = g.s.write(
    g.a,
    Kind.Invite,
    map({ ik: inviteKeyPair(secret).publicKey, exp: T0 + 7 * DAY, one: 1, ...extra })
  );
  return { ...g, invite };
}

describe('an invitation says which group it is [INV-5]', () => {
  it('[INV-5] the card opens with the invitation secret and the group id, and holds no plaintext', () => {
    const groupId = new Uint8Array(32).fill(1);
    const sealed = sealInviteCard(card, secret, groupId, nonce);
    expect(Buffer.from(sealed).includes(Buffer.from('Night owls'))).toBe(false);
    expect(openInviteCard(sealed, secret, groupId)).toEqual({
      ok: true,
      value: { ...card, cut: false }
    });
  });

  it('[PUSH-19] the inviter’s wake target rides in the card, sealed: only a link holder reads it; a malformed one is left out and the card stands', () => {
    const groupId = new Uint8Array(32).fill(1);
    const wake = {
      handle: new Uint8Array(16).fill(9),
      relay: 'wss://relay.example.org/sync',
      x25519: new Uint8Array(32).fill(8)
    };
    const sealed = sealInviteCard({ ...card, wake }, secret, groupId, nonce);
    expect(Buffer.from(sealed).includes(Buffer.from('relay.example.org'))).toBe(false);
    expect(openInviteCard(sealed, secret, groupId)).toEqual({
      ok: true,
      value: { ...card, cut: false, wake }
    });
    const bad = sealInviteCard(
      { ...card, wake: { ...wake, relay: 'javascript:alert(1)' } },
      secret,
      groupId,
      nonce
    );
    expect(openInviteCard(bad, secret, groupId)).toEqual({
      ok: true,
      value: { ...card, cut: false }
    });
  });

  it('[INV-5] a wrong key, another group or a changed byte opens nothing', () => {
    const groupId = new Uint8Array(32).fill(1);
    const sealed = sealInviteCard(card, secret, groupId, nonce);
    expect(openInviteCard(sealed, otherSecret, groupId)).toEqual({ ok: false, error: 'wrong-key' });
    expect(openInviteCard(sealed, secret, new Uint8Array(32).fill(2))).toEqual({
      ok: false,
      error: 'wrong-key'
    });
    const flipped = Uint8Array.from(sealed, (b, i) => (i === 30 ? b ^ 1 : b));
    expect(openInviteCard(flipped, secret, groupId)).toEqual({ ok: false, error: 'wrong-key' });
    expect(openInviteCard(sealed.subarray(0, 30), secret, groupId)).toEqual({
      ok: false,
      error: 'damaged'
    });
  });

  it('[INV-5] sealed content that is not a card is damaged; a card with overlong fields is too long', () => {
    const groupId = new Uint8Array(32).fill(1);
    const ad = new Uint8Array([...new TextEncoder().encode('hearth/v1/invite-card\0'), ...groupId]);
    const sealRaw = (text: string) =>
      new Uint8Array([
        ...nonce,
        ...xchacha20poly1305(inviteCardKey(secret), nonce, ad).encrypt(
          new TextEncoder().encode(text)
        )
      ]);
    expect(openInviteCard(sealRaw('not json'), secret, groupId)).toEqual({
      ok: false,
      error: 'damaged'
    });
    expect(openInviteCard(sealRaw('{"n":1,"d":"","r":""}'), secret, groupId)).toEqual({
      ok: false,
      error: 'damaged'
    });
    expect(openInviteCard(sealRaw('["Night owls"]'), secret, groupId)).toEqual({
      ok: false,
      error: 'damaged'
    });
    const longName = JSON.stringify({ n: 'x'.repeat(61), d: '', r: '' });
    expect(openInviteCard(sealRaw(longName), secret, groupId)).toEqual({
      ok: false,
      error: 'too-long'
    });
    expect(openInviteCard(new Uint8Array(MAX_INVITE_CARD_BYTES + 1), secret, groupId)).toEqual({
      ok: false,
      error: 'too-long'
    });
  });

  it('[INV-5] long rules are shortened by whole characters to fit, and the card says so', () => {
    const groupId = new Uint8Array(32).fill(1);
    const rules = '𝄞 Be gentle with each other. '.repeat(400);
    const sealed = sealInviteCard({ ...card, rules }, secret, groupId, nonce);
    expect(sealed.length).toBeLessThanOrEqual(MAX_INVITE_CARD_BYTES);
    const opened = openInviteCard(sealed, secret, groupId);
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.value.cut).toBe(true);
    expect([...opened.value.rules].length).toBeLessThanOrEqual(CARD_RULES_MAX);
    expect(rules.startsWith(opened.value.rules)).toBe(true);
    // A full 4-byte-character card still fits the entry.
    const wide = sealInviteCard(
      { name: '𝄞'.repeat(60), description: '𝄞'.repeat(500), rules: '𝄞'.repeat(2000) },
      secret,
      groupId,
      nonce
    );
    expect(wide.length).toBeLessThanOrEqual(MAX_INVITE_CARD_BYTES);
    expect(openInviteCard(wide, secret, groupId).ok).toBe(true);
  });

  it('[INV-5] the group keeps an invite entry’s card; someone with the link opens it', () => {
    const g0 = standardGroup();
    const sealed = sealInviteCard(card, secret, g0.s.groupId, nonce);
    const g = inviteWith({ c: sealed });
    // The same group id: standardGroup makes the same group each time.
    expect(g.s.groupId).toEqual(g0.s.groupId);
    const inv = g.s.state().invites[g.invite];
    expect(inv?.card).toBeTruthy();
    expect(openInviteCard(hexToBytes(inv!.card!), secret, g.s.groupId)).toMatchObject({
      ok: true,
      value: { name: 'Night owls' }
    });
  });

  it('[INV-5] an invitation made before cards (no card) still admits its applicant', () => {
    const g = inviteWith({});
    expect(g.s.state().invites[g.invite]?.card).toBeNull();
    const n = new Device(9);
    const application = g.s.write(
      n,
      Kind.Apply,
      map({
        m: 'A friend told me about this group.',
        x: n.xPub,
        inv: hexToBytes(g.invite),
        ip: signInviteProof(secret, g.s.groupId, g.invite, n.pub, n.xPub)
      })
    );
    expect(g.s.state().applications[application]?.status).toBe('open');
  });

  it('[INV-5] a card larger than the limit, or not bytes, makes the invite entry bad-payload', () => {
    const big = inviteWith({ c: new Uint8Array(MAX_INVITE_CARD_BYTES + 1) });
    expect(big.s.verdict(big.invite)?.reason).toBe('bad-payload');
    expect(big.s.state().invites[big.invite]).toBeUndefined();
    const empty = inviteWith({ c: new Uint8Array(0) });
    expect(empty.s.verdict(empty.invite)?.reason).toBe('bad-payload');
  });
});

describe('the card an invitation link carries', () => {
  const DOC = '4NMNnkMhL8jXrdJ9jamS2nB7iVrW';
  const OTHER_DOC = '3xC7qLDQn1kBh6dVmSXyZtK2Pw9R';

  it('[INV-8] opens with the link’s secret and document id: the group’s name, the start of its description', () => {
    const sealed = sealLinkCard(card, secret, DOC, nonce);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openLinkCard(sealed, secret, DOC)).toEqual({
      ok: true,
      value: { name: card.name, description: card.description }
    });
    // It rides in a link: short whatever the group wrote.
    const long = sealLinkCard(
      { name: 'ن'.repeat(200), description: 'وصف طويل '.repeat(200) },
      secret,
      DOC,
      nonce
    );
    const opened = openLinkCard(long, secret, DOC);
    expect(opened.ok && [...opened.value.name].length).toBe(CARD_NAME_MAX);
    expect(opened.ok && [...opened.value.description].length).toBe(LINK_CARD_DESCRIPTION_MAX);
    expect(opened.ok && opened.value.description.endsWith('…')).toBe(true);
    expect(long.length).toBeLessThan(1400);
    const link = inviteLink('https://relay.example', DOC, '2a'.repeat(32), long);
    expect(parseInvite(link)).toEqual({ documentId: DOC, secret: '2a'.repeat(32), card: long });
  });

  it('[INV-8] another invitation’s secret, another group’s link, changed or foreign text: nothing opens', () => {
    const sealed = sealLinkCard(card, secret, DOC, nonce);
    expect(openLinkCard(sealed, otherSecret, DOC)).toEqual({ ok: false, error: 'wrong-key' });
    // Moved onto another group's link, it does not open there.
    expect(openLinkCard(sealed, secret, OTHER_DOC)).toEqual({ ok: false, error: 'wrong-key' });
    const flipped = (sealed[40] === 'A' ? 'B' : 'A') as string;
    expect(openLinkCard(sealed.slice(0, 40) + flipped + sealed.slice(41), secret, DOC).ok).toBe(
      false
    );
    expect(openLinkCard('not*base64', secret, DOC)).toEqual({ ok: false, error: 'damaged' });
    expect(openLinkCard('AAAA', secret, DOC)).toEqual({ ok: false, error: 'damaged' });
    expect(openLinkCard('A'.repeat(5000), secret, DOC)).toEqual({ ok: false, error: 'too-long' });
    // Sealed right but not a card (someone with the link wrote their own bytes).
    const key = hkdf(
      sha256,
      secret,
      undefined,
      new TextEncoder().encode('hearth/v1/invite-link-card'),
      32
    );
    const ad = new TextEncoder().encode(`hearth/v1/invite-link-card\0${DOC}`);
    const junk = xchacha20poly1305(key, nonce, ad).encrypt(new TextEncoder().encode('[1,2]'));
    const b64 = Buffer.from(new Uint8Array([...nonce, ...junk])).toString('base64url');
    expect(openLinkCard(b64, secret, DOC)).toEqual({ ok: false, error: 'damaged' });
  });

  it('[INV-8] [INV-1] links without a card still read; a card that is not base64url makes no invitation', () => {
    const plain = inviteLink('https://relay.example', DOC, '2a'.repeat(32));
    expect(parseInvite(plain)).toEqual({ documentId: DOC, secret: '2a'.repeat(32) });
    expect(parseInvite(`${plain}.abc$def`)).toBeUndefined();
    expect(parseInvite(`${plain}.${'A'.repeat(1401)}`)).toBeUndefined();
  });
});
