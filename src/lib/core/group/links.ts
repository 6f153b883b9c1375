/**
 * Group links. A group's document id is a capability: whoever holds it can ask a relay for the
 * document; the link carries the id in the URL fragment (`/group#<id>`), which browsers
 * never send to a server, so it stays out of relay access logs and Referer headers [LINK-1].
 */

/**
 * automerge-repo document ids are base58check of a 16-byte id (20 bytes with the checksum): 28
 * base58 characters, fewer when the bytes start with zeros. The shape check here is loose on
 * purpose; the adapter verifies the checksum.
 */
const DOCUMENT_ID = /^[1-9A-HJ-NP-Za-km-z]{16,32}$/;

const GROUP_PATH = '/group';

/** True when `id` has the shape of a document id (the adapter checks the checksum too). */
export function looksLikeDocumentId(id: string): boolean {
  return DOCUMENT_ID.test(id);
}

/** The shareable link to a group on the given origin, e.g. `https://relay.example/group#abc`. */
export function groupLink(origin: string, documentId: string): string {
  return `${origin.replace(/\/+$/, '')}${GROUP_PATH}#${documentId}`;
}

/**
 * Finds a document id in what a person pasted: a full group link (any origin), an
 * `automerge:` URL, or a bare id, with surrounding spaces. Returns undefined for anything else
 * so the UI can say "that doesn't look like a group link" instead of failing later [LINK-2].
 */
/**
 * Pasted text as the link it was [LINK-2]: links hold no spaces, so a line break a chat app put
 * in a long link, spaces around it, invisible joiners and the `<…>` or quotes some apps wrap
 * links in are taken out.
 */
function pastedLink(input: string): string {
  return input
    .replace(/[\s\u200b-\u200d\u2060\ufeff]+/gu, '')
    .replace(/^[<"'“”‘’]+/u, '')
    .replace(/[>"'“”‘’]+$/u, '');
}

export function documentIdFromInput(input: string): string | undefined {
  const text = pastedLink(input);
  let candidate = text;
  const hash = text.indexOf('#');
  // After the id may come a view inside the group (`#<id>/decisions`) or an invitation (`.`).
  if (hash >= 0) candidate = text.slice(hash + 1).split(/[/.]/)[0] ?? '';
  else if (text.startsWith('automerge:')) candidate = text.slice('automerge:'.length);
  candidate = candidate.replace(/^automerge:/, '');
  return looksLikeDocumentId(candidate) ? candidate : undefined;
}

const JOIN_PATH = '/join';

/**
 * An invitation link [INV-1]: `/join#<document id>.<invite secret, 64 hex>`, then, when the
 * inviter's phone could read the group's name, `.<sealed link card>` (base64url) [INV-8]. The
 * secret and the card stay in the fragment, so no server ever sees them.
 */
export function inviteLink(
  origin: string,
  documentId: string,
  secretHex: string,
  card?: string
): string {
  const tail = card ? `.${card}` : '';
  return `${origin.replace(/\/+$/, '')}${JOIN_PATH}#${documentId}.${secretHex}${tail}`;
}

/**
 * Reads an invitation link's fragment (or a whole pasted link); undefined if it is not one. The
 * card, when there is one, is only its shape here: `openLinkCard` checks it.
 */
export function parseInvite(
  input: string
): { documentId: string; secret: string; card?: string } | undefined {
  const text = pastedLink(input);
  const hash = text.indexOf('#');
  const fragment = hash >= 0 ? text.slice(hash + 1) : text;
  const m = /^([1-9A-HJ-NP-Za-km-z]{16,32})\.([0-9a-f]{64})(?:\.([A-Za-z0-9_-]{1,1400}))?$/.exec(
    fragment
  );
  if (!m) return undefined;
  return { documentId: m[1]!, secret: m[2]!, ...(m[3] ? { card: m[3] } : {}) };
}

/** A group fragment: the document id and the view inside the group. */
export function parseGroupFragment(hash: string): { documentId: string; path: string[] } {
  const [documentId = '', ...path] = hash.replace(/^#/, '').split('/');
  return { documentId, path: path.filter(Boolean) };
}
