import { expect, test, type Browser, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { createGroup, createIdentity, SCREENSHOTS, shot, tab } from './helpers';

interface Data {
  countries: Record<
    string,
    {
      emergency: string;
      lines: {
        id: string;
        contacts: {
          method: string;
          dial?: string;
          keyword?: string;
          e164?: string;
          url?: string;
        }[];
      }[];
    }
  >;
}
const data = JSON.parse(readFileSync('src/lib/safety/helplines.json', 'utf8')) as Data;

/**
 * A person on a phone whose settings say `locale`, in a new group's Support tab, with the app in
 * `lang` (set up in English, then switched, as a person would in Settings).
 */
async function composer(browser: Browser, locale: string, lang: string) {
  const context = await browser.newContext({ locale, viewport: { width: 360, height: 640 } });
  await context.addInitScript(() => {
    if (!localStorage.getItem('PARAGLIDE_LOCALE')) localStorage.setItem('PARAGLIDE_LOCALE', 'en');
  });
  const page = await context.newPage();
  await createIdentity(page, 'Sam');
  await createGroup(page, 'Night circle');
  await tab(page, 'Support');
  if (lang !== 'en') {
    await page.evaluate((l) => localStorage.setItem('PARAGLIDE_LOCALE', l), lang);
    await page.reload();
  }
  const field = page.locator('#st-text');
  await expect(field).toBeVisible();
  return { context, page, field };
}

/** The on-screen keyboard: the phone keeps 340 of its 640 px for the page. */
async function keyboardUp(page: Page) {
  await page.setViewportSize({ width: 360, height: 340 });
}

async function expectInView(page: Page, testId: string) {
  const box = await page.getByTestId(testId).boundingBox();
  const vv = await page.evaluate(() => ({
    top: window.visualViewport!.offsetTop,
    height: window.visualViewport!.height
  }));
  expect(box, `${testId} is on screen`).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(vv.top - 1);
  expect(box!.y).toBeLessThan(vv.top + vv.height);
  return box!;
}

const CASES = [
  {
    lang: 'en',
    locale: 'en-GB',
    country: 'GB',
    words: 'I can’t do this any more. I want to die.',
    call: /^Call\s+116123$/
  },
  {
    lang: 'es',
    locale: 'es-ES',
    country: 'ES',
    words: 'No puedo más. Quiero morirme esta noche.',
    call: /^Llamar al\s+024$/
  },
  {
    lang: 'ar',
    locale: 'ar-EG',
    country: 'EG',
    words: 'لم اعد احتمل. اريد ان اموت.',
    call: /^اتصل بـ\s+16328$/
  }
];

for (const c of CASES)
  test(`[SAFE-27] [SAFE-14] (${c.lang}) with the keyboard up the panel opens where the eyes are, above the keyboard, without taking the cursor; announced politely; every control 44 px`, async ({
    browser
  }) => {
    test.setTimeout(90_000);
    const { context, page, field } = await composer(browser, c.locale, c.lang);
    await field.click();
    await keyboardUp(page);
    await field.pressSequentially(c.words, { delay: 5 });
    const panel = page.getByTestId('crisis-panel');
    await expect(panel).toBeVisible();
    // Polite announcement, and the cursor stays in the composer.
    await expect(page.getByTestId('crisis-announce')).toHaveAttribute('aria-live', 'polite');
    await expect(page.getByTestId('crisis-announce')).not.toBeEmpty();
    await expect(field).toBeFocused();
    // The panel's top and its first call button are inside the visible area above the keyboard.
    await expectInView(page, 'crisis-panel');
    const first = panel.getByTestId('crisis-contact').first();
    await expect(first).toBeInViewport();
    // The line being written is visible too, above the panel.
    const f = (await field.boundingBox())!;
    const p = (await panel.boundingBox())!;
    expect(f.y + 20).toBeLessThanOrEqual(p.y);
    // The phone's country, offered from its settings; its number as text, left to right.
    await expect(panel.getByTestId('crisis-country')).toHaveValue(c.country);
    await expect(panel.getByTestId('crisis-country-guessed')).toBeVisible();
    await expect(first).toHaveText(c.call);
    await expect(first.locator('bdi')).toHaveAttribute('dir', 'ltr');
    // What the person sees: the screen above the keyboard, not the whole page.
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/crisis-panel-keyboard-${c.lang}.png` });
    // Every control is at least 44 px each way.
    for (const el of await panel.locator('a, button, select, summary').all()) {
      if (!(await el.isVisible())) continue;
      await el.scrollIntoViewIfNeeded();
      const b = (await el.boundingBox())!;
      expect(b.height, `${await el.textContent()} height`).toBeGreaterThanOrEqual(44);
      expect(b.width, `${await el.textContent()} width`).toBeGreaterThanOrEqual(44);
    }
    // A tap on a control in the panel leaves the cursor in the composer.
    await panel.locator('summary').last().click();
    await expect(field).toBeFocused();
    await context.close();
  });

test('[SAFE-28] the app in English, the words in Spanish or Arabic: the panel opens all the same', async ({
  browser
}) => {
  test.setTimeout(90_000);
  const { context, page, field } = await composer(browser, 'en-US', 'en');
  for (const words of [
    'quiero suicidarme esta noche',
    'أريد الانتحار',
    'tengo un plan',
    'لدي خطة'
  ]) {
    await field.fill('');
    await expect(page.getByTestId('crisis-panel')).toHaveCount(0);
    await field.fill(words);
    await expect(page.getByTestId('crisis-panel'), words).toBeVisible();
  }
  await context.close();
});

test('[SAFE-26] [SAFE-14] every button in the panel opens exactly what the data says, in every country; an unknown country is told so calmly', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const { context, page, field } = await composer(browser, 'en-ZW', 'en');
  await field.fill('I want to die');
  const panel = page.getByTestId('crisis-panel');
  await expect(panel).toBeVisible();
  // Zimbabwe: no lines, no emergency number we could check; a calm line and the chooser.
  await expect(panel.getByTestId('crisis-country')).toHaveValue('ZW');
  await expect(panel.getByTestId('crisis-no-lines')).toContainText(
    "We don't have crisis lines for Zimbabwe yet"
  );
  await expect(panel.getByTestId('crisis-emergency-unknown')).toBeVisible();
  await expect(panel.getByTestId('crisis-contact')).toHaveCount(0);
  await shot(page, 'crisis-panel-unknown-country');
  // The countries we have lines for and the person's own are offered; "not listed" shows all.
  const select = panel.getByTestId('crisis-country');
  await expect(select.locator('option')).toHaveCount(44 + 3);
  await select.selectOption('*');
  await expect(select).toHaveValue('ZW');
  expect(await select.locator('option').count()).toBeGreaterThan(240);
  await select.selectOption('FJ');
  await expect(panel.getByTestId('crisis-no-lines')).toContainText('Fiji');
  for (const [cc, country] of Object.entries(data.countries)) {
    await panel.getByTestId('crisis-country').selectOption(cc);
    const want = country.lines.flatMap((l) =>
      l.contacts.flatMap((k) => {
        const href =
          k.method === 'phone'
            ? `tel:${k.dial}`
            : k.method === 'text'
              ? `sms:${k.dial}${k.keyword ? `?body=${k.keyword}` : ''}`
              : k.method === 'whatsapp'
                ? `https://wa.me/${k.e164!.slice(1)}`
                : k.url;
        return href ? [`${l.id} ${href}`] : [];
      })
    );
    const got = await panel
      .getByTestId('crisis-contact')
      .evaluateAll((as) => as.map((a) => `${a.dataset.line} ${a.getAttribute('href')}`));
    expect(got.sort(), cc).toEqual(want.sort());
    if (country.lines.length === 0)
      await expect(panel.getByTestId('crisis-no-lines'), cc).toBeVisible();
    await expect(panel.getByTestId('crisis-emergency'), cc).toContainText(country.emergency);
  }
  // Low-confidence lines are marked; the chosen country is kept for next time.
  await panel.getByTestId('crisis-country').selectOption('MX');
  await expect(panel.locator('[data-confidence="low"]').getByTestId('crisis-low')).toBeVisible();
  await expect(panel.getByTestId('crisis-country-guessed')).toHaveCount(0);
  await page.reload();
  await page.locator('#st-text').fill('I want to die');
  await expect(page.getByTestId('crisis-country')).toHaveValue('MX');
  await context.close();
});
