/**
 * The workflows' contract: what the API, the activities, the tests and the workflows themselves share about them
 * (ids, type names, inputs, the updates, queries and signals, the rejection type). Importing this module never loads
 * workflow code: the client knows a case workflow only through it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveryReport } from '../domain/alarms';
import type {
  AskAgainCommand,
  CaseCommandResult,
  CaseState,
  CloseCommand,
  CorrectionCommand,
  OpenCaseInput,
  SignOffCommand,
  TransferCommand,
} from '../domain';

/** One workflow per case, of this type. */
export const CASE_WORKFLOW_TYPE = 'caseWorkflow';

interface RunOptions {
  /** Upsert the case's search attributes (the time-skipping test server has none registered). */
  searchAttributes: boolean;
  /** History length after which the case continues as new, unless the server suggests it sooner. */
  historyLimit?: number;
  /**
   * How long after the last change the coordinator's notice of what passed waits for more of the same entry session
   * (PASSED_NOTICE_GATHER_PATCH); default `DEFAULT_PASSED_NOTICE_GATHER_MS`. Tests and the history recorder shorten it.
   */
  passedNoticeGatherMs?: number;
}

/**
 * Entering a case's history takes a while: its notice of what passed waits this long after the last entry. An agency's
 * gathering of those notices waits as long after the last (PASSED_NOTICES_GATHER_A_SESSION_PATCH).
 */
export const DEFAULT_PASSED_NOTICE_GATHER_MS = 30 * 60_000;

export type CaseWorkflowInput =
  | ({ kind: 'open'; open: OpenCaseInput } & RunOptions)
  /** Continue-as-new carries the whole state forward; nothing is lost and no step reopens. */
  | ({ kind: 'resume'; state: CaseState } & RunOptions);

/** The case workflow's signature, for typed starts by name. */
export type CaseWorkflow = (input: CaseWorkflowInput) => Promise<CaseState>;

export const signOffUpdate = defineUpdate<CaseCommandResult, [SignOffCommand]>('signOff');
export const closeUpdate = defineUpdate<CaseCommandResult, [CloseCommand]>('close');
/** Hands the case's agency of a kind over to another (the coordinator's); a new handler, so no patch is needed. */
export const transferUpdate = defineUpdate<CaseCommandResult, [TransferCommand]>('transfer');
/**
 * Opens a fresh request of a track that ended denied, lapsed or declined (domain/ask-again.ts); a new handler, so no
 * patch is needed.
 */
export const askAgainUpdate = defineUpdate<CaseCommandResult, [AskAgainCommand]>('askAgain');
/** Corrects a step's sign-off (domain/correction.ts); its reason travels sealed, like a note. */
export const correctSignOffUpdate = defineUpdate<CaseCommandResult, [CorrectionCommand]>('correctSignOff');
/** Answers once the read model shows the current state: the API's read-your-writes after starting a case. */
export const syncUpdate = defineUpdate<CaseCommandResult>('sync');
export const caseStateQuery = defineQuery<CaseState>('caseState');

/** The type an update validator's refusal carries, so the API can answer 403/409/422 with the rule's reason. */
export const REJECTION_FAILURE_TYPE = 'CaseCommandRejected';

/** One workflow per case. */
export const workflowIdOf = (caseId: string) => `case-${caseId}`;

/**
 * One delivery workflow per notification, named by the random id its outbox row was made with: starting it again
 * finds the same one, and the id (stored in the clear by Temporal) says nothing about the case's dates.
 */
export const deliveryWorkflowIdOf = (deliveryId: string) => `notification-${deliveryId}`;
export const DELIVERY_WORKFLOW_TYPE = 'notificationDelivery';

/** What a delivery workflow needs: the outbox row's key, and what it reports to the case about it. */
export interface DeliveryInput {
  caseId: string;
  alarmId: string;
  stepId: string;
  kind: DeliveryReport['kind'];
  recipientAgencyId: string;
}

/** Sent by a delivery workflow to its case when an email is late, and again when it finally got through. */
export const deliveryReportSignal = defineSignal<[DeliveryReport]>('deliveryReport');

/**
 * Updates accepted before users had roles were authorised by agency alone, and their actors carry no roles: they
 * apply with the working role of their agency. (Handlers no longer judge what the validator accepted, so this only
 * names such actors; the patch stays because histories recorded since carry its marker.)
 */
export const ROLES_PATCH = 'actor-roles';

