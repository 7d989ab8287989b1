/**
 * Signing in with a password (through POST /api/auth/sign-in) or at the agency's OpenID Connect provider (the ID
 * token goes to POST /api/auth/oidc/session), and signing out.
 */
import { Router } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formProblemOf, plainProblem, titleOf, type FormProblem, type NamedField } from '../form-problems';
import { formOf, param, type Kit } from '../kit';
import { OIDC_CALLBACK_PATH, OidcSignInError, type OidcSignIn } from '../oidc';
import { dropKeptForm, keptFormPage } from '../kept-form';
import { deviceTokenOf, endSession, keepDeviceToken, returnPath, startSession } from '../session';
import { signInUsername } from '../../domain/access';

/** The form's fields as its messages name them ("Enter your username"). */
const SIGN_IN_NAMED: readonly NamedField[] = [
  { name: 'username', noun: 'your username' },
  { name: 'password', noun: 'your password' },
];
const SIGN_IN_FIELDS = SIGN_IN_NAMED.map((field) => field.name);

/**
 * Said as every page says what happened (the layout's notice: first in the title, focused), by the address's `notice`;
 * a Map, so a name of no notice ("constructor") says nothing.
 */
const NOTICES = new Map<string, string>([
  [
    'expired',
    'Your session has ended. Please sign in again: you will come back to the page you were on. A form you were sending was not sent.',
  ],
  // What was typed in the form is kept, sealed, for whoever typed it (web/kept-form.ts); never said here.
  [
    'kept',
    'Your session has ended, so the form you were sending was not sent. Please sign in again: you will come back to it with what you entered, to check and send again.',
  ],
  ['signed-out', 'You have signed out.'],
]);

export function authPages(kit: Kit, oidc?: OidcSignIn): Router {
  const router = Router();
  /** The page, with the error summary of a refused sign-in (web/views/error-summary.eta) when `problem` is given. */
  const signInPage = (data: Record<string, unknown>, problem?: FormProblem) => ({
    title: titleOf('Sign in', problem),
    username: '',
    oidc: Boolean(oidc),
    problem,
    errors: problem?.errors ?? {},
    ...data,
  });
  /** A refusal said as a whole, next to no field: which of the two was wrong is never said. */
  const refusal = (message: string): FormProblem => ({ errors: {}, message });

  router.get('/sign-in', (req, res) => {
    kit.render(
      req,
      res,
      'sign-in',
      signInPage({ flash: NOTICES.get(param(req, 'notice') ?? ''), next: returnPath(param(req, 'next')) }),
    );
  });

  router.post('/sign-in', async (req, res) => {
    const form = formOf(req);
    // As the API reads it (`Demo-Advocate ` is demo-advocate), so this browser's device token for the account is found.
    const username = signInUsername(form.username ?? '');
    try {
      // This browser's device token for the account, if it signed in to it before: strangers' guesses do not lock it.
      const deviceToken = await deviceTokenOf(req, kit.settings.session, username);
      const session = ok(
        await kit
          .api(req)
          .POST('/api/auth/sign-in', { body: { username, password: form.password ?? '', deviceToken } }),
      );
      await keepDeviceToken(req, res, kit.settings.session, username, session.deviceToken);
      await startSession(res, kit.settings.session, session);
      // A form kept for another user than the one signing in is cleared here, unread.
      const kept = await keptFormPage(req, res, kit.settings.session, session.user.id);
      res.redirect(303, returnPath(form.next) ?? returnPath(kept) ?? '/');
    } catch (error) {
      // A field left empty (or too long) is a body the API refuses as not valid (422): asked for by its field.
      if (!(error instanceof ApiProblem) || ![400, 401, 422, 429].includes(error.status)) throw error;
      const problem =
        error.status === 429
          ? refusal(
              error.problem.code === 'account_locked'
                ? 'Too many wrong passwords for this account. Wait a few minutes, then try again.'
                : error.problem.code === 'device_locked'
                  ? 'Too many wrong passwords for this account from this browser. Wait a few minutes, then try again.'
                  : 'Too many sign-in attempts from here. Wait a minute, then try again.',
            )
          : error.status === 401
            ? refusal('Wrong username or password.')
            : plainProblem(formProblemOf(error, SIGN_IN_FIELDS, kit.words(res)), SIGN_IN_NAMED, form);
      kit.render(req, res, 'sign-in', signInPage({ username, next: returnPath(form.next) }, problem), error.status);
    }
  });

  if (oidc) {
    // A link, not a form: the page's CSP allows forms to post to the console only, and this leaves for the provider.
    // The page to come back to (a bookmarked or emailed address opened signed out) goes with the flow, sealed.
    router.get('/sign-in/oidc', async (req, res) => {
      const next = returnPath(param(req, 'next'));
      let authorization: URL;
      try {
        const { nonce } = ok(await kit.api(req).POST('/api/auth/oidc/nonce'));
        authorization = await oidc.start(res, nonce, next);
      } catch (error) {
        req.log?.warn({ err: error }, 'OpenID Connect provider unavailable');
        const message = "Your agency's identity provider cannot be reached right now. Try again shortly.";
        return kit.render(req, res, 'sign-in', signInPage({ next }, refusal(message)), 503);
      }
      res.redirect(303, authorization.href);
    });

    router.get(OIDC_CALLBACK_PATH, async (req, res) => {
      try {
        const { idToken, next } = await oidc.finish(req, res);
        const session = ok(await kit.api(req).POST('/api/auth/oidc/session', { body: { idToken } }));
        await startSession(res, kit.settings.session, session);
        // Back to the page the flow was started from, or to the form kept for them, which the identity provider's
        // pages came between; else home.
        const kept = await keptFormPage(req, res, kit.settings.session, session.user.id);
        res.redirect(303, returnPath(next) ?? returnPath(kept) ?? '/');
      } catch (error) {
        if (error instanceof OidcSignInError) {
          req.log?.warn({ reason: error.reason }, 'OpenID Connect sign-in refused');
          return kit.render(req, res, 'sign-in', signInPage({}, refusal(error.userMessage)), 400);
        }
        if (!(error instanceof ApiProblem) || ![401, 429].includes(error.status)) throw error;
        // The API's own words: for an unlinked identity they name the issuer and subject an admin must link.
        const message =
          error.status === 429
            ? 'Too many sign-in attempts from here. Wait a minute, then try again.'
            : (error.problem.detail ?? 'You could not be signed in.');
        kit.render(req, res, 'sign-in', signInPage({}, refusal(message)), error.status);
      }
    });
  }

  router.post('/sign-out', async (req, res) => {
    // Revoke the token at the API; an already-ended session is signed out all the same.
    const answer = await kit.api(req).POST('/api/auth/sign-out');
    if (!answer.response.ok && answer.response.status !== 401) ok(answer);
    endSession(res, kit.settings.session);
    dropKeptForm(res, kit.settings.session);
    res.redirect(303, '/sign-in?notice=signed-out');
  });

  return router;
}
