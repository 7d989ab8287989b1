import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  isGrpcDeadlineError,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import type { z } from 'zod';
import {
  AppError,
  RETRY_AFTER_SECONDS,
  isWorkflowTaskFailed,
  unavailableDependency,
  type ProblemKind,
} from '../core/errors';
import { releaseAbandonedOpenings, workflowStarted } from './abandoned-openings';
import { appliedByEarlierRun } from './earlier-runs';
import { identificationOf, type IdentificationRequest } from './identification';
import type { IdentityKeyring } from '../core/identity-cipher';
import { localDateOf } from '../core/time-zones';
import { findAgency } from '../db/agencies';
import { releaseCase, reserveCase, stillOpening, type CaseIntake, type Reservation } from '../db/case-references';
import type { SurvivorIdentity } from '../db/survivors';
import { nameTokens } from '../core/name-index';
import { IDEMPOTENCY_TTL_MS } from '../db/idempotency';
import { getCase, type CaseView } from '../db/read-model';
import { sealNote } from '../db/sealed-notes';
import {
  eventAgencyOf,
  ISSUED_WINDOW_MINUTES,
  isoDateSchema,
  minorTurns18OnFor,
  correctionReasonSchema,
  noteSchema,
  previewCorrection,
  validateOpenCase,
  validateSignOff,
  type AskAgainRequest,
  type CaseCommandResult,
  type CloseCaseRequest,
  type Correction,
  type Issued,
  type OpenCaseInput,
  type Policy,
  type Rejection,
  type RejectionCode,
  type SignOff,
  type TransferCaseRequest,
} from '../domain';
import type { Actor, AgencyKind, CaseAgencies, Step, StepKind } from '../domain/types';
import {
  askAgainUpdate,
  CASE_WORKFLOW_TYPE,
  caseStateQuery,
  closeUpdate,
  correctSignOffUpdate,
  REJECTION_FAILURE_TYPE,
  signOffUpdate,
  syncUpdate,
  transferUpdate,
  workflowIdOf,
  type CaseWorkflow,
} from '../workflows/contract';
import type { Clock } from '../core/clock';

export interface OpenCaseRequest extends IdentificationRequest {
  reference?: string;
  survivor: SurvivorIdentity;
  agencies: CaseAgencies;
  usesUVisa?: boolean;
  /** true: opened even when the agency has an open case of the same survivor, identified at the same moment. */
  confirmNotDuplicate?: boolean;
}

/** A step a correction would withdraw or reopen, as its preview names it: its kind and the agency that owes it. */
interface PreviewedStep {
  kind: StepKind;
  agencyKind: AgencyKind;
  agencyId: string | null;
  agencyName: string | null;
}

/**
 * What confirming a correction would withdraw and reopen (`previewCorrection`): the pending steps it withdraws and the
 * ended ones it makes pending again (a lapse withdrawn) that its corrector may be told of, by kind and the agency that
 * owes each, and whether it withdraws or reopens any other (said only as `UNNAMED_LATER_STEP`); and the lapse it brings
 * when the step's validity as corrected ended before now (`lapses`, else null): the step, its last day, and what the
 * lapse cancels, named the same way.
 */
export interface CorrectionPreview {
  withdraws: PreviewedStep[];
  withdrawsUnnamed: boolean;
  reopens: PreviewedStep[];
  reopensUnnamed: boolean;
  lapses: { step: PreviewedStep; validUntil: string; cancels: PreviewedStep[]; cancelsUnnamed: boolean } | null;
}

/**
 * Identifies one write across retries: the API derives it from the request's `Idempotency-Key` (with its scope and
 * the request itself), so a retried request opens the same case and applies the same update, which Temporal runs once.
 */
export interface WriteOptions {
  operationId?: string;
}

/** What each rule's refusal means to an HTTP client. */
const REJECTION_KINDS: Record<RejectionCode, ProblemKind> = {
  case_not_open: 'conflict',
  unknown_step: 'not_found',
  wrong_agency_kind: 'forbidden',
  wrong_agency: 'forbidden',
  role_not_permitted: 'forbidden',
  unknown_outcome: 'unprocessable',
  step_not_pending: 'conflict',
  outcome_not_applicable: 'conflict',
  invalid_details: 'unprocessable',
  date_order: 'unprocessable',
  date_out_of_range: 'unprocessable',
  extension_limit_reached: 'conflict',
  evidence_response_pending: 'conflict',
  not_correctable: 'conflict',
  // The signing agency's window is over: the coordinator may still correct, this caller may not.
  correction_window_closed: 'forbidden',
  later_steps_signed: 'conflict',
  correction_conflict: 'conflict',
  transferred_meanwhile: 'conflict',
  // Only the coordinator corrects a step that may have opened steps the caller does not see: this caller may not.
  coordinator_corrects: 'forbidden',
  nothing_to_ask_again: 'conflict',
  // A sealed command copied onto another case or update, or sent again later: never one of the API's own
  // (`command` answers those 503, see there).
  unbound_command: 'forbidden',
};

/**
 * The field a refusal is about when its rule names none: the outcome, which the step can no longer take (an interim
 * letter extended as often as the policy allows; another evidence request while one is unanswered), so the problem
 * names it in `errors` as every refusal of bad input does, rather than leaving the client to guess.
 */
const FIELD_OF_OUTCOME_REFUSAL: Partial<Record<RejectionCode, string>> = {
  extension_limit_reached: 'outcome',
  evidence_response_pending: 'outcome',
};

/** How long a write waits for its case workflow unless configured (WRITE_TIMEOUT_SECONDS). */
const DEFAULT_WRITE_TIMEOUT_MS = 10_000;

