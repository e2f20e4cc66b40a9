import { type Page } from '@playwright/test';
import { test, expect, jsEnabled, open, signUp as signUpWith, uniqueEmail } from './helpers';

// These run twice: hydrated (forms update in place) and with JavaScript off (plain form
// posts, redirected back with a one-time message).

const PASSWORD = 'correct horse battery';

async function cartCount(page: Page): Promise<string> {
  return (await page.getByTestId('cart-count').textContent()) ?? '';
}

async function addToCart(page: Page, path: string, quantity = '1') {
  await open(page, path);
  await page.getByLabel('Quantity').fill(quantity);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByText('Added to your cart.')).toBeVisible();
}

async function signUp(page: Page, email: string) {
  await signUpWith(page, email, PASSWORD);
}

async function signIn(page: Page, email: string) {
  await open(page, '/account/sign-in');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account$/);
}

test('a guest fills a cart, signs up, and the cart is still there', async ({ page }) => {
  await open(page, '/p/laptop');
  await expect(page.getByTestId('cart-count')).toHaveText('0');
  await page.getByRole('link', { name: '15 inch' }).click();
  await expect(page.getByTestId('sku')).toHaveText('L2201508');
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByText('Added to your cart.')).toBeVisible();
  await expect(page.getByTestId('cart-count')).toHaveText('2');

  await signUp(page, uniqueEmail('guest'));
  await expect(page.getByTestId('cart-count')).toHaveText('2');
  await open(page, '/cart');
  const line = page.getByTestId('cart-line');
  await expect(line).toHaveCount(1);
  await expect(line).toContainText('Laptop');
  await expect(line).toContainText('15 inch');
  await expect(page.getByTestId('cart-subtotal')).toHaveText('$2,798.00');
});

test('quantities change and lines go, with clear errors for bad quantities', async ({ page }) => {
  await addToCart(page, '/p/laptop');
  await open(page, '/cart');
  if (jsEnabled()) await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
  const quantity = page.getByLabel('Quantity of Laptop');
  await quantity.fill('3');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByTestId('line-total')).toHaveText('$3,897.00');
  await expect(page.getByTestId('cart-count')).toHaveText('3');

  // 25 is past the per-line limit: the browser's own check is bypassed to reach the server.
  await page.getByLabel('Quantity of Laptop').evaluate((el) => el.removeAttribute('max'));
  await page.getByLabel('Quantity of Laptop').fill('25');
  await page.getByRole('button', { name: 'Update' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The most you can buy of one item is 20.' })).toBeVisible();
  await expect(page.getByTestId('line-total')).toHaveText('$3,897.00');

  await page.getByRole('button', { name: 'Remove Laptop' }).click();
  await expect(page.getByTestId('cart-empty')).toBeVisible();
  await expect(page.getByTestId('cart-count')).toHaveText('0');
  if (jsEnabled()) {
    // All of it happened in place.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
  }
});

test('a cart line shows its photo, its details and its total side by side', async ({ page }) => {
  await addToCart(page, '/p/laptop');
  await open(page, '/cart');
  const line = page.getByTestId('cart-line');
  const [row, photo, title, total] = await Promise.all([
    line.boundingBox(),
    line.locator('img').boundingBox(),
    line.getByRole('link', { name: 'Laptop' }).boundingBox(),
    line.getByTestId('line-total').boundingBox(),
  ]);
  if (!row || !photo || !title || !total) throw new Error('a part of the cart line is not drawn');
  // The photo starts the row, the details follow it, the total ends it, on one line.
  expect(photo.x - row.x).toBeLessThan(2);
  expect(photo.x + photo.width).toBeLessThanOrEqual(title.x);
  expect(total.x).toBeGreaterThan(title.x);
  expect(total.y).toBeLessThan(photo.y + photo.height);
});

test('the buy box says why an add is refused, and adds nothing', async ({ page }) => {
  await open(page, '/p/tablet');
  if (jsEnabled()) await page.evaluate(() => ((window as unknown as { marker: number }).marker = 9));
  // Past the per-line limit: the browser's own check is bypassed to reach the server.
  await page.getByLabel('Quantity').evaluate((el) => el.removeAttribute('max'));
  await page.getByLabel('Quantity').fill('25');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByText('The most you can buy of one item is 20.')).toBeVisible();
  await expect(page.getByTestId('cart-count')).toHaveText('0');
  if (jsEnabled()) {
    // Told in place, beside the form, and the button is ready for another try.
    await expect(page.getByTestId('cart-message')).toContainText('The most you can buy of one item is 20.');
    await expect(page.getByRole('button', { name: 'Add to cart' })).toBeEnabled();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(9);
  }
  await open(page, '/cart');
  await expect(page.getByTestId('cart-empty')).toBeVisible();
});

test('signing in from a second browser merges the carts', async ({ page, browser }) => {
  const email = uniqueEmail('merge');
  await signUp(page, email);
  await addToCart(page, '/p/laptop', '1');

  const other = await browser.newContext({ javaScriptEnabled: jsEnabled() });
  const second = await other.newPage();
  await addToCart(second, '/p/tablet', '2');
  await signIn(second, email);
  await expect(second.getByTestId('cart-count')).toHaveText('3');
  await open(second, '/cart');
  await expect(second.getByTestId('cart-line')).toHaveCount(2);
  await other.close();

  // The first browser sees the merged cart too.
  await open(page, '/cart');
  await expect(page.getByTestId('cart-line')).toHaveCount(2);
  expect(await cartCount(page)).toBe('3');
});

test('a customer cannot open another customer\'s account', async ({ page, browser }) => {
  const ada = uniqueEmail('ada');
  await signUp(page, ada);

  const other = await browser.newContext({ javaScriptEnabled: jsEnabled() });
  const stranger = await other.newPage();
  await stranger.goto('/account');
  await expect(stranger).toHaveURL(/\/account\/sign-in$/);
  const bob = uniqueEmail('bob');
  await signUp(stranger, bob);
  await open(stranger, '/account');
  await expect(stranger.getByTestId('account-email')).toContainText(bob);
  await expect(stranger.getByText(ada)).toHaveCount(0);
  await other.close();
});
