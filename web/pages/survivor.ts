/**
 * Correcting the survivor's details (name, A-number, contact, preferred language) for those who may read them, the
 * people working the case: a form prefilled with the identity as it is, posted to POST /api/cases/{caseId}/survivor.
 * The details go only in the form's body and the page, never in a URL, a title or a log line.
 *
 * Two people may correct the same details at once (an officer with the form open while the coordinator changes the
 * contact to a safe line). The form carries the details it was opened with and their count of corrections, so only
 * what the person changed is sent, with that count: a field they changed that someone else changed meanwhile is
 * refused by the API, and the form says so by the field, with the value it now has and the person's answer kept.
 *
 * A correction the case's reference would then say who the survivor is by is refused by the API naming `reference`
 * (a name corrected to "Kai Lee Probe" on KAI-0012): the form gives the case another with the correction, the refusal
 * said by the field that does. The reference is the opening agency's case number: only its users get "New case
 * reference" to type one; everyone may tick "Assign a new case reference" (the API's `null`), the only way for the
 * other agencies, whose typed number the API refuses.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import { fieldProblem, formProblemOf, idempotencyKeyOf, plainProblem, titleOf } from '../form-problems';
import type { FormProblem, NamedField } from '../form-problems';
import { caseIdOf, formOf, type Kit, type MeView } from '../kit';
import {
  COMMON_LANGUAGES,
  CORRECTABLE,
  fieldsInWords,
  languageChoices,
  languageChosen,
  languageFields,
  languageInWords,
  languageRefusalByCode,
  OTHER_LANGUAGE,
  unsentLanguageProblems,
  type LanguageInputs,
  A_NUMBER_FORMAT,
} from '../survivor-words';
import { aNumberAsRecorded, survivorFieldProblems } from '../../domain/survivor-fields';
import { chosenReferenceSchema } from '../../domain/chosen-reference';

/** The language's inputs: its list, and its tag typed under "Other language". */
const LANGUAGE: LanguageInputs = { choice: 'preferredLanguage', code: 'preferredLanguageOther' };
const FIELDS = ['name', 'aNumber', 'contact', 'preferredLanguageOther', 'reference', 'assignReference'];
/** The box that asks for an assigned reference instead of a typed one. */
const ASSIGN_LABEL = 'Assign a new case reference';
const NAMED: readonly NamedField[] = [
  { name: 'name', noun: 'the survivor’s name' },
  { name: 'aNumber', noun: 'the A-number', format: A_NUMBER_FORMAT },
  { name: 'contact', noun: 'the contact' },
  ...languageFields(LANGUAGE),
  {
    name: 'reference',
    noun: 'the new case reference',
    format: 'A reference is 2 to 40 letters, digits or hyphens, with no spaces',
  },
];

/** A reference typed, checked by the API's rules, where the form has one assigned by its box rather than `null`. */
const ChosenReference = chosenReferenceSchema(`tick “${ASSIGN_LABEL}”`);

/** What the API would say of the new reference typed (its form: domain/chosen-reference.ts), by its field. */
function typedReferenceProblems(form: Record<string, string>): Record<string, string> {
  const typed = form.reference?.trim();
  const message = typed ? ChosenReference.safeParse(typed).error?.issues[0]?.message : undefined;
  return message ? { reference: message } : {};
}

/** The API's words about a typed reference that reads as one it assigns, said as what to do. */
function referenceFormInWords(message: string): string {
  if (!/reads as an assigned reference/.test(message)) return message;
  return `The new case reference reads as one the service assigns (RC-…), which could be another agency’s case: enter your agency’s case number, or tick “${ASSIGN_LABEL}”`;
}

/**
 * A new reference asked for with no detail changed: the API gives a case a new reference only with a correction of
 * the identity (it refuses a correction of no field), so the form says so by the field that asked, rather than
 * answering "Nothing changed" with the reference dropped.
 */
function referenceAlone(reference: string | null): FormProblem {
  const alone = 'A new case reference is given with a correction of the survivor’s details: correct a detail too, or';
  return reference === null
    ? fieldProblem('assignReference', `${alone} untick “${ASSIGN_LABEL}”`)
    : fieldProblem('reference', `${alone} leave the new case reference empty`);
}

/** The API's words about a name, said as what to do; every other message goes through plainProblem. */
function nameInWords(message: string): string {
  if (/at least one letter/.test(message)) return 'The name must have at least one letter';
  if (/control characters|direction/.test(message)) return 'The name cannot hold control characters or direction marks';
  return message;
}

