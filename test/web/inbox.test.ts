/**
 * The console's inbox says only what the console composed: a link cannot make it show words of its own choosing
 * (issue 13). The whole service on real parts, the console calling the API over HTTP as in production.
 */
import request from 'supertest';
import { INBOX_NOTICES } from '../../web/pages/home';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';

const service = consoleStackPerFile();

const inbox = (query: string) =>
  request(service.app)
    .get(`/${query}`)
    .set('Cookie', `${SESSION_COOKIE}=${service.stack.users['demo-police-officer']!.token}`)
    .expect(200);

test('a crafted link shows none of its text in the inbox', async () => {
  const bait = 'Your account is locked, call +1 555 0100 to unlock it';
  for (const query of [
    `?signed=${encodeURIComponent(bait)}`,
    `?notice=${encodeURIComponent(bait)}`,
    '?notice=constructor',
    '?notice=__proto__',
  ]) {
    const page = await inbox(query);
    expect(page.text).toContain('Inbox');
    expect(page.text).not.toContain('Your account is locked');
    expect(page.text).not.toContain('Signed off');
    expect(page.text).not.toContain('[native code]');
  }
});

test('after a sign-off, the inbox shows the message the console chose for it', async () => {
  const page = await inbox('?notice=signed-off');
  expect(page.text).toContain(INBOX_NOTICES.get('signed-off'));
});
