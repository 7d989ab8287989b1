/**
 * The step catalogue: for every kind of step, its track, the agency kind that signs it, and the outcomes it accepts
 * with the details each outcome requires. Details hold dates and short codes only; schemas are strict so nothing
 * else (in particular a survivor's identity) can ride along.
 */
import { z } from 'zod';
import { dateOf, endOfDay, isoDateSchema as date, LAST_DAY_ENDS_EVERYWHERE_MS } from './dates';
import { onFirstUse } from './on-first-use';
import { fieldNamesOf } from './unknown-names';
import { multiLineText } from './text';
import type { AgencyKind, StepKind, StepStatus, Track } from './types';

/**
 * A refusal's reason, a short machine code, never free text about a person. Permissive in shape: it also holds codes
 * recorded before the lists (domain/reasons.ts), which replayed histories apply again; `checkSignOff` holds every new
 * one to its step's list.
 */
const reason = onFirstUse(() =>
  z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'expected a short code (a-z, 0-9, _ . -; at most 64)'),
);

/**
 * Free text as its author types it (a note, a correction's reason), which may well name the survivor, so the API seals
 * it (see below). Its refusals say in words what is missing or how long it may be, naming the text (`what`): the API
 * answers them by the field, and the console's forms read them (web/form-problems.ts).
 */
export const NOTE_MAX_LENGTH = 500;
const freeTextSchema = (what: string) => {
  const missing = `Give ${what}, in your own words (at most ${NOTE_MAX_LENGTH} characters)`;
  return multiLineText(
    z
      .string({ error: missing })
      .trim()
      .min(1, missing)
      .max(NOTE_MAX_LENGTH, `${what[0]!.toUpperCase()}${what.slice(1)} can be at most ${NOTE_MAX_LENGTH} characters`),
  );
};
export const noteSchema = onFirstUse(() => freeTextSchema('the note'));
export const correctionReasonSchema = onFirstUse(() => freeTextSchema('the reason for the correction'));

/**
 * A sealed note, `sealed:<key id>:<base64>` (db/sealed-notes.ts): what a new sign-off must carry in `note`. Its
 * longest is the prefix, a key id and the base64 of a nonce, a tag and 500 UTF-16 units as UTF-8 (3 bytes each).
 */
export const SEALED_NOTE = /^sealed:[^:\s]{1,100}:[A-Za-z0-9+/]+={0,2}$/;
export const SEALED_NOTE_MAX_LENGTH = 'sealed:'.length + 100 + 1 + Math.ceil((12 + 16 + 3 * NOTE_MAX_LENGTH) / 3) * 4;

/**
 * The catalogue's `note` field, permissive in shape: it also holds notes recorded in plain text before notes were
 * sealed, which replayed histories apply again. `validateSignOff` requires the sealed form of every new one.
 */
const note = onFirstUse(() => z.string().trim().min(1).max(SEALED_NOTE_MAX_LENGTH).optional());

type StepDetailValue = string | number | boolean | null;
export type StepDetails = Record<string, StepDetailValue>;

type DetailsSchema = z.ZodType<Record<string, string | undefined>>;

interface OutcomeDefinition {
  details: DetailsSchema;
  /** Most outcomes settle a pending step; an amendment (e.g. an extension) applies to a step already completed. */
  appliesTo: 'pending' | 'completed';
  /** The step's status after this outcome; `pending` for a notice that leaves the step open (an RFE). */
  resultStatus: StepStatus;
}

export interface StepDefinition {
  track: Track;
  owner: AgencyKind;
  outcomes: Record<string, OutcomeDefinition>;
}

/** An outcome whose details schema is built on first use (domain/on-first-use.ts), as every schema of domain/. */
function outcome(
  build: () => DetailsSchema,
  appliesTo: OutcomeDefinition['appliesTo'],
  resultStatus: StepStatus,
): OutcomeDefinition {
  const details = onFirstUse(build);
  return {
    get details() {
      return details();
    },
    appliesTo,
    resultStatus,
  };
}
const settles = (details: () => DetailsSchema) => outcome(details, 'pending', 'completed');
const declines = (details: () => DetailsSchema) => outcome(details, 'pending', 'declined');

