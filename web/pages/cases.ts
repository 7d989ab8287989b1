/**
 * Opening a case, a case's page (steps by track, timeline, due next, coming reminders), a step's sign-off form, the
 * same form to correct a sign-off, the coordinator's transfer of the case to another agency, and asking again for a
 * request a track ended without.
 */
import { Router, type Request, type Response } from 'express';
import { ApiProblem, ok } from '../api-client';
import {
  documentStep,
  formFileOf,
  mayAddDocument,
  mayRemoveDocument,
  proxyDownload,
  fileNameOf,
  uploadDocument,
} from '../documents';
import { CSRF_FIELD } from '../session';
import {
  caseIdOf,
  coordinatesCase,
  coordinatorsForm,
  formOf,
  param,
  type AgencyView,
  type CaseView,
  type CorrectionPreview,
  type Kit,
  type MeView,
} from '../kit';
import {
  amendmentAction,
  answerInWords,
  checkCorrection,
  checkDetails,
  noOutcome,
  detailFields,
  detailsFromForm,
  formPurpose,
  isAmendment,
  keepsStepPending,
  outcomesOf,
  sentAnswers,
  dayTyped,
} from '../sign-off-fields';
import { amendmentsUsedUp, maySignOff, openOutcomes, readerToday, signOffRulesRefusal } from '../sign-off-rules';
import {
  idempotencyKeyOf,
  plainProblem,
  problemShown,
  titleOf,
  type FormProblem,
  type NamedField,
} from '../form-problems';
import { plainWords, refusalInWords, type RefusalWords } from '../refusal-words';
import { milestoneLines, standingOf } from '../case-standing';
import { signOffGuidance } from '../step-guidance';
import { agencyKindLabel, askAgainLabel, stepLabel, transferReasonLabel, transferReasons, type Words } from '../labels';
import { endReasons, timelineOf } from '../timeline';
import {
  languageChoices,
  languageChosen,
  languageFields,
  languageInWords,
  languageRefusalByCode,
  survivorNotice,
  unsentLanguageProblems,
  type LanguageInputs,
  A_NUMBER_FORMAT,
} from '../survivor-words';
import { seesWholeCase, stepOfId } from '../../domain/access';
import { stepKindOfId } from '../../domain/case-state';
import { AGENCY_KINDS, TRACKS } from '../../domain/types';
import { eighteenthBirthday, TRANSFERABLE_KINDS, transferCaseSchema } from '../../domain/case';
import { coordinatorCorrects, correctionOutcomes, isCorrectable, UNNAMED_LATER_STEP } from '../../domain/correction';
import {
  ASK_AGAIN_KINDS,
  askAgainRefusal,
  followsUVisa,
  startedUVisa,
  startsUVisa,
  type AskAgainKind,
} from '../../domain/ask-again';
import { STEP_CATALOGUE } from '../../domain/steps';
import type { TransferReason } from '../../domain/reasons';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STEP_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