/**
 * What is wrong with a chosen reference that says who the survivor is, or undefined: it is shown in clear to every
 * agency on the case (ICE too, which is refused the identity), in emails, digests, calendar feeds, audit rows and
 * URLs, so it must be an agency's case number, never a name or a birth date. Refused: a part (split at hyphens and
 * between letters and digits) that is a word of the survivor’s name as the name search reads it (case and accents
 * aside, words of 3 letters or more) or several run together (MARIALOPEZ); the birth date as people write it (in
 * either order of month and day, the year first or last, 4 or 2 digits of it, with hyphens or none); the A-number's
 * digits (`numberHeld`: with or without its "A", whatever sets its digits apart); the contact (`contactHeld`: a phone
 * number's digits, an email address's local part); and any 8 digits that read as a date from 1900 to 2100, whoever's
 * it is. The preferred language is not read: a language tag says no one's identity, and its two or three letters
 * would refuse countless case numbers. Only the fields given are read (a correction asks about the fields it
 * changed, `settleReference` in app/survivor-records.ts). The words say why without repeating what was typed.
 */
/**
 * How a request has a reference assigned instead of the one refused: an opening leaves it out; a survivor correction,
 * which keeps the case's reference when it leaves it out, sends null (app/survivor-records.ts).
 */
export const ASSIGNED_WHEN_LEFT_OUT = 'leave it out to have one assigned';
export const ASSIGNED_WHEN_NULL = 'send "reference": null to have one assigned';

export function identityInReference(
  reference: string,
  survivor: Partial<Pick<SurvivorIdentity, 'name' | 'birthDate' | 'aNumber' | 'contact'>>,
  assigned = ASSIGNED_WHEN_LEFT_OUT,
) {
  const why = `It is shown to every agency on the case and in emails, so it must never say who the survivor is: use your agency’s case number, or ${assigned}`;
  const words = nameTokens(survivor.name ?? '').filter((word) => word.length >= 3);
  const parts = reference.toLowerCase().match(/[a-z]+|\d+/g) ?? [];
  const namesWords = new RegExp(`^(?:${words.join('|')})+$`);
  if (words.length > 0 && parts.some((part) => namesWords.test(part))) {
    return `must not hold a word of the survivor’s name. ${why}`;
  }
  const numbers = numbersIn(reference);
  if (survivor.birthDate && birthDateIn(reference, numbers, survivor.birthDate)) {
    return `must not hold the survivor’s birth date. ${why}`;
  }
  if (survivor.aNumber && numberHeld(reference, aNumberForms(survivor.aNumber))) {
    return `must not hold the survivor’s A-number. ${why}`;
  }
  if (survivor.contact && contactHeld(reference, survivor.contact)) {
    return `must not hold the survivor’s contact. ${why}`;
  }
  if (numbers.some(readsAsDate)) return `must not look like a date. ${why}`;
  return undefined;
}

/** Whether a reference holds the birth date as people write it, run together (`numbers`) or set apart by hyphens. */
function birthDateIn(reference: string, numbers: string[], birthDate: string): boolean {
  const [year, month, day] = birthDate.split('-') as [string, string, string];
  // Run together, as padded (19900506, 050690) or, with the whole year, without the zeros (561990, 199056).
  const [m, d] = [String(Number(month)), String(Number(day))];
  const birthForms = [
    ...[year, year.slice(2)].flatMap((y) => [y + month + day, month + day + y, day + month + y]),
    ...[year + m + d, m + d + year, d + m + year],
  ];
  return (
    numbers.some((number) => birthForms.some((form) => number.includes(form))) ||
    numberTriplesIn(reference).some((triple) => readsAsBirthDate(triple, birthDate))
  );
}

/** The fewest digits a number of the survivor's must have to be looked for: fewer could be any case number's. */
const MIN_HELD_DIGITS = 7;

/**
 * The digits an A-number is written with: as recorded (8 or 9, `ANumberSchema`), and without the leading zeros a
 * 9-digit one may be padded with (A012345678 is also written 12345678).
 */
function aNumberForms(aNumber: string): string[] {
  const digits = aNumber.replace(/\D/g, '');
  return [digits, digits.replace(/^0+/, '')];
}

/**
 * Whether a reference holds one of these numbers, its digits read together whatever sets them apart (hyphens, spaces,
 * dots: A-123-456-789 holds 123456789), a letter (the A-number's "A") ending the run. A form of fewer than
 * `MIN_HELD_DIGITS` digits is not looked for.
 */
function numberHeld(reference: string, forms: string[]): boolean {
  const runs = reference.replace(/[^0-9A-Za-z]+/g, '').match(/\d+/g) ?? [];
  const looked = forms.filter((form) => form.length >= MIN_HELD_DIGITS);
  return runs.some((run) => looked.some((form) => run.includes(form)));
}

/**
 * Whether a reference holds the survivor's contact: an email address in it (the reference letters and digits only, so
 * the address's local part as it reads without its dots, underscores or plus: maria.lopez in PD-MARIALOPEZ, or the
 * whole address, a local part of 3 letters or digits or more), or a phone number in it (digits written together or set
 * apart by spaces, hyphens, dots, slashes or parentheses, 7 or more: any 7 of them in a row, its last 7, the number
 * without its area or country code, among them, however the reference sets them apart). Each address and each
 * number is read on its own: a contact is often a number with words or an address beside it ("555-867-5309 (sister,
 * after 6pm)", "+1 555 867 5309, 77 Main St"), or two ways to reach the survivor, where the digits of the whole
 * contact run together, or everything before its last "@", were no number or address of the survivor's. Other contacts
 * (a shelter's name, "through the advocate") are not read.
 */
