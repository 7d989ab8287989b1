/**
 * A form sent as its session ended, kept for the same person to check and send again once signed in: nothing in it is
 * sent. What was typed may be about a survivor, so it is never written in plain text anywhere: it is sealed (JWE,
 * under a key of its own derived from the console secret, web/session.ts `seal`) into an HttpOnly cookie that lasts
 * KEPT_FOR_MS, never in an address, a log line or the audit trail, and nothing of it is kept on the server. It opens
 * only for the user who typed it (the session's, sealed in its cookie), and only on the page of its form, once:
 * another user signing in on that browser never sees it, and it is cleared then. Passwords and secrets are never kept.
 */
import type { Request, Response } from 'express';
import { consoleCookieOptions, CSRF_FIELD, openSealed, seal, type SessionSettings } from './session';

const KEPT_COOKIE = 'rc_kept';
const KEPT_SEALING = 'relief console kept form';
/** Long enough to sign in again (a password looked up, the identity provider's pages), no longer. */
const KEPT_FOR_MS = 20 * 60 * 1000;
/** A browser keeps a cookie of at most 4,096 bytes, name and attributes with it: a form sealed longer is not kept. */
const MAX_SEALED_LENGTH = 3800;

/** The fields of a form never kept: its CSRF token and anything secret (a password, a key). */
export const isSecretField = (name: string) => name === CSRF_FIELD || /password|secret|token/i.test(name);

/**
 * The fields that say how a form travelled, not what was typed: kept forms come back as the form itself, with a new
 * idempotency key (nothing was sent under the old one), never as its check page.
 */
const HOW_SENT = new Set(['idempotencyKey', 'confirm', 'change', 'choosing']);

/**
 * The pages whose form comes back filled in after signing in again (their GET handlers ask `Kit.keptForm`): those
 * where long things are typed. A form of any other page is not kept, and its sign-in page says so.
 */
const KEPT_PAGES = [
  /^\/cases\/new$/,
  /^\/cases\/[^/]+\/steps\/[^/]+(\/correct)?$/,
  /^\/cases\/[^/]+\/(transfer|survivor|close)$/,
  /^\/cases\/[^/]+\/documents\/[^/]+\/remove$/,
];
export const keepsForm = (page: string) => KEPT_PAGES.some((kept) => kept.test(page));

interface KeptForm {
  page: string;
  fields: Record<string, string>;
}

/**
 * Keeps a form `userId` sent from `page` as their session ended; false when it cannot be (too long for a cookie), so
 * the sign-in page says it was not kept.
 */
export async function keepForm(
  res: Response,
  settings: SessionSettings,
  userId: string,
  page: string,
  form: Record<string, string>,
): Promise<boolean> {
  const fields = Object.fromEntries(
    Object.entries(form).filter(([name]) => !isSecretField(name) && !HOW_SENT.has(name)),
  );
  const expiresAt = new Date(Date.now() + KEPT_FOR_MS);
  const sealed = await seal(settings.secret, KEPT_SEALING, { userId, page, fields }, expiresAt);
  if (sealed.length > MAX_SEALED_LENGTH) return false;
  res.cookie(KEPT_COOKIE, sealed, { ...consoleCookieOptions(settings), maxAge: KEPT_FOR_MS });
  return true;
}

export function dropKeptForm(res: Response, settings: SessionSettings): void {
  res.clearCookie(KEPT_COOKIE, consoleCookieOptions(settings));
}

/** The kept form, sealed for `userId`, or undefined; one sealed for anyone else is cleared unread. */
async function openKeptForm(
  req: Request,
  res: Response,
  settings: SessionSettings,
  userId: string,
): Promise<KeptForm | undefined> {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[KEPT_COOKIE];
  if (value === undefined) return undefined;
  const kept = await openSealed(settings.secret, KEPT_SEALING, value, MAX_SEALED_LENGTH);
  const fields = kept?.fields;
  if (kept?.userId !== userId || typeof kept.page !== 'string' || !fields || typeof fields !== 'object') {
    dropKeptForm(res, settings);
    return undefined;
  }
  const strings = Object.entries(fields).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return { page: kept.page, fields: Object.fromEntries(strings) };
}

/** The page of the form kept for `userId`, to come back to after signing in; a form kept for another is cleared. */
export async function keptFormPage(
  req: Request,
  res: Response,
  settings: SessionSettings,
  userId: string,
): Promise<string | undefined> {
  return (await openKeptForm(req, res, settings, userId))?.page;
}

/**
 * The fields of the form kept for `userId` on this page (req.path), or undefined when there is none for them here.
 * Cleared once the page shows it (`dropKeptForm`), not before: a page that could not be shown leaves it be.
 */
export async function keptFormHere(
  req: Request,
  res: Response,
  settings: SessionSettings,
  userId: string,
): Promise<Record<string, string> | undefined> {
  const kept = await openKeptForm(req, res, settings, userId);
  return kept?.page === req.path ? kept.fields : undefined;
}
