/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/** What the console's browser tests share: axe-core run in a page. */
import type { Page } from 'playwright-core';

/** Runs axe-core in the page: no serious or critical violation is allowed on any page. */
export async function expectAccessible(page: Page): Promise<void> {
  await page.addScriptTag({ path: require.resolve('axe-core') });
  const violations = await page.evaluate(async () => {
    // axe-core's global, injected above; typed here as the little this test reads of it.
    const axe = (
      globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}
