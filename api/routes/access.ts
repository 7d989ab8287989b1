/**
 * Signing in and out, API keys, and the administration of users and agencies. Passwords and tokens never appear in
 * logs (api/request-log.ts logs method, path and status only) nor in the audit trail.
 */
import { canAdminister, isSystemAdmin } from '../../domain/access';
import type { ApiDeps } from '../deps';
import { route, type Permission, type Route } from '../route';
import {
  AgencyParamsSchema,
  AgencySchema,
  DailyDigestSchema,
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
  PasswordSessionSchema,
  SessionSchema,
  SignInSchema,
  TemporaryPasswordSchema,
  TokenListQuerySchema,
  TokenPageSchema,
  TokenParamsSchema,
  TokenViewSchema,
  UserListQuerySchema,
  UserParamsSchema,
  UserRolesSchema,
  UserPageSchema,
  UserViewSchema,
} from '../schemas';
import { z } from 'zod';

const ADMIN: Permission = { test: canAdminister, needs: 'the admin role' };
const SYSTEM_ADMIN: Permission = {
  test: isSystemAdmin,
  needs: 'the system_admin role (agencies are managed by a system administrator)',
};

/**
 * Whom an administration call was about, for its audit row: the user's id and, from a successful answer (the user, or
 * their temporary password's `user`), their username: staff, never a survivor. The row's own user is the admin who
 * acted.
 */
function userNamed(userId: string | undefined, answer: unknown): string | undefined {
  const reply = answer as { user?: { id: string; username: string }; id?: string; username?: string } | undefined;
  const user = reply?.user ?? reply;
  const id = userId ?? user?.id;
  return [id && `user ${id}`, user?.username && `username ${user.username}`].filter(Boolean).join('; ') || undefined;
}

/** A token as an audit row names it: by its id, never its secret. */
const tokenNamed = (tokenId: string | undefined) => tokenId && `token ${tokenId}`;

/**
 * Whose a token is, as an audit row names a user (`userNamed`): the row's user is who acted, the owner or an admin of
 * theirs, so the trail says who revoked whose key.
 */
const ownerNamed = (owner: { id: string; username: string }) => `user ${owner.id}; username ${owner.username}`;

/** A new session's answer: its secret is shown once (no-store, as every answer: PRIVATE_ANSWER in api/reply.ts). */
const sessionReply = (session: unknown) => ({ status: 201, body: session });

