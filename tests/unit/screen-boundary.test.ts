import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { lintProbe } from '../kit/lint-probe';
import * as prefs from '../../src/lib/state/prefs';

const lint = lintProbe('src/lib/components/__boundary_probe__.ts');

describe('screens go through state', () => {
  it('[ARCH-2] ESLint refuses adapter values and the browser’s storage in routes and components; types and the clock pass', async () => {
    const refused: [string, RegExp][] = [
      [
        `import { db } from '$lib/adapters/local';\nexport const d = db;\n`,
        /no-restricted-imports.*src\/lib\/state/
      ],
      [
        `import { loadRelayUrls } from '$lib/adapters/settings';\nexport const l = loadRelayUrls;\n`,
        /no-restricted-imports.*types only/
      ],
      [
        `export const x = (): string | null => localStorage.getItem('k');\n`,
        /no-restricted-globals.*prefs\.ts/
      ],
      [`export const x = (): unknown => indexedDB;\n`, /no-restricted-globals.*indexedDB/]
    ];
    for (const [source, expected] of refused) {
      const messages = await lint(source);
      expect(messages.join('\n'), source).toMatch(expected);
    }
    for (const fine of [
      `import type { GroupRow } from '$lib/adapters/db';\nexport const n = (r: GroupRow): string => r.documentId;\n`,
      `import { nowSeconds } from '$lib/adapters/clock';\nexport const t = (): number => nowSeconds();\n`
    ])
      expect(await lint(fine), fine).toEqual([]);
  }, 60_000);
});

/** A browser storage that can be blocked (every call throws) or full (writes throw). */
class FakeStorage {
  items = new Map<string, string>();
  mode: 'ok' | 'blocked' | 'full' = 'ok';
  getItem(k: string): string | null {
    if (this.mode === 'blocked') throw new DOMException('blocked', 'SecurityError');
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    if (this.mode !== 'ok') throw new DOMException('full', 'QuotaExceededError');
    this.items.set(k, v);
  }
  removeItem(k: string): void {
    if (this.mode === 'blocked') throw new DOMException('blocked', 'SecurityError');
    this.items.delete(k);
  }
}

describe('small choices kept on the phone', () => {
  let storage: FakeStorage;
  beforeEach(() => {
    storage = new FakeStorage();
    Object.defineProperty(globalThis, 'localStorage', { value: storage, configurable: true });
  });
  afterAll(() => Reflect.deleteProperty(globalThis, 'localStorage'));

  it('[ARCH-2] each choice reads back what was kept; blocked storage reads as the default, and no write throws', () => {
    expect(prefs.hideNumbersChoice('g')).toBeUndefined();
    expect(prefs.setHideNumbers('g', true)).toBe(true);
    expect(prefs.hideNumbersChoice('g')).toBe(true);
    expect(prefs.hideNumbersChoice('other')).toBeUndefined();
    expect(prefs.takeUnseenCareRequests('d', ['a', 'b'])).toEqual(['a', 'b']);
    expect(prefs.takeUnseenCareRequests('d', ['a', 'b', 'c'])).toEqual(['c']);
    prefs.noteCrisisSeen('p', 1000);
    prefs.noteCrisisSeen('p', 2000);
    expect(prefs.crisisSeenAt('p')).toBe(1000);
    prefs.clearCrisisSeen('p');
    expect(prefs.crisisSeenAt('p')).toBeNull();
    expect(prefs.setCrisisCountry('MX')).toBe(true);
    expect(prefs.crisisCountry()).toBe('MX');

    storage.mode = 'full';
    expect(prefs.setHideNumbers('g', false)).toBe(false);
    expect(prefs.hideNumbersChoice('g')).toBe(true);
    expect(prefs.setCrisisCountry('ES')).toBe(false);
    expect(prefs.takeUnseenCareRequests('d', ['d'])).toEqual(['d']);
    expect(() => prefs.noteCrisisSeen('q', 1)).not.toThrow();

    storage.mode = 'blocked';
    expect(prefs.hideNumbersChoice('g')).toBeUndefined();
    expect(prefs.crisisCountry()).toBeNull();
    expect(prefs.crisisSeenAt('p')).toBeNull();
    expect(() => prefs.clearCrisisSeen('p')).not.toThrow();
    expect(prefs.takeUnseenCareRequests('d', ['a'])).toEqual(['a']);
  });

  it('[ARCH-2] a care-seen list someone else wrote (not a list, not strings) is read as empty, and only the last 50 are kept', () => {
    storage.items.set('hearth.careSeen.d', '{"a":1}');
    expect(prefs.takeUnseenCareRequests('d', ['a'])).toEqual(['a']);
    storage.items.set('hearth.careSeen.d', '[1, "a", null]');
    expect(prefs.takeUnseenCareRequests('d', ['a', 'b'])).toEqual(['b']);
    const many = Array.from({ length: 80 }, (_, i) => `t${i}`);
    prefs.takeUnseenCareRequests('e', many);
    expect(JSON.parse(storage.items.get('hearth.careSeen.e')!)).toEqual(many.slice(-50));
  });
});
