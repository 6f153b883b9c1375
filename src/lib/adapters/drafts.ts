import {
  draftGroup,
  isEmptyDraft,
  openDraft,
  plainDraft,
  readDraft,
  sealDraft,
  type Draft
} from '$core/drafts/draft';
import type { HearthDB } from './db';
import { random } from './clock';

/**
 * Drafts on the device [DRAFT-1..DRAFT-6], in the settings table under the person's own keys
 * (`draft:…` for the first person, `<person>/draft:…` for others on a shared phone). A draft is
 * stored sealed with the person's identity secret whenever the app holds it; only a device with
 * no identity at all (so no passcode) keeps a draft as plain text [DRAFT-3].
 */
type Stored = { sealed: Uint8Array } | { plain: string };

/** Keeps a draft; 'too-long' when it may not be kept. Storage errors (a full disk) are thrown. */
export async function saveDraft(
  db: HearthDB,
  key: string,
  draft: Draft,
  secret: Uint8Array | undefined
): Promise<'kept' | 'too-long' | 'empty'> {
  if (isEmptyDraft(draft.fields)) {
    await db.settings.delete(key);
    return 'empty';
  }
  let value: Stored;
  if (secret) {
    const sealed = sealDraft(draft, secret, key, random(24));
    if (!sealed.ok) return 'too-long';
    value = { sealed: sealed.value };
  } else {
    const plain = plainDraft(draft);
    if (!plain.ok) return 'too-long';
    value = { plain: plain.value };
  }
  await db.settings.put({ key, value });
  return 'kept';
}

/** The draft kept under `key`, or undefined (none, or one this person cannot open). */
export async function loadDraft(
  db: HearthDB,
  key: string,
  secret: Uint8Array | undefined
): Promise<Draft | undefined> {
  const v = (await db.settings.get(key))?.value as Partial<Record<string, unknown>> | undefined;
  if (!v || typeof v !== 'object') return undefined;
  if (v.sealed instanceof Uint8Array) {
    if (!secret) return undefined;
    const opened = openDraft(v.sealed, secret, key);
    return opened.ok ? opened.value : undefined;
  }
  if (typeof v.plain === 'string') {
    const read = readDraft(v.plain);
    if (!read.ok) return undefined;
    // A plain draft from before an identity existed is sealed as soon as one does.
    if (secret) await saveDraft(db, key, read.value, secret).catch(() => undefined);
    return read.value;
  }
  return undefined;
}

export async function deleteDraft(db: HearthDB, key: string): Promise<void> {
  await db.settings.delete(key);
}

/**
 * Forgets the drafts a person kept for groups no longer on their list [DRAFT-5]: a group they
 * left or removed from this phone keeps none of their words behind. `prefix` is the person's
 * key prefix ('' for the first person, `<person>/` for others).
 */
export async function sweepDrafts(
  db: HearthDB,
  prefix: string,
  groups: readonly string[]
): Promise<number> {
  const keep = new Set(groups);
  const rows = await db.settings.where('key').startsWith(`${prefix}draft:g:`).primaryKeys();
  const gone = rows.filter((k) => {
    const g = draftGroup(String(k).slice(prefix.length));
    return g !== undefined && !keep.has(g);
  });
  await db.settings.bulkDelete(gone);
  return gone.length;
}
