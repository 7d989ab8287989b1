/**
 * The console's session: the API session token in an HttpOnly cookie, and CSRF protection for every form.
 *
 * A form's CSRF token is an HMAC, under the console secret, of the session token's id (or, before signing in, of a
 * random pre-session cookie): a page on another site can neither read it nor compute it. POSTs must also come from
 * the console's own origin. Both checks together, with SameSite cookies, close cross-site form posts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';

export const SESSION_COOKIE = 'rc_session';
export const PRE_SESSION_COOKIE = 'rc_pre_session';
export const CSRF_FIELD = '_csrf';

/** The shape of an API token (api/auth.ts): `rc_<16 id>_<43 secret>`. Only the id is ever used outside the cookie. */
const TOKEN = /^rc_([a-z0-9]{16})_[A-Za-z0-9_-]{43}$/;

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

export function sessionTokenOf(req: Request): string | undefined {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && TOKEN.test(value) ? value : undefined;
}

const cookieOptions = (settings: SessionSettings): CookieOptions => ({ httpOnly: true, sameSite: 'lax', secure: settings.secureCookies, path: '/' });

export function startSession(res: Response, settings: SessionSettings, token: string, expiresAt: string): void {
  const maxAge = Math.max(0, new Date(expiresAt).getTime() - Date.now());
  res.cookie(SESSION_COOKIE, token, { ...cookieOptions(settings), maxAge });
  res.clearCookie(PRE_SESSION_COOKIE, cookieOptions(settings));
}

export function endSession(res: Response, settings: SessionSettings): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(settings));
}

const hmac = (settings: SessionSettings, purpose: string) => createHmac('sha256', settings.secret).update(purpose).digest('base64url');

/** The CSRF token of forms shown to this browser; before sign-in it creates the pre-session cookie it depends on. */
export function csrfTokenFor(req: Request, res: Response, settings: SessionSettings): string {
  const expected = expectedCsrfToken(req, settings);
  if (expected) return expected;
  const pre = randomBytes(16).toString('base64url');
  res.cookie(PRE_SESSION_COOKIE, pre, { ...cookieOptions(settings), sameSite: 'strict' });
  return hmac(settings, `pre:${pre}`);
}

/** The CSRF token this browser's forms carry: bound to its session, or before sign-in to its pre-session cookie. */
function expectedCsrfToken(req: Request, settings: SessionSettings): string | undefined {
  const token = sessionTokenOf(req);
  if (token) return hmac(settings, `session:${TOKEN.exec(token)![1]}`);
  const pre = (req.cookies as Record<string, unknown> | undefined)?.[PRE_SESSION_COOKIE];
  return typeof pre === 'string' && /^[A-Za-z0-9_-]{22}$/.test(pre) ? hmac(settings, `pre:${pre}`) : undefined;
}

/** Why a POST is refused, or null: it must come from our origin and carry this browser's CSRF token. */
export function postRefusal(req: Request, settings: SessionSettings): string | null {
  const origin = req.get('origin') ?? originOf(req.get('referer'));
  if (origin !== settings.origin) return 'This form was not sent from the console.';
  const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
  const expected = expectedCsrfToken(req, settings);
  if (typeof sent !== 'string' || expected === undefined || !sameText(sent, expected)) {
    return 'This form has expired. Please try again.';
  }
  return null;
}

function originOf(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