/**
 * The API's refusal of a reference that would say who the survivor is, said of the one it is about: the case's own
 * when no new one was typed (rather than "enter" it, which says nothing of why), else the new one. Its first sentence
 * only, then what this person's form offers instead: the API's advice is said in its own terms (`null`).
 */
function referenceInWords(message: string, typed: boolean, ownsReference: boolean): string | undefined {
  if (!/^must /.test(message)) return undefined;
  const rule = message.split('. ')[0]!;
  const instead = ownsReference
    ? `enter your agency’s case number for the case instead, or tick “${ASSIGN_LABEL}”`
    : `tick “${ASSIGN_LABEL}” to give the case one that says nothing of them`;
  return `${typed ? 'The new case reference' : 'The case’s reference'} ${rule}: ${instead}`;
}

/**
 * The agency whose case number the reference is: the one that opened the case (its opening's timeline entry names it),
 * or, once a transfer moved the case from it, the agency it was transferred to ("law_enforcement transferred from
 * demo-police to new-police", each transfer in turn), as the API's `referenceOwnerOf` (db/case-references.ts) decides
 * who may type one.
 */
function referenceOwnerOf(view: {
  timeline: { seq: number; type: string; actorAgencyId: string | null; summary: string }[];
}) {
  const entries = [...view.timeline].sort((a, b) => a.seq - b.seq);
  let owner = entries.find((entry) => entry.type === 'case.opened')?.actorAgencyId ?? null;
  for (const entry of entries) {
    const moved = entry.type === 'case.transferred' ? /^\w+ transferred from (\S+) to (\S+)/.exec(entry.summary) : null;
    if (moved && moved[1] === owner) owner = moved[2] ?? owner;
  }
  return owner;
}

/** Whether this person's agency owns the case's reference, so may type the case's new reference. */
const ownsReferenceOf = (me: MeView, view: Parameters<typeof referenceOwnerOf>[0]) =>
  referenceOwnerOf(view) === me.user.agencyId;

/**
 * The new reference the form asks for: the one typed, or null (one assigned) when the box is ticked; undefined when
 * neither, so the case keeps its own. Both is a problem of the form: which was meant is not for the console to guess.
 */
function newReferenceOf(form: Record<string, string>): { reference?: string | null } | FormProblem {
  const typed = form.reference?.trim();
  const assign = form.assignReference === 'yes';
  if (typed && assign) {
    return fieldProblem('assignReference', `Enter your agency’s case number or tick “${ASSIGN_LABEL}”, not both`);
  }
  return typed ? { reference: typed } : assign ? { reference: null } : {};
}

type Field = (typeof CORRECTABLE)[number];
/** The identity's correctable fields, as the API answers them. */
type Identity = { name: string } & Partial<Record<Field, string>>;

/**
 * The identity the form was opened with, in hidden fields beside the answers (`read.contact` ...), and its count of
 * corrections: what the person changed is told from them, and the API refuses a change of a field corrected since.
 */
function readFieldsOf(identity: Identity & { corrections: number }): Record<string, string> {
  return {
    ...Object.fromEntries(CORRECTABLE.map((field) => [`read.${field}`, identity[field] ?? ''])),
    corrections: String(identity.corrections),
  };
}

/** The form's values of an identity as the API answers it. */
function formOfIdentity(identity: Identity) {
  const tag = identity.preferredLanguage ?? '';
  const listed = tag === '' || COMMON_LANGUAGES.includes(tag);
  return {
    name: identity.name,
    aNumber: identity.aNumber ?? '',
    contact: identity.contact ?? '',
    preferredLanguage: listed ? tag : OTHER_LANGUAGE,
    preferredLanguageOther: listed ? '' : tag,
  };
}

/** The form's inputs of each field: a language is chosen from the list, or its code typed under "Other". */
const INPUTS: Readonly<Record<Field, readonly (keyof ReturnType<typeof formOfIdentity>)[]>> = {
  name: ['name'],
  aNumber: ['aNumber'],
  contact: ['contact'],
  preferredLanguage: ['preferredLanguage', 'preferredLanguageOther'],
};

/**
 * The answers shown again after a conflict, against the identity as it now is: the person's for the fields they
 * changed, the identity's for the others (kept as they were read, they would undo someone else's correction).
 */
function rebased(form: Record<string, string>, identity: Identity): Record<string, string> {
  const changed = correctionOf(form);
  const current = formOfIdentity(identity);
  const untouched = CORRECTABLE.filter((field) => changed[field] === undefined).flatMap((field) => INPUTS[field]);
  return { ...form, ...Object.fromEntries(untouched.map((name) => [name, current[name]])) };
}

