/**
 * Every input the API accepts, as zod schemas. The routes validate with these and the OpenAPI document is generated
 * from them, so the two cannot drift. Objects are strict: an unknown field is an error, never silently dropped.
 */
import { z } from 'zod';
import { instantBoundSchema, instantOfBound, instantSchema, isoDateSchema } from '../domain/dates';
import { correctionReasonSchema, signOffSchema } from '../domain/steps';
import { DOCUMENT_REMOVAL_REASONS, REFUSAL_REASONS } from '../domain/reasons';
import { transferCaseSchema } from '../domain/case';
import {
  ANumberSchema,
  BIRTH_DATE_NOT_CORRECTABLE,
  ContactSchema,
  LanguageSchema,
  NameTextSchema,
  SURVIVOR_CORRECTION_FIELDS,
  SurvivorNameSchema,
} from '../domain/survivor-fields';
import { singleLineText } from '../domain/text';
import { UNNAMED_LATER_STEP } from '../domain/correction';
import { AGENCY_KINDS, STEP_KINDS, TRACKS } from '../domain/types';
import { ALARM_KINDS, NOTIFICATION_KINDS } from '../domain/case-state';
import { ROLES } from '../domain/types';
import { AUDIT_OUTCOMES } from '../app/audit-service';
import { ASSIGNED_WHEN_LEFT_OUT, ASSIGNED_WHEN_NULL, identityInReference } from '../app/case-commands';
import { chosenReferenceSchema } from '../domain/chosen-reference';
import { REMINDER_STATUSES } from '../app/case-reads';
import { DOCUMENT_MEDIA_TYPES } from '../app/documents';
import { MIN_PASSWORD_LENGTH } from '../core/passwords';
import { DEVICE_TOKEN_SHAPE, MAX_API_KEY_DAYS } from '../core/token-format';
import { IdentifiedAtSchema } from '../app/identification';
import { TimeZoneSchema } from '../app/time-zones';

/** Ids of organisations and users are short tokens: nothing that could smuggle free text into logs or URLs. */
/*
 * The answers' instants and days, typed in the OpenAPI document from this one place: an instant as the API writes it
 * (`toISOString`) is `format: date-time`, a calendar day `format: date`. The requests' own are the zod ISO schemas
 * (domain/dates.ts), which are typed so already.
 */
export const instant = z.string().meta({ format: 'date-time' }).describe('ISO-8601 instant');
export const day = z.string().meta({ format: 'date' }).describe('a calendar day, YYYY-MM-DD');

const token = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'expected an id (letters, digits, _ . : -; at most 100)');

export const AgencyIdSchema = token;
/**
 * A UUID, as the database and every key derived from it write it: in lower case. PostgreSQL finds a row by an id in
 * capitals too, but the id also names the case's workflow and is bound into what seals identities and documents, so
 * an id in capitals would find the row and then fail to open it.
 */
const uuidSchema = (what: string) => z.uuid({ message: `expected ${what} (UUID)` }).overwrite((id) => id.toLowerCase());
export const CaseIdSchema = uuidSchema('a case id');
const UserIdSchema = uuidSchema('a user id');

const SurvivorSchema = z.strictObject({
  name: SurvivorNameSchema,
  birthDate: isoDateSchema(),
  aNumber: ANumberSchema.optional(),
  contact: ContactSchema.optional(),
  preferredLanguage: LanguageSchema.optional(),
});

/**
 * A new reference sent with the identity: chosen, or null to have one assigned; left out, the case keeps its own (so
 * a refusal says to send null, not to leave it out).
 */
const NewReferenceSchema = chosenReferenceSchema(ASSIGNED_WHEN_NULL)
  .nullable()
  .optional()
  .describe(
    "the case's new reference, given with the identity when the case's reference would say who the survivor is (else refused, 422 naming reference): the opening agency's case number, only from its users (403 reference_not_yours from anyone else), checked as at opening (409 reference_taken when that agency has it; 503 reference_not_reserved after a restore from a backup older than the case, until an operator runs reproject), or null to have one assigned, from anyone who may correct the identity (from another agency only when the case's reference would say who the survivor is, else 403 reference_not_yours; its own reference sent back unchanged is as left out); left out, the case keeps its reference",
  );

/** How many corrections the identity has had: 0 before any, then the number of its newest earlier version. */
const CorrectionsSchema = z
  .number()
  .int()
  .min(0)
  .max(1_000_000)
  .describe('how many corrections the identity has had (0 before any)');

/**
 * A correction of the identity: the fields to change; '' clears an optional one. The birth date is not correctable
 * (it set the case's path and deadlines when the case opened): sent, it is refused by its field saying so, not as an
 * unknown field.
 */
export const SurvivorCorrectionSchema = z
  .strictObject({
    birthDate: z.never({ error: BIRTH_DATE_NOT_CORRECTABLE }).optional().describe(BIRTH_DATE_NOT_CORRECTABLE),
    name: SURVIVOR_CORRECTION_FIELDS.name.optional(),
    aNumber: SURVIVOR_CORRECTION_FIELDS.aNumber.optional(),
    contact: SURVIVOR_CORRECTION_FIELDS.contact.optional(),
    preferredLanguage: SURVIVOR_CORRECTION_FIELDS.preferredLanguage.optional(),
    reference: NewReferenceSchema,
    expectedCorrections: CorrectionsSchema.optional().describe(
      "the identity's `corrections` when you read it: a field this correction would change that a correction made since changed too is then refused (409 survivor_corrected_meanwhile, naming the field) rather than overwritten",
    ),
  })
  .refine(({ expectedCorrections: _, reference: _reference, ...fields }) => Object.keys(fields).length > 0, {
    message: 'give at least one of name, aNumber, contact, preferredLanguage',
  });

/** The identity as GET answers it: with how many corrections it has had, which a correction sends back. */
export const SurvivorReadSchema = SurvivorSchema.extend({ corrections: CorrectionsSchema });

/**
 * The identity entered again after a restore (PUT): as GET answers it, so a client may send back what it read; its
 * `corrections`, a count the service keeps, is read and ignored.
 */
