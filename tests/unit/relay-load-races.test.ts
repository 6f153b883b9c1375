import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs the probe in its own process (it needs --expose-gc) and reads its answer. */
function probe(fix: boolean): { alive: number; handles: number; of: number } {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'tests/kit/load-leak-probe.ts'],
    { env: { ...process.env, FIX: fix ? '1' : '' }, encoding: 'utf8', timeout: 60_000 }
  );
  return JSON.parse(out.trim().split('\n').pop()!) as {
    alive: number;
    handles: number;
    of: number;
  };
}

describe('[OPS-8] an evicted document does not stay in memory', () => {
  it('automerge-repo alone keeps every document it loaded reachable after it left memory', () => {
    // The behaviour the relay works around; when automerge-repo fixes it, this fails and the
    // workaround (sync-server/src/load-races.ts) can go.
    const { alive, of } = probe(false);
    expect(alive).toBe(of);
  }, 60_000);

  it('with the relay’s per-load signal, none of them is reachable once evicted, nor their handles', () => {
    // The handles too: aborting from inside the load's own closures once left, per load, an
    // AbortError whose stack held the handle (found in a heap snapshot of the memory bench).
    const { alive, handles } = probe(true);
    expect(alive).toBe(0);
    expect(handles).toBe(0);
  }, 60_000);
});
