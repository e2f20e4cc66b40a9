import { test, expect, open } from './helpers';

// Only meaningful with JavaScript on.
test.describe('@hydrated', () => {
  test('variant switch happens in place, without a page load', async ({ page }) => {
    await open(page, '/p/laptop');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.getByRole('link', { name: '15 inch' }).click();
    await expect(page.getByTestId('price')).toHaveText('$1,399.00');
    await expect(page).toHaveURL(/variant=/);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    // Back restores the first variant, still without a page load.
    await page.goBack();
    await expect(page.getByTestId('price')).toHaveText('$1,299.00');
    await expect(page.getByRole('link', { name: '13 inch' })).toHaveAttribute('aria-current', 'true');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  test('scoped class names are the same when rendered by the browser and by the server', async ({ page }) => {
    // Rendered by the WASM: the suggestion list exists only once the island renders it.
    await open(page, '/');
    await page.getByRole('combobox', { name: 'Search products' }).pressSequentially('cam', { delay: 40 });
    const options = page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option');
    await expect(options.first()).toBeVisible();
    const clientClasses = [...new Set(
      (await options.evaluateAll((els) => els.flatMap((el) => Array.from(el.classList))))
        .filter((c) => c.startsWith('l-')),
    )].sort();

    // Rendered by the server: the same component's form, as the HTML came over the wire.
    const html = await (await page.request.get('/')).text();
    const form = html.match(/<form[^>]*role="search"[^>]*>/)?.[0] ?? '';
    const serverClasses = (form.match(/class="([^"]*)"/)?.[1] ?? '').split(/\s+/).filter((c) => c.startsWith('l-'));
    expect(clientClasses.length).toBeGreaterThan(0);
    expect(clientClasses).toEqual(serverClasses);

    // And every one of them is styled by the served scoped stylesheet.
    const css = await (await page.request.get(await page.locator('link[href^="/styles/scoped-"]').getAttribute('href') ?? '')).text();
    for (const c of clientClasses) expect(css).toContain(`.${c}`);
  });

  test('only the islands are hydrated: links elsewhere load pages from the server', async ({ page }) => {
    await open(page, '/');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await page.getByRole('list', { name: 'Featured' }).getByRole('link', { name: /Laptop/ }).click();
    await expect(page.getByTestId('price')).toHaveText('$1,299.00');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBeUndefined();
    // The islands on the new page hydrate from their serialised props.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByRole('link', { name: '15 inch' }).click();
    await expect(page.getByTestId('price')).toHaveText('$1,399.00');
  });
});
