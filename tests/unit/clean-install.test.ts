import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('a fresh install', () => {
  // CI runs the README's first command (`npm install`) on a fresh clone before the tests: if that
  // rewrote the lock file, the clone is no longer what was committed.
  it('[OPS-18] leaves package-lock.json as committed (the README’s first command changes no file)', () => {
    const r = spawnSync(
      'git',
      ['status', '--porcelain', '--', 'package-lock.json', 'package.json'],
      {
        encoding: 'utf8'
      }
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim(), 'npm install changed the lock file: commit what it wrote').toBe('');
  });
});
