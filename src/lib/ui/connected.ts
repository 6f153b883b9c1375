import { app } from '$lib/state/app.svelte';

/**
 * Whether this phone is talking to a relay right now, so "saved" can say "on its way" instead of
 * "when you are connected" (said while online, that sentence confused people) [A11Y-2].
 */
export function online(): boolean {
  return app.syncStatus === 'synced' || app.syncStatus === 'syncing';
}
