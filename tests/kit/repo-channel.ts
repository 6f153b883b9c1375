import type { Repo } from '@automerge/automerge-repo';
import { serveRepo } from '../../src/lib/adapters/doc-service';
import { hearthOf } from '../../src/lib/adapters/repo';
import { connectRepo, type HearthRepo } from '../../src/lib/adapters/repo-client';

/**
 * The page's view of a repo across a real MessageChannel, as the app talks to its worker
 * (ADR 0018): the same messages, structured-cloned, in order. Close it when done.
 */
export async function repoOverChannel(repo: Repo): Promise<HearthRepo & { close(): void }> {
  const channel = new MessageChannel();
  // Node keeps a process alive while a port listens; these ports must not.
  for (const port of [channel.port1, channel.port2])
    (port as unknown as { unref?: () => void }).unref?.();
  serveRepo(channel.port2, () => Promise.resolve(hearthOf(repo as never)));
  const hearth = await connectRepo(channel.port1, [], () => undefined);
  return {
    ...hearth,
    close: () => {
      channel.port1.close();
      channel.port2.close();
    }
  };
}
