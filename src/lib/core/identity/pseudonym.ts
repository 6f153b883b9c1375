import { err, ok, type Result } from '../result';

export const PSEUDONYM_MIN = 2;
export const PSEUDONYM_MAX = 32;

export type PseudonymError = 'too-short' | 'too-long' | 'invalid-characters';

/**
 * Normalizes and checks a pseudonym [ID-1]. Whitespace is collapsed and NFC-normalized so that two
 * people cannot look identical while being different strings; control and invisible format
 * characters are refused because they can hide or reorder text shown to others.
 */
/** A name as it is kept and counted: NFC, runs of whitespace one space, no space at either end. */
export function tidyName(input: string): string {
  return input.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** How long a name is, as the checks count it: characters (code points) of the tidied name. */
export function nameLength(input: string): number {
  return [...tidyName(input)].length;
}

/**
 * A display name another member wrote, checked before it is shown [ID-4, RED-28]: NFC-normalized,
 * whitespace collapsed, 1–60 characters, and no control, format (bidi overrides, zero-width),
 * private-use or unassigned characters, which could hide or reorder what others see or pass for
 * someone else's name. Undefined when it fails: the screen then shows "member" and a fingerprint.
 */
export function safeDisplayName(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const name = tidyName(input);
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(name)) return undefined;
  const length = [...name].length;
  return length >= 1 && length <= 60 ? name : undefined;
}

export function parsePseudonym(input: string): Result<string, PseudonymError> {
  const name = tidyName(input);
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(name)) return err('invalid-characters');
  const length = [...name].length;
  if (length < PSEUDONYM_MIN) return err('too-short');
  if (length > PSEUDONYM_MAX) return err('too-long');
  return ok(name);
}
