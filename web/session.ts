/**
 * The console's session: the API session token, sealed, in an HttpOnly cookie, and CSRF protection for every form.
 *
 * The cookie never holds the token itself. Cookies are not isolated by port, so every service on the console's host
 * name receives them (in the embedded mode the Temporal Web UI, on another port): the token sealed (JWE, `dir` with
 * A256GCM, by jose) under a key derived from the console secret is of no use to any of them, nor to anyone who
 * copies it, as `Authorization: Bearer`. A cookie altered, sealed under another secret or past its time opens to
 * nothing: the browser is signed out. The device cookie (`DEVICE_COOKIE`), which spares a person's own browser the
 * lockout strangers' guesses set off, is sealed the same way under a key of its own.
 */
import { hkdfSync } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import { DEVICE_TOKEN_DAYS, DEVICE_TOKEN_SHAPE } from '../core/token-format';

export const SESSION_COOKIE = 'rc_session';
export const CSRF_FIELD = '_csrf';

/** The shape of an API token (api/auth.ts): `rc_<16 id>_<43 secret>`. Only the id is ever used outside the cookie. */
const TOKEN = /^rc_([a-z0-9]{16})_[A-Za-z0-9_-]{43}$/;
/**
 * Far longer than any cookie this console seals (a session about 250 characters, the device cookie of five accounts
 * about 1,100): nothing larger is worth opening.
 */
const MAX_COOKIE_LENGTH = 2048;
/** The only algorithms a session cookie is opened with: a JWE naming others is refused before any key is used. */
const SEALING = { alg: 'dir', enc: 'A256GCM' } as const;

export interface SessionSettings {
  secret: string;
  /** The origin browsers see the console at; POSTs from any other are refused. */
  origin: string;
  /** Secure cookies, except when the console is reached over plain HTTP on this machine. */
  secureCookies: boolean;
}

export function sessionSettings(publicBaseUrl: string, secret: string): SessionSettings {
  const url = new URL(publicBaseUrl);
  const local = url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  return { secret, origin: url.origin, secureCookies: !local };
}

/**
 * The key sealing what the console seals (`use`): derived from the console secret for this use alone (HKDF-SHA256),
 * so a session cookie's key is neither a kept form's (web/kept-form.ts), nor the CSRF tokens' HMAC key, nor the
 * OpenID Connect flow cookie's.
 */
function sealingKey(secret: string, use: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, Buffer.alloc(0), use, 32));
}

/** `payload` sealed (JWE, `dir` with A256GCM) under the key of `use`, opening to nothing after `expiresAt`. */
export async function seal(secret: string, use: string, payload: Record<string, unknown>, expiresAt: Date) {
  const { EncryptJWT } = await import('jose');
  return new EncryptJWT(payload)
    .setProtectedHeader(SEALING)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .encrypt(sealingKey(secret, use));
}

/** What `seal` sealed under the key of `use`, or undefined: too long, altered, sealed otherwise, expired. */
export async function openSealed(
  secret: string,
  use: string,
  value: unknown,
  maxLength: number,
): Promise<Record<string, unknown> | undefined> {
  if (typeof value !== 'string' || value.length > maxLength) return undefined;
  const { jwtDecrypt } = await import('jose');
  try {
    const { payload } = await jwtDecrypt(value, sealingKey(secret, use), {
      keyManagementAlgorithms: [SEALING.alg],
      contentEncryptionAlgorithms: [SEALING.enc],
      requiredClaims: ['exp'],
    });
    return payload;
  } catch {
    return undefined;
  }
}

const SESSION_SEALING = 'relief console session cookie';

/**
 * How long a session's cookie outlives its token: past its end the cookie opens to no token, only to the session
 * that lapsed (its token's id, its user), so a form sent then is still checked against its CSRF token and kept for
 * the same person to send again once signed in (web/kept-form.ts).
 */
const LAPSED_FOR_MS = 12 * 3600 * 1000;

/**
 * The cookie's value for an API session token: the token and its user sealed, the token until it expires (`until`),
 * the cookie a while longer (LAPSED_FOR_MS).
 */
export async function sealSessionToken(
  secret: string,
  token: string,
  expiresAt: Date,
  userId?: string,
): Promise<string> {
  const until = Math.floor(expiresAt.getTime() / 1000);
  return seal(secret, SESSION_SEALING, { token, userId, until }, new Date(expiresAt.getTime() + LAPSED_FOR_MS));
}

/** A session cookie opened: its token, its user (when sealed with it), and whether the token's time has passed. */
interface OpenedSession {
  token: string;
  userId?: string;
  lapsed: boolean;
}

async function openSessionValue(secret: string, value: unknown): Promise<OpenedSession | undefined> {
  const payload = await openSealed(secret, SESSION_SEALING, value, MAX_COOKIE_LENGTH);
  if (typeof payload?.token !== 'string' || !TOKEN.test(payload.token)) return undefined;
  // A cookie sealed before it had `until` is one whose token ends with it.
  const until = typeof payload.until === 'number' ? payload.until : (payload.exp as number);
  const userId = typeof payload.userId === 'string' ? payload.userId : undefined;
  return { token: payload.token, userId, lapsed: Date.now() >= until * 1000 };
}

