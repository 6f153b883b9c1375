// `npm test`: every check and suite, in order, even after a failure, then one closing line
// "N passed, N failed" that sums them all. Static checks (lint, types, spec ids, build) count one
// each; Vitest and Playwright count their tests. Exit code is non-zero if anything failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const results = [];
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status === 0;

/** Runs commands one after another, stopping at the first that fails; collects their output. */
async function inSequence(name, commands) {
  const start = Date.now();
  let out = '';
  let ok = true;
  for (const [cmd, args] of commands) {
    ok = await new Promise((resolve) => {
      const child = spawn(cmd, args, { env: process.env });
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', (e) => {
        out += `${e}\n`;
        resolve(false);
      });
      child.on('close', (code) => resolve(code === 0));
    });
    if (!ok) break;
  }
  return { name, ok, out, seconds: Math.round((Date.now() - start) / 1000) };
}

function check(name, ok) {
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
}

function suite(name, ok, file, read) {
  let counts;
  try {
    counts = existsSync(file) ? read(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  } catch {
    counts = undefined;
  }
  // A runner that crashed before writing its report still counts as one failure.
  if (!counts || (!ok && counts.failed === 0))
    counts = { passed: counts?.passed ?? 0, failed: (counts?.failed ?? 0) + 1 };
  results.push({ name, ...counts });
}

mkdirSync('test-results', { recursive: true });
for (const f of ['test-results/vitest.json', 'test-results/playwright.json'])
  rmSync(f, { force: true });

// Each step says how long it took, so the CI's time can be read off its output.
let stepStart = Date.now();
let stepTitle = '';
const timings = [];
const endStep = () => {
  if (stepTitle)
    timings.push(`${stepTitle.split(' ')[0]} ${Math.round((Date.now() - stepStart) / 1000)} s`);
};
const step = (title) => {
  endStep();
  stepStart = Date.now();
  stepTitle = title;
  console.log(`\n━━ ${title}`);
};
// Generate .svelte-kit/ (route types, the $core alias) first: lint and types both read it.
step('svelte-kit sync');
// Compile the messages (src/lib/paraglide is generated) before anything reads them.
check('sync', run('npm', ['run', '-s', 'i18n']) && run('npx', ['svelte-kit', 'sync']));
// The static checks are mostly single-threaded: they run side by side on CI's two cores (the
// time line at the end shows what they took), each one's output printed whole when all are done.
step(
  'static checks, side by side: lint (eslint, prettier), types (svelte-check, tsc), safety eval, spec ids'
);
const statics = await Promise.all([
  inSequence('lint', [
    ['npx', ['eslint', '.', '--max-warnings', '0']],
    ['npx', ['prettier', '--check', '.']]
  ]),
  inSequence('types', [
    ['npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--fail-on-warnings']],
    ['npx', ['tsc', '-p', 'tsconfig.node.json']]
  ]),
  // Precision and recall on the labelled corpus (npm run eval:safety).
  inSequence('eval:safety', [['npm', ['run', '-s', 'eval:safety']]]),
  inSequence('spec-ids', [['node', ['scripts/check-spec-ids.mjs']]])
]);
for (const r of statics) {
  console.log(`\n── ${r.name} (${r.seconds} s)`);
  process.stdout.write(r.out);
  check(r.name, r.ok);
}

step('unit, property and contract tests (vitest)');
const vitestOk = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile=test-results/vitest.json'
]);
suite('vitest', vitestOk, 'test-results/vitest.json', (j) => ({
  passed: j.numPassedTests,
  failed: j.numFailedTests + (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0)
}));

step('build');
const built = run('npx', ['vite', 'build', '--logLevel', 'warn']);
check('build', built);

step('browser tests (playwright, Debian Chromium)');
if (built) {
  const e2eOk = run('npx', ['playwright', 'test']);
  // Skipped tests count as failures: a skipped test asserts nothing.
  suite('playwright', e2eOk, 'test-results/playwright.json', (j) => ({
    passed: j.stats.expected,
    failed: j.stats.unexpected + j.stats.flaky + j.stats.skipped
  }));
} else {
  results.push({ name: 'playwright', passed: 0, failed: 1 });
}

endStep();
console.log(`\n━━ time: ${timings.join(', ')}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log('\n━━ summary');
for (const r of results)
  console.log(
    `${r.failed ? '✗' : '✓'} ${r.name.padEnd(12)} ${r.passed} passed, ${r.failed} failed`
  );
const line = `${passed} passed, ${failed} failed`;
writeFileSync('test-results/summary.txt', line + '\n');
console.log(line);
process.exit(failed === 0 ? 0 : 1);
