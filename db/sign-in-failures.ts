/**
 * Failed password checks, in PostgreSQL so that every API process counts the same guesses: after `freeFailures`
 * failures in a row the count is locked for `firstLockMs`, doubling with each further failure up to `maxLockMs`. A
 * success clears the count; a day without failures forgets it. A check running is counted apart (`checking`, the
 * migration 1797896000000), and a right password never as a failure. Counted per account, by the username as typed,
 * known or not, so the answer is the same for an account that does not exist (see the migration 1795910000000); per
 * device that signed in to the account before, by its key (db/sign-in-devices.ts), so that strangers locking the
 * account do not lock out its user's own browser; or per session or API key checking its signed-in person's current
 * password (`tokenCounter`), so that strangers do not block that person either.
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Pool } from 'pg';

export interface LockoutPolicy {
  /** Failures in a row that lock nothing yet; the next failure locks. */
  freeFailures: number;
  firstLockMs: number;
  maxLockMs: number;
  /** A count whose last failure is older than this starts afresh. */
  forgetAfterMs: number;
}

/**
 * 5 free failures, then 1 minute, 2, 4 … up to an hour. NIST SP 800-63B §5.2.2 allows at most 100 failures in a row;
 * here 10 more failures take over 15 hours, and an attacker locking a user out costs the user at most an hour.
 */
export const DEFAULT_LOCKOUT: LockoutPolicy = {
  freeFailures: 5,
  firstLockMs: 60_000,
  maxLockMs: 3_600_000,
  forgetAfterMs: 24 * 3_600_000,
};

/**
 * Whose failures a count is: an account's (`accountCounter`), a known device's (its key, a SHA-256 of a random
 * token, which no username's key can be) or a signed-in token's (`tokenCounter`).
 */
export type FailureCounter = Buffer;

/** An account's count. Not the username itself: what is typed there is sometimes a password. */
export const accountCounter = (username: string): FailureCounter =>
  createHash('sha256').update(`sign-in:${username}`).digest();

/**
 * The count of the current-password checks made by one session or API key, by its id: only the token asking runs it
 * up, so strangers' wrong sign-ins never block the person signed in with it, nor do another session's guesses.
 */
export const tokenCounter = (tokenId: string): FailureCounter =>
  createHash('sha256').update(`current-password:${tokenId}`).digest();

/**
 * A running check whose process stopped before judging it (killed mid-check) holds its place no longer than this
 * after the count's last claim.
 */
const CHECK_RUNNING_MS = 60_000;
/** How long a check beyond the free failures waits for those running before it is refused, this once, for a second. */
const WAIT_FOR_RUNNING_MS = 10_000;
const WAIT_STEP_MS = 25;

// The count's failures (`forgetAfterMs` in the parameter `forget`), and its checks still running: none once forgotten
// or stale. `$2` is the moment, `$3` the free failures, in every statement below.
const failures = (forget: string) =>
  `CASE WHEN f.last_failure_at < $2::timestamptz - make_interval(secs => ${forget}::float8 / 1000) THEN 0 ELSE f.failures END`;
const RUNNING = `CASE WHEN f.checking_since < $2::timestamptz - make_interval(secs => ${CHECK_RUNNING_MS / 1000}) THEN 0 ELSE f.checking END`;
// The failure count after this one: a count not seen for `forgetAfterMs` starts again.
const NEXT_FAILURES = `${failures('$6')} + 1`;
const lockAfter = (failures: string) =>
  `CASE WHEN ${failures} > $3::int THEN $2::timestamptz + make_interval(secs => LEAST($4::float8 * power(2, ${failures} - $3::int - 1), $5::float8) / 1000) END`;

/**
 * Claims one password check against the count. Locked: when it may try again, and the password must not be checked.
 * Otherwise the check is counted as running until `countFailure` or `clearFailures` judges it, and only a wrong
 * password counts as a failure: a right one never locks anyone. So that guesses sent at once cannot all be tried, no
 * more checks run at once than the free failures left and the one that locks (one at a time once past them); a check
 * beyond waits for those running, then is checked, or refused as the lock they set says (for a second, this once,
 * should they run past `WAIT_FOR_RUNNING_MS`).
 */
export async function claimPasswordCheck(
  pool: Pool,
  key: FailureCounter,
  now: Date,
  policy: LockoutPolicy,
): Promise<{ lockedUntil: Date | null }> {
  const params = [key, now, policy.freeFailures, policy.forgetAfterMs];
  const waitUntil = Date.now() + WAIT_FOR_RUNNING_MS;
  for (;;) {
    const { rowCount } = await pool.query(
      `INSERT INTO sign_in_failures AS f (account_key, failures, last_failure_at, checking, checking_since)
       VALUES ($1, 0, $2, 1, $2)
       ON CONFLICT (account_key) DO UPDATE SET checking = ${RUNNING} + 1, checking_since = $2
         WHERE (f.locked_until IS NULL OR f.locked_until <= $2)
           AND (${RUNNING} = 0 OR ${failures('$4')} + ${RUNNING} <= $3::int)`,
      params,
    );
    if (rowCount) return { lockedUntil: null };
    const locked = await pool.query<{ locked_until: Date | null }>(
      'SELECT locked_until FROM sign_in_failures WHERE account_key = $1',
      [key],
    );
    const lockedUntil = locked.rows[0]?.locked_until;
    if (lockedUntil && lockedUntil > now) return { lockedUntil };
    if (Date.now() >= waitUntil) return { lockedUntil: new Date(now.getTime() + 1000) };
    await delay(WAIT_STEP_MS);
  }
}

/**
 * A wrong password, counted against the count: the check it `claimed` (claimPasswordCheck) judged, or one judged by
 * another count (not claimed here), which adds nothing while this one is locked. Past the free failures it locks the
 * count, for `firstLockMs` doubling with each further failure up to `maxLockMs`.
 */
export async function countFailure(
  pool: Pool,
  key: FailureCounter,
  now: Date,
  policy: LockoutPolicy,
  claimed: boolean,
): Promise<void> {
  const params = [key, now, policy.freeFailures, policy.firstLockMs, policy.maxLockMs, policy.forgetAfterMs, claimed];
  const { rows } = await pool.query<{ failures: number }>(
    `INSERT INTO sign_in_failures AS f (account_key, failures, last_failure_at, locked_until)
     VALUES ($1, 1, $2, ${lockAfter('1')})
     ON CONFLICT (account_key) DO UPDATE SET failures = ${NEXT_FAILURES}, last_failure_at = $2,
       locked_until = ${lockAfter(`(${NEXT_FAILURES})`)}, checking = GREATEST(f.checking - $7::boolean::int, 0)
       WHERE $7::boolean OR f.locked_until IS NULL OR f.locked_until <= $2
     RETURNING failures`,
    params,
  );
  // A new count: the moment to forget the stale ones, so usernames typed once do not pile up.
  if (rows[0]?.failures === 1)
    await pool.query('DELETE FROM sign_in_failures WHERE last_failure_at < $1', [
      new Date(now.getTime() - policy.forgetAfterMs),
    ]);
}
/** The password was right: the count's failures are forgiven. */
export async function clearFailures(pool: Pool, key: FailureCounter): Promise<void> {
  await pool.query('DELETE FROM sign_in_failures WHERE account_key = $1', [key]);
}