/** The API session token a cookie's value seals, or undefined: altered, sealed under another secret, expired. */
export async function openSessionCookie(secret: string, value: unknown): Promise<string | undefined> {
  const opened = await openSessionValue(secret, value);
  return opened && !opened.lapsed ? opened.token : undefined;
}

/** The session each request's cookie opened to (openSession), for the handlers after it. */
const openedSessions = new WeakMap<Request, OpenedSession>();

/**
 * Opens the session cookie once per request, before anything reads the session (sessionTokenOf). A cookie that
 * opens to nothing is cleared: the browser is signed out and signs in again, never shown an error. One whose token's
 * time has passed is kept until its own ends (LAPSED_FOR_MS), or signing in replaces it: its browser is signed out.
 */
export function openSession(settings: SessionSettings): RequestHandler {
  return async (req, res, next) => {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    if (value === undefined) return next();
    const opened = await openSessionValue(settings.secret, value);
    if (opened) openedSessions.set(req, opened);
    else endSession(res, settings);
    next();
  };
}

/** This request's API session token, opened from its cookie (openSession), or undefined when signed out. */
export function sessionTokenOf(req: Request): string | undefined {
  const opened = openedSessions.get(req);
  return opened && !opened.lapsed ? opened.token : undefined;
}

/** Whether this request's cookie holds a session whose time has passed (its browser is signed out). */
export function sessionLapsed(req: Request): boolean {
  return openedSessions.get(req)?.lapsed === true;
}

/**
 * The user of this request's session, whether its time has passed or not, as its cookie was sealed with it; or
 * undefined (no cookie, or one sealed without it). Who a form sent as the session ended was typed by.
 */
export function sessionUserOf(req: Request): string | undefined {
  return openedSessions.get(req)?.userId;
}

/** The console's own cookies: HttpOnly, Lax, Secure but on this machine over plain HTTP, for every page. */
export const consoleCookieOptions = (settings: SessionSettings): CookieOptions => ({
  httpOnly: true,
  sameSite: 'lax',
  secure: settings.secureCookies,
  path: '/',
});

export async function startSession(
  res: Response,
  settings: SessionSettings,
  session: { token: string; expiresAt: string; user: { id: string } },
): Promise<void> {
  const expiry = new Date(session.expiresAt);
  const maxAge = Math.max(0, expiry.getTime() + LAPSED_FOR_MS - Date.now());
  res.cookie(SESSION_COOKIE, await sealSessionToken(settings.secret, session.token, expiry, session.user.id), {
    ...consoleCookieOptions(settings),
    maxAge,
  });
}

export function endSession(res: Response, settings: SessionSettings): void {
  res.clearCookie(SESSION_COOKIE, consoleCookieOptions(settings));
}

/**
 * The browser's device cookie (OWASP's "device cookies"): for each account that signed in here with its password, the
 * device token its last sign-in answered (POST /api/auth/sign-in, db/sign-in-devices.ts), sealed like the session
 * under a key of its own, HttpOnly, Secure as the session, sent to the sign-in page only, and kept for
 * `DEVICE_TOKEN_DAYS`. Presented at the next sign-in to that account, it has the person judged by this browser's
 * wrong passwords, not locked out by strangers guessing at their username. Signing out keeps it.
 */
export const DEVICE_COOKIE = 'rc_devices';
const DEVICE_SEALING = 'relief console device cookie';
/** The accounts a browser keeps a device token for, the latest to sign in: a shared computer's few users. */
const DEVICES_PER_BROWSER = 5;
const DEVICE_TOKEN_MS = DEVICE_TOKEN_DAYS * 24 * 3600 * 1000;

/** The device tokens the request's cookie seals, by username, oldest sign-in first; none when it opens to nothing. */
async function devicesOf(req: Request, settings: SessionSettings): Promise<[string, string][]> {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[DEVICE_COOKIE];
  const payload = await openSealed(settings.secret, DEVICE_SEALING, value, MAX_COOKIE_LENGTH);
  const devices = Array.isArray(payload?.devices) ? (payload.devices as unknown[]) : [];
  return devices.filter(
    (entry): entry is [string, string] =>
      Array.isArray(entry) &&
      typeof entry[0] === 'string' &&
      typeof entry[1] === 'string' &&
      DEVICE_TOKEN_SHAPE.test(entry[1]),
  );
}

/** The device token this browser holds for `username`, to present when signing in to it, or undefined. */
export async function deviceTokenOf(
  req: Request,
  settings: SessionSettings,
  username: string,
): Promise<string | undefined> {
  return (await devicesOf(req, settings)).find(([name]) => name === username)?.[1];
}