/**
 * Cases recorded before it fired a minor's 18th-birthday reminders at the birthday's own offsets; replaying them must
 * schedule what they scheduled. A running case moves to the weekly grid at its first new workflow task.
 */
export const BIRTHDAY_GRID_PATCH = 'birthday-reminders-on-grid';

/**
 * Cases recorded before it applied an expiry revealed as passed at once (so a history entered in order could not
 * record the petition filed inside a window that closed years ago) and told the coordinator of what passed after every
 * command; since, such expiries are held and the notice gathers an entry session (domain/alarms.ts).
 */
export const PASSED_NOTICE_GATHER_PATCH = 'passed-notice-gathered';

/**
 * Cases recorded before it dropped the lead reminders of a validity recorded with all of them behind it (a CP grant of
 * three weeks got no reminder before it lapsed); since, one is raised as it is recorded (domain/tracks/track.ts).
 */
export const LATE_LEADS_PATCH = 'late-leads-raised';

/**
 * Cases recorded before it projected the read model through a (remote) activity: a task of its own on the task
 * queue and a second workflow task for each change. Since, the projection runs as a local activity inside the workflow
 * task that made the change, so a sign-off costs one workflow task, as a bare update does.
 */
export const LOCAL_PROJECTION_PATCH = 'projection-as-local-activity';

/**
 * Runs recorded before it upserted the search attributes with every change, an alarm's and a delivery report's
 * included; since, only when one of them changes (each upsert is a write to the server's visibility store). Asked
 * once, at the run's first task, so that only that task records its marker (and the SDK's TemporalChangeVersion
 * upsert), never an alarm's.
 */
export const SEARCH_ATTRIBUTES_ON_CHANGE_PATCH = 'search-attributes-on-change';

/**
 * Cases recorded before it read dates by UTC alone: a past-dated sign-off took its day at the time of day it was
 * recorded (so the day its deadlines fell on moved with when it was typed, and could fall before the step opened),
 * a validity "until D" was applied as expired at the start of D + 1 in UTC, while D still ran in every US zone, and a
 * CP grant or interim letter left without its end ran a day past its 2 years or 90 days.
 * Since, dates are read as written (`datesAsWritten` in domain/case-state.ts).
 */
export const DATES_AS_WRITTEN_PATCH = 'dates-as-written';

/**
 * Cases recorded before it wrote any delivery report it was sent into its timeline; since, only one naming the case
 * itself: a sealed report copied out of another case's history is dropped.
 */
export const DELIVERY_REPORT_BOUND_PATCH = 'delivery-report-bound';

/**
 * Cases recorded before it re-signed a corrected step as of the correction, moving the steps that follow from it (and
 * their reminders) by the time in between; since, as of when the step was signed (domain/correction.ts).
 */
export const CORRECTION_AS_SIGNED_PATCH = 'correction-as-signed';

/**
 * Cases recorded before it left an adult's certification request pending after the T visa that unlocked it was denied
 * (its reminders and escalation still ran); since, the denial cancels it unless CP is in force
 * (`deniedVisaWithdrawsCertification` in domain/case-state.ts).
 */
export const DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH = 'denied-visa-withdraws-certification';

/**
 * Cases recorded before it left an adult's certification request pending, overdue and reminded of, after the CP grant
 * it stood on lapsed with no other ground left; since, the lapse cancels it unless a bona fide T visa not denied or T
 * status holds, and a CP granted again opens a new one (`lapsedCpWithdrawsCertification` in domain/case-state.ts).
 */
export const LAPSED_CP_WITHDRAWS_CERTIFICATION_PATCH = 'lapsed-cp-withdraws-certification';

/**
 * Cases recorded before it listed, in the notice of what passed, the reminders of a date since corrected away beside
 * those of the corrected date; since, an alarm whose date the case no longer has is left out
 * (`leavesOutMovedDates` in domain/case-state.ts).
 */
export const MOVED_DATES_LEFT_OUT_PATCH = 'passed-notice-leaves-out-moved-dates';

/**
 * Cases recorded before it ended, when closed during an entry session, without the notice of what passed that the
 * session had gathered; since, a closed case sends it as it ends (`tellsPassedWhenClosed` in domain/case-state.ts).
 */
export const PASSED_TOLD_WHEN_CLOSED_PATCH = 'passed-told-when-closed';

/**
 * Cases recorded before it left a minor's case as it was at the 18th birthday (the HHS notification pending and overdue
 * for good, the adult route never open); since, a minor not notified to HHS by then moves to the adult path
 * (`adultAt18` in domain/case-state.ts).
 */
