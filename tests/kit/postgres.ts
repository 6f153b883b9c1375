import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './proc';

/**
 * A real, throwaway PostgreSQL server for tests [STO-8]: Debian's own binaries (package
 * `postgresql`, installed by .ci/run), a fresh cluster in a temporary directory, loopback only,
 * trust authentication. Not a mock: the relay's adapter talks to it over TCP like to any server.
 */
export interface TestPostgres {
  /** Connection string of the `postgres` database (make your own with `createDatabase`). */
  url: string;
  port: number;
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and starts it again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions)
      if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries not found under /usr/lib/postgresql: install Debian package "postgresql"'
  );
}

/**
 * initdb and postgres refuse to run as root: as root, they run as the `postgres` user (spawned
 * with its uid directly, so signals reach postgres itself and its exit is seen).
 */
function serverUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid === 0)
    throw new Error('running as root, but there is no "postgres" user to run PostgreSQL as');
  return { uid, gid };
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log()}`);
    const c = new pg.Client({ connectionString: url });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch {
      await c.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres did not become ready: ${log()}`);
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-pg-'));
  const user = serverUser();
  if ('uid' in user) chownSync(dir, user.uid, user.gid);
  const init = spawnSync(
    join(bin, 'initdb'),
    ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync'],
    { encoding: 'utf8', ...user }
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess;
  let output = '';
  const start = async () => {
    const args = [
      '-D',
      dir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300'
    ];
    output = '';
    child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], ...user });
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    await waitReady(url, child, () => output);
  };
  const stopServer = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // SIGINT is PostgreSQL's "fast shutdown": ends sessions, checkpoints, exits.
    child.kill('SIGINT');
    await exited;
  };
  await start();

  return {
    url,
    port,
    createDatabase: (name) => createDatabaseAt(url, name),
    async restart() {
      await stopServer();
      await start();
    },
    async stop() {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

let databases = 0;

/** Creates a database on the server of `adminUrl` and returns its connection string. */
async function createDatabaseAt(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A new empty database on the run's shared server (started by tests/setup/postgres.global.ts). */
export function freshDatabase(adminUrl: string): Promise<string> {
  return createDatabaseAt(adminUrl, `hearth_${process.pid}_${Date.now()}_${databases++}`);
}
