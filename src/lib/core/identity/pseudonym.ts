import { err, ok, type Result } from '../result';

export const PSEUDONYM_MIN = 2;
export const PSEUDONYM_MAX = 32;

export type PseudonymError = 'too-short' | 'too-long' | 'invalid-characters';

/**
 * Normalizes and checks a pseudonym [ID-1]. Whitespace is collapsed and NFC-normalized so that two
 * people cannot look identical while being different strings; control and invisible format
 * characters are refused because they can hide or reorder text shown to others.
 */
export function parsePseudonym(input: string): Result<string, PseudonymError> {
  const name = input.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(name)) return err('invalid-characters');
  const length = [...name].length;
  if (length < PSEUDONYM_MIN) return err('too-short');
  if (length > PSEUDONYM_MAX) return err('too-long');
  return ok(name);
}