export const SurvivorEntrySchema = SurvivorSchema.extend({
  corrections: CorrectionsSchema.optional().describe(
    'as GET answers it, so what was read may be sent back; ignored (the service counts corrections)',
  ),
  reference: NewReferenceSchema,
});

/** The case's reference a request gave the case with the identity, in its answer; absent when the case kept its own. */
const ReplacedReferenceSchema = z
  .string()
  .optional()
  .describe("the case's new reference, when this request gave it one");

/** The identity as entered again after a restore, and the case's new reference when the request gave it one. */
export const SurvivorEnteredSchema = SurvivorSchema.extend({ reference: ReplacedReferenceSchema });

export const SurvivorCorrectedSchema = z.object({
  identity: SurvivorSchema,
  changedFields: z
    .array(z.string())
    .describe(
      "the fields this correction changed (`reference` when it replaced the case's reference); none when it changed nothing",
    ),
  corrections: CorrectionsSchema,
  reference: ReplacedReferenceSchema,
});

export const SurvivorRevisionsSchema = z.object({
  items: z.array(
    z.object({
      revision: z.number().int(),
      identity: SurvivorSchema.describe('the identity as it was before this change'),
      changedFields: z.array(z.string()),
      changedBy: z.string().nullable().describe('the user who made the change'),
      changedByName: z.string().nullable().describe("that user's display name (null if the change had no user)"),
      changedByAgencyId: z.string().nullable().describe("that user's agency"),
      changedAt: instant,
    }),
  ),
});

const CaseAgenciesSchema = z.strictObject(
  Object.fromEntries(AGENCY_KINDS.map((kind) => [kind, AgencyIdSchema])) as Record<
    (typeof AGENCY_KINDS)[number],
    typeof AgencyIdSchema
  >,
);

/**
 * A birth date after the identification would make a "minor" whose 18th birthday lies beyond any deadline. The day
 * as written is close enough for that (the agency's own day differs by one at most). Compared only when the two dates
 * it reads are valid, so an invalid date gets its own message and not this one too; named beside the problems of the
 * other fields (a reference, an A-number), so a form shows them all at once, not this one after they are fixed.
 */
function bornAfter(field: 'identifiedAt' | 'identifiedOn') {
  const compared = ['survivor', 'survivor.birthDate', field];
  return {
    path: ['survivor', 'birthDate'],
    message: `must not be after ${field}`,
    // An issue of the body as a whole (not an object, neither date given) leaves nothing to compare either.
    when: (payload: z.core.ParsePayload) =>
      payload.issues.every((issue) => {
        const path = (issue.path ?? []).map(String).join('.');
        return path !== '' && !compared.includes(path);
      }),
  };
}

export const OpenCaseRequestSchema = z
  .strictObject({
    reference: chosenReferenceSchema(ASSIGNED_WHEN_LEFT_OUT)
      .describe(
        "your agency's case number, unique within your agency (left out, one is assigned). Every agency on the case reads it in clear, so it is refused (422) when it reads as an assigned one, holds a word of the survivor's name or their birth date, or has 8 digits that read as a date",
      )
      .optional(),
    /** Exactly one of these two (see app/identification.ts). */
    identifiedAt: IdentifiedAtSchema.optional(),
    identifiedOn: isoDateSchema()
      .describe(
        "the day of identification alone: its start in the identifying agency's time zone; not before 2000-10-28 (the TVPA)",
      )
      .optional(),
    survivor: SurvivorSchema,
    agencies: CaseAgenciesSchema,
    usesUVisa: z.boolean().optional(),
    confirmNotDuplicate: z
      .boolean()
      .optional()
      .describe(
        'true: open the case even though your agency has an open case of a survivor with the same name and birth date, identified at the same instant (else 409 possible_duplicate naming it)',
      ),
  })
  .superRefine((request, ctx) => {
    if ((request.identifiedAt === undefined) === (request.identifiedOn === undefined)) {
      const both = request.identifiedAt !== undefined;
      ctx.addIssue({
        code: 'custom',
        path: [both ? 'identifiedOn' : 'identifiedAt'],
        message: both
          ? 'give identifiedAt or identifiedOn, not both'
          : 'required: identifiedAt (a date and time) or identifiedOn (a date)',
      });
    }
    // Compared only when the reference, the name and the birth date are each valid, so each gets its own message.
    const unread = ctx.issues.some((issue) =>
      ['reference', 'survivor.name', 'survivor.birthDate'].includes((issue.path ?? []).slice(0, 2).join('.')),
    );
    const identity =
      request.reference === undefined || unread ? undefined : identityInReference(request.reference, request.survivor);
    if (identity) ctx.addIssue({ code: 'custom', path: ['reference'], message: identity });
  })
  .refine(
    (request) => request.identifiedOn === undefined || request.survivor.birthDate <= request.identifiedOn,
    bornAfter('identifiedOn'),
  )
  .refine(
    (request) => request.identifiedAt === undefined || request.survivor.birthDate <= request.identifiedAt.slice(0, 10),
    bornAfter('identifiedAt'),
  );

/**
 * The step id travels in the URL; the rest of a sign-off in the body. Its details depend on the step and outcome (the
 * catalogue, domain/steps.ts), so the document says in words what a refusal's reason may be: each step's own list.
 */
export const SignOffBodySchema = signOffSchema()
  .omit({ stepId: true })
  .extend({
    details: signOffSchema().shape.details.describe(
      "the outcome's details: dates, codes and a note. A refusal (declined, denied) gives `reason`, one of its step's codes: " +
        Object.entries(REFUSAL_REASONS)
          .map(([kind, codes]) => `${kind}: ${codes.join(', ')}`)
          .join('; '),
    ),
  });

/**
 * A correction of a step's sign-off: the sign-off as it should have been (a note left out keeps the step's own) and
 * why, in the corrector's words (sealed like a note; shown only to those who read the identity).
 */
export const CorrectionBodySchema = SignOffBodySchema.extend({
  reason: correctionReasonSchema(),
  expectedCorrections: z
    .number()
    .int()
    .min(0)
    .max(10_000)
    .optional()
    .describe(
      'how many corrections the step had when you read it (its details.corrections, 0 if none): a correction made meanwhile is then refused (409 correction_conflict) rather than replaced',
    ),
});

