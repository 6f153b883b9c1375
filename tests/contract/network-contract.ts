import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  Repo,
  type DocHandle,
  type NetworkAdapterInterface,
  type PeerId,
  type PeerMetadata,
  type StorageId
} from '@automerge/automerge-repo/slim';

/**
 * The one contract every network adapter of Hearth meets [NEAR-2]: automerge-repo's own acceptance
 * cases (sync between two and three repos, broadcast, peer metadata, disconnect, no sending after
 * disconnect, reconnect) and Hearth's (a change far larger than one data-channel message, many
 * changes in a burst). No test framework inside: the same cases run under Vitest in Node (the
 * worker's MessagePort link, the WebSocket adapters the app and relay use) and in Chromium over
 * real RTCDataChannels (tests/e2e/network-contract.spec.ts).
 */

type Network = NetworkAdapterInterface[];

export interface NetworkSetup {
  /**
   * Three peers, each with the adapters that reach the two others. For adapters that link two
   * peers, the first adapter of the first and second peers are the two ends of one link.
   */
  adapters: [Network, Network, Network];
  teardown?: () => void | Promise<void>;
}

export interface ContractCase {
  name: string;
  run(setup: () => Promise<NetworkSetup>): Promise<void>;
}

interface TestDoc {
  foo?: string;
  big?: string;
  n?: number;
}

const alice = 'alice' as PeerId;
const bob = 'bob' as PeerId;
const charlie = 'charlie' as PeerId;

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`contract: ${what}`);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `emitter` emits `event` (optionally one that matches), or fails after `ms`. */
function once<T = unknown>(
  emitter: {
    once(e: string, f: (x: T) => void): unknown;
    off(e: string, f: (x: T) => void): unknown;
  },
  event: string,
  ms = 10_000
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, done);
      reject(new Error(`contract: no ${event} within ${ms} ms`));
    }, ms);
    const done = (x: T) => {
      clearTimeout(timer);
      resolve(x);
    };
    emitter.once(event, done);
  });
}

/** Waits until `test` holds, checking every 20 ms, or fails after `ms`. */
async function until(test: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`contract: ${what} within ${ms} ms`);
    await pause(20);
  }
}

/** Runs `body` with a fresh setup and always tears it down and shuts the repos. */
async function withSetup(
  setup: () => Promise<NetworkSetup>,
  body: (a: Network, b: Network, c: Network, repos: Repo[]) => Promise<void>
): Promise<void> {
  const { adapters, teardown } = await setup();
  const repos: Repo[] = [];
  try {
    await body(adapters[0], adapters[1], adapters[2], repos);
  } finally {
    for (const r of repos)
      try {
        await r.shutdown();
      } catch {
        // An adapter the case disconnected already may refuse a second disconnect.
      }
    await teardown?.();
  }
}

async function findSoon(repo: Repo, url: Parameters<Repo['find']>[0]) {
  for (let i = 0; ; i++)
    try {
      return await repo.find<TestDoc>(url);
    } catch (e) {
      if (i >= 20) throw e;
      await pause(100);
    }
}

/** Waits until every repo has met a peer (each adapter connects in its own time). */
const connected = (repos: Repo[]) =>
  until(() => repos.every((r) => r.peers.length > 0), 'every repo meets a peer');

function repoOf(repos: Repo[], network: Network, peerId: PeerId): Repo {
  const repo = new Repo({ network, peerId, sharePolicy: () => Promise.resolve(true) });
  repos.push(repo);
  return repo;
}

async function syncTwo(x: Network, y: Network, repos: Repo[]) {
  const aliceRepo = repoOf(repos, x, alice);
  const bobRepo = repoOf(repos, y, bob);
  await connected(repos);
  const aliceHandle = aliceRepo.create<TestDoc>();
  const bobHandle = await findSoon(bobRepo, aliceHandle.url);
  aliceHandle.change((d) => {
    d.foo = 'bar';
  });
  await until(() => bobHandle.doc().foo === 'bar', 'bob receives alice’s change');
  bobHandle.change((d) => {
    d.foo = 'baz';
  });
  await until(() => aliceHandle.doc().foo === 'baz', 'alice receives bob’s change');
}

