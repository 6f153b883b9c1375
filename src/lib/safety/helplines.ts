import data from './helplines.json';

/**
 * Crisis lines, bundled into the app at build time so they show with no connection [SAFE-14]:
 * Hearth's corrected set (../shared/data/helplines-v2, copied by scripts/bundle-helplines.ts,
 * checked by scripts/helplines-check.ts at every build [SAFE-26]). `dial` is exactly what a phone
 * inside that country dials or texts; the app links to nothing else.
 */
export interface Contact {
  method: 'phone' | 'text' | 'chat' | 'whatsapp';
  /** Digits as dialled in the country (a leading `*` only with `starCode`). */
  dial?: string;
  /** The same digits, grouped for reading. */
  display?: string;
  /** International form, only for numbers reachable from abroad (WhatsApp needs it). */
  e164?: string;
  /** Text lines: the word to send. */
  keyword?: string;
  /** After the call connects, choose this option. */
  menuOption?: string;
  starCode?: boolean;
  tollFree?: boolean;
  url?: string;
  hours: string | null;
  free: boolean | null;
  languages: string[];
  region?: string;
  confidence?: Confidence;
}
export type Confidence = 'high' | 'medium' | 'low';
export interface Helpline {
  id: string;
  name: string;
  category: string;
  website: string | null;
  /** `low`: one weak source only; the panel marks it and lists it last. */
  confidence: Confidence;
  /** YYYY-MM-DD: when the number was last checked against its sources. */
  checkedAt: string;
  /** Where the number was seen (URLs, or `github:owner/repo/path@commit`). */
  sources: string[];
  contacts: Contact[];
}
export interface Country {
  /** The number for an ambulance or any danger to life. */
  emergency: string;
  lines: Helpline[];
}

const COUNTRIES = (data as unknown as { countries: Record<string, Country> }).countries;
const CODES = Object.keys(COUNTRIES).sort();
const RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };

/** Countries the data knows (lines, or at least the emergency number), as ISO 3166 codes. */
export const helplineCountries = (): readonly string[] => CODES;

/** A country's lines, the less certain ones last; none for a country we do not know. */
export const linesFor = (country: string): Helpline[] =>
  [...(COUNTRIES[country.toUpperCase()]?.lines ?? [])].sort(
    (a, b) => RANK[a.confidence] - RANK[b.confidence]
  );

/** The emergency number, when we know it. */
export const emergencyFor = (country: string): string | undefined =>
  COUNTRIES[country.toUpperCase()]?.emergency;

const REGION = /^[A-Z]{2}$/;

/**
 * The country to start with: the one the person chose before (even one we have no lines for —
 * they are told so), else the region of the first browser language that names one ("en-GB" →
 * GB, "es-MX" → MX, "ar-EG" → EG), else none. `fromLocale` says it was only guessed.
 */
export function initialCountry(
  saved: string | null | undefined,
  languages: readonly string[]
): { code: string; fromLocale: boolean } {
  if (saved && REGION.test(saved)) return { code: saved, fromLocale: false };
  for (const tag of languages) {
    const region = tag
      .split(/[-_]/)
      .slice(1)
      .find((p) => /^[A-Za-z]{2}$/.test(p))
      ?.toUpperCase();
    if (region) return { code: region, fromLocale: true };
  }
  return { code: '', fromLocale: false };
}

/** Older than a year on `today` (YYYY-MM-DD): the number may have changed. */
export function isStale(checkedAt: string, today: string): boolean {
  const v = Date.parse(checkedAt);
  const t = Date.parse(today);
  if (Number.isNaN(v) || Number.isNaN(t)) return true;
  return t - v > 365 * 24 * 3600 * 1000;
}

/**
 * The link a button opens, built only from what the data says [SAFE-26]: `tel:<dial>` for a call,
 * `sms:<dial>?body=<keyword>` for a text (the keyword the line asks for as the message), WhatsApp
 * by its international number, a chat by its page. Nothing for a contact with nothing to open.
 */
export function contactHref(c: Contact): string | undefined {
  if (c.method === 'phone' && c.dial) return `tel:${c.dial}`;
  if (c.method === 'text' && c.dial)
    return `sms:${c.dial}${c.keyword ? `?body=${encodeURIComponent(c.keyword)}` : ''}`;
  if (c.method === 'whatsapp' && c.e164) return `https://wa.me/${c.e164.slice(1)}`;
  if (c.method === 'chat' && c.url) return c.url;
  return undefined;
}

/** A host name for a source, to say where a number came from in a few words. */
export function sourceName(source: string): string {
  const gh = /^github:([^/]+\/[^/@]+)/.exec(source);
  if (gh) return `github.com/${gh[1]}`;
  try {
    return new URL(source.split(' ')[0]!).hostname.replace(/^www\./, '');
  } catch {
    return source.slice(0, 40);
  }
}

/** Every ISO 3166-1 alpha-2 region, so anyone can say where they are, lines or not. */
export const ALL_REGIONS = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR ' +
  'BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ ' +
  'EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW ' +
  'GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY ' +
  'KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV ' +
  'MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY ' +
  'QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG ' +
  'TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');
