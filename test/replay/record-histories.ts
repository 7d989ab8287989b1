/**
 * Records case-workflow histories for the replay test: `npm run record-histories`. Run it when a release changes
 * the workflow on purpose, after guarding the change with `patched()`; commit the new files beside the old ones so
 * running cases of every version stay replayable.
 *
 * It records on the official dev server with search attributes on, as production runs. The dev server keeps real
 * time, so each case captures a policy whose clocks run in seconds: short SLAs for deadline reminders, and expiry
 * leads aimed a few seconds ahead (a validity ends at a UTC midnight and no validator accepts a past date, so the
 * expiry itself cannot be reached; its reminder can). Every wait polls the read model for the effect.
 *
 * The histories are checked against `GENERATION_CLAIMS` (history-facts.ts) before any file is written: a recording
 * that lost coverage fails and leaves the committed files as they were. A case that continued as new is written one
 * file per run (`-run1`, `-run2`, ...), so how many runs there are is never assumed. The workflows the cases set going
 * (deliveries, gatherings of notices) are written to other-histories/ as they stand (`recordOthers`). About 35 s on two
 * cores.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { CaseCommands } from '../../app/case-commands';
import {
  DELIVERY_WORKFLOW_TYPE,
  DIGEST_WORKFLOW_TYPE,
  PASSED_NOTICES_WORKFLOW_TYPE,
  deliveryReportSignal,
  workflowIdOf,
} from '../../workflows/contract';
import { listNotifications } from '../../db/notifications';
import { getCase } from '../../db/read-model';
import { upsertAgencies } from '../../db/agencies';
import { DEMO_AGENCIES } from '../../db/seed';
import { workingActor } from '../../domain/access';
import type { DeliveryReport } from '../../domain/alarms';
import { stepKindOfId, type AlarmKind } from '../../domain/case-state';
import { addDays, addMonths, addYears, dateOf, endOfDay, type IsoDate } from '../../domain/dates';
import { DEFAULT_POLICY, policyWithOverrides } from '../../domain/policy';
import { STEP_CATALOGUE, type StepDetails } from '../../domain/steps';
import { type Actor, type AgencyKind, type Instant, type StepKind } from '../../domain/types';
import { dataConverterFor } from '../../temporal/data-converter';
import { eventually, startStack, TEST_PAYLOAD_KEYRING, type Stack } from '../support/stack';
import { describeFacts, historyFacts, unmetClaims } from './history-facts';

/**
 * The generation of histories this script records. Earlier generations stay in histories/ and keep replaying:
 * v1 predates roles on the Actor (see ROLES_PATCH in workflows/case-workflow.ts); v2 carries them; both come from
 * the time-skipping server without search attributes. v3 comes from the dev server with search attributes, and
 * covers expiry reminders, T-visa evidence requests, the U visa and continue-as-new (see GENERATION_CLAIMS). v4 is
 * the same cases after notify became "record the notification and start its delivery workflow" (no timeout that
 * could fail the case) and the case learned the delivery reports (a signal). v5 puts a minor's 18th-birthday
 * reminders on a weekly grid (BIRTHDAY_GRID_PATCH), so their timing no longer reveals the birth date. v6 comes from
 * a policy counting from events: steps open at the identification instant, and a case entered a month late lists
 * the alarms that had passed in one notice to its coordinator. v7 projects the read model through a local activity.
 * v8 re-signs a corrected step as of when it was signed (CORRECTION_AS_SIGNED_PATCH): its adult case corrects a
 * sign-off. v9 upserts search attributes only when one of them changes (SEARCH_ATTRIBUTES_ON_CHANGE_PATCH). v10 raises
 * the renewal reminder of a CP grant recorded with every lead behind it (LATE_LEADS_PATCH): the adult case's grant
 * runs three weeks until corrected. v11 holds an expiry revealed as passed while a history is entered and sends one
 * notice for the session (PASSED_NOTICE_GATHER_PATCH): its late adult is entered sign-off by sign-off, a lapsed grant
 * among them. It also carries commands bound to their case and update id. v12 reads dates as written
 * (DATES_AS_WRITTEN_PATCH: a past day at noon UTC, never before its step opened; a validity applied once its last day
 * has ended everywhere in the US): its late adult was identified late in a day and its CP request made that day; and
 * takes a delivery report only for its own case (DELIVERY_REPORT_BOUND_PATCH): the late adult is sent its own and one
 * naming another case. v13 withdraws the certification request of a denied T visa with no CP in force
 * (DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH) and tells what passed as a case closes within its entry session
 * (PASSED_TOLD_WHEN_CLOSED_PATCH): its denied adult is entered late and closed at once. v14 gathers a minor's
 * birthday leads already behind at entry into the entry session's notice (BIRTHDAY_LEADS_GATHERED_PATCH). v15 records one patch marker per run, the bundle's (PATCH_BUNDLE_2026_12), for
 * every patch before it, a CP lapse withdrawing an unbacked certification request (LAPSED_CP_WITHDRAWS_CERTIFICATION_PATCH)
 * among them. v16 takes a corrected step's followers as the steps its own sign-off opened (CORRECTION_FOLLOWERS_PATCH,
 * its own marker beside the bundle's): its adult case corrects a sign-off. v18 records one patch marker per run again,
 * the second bundle's (PATCH_BUNDLES), for every patch before it and those asked on their own since: a corrected end an
 * expiry email named is told (CORRECTED_END_TOLD_PATCH: the adult case's grant, reminded, then corrected), and a
 * transfer's emails are recorded by the workflow (TRANSFERS_TOLD_BY_OUTBOX_PATCH: the minor's case changes police).
 * v19 records the third bundle's one marker, for the second's patches and three more: the announcements of a sign-off
 * entered after the fact held for the entry session it opens (BACKDATED_ENTRY_SESSION_PATCH), the due date a "Needed
 * again" email names kept as announced (NEEDED_AGAIN_DATE_TOLD_PATCH), and a grant after a told refusal told as granted
 * again (GRANTED_AGAIN_TOLD_PATCH). v20 records the third bundle's marker and, in a case it opens, one asked on its own
 * after it: an entry session's notice lists a step another agency settled before a transfer to the coordinator alone
 * (PASSED_TOLD_TO_OWNER_PATCH). v21 asks one more on its own after that one: a minor's 18th birthday begins once it has
 * begun everywhere in the US, at noon UTC (BIRTHDAY_BEGINS_IN_US_PATCH). v22 asks another: a minor's case is entered
 * after the fact, for its passed birthday leads, a full day after the identification (LEADS_GATHERED_AFTER_A_DAY_PATCH).
 * v23 records the same cases beside an agency's gathering of notices of what passed that waits a whole working session
 * (PASSED_NOTICES_GATHER_A_SESSION_PATCH, asked by the gathering, not the case: its histories are among the others).
 * v24 asks two more on their own in a case it opens: an HHS certification letter withdrawn when its ground goes and a
 * renewal requested in time left out of the catch-up notice (GROUND_AND_CATCH_UP_RULES_PATCH), and a deadline whose
 * last day is a day met all of that day wherever in the US it is read (DAYS_DUE_ALL_DAY_PATCH).
 * v25 asks one more, first, in a case it opens: the case opens on the rules of its run, its deadlines counted from an
 * identification entered by its day as from a typed day (OPENED_ON_CURRENT_RULES_PATCH).
 * v26 asks one more on its own in a case it opens: a deadline counted in days from a day typed as today, or ahead of the
 * UTC date, counts from that day (TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH).
 * v27 asks two more, each on its own, in a case it opens: a period of months counted with its first day ends the day
 * before its anniversary as a birthday falls, 1 Mar where the month is too short (MONTHS_END_AS_ANNIVERSARIES_PATCH);
 * a minor's HHS notice dated by its day is in time on or before the day its 24 hours end where the police work
 * (MINOR_NOTICE_BY_ITS_DAY_PATCH).
 * v28 asks two more, each on its own, in a case it opens: a sign-off is applied on its signer's today, as it was
 * checked, so a CP grant signed without its day in the Honolulu evening runs from that day (SIGNERS_TODAY_APPLIED_PATCH);
 * a typed day that is its step's opening's own day, an hour on the next UTC day, counts from that day
 * (OPENING_DAY_COUNTS_AS_A_DAY_PATCH).
 * v29 records the fourth bundle's one marker, for the third's patches and the eleven v20 to v28 asked on their own.
 * v30 records the fifth bundle's one marker, for the fourth's patches and two more: a CP renewal granted while the
 * grant is in force, its last day included, runs on from the day after that last day
 * (RENEWAL_RUNS_ON_FROM_GRANT_END_PATCH); the reminder that a survivor may now adjust status fires once that day has
 * begun everywhere in the US (ADJUSTMENT_ELIGIBLE_ON_ITS_DAY_PATCH).
 */
