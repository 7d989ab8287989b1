/**
 * The life of one case as pure functions: open it, check and apply an agency's sign-off, close it. The workflow
 * keeps the resulting `CaseState`; the API runs the same validators to refuse bad input early.
 */
import { z } from 'zod';
import {
  addDays,
  addDaysToInstant,
  beforeTheTvpa,
  birthdayAt,
  dateOf,
  instantSchema,
  isoDateSchema,
  normaliseInstant,
  todayOf,
  type IsoDate,
} from './dates';
import { countsFromEvents, DEFAULT_POLICY, type Policy } from './policy';
import { scheduledAlarms, settlePassedAlarms, type CaseProjection } from './alarms';
import {
  cancelPending,
  findStep,
  identificationDayOf,
  markedDueOnADay,
  openStep,
  record,
  slaDueAt,
  together,
  updateStep,
  type CaseState,
  type Rejection,
  type TransferToTell,
} from './case-state';
import { SEALED_NOTE, STEP_CATALOGUE, signOffSchema, cleanDetails, type SignOff, type StepDetails } from './steps';
import { onFirstUse } from './on-first-use';
import { fieldNamesOf, readsAsTypoOf, withheldNamesWords } from './unknown-names';
import type { Issued } from './issued';
import { CLOSE_REASONS, listedReason, missingRefusalReason, TRANSFER_REASONS, unlistedRefusalReason } from './reasons';
import { afterFor, checkFor, type SignOffContext } from './tracks';
import { actingRefusal, CASE_OPENERS } from './access';
import { agencyKindInProse } from './labels';
import { transferSummary } from './transfers';
import {
  AGENCY_KINDS,
  STEP_KINDS,
  type Actor,
  type AgencyKind,
  type Instant,
  type Signer,
  type Step,
  type StepKind,
} from './types';

const agencyId = onFirstUse(() => z.string().trim().min(1).max(100));

/** What starting a case needs: references and agency ids only, never the survivor's identity. */
const openCaseInputSchema = onFirstUse(() =>
  z.strictObject({
    caseId: z.string().trim().min(1).max(100),
    reference: z.string().trim().min(1).max(100),
    identifiedAt: instantSchema(),
    /**
     * The day of the identification where it happened (the identifying agency's time zone, which the API knows and
     * this pure code does not): the day the path is decided on. Cases started without it use the UTC day.
     */
    identifiedOn: isoDateSchema().optional(),
    /**
     * The identification was entered by its day alone (app/identification.ts `identifiedOn`): `identifiedAt` is the
     * start of that day where the police work, an hour no one gave. Cases started without it read as given by the hour.
     */
    identifiedByDay: z.boolean().optional(),
    /** Set for a minor only: the day they turn 18 (see `minorTurns18OnFor`). */
    minorTurns18On: isoDateSchema().nullable(),
    agencies: z.strictObject(
      Object.fromEntries(AGENCY_KINDS.map((kind) => [kind, agencyId()])) as Record<
        (typeof AGENCY_KINDS)[number],
        ReturnType<typeof agencyId>
      >,
    ),
    usesUVisa: z.boolean(),
    /** Optional cross-check: when given it must agree with `minorTurns18On`. */
    path: z.enum(['minor', 'adult']).optional(),
    policy: z.custom<Policy>().optional(),
    /** Who opened the case, for the timeline. */
    openedBy: z.custom<Actor>().optional(),
    /**
     * The day it was where the opener works as the API opened the case (`todayOf`): the day the timeline says a case
     * entered after the fact was recorded on. Cases started without it use the UTC day.
     */
    openedOn: isoDateSchema().optional(),
  }),
);
export type OpenCaseInput = z.input<ReturnType<typeof openCaseInputSchema>>;

/**
 * The 18th birthday, for the API to compute from a birth date it keeps to itself (the workflow only ever gets the
 * result, as `minorTurns18On`): 1 March for one born on 29 February, when the year is a common one.
 */
export function eighteenthBirthday(birthDate: IsoDate): IsoDate {
  return birthdayAt(birthDate, 18);
}

/** The 18th birthday if the person was still a minor on the day they were identified, else null (adult path). */
export function minorTurns18OnFor(birthDate: IsoDate, identifiedOn: IsoDate): IsoDate | null {
  const birthday = eighteenthBirthday(birthDate);
  return birthday > identifiedOn ? birthday : null;
}

/** The identification's day: as given, or the UTC day of its instant for cases started before it was given. */
function identificationDay(input: { identifiedAt: Instant; identifiedOn?: IsoDate }): IsoDate {
  return input.identifiedOn ?? dateOf(input.identifiedAt);
}

/**
 * A schema's first issue as a refusal naming its field (`prefix` before its path). An unknown key is named only as a
 * typo of a field `schema` takes (domain/unknown-names.ts, the API's rule): any other is the sender's text, often
 * about a person, and the refusal says "an unknown field" at its object instead.
 */