export function casePages(kit: Kit): Router {
  const router = Router();

  const renderNewCase = async (req: Request, res: Response, form: Record<string, string>, problem?: ApiProblem) => {
    const me = await kit.me(req, res);
    const agencies = kit.agencies(res);
    const shown = formProblem(form, problem, kit.words(res));
    const summary = problem
      ? summaryOf(
          { ...shown, errors: newCaseErrors(shown.errors), error: shown.inProgress ? OPENING : shown.error },
          [
            ...NEW_CASE_FIELDS,
            ...AGENCY_KINDS.map((kind) => ({ name: `agencies.${kind}`, noun: 'an agency', control: 'select' })),
          ],
          form,
        )
      : undefined;
    kit.render(
      req,
      res,
      'case-new',
      {
        title: titleOf('Open a case', summary),
        form,
        agencies,
        agencyKinds: AGENCY_KINDS,
        // Shown for the first time (not sent back): an agency alone of its kind is chosen for the person, and so is
        // their own agency for its kind, which the API holds them to (403 `wrong_agency` for another police agency).
        fresh: problem === undefined,
        ownAgencyId: me.user.agencyId,
        idempotencyKey: shown.idempotencyKey,
        problem: summary,
        errors: summary?.errors ?? {},
        ...languageChoices(),
        // The box to say it is another person: offered once the API warned of a possible duplicate, and kept ticked.
        asksNotDuplicate: problem?.problem.code === 'possible_duplicate' || form.confirmNotDuplicate === 'yes',
      },
      problem?.status ?? 200,
    );
  };

  /**
   * The API would refuse the form once filled in; a person who may not open cases is told so in words, before typing a
   * name, and when the form comes from them all the same (kept from before their roles changed): never the form again.
   */
  const mayOpenCases = async (req: Request, res: Response) => {
    const me = await kit.me(req, res);
    if (!me.can.openCases)
      throw new ApiProblem(403, {
        detail: 'Cases are opened by an officer of a law-enforcement agency or a coordinator.',
      });
  };

  router.get('/cases/new', async (req, res) => {
    await mayOpenCases(req, res);
    await renderNewCase(req, res, (await kit.keptForm(req, res)) ?? {});
  });

  router.post('/cases', async (req, res) => {
    await mayOpenCases(req, res);
    const form = formOf(req);
    // "Other language" with no code, or a code typed with a listed language or none: said by the code. The rest of the
    // form is checked by the API all the same, sent with a language it refuses (UNSENT_LANGUAGE), so that no case
    // opens and every problem is said at once, where the language's was said alone and the others at the next send.
    const unsent = unsentLanguageProblems(form, NEW_CASE_LANGUAGE);
    const languageUnsent = Object.keys(unsent).length > 0;
    const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
    const body = {
      reference: optional(form.reference),
      ...identificationOf(form),
      survivor: {
        name: form['survivor.name'] ?? '',
        birthDate: form['survivor.birthDate'] ?? '',
        aNumber: optional(form['survivor.aNumber']),
        contact: optional(form['survivor.contact']),
        preferredLanguage: languageUnsent ? UNSENT_LANGUAGE : optional(languageChosen(form, NEW_CASE_LANGUAGE)),
      },
      agencies: Object.fromEntries(AGENCY_KINDS.map((kind) => [kind, form[`agencies.${kind}`] ?? ''])) as Record<
        (typeof AGENCY_KINDS)[number],
        string
      >,
      usesUVisa: form.usesUVisa === 'yes',
      // Ticked where the API warned of an open case of the same survivor: the person says this is someone else.
      ...(form.confirmNotDuplicate === 'yes' ? { confirmNotDuplicate: true } : {}),
    };
    try {
      const opened = ok(
        await kit
          .api(req)
          .POST('/api/cases', { body, params: { header: { 'Idempotency-Key': form.idempotencyKey ?? '' } } }),
      );
      res.redirect(303, `/cases/${opened.caseId}?notice=opened`);
    } catch (error) {
      if (!(error instanceof ApiProblem) || !FORM_PROBLEMS.includes(error.status)) throw error;
      await renderNewCase(req, res, form, languageUnsent ? withUnsentLanguage(error, unsent) : error);
    }
  });

  /**
   * A check page's "Confirm" sent again while its first send is still being processed (a double-click, whose second
   * answer is the one the browser shows): nothing was refused. Its form is not the first form of the action, whose
   * answers would be checked anew against a case the first send may have changed, but the confirmed request itself,
   * every field and the same key: sent again, the API applies it once and answers as it answered the first, so the
   * person lands where the first send led. The one way the confirmed forms (sign-off, correction, transfer) show it.
   */
  const renderInProgress = async (
    req: Request,
    res: Response,
    form: Record<string, string>,
    problem: ApiProblem,
    heading: string,
  ) => {
    const { caseId, view } = await kit.caseOf(req, res);
    kit.render(
      req,
      res,
      'in-progress',
      {
        title: `${heading}: case ${view.reference}`,
        heading,
        caseId,
        message: refusalInWords(problem.problem, kit.words(res)),
        action: req.originalUrl.split('?')[0],
        // The request as sent, its key with it; the CSRF field is the page's own, and "Change your answers" is no answer.
        fields: Object.entries({ ...form, confirm: 'yes' }).filter(
          ([name]) => name !== CSRF_FIELD && name !== 'change',
        ),
      },
      problem.status,
    );
  };

  /** The case page; `asked`: an "Ask again" form the API refused, shown again above its buttons. */
  const renderCase = async (
    req: Request,
    res: Response,
    asked?: { form: Record<string, string>; problem: ApiProblem },
  ) => {
    const { me, caseId, view } = await kit.caseOf(req, res);
    const api = kit.api(req);
    const [survivor, reminders, documents] = await Promise.all([
      // Only those the case answer says may read the survivor (domain/access.ts canReadSurvivor) are asked for it.
      view.survivorIdentity === 'readable'
        ? api.GET('/api/cases/{caseId}/survivor', { params: { path: { caseId } } }).then(ok)
        : undefined,
      api.GET('/api/cases/{caseId}/reminders', { params: { path: { caseId } } }).then(ok),
      api.GET('/api/cases/{caseId}/documents', { params: { path: { caseId } } }).then(ok),
    ]);
    const coordinatesOpenCase = view.status === 'open' && coordinatesCase(me, view);
    const askAgainProblem = asked && askAgainSummary(asked.form, asked.problem, kit.words(res));
    kit.render(
      req,
      res,
      'case',
      {
        title: titleOf(`Case ${view.reference}`, askAgainProblem),
        view,
        survivor,
        // The HHS request of a minor must be made before this day; shown only beside the identity it derives from.
        turns18On: survivor && view.path === 'minor' ? eighteenthBirthday(survivor.birthDate) : undefined,
        // A language tag in words ("Portuguese (Brazil)"); the form to correct the identity is web/pages/survivor.ts.
        languageInWords,
        tracks: TRACKS.map((track) => ({ track, steps: view.steps.filter((step) => step.track === track) })).filter(
          (group) => group.steps.length > 0,
        ),
        dueNext: dueNext(view),
        standing: standingOf(view.steps, TRACKS, kit.words(res), endReasons(view.timeline, view.steps, kit.words(res))),
        // How the other agencies' steps this reader's work depends on went (domain/access.ts canSeeMilestone).
        milestones: milestoneLines(view.milestones, TRACKS, kit.words(res)),
        // Who does not see the whole case sees only their own agency's steps (domain/access.ts): the summary says so.
        ownStepsOnly: !seesWholeCase(me.user),
        timeline: timelineOf(view.timeline, view.steps, kit.words(res), view.agencies),
        reminders: reminders.items,
        // A document's name comes only to who may open it: only they get a link.
        // A step opened again under a withdrawn step's id is another step: the withdrawn one's documents are not its.
        documentsOf: (stepId: string) =>
          documents.items.filter((document) => document.stepId === stepId && !document.stepWithdrawn),
        // Those of steps a correction withdrew, listed apart with the kind of step they were added to.
        withdrawnDocuments: documents.items.flatMap((document) => {
          const step = document.stepWithdrawn ? documentStep(view, document) : undefined;
          return step ? [{ ...document, kind: step.kind }] : [];
        }),
        // Who added a document, its step's agency and the coordinator may remove one added by mistake.
        canRemoveDocument: (document: { stepId: string; stepWithdrawn?: true; uploadedBy: string | null }) =>
          mayRemoveDocument(me, view, documentStep(view, document), document),
        // Its agency and the coordinator add one at any time (a receipt that comes after the sign-off): the API's rule.
        canAddDocument: (step: CaseView['steps'][number]) => mayAddDocument(me, view, step),
        canSign: (step: CaseView['steps'][number]) => maySignOff(me, step) && step.status === 'pending',
        // Only the case's coordinator transfers or ends it (web/pages/case-close.ts).
        canTransfer: coordinatesOpenCase,
        canClose: coordinatesOpenCase,
        canCorrect: (step: CaseView['steps'][number]) => mayCorrect(me, view, step),
        // A completed step whose rules still allow an amendment (an interim letter's extension): the action's words.
        amendment: (step: CaseView['steps'][number]) =>
          maySignOff(me, step) && openOutcomes(me, view, step).length > 0
            ? amendmentAction(step.kind, step.status)
            : undefined,
        // The requests its tracks ended without that this reader may ask again, each a button of its own; `starts`,
        // a U certification that starts following a U visa, shown apart as no U-visa track is there yet.
        askAgain: askableAgain(me, view).map(({ kind, starts }) => ({
          kind,
          starts,
          track: STEP_CATALOGUE[kind].track,
          label: askAgainLabel(kind, starts),
          // The key of the form sent, kept after an outage; a new one for every other.
          idempotencyKey:
            asked?.form.stepKind === kind ? idempotencyKeyOf(asked.form, asked.problem) : idempotencyKeyOf({}),
          // The day it was asked: as typed in the form sent, else today where the reader works.
          askedOn: asked?.form.stepKind === kind ? (asked.form[askedOnField(kind)] ?? '') : readerToday(me),
        })),
        askAgainProblem,
        askAgainLabels: Object.fromEntries(ASK_AGAIN_KINDS.map((kind) => [askedOnField(kind), 'Asked on'])),
        flash: CASE_NOTICES.get(param(req, 'notice') ?? '') ?? survivorNotice(req),
      },
      asked?.problem.status ?? 200,
    );
  };

  router.get('/cases/:caseId', async (req, res) => {
    await renderCase(req, res);
  });

  router.post('/cases/:caseId/ask-again', async (req, res) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const form = formOf(req);
    const stepKind = (form.stepKind ?? '') as AskAgainKind;
    // Left empty, today: the API's default.
    const typed = form[askedOnField(stepKind)]?.trim();
    const askedOn = typed && dayTyped(typed);
    try {
      const view = ok(
        await kit.api(req).POST('/api/cases/{caseId}/ask-again', {
          params: { path: { caseId }, header: { 'Idempotency-Key': form.idempotencyKey ?? '' } },
          // A kind off the list, or a day that is none, is the API's to refuse, naming the field.
          body: { stepKind, ...(askedOn ? { askedOn } : {}) },
        }),
      );
      // What this request did is the case's newest asked-again entry (a retried key answers the same case).
      const asked = view.timeline.filter((entry) => entry.type === 'step.asked_again').sort((a, b) => a.seq - b.seq);
      const notice = asked.at(-1) && startedUVisa(asked.at(-1)!) ? 'u-visa-asked' : 'asked-again';
      res.redirect(303, `/cases/${caseId}?notice=${notice}`);
    } catch (error) {
      if (!(error instanceof ApiProblem) || !FORM_PROBLEMS.includes(error.status)) throw error;
      await renderCase(req, res, { form, problem: error });
    }
  });

  /**
   * The sign-off form; `correcting`, the same form for a signed step, prefilled with what it records, and a reason.
   * `checking`: the answers to check before the sign-off or correction, which cannot be undone (a sign-off's document
   * already added).
   */
  const renderSignOff = async (
    req: Request,
    res: Response,
    form: Record<string, string>,
    problem?: ApiProblem,
    correcting = false,
    checking?: { documentName?: string; documentId?: string; withdraws?: CorrectionPreview },
  ) => {
    const { me, caseId, view } = await kit.caseOf(req, res);
    const stepId = String(req.params.stepId);
    const step = STEP_ID.test(stepId) ? view.steps.find((candidate) => candidate.id === stepId) : undefined;
    if (!step) throw noSuchStep(view, stepId);
    // A form that could only be refused is not offered (a supervisor, another agency's officer, by a shared link).
    if (!correcting && !maySignOff(me, step)) throw cannotSign(step, kit.words(res));
    const kind = step.kind;
    const outcomes = correcting ? correctionOutcomes(kind) : openOutcomes(me, view, step);
    const outcome =
      form.outcome && outcomes.includes(form.outcome) ? form.outcome : outcomes.length === 1 ? outcomes[0] : undefined;
    const fields = outcome ? detailFields(kind, outcome) : [];
    const shown = formProblem(form, problem, kit.words(res));
    const summary = problem
      ? summaryOf(shown, [
          { name: 'outcome', noun: 'the outcome', control: 'select' },
          { name: 'reason', noun: 'why the sign-off is corrected' },
          { name: 'document', noun: 'the document' },
          ...fields.map((field) => ({ name: `details.${field.name}`, noun: field.noun, control: field.control })),
        ])
      : undefined;
    const heading = correcting ? 'Correct the sign-off' : formPurpose(kind, step.status, form.outcome);
    // The documents already on the step (added at a first send whose "Confirm" came back refused, or from a check page
    // left): the file field says they are there, not to choose them again.
    const added =
      correcting || checking
        ? []
        : ok(await kit.api(req).GET('/api/cases/{caseId}/documents', { params: { path: { caseId } } })).items.filter(
            (document) => document.stepId === stepId && !document.stepWithdrawn,
          );
    // A form refused for an outcome the step no longer takes (someone signed it meanwhile, or the same form sent
    // twice at once): its answers are shown, so the officer can copy them (into a correction, say) rather than lose them.
    // So is a form kept as its session ended (Kit.keptForm) for a step signed since.
    const sent =
      (problem || res.locals.formKept) &&
      !correcting &&
      step.status !== 'pending' &&
      form.outcome &&
      !outcomes.includes(form.outcome)
        ? sentAnswers(kind, form)
        : undefined;
    kit.render(
      req,
      res,
      checking ? 'sign-off-check' : 'sign-off',
      {
        heading,
        view,
        step,
        outcomes,
        outcome,
        fields,
        form,
        correcting,
        // What the process needs of the step that its fields cannot say (web/step-guidance.ts), above a sign-off's form.
        guidance: correcting || checking ? undefined : signOffGuidance(step, kit.words(res)),
        // Why a completed step offers its amendment no more (an interim letter extended as often as the law allows).
        usedUp: correcting ? undefined : usedUpInWords(amendmentsUsedUp(me, view, step), kit.words(res)),
        // A step whose sign-off may open another agency's step its own is not told of: only the case's coordinator
        // corrects it (the API refuses its agency, `coordinator_corrects`), so the page says to ask them.
        coordinatorCorrects:
          view.agencies.coordinator !== me.user.agencyId && coordinatorCorrects(step.kind, step.agencyKind),
        sent: sent && {
          outcome: sent.outcome,
          answers: sent.answers.map(({ field, value }) => ({
            label: field.label,
            value: answerInWords(field, value, kit.words(res)),
          })),
        },
        ...shown,
        ...(checking
          ? {
              documentName: checking.documentName,
              documentId: checking.documentId,
              withdrawn:
                checking.withdraws &&
                stepsInWords(checking.withdraws.withdraws, checking.withdraws.withdrawsUnnamed, kit.words(res)),
              reopened:
                checking.withdraws &&
                stepsInWords(checking.withdraws.reopens, checking.withdraws.reopensUnnamed, kit.words(res)),
              lapsing: checking.withdraws?.lapses && lapseInWords(checking.withdraws.lapses, step, kit.words(res)),
            }
          : {}),
        // Back from removing the document its check page named: the step waits for the right file, and a sign-off.
        flash: !checking && form.change === 'document-removed' ? DOCUMENT_REMOVED_FROM_SIGN_OFF : undefined,
        addedDocuments: added.map((document) => document.fileName ?? 'a document'),
        // A step that takes no sign-off now still takes its documents, from its agency and the coordinator.
        addDocument: mayAddDocument(me, view, step),
        // The step by name, as the page's heading, so two tabs of one case tell themselves apart (a step's kind is no
        // personal data).
        ...problemShown(
          checking
            ? `Check your answers: ${correcting ? 'correction of the ' : ''}${stepLabel(kind)}, case ${view.reference}`
            : `${heading}: ${stepLabel(kind)}, case ${view.reference}`,
          summary,
        ),
        // In the form's order, the error summary's (web/views/error-summary.eta).
        labels: Object.fromEntries([
          ['outcome', 'Outcome'],
          ...fields.map((field) => [`details.${field.name}`, field.label]),
          ['reason', 'Why it is corrected'],
          ['document', 'Document'],
        ]),
      },
      problem?.status ?? 200,
    );
  };

  router.get('/cases/:caseId/steps/:stepId/correct', async (req, res) => {
    const { me, view } = await kit.caseOf(req, res);
    const step = view.steps.find((candidate) => candidate.id === String(req.params.stepId));
    if (!step) throw noSuchStep(view, String(req.params.stepId));
    // The identification is no sign-off and is never corrected (domain/correction.ts): what is done instead, and where.
    if (step.kind === 'identification') return identificationNotCorrected(kit, req, res, me, view);
    // A form that could only be refused is not offered (a supervisor, another agency, a step not signed, a step
    // the coordinator alone corrects): the refusal is said in words at once, not after the form is filled in.
    if (!mayCorrect(me, view, step))
      throw (me.can.signSteps && isCorrectable(step) && correctionRefusal(me, view, step)) || cannotCorrect();
    // Sent as the session ended: back as it was typed, with the count of corrections it was opened with.
    const kept = await kit.keptForm(req, res);
    if (kept) return renderSignOff(req, res, kept, undefined, true);
    // Prefilled with what the step records; its note is not (left empty, the correction keeps it).
    const recorded = Object.entries(step.details).flatMap(([name, value]) =>
      typeof value === 'string' && name !== 'note' ? [[`details.${name}`, value] as const] : [],
    );
    const chosen = param(req, 'outcome');
    const expectedCorrections = String(Number(step.details.corrections ?? 0));
    const form =
      chosen === undefined
        ? { outcome: step.outcome ?? '', expectedCorrections, ...Object.fromEntries(recorded) }
        : { outcome: chosen, expectedCorrections };
    await renderSignOff(req, res, form, undefined, true);
  });

  router.post('/cases/:caseId/steps/:stepId/correct', async (req, res) => {
    const { caseId, view } = await kit.caseOf(req, res);
    const stepId = String(req.params.stepId);
    const form = formOf(req);
    const step = view.steps.find((candidate) => candidate.id === stepId);
    if (!step) throw noSuchStep(view, stepId);
    const outcome = form.outcome ?? '';
    try {
      if (form.change === 'yes') {
        // "Change your answers" on the check page: the form again, posted (the reason may hold personal data).
        await renderSignOff(req, res, form, undefined, true);
        return;
      }
      if (form.confirm !== 'yes') {
        // A correction is a legal record too: its answers and its reason are checked on a page of their own first.
        const details = detailsFromForm(step.kind, outcome, form);
        const refused = checkCorrection(step.kind, outcome, details, form.reason);
        if (refused) throw refused;
        // What confirming would withdraw of the other agencies' pending steps, said before it is confirmed; the
        // preview is checked as the correction is, so what "Confirm" would refuse comes back on the form now.
        const withdraws = ok(
          await kit.api(req).POST('/api/cases/{caseId}/steps/{stepId}/corrections/preview', {
            params: { path: { caseId, stepId } },
            body: { outcome, details, reason: form.reason ?? '', ...expectedCorrectionsOf(form) },
          }),
        );
        await renderSignOff(req, res, form, undefined, true, { withdraws });
        return;
      }
      ok(
        await kit.api(req).POST('/api/cases/{caseId}/steps/{stepId}/corrections', {
          params: { path: { caseId, stepId }, header: { 'Idempotency-Key': form.idempotencyKey ?? '' } },
          body: {
            outcome,
            details: detailsFromForm(step.kind, outcome, form),
            reason: form.reason ?? '',
            ...expectedCorrectionsOf(form),
          },
        }),
      );
      res.redirect(303, `/cases/${caseId}?notice=corrected`);
    } catch (error) {
      if (!(error instanceof ApiProblem) || !FORM_PROBLEMS.includes(error.status)) throw error;
      if (form.confirm === 'yes' && isInProgress(error)) {
        await renderInProgress(req, res, form, error, 'The correction is being recorded');
        return;
      }
      await renderSignOff(req, res, form, error, true);
    }
  });

  router.get('/cases/:caseId/steps/:stepId', async (req, res) => {
    const kept = await kit.keptForm(req, res);
    if (kept) return renderSignOff(req, res, kept);
    const outcome = param(req, 'outcome') ?? '';
    await renderSignOff(req, res, { outcome }, param(req, 'choosing') === 'yes' && !outcome ? noOutcome() : undefined);
  });

  router.post('/cases/:caseId/steps/:stepId', async (req, res) => {
    const stepId = String(req.params.stepId);
    const form = formOf(req);
    const opened = await transferredAway(kit.caseOf(req, res), (problem) =>
      renderTransferredSignOff(req, res, caseIdOf(req), stepId, form, problem),
    );
    if (!opened) return;
    const { me, caseId, view } = opened;
    const step = view.steps.find((candidate) => candidate.id === stepId);
    if (!step && wasWithdrawn(view, stepId)) {
      await renderWithdrawnSignOff(req, res, view, stepId, form);
      return;
    }
    if (!step) throw noSuchStep(view, stepId);
    const kind = step.kind;
    const outcome = form.outcome ?? '';
    try {
      if (form.change === 'yes' || form.change === 'document-removed') {
        // "Change your answers" on the check page, or back from removing its document (web/pages/document-removal.ts):
        // the form again, with the answers and the key it had.
        await renderSignOff(req, res, form);
        return;
      }
      if (form.confirm !== 'yes') {
        // A form opened before the step was signed elsewhere (another tab, a colleague): refused now, as the API would
        // refuse it, so its answers are shown to copy rather than a check page of an outcome the step no longer takes.
        if (step.status !== 'pending' && outcome && !outcomesOf(kind, step.status).includes(outcome))
          throw stepNoLongerPending(step);
        // A form not read in full (a document or a note over its limit) is refused first, by that field: else its
        // answers, checked without the note, could be refused for another field and the note be lost unsaid.
        const file = formFileOf(res);
        if (file && 'refused' in file) throw file.refused;
        // Then the answers are checked: what the catalogue or the workflow's rules refuse comes back on the form. The
        // workflow's rules are judged by the API's preview, which runs them as the sign-off would (its dates, its note).
        const details = detailsFromForm(kind, outcome, form);
        const refused = checkDetails(kind, outcome, details) ?? signOffRulesRefusal(me, view, step, outcome);
        if (refused) throw refused;
        ok(
          await kit.api(req).POST('/api/cases/{caseId}/steps/{stepId}/sign-off/preview', {
            params: { path: { caseId, stepId } },
            body: { outcome, details },
          }),
        );
        // The document is added now, so the check page can name it: it links to the step and moves no workflow.
        const added = file ? await uploadDocument(kit.api(req), caseId, stepId, file) : undefined;
        // The name the step records: the same bytes sent again under another name are the document already added,
        // with its first name, which the case page lists.
        const documentName = added && (added.fileName ?? 'a document');
        // Named by its id too: the check page offers to remove it, should it be the wrong file.
        await renderSignOff(req, res, form, undefined, false, { documentName, documentId: added?.id });
        return;
      }
      ok(
        await kit.api(req).POST('/api/cases/{caseId}/steps/{stepId}/sign-off', {
          params: { path: { caseId, stepId }, header: { 'Idempotency-Key': form.idempotencyKey ?? '' } },
          body: { outcome, details: detailsFromForm(kind, outcome, form) },
        }),
      );
      res.redirect(303, afterSignOff(caseId, kind, outcome));
    } catch (error) {
      if (!(error instanceof ApiProblem) || !FORM_PROBLEMS.includes(error.status)) throw error;
      if (form.confirm === 'yes' && isInProgress(error)) {
        await renderInProgress(req, res, form, error, 'The sign-off is being recorded');
        return;
      }
      await renderSignOff(req, res, form, error);
    }
  });

  /**
   * A sign-off sent for a step a correction withdrew while its form was open (checked, even confirmed): answered as one
   * signed meanwhile is, with what was entered and why nothing was signed, and the documents already added to the step,
   * which stay on the case (listed apart), so none is lost unsaid.
   */
  const renderWithdrawnSignOff = async (
    req: Request,
    res: Response,
    view: CaseView,
    stepId: string,
    form: Record<string, string>,
  ) => {
    const kind = stepOfId(view.agencies, stepId)?.kind;
    if (!kind) throw noSuchStep(view, stepId);
    const caseId = view.caseId;
    const documents = ok(
      await kit.api(req).GET('/api/cases/{caseId}/documents', { params: { path: { caseId } } }),
    ).items.filter((document) => document.stepId === stepId && document.stepWithdrawn);
    const problem = summaryOf(formProblem(form, noSuchStep(view, stepId), kit.words(res)), []);
    const sent = sentAnswers(kind, form);
    const heading = formPurpose(kind, 'pending', form.outcome);
    kit.render(
      req,
      res,
      'sign-off-withdrawn',
      {
        title: titleOf(`${heading}: ${stepLabel(kind)}, case ${view.reference}`, problem),
        heading,
        view,
        kind,
        problem,
        sent: sent && {
          outcome: sent.outcome,
          answers: sent.answers.map(({ field, value }) => ({
            label: field.label,
            value: answerInWords(field, value, kit.words(res)),
          })),
        },
        documents: documents.map((document) => document.fileName ?? 'a document'),
        // A file chosen with this send (the form's first) is not added to a step that no longer applies.
        notAdded: fileNameOf(formFileOf(res)),
      },
      409,
    );
  };

  /**
   * A sign-off sent (checked, even confirmed) after the case was transferred away from the signer's agency while the
   * form was open: the API's words say to which agency, and what was entered is shown, as for a step signed meanwhile,
   * so it can be handed over rather than lost. Nothing was signed.
   */
  const renderTransferredSignOff = async (
    req: Request,
    res: Response,
    caseId: string,
    stepId: string,
    form: Record<string, string>,
    problem: ApiProblem,
  ) => {
    await kit.me(req, res);
    const kind = stepKindOfId(stepId);
    const sent = kind && sentAnswers(kind, form);
    kit.render(
      req,
      res,
      'sign-off-transferred',
      {
        title: `Error: Case transferred: ${kind ? stepLabel(kind) : 'sign-off'} not signed`,
        heading: kind ? stepLabel(kind) : 'Sign-off',
        caseId,
        message: problem.message,
        sent: sent && {
          outcome: sent.outcome,
          answers: sent.answers.map(({ field, value }) => ({
            label: field.label,
            value: answerInWords(field, value, kit.words(res)),
          })),
        },
        notAdded: fileNameOf(formFileOf(res)),
      },
      403,
    );
  };

  /**
   * The transfer form, then its confirmation ("check your answers"): the kind replaced is the new agency's own, so
   * the form offers, under each kind, the agencies of that kind the case does not have.
   */
  const renderTransfer = async (
    req: Request,
    res: Response,
    form: Record<string, string>,
    options: { confirm?: boolean; problem?: ApiProblem } = {},
  ) => {
    const { me, view } = await kit.caseOf(req, res);
    coordinatorsForm(me, view, 'transfer it to another agency', kit.words(res));
    const agencies = kit.agencies(res);
    const chosen = agencies.find((agency) => agency.id === form.toAgencyId);
    const kind = TRANSFERABLE_KINDS.find((candidate) => candidate === chosen?.kind);
    const confirming =
      options.confirm && chosen && kind
        ? { agencyKind: kind, fromAgencyId: view.agencies[kind], toAgencyId: chosen.id, toName: chosen.name }
        : undefined;
    // A kind whose every agency is the case's own already has nothing to choose: it is not offered.
    const groups = TRANSFERABLE_KINDS.map((group) => ({
      kind: group,
      current: view.agencies[group],
      agencies: agencies.filter((agency) => agency.kind === group && agency.id !== view.agencies[group]),
    })).filter((group) => group.agencies.length > 0);
    // Every agency of a kind that transfers is the case's own already: a form with nothing to choose is not shown.
    const noOtherAgency = groups.length === 0;
    const shown = formProblem(form, options.problem, kit.words(res));
    const summary = options.problem ? summaryOf(shown, TRANSFER_FIELDS, form) : undefined;
    // Without the form there is no field to link to: what was refused is said in the summary.
    const problem =
      summary && noOtherAgency
        ? { errors: {}, message: [...Object.values(summary.errors), summary.message].filter(Boolean).join('. ') }
        : summary;
    kit.render(
      req,
      res,
      'case-transfer',
      {
        view,
        confirming,
        reasons: transferReasons(),
        reasonInWords: transferReasonLabel,
        groups,
        noOtherAgency,
        form,
        idempotencyKey: shown.idempotencyKey,
        ...problemShown(`Transfer case ${view.reference}`, problem),
      },
      options.problem?.status ?? 200,
    );
  };

  router.get('/cases/:caseId/transfer', async (req, res) => {
    const kept = await kit.keptForm(req, res);
    await renderTransfer(
      req,
      res,
      kept ?? { toAgencyId: param(req, 'toAgencyId') ?? '', reason: param(req, 'reason') ?? '' },
    );
  });

  router.post('/cases/:caseId/transfer', async (req, res) => {
    await kit.me(req, res);
    const caseId = caseIdOf(req);
    const form = formOf(req);
    if (form.confirm !== 'yes') {
      // The check page refuses what the confirmation would: no agency of a kind that transfers, the case's own agency,
      // a reason no code.
      const view = await kit.case(req, caseId);
      const refused = checkTransfer(form, kit.agencies(res), view.agencies);
      await renderTransfer(req, res, form, refused ? { problem: refused } : { confirm: true });
      return;
    }
    const agencies = kit.agencies(res);
    const kind = agencies.find((agency) => agency.id === form.toAgencyId)?.kind ?? '';
    try {
      ok(
        await kit.api(req).POST('/api/cases/{caseId}/transfers', {
          params: { path: { caseId }, header: { 'Idempotency-Key': form.idempotencyKey ?? '' } },
          // An agency of no kind that transfers is the API's to refuse, naming the field.
          body: {
            agencyKind: kind as (typeof TRANSFERABLE_KINDS)[number],
            toAgencyId: form.toAgencyId ?? '',
            // The agency the check page named as replaced: the workflow refuses the transfer if another has the role
            // now (transferred_meanwhile), even one transferred in the same instant, so no agency unseen is replaced.
            fromAgencyId: form.fromAgencyId?.trim() || undefined,
            // A code off the list is the API's to refuse, naming the field (the check page refused it already).
            reason: form.reason?.trim() ? (form.reason.trim() as TransferReason) : undefined,
          },
        }),
      );
      res.redirect(303, `/cases/${caseId}?notice=transferred`);
    } catch (error) {
      if (!(error instanceof ApiProblem) || !FORM_PROBLEMS.includes(error.status)) throw error;
      if (isInProgress(error)) {
        await renderInProgress(req, res, form, error, 'The transfer is being made');
        return;
      }
      // Said as the check before sending says it, naming the agency the case went to.
      const moved =
        error.problem.code === 'transferred_meanwhile'
          ? transferredSinceChecked(form, agencies, (await kit.case(req, caseId)).agencies)
          : undefined;
      await renderTransfer(req, res, form, { problem: moved ?? error });
    }
  });

  router.get('/cases/:caseId/documents/:documentId', async (req, res) => {
    await kit.me(req, res);
    const documentId = String(req.params.documentId);
    if (!UUID.test(documentId)) throw new ApiProblem(404, { title: 'Not Found', detail: 'There is no such document.' });
    await proxyDownload(kit.api(req), caseIdOf(req), documentId, res);
  });

  return router;
}

