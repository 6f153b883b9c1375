import data from './helplines.json';

/**
 * Crisis lines, bundled into the app at build time (open-helplines, CC0) so they show with no
 * connection [SAFE-14]. Each line carries the date it was last verified; the panel says so, and
 * warns when that date is more than a year old.
 */
export interface Contact {
  /** `phone`, `text` or `chat` in today's data; other methods are shown without a link. */
  method: string;
  number: string;
  hours?: string;
  free?: boolean;
  languages?: string[];
}
export interface Helpline {
  id: string;
  name: string;
  category: string;
  contacts: Contact[];
  website?: string;
  verifiedAt: string;
}

const COUNTRIES = (data as { countries: Record<string, Helpline[]> }).countries;

const CODES = Object.keys(COUNTRIES).sort();

/** Countries that have lines, as ISO 3166 codes ("GB"), in order. */
export const helplineCountries = (): readonly string[] => CODES;

export const linesFor = (country: string): Helpline[] => COUNTRIES[country.toUpperCase()] ?? [];

/**
 * The country to start with: the one chosen before, else the region of the first browser
 * language that names one we have lines for ("en-GB" → GB, "es-MX" → MX), else none.
 */
export function initialCountry(
  saved: string | null | undefined,
  languages: readonly string[]
): string {
  if (saved && COUNTRIES[saved]) return saved;
  for (const tag of languages) {
    const region = tag.split(/[-_]/)[1]?.toUpperCase();
    if (region && COUNTRIES[region]) return region;
  }
  return '';
}

/** Older than a year on `today` (YYYY-MM-DD): the number may have changed. */
export function isStale(verifiedAt: string, today: string): boolean {
  const v = Date.parse(verifiedAt);
  const t = Date.parse(today);
  if (Number.isNaN(v) || Number.isNaN(t)) return true;
  return t - v > 365 * 24 * 3600 * 1000;
}

/** A link the phone can act on: `tel:` for calls, `sms:` for texts. */
export function contactHref(c: Contact): string | undefined {
  const n = c.number.replace(/[^\d+]/g, '');
  if (!n) return undefined;
  if (c.method === 'phone') return `tel:${n}`;
  if (c.method === 'text') return `sms:${n}`;
  return undefined;
}
