/**
 * Text as the safety rules read it, with a map back to the writer's own characters so evidence
 * can quote exactly what they wrote [SAFE-2]:
 * - lower case; accents and Arabic short vowels, tatweel and other combining marks removed;
 * - Arabic letter variants folded (أ إ آ ٱ → ا, ة → ه, ى → ي, ؤ → و, ئ → ي), Arabic-Indic and
 *   Persian digits → 0-9, Arabic comma and question mark → , ?;
 * - curly apostrophes and quotes → ' and ";
 * - letters repeated three or more times shortened to one ("dieeee" → "die", "sooo" → "so");
 * - look-alike digits inside words read as letters ("su1c1de" → "suicide", "k1ll" → "kill");
 *   numbers on their own are left alone.
 */
export interface Normalized {
  text: string;
  /** For each UTF-16 unit of `text`, the index of the input unit it came from. */
  origin: number[];
}

const ARABIC_FOLD: Record<string, string> = {
  أ: 'ا',
  إ: 'ا',
  آ: 'ا',
  ٱ: 'ا',
  ة: 'ه',
  ى: 'ي',
  ؤ: 'و',
  ئ: 'ي',
  '،': ',',
  '؟': '?',
  '؛': ';',
  ـ: ''
};
const QUOTES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u02bc': "'",
  '`': "'",
  '\u00b4': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u00ab': '"',
  '\u00bb': '"'
};
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's'
};

const folded = new Map<string, string>();
function foldChar(ch: string): string {
  const code = ch.codePointAt(0)!;
  // Plain ASCII, most of any text: only the case and the quote marks change.
  if (code < 0x80) return ch === '`' ? "'" : code >= 65 && code <= 90 ? ch.toLowerCase() : ch;
  let f = folded.get(ch);
  if (f === undefined) {
    f = foldRare(ch, code);
    // Bounded: a text in every script on earth cannot grow this past a few thousand entries.
    if (folded.size < 20_000) folded.set(ch, f);
  }
  return f;
}

function foldRare(ch: string, code: number): string {
  // Arabic-Indic (U+0660..) and extended (Persian, U+06F0..) digits.
  if (code >= 0x660 && code <= 0x669) return String(code - 0x660);
  if (code >= 0x6f0 && code <= 0x6f9) return String(code - 0x6f0);
  if (ch in ARABIC_FOLD) return ARABIC_FOLD[ch]!;
  if (ch in QUOTES) return QUOTES[ch]!;
  return ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const WORDISH = /[\p{L}\p{N}@$]/u;
const LETTER = /\p{L}/u;

export function normalize(input: string, options: { leet?: boolean } = {}): Normalized {
  // 1. Fold each character, remembering where it came from.
  const chars: string[] = [];
  const from: number[] = [];
  let at = 0;
  for (const ch of input) {
    for (const c of foldChar(ch)) {
      chars.push(c);
      from.push(at);
    }
    at += ch.length;
  }
  // 2. Look-alike digits and @/$ inside words that are mostly letters ("k1ll", "su1c1de").
  const wordish = (c: string | undefined) => c !== undefined && WORDISH.test(c);
  for (let k = 0; k < chars.length && options.leet !== false; k++) {
    const c = chars[k]!;
    if (!(c in LEET)) continue;
    let s = k;
    while (wordish(chars[s - 1])) s--;
    let e = k;
    while (wordish(chars[e + 1])) e++;
    const token = chars.slice(s, e + 1);
    const letters = token.filter((t) => LETTER.test(t)).length;
    if (letters >= 2 && letters * 2 >= token.length) chars[k] = LEET[c]!;
  }
  // 3. A letter repeated three or more times counts once ("dieeee", "nooo"); doubles stay.
  const parts: string[] = [];
  const origin: number[] = [];
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!;
    let run = 1;
    while (chars[k + run] === c) run++;
    const keep = run >= 3 && LETTER.test(c) ? 1 : run;
    for (let r = 0; r < keep; r++) {
      parts.push(c);
      for (let u = 0; u < c.length; u++) origin.push(from[k + r]!);
    }
    k += run - 1;
  }
  const text = parts.join('');
  return { text, origin };
}
