import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { type Browser, type Page } from '@playwright/test';
import { test, expect, open, jsEnabled, mailed, signUp, uniqueEmail } from './helpers';

// A flash sale with two shoppers in their own browsers: the first is let in, puts the
// unit in the cart at the sale price and lets the hold run out; the second, told every
// unit was taken, joins the waitlist, is promoted when the hold ends (e-mailed and shown
// on the page) and buys. With JavaScript the sale's page updates itself; without, the
// shopper reloads it ("Check again").

const PASSWORD = 'a flash sale password';
const SUCCESS = '4242424242424242';
// Holds last 30 s, the least a sale allows.
test.describe.configure({ timeout: 150_000 });

/** A one-unit sale of `sku` starting now, scheduled the way a merchant does: `server flash schedule`. */
function scheduleSale(sku: string): number {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: this test needs the server under test');
  const ends = new Date(Date.now() + 30 * 60_000).toISOString();
  const out = execFileSync(
    process.env.E2E_SERVER ?? 'target/debug/server',
    ['flash', 'schedule', '--sku', sku, '--price', '1.00', '--from', 'main=1', '--ends', ends,
      '--limit', '1', '--per-minute', '600', '--hold-secs', '30', '--buckets', '1'],
    { cwd: '..', env: { ...process.env, MERCATO_DATA_DIR: dataDir, RUST_LOG: 'error' } },
  ).toString();
  const id = out.match(/flash sale (\d+) scheduled/);
  if (!id) throw new Error(`unexpected answer: ${out}`);
  return Number(id[1]);
}

/** Axe runs in the page, so only where JavaScript does (the no-JS run sees the same markup). */
async function noAxeViolations(page: Page) {
  if (!jsEnabled()) return;
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

async function shopperIn(browser: Browser, name: string): Promise<{ page: Page; email: string }> {
  const context = await browser.newContext({
    javaScriptEnabled: test.info().project.use.javaScriptEnabled !== false,
  });
  const page = await context.newPage();
  const email = uniqueEmail(name);
  await signUp(page, email, PASSWORD);
  return { page, email };
}

/** Waits for the sale's page to show `testId`: by itself with JavaScript, reloading without. */
async function until(page: Page, sale: number, testId: string, timeout: number) {
  if (jsEnabled()) {
    await expect(page.getByTestId(testId)).toBeVisible({ timeout });
    return;
  }
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await page.getByTestId(testId).isVisible()) return;
    if (Date.now() > deadline) throw new Error(`sale ${sale}: the page never showed ${testId}`);
    await page.waitForTimeout(1000);
    await page.getByTestId('check-again').click();
  }
}

async function joinQueue(page: Page, sale: number) {
  await open(page, `/sale/${sale}`);
  await expect(page.getByTestId('sale-price')).toHaveText('$1.00');
  await page.getByRole('button', { name: 'Join the queue' }).click();
  await expect(page.getByTestId('flash')).toContainText('You are in the queue');
}

test('one shopper lets a hold run out and the waitlisted one is promoted and buys', async ({ browser }) => {
  const sku = test.info().project.name === 'no-js' ? 'B07CNGXVXT' : 'B00XI87KV8';
  const sale = scheduleSale(sku);

  const first = await shopperIn(browser, 'first');
  // The product's page announces the sale.
  await open(first.page, test.info().project.name === 'no-js' ? '/p/skipping-rope' : '/p/tripod');
  await expect(first.page.getByTestId('flash-banner')).toContainText('Flash sale');
  await noAxeViolations(first.page);
  await joinQueue(first.page, sale);
  // The turn comes.
  await until(first.page, sale, 'admitted', 20_000);
  await expect(first.page.getByTestId('standing')).toContainText('1 held for you at $1.00');
  await noAxeViolations(first.page);

  // The second arrives after every unit is taken: told at once, joins the waitlist.
  const second = await shopperIn(browser, 'second');
  await joinQueue(second.page, sale);
  await until(second.page, sale, 'sold-out', 20_000);
  await noAxeViolations(second.page);
  await second.page.getByRole('button', { name: 'Join the waitlist' }).click();
  await expect(second.page.getByTestId('waitlisted')).toBeVisible();
  await expect(second.page.getByTestId('standing')).toContainText('0 ahead of you');

  // The first puts the unit in the cart at the sale price, then goes away.
  await first.page.getByRole('button', { name: 'Buy now' }).click();
  await expect(first.page).toHaveURL(/\/checkout$/);
  await expect(first.page.getByTestId('summary-subtotal')).toHaveText('$1.00');

  // The hold runs out: the second is let in, on the page and by e-mail.
  await until(second.page, sale, 'admitted', 60_000);
  await expect(second.page.getByTestId('admitted')).toContainText('Units came back');
  await mailed(second.email, 'Your turn in the flash sale');
  await open(first.page, `/sale/${sale}`);
  await expect(first.page.getByTestId('expired')).toBeVisible();

  // The second buys at the sale price through the normal checkout.
  await second.page.getByRole('button', { name: 'Buy now' }).click();
  await expect(second.page).toHaveURL(/\/checkout$/);
  await expect(second.page.getByTestId('summary-subtotal')).toHaveText('$1.00');
  await second.page.getByLabel('E-mail address').fill(second.email);
  await second.page.getByLabel('Full name').fill('Second Shopper');
  await second.page.getByLabel('Street address').fill('2 High Street');
  await second.page.getByLabel('Town or city').fill('Leeds');
  await second.page.getByLabel('Postcode').fill('LS1 1AA');
  await second.page.getByLabel('Country code').fill('GB');
  await second.page.getByLabel('Card number').fill(SUCCESS);
  await second.page.getByTestId('place-order').click();
  await expect(second.page).toHaveURL(/\/orders\/M-[0-9A-Z]{10}$/);
  await expect(second.page.getByTestId('flash')).toContainText('Thank you! Your order');
  await open(second.page, `/sale/${sale}`);
  await expect(second.page.getByTestId('ordered')).toBeVisible();

  // The first's checkout no longer holds the sale line.
  await open(first.page, '/cart');
  await expect(first.page.getByTestId('cart-count')).toHaveText('0');
  await first.page.context().close();
  await second.page.context().close();
});
