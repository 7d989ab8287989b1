/**
 * The deadline policy: every clock a case runs on, each number next to the source it comes from (or
 * "product choice" where no official figure exists). A case captures its policy when it opens, so changing the
 * defaults or a configured override never moves the deadlines of cases already running.
 */
import { z } from 'zod';
import { addDays, addMonths, isoDateSchema, lastDayOfMonthsFrom, type IsoDate } from './dates';
import { onFirstUse } from './on-first-use';
import { STEP_KINDS, type StepKind } from './types';

const PRODUCT_CHOICE = 'product choice';

/**
 * The policy's schema, built on first use (domain/on-first-use.ts): the case workflows import this module (the rules
 * read the policy a case carries) but never parse a policy.
 */
function buildPolicySchema() {
  const source = z.string().trim().min(1);

  const DaysSchema = z.strictObject({ days: z.number().positive(), source });
  const MonthsSchema = z.strictObject({ months: z.number().int().positive(), source });

  /** How long a pending step may stay pending; `days: null` when its due date comes from a notice or an expiry. */
  const SlaSchema = z.strictObject({ days: z.number().positive().nullable(), source });

  /** Reminders before a pending step's due date, one at the due date, and escalations to the supervisor after it. */
  const LadderSchema = z.strictObject({
    beforeDueDays: z.array(z.number().positive()),
    atDue: z.boolean(),
    escalateAfterDays: z.array(z.number().nonnegative()),
    source,
  });

  /** Reminders ahead of a validity or eligibility end (days before it). */
  const LeadSchema = z.strictObject({ leadDays: z.array(z.number().positive()), source });

  const BenefitRowSchema = z.strictObject({ from: isoDateSchema(), months: z.number().int().positive(), source });

  return z.strictObject({
    version: z.string().trim().min(1),
    sla: z.record(z.enum(STEP_KINDS), SlaSchema),
    reminders: z.record(z.enum(STEP_KINDS), LadderSchema),
    durations: z.strictObject({
      minorNotification: DaysSchema,
      interimLetter: DaysSchema,
      interimExtension: DaysSchema,
      interimExtensionsAllowed: z.strictObject({ times: z.number().int().nonnegative(), source }),
      cpInitialGrant: MonthsSchema,
      cpRenewal: MonthsSchema,
      rfeResponse: DaysSchema,
      noidResponse: DaysSchema,
      tStatus: MonthsSchema,
      tAdjustmentAfter: MonthsSchema,
      uCertificationWindow: MonthsSchema,
    }),
    expiryLeads: z.strictObject({
      cpRenewal: LeadSchema,
      interimLetter: LeadSchema,
      tStatusEnd: LeadSchema,
      uCertificationWindow: LeadSchema,
      minorTurns18: LeadSchema,
      benefitWindowEnd: LeadSchema,
    }),
    /**
     * What a case's clocks count from. `events`: each step's deadline counts from the date of the event that opened it
     * (a request made in May and entered in November is due from May), and what already passed when a command is
     * recorded is listed in one notice to the coordinator rather than sent reminder by reminder. Absent in policies
     * captured before 2026-12-02.1: those cases count from when each step was recorded, as they always did.
     */
    countsFrom: z.strictObject({ basis: z.enum(['events', 'recording']), source }).optional(),
    /** Refugee Cash/Medical Assistance months by eligibility date: dated rows so the next change is a new row. */
    benefitMonths: z
      .array(BenefitRowSchema)
      .min(1)
      .refine((rows) => rows.every((row, i) => i === 0 || rows[i - 1]!.from < row.from), {
        message: 'rows must be in increasing order of `from`',
      }),
  });
}

/** The schema a policy is validated by (`parsePolicy`, `policyWithOverrides`). */
export const policySchema = onFirstUse(buildPolicySchema);

export type Policy = z.infer<ReturnType<typeof buildPolicySchema>>;
type ReminderLadder = Policy['reminders'][StepKind];

const SRC = {
  minorNotice: '22 U.S.C. 7105(b)(1)(G): notify HHS within 24 hours of discovering a foreign-national minor',
  interim: 'HHS OTIP interim assistance letters: valid 90 days, extendable once by 30 days (22 U.S.C. 7105(b)(1)(F))',
  cpInitial: 'ICE CCHT "Continued Presence" resource guide: initial grant 2 years (22 U.S.C. 7105(c)(3))',
  cpRenewal: 'ICE CCHT "Continued Presence" resource guide: renewals of up to 2 years',
  rfe: '8 CFR 103.2(b)(8): request for evidence answered within at most 12 weeks plus 3 days for mailing',
  noid: '8 CFR 103.2(b)(8): notice of intent to deny answered within at most 30 days',
  tStatus: '8 U.S.C. 1184(o)(7); 8 CFR part 214 subpart C: T status lasts up to 4 years',
  tAdjust: '8 CFR part 214 subpart C; USCIS Policy Manual vol. 3: adjustment after 3 years of continuous presence',
  uWindow: '8 CFR 214.14(c)(2)(i): petition filed within 6 months of the certifying official signature',
} as const;