const GENERATION = 'v31';

const SECOND_IN_DAYS = 1 / 86_400;
/** How long an entry session's notice of what passed waits once the case is left alone: seconds, not half an hour. */
const PASSED_NOTICE_GATHER_MS = 3_000;
const DAY_MS = 86_400_000;
/** How far ahead an expiry reminder is aimed when its case opens: the sign-offs that open the window come first. */
const EXPIRY_REMINDER_DELAY_MS = 8_000;
/** Past this many events the U-visa case continues as new: after a few sign-offs, never on opening alone. */
const CAN_HISTORY_LIMIT = 80;
/** An alarm a few seconds away, plus the activities it runs, on a slow machine. */
const ALARM_TIMEOUT_MS = 30_000;
const RECORDING = 'recording: clocks in seconds so alarms fire on the real-time dev server';
/** The police department a recorded case is transferred to. */
const RECORDED_NEW_POLICE = {
  id: 'recorded-new-police',
  kind: 'law_enforcement',
  name: 'Recorded New Police (fictitious)',
  email: 'unit@recorded-police.example.gov',
} as const;

const actor = (kind: AgencyKind): Actor =>
  workingActor({ userId: `recorder-${kind}`, agencyId: DEMO_AGENCIES[kind], agencyKind: kind });

function kindOf(stepId: string): StepKind {
  const kind = stepKindOfId(stepId);
  if (!kind) throw new Error(`no step kind for ${stepId}`);
  return kind;
}