export const CaseParamsSchema = z.strictObject({ caseId: CaseIdSchema });
export const StepParamsSchema = z.strictObject({ caseId: CaseIdSchema, stepId: signOffSchema().shape.stepId });
export const DocumentParamsSchema = z.strictObject({
  caseId: CaseIdSchema,
  documentId: uuidSchema('a document id'),
});

/** A document that proves a step, as listed: never its content; its file name and hash only to who may open it. */
export const DocumentSchema = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  stepId: z.string(),
  mediaType: z.enum(DOCUMENT_MEDIA_TYPES),
  size: z.number().int().describe('bytes'),
  sha256: z
    .string()
    .optional()
    .describe(
      'of the content, lower-case hex; only to who may open the document (it would confirm a file one holds, and tie together the cases that hold it)',
    ),
  uploadedAt: instant,
  uploadedBy: z.string().nullable().describe("the uploader's username"),
  uploader: z
    .object({ displayName: z.string(), agencyId: z.string() })
    .nullable()
    .describe('the uploader by name and agency, as a step names who signed it'),
  fileName: z
    .string()
    .nullable()
    .optional()
    .describe('only to who may open the document (it often names the survivor); null when it cannot be opened'),
  stepWithdrawn: z
    .literal(true)
    .optional()
    .describe(
      "present in the case's list when a correction withdrew the step it was added to (a step opened since under the same id is another step, whose list does not show it); it stays readable and removable by whoever could before",
    ),
});
export const DocumentListSchema = z.object({ items: z.array(DocumentSchema) });
export const DocumentContentSchema = z.string().describe("the document's bytes");

/** Why a document is removed: a code from a fixed list, never words that could name the person it is about. */
export const DocumentRemovalBodySchema = z.strictObject({
  reason: z
    .enum(DOCUMENT_REMOVAL_REASONS)
    .describe(
      'why: added to the wrong case, to the wrong step, the wrong file, a duplicate of another document, or another reason',
    ),
});
/** A removed document: what the audit trail keeps of it (no file name, no content). */
export const DocumentRemovedSchema = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  stepId: z.string(),
  reason: z.enum(DOCUMENT_REMOVAL_REASONS),
  removedAt: instant,
});

/**
 * The one check of every range a filter or report takes (`openedFrom`/`openedTo`, `from`/`to`, ...): an end before its
 * start selects nothing, and an empty answer would read as "there are none", so it is refused, naming the end. Bounds
 * are days or instants and are compared as the instants they stand for (a day: its start, UTC).
 */
export function rangesInOrder<Query extends Partial<Record<Field, string>>, Field extends string>(
  ranges: readonly (readonly [from: Field, to: Field])[],
): (query: Query, ctx: z.RefinementCtx) => void {
  return (query, ctx) => {
    for (const [from, to] of ranges) {
      const start = query[from];
      const end = query[to];
      if (start === undefined || end === undefined) continue;
      if (Date.parse(instantOfBound(start)) > Date.parse(instantOfBound(end)))
        ctx.addIssue({ code: 'custom', path: [to], message: `must not be before ${from}` });
    }
  };
}

/** A page size as the query string (or the search's body, written as in its query) sends it: decimal digits. */
const PAGE_SIZE_DIGITS = /^[0-9]{1,9}$/;
const DEFAULT_PAGE_SIZE = 50;

/**
 * A page size: decimal digits (`"20"`), or in a body a JSON integer (`20`); `0x10`, `1e2`, ` 5` or `["2"]`, which
 * Number() would read, are refused as any other wrong value, once, saying what is expected (not zod's "expected
 * number, received NaN"). Documented as the integer it is.
 */
const limit = (max: number) => {
  const expected = `expected a whole number from 1 to ${max}`;
  const inRange = (value: number) => Number.isInteger(value) && value >= 1 && value <= max;
  return z
    .custom<string | number>(
      (value) =>
        typeof value === 'number'
          ? inRange(value)
          : typeof value === 'string' && PAGE_SIZE_DIGITS.test(value) && inRange(Number(value)),
      { error: expected },
    )
    .meta({ type: 'integer', minimum: 1, maximum: max, default: DEFAULT_PAGE_SIZE })
    .transform(Number)
    .default(DEFAULT_PAGE_SIZE);
};

const MAX_STEP_PAGE = 200;
const MAX_CASE_PAGE = 200;
const MAX_NOTIFICATION_PAGE = 200;
const MAX_AUDIT_PAGE = 200;

/** At most this many instants moved across a day's bound: a midnight or two for each zone the police work in. */
const MAX_MOVED_INSTANTS = 20;

/** Instants given by repeating a query parameter: one arrives as a string, several as an array. */
const movedInstants = (description: string) =>
  z
    .preprocess(
      (value) => (typeof value === 'string' ? [value] : value),
      z.array(instantSchema()).min(1).max(MAX_MOVED_INSTANTS),
    )
    .describe(description)
    .optional();

/** The filters GET /api/steps and its count (GET /api/steps/count) read alike. */
const STEPS_SELECTED = {
  status: z
    .enum(['pending', 'overdue', 'due_soon'])
    .default('pending')
    .describe(
      'due_soon: pending, due within the next 7 days and not yet overdue, as GET /api/dashboard counts dueSoon',
    ),
  agencyId: AgencyIdSchema.optional(),
  kind: z.enum(STEP_KINDS).optional(),
};

/** GET /api/steps/count: how many steps GET /api/steps lists with the same `status`, `agencyId` and `kind`. */
export const StepCountQuerySchema = z.strictObject(STEPS_SELECTED);

export const StepCountSchema = z.object({
  count: z.number().int().describe('how many steps GET /api/steps lists with the same filters, every page of them'),
});