export const networkContract: ContractCase[] = [
  {
    name: 'syncs two repos, each way, whichever adapter starts',
    async run(setup) {
      await withSetup(setup, (a, b, _c, repos) => syncTwo(a, b, repos));
      await withSetup(setup, (a, b, _c, repos) => syncTwo(b, a, repos));
    }
  },
  {
    name: 'syncs three repos',
    async run(setup) {
      await withSetup(setup, async (a, b, c, repos) => {
        const aliceRepo = repoOf(repos, a, alice);
        const bobRepo = repoOf(repos, b, bob);
        const charlieRepo = repoOf(repos, c, charlie);
        await connected(repos);
        const aliceHandle = aliceRepo.create<TestDoc>();
        const bobHandle = await findSoon(bobRepo, aliceHandle.url);
        // automerge-repo 2.5: when bob asked charlie for the document first, charlie's own find
        // can answer "unavailable" once; the next find gets it from bob.
        const charlieHandle = await findSoon(charlieRepo, aliceHandle.url);
        aliceHandle.change((d) => {
          d.foo = 'bar';
        });
        await until(
          () => bobHandle.doc().foo === 'bar' && charlieHandle.doc().foo === 'bar',
          'bob and charlie receive the change'
        );
        charlieHandle.change((d) => {
          d.foo = 'baz';
        });
        await until(
          () => aliceHandle.doc().foo === 'baz' && bobHandle.doc().foo === 'baz',
          'alice and bob receive charlie’s change'
        );
      });
    }
  },
  {
    name: 'broadcasts an ephemeral message',
    async run(setup) {
      await withSetup(setup, async (a, b, c, repos) => {
        const aliceRepo = repoOf(repos, a, alice);
        repoOf(repos, b, bob);
        const charlieRepo = repoOf(repos, c, charlie);
        await pause(100);
        const aliceHandle = aliceRepo.create<TestDoc>();
        const charlieHandle = await charlieRepo.find<TestDoc>(aliceHandle.url);
        await pause(100);
        const received = once<{ message: unknown }>(charlieHandle as never, 'ephemeral-message');
        aliceHandle.broadcast({ presence: 'alice' });
        const { message } = await received;
        check(
          JSON.stringify(message) === JSON.stringify({ presence: 'alice' }),
          'charlie receives alice’s broadcast as sent'
        );
      });
    }
  },
  {
    name: 'says who connected, with the peer’s metadata',
    async run(setup) {
      await withSetup(setup, async (x, y) => {
        const a = x[0]!;
        const b = y[0]!;
        const candidate = once<{ peerId: PeerId; peerMetadata: PeerMetadata }>(
          b as never,
          'peer-candidate'
        );
        b.connect('b' as PeerId, { storageId: 'b' as StorageId });
        a.connect('a' as PeerId, { storageId: 'a' as StorageId });
        const seen = await candidate;
        check(seen.peerId === 'a', `peer id a (was ${seen.peerId})`);
        check(seen.peerMetadata.storageId === 'a', 'storage id a');
        a.disconnect();
        b.disconnect();
      });
    }
  },
  {
    name: 'tells both repos when one side disconnects',
    async run(setup) {
      await withSetup(setup, async (x, y, _z, repos) => {
        const left = x[0]!;
        const right = y[0]!;
        const leftRepo = repoOf(repos, [left], 'left' as PeerId);
        const rightRepo = repoOf(repos, [right], 'right' as PeerId);
        await until(
          () => leftRepo.peers.length > 0 && rightRepo.peers.length > 0,
          'both see a peer'
        );
        const gone = Promise.all([
          once(leftRepo.networkSubsystem as never, 'peer-disconnected'),
          once(rightRepo.networkSubsystem as never, 'peer-disconnected')
        ]);
        left.disconnect();
        await gone;
      });
    }
  },
  {
    name: 'sends nothing after disconnecting',
    async run(setup) {
      await withSetup(setup, async (x, y, _z, repos) => {
        const left = x[0]!;
        const right = y[0]!;
        const leftRepo = repoOf(repos, [left], 'left' as PeerId);
        const rightRepo = repoOf(repos, [right], 'right' as PeerId);
        await until(
          () => leftRepo.peers.length > 0 && rightRepo.peers.length > 0,
          'both see a peer'
        );
        const disconnected = once(right as never, 'peer-disconnected');
        left.disconnect();
        await disconnected;
        let received = false;
        right.on('message', (m) => {
          if (m.senderId === 'left') received = true;
        });
        const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
        left.send({
          type: 'foo',
          data: new Uint8Array([1, 2, 3]),
          documentId,
          senderId: 'left' as PeerId,
          targetId: 'right' as PeerId
        });
        await pause(100);
        check(!received, 'nothing arrives from a disconnected adapter');
      });
    }
  },
  {
    name: 'connects again after disconnecting',
    async run(setup) {
      await withSetup(setup, async (x, y, _z, repos) => {
        const left = x[0]!;
        const right = y[0]!;
        repoOf(repos, [left], 'left' as PeerId);
        const rightRepo = repoOf(repos, [right], 'right' as PeerId);
        await until(() => rightRepo.peers.length > 0, 'right sees left');
        left.disconnect();
        await pause(20);
        const again = once(left as never, 'peer-candidate');
        left.connect('left' as PeerId);
        await again;
      });
    }
  },
  {
    name: 'carries a change larger than one data-channel message (1 MiB) whole',
    async run(setup) {
      await withSetup(setup, async (a, b, _c, repos) => {
        const aliceRepo = repoOf(repos, a, alice);
        const bobRepo = repoOf(repos, b, bob);
        const big = Array.from({ length: 1 << 20 }, (_, i) =>
          String.fromCharCode(97 + ((i * 7919) % 26))
        ).join('');
        const aliceHandle = aliceRepo.create<TestDoc>();
        aliceHandle.change((d) => {
          d.big = big;
        });
        await connected(repos);
        const bobHandle = await findSoon(bobRepo, aliceHandle.url);
        await until(() => bobHandle.doc().big === big, 'bob holds the whole 1 MiB text', 30_000);
      });
    }
  },
  {
    name: 'a burst of 200 changes each way ends with both repos equal',
    async run(setup) {
      await withSetup(setup, async (a, b, _c, repos) => {
        const aliceRepo = repoOf(repos, a, alice);
        const bobRepo = repoOf(repos, b, bob);
        const aliceHandle = aliceRepo.create<{ log: string[] }>({ log: [] });
        await connected(repos);
        const bobHandle = (await findSoon(bobRepo, aliceHandle.url)) as unknown as DocHandle<{
          log: string[];
        }>;
        for (let i = 0; i < 200; i++) {
          aliceHandle.change((d) => {
            d.log.push(`a${i}`);
          });
          bobHandle.change((d) => {
            d.log.push(`b${i}`);
          });
        }
        await until(
          () =>
            aliceHandle.doc().log.length === 400 &&
            JSON.stringify(aliceHandle.doc().log) === JSON.stringify(bobHandle.doc().log),
          'both hold the same 400 items',
          30_000
        );
      });
    }
  }
];