/**
 * The correction to send: the fields the person changed from those the form was opened with ('' clearing an optional
 * one; a field the form does not carry as read, as it is), with the count of corrections they were read at. An
 * A-number is compared as it is recorded (`aNumberAsRecorded`), without the hyphens it is often written with.
 */
function correctionOf(form: Record<string, string>): Partial<Record<Field, string>> & { expectedCorrections?: number } {
  const answers: Record<Field, string> = {
    name: form.name ?? '',
    aNumber: form.aNumber ?? '',
    contact: form.contact ?? '',
    preferredLanguage: languageChosen(form, LANGUAGE),
  };
  // Sent as typed: the API checks it and records it so (domain/survivor-fields.ts ANumberSchema).
  const asRecorded = (field: Field) => (field === 'aNumber' ? aNumberAsRecorded(answers.aNumber) : answers[field]);
  const changed = CORRECTABLE.filter((field) => asRecorded(field) !== form[`read.${field}`]);
  const correction = Object.fromEntries(changed.map((field) => [field, answers[field]]));
  return /^\d+$/.test(form.corrections ?? '')
    ? { ...correction, expectedCorrections: Number(form.corrections) }
    : correction;
}

/** A field's value in words, as the form says what someone else changed it to. */
function valueInWords(field: Field, identity: Identity): string {
  const value = identity[field];
  if (!value) return 'not recorded';
  return `“${field === 'preferredLanguage' ? languageInWords(value) : value}”`;
}

/**
 * The form's problem when fields the person changed were corrected by someone else since the form was opened: by
 * each field, what it is now; nothing was saved, and saving again replaces it with the person's answer.
 */
function correctedMeanwhile(fields: readonly Field[], identity: Identity): FormProblem {
  const errors = Object.fromEntries(
    fields.map((field) => [
      field,
      `Someone else changed this after you opened the form: it is now ${valueInWords(field, identity)}. ` +
        'Check your answer: saving again replaces it.',
    ]),
  );
  return {
    errors,
    message:
      'Nothing was saved: someone else corrected these details while you had the form open. The form shows them ' +
      'as they are now, with your changes.',
  };
}

/** The fields of the API's refusal of changes that would overwrite, unseen, corrections made since the form opened. */
function meanwhileOf(error: unknown): Field[] {
  if (!(error instanceof ApiProblem) || error.problem.code !== 'survivor_corrected_meanwhile') return [];
  const named = error.fieldErrors();
  return CORRECTABLE.filter((field) => named[field] !== undefined);
}

/**
 * The messages of a refused form by its fields, in words and in the form's order, as the summary lists them: the API's
 * `preferredLanguage` said by the code typed (only a typed tag can be refused: the list's are valid), a name's problem
 * as what to do. `form`, the values sent: a field sent empty is asked for.
 */
function problemInWords(said: Record<string, string>, form: Record<string, string>, message?: string): FormProblem {
  const { name, reference, ...others } = languageRefusalByCode(said, LANGUAGE);
  const errors: Record<string, string> = {
    ...others,
    ...(name === undefined ? {} : { name: nameInWords(name) }),
    ...(reference === undefined ? {} : { reference: referenceFormInWords(reference) }),
  };
  const placed = Object.fromEntries(FIELDS.flatMap((field) => (errors[field] ? [[field, errors[field]]] : [])));
  return plainProblem({ errors: placed, message }, NAMED, form);
}

/**
 * The language's problems the form does not send (web/survivor-words.ts): "Other language" with no code, or a code
 * typed with a listed language or none; the code the form was opened with is no answer typed.
 */
const unsentLanguage = (form: Record<string, string>) =>
  unsentLanguageProblems(form, LANGUAGE, form['read.preferredLanguage']);

/**
 * The problem of a form the console does not send (no language code, a code typed with a listed language or none, or
 * a new reference both typed and asked for), with the fields the person changed and the reference typed checked here
 * by the API's own rules (domain/survivor-fields.ts, domain/chosen-reference.ts): every problem is said at once, not
 * one send at a time.
 */
function unsentProblem(form: Record<string, string>, reference: ReturnType<typeof newReferenceOf>): FormProblem {
  const { expectedCorrections: _, ...fields } = correctionOf(form);
  return problemInWords(
    {
      // With either of the language's problems, the language sent would be one of the list's or none: valid.
      ...survivorFieldProblems(fields),
      ...unsentLanguage(form),
      ...typedReferenceProblems(form),
      ...('errors' in reference ? reference.errors : {}),
    },
    form,
  );
}

