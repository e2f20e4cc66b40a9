import AxeBuilder from '@axe-core/playwright';
import { test, expect, open, jsEnabled } from './helpers';

// Run hydrated and with JavaScript off: the form and every facet are plain links and GETs.

test('search from the header: highlighted matches and a spelling suggestion', async ({ page }) => {
  await open(page, '/');
  const box = page.getByRole('combobox', { name: 'Search products' });
  await box.fill('lether sofa');
  await box.press('Enter');
  await expect(page).toHaveURL(/\/search\?q=lether(\+|%20)sofa$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Results for “lether sofa”' })).toBeVisible();
  const first = page.getByTestId('product-card').first();
  await expect(first.locator('mark')).toHaveText(['Leather', 'Sofa']);
  await expect(box).toHaveValue('lether sofa');

  await page.getByTestId('did-you-mean').getByRole('link', { name: 'leather sofa' }).click();
  await expect(page).toHaveURL(/q=leather%20sofa/);
  await expect(page.getByRole('heading', { level: 1, name: 'Results for “leather sofa”' })).toBeVisible();
  await expect(page.getByTestId('did-you-mean')).toHaveCount(0);
});

test('facets narrow the results, live in the URL, and the back button restores them', async ({ page }) => {
  await open(page, '/search?q=shoe');
  const cards = page.getByTestId('product-card');
  const all = await cards.count();
  expect(all).toBeGreaterThan(3);
  const filters = page.getByRole('complementary', { name: 'Filters' });

  await filters.getByRole('link', { name: /Adidas \(3\)/ }).click();
  await expect(page).toHaveURL(/brand=adidas/);
  await expect(cards).toHaveCount(3);
  await expect(filters.getByRole('link', { name: /Adidas \(3\)/ })).toHaveAttribute('aria-current', 'true');

  await filters.getByRole('link', { name: /Black/ }).click();
  await expect(page).toHaveURL(/brand=adidas.*attr=color%3ABlack/);
  const black = await cards.count();
  expect(black).toBeLessThan(3);
  expect(black).toBeGreaterThan(0);

  await page.goBack();
  await expect(page).not.toHaveURL(/attr=/);
  await expect(cards).toHaveCount(3);
  await page.goBack();
  await expect(page).not.toHaveURL(/brand=/);
  await expect(cards).toHaveCount(all);
});

test('a search that finds nothing says so and offers a way out', async ({ page }) => {
  await open(page, '/search?q=zzyzx+qwerty&brand=nike');
  await expect(page.getByTestId('result-count')).toHaveText('No products found');
  await page.getByRole('link', { name: 'Search again without filters' }).click();
  await expect(page).toHaveURL(/\/search\?q=zzyzx(%20|\+)qwerty$/);
});

test('a word the shop has nothing for is left out and named, and the rest is found', async ({ page }) => {
  await open(page, '/search?q=leather+sofa+qqzzxx');
  await expect(page.getByTestId('ignored')).toContainText('“qqzzxx”');
  await expect(page.getByTestId('product-card').first()).toContainText('Leather Sofa');
  // A size or a code is never "corrected" into another word.
  await open(page, '/search?q=2x6');
  await expect(page.getByTestId('did-you-mean')).toHaveCount(0);
});

test('@hydrated autocomplete: suggestions as you type, picked with the keyboard', async ({ page }) => {
  test.skip(!jsEnabled(), 'needs JavaScript');
  await open(page, '/');
  const box = page.getByRole('combobox', { name: 'Search products' });
  await box.pressSequentially('cam', { delay: 40 });
  const list = page.getByRole('listbox', { name: 'Suggestions' });
  await expect(list).toBeVisible();
  await expect(box).toHaveAttribute('aria-expanded', 'true');
  // Cameras, whichever come first: several rank close, and the index's segments (built
  // by several threads) can order near ties differently from one start to the next.
  await expect(list.getByRole('option', { name: /Camera/ }).first()).toBeVisible();

  await box.press('ArrowDown');
  const firstOption = list.getByRole('option').first();
  await expect(firstOption).toHaveAttribute('aria-selected', 'true');
  await expect(box).toHaveAttribute('aria-activedescendant', 'search-suggestion-0');
  await box.press('Escape');
  await expect(list).toBeHidden();
  await expect(box).toHaveAttribute('aria-expanded', 'false');

  await box.press('ArrowDown');
  await expect(list).toBeVisible();
  const label = (await firstOption.locator('span').first().textContent()) ?? '';
  await box.press('Enter');
  await expect(page).toHaveURL(/\/p\//);
  await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();

  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
});