export const ADULT_AT_18_PATCH = 'adult-at-18';

/**
 * Cases recorded before it raised a minor's birthday leads already behind when the case was entered at once, as an
 * urgent reminder to the police, even when the session's next entry showed HHS notified in time; since, they wait for
 * the session's notice of what passed like every passed alarm (`birthdayLeadsGathered` in domain/case-state.ts).
 */
export const BIRTHDAY_LEADS_GATHERED_PATCH = 'birthday-leads-gathered';

/**
 * One marker for every patch above, in a run begun on code that has them all. In a new run each `patched()` records a
 * marker, and the SDK upserts its TemporalChangeVersion search attribute beside it: a case opened under eleven such
 * calls recorded 22 events in its first task, each a write on the server and a step of every replay. A run whose first
 * task records this one asks none of them again (workflows/case-workflow.ts `patchesOfThisRun`). A patch added after
 * it is not in `BUNDLED_PATCHES` and is asked on its own, as patches are.
 */
export const PATCH_BUNDLE_2026_12 = 'patches-of-2026-12';
const BUNDLED_PATCHES: readonly string[] = [
  ROLES_PATCH,
  BIRTHDAY_GRID_PATCH,
  PASSED_NOTICE_GATHER_PATCH,
  LATE_LEADS_PATCH,
  LOCAL_PROJECTION_PATCH,
  SEARCH_ATTRIBUTES_ON_CHANGE_PATCH,
  DATES_AS_WRITTEN_PATCH,
  DELIVERY_REPORT_BOUND_PATCH,
  CORRECTION_AS_SIGNED_PATCH,
  DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH,
  MOVED_DATES_LEFT_OUT_PATCH,
  PASSED_TOLD_WHEN_CLOSED_PATCH,
  ADULT_AT_18_PATCH,
  BIRTHDAY_LEADS_GATHERED_PATCH,
  LAPSED_CP_WITHDRAWS_CERTIFICATION_PATCH,
];

/**
 * Cases recorded before it took as a corrected step's followers every later step opened at the moment it records as
 * done, so a CP requested and granted the same day (both dated at noon) counted the grant's renewal request and
 * certification request as the request's, and withdrew them with its correction; since, a step's followers are the
 * steps its own sign-off opened (`followersByOpener` in domain/case-state.ts), and a certification request still to be
 * made that a correction would withdraw stays while a bona fide T visa or T status backs it. In the second bundle;
 * asked on its own in runs begun under the first.
 */
export const CORRECTION_FOLLOWERS_PATCH = 'correction-followers-by-opener';

/**
 * Cases recorded before it waited for the notice of what passed 30 minutes after any change of the case, so each alarm
 * that fired during an entry session (a minor's 24-hour notice falling due minutes after the entry) postponed it again;
 * since, only an entry (a command) does (`gathersAfterLastEntry` in domain/case-state.ts). In the second bundle; asked
 * on its own in runs begun under the first.
 */
export const PASSED_NOTICE_AFTER_LAST_ENTRY_PATCH = 'passed-notice-after-last-entry';

/**
 * Cases recorded before it told only the agency owning a window (the police of a CP grant, the advocate of T status or
 * a U certification window, HHS of an interim letter) when it ended unused; since, the coordinator is told of the lapse
 * too, by an alarm of its own (`coordinatorToldOfLapses` in domain/case-state.ts). In the second bundle; asked on its
 * own in runs begun under the first.
 */
export const LAPSE_TOLD_TO_COORDINATOR_PATCH = 'lapse-told-to-coordinator';

/**
 * Cases recorded before it sent nothing when a correction moved a window's end that an "Expiring" or "Expired" email
 * had named, so the recipients kept the wrong date; since, they are told the end as corrected (`tellsCorrectedEnds` in
 * domain/case-state.ts). In the second bundle; asked on its own in runs begun under the first.
 */
export const CORRECTED_END_TOLD_PATCH = 'corrected-end-told';

/**
 * Cases recorded before it left a transfer's emails to the API, sent once best effort, so a mail outage lost them;
 * since, the workflow records them in the outbox after the transfer, delivered and retried as a reminder is
 * (`transfersToldByOutbox` in domain/case-state.ts). In the second bundle; asked on its own in runs begun under the
 * first.
 */
export const TRANSFERS_TOLD_BY_OUTBOX_PATCH = 'transfers-told-by-outbox';

