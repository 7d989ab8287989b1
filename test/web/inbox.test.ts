/**
 * The console's inbox says only what the console composed: a link cannot make it show words of its own choosing
 * (issue 13). The whole service on real parts, the console calling the API over HTTP as in production.
 */
import request from 'supertest';
import { INBOX_NOTICES } from '../../web/pages/home';
import { SESSION_COOKIE } from '../../web/session';
import { TEST_PASSWORD } from '../support/auth';
import { consoleStackPerFile } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const service = consoleStackPerFile();

const inbox = (query: string) =>
  request(service.app)
    .get(`/${query}`)
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
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

test("the home page's calendar feed section shows a new feed's address once, and revokes it", async () => {
  const session = `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`;
  const home = await inbox('');
  expect(home.text).toContain('<h2 id="calendar-feed-heading">Calendar feed</h2>');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1]!;
  const cookies = [session, ...cookiesSetBy(home)].join('; ');
  const post = (path: string, fields: Record<string, string>) =>
    request(service.app)
      .post(path)
      .set('Cookie', cookies)
      .set('Origin', new URL(PUBLIC_BASE_URL).origin)
      .type('form')
      .send({ _csrf: csrf, ...fields });

  // A feed outlives the session: the form asks for the password, and a wrong or missing one is refused by its field,
  // the name kept as typed and the password never written back.
  const wrong = await post('/calendar-feeds', { label: 'Office Outlook', currentPassword: 'a guess' }).expect(403);
  expect(wrong.text).toMatch(/id="currentPassword-error">[^<]*wrong/);
  expect(wrong.text).toContain('value="Office Outlook"');
  expect(wrong.text).not.toContain('a guess');
  expect(wrong.text).not.toContain('id="new-feed-url"');
  const blank = await post('/calendar-feeds', { label: 'Office Outlook' }).expect(422);
  expect(blank.text).toMatch(/id="currentPassword-error">Enter your password</);

  const made = await post('/calendar-feeds', { label: 'Office Outlook', currentPassword: TEST_PASSWORD }).expect(200);
  const url = /id="new-feed-url" class="wide" type="text" readonly value="([^"]+)"/.exec(made.text)?.[1];
  expect(url).toMatch(new RegExp(`^${PUBLIC_BASE_URL}/calendar/rc_[a-z0-9]{16}_[A-Za-z0-9_-]{43}\\.ics$`));
  const feed = await request(service.app).get(new URL(url!).pathname).expect(200);
  expect(feed.text).toContain('BEGIN:VCALENDAR');

  // Listed from then on, its address never again.
  const again = await inbox('');
  expect(again.text).toContain('Office Outlook');
  expect(again.text).not.toContain(url!);
  const feedId = /action="\/calendar-feeds\/([a-z0-9]{16})\/revoke"/.exec(again.text)![1]!;
  const revoked = await post(`/calendar-feeds/${feedId}/revoke`, {}).expect(303);
  expect(revoked.headers.location).toBe('/?notice=feed-revoked');
  expect((await inbox('?notice=feed-revoked')).text).toContain(INBOX_NOTICES.get('feed-revoked'));
  await request(service.app).get(new URL(url!).pathname).expect(404);
});

test('an address the console has no page for is a page in its layout, with the request id to quote', async () => {
  const page = await request(service.app)
    .get('/no-such-page')
    .set('Cookie', `${SESSION_COOKIE}=${service.sessionCookie('demo-police-officer')}`)
    .set('X-Request-Id', '00000000-0000-4000-8000-000000000110')
    .expect(404)
    .expect('Content-Type', /text\/html/);
  expect(page.text).toContain('<h1>Page not found</h1>');
  // The request's own id, the one its log line and any audit row carry, not the one the browser offered.
  expect(page.text).toContain(`<code>${page.headers['x-request-id'] as string}</code>`);
  expect(page.text).toContain('Sign out');
  // The API's own unknown paths stay problem+json.
  await request(service.app)
    .get('/api/no-such-route')
    .expect(404)
    .expect('Content-Type', /problem\+json/);
});