export const StepListQuerySchema = z
  .strictObject({
    ...STEPS_SELECTED,
    dueBefore: instantBoundSchema().optional(),
    dueAfter: instantBoundSchema().optional(),
    dueAtTheHourBefore: instantBoundSchema()
      .describe(
        'in place of dueBefore for the steps whose deadline is shown at its hour (hhs_minor_notification, the 24-hour notice): a client that shows those by the day they pass on where its reader is, and the others by their last day to act, selects both by one day',
      )
      .optional(),
    dueAtTheHourAfter: instantBoundSchema()
      .describe('in place of dueAfter for the steps whose deadline is shown at its hour, as dueAtTheHourBefore')
      .optional(),
    dueAfterExcept: movedInstants(
      'with dueAfter: deadlines at these instants, though at or after dueAfter, are left out (repeat the parameter for each): a client that selects by the last day to act names the midnights after its day begins that show the day before (one passing at a police midnight reads the day before it)',
    ),
    dueBeforeAlso: movedInstants(
      'with dueBefore: deadlines at these instants, though at or after dueBefore, are listed too (repeat the parameter for each), as dueAfterExcept leaves them out',
    ),
    sort: z.enum(['dueAt', '-dueAt']).default('dueAt'),
    limit: limit(MAX_STEP_PAGE),
    cursor: z.string().min(1).max(500).optional(),
  })
  .superRefine(
    rangesInOrder([
      ['dueAfter', 'dueBefore'],
      ['dueAtTheHourAfter', 'dueAtTheHourBefore'],
    ]),
  )
  .superRefine((query, ctx) => {
    for (const [moved, bound] of [
      ['dueAfterExcept', 'dueAfter'],
      ['dueBeforeAlso', 'dueBefore'],
    ] as const)
      if (query[moved] !== undefined && query[bound] === undefined)
        ctx.addIssue({ code: 'custom', path: [moved], message: `is only taken with ${bound}` });
  });

const OVERDUE_FILTER =
  'true: cases with a pending step the caller sees past its due date; false: cases without one. With pendingKind, of that kind: pendingKind=t_visa_filing&overdue=true is the cases whose T-visa filing is overdue';

/**
 * `openedTo` is exclusive: `openedFrom=2027-01-01&openedTo=2027-02-01` is January. The identification bounds are days,
 * both included (`identifiedFrom=identifiedTo=2027-01-04` is that day), as the identifying agency wrote the day.
 */
const caseListQuery = {
  status: z.enum(['open', 'closed', 'withdrawn']).optional(),
  path: z.enum(['minor', 'adult']).optional(),
  agencyId: AgencyIdSchema.describe('cases that name this agency').optional(),
  track: z.enum(TRACKS).describe('cases with a step on this track, among the steps the caller sees').optional(),
  pendingKind: z
    .enum(STEP_KINDS)
    .describe('cases with a pending step of this kind, among the steps the caller sees')
    .optional(),
  overdue: z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .transform((value) => value === 'true')
    .describe(OVERDUE_FILTER)
    .optional(),
  openedFrom: instantBoundSchema().optional(),
  openedTo: instantBoundSchema().optional(),
  identifiedFrom: isoDateSchema()
    .describe(
      'cases identified on this day or later: the day of the identification where it was made (its identifiedOn), not the UTC day',
    )
    .optional(),
  identifiedTo: isoDateSchema()
    .describe('cases identified on this day or earlier (included), as identifiedFrom reads the day')
    .optional(),
  reference: z
    .string()
    // Pasted from an email or a letter, a reference often comes with a space either side: checked with them, so the
    // OpenAPI document's pattern takes what the API does, then trimmed.
    .regex(/^\s*[A-Za-z0-9-]{1,40}\s*$/, 'expected the start of a reference code (letters, digits, -; at most 40)')
    .trim()
    .describe('the start of the case reference, its letters in any case (spaces either side are ignored)')
    .optional(),
  limit: limit(MAX_CASE_PAGE),
  cursor: z.string().min(1).max(500).optional(),
};
const caseListRanges = rangesInOrder([
  ['openedFrom', 'openedTo'],
  ['identifiedFrom', 'identifiedTo'],
]);
export const CaseListQuerySchema = z.strictObject(caseListQuery).superRefine(caseListRanges);

/**
 * A search by survivor's name: the name in a POST body (never in a URL, so no address bar, access log or proxy holds
 * it), with the caseload's own filters and cursor, written as in its query.
 */
export const CaseSearchSchema = z
  .strictObject({
    ...caseListQuery,
    // In a JSON body, as a boolean too: `"overdue": true` as well as `"overdue": "true"`, written as in the query.
    overdue: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')], {
        error: 'expected true or false (a JSON boolean, or the string "true" or "false")',
      })
      .describe(OVERDUE_FILTER)
      .optional(),
    // Words searched for, not a name stored: the search says itself what it cannot look for (`invalid_name`).
    name: NameTextSchema.describe("the survivor's name or some of its words (given or family names, whole words)"),
  })
  .superRefine(caseListRanges);

export const NotificationListQuerySchema = z.strictObject({
  caseId: CaseIdSchema.optional(),
  agencyId: AgencyIdSchema.optional(),
  limit: limit(MAX_NOTIFICATION_PAGE),
  cursor: z.string().min(1).max(500).optional(),
});

/** RFC 9457 problem details, as every error of this API is answered. */
/** A transfer as the API takes it: the rule's own schema, with the new agency's id held to the API's id format. */
export const TransferCaseBodySchema = transferCaseSchema().extend({
  toAgencyId: AgencyIdSchema,
  fromAgencyId: AgencyIdSchema.optional().describe(
    'the agency the caller saw in that role (the one the transfer replaces): refused 409 transferred_meanwhile if another has it now, someone having transferred the case meanwhile; without it, the transfer replaces whichever agency has the role',
  ),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  requestId: z.string(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const HealthSchema = z.object({ status: z.literal('ok') });
export const ReadySchema = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.boolean()) });

/*
 * Responses. The routes do not parse their replies, so these would drift silently; the API tests parse real
 * replies with them, which keeps the document honest.
 */

