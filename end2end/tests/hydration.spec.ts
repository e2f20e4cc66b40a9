import { test, expect } from '@playwright/test';
import { open } from './helpers';

// Only meaningful with JavaScript on.
test.describe('@hydrated', () => {
  test('variant switch happens in place, without a page load', async ({ page }) => {
    await open(page, '/p/laptop');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.getByRole('link', { name: '15 inch' }).click();
    await expect(page.getByTestId('price')).toHaveText('$1,399.00');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  test('scoped class names are the same when rendered by the browser and by the server', async ({ page }) => {
    // Rendered by the WASM: navigate client-side from the home page.
    await open(page, '/');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await page.getByRole('list', { name: 'Featured' }).getByRole('link', { name: /Laptop/ }).click();
    await expect(page.getByTestId('price')).toHaveText('$1,299.00');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    const collect = () =>
      Array.from(document.querySelectorAll('[class]'))
        .flatMap((el) => Array.from(el.classList))
        .filter((c) => c.startsWith('l-'))
        .sort();
    const clientClasses = [...new Set(await page.evaluate(collect))];

    // Rendered by the server: the HTML of the same page as it comes over the wire.
    const html = await (await page.request.get('/p/laptop')).text();
    const serverClasses = [...new Set(
      [...html.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1].split(/\s+/)).filter((c) => c.startsWith('l-')),
    )].sort();
    expect(clientClasses.length).toBeGreaterThan(3);
    expect(clientClasses).toEqual(serverClasses);

    // And every one of them is styled by the served scoped stylesheet.
    const css = await (await page.request.get(await page.locator('link[href^="/styles/scoped-"]').getAttribute('href') ?? '')).text();
    for (const c of clientClasses) expect(css).toContain(`.${c}`);
  });
});
