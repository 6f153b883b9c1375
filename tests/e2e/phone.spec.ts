import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import {
  SCREENSHOTS,
  createGroup,
  createIdentity,
  makeInvite,
  openProposal,
  propose,
  tab
} from './helpers';

/**
 * Phone first [A11Y-2]: a 360×640 phone held in one hand, touch, device scale 2. On every main
 * screen what the person came for starts in the top half, every tap target outside running text
 * is 44×44 px or more (measured in the page, not assumed), and nothing is wider than the screen.
 * With the keyboard up the composer stays above it, and Reply takes the person to the composer.
 */
test.use({
  viewport: { width: 360, height: 640 },
  hasTouch: true,
  isMobile: true,
  deviceScaleFactor: 2
});

const HALF = 320;

/** What a person can tap that is smaller than 44×44 px (links inside running text excepted). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const selector = 'a[href], button, select, textarea, summary, input:not([type="hidden"])';
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      if (el.closest('.skip, .visually-hidden, [hidden], [inert]')) continue;
      if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      // A checkbox or radio is tapped through its label.
      const target =
        el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')
          ? (el.closest('label') ?? el)
          : el;
      // WCAG 2.5.5's inline exception: a link inside a sentence is as tall as the sentence.
      if (el.tagName === 'A') {
        const block = el.parentElement;
        const own = (el.textContent ?? '').trim();
        const around = (block?.textContent ?? '').trim();
        if (block && around.length > own.length && getComputedStyle(el).display === 'inline')
          continue;
      }
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.height < 44 || box.width < 44) {
        const name = (target.getAttribute('aria-label') ?? target.textContent ?? '').trim();
        out.push(
          `${target.tagName.toLowerCase()} "${name.slice(0, 40)}" ${Math.round(box.width)}×${Math.round(box.height)}`
        );
      }
    }
    return out;
  });
}

/** The page is no wider than the screen: nothing to scroll sideways, no text cut off. */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** Where the screen's own content begins: after the group's sections, or main's first child. */
async function contentTop(page: Page): Promise<number> {
  return page.evaluate(() => {
    const tabs = document.querySelector('main .tabs-row');
    const first = tabs ? tabs.nextElementSibling : document.querySelector('main > *');
    return first ? first.getBoundingClientRect().top + window.scrollY : Infinity;
  });
}

async function phoneScreen(page: Page, name: string, opts: { top?: number } = {}) {
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync(SCREENSHOTS, { recursive: true });
  // What the person sees first, not the whole page.
  await page.screenshot({ path: `${SCREENSHOTS}/phone-${name}.png` });
  expect(await smallTargets(page), `${name}: tap targets under 44×44 px`).toEqual([]);
  expect(await overflow(page), `${name}: wider than the screen`).toBeLessThanOrEqual(0);
  const top = opts.top ?? (await contentTop(page));
  expect(top, `${name}: content starts in the top half`).toBeLessThan(HALF);
}

test('[A11Y-2] every main screen at 360×640: content in the top half, every tap target 44 px, nothing wider than the screen', async ({
  page
}) => {
  test.setTimeout(150_000);
  await createIdentity(page, 'Noor');
  await phoneScreen(page, 'home-first');
  await page.goto('/new');
  await expect(page.getByLabel('Group name')).toBeVisible();
  await phoneScreen(page, 'new-group');
  await createGroup(page, 'Anxiety peer circle');
  await phoneScreen(page, 'group-home');
  await page.goto('/');
  await expect(page.getByTestId('group-list')).toBeVisible();
  await phoneScreen(page, 'groups');
  await page.goBack();

  await tab(page, 'Support');
  await expect(page.getByLabel('Title')).toBeVisible();
  await phoneScreen(page, 'support');
  await page.getByLabel('Title').fill('Hard evenings');
  await page.getByLabel('First post').fill('The bus again tonight. My hands would not stop.');
  await page.getByRole('button', { name: 'Start the conversation' }).click();
  await expect(page.getByTestId('post')).toHaveCount(1);
  const title = page.locator('#thread-title');
  await phoneScreen(page, 'thread', {
    top: await title.evaluate((e) => e.getBoundingClientRect().top + window.scrollY)
  });

  await propose(page, 'Meet on Thursdays at nine.');
  await phoneScreen(page, 'decisions');
  await openProposal(page, 'Thursdays');
  await phoneScreen(page, 'proposal');
  for (const [t, name] of [
    ['People', 'people'],
    ['Activity', 'activity'],
    ['Health & research', 'health']
  ] as const) {
    await tab(page, t);
    await expect(page.locator('main nav.tabs [aria-current="page"]')).toHaveText(t);
    // The current section is in view in the row, scrolled sideways if need be.
    await expect(page.locator('main nav.tabs [aria-current="page"]')).toBeInViewport({
      ratio: 0.98
    });
    await phoneScreen(page, name);
    // The activity log says when each thing was written.
    if (name === 'activity')
      await expect(page.getByTestId('activity-time').first()).toHaveText(/now|second|minute/);
  }
  await makeInvite(page);
  await expect(page.locator('main nav.tabs [aria-current="page"]')).toBeInViewport({ ratio: 0.98 });
  await phoneScreen(page, 'invite');

  await page.goto('/safety-plan');
  await expect(page.getByTestId('safety-plan')).toBeVisible();
  await phoneScreen(page, 'safety-plan');
  await page.goto('/settings');
  await expect(page.getByTestId('key-fingerprint')).toBeVisible();
  await phoneScreen(page, 'settings');
});