/** Each sign-off comes from the agency kind that owns the step, as the catalogue says. */
const sign = (cases: CaseCommands, caseId: string, stepId: string, outcome: string, details: StepDetails = {}) =>
  cases.signOff(caseId, { stepId, outcome, details }, actor(STEP_CATALOGUE[kindOf(stepId)].owner));

const nowMs = (stack: Stack) => stack.env.currentTimeMs();
const nowIso = async (stack: Stack): Promise<Instant> => new Date(await nowMs(stack)).toISOString();
const today = async (stack: Stack): Promise<IsoDate> => dateOf(await nowIso(stack));

/** The expiry lead (in days) that puts a reminder at `fireAtMs` ahead of a window ending at `endsAt`. */
const leadDaysFiringAt = (endsAt: Instant, fireAtMs: number) => [(Date.parse(endsAt) - fireAtMs) / DAY_MS];

/** A lead reminder earlier than the sign-off that opens its window is dropped by the rules: say so, not time out. */
async function beforeReminder(stack: Stack, fireAtMs: number, what: string): Promise<void> {
  if ((await nowMs(stack)) > fireAtMs - 1_000)
    throw new Error(`${what} came too late for its expiry reminder; raise EXPIRY_REMINDER_DELAY_MS`);
}

/** Waits until the read model's timeline shows the alarm fired for the step. */
async function alarmFired(stack: Stack, caseId: string, kind: AlarmKind, stepId: string): Promise<void> {
  await eventually(
    async () =>
      (await getCase(stack.pool, caseId))?.timeline.some(
        (entry) => entry.type === `alarm.${kind}` && entry.stepId === stepId,
      ),
    `the ${kind} alarm of ${stepId}`,
    ALARM_TIMEOUT_MS,
  );
}