function contactHeld(reference: string, contact: string): boolean {
  const fold = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
  const addresses = contact.match(EMAIL_ADDRESS) ?? [];
  const locals = addresses.map((address) => fold(address.slice(0, address.lastIndexOf('@'))));
  if (locals.some((local) => local.length >= 3 && fold(reference).includes(local))) return true;
  const numbers = (contact.replace(EMAIL_ADDRESS, ' ').match(PHONE_NUMBER) ?? []).map((number) =>
    number.replace(/\D/g, ''),
  );
  const held = numbers.flatMap((digits) =>
    Array.from({ length: Math.max(0, digits.length - MIN_HELD_DIGITS + 1) }, (_, at) =>
      digits.slice(at, at + MIN_HELD_DIGITS),
    ),
  );
  return numberHeld(reference, held);
}

/** An email address as a contact holds it among other words: no spaces, commas, brackets or quotes in it. */
const EMAIL_ADDRESS = /[^\s@,;:<>()[\]"']+@[^\s@,;:<>()[\]"']+/g;
/** A number as a phone number is written: digits, and spaces, hyphens, dots, slashes or parentheses between them. */
const PHONE_NUMBER = /\d[\d\s()./-]*\d/g;

/** The three date shapes that run together or set apart by hyphens read as a date: 1993-07-14, 07-14-1993, 14-07-93. */
const DATE_SHAPES = ['4-2-2', '2-2-4', '2-2-2'];

/** The numbers a reader sees in a reference: each run of digits, and three runs a date's shape apart by hyphens only. */
function numbersIn(reference: string): string[] {
  const runs = [...reference.matchAll(/\d+/g)].map((run) => run[0]);
  const dates = numberTriplesIn(reference)
    .filter((three) => DATE_SHAPES.includes(three.map((digits) => digits.length).join('-')))
    .map((three) => three.join(''));
  return [...runs, ...dates];
}

/** Every three runs of digits in a row set apart by hyphens only (5-6-1990), as a date is written with its parts apart. */
function numberTriplesIn(reference: string): string[][] {
  const runs = [...reference.matchAll(/\d+/g)].map((run) => ({
    digits: run[0],
    from: run.index,
    to: run.index + run[0].length,
  }));
  return runs.slice(2).flatMap((last, i) => {
    const three = [runs[i]!, runs[i + 1]!, last];
    const hyphensOnly = three.slice(1).every((run, j) => /^-+$/.test(reference.slice(three[j]!.to, run.from)));
    return hyphensOnly ? [three.map((run) => run.digits)] : [];
  });
}

/**
 * Whether three numbers set apart are the birth date as people write it by hand, its month and day with or without a
 * leading zero (5-6-1990, 1990-5-6, 6-5-90 for 1990-05-06): the year first or last, 4 digits or 2.
 */
function readsAsBirthDate(three: string[], birthDate: string): boolean {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  const isYear = (digits: string) =>
    (digits.length === 4 && Number(digits) === year) || (digits.length === 2 && Number(digits) === year % 100);
  const is = (digits: string, value: number) => digits.length <= 2 && Number(digits) === value;
  const [a, b, c] = three as [string, string, string];
  return (
    (isYear(a) && is(b, month) && is(c, day)) ||
    (isYear(c) && ((is(a, month) && is(b, day)) || (is(a, day) && is(b, month))))
  );
}

/** Whether 8 digits read as a day from 1900 to 2100, the year first (YYYYMMDD) or last (MMDDYYYY, DDMMYYYY). */
function readsAsDate(digits: string): boolean {
  if (digits.length !== 8) return false;
  const [first, second, last] = [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4)];
  const dates = [
    `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`,
    `${last}-${first}-${second}`,
    `${last}-${second}-${first}`,
  ];
  return dates.some((date) => date <= '2100-12-31' && isoDateSchema().safeParse(date).success);
}

/**
 * A reference nobody typed: readable, and unique per case id (so a retried open gets the same one). Also what a
 * correction of the survivor's identity gives a case whose reference would name them, when asked for one assigned.
 */
export function newReference(now: Date, caseId: string): string {
  return `RC-${now.getUTCFullYear()}-${caseId.slice(0, 8).toUpperCase()}`;
}

/** The refusal of a chosen reference the agency has for another case already, its letters in any case. */
export function referenceTaken(reference: string, assigned = ASSIGNED_WHEN_LEFT_OUT): AppError {
  return new AppError(
    'conflict',
    `Your agency already has a case with the reference ${reference}; choose another, or ${assigned}.`,
    { code: 'reference_taken', fields: [{ field: 'reference', message: 'already used by a case of your agency' }] },
  );
}

