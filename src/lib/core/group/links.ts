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

export const GROUP_PATH = '/group';

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
export function documentIdFromInput(input: string): string | undefined {
  const text = input.trim();
  let candidate = text;
  const hash = text.indexOf('#');
  if (hash >= 0) candidate = text.slice(hash + 1);
  else if (text.startsWith('automerge:')) candidate = text.slice('automerge:'.length);
  candidate = candidate.replace(/^automerge:/, '');
  return looksLikeDocumentId(candidate) ? candidate : undefined;
}
