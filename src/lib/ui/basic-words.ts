import { PASSCODE_MIN, type PasscodeProblem } from '$core/crypto/passcode-rules';
import { PSEUDONYM_MAX, PSEUDONYM_MIN, type PseudonymError } from '$core/identity/pseudonym';
import type { SyncStatus } from '$core/sync/status';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';

/**
 * The few words the first screens need (the sync indicator, the welcome and passcode forms), kept
 * apart from words.ts so the first render does not load every sentence of the app [I18N-1].
 */

/** One formatter per language: making one costs far more than using it (lists call this often). */
const formats = new Map<string, Intl.NumberFormat>();

/** Whole numbers in the reader's digits (Arabic-Indic in Arabic). */
export function num(n: number): string {
  const locale = getLocale();
  // Small whole numbers read the same in English and Spanish without a formatter (which is slow
  // enough to matter on a list of decisions on a slow phone); Arabic needs its own digits.
  if (locale !== 'ar' && Number.isInteger(n) && n > -1000 && n < 1000) return String(n);
  let f = formats.get(locale);
  if (!f) formats.set(locale, (f = new Intl.NumberFormat(locale)));
  return f.format(n);
}

export function pseudonymErrorWords(e: PseudonymError): string {
  if (e === 'too-short') return m.pseudonym_too_short({ min: num(PSEUDONYM_MIN) });
  if (e === 'too-long') return m.pseudonym_too_long({ max: num(PSEUDONYM_MAX) });
  return m.pseudonym_invalid();
}

/** What a new passcode needs, in words [KEY-1]. */
export function passcodeProblemWords(p: PasscodeProblem): string {
  return p === 'too-short'
    ? m.passcode_too_short({ min: num(PASSCODE_MIN) })
    : m.passcode_mismatch();
}

/** Calm, plain words for each sync status; nothing here should sound like an alarm [SYNC-1]. */
export function syncWords(status: SyncStatus): { label: string; detail: string } {
  switch (status) {
    case 'offline':
      return { label: m.sync_offline(), detail: m.sync_offline_detail() };
    case 'connecting':
      return { label: m.sync_connecting(), detail: m.sync_connecting_detail() };
    case 'syncing':
      return { label: m.sync_syncing(), detail: m.sync_syncing_detail() };
    case 'synced':
      return { label: m.sync_synced(), detail: m.sync_synced_detail() };
    case 'unreachable':
      return { label: m.sync_unreachable(), detail: m.sync_unreachable_detail() };
  }
}
