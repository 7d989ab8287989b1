/**
 * Users, for admins: an agency's admin manages their own agency's users, a system administrator every agency's (the
 * API decides which; these pages offer what it would allow). A user's page links sign-in identities, lists the user's
 * API keys and revokes one (after a page that asks to confirm), sets a new temporary password, disables and enables
 * again.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import {
  fieldProblem,
  formProblemOf,
  plainProblem,
  problemShown,
  titleOf,
  type FormProblem,
  type NamedField,
} from '../form-problems';
import { formOf, isSystemAdmin, param, type Kit, type MeView } from '../kit';
import { readListPage } from './list-query';
import { keepToShowOnce, takeShownOnce } from '../shown-once';
import type { paths } from '../api-types';
import type { RefusalWords } from '../refusal-words';
import { LISTED_TOKENS } from './account';
import { MIN_PASSWORD_LENGTH } from '../../core/passwords';
import { rolesFor } from '../../domain/access';
import { ROLES, type AgencyKind, type Role } from '../../domain/types';

const NOTICES = new Map([
  ['created', 'The user was added. Give them their temporary password in person or by phone, never by email.'],
  [
    'added-already',
    'The user was added already, with this username, name and roles: the form added no one more (it was sent twice, or they were added before). Give them their temporary password in person or by phone, never by email.',
  ],
  [
    'added-disabled',
    'This user was added before and is disabled: the form added no one and set no password, so they cannot sign in with the one typed. To let them back (someone who left and returned), enable them below: the service gives them a new temporary password, shown to you once; then change their roles if they differ.',
  ],
  ['disabled', 'The user was disabled: their sessions, API keys and calendar feeds stopped working at once.'],
  ['roles-changed', 'The roles were changed: they apply from the user’s next step in the console or the API.'],
  ['linked', 'The identity was linked: the user can now sign in with their agency’s identity provider.'],
  ['unlinked', 'The identity was unlinked: it signs this user in no more, and may be linked to another user.'],
  ['key-revoked', 'The API key was revoked: it no longer works.'],
  [
    'password-shown',
    'The temporary password was shown once, on the page after it was set, and is not shown again: nothing was changed now. If nobody has it, set a new temporary password below.',
  ],
]);

/** What each role lets a person do, beside its checkbox. */
const ROLE_HINTS: Readonly<Record<Role, string>> = {
  coordinator: 'opens cases, oversees every step and closes or withdraws cases',
  agency_officer: 'signs the steps their agency owns',
  advocate: 'signs the advocate’s steps and prepares the applications',
  supervisor: 'sees the agency’s cases, reports and audit trail; signs nothing',
  admin: 'manages the agency’s users',
  system_admin: 'manages every agency and user',
};

/**
 * Every users form's fields as their messages name them, for the API's refusals in words, in the order the forms show
 * them (an error summary lists its messages so): adding a user, changing their roles, linking an identity.
 */
const USER_FIELDS: readonly NamedField[] = [
  { name: 'agencyId', noun: 'their agency', control: 'select' },
  { name: 'displayName', noun: 'their full name' },
  {
    name: 'username',
    noun: 'a username',
    format:
      'A username is 3 to 64 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit',
  },
  { name: 'roles', noun: 'at least one role', control: 'select' },
  { name: 'password', noun: 'the temporary password' },
  {
    name: 'issuer',
    noun: 'the issuer',
    format: 'Enter the issuer as the provider’s address in its ID tokens, e.g. https://login.agency.example/',
  },
  { name: 'subject', noun: 'the subject' },
];
const NEW_USER_FIELDS = ['agencyId', 'displayName', 'username', 'roles', 'password'];
const IDENTITY_FIELDS = ['issuer', 'subject'];
const ROLES_FIELDS = ['roles'];

/**
 * The API's refusal of a users form whose fields are `names`, in words (USER_FIELDS), each message by its field in the
 * order the form shows them. `form`, the values sent: a field sent empty is asked for.
 */
function refusalOf(
  error: unknown,
  names: readonly string[],
  form: Record<string, string>,
  words: RefusalWords,
): FormProblem {
  const said = plainProblem(formProblemOf(error, names, words), USER_FIELDS, form);
  const errors = Object.fromEntries(
    USER_FIELDS.flatMap(({ name }) => (said.errors[name] === undefined ? [] : [[name, said.errors[name]]])),
  );
  return { ...said, errors };
}

