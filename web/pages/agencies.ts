/**
 * Agencies, for system administrators: the list, registering one, and changing its name, address and time zone. An
 * agency's own admin reads its page too, and turns its daily digest on or off there.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formProblemOf, plainProblem, titleOf, type FormProblem, type NamedField } from '../form-problems';
import { formOf, isSystemAdmin, param, type Kit } from '../kit';
import { AGENCY_KINDS } from '../../domain/types';

const NOTICES = new Map([
  ['saved', 'The agency was saved.'],
  // What the API told of its notification address (mail/agency-notices.ts emailChangedNotice), when it changed.
  ['saved-address-set', 'The agency was saved. Its notification address was told it now receives the agency’s emails.'],
  [
    'saved-address-changed',
    'The agency was saved. The change of its notification address was told to the old address and the new one.',
  ],
  [
    'saved-address-removed',
    'The agency was saved. Its old notification address was told it was removed and that the agency’s emails stop.',
  ],
  ['digest-on', 'The daily digest is on: the next one comes at 07:00 in the agency’s time zone.'],
  [
    'digest-off',
    'The daily digest is off: reminders come one email at a time again, and those its next digest was to list are emailed now.',
  ],
]);
/** The form's fields as their messages name them, for the API's refusals in words. */
const NAMED: NamedField[] = [
  {
    name: 'id',
    noun: 'the agency code',
    format: 'An agency code is up to 100 letters, digits and dashes, starting with a letter or digit, e.g. city-police',
  },
  { name: 'kind', noun: 'the kind of agency', control: 'select' },
  { name: 'name', noun: 'the agency’s name' },
  {
    name: 'email',
    noun: 'the notification address',
    format: 'Enter the notification address as an email address, e.g. cases@agency.example, or leave it empty',
  },
  {
    name: 'timeZone',
    noun: 'the time zone',
    format:
      'Enter the time zone as region and city, e.g. America/Chicago or America/Los_Angeles (or UTC), or leave it empty',
  },
];
const FIELDS = NAMED.map((field) => field.name);

/**
 * The notice of an agency saved: what happened to its notification address, as the API told it (to the address set, to
 * the old and the new one, to the old one removed), and nothing about it when it did not change.
 */
function savedNotice(before: string | null, after: string | null): string {
  if (before === after) return 'saved';
  if (before === null) return 'saved-address-set';
  return after === null ? 'saved-address-removed' : 'saved-address-changed';
}

export function agencyPages(kit: Kit): Router {
  const router = Router();

  /** Only a system administrator changes agencies; the list itself is open to everyone signed in. */
  const requireSystemAdmin = async (req: Request, res: Response) => {
    const me = await kit.me(req, res);
    if (!isSystemAdmin(me)) throw new ApiProblem(403, { detail: 'Agencies are managed by a system administrator.' });
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

  const renderForm = (
    req: Request,
    res: Response,
    form: Record<string, string>,
    problem?: FormProblem,
    digest?: { enabled: boolean; flash?: string },
  ) => {
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
        digest,
      },
      problem ? 400 : 200,
    );
  };

  router.get('/agencies/new', async (req, res) => {
    await requireSystemAdmin(req, res);
    renderForm(req, res, {});
  });

  /** A system administrator's any agency, or an agency's admin's own. */
  const requireAgencyAdmin = async (req: Request, res: Response, agencyId: string) => {
    const me = await kit.me(req, res);
    const systemAdmin = isSystemAdmin(me);
    if (!systemAdmin && !(me.can.administer && me.user.agencyId === agencyId))
      throw new ApiProblem(403, { detail: 'Agencies are managed by a system administrator.' });
    const agency = kit.agencies(res).find((candidate) => candidate.id === agencyId);
    if (!agency) throw new ApiProblem(404, { title: 'Not Found', detail: 'There is no such agency.' });
    return { agency, systemAdmin };
  };

  router.get('/agencies/:agencyId', async (req, res) => {
    const { agency, systemAdmin } = await requireAgencyAdmin(req, res, String(req.params.agencyId));
    const digest = { enabled: agency.dailyDigest, flash: NOTICES.get(param(req, 'notice') ?? '') };
    if (!systemAdmin) {
      kit.render(req, res, 'agency', { title: agency.name, heading: agency.name, agency, digest, readOnly: true });
      return;
    }
    renderForm(
      req,
      res,
      {
        existing: 'yes',
        id: agency.id,
        kind: agency.kind,
        name: agency.name,
        email: agency.email ?? '',
        timeZone: agency.timeZone ?? '',
      },
      undefined,
      digest,
    );
  });

  router.post('/agencies/:agencyId/daily-digest', async (req, res) => {
    const { agency } = await requireAgencyAdmin(req, res, String(req.params.agencyId));
    const enabled = formOf(req).enabled === 'yes';
    ok(
      await kit.api(req).POST('/api/agencies/{agencyId}/daily-digest', {
        params: { path: { agencyId: agency.id } },
        body: { enabled },
      }),
    );
    res.redirect(303, `/agencies/${encodeURIComponent(agency.id)}?notice=digest-${enabled ? 'on' : 'off'}`);
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
    // The address before, as this page read the agencies: what the API tells of a change depends on it.
    const before = kit.agencies(res).find((agency) => agency.id === body.id)?.email ?? null;
    try {
      const saved = ok(await kit.api(req).POST('/api/agencies', { body }));
      res.redirect(303, `/agencies?notice=${savedNotice(before, saved.email)}`);
    } catch (error) {
      renderForm(req, res, form, plainProblem(formProblemOf(error, FIELDS, kit.words(res)), NAMED, form));
    }
  });

  return router;
}
