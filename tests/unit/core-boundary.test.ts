import { describe, expect, it } from 'vitest';
import { lintProbe } from '../kit/lint-probe';

const lint = lintProbe('src/lib/core/__boundary_probe__.ts');

describe('the pure core boundary', () => {
  it('[ARCH-1] ESLint refuses I/O, UI, clock and randomness inside src/lib/core', async () => {
    const cases: [string, RegExp][] = [
      [
        `import Dexie from 'dexie';\nexport const d = Dexie;\n`,
        /no-restricted-imports.*storage lives in src\/lib\/adapters/
      ],
      [
        `import { Repo } from '@automerge/automerge-repo';\nexport const r = Repo;\n`,
        /no-restricted-imports.*automerge-repo/
      ],
      [
        `import { onMount } from 'svelte';\nexport const m = onMount;\n`,
        /no-restricted-imports.*no Svelte/
      ],
      [
        `import { goto } from '$app/navigation';\nexport const g = goto;\n`,
        /no-restricted-imports.*SvelteKit/
      ],
      [
        `export const t = (): number => Date.now();\n`,
        /no-restricted-properties.*pass the time in/
      ],
      [`export const t = (): Date => new Date();\n`, /no-restricted-syntax.*pass the time in/],
      [
        `export const r = (): number => Math.random();\n`,
        /no-restricted-properties.*pass randomness in/
      ],
      [`export const w = (): number => window.innerWidth;\n`, /no-restricted-globals.*no window/]
    ];
    for (const [source, expected] of cases) {
      const messages = await lint(source);
      expect(messages.join('\n'), source).toMatch(expected);
    }
    expect(await lint(`export const add = (a: number, b: number): number => a + b;\n`)).toEqual([]);
  }, 60_000);
});