/** An enabling refused because the user is enabled already: by this form's own first send, as often as not. */
const ENABLED_ALREADY =
  'This user is enabled already (the button was pressed twice, or someone enabled them meanwhile): nothing was changed now. Their temporary password was shown once, to the send that enabled them: if nobody has it, set a new temporary password below and give them that one.';

/** The most users the API lists on a page (GET /api/users `limit`). */
const MAX_USER_PAGE = 200;

/** Whether an existing user is the person a new user's form names: its username (found by it), agency and full name. */
const namesPerson = (
  user: { agencyId: string; displayName: string },
  sent: { agencyId: string; displayName: string },
) => user.agencyId === sent.agencyId && user.displayName === sent.displayName;

/** Whether an existing user is the one a new user's form describes: the person it names, with the same roles. */
const describes = (
  user: { agencyId: string; displayName: string; roles: readonly string[] },
  sent: { agencyId: string; displayName: string; roles: readonly Role[] },
) =>
  namesPerson(user, sent) &&
  user.roles.length === sent.roles.length &&
  sent.roles.every((role) => user.roles.includes(role));

/** The roles ticked on a form (one checkbox per role, `role-<role>`). */
const rolesOf = (form: Record<string, string>): Role[] => ROLES.filter((role) => form[`role-${role}`] === 'yes');

/**
 * Whether this admin manages the user (domain/access.ts administrationRefusal): admins and system administrators are
 * managed by a system administrator only, so an agency's admin gets no page for them, their own account included.
 */
const administers = (me: MeView, user: { roles: readonly string[] }) =>
  isSystemAdmin(me) || !user.roles.some((role) => role === 'admin' || role === 'system_admin');

/** The roles an admin may give in an agency of this kind: appointing admins is a system administrator's. */
const rolesOffered = (me: MeView, kind: AgencyKind): Role[] =>
  rolesFor(kind).filter((role) => role !== 'admin' || isSystemAdmin(me));

/** The users list's query, as the console sends it. */
type UserQuery = NonNullable<paths['/api/users']['get']['parameters']['query']>;

