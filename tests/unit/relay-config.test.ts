import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, loadConfig } from '../../sync-server/src/config';

describe('relay config', () => {
  it('[REL-6] defaults, then environment, then flags (later wins)', () => {
    expect(loadConfig({}, [])).toMatchObject({
      port: DEFAULTS.port,
      host: '0.0.0.0',
      dataDir: resolve('data')
    });
    expect(loadConfig({ PORT: '4000', DATA_DIR: '/tmp/a' }, [])).toMatchObject({
      port: 4000,
      dataDir: '/tmp/a'
    });
    expect(loadConfig({ PORT: '4000' }, ['--port', '5000'])).toMatchObject({ port: 5000 });
    expect(loadConfig({}, ['--port=5001', '--static-dir', 'none'])).toMatchObject({
      port: 5001,
      staticDir: null
    });
  });

  it('[REL-6] bad values are refused with one clear line', () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{ PORT: 'abc' }, [], /port must be a whole number/],
      [{ PORT: '70000' }, [], /port must be between 0 and 65535/],
      [{}, ['--port'], /--port needs a value/],
      [{}, ['--colour', 'red'], /unknown option --colour/],
      [{ HOST: '   ' }, [], /host must not be empty/],
      [{ MAX_MESSAGE_BYTES: '10' }, [], /max message bytes must be between/]
    ];
    for (const [env, argv, message] of cases) {
      expect(() => loadConfig(env, argv)).toThrow(ConfigError);
      expect(() => loadConfig(env, argv)).toThrow(message);
    }
  });

  it('[REL-6] the relay process exits non-zero with one line for a bad value', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'sync-server/src/index.ts'], {
      env: { ...process.env, PORT: 'twelve' },
      encoding: 'utf8'
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'hearth relay: port must be a whole number, got "twelve"'
    ]);
  });
});