interface Recorded {
  name: string;
  caseId: string;
}

/**
 * An adult case: the declaration's reminder ladder fires (reminder, due, escalation within seconds), CP is granted,
 * the T visa is filed and answered through a request for evidence and a notice of intent to deny, then approved;
 * certification follows and the coordinator closes the case.
 */
async function adultTVisaWithEvidenceRequests(stack: Stack): Promise<Recorded> {
  stack.setPolicy(
    policyWithOverrides({
      version: 'recording-v3-declaration-ladder',
      sla: { le_declaration: { days: 4 * SECOND_IN_DAYS, source: RECORDING } },
      reminders: {
        le_declaration: {
          beforeDueDays: [2 * SECOND_IN_DAYS],
          atDue: true,
          escalateAfterDays: [SECOND_IN_DAYS],
          source: RECORDING,
        },
      },
    }),
  );
  const day = await today(stack);
  const { caseId } = await stack.cases.open(
    {
      identifiedAt: await nowIso(stack),
      survivor: { name: 'Recorded Adult', birthDate: '1990-01-01' },
      agencies: DEMO_AGENCIES,
    },
    actor('law_enforcement'),
  );
  // The escalation is the last rung of the ladder: once it fired, so did the reminder and the due notice.
  await alarmFired(stack, caseId, 'escalation', 'le_declaration-1');
  await sign(stack.cases, caseId, 'le_declaration-1', 'signed', { signedOn: day });
  await sign(stack.cases, caseId, 'cp_request-1', 'requested', { requestedOn: day });
  // A grant of three weeks has every renewal lead behind it: one reminder is raised as it is recorded.
  await sign(stack.cases, caseId, 'cp_decision-1', 'granted', { validUntil: addDays(day, 21) });
  await alarmFired(stack, caseId, 'expiry_reminder', 'cp_decision-1');
  await stack.cases.correct(
    caseId,
    {
      stepId: 'cp_decision-1',
      outcome: 'granted',
      details: { validUntil: addDays(addMonths(day, 24), -1) },
      reason: 'recorded: the grant runs two years less a day',
    },
    actor('coordinator'),
  );
  await sign(stack.cases, caseId, 't_visa_filing-1', 'filed', { filedOn: day });
  await sign(stack.cases, caseId, 't_visa_receipt-1', 'received', { receivedOn: day });
  await sign(stack.cases, caseId, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: day });
  await sign(stack.cases, caseId, 't_visa_decision-1', 'evidence_requested', {
    notice: 'rfe',
    issuedOn: day,
    respondBy: addDays(day, 30),
  });
  await sign(stack.cases, caseId, 't_visa_evidence_response-1', 'responded', { respondedOn: day });
  await sign(stack.cases, caseId, 't_visa_decision-1', 'evidence_requested', {
    notice: 'noid',
    issuedOn: day,
    respondBy: addDays(day, 20),
  });
  await sign(stack.cases, caseId, 't_visa_evidence_response-2', 'responded', { respondedOn: day });
  await sign(stack.cases, caseId, 't_visa_decision-1', 'approved', {
    approvedOn: day,
    validUntil: addDays(addMonths(day, 48), -1),
    adjustmentEligibleFrom: addMonths(day, 36),
  });
  await sign(stack.cases, caseId, 'hhs_certification_request-1', 'requested', { requestedOn: day });
  await sign(stack.cases, caseId, 'hhs_certification_letter-1', 'certified', { eligibilityDate: day });
  await stack.cases.close(caseId, { status: 'closed', reason: 'relief_obtained' }, actor('coordinator'));
  return { name: 'adult-t-visa-evidence-closed', caseId };
}