const STANDARD_LADDER: ReminderLadder = {
  beforeDueDays: [7],
  atDue: true,
  escalateAfterDays: [7],
  source: PRODUCT_CHOICE,
};
/** Steps whose deadline is a validity end: the expiry leads remind ahead of it and the expiry itself is the alarm. */
const NO_LADDER: ReminderLadder = { beforeDueDays: [], atDue: false, escalateAfterDays: [], source: PRODUCT_CHOICE };

const sla = (days: number | null, why: string = PRODUCT_CHOICE) => ({ days, source: why });

export const DEFAULT_POLICY: Policy = {
  version: '2026-12-02.1',
  sla: {
    identification: sla(null, 'completed when the case opens'),
    cp_request: sla(
      14,
      `${PRODUCT_CHOICE}; DHS "A Victim-Centered Approach": request CP as soon as a victim is identified`,
    ),
    cp_decision: sla(30, `${PRODUCT_CHOICE}; ICE publishes no decision time`),
    cp_renewal_request: sla(null, 'due at Continued Presence expiry'),
    cp_renewal_decision: sla(30, `${PRODUCT_CHOICE}; ICE publishes no decision time`),
    hhs_minor_notification: sla(1, SRC.minorNotice),
    hhs_interim_letter: sla(7, PRODUCT_CHOICE),
    hhs_eligibility_letter: sla(60, PRODUCT_CHOICE),
    hhs_certification_request: sla(14, PRODUCT_CHOICE),
    hhs_certification_letter: sla(30, PRODUCT_CHOICE),
    t_visa_filing: sla(90, PRODUCT_CHOICE),
    t_visa_receipt: sla(30, PRODUCT_CHOICE),
    t_visa_bona_fide: sla(180, `${PRODUCT_CHOICE}; USCIS publishes processing times, no deadline`),
    t_visa_evidence_response: sla(null, 'due on the respond-by date of the notice'),
    t_visa_decision: sla(730, `${PRODUCT_CHOICE}; USCIS publishes processing times, no deadline`),
    t_visa_adjustment_filing: sla(null, 'due before T status ends'),
    le_declaration: sla(30, PRODUCT_CHOICE),
    u_visa_certification: sla(30, PRODUCT_CHOICE),
    u_visa_petition: sla(null, 'due before the certification window closes'),
  },
  reminders: {
    identification: NO_LADDER,
    cp_request: STANDARD_LADDER,
    cp_decision: STANDARD_LADDER,
    cp_renewal_request: NO_LADDER,
    cp_renewal_decision: STANDARD_LADDER,
    // A 24-hour legal deadline: remind half-way, escalate six hours late.
    hhs_minor_notification: { beforeDueDays: [0.5], atDue: true, escalateAfterDays: [0.25], source: PRODUCT_CHOICE },
    hhs_interim_letter: { beforeDueDays: [2], atDue: true, escalateAfterDays: [3], source: PRODUCT_CHOICE },
    hhs_eligibility_letter: STANDARD_LADDER,
    hhs_certification_request: STANDARD_LADDER,
    hhs_certification_letter: STANDARD_LADDER,
    t_visa_filing: { beforeDueDays: [30, 7], atDue: true, escalateAfterDays: [7], source: PRODUCT_CHOICE },
    t_visa_receipt: STANDARD_LADDER,
    t_visa_bona_fide: { beforeDueDays: [], atDue: true, escalateAfterDays: [30], source: PRODUCT_CHOICE },
    t_visa_evidence_response: { beforeDueDays: [21, 7, 2], atDue: true, escalateAfterDays: [], source: PRODUCT_CHOICE },
    t_visa_decision: { beforeDueDays: [], atDue: true, escalateAfterDays: [], source: PRODUCT_CHOICE },
    t_visa_adjustment_filing: NO_LADDER,
    le_declaration: STANDARD_LADDER,
    u_visa_certification: STANDARD_LADDER,
    u_visa_petition: NO_LADDER,
  },
  durations: {
    minorNotification: { days: 1, source: SRC.minorNotice },
    interimLetter: { days: 90, source: SRC.interim },
    interimExtension: { days: 30, source: SRC.interim },
    interimExtensionsAllowed: { times: 1, source: SRC.interim },
    cpInitialGrant: { months: 24, source: SRC.cpInitial },
    cpRenewal: { months: 24, source: SRC.cpRenewal },
    rfeResponse: { days: 87, source: SRC.rfe },
    noidResponse: { days: 30, source: SRC.noid },
    tStatus: { months: 48, source: SRC.tStatus },
    tAdjustmentAfter: { months: 36, source: SRC.tAdjust },
    uCertificationWindow: { months: 6, source: SRC.uWindow },
  },
  expiryLeads: {
    cpRenewal: { leadDays: [120, 60, 30], source: `${PRODUCT_CHOICE}; ICE publishes no renewal lead time` },
    interimLetter: { leadDays: [14], source: PRODUCT_CHOICE },
    tStatusEnd: { leadDays: [180, 90, 30], source: `${PRODUCT_CHOICE}; ${SRC.tAdjust}, filed while T status lasts` },
    uCertificationWindow: { leadDays: [60, 30, 7], source: `${PRODUCT_CHOICE}; ${SRC.uWindow}` },
    minorTurns18: {
      leadDays: [90, 30, 7],
      source: `${PRODUCT_CHOICE}; HHS OTIP: a minor's request for assistance must be made before the 18th birthday`,
    },
    benefitWindowEnd: { leadDays: [30], source: PRODUCT_CHOICE },
  },
  countsFrom: {
    basis: 'events',
    source: `${PRODUCT_CHOICE}: statutory clocks (24 hours, 90 days, 12 weeks + 3 days, 6 months) run from the event itself`,
  },
  benefitMonths: [
    {
      from: '2000-10-28',
      months: 8,
      source:
        '22 U.S.C. 7105(b)(1)(A) (TVPA, enacted 2000-10-28): refugee benefits; 8 months for eligibility before 2021-10-01',
    },
    {
      from: '2021-10-01',
      months: 12,
      source: 'Refugee Cash/Medical Assistance: 12 months for eligibility from 2021-10-01',
    },
    { from: '2025-05-05', months: 4, source: '90 FR 13370: 4 months for eligibility from 2025-05-05' },
  ],
};