/**
 * Cases recorded before it refused to correct a step whose validity had lapsed (a CP grant, an interim letter, T
 * status, a U certification window), so a typo that ended it early held the case's false lapse for good; since, such a
 * step is corrected as a signed one is, and the lapse follows the corrected sign-off (`correctsLapses` in
 * domain/case-state.ts). In the second bundle; asked on its own in runs begun under the first.
 */
export const LAPSE_CORRECTABLE_PATCH = 'lapse-correctable';

/**
 * Cases recorded before it sent nothing when a correction withdrew a pending step: the step left its agency's inbox and
 * only the timeline said why; since, that agency (unless it corrected) and the coordinator are emailed "No longer
 * needed" (`tellsWithdrawnSteps` in domain/case-state.ts). In the second bundle; asked on its own in runs begun under
 * the first.
 */
export const STEP_WITHDRAWN_TOLD_PATCH = 'step-withdrawn-told';

/**
 * Cases recorded before it announced a window recorded with every lead behind it ("still owed: make it by …") the
 * moment it was recorded, even in an entry session whose next entry recorded the renewal or the filing; since, one
 * recorded in an entry session waits for the session's end and goes out only if still true then
 * (`announcesAfterSession` in domain/case-state.ts). In the second bundle.
 */
export const ON_RECORD_AFTER_SESSION_PATCH = 'on-record-after-session';

/**
 * The second bundle: one marker for every patch above, the first bundle's and those asked on their own after it, in a
 * run begun on code that has them all. Each of those recorded a marker and its search-attribute upsert in every new
 * case's first task. Bundles are asked newest first, and no further once one answers (workflows/case-workflow.ts
 * `patchesOfThisRun`): a run recorded under the first bundle finds no marker of this one in its history and replays as
 * it ran. A patch added after it is asked on its own, as patches are, until the next bundle.
 */
const PATCH_BUNDLE_2026_12_05 = 'patches-of-2026-12-05';

/**
 * Cases recorded before it opened an entry session only when an entry revealed something passed: a CP grant entered
 * after the fact inside every lead, with nothing else late, was announced "still owed" at once, seconds before the same
 * sitting entered the renewal request (probe V1); since, a sign-off dated before the day it is recorded opens one too,
 * and the announcement waits for its end (`backdatedEntriesHold` in domain/case-state.ts). In the third bundle.
 */
export const BACKDATED_ENTRY_SESSION_PATCH = 'backdated-entry-session';

/**
 * Cases recorded before it told a grant corrected back after its end was told as refused ("now recorded as denied")
 * as a date that was wrong, not saying the refusal no longer holds; since, the refusal told is kept with its announced
 * end, and the grant that follows is told as granted again (`tellsGrantedAgain` in domain/case-state.ts). In the third
 * bundle.
 */
export const GRANTED_AGAIN_TOLD_PATCH = 'granted-again-told';

/**
 * Cases recorded before it kept no due date a "Needed again" email named: a later correction that moved it, or made it
 * pass, told no one, and the same correction raised the window's announcement ("Reminder: … still owed") beside it;
 * since, the date is kept as announced and told as corrected ("Corrected: … is now due …"), and that announcement to
 * the same recipient about the same step is not sent (`tellsNeededAgainDates` in domain/case-state.ts; probe V3, V7).
 * In the third bundle.
 */
export const NEEDED_AGAIN_DATE_TOLD_PATCH = 'needed-again-date-told';

/**
 * The third bundle: one marker for every patch of the second and the three after it (BACKDATED_ENTRY_SESSION_PATCH,
 * GRANTED_AGAIN_TOLD_PATCH, NEEDED_AGAIN_DATE_TOLD_PATCH), in a run begun on code that has them all, where such a run
 * recorded four. A run recorded under an older bundle finds no marker of this one, asks for those three on their own
 * and replays as it ran.
 */
const PATCH_BUNDLE_2026_12_05_LATE = 'patches-of-2026-12-05-late';

/** The second bundle's patches: the first bundle's and those asked on their own after it. */
const SECOND_BUNDLE_PATCHES = [
  ...BUNDLED_PATCHES,
  CORRECTION_FOLLOWERS_PATCH,
  PASSED_NOTICE_AFTER_LAST_ENTRY_PATCH,
  LAPSE_TOLD_TO_COORDINATOR_PATCH,
  CORRECTED_END_TOLD_PATCH,
  TRANSFERS_TOLD_BY_OUTBOX_PATCH,
  LAPSE_CORRECTABLE_PATCH,
  STEP_WITHDRAWN_TOLD_PATCH,
  ON_RECORD_AFTER_SESSION_PATCH,
];