export function zodRejection(error: z.ZodError, prefix: string, schema: z.ZodType): Rejection {
  const issue = error.issues[0]!;
  const at = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code !== 'unrecognized_keys')
    return { code: 'invalid_details', ...(at ? { field: at } : {}), message: issue.message };
  const known = fieldNamesOf(schema);
  const typo = issue.keys.find((key) => readsAsTypoOf(key, known));
  if (typo !== undefined)
    return { code: 'invalid_details', field: at ? `${at}.${typo}` : typo, message: 'unknown field' };
  return {
    code: 'invalid_details',
    ...(at ? { field: at } : {}),
    message: withheldNamesWords(issue.keys.length, 'field'),
  };
}

export function validateOpenCase(input: unknown, now: Instant): Rejection | null {
  const parsed = openCaseInputSchema().safeParse(input);
  if (!parsed.success) return zodRejection(parsed.error, '', openCaseInputSchema());
  const { identifiedAt, minorTurns18On } = parsed.data;
  if (normaliseInstant(identifiedAt) > normaliseInstant(now)) {
    return { code: 'date_order', field: 'identifiedAt', message: 'identifiedAt is in the future' };
  }
  const identifiedOn = identificationDay(parsed.data);
  // Time zones run from UTC-12 to UTC+14: the local day is the UTC day or one next to it.
  const utcDay = dateOf(identifiedAt);
  if (identifiedOn < addDays(utcDay, -1) || identifiedOn > addDays(utcDay, 1)) {
    return {
      code: 'date_order',
      field: 'identifiedOn',
      message: `identifiedOn (${identifiedOn}) is not the day of identifiedAt in any time zone`,
    };
  }
  if (parsed.data.path && parsed.data.path !== (minorTurns18On ? 'minor' : 'adult')) {
    return { code: 'invalid_details', field: 'path', message: 'path must be minor exactly when minorTurns18On is set' };
  }
  if (minorTurns18On !== null && minorTurns18On <= identifiedOn) {
    return {
      code: 'date_order',
      field: 'minorTurns18On',
      message: 'minorTurns18On must be after the identification date (else use the adult path)',
    };
  }
  const opener = parsed.data.openedBy;
  if (opener !== undefined) {
    if (!CASE_OPENERS.includes(opener.agencyKind)) {
      return {
        code: 'wrong_agency_kind',
        message: `a case is opened by ${CASE_OPENERS.map(agencyKindInProse).join(' or ')}, not ${agencyKindInProse(opener.agencyKind)}`,
      };
    }
    const refusal = actingRefusal(opener, parsed.data.agencies, opener.agencyKind, 'opening a case');
    if (refusal) return refusal;
  }
  return null;
}

/** The rule flags of a case state (each optional, set by the workflow behind a patch: workflows/case-workflow.ts). */
export type RuleFlags = {
  [
    flag in keyof CaseState as undefined extends CaseState[flag]
      ? NonNullable<CaseState[flag]> extends boolean
        ? flag
        : never
      : never
  ]?: boolean;
};

/**
 * Opens a case: identification is already done by law enforcement; the first steps of every track that applies
 * open at once. The declaration and the T-visa filing open side by side so one never waits for the other. `rules`:
 * the rule flags the case opens on (those of its run's patches); none for cases started before they were given, which
 * took them at their first task, after the opening.
 */
export function openCase(input: OpenCaseInput, now: Instant, rules: RuleFlags = {}): CaseState {
  const at = normaliseInstant(now);
  const identifiedAt = normaliseInstant(input.identifiedAt);
  const path = input.minorTurns18On ? 'minor' : 'adult';
  let state: CaseState = {
    caseId: input.caseId,
    reference: input.reference,
    path,
    status: 'open',
    openedAt: at,
    closedAt: null,
    identifiedAt,
    minorTurns18On: input.minorTurns18On,
    agencies: { ...input.agencies },
    usesUVisa: input.usesUVisa,
    policy: input.policy ?? DEFAULT_POLICY,
    steps: [],
    timeline: [],
    firedAlarms: [],
    version: 1,
    ...rules,
  };
  // A policy that counts from events is newer than the birthday grid: its cases start on it (older ones move to it
  // through the workflow's patch).
  if (countsFromEvents(state.policy)) state.birthdayRemindersOnGrid = true;
  const openedBy = input.openedBy?.agencyId ?? null;
  state = record(
    state,
    at,
    'case.opened',
    null,
    openedBy,
    `case ${input.reference} opened on the ${path} path (policy ${state.policy.version})`,
  );
  state = openStep(state, 'identification', identifiedAt, { dueAt: null });
  state = updateStep(state, 'identification-1', {
    status: 'completed',
    completedAt: identifiedAt,
    outcome: 'identified',
    details: { identifiedOn: identificationDay(input), path },
  });
  // The first steps are opened by the identification: their deadlines run from it, not from when it was entered.
  const openedAt = countsFromEvents(state.policy) && identifiedAt < at ? identifiedAt : at;
  // The day as the identifying agency wrote it (its own time zone), like the step's identifiedOn.
  const late = openedAt < at ? recordedLate(identificationDay(input), at, input.openedOn) : '';
  state = record(
    state,
    openedAt,
    'step.completed',
    'identification-1',
    input.agencies.law_enforcement,
    `identification-1 identified (${path} path)${late}`,
  );
  // Counted in hours, from the start of the identification's day where the police work when only the day was given:
  // the survivor is never given less time than the law's.
  if (path === 'minor') {
    const { days } = state.policy.durations.minorNotification;
    state = openStep(state, 'hhs_minor_notification', openedAt, { dueAt: addDaysToInstant(identifiedAt, days) });
  }
  const beforeDays = state;
  // Counted in days from an identification entered by its day, on a case whose days are due all day: as from a
  // sign-off dated that day (its event date, `daysCountedFrom`), the Nth day after it is the last day, all of it.
  const byDay = input.identifiedByDay === true && state.daysDueAllDay === true;
  const from = byDay ? daysCountedFrom(state, { openedAt }, { identifiedOn: identificationDay(input) }, at) : openedAt;
  const counted = (kind: StepKind) => ({ dueAt: slaDueAt(beforeDays, kind, from) });
  // A minor needs no CP for benefits; law enforcement may still request it, so the step opens without a deadline.
  state = openStep(state, 'cp_request', openedAt, path === 'minor' ? { dueAt: null } : counted('cp_request'));
  state = openStep(state, 'le_declaration', openedAt, counted('le_declaration'));
  state = openStep(state, 't_visa_filing', openedAt, counted('t_visa_filing'));
  if (input.usesUVisa) state = openStep(state, 'u_visa_certification', openedAt, counted('u_visa_certification'));
  return settlePassedAlarms(markedDueOnADay(beforeDays, state, byDay), at);
}

