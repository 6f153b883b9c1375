import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  draftGroup,
  draftStorageKey,
  MAX_DRAFT_CHARS,
  openDraft,
  readDraft,
  sealDraft
} from '../../src/lib/core/drafts/draft';
import { HearthDB } from '../../src/lib/adapters/db';
import { loadDraft, saveDraft, sweepDrafts } from '../../src/lib/adapters/drafts';

const secret = new Uint8Array(32).fill(7);
const other = new Uint8Array(32).fill(8);
const nonce = new Uint8Array(24).fill(3);
const key = draftStorageKey({ screen: 'post', group: 'GroupDocId123456789', item: 'ab12' });
const words = 'Tonight the panic came back on the bus, and I';

describe('drafts on the device', () => {
  it('[DRAFT-3] a sealed draft opens with the same identity and composer, and holds no plaintext', () => {
    const sealed = sealDraft({ fields: { text: words }, savedAt: 1000 }, secret, key, nonce);
    expect(sealed.ok).toBe(true);
    if (!sealed.ok) return;
    expect(Buffer.from(sealed.value).includes(Buffer.from('panic'))).toBe(false);
    expect(openDraft(sealed.value, secret, key)).toEqual({
      ok: true,
      value: { fields: { text: words }, savedAt: 1000 }
    });
  });

  it('[DRAFT-3] another person’s key, another composer or one changed byte opens nothing', () => {
    const sealed = sealDraft({ fields: { text: words }, savedAt: 1 }, secret, key, nonce);
    if (!sealed.ok) throw new Error('not sealed');
    expect(openDraft(sealed.value, other, key)).toEqual({ ok: false, error: 'wrong-key' });
    const elsewhere = draftStorageKey({ screen: 'post', group: 'GroupDocId123456789', item: 'cd' });
    expect(openDraft(sealed.value, secret, elsewhere)).toEqual({ ok: false, error: 'wrong-key' });
    const flipped = Uint8Array.from(sealed.value, (b, i) => (i === 40 ? b ^ 1 : b));
    expect(openDraft(flipped, secret, key)).toEqual({ ok: false, error: 'wrong-key' });
    expect(openDraft(sealed.value.subarray(0, 20), secret, key)).toEqual({
      ok: false,
      error: 'damaged'
    });
    const version2 = Uint8Array.from(sealed.value, (b, i) => (i === 0 ? 2 : b));
    expect(openDraft(version2, secret, key)).toEqual({ ok: false, error: 'damaged' });
  });

  it('[DRAFT-4] a draft of 50,000 characters is kept whole; one past the limit is refused, not cut', () => {
    const long = 'ñ😊'.repeat(25_000);
    const sealed = sealDraft({ fields: { text: long }, savedAt: 5 }, secret, key, nonce);
    if (!sealed.ok) throw new Error('not sealed');
    const opened = openDraft(sealed.value, secret, key);
    expect(opened.ok && opened.value.fields.text).toBe(long);
    const over = sealDraft(
      { fields: { a: 'x'.repeat(MAX_DRAFT_CHARS), b: 'y' }, savedAt: 1 },
      secret,
      key,
      nonce
    );
    expect(over).toEqual({ ok: false, error: 'too-long' });
    expect(openDraft(new Uint8Array(MAX_DRAFT_CHARS * 5), secret, key)).toEqual({
      ok: false,
      error: 'too-long'
    });
  });

  it('[DRAFT-3] plain JSON that is not a draft is damaged, never half-read', () => {
    expect(readDraft('{').ok).toBe(false);
    expect(readDraft('[]').ok).toBe(false);
    expect(readDraft('{"f":{"text":3},"t":1}').ok).toBe(false);
    expect(readDraft('{"f":{"text":"hi"},"t":-1}').ok).toBe(false);
    expect(readDraft('{"f":{"text":"hi"},"t":4}')).toEqual({
      ok: true,
      value: { fields: { text: 'hi' }, savedAt: 4 }
    });
  });

  it('[DRAFT-1] each composer has its own key, and a group draft names its group', () => {
    expect(key).toBe('draft:g:GroupDocId123456789:post:ab12');
    expect(draftGroup(key)).toBe('GroupDocId123456789');
    expect(draftStorageKey({ screen: 'join', item: 'Doc' })).toBe('draft:a:join:Doc');
    expect(draftGroup('draft:a:join:Doc')).toBeUndefined();
    // Nothing in an id can break out of its part of the key.
    expect(draftStorageKey({ screen: 'post', group: 'a:b/c' })).toBe('draft:g:a_b_c:post');
  });
});