test('[A11Y-2] with the keyboard up the composer stays above it; Reply and Write take the person to the composer, cursor in it', async ({
  page
}) => {
  test.setTimeout(120_000);
  await createIdentity(page, 'Sam');
  await createGroup(page, 'Night circle');
  await tab(page, 'Support');
  await page.getByLabel('Title').fill('Hard evenings');
  await page
    .getByLabel('First post')
    .fill(Array.from({ length: 12 }, (_, i) => `Line ${i + 1} of a long first post.`).join('\n'));
  await page.getByRole('button', { name: 'Start the conversation' }).click();
  await expect(page.getByTestId('post')).toHaveCount(1);
  const composer = page.getByLabel('Your post', { exact: true });

  // Reply: the composer is on screen, says to whom, and has the cursor.
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(composer).not.toBeInViewport();
  await page.getByTestId('post').getByRole('button', { name: 'Reply' }).click();
  await expect(composer).toBeFocused();
  await expect(composer).toBeInViewport({ ratio: 1 });
  await expect(page.locator('#compose-title')).toContainText('Replying to');

  // Write, from the top of the conversation.
  await composer.blur();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.getByTestId('write-jump').click();
  await expect(composer).toBeFocused();
  await expect(composer).toBeInViewport({ ratio: 1 });

  // The keyboard comes up (the phone keeps 340 of its 640 px): the whole field stays visible.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await composer.focus();
  await page.evaluate(() => window.scrollTo(0, 0));
  await composer.focus();
  await page.setViewportSize({ width: 360, height: 340 });
  await expect
    .poll(async () => {
      const box = await composer.boundingBox();
      return box ? box.y >= 0 && box.y + box.height <= 340 : false;
    })
    .toBe(true);
  await composer.pressSequentially('Still here.', { delay: 5 });
  await expect(composer).toHaveValue('Still here.');
  await expect(composer).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: `${SCREENSHOTS}/phone-keyboard-composer.png` });
});

test('[A11Y-2] [I18N-2] in Arabic and Spanish the same screens fit: one row of sections, 44 px targets, nothing wider than the screen', async ({
  browser
}) => {
  test.setTimeout(120_000);
  for (const lang of ['ar', 'es']) {
    const context = await browser.newContext({
      viewport: { width: 360, height: 640 },
      hasTouch: true,
      isMobile: true,
      deviceScaleFactor: 2
    });
    await context.addInitScript((l) => {
      if (!localStorage.getItem('PARAGLIDE_LOCALE')) localStorage.setItem('PARAGLIDE_LOCALE', l);
    }, lang);
    const page = await context.newPage();
    await page.goto('/');
    await page.locator('#pseudonym').fill('Noor');
    await page.locator('#pseudonym').press('Enter');
    await expect(page.getByTestId('start-group')).toBeVisible();
    await page.getByTestId('start-group').click();
    await page.locator('#g-name').fill('دائرة');
    await page.locator('#g-name').press('Enter');
    await expect(page.getByTestId('group-name')).toHaveText('دائرة');
    await phoneScreen(page, `group-home-${lang}`);
    // The last section, reached along the row: in view, the page not widened.
    // The row fades at the end it goes on to; at its far end, at the start instead.
    const row = page.locator('main .tabs-row');
    await expect(row).toHaveClass(/more-end/);
    await expect(row).not.toHaveClass(/more-start/);
    const sections = page.locator('main nav.tabs a');
    await sections.last().click();
    await expect(row).toHaveClass(/more-start/);
    await expect(row).not.toHaveClass(/more-end/);
    await expect(sections.last()).toHaveAttribute('aria-current', 'page');
    await expect(sections.last()).toBeInViewport({ ratio: 0.98 });
    await phoneScreen(page, `invite-${lang}`);
    await page.goto('/settings');
    await expect(page.getByTestId('key-fingerprint')).toBeVisible();
    await phoneScreen(page, `settings-${lang}`);
    await context.close();
  }
});

test('[A11Y-2] a name field says how long the name is against its limit as it is typed, counted as the check counts (an emoji is one)', async ({
  page
}) => {
  await page.goto('/');
  const field = page.getByLabel('What should your group call you?');
  const count = page.locator('#pseudonym-count');
  await field.fill('Noor');
  await expect(count).toHaveText('');
  await field.fill('🌙'.repeat(30));
  await expect(count).toHaveText('30 of 32 characters');
  await expect(count).toHaveClass(/hint/);
  // The field takes up to twice the limit in UTF-16 units (an emoji is two), so the count says
  // it is too long before the check does.
  await field.fill('Noor'.repeat(8) + 'x');
  await expect(count).toHaveText('33 of 32 characters');
  await expect(count).toHaveClass(/error/);
  await expect(field).toHaveAttribute('aria-describedby', /pseudonym-count/);
  await field.fill('🌙'.repeat(32));
  await expect(count).toHaveText('32 of 32 characters');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: /^Hi, / })).toBeVisible();
});
