// `npm run bench`: build if needed, then run every bench/*.bench.ts. Each prints JSON lines
// {"bench","value","unit","goal"}; this script passes them through and fails if a bench crashes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

if (!existsSync('build/index.html')) {
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    stdio: ['ignore', 'inherit', 'inherit']
  });
  if (r.status !== 0) process.exit(1);
}
let failed = false;
for (const file of readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${file}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench/${file} failed`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
