import type { Normalized } from './normalize';
import type { Evidence } from './types';

/**
 * Language-independent detectors [SAFE-6]: phone numbers and e-mail addresses (which would break
 * someone's anonymity in a group), and links (one of the signs of spam). Street addresses and
 * social handles are phrased differently in each language and live in the lexicons.
 */
export interface Found {
  rule: string;
  start: number;
  end: number;
}

const EMAIL = /(?<![\w.+-])[\w.+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})+/gu;
// A digit, then 7–14 more, with the separators people type between them.
const PHONE = /(?<![\w+])(?:\+|00)?\d(?:[ ().\-/]{0,3}\d){7,14}(?![\w])/g;
const URL =
  /(?<![\w@])(?:https?:\/\/[^\s<>"]+|www\.[^\s<>"]+|[a-z0-9-]{2,63}\.(?:com|net|org|io|ly|xyz|info|biz|me|co|ru|top|click|shop|site|online|link|app|gg)(?:\/[^\s<>"]*)?)(?![\w])/giu;

/** A run of digits is a phone number only if it does not look like a date, a range or a sum. */
function looksLikePhone(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 15) return false;
  if (/^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(s)) return false; // 2024-05-01, 01/05/2024
  if (/^\d{4}\s*[-/]\s*\d{4}$/.test(s)) return false; // 2019-2021
  if (/^\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?$/.test(s)) return false; // 12,000,000
  return true;
}

export function findPersonalDetails(n: Normalized): Found[] {
  const out: Found[] = [];
  for (const m of n.text.matchAll(EMAIL))
    out.push({ rule: 'any.email', start: m.index, end: m.index + m[0].length });
  for (const m of n.text.matchAll(PHONE)) {
    if (!looksLikePhone(m[0])) continue;
    if (out.some((o) => o.start <= m.index && m.index < o.end)) continue; // inside an e-mail
    out.push({ rule: 'any.phone', start: m.index, end: m.index + m[0].length });
  }
  return out;
}

export function findLinks(n: Normalized): Found[] {
  const out: Found[] = [];
  // (URL's look-behind already keeps an e-mail's domain from counting as a link.)
  for (const m of n.text.matchAll(URL))
    out.push({ rule: 'any.link', start: m.index, end: m.index + m[0].length });
  return out;
}

/** The same word (4+ letters, any case) six times or more. */
export function findRepetition(n: Normalized): Found | undefined {
  const counts = new Map<string, { n: number; start: number }>();
  for (const m of n.text.matchAll(/\p{L}{4,}/gu)) {
    const c = counts.get(m[0]) ?? { n: 0, start: m.index };
    c.n++;
    counts.set(m[0], c);
    if (c.n >= 6) return { rule: 'any.repeated', start: c.start, end: m.index + m[0].length };
  }
  return undefined;
}

export function toEvidenceAt(
  text: string,
  n: Normalized,
  f: Found,
  cls: Evidence['class']
): Evidence {
  const start = n.origin[f.start] ?? 0;
  const lastFrom = n.origin[f.end - 1] ?? start;
  let end = lastFrom + (text.codePointAt(lastFrom)! > 0xffff ? 2 : 1);
  // Marks the normalized text dropped (Arabic vowel signs, accents) still belong to the word.
  while (end < text.length && /\p{M}/u.test(text[end]!)) end++;
  return { class: cls, rule: f.rule, text: text.slice(start, end), start, end };
}
