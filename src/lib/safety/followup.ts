/**
 * The 24-hour check-in [SAFE-20]. When the crisis panel opens for someone, the phone notes the
 * time (on the device only, per person); a day later Hearth asks how they are, in the app — and
 * as a notification if they have allowed notifications. It never tells anyone else.
 */
const FOLLOW_UP_AFTER_MS = 24 * 3600 * 1000;
/** After a week unanswered the question is dropped: it would no longer be about that night. */
const FOLLOW_UP_EXPIRES_MS = 7 * 24 * 3600 * 1000;

export const followUpKey = (personKey: string): string => `hearth.followUp.${personKey}`;

export function followUpDue(seenAt: number | null, now: number): boolean {
  if (seenAt === null || !Number.isFinite(seenAt)) return false;
  const age = now - seenAt;
  return age >= FOLLOW_UP_AFTER_MS && age < FOLLOW_UP_EXPIRES_MS;
}

/** Reads the stored time; anything unreadable counts as none. */
export function readSeenAt(raw: string | null): number | null {
  if (raw === null) return null;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : null;
}