/** Keeps `token` as this browser's device token for `username`, in place of the one it had, the newest of five. */
export async function keepDeviceToken(
  req: Request,
  res: Response,
  settings: SessionSettings,
  username: string,
  token: string,
): Promise<void> {
  const others = (await devicesOf(req, settings)).filter(([name]) => name !== username);
  const devices = [...others, [username, token]].slice(-DEVICES_PER_BROWSER);
  const expiresAt = new Date(Date.now() + DEVICE_TOKEN_MS);
  res.cookie(DEVICE_COOKIE, await seal(settings.secret, DEVICE_SEALING, { devices }, expiresAt), {
    ...consoleCookieOptions(settings),
    path: '/sign-in',
    maxAge: DEVICE_TOKEN_MS,
  });
}

/**
 * What the Temporal Web UI's codec server (api/routes/codec.ts) needs to take this console's cookie for a token:
 * its name, and how to open it.
 */
export function sessionCookieReader(secret: string): {
  name: string;
  tokenOf: (value: unknown) => Promise<string | undefined>;
} {
  return { name: SESSION_COOKIE, tokenOf: (value) => openSessionCookie(secret, value) };
}

/**
 * The console's CSRF protection: csrf-csrf's signed double-submit cookie. Every form carries the token that is also
 * in an HttpOnly cookie; a POST must send both, equal, with an HMAC under the console secret of a random value and
 * the session token's id, so a token from another session, a tampered one or a cookie planted by a neighbouring
 * site is refused. Before sign-in there is no session to bind to: the cookie alone, which no other site can read
 * or send along (SameSite), carries the token. POSTs must also come from the console's own origin.
 */
export interface Csrf {
  /** The token of forms shown to this browser; it sets the cookie the next POST must send with it. */
  tokenFor(req: Request, res: Response): string;
  /**
   * Why a POST is refused on its headers alone, or null: a form sent from another origin. Asked before any of the
   * body is read, which an upload may make large.
   */
  originRefusal(req: Request): string | null;
  /** Why a POST is refused, its body read (its token is a field of the form): its origin, or its token; or null. */
  refusal(req: Request): string | null;
}

/**
 * A form whose CSRF token is not this browser's now: shown before a sign-out, or to someone else who signed in here
 * since (never sent as them), or its cookie gone. Said with what to do, since sending it again is refused again.
 */
const STALE_FORM =
  'This form was opened before the last sign-in or sign-out on this browser, so nothing in it was sent. Open the form again and fill it in anew.';

export function consoleCsrf(settings: SessionSettings): Csrf {
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => settings.secret,
    // Forms are bound to the person signed in (a cookie sealed without its user: to its session), so a form left open
    // as a session ended is still theirs once they sign in again, in this tab or another, while a form shown to
    // someone else on this browser is refused. A session whose time has passed still binds its forms: one sent then
    // is checked as it was shown, and kept (web/kept-form.ts).
    getSessionIdentifier: (req) => {
      const opened = openedSessions.get(req);
      if (!opened) return '';
      return opened.userId ? `user ${opened.userId}` : `session ${TOKEN.exec(opened.token)![1]!}`;
    },
    // `__Host-` keeps a subdomain from setting the cookie; browsers accept the prefix only on Secure cookies.
    cookieName: settings.secureCookies ? '__Host-rc_csrf' : 'rc_csrf',
    // Lax like the session: a link followed from elsewhere still sends it, so it is not replaced under forms open
    // in other tabs; a cross-site POST never carries it.
    cookieOptions: consoleCookieOptions(settings),
    getCsrfTokenFromRequest: (req) => {
      const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      return typeof sent === 'string' ? sent : undefined;
    },
  });
  const originRefusal = (req: Request) => {
    const origin = req.get('origin') ?? originOf(req.get('referer'));
    return origin === settings.origin ? null : 'This form was not sent from the console.';
  };
  return {
    // The cookie's token while it is valid for this session: a form shown again after an error keeps it.
    tokenFor: (req, res) => generateCsrfToken(req, res),
    originRefusal,
    refusal: (req) => originRefusal(req) ?? (validateRequest(req) ? null : STALE_FORM),
  };
}

function originOf(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/**
 * A console page to come back to after signing in: a path of this console only (never another site's address, nor
 * the sign-in pages themselves), else undefined.
 */
export function returnPath(path: string | undefined): string | undefined {
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return undefined;
  const controls = [...path].some((character) => character.charCodeAt(0) < 0x20 || character === '\u007f');
  if (path.length > 2000 || controls || /^\/sign-(in|out)\b/.test(path)) return undefined;
  return path;
}

/** The sign-in page, with the page to come back to (each form posts to its own page, so a form returns to itself). */
export function signInReturningTo(path: string, notice?: 'expired' | 'kept'): string {
  const query = new URLSearchParams();
  if (notice) query.set('notice', notice);
  const back = returnPath(path);
  if (back && back !== '/') query.set('next', back);
  const search = query.toString();
  return search ? `/sign-in?${search}` : '/sign-in';
}
