import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every Svelte file under `dir`. */
function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? svelteFiles(p) : e.name.endsWith('.svelte') ? [p] : [];
  });
}

describe('member names in the markup', () => {
  // Who: a member whose name is in a right-to-left script, or ends in neutral characters, shown
  // beside other words: without isolation it can reorder what stands next to it on the screen.
  it('[ID-8] a member name rendered on its own in src/routes and src/lib/components is bidi-isolated (<bdi>); an <option>, which cannot hold markup, is the only exception', () => {
    const loose: string[] = [];
    let seen = 0;
    for (const file of [...svelteFiles('src/routes'), ...svelteFiles('src/lib/components')]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?<!\$)\{view\??\.nameOf\([^{}]*\)\}/g)) {
        seen++;
        const before = text.slice(Math.max(0, m.index - 40), m.index).replace(/\s+/g, '');
        const after = text.slice(m.index + m[0].length).replace(/^\s+/, '');
        if (before.endsWith('<bdi>') || after.startsWith('</option')) continue;
        loose.push(`${file}: ${m[0]}`);
      }
    }
    expect(seen).toBeGreaterThan(5);
    expect(loose).toEqual([]);
  });
});
