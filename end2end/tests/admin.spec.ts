import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Browser, type Page } from '@playwright/test';
import { test, expect, open, jsEnabled, mailed, mailedLink, signUp, uniqueEmail } from './helpers';

// The merchant's admin: the door (password, then two-step sign-in), staff and their
// groups, invitations, disabling an account, and the audit log with its export. Admin
// pages are plain forms, so each test runs hydrated and with JavaScript off alike.

const PASSWORD = 'a long admin password';
test.describe.configure({ timeout: 90_000 });

const HOSTILE = '<img src=x onerror="window.__pwned=1">"><script>window.__pwned=1</script>';

/** Makes `email` an administrator the way a merchant does: `server create-admin`. */
function createAdmin(email: string) {
  const dataDir = process.env.E2E_DATA_DIR;
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set: the admin tests need the server under test');
  execFileSync(process.env.E2E_SERVER ?? 'target/debug/server', ['create-admin', '--email', email], {
    cwd: '..',
    input: `${PASSWORD}\n`,
    env: { ...process.env, MERCATO_DATA_DIR: dataDir, RUST_LOG: 'error' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** RFC 6238 code for a base32 key, `stepOffset` steps from now. */
function totp(secret: string, stepOffset = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/[\s=]/g, '').toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + stepOffset));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}

/** Axe runs in the page, so only where JavaScript does (the no-JS run sees the same markup). */
async function noAxeViolations(page: Page) {
  if (!jsEnabled()) return;
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

async function signIn(page: Page, email: string, password = PASSWORD) {
  const r = await open(page, '/admin');
  expect(r?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Sign in to the admin' })).toBeVisible();
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A new administrator, signed in with two-step sign-in set up; returns its recovery codes. */
async function adminSignedIn(page: Page, email: string): Promise<{ secret: string; codes: string[] }> {
  createAdmin(email);
  await signIn(page, email);
  await expect(page.getByRole('heading', { name: 'Set up two-step sign-in' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code of the two-step sign-in key' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
  const codes = (await page.getByTestId('recovery-codes').locator('li').allTextContents()).map((c) => c.trim());
  expect(codes.length).toBeGreaterThanOrEqual(8);
  await noAxeViolations(page);
  await page.getByLabel('The code the app shows now').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
  await expect(page.getByTestId('flash')).toContainText('Two-step sign-in is on');
  await expect(page.getByRole('heading', { name: 'Admin', exact: true })).toBeVisible();
  return { secret, codes };
}

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    javaScriptEnabled: test.info().project.use.javaScriptEnabled !== false,
  });
  return context.newPage();
}

test('an administrator signs in with a second step, and again with a recovery code once', async ({ page }) => {
  const email = uniqueEmail('owner');
  const { codes } = await adminSignedIn(page, email);
  const nav = page.getByRole('navigation', { name: 'Admin' });
  await expect(nav.getByRole('link', { name: 'Staff' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Audit log' })).toBeVisible();
  await noAxeViolations(page);

  // Signed out and in again: the password alone is not enough.
  await nav.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, email);
  await expect(page.getByRole('heading', { name: 'Two-step sign-in' })).toBeVisible();
  await noAxeViolations(page);
  const r = await page.goto('/admin/staff');
  expect(r?.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Two-step sign-in' })).toBeVisible();

  await page.getByLabel(/recovery code/).fill('000000');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('flash')).toContainText(/code/i);
  await page.getByLabel(/recovery code/).fill(codes[0]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('flash')).toContainText('Signed in with a recovery code');
  await expect(nav.getByRole('link', { name: 'Staff' })).toBeVisible();

  // That recovery code is spent.
  await nav.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, email);
  await page.getByLabel(/recovery code/).fill(codes[0]);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Two-step sign-in' })).toBeVisible();
  await expect(page.getByTestId('flash')).toBeVisible();
});

test('invited staff see only what their groups open, and a disabled account is out at once', async ({ page, browser }) => {
  const owner = uniqueEmail('owner');
  await adminSignedIn(page, owner);
  const hire = uniqueEmail('hire');

  const r = await open(page, '/admin/staff');
  expect(r?.status()).toBe(200);
  await noAxeViolations(page);
  const invite = page.getByRole('form', { name: 'Invite someone' });
  await invite.getByLabel('E-mail address').fill(hire);
  await invite.getByLabel('Catalog').check();
  await invite.getByRole('button', { name: 'Send the invitation' }).click();
  await expect(page.getByTestId('flash')).toContainText('Invitation sent');

  // The invited person opens the e-mailed link in their own browser.
  const theirs = await freshPage(browser);
  const link = await mailedLink(hire, 'You are invited to the Mercato admin');
  await open(theirs, link);
  await noAxeViolations(theirs);
  await theirs.getByLabel('Your name').fill(HOSTILE);
  await theirs.getByLabel('Password').fill('the hire password');
  await theirs.getByRole('button', { name: 'Join' }).click();
  await expect(theirs.getByTestId('flash')).toContainText('Welcome to the staff');
  const nav = theirs.getByRole('navigation', { name: 'Admin' });
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Staff' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  const closed = await theirs.goto('/admin/staff');
  expect(closed?.status()).toBe(403);
  await expect(theirs.getByRole('heading', { name: 'No access' })).toBeVisible();
  // The link is spent.
  await open(theirs, link);
  await theirs.getByLabel('Password').fill('the hire password');
  await theirs.getByRole('button', { name: 'Join' }).click();
  await expect(theirs.getByTestId('flash')).toContainText(/invitation/i);

  // Their name is shown as text on the staff page, never as markup.
  await open(page, '/admin/staff');
  const row = page.getByTestId('staff-row').filter({ hasText: hire.toLowerCase() });
  await expect(row).toContainText(HOSTILE);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Disabled by the administrator: their next page is the sign-in panel.
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByTestId('flash')).toBeVisible();
  await expect(page.getByTestId('staff-row').filter({ hasText: hire.toLowerCase() })).toContainText('Disabled');
  const out = await theirs.goto('/admin');
  expect(out?.status()).toBe(401);
  await expect(theirs.getByRole('heading', { name: 'Sign in to the admin' })).toBeVisible();
  await theirs.getByLabel('E-mail address').fill(hire);
  await theirs.getByLabel('Password').fill('the hire password');
  await theirs.getByRole('button', { name: 'Sign in' }).click();
  await expect(theirs.getByTestId('flash')).toContainText('disabled');
  await theirs.context().close();
});

test('the audit log shows who did what, filters, and exports as CSV', async ({ page }) => {
  const owner = uniqueEmail('owner');
  await adminSignedIn(page, owner);
  await open(page, '/admin/staff');
  const group = page.getByRole('form', { name: 'New group' });
  // (A group's name is at most 80 characters.)
  const name = `<b>${Date.now()}</b><script>window.__pwned=1</script>`;
  await group.getByLabel("New group's name").fill(name);
  await group.getByLabel('Orders').check();
  await group.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByTestId('flash')).toContainText('Group saved');

  const r = await open(page, `/admin/audit?actor=${encodeURIComponent(owner)}`);
  expect(r?.status()).toBe(200);
  await noAxeViolations(page);
  const rows = page.getByTestId('audit-row');
  // The values are shown as JSON text: the markup is there, quotes escaped, and inert.
  const created = rows.filter({ hasText: 'staff_group.create' });
  await expect(created).toContainText(name);
  await expect(rows.filter({ hasText: 'staff.two_step_on' })).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // Filtering by action, through the form.
  await page.getByLabel('Action').fill('staff_group.create');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=staff_group.create/);
  await expect(rows).toHaveCount(1);

  // The export is a download of the same entries, the markup a harmless cell.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('audit-log.csv');
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv.split('\n')[0]).toContain('action');
  expect(csv).toContain('staff_group.create');
  expect(csv).toContain(owner.toLowerCase());
  expect(csv).not.toContain('staff.two_step_on');
});

test('a shopper who opens the admin is told it is closed to them', async ({ page }) => {
  const r = await open(page, '/admin/audit');
  expect(r?.status()).toBe(401);
  await noAxeViolations(page);
  const missing = await page.goto('/admin/no-such-page');
  expect(missing?.status()).toBe(401);
});

test('the dashboard shows its figures, charts with their tables, every period, and the history import', async ({ page }) => {
  await adminSignedIn(page, uniqueEmail('owner'));
  await expect(page.getByTestId('metric')).toHaveCount(7);
  await expect(page.getByRole('img', { name: /^Revenue, Last 30 days, against/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Orders, Last 30 days, against/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: 'Last 12 months' }).click();
  await expect(page).toHaveURL(/period=12m/);
  await expect(page.getByRole('heading', { name: /^Last 12 months in [A-Z]{3}$/ })).toBeVisible();
  await page.getByText('Revenue, Last 12 months, against the 12 months before as a table').click();
  await expect(page.getByTestId('revenue-chart').locator('tbody tr')).toHaveCount(12);
  await noAxeViolations(page);

  // The shop's first start queued the import of the shipped order history (job 1).
  const r = await open(page, '/admin/jobs/1');
  expect(r?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'Importing the order history' })).toBeVisible();
  await expect(page.getByTestId('job-progress')).toBeVisible();
  await noAxeViolations(page);
});