/**
 * The agency whose event a sign-off records, whose today its dates are held to (`todayOf`), whoever enters them: a
 * coordinator in Guam correcting the police's CP request in Los Angeles may not date it tomorrow in Los Angeles, as the
 * police could not; an identification is held to its agency's day likewise (app/identification.ts). The agency the
 * step is for, else the case's of its kind; undefined for a step the case does not have, which is refused anyway.
 */
export function eventAgencyOf(
  snapshot: { agencies: Record<AgencyKind, string>; steps: readonly Pick<Step, 'id' | 'agencyKind' | 'agencyId'>[] },
  stepId: string,
): string | undefined {
  const step = snapshot.steps.find((candidate) => candidate.id === stepId);
  return step && (step.agencyId ?? snapshot.agencies[step.agencyKind]);
}

/** Event dates (`…On`) record what already happened: the first one names the event a sign-off records. */
export function eventDates(details: Record<string, unknown>): [field: string, date: IsoDate][] {
  // A loop, not entries and flatMap: every read of a case asks this of each of its steps (app/timeline-days.ts).
  const dates: [string, IsoDate][] = [];
  for (const field of Object.keys(details)) {
    const value = details[field];
    if (field.endsWith('On') && typeof value === 'string') dates.push([field, value]);
  }
  return dates;
}

/**
 * The date a settled step's sign-off gave for its event, read back from the step's details, which also keep dates the
 * sign-off did not give (an RFE's issue date, a benefit window's end): only the fields of the outcome's own schema
 * count. Undefined when the sign-off gave none (it happened when it was recorded).
 */
export function signedEventDate(step: {
  kind: string;
  outcome: string | null;
  details: Record<string, unknown>;
}): IsoDate | undefined {
  if (!Object.hasOwn(STEP_CATALOGUE, step.kind)) return undefined;
  const fields = signedFields(step.kind as StepKind, step.outcome);
  return eventDates(step.details).find(([field]) => fields.includes(field))?.[1];
}

/**
 * The day a step opened, which no event it records may precede on a case that counts from events. The steps the
 * identification opened opened on its day as the identifying agency wrote it (an evening in Chicago is already the
 * next day in UTC); that day is never in the future for the agency, wherever its zone is.
 */
function stepOpenedOn(state: CaseState, step: Step): IsoDate {
  const at = Date.parse(step.openedAt);
  const openedWithCase = at === Date.parse(state.identifiedAt) || at === Date.parse(state.openedAt);
  return openedWithCase ? identificationDayOf(state) : dateOf(step.openedAt);
}

/**
 * None may lie in the future, nor before the TVPA (`beforeTheTvpa`); counted from events, none may precede the step it
 * signs. `today`: the UTC day of the
 * workflow's clock, which the identification's own day may pass (an evening in Chicago is already the next day in UTC).
 * Every event date is judged: the refusal names each that is out of order (`together`), the first as before.
 */
function eventDatesOutOfOrder(
  state: CaseState,
  step: Step,
  details: Record<string, unknown>,
  today: IsoDate,
): Rejection | null {
  const identifiedOn = identificationDayOf(state);
  const openedOn = stepOpenedOn(state, step);
  const latest = today > identifiedOn ? today : identifiedOn;
  const outOfOrder = ([field, value]: [string, IsoDate]): Rejection | null => {
    if (value > latest)
      return {
        code: 'date_order',
        field: `details.${field}`,
        message: `${field} (${value}) is after today (${latest})`,
      };
    // Before the steps' own opening on cases that count from events; on every case, never before the TVPA.
    const tooEarly = beforeTheTvpa(field, value);
    if (tooEarly) return { code: 'date_out_of_range', field: `details.${field}`, message: tooEarly };
    if (countsFromEvents(state.policy) && value < openedOn) {
      return {
        code: 'date_order',
        field: `details.${field}`,
        message: `${field} (${value}) is before ${step.id} opened (${openedOn})`,
      };
    }
    return null;
  };
  return together(eventDates(details).map(outOfOrder));
}

