import { test, expect, open, cardPrices, jsEnabled } from './helpers';

// These run twice: hydrated, and with JavaScript disabled (plain links and full pages).

test('home shows categories and featured products', async ({ page }) => {
  await open(page, '/');
  await expect(page).toHaveTitle(/Mercato/);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Mercato' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Electronics' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Featured' }).getByTestId('product-card')).toHaveCount(6);
});

test('on a phone the categories fold behind a menu that works without JavaScript', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await open(page, '/');
  const categories = page.getByRole('navigation', { name: 'Categories' });
  await expect(categories.getByRole('link', { name: 'Electronics' })).toBeHidden();
  // The header leaves most of the first screen to the page.
  const header = await page.locator('header').boundingBox();
  expect(header!.height).toBeLessThan(740 / 3);
  await page.locator('header summary', { hasText: 'Menu' }).click();
  await categories.getByRole('link', { name: 'Electronics' }).click();
  await expect(page).toHaveURL(/\/c\/electronics$/);
});

test('browse a category, sort by price and page through it', async ({ page }) => {
  await open(page, '/');
  await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Electronics' }).click();
  await expect(page).toHaveURL(/\/c\/electronics$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Electronics' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Sort products' }).getByRole('link', { name: 'Price: low to high' }).click();
  await expect(page).toHaveURL(/sort=price-asc/);
  await expect(page.getByRole('link', { name: 'Price: low to high' })).toHaveAttribute('aria-current', 'true');
  const first = await cardPrices(page);
  expect(first.length).toBe(12);
  expect([...first].sort((a, b) => a - b)).toEqual(first);

  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByRole('link', { name: 'First page' })).toBeVisible();
  const second = await cardPrices(page);
  expect(second.length).toBeGreaterThan(0);
  expect(Math.min(...second)).toBeGreaterThanOrEqual(Math.max(...first));
});

test('product page: switching a variant updates price, SKU and URL', async ({ page }) => {
  await open(page, '/c/electronics/computers');
  await page.getByRole('link', { name: /^Laptop/ }).first().click();
  await expect(page).toHaveURL(/\/p\/laptop$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Laptop' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Computers' })).toBeVisible();
  await expect(page.getByTestId('price')).toHaveText('$1,299.00');
  await expect(page.getByTestId('sku')).toHaveText('L2201308');
  await expect(page.getByTestId('availability')).toHaveText('In stock');

  await page.getByRole('group', { name: /screen size/i }).getByRole('link', { name: '15 inch' }).click();
  await expect(page).toHaveURL(/variant=L2201508/);
  await expect(page.getByTestId('price')).toHaveText('$1,399.00');
  await expect(page.getByTestId('sku')).toHaveText('L2201508');

  await page.getByRole('group', { name: /RAM/i }).getByRole('link', { name: '16GB' }).click();
  await expect(page.getByTestId('price')).toHaveText('$2,299.00');
  await expect(page.getByTestId('sku')).toHaveText('L2201516');
  await expect(page.getByRole('group', { name: /screen size/i }).getByRole('link', { name: '15 inch' })).toHaveAttribute('aria-current', 'true');
});

test('product photos come in AVIF to a browser that reads it, and are drawn at once', async ({ page }) => {
  await open(page, '/p/laptop');
  const photo = page.locator('main img[fetchpriority="high"]');
  await expect(photo).toBeVisible();
  // Drawn whether its AVIF width is made yet or its WebP stands in for it.
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  expect(await photo.evaluate((img: HTMLImageElement) => img.currentSrc)).toMatch(/\/media\/products\/[0-9a-f]{16}-\d+\.avif$/);
  // The <picture> draws no box of its own: the photo keeps the width and height it declares.
  const box = await photo.boundingBox();
  const ratio = await photo.evaluate((img: HTMLImageElement) => img.width / img.height);
  expect(box!.width / box!.height).toBeCloseTo(ratio, 1);
});

test('unknown pages answer 404 with a way back', async ({ page }) => {
  const response = await open(page, '/p/no-such-product');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to the home page' })).toBeVisible();
});

test('a product page recommends similar products and the home page what is trending', async ({ page }) => {
  await open(page, '/p/laptop');
  const similar = page.getByRole('list', { name: 'Similar products' });
  await expect(similar.getByTestId('product-card').first()).toBeVisible();
  await expect(similar.getByRole('link', { name: /^Laptop\b/ })).toHaveCount(0);
  await similar.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/p\/(?!laptop$)/);

  await open(page, '/');
  // With JavaScript the product page gave the guest a session with what they viewed, so
  // the first list is picked for them; without, they are anyone, and it is what trends.
  const first = page.getByRole('list', { name: jsEnabled() ? 'Picked for you' : 'Trending now' });
  await expect(first.getByTestId('product-card')).toHaveCount(8);
});

test('a guest with JavaScript finds what they viewed on the home page @hydrated', async ({ page }) => {
  // No cart, no account: the buy box tells the shop what was seen, and the guest gets a
  // session for it (kept on the server, a first-party cookie).
  await open(page, '/p/tablet');
  await expect
    .poll(async () => (await page.context().cookies()).some((c) => c.name === 'mercato_session'))
    .toBe(true);
  await open(page, '/p/laptop');
  await open(page, '/');
  const viewed = page.getByRole('list', { name: 'Recently viewed' });
  await expect(viewed.getByRole('link', { name: /^Laptop\b/ })).toBeVisible();
  await expect(viewed.getByRole('link', { name: /^Tablet\b/ })).toBeVisible();
  // The header is still theirs: no cart, not signed in.
  await expect(page.getByTestId('cart-count')).toHaveText('0');
  await expect(page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Sign in' })).toBeVisible();
});