/**
 * The API's `transferred_meanwhile` in words: the case's agency of its kind is neither the one its check page named as
 * replaced (`fromAgencyId`) nor the one chosen, someone else having transferred the case elsewhere meanwhile (probe
 * P6: checked as Demo City Police to New Police, confirmed after another transfer to Other Police, it took the case
 * from Other Police), named by the agency it went to; or undefined. Said on the form, to choose again.
 */
function transferredSinceChecked(
  form: Record<string, string>,
  agencies: readonly AgencyView[],
  caseAgencies: CaseView['agencies'],
): ApiProblem | undefined {
  const kind = TRANSFERABLE_KINDS.find(
    (candidate) => candidate === agencies.find((a) => a.id === form.toAgencyId)?.kind,
  );
  // Read after the refusal: the case may have moved on again since (to the agency chosen, or back), then the API's
  // own words stand.
  if (!kind || !form.fromAgencyId || [form.fromAgencyId, form.toAgencyId].includes(caseAgencies[kind]))
    return undefined;
  const now = agencies.find((agency) => agency.id === caseAgencies[kind])?.name ?? caseAgencies[kind];
  const message = `Nothing was transferred: since you checked it, someone transferred the case to ${now} (${agencyKindLabel(kind)}). Choose the new agency again`;
  return new ApiProblem(409, {
    detail: 'The case was transferred meanwhile.',
    errors: [{ field: 'toAgencyId', message }],
  });
}

