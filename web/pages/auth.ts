/** Signing in with a password (through POST /api/auth/sign-in) and out. */
import { Router } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formOf, param, type Kit } from '../kit';
import { endSession, startSession } from '../session';

const NOTICES: Record<string, string> = {
  expired: 'Your session has ended. Please sign in again.',
  'signed-out': 'You have signed out.',
};

export function authPages(kit: Kit): Router {
  const router = Router();

  router.get('/sign-in', (req, res) => {
    kit.render(req, res, 'sign-in', { title: 'Sign in', notice: NOTICES[param(req, 'notice') ?? ''], username: '' });
  });

  router.post('/sign-in', async (req, res) => {
    const form = formOf(req);
    const username = (form.username ?? '').trim();
    try {
      const session = ok(await kit.api(req).POST('/api/auth/sign-in', { body: { username, password: form.password ?? '' } }));
      startSession(res, kit.settings.session, session.token, session.expiresAt);
      res.redirect(303, '/');
    } catch (error) {
      if (!(error instanceof ApiProblem) || ![400, 401, 429].includes(error.status)) throw error;
      const message =
        error.status === 429 ? 'Too many sign-in attempts from here. Wait a minute, then try again.' : error.status === 401 ? 'Wrong username or password.' : 'Enter your username and password.';
      kit.render(req, res, 'sign-in', { title: 'Sign in', error: message, errors: error.fieldErrors(), username }, error.status);
    }
  });

  router.post('/sign-out', async (req, res) => {
    // Revoke the token at the API; an already-ended session is signed out all the same.
    const answer = await kit.api(req).POST('/api/auth/sign-out');
    if (!answer.response.ok && answer.response.status !== 401) ok(answer);
    endSession(res, kit.settings.session);
    res.redirect(303, '/sign-in?notice=signed-out');
  });

  return router;
}
