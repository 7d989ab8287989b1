/** A browser page signed in through the console's sign-in page, as a person would. */
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD } from './auth';
import type { Stack } from './stack';

export async function signInThroughPage(
  browser: Browser,
  base: string,
  stack: Pick<Stack, 'resetRateLimits'>,
  username: string,
): Promise<Page> {
  await stack.resetRateLimits();
  // bypassCSP lets the test inject axe-core; the pages themselves run under helmet's CSP.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/sign-in');
  return page;
}
