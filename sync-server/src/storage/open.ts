/**
 * Opens the relay's storage [STO-8, STO-10, OPS-13, OPS-15]: PostgreSQL when a database URL is
 * set (several relays may share it), else journaled files; timed for the metrics, sizes kept per
 * document, compaction's removals made lazy on the journal, an empty snapshot never written over
 * a stored one, and closable.
 */
import type { PeerId } from '@automerge/automerge-repo';
import type { RelayConfig } from '../config';
import type { Log } from '../guarded-adapter';
import { closableStorage, timedStorage, type DocumentSizes, type Metrics } from '../metrics';
import { refuseEmptySnapshots } from '../unload';
import { JournaledFileStorage } from './journal';
import { lazyRemovals } from './lazy-removals';
import { PostgresStorageAdapter } from './postgres-storage';

export function openStorage(o: {
  config: RelayConfig;
  peerId: PeerId;
  metrics: Metrics;
  log: Log;
  sizes: DocumentSizes;
}) {
  // PostgreSQL when DATABASE_URL is set (several relays may share it), else files [STO-8].
  const backend = o.config.databaseUrl
    ? new PostgresStorageAdapter(o.config.databaseUrl, o.peerId)
    : new JournaledFileStorage(o.config.dataDir, {
        // A journaled write the chunk files refused (disk full): it is kept and tried again.
        onError: (e) => {
          o.metrics.errors.inc({ kind: 'storage-apply' });
          o.log('storage-apply-error', { reason: e instanceof Error ? e.message : String(e) });
        }
      });
  const timed = timedStorage(backend, o.metrics);
  // With the journal, compaction's removals resolve at once: the journal keeps them in the order
  // they were issued [STO-10]. (PostgreSQL runs statements on a pool, in no promised order.)
  const storage = closableStorage(
    // The snapshot of an empty document is never written over a stored one [OPS-13].
    refuseEmptySnapshots(
      o.sizes.wrap(
        backend instanceof JournaledFileStorage
          ? lazyRemovals(timed, (e) => {
              o.metrics.errors.inc({ kind: 'storage-remove' });
              o.log('storage-remove-error', { reason: e instanceof Error ? e.message : String(e) });
            })
          : timed
      ),
      () => {
        o.metrics.errors.inc({ kind: 'empty-overwrite' });
        o.log('empty-overwrite-refused');
      }
    )
  );
  return { backend, storage };
}
