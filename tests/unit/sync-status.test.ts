import { syncWords } from '../../src/lib/ui/words';
import { describe, expect, it } from 'vitest';
import { sameHeads, syncStatus, type SyncStatus } from '../../src/lib/core/sync/status';

describe('sync status', () => {
  const base = { online: true, connected: true, failedAttempts: 0, documentInSync: undefined };

  it('[SYNC-1] offline wins over everything', () => {
    expect(syncStatus({ ...base, online: false })).toBe('offline');
    expect(syncStatus({ ...base, online: false, connected: false, failedAttempts: 9 })).toBe(
      'offline'
    );
  });

  it('[SYNC-1] not connected: connecting at first, unreachable after repeated failures', () => {
    expect(syncStatus({ ...base, connected: false, failedAttempts: 0 })).toBe('connecting');
    expect(syncStatus({ ...base, connected: false, failedAttempts: 1 })).toBe('connecting');
    expect(syncStatus({ ...base, connected: false, failedAttempts: 2 })).toBe('unreachable');
  });

  it('[SYNC-1] connected: syncing until the open document matches the relay', () => {
    expect(syncStatus({ ...base, documentInSync: false })).toBe('syncing');
    expect(syncStatus({ ...base, documentInSync: true })).toBe('synced');
    expect(syncStatus(base)).toBe('synced');
  });

  it('[SYNC-1] every status has a label and a reassuring detail', () => {
    for (const s of ['offline', 'connecting', 'syncing', 'synced', 'unreachable'] as SyncStatus[]) {
      const d = syncWords(s);
      expect(d.label.length).toBeGreaterThan(0);
      expect(d.detail.length).toBeGreaterThan(0);
    }
    expect(syncWords('unreachable').detail).toMatch(/safe/);
  });

  it('[SYNC-1] heads compare as sets', () => {
    expect(sameHeads(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameHeads(['a'], ['a', 'b'])).toBe(false);
    expect(sameHeads([], [])).toBe(true);
  });
});