/**
 * How a timeline entry says it was recorded after the day it happened; nothing when it happened on the day it was
 * recorded. That day is the recorder's today (`todayOf`: the day it was where they work, as the API issued it), so a
 * same-day entry in the Honolulu afternoon, already the next day in UTC, is not "after the fact"; UTC's without it.
 */
export function recordedLate(happenedOn: IsoDate, recordedAt: Instant, recorderToday?: string): string {
  const recordedOn = todayOf(recordedAt, recorderToday);
  return happenedOn < recordedOn ? ` (happened on ${happenedOn}, recorded on ${recordedOn})` : '';
}

/**
 * What `recordedLate` added to a timeline entry's summary, read back: the day it happened on and the day it was
 * recorded on ("(happened on 2026-11-05, recorded on 2026-11-07)"). Undefined for one recorded on the day it happened.
 */
export function recordedLateIn(summary: string): { happenedOn: IsoDate; recordedOn: IsoDate } | undefined {
  const [, happenedOn, recordedOn] =
    /\(happened on (\d{4}-\d\d-\d\d), recorded on (\d{4}-\d\d-\d\d)\)/.exec(summary) ?? [];
  return happenedOn && recordedOn ? { happenedOn, recordedOn } : undefined;
}

/** The timeline entries of a sign-off settling a step (`signedState`), its outcome a completion or a refusal. */
export const SIGN_OFF_ENTRIES: ReadonlySet<string> = new Set(['step.completed', 'step.declined']);

/**
 * When what a sign-off records happened: its event date, at the time of day it is recorded (only the date is known),
 * if that date is before today and the case counts from events; else the moment it is recorded.
 */
export function happenedAt(state: CaseState, details: Record<string, unknown>, now: Instant): Instant {
  const event = eventDates(details)[0];
  if (!countsFromEvents(state.policy) || !event || event[1] >= dateOf(now)) return now;
  return `${event[1]}${now.slice(10)}`;
}

/**
 * When a sign-off of `step` is dated. On a case that reads dates as written (`datesAsWritten`), a past day is dated
 * at noon UTC, so the deadlines counted from it fall on the same day for every US reader whenever it was typed, and
 * never before the step opened: a day typed as the day an evening identification opened it is dated at the opening,
 * so the step never reads as done before it began. Before, `happenedAt`.
 */
export function signedAt(
  state: CaseState,
  step: Pick<Step, 'openedAt'>,
  details: Record<string, unknown>,
  now: Instant,
): Instant {
  if (!state.datesAsWritten) return happenedAt(state, details, now);
  const happened = happenedAt(state, details, now);
  const onItsDay = happened === now ? now : `${happened.slice(0, 10)}T12:00:00.000Z`;
  return Date.parse(onItsDay) < Date.parse(step.openedAt) ? step.openedAt : onItsDay;
}

/**
 * The instant the deadlines in days a sign-off opens count from (`details` its own, an ask-again's askedOn, an
 * identification's identifiedOn). When it happened (`signedAt`), but on a case with `countsFromTypedToday` a day typed
 * that is today or later in UTC (a Guam officer's today, from 14:00 UTC) counts from noon UTC of that day, as an earlier
 * day does: 14 days from 6 Dec are due on 20 Dec for every US reader, whatever the hour it was typed. The event itself
 * stays dated when it was recorded (`signedAt`): that noon may still be ahead of it, and an event is never dated ahead
 * of its recording. On a case with `openingDayCountsAsDay`, a day typed that `signedAt` dates at the step's opening, an
 * hour on a later UTC day (an evening identification in Honolulu, the denial asked again after), counts from its own
 * noon too: the opening's own day, counted as a case identified by that day counts it.
 */
export function daysCountedFrom(
  state: CaseState,
  step: Pick<Step, 'openedAt'>,
  details: Record<string, unknown>,
  now: Instant,
): Instant {
  const happened = signedAt(state, step, details, now);
  const event = eventDates(details)[0];
  if (!countsFromEvents(state.policy) || !event) return happened;
  const itsNoon = `${event[1]}T12:00:00.000Z`;
  // Dated at the opening's hour, on a later UTC day than the day typed (`signedAt`): that day is the opening's own.
  if (state.openingDayCountsAsDay && event[1] < dateOf(happened)) return itsNoon;
  return !state.countsFromTypedToday || event[1] < dateOf(now) ? happened : itsNoon;
}

function checkActor(state: CaseState, actor: Actor, expectedKind: Actor['agencyKind'], what: string): Rejection | null {
  return actingRefusal(actor, state.agencies, expectedKind, what);
}

/** Everything a new sign-off must satisfy, its note sealed by the API included; null when it may be applied. */
export function validateSignOff(
  state: CaseState,
  signOff: SignOff,
  actor: Actor,
  now: Instant,
  signerToday?: string,
): Rejection | null {
  return checkSignOff(state, signOff, actor, now, false, signerToday) ?? unsealedNote(signOff.details);
}