/**
 * A transfer's answers checked before its check page, as the API will check them: a new agency of a kind that
 * transfers, not the one the case has of that kind (which the form never offers: a crafted or stale request), and a
 * reason that is a code.
 */
function checkTransfer(
  form: Record<string, string>,
  agencies: readonly AgencyView[],
  caseAgencies: CaseView['agencies'],
): ApiProblem | undefined {
  const errors: { field: string; message: string }[] = [];
  const chosen = agencies.find((agency) => agency.id === form.toAgencyId);
  const kind = TRANSFERABLE_KINDS.find((candidate) => candidate === chosen?.kind);
  if (!chosen || !kind) errors.push({ field: 'toAgencyId', message: 'Choose the new agency' });
  else if (caseAgencies[kind] === chosen.id)
    errors.push({
      field: 'toAgencyId',
      message: `${chosen.name} already has this case (${agencyKindLabel(kind)}): choose another agency`,
    });
  const reason = form.reason?.trim();
  if (reason && !transferCaseSchema().shape.reason.safeParse(reason).success)
    errors.push({ field: 'reason', message: 'Choose a reason from the list' });
  return errors.length ? new ApiProblem(422, { detail: 'The transfer is not complete.', errors }) : undefined;
}

/**
 * Where a recorded sign-off leads: the inbox, which the step has left; an amendment (an interim letter's extension),
 * of a step never in the inbox, to its case, which shows it; an outcome that leaves the step pending (a T-visa
 * decision's notice), to its case, which shows the step still to sign and the response the notice opened, where the
 * inbox said the step had left it while listing it still.
 */
