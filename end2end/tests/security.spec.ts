import { test, expect, open, jsEnabled } from './helpers';

// What an attacker's text and scripts meet in a real browser.

test('markup in a search stays text, in the title and on the page', async ({ page }) => {
  const hostile = '</title><script>window.__injected = 1</script><b>bold</b>';
  await open(page, `/search?q=${encodeURIComponent(hostile)}`);
  await expect(page).toHaveTitle(/<\/title><script>window.__injected = 1<\/script>/);
  await expect(page.locator('b', { hasText: 'bold' })).toHaveCount(0);
  if (jsEnabled()) {
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
  }
});

test('@hydrated the content security policy refuses a script the shop did not write', async ({ browser }) => {
  // Its own page and console, so the refusal this test provokes is expected here.
  const page = await browser.newPage();
  const refusals: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refusals.push(m.text());
  });
  await page.goto('/p/laptop');
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__ran = true';
    document.body.appendChild(s);
  });
  expect(await page.evaluate(() => (window as unknown as { __ran?: boolean }).__ran)).toBeUndefined();
  await expect.poll(() => refusals.length).toBeGreaterThan(0);
  await page.close();
});
