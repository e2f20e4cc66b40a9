import AxeBuilder from '@axe-core/playwright';
import { test, expect, open } from './helpers';

for (const path of ['/', '/c/electronics', '/p/laptop', '/p/no-such-product', '/search?q=lether+sofa', '/search?q=shoe&brand=adidas', '/cart', '/account/sign-in', '/account/sign-up']) {
  test(`@hydrated no accessibility violations on ${path}`, async ({ page }) => {
    await open(page, path);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
  });
}
