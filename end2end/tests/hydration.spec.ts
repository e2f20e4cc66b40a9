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

  test('script, WASM and stylesheet come from one versioned directory, cached for good', async ({ page }) => {
    const assets: { url: string; cache: string | undefined }[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/pkg/')) assets.push({ url: new URL(r.url()).pathname, cache: r.headers()['cache-control'] });
    });
    await open(page, '/');
    const kinds = assets.map((a) => a.url.split('.').pop()).sort();
    expect(kinds).toEqual(expect.arrayContaining(['css', 'js', 'wasm']));
    const versions = new Set(assets.map((a) => a.url.match(/^\/pkg\/([0-9a-f]{16})\/[^/]+$/)?.[1]));
    expect(versions.size, JSON.stringify(assets)).toBe(1);
    expect([...versions][0]).toBeTruthy();
    for (const a of assets) expect(a.cache, a.url).toBe('public, max-age=31536000, immutable');
    // Another version's files are not served in place of this one's.
    const wasm = assets.find((a) => a.url.endsWith('.wasm'))!.url;
    const other = await page.request.get(wasm.replace(/\/pkg\/[0-9a-f]{16}\//, '/pkg/0000000000000000/'));
    expect(other.status()).toBe(404);
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
    // The islands on the new page hydrate from the props the server wrote beside them.
    await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
    await page.getByRole('link', { name: '15 inch' }).click();
    await expect(page.getByTestId('price')).toHaveText('$1,399.00');
  });
});
