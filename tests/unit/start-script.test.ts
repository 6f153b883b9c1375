// `npm start` and the relay it runs live and die together [OPS-17]. An operator who stops
// `npm start` by its process id (a service manager, `kill`, a closed terminal) must not leave a
// relay running, orphaned, on the port and the data folder; and a relay that cannot start must
// not leave `npm start` waiting.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { descendants, freePort } from '../kit/proc';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false
  );

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    if (!c.pid) continue;
    for (const pid of [c.pid, ...descendants(c.pid)])
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
  }
});

/** Spawns `npm start` as an operator types it, serving a small static folder (nothing built). */
function spawnNpmStart(port: number, options: { detached?: boolean } = {}): ChildProcess {
  const site = mkdtempSync(join(tmpdir(), 'hearth-site-'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>Hearth</title>');
  const data = mkdtempSync(join(tmpdir(), 'hearth-data-'));
  const args = ['--port', String(port), '--host', '127.0.0.1', '--data-dir', data];
  const npm = spawn('npm', ['start', '--', ...args, '--static-dir', site], {
    stdio: 'ignore',
    ...options
  });
  started.push(npm);
  return npm;
}

/** `npm start` in its own process group, once its relay answers. */
async function npmStart(port: number) {
  const npm = spawnNpmStart(port, { detached: true });
  await until('the relay answers', () => answers(port), 60_000);
  const below = descendants(npm.pid!);
  expect(below.length).toBeGreaterThan(0);
  return { npm, below };
}

describe('[OPS-17] npm start and its relay stop together', () => {
  it.each([
    ['SIGTERM to npm', 'SIGTERM', false],
    ['SIGHUP to npm (its terminal closed)', 'SIGHUP', false],
    ['SIGKILL to npm', 'SIGKILL', false],
    ['Ctrl-C in its terminal (SIGINT to the whole process group)', 'SIGINT', true]
  ] as const)(
    'npm start stopped by %s: nothing of it is left running and the port is free',
    async (_, signal, group) => {
      const port = await freePort();
      const { npm, below } = await npmStart(port);
      process.kill(group ? -npm.pid! : npm.pid!, signal);
      await until('every process npm start ran is gone', () => below.every((p) => !alive(p)));
      expect(await answers(port)).toBe(false);
    },
    90_000
  );

  it('the start script killed with SIGKILL: its relay stops too', async () => {
    const port = await freePort();
    const { below } = await npmStart(port);
    const script = below.find((p) =>
      readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('scripts/start.mjs')
    );
    expect(script).toBeDefined();
    process.kill(script!, 'SIGKILL');
    await until('every process npm start ran is gone', () => below.every((p) => !alive(p)));
    expect(await answers(port)).toBe(false);
  }, 90_000);

  it('a relay that cannot start (its port is taken) ends npm start with an error', async () => {
    const port = await freePort();
    const taken = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    try {
      const npm = spawnNpmStart(port);
      const code = await new Promise<number | null>((r) => npm.once('exit', r));
      expect(code).not.toBe(0);
    } finally {
      taken.close();
    }
  }, 90_000);
});
