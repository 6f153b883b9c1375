import * as Automerge from '@automerge/automerge';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { decode, Encoder } from 'cbor-x';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite
} from './helpers';
import {
  closePhones,
  deviceSeed,
  documentIdOf,
  noServer,
  ownRelay,
  phone,
  shownCode,
  type Phone
} from './nearby-kit';
import { RoguePeer } from './rogue-peer';

/**
 * Someone in the room attacks the phone showing its code [NEAR-3, NEAR-7, NEAR-8]: a bare
 * Chromium page with a real data channel, driven by the test, instead of Hearth's app.
 */

const encoder = new Encoder({ tagUint8Array: false, useRecords: false });
const repoMessage = (o: object) => new Uint8Array(encoder.encode(o));
const emptySync = () =>
  Automerge.generateSyncMessage(Automerge.init(), Automerge.initSyncState())[1]!;

/** Rowan holds two groups; Sam is a member of the first only. No relay once this returns. */
async function rowanAndSam(info: TestInfo) {
  const relay = await ownRelay(info);
  const rowan = await phone(info, 'rowan', relay.url);
  const sam = await phone(info, 'sam', relay.url);
  await createIdentity(rowan.page, 'Rowan');
  const shared = documentIdOf(await createGroup(rowan.page, 'Hill circle'));
  await applyToJoin(sam.page, await makeInvite(rowan.page), 'Sam', 'Hello.');
  await admit(rowan.page, 'Sam');
  await expectAdmitted(sam.page, 'Hill circle');
  const secret = documentIdOf(await createGroup(rowan.page, 'Only Rowan'));
  await noServer(relay, rowan, sam);
  return { relay, rowan, sam, shared, secret };
}

/** Rowan shows a code; the rogue answers it; Rowan's camera reads the answer. */
async function rogueJoins(rowan: Phone, rogue: RoguePeer) {
  const h = rowan.page;
  await h.goto('/nearby');
  await h.getByTestId('near-host').click();
  const offer = await shownCode(h, 'near-offer');
  const codes = await rogue.answer(offer);
  rowan.sees([codes.text]);
  await h.getByTestId('near-scan').click();
  await rogue.opened();
  return codes;
}

const peerOf = (page: Page) => page.getByTestId('near-peer').first();

/** Document ids named by the sync-layer messages the rogue received. */
function documentsReceived(rogue: RoguePeer): string[] {
  return rogue.sync.map((b) => String((decode(b) as { documentId?: string }).documentId));
}

test('[NEAR-3] someone who scans the code and is not a member gets nothing: not with a key of their own, not asking for the group by id; a member asking by id for a group they are not in gets nothing of it', async ({
  browserName: _
}, info) => {
  test.setTimeout(420_000);
  const { relay, rowan, sam, shared, secret } = await rowanAndSam(info);
  const rogues: RoguePeer[] = [];
  try {
    // A stranger holding the group's id (an old link, say), claiming to be a member.
    const stranger = await RoguePeer.start();
    rogues.push(stranger);
    const codes = await rogueJoins(rowan, stranger);
    const key = crypto.getRandomValues(new Uint8Array(32));
    await stranger.handshake(codes, key, [{ documentId: shared, isMemberDevice: () => true }]);
    await expect
      .poll(() => stranger.done ?? stranger.handshakeError, { timeout: 20_000 })
      .toBeTruthy();
    expect(stranger.done?.shared ?? []).toEqual([]);
    // It asks for the group by id anyway.
    await stranger.sendSync(
      repoMessage({ type: 'arrive', senderId: 'stranger', peerMetadata: {} })
    );
    await stranger.sendSync(
      repoMessage({
        type: 'request',
        senderId: 'stranger',
        targetId: 'host',
        documentId: shared,
        data: emptySync()
      })
    );
    await expect(peerOf(rowan.page)).toHaveAttribute('data-state', /nothing|ended/);
    await expect.poll(() => stranger.closed, { timeout: 20_000 }).toBe(true);
    expect(stranger.sync).toEqual([]);

    // Sam's key (a modified app on Sam's phone): shares the group both are in, and asks by id for
    // Rowan's other group.
    await rowan.page.getByRole('button', { name: 'Back' }).click();
    const modified = await RoguePeer.start();
    rogues.push(modified);
    const codes2 = await rogueJoins(rowan, modified);
    await modified.handshake(codes2, await deviceSeed(sam.page), [
      { documentId: shared, isMemberDevice: () => true },
      { documentId: secret, isMemberDevice: () => true }
    ]);
    await expect.poll(() => modified.done, { timeout: 20_000 }).toBeTruthy();
    expect(modified.done?.shared).toEqual([shared]);
    await modified.sendSync(
      repoMessage({ type: 'arrive', senderId: 'sam-modified', peerMetadata: {} })
    );
    await modified.sendSync(
      repoMessage({
        type: 'request',
        senderId: 'sam-modified',
        targetId: 'host',
        documentId: secret,
        data: emptySync()
      })
    );
    // The group both are in does come (the channel works)…
    await expect.poll(() => documentsReceived(modified), { timeout: 30_000 }).toContain(shared);
    await new Promise((r) => setTimeout(r, 3000));
    // …and nothing of the other one, in any message.
    expect(documentsReceived(modified)).not.toContain(secret);
    expect(documentsReceived(modified).every((d) => d === shared || d === 'undefined')).toBe(true);
  } finally {
    for (const r of rogues) await r.close();
    await closePhones(rowan, sam);
    await relay.stop();
  }
});