/** The third bundle's patches: the second's and the three asked on their own after it. */
const THIRD_BUNDLE_PATCHES = [
  ...SECOND_BUNDLE_PATCHES,
  BACKDATED_ENTRY_SESSION_PATCH,
  GRANTED_AGAIN_TOLD_PATCH,
  NEEDED_AGAIN_DATE_TOLD_PATCH,
];

/**
 * Cases recorded before it told the agency holding a role, at an entry session's end, every passed alarm addressed to
 * that role: a step another agency settled before a transfer moved the role was listed to the new agency as if it had
 * missed it (probe X13). Since, such a step's passed alarms are listed to the coordinator alone (`passedToldToOwner`
 * in domain/case-state.ts). In the fourth bundle.
 */
export const PASSED_TOLD_TO_OWNER_PATCH = 'passed-told-to-owner';

/**
 * Cases recorded before it took a minor's 18th birthday to begin at midnight UTC: a minor identified on the US evening
 * before the birthday, already the birthday in UTC, was moved to the adult path at once, though a notification dated
 * that US day was still taken (probe, 6 Dec 2026). Since, the birthday begins once it has begun everywhere in the US,
 * at noon UTC, as dates are read as written (`birthdayBeginsInUs` in domain/case-state.ts). In the fourth bundle.
 */
export const BIRTHDAY_BEGINS_IN_US_PATCH = 'birthday-begins-in-us';

/**
 * Cases recorded before it took a minor's case as entered after the fact when entered on a later UTC day than the
 * identification, and held its urgent birthday reminder for the entry session's notice: a minor identified that
 * morning in Los Angeles and entered that evening, the day before the birthday, had the police urged only half an
 * hour after the last entry (re-probe, 6 Dec 2026). Since, only a case entered a full day or more after it
 * (`leadsGatheredAfterADay` in domain/case-state.ts). In the fourth bundle.
 */
export const LEADS_GATHERED_AFTER_A_DAY_PATCH = 'leads-gathered-after-a-day';

/**
 * One daily digest workflow per agency whose digest is on (workflows/daily-digest.ts): the agency id is no personal
 * data, and starting it again finds the one running.
 */
export const digestWorkflowIdOf = (agencyId: string) => `digest-${agencyId}`;
export const DIGEST_WORKFLOW_TYPE = 'dailyDigest';

export interface DigestInput {
  agencyId: string;
  /** The local date (YYYY-MM-DD) of the last digest handled, carried across continue-as-new; none at first. */
  lastDate?: string;
}

/**
 * The one workflow that tells agencies of the steps that opened for them (workflows/opened-step-notices.ts), started
 * at service start as the digests are (app/opened-step-notices.ts); starting it again finds the one running.
 */
export const OPENED_STEP_NOTICES_WORKFLOW_ID = 'opened-step-notices';
export const OPENED_STEP_NOTICES_WORKFLOW_TYPE = 'openedStepNotices';
/**
 * How often it gathers the steps opened since into one email per agency: an agency hears of a request within about
 * two minutes, and a police officer requesting CP for three survivors in a row sends ICE one email, not three.
 */
export const DEFAULT_OPENED_STEP_GATHER_MS = 2 * 60_000;

export interface OpenedStepNoticesInput {
  /** How often it gathers (default `DEFAULT_OPENED_STEP_GATHER_MS`); tests set it shorter. */
  everyMs?: number;
  /** The emails the run before was still sending when it continued as new (their outbox rows' keys). */
  unsent?: { caseId: string; alarmId: string }[];
}

/**
 * One workflow per agency gathering its notices of what passed into one email (workflows/passed-notices.ts) while
 * it has no daily digest: the agency id is no personal data, and signal-with-start finds the one gathering.
 */
export const passedNoticesWorkflowIdOf = (agencyId: string) => `passed-notices-${agencyId}`;
export const PASSED_NOTICES_WORKFLOW_TYPE = 'passedNotices';

/**
 * Runs recorded before it retried a gathered email for good from its first attempt and never reported it failing;
 * since, it is delivered as a single notification is: retried quickly for an hour, then each notice it lists is
 * reported failing (`reportPassedNoticesFailing`), then retried for good.
 */
export const PASSED_NOTICES_FAILING_REPORTED_PATCH = 'passed-notices-failing-reported';

