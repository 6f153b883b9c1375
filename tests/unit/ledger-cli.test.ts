import * as A from '@automerge/automerge';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newLedgerDoc, putEntry, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { Device, Kind, P, Scenario } from '../kit/ledger-kit';

const dir = mkdtempSync(join(tmpdir(), 'hearth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/ledger.ts', ...args], {
    encoding: 'utf8'
  });

describe('ledger inspect CLI', () => {
  it('[CLI-1] prints the derived state and the verdict of every entry', () => {
    const a = new Device(1);
    const s = new Scenario([[a, 'senior']]);
    s.admit(new Device(2), [s.founder, a]);
    s.write(new Device(3), Kind.Comment, P.comment(s.genesis));
    const doc = A.change(A.from<LedgerDoc>(newLedgerDoc(s.groupId)), (d) => {
      for (const bytes of s.entries.values()) putEntry(d, bytes);
    });
    const file = join(dir, 'group.automerge');
    writeFileSync(file, A.save(doc));
    const r = run('inspect', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Group      Circle');
    expect(r.stdout).toMatch(/Members \(3\)/);
    expect(r.stdout).toMatch(/admit\s+passed/);
    expect(r.stdout).toMatch(/Comment\s+by \w+\s+ignored \(unknown-author\)/);
    expect(r.stdout.match(/^\s+\d+\s+[0-9a-f]{10}\s/gm)).toHaveLength(s.entries.size);
    const json = run('inspect', file, '--json');
    expect((JSON.parse(json.stdout) as { name: string }).name).toBe('Circle');
  });

  it('[CLI-1] a file that is not a group document gets one clear line and exit 1', () => {
    const notAutomerge = join(dir, 'notes.txt');
    writeFileSync(notAutomerge, 'hello');
    const r1 = run('inspect', notAutomerge);
    expect(r1.status).toBe(1);
    expect(r1.stderr.trim()).toBe(
      `ledger: ${notAutomerge} is not an Automerge document (is it a group document saved by Hearth?)`
    );

    const otherDoc = join(dir, 'other.automerge');
    writeFileSync(otherDoc, A.save(A.from({ notes: ['not a group'] })));
    const r2 = run('inspect', otherDoc);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/is an Automerge document, but not a Hearth group document/);

    const r3 = run('inspect', join(dir, 'missing'));
    expect(r3.status).toBe(1);
    expect(r3.stderr).toMatch(/cannot read/);

    expect(run('frobnicate').status).toBe(2);
  });
});