const StepViewSchema = z.object({
  id: z.string(),
  kind: z.enum(STEP_KINDS),
  track: z.enum(TRACKS),
  agencyKind: z.enum(AGENCY_KINDS),
  agencyId: z.string().nullable(),
  status: z.enum(['pending', 'completed', 'declined', 'expired', 'cancelled']),
  openedAt: instant,
  dueAt: instant
    .nullable()
    .describe(
      'when the step becomes overdue; its last day to act is the day of the moment before (a date typed as "by 15 Jan" is due at the start of 16 Jan). A step due at a validity\'s end (a CP renewal request, the I-485 filing, the U-visa petition) becomes overdue only once that last day has ended everywhere in the US, 12 hours later, when the case lapses the validity',
    ),
  dueOnADay: z
    .boolean()
    .describe(
      "the deadline is a day, counted in days from a typed day (a request's date, an RFE's respond-by, an identification entered by its date on a case opened since 6 Dec 2026): its last day is the day of `dueAt` (the day before, when `dueAt` is a UTC midnight), and the step becomes overdue only once that day has ended everywhere in the US, as at a validity's end. False for a deadline counted from an instant (an identification's hour, a minor's 24 hours), which passes at `dueAt`, and for steps opened before this was kept (an older case's deadlines counted from an identification by its date fall at the police's midnight)",
    ),
  expiresAt: instant.nullable(),
  completedAt: instant.nullable(),
  outcome: z.string().nullable(),
  details: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .describe(
      "the outcome's dates and codes. A free-text `note` is sealed at rest and shown only to those who may read the survivor's identity; " +
        'for everyone else it is left out and `noteWithheld: true` says there is one',
    ),
});

export const CaseViewSchema = z.object({
  caseId: z.string(),
  reference: z.string(),
  path: z.enum(['minor', 'adult']),
  status: z.enum(['open', 'closed', 'withdrawn']),
  openedAt: instant,
  closedAt: instant.nullable(),
  policyVersion: z.string(),
  agencies: CaseAgenciesSchema,
  version: z
    .number()
    .int()
    .describe(
      'how many times the case changed, as this reader may know it: for a reader who does not see every step or ' +
        'timeline entry, the number of timeline entries it sees, so it grows only with a change it sees',
    ),
  updatedAt: instant.describe(
    "the case's last change, as this reader may know it: for a reader who does not see every step or timeline " +
      "entry, the moment of the latest entry it sees (the case's `openedAt` if none)",
  ),
  identifiedIn: z
    .string()
    .nullable()
    .optional()
    .describe(
      "the time zone the case's identification was read in (its police's at the identification), kept with the case: " +
        'a due date at a midnight of it is read on its last day there, by every reader, whatever zone the police work in ' +
        'since; null for a case that kept none, whose due dates are read in the zones of GET /api/me `deadlineTimeZones`',
    ),
  /** `overdue` is computed on read against the API clock. */
  steps: z.array(
    StepViewSchema.extend({
      overdue: z.boolean(),
      /** Who signed the step off (a staff member, by name), or null: not signed, or by no user of this service. */
      completedBy: z.object({ displayName: z.string(), agencyId: z.string().nullable() }).nullable().optional(),
    }),
  ),
  timeline: z.array(
    z.object({
      seq: z
        .number()
        .int()
        .describe(
          "the entry's place in the case's timeline; for a reader who does not see every entry, its place among " +
            'those it sees (1..n): a gap would count what it may not see',
        ),
      at: instant,
      type: z.string(),
      stepId: z.string().nullable(),
      actorAgencyId: z.string().nullable(),
      summary: z.string(),
      typedDay: isoDateSchema()
        .nullable()
        .describe(
          'the day the entry happened on when that day was entered without a time (a date typed at a sign-off, kept as ' +
            'noon UTC of it; an identification entered by its date, kept as the start of that day where the police ' +
            'work; a request asked again on a past day), and for a step opened at such an instant, whoever signed what ' +
            'opened it: read as that day, at no hour anyone entered. The same for every reader who sees the entry; ' +
            'null when it happened at its moment',
        ),
    }),
  ),
  milestones: z
    .array(
      StepViewSchema.pick({
        kind: true,
        track: true,
        status: true,
        outcome: true,
        completedAt: true,
        agencyId: true,
      })
        .extend({
          expiresAt: instant
            .nullable()
            .describe(
              "when what the step granted ends, as the step's own `expiresAt`; for an HHS certification letter, which " +
                'does not expire, the end of the benefits it opened: the start of the day after their last day (its ' +
                "`benefitEndsOn`), the day the advocate's reminders of it name",
            ),
          typedDay: isoDateSchema()
            .nullable()
            .describe(
              'the day `completedAt` stands for when its sign-off gave a day (granted on, decided on...), not a ' +
                'moment: that instant, and a step opened at it, happened on that day, at no hour anyone entered; ' +
                'null when it gave none. Never more than the day `completedAt` is kept at',
            ),
          formerTypedDays: z
            .array(isoDateSchema())
            .describe(
              'the days its sign-off gave before a correction replaced them, oldest first, each only where the ' +
                "reader's own timeline has a step opened at that day's instant (noon UTC): that step opened on that " +
                'day, at no hour anyone entered. Never more than that opening says; empty when there is none',
            ),
        })
        .describe('one step, told by these facts alone; `agencyId`: the agency that signs it'),
    )
    .describe(
      "How the other agencies' steps that the reader's own work depends on went (an advocate: Continued Presence, the " +
        "law-enforcement declarations, HHS's letters; law enforcement: the CP decisions; HHS: the CP decisions, the T " +
        'visa bona fide determination and decision), for an officer or advocate, or a supervisor of their agency, who does ' +
        'not see those steps. Never a step id, details, notes, documents or timeline entries of them. Always present; ' +
        "empty for those who see every step (the case's coordinator, its supervisors) and for ICE",
    ),
  survivorIdentity: z
    .enum(['readable', 'not_permitted_identity', 'identity_not_yet_requested'])
    .describe(
      "whether GET /api/cases/{caseId}/survivor answers this reader the survivor's identity: readable; else the code " +
        'of its 403: not_permitted_identity (not one working the case), identity_not_yet_requested (an ICE or HHS ' +
        'officer whose agency has no step on the case yet: the identity opens once a request reaches it)',
    ),
});