/**
 * A minor identified 30 days before turning 18 (the urgent reminder fires at once), notified to HHS, given an
 * interim letter whose expiry reminder fires seconds later, the letter extended, then the eligibility letter.
 * Left open, as a running minor's case is.
 */
async function minorInterimLetterExpiry(stack: Stack): Promise<Recorded> {
  const day = await today(stack);
  const validUntil = addDays(day, 30);
  const fireAt = (await nowMs(stack)) + EXPIRY_REMINDER_DELAY_MS;
  stack.setPolicy(
    policyWithOverrides({
      version: 'recording-v3-interim-expiry',
      expiryLeads: { interimLetter: { leadDays: leadDaysFiringAt(endOfDay(validUntil), fireAt), source: RECORDING } },
    }),
  );
  const birthDate = addDays(addYears(day, -18), 30);
  const { caseId } = await stack.cases.open(
    { identifiedAt: await nowIso(stack), survivor: { name: 'Recorded Minor', birthDate }, agencies: DEMO_AGENCIES },
    actor('law_enforcement'),
  );
  await alarmFired(stack, caseId, 'expiry_reminder', 'hhs_minor_notification-1');
  await sign(stack.cases, caseId, 'hhs_minor_notification-1', 'notified', { notifiedOn: day });
  await beforeReminder(stack, fireAt, 'the interim letter');
  await sign(stack.cases, caseId, 'hhs_interim_letter-1', 'issued', { issuedOn: day, validUntil });
  await alarmFired(stack, caseId, 'expiry_reminder', 'hhs_interim_letter-1');
  await sign(stack.cases, caseId, 'hhs_interim_letter-1', 'extended');
  await sign(stack.cases, caseId, 'hhs_eligibility_letter-1', 'issued', { eligibilityDate: day });
  // The police move the case to another department: both are told through the outbox (TRANSFERS_TOLD_BY_OUTBOX_PATCH).
  await upsertAgencies(stack.pool, [RECORDED_NEW_POLICE]);
  await stack.cases.transfer(
    caseId,
    { agencyKind: 'law_enforcement', toAgencyId: RECORDED_NEW_POLICE.id, reason: 'moved_jurisdiction' },
    actor('coordinator'),
  );
  await eventually(
    async () =>
      (await listNotifications(stack.pool, { caseId, limit: 20 })).items.filter((n) => n.kind === 'case_transferred')
        .length === 2,
    'both emails of the transfer recorded',
    ALARM_TIMEOUT_MS,
  );
  return { name: 'minor-interim-expiry-open', caseId };
}

/**
 * An adult U-visa case with a low history limit: the certification window's expiry reminder fires seconds after the
 * signature, sign-offs go on until the case continues as new (the limit is crossed, not counted: the loop stops at
 * the first new run), and the resumed run takes the petition, the CP request and a short CP grant, whose renewal
 * reminder is raised at once. The resumed run does less than the first did, so it stays under the same limit.
 */
