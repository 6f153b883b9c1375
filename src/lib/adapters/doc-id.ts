import { base58CheckDecode } from '$core/encoding/base58check';

/** An automerge-repo document id (base58check), as the page names a group's document. */
export type DocumentId = string & { readonly __documentId: unique symbol };

/** Whether a link's id can name a document: the same test as automerge-repo's, without loading it. */
export function isDocumentId(id: string): id is DocumentId {
  return base58CheckDecode(id) !== undefined;
}
