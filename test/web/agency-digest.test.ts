/**
 * An agency's admin turns its daily digest on and off from the console ("Your agency"), as the README's Daily digest
 * section says they may; another agency's page stays a system administrator's. The whole service on real parts, the
 * console calling the API over HTTP; pages read as HTML.
 */
import request from 'supertest';
import { SESSION_COOKIE } from '../../web/session';
import { consoleStackPerFile } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const service = consoleStackPerFile();
const session = (username: string) => `${SESSION_COOKIE}=${service.sessionCookie(username)}`;
const getAs = (username: string, path: string) => request(service.app).get(path).set('Cookie', session(username));

/** Sends the digest form of the agency page as a browser would: its CSRF token and cookie. */
async function pressDigestButton(username: string, page: string) {
  const shown = await getAs(username, page).expect(200);
  const form =
    /<form method="post" action="([^"]+)">\s*<input type="hidden" name="_csrf" value="([^"]+)">\s*<input type="hidden" name="enabled" value="(yes|no)">/.exec(
      shown.text,
    );
  expect(form).not.toBeNull();
  const [, action, csrf, enabled] = form!;
  return request(service.app)
    .post(action!)
    .set('Cookie', [session(username), ...cookiesSetBy(shown)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({ _csrf: csrf, enabled });
}

/** The agency's digest setting as the API says it. */
const digestOf = async (agencyId: string): Promise<boolean | undefined> => {
  const listed = await request(service.app).get('/api/agencies').set(service.stack.as('coordinator')).expect(200);
  const body = listed.body as { items: { id: string; dailyDigest: boolean }[] };
  return body.items.find((agency) => agency.id === agencyId)?.dailyDigest;
};

test("an agency's admin finds their agency in the menu and turns its daily digest on, then off", async () => {
  const home = await getAs('demo-admin', '/audit').expect(200);
  expect(home.text).toContain('<a href="/agencies/demo-task-force">Your agency</a>');
  const page = await getAs('demo-admin', '/agencies/demo-task-force').expect(200);
  expect(page.text).toContain('The daily digest is <strong>off</strong>');

  const on = await pressDigestButton('demo-admin', '/agencies/demo-task-force');
  expect([on.status, on.headers.location]).toEqual([303, '/agencies/demo-task-force?notice=digest-on']);
  const after = await getAs('demo-admin', on.headers.location as string).expect(200);
  expect(after.text).toContain('The daily digest is on: the next one comes at 07:00');
  expect(after.text).toContain('The daily digest is <strong>on</strong>');
  expect(await digestOf('demo-task-force')).toBe(true);

  const off = await pressDigestButton('demo-admin', '/agencies/demo-task-force');
  expect(off.headers.location).toBe('/agencies/demo-task-force?notice=digest-off');
  expect((await getAs('demo-admin', '/agencies/demo-task-force').expect(200)).text).toContain(
    'The daily digest is <strong>off</strong>',
  );
  expect(await digestOf('demo-task-force')).toBe(false);
});

test("another agency's page, and the agencies list, stay a system administrator's", async () => {
  const other = await getAs('demo-admin', '/agencies/demo-police');
  expect(other.status).toBe(403);
  expect((await getAs('demo-admin', '/agencies')).status).toBe(403);
  const systemAdmin = await getAs('demo-system-admin', '/agencies/demo-police').expect(200);
  expect(systemAdmin.text).toContain('Save the agency');
  expect(systemAdmin.text).toContain('Turn the daily digest on');
});