async function uVisaContinuedAsNew(stack: Stack): Promise<Recorded> {
  const cases = stack.casesOn(stack.client, { historyLimit: CAN_HISTORY_LIMIT });
  const day = await today(stack);
  const windowEnds = endOfDay(addMonths(day, DEFAULT_POLICY.durations.uCertificationWindow.months));
  const fireAt = (await nowMs(stack)) + EXPIRY_REMINDER_DELAY_MS;
  stack.setPolicy(
    policyWithOverrides({
      version: 'recording-v3-u-visa',
      expiryLeads: { uCertificationWindow: { leadDays: leadDaysFiringAt(windowEnds, fireAt), source: RECORDING } },
    }),
  );
  const { caseId } = await cases.open(
    {
      identifiedAt: await nowIso(stack),
      survivor: { name: 'Recorded U Visa', birthDate: '1985-05-05' },
      agencies: DEMO_AGENCIES,
      usesUVisa: true,
    },
    actor('law_enforcement'),
  );
  const handle = stack.client.workflow.getHandle(workflowIdOf(caseId));
  const firstRunId = (await handle.describe()).runId;
  const continued = async () => (await handle.describe()).runId !== firstRunId;

  await beforeReminder(stack, fireAt, 'the U-visa certification');
  await sign(cases, caseId, 'u_visa_certification-1', 'signed', { signedOn: day });
  await alarmFired(stack, caseId, 'expiry_reminder', 'u_visa_certification-1');
  const untilContinued: Array<[string, string, StepDetails]> = [
    ['le_declaration-1', 'signed', { signedOn: day }],
    ['t_visa_filing-1', 'filed', { filedOn: day }],
    ['t_visa_receipt-1', 'received', { receivedOn: day }],
    ['t_visa_bona_fide-1', 'bona_fide', { determinedOn: day }],
    ['t_visa_decision-1', 'evidence_requested', { notice: 'rfe', issuedOn: day, respondBy: addDays(day, 30) }],
    ['t_visa_evidence_response-1', 'responded', { respondedOn: day }],
    ['hhs_certification_request-1', 'requested', { requestedOn: day }],
    ['hhs_certification_letter-1', 'certified', { eligibilityDate: day }],
  ];
  for (const [stepId, outcome, details] of untilContinued) {
    if (await continued()) break;
    await sign(cases, caseId, stepId, outcome, details);
  }
  if (!(await continued()))
    throw new Error(`the U-visa case never continued as new; lower CAN_HISTORY_LIMIT (${CAN_HISTORY_LIMIT})`);

  await sign(cases, caseId, 'u_visa_petition-1', 'filed', { filedOn: day });
  await sign(cases, caseId, 'cp_request-1', 'requested', { requestedOn: day });
  // A grant of three weeks has every renewal lead behind it: one reminder is raised as it is recorded, whatever the
  // hour. The decision's own reminder no longer serves: counted from the noon of the day typed
  // (TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH), its seconds fall hours from this server's wall clock.
  await sign(cases, caseId, 'cp_decision-1', 'granted', { validUntil: addDays(day, 21) });
  await alarmFired(stack, caseId, 'expiry_reminder', 'cp_decision-1');
  return { name: 'adult-u-visa-continued', caseId };
}

type History = temporal.api.history.v1.IHistory;

/** Every run of the case, first to latest, once none has a workflow task or activity in flight. */
/**
 * An adult identified a month before the case is entered, under the default policy, entered one sign-off after
 * another: the CP request (made in time, so none of its passed reminders is told), a grant that lapsed two days ago
 * (its expiry held while the history is entered), and the renewal requested before it lapsed. The session's one
 * notice to the coordinator goes once the case is left alone (a few seconds here); the grant then shows expired,
 * the renewal decision pending. Left open.
 */
async function adultEnteredLate(stack: Stack): Promise<Recorded> {
  stack.setPolicy(DEFAULT_POLICY);
  const now = await nowMs(stack);
  const daysAgo = (days: number) => dateOf(new Date(now - days * DAY_MS).toISOString());
  // The last second of its day: the request made that day, recorded at an earlier time of day, dates at it.
  const identifiedAt = `${daysAgo(30)}T23:59:59.000Z`;
  const { caseId } = await stack.cases.open(
    { identifiedAt, survivor: { name: 'Recorded Late Adult', birthDate: '1991-01-01' }, agencies: DEMO_AGENCIES },
    actor('law_enforcement'),
  );
  await sign(stack.cases, caseId, 'cp_request-1', 'requested', { requestedOn: daysAgo(30) });
  await sign(stack.cases, caseId, 'cp_decision-1', 'granted', { grantedOn: daysAgo(20), validUntil: daysAgo(2) });
  await sign(stack.cases, caseId, 'cp_renewal_request-1', 'requested', { requestedOn: daysAgo(10) });
  await eventually(
    async () =>
      (await listNotifications(stack.pool, { caseId, limit: 10 })).items.some((n) => n.kind === 'passed_summary'),
    'the notice of what passed',
    ALARM_TIMEOUT_MS,
  );
  // A report of its own notice's email, and one for another case (a sealed report copied out of its history).
  const report = (about: string): DeliveryReport => ({
    caseId: about,
    alarmId: 'passed_summary:recorded',
    stepId: 'cp_request-1',
    kind: 'passed_summary',
    recipientAgencyId: DEMO_AGENCIES.coordinator,
    status: 'failing',
    at: new Date(now).toISOString(),
  });
  const handle = stack.client.workflow.getHandle(workflowIdOf(caseId));
  await handle.signal(deliveryReportSignal, report(randomUUID()));
  await handle.signal(deliveryReportSignal, report(caseId));
  await eventually(
    async () => (await getCase(stack.pool, caseId))?.timeline.some((entry) => entry.type === 'notification.failing'),
    'its own delivery report',
    ALARM_TIMEOUT_MS,
  );
  return { name: 'adult-entered-late-open', caseId };
}