/**
 * Runs recorded before it sent a gathered email once no notice came for 5 minutes, and at most 30 minutes after the
 * first: a caseload typed in over a working session, with a call or a coffee between two cases, was one email per
 * stretch (probe D10). Since, a run waits as long as a case's own entry session does (30 minutes without a new
 * notice), and at most 4 hours after the first; and a notice urging HHS before a minor turns 18 is not held for
 * the rest: its email goes out as it comes (`PassedNoticeSignal`). Asked once at a run's start, so a run keeps one
 * timing throughout; a run recorded before it keeps the old one, and the run it continues as new takes the new one.
 */
export const PASSED_NOTICES_GATHER_A_SESSION_PATCH = 'passed-notices-gather-a-session';

/**
 * Cases recorded before it broke two rules of domain.md an outside probe checked (6 Dec 2026): an adult's HHS
 * certification letter stayed pending, with its reminders and escalation, after a T-visa denial or a CP lapse left no
 * ground for certification (HHS may not certify then); and a case brought up to date listed a CP renewal lead in its
 * notice of what passed though the renewal was requested before the grant ran out. Since, the letter is withdrawn and
 * HHS told, and needed again when a ground comes back, and such a lead is left out (`groundAndCatchUpRules` in
 * domain/case-state.ts). In the fourth bundle.
 */
export const GROUND_AND_CATCH_UP_RULES_PATCH = 'ground-and-catch-up-rules';

/**
 * Cases recorded before it took a deadline counted in days from a typed day (a request's `requestedOn`, an RFE's
 * `respondBy`) as passed at its due instant, noon UTC of its last day (or the start of the day after it): a CP decision
 * shown "due 6 Dec" read overdue at 04:00 that day in Los Angeles, and its "Deadline reached" went out at 14:00 in
 * Honolulu on the day before (tester, 6 Dec 2026). Since, such a step is marked (`dueOnADay` in domain/types.ts) and
 * is met all of its last day wherever in the US it is read: overdue, reached and escalated only once that day has
 * ended everywhere in the US, as a validity's end (`daysDueAllDay` in domain/case-state.ts). In the fourth bundle.
 */
export const DAYS_DUE_ALL_DAY_PATCH = 'days-due-all-day';

/**
 * Cases recorded before it opened on the rules of the code that ran their first task only a moment later: their first
 * projection (the reminders list at opening) was computed before the workflow set the rule flags of its patches, so a
 * minor's birthday alarm was listed at the birthday's UTC midnight (`birthdayBeginsInUs` not yet set), and the first
 * steps were opened without `daysDueAllDay`. And a deadline counted in days from an identification entered by its day
 * (`identifiedOn`, no hour) fell at the identifying police's midnight, a day before the same count from a sign-off
 * dated that day (probe, 6 Dec 2026). Since, a new case opens with the flags of every patch its run has, and such a
 * deadline counts as one from a typed day does (`openCase` in domain/case.ts): due on the Nth day after, all of it.
 * In the fourth bundle; in a run recorded under an older one, asked at a new case's start only, before it opens.
 */
export const OPENED_ON_CURRENT_RULES_PATCH = 'opened-on-current-rules';

/**
 * Cases recorded before it counted a deadline in days from a day typed as today or later in UTC (a sign-off's event
 * date, an ask-again's askedOn, an identification by its day) from the moment it was recorded, where an earlier day
 * counts from noon UTC of that day: a Guam officer's CP request identified on his 6 Dec at 17:39 UTC came due at 17:39
 * on 20 Dec, "20 Dec" in UTC and "21 Dec" in Guam, and a request dated his 7 Dec got a CP decision due 5 Jan, 29 days
 * (probe, 6 Dec 2026). Since, such a deadline counts from noon UTC of the day typed, the same last day for every US
 * reader (`countsFromTypedToday` in domain/case-state.ts); the event stays dated when it was recorded. In the fourth
 * bundle; a running case takes it at its first task on this code, its steps opened before keeping their deadlines.
 */
export const TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH = 'typed-today-counts-from-its-day';

/**
 * Cases recorded before it ended a period of months counted with its first day the day before its clamped
 * anniversary: a CP grant from 29 Feb 2024 ran through 27 Feb 2026, a day short of two years, benefits from an
 * eligibility date of 31 Oct 2025 through 27 Feb 2026, and T status approved on 29 Feb 2024 could be adjusted from
 * 28 Feb 2027, a day before three years had passed (probe Q1, 6 Dec 2026). Since, the anniversary falls as a birthday
 * does, on 1 Mar where the month is too short (`monthsEndAsAnniversaries` in domain/case-state.ts): through 28 Feb 2026,
 * from 1 Mar 2027. In the fourth bundle; dates a case recorded before keep as they were.
 */