/** The case id of an open request: derived from its operation, so every retry names the same case. */
function caseIdOf(options: WriteOptions): string {
  if (!options.operationId) return randomUUID();
  const hex = createHash('sha256').update(`open-case\n${options.operationId}`).digest('hex');
  // An RFC 9562 version 8 (custom) UUID: 122 bits of the hash, the version and variant bits set.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The write side of the service: every change goes through the case's workflow, and each command returns the case
 * as the read model shows it afterwards (read-your-writes). The survivor's identity is stored in PostgreSQL only;
 * the workflow gets the case reference, the path and the dates its deadlines need.
 *
 * Every write is idempotent end to end and bounded in time: the case id and the update id derive from the request's
 * operation, so a retry after a timeout or a crash attaches to what the first attempt did; a write that cannot finish
 * within the bound (no worker, Temporal unreachable) answers 503 and can be retried with the same key.
 */
/** How long an agency's time zone is kept once read: a zone changes rarely, and a command must not wait on it. */
const TIME_ZONE_KEPT_MS = 60_000;

export class CaseCommands {
  private readonly writeTimeoutMs: number;
  /** Agencies' time zones as last read, with when (wall clock): every sign-off needs its signer's. */
  private readonly timeZones = new Map<string, { zone: string; readAt: number }>();

  constructor(
    private readonly deps: {
      client: Client;
      pool: Pool;
      /** Seals the survivor's identity at rest. */
      identityKeyring: IdentityKeyring;
      taskQueue: string;
      policy: () => Policy;
      searchAttributes: boolean;
      historyLimit?: number;
      /** How long a case's notice of what passed gathers an entry session (tests shorten it; default 30 minutes). */
      passedNoticeGatherMs?: number;
      /** How long a write waits for the case workflow before answering 503. */
      writeTimeoutMs?: number;
      /** The deployment's time zone (`TIMEZONE`), for agencies without one of their own; default UTC. */
      timeZone?: string;
      /** The service's clock (the wall clock; in tests, the time-skipping server's): the day a case is identified. */
      now: Clock;
    },
  ) {
    this.writeTimeoutMs = deps.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
  }

  async open(request: OpenCaseRequest, actor: Actor, options: WriteOptions = {}): Promise<CaseView> {
    const now = await this.deps.now();
    const caseId = caseIdOf(options);
    const identification = identificationOf(request, await this.identifyingTimeZone(request.agencies), now);
    const open: OpenCaseInput = {
      caseId,
      reference: request.reference ?? newReference(now, caseId),
      identifiedAt: identification.at,
      identifiedOn: identification.on,
      // Given by its day alone: the deadlines counted in days from it count as from a typed day (domain/case.ts).
      ...(identification.field === 'identifiedOn' ? { identifiedByDay: true } : {}),
      // The workflow learns only the day a minor turns 18 (a deadline), never the birth date.
      minorTurns18On: minorTurns18OnFor(request.survivor.birthDate, identification.on),
      agencies: request.agencies,
      usesUVisa: request.usesUVisa ?? false,
      policy: this.deps.policy(),
      openedBy: actor,
      // The day the timeline says the case was recorded on, where its opener works (domain/dates.ts `todayOf`).
      openedOn: await this.todayWhere(actor.agencyId, now.toISOString()),
    };
    const rejection = validateOpenCase(open, now.toISOString());
    if (rejection) throw rejectionError(rejection);
    // Refused here, with nothing written, rather than by a projection that could never succeed.
    const intake = {
      caseId,
      openedByAgencyId: actor.agencyId,
      reference: open.reference,
      survivor: request.survivor,
      identifiedAt: identification.at,
      confirmedNotDuplicate: request.confirmNotDuplicate === true,
    };
    // One deadline for the whole write: the wait for another agency's opening, then the start.
    const until = Date.now() + this.writeTimeoutMs;
    let reservation = await this.reserve(intake, until);
    // What refused it may be an opening nobody will finish: given back, it refuses no more.
    if (!(typeof reservation === 'object' && 'reference' in reservation) && (await this.releaseAbandoned(actor)) > 0)
      reservation = await this.reserve(intake, until);
    if (typeof reservation === 'object' && 'sameSurvivor' in reservation) {
      throw possibleDuplicate(reservation.sameSurvivor.map((found) => found.reference).join(', '));
    }
    if (reservation === 'reference_taken') throw referenceTaken(open.reference);
    const startCase = new WithStartWorkflowOperation<CaseWorkflow>(CASE_WORKFLOW_TYPE, {
      workflowId: workflowIdOf(caseId),
      taskQueue: this.deps.taskQueue,
      args: [
        {
          kind: 'open',
          open: { ...open, reference: reservation.reference },
          searchAttributes: this.deps.searchAttributes,
          historyLimit: this.deps.historyLimit,
          passedNoticeGatherMs: this.deps.passedNoticeGatherMs,
        },
      ],
      // A retry finds the case its first attempt started, whatever that attempt got to.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      // Starts the case and waits until the read model shows it, in one call.
      await this.bounded(
        caseId,
        () => this.deps.client.workflow.executeUpdateWithStart(syncUpdate, { startWorkflowOperation: startCase }),
        until,
      );
    } catch (error) {
      await this.releaseUnlessStarted(caseId, reservation.attempt);
      throw error;
    }
    return this.read(caseId);
  }

  async signOff(caseId: string, signOff: SignOff, actor: Actor, options: WriteOptions = {}): Promise<CaseView> {
    const sealed = withSealedNote(caseId, signOff, this.deps.identityKeyring);
    return this.apply(caseId, signOffUpdate, { name: 'sign-off', options, datedBy: actor.agencyId }, (issued) => ({
      signOff: sealed,
      actor,
      issued,
    }));
  }

  /**
   * Whether the case workflow would take a sign-off, without sending it: the workflow's state, queried, and the sign-off
   * judged here by its validator's own rules (domain/case.ts `validateSignOff`), its note sealed and its dates held to
   * the signer's day as for the sign-off itself; refused as the sign-off would be. Nothing is written, nor sent.
   */
  async previewSignOff(caseId: string, signOff: SignOff, actor: Actor): Promise<void> {
    const sealed = withSealedNote(caseId, signOff, this.deps.identityKeyring);
    const { state, issued } = await this.previewed(caseId, 'sign-off-preview', actor.agencyId);
    const rejection = validateSignOff(state, sealed, actor, issued.at, issued.today);
    if (rejection) throw rejectionError(rejection);
  }

  /**
   * Corrects a step's sign-off (domain/correction.ts); the reason is sealed like a note before it reaches Temporal. Its
   * dates are held to the day of the agency whose event it is, the coordinator's correction of another's too.
   */
  async correct(caseId: string, correction: Correction, actor: Actor, options: WriteOptions = {}): Promise<CaseView> {
    const sealed = this.sealedCorrection(caseId, correction);
    const datedBy = await this.eventAgency(caseId, correction.stepId, actor);
    try {
      return await this.apply(caseId, correctSignOffUpdate, { name: 'correct', options, datedBy }, (issued) => ({
        correction: sealed,
        actor,
        issued,
      }));
    } catch (error) {
      throw correctionRefusal(error, correction.stepId);
    }
  }

  /**
   * What a correction would withdraw, without applying it: the case workflow's state, queried, and the correction
   * checked and applied to it here by the domain's code, as the workflow would (domain/correction.ts
   * `previewCorrection`); refused as the correction would be. Nothing is written, nor sent to the workflow.
   */
  async previewCorrection(caseId: string, correction: Correction, actor: Actor): Promise<CorrectionPreview> {
    const command = { correction: this.sealedCorrection(caseId, correction), actor };
    const datedBy = await this.eventAgency(caseId, correction.stepId, actor);
    const { state, issued } = await this.previewed(caseId, 'correct-preview', datedBy);
    const preview = previewCorrection(state, { ...command, issued }, issued.at);
    if ('code' in preview) throw correctionRefusal(rejectionError(preview), correction.stepId);
    const namedOne = async ({ kind, agencyKind, agencyId }: Step): Promise<PreviewedStep> => ({
      kind,
      agencyKind,
      agencyId,
      agencyName: agencyId ? ((await findAgency(this.deps.pool, agencyId))?.name ?? null) : null,
    });
    const named = (steps: Step[]) => Promise.all(steps.map(namedOne));
    const { lapses } = preview;
    return {
      withdraws: await named(preview.named),
      withdrawsUnnamed: preview.unnamed,
      reopens: await named(preview.reopened),
      reopensUnnamed: preview.reopensUnnamed,
      lapses: lapses && {
        step: await namedOne(lapses.step),
        validUntil: lapses.validUntil,
        cancels: await named(lapses.cancels),
        cancelsUnnamed: lapses.cancelsUnnamed,
      },
    };
  }

  /**
   * What a preview judges a command on, as the workflow would take it: the case's state, queried from its workflow, and
   * the command's envelope as if issued now (`name` the command's), nothing sent.
   */
  private async previewed(caseId: string, name: string, datedBy: string) {
    const issued = await this.issue(caseId, name, {}, datedBy);
    const handle = this.deps.client.workflow.getHandle(workflowIdOf(caseId));
    try {
      const state = await this.command(caseId, () => handle.query(caseStateQuery));
      return { state, issued };
    } catch (error) {
      // A preview records nothing and has no key: its outage says so, not "retry with the same Idempotency-Key".
      if (error instanceof AppError && error.status === 503)
        throw new AppError(
          error.kind,
          error.message.replace(MAY_STILL_APPLY, ' Nothing was recorded by this preview: send it again shortly.'),
          error.options,
        );
      throw error;
    }
  }

  /** The correction as the workflow takes it: its note and its reason sealed. */
  private sealedCorrection(caseId: string, correction: Correction): Correction {
    const { reason, ...signOff } = correction;
    const place = { caseId, stepId: correction.stepId };
    return {
      ...withSealedNote(caseId, signOff, this.deps.identityKeyring),
      reason: sealNote(sealedText(reason, 'reason', correctionReasonSchema()), place, this.deps.identityKeyring),
    };
  }

  async close(caseId: string, request: CloseCaseRequest, actor: Actor, options: WriteOptions = {}): Promise<CaseView> {
    return this.apply(caseId, closeUpdate, { name: 'close', options }, (issued) => ({ ...request, actor, issued }));
  }

  async transfer(
    caseId: string,
    request: TransferCaseRequest,
    actor: Actor,
    options: WriteOptions = {},
  ): Promise<CaseView> {
    return this.apply(caseId, transferUpdate, { name: 'transfer', options }, (issued) => ({
      ...request,
      actor,
      issued,
    }));
  }

  /** Opens a fresh request of a track that ended denied, lapsed or declined (domain/ask-again.ts). */
  async askAgain(
    caseId: string,
    request: AskAgainRequest,
    actor: Actor,
    options: WriteOptions = {},
  ): Promise<CaseView> {
    // Its `askedOn` is held to the day it is where the asker works, as a sign-off's dates are.
    return this.apply(caseId, askAgainUpdate, { name: 'ask-again', options, datedBy: actor.agencyId }, (issued) => ({
      ...request,
      actor,
      issued,
    }));
  }

  /**
   * Issues a command for the case (`issue`; a signer's dates are held to their agency's day), sends it as the case
   * workflow's update, and answers the case as the read model now shows it: the update returns once it is projected.
   */
  private async apply<Command>(
    caseId: string,
    update: UpdateDefinition<CaseCommandResult, [Command]>,
    how: { name: string; options: WriteOptions; datedBy?: string },
    command: (issued: Issued) => Command,
  ): Promise<CaseView> {
    const issued = await this.issue(caseId, how.name, how.options, how.datedBy);
    const handle = this.deps.client.workflow.getHandle(workflowIdOf(caseId));
    try {
      await this.command(caseId, () =>
        handle.executeUpdate(update, { args: [command(issued)], updateId: issued.updateId }),
      );
    } catch (error) {
      // A retry (its update id derived from the operation) refused by a run that continued as new after applying it.
      if (!(error instanceof AppError && error.status < 500 && how.options.operationId)) throw error;
      if (!(await this.appliedByEarlierRun(caseId, issued.updateId))) throw error;
    }
    return this.read(caseId);
  }

  /**
   * Whether the case workflow's runs before the current one applied the update `updateId` (app/earlier-runs.ts), within
   * the life of the Idempotency-Key that names it; false when Temporal cannot say (the refusal then stands).
   */
  private async appliedByEarlierRun(caseId: string, updateId: string): Promise<boolean> {
    const since = new Date((await this.deps.now()).getTime() - IDEMPOTENCY_TTL_MS);
    return this.bounded(caseId, () =>
      appliedByEarlierRun(this.deps.client, workflowIdOf(caseId), updateId, since),
    ).catch(() => false);
  }

  /**
   * The 18th birthday a case's workflow counts a minor's deadlines from (null on the adult path), asked of the
   * workflow itself; undefined when Temporal no longer has the case (closed beyond its retention).
   */
  async minorTurns18On(caseId: string): Promise<string | null | undefined> {
    const handle = this.deps.client.workflow.getHandle(workflowIdOf(caseId));
    try {
      const state = await this.bounded(caseId, () => handle.query(caseStateQuery));
      return state.minorTurns18On;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * The zone a local identification time is read in: the case's law-enforcement agency's, for law enforcement
   * identifies (when an officer opens the case it is their own agency; a coordinator opens it for that agency).
   */
  private async identifyingTimeZone(agencies: CaseAgencies): Promise<string> {
    return this.zoneRead(agencies.law_enforcement);
  }

  /** The zone an agency works in: its own, or the deployment's TIMEZONE. */
  private async zoneRead(agencyId: string): Promise<string> {
    const zone = (await findAgency(this.deps.pool, agencyId))?.timeZone ?? this.deps.timeZone ?? 'UTC';
    this.timeZones.set(agencyId, { zone, readAt: Date.now() });
    return zone;
  }

  /**
   * The zone a signer's agency works in, as read within the last minute: the "today" a sign-off's dates are held to
   * (`issue`) may lag a change of zone by that long, where a read per command would cost every sign-off a query. An
   * identification is read in the zone as it is now (`identifyingTimeZone`).
   */
  private async signerTimeZone(agencyId: string): Promise<string> {
    const kept = this.timeZones.get(agencyId);
    return kept && Date.now() - kept.readAt < TIME_ZONE_KEPT_MS ? kept.zone : this.zoneRead(agencyId);
  }

  /**
   * What a command is issued for, sealed inside it (domain/issued.ts): this case, the update id it is sent with and
   * this moment, so the workflow refuses it anywhere else. The update id derives from the operation, so a retry names
   * the same update (Temporal runs it once); without one it is random, and the command runs where it was sent only.
   */
  private async issue(caseId: string, update: string, options: WriteOptions, datedBy?: string): Promise<Issued> {
    const at = (await this.deps.now()).toISOString();
    const issued = { caseId, updateId: `${update}-${options.operationId ?? randomUUID()}`, at };
    // A sign-off's dates are held to the day it is where the agency whose event it is works (domain/dates.ts
    // `todayOf`): its signer's own, or, corrected by the coordinator, the step's agency's (`eventAgency`).
    return datedBy ? { ...issued, today: await this.todayWhere(datedBy, at) } : issued;
  }

  /** The day it is at `at` where the agency works: the "today" the dates it records are held to (domain/dates.ts). */
  private async todayWhere(agencyId: string, at: string): Promise<string> {
    return localDateOf(at, await this.signerTimeZone(agencyId));
  }

  /**
   * The agency whose event a correction of `stepId` re-dates (domain/case.ts `eventAgencyOf`), as the read model shows
   * the case; the corrector's own for a step it does not show, which the workflow refuses.
   */
  private async eventAgency(caseId: string, stepId: string, actor: Actor): Promise<string> {
    const view = await getCase(this.deps.pool, caseId);
    return (view && eventAgencyOf(view, stepId)) ?? actor.agencyId;
  }

  private async read(caseId: string): Promise<CaseView> {
    const view = await getCase(this.deps.pool, caseId);
    if (!view) throw new AppError('not_found', `No case ${caseId}.`);
    return view;
  }

  /**
   * A case whose start failed keeps its reservation and identity only if its workflow exists (a retry will adopt
   * them); personal data is not kept for a case that does not exist. When Temporal cannot say, they stay for the retry,
   * and are given back once no attempt can start it any more (app/abandoned-openings.ts). A retry that reserved them
   * meanwhile (after `attempt`) keeps them.
   */
  private async releaseUnlessStarted(caseId: string, attempt: string): Promise<void> {
    const started = await workflowStarted(this.deps.client, caseId).catch(() => true);
    if (!started) await releaseCase(this.deps.pool, caseId, attempt);
  }

  /**
   * Reserves the case (db/case-references.ts `reserveCase`) once no other agency's opening of the same survivor,
   * identified at the same moment, is still starting: whether the opener's agency takes part in that case, which would
   * make this opening its duplicate as it would be a moment later, is told only once the read model holds it. So two
   * agencies opening one survivor at once (the police and the task force, each naming the other) open one case, and the
   * other is answered 409 `possible_duplicate`. Such an opening takes a few hundred milliseconds; one still starting at
   * `until` (no worker, or an opening answered 503 and never retried, given back here once no attempt can start it)
   * answers 503, to be sent again with the same key.
   */
  private async reserve(
    intake: CaseIntake,
    until: number,
  ): Promise<Exclude<Reservation, { openingElsewhere: string[] }>> {
    let released = false;
    for (;;) {
      const reservation = await reserveCase(this.deps.pool, intake, this.deps.identityKeyring);
      if (typeof reservation !== 'object' || !('openingElsewhere' in reservation)) return reservation;
      if (!released) {
        released = true;
        await this.releaseAbandoned();
      }
      while ((await stillOpening(this.deps.pool, reservation.openingElsewhere)).length > 0) {
        if (Date.now() + OPENING_ELSEWHERE_POLL_MS >= until)
          throw this.unavailableBecause(
            'workflow_timeout',
            `An opening sent at the same moment, which this one is checked against, did not finish within ${this.writeTimeoutMs / 1000} s`,
          );
        await delay(OPENING_ELSEWHERE_POLL_MS);
      }
    }
  }

  /**
   * Gives back the agency's openings nobody will finish (every agency's when none is named; app/abandoned-openings.ts);
   * none when Temporal cannot say.
   */
  private async releaseAbandoned(actor?: Actor): Promise<number> {
    const deps = { pool: this.deps.pool, client: this.deps.client, writeTimeoutMs: this.writeTimeoutMs };
    return releaseAbandonedOpenings(deps, actor?.agencyId).catch(() => 0);
  }

  /** Runs an update (or a query) and turns the workflow's refusals into application errors with their HTTP meaning. */
  private async command<T>(caseId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.bounded(caseId, run);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || isCompletedWorkflowError(error)) {
        // A closed or withdrawn case's workflow has ended; only the read model still knows the case.
        const view = await getCase(this.deps.pool, caseId);
        if (!view) throw new AppError('not_found', `No case ${caseId}.`);
        // The read model still says open: the workflow was ended from outside (terminated, failed, timed out), not
        // by the case closing. No refusal of the request (a 409 would be stored under its key and replayed after the
        // workflow is reset): an outage an operator must mend, and the same request retried once the case runs again.
        if (view.status === 'open') throw this.workflowNotRunning();
        throw caseNotOpen(view.status);
      }
      if (
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === REJECTION_FAILURE_TYPE
      ) {
        const rejection = error.cause.details?.[0] as Rejection;
        if (rejection.code === 'unbound_command') throw this.expired();
        throw rejectionError(rejection);
      }
      throw error;
    }
  }

  /**
   * Runs a call to the case workflow within the write bound. A call that runs out of time, cannot reach Temporal, or
   * finds the case's workflow task failed (`case_busy`: it takes no command until a task completes) becomes a 503 naming why; what it started stays started, and a retry with the same operation finds it.
   */
  private async bounded<T>(
    caseId: string,
    call: () => Promise<T>,
    until = Date.now() + this.writeTimeoutMs,
  ): Promise<T> {
    try {
      return await this.deps.client.withDeadline(until, call);
    } catch (error) {
      if (isTimeout(error))
        throw await this.unavailable(caseId, `The case workflow did not answer within ${this.writeTimeoutMs / 1000} s`);
      if (unavailableDependency(error) === 'temporal')
        throw this.unavailableBecause('temporal_unavailable', 'Temporal cannot be reached');
      if (isWorkflowTaskFailed(error))
        throw this.unavailableBecause(
          'case_busy',
          "The case's workflow cannot take commands just now: its last task failed, and Temporal is retrying it",
        );
      throw error;
    }
  }

  /**
   * Why a write ran out of time, asked of the case's workflow itself: its workflow task still waiting for a worker
   * (a running worker takes one within milliseconds) means no worker took it up; no answer at all means Temporal is
   * down; else the workflow was too slow (e.g. its projection held up by the database). A task waiting is not proof
   * that no worker polls: a case cached on a worker that died waits on that worker's own (sticky) queue until Temporal
   * moves it to the task queue, after the worker's sticky schedule-to-start timeout (5 s, `STICKY_QUEUE_TIMEOUT` in
   * temporal/worker.ts, within the write's wait of 10 s), and another worker takes it.
   */
  private async unavailable(caseId: string, timedOut: string): Promise<AppError> {
    const waiting = await this.workflowTaskWaiting(caseId).catch(() => undefined);
    if (waiting === undefined) return this.unavailableBecause('temporal_unavailable', 'Temporal cannot be reached');
    if (waiting)
      return this.unavailableBecause(
        'no_worker',
        `No case worker has taken up this case's work: the worker holding the case stopped (another worker, if one ` +
          `polls the task queue ${this.deps.taskQueue}, takes the case up within seconds), or none polls that queue`,
      );
    return this.unavailableBecause('workflow_timeout', timedOut);
  }

  /**
   * The workflow refused one of the API's own commands as not bound to it: the API always names the right case and
   * update, so it was taken up more than the window after it was issued (an update the server held while no worker
   * ran, which a retry with the same update id attached to) or the clocks are that far apart. Nothing was applied,
   * and the refused update is gone: a retry with the same key issues it anew.
   */
  private expired(): AppError {
    return this.unavailableBecause(
      'command_expired',
      `The case workflow took up this request more than ${ISSUED_WINDOW_MINUTES} minutes from when it was issued and did not apply it`,
    );
  }

  /** The case is open, but its workflow has ended without closing it (docs/runbook.md says how to bring it back). */
  private workflowNotRunning(): AppError {
    return new AppError(
      'unavailable',
      "The case's workflow is not running (it was terminated or failed), though the case is open: nothing was " +
        'applied, and the case takes no changes until an operator brings its workflow back (docs/runbook.md, ' +
        '"A case\'s workflow failed or was terminated"). Retry the same request with the same Idempotency-Key then.',
      { code: 'case_workflow_not_running', headers: { 'Retry-After': String(OPERATOR_RETRY_AFTER_SECONDS) } },
    );
  }

  private unavailableBecause(code: string, reason: string): AppError {
    return new AppError('unavailable', `${reason}.${MAY_STILL_APPLY}`, {
      code,
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    });
  }

  private async workflowTaskWaiting(caseId: string): Promise<boolean> {
    const { raw } = await this.deps.client.withDeadline(Date.now() + 1_000, () =>
      this.deps.client.workflow.getHandle(workflowIdOf(caseId)).describe(),
    );
    return (
      raw.pendingWorkflowTask?.state ===
      temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED
    );
  }
}

/** How often an opening waiting on another agency's opening of the same survivor looks whether it has finished. */
const OPENING_ELSEWHERE_POLL_MS = 50;

/** How long a write waits on an operator (a case's workflow to reset) before it is worth sending again. */
const OPERATOR_RETRY_AFTER_SECONDS = 60;

/** What a write's outage (503) adds to why: it may have been applied, and its key gets its outcome. */
const MAY_STILL_APPLY = ' The request may still be applied: retry it with the same Idempotency-Key to get its outcome.';

/**
 * The sign-off with its note checked and sealed: the workflow, its history and the read model only ever hold the
 * sealed form (the workflow's validator refuses any other), and only those who may read the identity see it opened.
 */
function withSealedNote(caseId: string, signOff: SignOff, keyring: IdentityKeyring): SignOff {
  const details = signOff.details ?? {};
  if (!Object.hasOwn(details, 'note')) return signOff;
  const note = sealedText(details['note'], 'details.note', noteSchema());
  return { ...signOff, details: { ...details, note: sealNote(note, { caseId, stepId: signOff.stepId }, keyring) } };
}

/** Free text the API seals (a note, a correction's reason), checked first: a refusal names its field. */
function sealedText(value: unknown, field: string, schema: z.ZodType<string>): string {
  const text = schema.safeParse(value);
  if (!text.success) {
    throw rejectionError({ code: 'invalid_details', field, message: text.error.issues[0]?.message ?? 'expected text' });
  }
  return text.data;
}

/** The call ran out of the time it was given (the gRPC deadline, or the update's own wait). */
function isTimeout(error: unknown): boolean {
  return error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error);
}

/**
 * An opening of a survivor the agency has an open case of already (the same name and birth date, identified at the
 * same moment), reserved or opened (db/case-references.ts `reserveCase`), is refused with 409 `possible_duplicate`
 * naming that case, until the request confirms it is another person: a form sent again under a new key after a lost
 * answer would otherwise open a second case, with its own reminders. Only the agency's own cases are looked at, so the
 * answer tells nothing of another agency's.
 */
function possibleDuplicate(references: string): AppError {
  return new AppError(
    'conflict',
    `Your agency already has an open case of a survivor with this name and birth date, identified at the same moment: ${references}. Nothing was opened. If this is another person, send the request again with confirmNotDuplicate: true, under a new Idempotency-Key.`,
    {
      code: 'possible_duplicate',
      fields: [
        {
          field: 'confirmNotDuplicate',
          message: `your agency has an open case of this survivor, identified at the same moment (${references}): confirm this is another person`,
        },
      ],
    },
  );
}

/**
 * Why the identification is not corrected, and what to do instead: it is no sign-off, and the case's path and
 * deadlines were counted from it when the case opened (README, "Correcting a sign-off").
 */
const IDENTIFICATION_NOT_CORRECTABLE =
  "The identification is not a sign-off and cannot be corrected: the case's path and deadlines were set from it when the case opened. If it was entered wrongly, the case's coordinator withdraws the case (reason: opened in error) and it is opened again with the right identification.";

/**
 * A correction's refusal as the API answers it: the rules' own words (domain/correction.ts), but for the
 * identification, refused as no signed step ("only a signed step is corrected"), which says why and what to do.
 * Only the words change: the workflow judged it, and the code and field stay.
 */
function correctionRefusal(error: unknown, stepId: string): unknown {
  const isIdentification = stepId.replace(/-\d+$/, '') === 'identification';
  if (!(error instanceof AppError) || error.options.code !== 'not_correctable' || !isIdentification) return error;
  const fields = error.options.fields?.map((field) => ({ ...field, message: IDENTIFICATION_NOT_CORRECTABLE }));
  return new AppError(error.kind, IDENTIFICATION_NOT_CORRECTABLE, { ...error.options, fields });
}

/**
 * A refusal of the case rules as the API answers it (403, 404, 409 or 422, with the field named): every broken rule the
 * command's rules judged together (`more`, domain/case-state.ts `together`) is in `errors`, as a schema's problems
 * are, and in the detail; the first decides the code and status, as it did alone.
 */
export function rejectionError(rejection: Rejection): AppError {
  const broken = [rejection, ...(rejection.more ?? [])];
  const fields = broken.flatMap(({ code, field = FIELD_OF_OUTCOME_REFUSAL[code], message }) =>
    field ? [{ field, message }] : [],
  );
  return new AppError(REJECTION_KINDS[rejection.code], broken.map(({ message }) => message).join('; '), {
    code: rejection.code,
    fields: fields.length > 0 ? fields : undefined,
  });
}

/**
 * The one answer to a command on a case that is closed or withdrawn, whatever it names: the workflow's, once it has
 * ended, and the API's, which gives it before judging the step (api/routes/cases.ts).
 */
export function caseNotOpen(status: string): AppError {
  return new AppError('conflict', `The case is ${status}.`, { code: 'case_not_open' });
}

/** An update sent to a case whose workflow has ended (closed or withdrawn). */
function isCompletedWorkflowError(error: unknown): boolean {
  return error instanceof Error && /workflow execution already completed/i.test(error.message);
}
