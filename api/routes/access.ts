/**
 * Signing in and out, API keys, and the administration of users and agencies. Passwords and tokens never appear in
 * logs (pino-http logs method, path and status only) nor in the audit trail.
 */
import { AppError } from '../../app/errors';
import { agencyKindOf, listAgencies, upsertAgencies } from '../../db/agencies';
import { recordAudit } from '../../db/audit';
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
  type User,
} from '../../db/users';
import { canAdminister, canReadAudit, CASE_OPENERS, rolesFor, works } from '../../domain/access';
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
const DAY_MS = 24 * 3600 * 1000;
/** As long as the console's sign-in flow and the age of an ID token accepted: one sign-in's time. */
const OIDC_NONCE_TTL_MS = 10 * 60 * 1000;
export const DEFAULT_SESSION_TTL_MS = 12 * 3600 * 1000;

const auditUser = (user: User) => ({ id: user.id, username: user.username, agencyId: user.agencyId, roles: user.roles });

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

  return [
    route({
      method: 'post',
      path: '/api/auth/sign-in',
      tag: 'access',
      summary: 'Sign in with a username and password; answers a session token that expires (12 hours by default).',
      actor: false,
      rateLimit: 'sign_in',
      body: SignInSchema,
      responses: { 201: { description: 'a session token', schema: SessionSchema }, 401: { description: 'wrong username or password', problem: true } },
      handle: async ({ body, req }) => {
        const user = await checkPassword(deps.pool, body.username, body.password);
        const requestId = requestIdOf(req);
        if (!user) {
          // The targeted account is kept to spot password guessing. What was typed is not: it may be a password.
          const target = await findUser(deps.pool, { username: body.username });
          await recordAudit(deps.pool, {
            action: 'auth.sign_in',
            outcome: 'denied',
            status: 401,
            requestId,
            user: target ? auditUser(target) : undefined,
            detail: target ? 'wrong_password_or_disabled' : 'unknown_username',
          });
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
      summary: 'Change your password: the current one proves it is you (limited like sign-in, per user).',
      rateLimit: 'password_check',
      body: ChangePasswordSchema,
      audit: 'auth.password_change',
      responses: { 204: { description: 'changed' }, 403: { description: 'the current password is wrong', problem: true } },
      handle: async ({ body, actor }) => {
        const user = (await findUser(deps.pool, { id: actor.userId }))!;
        if (!(await checkPassword(deps.pool, user.username, body.currentPassword))) {
          throw new AppError('forbidden', 'The current password is wrong.', { code: 'wrong_password', fields: [{ field: 'currentPassword', message: 'wrong' }] });
        }
        await setPassword(deps.pool, user.id, body.newPassword);
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
      summary: 'Create an API key for yourself: it acts as you, expires (90 days by default, at most 365) and can be revoked.',
      body: NewTokenSchema,
      audit: 'token.create',
      responses: { 201: { description: 'the key, shown this once', schema: IssuedTokenSchema } },
      handle: async ({ body, actor }) => {
        const expiresAt = new Date(now().getTime() + body.expiresInDays * DAY_MS);
        const issued = await issueToken(deps.pool, { userId: actor.userId, kind: 'api_key', label: body.label, expiresAt });
        return { status: 201, body: issued, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    route({
      method: 'post',
      path: '/api/tokens/:tokenId/revoke',
      tag: 'access',
      summary: 'Revoke a token at once: your own, or anyone’s as an admin.',
      params: TokenParamsSchema,
      audit: 'token.revoke',
      responses: { 200: { description: 'the revoked token', schema: TokenViewSchema }, 404: { description: 'no such token of yours', problem: true } },
      handle: async ({ params, actor }) => {
        const owner = await tokenOwner(deps.pool, params.tokenId);
        // Someone else's token is "not found" to a non-admin: token ids are not theirs to probe.
        if (!owner || (owner !== actor.userId && !canAdminister(actor))) throw new AppError('not_found', 'No such token of yours.', { code: 'token_not_found' });
        return { status: 200, body: await revokeToken(deps.pool, params.tokenId, now()) };
      },
    }),
    route({
      method: 'get',
      path: '/api/users',
      tag: 'administration',
      summary: 'Users, by agency and username.',
      allow: ADMIN,
      query: UserListQuerySchema,
      responses: { 200: { description: 'the users', schema: z.object({ items: z.array(UserViewSchema) }) } },
      handle: async ({ query }) => ({ status: 200, body: { items: await listUsers(deps.pool, query) } }),
    }),
    route({
      method: 'post',
      path: '/api/users',
      tag: 'administration',
      summary: 'Create a user of an agency with roles fitting its kind; a password lets them sign in, else they use API keys.',
      allow: ADMIN,
      body: NewUserSchema,
      audit: 'user.create',
      responses: { 201: { description: 'the user', schema: UserViewSchema }, 409: { description: 'the username is taken', problem: true } },
      handle: async ({ body }) => {
        const kind = await agencyKindOf(deps.pool, body.agencyId);
        if (!kind) throw new AppError('unprocessable', `No agency ${body.agencyId}.`, { code: 'unknown_agency', fields: [{ field: 'agencyId', message: 'unknown agency' }] });
        const allowed = rolesFor(kind);
        const misfit = body.roles.filter((role) => !allowed.includes(role));
        if (misfit.length > 0) {
          const message = `a ${kind} agency's users may hold ${allowed.join(', ')}; not ${misfit.join(', ')}`;
          throw new AppError('unprocessable', 'These roles do not fit the agency.', { code: 'roles_not_for_agency', fields: [{ field: 'roles', message }] });
        }
        try {
          return { status: 201, body: await createUser(deps.pool, body) };
        } catch (error) {
          if (error instanceof UsernameTakenError) throw new AppError('conflict', error.message, { code: 'username_taken', fields: [{ field: 'username', message: 'taken' }] });
          throw error;
        }
      },
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/disable',
      tag: 'administration',
      summary: 'Disable a user: every token of theirs stops working at once.',
      allow: ADMIN,
      params: UserParamsSchema,
      audit: 'user.disable',
      responses: { 200: { description: 'the disabled user', schema: UserViewSchema }, 404: { description: 'no such user', problem: true } },
      handle: async ({ params, actor }) => {
        if (params.userId === actor.userId) throw new AppError('conflict', 'An admin cannot disable themselves.', { code: 'cannot_disable_self' });
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
      responses: { 200: { description: 'the identities', schema: z.object({ items: z.array(IdentityViewSchema) }) }, 404: { description: 'no such user', problem: true } },
      handle: async ({ params }) => {
        if (!(await findUser(deps.pool, { id: params.userId }))) throw new AppError('not_found', 'No such user.', { code: 'user_not_found' });
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
        404: { description: 'no such user', problem: true },
        409: { description: 'the identity is linked to another user', problem: true },
      },
      handle: async ({ params, body }) => {
        if (!(await findUser(deps.pool, { id: params.userId }))) throw new AppError('not_found', 'No such user.', { code: 'user_not_found' });
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
      summary: 'Register an agency (or update its name and address).',
      allow: ADMIN,
      body: NewAgencySchema,
      audit: 'agency.save',
      responses: { 201: { description: 'the agency', schema: AgencySchema }, 409: { description: 'the id belongs to an agency of another kind', problem: true } },
      handle: async ({ body }) => {
        const existing = await agencyKindOf(deps.pool, body.id);
        if (existing && existing !== body.kind) throw new AppError('conflict', `Agency ${body.id} is a ${existing} agency.`, { code: 'agency_kind_fixed', fields: [{ field: 'kind', message: 'cannot change' }] });
        await upsertAgencies(deps.pool, [body]);
        return { status: 201, body };
      },
    }),
  ];
}