function afterSignOff(caseId: string, kind: CaseView['steps'][number]['kind'], outcome: string): string {
  if (isAmendment(kind, outcome)) return `/cases/${caseId}?notice=amended`;
  if (keepsStepPending(kind, outcome)) return `/cases/${caseId}?notice=still-pending`;
  return '/?notice=signed-off';
}

/** The case page's message after an action of the console, by the code it redirects with. */
const CASE_NOTICES: ReadonlyMap<string, string> = new Map([
  ['opened', 'The case is open.'],
  ['amended', 'The extension was recorded. The step shows the date the letter is now valid until.'],
  [
    'still-pending',
    'The notice was recorded. The decision stays pending until it is made; the response to the notice is a step of ' +
      'its own, with its deadline, below and in your inbox.',
  ],
  ['corrected', 'The correction was recorded. The timeline shows what changed and why it was corrected.'],
  ['transferred', 'The case was transferred. The agency it replaced no longer sees it.'],
  ['asked-again', 'Asked again: the new request is pending, with its deadline and reminders.'],
  [
    'u-visa-asked',
    'The case now follows a U visa: the U-visa certification is pending with law enforcement, with its deadline ' +
      'and reminders.',
  ],
  ['closed', 'The case has ended; its pending steps were cancelled.'],
  [
    'document-removed',
    'The document was removed: no one can open it again. The audit trail records who removed it and why.',
  ],
]);

