/**
 * The sign-in limit counts people, not the console: the console names the browser it calls the API for, with a proof
 * no other caller holds, so one person's wrong guesses at the console leave everyone else free to sign in, with no
 * TRUSTED_PROXIES set (the default); and a caller of the API who names a client itself (X-Forwarded-For, or the
 * console's header without its proof) is still counted as the address it calls from. A stranger's guesses at an
 * account lock strangers out, not the person's own browser, which holds a device cookie from signing in before.
 */
import { request as httpRequest } from 'node:http';
import supertest from 'supertest';
import { CONSOLE_CLIENT_HEADER, CONSOLE_PROOF_HEADER } from '../../core/console-client';
import { DEVICE_COOKIE } from '../../web/session';
import { TEST_PASSWORD } from '../support/auth';
import { consoleStackPerFile } from '../support/console';
import { PUBLIC_BASE_URL } from '../support/stack';

const service = consoleStackPerFile();
const origin = new URL(PUBLIC_BASE_URL).origin;

interface Answer {
  status: number;
  text: string;
  cookies: string[];
  /** The Set-Cookie lines whole, with their attributes. */
  setCookies: string[];
}

/** One request to the console's real listener from `from` (an address of the loopback network), as a browser sends. */
function send(
  from: string,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<Answer> {
  const url = new URL(path, service.base);
  return new Promise((answered, failed) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, method, localAddress: from, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          answered({
            status: res.statusCode ?? 0,
            text,
            cookies: (res.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]!),
            setCookies: res.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    req.on('error', failed);
    req.end(body);
  });
}

/** The console's sign-in form, sent from `from` with its CSRF token and the browser's `cookies`, as a person signs in. */
async function signInAtConsole(from: string, username: string, password: string, cookies: string[] = []) {
  const page = await send(from, 'GET', '/sign-in', {});
  expect(page.status).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const form = new URLSearchParams({ _csrf: csrf, username, password }).toString();
  return send(
    from,
    'POST',
    '/sign-in',
    {
      Cookie: [...page.cookies, ...cookies].join('; '),
      Origin: origin,
      'Content-Type': 'application/x-www-form-urlencoded',
      'Content-Length': String(Buffer.byteLength(form)),
    },
    form,
  );
}

beforeEach(() => service.stack.resetRateLimits());

test("one person's wrong guesses at the console do not stop another person signing in there", async () => {
  const guesses: number[] = [];
  // Names of nobody, each once: what holds the guesser back is the limit on their address, not an account's lockout.
  for (let n = 1; n <= 11; n += 1) guesses.push((await signInAtConsole('127.0.0.2', `nobody-${n}`, 'a guess')).status);
  // The guesser is held back at the limit (10 a minute by default)...
  expect(guesses).toEqual([...Array<number>(10).fill(401), 429]);
  // ... and someone else, at another address, signs in: the console's page sends them on.
  expect((await signInAtConsole('127.0.0.3', 'demo-hhs-officer', TEST_PASSWORD)).status).toBe(303);
});

test('a direct caller of the API that names a client itself is still counted as the address it calls from', async () => {
  const statuses: number[] = [];
  for (let n = 1; n <= 11; n += 1) {
    const res = await supertest(service.app)
      .post('/api/auth/sign-in')
      .set('X-Forwarded-For', `198.51.100.${n}`)
      .set(CONSOLE_CLIENT_HEADER, `203.0.113.${n}`)
      .set(CONSOLE_PROOF_HEADER, "not the console's proof")
      .send({ username: `probe-${n}`, password: 'a guess' });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
});

test("a stranger's wrong passwords do not lock out a browser that signed in to the account before; a forged or another account's device cookie gives no exemption", async () => {
  // The person signs in at the console once: their browser keeps a device cookie for half a year, HttpOnly, Secure as
  // the session's (the test's console is reached over HTTPS), sent to the sign-in page only.
  const before = await signInAtConsole('127.0.0.4', 'demo-ice-officer', TEST_PASSWORD);
  expect(before.status).toBe(303);
  const deviceLine = before.setCookies.find((line) => line.startsWith(`${DEVICE_COOKIE}=`))!;
  expect(deviceLine).toMatch(/; Max-Age=15552000; Path=\/sign-in; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
  expect(before.setCookies.find((line) => line.startsWith('rc_session='))).toMatch(/; HttpOnly; Secure; SameSite=Lax$/);
  const device = deviceLine.split(';')[0]!;
  const neighbour = (await signInAtConsole('127.0.0.5', 'demo-hhs-otip', TEST_PASSWORD)).cookies.find((cookie) =>
    cookie.startsWith(`${DEVICE_COOKIE}=`),
  )!;

  // A script, knowing the username, sends wrong passwords until the account is locked.
  const statuses: number[] = [];
  for (let n = 1; n <= 7; n += 1) {
    const res = await supertest(service.app)
      .post('/api/auth/sign-in')
      .send({ username: 'demo-ice-officer', password: `guess ${n}` });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([...Array<number>(6).fill(401), 429]);

  // A browser without the cookie, with a forged one or with another account's is refused as the stranger is...
  for (const cookies of [[], [`${DEVICE_COOKIE}=forged`], [neighbour]]) {
    const refused = await signInAtConsole('127.0.0.6', 'demo-ice-officer', TEST_PASSWORD, cookies);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Too many wrong passwords for this account.');
  }
  // ... and the person's own browser signs in, its cookie renewed.
  const own = await signInAtConsole('127.0.0.7', 'demo-ice-officer', TEST_PASSWORD, [device]);
  expect(own.status).toBe(303);
  const renewed = own.cookies.find((cookie) => cookie.startsWith(`${DEVICE_COOKIE}=`))!;
  expect(renewed).not.toBe(device);
  // Typed in capitals with a space after it, the name is the same account's, and so its device cookie is found (the
  // console read `Demo-ICE-Officer` as another account, which held none, and the API refused it as locked).
  expect((await signInAtConsole('127.0.0.8', 'Demo-ICE-Officer ', TEST_PASSWORD, [renewed])).status).toBe(303);
});