export function accessRoutes(deps: ApiDeps): Route[] {
  const { access } = deps;
  return [
    route({
      method: 'post',
      path: '/api/auth/sign-in',
      tag: 'access',
      summary:
        "Sign in with a username and password; answers a session token that ends 12 hours after it starts, or once unused for 30 minutes (both by default), and a device token to present at this client's next sign-in to the account, which strangers' wrong passwords then do not lock out.",
      actor: false,
      rateLimit: 'sign_in',
      body: SignInSchema,
      responses: {
        201: { description: 'a session token, and the device token', schema: PasswordSessionSchema },
        401: { description: 'wrong username or password', problem: true },
        429: {
          description:
            'too many attempts from this address; too many wrong passwords for this username, from clients that present no deviceToken of it (account_locked); or from the client that presents this deviceToken (device_locked): locked for a while, growing',
          problem: true,
        },
      },
      handle: async ({ body, req }) => sessionReply(await access.signIn(body, req.id)),
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
      handle: async () => ({ status: 201, body: await access.oidcNonce() }),
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
        401: {
          description:
            'the ID token is not valid, answers no sign-in started here (its nonce), or its identity is linked to no active user',
          problem: true,
        },
        404: { description: 'OpenID Connect is not configured', problem: true },
      },
      handle: async ({ body, req }) => sessionReply(await access.oidcSession(body.idToken, req.id)),
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
        await access.signOut(tokenId);
        return { status: 204, body: null };
      },
    }),
    route({
      method: 'get',
      path: '/api/me',
      tag: 'access',
      summary: 'Who the token belongs to, and what the API will let them do.',
      // Its `now` is the API clock as read: never the same answer twice, so no ETag and never a 304.
      answersAsOfNow: true,
      responses: { 200: { description: 'the user', schema: MeSchema } },
      handle: async ({ actor }) => ({ status: 200, body: await access.me(actor) }),
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
        422: {
          description:
            'the new password is too short, too common (a list of breached passwords), one character repeated or contains the username',
          problem: true,
        },
        429: {
          description:
            "too many password checks by this user, or too many wrong current passwords from this session or API key (account_locked: locked for a while, growing; strangers' wrong sign-ins do not count here)",
          problem: true,
        },
      },
      handle: async ({ body, actor, tokenId }) => {
        await access.changePassword(actor, body, tokenId);
        return { status: 204, body: null };
      },
    }),
    route({
      method: 'get',
      path: '/api/tokens',
      tag: 'access',
      summary:
        "Your own tokens (API keys and sessions; calendar feeds with kind=calendar_feed), without their secrets, newest first, one page at a time; as an admin, with `userId`, those of a user you administer (your agency's users but admins; every user's as a system administrator), to revoke one.",
      query: TokenListQuerySchema,
      responses: {
        200: { description: 'one page; pass nextCursor as cursor for the next', schema: TokenPageSchema },
        403: { description: '`userId` names a user you do not administer', problem: true },
        404: { description: '`userId` names no user', problem: true },
      },
      handle: async ({ actor, query }) => ({ status: 200, body: await access.tokens(actor, query) }),
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
      // Which key (its id, never its secret); whose it is comes from the handler (`ownerNamed`).
      auditDetail: (_query, _params, answer) => tokenNamed((answer as { id?: string } | undefined)?.id),
      responses: {
        201: { description: 'the key, shown this once', schema: IssuedTokenSchema },
        403: { description: 'the current password is wrong', problem: true },
        409: { description: 'you already have 20 live API keys: revoke one first', problem: true },
        429: {
          description:
            "too many password checks by this user, or too many wrong current passwords from this session or API key (account_locked: locked for a while, growing; strangers' wrong sign-ins do not count here)",
          problem: true,
        },
      },
      handle: async ({ body, actor, tokenId }) => {
        const { token, owner } = await access.createApiKey(actor, body, tokenId);
        return { status: 201, body: token, auditChange: ownerNamed(owner) };
      },
    }),
    route({
      method: 'post',
      path: '/api/tokens/:tokenId/revoke',
      tag: 'access',
      summary:
        "Revoke a token at once: your own, or as an admin a token of a user you administer (your agency's users; every user's as a system administrator).",
      params: TokenParamsSchema,
      audit: 'token.revoke',
      // Which key, and (from the handler) whose: with the row's user, who revoked whose key.
      auditDetail: (_query, params) => tokenNamed(params.tokenId),
      responses: {
        200: { description: 'the revoked token', schema: TokenViewSchema },
        404: { description: 'no such token of yours', problem: true },
      },
      handle: async ({ params, actor }) => {
        const { token, owner } = await access.revokeToken(actor, params.tokenId);
        return { status: 200, body: token, auditChange: ownerNamed(owner) };
      },
    }),
    route({
      method: 'get',
      path: '/api/users',
      tag: 'administration',
      summary:
        "Users, by agency and username, one page at a time: an agency's admin sees their own agency's, a system administrator every agency's.",
      allow: ADMIN,
      query: UserListQuerySchema,
      responses: {
        200: { description: 'one page; pass nextCursor as cursor for the next', schema: UserPageSchema },
      },
      handle: async ({ query, actor }) => ({ status: 200, body: await access.users(actor, query) }),
    }),
    route({
      method: 'get',
      path: '/api/users/:userId',
      tag: 'administration',
      summary:
        "A user, as GET /api/users lists them: an agency's admin sees their own agency's users, a system administrator every agency's.",
      allow: ADMIN,
      params: UserParamsSchema,
      responses: {
        200: { description: 'the user', schema: UserViewSchema },
        404: { description: 'no such user you see', problem: true },
      },
      handle: async ({ params, actor }) => ({ status: 200, body: await access.user(actor, params.userId) }),
    }),
    route({
      method: 'post',
      path: '/api/users',
      tag: 'administration',
      summary:
        "Create a user of an agency with roles fitting its kind. With `password`, they sign in with it. Without one they cannot sign in, nor make API keys (which need their password), until they have one: give it with POST /api/users/{userId}/password-reset (a temporary password, answered once), or link their identity at the agency's OpenID Connect provider (POST /api/users/{userId}/identities) where one is configured. An agency's admin creates non-admin users of their own agency; a system administrator any agency's users, admins included (system_admin is never granted here). The agency's address is told.",
      allow: ADMIN,
      body: NewUserSchema,
      audit: 'user.create',
      // Whom it added, to which agency, with which roles (the row's user is the admin who acted).
      auditDetail: (_query, _params, answer) => {
        const user = answer as { agencyId: string; roles: string[] } | undefined;
        return (
          user && [userNamed(undefined, user), `agency ${user.agencyId}`, `roles: ${user.roles.join(', ')}`].join('; ')
        );
      },
      responses: {
        201: {
          description:
            'the user; made without `password`, they cannot sign in yet: POST /api/users/{userId}/password-reset gives them a temporary password (or link an OpenID Connect identity)',
          schema: UserViewSchema,
        },
        403: {
          description: 'another agency, or an admin, and the caller is not a system administrator',
          problem: true,
        },
        409: { description: 'the username is taken', problem: true },
      },
      handle: async ({ body, actor }) => ({ status: 201, body: await access.createUser(actor, body) }),
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/disable',
      tag: 'administration',
      summary:
        'Disable a user you administer: every token of theirs stops working at once. POST /api/users/{userId}/enable undoes it.',
      allow: ADMIN,
      params: UserParamsSchema,
      audit: 'user.disable',
      // Whose account it was: the row's user is the admin who acted.
      auditDetail: (_query, params, answer) => userNamed(params.userId, answer),
      responses: {
        200: { description: 'the disabled user', schema: UserViewSchema },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
      },
      handle: async ({ params, actor }) => ({ status: 200, body: await access.disableUser(actor, params.userId) }),
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/password-reset',
      tag: 'administration',
      summary:
        "Give a user you administer who forgot their password a new temporary one, chosen by the service and answered this once: every session, API key and calendar feed of theirs is revoked and their account's sign-in lockout cleared. Never your own (POST /api/me/password), nor a disabled user's (enable them).",
      allow: ADMIN,
      params: UserParamsSchema,
      audit: 'user.reset_password',
      // Whose account it was: the row's user is the admin who acted.
      auditDetail: (_query, params, answer) => userNamed(params.userId, answer),
      responses: {
        200: { description: 'the user and their temporary password, shown once', schema: TemporaryPasswordSchema },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
        409: { description: 'your own password, or a disabled user', problem: true },
      },
      handle: async ({ params, actor }) => ({ status: 200, body: await access.resetPassword(actor, params.userId) }),
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/enable',
      tag: 'administration',
      summary:
        'Enable a disabled user you administer: they may sign in again, with a new temporary password chosen by the service and answered this once (the one they had does not come back).',
      allow: ADMIN,
      params: UserParamsSchema,
      audit: 'user.enable',
      // Whose account it was: the row's user is the admin who acted.
      auditDetail: (_query, params, answer) => userNamed(params.userId, answer),
      responses: {
        200: {
          description: 'the enabled user and their temporary password, shown once',
          schema: TemporaryPasswordSchema,
        },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
        409: { description: 'the user is not disabled', problem: true },
      },
      handle: async ({ params, actor }) => ({ status: 200, body: await access.enableUser(actor, params.userId) }),
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/roles',
      tag: 'administration',
      summary:
        "Replace the roles of a user you administer with roles fitting their agency's kind: an agency's admin neither appoints nor demotes admins; a system administrator's roles are not changed here. The user's next request holds the new roles.",
      allow: ADMIN,
      params: UserParamsSchema,
      body: UserRolesSchema,
      audit: 'user.set_roles',
      // Whose account it was: the row's user is the admin who acted.
      auditDetail: (_query, params, answer) => userNamed(params.userId, answer),
      responses: {
        200: { description: 'the user with their new roles', schema: UserViewSchema },
        403: { description: 'a user you do not administer, or a role you may not give', problem: true },
        404: { description: 'no such user', problem: true },
        409: { description: 'your own roles, or a system administrator', problem: true },
        422: { description: "roles that do not fit the agency's kind", problem: true },
      },
      handle: async ({ params, body, actor }) => {
        const { user, change } = await access.setRoles(actor, params.userId, body.roles);
        return { status: 200, body: user, auditChange: change };
      },
    }),
    route({
      method: 'get',
      path: '/api/users/:userId/identities',
      tag: 'administration',
      summary: 'The identities (issuer and subject at an OpenID Connect provider) linked to a user.',
      allow: ADMIN,
      params: UserParamsSchema,
      responses: {
        200: { description: 'the identities', schema: z.object({ items: z.array(IdentityViewSchema) }) },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
      },
      handle: async ({ params, actor }) => ({
        status: 200,
        body: { items: await access.identities(actor, params.userId) },
      }),
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
      // Whose account it was: the row's user is the admin who acted.
      auditDetail: (_query, params, answer) => userNamed(params.userId, answer),
      responses: {
        201: { description: 'the link', schema: IdentityViewSchema },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user', problem: true },
        409: { description: 'the identity is linked to another user, or the user is disabled', problem: true },
      },
      handle: async ({ params, body, actor }) => ({
        status: 201,
        body: await access.linkIdentity(actor, params.userId, body),
      }),
    }),
    route({
      method: 'post',
      path: '/api/users/:userId/identities/unlink',
      tag: 'administration',
      summary:
        "Unlink an identity at the agency's OpenID Connect provider from a user: it signs them in no more (their sessions already open stay, until they sign out, their user is disabled or given a new password), and it may then be linked to another user, the person's new user at another agency say.",
      allow: ADMIN,
      params: UserParamsSchema,
      body: IdentitySchema,
      audit: 'user.unlink_identity',
      // Whose account it was: the row's user is the admin who acted.
      auditDetail: (_query, params, answer) => userNamed(params.userId, answer),
      responses: {
        200: { description: 'the link removed', schema: IdentityViewSchema },
        403: { description: 'a user you do not administer', problem: true },
        404: { description: 'no such user, or no such identity linked to them', problem: true },
      },
      handle: async ({ params, body, actor }) => ({
        status: 200,
        body: await access.unlinkIdentity(actor, params.userId, body),
      }),
    }),
    route({
      method: 'get',
      path: '/api/agencies',
      tag: 'administration',
      summary: 'The agencies a case can name.',
      responses: { 200: { description: 'the agencies', schema: z.object({ items: z.array(AgencySchema) }) } },
      handle: async () => ({ status: 200, body: { items: await access.agencies() } }),
    }),
    route({
      method: 'post',
      path: '/api/agencies',
      tag: 'administration',
      summary:
        "Register an agency (or update its name, notification address and time zone; a field left out is cleared): a system administrator only. `timeZone` (an IANA name; null: the deployment's TIMEZONE) is where a date or time of identification without an offset is read. A change of address is told to the old address and the new one; the agency's emails not sent yet go to the new one (none once it is removed).",
      allow: SYSTEM_ADMIN,
      body: NewAgencySchema,
      audit: 'agency.save',
      // Which agency, and what changed in words, never the values (the row's user is the administrator who acted).
      auditDetail: (_query, _params, answer) => {
        const agency = answer as { id: string } | undefined;
        return agency && `agency ${agency.id}`;
      },
      responses: {
        201: { description: 'the agency', schema: AgencySchema },
        409: { description: 'the id belongs to an agency of another kind', problem: true },
      },
      handle: async ({ body, actor }) => {
        const { agency, change } = await access.saveAgency(actor, body);
        return { status: 201, body: agency, auditChange: change };
      },
    }),
    route({
      method: 'post',
      path: '/api/agencies/:agencyId/daily-digest',
      tag: 'administration',
      summary:
        "Turn the agency's daily digest on or off (off by default): its own admin, or a system administrator. On, the agency's address gets one email a day at 07:00 in its time zone listing what is overdue, due today, due this week and expiring, grouped by case reference, instead of one email per reminder; escalations and a minor's 24-hour HHS notice still go out at once. A day with nothing gets no email.",
      allow: ADMIN,
      params: AgencyParamsSchema,
      body: DailyDigestSchema,
      audit: 'agency.daily_digest',
      auditDetail: (_query, params) => `agency ${params.agencyId}`,
      responses: {
        200: { description: 'the agency', schema: AgencySchema },
        403: { description: "another agency's, and the caller is not a system administrator", problem: true },
        404: { description: 'no such agency', problem: true },
      },
      handle: async ({ params, body, actor }) => {
        const { agency, change } = await access.setDailyDigest(actor, params.agencyId, body.enabled);
        return { status: 200, body: agency, auditChange: change };
      },
    }),
  ];
}
