// The check that refuses a crisis number a phone cannot dial as stored [SAFE-26]. Run by the build
// (a Vite plugin in vite.config.ts stops `vite build` and `vite dev` on any error), by
// `npm run -s helplines:check`, by scripts/bundle-helplines.ts before it writes, and by
// tests/unit/helplines.test.ts. It reads the bundled data (src/lib/safety/helplines.json).
//
// - A number of 7 or more digits is checked with libphonenumber-js (full metadata): it must be a
//   valid number of that country as dialled inside it, and its `e164`, when given, must be a valid
//   E.164 number that is the same number. A few numbers the library does not know are accepted
//   only when listed in EXCEPTIONS below with the reason a person checked them.
// - A short code (3–6 digits) follows the data set's own rules (../shared/data/helplines-v2/
//   README.md): digits only, a leading `*` only with `starCode`, never an `e164` (short codes
//   cannot be reached from abroad); nor can toll-free numbers.
// - The numbers the old data stored as if international (`+55188`, `+44116123`, …) never pass.
// - `display`, the number as the panel shows it in text, must hold exactly the digits dialled.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode
} from 'libphonenumber-js/max';

export interface CheckedContact {
  method: string;
  dial?: string;
  display?: string;
  e164?: string;
  keyword?: string;
  menuOption?: string;
  starCode?: boolean;
  tollFree?: boolean;
  url?: string;
}
export interface CheckedData {
  countries: Record<
    string,
    { emergency: string; lines: { id: string; contacts: CheckedContact[] }[] }
  >;
}

/** Numbers the library does not know, each accepted by a person for a stated reason. */
export const EXCEPTIONS: Record<string, string> = {
  'IQ 80000777':
    "Kurdistan Region toll-free line (8 digits from 8000); libphonenumber-js has no Iraqi toll-free range. Two sources listed with the line give these digits; the data set's own length rule for Iraq accepts 8."
};

/** International forms the previous data gave to domestic short codes: never a dial target. */
export const KNOWN_BAD = [
  '+55188',
  '+44116123',
  '+4485258',
  '+1741741',
  '+1988',
  '+82109',
  '+9114416',
  '+62119',
  '+33333114',
  '+6321553',
  '18002738255'
];

const METHODS = new Set(['phone', 'text', 'chat', 'whatsapp']);

/** Every reason the data is not safe to ship; empty when it is. */
export function checkHelplines(data: CheckedData): string[] {
  const errors: string[] = [];
  const fail = (where: string, why: string) => errors.push(`${where}: ${why}`);
  for (const [cc, country] of Object.entries(data.countries)) {
    if (!/^[A-Z]{2}$/.test(cc)) fail(cc, 'not an ISO 3166-1 alpha-2 code');
    if (!/^\d{2,6}$/.test(country.emergency ?? ''))
      fail(cc, `emergency number "${country.emergency}" must be 2–6 digits`);
    for (const line of country.lines) {
      line.contacts.forEach((c, i) => {
        const at = `${cc}/${line.id}#${i}`;
        if (!METHODS.has(c.method)) return fail(at, `unknown method "${c.method}"`);
        if (c.method === 'chat' && c.dial === undefined) {
          if (!/^https:\/\/\S+$/.test(c.url ?? '')) fail(at, 'a chat needs an https url');
          return;
        }
        const dial = c.dial;
        if (typeof dial !== 'string') return fail(at, 'no number to dial');
        if (KNOWN_BAD.includes(dial) || (c.e164 && KNOWN_BAD.includes(c.e164)))
          fail(at, `"${c.e164 ?? dial}" is a broken number from the old data`);
        if (c.starCode ? !/^\*\d{3,6}$/.test(dial) : !/^\d+$/.test(dial))
          return fail(
            at,
            `dial "${dial}" must be digits only, as dialled in ${cc} (a leading * only with starCode)`
          );
        const digits = dial.replace(/\D/g, '');
        if (c.display === undefined || c.display.replace(/\D/g, '') !== digits)
          fail(at, `display "${c.display}" does not show the digits dialled (${digits})`);
        if (c.keyword !== undefined && (c.method !== 'text' || !/^[A-Z0-9]+$/.test(c.keyword)))
          fail(at, `keyword "${c.keyword}" only on a text line, capital letters and digits`);
        if (c.menuOption !== undefined && !/^\d$/.test(c.menuOption))
          fail(at, `menu option "${c.menuOption}" must be one digit`);
        if (c.method === 'whatsapp' && !c.e164) fail(at, 'a WhatsApp line needs its e164');
        if (digits.length <= 6) {
          if (digits.length < 3) fail(at, `short code "${dial}" has fewer than 3 digits`);
          if (c.e164 !== undefined) fail(at, `short code "${dial}" cannot carry an e164`);
          return;
        }
        if (c.starCode) fail(at, `"${dial}": a star code must be short`);
        const national = parsePhoneNumberFromString(dial, cc as CountryCode);
        const excepted = EXCEPTIONS[`${cc} ${dial}`] !== undefined;
        // Numbers shared by a calling-code area (NANP toll-free 1-800) belong to no one country.
        let code = '';
        try {
          code = getCountryCallingCode(cc as CountryCode);
        } catch {
          // not a country the library knows: the number cannot be checked, so it is refused
        }
        if (!excepted && !(national?.isValid() && national.countryCallingCode === code))
          fail(at, `"${dial}" is not a valid number in ${cc} as stored`);
        if (c.e164 !== undefined) {
          if (c.tollFree) fail(at, `toll-free "${dial}" cannot carry an e164`);
          const intl = /^\+[1-9]\d{6,14}$/.test(c.e164)
            ? parsePhoneNumberFromString(c.e164)
            : undefined;
          if (!intl?.isValid()) fail(at, `e164 "${c.e164}" is not a valid E.164 number`);
          else if (intl.number !== national?.number)
            fail(at, `e164 "${c.e164}" is not the number dialled as "${dial}"`);
        }
      });
    }
  }
  return errors;
}

// `npm run -s helplines:check`: the same check on the bundled file, one line per number refused.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const errors = checkHelplines(
    JSON.parse(readFileSync('src/lib/safety/helplines.json', 'utf8')) as CheckedData
  );
  for (const e of errors) console.error(`helplines: ${e}`);
  console.log(
    errors.length
      ? `helplines: ${errors.length} numbers do not dial as stored`
      : 'helplines: every number dials as stored'
  );
  process.exit(errors.length ? 1 : 0);
}
