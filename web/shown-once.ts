/**
 * A secret the API answers once (a user's temporary password), carried from the form that asked for it to the page
 * that shows it: the form's POST is answered with a redirect to that page, so a Reload, Back or Forward there never
 * sends the form again (which would set another password and silently void the one shown, perhaps already given).
 * The secret rides in an HttpOnly cookie sealed (web/session.ts `seal`, a key of its own) for the admin who asked and
 * that page alone, for a minute, and is cleared as the page shows it: never in an address, a log line or the server.
 */
import type { Request, Response } from 'express';
import { consoleCookieOptions, openSealed, seal, type SessionSettings } from './session';

const SHOWN_COOKIE = 'rc_shown_once';
const SHOWN_SEALING = 'relief console shown once';
/** Long enough for the redirect to be followed, no longer. */
const SHOWN_FOR_MS = 60 * 1000;
const MAX_SEALED_LENGTH = 3800;

/** Keeps `shown` for `userId` to read once on `page`, the page the form's answer redirects to. */
export async function keepToShowOnce(
  res: Response,
  settings: SessionSettings,
  userId: string,
  page: string,
  shown: Record<string, string>,
): Promise<void> {
  const sealed = await seal(
    settings.secret,
    SHOWN_SEALING,
    { userId, page, shown },
    new Date(Date.now() + SHOWN_FOR_MS),
  );
  res.cookie(SHOWN_COOKIE, sealed, { ...consoleCookieOptions(settings), maxAge: SHOWN_FOR_MS });
}

/** What was kept for `userId` on this page (req.path), once: cleared as it is read, and cleared unread if not theirs. */
export async function takeShownOnce(
  req: Request,
  res: Response,
  settings: SessionSettings,
  userId: string,
): Promise<Record<string, string> | undefined> {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SHOWN_COOKIE];
  if (value === undefined) return undefined;
  res.clearCookie(SHOWN_COOKIE, consoleCookieOptions(settings));
  const kept = await openSealed(settings.secret, SHOWN_SEALING, value, MAX_SEALED_LENGTH);
  const shown = kept?.shown;
  if (kept?.userId !== userId || kept.page !== req.path || !shown || typeof shown !== 'object') return undefined;
  const strings = Object.entries(shown).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return Object.fromEntries(strings);
}