test('[NEAR-7] a peer that sends garbage — before the handshake, or after it as a member, at the sync layer or inside Automerge data — is cut off with a clear message, and nothing on the phone changes', async ({
  browserName: _
}, info) => {
  test.setTimeout(420_000);
  const { relay, rowan, sam, shared } = await rowanAndSam(info);
  const rogues: RoguePeer[] = [];
  const garbage = /sent something Hearth could not read.*Nothing on this phone was changed/;
  try {
    // 1. Bytes of no known frame type, straight after the channel opens.
    const first = await RoguePeer.start();
    rogues.push(first);
    await rogueJoins(rowan, first);
    await first.send(Uint8Array.of(9, 1, 2, 3));
    await expect(peerOf(rowan.page)).toHaveAttribute('data-state', 'ended');
    await expect(peerOf(rowan.page).getByTestId('near-ended')).toHaveText(garbage);
    await expect.poll(() => first.closed, { timeout: 20_000 }).toBe(true);
    expect(first.sync).toEqual([]);

    // 2. With Sam's key, past the handshake, then a sync message that is not CBOR; 3. then one
    // that is CBOR but whose Automerge data is not.
    const bad: Uint8Array[] = [
      Uint8Array.of(0xff, 0xfe, 0xfd, 0x00),
      repoMessage({
        type: 'sync',
        senderId: 'sam-modified',
        targetId: 'host',
        documentId: shared,
        data: Uint8Array.of(0x42, 1, 2, 3, 4, 5)
      })
    ];
    for (const message of bad) {
      await rowan.page.getByRole('button', { name: 'Back' }).click();
      const rogue = await RoguePeer.start();
      rogues.push(rogue);
      const codes = await rogueJoins(rowan, rogue);
      await rogue.handshake(codes, await deviceSeed(sam.page), [
        { documentId: shared, isMemberDevice: () => true }
      ]);
      await expect
        .poll(() => rogue.done ?? rogue.handshakeError, { timeout: 20_000 })
        .toMatchObject({ shared: [shared] });
      await rogue.sendSync(
        repoMessage({ type: 'arrive', senderId: 'sam-modified', peerMetadata: {} })
      );
      await expect.poll(() => documentsReceived(rogue), { timeout: 30_000 }).toContain(shared);
      await rogue.sendSync(message);
      const card = rowan.page.getByTestId('near-peer').filter({ hasText: 'Sam' }).last();
      await expect(card).toHaveAttribute('data-state', 'ended', { timeout: 20_000 });
      await expect(card.getByTestId('near-ended')).toHaveText(garbage);
      // Nothing arrived in the group.
      await expect(card.getByTestId('near-group')).toHaveAttribute('data-arrived', '0');
      await expect.poll(() => rogue.closed, { timeout: 20_000 }).toBe(true);
    }
  } finally {
    for (const r of rogues) await r.close();
    await closePhones(rowan, sam);
    await relay.stop();
  }
});

test('[NEAR-8] a channel that stalls — silent from the start, or silent after the handshake — is closed with a clear message', async ({
  browserName: _
}, info) => {
  test.setTimeout(420_000);
  const { relay, rowan, sam, shared } = await rowanAndSam(info);
  const rogues: RoguePeer[] = [];
  try {
    // Opens the channel and never says a word: the handshake must be over in 15 s.
    const silent = await RoguePeer.start();
    rogues.push(silent);
    await rogueJoins(rowan, silent);
    const t0 = Date.now();
    await expect(peerOf(rowan.page).getByTestId('near-ended')).toHaveText(
      /stopped answering, so the connection was closed/,
      { timeout: 40_000 }
    );
    expect(Date.now() - t0).toBeGreaterThanOrEqual(14_000);
    await expect.poll(() => silent.closed, { timeout: 20_000 }).toBe(true);

    // Proves membership, then falls silent (no pings, nothing): closed after 20 s of silence.
    await rowan.page.getByRole('button', { name: 'Back' }).click();
    const quiet = await RoguePeer.start();
    rogues.push(quiet);
    const codes = await rogueJoins(rowan, quiet);
    await quiet.handshake(codes, await deviceSeed(sam.page), [
      { documentId: shared, isMemberDevice: () => true }
    ]);
    await expect.poll(() => quiet.done, { timeout: 20_000 }).toBeTruthy();
    const card = rowan.page.getByTestId('near-peer').filter({ hasText: 'Sam' });
    await expect(card).toHaveAttribute('data-state', /syncing|synced/);
    await expect(card.getByTestId('near-ended')).toHaveText(
      /stopped answering, so the connection was closed/,
      { timeout: 60_000 }
    );
    // The host's pings kept coming meanwhile (the rogue heard them, and said nothing).
    expect(quiet.received.filter((f) => f[0] === 4).length).toBeGreaterThanOrEqual(2);
  } finally {
    for (const r of rogues) await r.close();
    await closePhones(rowan, sam);
    await relay.stop();
  }
});
