/**
 * The whole service with its web console, served over HTTP on a port of its own so the console calls the API as it
 * does in production (over the network, with its own session cookie), for tests that fetch console pages.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { ApiDeps } from '../../api/app';
import type { ServiceParts } from '../../app/services';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { DEMO_AGENCIES } from '../../db/seed';
import { openSessionCookie, sealSessionToken, SESSION_COOKIE } from '../../web/session';
import { createConsole } from '../../web/console';
import { CHROMIUM_PATH } from './install-browser';
import { describeFormerFile } from './shared-stack';
import { PUBLIC_BASE_URL, startStack, type Stack, type StackOptions } from './stack';

export interface ConsoleStack {
  stack: Stack;
  /** The API and the console in one app, as `npm start` serves them. */
  app: Express;
  /** Where the console listens (http://127.0.0.1:port), for a browser to open. */
  base: string;
  /** The console's session cookie (its value) of one of the stack's users, sealed as signing in seals it. */
  sessionCookie(username: string): string;
  /**
   * The session cookie (its value) for any API token, sealed as signing in seals it: ending in 12 hours, or at
   * `expiresAt` (a time passed: a session that lapsed), of `userId` when given.
   */
  sealToken(token: string, session?: { expiresAt?: Date; userId?: string }): Promise<string>;
  /** The API token a session cookie's value seals (undefined if it opens to nothing), as the console opens it. */
  tokenIn(cookie: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** A session cookie lasts as long as a session; the stack's users' tokens are API keys of their own. */
const SESSION_MS = 12 * 3600 * 1000;

/** How the console is served to a test. */
interface Served {
  /**
   * The console's public address is its listener's, so a browser's forms come from the origin it accepts posts
   * from; otherwise it is PUBLIC_BASE_URL (https, as behind a proxy), for tests that send forms themselves.
   */
  forBrowser?: boolean;
  /** The API's clock is the time-skipping server's (else the wall clock): pages read at an hour the test skips to. */
  onTestClock?: boolean;
  /** Settings of the API behind the console (e.g. `documentLimits`), for a test of what the console makes of them. */
  api?: Partial<ApiDeps & ServiceParts>;
}

export async function startConsoleStack(
  options: StackOptions = {},
  { forBrowser = false, onTestClock = false, api = {} }: Served = {},
): Promise<ConsoleStack> {
  const stack = await startStack(options);
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secret = randomBytes(32).toString('base64url');
  const app = stack.appWith({
    console: createConsole({ apiUrl: base, publicBaseUrl: forBrowser ? base : PUBLIC_BASE_URL, secret }),
    ...(onTestClock ? { now: async () => new Date(await stack.env.currentTimeMs()) } : {}),
    ...api,
  });
  server.on('request', app);
  const sealToken = (token: string, session: { expiresAt?: Date; userId?: string } = {}) =>
    sealSessionToken(secret, token, session.expiresAt ?? new Date(Date.now() + SESSION_MS), session.userId);
  // Sealed once here: tests build their requests' cookies synchronously.
  const cookies = new Map(
    await Promise.all(
      Object.entries(stack.users).map(async ([username, user]) => [username, await sealToken(user.token)] as const),
    ),
  );
  return {
    stack,
    app,
    base,
    sessionCookie: (username) => {
      const cookie = cookies.get(username);
      if (!cookie) throw new Error(`no user ${username} in the stack`);
      return cookie;
    },
    sealToken,
    tokenIn: (cookie) => openSessionCookie(secret, cookie),
    stop: async () => {
      await new Promise((closed) => server.close(closed));
      await stack.stop();
    },
  };
}

/**
 * The console stack for the tests of one file: started before them and stopped after them. Its parts are read
 * through the returned object once the file's `beforeAll` hooks have run.
 */
export function consoleStackPerFile(options: StackOptions = {}, served: Served = {}): ConsoleStack {
  let running: ConsoleStack | undefined;
  beforeAll(async () => {
    running = await startConsoleStack(options, served);
  });
  afterAll(async () => {
    await running?.stop();
  });
  const started = (): ConsoleStack => {
    if (!running) throw new Error('the console stack starts in beforeAll; read it inside tests or later hooks');
    return running;
  };
  return {
    get stack() {
      return started().stack;
    },
    get app() {
      return started().app;
    },
    get base() {
      return started().base;
    },
    sessionCookie: (username) => started().sessionCookie(username),
    sealToken: (token, session) => started().sealToken(token, session),
    tokenIn: (cookie) => started().tokenIn(cookie),
    stop: () => started().stop(),
  };
}

/**
 * The tests of what was a jest file of its own, in a file whose tests share one console stack (and browser) to spare
 * each file's start-up (README "Tests"): a `describe` named after the old file, whose tests start with no rate limit
 * spent (sign-ins, writes, refusals), as they did on a stack of their own.
 */
export function describeSharing(service: ConsoleStack, file: string, tests: () => void): void {
  describeFormerFile(() => service.stack, file, tests);
}

/** Chromium for the tests of one file: launched before them, closed after them, read inside tests. */
export function browserPerFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    // Loaded here, not where this module is imported: most files that serve the console never open a browser, and
    // playwright-core costs each of them about 0.4 s of CPU to load (jest loads a file's modules afresh).
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser starts in beforeAll; read it inside tests');
    return browser;
  };
}

