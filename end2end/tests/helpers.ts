import { test as base, expect, type Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Playwright's `test`, failing any test whose pages break their content security policy
 * (Chromium reports each refused script, style, image or connection on the console,
 * hydrated and with JavaScript off alike), or whose islands could not read the props the
 * server wrote for them (each stops and says so on the console; see app/src/wire/island.rs).
 */
export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    const violations: string[] = [];
    const unread: string[] = [];
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Content-Security-Policy/i.test(text)) violations.push(text);
      if (/found no props it could read/.test(text)) unread.push(text);
    });
    await use(page);
    expect(violations, 'content security policy violations').toEqual([]);
    expect(unread, 'islands without their props').toEqual([]);
  },
});
export { expect };

/** Whether this project runs pages with JavaScript (the hydrated build). */
export function jsEnabled(): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

/** Opens a page and, when JavaScript runs, waits until the WASM has hydrated it. */
export async function open(page: Page, path: string) {
  const response = await page.goto(path);
  if (jsEnabled()) {
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  }
  return response;
}

/** Prices shown on product cards, as numbers (the "from" prefix ignored). */
export async function cardPrices(page: Page): Promise<number[]> {
  const texts = await page.getByTestId('product-card').locator('.price').allTextContents();
  return texts.map((t) => Number(t.replace(/[^0-9.]/g, '')));
}

export function uniqueEmail(name: string): string {
  return `${name}-${Date.now()}-${Math.floor(Math.random() * 1e9)}@example.com`;
}

/**
 * The newest e-mail to `to` whose subject has `subject` (headers and body), read from the
 * server's maildir (the server under test delivers mail there), waiting for the mail
 * worker for up to 15 seconds; `has` picks among several.
 */
export async function mailed(to: string, subject: string, has: RegExp = /./): Promise<string> {
  const dir = join(process.env.E2E_DATA_DIR ?? '', 'mail', 'new');
  for (let waited = 0; waited < 15_000; waited += 250) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).sort().reverse();
    } catch {
      files = [];
    }
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      const head = text.split('\r\n\r\n')[0];
      if (head.includes(`To: ${to.toLowerCase()}`) && head.includes(subject) && has.test(text)) {
        return text;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no e-mail to ${to} about "${subject}" arrived`);
}

/** The path of the link in the newest e-mail to `to` about `subject` (a token link). */
export async function mailedLink(to: string, subject: string): Promise<string> {
  const text = await mailed(to, subject, /https?:\/\/[^\s]+token=/);
  const url = text.match(/https?:\/\/[^\s]+token=[A-Za-z0-9_-]+/)!;
  return new URL(url[0]).pathname + new URL(url[0]).search;
}

/** Signs up and opens the e-mailed confirmation link: signed in at /account afterwards. */
export async function signUp(page: Page, email: string, password: string) {
  await open(page, '/account/sign-up');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('flash')).toContainText('we have e-mailed you a link');
  await open(page, await mailedLink(email, 'Confirm your Mercato account'));
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Confirm my account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('account-email')).toContainText(email.toLowerCase());
}
