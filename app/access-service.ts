/**
 * Signing in and out, API keys, and the administration of users and agencies, callable without HTTP. Passwords and
 * tokens never reach the audit trail. The routes (api/routes/access.ts) parse, refuse by role and shape the answers.
 */
import type { Pool } from 'pg';
import { AppError } from '../core/errors';
import type { Logger } from '../core/logger';
import {
  deadlineTimeZoneLists,
  findAgency,
  listAgencies,
  setDailyDigest,
  upsertAgencies,
  type Agency,
  type NewAgency,
} from '../db/agencies';
import { recordAudit } from '../db/audit';
import { readdressOwedEmails } from '../db/notifications';
import { inTransaction } from '../db/pool';
import { consumeOidcNonce, issueOidcNonce } from '../db/oidc-nonces';
import { clearDeviceFailures, knownDevice, registerDevice } from '../db/sign-in-devices';
import {
  accountCounter,
  claimPasswordCheck,
  clearFailures,
  countFailure,
  DEFAULT_LOCKOUT,
  tokenCounter,
  type FailureCounter,
  type LockoutPolicy,
} from '../db/sign-in-failures';
import {
  authenticateToken,
  BEARER_KINDS,
  issueToken,
  listTokens,
  refusedToken,
  revokeToken,
  TokenCapError,
  tokenOwner,
  type TokenKind,
} from '../db/tokens';
import type { Principal, User } from '../db/user-rows';
import {
  checkPassword,
  createUser,
  disableUser,
  findUser,
  findUserByIdentity,
  IdentityTakenError,
  linkIdentity,
  listIdentities,
  listUsers,
  setPassword,
  unlinkIdentity,
  setUserRoles,
  UsernameTakenError,
  type NewUser,
  type PasswordRefusal,
} from '../db/users';
import {
  administrationRefusal,
  canAdminister,
  canReadAudit,
  isSystemAdmin,
  opensCases,
  readsReports,
  rolesFor,
  searchesByName,
  works,
  type Administered,
} from '../domain/access';
import type { Actor, AgencyKind, Role } from '../domain/types';
import { agencyKindInProse } from '../domain/labels';
import { signInUsername } from '../domain/access';
import {
  changedByOf,
  emailChangedNotice,
  rolesChangedNotice,
  sendAgencyNotice,
  userAddedNotice,
  passwordGivenNotice,
  type NoticeMailer,
} from '../mail/agency-notices';
import { limitedHeaders } from './limited-headers';
import { passwordProblem, temporaryPassword } from './password-policy';
import { wallClock, type Clock } from '../core/clock';
import type { IdentityKeyring } from '../core/identity-cipher';
import { cursorKeys } from '../core/list-cursor';
import { MAX_LIVE_TOKENS } from '../core/token-format';
import { pagedList } from './lists-service';
import type { DigestSchedules } from './daily-digests';

const DAY_MS = 24 * 3600 * 1000;
/** As long as the console's sign-in flow and the age of an ID token accepted: one sign-in's time. */
const OIDC_NONCE_TTL_MS = 10 * 60 * 1000;
const DEFAULT_SESSION_TTL_MS = 12 * 3600 * 1000;

export interface AccessDeps {
  pool: Pool;
  logger: Logger;
  /** How long a session from signing in lasts (default 12 hours). */
  sessionTtlMs?: number;
  /** How long a session may go unused before it ends (default 30 minutes, db/tokens.ts DEFAULT_SESSION_IDLE_MS). */
  sessionIdleMs?: number;
  /**
   * How wrong passwords lock an account, and a device that signed in to it before on its own (db/sign-in-failures.ts,
   * db/sign-in-devices.ts), and their clock: the wall clock unless a test's.
   */
  lockout?: { policy?: LockoutPolicy; now?: Clock };
  /** Verifies an ID token of the agency's OpenID Connect provider (api/oidc.ts); none: OIDC is not configured. */
  verifyIdToken?: (idToken: string) => Promise<{ issuer: string; subject: string; nonce: string | null }>;
  /** Tells an agency's own address of changes to its administration; without one, the notice is logged as not sent. */
  mailer?: NoticeMailer;
  /** Starts and stops the agencies' daily digest workflows; without it (an API without Temporal) the setting alone changes. */
  digests?: DigestSchedules;
  /** The deployment's time zone (`TIMEZONE`), for agencies without one of their own; default UTC. */
  timeZone?: string;
  /** Signs the cursors of the token list (core/list-cursor.ts); without it, the development-only fixed key. */
  identityKeyring?: IdentityKeyring;
  /** The service's clock (app/services.ts), which "overdue" is measured against; tokens keep the wall clock. */
  now?: Clock;
}

