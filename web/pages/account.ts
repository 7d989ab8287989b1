/** Everyone's own account: changing their password, and their API keys (created, shown once, listed, revoked). */
import { Router, type Request, type Response } from 'express';
import { ok } from '../api-client';
import { formProblemOf, plainProblem, titleOf, type FormProblem, type NamedField } from '../form-problems';
import { formOf, param, type Kit } from '../kit';
import { MIN_PASSWORD_LENGTH } from '../../core/passwords';
import { MAX_API_KEY_DAYS } from '../../core/token-format';

const NOTICES = new Map([
  [
    'password-changed',
    'Your password was changed. Your other sessions were signed out, and your API keys and calendar feeds revoked: make anew those you still use.',
  ],
  ['key-revoked', 'The API key was revoked: it no longer works.'],
]);
/** The forms' fields as their messages name them, for the API's refusals in words. */
const PASSWORD_NAMED: NamedField[] = [
  { name: 'currentPassword', noun: 'your current password' },
  { name: 'newPassword', noun: 'your new password' },
];
const KEY_NAMED: NamedField[] = [
  { name: 'label', noun: 'the name of the key' },
  {
    name: 'expiresInDays',
    noun: 'the number of days the key is valid for',
    format: `Enter a whole number of days from 1 to ${MAX_API_KEY_DAYS}`,
  },
  { name: 'currentPassword', noun: 'your password' },
];
const PASSWORD_FIELDS = PASSWORD_NAMED.map((field) => field.name);
const KEY_FIELDS = KEY_NAMED.map((field) => field.name);

/** How many of a user's API keys (or calendar feeds, on the home page) the console lists: the newest. */
export const LISTED_TOKENS = 200;

export function accountPages(kit: Kit): Router {
  const router = Router();

  const renderAccount = async (req: Request, res: Response, problem?: FormProblem) => {
    await kit.me(req, res);
    kit.render(
      req,
      res,
      'account',
      {
        title: titleOf('Your account', problem),
        minPasswordLength: MIN_PASSWORD_LENGTH,
        problem,
        errors: problem?.errors ?? {},
        flash: NOTICES.get(param(req, 'notice') ?? ''),
      },
      problem ? 400 : 200,
    );
  };

  router.get('/account', (req, res) => renderAccount(req, res));

  router.post('/account/password', async (req, res) => {
    await kit.me(req, res);
    const form = formOf(req);
    try {
      ok(
        await kit.api(req).POST('/api/me/password', {
          body: { currentPassword: form.currentPassword ?? '', newPassword: form.newPassword ?? '' },
        }),
      );
      // This session made the change, so it stays signed in; the API revoked every other.
      res.redirect(303, '/account?notice=password-changed');
    } catch (error) {
      const refused = formProblemOf(error, PASSWORD_FIELDS, kit.words(res));
      await renderAccount(req, res, plainProblem(refused, PASSWORD_NAMED, form));
    }
  });

  const renderKeys = async (
    req: Request,
    res: Response,
    shown: { problem?: FormProblem; form?: Record<string, string>; issued?: { label: string; token: string } } = {},
  ) => {
    await kit.me(req, res);
    // The newest keys, revoked and expired ones included; at most MAX_LIVE_TOKENS of them are live.
    const query = { kind: 'api_key' as const, limit: LISTED_TOKENS };
    const tokens = ok(await kit.api(req).GET('/api/tokens', { params: { query } })).items;
    kit.render(
      req,
      res,
      'api-keys',
      {
        title: titleOf('Your API keys', shown.problem),
        // What the form did, first in the title, as a new calendar feed's page says it (web/pages/home.ts).
        ...(shown.issued && { titleNotice: 'API key created' }),
        // Sessions are listed by the API too; this page is about the keys people make for their scripts.
        keys: tokens,
        issued: shown.issued,
        form: shown.form ?? { expiresInDays: '90' },
        problem: shown.problem,
        errors: shown.problem?.errors ?? {},
        flash: NOTICES.get(param(req, 'notice') ?? ''),
      },
      shown.problem ? 400 : shown.issued ? 201 : 200,
    );
  };

  router.get('/account/api-keys', (req, res) => renderKeys(req, res));

  router.post('/account/api-keys', async (req, res) => {
    await kit.me(req, res);
    const form = formOf(req);
    const days = form.expiresInDays?.trim() ?? '';
    try {
      const issued = ok(
        await kit.api(req).POST('/api/tokens', {
          body: {
            label: form.label ?? '',
            // A number when it is one; anything else goes as typed, for the API to name what is wrong with it.
            expiresInDays: (/^\d{1,6}$/.test(days) ? Number(days) : days) as number,
            currentPassword: form.currentPassword ?? '',
          },
        }),
      );
      // Rendered, not redirected: the key is shown this once and never put in an address the browser keeps.
      await renderKeys(req, res, { issued: { label: issued.label, token: issued.token } });
    } catch (error) {
      const refused = formProblemOf(error, KEY_FIELDS, kit.words(res));
      await renderKeys(req, res, { problem: plainProblem(refused, KEY_NAMED, form), form });
    }
  });

  router.post('/account/api-keys/:tokenId/revoke', async (req, res) => {
    await kit.me(req, res);
    const tokenId = String(req.params.tokenId);
    ok(await kit.api(req).POST('/api/tokens/{tokenId}/revoke', { params: { path: { tokenId } } }));
    res.redirect(303, '/account/api-keys?notice=key-revoked');
  });

  return router;
}