/** A step a correction would withdraw or reopen, as the caller may be told of it. */
const PreviewedStepSchema = z.object({
  kind: z.enum(STEP_KINDS),
  agencyKind: z.enum(AGENCY_KINDS),
  agencyId: z.string().nullable(),
  agencyName: z.string().nullable().describe('the agency that owes the step, by name'),
});

/**
 * What confirming a correction would withdraw and reopen (`POST …/corrections/preview`), each step as the caller may be
 * told of it.
 */
export const CorrectionPreviewSchema = z.object({
  withdraws: z
    .array(PreviewedStepSchema)
    .describe(
      'the pending steps the correction would withdraw that the caller may be told of (one it sees, or follows as a ' +
        'milestone), by kind and the agency that owes it; empty when none',
    ),
  withdrawsUnnamed: z
    .boolean()
    .describe(
      `true when it would also withdraw a pending step the caller may not be told of: say "${UNNAMED_LATER_STEP}", ` +
        'as the refusals do, never named, dated or counted (8 U.S.C. 1367)',
    ),
  reopens: z
    .array(PreviewedStepSchema)
    .describe(
      'the steps the correction would make pending that were not, that the caller may be told of, each as it ' +
        'would be: those the lapse it withdraws had cancelled (a CP grant corrected to a validity still running ' +
        'reopens its renewal request), those a refusal corrected to a grant opens again (withdrawn since), and those ' +
        'the corrected sign-off opens; exactly the steps then emailed "Needed again"; empty when none',
    ),
  reopensUnnamed: z
    .boolean()
    .describe(
      `true when it would also reopen a step the caller may not be told of: say "${UNNAMED_LATER_STEP}", never ` +
        'named, dated or counted (8 U.S.C. 1367)',
    ),
  lapses: z
    .object({
      step: PreviewedStepSchema.describe('the corrected step, whose validity lapses'),
      validUntil: isoDateSchema().describe("the validity's last day as corrected, already past"),
      cancels: z
        .array(PreviewedStepSchema)
        .describe(
          'the steps still owed that the lapse would cancel and the caller may be told of (a CP grant: its renewal ' +
            'request, and on the adult path a certification request it alone backs); empty when none',
        ),
      cancelsUnnamed: z
        .boolean()
        .describe(
          `true when the lapse would also cancel a step the caller may not be told of: say "${UNNAMED_LATER_STEP}"`,
        ),
    })
    .nullable()
    .describe(
      "when the correction moves a validity's end (a CP grant, an interim letter, T status, a U certification's " +
        'window) before now: on confirming, the step lapses (during an entry session, when it ends) and the lapse ' +
        'cancels what it cancels, as at any lapse; or, for a step that had lapsed, its lapse stands. Null otherwise',
    ),
});

