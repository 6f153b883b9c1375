/**
 * Small choices this phone keeps for the person, outside any group document: whether numbers in a
 * group start hidden [SAFE-19], which check-in requests a responder was already told of [SAFE-24],
 * when the crisis panel first opened for the 24-hour check-in [SAFE-20], and the country whose
 * crisis lines to show. The one place the app reads or writes `localStorage`. Storage that is
 * blocked (private mode, a locked-down browser) or full never breaks a screen: a read gives the
 * default, a write that fails holds for this visit only (the caller keeps its own state).
 */
import { followUpKey, readSeenAt } from '$lib/safety/followup';

function get(key: string): string | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** False when the storage refused it (blocked or full). */
function set(key: string, value: string | null): boolean {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

const numbersKey = (group: string) => `hearth.hideNumbers.${group}`;

/** The person's own choice on numbers in this group; undefined: the group's default. */
export function hideNumbersChoice(group: string): boolean | undefined {
  const saved = get(numbersKey(group));
  return saved === null ? undefined : saved === '1';
}
export function setHideNumbers(group: string, on: boolean): boolean {
  return set(numbersKey(group), on ? '1' : '0');
}

const CARE_SEEN_KEPT = 50;

/**
 * Of the check-in requests `ids` in this group, the ones this phone had not told the person of
 * yet; they count as told from now on (the last 50 are remembered).
 */
export function takeUnseenCareRequests(documentId: string, ids: string[]): string[] {
  const key = `hearth.careSeen.${documentId}`;
  let seen: string[] = [];
  try {
    const parsed: unknown = JSON.parse(get(key) ?? '[]');
    if (Array.isArray(parsed)) seen = parsed.filter((x): x is string => typeof x === 'string');
  } catch {
    seen = [];
  }
  const fresh = ids.filter((id) => !seen.includes(id));
  if (fresh.length > 0) set(key, JSON.stringify([...seen, ...fresh].slice(-CARE_SEEN_KEPT)));
  return fresh;
}

/** When the crisis panel first opened for this person (ms), if it did and is not answered. */
export function crisisSeenAt(personKey: string): number | null {
  return readSeenAt(get(followUpKey(personKey)));
}
/** Notes the first opening of the crisis panel for this person; later openings change nothing. */
export function noteCrisisSeen(personKey: string, at: number): void {
  if (get(followUpKey(personKey)) === null) set(followUpKey(personKey), String(at));
}
/** The person answered the check-in: it is not asked again. */
export function clearCrisisSeen(personKey: string): void {
  set(followUpKey(personKey), null);
}

const COUNTRY_KEY = 'hearth.crisisCountry';
/** The country the person chose for crisis lines, if they chose one. */
export function crisisCountry(): string | null {
  return get(COUNTRY_KEY);
}
export function setCrisisCountry(code: string): boolean {
  return set(COUNTRY_KEY, code);
}