test('orders: the list filters by status and finds by number, and an order reads whole', async ({ page }) => {
  test.setTimeout(240_000);
  await adminSignedIn(page, uniqueEmail('owner'));
  // The shipped history is imported in the background after the shop's first start: a
  // full first page of delivered orders comes with it (another test's one delivered
  // order may show before).
  const rows = page.getByTestId('order-row');
  await expect(async () => {
    await open(page, '/admin/orders?status=delivered');
    await expect(rows).toHaveCount(50, { timeout: 1_000 });
  }).toPass({ timeout: 200_000, intervals: [3_000] });
  await noAxeViolations(page);
  await expect(rows.first()).toContainText('Delivered');
  await expect(page.getByRole('link', { name: 'Older orders' })).toBeVisible();

  // The last of the 50 newest is the imported history's: the newest may be one another
  // test is refunding at the same moment.
  const number = (await rows.last().getByRole('link').textContent())!.trim();
  const search = page.getByRole('form', { name: 'Filter the orders' });
  await search.getByLabel('Status').selectOption('');
  await search.getByLabel('Order number or e-mail').fill(number.toLowerCase());
  await search.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await rows.first().getByRole('link', { name: number }).click();
  await expect(page.getByRole('heading', { name: `Order ${number}` })).toBeVisible();
  await expect(page.getByTestId('order-lines').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('order-payments').locator('tbody tr').first()).toContainText('captured');
  await expect(page.getByTestId('order-timeline').locator('li').first()).toContainText('Awaiting payment');
  await expect(page.getByTestId('order-timeline').locator('li').last()).toContainText('Delivered');
  // An imported order never went through checkout's risk checks.
  await expect(page.getByTestId('order-risk')).toContainText('Not assessed');
  await noAxeViolations(page);
});