describe('drafts in storage', () => {
  const db = () => new HearthDB(`hearth-drafts-${Math.random()}`);

  it('[DRAFT-3] with an identity the stored row is sealed; a plain draft from before is sealed when read', async () => {
    const d = db();
    expect(await saveDraft(d, key, { fields: { text: words }, savedAt: 9 }, secret)).toBe('kept');
    const row = (await d.settings.get(key))?.value as { sealed?: Uint8Array };
    expect(row.sealed).toBeInstanceOf(Uint8Array);
    expect(JSON.stringify(await d.settings.toArray())).not.toContain('panic');
    expect(await loadDraft(d, key, secret)).toEqual({ fields: { text: words }, savedAt: 9 });
    expect(await loadDraft(d, key, other)).toBeUndefined();
    expect(await loadDraft(d, key, undefined)).toBeUndefined();

    await saveDraft(
      d,
      'draft:a:new-group',
      { fields: { name: 'Night owls' }, savedAt: 2 },
      undefined
    );
    expect((await d.settings.get('draft:a:new-group'))?.value).toEqual({
      plain: JSON.stringify({ f: { name: 'Night owls' }, t: 2 })
    });
    expect(await loadDraft(d, 'draft:a:new-group', secret)).toEqual({
      fields: { name: 'Night owls' },
      savedAt: 2
    });
    const after = (await d.settings.get('draft:a:new-group'))?.value as { sealed?: Uint8Array };
    expect(after.sealed).toBeInstanceOf(Uint8Array);
  });

  it('[DRAFT-2] an emptied draft is removed, not kept as an empty row', async () => {
    const d = db();
    await saveDraft(d, key, { fields: { text: words }, savedAt: 1 }, secret);
    expect(await saveDraft(d, key, { fields: { text: '  \n' }, savedAt: 2 }, secret)).toBe('empty');
    expect(await d.settings.get(key)).toBeUndefined();
  });

  it('[DRAFT-5] drafts for groups no longer on the person’s list are swept; others stay', async () => {
    const d = db();
    const kept = draftStorageKey({ screen: 'post', group: 'Stay1234567890123', item: 't' });
    const left = draftStorageKey({ screen: 'thread', group: 'Left1234567890123' });
    const app = draftStorageKey({ screen: 'join', item: 'Left1234567890123' });
    for (const k of [kept, left, app, `person-1/${left}`])
      await saveDraft(d, k, { fields: { text: 'x' }, savedAt: 1 }, secret);
    expect(await sweepDrafts(d, '', ['Stay1234567890123'])).toBe(1);
    const keys = (await d.settings.toArray()).map((r) => r.key).sort();
    // Another person's drafts are theirs to sweep.
    expect(keys).toEqual([app, kept, `person-1/${left}`].sort());
    expect(await sweepDrafts(d, 'person-1/', [])).toBe(1);
  });

  it('[DRAFT-4] a full disk refuses the write with its own error, and the draft kept before stays whole', async () => {
    const d = db();
    await saveDraft(d, key, { fields: { text: words }, savedAt: 1 }, secret);
    const full = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    d.settings.hook('updating', full);
    d.settings.hook('creating', full);
    const refused = await saveDraft(
      d,
      key,
      { fields: { text: `${words} more` }, savedAt: 2 },
      secret
    )
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(String((refused as Error).name) + String((refused as Error).message)).toMatch(/Quota/);
    d.settings.hook('updating').unsubscribe(full);
    d.settings.hook('creating').unsubscribe(full);
    expect(await loadDraft(d, key, secret)).toEqual({ fields: { text: words }, savedAt: 1 });
  });
});
