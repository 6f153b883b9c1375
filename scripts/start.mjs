// `npm start`: build the app if the build is missing or older than the sources, then run the
// relay serving it (with embedded file storage in ./data). Flags are passed to the relay, e.g.
// `npm start -- --port 8080 --data-dir /var/lib/hearth`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const newest = (dir) => {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};

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
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const relay = spawn(
  process.execPath,
  ['--import', 'tsx', 'sync-server/src/index.ts', ...process.argv.slice(2)],
  { stdio: 'inherit' }
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