/**
 * How long the agency that signed a step may correct its sign-off itself, counted from when it was recorded; after
 * that the case's coordinator corrects it (domain/correction.ts). A product rule for the service, not a legal
 * deadline, so it is not captured in a case's policy: changing it applies to every case at once.
 */
export const CORRECTION_WINDOW = { days: 14, source: PRODUCT_CHOICE } as const;

/** Whether deadlines count from the events' own dates (policies since 2026-12-02.1). */
export function countsFromEvents(policy: Policy): boolean {
  return policy.countsFrom?.basis === 'events';
}

/** Validates a policy (e.g. configuration merged onto DEFAULT_POLICY); throws a ZodError naming the bad field. */
export function parsePolicy(input: unknown): Policy {
  return policySchema().parse(input);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/**
 * A configured partial override laid over a base policy (objects merge, arrays and numbers replace), then
 * validated: `{ version: 'tf-2', sla: { cp_decision: { days: 45, source: 'task force agreement' } } }`.
 * Throws a ZodError whose issue paths name the bad field.
 */
export function policyWithOverrides(override: unknown, base: Policy = DEFAULT_POLICY): Policy {
  return policySchema().parse(deepMerge(base, override));
}

export interface BenefitWindow {
  months: number;
  /** Last day of assistance, inclusive. */
  endsOn: IsoDate;
  source: string;
}

/**
 * The Refugee Cash/Medical Assistance window for a letter's eligibility date, or null before the first row. Its months
 * count with their first day: on a case that ends them as anniversaries (`asAnniversaries`, domain/case-state.ts
 * `monthsEndAsAnniversaries`), 4 months from 31 Oct 2025 run through 28 Feb 2026 (`lastDayOfMonthsFrom`); before,
 * through 27 Feb, the day before the month's last day.
 */
export function benefitWindow(eligibilityDate: IsoDate, policy: Policy, asAnniversaries = false): BenefitWindow | null {
  const row = [...policy.benefitMonths].reverse().find((candidate) => candidate.from <= eligibilityDate);
  if (!row) return null;
  const endsOn = asAnniversaries
    ? lastDayOfMonthsFrom(eligibilityDate, row.months)
    : addDays(addMonths(eligibilityDate, row.months), -1);
  return { months: row.months, endsOn, source: row.source };
}
