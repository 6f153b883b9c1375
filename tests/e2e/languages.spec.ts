import { expect, test } from '@playwright/test';
import { expectNoViolations, shot } from './helpers';

test('[I18N-1] [I18N-2] Arabic, chosen on the first screen: the whole app reads right to left, in Arabic, and passes axe', async ({
  page
}) => {
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('ar');
  // The choice reloads the app in Arabic, right to left.
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(page.getByRole('heading', { name: 'أهلًا بك في Hearth' })).toBeVisible();
  await expectNoViolations(page, 'welcome (ar)');
  await shot(page, 'welcome-ar');

  await page.getByLabel('بأي اسم تحب أن تناديك مجموعتك؟').fill('نور');
  await page.getByRole('button', { name: 'متابعة' }).click();
  await expect(page.getByRole('heading', { name: 'مرحبًا، نور' })).toBeVisible();
  await expectNoViolations(page, 'home (ar)');

  await page.getByTestId('start-group').click();
  await page.getByLabel('اسم المجموعة').fill('دائرة الأربعاء');
  await expectNoViolations(page, 'start a group (ar)');
  await shot(page, 'new-group-ar');
  await page.getByRole('button', { name: 'أنشئ المجموعة' }).click();
  await expect(page.getByTestId('group-name')).toHaveText('دائرة الأربعاء');
  // The starting rules were written in the founder's language.
  await expect(page.getByTestId('rules')).toContainText('لغة داعمة');
  await expect(page.getByRole('navigation', { name: 'المجموعة' })).toContainText('القرارات');
  await expectNoViolations(page, 'group home (ar)');
  // Nothing pushes the page sideways (a left-offset skip link once widened every RTL page).
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  ).toBeLessThanOrEqual(0);
  await shot(page, 'group-ar');
  // Layout really mirrors: the group tabs start at the right edge.
  const nav = await page.getByRole('navigation', { name: 'المجموعة' }).boundingBox();
  const first = await page
    .getByRole('navigation', { name: 'المجموعة' })
    .getByRole('link')
    .first()
    .boundingBox();
  expect(first!.x + first!.width).toBeGreaterThan(nav!.x + nav!.width - 40);

  await page.getByRole('link', { name: 'القرارات' }).click();
  await page.getByLabel('صِفه').fill('نلتقي في الحديقة');
  await page.getByRole('button', { name: 'ابدأ التصويت' }).click();
  await expect(page.getByTestId('proposal-item').first()).toContainText('نلتقي في الحديقة');
  await expectNoViolations(page, 'decisions (ar)');
  await page.getByTestId('proposal-item').first().getByRole('link').click();
  await expect(page.getByTestId('tally')).toContainText('الأعضاء الذين صوّتوا: 0 من 1');
  // Time left with Arabic's own plurals (Intl), never "6 يوم" [#24].
  await expect(page.getByTestId('tally')).toContainText(
    /يُغلق التصويت بعد (7 أيام|6 أيام و23 ساعة)/
  );
  await expectNoViolations(page, 'proposal (ar)');
  await shot(page, 'proposal-ar');
});

test('[I18N-1] Spanish from Settings, and back to English', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('What should your group call you?').fill('Lucía');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('es');
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.getByRole('heading', { name: 'Ajustes', level: 1 })).toBeVisible();
  await page.getByRole('link', { name: 'Grupos' }).click();
  await expect(page.getByRole('heading', { name: 'Hola, Lucía' })).toBeVisible();
  await expect(page.getByText('Todavía no estás en ningún grupo')).toBeVisible();
  await shot(page, 'home-es');
  await page.getByRole('link', { name: 'Ajustes' }).click();
  await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
});