const auditUser = (user: User) => ({
  id: user.id,
  username: user.username,
  agencyId: user.agencyId,
  roles: user.roles,
});

/** Refuses (403, audited) administering a user the actor may not: see `administrationRefusal` in domain/access.ts. */
function requireAdministers(actor: Actor, user: Administered): void {
  const refusal = administrationRefusal(actor, user);
  if (refusal)
    throw new AppError('forbidden', `Not yours to administer: ${refusal.message}.`, {
      code: refusal.code,
      fields: refusal.field === undefined ? undefined : [{ field: refusal.field, message: refusal.message }],
    });
}

/**
 * The agency a request about users is for: the one named, else the admin's own, the only agency an agency's admin
 * administers. A system administrator administers every agency, so none is theirs by default (undefined).
 */
function administeredAgencyId(actor: Actor, named: string | undefined): string | undefined {
  return named ?? (isSystemAdmin(actor) ? undefined : actor.agencyId);
}

/** A new password an attacker would try early is refused, on the field that carries it. */
/** Roles fit an agency's kind (domain/access.ts' rolesFor), which never includes system_admin. */
function requireRolesFit(kind: AgencyKind, roles: readonly Role[]): void {
  const allowed = rolesFor(kind);
  const misfit = roles.filter((role) => !allowed.includes(role));
  if (misfit.length > 0) {
    const message = `users of an agency acting as ${agencyKindInProse(kind)} may hold ${allowed.join(', ')}; not ${misfit.join(', ')}`;
    throw new AppError('unprocessable', 'These roles do not fit the agency.', {
      code: 'roles_not_for_agency',
      fields: [{ field: 'roles', message }],
    });
  }
}

function refuseWeakPassword(field: string, password: string, username: string): void {
  const problem = passwordProblem(password, { username });
  if (problem)
    throw new AppError('unprocessable', `Choose another password: ${problem}.`, {
      code: 'weak_password',
      fields: [{ field, message: problem }],
    });
}

export type AccessService = ReturnType<typeof createAccessService>;

/**
 * A create refused for the cap on live API keys or calendar feeds (db/tokens.ts `TokenCapError`): 409, saying to
 * revoke one first. Any other error passes through.
 */
export const tokenCapRefusal =
  (kind: 'api_key' | 'calendar_feed') =>
  (error: unknown): never => {
    if (!(error instanceof TokenCapError)) throw error;
    const what = kind === 'api_key' ? 'API keys' : 'calendar feeds';
    throw new AppError(
      'conflict',
      `You already have ${error.cap} ${what} in use, the most one may have. Revoke one you no longer use, then make another.`,
      { code: kind === 'api_key' ? 'too_many_api_keys' : 'too_many_calendar_feeds' },
    );
  };

/**
 * What saving an agency changed, in words for its audit row: which fields, never their values (an address is an
 * agency's, not a survivor's, but the trail keeps none): "registered", "notification address changed", "nothing
 * changed".
 */
function agencyChange(before: Agency | null, after: Agency): string {
  if (!before) return 'registered';
  // As the emails about it tell a change (mail/agency-notices.ts emailChangedNotice).
  const changed = [
    before.name !== after.name && 'name changed',
    before.email !== after.email &&
      (before.email === null
        ? 'notification address added'
        : after.email === null
          ? 'notification address removed'
          : 'notification address changed'),
    before.timeZone !== after.timeZone && 'time zone changed',
  ].filter((part): part is string => Boolean(part));
  return changed.length > 0 ? changed.join('; ') : 'nothing changed';
}