/** A note in plain text: the API seals every note, so one in the clear was sent around it. */
export function unsealedNote(details: SignOff['details'], field = 'note', prefix = 'details.'): Rejection | null {
  const note = details?.[field];
  if (note === undefined || (typeof note === 'string' && SEALED_NOTE.test(note))) return null;
  return {
    code: 'invalid_details',
    field: `${prefix}${field}`,
    message: `expected a ${field} sealed by the API (sealed:<key id>:<base64>)`,
  };
}

/**
 * The case rules of a sign-off. `actorChecked`: the caller already judged who acts (a correction, which the
 * coordinator may also make), so only the sign-off itself is checked. `signerToday`: the day it is where the signer
 * works, as the command was issued (`todayOf`).
 */
export function checkSignOff(
  state: CaseState,
  signOff: SignOff,
  actor: Actor,
  now: Instant,
  actorChecked = false,
  signerToday?: string,
): Rejection | null {
  if (state.status !== 'open') return { code: 'case_not_open', message: `the case is ${state.status}` };
  const parsed = signOffSchema().safeParse(signOff);
  if (!parsed.success) return zodRejection(parsed.error, '', signOffSchema());
  const step = findStep(state, parsed.data.stepId);
  if (!step) return missingStep(state, parsed.data.stepId);
  const actorRejection = actorChecked ? null : checkActor(state, actor, step.agencyKind, `step ${step.id}`);
  if (actorRejection) return actorRejection;
  const definition = outcomeOf(step.kind, parsed.data.outcome);
  if (!definition) {
    const allowed = Object.keys(STEP_CATALOGUE[step.kind].outcomes).join(', ');
    return { code: 'unknown_outcome', field: 'outcome', message: `${step.kind} accepts: ${allowed}` };
  }
  if (definition.appliesTo === 'pending' && step.status !== 'pending') {
    return { code: 'step_not_pending', field: 'stepId', message: `step ${step.id} is ${step.status}` };
  }
  if (definition.appliesTo === 'completed' && step.status !== 'completed') {
    return {
      code: 'outcome_not_applicable',
      field: 'outcome',
      message: `${parsed.data.outcome} applies to a completed ${step.kind}; ${step.id} is ${step.status}`,
    };
  }
  const shaped = shapedDetails(step.kind, parsed.data);
  if ('code' in shaped) return missingRefusalReason(step.kind, parsed.data.details, shaped);
  // Judged here, where a new sign-off is checked, not by the catalogue's schema, which `signedState` also reads.
  const unlisted = unlistedRefusalReason(step.kind, shaped.details);
  if (unlisted) return unlisted;
  const today = todayOf(normaliseInstant(now), signerToday);
  const ctx: SignOffContext = {
    state,
    step,
    outcome: parsed.data.outcome,
    details: shaped.details,
    actor,
    now: normaliseInstant(now),
    today,
    openedOn: stepOpenedOn(state, step),
    correcting: actorChecked,
  };
  // The dates against today and the step's opening, and the track's own rules (one date against another, a limit),
  // judged together: every broken one is answered at once (`together`), the first as it was alone.
  return together([eventDatesOutOfOrder(state, step, ctx.details, today), checkFor(step.kind)?.(ctx)]);
}

/**
 * A sign-off's details as its outcome's schema reads them (every date a real YYYY-MM-DD), or the refusal naming the
 * field that does not fit, as a 422 says it. A rule that reads a date from a sign-off reads it only after this: `dateOf`
 * throws on a date JS cannot read (" 2026-12-03", "12/03/2026") and misreads one it half reads ("2026-12-3").
 */
export function shapedDetails(kind: StepKind, signOff: Pick<SignOff, 'outcome' | 'details'>): Shaped | Rejection {
  const definition = outcomeOf(kind, signOff.outcome);
  if (!definition) throw new Error(`${kind} has no outcome ${signOff.outcome}: judge the outcome before its details`);
  const details = definition.details.safeParse(signOff.details);
  return details.success
    ? { details: cleanDetails(details.data) }
    : zodRejection(details.error, 'details', definition.details);
}

/** Details that fit their outcome's schema. */
interface Shaped {
  details: StepDetails;
}

/**
 * A sign-off of a step the case does not have. One a correction withdrew (opened in error, its timeline says so)
 * existed and waits for nothing any more: 409 as for any step no longer pending, not 404 as for an id never seen.
 */
function missingStep(state: CaseState, stepId: string): Rejection {
  const withdrawn = state.timeline.some((entry) => entry.type === 'step.withdrawn' && entry.stepId === stepId);
  return withdrawn
    ? { code: 'step_not_pending', field: 'stepId', message: `a correction withdrew step ${stepId}: it is withdrawn` }
    : unknownStep(stepId);
}

/**
 * The refusal of a step id the case does not have; the API answers it too for a step the caller may not see, which
 * must read as one that does not exist (api/routes/cases.ts).
 */
export function unknownStep(stepId: string): Rejection {
  return { code: 'unknown_step', field: 'stepId', message: `no step ${stepId} in this case` };
}

