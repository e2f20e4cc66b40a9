import { expect, test, type Page } from '@playwright/test';

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