const occurredOn = (field: string) => () => z.strictObject({ [field]: date(), note: note() });
/** decidedOn: the day of the decision or refusal, for one entered after the fact; absent, the day it is recorded. */
const refused = () => z.strictObject({ reason: reason(), decidedOn: date().optional(), note: note() });
/**
 * The steps due at the end of a validity, their due instant its end (the start of the day after its last day, UTC):
 * a CP grant's renewal request, T status's adjustment filing, a U certification's petition. That last day is valid all
 * day wherever it is read, and a case that reads dates as written lapses it, cancelling the step, only once the day has
 * ended everywhere in the US (`LAST_DAY_ENDS_EVERYWHERE_MS`), so the step is not overdue before then: not at 16:00 of
 * its last day in Los Angeles, as its due instant would say.
 */
export const DUE_AT_A_VALIDITY_END: readonly StepKind[] = [
  'cp_renewal_request',
  't_visa_adjustment_filing',
  'u_visa_petition',
];

export const dueAtAValidityEnd = (kind: string): boolean => (DUE_AT_A_VALIDITY_END as readonly string[]).includes(kind);

/**
 * Whether a step's deadline is a day, met all of it wherever in the US it is read: due at a validity's end
 * (`DUE_AT_A_VALIDITY_END`), or counted in days from a typed day (`dueOnADay`). The one rule of the API's `overdue`,
 * its lists and counts (db/overdue.ts reads the same fact from the read model), the alarms at and after it
 * (domain/alarms.ts), the console's words (web/labels.ts), the emails and the daily digest (`overdueAsOf`).
 */
export const dueAllDay = (step: DueOf): boolean => dueAtAValidityEnd(step.kind) || step.dueOnADay === true;

/** What says when a step is due: its kind, its due instant and whether that deadline is a day (domain/types.ts). */
export interface DueOf {
  kind: string;
  dueAt: string;
  dueOnADay?: boolean | null;
}

/**
 * The last day of a deadline that is a day (`dueAllDay`): the UTC day its due instant falls in, or, at a UTC midnight
 * (a validity's end, the end of a respond-by date), the day that midnight ends.
 */
export function lastDayOfDue(dueAt: string): string {
  return dateOf(new Date(Date.parse(dueAt) - 1).toISOString());
}

/**
 * From when a pending step reads as overdue where no zone is (the API's `overdue`, its lists and counts), and its
 * "Deadline reached" and escalations count (domain/alarms.ts): its due instant, or, for a deadline that is a day
 * (`dueAllDay`), once that last day has ended everywhere in the US (`LAST_DAY_ENDS_EVERYWHERE_MS` after the next
 * day's 00:00 UTC): a CP decision due 6 Dec is not overdue at 04:00 on 6 Dec in Los Angeles.
 */
export function overdueFrom(step: DueOf): number {
  if (!dueAllDay(step)) return Date.parse(step.dueAt);
  return Date.parse(dueAsAnEnd(step)) + LAST_DAY_ENDS_EVERYWHERE_MS;
}

/**
 * Whether a pending step is overdue at `at` (epoch ms) by `overdueFrom`, for what is written at a moment and read later
 * (the emails, mail/render.ts, and the daily digest, activities/digest.ts): from that very moment on, when its "Deadline
 * reached" and escalation fire (domain/alarms.ts), where the API's `overdue` says it from the moment after. Never by
 * the reader's zone: a CP decision due 6 Dec is not overdue in a Guam or New York email before 6 Dec has ended
 * everywhere in the US, as no status, list or count calls it so.
 */
export function overdueAsOf(step: DueOf, at: number): boolean {
  return overdueFrom(step) <= at;
}

/**
 * A deadline as an end each reader reads where they are (core/people-dates.ts `validityEndIn`, as web/labels.ts
 * does): for one that is a day (`dueAllDay`), the start of the day after its last day, UTC; else its due instant,
 * which passes at that moment.
 */
export function dueAsAnEnd(step: DueOf): string {
  return dueAllDay(step) ? endOfDay(lastDayOfDue(step.dueAt)) : step.dueAt;
}