export const MONTHS_END_AS_ANNIVERSARIES_PATCH = 'months-end-as-anniversaries';

/**
 * Cases recorded before it judged a minor's HHS notice dated by its day by the instant it was recorded at, noon UTC of
 * that day, against the 24 hours: identified at 20:00 on 10 Dec 2025 and notified on 11 Dec, the case was late in
 * Guam (noon UTC is 22:00 there, the hours ended at 20:00) and in time in Honolulu (02:00), and the Guam case's notice
 * of what passed listed "Deadline reached" (probe Q4, 6 Dec 2026). Since, a notice dated on or before the day the 24
 * hours end where the police work is in time (`minorNoticeByItsDay` in domain/case-state.ts). In the fourth bundle; what a case told before stays told.
 */
export const MINOR_NOTICE_BY_ITS_DAY_PATCH = 'minor-notice-by-its-day';

/**
 * Cases recorded before it applied a sign-off on the UTC day of the moment it was recorded, where it was checked on the
 * signer's own day: a CP grant signed without its day (`grantedOn` left empty, as the console offers it) by ICE in
 * Honolulu at 19:01 on 6 Dec 2026 (05:01 UTC on the 7th) ran through 6 Dec 2028, a day past its 24 months, and its
 * renewal's due date, reminders and lapse came a day late; typed 6 Dec, through 5 Dec (probe, 7 Dec 2026). Since, it
 * counts from the signer's today (`appliesSignersToday` in domain/case-state.ts), kept with the step for a correction.
 * In the fourth bundle; what a case recorded before keeps its dates.
 */
export const SIGNERS_TODAY_APPLIED_PATCH = 'signers-today-applied';

/**
 * Cases recorded before it counted a deadline in days from a typed day that is the own day of the step's opening, an
 * hour on the next UTC day, from that hour: a CP request typed 6 Dec for a minor identified at 18:30 on 6 Dec in
 * Honolulu (04:30 UTC on the 7th) had its decision due 2027-01-06T04:30Z ("6 Jan"), where one identified by day on
 * 6 Dec had 5 Jan; asked again on 6 Dec after a denial at 19:09 there, the request was due 2026-12-21T05:09Z ("21 Dec"),
 * not 20 Dec (probe, 7 Dec 2026). Since, such a day counts from its own noon UTC, as any typed day does
 * (`openingDayCountsAsDay` in domain/case-state.ts). In the fourth bundle; the steps a case opened
 * before keep their deadlines.
 */
export const OPENING_DAY_COUNTS_AS_A_DAY_PATCH = 'opening-day-counts-as-a-day';

/**
 * Cases recorded before it counted a CP renewal granted on the last day of the grant it renews from its own day, a day
 * short: a grant through 30 Nov 2026 renewed on 30 Nov ran through 29 Nov 2028, where renewed on 29 Nov or 1 Dec it ran
 * through 30 Nov 2028 (probe, 7 Dec 2026); and they extended a grant by months added to its last day, so one through
 * 28 Feb 2026 ran through 28 Feb 2028, not the 29th. Since, a renewal granted while the grant is in force, its last day
 * included, runs on from the day after that last day (`renewalRunsOnFromGrantEnd` in domain/case-state.ts). In the fifth
 * bundle; what a case recorded before keeps its dates.
 */
export const RENEWAL_RUNS_ON_FROM_GRANT_END_PATCH = 'renewal-runs-on-from-grant-end';

/**
 * Cases recorded before it sent the reminder that a survivor may now adjust status ("Can be filed now", the approval's
 * adjustmentEligibleFrom) at midnight UTC of that day: 16:00 the day before in Los Angeles, where the filing it asked
 * for, typed that day, was refused as before the day the survivor may adjust (probe, 7 Dec 2026: T status approved on
 * 8 Dec 2023, the reminder at 2026-12-08T00:00Z). Since, it fires once that day has begun everywhere in the US, at noon
 * UTC (`adjustmentEligibleOnItsDay` in domain/case-state.ts), under the same id. In the fifth bundle.
 */
export const ADJUSTMENT_ELIGIBLE_ON_ITS_DAY_PATCH = 'adjustment-eligible-on-its-day';