/** The sign-off form's message once the document its check page named was removed. */
const DOCUMENT_REMOVED_FROM_SIGN_OFF =
  'The document was removed: no one can open it again. The step is not signed yet: choose the right file and continue.';

/** Answers a form shows above itself: refusals of the request, and an outage of the service behind the API (503). */
/** The refusal the API gives a sign-off of a step that is no longer pending (domain/case.ts), for the console's own. */
const stepNoLongerPending = (step: { id: string; status: string }) =>
  new ApiProblem(409, {
    status: 409,
    code: 'step_not_pending',
    detail: `step ${step.id} is ${step.status}`,
    errors: [{ field: 'stepId', message: `step ${step.id} is ${step.status}` }],
  });

/**
 * The API's answers shown on the form that was sent, in words, with what was entered: among them 429, a document
 * refused while the user's other uploads are under way (`too_many_uploads`) or a write over the user's limit, which
 * an error page would answer by losing the whole form.
 */
const FORM_PROBLEMS = [400, 403, 409, 413, 415, 422, 429, 503];

/** The API's answer while the first send under the same key is still being processed. */
/**
 * The case, or undefined once `refused` has answered its reading refused because the case was transferred away from the
 * reader's agency (the API's `transferred_away`); any other refusal is thrown as it came.
 */
async function transferredAway<T>(
  reading: Promise<T>,
  refused: (problem: ApiProblem) => Promise<void>,
): Promise<T | undefined> {
  try {
    return await reading;
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.problem.code !== 'transferred_away') throw error;
    await refused(error);
    return undefined;
  }
}

const isInProgress = (error: ApiProblem) => error.problem.code === 'idempotency_in_progress';

/**
 * A time beside the date makes a local date-time, which the API reads in the identifying agency's zone: the console
 * knows no zone and converts nothing. Without a date the API names the date field, not the time.
 */
function identificationOf(form: Record<string, string>): { identifiedAt: string } | { identifiedOn: string } {
  const date = form.identifiedOn?.trim() ?? '';
  const time = form.identifiedTime?.trim() ?? '';
  return date && time ? { identifiedAt: `${date}T${time}` } : { identifiedOn: date };
}

