import './threadpool';
import { networkInterfaces } from 'node:os';
import pino from 'pino';
import { ConfigError, describeConfig, loadConfig } from './config';
import { createServer } from './server';

/** Bootstrap only: read config, start, stop cleanly on SIGTERM/SIGINT/SIGHUP or when `npm start` goes. */

let config;
try {
  config = loadConfig(process.env, process.argv.slice(2));
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`hearth relay: ${e.message}`);
    process.exit(2);
  }
  throw e;
}

/** This machine's IPv4 addresses on local networks (not loopback). */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}

// JSON logs (pino). Events carry counts and reasons, never document ids or content [OPS-2].
const logger = pino({ level: config.logLevel, base: { service: 'hearth-relay' } });
// The effective config, once, with secrets masked [OPS-5].
logger.info({ event: 'config', config: describeConfig(config) });
const relay = createServer(config, (event, fields = {}) => logger.info({ event, ...fields }));
relay.listen().then(
  ({ port }) => {
    const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
    console.log(`Hearth is running at http://${host}:${port}  (data in ${config.dataDir})`);
    // At a meeting with no internet, phones on the laptop's network can open the app from it in a
    // browser. An installed app (https) cannot use a plain ws:// relay on a local network: those
    // phones sync with each other directly [NEAR-9].
    if (config.host === '0.0.0.0') {
      for (const address of lanAddresses())
        console.log(`Phones on this network can open http://${address}:${port} in a browser`);
      console.log(
        'Phones with Hearth installed sync with each other directly: "Sync with someone here".'
      );
    }
  },
  (e: unknown) => {
    console.error(
      `hearth relay: cannot listen on ${config.host}:${config.port}: ${e instanceof Error ? e.message : String(e)}`
    );
    process.exit(1);
  }
);

// A storage write that fails inside automerge-repo's own timed save (disk full, database
// restarting) surfaces as an unhandled rejection. Nothing is acknowledged from a failed write
// (see OPS-11), so the relay counts it and carries on instead of dying for every client.
process.on('unhandledRejection', (e) => {
  relay.reportError('unhandled', e);
});

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  relay.close().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(
        `hearth relay: error while stopping: ${e instanceof Error ? e.message : String(e)}`
      );
      process.exit(1);
    }
  );
}
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
// Started by `npm start` (scripts/start.mjs), the relay has a channel to it: when that closes,
// the script is gone (even killed with SIGKILL), and the relay stops with it [OPS-17].
if (process.channel) {
  process.on('disconnect', stop);
  process.channel.unref();
}