/**
 * A step's deadline as each reader reads it where they are (core/people-dates.ts `deadlineAsRead`, which may not read
 * domain/): its due instant, and for one that is a day (`dueAllDay`) the end of its last day, UTC (`dueAsAnEnd`), with
 * how long after that end it has ended everywhere in the US (`LAST_DAY_ENDS_EVERYWHERE_MS`, as `overdueFrom`).
 */
export function dueToRead(step: DueOf): { dueAt: string; lastDayEnds?: { at: string; lapsesAfterMs: number } } {
  if (!dueAllDay(step)) return { dueAt: step.dueAt };
  return { dueAt: step.dueAt, lastDayEnds: { at: dueAsAnEnd(step), lapsesAfterMs: LAST_DAY_ENDS_EVERYWHERE_MS } };
}

/**
 * Where a step stands against its deadline at `at` (epoch ms), all the words of it need (core/people-dates.ts
 * `notYetOverdueWords`, which may not read domain/): when it passes where read (`dueToRead`), whether it is overdue
 * (`overdueAsOf`), from when (`overdueFrom`) and whether that waits for its last day to end everywhere in the US
 * (`dueAllDay`). The console passes the API's `overdue` in place of its own.
 */
export function dueStanding(step: DueOf, at: number) {
  return {
    ...dueToRead(step),
    overdue: overdueAsOf(step, at),
    overdueAt: new Date(overdueFrom(step)).toISOString(),
    lastDayEndsEverywhere: dueAllDay(step),
  };
}

/** issuedOn: the day on the letter, for one entered after the fact; absent, the day it is recorded. */
const letter = () => z.strictObject({ eligibilityDate: date(), issuedOn: date().optional(), note: note() });

