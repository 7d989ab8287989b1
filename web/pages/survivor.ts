/**
 * Correcting the survivor's details (name, A-number, contact, preferred language) for those who may read them, the
 * people working the case: a form prefilled with the identity as it is, posted to POST /api/cases/{caseId}/survivor.
 * The details go only in the form's body and the page, never in a URL, a title or a log line.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { formProblemOf, plainProblem, titleOf, type FormProblem, type NamedField } from '../form-problems';
import { formOf, type Kit } from '../kit';
import { COMMON_LANGUAGES, fieldsInWords, languageInWords, languageOptions } from '../survivor-words';
import { caseIdOf } from './cases';

/** The form's choice of a language not in its list: its tag is typed in `preferredLanguageOther`. */
const OTHER = 'other';
const FIELDS = ['name', 'aNumber', 'contact', 'preferredLanguageOther'];
const NAMED: readonly NamedField[] = [
  { name: 'name', noun: 'the survivor’s name' },
  { name: 'aNumber', noun: 'the A-number', format: 'An A-number is 8 or 9 digits, with or without an A before them' },
  { name: 'contact', noun: 'the contact' },
  {
    name: 'preferredLanguageOther',
    noun: 'the language’s code',
    format: 'Enter a language code such as ht, pt-BR or zh-Hant, or choose the language from the list',
  },
];

/** The API's words about a name, said as what to do; every other message goes through plainProblem. */
function nameInWords(message: string): string {
  if (/at least one letter/.test(message)) return 'The name must have at least one letter';
  if (/control characters|direction/.test(message)) return 'The name cannot hold control characters or direction marks';
  return message;
}

/** The form's values of an identity as the API answers it. */
function formOfIdentity(identity: { name: string; aNumber?: string; contact?: string; preferredLanguage?: string }) {
  const tag = identity.preferredLanguage ?? '';
  const listed = tag === '' || COMMON_LANGUAGES.includes(tag);
  return {
    name: identity.name,
    aNumber: identity.aNumber ?? '',
    contact: identity.contact ?? '',
    preferredLanguage: listed ? tag : OTHER,
    preferredLanguageOther: listed ? '' : tag,
  };
}

/**
 * The correction to send: every field as the form holds it (the API says which changed), '' clearing an optional one.
 * An A-number is sent without the spaces and hyphens it is often written with (A123-456-789).
 */
function correctionOf(form: Record<string, string>) {
  const language =
    form.preferredLanguage === OTHER ? (form.preferredLanguageOther ?? '') : (form.preferredLanguage ?? '');
  return {
    name: form.name ?? '',
    aNumber: (form.aNumber ?? '').replace(/[\s-]/g, '').replace(/^a/, 'A'),
    contact: form.contact ?? '',
    preferredLanguage: language.trim(),
  };
}

/** What the form lacks before it is sent: "Other" chosen with no code typed. */
function missingOf(form: Record<string, string>): FormProblem | undefined {
  return form.preferredLanguage === OTHER && !form.preferredLanguageOther?.trim()
    ? plainProblem({ errors: { preferredLanguageOther: 'required' } }, NAMED)
    : undefined;
}

export function survivorPages(kit: Kit): Router {
  const router = Router();

  const renderForm = async (
    req: Request,
    res: Response,
    form: Record<string, string> | undefined,
    problem?: FormProblem,
    status = 200,
  ) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const api = kit.api(req);
    // The API answers 403 to anyone who may not read the identity (a supervisor): the error page says so.
    const [view, survivor] = await Promise.all([
      api.GET('/api/cases/{caseId}', { params: { path: { caseId } } }).then(ok),
      api.GET('/api/cases/{caseId}/survivor', { params: { path: { caseId } } }).then(ok),
    ]);
    kit.render(
      req,
      res,
      'survivor',
      {
        title: titleOf(`Correct the survivor’s details, case ${view.reference}`, problem),
        view,
        survivor,
        form: form ?? formOfIdentity(survivor),
        languages: languageOptions(),
        other: OTHER,
        problem,
        errors: problem?.errors ?? {},
      },
      status,
    );
  };

  router.get('/cases/:caseId/survivor', (req, res) => renderForm(req, res, undefined));

  router.post('/cases/:caseId/survivor', async (req, res) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const form = formOf(req);
    const missing = missingOf(form);
    if (missing) return renderForm(req, res, form, missing, 400);
    try {
      const corrected = ok(
        await kit.api(req).POST('/api/cases/{caseId}/survivor', {
          params: { path: { caseId } },
          body: correctionOf(form),
        }),
      );
      const changed = corrected.changedFields.join(',');
      res.redirect(303, `/cases/${caseId}?notice=survivor-corrected${changed ? `&changed=${changed}` : ''}`);
    } catch (error) {
      const refused = formProblemOf(error, [...FIELDS, 'preferredLanguage'], kit.words(res));
      const { preferredLanguage, name, ...errors } = refused.errors;
      const said: Record<string, string> = {
        ...errors,
        ...(name === undefined ? {} : { name: nameInWords(name) }),
        // Only a typed tag can be refused: the list's are valid.
        ...(preferredLanguage === undefined ? {} : { preferredLanguageOther: preferredLanguage }),
      };
      // In the form's order, as the summary lists them.
      const placed = Object.fromEntries(FIELDS.flatMap((field) => (said[field] ? [[field, said[field]]] : [])));
      const status = error instanceof ApiProblem ? error.status : 422;
      await renderForm(req, res, form, plainProblem({ ...refused, errors: placed }, NAMED, form), status);
    }
  });

  // The identity as it was before each correction, newest first: for those who may read it (the API's 403 otherwise).
  router.get('/cases/:caseId/survivor/revisions', async (req, res) => {
    const me = await kit.me(req, res);
    const caseId = caseIdOf(req);
    const api = kit.api(req);
    const [view, revisions] = await Promise.all([
      api.GET('/api/cases/{caseId}', { params: { path: { caseId } } }).then(ok),
      api.GET('/api/cases/{caseId}/survivor/revisions', { params: { path: { caseId } } }).then(ok),
    ]);
    kit.render(req, res, 'survivor-revisions', {
      title: `Earlier versions of the survivor’s details, case ${view.reference}`,
      view,
      revisions: revisions.items.map((item) => ({
        ...item,
        changed: fieldsInWords(item.changedFields),
        by:
          item.changedBy === me.user.id
            ? 'You'
            : item.changedByName
              ? `${item.changedByName}${item.changedByAgencyId ? `, ${kit.words(res).agencyName(item.changedByAgencyId)}` : ''}`
              : 'A user no longer on record',
      })),
      languageInWords,
    });
  });

  return router;
}
