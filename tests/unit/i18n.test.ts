import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LOCALES = ['en', 'es', 'ar'] as const;
const messages = Object.fromEntries(
  LOCALES.map((l) => [l, JSON.parse(readFileSync(`messages/${l}.json`, 'utf8')) as object])
) as Record<(typeof LOCALES)[number], Record<string, string>>;
const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return p.includes('paraglide') ? [] : svelteFiles(p);
    return p.endsWith('.svelte') ? [p] : [];
  });
}

/** The text a person would read in a component's markup, outside any `{…}` expression. */
function visibleText(source: string): string[] {
  let s = source
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  // Drop {…} expressions (balanced braces, including nested ones and template literals).
  let out = '';
  let depth = 0;
  for (const ch of s) {
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  s = out;
  const found: string[] = [];
  // Attributes people read (labels, titles, placeholders) when written as plain strings.
  for (const m of s.matchAll(/\b(aria-label|title|placeholder|alt|label)="([^"]*)"/g))
    if (/[A-Za-z]{3,}/.test(m[2]!) && !/^[\w.:/-]+$/.test(m[2]!)) found.push(`${m[1]}="${m[2]}"`);
  // Text between tags.
  for (const m of s.replace(/<[^>]*>/g, '\n').split('\n'))
    if (/[A-Za-z]{2,}/.test(m.trim())) found.push(m.trim());
  return found;
}

describe('[I18N-1] every word a person reads is translated', () => {
  it('every language has every message, with the same placeholders', () => {
    const keys = Object.keys(messages.en).sort();
    expect(keys.length).toBeGreaterThan(400);
    for (const l of LOCALES) {
      expect(Object.keys(messages[l]).sort(), l).toEqual(keys);
      for (const k of keys) {
        expect(params(messages[l][k]!), `${l}:${k}`).toEqual(params(messages.en[k]!));
        expect(messages[l][k]!.trim(), `${l}:${k} is empty`).not.toBe('');
      }
    }
  });

  it('Spanish and Arabic are really translated, not copies of the English', () => {
    const words = (s: string) => s.replace(/\{\w+\}/g, '');
    const same = (l: 'es' | 'ar') =>
      Object.keys(messages.en).filter(
        (k) => messages[l][k] === messages.en[k] && /[a-z]{4,}/.test(words(messages.en[k]!))
      );
    // A handful of words are the same in Spanish (e.g. "No"); Arabic shares none.
    expect(same('es').length).toBeLessThan(5);
    expect(same('ar')).toEqual([]);
    for (const [k, v] of Object.entries(messages.ar))
      if (/[a-z]{4,}/.test(words(messages.en[k]!)))
        expect(/[\u0600-\u06FF]/.test(v), `ar:${k} has no Arabic letters`).toBe(true);
  });

  it('no component writes visible English outside the message files', () => {
    const offenders: string[] = [];
    for (const f of svelteFiles('src'))
      for (const t of visibleText(readFileSync(f, 'utf8')))
        // The brand name is the same in every language.
        if (t !== 'Hearth') offenders.push(`${f}: ${t}`);
    expect(offenders).toEqual([]);
  });

  it('the scanner finds hard-coded text (so the check above can fail)', () => {
    expect(visibleText('<p>Hello there</p><button aria-label="Close it">{m.x()}</button>')).toEqual(
      ['aria-label="Close it"', 'Hello there']
    );
    expect(visibleText('<p>{m.hello({ name })}</p><code dir="ltr">{x}</code>')).toEqual([]);
  });
});