export const STEP_CATALOGUE: Record<StepKind, StepDefinition> = {
  identification: {
    track: 'intake',
    owner: 'law_enforcement',
    outcomes: { identified: settles(() => z.strictObject({ identifiedOn: date(), path: z.enum(['minor', 'adult']) })) },
  },
  cp_request: {
    track: 'continued_presence',
    owner: 'law_enforcement',
    outcomes: { requested: settles(occurredOn('requestedOn')) },
  },
  cp_decision: {
    track: 'continued_presence',
    owner: 'ice',
    // grantedOn: when ICE granted it (the 24 months count from it); absent, the day the decision is recorded.
    // validUntil: absent, the longest the policy allows from grantedOn; a letter's own date wins.
    outcomes: {
      granted: settles(() =>
        z.strictObject({ grantedOn: date().optional(), validUntil: date().optional(), note: note() }),
      ),
      denied: settles(refused),
    },
  },
  cp_renewal_request: {
    track: 'continued_presence',
    owner: 'law_enforcement',
    outcomes: { requested: settles(occurredOn('requestedOn')) },
  },
  cp_renewal_decision: {
    track: 'continued_presence',
    owner: 'ice',
    outcomes: {
      renewed: settles(() =>
        z.strictObject({ renewedOn: date().optional(), validUntil: date().optional(), note: note() }),
      ),
      denied: settles(refused),
    },
  },
  hhs_minor_notification: {
    track: 'intake',
    owner: 'law_enforcement',
    outcomes: { notified: settles(occurredOn('notifiedOn')) },
  },
  hhs_interim_letter: {
    track: 'hhs',
    owner: 'hhs',
    outcomes: {
      // validUntil: absent, the policy's 90 days from issuedOn; an extension adds the policy's 30 days unless it states its own end.
      issued: settles(() => z.strictObject({ issuedOn: date(), validUntil: date().optional(), note: note() })),
      extended: outcome(
        () => z.strictObject({ validUntil: date().optional(), note: note() }),
        'completed',
        'completed',
      ),
    },
  },
  hhs_eligibility_letter: {
    track: 'hhs',
    owner: 'hhs',
    outcomes: { issued: settles(letter) },
  },
  hhs_certification_request: {
    track: 'hhs',
    owner: 'advocate',
    outcomes: { requested: settles(occurredOn('requestedOn')) },
  },
  hhs_certification_letter: {
    track: 'hhs',
    owner: 'hhs',
    outcomes: {
      certified: settles(letter),
      denied: settles(refused),
    },
  },
  t_visa_filing: {
    track: 't_visa',
    owner: 'advocate',
    outcomes: { filed: settles(occurredOn('filedOn')) },
  },
  t_visa_receipt: {
    track: 't_visa',
    owner: 'advocate',
    outcomes: { received: settles(occurredOn('receivedOn')) },
  },
  t_visa_bona_fide: {
    track: 't_visa',
    owner: 'advocate',
    outcomes: {
      bona_fide: settles(occurredOn('determinedOn')),
      // USCIS then adjudicates in full; the case goes on to the decision without the bona fide benefits.
      not_bona_fide: settles(occurredOn('determinedOn')),
    },
  },
  t_visa_evidence_response: {
    track: 't_visa',
    owner: 'advocate',
    outcomes: { responded: settles(occurredOn('respondedOn')) },
  },
  t_visa_decision: {
    track: 't_visa',
    owner: 'advocate',
    outcomes: {
      // A request for evidence or notice of intent to deny: the decision stays pending and a response step opens.
      evidence_requested: outcome(
        () => z.strictObject({ notice: z.enum(['rfe', 'noid']), issuedOn: date(), respondBy: date(), note: note() }),
        'pending',
        'pending',
      ),
      // adjustmentEligibleFrom: absent, the policy's 3 years of T status from approvedOn; a document's own date wins.
      approved: settles(() =>
        z.strictObject({
          approvedOn: date(),
          validUntil: date(),
          adjustmentEligibleFrom: date().optional(),
          note: note(),
        }),
      ),
      denied: settles(refused),
    },
  },
  t_visa_adjustment_filing: {
    track: 't_visa',
    owner: 'advocate',
    outcomes: {
      // investigationCompleteDate: the day the investigation or prosecution was complete, the basis of a filing before
      // the step's adjustmentEligibleFrom (domain/tracks/t-visa.ts). Not the filing's event, so named by no `…On`.
      filed: settles(() =>
        z.strictObject({ filedOn: date(), investigationCompleteDate: date().optional(), note: note() }),
      ),
    },
  },
  le_declaration: {
    track: 'le_declaration',
    owner: 'law_enforcement',
    outcomes: { signed: settles(occurredOn('signedOn')), declined: declines(refused) },
  },
  u_visa_certification: {
    track: 'u_visa',
    owner: 'law_enforcement',
    outcomes: { signed: settles(occurredOn('signedOn')), declined: declines(refused) },
  },
  u_visa_petition: {
    track: 'u_visa',
    owner: 'advocate',
    outcomes: { filed: settles(occurredOn('filedOn')) },
  },
};

/** An agency's sign-off of one step, as the API receives it and the workflow update carries it. */
export const signOffSchema = onFirstUse(() =>
  z.strictObject({
    stepId: z.string().regex(/^[a-z_]{1,60}-\d{1,6}$/, 'expected a step id such as cp_request-1'),
    outcome: z.string().regex(/^[a-z_]{1,64}$/, 'expected an outcome code such as granted'),
    details: z.record(z.string(), z.unknown()).default({}),
  }),
);
export type SignOff = z.input<ReturnType<typeof signOffSchema>>;

/**
 * Every name a sign-off's details may hold, of any step and outcome: the names a refusal may repeat where the API's
 * own schema takes any key (`details`), as the case's rules repeat those of the outcome signed (domain/unknown-names.ts).
 */
export const signOffDetailNames = onFirstUse(() => [
  ...new Set(
    Object.values(STEP_CATALOGUE).flatMap((step) =>
      Object.values(step.outcomes).flatMap((each) => fieldNamesOf(each.details)),
    ),
  ),
]);

/** Drops absent optional fields so details stay plain JSON values. */
export function cleanDetails(details: Record<string, string | undefined>): StepDetails {
  const clean: StepDetails = {};
  for (const [key, value] of Object.entries(details)) if (value !== undefined) clean[key] = value;
  return clean;
}