/**
 * An adult entered a month and a half late, whose T visa was denied with no CP in force: the denial withdraws the
 * certification request the bona fide determination opened (DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH). The CP
 * decision it waits on is long overdue when entered, and the coordinator closes the case at once, within the entry
 * session: the notice of what passed goes as it closes (PASSED_TOLD_WHEN_CLOSED_PATCH).
 */
async function adultDeniedClosedWhileEntered(stack: Stack): Promise<Recorded> {
  stack.setPolicy(DEFAULT_POLICY);
  const now = await nowMs(stack);
  const daysAgo = (days: number) => dateOf(new Date(now - days * DAY_MS).toISOString());
  const { caseId } = await stack.cases.open(
    {
      identifiedAt: `${daysAgo(45)}T15:00:00.000Z`,
      survivor: { name: 'Recorded Denied Adult', birthDate: '1992-02-02' },
      agencies: DEMO_AGENCIES,
    },
    actor('law_enforcement'),
  );
  await sign(stack.cases, caseId, 'cp_request-1', 'requested', { requestedOn: daysAgo(45) });
  await sign(stack.cases, caseId, 't_visa_filing-1', 'filed', { filedOn: daysAgo(40) });
  await sign(stack.cases, caseId, 't_visa_receipt-1', 'received', { receivedOn: daysAgo(35) });
  await sign(stack.cases, caseId, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: daysAgo(20) });
  await sign(stack.cases, caseId, 't_visa_decision-1', 'denied', { reason: 'not_complied', decidedOn: daysAgo(5) });
  await stack.cases.close(caseId, { status: 'closed', reason: 'not_eligible' }, actor('coordinator'));
  await eventually(
    async () =>
      (await listNotifications(stack.pool, { caseId, limit: 10 })).items.some((n) => n.kind === 'passed_summary'),
    'the notice of what passed, sent as the case closed',
    ALARM_TIMEOUT_MS,
  );
  return { name: 'adult-denied-closed-entered', caseId };
}

/**
 * An adult entered ten days after the identification and closed at once, within the entry session, before the CP
 * request fell due: the request's reminder, which fell before the entry, is listed as missed as the case closes, the
 * cancelled request not taken for one done in time (CANCELLED_IS_NOT_DONE_PATCH).
 */
async function adultClosedBeforeDueWhileEntered(stack: Stack): Promise<Recorded> {
  stack.setPolicy(DEFAULT_POLICY);
  const now = await nowMs(stack);
  const { caseId } = await stack.cases.open(
    {
      identifiedAt: new Date(now - 10 * DAY_MS).toISOString(),
      survivor: { name: 'Recorded Closed Before Due', birthDate: '1991-03-03' },
      agencies: DEMO_AGENCIES,
    },
    actor('law_enforcement'),
  );
  await stack.cases.close(caseId, { status: 'closed', reason: 'other' }, actor('coordinator'));
  await eventually(
    async () =>
      (await listNotifications(stack.pool, { caseId, limit: 10 })).items.some((n) => n.kind === 'passed_summary'),
    'the notice of the reminder the cancelled request missed, sent as the case closed',
    ALARM_TIMEOUT_MS,
  );
  return { name: 'adult-closed-before-due', caseId };
}

