// `npm start`: build the app if the build is missing or older than the sources, then run the
// relay serving it (with embedded file storage in ./data). Flags are passed to the relay, e.g.
// `npm start -- --port 8080 --data-dir /var/lib/hearth`. With `--static-dir` the relay serves
// that folder and nothing is built.
//
// This script and the relay live and die together [OPS-17]: a signal to it (or to the `npm`
// that ran it) stops the relay; if whoever started it disappears without a signal (SIGKILL,
// a closed terminal), it notices and stops the relay; if it is itself killed with SIGKILL, the
// relay notices its channel to it closing and stops. A relay that exits ends this script with
// the relay's exit code.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const parent = process.ppid;
let child;
let stopping = false;

function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (!child || child.exitCode !== null) process.exit(1);
  child.kill(signal);
  // A relay that does not stop within its own grace period is not left behind.
  setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
// Whoever started this script is gone when this process is re-parented. `npm start` runs it
// through a shell, which stays when npm is killed: so the parent's parent is watched too (Linux).
const parentOf = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
};
const grandparent = parentOf(parent);
setInterval(() => {
  if (process.ppid !== parent || parentOf(parent) !== grandparent) stop('SIGTERM');
}, 500).unref();

const newest = (dir) => {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};

/** Runs a child that stops with this script; resolves to its exit code. */
function run(command, argv, options) {
  child = spawn(command, argv, options);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  );
}

const serving = args.includes('--static-dir') || args.some((a) => a.startsWith('--static-dir='));
if (!serving) {
  const built = existsSync('build/index.html') ? statSync('build/index.html').mtimeMs : 0;
  const sources = Math.max(
    newest('src'),
    newest('static'),
    newest('messages'),
    statSync('vite.config.ts').mtimeMs,
    statSync('svelte.config.js').mtimeMs
  );
  if (built < sources) {
    console.log('Building Hearth…');
    const code = await run('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
    if (code !== 0 || stopping) process.exit(code || 1);
  }
}

// The relay gets a channel to this script: when the channel closes (this script died, even by
// SIGKILL), the relay stops.
process.exit(
  await run(process.execPath, ['--import', 'tsx', 'sync-server/src/index.ts', ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc']
  })
);
