// `npm run -s safety:classify -- --lang en`: one text per line on stdin, one JSON line per text on
// stdout: {"tier": ..., "classes": [...], "evidence": [...]} [SAFE-1]. The same function the app
// runs on every keystroke. An empty line gets a verdict too (tier "none"), so output lines match
// input lines one to one.
import { createInterface } from 'node:readline';
import { classify } from '../src/lib/core/safety/classify';

const args = process.argv.slice(2);
const at = args.indexOf('--lang');
const lang = at >= 0 ? args[at + 1] : 'en';
if (!lang || lang.startsWith('--')) {
  process.stderr.write('safety:classify: --lang needs a language tag, e.g. --lang en\n');
  process.exit(2);
}
const unknown = args.filter(
  (a, i) =>
    a.startsWith('--') && a !== '--lang' && a !== '--set-aside' && !(at >= 0 && i === at + 1)
);
if (unknown.length) {
  process.stderr.write(
    `safety:classify: unknown option ${unknown[0]} (options: --lang <tag>, --set-aside)\n`
  );
  process.exit(2);
}
const withSetAside = args.includes('--set-aside');

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const v = classify(line, lang);
  const out: Record<string, unknown> = {
    tier: v.tier,
    classes: v.classes,
    evidence: v.evidence.map((e) => ({
      class: e.class,
      ...(e.tier ? { tier: e.tier } : {}),
      rule: e.rule,
      text: e.text,
      start: e.start,
      end: e.end
    }))
  };
  if (withSetAside) out.setAside = v.setAside;
  process.stdout.write(JSON.stringify(out) + '\n');
}
