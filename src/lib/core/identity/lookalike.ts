import unhomoglyph from 'unhomoglyph';

// Look-alike names [ID-8], apart from pseudonym.ts: the confusables table is about 100 kB, and the
// first screen (choosing a name) must not wait for it; only a group's page needs it.

const skeleton = (s: string) => unhomoglyph(s.normalize('NFD')).normalize('NFD');

/**
 * What a name looks like, for comparison only [ID-8]: two keys, each a Unicode confusable
 * skeleton (UTS #39, `confusables.txt` as the `unhomoglyph` library ships it) of its NFKC form.
 * The first keeps case, as UTS #39 does (`Iris` and `lris` meet: a capital I is drawn like an l);
 * the second folds case before and after (`ROBIN`, `R0bin` and `Rоbin` with a Cyrillic о all meet
 * `robin`). Never shown to anyone: `m` becomes `rn`.
 */
function nameSkeletons(name: string): [string, string] {
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
