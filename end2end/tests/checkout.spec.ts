import { type Page } from '@playwright/test';
import { test, expect, open, signUp, uniqueEmail } from './helpers';

// The checkout is a plain form: these run hydrated and with JavaScript off alike.

const SUCCESS = '4242424242424242';
const DECLINE = '4000000000000002';


async function addLaptop(page: Page) {
  await open(page, '/p/laptop');
  await page.getByLabel('Quantity').fill('1');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByText('Added to your cart.')).toBeVisible();
}

async function fillAddress(page: Page, email: string) {
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Full name').fill('Ada Shopper');
  await page.getByLabel('Street address').fill('1 High Street');
  await page.getByLabel('Town or city').fill('Leeds');
  await page.getByLabel('Postcode').fill('LS1 1AA');
  await page.getByLabel('Country code').fill('GB');
}

test('a guest buys with the success card and sees the confirmation', async ({ page }) => {
  await addLaptop(page);
  await open(page, '/cart');
  await page.getByTestId('checkout-link').click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByTestId('summary-subtotal')).toHaveText('$1,299.00');
  const email = uniqueEmail('guest');
  await fillAddress(page, email);
  // The totals for the UK: free delivery, 20% VAT.
  await page.getByTestId('update-totals').click();
  await expect(page.getByTestId('summary-tax')).toHaveText('$259.80');
  await expect(page.getByTestId('summary-total')).toHaveText('$1,558.80');
  await expect(page.getByLabel('Full name')).toHaveValue('Ada Shopper');

  await page.getByLabel('Card number').fill(SUCCESS);
  await page.getByTestId('place-order').click();
  await expect(page).toHaveURL(/\/orders\/M-[0-9A-Z]{10}$/);
  await expect(page.getByTestId('flash')).toContainText('Thank you! Your order');
  await expect(page.getByTestId('order-status')).toHaveText(/Confirmed|Being prepared|Shipped|Delivered/);
  await expect(page.getByTestId('order-total')).toHaveText('$1,558.80');
  await expect(page.getByTestId('order-payment')).toContainText('charged to the card ending 4242');
  await expect(page.getByTestId('cart-count')).toHaveText('0');

  // The guest finds it again by number and e-mail address.
  const number = (await page.getByTestId('order-number').textContent()) ?? '';
  await open(page, '/orders/lookup');
  await page.getByLabel('Order number').fill(number);
  await page.getByLabel('E-mail address').fill(email.toUpperCase());
  await page.getByRole('button', { name: 'Find the order' }).click();
  await expect(page.getByTestId('order-number')).toHaveText(number);
});

test('the decline card shows the error and nothing is charged', async ({ page }) => {
  await addLaptop(page);
  await open(page, '/checkout');
  const email = uniqueEmail('declined');
  await fillAddress(page, email);
  await page.getByLabel('Card number').fill(DECLINE);
  await page.getByTestId('place-order').click();
  await expect(page).toHaveURL(/\/checkout$/);
  await expect(page.getByTestId('flash')).toContainText('Your card was declined');
  await expect(page.getByTestId('flash')).toContainText('you have not been charged');
  // Everything typed is still there (not the card number), and the cart is intact.
  await expect(page.getByLabel('E-mail address')).toHaveValue(email);
  await expect(page.getByLabel('Card number')).toHaveValue('');
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  await expect(page.getByTestId('summary-subtotal')).toHaveText('$1,299.00');
});

test('a customer sees the order in their history', async ({ page }) => {
  const email = uniqueEmail('customer');
  await signUp(page, email, 'correct horse battery');

  await addLaptop(page);
  await open(page, '/checkout');
  await expect(page.getByLabel('E-mail address')).toHaveValue(email);
  await fillAddress(page, email);
  await page.getByLabel('Card number').fill(SUCCESS);
  await page.getByTestId('place-order').click();
  await expect(page.getByTestId('order-status')).toHaveText(/Confirmed|Being prepared|Shipped|Delivered/);
  const number = (await page.getByTestId('order-number').textContent()) ?? '';

  await open(page, '/account/orders');
  const row = page.getByTestId('order-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(number);
  await row.getByRole('link', { name: number }).click();
  await expect(page.getByTestId('order-number')).toHaveText(number);
  await expect(page.getByTestId('timeline-step').first()).toContainText('Awaiting payment');
});