async function runsOf(stack: Stack, caseId: string): Promise<History[]> {
  const workflowId = workflowIdOf(caseId);
  const latest = stack.client.workflow.getHandle(workflowId);
  await eventually(async () => {
    const { raw } = await latest.describe();
    return !raw.pendingWorkflowTask && (raw.pendingActivities ?? []).length === 0;
  }, `${workflowId} to settle`);
  const runs: History[] = [];
  let runId: string | undefined = (await latest.describe()).runId;
  while (runId) {
    const history: History = await stack.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(history);
    // A run started by continue-as-new names the run it continues.
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

async function record(stack: Stack, recorded: Recorded[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const { name, caseId } of recorded) {
    const runs = await runsOf(stack, caseId);
    runs.forEach((run, i) =>
      files.set(`${GENERATION}-${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`, historyToJSON(run)),
    );
  }
  return files;
}

/**
 * The workflows the cases set going beside their own (an email's delivery, an agency's gathering of notices of what
 * passed, a daily digest), as they stand when the cases are recorded, a few of each type that ran: one still waiting
 * replays as far as it went. They are written apart (other-histories/), and no claims are made of them.
 */
export const OTHER_WORKFLOW_TYPES = [DELIVERY_WORKFLOW_TYPE, PASSED_NOTICES_WORKFLOW_TYPE, DIGEST_WORKFLOW_TYPE];
const OTHERS_PER_TYPE = 2;

async function recordOthers(stack: Stack): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const type of OTHER_WORKFLOW_TYPES) {
    let n = 0;
    for await (const execution of stack.client.workflow.list({ query: `WorkflowType = '${type}'` })) {
      const history = await stack.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      files.set(`${GENERATION}-${type}-${++n}.json`, historyToJSON(history));
      if (n === OTHERS_PER_TYPE) break;
    }
    console.log(`${type}: ${n} recorded`);
  }
  return files;
}

/** Prints what each history covers and refuses a generation that lost any of its claims. */
async function checkCoverage(files: Map<string, string>): Promise<void> {
  const converter = dataConverterFor(TEST_PAYLOAD_KEYRING);
  const facts = [];
  for (const [file, json] of files) {
    const fact = await historyFacts(JSON.parse(json), converter);
    console.log(`${file}: ${describeFacts(fact)}`);
    facts.push(fact);
  }
  const unmet = unmetClaims(GENERATION, facts);
  if (unmet.length)
    throw new Error(`the recorded ${GENERATION} histories lost coverage (nothing written):\n  ${unmet.join('\n  ')}`);
}

/** Replaces this generation's files only: a re-recording leaves no stale run behind and other generations untouched. */
function write(dir: string, files: Map<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir).filter((file) => file.startsWith(`${GENERATION}-`) && file.endsWith('.json')))
    rmSync(join(dir, old));
  for (const [file, json] of files) writeFileSync(join(dir, file), json);
  console.log(`wrote ${files.size} ${GENERATION} histories to ${dir}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startStack({ server: 'dev', passedNoticeGatherMs: PASSED_NOTICE_GATHER_MS });
  try {
    const recorded = [
      await adultTVisaWithEvidenceRequests(stack),
      await minorInterimLetterExpiry(stack),
      await uVisaContinuedAsNew(stack),
      await adultEnteredLate(stack),
      await adultDeniedClosedWhileEntered(stack),
      await adultClosedBeforeDueWhileEntered(stack),
    ];
    const files = await record(stack, recorded);
    await checkCoverage(files);
    const others = await recordOthers(stack);
    write(join(__dirname, 'histories'), files);
    write(join(__dirname, 'other-histories'), others);
  } finally {
    await stack.stop();
  }
  console.log(`recorded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
