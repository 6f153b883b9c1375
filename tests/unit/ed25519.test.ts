import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { precheck, publicKeyOf, sign, verifyStrict } from '../../src/lib/core/crypto/ed25519';
import { verifyFast } from '../../src/lib/adapters/verify';

interface Case {
  index: number;
  message: string;
  pub_key: string;
  signature: string;
}
// The twelve vectors are shared open data, beside the repository (as CI and every machine of
// this project have them); they are not copied in because their licence is not stated.
const CASES = new URL('../../../shared/data/ed25519-speccheck/cases.json', import.meta.url);
if (!existsSync(CASES))
  throw new Error(
    `missing ${CASES.pathname}: the speccheck vectors live in shared/data beside the repository`
  );
const cases = JSON.parse(readFileSync(CASES, 'utf8')) as Case[];
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

// Hearth's strict rule accepts only case 3 (a valid signature with mixed-order points),
// the same row as libsodium in the speccheck table.
const EXPECTED = ['X', 'X', 'X', 'V', 'X', 'X', 'X', 'X', 'X', 'X', 'X', 'X'];

describe('strict Ed25519', () => {
  it('[SIG-1] the pure and the WebCrypto paths agree with the strict rule on all twelve speccheck cases', async () => {
    expect(cases).toHaveLength(12);
    const pure: string[] = [];
    const fast: string[] = [];
    for (const c of cases) {
      const [m, p, s] = [hex(c.message), hex(c.pub_key), hex(c.signature)];
      pure.push(verifyStrict(p, m, s) ? 'V' : 'X');
      fast.push((await verifyFast(p, m, s)) ? 'V' : 'X');
    }
    expect(pure).toEqual(EXPECTED);
    expect(fast).toEqual(EXPECTED);
  });

  it('[SIG-1] ordinary signatures verify on both paths; any flipped bit fails on both', async () => {
    for (let i = 0; i < 20; i++) {
      const seed = new Uint8Array(32).map((_, j) => (i * 37 + j * 11) & 0xff);
      const pub = publicKeyOf(seed);
      const msg = new TextEncoder().encode(`message ${i}`);
      const sig = sign(seed, msg);
      expect(verifyStrict(pub, msg, sig)).toBe(true);
      expect(await verifyFast(pub, msg, sig)).toBe(true);
      const bad = Uint8Array.from(sig);
      bad[i % 64]! ^= 1 << (i % 8);
      expect(verifyStrict(pub, msg, bad)).toBe(false);
      expect(await verifyFast(pub, msg, bad)).toBe(false);
    }
  });

  it('[SIG-1] wrong lengths never throw and never verify', async () => {
    expect(precheck(new Uint8Array(31), new Uint8Array(64))).toBe(false);
    expect(verifyStrict(new Uint8Array(32), new Uint8Array(0), new Uint8Array(63))).toBe(false);
    expect(await verifyFast(new Uint8Array(33), new Uint8Array(0), new Uint8Array(64))).toBe(false);
  });
});
