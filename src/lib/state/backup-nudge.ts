import { app } from './app.svelte';

/**
 * Whether the person has made a backup, and how often they said "Not now" to the reminder
 * [BAK-1]. Per person on a shared phone.
 */
export interface NudgeState {
  done: boolean;
  dismissed: number;
}

const KEY = 'backup-nudge';

export async function backupNudge(): Promise<NudgeState> {
  const v = (
    await app
      .store()
      .then((db) => db.settings.get(app.personKey(KEY)))
      .catch(() => undefined)
  )?.value as Partial<NudgeState> | undefined;
  return {
    done: v?.done === true,
    dismissed: typeof v?.dismissed === 'number' ? v.dismissed : 0
  };
}

async function save(n: NudgeState): Promise<NudgeState> {
  await app
    .store()
    .then((db) => db.settings.put({ key: app.personKey(KEY), value: n }))
    .catch(() => undefined);
  return n;
}

export async function dismissBackupNudge(): Promise<NudgeState> {
  const n = await backupNudge();
  return save({ ...n, dismissed: n.dismissed + 1 });
}

/** A backup was taken away from the app (saved as a file, or shown as text or QR code). */
export async function backupMade(): Promise<void> {
  const n = await backupNudge();
  if (!n.done) await save({ ...n, done: true });
}
