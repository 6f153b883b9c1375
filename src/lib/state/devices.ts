import { GroupSession } from '$core/group/session';
import { deviceKeys, type DeviceKeys } from '$core/group/signer';
import {
  decodeTransfer,
  encodeTransfer,
  sealSeed,
  transferSeed,
  type Transfer,
  type TransferError
} from '$core/identity/transfer';
import { readLedgerDoc } from '$core/ledger/doc';
import { nowSeconds, random } from '$lib/adapters/clock';
import { isDocumentId } from '$lib/adapters/doc-id';
import { app } from './app.svelte';
import { freshEntries } from './group.svelte';

/**
 * Moving an identity between phones [ID-5, ID-6]: backups, links to a second phone, restoring.
 * The core makes and reads the texts and signs the entries; this module finds the groups, runs
 * scrypt off the main path and stores what was signed.
 */

export type GroupOutcome = 'done' | 'unavailable' | 'not-member' | 'error';

/**
 * Opens one group with the given device keys, runs a write, and stores it. A group that is not
 * on this phone and that the relay cannot send within `waitMs` is 'unavailable'.
 */
async function withGroup<O extends string = never>(
  documentId: string,
  device: DeviceKeys,
  run: (s: GroupSession, now: number) => Uint8Array[] | 'already' | 'not-member' | O,
  waitMs = 20_000
): Promise<{ outcome: GroupOutcome | O; name: string }> {
  if (!isDocumentId(documentId)) return { outcome: 'error', name: '' };
  try {
    const hearth = await app.repo();
    const handle = await hearth.findGroup(documentId, AbortSignal.timeout(waitMs));
    const doc = readLedgerDoc(handle.doc());
    if (!doc) return { outcome: 'error', name: '' };
    const session = new GroupSession({ groupId: doc.groupId, device, random });
    session.addAll(await freshEntries(session, doc));
    const entries = run(session, nowSeconds());
    // After the write: a restored device can read the name only once it holds the key.
    const name = session.open(session.state.name) ?? '';
    if (entries === 'already') return { outcome: 'done', name };
    if (typeof entries === 'string') return { outcome: entries, name };
    if (entries.length === 0) return { outcome: 'error', name };
    await handle.put(entries);
    return { outcome: 'done', name };
  } catch {
    return { outcome: 'unavailable', name: '' };
  }
}

/** A write only a member's device makes; anyone else's is 'not-member'. */
const asMember =
  (run: (s: GroupSession, now: number) => Uint8Array[]) =>
  (s: GroupSession, now: number): Uint8Array[] | 'not-member' =>
    s.isMember() ? run(s, now) : 'not-member';

async function kekFor(passphrase: string, salt: Uint8Array, params: object): Promise<Uint8Array> {
  const { scryptAsync } = await import('@noble/hashes/scrypt.js');
  return scryptAsync(passphrase.normalize('NFC'), salt, { ...params, dkLen: 32 } as never);
}

/** The backup text of this phone's identity; sealed when a passphrase is given [ID-5]. */
export async function backupText(passphrase: string): Promise<string> {
  const seed = app.secret;
  const identity = app.identity;
  if (!seed || !identity) throw new Error('locked');
  let key: Transfer['key'] = { seed };
  if (passphrase) {
    const { PASSCODE_KDF } = await import('$core/crypto/passcode');
    const salt = random(16);
    key = sealSeed(seed, await kekFor(passphrase, salt, PASSCODE_KDF), salt, random(24));
  }
  return encodeTransfer({
    kind: 'backup',
    name: identity.pseudonym,
    groups: app.groups.map((g) => g.documentId),
    key
  });
}

export interface LinkResult {
  text: string;
  device: string;
  linked: string[];
  missed: string[];
}

/**
 * Links another phone [ID-6]: makes its key here, adds it to every group on this phone and hands it
 * the group key. The returned text (for a QR code) carries that key to the other phone.
 */