/** The catalogue's outcome of that name; own keys only, so "__proto__" or "constructor" are simply unknown. */
export function outcomeOf(kind: StepKind, outcome: string) {
  const outcomes = STEP_CATALOGUE[kind].outcomes;
  return Object.hasOwn(outcomes, outcome) ? outcomes[outcome] : undefined;
}

/** The fields a sign-off of that outcome fills: its details schema's keys (every one is a zod object); none for none. */
export function signedFields(kind: StepKind, outcome: string | null): string[] {
  const schema = outcome === null ? undefined : outcomeOf(kind, outcome)?.details;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/**
 * Applies a sign-off that `validateSignOff` accepted, without judging it again: a rule tightened since must not stop
 * a running case's history from replaying what was accepted then (a note from before notes were sealed, a limit
 * since shortened). Only a sign-off that names no step or outcome of the case, which no validator lets through,
 * is an error.
 */
export function applySignOff(
  state: CaseState,
  signOff: SignOff,
  actor: Actor,
  now: Instant,
  signerToday?: string,
): CaseState {
  const at = normaliseInstant(now);
  const signer: Signer = { userId: actor.userId, agencyId: actor.agencyId };
  const signed = updateStep(signedState(state, signOff, actor, at, signerToday), signOff.stepId, { signedBy: signer });
  // Entered after the fact, it opens an entry session even when nothing passed: the next entry may record the step
  // an announcement it raises would say is still owed (`inEntrySession` in domain/alarms.ts).
  const late = state.backdatedEntriesHold === true && recordedLateOf(state, signOff, at, signerToday) !== '';
  return settlePassedAlarms({ ...signed, version: state.version + 1, ...(late ? { enteredLate: true } : {}) }, at);
}

/** A sign-off as it was accepted: its step, its outcome's definition and its details, normalised as then. */
function acceptedSignOff(state: CaseState, signOff: SignOff) {
  const { stepId, outcome, details: raw } = signOffSchema().parse(signOff);
  const step = findStep(state, stepId);
  const definition = step && outcomeOf(step.kind, outcome);
  if (!step || !definition) throw new Error(`a sign-off of ${stepId} (${outcome}) was applied without being validated`);
  // Parsed for its normalisation (trimmed text), as when it was accepted; a schema since changed keeps what it said.
  const shaped = definition.details.safeParse(raw);
  const details = cleanDetails(shaped.success ? shaped.data : (raw as Record<string, string | undefined>));
  return { outcome, step, definition, details };
}

/**
 * When a sign-off recorded at `at` happened (`signedAt`), and how its timeline entry says it was recorded after that
 * day (`recordedLate`): nothing for one recorded on the day it happened, wherever the signer is.
 */
function signingOf(
  state: CaseState,
  step: Step,
  details: Record<string, unknown>,
  at: Instant,
  signerToday?: string,
): { happened: Instant; late: string } {
  const happened = signedAt(state, step, details, at);
  return { happened, late: happened === at ? '' : recordedLate(dateOf(happened), at, signerToday) };
}

/** What the timeline says of a sign-off entered after the day it happened ("(happened on …)"); nothing for a live one. */
function recordedLateOf(state: CaseState, signOff: SignOff, at: Instant, signerToday?: string): string {
  const { step, details } = acceptedSignOff(state, signOff);
  return signingOf(state, step, details, at, signerToday).late;
}

/**
 * The state a sign-off leads to (the step settled, what it sets in motion opened), before its version and the alarms
 * it revealed as passed: `applySignOff`, and a correction that signs the step again over its rewound state.
 */
export function signedState(
  state: CaseState,
  signOff: SignOff,
  actor: Actor,
  at: Instant,
  signerToday?: string,
): CaseState {
  const { outcome, step, definition, details } = acceptedSignOff(state, signOff);
  // What the sign-off sets in motion is dated when it happened, so the deadlines it opens run from then. Dated when
  // recorded, it happened on the day it was recorded, wherever the signer is.
  const { happened, late } = signingOf(state, step, details, at, signerToday);
  // Its deadlines in days count from the day it gives, also one typed as today in Guam, tomorrow in UTC.
  const from = daysCountedFrom(state, step, details, at);
  // The signer's today, as the sign-off was checked (`appliesSignersToday`): a grant without its day runs from it.
  const today = state.appliesSignersToday ? todayOf(at, signerToday) : dateOf(at);
  const ctx: SignOffContext = {
    state,
    step,
    outcome,
    details,
    actor,
    now: happened,
    today,
    ...(from === happened ? {} : { countsFrom: from }),
  };

  let next = state;
  // Settling outcomes close the step here; notices and amendments are handled entirely by the track.
  const settles = definition.appliesTo === 'pending' && definition.resultStatus !== 'pending';
  if (settles) {
    next = updateStep(next, step.id, {
      status: definition.resultStatus,
      completedAt: happened,
      outcome,
      details: { ...step.details, ...details },
    });
    next = record(
      next,
      happened,
      `step.${definition.resultStatus}`,
      step.id,
      actor.agencyId,
      `${step.id} ${outcome} by ${step.agencyKind}${late}`,
    );
  }
  const after = afterFor(step.kind);
  // What it opens counts from the day the sign-off gives (its event date, an RFE's respond-by): due on a day.
  next = after ? markedDueOnADay(state, after(next, ctx), eventDates(details).length > 0) : next;
  if (settles) {
    // What the sign-off opened follows from it: a correction of the step re-dates or withdraws those (and only those),
    // known by this record rather than by the moment they opened, which another sign-off dated that day shares.
    const before = new Set(state.steps.map((other) => other.id));
    const steps = next.steps.map((other) => (before.has(other.id) ? other : { ...other, openedBy: step.id }));
    // When it was recorded: a correction by the signing agency is allowed for a while after this (domain/correction.ts).
    next = { ...next, steps, signedAt: { ...state.signedAt, [step.id]: at } };
    // The signer's day, where the UTC day of the moment is not it: a correction signs the step again on it.
    if (today !== dateOf(at)) next = { ...next, signersDays: { ...state.signersDays, [step.id]: today } };
  }
  return next;
}

/**
 * A close as a new one is judged (the API's body, the workflow's validator); `closeCase` applies one without it, since
 * a history may hold a reason from before the list.
 */
export const closeCaseSchema = onFirstUse(() =>
  z.strictObject({
    status: z.enum(['closed', 'withdrawn']),
    /** One of a list (domain/reasons.ts): the timeline shows it to every agency of the case. */
    reason: listedReason(CLOSE_REASONS).describe(
      'why, a code from the list: the timeline shows it to every agency of the case',
    ),
  }),
);
/**
 * A close as the workflow's update carries it: its reason a string, since a history may hold any short code from
 * before the list, and the validator reads a new one with `closeCaseSchema`.
 */
export type CloseCaseRequest = Omit<z.infer<ReturnType<typeof closeCaseSchema>>, 'reason'> & { reason: string };

/** Only the case's coordinator closes or withdraws it. */
export function validateCloseCase(state: CaseState, request: CloseCaseRequest, actor: Actor): Rejection | null {
  if (state.status !== 'open') return { code: 'case_not_open', message: `the case is ${state.status}` };
  const actorRejection = checkActor(state, actor, 'coordinator', 'closing a case');
  if (actorRejection) return actorRejection;
  const parsed = closeCaseSchema().safeParse(request);
  return parsed.success ? null : zodRejection(parsed.error, '', closeCaseSchema());
}

/** Closes or withdraws the case (as `validateCloseCase` accepted it); every step still pending is cancelled. */
export function closeCase(state: CaseState, request: CloseCaseRequest, actor: Actor, now: Instant): CaseState {
  const at = normaliseInstant(now);
  const cancelled = STEP_KINDS.reduce((acc, kind) => cancelPending(acc, kind, at, `case ${request.status}`), state);
  const closed = record(
    { ...cancelled, status: request.status, closedAt: at },
    at,
    `case.${request.status}`,
    null,
    actor.agencyId,
    `case ${request.status} (${request.reason})`,
  );
  return { ...closed, version: state.version + 1 };
}

/**
 * What every command to the workflow carries besides its request: who issues it and, sealed with it, what the API
 * issued it for (domain/issued.ts). `issued` is optional only because commands recorded before carry none; the
 * validators refuse a new command without it.
 */
export interface CommandEnvelope {
  actor: Actor;
  issued?: Issued;
}

/** The workflow's update payloads: the command plus who issues it. */
export interface SignOffCommand extends CommandEnvelope {
  signOff: SignOff;
}
export type CloseCommand = CloseCaseRequest & CommandEnvelope;
/**
 * What the workflow's updates answer with: the version the read model now shows, no more. The state itself would
 * travel to the server and into the history with every change (the client reads the case from the read model).
 */
export interface CaseCommandResult {
  version: number;
}

/** `validateCloseCase` in the shape of the workflow's close update (`now` kept for symmetry with sign-offs). */
export function validateClose(state: CaseState, command: CloseCommand, _now: Instant): Rejection | null {
  // The request alone: its schema is strict, and `issued` is the workflow's to check (domain/issued.ts).
  const { actor, issued: _issued, ...request } = command;
  return validateCloseCase(state, request, actor);
}

export function applyClose(state: CaseState, command: CloseCommand, now: Instant): CaseState {
  const { actor, issued: _issued, ...request } = command;
  return closeCase(state, request, actor, now);
}

/**
 * The kinds of agency a case can be handed over between: a police department, ICE, HHS, a legal provider. Not the
 * coordinator: a transfer is the coordinator's decision, and the agency that coordinates cannot hand itself away.
 */
export const TRANSFERABLE_KINDS = [
  'law_enforcement',
  'ice',
  'hhs',
  'advocate',
] as const satisfies readonly AgencyKind[];

export const transferCaseSchema = onFirstUse(() =>
  z.strictObject({
    agencyKind: z.enum(TRANSFERABLE_KINDS),
    toAgencyId: agencyId(),
    fromAgencyId: agencyId()
      .optional()
      .describe(
        'the agency the caller saw in that role; refused 409 transferred_meanwhile if another has it now (someone transferred the case meanwhile)',
      ),
    /** One of a list, as a close's reason: free text could carry personal data into the timeline and the history. */
    reason: listedReason(TRANSFER_REASONS)
      .optional()
      .describe('why, a code from the list: the timeline shows it to every agency of the case'),
  }),
);
/** A transfer as the workflow's update carries it; its reason a string, as a close's (`CloseCaseRequest`). */
export type TransferCaseRequest = Omit<z.infer<ReturnType<typeof transferCaseSchema>>, 'reason'> & { reason?: string };

/**
 * Only the case's coordinator transfers it, while it is open, to another agency than the one it has. That the new
 * agency exists and is of the kind is the API's check (the agencies table): this pure rule cannot see it.
 */
function validateTransferCase(state: CaseState, request: TransferCaseRequest, actor: Actor): Rejection | null {
  if (state.status !== 'open') return { code: 'case_not_open', message: `the case is ${state.status}` };
  const actorRejection = checkActor(state, actor, 'coordinator', 'transferring a case');
  if (actorRejection) return actorRejection;
  const parsed = transferCaseSchema().safeParse(request);
  if (!parsed.success) return zodRejection(parsed.error, '', transferCaseSchema());
  const { agencyKind, toAgencyId, fromAgencyId } = parsed.data;
  const current = state.agencies[agencyKind];
  if (current === toAgencyId) {
    return {
      code: 'invalid_details',
      field: 'toAgencyId',
      message: `${toAgencyId} already acts as ${agencyKindInProse(agencyKind)} on this case`,
    };
  }
  // Checked here, where two transfers sent at once are applied one after the other: the second never takes the case
  // from an agency its sender did not see.
  if (fromAgencyId !== undefined && current !== fromAgencyId) {
    return {
      code: 'transferred_meanwhile',
      field: 'fromAgencyId',
      message: `${current ?? 'no agency'} acts as ${agencyKindInProse(agencyKind)} on this case now, not ${fromAgencyId}: someone transferred it meanwhile`,
    };
  }
  return null;
}

/**
 * Hands the case's `agencyKind` over to the new agency (as `validateTransferCase` accepted it): its pending steps move
 * with it, and alarms to come follow, since they name their recipient by kind. Settled steps keep the agency that
 * owned them: the history says who did what.
 */
function transferCase(state: CaseState, request: TransferCaseRequest, actor: Actor, now: Instant): CaseState {
  const at = normaliseInstant(now);
  const { agencyKind, toAgencyId, reason } = request;
  const from = state.agencies[agencyKind];
  const steps = state.steps.map((step) =>
    step.status === 'pending' && step.agencyKind === agencyKind && step.agencyId === from
      ? { ...step, agencyId: toAgencyId }
      : step,
  );
  const transferred = record(
    { ...state, agencies: { ...state.agencies, [agencyKind]: toAgencyId }, steps },
    at,
    'case.transferred',
    null,
    actor.agencyId,
    transferSummary(agencyKind, from, toAgencyId, reason),
  );
  const told = state.transfersToldByOutbox
    ? { transfersToTell: [...(state.transfersToTell ?? []), transferToTell(transferred, request, from, actor, at)] }
    : {};
  return { ...transferred, ...told, version: state.version + 1 };
}

/** What the emails of a transfer just recorded (the timeline's last entry) say, for the workflow to record them. */
function transferToTell(
  transferred: CaseState,
  { agencyKind, toAgencyId }: TransferCaseRequest,
  fromAgencyId: string,
  actor: Actor,
  at: Instant,
): TransferToTell {
  return {
    seq: transferred.timeline.length,
    agencyKind,
    fromAgencyId,
    toAgencyId,
    by: { userId: actor.userId, agencyId: actor.agencyId },
    at,
    handedOver: transferred.steps
      .filter((step) => step.status === 'pending' && step.agencyId === toAgencyId)
      .map((step) => ({ kind: step.kind, dueAt: step.dueAt })),
  };
}

export type TransferCommand = TransferCaseRequest & CommandEnvelope;

/** `validateTransferCase` in the shape of the workflow's transfer update. */
export function validateTransfer(state: CaseState, command: TransferCommand, _now: Instant): Rejection | null {
  // The request alone: its schema is strict, and `issued` is the workflow's to check (domain/issued.ts).
  const { actor, issued: _issued, ...request } = command;
  return validateTransferCase(state, request, actor);
}

export function applyTransfer(state: CaseState, command: TransferCommand, now: Instant): CaseState {
  const { actor, issued: _issued, ...request } = command;
  return transferCase(state, request, actor, now);
}

/**
 * What the read model stores: the state without the policy body and alarm bookkeeping, with the alarms to come, an
 * announcement held for the entry session's end listed at `sessionEndsAt` (as the workflow knows it now).
 */
export function snapshotOf(state: CaseState, sessionEndsAt?: Instant): CaseProjection {
  return {
    caseId: state.caseId,
    reference: state.reference,
    path: state.path,
    status: state.status,
    openedAt: state.openedAt,
    closedAt: state.closedAt,
    policyVersion: state.policy.version,
    agencies: state.agencies,
    steps: state.steps,
    timeline: state.timeline,
    version: state.version,
    alarms: scheduledAlarms(state, sessionEndsAt),
  };
}

export { alarms, fireAlarm, nextAlarm } from './alarms';
export type { CaseProjection } from './alarms';
export type { Alarm, CaseState, Rejection, RejectionCode } from './case-state';