export function survivorPages(kit: Kit): Router {
  const router = Router();

  /**
   * The form: `form`, the answers posted (undefined: the identity as it is); `meanwhile`, the fields the person changed
   * that someone else corrected since the form was opened, said by each with its value now; `refusal`, the API's
   * answer to the form sent, which settles whether the form shown keeps its key.
   */
  const renderForm = async (
    req: Request,
    res: Response,
    form: Record<string, string> | undefined,
    problem?: FormProblem,
    status = 200,
    meanwhile: readonly Field[] = [],
    refusal?: unknown,
  ) => {
    // The API answers 403 to anyone who may not read the identity (a supervisor): the error page says so.
    const {
      me,
      view,
      also: survivor,
    } = await kit.caseOf(req, res, (api, caseId) =>
      api.GET('/api/cases/{caseId}/survivor', { params: { path: { caseId } } }).then(ok),
    );
    const said = meanwhile.length > 0 ? correctedMeanwhile(meanwhile, survivor) : problem;
    const opened = readFieldsOf(survivor);
    kit.render(
      req,
      res,
      'survivor',
      {
        title: titleOf(`Correct the survivor’s details, case ${view.reference}`, said),
        view,
        survivor,
        ownsReference: ownsReferenceOf(me, view),
        openedByName: kit.words(res).agencyName(referenceOwnerOf(view) ?? ''),
        form: form ? (meanwhile.length > 0 ? rebased(form, survivor) : form) : formOfIdentity(survivor),
        // The details the form was opened with go with it; after a conflict, those it has now, which the page shows.
        read:
          form && meanwhile.length === 0
            ? Object.fromEntries(Object.keys(opened).map((name) => [name, form[name] ?? '']))
            : opened,
        // A new key after the API's refusal; the same while the first send is still being processed.
        idempotencyKey: idempotencyKeyOf(form ?? {}, refusal),
        ...languageChoices(),
        problem: said,
        errors: said?.errors ?? {},
      },
      status,
    );
  };

  router.get('/cases/:caseId/survivor', async (req, res) => renderForm(req, res, await kit.keptForm(req, res)));

  router.post('/cases/:caseId/survivor', async (req, res) => {
    const me = await kit.me(req, res);
    const caseId = caseIdOf(req);
    const form = formOf(req);
    const newReference = newReferenceOf(form);
    if ('errors' in newReference || Object.keys(unsentLanguage(form)).length > 0)
      return renderForm(req, res, form, unsentProblem(form, newReference), 400);
    const correction = correctionOf(form);
    // Nothing changed from the details the form was opened with: nothing to send, and the case page says so; a new
    // reference asked for alone is refused by its field, as the API would (`referenceAlone`), never dropped.
    if (CORRECTABLE.every((field) => correction[field] === undefined)) {
      if (newReference.reference !== undefined)
        return renderForm(req, res, form, referenceAlone(newReference.reference), 400);
      return res.redirect(303, `/cases/${caseId}?notice=survivor-corrected`);
    }
    try {
      const corrected = ok(
        await kit.api(req).POST('/api/cases/{caseId}/survivor', {
          params: { path: { caseId }, header: { 'Idempotency-Key': form.idempotencyKey ?? '' } },
          // A new reference goes with the correction only when typed or asked for; else the case keeps its own.
          body: { ...correction, ...newReference },
        }),
      );
      const changed = corrected.changedFields.join(',');
      res.redirect(303, `/cases/${caseId}?notice=survivor-corrected${changed ? `&changed=${changed}` : ''}`);
    } catch (error) {
      const meanwhile = meanwhileOf(error);
      if (meanwhile.length > 0) return renderForm(req, res, form, undefined, 409, meanwhile, error);
      const refused = formProblemOf(error, [...FIELDS, 'preferredLanguage'], kit.words(res));
      const status = error instanceof ApiProblem ? error.status : 422;
      const shown = problemInWords(refused.errors, form, refused.message);
      if (refused.errors.reference) {
        // Said by the field this person has: the typed reference's, or the box's for an agency that may not type one.
        const view = await kit.case(req, caseId);
        const owns = ownsReferenceOf(me, view);
        const words = referenceInWords(refused.errors.reference, Boolean(form.reference?.trim()), owns);
        const field = owns ? 'reference' : 'assignReference';
        const { reference: _typed, ...others } = shown.errors;
        shown.errors = { ...others, [field]: words ?? shown.errors.reference! };
      }
      await renderForm(req, res, form, shown, status, [], error);
    }
  });

  // The identity as it was before each correction, newest first: for those who may read it (the API's 403 otherwise).
  router.get('/cases/:caseId/survivor/revisions', async (req, res) => {
    const {
      me,
      view,
      also: revisions,
    } = await kit.caseOf(req, res, (api, caseId) =>
      api.GET('/api/cases/{caseId}/survivor/revisions', { params: { path: { caseId } } }).then(ok),
    );
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