/**
 * Cases recorded before it took a step cancelled before its due date for one done in time, so the notice of what
 * passed left out the reminders it missed: a case entered after the fact and closed in its entry session, its CP
 * request due an hour later, told nothing of the request's reminder that fell a week before it was entered, where the
 * README says what a close cancelled is still listed as missed (probe P5, 7 Dec 2026). Since, a cancelled step is not
 * done (`cancelledIsNotDone` in domain/alarms.ts). Asked only where it changes what a notice tells (case-workflow.ts
 * `toTell`), so a case records its marker then alone and a new case's opening records none more.
 */
export const CANCELLED_IS_NOT_DONE_PATCH = 'cancelled-is-not-done';

/**
 * The fourth bundle: one marker for every patch of the third and the eleven a case asked on its own after it (from
 * PASSED_TOLD_TO_OWNER_PATCH to OPENING_DAY_COUNTS_AS_A_DAY_PATCH), in a run begun on code that has them all. Each of
 * those recorded a marker and the SDK's search-attribute upsert beside it in every new case's first task: 24 events
 * where this records 2, and as many fewer for a worker to replay. A run recorded under an older bundle finds no marker
 * of this one, asks for those eleven on their own and replays as it ran.
 */
const PATCH_BUNDLE_2026_12_07 = 'patches-of-2026-12-07';
const FOURTH_BUNDLE_PATCHES = [
  ...THIRD_BUNDLE_PATCHES,
  PASSED_TOLD_TO_OWNER_PATCH,
  BIRTHDAY_BEGINS_IN_US_PATCH,
  LEADS_GATHERED_AFTER_A_DAY_PATCH,
  GROUND_AND_CATCH_UP_RULES_PATCH,
  DAYS_DUE_ALL_DAY_PATCH,
  OPENED_ON_CURRENT_RULES_PATCH,
  TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH,
  MONTHS_END_AS_ANNIVERSARIES_PATCH,
  MINOR_NOTICE_BY_ITS_DAY_PATCH,
  SIGNERS_TODAY_APPLIED_PATCH,
  OPENING_DAY_COUNTS_AS_A_DAY_PATCH,
];

/**
 * The fifth bundle: the fourth's patches and the two that came after it the same day, gathered before any run asked
 * them on their own, so a new case still records one marker (with the SDK's search-attribute upsert beside it) where
 * it would record three. A run recorded under the fourth bundle finds no marker of this one and replays as it ran.
 */
const PATCH_BUNDLE_2026_12_07_LATE = 'patches-of-2026-12-07-late';

/** Every bundle with the patches it stands for, newest first. */
export const PATCH_BUNDLES: readonly { id: string; patches: readonly string[] }[] = [
  {
    id: PATCH_BUNDLE_2026_12_07_LATE,
    patches: [...FOURTH_BUNDLE_PATCHES, RENEWAL_RUNS_ON_FROM_GRANT_END_PATCH, ADJUSTMENT_ELIGIBLE_ON_ITS_DAY_PATCH],
  },
  { id: PATCH_BUNDLE_2026_12_07, patches: FOURTH_BUNDLE_PATCHES },
  { id: PATCH_BUNDLE_2026_12_05_LATE, patches: THIRD_BUNDLE_PATCHES },
  { id: PATCH_BUNDLE_2026_12_05, patches: SECOND_BUNDLE_PATCHES },
  { id: PATCH_BUNDLE_2026_12, patches: BUNDLED_PATCHES },
];

export interface PassedNoticesInput {
  agencyId: string;
  /**
   * How long the gathering waits for another notice (PASSED_NOTICES_GATHER_A_SESSION_PATCH): a case's entry session's
   * own quiet time, `DEFAULT_PASSED_NOTICE_GATHER_MS` unless tests and the history recorder shorten it.
   */
  quietMs?: number;
}

/** What a notice's signal says beside its coming: nothing else of the notice, which its outbox row holds. */
export interface PassedNoticeSignal {
  /**
   * The notice urges the agency to notify HHS before a minor turns 18: the gathering sends its email at once, this
   * notice and those gathered so far, instead of waiting for the rest of the caseload
   * (PASSED_NOTICES_GATHER_A_SESSION_PATCH). Absent from signals sent before it.
   */
  urgent?: boolean;
}

/** Sent by the notify activity once a notice of what passed owes the agency an email: the outbox row says which. */
export const passedNoticeSignal = defineSignal<[PassedNoticeSignal?]>('passedNotice');