/** A reset of a disabled user, refused: enabling them gives the password. */
const userDisabled = () =>
  new AppError('conflict', 'This user is disabled: enabling them gives them a new temporary password.', {
    code: 'user_disabled',
  });

/** A link of an identity to a disabled user, refused: it would sign nobody in, and hold the identity from their new user. */
const identityForDisabledUser = () =>
  new AppError(
    'conflict',
    'This user is disabled: an identity linked to them signs nobody in. Link it to the user the person signs in as now, or enable this one first.',
    { code: 'user_disabled' },
  );

/** An enabling of a user who is not disabled (or was enabled meanwhile), refused. */
const userNotDisabled = () => new AppError('conflict', 'This user is not disabled.', { code: 'user_not_disabled' });

/** What an admin does when the identity they link is another user's: one person at the provider is one user here. */
const IDENTITY_TAKEN_WHAT_TO_DO =
  'an admin of that user unlinks it first (for someone who moved from another agency, an admin there or a system administrator), then link it here';

/** A user's roles as their audit row names them: codes, in the order given ("none" for no role). */
const rolesInWords = (roles: readonly Role[]) => (roles.length > 0 ? roles.join(', ') : 'none');

export function createAccessService(deps: AccessDeps) {
  const { pool } = deps;
  // Token lifetimes run on the wall clock, authentication's included: never on a test's or a simulation's clock.
  const now = wallClock;
  const lockout = deps.lockout?.policy ?? DEFAULT_LOCKOUT;
  const lockoutNow = deps.lockout?.now ?? now;

  /** The one way a session starts, whatever proved who the user is: a short-lived token, and its audit row. */
  const startSession = async (user: User, requestId: string, how: { label: string; detail?: string }) => {
    const expiresAt = new Date((await now()).getTime() + (deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS));
    const session = await issueToken(pool, { userId: user.id, kind: 'session', label: how.label, expiresAt });
    await recordAudit(pool, {
      action: 'auth.sign_in',
      outcome: 'allowed',
      status: 201,
      requestId,
      user: auditUser(user),
      detail: how.detail,
    });
    return { token: session.token, expiresAt: session.expiresAt, user };
  };

  /** The user the actor asks to administer: 404 when there is none, 403 when it is not theirs to administer. */
  const administeredUser = async (actor: Actor, userId: string): Promise<User> => {
    const user = await findUser(pool, { id: userId });
    if (!user) throw new AppError('not_found', 'No such user.', { code: 'user_not_found' });
    requireAdministers(actor, user);
    return user;
  };
  /**
   * The one way an admin gives a user a password: one the service chooses, answered once and kept hashed; every
   * session and API key of the user revoked (a reset keeps none), and the sign-in lockouts of the account and of its
   * known devices cleared so the new password works at once. `enable` also lifts a disabling, in the same transaction.
   */
  const giveTemporaryPassword = async (actor: Actor, user: User, options: { enable: boolean }) => {
    const password = temporaryPassword(user.username);
    // Given only to the user as found (disabled, to enable; enabled, for a reset): one disabled or enabled meanwhile is
    // refused as it would be a moment later, so two enablings at once give one password, not two of which one works.
    const given = await setPassword(pool, user.id, password, {
      now: await now(),
      enable: options.enable,
      whileDisabled: options.enable,
    });
    if (!given) throw options.enable ? userNotDisabled() : userDisabled();
    await clearFailures(pool, accountCounter(user.username));
    await clearDeviceFailures(pool, user.id);
    const agency = (await findAgency(pool, user.agencyId))!;
    void sendAgencyNotice(
      deps.mailer,
      deps.logger,
      passwordGivenNotice(agency, user, options.enable, await changedBy(actor), await now(), deps.timeZone),
    );
    return { user: (await findUser(pool, { id: user.id }))!, temporaryPassword: password };
  };

  /** Who made a change, as a notice names them: the username (the Actor carries the id only). */
  const changedBy = (actor: Actor) => changedByOf(pool, actor);

  /**
   * Whose count judges a password check (db/sign-in-failures.ts), and how its lock is told. `alsoFails`: a count that
   * a wrong password runs up too, without judging this check nor being forgiven by its success.
   */
  interface Judge {
    counter: FailureCounter;
    code: 'account_locked' | 'device_locked';
    whose: string;
    alsoFails?: FailureCounter;
  }
  const byAccount = (username: string): Judge => ({
    counter: accountCounter(username),
    code: 'account_locked',
    whose: 'for this account',
  });

  /**
   * The one way a password is checked, wherever it is typed: refused unchecked while the `judge`'s count is locked
   * (429), counted as running otherwise and as a failure once the password is wrong (a right one never is), the count
   * cleared on success. Judged by the account's count (`account_locked`, the same for every username, existing or
   * not) unless a device that signed in to this account before (`device_locked`) or a signed-in token
   * (`proveCurrentPassword`) asks: its user is then not held back by strangers' guesses at the account, nor are they
   * forgiven.
   */
  const passwordOf = async (
    username: string,
    password: string,
    judge = byAccount(username),
  ): Promise<User | PasswordRefusal> => {
    const { lockedUntil } = await claimPasswordCheck(pool, judge.counter, await lockoutNow(), lockout);
    if (lockedUntil) {
      // The wait as every 429 says it (app/limited-headers.ts): `"<n>-wrong-in-a-row"`, no window, no partition key.
      const policy = { policy: `${lockout.freeFailures}-wrong-in-a-row`, quota: lockout.freeFailures };
      const headers = limitedHeaders({ ...policy, until: lockedUntil }, (await lockoutNow()).getTime());
      throw new AppError(
        'too_many_requests',
        `Too many wrong passwords ${judge.whose}. Try again in ${headers['Retry-After']} seconds.`,
        { code: judge.code, headers },
      );
    }
    const user = await checkPassword(pool, username, password);
    if (typeof user !== 'string') await clearFailures(pool, judge.counter);
    else {
      await countFailure(pool, judge.counter, await lockoutNow(), lockout, true);
      if (judge.alsoFails) await countFailure(pool, judge.alsoFails, await lockoutNow(), lockout, false);
    }
    return user;
  };

  /**
   * The signed-in user, once `password` proves they are at the keyboard (a token alone may be stolen). Judged by the
   * wrong passwords of the session or API key asking (`tokenId`), not by the account's, which strangers at sign-in run
   * up; each is counted against the account too, so a stolen token's guesses lock its sign-in as a stranger's do.
   */
  const proveCurrentPassword = async (userId: string, tokenId: string, password: string): Promise<User> => {
    const user = (await findUser(pool, { id: userId }))!;
    const judge: Judge = {
      counter: tokenCounter(tokenId),
      // The code the account's lock had here before: clients tell it as "wait, then try again".
      code: 'account_locked',
      whose: 'for this account from this session or API key',
      alsoFails: accountCounter(user.username),
    };
    if (typeof (await passwordOf(user.username, password, judge)) === 'string') {
      throw new AppError('forbidden', 'The current password is wrong.', {
        code: 'wrong_password',
        fields: [{ field: 'currentPassword', message: 'wrong' }],
      });
    }
    return user;
  };

  const oidcNotConfigured = () =>
    new AppError('not_found', 'Signing in with an identity provider is not configured here.', {
      code: 'oidc_not_configured',
    });

  return {
    /**
     * The proof, by the current password, that a lasting credential is made by its user at the keyboard: an API key
     * or a calendar feed outlives the session that creates it, so a stolen session must not be enough for either.
     */
    proveCurrentPassword,

    /**
     * The user behind a bearer token, or null (malformed, unknown, expired, revoked, user disabled): one indexed query
     * per request; the token's `last_used_at` is written at most once a minute and never awaited (db/tokens.ts).
     */
    async authenticate(token: string): Promise<{ user: Principal; tokenId: string } | null> {
      return authenticateToken(pool, token, await now(), BEARER_KINDS, deps.sessionIdleMs);
    },

    /**
     * Why a bearer token whose secret is right opens nothing any more (revoked, expired, its user disabled), with its
     * id and user, for the audit row of its refusal; null for text that is no token of ours. Asked only on a 401.
     */
    async refusedToken(token: string) {
      return refusedToken(pool, token, await now(), BEARER_KINDS, deps.sessionIdleMs);
    },

    /**
     * A session for the username and password, and a new device token for the browser or client to present at its
     * next sign-in (db/sign-in-devices.ts); the `deviceToken` presented, one answered before, is forgotten.
     */
    async signIn(credentials: { username: string; password: string; deviceToken?: string }, requestId: string) {
      // The account as typed in any case and with spaces around (`Demo-Advocate `): looked up, counted and audited so.
      const username = signInUsername(credentials.username);
      const device = credentials.deviceToken
        ? await knownDevice(pool, credentials.deviceToken, username, await lockoutNow())
        : null;
      // Whether the sign-in came from a device of the account, or named one that is not (forged, another's, expired).
      const from = device ? 'known_device; ' : credentials.deviceToken ? 'unknown_device; ' : '';
      // The targeted account is kept to spot password guessing. What was typed is not: it may be a password.
      const deny = async (status: number, detail: string) => {
        const target = await findUser(pool, { username });
        await recordAudit(pool, {
          action: 'auth.sign_in',
          outcome: 'denied',
          status,
          requestId,
          user: target ? auditUser(target) : undefined,
          detail: from + detail,
        });
      };
      const judge: Judge = device
        ? { counter: device, code: 'device_locked', whose: 'from this device for this account' }
        : byAccount(username);
      let user: User | PasswordRefusal;
      try {
        user = await passwordOf(username, credentials.password, judge);
      } catch (error) {
        const code = error instanceof AppError ? error.options.code : undefined;
        if (code === 'account_locked' || code === 'device_locked') await deny(429, code);
        throw error;
      }
      if (typeof user === 'string') {
        await deny(401, user);
        throw new AppError('unauthenticated', 'Wrong username or password.', { code: 'invalid_credentials' });
      }
      const session = await startSession(user, requestId, {
        label: 'signed in with password',
        detail: device ? 'known_device' : undefined,
      });
      return { ...session, deviceToken: await registerDevice(pool, user.id, await lockoutNow(), device) };
    },

    async oidcNonce() {
      if (!deps.verifyIdToken) throw oidcNotConfigured();
      const expiresAt = new Date((await now()).getTime() + OIDC_NONCE_TTL_MS);
      return { nonce: await issueOidcNonce(pool, expiresAt), expiresAt: expiresAt.toISOString() };
    },

    async oidcSession(idToken: string, requestId: string) {
      if (!deps.verifyIdToken) throw oidcNotConfigured();
      const refuse = async (code: string, message: string, user?: User) => {
        await recordAudit(pool, {
          action: 'auth.sign_in',
          outcome: 'denied',
          status: 401,
          requestId,
          user: user && auditUser(user),
          detail: `oidc; ${code}`,
        });
        return new AppError('unauthenticated', message, { code });
      };
      let identity;
      try {
        identity = await deps.verifyIdToken(idToken);
      } catch (error) {
        if (error instanceof AppError && error.options.code === 'invalid_id_token')
          throw await refuse('invalid_id_token', error.message);
        throw error;
      }
      // A valid token proves who signed in, not that they signed in to us just now: it must answer a sign-in
      // this service started (its nonce), and only once.
      if (!identity.nonce || !(await consumeOidcNonce(pool, identity.nonce))) {
        throw await refuse(
          'nonce_not_issued',
          'This sign-in was not started here, has expired or was already used. Please sign in again.',
        );
      }
      const user = await findUserByIdentity(pool, identity.issuer, identity.subject);
      if (!user) {
        throw await refuse(
          'identity_not_linked',
          `Your identity at your agency's identity provider is not linked to a user of this service. Ask an admin to link issuer ${identity.issuer} and subject ${identity.subject} to your user.`,
        );
      }
      if (user.disabledAt)
        throw await refuse('user_disabled', 'Your user is disabled. Ask an admin of your agency.', user);
      return startSession(user, requestId, { label: 'signed in with OpenID Connect', detail: 'oidc' });
    },

    async signOut(tokenId: string) {
      await revokeToken(pool, tokenId, await now());
    },

    /** Who the actor is, and what the API will let them do. */
    async me(actor: Actor) {
      const user = (await findUser(pool, { id: actor.userId }))!;
      const can = {
        openCases: opensCases(actor),
        readAudit: canReadAudit(actor),
        administer: canAdminister(actor),
        signSteps: works(actor),
        readReports: readsReports(actor),
        searchCasesByName: searchesByName(actor),
      };
      // The zone the console shows this user's dates in: their agency's, else the deployment's.
      const agency = await findAgency(pool, user.agencyId);
      const fallback = deps.timeZone ?? 'UTC';
      // One query for both lists of zones: every console page asks this.
      const zones = await deadlineTimeZoneLists(pool, fallback);
      return {
        user,
        can,
        timeZone: agency?.timeZone ?? fallback,
        deadlineTimeZones: zones.policeNow,
        dueDayTimeZones: zones.anyCase,
        now: (await (deps.now ?? wallClock)()).toISOString(),
      };
    },

    /** `tokenId`: the session or API key asking, which stays valid (every other token of the user is revoked). */
    async changePassword(actor: Actor, change: { currentPassword: string; newPassword: string }, tokenId: string) {
      const user = await proveCurrentPassword(actor.userId, tokenId, change.currentPassword);
      refuseWeakPassword('newPassword', change.newPassword, user.username);
      await setPassword(pool, user.id, change.newPassword, { now: await now(), keepTokenId: tokenId });
    },

    /**
     * The actor's API keys and sessions (or the tokens of one kind, calendar feeds included), newest first, one page
     * at a time; or, with `userId`, those of a user the actor administers (404 no such user, 403 not theirs, as the
     * other user admin routes), so an admin finds the key or feed to revoke.
     */
    async tokens(actor: Actor, page: { kind?: TokenKind; userId?: string; limit: number; cursor?: string }) {
      const userId = page.userId ?? actor.userId;
      if (userId !== actor.userId) await administeredUser(actor, userId);
      return pagedList(cursorKeys(deps.identityKeyring), 'tokens', page, 'query', (after) =>
        listTokens(pool, userId, page.kind ? [page.kind] : BEARER_KINDS, { limit: page.limit, after }),
      );
    },

    /** The new key (its secret shown once), and its owner, the actor, for the audit row; `tokenId`: the token asking. */
    async createApiKey(
      actor: Actor,
      key: { currentPassword: string; label: string; expiresInDays: number },
      tokenId: string,
    ) {
      const owner = await proveCurrentPassword(actor.userId, tokenId, key.currentPassword);
      const expiresAt = new Date((await now()).getTime() + key.expiresInDays * DAY_MS);
      const cap = { max: MAX_LIVE_TOKENS, now: await now() };
      const token = await issueToken(pool, {
        userId: actor.userId,
        kind: 'api_key',
        label: key.label,
        expiresAt,
        cap,
      }).catch(tokenCapRefusal('api_key'));
      return { token, owner: { id: owner.id, username: owner.username } };
    },

    /** The token revoked, and whose it was, for the audit row: the caller's own, or a user's they administer. */
    async revokeToken(actor: Actor, tokenId: string) {
      const ownerId = (await tokenOwner(pool, tokenId))?.userId;
      const owner = ownerId ? await findUser(pool, { id: ownerId }) : null;
      // A token of a user the caller does not administer is "not found": token ids are not theirs to probe.
      if (!ownerId || !owner || (ownerId !== actor.userId && administrationRefusal(actor, owner)))
        throw new AppError('not_found', 'No such token of yours.', { code: 'token_not_found' });
      const token = await revokeToken(pool, tokenId, await now());
      return { token, owner: { id: owner.id, username: owner.username } };
    },

    /**
     * The users the admin sees, by agency and username, one page at a time: an agency's admin their own agency's, a
     * system administrator every agency's (or one's, `agencyId`).
     */
    async users(actor: Actor, page: { agencyId?: string; limit: number; cursor?: string }) {
      const agencyId = administeredAgencyId(actor, page.agencyId);
      if (agencyId !== undefined) requireAdministers(actor, { agencyId, roles: [] });
      return pagedList(cursorKeys(deps.identityKeyring), 'users', page, 'query', (after) =>
        listUsers(pool, { agencyId }, { limit: page.limit, after }),
      );
    },

    /** One user the admin sees (as `users` lists them): 404 for any other, as for no such user. */
    async user(actor: Actor, userId: string) {
      const user = await findUser(pool, { id: userId });
      const agencyId = administeredAgencyId(actor, undefined);
      if (!user || (agencyId !== undefined && user.agencyId !== agencyId))
        throw new AppError('not_found', 'No such user.', { code: 'user_not_found' });
      return user;
    },

    async createUser(actor: Actor, request: Omit<NewUser, 'agencyId'> & { agencyId?: string }) {
      const agencyId = administeredAgencyId(actor, request.agencyId);
      if (agencyId === undefined)
        throw new AppError('unprocessable', 'Name the agency the user works for (agencyId).', {
          code: 'invalid_body',
          fields: [{ field: 'agencyId', message: 'which agency the user works for' }],
        });
      const body: NewUser = { ...request, agencyId };
      requireAdministers(actor, body);
      if (body.password !== undefined) refuseWeakPassword('password', body.password, body.username);
      const agency = await findAgency(pool, body.agencyId);
      if (!agency)
        throw new AppError('unprocessable', `No agency ${body.agencyId}.`, {
          code: 'unknown_agency',
          fields: [{ field: 'agencyId', message: 'unknown agency' }],
        });
      requireRolesFit(agency.kind, body.roles);
      let user: User;
      try {
        user = await createUser(pool, body);
      } catch (error) {
        if (error instanceof UsernameTakenError)
          throw new AppError('conflict', error.message, {
            code: 'username_taken',
            fields: [{ field: 'username', message: 'taken' }],
          });
        throw error;
      }
      void sendAgencyNotice(
        deps.mailer,
        deps.logger,
        userAddedNotice(agency, user, await changedBy(actor), await now(), deps.timeZone),
      );
      return user;
    },

    async disableUser(actor: Actor, userId: string) {
      if (userId === actor.userId)
        throw new AppError('conflict', 'An admin cannot disable themselves.', { code: 'cannot_disable_self' });
      await administeredUser(actor, userId);
      const user = await disableUser(pool, userId, { by: actor.userId, now: await now() });
      if (user === 'by_disabled')
        throw new AppError('unauthenticated', 'Your user was disabled meanwhile: nobody was disabled.', {
          code: 'user_disabled',
        });
      if (!user) throw new AppError('not_found', 'No such user.', { code: 'user_not_found' });
      return user;
    },

    /**
     * A new temporary password for a user the actor administers who forgot theirs: never one's own (that is
     * POST /api/me/password, proven by the current one), never a disabled user's (enabling gives one).
     */
    async resetPassword(actor: Actor, userId: string) {
      if (userId === actor.userId)
        throw new AppError('conflict', 'Change your own password under "Your account" (POST /api/me/password).', {
          code: 'cannot_reset_own_password',
        });
      const user = await administeredUser(actor, userId);
      if (user.disabledAt) throw userDisabled();
      return giveTemporaryPassword(actor, user, { enable: false });
    },

    /** Lets a disabled user sign in again, with a new temporary password: the one they had does not come back. */
    async enableUser(actor: Actor, userId: string) {
      const user = await administeredUser(actor, userId);
      if (!user.disabledAt) throw userNotDisabled();
      return giveTemporaryPassword(actor, user, { enable: true });
    },

    /**
     * Replaces the roles of a user the actor administers, with roles the actor may give (an agency's admin neither
     * appoints nor demotes admins). Their next request already holds the new roles: tokens carry no roles.
     */
    async setRoles(actor: Actor, userId: string, roles: Role[]) {
      if (userId === actor.userId)
        throw new AppError('conflict', 'An admin cannot change their own roles.', { code: 'cannot_change_own_roles' });
      const user = await administeredUser(actor, userId);
      if (user.roles.includes('system_admin'))
        throw new AppError('conflict', 'A system administrator is managed with the command line (npm run admin).', {
          code: 'system_admin_roles',
        });
      requireAdministers(actor, { agencyId: user.agencyId, roles });
      requireRolesFit(user.agencyKind, roles);
      const changed = (await setUserRoles(pool, user.id, roles))!;
      const agency = (await findAgency(pool, user.agencyId))!;
      void sendAgencyNotice(
        deps.mailer,
        deps.logger,
        rolesChangedNotice(agency, changed, user.roles, await changedBy(actor), await now(), deps.timeZone),
      );
      return { user: changed, change: `roles: ${rolesInWords(user.roles)} → ${rolesInWords(changed.roles)}` };
    },

    async identities(actor: Actor, userId: string) {
      await administeredUser(actor, userId);
      return listIdentities(pool, userId);
    },

    async linkIdentity(actor: Actor, userId: string, identity: { issuer: string; subject: string }) {
      const user = await administeredUser(actor, userId);
      if (user.disabledAt) throw identityForDisabledUser();
      try {
        return await linkIdentity(pool, { ...identity, userId });
      } catch (error) {
        // Said with what to do: the admin linking a person who moved from another agency cannot see, nor unlink, the
        // user it stayed with there (their former agency's admin or a system administrator can, README "When someone
        // leaves, moves or joins").
        if (error instanceof IdentityTakenError)
          throw new AppError('conflict', `This identity is linked to another user: ${IDENTITY_TAKEN_WHAT_TO_DO}.`, {
            code: 'identity_taken',
            fields: [{ field: 'subject', message: `linked to another user: ${IDENTITY_TAKEN_WHAT_TO_DO}` }],
          });
        throw error;
      }
    },

    /**
     * Unlinks an identity from a user the actor administers: it signs them in no more, and may be linked to another
     * user (the person's new one at another agency). 404 when the user has no such link.
     */
    async unlinkIdentity(actor: Actor, userId: string, identity: { issuer: string; subject: string }) {
      await administeredUser(actor, userId);
      const unlinked = await unlinkIdentity(pool, { ...identity, userId });
      if (!unlinked)
        throw new AppError('not_found', 'No such identity is linked to this user.', {
          code: 'identity_not_found',
          fields: [{ field: 'subject', message: 'not linked to this user' }],
        });
      return unlinked;
    },

    agencies: () => listAgencies(pool),

    async saveAgency(actor: Actor, body: NewAgency) {
      const existing = await findAgency(pool, body.id);
      if (existing && existing.kind !== body.kind) {
        throw new AppError(
          'conflict',
          `Agency ${body.id} acts as ${agencyKindInProse(existing.kind)}: its kind cannot change.`,
          {
            code: 'agency_kind_fixed',
            fields: [{ field: 'kind', message: 'cannot change' }],
          },
        );
      }
      const saved = await inTransaction(pool, async (client) => {
        await upsertAgencies(client, [body]);
        const agency = (await findAgency(client, body.id))!;
        // The emails to it still owed go to the address it has now (none once removed), never to one it gave up.
        await readdressOwedEmails(client, agency.id, agency.email, await now());
        return agency;
      });
      void sendAgencyNotice(
        deps.mailer,
        deps.logger,
        emailChangedNotice(existing, saved, await changedBy(actor), await now(), deps.timeZone),
      );
      return { agency: saved, change: agencyChange(existing, saved) };
    },

    /**
     * Turns the agency's daily digest on or off (its own admin, or a system administrator) and starts or stops its
     * workflow. The setting is written first: a digest workflow reads it before each digest, so one that a failed
     * stop left running sends nothing, and a failed start is made good at the next service start.
     */
    async setDailyDigest(actor: Actor, agencyId: string, on: boolean) {
      requireAdministers(actor, { agencyId, roles: [] });
      const before = await findAgency(pool, agencyId);
      const agency = await setDailyDigest(pool, agencyId, on);
      if (!agency) throw new AppError('not_found', `No agency ${agencyId}.`, { code: 'unknown_agency' });
      await (on ? deps.digests?.start(agencyId) : deps.digests?.stop(agencyId));
      const state = on ? 'on' : 'off';
      return { agency, change: before?.dailyDigest === on ? `digest left ${state}` : `digest turned ${state}` };
    },
  };
}