export const StepPageSchema = z.object({
  items: z.array(
    StepViewSchema.extend({
      caseId: z.string(),
      caseReference: z.string(),
      caseIdentifiedIn: z
        .string()
        .nullable()
        .optional()
        .describe("the case's `identifiedIn`: the zone its due date's last day is read in when at a midnight of it"),
      overdue: z
        .boolean()
        .describe(
          'the step is overdue now, by the API clock: as `status=overdue` lists it and GET /api/dashboard counts it, and ' +
            "as a case's steps say it (a deadline that is a day only once that day has ended everywhere in the US)",
        ),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const CasePageSchema = z.object({
  items: z.array(
    CaseViewSchema.pick({
      caseId: true,
      reference: true,
      path: true,
      status: true,
      openedAt: true,
      closedAt: true,
      agencies: true,
      identifiedIn: true,
    }).extend({
      identifiedAt: instant.nullable(),
      identifiedOn: day
        .nullable()
        .describe('the day of the identification where it was made, as the identifying agency wrote it'),
      pendingSteps: z.number().int().describe('its pending steps the caller sees'),
      overdueSteps: z.number().int().describe('of those, the overdue'),
      nextDueAt: instant.nullable().describe('the earliest due date of its pending steps the caller sees'),
      nextDueKind: z
        .enum(STEP_KINDS)
        .nullable()
        .describe('the kind of the step due then (a deadline at the hour, as the 24-hour notice, names its hour)'),
      nextDueOnADay: z.boolean().nullable().describe("whether the deadline due then is a day, as a step's `dueOnADay`"),
      nextDueOverdue: z
        .boolean()
        .nullable()
        .describe("whether the step due then is overdue, as a step's `overdue` and `overdueSteps` count it"),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const NotificationPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      deliveryId: z
        .string()
        .describe('its email is delivered by the workflow notification-<deliveryId> (Temporal Web UI)'),
      caseId: z.string(),
      alarmId: z.string(),
      reference: z.string(),
      stepId: z.string(),
      stepKind: z.string(),
      /** `delivery_failing`: the in-app notice to a case's coordinator that one of its emails keeps failing. */
      kind: z.enum(NOTIFICATION_KINDS),
      recipientAgencyId: z.string(),
      recipientEmail: z.string().nullable(),
      subject: z.string(),
      bodyText: z.string(),
      dueAt: instant
        .nullable()
        .describe("the date the message is about; null for a minor's 18th birthday, which no notification carries"),
      createdAt: instant,
      sentAt: instant.nullable(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      failingSince: instant
        .nullable()
        .describe('when sending first failed; null once sent. The email is still being retried'),
      failedEmail: z
        .object({
          status: z
            .enum(['failing', 'sent', 'not_sent'])
            .describe(
              'failing: still being retried; sent: it went out at last; not_sent: settled as no longer owed (its step done, cancelled or moved to another agency before it could go out), `reason` says which',
            ),
          at: instant.nullable().describe('when it was sent or settled; null while failing'),
          reason: z
            .string()
            .nullable()
            .describe('why it was not sent ("not sent: the step was done before the email could go out")'),
        })
        .nullable()
        .describe('for a delivery_failing notice, how the email it is about fared since; null for any other kind'),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const ReminderListSchema = z.object({
  items: z.array(
    z.object({
      at: instant.describe('when it fires, or fired'),
      kind: z.enum(ALARM_KINDS),
      stepId: z.string(),
      stepKind: z.string(),
      about: z.string().describe('what it is about: the step kind, or a window such as cp_validity or minor_turns_18'),
      recipientAgencyId: z.string(),
      status: z
        .enum(REMINDER_STATUSES)
        .describe(
          'scheduled: still to come; held: an announcement waiting for the end of the entry session it was recorded in, listed at that end; sent: raised (in the app, and by email where the agency has an address), listed when it was due, or when it was sent if it was held; failed: its email keeps failing and is retried; not_sent: a mail outage held its email back until it was no longer owed (its step done, no longer open, or moved to another agency), so it was not sent; `notSentReason` says which',
        ),
      notSentReason: z
        .string()
        .nullable()
        .describe(
          'why a not_sent one was not sent, in words for people, as its outbox row says it ("not sent: the step moved to another agency before the email could go out"); null for any other status',
        ),
    }),
  ),
});

/* Access: users, tokens, agencies, the audit trail. */
const role = z.enum(ROLES);

export const SignInSchema = z.strictObject({
  username: z
    .string()
    .min(1)
    .max(64)
    .describe(
      'the username, read without spaces around it and in lower case as every username is (`Demo-Advocate ` signs in to demo-advocate); wrong passwords count against that account however it is typed',
    ),
  password: z.string().min(1).max(1000),
  deviceToken: z
    .string()
    .regex(DEVICE_TOKEN_SHAPE, 'a deviceToken as a sign-in answered it (rcd_ and 43 characters)')
    .optional()
    .describe(
      "the deviceToken the last sign-in to this account from this client answered: such a sign-in is judged by this client's own wrong passwords, not by the account's lockout (which anyone who knows the username can set off); a token of another account, forgotten or expired counts for nothing",
    ),
});

export const ChangePasswordSchema = z.strictObject({
  currentPassword: z.string().min(1).max(1000),
  newPassword: z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1000),
});

/**
 * The current password, asked before making a credential that outlives the session making it (an API key, up to 365
 * days, or a calendar feed, until revoked, against a session's 12 hours): a stolen session must not be enough.
 */
const CurrentPasswordSchema = z
  .string()
  .min(1)
  .max(1000)
  .describe('your current password: what you make outlives this session, so the session alone is not enough');

export const NewTokenSchema = z.strictObject({
  currentPassword: CurrentPasswordSchema,
  label: singleLineText(z.string().trim().min(1).max(100)),
  expiresInDays: z.number().int().min(1).max(MAX_API_KEY_DAYS).default(90),
});

export const UsernameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{2,63}$/,
    'expected a username: 3 to 64 of a-z 0-9 . _ -, starting with a letter or digit',
  );

const rolesSchema = z
  .array(role)
  .min(1)
  .max(ROLES.length)
  .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat');

export const NewUserSchema = z.strictObject({
  username: UsernameSchema,
  displayName: singleLineText(z.string().trim().min(1).max(200)),
  /** Left out by an agency's admin: their own agency, the only one they create users in. A system admin names it. */
  agencyId: AgencyIdSchema.optional().describe(
    "which agency the user works for; an agency's admin may leave it out (their own), a system administrator names it",
  ),
  roles: rolesSchema,
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1000)
    .optional()
    .describe(
      'what they sign in with; left out, they cannot sign in (nor make API keys) until an admin gives them a temporary password (POST /api/users/{userId}/password-reset) or links their OpenID Connect identity',
    ),
});

/** A user's roles, all of them: those left out are taken away. */
export const UserRolesSchema = z.strictObject({ roles: rolesSchema });

/** An ID token from the configured OpenID Connect provider, as the console received it (a compact JWS). */
export const OidcSessionSchema = z.strictObject({
  idToken: z
    .string()
    .min(1)
    .max(16_384)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'expected a signed JWT (three base64url parts)'),
});

/** Who a user is at an identity provider: the `iss` and `sub` of its ID tokens, exactly as the provider writes them. */
export const IdentitySchema = z.strictObject({
  issuer: z.url({ protocol: /^https?$/, message: 'expected the issuer URL, as in the ID tokens' }).max(500),
  subject: z
    .string()
    .min(1)
    .max(255)
    .refine((subject) => subject.trim() === subject, 'must not start or end with spaces'),
});

export const NewAgencySchema = z.strictObject({
  id: AgencyIdSchema,
  kind: z.enum(AGENCY_KINDS),
  name: singleLineText(z.string().trim().min(1).max(200)),
  email: z.email().max(200).nullable().default(null),
  /** Where the agency's clocks are: a date or time of identification without an offset is read there. */
  timeZone: TimeZoneSchema.nullable().default(null),
});

export const UserParamsSchema = z.strictObject({ userId: UserIdSchema });
export const TokenParamsSchema = z.strictObject({
  tokenId: z.string().regex(/^[a-z0-9]{16}$/, 'expected a token id (16 of a-z 0-9)'),
});
const MAX_USER_PAGE = 200;
export const UserListQuerySchema = z.strictObject({
  agencyId: AgencyIdSchema.optional(),
  limit: limit(MAX_USER_PAGE),
  cursor: z.string().min(1).max(500).optional(),
});

export const AuditQuerySchema = z
  .strictObject({
    caseId: CaseIdSchema.optional(),
    caseReference: z
      .string()
      // Pasted from an email or a letter, as into the caseload's reference search.
      .trim()
      .regex(/^[A-Za-z0-9-]{1,40}$/, 'expected a case reference (letters, digits, -; at most 40)')
      .optional()
      .describe(
        "the case's reference, as people know it (the whole of it), its letters in any case (spaces either side are ignored)",
      ),
    userId: UserIdSchema.optional(),
    agencyId: AgencyIdSchema.optional(),
    action: z
      .string()
      .regex(/^[A-Za-z0-9_.:/ -]{1,100}$/, 'expected an action name')
      .optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    from: instantBoundSchema().optional(),
    to: instantBoundSchema().optional(),
    limit: limit(MAX_AUDIT_PAGE),
    cursor: z.string().min(1).max(500).optional(),
  })
  .superRefine(rangesInOrder([['from', 'to']]));

export const UserViewSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  agencyId: z.string(),
  agencyKind: z.enum(AGENCY_KINDS),
  roles: z.array(role),
  createdAt: instant,
  disabledAt: instant.nullable(),
});
export const UserPageSchema = z.object({ items: z.array(UserViewSchema), nextCursor: z.string().nullable() });

/** A password the service chose for a user (a reset, or enabling them again): shown this once, kept hashed. */
export const TemporaryPasswordSchema = z.object({
  user: UserViewSchema,
  temporaryPassword: z
    .string()
    .describe('shown once; only its hash is stored. Give it to the user in person or by phone, never by email'),
});

export const TokenViewSchema = z.object({
  id: z.string(),
  kind: z
    .enum(['api_key', 'session', 'calendar_feed'])
    .describe('calendar feeds are listed with kind=calendar_feed only (your own also by GET /api/me/calendar-feeds)'),
  label: z.string(),
  createdAt: instant,
  expiresAt: instant,
  revokedAt: instant.nullable(),
  lastUsedAt: instant.nullable(),
});
const MAX_TOKEN_PAGE = 200;
export const TokenListQuerySchema = z.strictObject({
  kind: z
    .enum(['api_key', 'session', 'calendar_feed'])
    .optional()
    .describe(
      "only API keys, only sessions, or only calendar feeds (an admin's way to see a user's, to revoke one); keys and sessions by default",
    ),
  userId: UserIdSchema.optional().describe(
    "an admin's: the tokens of this user, one they administer; yours by default",
  ),
  limit: limit(MAX_TOKEN_PAGE),
  cursor: z.string().min(1).max(500).optional(),
});
export const TokenPageSchema = z.object({ items: z.array(TokenViewSchema), nextCursor: z.string().nullable() });
export const IssuedTokenSchema = TokenViewSchema.extend({
  token: z.string().describe('shown once; only its hash is stored'),
});

export const OidcNonceSchema = z.object({ nonce: z.string(), expiresAt: instant });

export const SessionSchema = z.object({ token: z.string(), expiresAt: instant, user: UserViewSchema });
export const PasswordSessionSchema = SessionSchema.extend({
  deviceToken: z
    .string()
    .describe(
      'shown once: present it as deviceToken at the next sign-in to this account from this client (valid 180 days; it replaces the one presented)',
    ),
});

export const IdentityViewSchema = z.object({
  issuer: z.string(),
  subject: z.string(),
  userId: z.string(),
  createdAt: instant,
});

export const MeSchema = z.object({
  user: UserViewSchema,
  /** What the console may offer this user; the API enforces each on every call regardless. */
  can: z.object({
    openCases: z.boolean(),
    readAudit: z.boolean(),
    administer: z.boolean(),
    signSteps: z.boolean(),
    readReports: z.boolean(),
    searchCasesByName: z.boolean().describe("POST /api/cases/search: finds cases by the survivor's name"),
  }),
  timeZone: z
    .string()
    .describe("the IANA time zone dates are shown in: the user's agency's, else the deployment's TIMEZONE"),
  deadlineTimeZones: z
    .array(z.string())
    .describe(
      "the zones a due date may have been counted in (law enforcement's, where identifications are read): one at a midnight of one of them is read on that zone's last day, by every reader",
    ),
  dueDayTimeZones: z
    .array(z.string())
    .describe(
      "every zone a due date of any case may have been counted in: deadlineTimeZones and the zones cases were identified in (each case's `identifiedIn`, kept after its police moved to another zone). A filter of many cases' steps by the last day each shows bounds its days by these: a case's last day is read in the zone it was identified in, else in deadlineTimeZones",
    ),
  now: instant.describe('the API clock, which overdue and due soon are measured against'),
});

export const AgencySchema = z.object({
  id: z.string(),
  kind: z.enum(AGENCY_KINDS),
  name: z.string(),
  email: z.string().nullable(),
  timeZone: z.string().nullable().describe("IANA time zone; null: the deployment's TIMEZONE"),
  dailyDigest: z.boolean().describe('one email a day at 07:00 local time instead of one per reminder'),
});

export const AuditPageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      at: instant,
      userId: z.string().nullable(),
      username: z.string().nullable(),
      agencyId: z.string().nullable(),
      roles: z.array(z.string()),
      action: z.string(),
      caseId: z.string().nullable(),
      caseReference: z.string().nullable(),
      stepId: z.string().nullable(),
      outcome: z.enum(AUDIT_OUTCOMES),
      status: z.number().int().nullable(),
      requestId: z.string().nullable(),
      detail: z.string().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const NewCalendarFeedSchema = z.strictObject({
  currentPassword: CurrentPasswordSchema,
  label: singleLineText(z.string().trim().min(1).max(100)).describe('what you call it, e.g. "Outlook at the office"'),
});
export const CalendarFeedSchema = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: instant,
  lastUsedAt: instant.nullable().describe('when a calendar last fetched it, to the minute'),
  revokedAt: instant.nullable(),
});
export const IssuedCalendarFeedSchema = CalendarFeedSchema.extend({
  url: z.url().describe('the secret URL to subscribe to; shown once, only its hash is stored'),
});
export const CalendarFeedListQuerySchema = z.strictObject({
  limit: limit(MAX_TOKEN_PAGE),
  cursor: z.string().min(1).max(500).optional(),
});
export const CalendarFeedPageSchema = z.object({
  items: z.array(CalendarFeedSchema),
  nextCursor: z.string().nullable(),
});
export const CalendarFeedParamsSchema = z.strictObject({
  feedId: z.string().regex(/^[a-z0-9]{16}$/, 'expected a feed id (16 of a-z 0-9)'),
});
/** The secret of a feed's URL: the shape of a token (db/tokens.ts); anything else is not found, not a 400. */
export const CalendarSecretParamsSchema = z.strictObject({ secret: z.string().max(100) });

export const AgencyParamsSchema = z.strictObject({ agencyId: AgencyIdSchema });
export const DailyDigestSchema = z.strictObject({
  enabled: z.boolean().describe("on: one email a day at 07:00 in the agency's time zone instead of one per reminder"),
});
