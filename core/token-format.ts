/**
 * What a token looks like, `rc_<id>_<secret>` (issued and checked by db/tokens.ts), how one is kept out of a log line,
 * and how long an API key may last. In core/ because the API's request log (api/app.ts), which may not reach db/, must
 * know a token's shape, and the console (web/), which may not reach api/, a key's longest life.
 */

/** The longest an API key may be made to last, in days: the API's limit, which the console's form names too. */
export const MAX_API_KEY_DAYS = 365;
/**
 * The most live (neither revoked nor expired) API keys a user may hold, and the most live calendar feeds: each is a
 * lasting way in, so one more is made only once one is revoked (db/tokens.ts `issueToken`).
 */
export const MAX_LIVE_TOKENS = 20;

/** A token's id: 16 of [a-z0-9], the key of its row. */
const TOKEN_ID = '[a-z0-9]{16}';

/** A whole token: its id and its secret (256 bits, base64url), each captured. */
export const TOKEN_SHAPE = new RegExp(`^rc_(${TOKEN_ID})_([A-Za-z0-9_-]{43})$`);

/**
 * A device token, `rcd_<secret>` (256 bits, base64url; issued and checked by db/sign-in-devices.ts): what a password
 * sign-in answers, for the browser or client to present at its next sign-in to the same account. The API's body
 * checks it and the console's sealed cookie (web/session.ts) carries only tokens of this shape.
 */
export const DEVICE_TOKEN_SHAPE = /^rcd_[A-Za-z0-9_-]{43}$/;
/** How long a device token stays valid unless its device signs in again: half a year, longer than any leave. */
export const DEVICE_TOKEN_DAYS = 180;

/**
 * The start of a token (`rc_<id>_`), in any case: written with other capitals or cut short, what follows is still
 * most of a credential.
 */
const TOKEN_START = new RegExp(`rc_${TOKEN_ID}_`, 'i');

/** A run of the characters a token may be written with in a URL: its own, or any of them percent-encoded. */
const URL_RUN = /(?:[A-Za-z0-9_-]|%[0-9A-Fa-f]{2})+/g;

/**
 * `url` with every token in it, wherever it stands, replaced by `[secret]`: a calendar feed's path is its credential
 * (api/routes/calendar.ts), and anyone may put an API key in a URL. A token is found however the URL writes it, since
 * Express routes by other capitals (`/Calendar/…`) and decodes a parameter (`rc%5F…`): each run of a token's
 * characters is read percent-decoded, again and again (`%255F`), and is left out whole if a token starts in it.
 */
export function withoutTokens(url: string): string {
  return url.replace(URL_RUN, (run) => (TOKEN_START.test(percentDecoded(run)) ? '[secret]' : run));
}

/** Byte by byte, never throwing on a stray `%` (as decodeURIComponent would): enough to find a token, all ASCII. */
function percentDecoded(run: string): string {
  // Each pass that changes the text shortens it, so this ends.
  for (let text = run; ;) {
    const next = text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === text) return text;
    text = next;
  }
}
