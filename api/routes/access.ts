/**
 * Signing in and out, API keys, and the administration of users and agencies. Passwords and tokens never appear in
 * logs (pino-http logs method, path and status only) nor in the audit trail.
 */
import { AppError } from '../../core/errors';
import { passwordProblem } from '../../app/password-policy';
import { findAgency, listAgencies, upsertAgencies } from '../../db/agencies';
import { recordAudit } from '../../db/audit';
import { claimPasswordCheck, clearFailures, DEFAULT_LOCKOUT } from '../../db/sign-in-failures';
import { consumeOidcNonce, issueOidcNonce } from '../../db/oidc-nonces';
import { issueToken, listTokens, revokeToken, revokeUserTokens, tokenOwner } from '../../db/tokens';
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
  UsernameTakenError,
} from '../../db/users';
import type { User } from '../../db/user-rows';
import { administrationRefusal, canAdminister, canReadAudit, CASE_OPENERS, isSystemAdmin, rolesFor, works, type Administered } from '../../domain/access';
import type { Actor } from '../../domain/types';
import { emailChangedNotice, sendAgencyNotice, userAddedNotice } from '../../mail/agency-notices';
import type { ApiDeps } from '../deps';
import { idTokenVerifier } from '../oidc';
import { requestIdOf } from '../request-id';
import { route, type Permission, type Route } from '../route';
import {
  AgencySchema,
  ChangePasswordSchema,
  IdentitySchema,
  IdentityViewSchema,
  IssuedTokenSchema,
  MeSchema,
  NewAgencySchema,
  NewTokenSchema,
  NewUserSchema,
  OidcNonceSchema,
  OidcSessionSchema,
  SessionSchema,
  SignInSchema,
  TokenParamsSchema,
  TokenViewSchema,
  UserListQuerySchema,
  UserParamsSchema,
  UserViewSchema,
} from '../schemas';
import { z } from 'zod';

export const ADMIN: Permission = { test: canAdminister, needs: 'the admin role' };
export const SYSTEM_ADMIN: Permission = { test: isSystemAdmin, needs: 'the system_admin role (agencies are managed by a system administrator)' };
const DAY_MS = 24 * 3600 * 1000;
/** As long as the console's sign-in flow and the age of an ID token accepted: one sign-in's time. */
const OIDC_NONCE_TTL_MS = 10 * 60 * 1000;
export const DEFAULT_SESSION_TTL_MS = 12 * 3600 * 1000;

const auditUser = (user: User) => ({ id: user.id, username: user.username, agencyId: user.agencyId, roles: user.roles });

/** Refuses (403, audited) administering a user the actor may not: see `administrationRefusal` in domain/access.ts. */
function requireAdministers(actor: Actor, user: Administered): void {
  const refusal = administrationRefusal(actor, user);
  if (refusal) throw new AppError('forbidden', `Not yours to administer: ${refusal.message}.`, { code: refusal.code, fields: [{ field: refusal.field, message: refusal.message }] });
}

