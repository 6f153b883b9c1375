import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkHelplines, type CheckedData } from '../../scripts/helplines-check';
import {
  contactHref,
  emergencyFor,
  helplineCountries,
  initialCountry,
  isStale,
  linesFor,
  sourceName,
  type Contact
} from '../../src/lib/safety/helplines';

const bundled = JSON.parse(readFileSync('src/lib/safety/helplines.json', 'utf8')) as CheckedData & {
  checkedAt: string;
};

/** One country with one line holding `contact`, to feed the check. */
const withContact = (cc: string, contact: Record<string, unknown>, emergency = '112') =>
  ({
    countries: {
      [cc]: { emergency, lines: [{ id: `${cc.toLowerCase()}-x`, contacts: [contact] }] }
    }
  }) as unknown as CheckedData;

describe('crisis lines that dial', () => {
  it('[SAFE-26] every bundled number is dialable as stored: the build check finds nothing', () => {
    expect(checkHelplines(bundled)).toEqual([]);
    expect(Object.keys(bundled.countries).length).toBe(44);
    // The corrections the data set exists for.
    const dials = (cc: string) => linesFor(cc).flatMap((l) => l.contacts.map((c) => c.dial));
    expect(dials('BR')).toContain('188');
    expect(dials('GB')).toEqual(expect.arrayContaining(['116123', '85258']));
    expect(dials('US')).toEqual(expect.arrayContaining(['988', '741741']));
    expect(dials('US')).not.toContain('18002738255');
    expect(dials('CA')).toContain('988');
    // Arabic- and Spanish-speaking countries are there.
    for (const cc of ['EG', 'JO', 'LB', 'SA', 'AE', 'QA', 'TN', 'IQ', 'ES', 'AR', 'CO', 'CL', 'PE'])
      expect(linesFor(cc).length).toBeGreaterThan(0);
  });

  it('[SAFE-26] the build check refuses each kind of number a phone cannot dial as stored', () => {
    const refused = (cc: string, c: Record<string, unknown>, emergency?: string) =>
      checkHelplines(withContact(cc, { display: c.dial, ...c }, emergency));
    // The old data's mistakes: short codes stored as international numbers.
    expect(refused('BR', { method: 'phone', dial: '+55188' })).not.toEqual([]);
    expect(refused('GB', { method: 'phone', dial: '116123', e164: '+44116123' })).not.toEqual([]);
    expect(refused('US', { method: 'phone', dial: '18002738255' })).not.toEqual([]);
    // Spaces, dashes, letters, a star without starCode, too short.
    expect(refused('GB', { method: 'phone', dial: '116 123' })).not.toEqual([]);
    expect(refused('US', { method: 'phone', dial: '1-800-273-8255' })).not.toEqual([]);
    expect(refused('CL', { method: 'phone', dial: '*4141' })).not.toEqual([]);
    expect(refused('CL', { method: 'phone', dial: '*4141', starCode: true })).toEqual([]);
    expect(refused('GB', { method: 'phone', dial: '12' })).not.toEqual([]);
    // A long number that is no number of that country, or of a country the library does not know.
    expect(refused('GB', { method: 'phone', dial: '0123456789' })).not.toEqual([]);
    expect(refused('DE', { method: 'phone', dial: '0800111011' })).not.toEqual([]);
    expect(refused('XX', { method: 'phone', dial: '0800111011' })).not.toEqual([]);
    // An e164 that is not the number dialled, or on a toll-free number.
    expect(
      refused('IT', { method: 'phone', dial: '0223272327', e164: '+390223272328' })
    ).not.toEqual([]);
    expect(refused('IT', { method: 'phone', dial: '0223272327', e164: '+390223272327' })).toEqual(
      []
    );
    expect(
      refused('DE', { method: 'phone', dial: '08001110111', e164: '+498001110111', tollFree: true })
    ).not.toEqual([]);
    // Text shown that is not the number dialled; a keyword the line would not read; WhatsApp
    // without its international number; an emergency number that is not one.
    expect(refused('GB', { method: 'phone', dial: '116123', display: '116 124' })).not.toEqual([]);
    expect(refused('US', { method: 'text', dial: '741741', keyword: 'home' })).not.toEqual([]);
    expect(refused('CO', { method: 'whatsapp', dial: '3007548933' })).not.toEqual([]);
    expect(refused('GB', { method: 'phone', dial: '116123' }, '9x9')).not.toEqual([]);
    expect(refused('GB', { method: 'fax', dial: '116123' })).not.toEqual([]);
    expect(refused('GB', { method: 'chat', url: 'javascript:alert(1)' })).not.toEqual([]);
  });

  it('[SAFE-26] the data the app shipped before this check is refused by it', () => {
    // The first version of the bundled data, as it was (numbers stored as `number`).
    const old = {
      countries: {
        BR: {
          emergency: '192',
          lines: [
            { id: 'br-cvv', contacts: [{ method: 'phone', dial: '+55188', display: '+55188' }] }
          ]
        },
        GB: {
          emergency: '999',
          lines: [
            { id: 'gb-s', contacts: [{ method: 'phone', dial: '+44116123', display: '+44116123' }] }
          ]
        }
      }
    } as CheckedData;
    const errors = checkHelplines(old);
    expect(errors.some((e) => e.startsWith('BR/br-cvv#0'))).toBe(true);
    expect(errors.some((e) => e.startsWith('GB/gb-s#0'))).toBe(true);
  });

  it('[SAFE-26] every button opens exactly what the data says: tel:<dial>, sms:<dial>?body=<keyword>', () => {
    let links = 0;
    for (const cc of helplineCountries())
      for (const line of linesFor(cc))
        for (const c of line.contacts) {
          const href = contactHref(c);
          if (c.method === 'phone') expect(href).toBe(`tel:${c.dial}`);
          else if (c.method === 'text')
            expect(href).toBe(`sms:${c.dial}${c.keyword ? `?body=${c.keyword}` : ''}`);
          else if (c.method === 'whatsapp') expect(href).toBe(`https://wa.me/${c.e164!.slice(1)}`);
          else expect(href).toBe(c.url);
          // Never an international form of a short code; the text shows the digits dialled.
          if (c.dial) {
            expect(href).not.toMatch(/^(tel|sms):\+/);
            expect(c.display!.replace(/\D/g, '')).toBe(c.dial.replace(/\D/g, ''));
          }
          links++;
        }
    expect(links).toBeGreaterThan(80);
    const shout = linesFor('GB')
      .flatMap((l) => l.contacts)
      .find((c) => c.dial === '85258');
    expect(contactHref(shout!)).toBe('sms:85258?body=SHOUT');
    const cvv = linesFor('BR')[0]!.contacts[0]!;
    expect(contactHref(cvv)).toBe('tel:188');
    const none: Contact = { method: 'phone', hours: null, free: null, languages: [] };
    expect(contactHref(none)).toBeUndefined();
  });

  it('[SAFE-14] the country: chosen before, else the phone’s region; unknown countries say so', () => {
    expect(initialCountry(null, ['en-GB', 'en'])).toEqual({ code: 'GB', fromLocale: true });
    expect(initialCountry('MX', ['en-GB'])).toEqual({ code: 'MX', fromLocale: false });
    expect(initialCountry(null, ['ar-EG'])).toEqual({ code: 'EG', fromLocale: true });
    expect(initialCountry(null, ['zh-Hant-TW'])).toEqual({ code: 'TW', fromLocale: true });
    // A country with no lines is still the person's country: the panel says we have none yet.
    expect(initialCountry(null, ['en-ZW'])).toEqual({ code: 'ZW', fromLocale: true });
    expect(linesFor('ZW')).toEqual([]);
    expect(emergencyFor('ZW')).toBeUndefined();
    // Morocco: no verified line, but its emergency number.
    expect(linesFor('MA')).toEqual([]);
    expect(emergencyFor('MA')).toBe('15');
    expect(initialCountry('garbage', ['en'])).toEqual({ code: '', fromLocale: false });
    expect(initialCountry(null, [])).toEqual({ code: '', fromLocale: false });
  });

  it('[SAFE-14] each line says where it came from and when it was checked; doubtful lines come last', () => {
    for (const cc of helplineCountries())
      for (const line of linesFor(cc)) {
        expect(line.checkedAt).toBe(bundled.checkedAt);
        expect(line.sources.length).toBeGreaterThan(0);
        for (const s of line.sources) expect(sourceName(s).length).toBeGreaterThan(3);
      }
    const mx = linesFor('MX');
    expect(mx.map((l) => l.confidence)).toEqual(['high', 'low']);
    expect(sourceName('https://www.samaritans.org/how-we-can-help/')).toBe('samaritans.org');
    expect(sourceName('github:Kouki-odaka/open-helplines/data/x.json@abc')).toBe(
      'github.com/Kouki-odaka/open-helplines'
    );
    expect(isStale('2026-12-06', '2027-06-01')).toBe(false);
    expect(isStale('2025-06-02', '2026-12-06')).toBe(true);
    expect(isStale('not a date', '2026-12-06')).toBe(true);
  });
});
