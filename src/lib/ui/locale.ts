import { getLocale, overwriteGetLocale, type Locale } from '$lib/paraglide/runtime.js';

/**
 * The reader's language, read once per page load [I18N-1]. Paraglide's own `getLocale` looks at
 * the address and at storage again for every message shown — on a slow phone, a list of a few
 * dozen decisions spent most of a 300 ms frame there. Choosing a language reloads the page, so
 * reading it once is enough.
 */
export function rememberLocale(): void {
  if (typeof window === 'undefined') return;
  const locale: Locale = getLocale();
  overwriteGetLocale(() => locale);
}