export function accessRoutes(deps: ApiDeps): Route[] {
  // Token lifetimes run on the wall clock, as authentication does (api/auth.ts).
  const now = () => new Date();
  const verifyIdToken = deps.oidc && idTokenVerifier(deps.oidc);

  /** The one way a session starts, whatever proved who the user is: a short-lived token, and its audit row. */
  const startSession = async (user: User, req: Parameters<typeof requestIdOf>[0], how: { label: string; detail?: string }) => {
    const expiresAt = new Date(now().getTime() + (deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS));
    const session = await issueToken(deps.pool, { userId: user.id, kind: 'session', label: how.label, expiresAt });
    await recordAudit(deps.pool, { action: 'auth.sign_in', outcome: 'allowed', status: 201, requestId: requestIdOf(req), user: auditUser(user), detail: how.detail });
    return { status: 201, body: { token: session.token, expiresAt: session.expiresAt, user }, headers: { 'Cache-Control': 'no-store' } };
  };

  /** The user the actor asks to administer: 404 when there is none, 403 when it is not theirs to administer. */
  const administeredUser = async (actor: Actor, userId: string): Promise<User> => {
    const user = await findUser(deps.pool, { id: userId });
    if (!user) throw new AppError('not_found', 'No such user.', { code: 'user_not_found' });
    requireAdministers(actor, user);
    return user;
  };
  /** Who made a change, as a notice names them: the username (the Actor carries the id only). */
  const changedBy = async (actor: Actor) => ({ username: (await findUser(deps.pool, { id: actor.userId }))?.username ?? actor.userId, agencyId: actor.agencyId });

  const lockout = deps.lockout?.policy ?? DEFAULT_LOCKOUT;
  const lockoutNow = deps.lockout?.now ?? now;

  /**
   * The one way a password is checked, wherever it is typed: refused unchecked while the account is locked (429, the
   * same for every username, existing or not), counted against the account otherwise, and the count cleared on success.
   */
  const passwordOf = async (username: string, password: string): Promise<User | null> => {
    const { lockedUntil } = await claimPasswordCheck(deps.pool, username, lockoutNow(), lockout);
    if (lockedUntil) {
      const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - lockoutNow().getTime()) / 1000));
      throw new AppError('too_many_requests', `Too many wrong passwords for this account. Try again in ${seconds} seconds.`, {
        code: 'account_locked',
        headers: { 'Retry-After': String(seconds) },
      });
    }
    const user = await checkPassword(deps.pool, username, password);
    if (user) await clearFailures(deps.pool, username);
    return user;
  };

  /** A new password an attacker would try early is refused, on the field that carries it. */
  const refuseWeakPassword = (field: string, password: string, username: string) => {
    const problem = passwordProblem(password, { username });
    if (problem) throw new AppError('unprocessable', `Choose another password: ${problem}.`, { code: 'weak_password', fields: [{ field, message: problem }] });
  };

  /** The signed-in user, once `password` proves they are at the keyboard (a token alone may be stolen). */
  const proveCurrentPassword = async (userId: string, password: string): Promise<User> => {
    const user = (await findUser(deps.pool, { id: userId }))!;
    if (!(await passwordOf(user.username, password))) {
      throw new AppError('forbidden', 'The current password is wrong.', { code: 'wrong_password', fields: [{ field: 'currentPassword', message: 'wrong' }] });
    }
    return user;
  };

  return [
    route({
      method: 'post',
      path: '/api/auth/sign-in',
      tag: 'access',
      summary: 'Sign in with a username and password; answers a session token that expires (12 hours by default).',
      actor: false,
      rateLimit: 'sign_in',
      body: SignInSchema,
      responses: {
        201: { description: 'a session token', schema: SessionSchema },
        401: { description: 'wrong username or password', problem: true },
        429: { description: 'too many attempts from this address, or too many wrong passwords for this username (locked for a while, growing)', problem: true },
      },
      handle: async ({ body, req }) => {
        const requestId = requestIdOf(req);
        // The targeted account is kept to spot password guessing. What was typed is not: it may be a password.
        const deny = async (status: number, detail: (known: boolean) => string) => {
          const target = await findUser(deps.pool, { username: body.username });
          await recordAudit(deps.pool, { action: 'auth.sign_in', outcome: 'denied', status, requestId, user: target ? auditUser(target) : undefined, detail: detail(Boolean(target)) });
        };
        let user: User | null;
        try {
          user = await passwordOf(body.username, body.password);
        } catch (error) {
          if (error instanceof AppError && error.options.code === 'account_locked') await deny(429, () => 'account_locked');
          throw error;
        }
        if (!user) {
          await deny(401, (known) => (known ? 'wrong_password_or_disabled' : 'unknown_username'));
          throw new AppError('unauthenticated', 'Wrong username or password.', { code: 'invalid_credentials' });
        }
        return startSession(user, req, { label: 'signed in with password' });
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/oidc/nonce',
      tag: 'access',
      summary:
        'Start an OpenID Connect sign-in: a nonce for the authorization request, valid for 10 minutes and for one session. POST /api/auth/oidc/session accepts only an ID token carrying a nonce issued here. 404 when OIDC is not configured.',
      actor: false,
      rateLimit: 'sign_in',
      responses: {
        201: { description: 'a nonce for one sign-in', schema: OidcNonceSchema },
        404: { description: 'OpenID Connect is not configured', problem: true },
      },
      handle: async () => {
        if (!verifyIdToken) throw new AppError('not_found', 'Signing in with an identity provider is not configured here.', { code: 'oidc_not_configured' });
        const expiresAt = new Date(now().getTime() + OIDC_NONCE_TTL_MS);
        return { status: 201, body: { nonce: await issueOidcNonce(deps.pool, expiresAt), expiresAt: expiresAt.toISOString() } };
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/oidc/session',
      tag: 'access',
      summary:
        "Sign in with an ID token from the agency's OpenID Connect provider (as the console receives it): verified here, mapped to the user an admin linked to its issuer and subject; answers a session token like password sign-in. 404 when OIDC is not configured.",
      actor: false,
      rateLimit: 'sign_in',
      body: OidcSessionSchema,
      responses: {
        201: { description: 'a session token', schema: SessionSchema },
        401: { description: 'the ID token is not valid, answers no sign-in started here (its nonce), or its identity is linked to no active user', problem: true },
        404: { description: 'OpenID Connect is not configured', problem: true },
      },
      handle: async ({ body, req }) => {
        if (!verifyIdToken) throw new AppError('not_found', 'Signing in with an identity provider is not configured here.', { code: 'oidc_not_configured' });
        const requestId = requestIdOf(req);
        const refuse = async (code: string, message: string, user?: User) => {
          await recordAudit(deps.pool, { action: 'auth.sign_in', outcome: 'denied', status: 401, requestId, user: user && auditUser(user), detail: `oidc; ${code}` });
          return new AppError('unauthenticated', message, { code });
        };
        let identity;
        try {
          identity = await verifyIdToken(body.idToken);
        } catch (error) {
          if (error instanceof AppError && error.options.code === 'invalid_id_token') throw await refuse('invalid_id_token', error.message);
          throw error;
        }
        // A valid token proves who signed in, not that they signed in to us just now: it must answer a sign-in
        // this service started (its nonce), and only once.
        if (!identity.nonce || !(await consumeOidcNonce(deps.pool, identity.nonce))) {
          throw await refuse('nonce_not_issued', 'This sign-in was not started here, has expired or was already used. Please sign in again.');
        }
        const user = await findUserByIdentity(deps.pool, identity.issuer, identity.subject);
        if (!user) {
          throw await refuse(
            'identity_not_linked',
            `Your identity at your agency's identity provider is not linked to a user of this service. Ask an admin to link issuer ${identity.issuer} and subject ${identity.subject} to your user.`,
          );
        }
        if (user.disabledAt) throw await refuse('user_disabled', 'Your user is disabled. Ask an admin of your agency.', user);
        return startSession(user, req, { label: 'signed in with OpenID Connect', detail: 'oidc' });
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/sign-out',
      tag: 'access',
      summary: 'Revoke the token this request carries.',
      audit: 'auth.sign_out',
      rateLimit: 'none',
      responses: { 204: { description: 'signed out' } },
      handle: async ({ tokenId }) => {
        await revokeToken(deps.pool, tokenId, now());
        return { status: 204, body: null };
      },
    }),
    route({
      method: 'get',
      path: '/api/me',
      tag: 'access',
      summary: 'Who the token belongs to, and what the API will let them do.',
      responses: { 200: { description: 'the user', schema: MeSchema } },
      handle: async ({ actor }) => {
        const user = (await findUser(deps.pool, { id: actor.userId }))!;
        const can = {
          openCases: works(actor) && CASE_OPENERS.includes(actor.agencyKind),
          readAudit: canReadAudit(actor),
          administer: canAdminister(actor),
          signSteps: works(actor),
        };
        return { status: 200, body: { user, can } };
      },
    }),
    route({
      method: 'post',
      path: '/api/me/password',
      tag: 'access',
      summary:
        'Change your password: the current one proves it is you (limited like sign-in, per user). Every other session and API key of yours is revoked; the token making the change stays valid.',
      rateLimit: 'password_check',
      body: ChangePasswordSchema,
      audit: 'auth.password_change',
      responses: {
        204: { description: 'changed' },
        403: { description: 'the current password is wrong', problem: true },
        422: { description: 'the new password is too short, too common (a list of breached passwords), one character repeated or contains the username', problem: true },
        429: { description: 'too many password checks by this user, or too many wrong passwords for this account (locked for a while)', problem: true },
      },
      handle: async ({ body, actor, tokenId }) => {
        const user = await proveCurrentPassword(actor.userId, body.currentPassword);
        refuseWeakPassword('newPassword', body.newPassword, user.username);
        await setPassword(deps.pool, user.id, body.newPassword, { now: now(), keepTokenId: tokenId });
        return { status: 204, body: null };
      },
    }),
    route({
      method: 'get',
      path: '/api/tokens',
      tag: 'access',
      summary: "Your own tokens (API keys and sessions), without their secrets.",
      responses: { 200: { description: 'the tokens', schema: z.object({ items: z.array(TokenViewSchema) }) } },
      handle: async ({ actor }) => ({ status: 200, body: { items: await listTokens(deps.pool, actor.userId) } }),
    }),
    route({
      method: 'post',
      path: '/api/tokens',
      tag: 'access',
      summary:
        'Create an API key for yourself: it acts as you, expires (90 days by default, at most 365) and can be revoked. Your current password proves it is you (limited like sign-in, per user).',
      rateLimit: 'password_check',
      body: NewTokenSchema,
      audit: 'token.create',
      responses: {
        201: { description: 'the key, shown this once', schema: IssuedTokenSchema },
        403: { description: 'the current password is wrong', problem: true },
        429: { description: 'too many password checks by this user, or too many wrong passwords for this account (locked for a while)', problem: true },
      },
      handle: async ({ body, actor }) => {
        await proveCurrentPassword(actor.userId, body.currentPassword);
        const expiresAt = new Date(now().getTime() + body.expiresInDays * DAY_MS);
        const issued = await issueToken(deps.pool, { userId: actor.userId, kind: 'api_key', label: body.label, expiresAt });
        return { status: 201, body: issued, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    route({
      method: 'post',
      path: '/api/tokens/:tokenId/revoke',
      tag: 'access',
      summary: "Revoke a token at once: your own, or as an admin a token of a user you administer (your agency's users; every user's as a system administrator).",
      params: TokenParamsSchema,
      audit: 'token.revoke',
      responses: { 200: { description: 'the revoked token', schema: TokenViewSchema }, 404: { description: 'no such token of yours', problem: true } },
      handle: async ({ params, actor }) => {
        const ownerId = await tokenOwner(deps.pool, params.tokenId);
        const owner = ownerId && ownerId !== actor.userId ? await findUser(deps.pool, { id: ownerId }) : null;
        // A token of a user the caller does not administer is "not found": token ids are not theirs to probe.
        if (!ownerId || (owner && administrationRefusal(actor, owner))) throw new AppError('not_found', 'No such token of yours.', { code: 'token_not_found' });
        return { status: 200, body: await revokeToken(deps.pool, params.tokenId, now()) };
      },
    }),
    route({
      method: 'get',
      path: '/api/users',
      tag: 'administration',
      summary: "Users, by agency and username: an agency's admin sees their own agency's, a system administrator every agency's.",
      allow: ADMIN,
      query: UserListQuerySchema,
      responses: { 200: { description: 'the users', schema: z.object({ items: z.array(UserViewSchema) }) } },
      handle: async ({ query, actor }) => {
        const agencyId = isSystemAdmin(actor) ? query.agencyId : (query.agencyId ?? actor.agencyId);
        if (agencyId !== undefined) requireAdministers(actor, { agencyId, roles: [] });
        return { status: 200, body: { items: await listUsers(deps.pool, { agencyId }) } };
      },
    }),
    route({
      method: 'post',
      path: '/api/users',
      tag: 'administration',
      summary:
        "Create a user of an agency with roles fitting its kind; a password lets them sign in, else they use API keys. An agency's admin creates non-admin users of their own agency; a system administrator any agency's users, admins included (system_admin is never granted here). The agency's address is told.",
      allow: ADMIN,
      body: NewUserSchema,
      audit: 'user.create',
      responses: {
        201: { description: 'the user', schema: UserViewSchema },
        403: { description: 'another agency, or an admin, and the caller is not a system administrator', problem: true },
        409: { description: 'the username is taken', problem: true },
      },
      handle: async ({ body, actor }) => {
        requireAdministers(actor, body);
        if (body.password !== undefined) refuseWeakPassword('password', body.password, body.username);
        const agency = await findAgency(deps.pool, body.agencyId);
        if (!agency) throw new AppError('unprocessable', `No agency ${body.agencyId}.`, { code: 'unknown_agency', fields: [{ field: 'agencyId', message: 'unknown agency' }] });
        const allowed = rolesFor(agency.kind);
        const misfit = body.roles.filter((role) => !allowed.includes(role));
        if (misfit.length > 0) {
          const message = `a ${agency.kind} agency's users may hold ${allowed.join(', ')}; not ${misfit.join(', ')}`;
          throw new AppError('unprocessable', 'These roles do not fit the agency.', { code: 'roles_not_for_agency', fields: [{ field: 'roles', message }] });
        }
        let user: User;
        try {
          user = await createUser(deps.pool, body);
        } catch (error) {
          if (error instanceof UsernameTakenError) throw new AppError('conflict', error.message, { code: 'username_taken', fields: [{ field: 'username', message: 'taken' }] });
          throw error;
        }
        void sendAgencyNotice(deps.mailer, deps.logger, userAddedNotice(agency, user, await changedBy(actor), now()));
        return { status: 201, body: user };
      },
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/disable',
      tag: 'administration',
      summary: 'Disable a user you administer: every token of theirs stops working at once.',
      allow: ADMIN,
      params: UserParamsSchema,
      audit: 'user.disable',
      responses: {
        200: { description: 'the disabled user', schema: UserViewSchema },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
      },
      handle: async ({ params, actor }) => {
        if (params.userId === actor.userId) throw new AppError('conflict', 'An admin cannot disable themselves.', { code: 'cannot_disable_self' });
        await administeredUser(actor, params.userId);
        const user = await disableUser(deps.pool, params.userId);
        if (!user) throw new AppError('not_found', 'No such user.', { code: 'user_not_found' });
        await revokeUserTokens(deps.pool, user.id, now());
        return { status: 200, body: user };
      },
    }),
    route({
      method: 'get',
      path: '/api/users/:userId/identities',
      tag: 'administration',
      summary: "The identities (issuer and subject at an OpenID Connect provider) linked to a user.",
      allow: ADMIN,
      params: UserParamsSchema,
      responses: {
        200: { description: 'the identities', schema: z.object({ items: z.array(IdentityViewSchema) }) },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
      },
      handle: async ({ params, actor }) => {
        await administeredUser(actor, params.userId);
        return { status: 200, body: { items: await listIdentities(deps.pool, params.userId) } };
      },
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/identities',
      tag: 'administration',
      summary:
        "Link an identity at the agency's OpenID Connect provider (the `iss` and `sub` of its ID tokens) to a user, so they can sign in with it. Linking it again to the same user changes nothing.",
      allow: ADMIN,
      params: UserParamsSchema,
      body: IdentitySchema,
      audit: 'user.link_identity',
      responses: {
        201: { description: 'the link', schema: IdentityViewSchema },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
        409: { description: 'the identity is linked to another user', problem: true },
      },
      handle: async ({ params, body, actor }) => {
        await administeredUser(actor, params.userId);
        try {
          return { status: 201, body: await linkIdentity(deps.pool, { ...body, userId: params.userId }) };
        } catch (error) {
          if (error instanceof IdentityTakenError) throw new AppError('conflict', 'This identity is linked to another user.', { code: 'identity_taken', fields: [{ field: 'subject', message: 'linked to another user' }] });
          throw error;
        }
      },
    }),
    route({
      method: 'get',
      path: '/api/agencies',
      tag: 'administration',
      summary: 'The agencies a case can name.',
      responses: { 200: { description: 'the agencies', schema: z.object({ items: z.array(AgencySchema) }) } },
      handle: async () => ({ status: 200, body: { items: await listAgencies(deps.pool) } }),
    }),
    route({
      method: 'post',
      path: '/api/agencies',
      tag: 'administration',
      summary:
        "Register an agency (or update its name, notification address and time zone; a field left out is cleared): a system administrator only. `timeZone` (an IANA name; null: the deployment's TIMEZONE) is where a date or time of identification without an offset is read. A change of address is told to the old address and the new one.",
      allow: SYSTEM_ADMIN,
      body: NewAgencySchema,
      audit: 'agency.save',
      responses: { 201: { description: 'the agency', schema: AgencySchema }, 409: { description: 'the id belongs to an agency of another kind', problem: true } },
      handle: async ({ body, actor }) => {
        const existing = await findAgency(deps.pool, body.id);
        if (existing && existing.kind !== body.kind) {
          throw new AppError('conflict', `Agency ${body.id} is a ${existing.kind} agency.`, { code: 'agency_kind_fixed', fields: [{ field: 'kind', message: 'cannot change' }] });
        }
        await upsertAgencies(deps.pool, [body]);
        void sendAgencyNotice(deps.mailer, deps.logger, emailChangedNotice(existing, body, await changedBy(actor), now()));
        return { status: 201, body };
      },
    }),
  ];
}

