import { err, ok, type Result } from '../result';
import { tidyName } from '../identity/pseudonym';

/**
 * The walking skeleton's group document: a name and a list of notes. The governance ledger
 * (signed entries and a reducer) replaces this shape; until then it proves the sync plumbing.
 */
// A type alias, not an interface: Automerge needs the implicit index signature of object types.
export type SkeletonGroupDoc = {
  schema: typeof SKELETON_SCHEMA;
  name: string;
  createdAt: number;
  notes: Note[];
};

export interface Note {
  id: string;
  /** Hex of the author's device public key. */
  author: string;
  /** Pseudonym shown next to the note, as the author chose it when writing. */
  authorName: string;
  text: string;
  /** The author's claimed time (ms since epoch): advisory, used only for display. */
  at: number;
}

export const SKELETON_SCHEMA = 'hearth/skeleton/1';
export const GROUP_NAME_MAX = 60;
export const NOTE_MAX = 2000;

export type GroupNameError = 'empty' | 'too-long';
export type NoteTextError = 'empty' | 'too-long';

/** Trims and bounds a group name [GRP-1]. */
export function parseGroupName(input: string): Result<string, GroupNameError> {
  const name = tidyName(input);
  if (name.length === 0) return err('empty');
  if ([...name].length > GROUP_NAME_MAX) return err('too-long');
  return ok(name);
}

/** Trims and bounds a note; inner line breaks are kept because people write in paragraphs [GRP-2]. */
export function parseNoteText(input: string): Result<string, NoteTextError> {
  const text = input.normalize('NFC').trim();
  if (text.length === 0) return err('empty');
  if ([...text].length > NOTE_MAX) return err('too-long');
  return ok(text);
}

/** The initial document for a new group. Time is passed in: the core reads no clock. */
export function newGroupDoc(name: string, now: number): SkeletonGroupDoc {
  return { schema: SKELETON_SCHEMA, name, createdAt: now, notes: [] };
}

/**
 * Reads a document that came from storage or a peer without trusting its shape [GRP-3]: anything
 * that is not a skeleton group yields undefined; malformed notes are dropped, not thrown on.
 */
export function readGroupDoc(
  doc: unknown
): { name: string; createdAt: number; notes: Note[] } | undefined {
  if (!isRecord(doc) || doc.schema !== SKELETON_SCHEMA || typeof doc.name !== 'string')
    return undefined;
  const notes = Array.isArray(doc.notes) ? doc.notes.filter(isNote) : [];
  const createdAt = typeof doc.createdAt === 'number' ? doc.createdAt : 0;
  return { name: doc.name.slice(0, GROUP_NAME_MAX * 2), createdAt, notes: sortNotes(notes) };
}

/**
 * Notes in a stable order every device agrees on: claimed time, then id [GRP-4]. Concurrent list
 * inserts already converge in Automerge; sorting also makes the display independent of it.
 */
export function sortNotes(notes: readonly Note[]): Note[] {
  return [...notes].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function isNote(x: unknown): x is Note {
  return (
    isRecord(x) &&
    typeof x.id === 'string' &&
    typeof x.author === 'string' &&
    typeof x.authorName === 'string' &&
    typeof x.text === 'string' &&
    x.text.length <= NOTE_MAX * 2 &&
    typeof x.at === 'number' &&
    Number.isFinite(x.at)
  );
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
