/// <reference lib="dom" />
// (page.evaluate() callbacks run in the browser, so this file sees the DOM types.)
/**
 * An admin's form sent twice: a double-click while the first answer is slow, or a Reload of the page the first send
 * answered, sends it again, and the browser shows the second answer only. These forms carry no Idempotency-Key, so the
 * second send is refused for what the first did; the page must say what is true (the user is added, or enabled), not a
 * refusal that sends the admin to do it again. In a real browser against the whole service on real parts: the first
 * send is made from the page with the form's own fields (its answer unread, as the browser drops it), then the button
 * is pressed.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { createTestUser, TEST_PASSWORD } from '../support/auth';
import { expectAccessible } from '../support/axe';
import { browserPerFile, consoleStackPerFile, errorSummaryFocused, signedInPage } from '../support/console';

const suite = consoleStackPerFile({}, { forBrowser: true });
const browser = browserPerFile();

/** The form whose action is `action` sent as the browser sends it, its answer left unread: a first click's. */
async function sendUnread(page: Page, action: string): Promise<void> {
  const status = await page.evaluate(async (path) => {
    const form = document.querySelector<HTMLFormElement>(`form[action="${path}"]`);
    if (!form) throw new Error(`no form posting to ${path}`);
    const body = new URLSearchParams(new FormData(form) as unknown as Record<string, string>);
    return (await fetch(path, { method: 'POST', body, redirect: 'manual' })).status;
  }, action);
  // A redirect (read as 0 when not followed) or a page rendered: the first send was applied, not refused.
  expect([0, 200]).toContain(status);
}

const admin = () => suite.stack.users['demo-admin']!;

/** A supervisor of the task force, whose admin demo-admin is, signing in with TEST_PASSWORD. */
const supervisor = (username: string, displayName: string) =>
  createTestUser(suite.stack.pool, {
    username,
    displayName,
    agencyId: DEMO_AGENCIES.coordinator,
    roles: ['supervisor'],
    password: TEST_PASSWORD,
  });

test('"Add the user" sent twice lands on the user added, saying so, where it said the username was taken', async () => {
  const page = await signedInPage(browser(), suite, 'demo-admin');
  await page.goto(`${suite.base}/users/new`);
  await page.getByLabel('Full name').fill('Sam Twiceclick');
  await page.getByLabel('Username').fill('sam.twiceclick');
  await page.getByLabel('Coordinator').check();
  await page.getByLabel('Temporary password (optional)').fill('violet tractor moonlight 42');
  await sendUnread(page, '/users');
  await page.getByRole('button', { name: 'Add the user' }).click();
  await page.waitForLoadState('domcontentloaded');

  expect(await page.title()).toMatch(
    /^The user was added already, with this username, name and roles · User Sam Twiceclick/,
  );
  expect(await page.locator('h1').textContent()).toBe('Sam Twiceclick');
  expect(await page.getByRole('status').textContent()).toContain('the form added no one more');
  const users = (await request(suite.app).get('/api/users').set(admin().headers).expect(200)).body as {
    items: { username: string }[];
  };
  expect(users.items.filter((user) => user.username === 'sam.twiceclick')).toHaveLength(1);
  await expectAccessible(page);

  // Another person under a username someone holds is still refused, by the field, in words.
  await page.goto(`${suite.base}/users/new`);
  await page.getByLabel('Full name').fill('Sam Someoneelse');
  await page.getByLabel('Username').fill('sam.twiceclick');
  await page.getByLabel('Coordinator').check();
  await page.getByRole('button', { name: 'Add the user' }).click();
  expect(await page.title()).toMatch(/^Error: Add a user/);
  expect(await errorSummaryFocused(page)).toBe(true);
  expect(await page.locator('#username-error').textContent()).toBe('This username is another user’s: choose another');
  await page.context().close();
});

test('"Enable the user" sent twice says they are enabled already and how to give them a password', async () => {
  const dormant = await supervisor('robin.twiceenabled', 'Robin Twiceenabled');
  await request(suite.app).post(`/api/users/${dormant.user.id}/disable`).set(admin().headers).expect(200);
  const page = await signedInPage(browser(), suite, 'demo-admin');
  await page.goto(`${suite.base}/users/${dormant.user.id}`);
  await sendUnread(page, `/users/${dormant.user.id}/enable`);
  await page.getByRole('button', { name: 'Enable the user' }).click();
  await page.waitForLoadState('domcontentloaded');

  expect(await errorSummaryFocused(page)).toBe(true);
  const summary = await page.getByRole('alert').textContent();
  expect(summary).toContain('This user is enabled already');
  expect(summary).toContain('set a new temporary password below and give them that one');
  await expectAccessible(page);
  // What it says to do is there, and gives them a password they can sign in with.
  await page.getByLabel('Yes, end Robin Twiceenabled’s sessions and set a new password').check();
  await page.getByRole('button', { name: 'Set a new temporary password' }).click();
  const temporary = await page.getByLabel('Temporary password').inputValue();
  await request(suite.app)
    .post('/api/auth/sign-in')
    .send({ username: 'robin.twiceenabled', password: temporary })
    .expect(201);
  await page.context().close();
});

test('Reload on the page of a new temporary password sets no other: the one shown still signs in', async () => {
  const forgetful = await supervisor('kim.reloaded', 'Kim Reloaded');
  const signsIn = (password: string) =>
    request(suite.app).post('/api/auth/sign-in').send({ username: 'kim.reloaded', password });
  const page = await signedInPage(browser(), suite, 'demo-admin');
  await page.goto(`${suite.base}/users/${forgetful.user.id}`);
  await page.getByLabel('Yes, end Kim Reloaded’s sessions and set a new password').check();
  await page.getByRole('button', { name: 'Set a new temporary password' }).click();
  await page.waitForLoadState('domcontentloaded');
  expect(await page.locator('h1').textContent()).toBe('A new temporary password for Kim Reloaded');
  const shown = await page.getByLabel('Temporary password').inputValue();
  await expectAccessible(page);

  // Reloaded (the browser would have sent the form again, had it been the form's answer): nothing is set again.
  await page.reload();
  expect(await page.locator('#temporary-password').count()).toBe(0);
  expect(await page.getByRole('status').textContent()).toContain('shown once, on the page after it was set');
  await signsIn(shown).expect(201);
  await page.context().close();
});