export async function linkAnotherPhone(): Promise<LinkResult> {
  const secret = app.secret;
  const identity = app.identity;
  if (!secret || !identity) throw new Error('locked');
  const mine = deviceKeys(secret);
  const seed = random(32);
  const other = deviceKeys(seed);
  const linked: string[] = [];
  const missed: string[] = [];
  for (const g of app.groups) {
    const r = await withGroup(
      g.documentId,
      mine,
      asMember((s, t) => s.link(other, t)),
      5_000
    );
    (r.outcome === 'done' ? linked : missed).push(g.documentId);
  }
  const text = encodeTransfer({
    kind: 'link',
    name: identity.pseudonym,
    groups: linked,
    key: { seed }
  });
  return { text, device: other.id, linked, missed };
}

/** Withdraws a link that was not used: the device is removed from those groups again. */
export async function withdrawLink(device: string, groups: string[]): Promise<void> {
  const secret = app.secret;
  if (!secret) throw new Error('locked');
  const mine = deviceKeys(secret);
  for (const documentId of groups)
    await withGroup(
      documentId,
      mine,
      asMember((s, t) => s.removeDevice(device, t)),
      5_000
    );
}

export type Opened =
  { ok: true; transfer: Transfer; needsPassphrase: boolean } | { ok: false; error: TransferError };

export function readTransfer(text: string): Opened {
  const r = decodeTransfer(text);
  if (!r.ok) return r;
  return { ok: true, transfer: r.value, needsPassphrase: !('seed' in r.value.key) };
}

/** The seed in a transfer, or undefined for a wrong passphrase. */
export async function unlockTransfer(
  t: Transfer,
  passphrase: string
): Promise<Uint8Array | undefined> {
  if ('seed' in t.key) return t.key.seed;
  const w = t.key.sealed;
  return transferSeed(t, await kekFor(passphrase, w.salt, w.params));
}

export type RetireOutcome =
  GroupOutcome | 'identity-device' | 'nothing-to-retire' | 'already-asked';

/**
 * Asks every group on this phone to retire this person's other keys, keeping only this phone's
 * [ID-7]: a phone lost, or a backup in someone else's hands. Each group says what happened.
 */
export async function retireOtherKeys(
  onProgress: (done: number, total: number) => void
): Promise<{ group: string; name: string; outcome: RetireOutcome }[]> {
  const secret = app.secret;
  if (!secret) throw new Error('locked');
  const mine = deviceKeys(secret);
  const report: { group: string; name: string; outcome: RetireOutcome }[] = [];
  onProgress(0, app.groups.length);
  for (const g of app.groups) {
    const r = await withGroup(g.documentId, mine, (s, now) => s.retireOthers(now), 10_000);
    report.push({ group: g.documentId, name: r.name || g.name, outcome: r.outcome });
    onProgress(report.length, app.groups.length);
  }
  return report;
}

export interface RestoreReport {
  group: string;
  name: string;
  outcome: GroupOutcome;
}

/**
 * Uses a backup or link on this phone [ID-5, ID-6]. A link's key becomes this phone's key. A
 * backup's key is used only to add this phone's own new key to each group, so the old phone (if it
 * still exists) and this one never write the same chain.
 */
export async function useTransfer(
  t: Transfer,
  seed: Uint8Array,
  onProgress: (done: number, total: number) => void
): Promise<RestoreReport[]> {
  if (t.kind === 'link') {
    await app.adoptIdentity(t.name, seed);
    for (const g of t.groups) await app.rememberGroup(g, '');
    return t.groups.map((group) => ({ group, name: '', outcome: 'done' as const }));
  }
  if (!app.identity) await app.createIdentity(t.name);
  const mine = app.secret;
  if (!mine) throw new Error('locked');
  const target = deviceKeys(mine);
  const fromBackup = deviceKeys(seed);
  const report: RestoreReport[] = [];
  onProgress(0, t.groups.length);
  for (const group of t.groups) {
    // This phone adds itself, writing only in its own chain: the old phone may still be in use
    // offline, and two phones writing one device chain would freeze both (LED-6).
    const r = await withGroup<never>(group, target, (s, now) => s.recover(fromBackup, now));
    report.push({ group, name: r.name, outcome: r.outcome });
    if (r.outcome === 'done') await app.rememberGroup(group, r.name);
    onProgress(report.length, t.groups.length);
  }
  return report;
}
