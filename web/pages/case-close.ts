/**
 * Closing or withdrawing a case, for its coordinator: a status, a reason and a confirmation, since every pending step
 * is cancelled and the case cannot be reopened.
 */
import { Router, type Request, type Response } from 'express';
import { ok } from '../api-client';
import {
  formProblemOf,
  idempotencyKeyOf,
  plainProblem,
  problemShown,
  type FormProblem,
  type NamedField,
} from '../form-problems';
import { caseIdOf, coordinatorsForm, formOf, type Kit } from '../kit';
import { closeReasons } from '../labels';
import { CLOSE_REASONS, type CloseReason } from '../../domain/reasons';

const FIELDS = ['status', 'reason', 'confirm'];
/** The choices as their messages name them ("Choose a reason"). */
const NAMED: readonly NamedField[] = [
  { name: 'status', noun: 'whether to close or withdraw the case', control: 'select' },
  { name: 'reason', noun: 'a reason', control: 'select' },
];

/**
 * What the form lacks, all at once, before anything is sent: the API is asked only with the box ticked, since it
 * ends the case, so it could not name the other choices missing alongside an unticked box.
 */
function missingOf(form: Record<string, string>): FormProblem | undefined {
  const errors: Record<string, string> = {};
  if (form.status !== 'closed' && form.status !== 'withdrawn') errors.status = 'required';
  if (!CLOSE_REASONS.some((code) => code === form.reason)) errors.reason = 'required';
  if (form.confirm !== 'yes') errors.confirm = 'Tick the box to confirm that the case is to end';
  return Object.keys(errors).length > 0 ? plainProblem({ errors }, NAMED) : undefined;
}

export function caseClosePages(kit: Kit): Router {
  const router = Router();

  const renderForm = async (
    req: Request,
    res: Response,
    form: Record<string, string>,
    problem?: FormProblem,
    refusal?: unknown,
  ) => {
    const { me, view } = await kit.caseOf(req, res);
    coordinatorsForm(me, view, 'close or withdraw it', kit.words(res));
    kit.render(
      req,
      res,
      'case-close',
      {
        view,
        form,
        reasons: closeReasons(),
        // A new key after the API's refusal; the same while the first send is still being processed.
        idempotencyKey: idempotencyKeyOf(form, refusal),
        ...problemShown(`Close or withdraw case ${view.reference}`, problem),
      },
      problem ? 400 : 200,
    );
  };

  router.get('/cases/:caseId/close', async (req, res) => renderForm(req, res, (await kit.keptForm(req, res)) ?? {}));

  router.post('/cases/:caseId/close', async (req, res) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const form = formOf(req);
    const missing = missingOf(form);
    if (missing) return renderForm(req, res, form, missing);
    try {
      ok(
        await kit.api(req).POST('/api/cases/{caseId}/close', {
          params: { path: { caseId }, header: { 'Idempotency-Key': form.idempotencyKey ?? '' } },
          // Both checked above (`missingOf`), against the lists the API holds them to.
          body: { status: form.status as 'closed' | 'withdrawn', reason: form.reason as CloseReason },
        }),
      );
      res.redirect(303, `/cases/${caseId}?notice=closed`);
    } catch (error) {
      await renderForm(req, res, form, plainProblem(formProblemOf(error, FIELDS, kit.words(res)), NAMED), error);
    }
  });

  return router;
}
