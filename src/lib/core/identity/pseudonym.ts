import unhomoglyph from 'unhomoglyph';
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

const skeleton = (s: string) => unhomoglyph(s.normalize('NFD')).normalize('NFD');

/**
 * What a name looks like, for comparison only [ID-8]: two keys, each a Unicode confusable
 * skeleton (UTS #39, `confusables.txt` as the `unhomoglyph` library ships it) of its NFKC form.
 * The first keeps case, as UTS #39 does (`Iris` and `lris` meet: a capital I is drawn like an l);
 * the second folds case before and after (`ROBIN`, `R0bin` and `Rоbin` with a Cyrillic о all meet
 * `robin`). Never shown to anyone: `m` becomes `rn`.
 */
export function nameSkeletons(name: string): [string, string] {
  const n = name.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  return [skeleton(n), skeleton(skeleton(n.toLowerCase()).toLowerCase())];
}

/** Whether two names look alike: either skeleton is the same [ID-8]. */
export function namesLookAlike(a: string, b: string): boolean {
  const [x1, x2] = nameSkeletons(a);
  const [y1, y2] = nameSkeletons(b);
  return x1 === y1 || x2 === y2;
}

/**
 * Which of `names` (member → the name shown) look like another member's name [ID-8]: either
 * skeleton shared by two different members. Every member of such a pair is returned (whoever chose
 * first), so a look-alike never passes for the original and neither looks like the only one.
 */
export function lookalikes(names: ReadonlyMap<string, string>): Set<string> {
  const seen = new Map<string, string>();
  const out = new Set<string>();
  for (const [member, name] of names) {
    const [cased, folded] = nameSkeletons(name);
    for (const key of [`c:${cased}`, `f:${folded}`]) {
      const other = seen.get(key);
      if (other !== undefined && other !== member) out.add(other).add(member);
      else seen.set(key, member);
    }
  }
  return out;
}

export function parsePseudonym(input: string): Result<string, PseudonymError> {
  const name = tidyName(input);
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/u.test(name)) return err('invalid-characters');
  const length = [...name].length;
  if (length < PSEUDONYM_MIN) return err('too-short');
  if (length > PSEUDONYM_MAX) return err('too-long');
  return ok(name);
}
