/** Agencies, for system administrators: the list, registering one, and changing its name, address and time zone. */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formProblemOf, titleOf, type FormProblem } from '../form-problems';
import { formOf, param, type Kit } from '../kit';
import { AGENCY_KINDS } from '../../domain/types';

const NOTICES = new Map([['saved', 'The agency was saved. A change of address was told to the old and the new one.']]);
const FIELDS = ['id', 'kind', 'name', 'email', 'timeZone'];

export function agencyPages(kit: Kit): Router {
  const router = Router();

  /** Only a system administrator changes agencies; the list itself is open to everyone signed in. */
  const requireSystemAdmin = async (req: Request, res: Response) => {
    const me = await kit.me(req, res);
    if (!(me.user.roles as readonly string[]).includes('system_admin'))
      throw new ApiProblem(403, { detail: 'Agencies are managed by a system administrator.' });
  };

  router.get('/agencies', async (req, res) => {
    await requireSystemAdmin(req, res);
    const agencies = kit.agencies(res);
    kit.render(req, res, 'agencies', {
      title: 'Agencies',
      agencies,
      flash: NOTICES.get(param(req, 'notice') ?? ''),
    });
  });

  const renderForm = (req: Request, res: Response, form: Record<string, string>, problem?: FormProblem) => {
    const existing = form.existing === 'yes';
    const title = existing ? `Change ${form.name || 'the agency'}` : 'Register an agency';
    kit.render(
      req,
      res,
      'agency',
      {
        title: titleOf(title, problem),
        heading: title,
        existing,
        form,
        kinds: AGENCY_KINDS,
        problem,
        errors: problem?.errors ?? {},
      },
      problem ? 400 : 200,
    );
  };

  router.get('/agencies/new', async (req, res) => {
    await requireSystemAdmin(req, res);
    renderForm(req, res, {});
  });

  router.get('/agencies/:agencyId', async (req, res) => {
    await requireSystemAdmin(req, res);
    const agency = kit.agencies(res).find((candidate) => candidate.id === req.params.agencyId);
    if (!agency) throw new ApiProblem(404, { title: 'Not Found', detail: 'There is no such agency.' });
    renderForm(req, res, {
      existing: 'yes',
      id: agency.id,
      kind: agency.kind,
      name: agency.name,
      email: agency.email ?? '',
      timeZone: agency.timeZone ?? '',
    });
  });

  router.post('/agencies', async (req, res) => {
    await requireSystemAdmin(req, res);
    const form = formOf(req);
    // Every field is sent: the API clears one left out, so an empty address or zone is a deliberate "none".
    const body = {
      id: form.id?.trim() ?? '',
      kind: (form.kind ?? '') as (typeof AGENCY_KINDS)[number],
      name: form.name ?? '',
      email: form.email?.trim() ? form.email.trim() : null,
      timeZone: form.timeZone?.trim() ? form.timeZone.trim() : null,
    };
    try {
      ok(await kit.api(req).POST('/api/agencies', { body }));
      res.redirect(303, '/agencies?notice=saved');
    } catch (error) {
      renderForm(req, res, form, formProblemOf(error, FIELDS, kit.words(res)));
    }
  });

  return router;
}