export function userPages(kit: Kit): Router {
  const router = Router();

  router.get('/users', async (req, res) => {
    const me = await kit.me(req, res);
    const systemAdmin = isSystemAdmin(me);
    // One page at a time, as the API lists them; an agency's admin sees their own agency's, whatever the address says.
    const list = await readListPage(kit, req, res, ['agencyId', 'limit'], async (api, query) => {
      const { agencyId, ...page } = query as UserQuery;
      return ok(await api.GET('/api/users', { params: { query: systemAdmin ? { agencyId, ...page } : page } }));
    });
    kit.render(
      req,
      res,
      'users',
      {
        ...problemShown('Users', list.problem),
        users: list.page.items,
        page: list.page,
        cursor: list.cursor,
        agencies: list.agencies,
        agencyId: systemAdmin ? list.filters.agencyId : '',
        limit: list.filters.limit,
        systemAdmin,
        administers: (user: { roles: readonly string[] }) => administers(me, user),
        flash: NOTICES.get(param(req, 'notice') ?? ''),
      },
      list.status,
    );
  });

  const renderNewUser = async (req: Request, res: Response, form: Record<string, string>, problem?: FormProblem) => {
    const me = await kit.me(req, res);
    const agencies = kit.agencies(res);
    const systemAdmin = isSystemAdmin(me);
    // An agency's admin adds users to their own agency; a system administrator first chooses the agency.
    const agency = agencies.find((candidate) => candidate.id === (systemAdmin ? form.agencyId : me.user.agencyId));
    kit.render(
      req,
      res,
      'user-new',
      {
        title: titleOf('Add a user', problem),
        form,
        agencies,
        agency,
        systemAdmin,
        minPasswordLength: MIN_PASSWORD_LENGTH,
        roles: agency ? rolesOffered(me, agency.kind) : [],
        roleHint: (role: Role) => ROLE_HINTS[role],
        problem,
        errors: problem?.errors ?? {},
      },
      problem ? 400 : 200,
    );
  };

  router.get('/users/new', async (req, res) => {
    await renderNewUser(req, res, { agencyId: param(req, 'agencyId') ?? '' });
  });

  router.post('/users', async (req, res) => {
    const me = await kit.me(req, res);
    const form = formOf(req);
    const body = {
      username: form.username?.trim() ?? '',
      displayName: form.displayName ?? '',
      agencyId: isSystemAdmin(me) ? (form.agencyId ?? '') : me.user.agencyId,
      roles: rolesOf(form),
      password: form.password ? form.password : undefined,
    };
    try {
      const user = ok(await kit.api(req).POST('/api/users', { body }));
      res.redirect(303, `/users/${user.id}?notice=created`);
    } catch (error) {
      const refused = refusalOf(error, NEW_USER_FIELDS, form, kit.words(res));
      if (!(error instanceof ApiProblem) || error.problem.code !== 'username_taken')
        return renderNewUser(req, res, form, refused);
      // The form sent twice (a double-click, whose second answer is the one the browser shows; a Reload of the page the
      // first answered) is refused for the username its first send took: the user it describes is added already, and
      // their page says so, where "Username: Taken" sent the admin to add them again under another username.
      const holder = await userNamed(req, isSystemAdmin(me) ? body.agencyId : undefined, body.username);
      // A person who left and came back, added again under their old username: their user is disabled, and enabling
      // it is what lets them in, where "added already ... give them their temporary password" sent the admin to hand
      // over a password that was never set, for an account that cannot sign in. (A former admin is a system
      // administrator's to enable: an agency's admin is not sent to a page that offers them nothing to do.)
      if (holder?.disabledAt && namesPerson(holder, body) && administers(me, holder))
        return res.redirect(303, `/users/${encodeURIComponent(holder.id)}?notice=added-disabled`);
      if (holder && describes(holder, body))
        return res.redirect(303, `/users/${encodeURIComponent(holder.id)}?notice=added-already`);
      await renderNewUser(req, res, form, {
        ...refused,
        errors: { ...refused.errors, username: 'This username is another user’s: choose another' },
      });
    }
  });

  /** The user of this username among those the admin sees (of `agencyId` for a system administrator), if any. */
  const userNamed = async (req: Request, agencyId: string | undefined, username: string) => {
    const api = kit.api(req);
    let cursor: string | undefined;
    do {
      const query: UserQuery = {
        limit: MAX_USER_PAGE,
        ...(agencyId ? { agencyId } : {}),
        ...(cursor ? { cursor } : {}),
      };
      const page = ok(await api.GET('/api/users', { params: { query } }));
      const found = page.items.find((user) => user.username === username);
      if (found) return found;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return undefined;
  };

  /** The user of the page's address, one the admin sees (404 otherwise), and whether they administer them. */
  const userOf = async (req: Request, res: Response) => {
    const me = await kit.me(req, res);
    const userId = String(req.params.userId);
    const found = await kit.api(req).GET('/api/users/{userId}', { params: { path: { userId } } });
    // An address whose id is no user's, or no id at all (the API's 400), is a page that does not exist.
    if (found.response.status === 404 || found.response.status === 400)
      throw new ApiProblem(404, { title: 'Not Found', detail: 'There is no such user you administer.' });
    const user = ok(found);
    return { me, user, administered: user.id !== me.user.id && administers(me, user) };
  };

  /**
   * The newest API keys (or calendar feeds) of a user the admin administers, revoked and expired ones included, as the
   * user's own page lists theirs (web/pages/account.ts).
   */
  const tokensOf = async (req: Request, userId: string, kind: 'api_key' | 'calendar_feed' = 'api_key') =>
    ok(await kit.api(req).GET('/api/tokens', { params: { query: { userId, kind, limit: LISTED_TOKENS } } })).items;

  const renderUser = async (req: Request, res: Response, problem?: FormProblem, form: Record<string, string> = {}) => {
    const { me, user, administered } = await userOf(req, res);
    const api = kit.api(req);
    const userId = user.id;
    const identities = ok(await api.GET('/api/users/{userId}/identities', { params: { path: { userId } } })).items;
    // Their keys, to revoke one, for an admin of theirs; one's own are under "Your account".
    const keys = administered ? await tokensOf(req, userId) : undefined;
    // Their calendar feeds, so an admin sees which exist (someone leaving, an address shared by mistake).
    const feeds = administered ? await tokensOf(req, userId, 'calendar_feed') : undefined;
    const manageable = user.disabledAt === null && administered;
    kit.render(
      req,
      res,
      'user',
      {
        title: titleOf(`User ${user.displayName}`, problem),
        user,
        identities,
        keys,
        feeds,
        canDisable: manageable,
        canReset: manageable,
        canEnable: user.disabledAt !== null && administered,
        // A disabled user's too: the person moved to another agency, whose new user the identity is to be linked to.
        canUnlink: administered,
        roleHint: (role: Role) => ROLE_HINTS[role],
        // A system administrator's roles are the command line's (npm run admin), never the console's.
        roles: manageable && !user.roles.includes('system_admin') ? rolesOffered(me, user.agencyKind) : [],
        // The roles as held, or as ticked on a form that was refused.
        ticked: (role: Role) => (form.rolesForm ? form[`role-${role}`] === 'yes' : user.roles.includes(role)),
        problem,
        errors: problem?.errors ?? {},
        form,
        flash: NOTICES.get(param(req, 'notice') ?? ''),
      },
      problem ? 400 : 200,
    );
  };

  router.get('/users/:userId', (req, res) => renderUser(req, res));

  router.post('/users/:userId/identities', async (req, res) => {
    await kit.me(req, res);
    const form = formOf(req);
    const userId = String(req.params.userId);
    try {
      ok(
        await kit.api(req).POST('/api/users/{userId}/identities', {
          params: { path: { userId } },
          body: { issuer: form.issuer?.trim() ?? '', subject: form.subject ?? '' },
        }),
      );
      res.redirect(303, `/users/${encodeURIComponent(userId)}?notice=linked`);
    } catch (error) {
      await renderUser(req, res, refusalOf(error, IDENTITY_FIELDS, form, kit.words(res)), form);
    }
  });

  router.post('/users/:userId/identities/unlink', async (req, res) => {
    await kit.me(req, res);
    const form = formOf(req);
    const userId = String(req.params.userId);
    try {
      ok(
        await kit.api(req).POST('/api/users/{userId}/identities/unlink', {
          params: { path: { userId } },
          body: { issuer: form.issuer ?? '', subject: form.subject ?? '' },
        }),
      );
      res.redirect(303, `/users/${encodeURIComponent(userId)}?notice=unlinked`);
    } catch (error) {
      await renderUser(req, res, formProblemOf(error, [], kit.words(res)));
    }
  });

  router.post('/users/:userId/roles', async (req, res) => {
    await kit.me(req, res);
    const form = formOf(req);
    const userId = String(req.params.userId);
    try {
      ok(
        await kit
          .api(req)
          .POST('/api/users/{userId}/roles', { params: { path: { userId } }, body: { roles: rolesOf(form) } }),
      );
      res.redirect(303, `/users/${encodeURIComponent(userId)}?notice=roles-changed`);
    } catch (error) {
      // Shown again as ticked, even with every box cleared.
      const ticked = { ...form, rolesForm: 'yes' };
      await renderUser(req, res, refusalOf(error, ROLES_FIELDS, ticked, kit.words(res)), ticked);
    }
  });

  router.post('/users/:userId/disable', async (req, res) => {
    await kit.me(req, res);
    const userId = String(req.params.userId);
    if (formOf(req).confirm !== 'yes')
      return renderUser(req, res, fieldProblem('confirm', 'Tick the box to confirm that this user is to be disabled'));
    try {
      ok(await kit.api(req).POST('/api/users/{userId}/disable', { params: { path: { userId } } }));
      res.redirect(303, `/users/${encodeURIComponent(userId)}?notice=disabled`);
    } catch (error) {
      await renderUser(req, res, formProblemOf(error, [], kit.words(res)));
    }
  });

  /**
   * Revoking one of a user's API keys: a page that names the key and asks to confirm, then the API's
   * POST /api/tokens/{tokenId}/revoke, which the audit trail records with whose key it was.
   */
  const keyOf = async (req: Request, res: Response) => {
    const { user, administered } = await userOf(req, res);
    const tokenId = String(req.params.tokenId);
    const key = administered ? (await tokensOf(req, user.id)).find((candidate) => candidate.id === tokenId) : undefined;
    if (!key) throw new ApiProblem(404, { title: 'Not Found', detail: `${user.displayName} has no such API key.` });
    return { user, key };
  };

  router.get('/users/:userId/api-keys/:tokenId/revoke', async (req, res) => {
    const { user, key } = await keyOf(req, res);
    // Revoked already (here, by them, or by disabling them): their page says so.
    if (key.revokedAt) return res.redirect(303, `/users/${encodeURIComponent(user.id)}?notice=key-revoked`);
    kit.render(req, res, 'user-key-revoke', { title: `Revoke the API key of ${user.displayName}`, user, key });
  });

  router.post('/users/:userId/api-keys/:tokenId/revoke', async (req, res) => {
    const { user, key } = await keyOf(req, res);
    if (formOf(req).confirm !== 'yes') return res.redirect(303, req.originalUrl);
    ok(await kit.api(req).POST('/api/tokens/{tokenId}/revoke', { params: { path: { tokenId: key.id } } }));
    res.redirect(303, `/users/${encodeURIComponent(user.id)}?notice=key-revoked`);
  });

  /**
   * The temporary password the API chose, shown this once (the page is no-store, as every console page) on a page of
   * its own that the form's answer redirects to (web/shown-once.ts): a Reload there sends nothing again, where it sent
   * the form again and set another password, voiding the one shown.
   */
  const showTemporaryPassword = async (
    req: Request,
    res: Response,
    me: MeView,
    given: { user: { id: string; displayName: string }; temporaryPassword: string },
    enabled: boolean,
  ) => {
    const page = `/users/${encodeURIComponent(given.user.id)}/temporary-password`;
    await keepToShowOnce(res, kit.settings.session, me.user.id, page, {
      displayName: given.user.displayName,
      temporaryPassword: given.temporaryPassword,
      enabled: enabled ? 'yes' : 'no',
    });
    res.redirect(303, page);
  };

  router.get('/users/:userId/temporary-password', async (req, res) => {
    const me = await kit.me(req, res);
    const userId = String(req.params.userId);
    const shown = await takeShownOnce(req, res, kit.settings.session, me.user.id);
    // Shown already (a Reload, Back and Forward), or never kept for this admin: the user's page says so.
    if (!shown?.displayName || !shown.temporaryPassword)
      return res.redirect(303, `/users/${encodeURIComponent(userId)}?notice=password-shown`);
    const enabled = shown.enabled === 'yes';
    kit.render(req, res, 'user-password', {
      title: enabled ? `${shown.displayName} is enabled again` : `A new temporary password for ${shown.displayName}`,
      user: { id: userId, displayName: shown.displayName },
      temporaryPassword: shown.temporaryPassword,
      enabled,
    });
  });

  router.post('/users/:userId/password-reset', async (req, res) => {
    const me = await kit.me(req, res);
    const userId = String(req.params.userId);
    if (formOf(req).confirmReset !== 'yes')
      return renderUser(
        req,
        res,
        fieldProblem('confirmReset', 'Tick the box to confirm that their sessions end and a new password is set'),
      );
    try {
      const given = ok(await kit.api(req).POST('/api/users/{userId}/password-reset', { params: { path: { userId } } }));
      await showTemporaryPassword(req, res, me, given, false);
    } catch (error) {
      await renderUser(req, res, formProblemOf(error, [], kit.words(res)));
    }
  });

  router.post('/users/:userId/enable', async (req, res) => {
    const me = await kit.me(req, res);
    const userId = String(req.params.userId);
    try {
      const given = ok(await kit.api(req).POST('/api/users/{userId}/enable', { params: { path: { userId } } }));
      await showTemporaryPassword(req, res, me, given, true);
    } catch (error) {
      // Sent twice (a double-click, whose second answer is the one the browser shows; a Reload of the page the first
      // answered): the first send enabled them and showed their temporary password, to that send alone. Said so, with
      // what to do, where "This user is not disabled" left an active user whose password nobody had.
      if (error instanceof ApiProblem && error.problem.code === 'user_not_disabled')
        return renderUser(req, res, { errors: {}, message: ENABLED_ALREADY });
      await renderUser(req, res, formProblemOf(error, [], kit.words(res)));
    }
  });

  return router;
}
