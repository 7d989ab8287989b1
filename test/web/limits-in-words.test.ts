/**
 * The console's forms when the API refuses for a limit, not for what was typed: the answer is the form again, the
 * refusal said in words and what was entered kept, never an error page. The over-the-cap refusal of a 21st live API
 * key. The whole service on real parts, as a browser sends its forms.
 */
import request from 'supertest';
import { issueToken } from '../../db/tokens';
import { SESSION_COOKIE } from '../../web/session';
import { createTestUser, TEST_PASSWORD } from '../support/auth';
import { consoleStackPerFile } from '../support/console';
import { cookiesSetBy } from '../support/forms';
import { PUBLIC_BASE_URL } from '../support/stack';

const suite = consoleStackPerFile();
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)![1]!;
/** The text a person reads: tags gone, entities and spaces as a browser shows them. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&rsquo;|&#8217;/g, '’')
    .replace(/\s+/g, ' ');

test("the keys page says in words that a 21st live API key is over the cap, and keeps the key's name", async () => {
  // One live key of its own (the session's), 19 more: at the cap of 20.
  const owner = await createTestUser(suite.stack.pool, {
    username: 'console-key-hoarder',
    agencyId: 'demo-police',
    roles: ['agency_officer'],
    password: TEST_PASSWORD,
  });
  for (let n = 0; n < 19; n += 1)
    await issueToken(suite.stack.pool, {
      userId: owner.user.id,
      kind: 'api_key',
      label: `Key ${n}`,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
  const session = `${SESSION_COOKIE}=${await suite.sealToken(owner.token)}`;
  const page = await request(suite.app).get('/account/api-keys').set('Cookie', session).expect(200);
  const refused = await request(suite.app)
    .post('/account/api-keys')
    .set('Cookie', [session, ...cookiesSetBy(page)].join('; '))
    .set('Origin', new URL(PUBLIC_BASE_URL).origin)
    .type('form')
    .send({
      _csrf: hidden(page.text, '_csrf'),
      label: 'Nightly export',
      expiresInDays: '30',
      currentPassword: TEST_PASSWORD,
    });
  expect(refused.status).toBe(400);
  expect(refused.text).toMatch(/<title>Error: /);
  expect(textOf(refused.text)).toContain(
    'You already have 20 API keys in use, the most one may have. Revoke one you no longer use, then make another.',
  );
  expect(refused.text).toMatch(/name="label"[^>]*value="Nightly export"|value="Nightly export"[^>]*name="label"/);
  expect(refused.text).not.toMatch(/too_many_api_keys|"status"|Something went wrong/);
});
