import { ESLint } from 'eslint';
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll } from 'vitest';

/**
 * Lints source as if it were a file at `probe` (inside the folder whose rules are tested), so a
 * test can show which rule refuses what. The probe file is removed after the test file's tests.
 */
export function lintProbe(probe: string): (source: string) => Promise<string[]> {
  afterAll(() => rmSync(probe, { force: true }));
  return async (source) => {
    writeFileSync(probe, source);
    const [result] = await new ESLint().lintFiles([probe]);
    return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
  };
}