/** An iPad Air held upright, the size of a browser page unless a test asks for another. */
const UPRIGHT_TABLET = { width: 820, height: 1180 };

/**
 * A browser page, an upright tablet's unless `viewport` says (a phone's, say), signed in as one of the stack's users
 * (their session cookie).
 */
export async function signedInPage(
  browser: Browser,
  service: ConsoleStack,
  username: string,
  viewport: { width: number; height: number } = UPRIGHT_TABLET,
): Promise<Page> {
  const context = await browser.newContext({ viewport, bypassCSP: true });
  await context.addCookies([{ name: SESSION_COOKIE, value: service.sessionCookie(username), url: service.base }]);
  return context.newPage();
}

/** The links of the page's error summary, as [href, text]. */
export const summaryLinks = (page: Page) =>
  page
    .getByRole('alert')
    .filter({ hasText: 'There is a problem' })
    .getByRole('link')
    .evaluateAll((links) => links.map((link) => [link.getAttribute('href'), link.textContent?.trim()]));

/**
 * Whether the page's error summary ("There is a problem") takes the focus, as its `autofocus` gives it once the page
 * is rendered: waited for (up to 5 s) rather than read at once, since a page's title is there before its focus.
 */
export async function errorSummaryFocused(page: Page): Promise<boolean> {
  return page
    .waitForFunction(() => document.activeElement?.getAttribute('role') === 'alert', undefined, { timeout: 5_000 })
    .then(
      () => true,
      () => false,
    );
}

/**
 * A case opened by the demo police through the API, under `key`, with the demo agencies: an adult's unless born later;
 * `confirmNotDuplicate` for one fictitious survivor opened again on purpose (else 409 possible_duplicate).
 */
export async function openDemoCase(
  service: Pick<ConsoleStack, 'app' | 'stack'>,
  key: string,
  opening: { identifiedOn: string; name: string; birthDate?: string; contact?: string; confirmNotDuplicate?: true },
): Promise<{ caseId: string; reference: string }> {
  const { identifiedOn, name, birthDate = '1990-01-01', contact, confirmNotDuplicate } = opening;
  const opened = await request(service.app)
    .post('/api/cases')
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send({ agencies: DEMO_AGENCIES, identifiedOn, survivor: { name, birthDate, contact }, confirmNotDuplicate })
    .expect(201);
  return opened.body as { caseId: string; reference: string };
}

/** The police's Continued Presence request on a case, signed off through the API as made on `requestedOn`. */
export async function requestContinuedPresence(
  service: Pick<ConsoleStack, 'app' | 'stack'>,
  caseId: string,
  key: string,
  requestedOn: string,
): Promise<void> {
  await request(service.app)
    .post(`/api/cases/${caseId}/steps/cp_request-1/sign-off`)
    .set(service.stack.as('law_enforcement'))
    .set('Idempotency-Key', key)
    .send({ outcome: 'requested', details: { requestedOn } })
    .expect(200);
}

/** The UTC day `days` before today (after it, for a negative number), as a form's date field takes it: YYYY-MM-DD. */
export const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

/** A console page's text as read: tags dropped, entities decoded, spaces collapsed. */
export const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