/**
 * What a form shows of a failed submission, and the key it carries (web/form-problems.ts idempotencyKeyOf): a new one
 * after a refusal, the same one after an outage or while its first send is still being processed.
 */
function formProblem(form: Record<string, string>, problem: ApiProblem | undefined, words: RefusalWords) {
  const outage = problem?.status === 503;
  const said = problem?.problem.detail === undefined ? undefined : refusalInWords(problem.problem, words);
  return {
    idempotencyKey: idempotencyKeyOf(form, problem),
    // Sent a moment ago and not answered yet: nothing was refused, and sending it again gives the first send's outcome.
    inProgress: problem?.problem.code === 'idempotency_in_progress',
    errorHeading: outage ? 'The service could not finish this just now' : undefined,
    error: outage ? `${said ?? ''} Your entries are kept below.`.trim() : said,
    errors: Object.fromEntries(
      Object.entries(problem?.fieldErrors() ?? {}).map(([field, message]) => [field, plainWords(message, words)]),
    ),
  };
}

/**
 * A form's error summary (web/views/error-summary.eta): each of its `named` fields' messages in plain words, the API's
 * words when none is placed. `form`: the values sent, so a field left empty is asked for.
 */
function summaryOf(
  shown: Pick<ReturnType<typeof formProblem>, 'errors' | 'error' | 'errorHeading'>,
  named: readonly NamedField[],
  form: Record<string, string> = {},
): FormProblem {
  const errors: Record<string, string> = {};
  let unplaced = false;
  for (const [name, message] of Object.entries(shown.errors)) {
    const field = name === 'file' ? 'document' : name;
    if (named.some((candidate) => candidate.name === field)) errors[field] = message;
    else unplaced = true;
  }
  const placed = Object.keys(errors).length > 0;
  // An outage names itself first: the form is to be sent again, not changed.
  const said = shown.errorHeading ? `${shown.errorHeading}. ${shown.error ?? ''}`.trim() : shown.error;
  return plainProblem({ errors, message: unplaced || !placed ? said : undefined }, named, form);
}

/**
 * The day an "Ask again" form was asked on, one form per request on the case page: named by the request, as the
 * open-case form names an agency by its kind, so each input has an id of its own that the error summary links to.
 */
const askedOnField = (kind: string) => `askedOn.${kind}`;

/** A refused "Ask again" form's problem: the API's `askedOn` error by the day's input of the form sent, in words. */
function askAgainSummary(form: Record<string, string>, problem: ApiProblem, words: RefusalWords): FormProblem {
  const field = askedOnField(form.stepKind ?? '');
  const shown = formProblem(form, problem, words);
  const { askedOn, ...others } = shown.errors;
  const errors = askedOn === undefined ? others : { ...others, [field]: askedOn };
  return summaryOf({ ...shown, errors }, [{ name: field, noun: 'the day it was asked', control: 'date' }], form);
}

/** The transfer form's fields as its messages name them. */
const TRANSFER_FIELDS: readonly NamedField[] = [
  { name: 'toAgencyId', noun: 'the new agency', control: 'select' },
  { name: 'reason', noun: 'a reason', control: 'select' },
];

/** The open-case form's inputs of the survivor's preferred language (web/views/language-field.eta). */
const NEW_CASE_LANGUAGE: LanguageInputs = {
  choice: 'survivor.preferredLanguage',
  code: 'survivor.preferredLanguageOther',
};

/**
 * A form the console refuses before sending it, as the API's 400 naming the fields would be, so the form shows it the
 * one way it shows the API's.
 */
const formRefusal = (errors: Record<string, string>) =>
  new ApiProblem(400, { status: 400, errors: Object.entries(errors).map(([field, message]) => ({ field, message })) });

/**
 * What the open-case form sends as the language while its language inputs have a problem the console says itself
 * (`unsentLanguageProblems`): no language tag (api/schemas.ts LanguageSchema), so the API refuses the form, never
 * opening a case, and names every other field it refuses with it.
 */
const UNSENT_LANGUAGE = '-';

/**
 * The API's refusal of a form sent with UNSENT_LANGUAGE, its refusal of that language replaced by what the console
 * says of the language inputs (`unsent`). Any other answer (too many requests, the service unavailable) says nothing
 * of the fields: the language's problems are shown alone, as before the rest of the form was checked.
 */
function withUnsentLanguage(refusal: ApiProblem, unsent: Record<string, string>): ApiProblem {
  if (refusal.status !== 400 && refusal.status !== 422) return formRefusal(unsent);
  const { [NEW_CASE_LANGUAGE.choice]: _sent, ...others } = refusal.fieldErrors();
  return new ApiProblem(refusal.status, {
    ...refusal.problem,
    errors: Object.entries({ ...others, ...unsent }).map(([field, message]) => ({ field, message })),
  });
}

/** The open-case form's fields as its messages name them; the agencies' selects are added by kind. */
const NEW_CASE_FIELDS: readonly NamedField[] = [
  {
    name: 'reference',
    noun: 'a reference',
    format: 'A reference is 2 to 40 letters, digits or hyphens, with no spaces',
  },
  { name: 'identifiedOn', noun: 'the date they were identified', control: 'date' },
  { name: 'identifiedTime', noun: 'the time they were identified', control: 'time' },
  { name: 'survivor.name', noun: 'the survivor’s name' },
  { name: 'survivor.birthDate', noun: 'the survivor’s birth date', control: 'date' },
  {
    name: 'survivor.aNumber',
    noun: 'the A-number',
    format: A_NUMBER_FORMAT,
  },
  { name: 'survivor.contact', noun: 'the contact' },
  ...languageFields(NEW_CASE_LANGUAGE),
  { name: 'confirmNotDuplicate', noun: 'whether this is another person' },
];

/**
 * The API's errors of an open request by the form's fields: `identifiedAt` is the date and the time typed together
 * (web/pages/cases.ts identificationOf), its day's errors go by the date (not a day; one before the TVPA, domain/dates.ts
 * `beforeTheTvpa`), the rest by the time; the preferred language's, by the code typed (the list's tags are valid).
 */
function newCaseErrors(errors: Record<string, string>): Record<string, string> {
  const { identifiedAt, ...rest } = languageRefusalByCode(errors, NEW_CASE_LANGUAGE);
  if (identifiedAt === undefined) return rest;
  const field = /expected a day|must be on or after/.test(identifiedAt) ? 'identifiedOn' : 'identifiedTime';
  return { ...rest, [field]: identifiedAt };
}

/** The second send of a double-click, answered while the first is still opening the case. */
const OPENING =
  'The case is being opened: this form was sent a moment ago and is still being processed. Wait a few seconds, ' +
  'then send the form again: it takes you to the case, and opens no second one.';

type CaseTimeline = { timeline: readonly { type: string; stepId: string | null }[] };
const wasWithdrawn = (view: CaseTimeline, stepId: string) =>
  view.timeline.some((entry) => entry.type === 'step.withdrawn' && entry.stepId === stepId);

/**
 * A step the case does not show: one a correction withdrew (its timeline says so) is told as such, for a form kept
 * open in another tab or a link from an email; any other is not found.
 */