/** A guest's paid order of two laptops, placed in its own browser: its number. */
async function guestOrder(browser: Browser, email: string): Promise<string> {
  const shopper = await freshPage(browser);
  await open(shopper, '/p/laptop');
  await shopper.getByLabel('Quantity').fill('2');
  await shopper.getByRole('button', { name: 'Add to cart' }).click();
  await expect(shopper.getByText('Added to your cart.')).toBeVisible();
  await open(shopper, '/checkout');
  await shopper.getByLabel('E-mail address').fill(email);
  await shopper.getByLabel('Full name').fill('Ada Shopper');
  await shopper.getByLabel('Street address').fill('1 High Street');
  await shopper.getByLabel('Town or city').fill('Leeds');
  await shopper.getByLabel('Postcode').fill('LS1 1AA');
  await shopper.getByLabel('Country code').fill('GB');
  await shopper.getByLabel('Card number').fill('4242424242424242');
  await shopper.getByTestId('place-order').click();
  await expect(shopper).toHaveURL(/\/orders\/M-[0-9A-Z]{10}$/);
  const number = (await shopper.getByTestId('order-number').textContent())!.trim();
  await shopper.context().close();
  return number;
}

test('a delivered order is refunded in part through the provider, with stock back and the customer e-mailed', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const email = uniqueEmail('refunded');
  const number = await guestOrder(browser, email);
  await adminSignedIn(page, uniqueEmail('owner'));
  // Fulfilment packs, ships and delivers it in the background.
  await expect(async () => {
    await open(page, `/admin/orders/${number}`);
    await expect(page.getByTestId('order-summary')).toContainText('Delivered', { timeout: 1_000 });
  }).toPass({ timeout: 120_000, intervals: [2_000] });
  // Checkout assessed it: a first order from a new buyer, nothing unusual.
  await expect(page.getByTestId('order-risk')).toContainText('Low risk');
  await noAxeViolations(page);

  const refund = page.getByRole('form', { name: 'Refund' });
  await refund.getByLabel(/not refunded/).selectOption({ label: '1' });
  await refund.getByLabel('Returned items go back to').selectOption('main');
  await refund.getByLabel('Reason').fill(HOSTILE);
  await refund.getByRole('button', { name: 'Refund through the payment provider' }).click();
  await expect(page.getByTestId('flash')).toContainText('Refund given.');
  await expect(page.getByTestId('order-summary')).toContainText('Partly refunded');
  // The provider's record: half of the $3,117.60 paid came back.
  await expect(page.getByTestId('order-payments').locator('tbody tr').first()).toContainText('$1,558.80');
  const given = page.getByTestId('order-refunds').locator('tbody tr');
  await expect(given).toHaveCount(1);
  await expect(given.first()).toContainText('given');
  await expect(given.first()).toContainText('<script>window.__pwned=1</script>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(page.getByTestId('order-timeline').locator('li').last()).toContainText('Partly refunded');
  await noAxeViolations(page);

  const mail = await mailed(email, `Your refund for order ${number}`);
  expect(mail).toContain('$1,558.80');

  // A note, as text; the packing slip prints the parcel's contents.
  await page.getByLabel('Note (staff only)').fill(HOSTILE);
  await page.getByRole('button', { name: 'Add the note' }).click();
  await expect(page.getByTestId('flash')).toContainText('Note added.');
  await expect(page.getByTestId('order-notes')).toContainText('<script>window.__pwned=1</script>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.getByRole('link', { name: 'Packing slip' }).click();
  await expect(page.getByRole('heading', { name: `Packing slip: order ${number}` })).toBeVisible();
  await expect(page.getByTestId('slip-lines')).toContainText('2');
  await expect(page.getByTestId('slip-address')).toContainText('LS1 1AA');
  await noAxeViolations(page);

  // The customer's own page shows it.
  await open(page, `/orders/${number}?email=${encodeURIComponent(email)}`);
  await expect(page.getByTestId('order-status')).toHaveText('Partly refunded');
});

/** A word nobody else's product has (letters only, so search reads it as one word). */
function uniqueWord(): string {
  return Array.from({ length: 9 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

test('products: a new product reaches the shop and search, an edit too, and a rollback brings it back', async ({ page }) => {
  test.setTimeout(210_000);
  await adminSignedIn(page, uniqueEmail('owner'));
  await open(page, '/admin/products');
  await expect(page.getByTestId('product-row').first()).toBeVisible();
  await expect(page.getByTestId('product-count')).toContainText('products');
  await noAxeViolations(page);

  const word = uniqueWord();
  await page.getByRole('link', { name: 'New product' }).click();
  await expect(page.getByRole('heading', { name: 'New product' })).toBeVisible();
  await noAxeViolations(page);
  const form = page.getByRole('form', { name: 'Product' });
  await form.getByLabel('Title', { exact: true }).fill(`Lamp ${word}`);
  await form.getByLabel('Address (slug)').fill(`lamp-${word}`);
  await form.getByLabel('Status').selectOption('active');
  await form.getByLabel(/^Options/).fill('Colour');
  await form.getByLabel('SKU of variant 1').fill(`LAMP-${word.toUpperCase()}`);
  await form.getByLabel('Price of variant 1').fill('25.00');
  await form.getByLabel('Option values of variant 1').fill('Red');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('flash')).toContainText('Product saved.');
  await expect(page.getByRole('heading', { name: `Edit Lamp ${word}` })).toBeVisible();
  const editUrl = page.url();

  // A photo, described for people who cannot see it.
  const photo = page.getByRole('form', { name: 'Add a photo' });
  await photo.getByLabel('Alt text (what the photo shows)').fill(`Lamp ${word}, lit`);
  await photo.getByLabel('Photo', { exact: true }).setInputFiles({
    name: 'lamp.png',
    mimeType: 'image/png',
    buffer: Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  });
  await photo.getByRole('button', { name: 'Add the photo' }).click();
  await expect(page.getByTestId('flash')).toContainText('Photo added.');
  await expect(page.getByTestId('photo')).toHaveCount(1);
  await expect(page.getByRole('img', { name: `Lamp ${word}, lit` })).toBeVisible();
  await noAxeViolations(page);

  // The shop and its search have it.
  await open(page, `/p/lamp-${word}`);
  await expect(page.getByRole('heading', { name: `Lamp ${word}` })).toBeVisible();
  await expect(page.getByRole('img', { name: `Lamp ${word}, lit` })).toBeVisible();
  await expect(async () => {
    await open(page, `/search?q=${word}`);
    await expect(page.locator('main')).toContainText(`Lamp ${word}`, { timeout: 1_000 });
    // The indexer follows the outbox; on a loaded 2-core machine that once took over 30 s.
  }).toPass({ timeout: 60_000 });

  // An edit of the title.
  await open(page, editUrl);
  await page.getByRole('form', { name: 'Product' }).getByLabel('Title', { exact: true }).fill(`Lantern ${word}`);
  await page.getByRole('form', { name: 'Product' }).getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('flash')).toContainText('Product saved.');
  await open(page, `/p/lamp-${word}`);
  await expect(page.getByRole('heading', { name: `Lantern ${word}` })).toBeVisible();

  // The two revisions side by side, then back to the first.
  await open(page, editUrl);
  await expect(page.getByTestId('revision-row')).toHaveCount(2);
  await noAxeViolations(page);
  await page.getByRole('link', { name: 'Compare with 2' }).click();
  const change = page.getByTestId('change-row').filter({ hasText: 'Title' });
  await expect(change).toContainText(`Lamp ${word}`);
  await expect(change).toContainText(`Lantern ${word}`);
  await noAxeViolations(page);
  await page.getByRole('link', { name: 'Back to the product' }).click();
  await page.getByRole('button', { name: 'Roll back to 1' }).click();
  await expect(page.getByTestId('flash')).toContainText('Rolled back to revision 1.');
  await expect(page.getByTestId('revision-row')).toHaveCount(3);
  await expect(page.getByTestId('revision-row').first()).toContainText('rollback to revision 1');
  await open(page, `/p/lamp-${word}`);
  await expect(page.getByRole('heading', { name: `Lamp ${word}` })).toBeVisible();
  await expect(async () => {
    await open(page, `/search?q=${word}`);
    await expect(page.locator('main')).toContainText(`Lamp ${word}`, { timeout: 1_000 });
    await expect(page.locator('main')).not.toContainText(`Lantern ${word}`, { timeout: 1_000 });
  }).toPass({ timeout: 60_000 });
});

test('inventory: a variant\'s stock in every warehouse, a receipt in its ledger, and a new warehouse', async ({ page }) => {
  await adminSignedIn(page, uniqueEmail('owner'));
  await open(page, '/admin/inventory');
  await noAxeViolations(page);
  await page.getByRole('form', { name: 'Find a variant' }).getByLabel('SKU').fill('L2201308');
  await page.getByRole('button', { name: 'Show its stock' }).click();
  await expect(page.getByTestId('level-row').first()).toBeVisible();
  await noAxeViolations(page);
  const note = `delivery ${uniqueWord()}`;
  const receive = page.getByRole('form', { name: 'Receive stock' });
  await receive.getByLabel('Units received').fill('1');
  await receive.getByLabel(/^Note/).fill(note);
  await receive.getByRole('button', { name: 'Receive' }).click();
  await expect(page.getByTestId('flash')).toContainText('Stock received.');
  await expect(page.getByTestId('movement-row').filter({ hasText: note })).toContainText('receipt');

  const code = `wh-${uniqueWord()}`;
  const add = page.getByRole('form', { name: 'New warehouse' });
  await add.getByLabel(/^Code/).fill(code);
  await add.getByLabel('Name').fill(HOSTILE);
  await add.getByRole('button', { name: 'Add the warehouse' }).click();
  await expect(page.getByTestId('flash')).toContainText('Warehouse saved.');
  await expect(page.getByTestId('warehouse-row').filter({ hasText: code })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await noAxeViolations(page);
});

test('customers: found by address, shown whole, disabled and enabled again', async ({ page, browser }) => {
  const shopper = await freshPage(browser);
  const email = uniqueEmail('customer');
  await signUp(shopper, email, 'a long shopper password');
  await adminSignedIn(page, uniqueEmail('owner'));
  await open(page, '/admin/customers');
  await noAxeViolations(page);
  const find = page.getByRole('form', { name: 'Find customers' });
  await find.getByLabel('E-mail address or name').fill(email.toUpperCase());
  await find.getByRole('button', { name: 'Find' }).click();
  await expect(page.getByTestId('customer-row')).toHaveCount(1);
  await page.getByRole('link', { name: email.toLowerCase() }).click();
  await expect(page.getByRole('heading', { name: email.toLowerCase() })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Download their data (JSON)' })).toBeVisible();
  await noAxeViolations(page);
  await page.getByRole('button', { name: 'Disable the account' }).click();
  await expect(page.getByTestId('flash')).toContainText('Account disabled');
  await expect(page.getByTestId('customer-summary')).toContainText('Disabled');
  // Their session has ended.
  await open(shopper, '/account');
  await expect(shopper.getByTestId('account-email')).toHaveCount(0);
  await page.getByRole('button', { name: 'Enable the account' }).click();
  await expect(page.getByTestId('customer-summary')).toContainText('Active');
  await shopper.context().close();
});

test('discounts: a new code is listed live, and ended', async ({ page }) => {
  await adminSignedIn(page, uniqueEmail('owner'));
  await open(page, '/admin/discounts');
  await noAxeViolations(page);
  const code = `E2E${uniqueWord().toUpperCase()}`;
  const form = page.getByRole('form', { name: 'New code' });
  await form.getByLabel(/^Code/).fill(code);
  await form.getByLabel('Kind').selectOption('percentage');
  await form.getByLabel(/^Amount/).fill('12.5');
  await form.getByLabel('Uses per customer').fill('1');
  await form.getByRole('button', { name: 'Create the code' }).click();
  await expect(page.getByTestId('flash')).toContainText('Discount code created.');
  const row = page.getByTestId('discount-row').filter({ hasText: code });
  await expect(row).toContainText('Live');
  await expect(row).toContainText('12.50% off');
  await noAxeViolations(page);
  await row.getByRole('button', { name: 'End now' }).click();
  await expect(page.getByTestId('flash')).toContainText('Discount code ended.');
  await expect(page.getByTestId('discount-row').filter({ hasText: code })).toContainText('Not live');
});

test('import and export: a products file with bad rows imports the rest, with a report of the rows left out', async ({ page }) => {
  await adminSignedIn(page, uniqueEmail('owner'));
  await open(page, '/admin/imports');
  await noAxeViolations(page);
  const word = uniqueWord();
  const header =
    'handle,title,description,brand,category,status,featured,option_names,sku,price,currency,stock,option_values,images,attributes';
  const csv = [
    header,
    `lamp-${word},"Lamp ${word} ${HOSTILE.replace(/"/g, '""')}",A reading lamp,Lumen,Home > Lamps,active,no,,E2E-${word}-1,19.50,USD,3,,,`,
    `bad-${word},Bad ${word},,,,active,no,,E2E-${word}-2,twelve,USD,1,,,`,
    'too,short',
  ].join('\n');
  const form = page.getByRole('form', { name: 'Import products' });
  await form.getByLabel('CSV file (up to 20 MB)').setInputFiles({
    name: 'products.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await form.getByRole('button', { name: 'Import' }).click();
  // The job's page: live with JavaScript, refreshing itself without, until it is done.
  await expect(page.getByRole('heading', { name: 'Importing products' })).toBeVisible();
  await expect(page.getByTestId('job-progress')).toContainText('Done', { timeout: 45_000 });
  const leftOut = page.getByTestId('job-left-out');
  await expect(leftOut).toContainText('is not a price');
  await expect(leftOut).toContainText('2 fields instead of 15');
  await noAxeViolations(page);
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('job-rejected').click()]);
  const text = readFileSync((await report.path())!, 'utf8');
  expect(text.split('\n')[0]).toBe('line,reason');
  expect(text).toContain('\n3,');
  expect(text).toContain('\n4,');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // The good row is in the shop, its markup shown as text.
  await open(page, `/p/lamp-${word}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Lamp ${word} <img src=x`);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // Export: the job leaves a file to download.
  await open(page, '/admin/imports');
  await page.getByRole('form', { name: 'Export stock counts' }).getByRole('button', { name: 'Export every row' }).click();
  await expect(page.getByRole('heading', { name: 'Exporting stock' })).toBeVisible();
  await expect(page.getByTestId('job-progress')).toContainText('Done', { timeout: 45_000 });
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('job-result').click()]);
  const stock = readFileSync((await file.path())!, 'utf8');
  expect(stock.split('\n')[0]).toBe('sku,warehouse,on_hand,reserved,sold,available');
  expect(stock).toContain(`E2E-${word}-1,main,3,`);
});