const noSuchStep = (view: CaseTimeline, stepId: string) =>
  wasWithdrawn(view, stepId)
    ? new ApiProblem(409, {
        title: 'Conflict',
        detail:
          'This step was withdrawn when the sign-off it followed from was corrected: it no longer applies, and ' +
          'nothing can be signed on it. The case page shows what is pending now.',
      })
    : new ApiProblem(404, { title: 'Not Found', detail: 'This case has no such step you may see.' });
const cannotCorrect = () =>
  new ApiProblem(403, {
    title: 'Forbidden',
    detail:
      'Only an officer of the agency that signed this step, or of the case’s coordinator, may correct a sign-off, ' +
      'and only once the step is signed.',
  });

/**
 * The page for a typed address of the identification's correction, which no one may make (409, as the API's
 * `not_correctable`): the case is withdrawn as opened in error and opened again, the rule the API says (README,
 * "Correcting a sign-off"), with the page that withdraws it for the coordinator of the open case, else the case's.
 */
function identificationNotCorrected(kit: Kit, req: Request, res: Response, me: MeView, view: CaseView) {
  const withdraws = view.status === 'open' && coordinatesCase(me, view);
  const rule =
    'The identification is not a sign-off and cannot be corrected: the case’s path and deadlines were set from it ' +
    'when the case opened.';
  const instead =
    view.status !== 'open'
      ? 'If it was entered wrongly, the case is opened again with the right identification.'
      : withdraws
        ? 'If it was entered wrongly, withdraw the case (reason “Opened in error”) on its “Close or withdraw this case” ' +
          'page, and open it again with the right identification.'
        : 'If it was entered wrongly, ask the case’s coordinator to withdraw the case (reason “Opened in error”) on its ' +
          '“Close or withdraw this case” page; it is then opened again with the right identification.';
  const heading = 'The identification cannot be corrected';
  kit.render(
    req,
    res,
    'error',
    {
      title: heading,
      heading,
      message: `${rule} ${instead}`,
      back: withdraws
        ? { href: `/cases/${view.caseId}/close`, label: 'Close or withdraw this case' }
        : { href: `/cases/${view.caseId}`, label: 'Back to the case' },
    },
    409,
  );
}

/** The API's refusal of a correction that is the coordinator's alone (domain/correction.ts), said before any form. */
const coordinatorCorrectsIt = () =>
  new ApiProblem(403, {
    title: 'Forbidden',
    code: 'coordinator_corrects',
    detail: 'This sign-off may open steps of another agency: the case’s coordinator corrects it.',
  });

const cannotSign = (step: CaseView['steps'][number], words: Words) =>
  new ApiProblem(403, {
    title: 'Forbidden',
    detail:
      `Only an officer of the agency this step belongs to in this case${step.agencyId ? `, ${words.agencyName(step.agencyId)},` : ''} ` +
      'may sign it off. You can still read the step on the case page.',
  });

/**
 * The steps a correction would withdraw (or reopen), as its preview tells them to this reader: each by name and the
 * agency that owes it, one it may not be told of as the refusals say it; undefined when there are none.
 */
function stepsInWords(steps: CorrectionPreview['withdraws'], unnamed: boolean, words: Words): string | undefined {
  const named = steps.map((step) => `${stepLabel(step.kind)} (${words.stepAgency(step)})`);
  const said = [...named, ...(unnamed ? [UNNAMED_LATER_STEP] : [])];
  return said.length > 0 ? said.join(', ') : undefined;
}

/**
 * The lapse a correction brings, in one sentence (its preview's `lapses`): the step's validity as corrected ended
 * already, so confirming lapses it, and the lapse cancels what it cancels; a step that had lapsed stays lapsed.
 */
function lapseInWords(
  lapse: NonNullable<CorrectionPreview['lapses']>,
  step: CaseView['steps'][number],
  words: Words,
): string {
  const cancelled = stepsInWords(lapse.cancels, lapse.cancelsUnnamed, words);
  const lapses =
    step.status === 'expired'
      ? 'it stays lapsed'
      : `confirming this makes it lapse${cancelled ? `, which cancels: ${cancelled}` : ''}`;
  return `${stepLabel(step.kind)} would be valid until ${words.calendarDay(lapse.validUntil)}, already past: ${lapses}.`;
}

/** Why a step offers its amendment no more, its days in the reader's words (an interim letter that ended on 2 Sep 2026). */
const usedUpInWords = (usedUp: string | undefined, words: Words) => usedUp && plainWords(usedUp, words);

/** The corrections count the form was read with, sent so a correction made meanwhile is refused, not replaced. */
function expectedCorrectionsOf(form: Record<string, string>): { expectedCorrections?: number } {
  return /^\d+$/.test(form.expectedCorrections ?? '') ? { expectedCorrections: Number(form.expectedCorrections) } : {};
}

/**
 * The signing agency's officers, or the case's coordinator; the API judges the window and the later steps. A step
 * whose sign-off may open a step the signing agency is not told of is the coordinator's alone (`coordinatorCorrects`,
 * the API's own rule): not offered to its agency, whom the API would refuse.
 */
function mayCorrect(me: MeView, view: CaseView, step: CaseView['steps'][number]): boolean {
  return me.can.signSteps && isCorrectable(step) && correctionRefusal(me, view, step) === undefined;
}

/** Why this reader may not correct the step (its agency nor the coordinator, or the coordinator's alone); else undefined. */
function correctionRefusal(me: MeView, view: CaseView, step: CaseView['steps'][number]): ApiProblem | undefined {
  if (view.agencies.coordinator === me.user.agencyId) return undefined;
  if (step.agencyId !== me.user.agencyId) return cannotCorrect();
  return coordinatorCorrects(step.kind, me.user.agencyKind) ? coordinatorCorrectsIt() : undefined;
}

/**
 * The requests this reader may ask again (domain/ask-again.ts), judged from the case as they see it: its steps, and how
 * the others their work depends on went (the milestones); the API judges what they do not see. The case's coordinator,
 * or an officer of the agency that owns the request, while the case is open.
 */
function askableAgain(me: MeView, view: CaseView): { kind: AskAgainKind; starts: boolean }[] {
  if (view.status !== 'open' || !me.can.signSteps) return [];
  const coordinates = view.agencies.coordinator === me.user.agencyId;
  const steps = [...view.steps, ...view.milestones];
  const facts = { path: view.path, usesUVisa: followsUVisa(steps), steps };
  return ASK_AGAIN_KINDS.filter((kind) => {
    const { owner } = STEP_CATALOGUE[kind];
    const owns = me.user.agencyKind === owner && view.agencies[owner] === me.user.agencyId;
    return (coordinates || owns) && askAgainRefusal(facts, kind) === null;
  }).map((kind) => ({ kind, starts: startsUVisa(facts, kind) }));
}

/** Pending steps with a due date, soonest first: what the case waits for. */
function dueNext(view: CaseView): CaseView['steps'] {
  return view.steps
    .filter((step) => step.status === 'pending' && step.dueAt !== null)
    .sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''))
    .slice(0, 5);
}
