/**
 * The state of one case as the workflow holds it, and the small immutable edits every rule is built from
 * (open a step, change a step, write the timeline). Each edit returns a new state; nothing here mutates.
 */
import { addDaysToInstant, dateOf, type IsoDate } from './dates';
import type { Policy } from './policy';
import { dueAtAValidityEnd, STEP_CATALOGUE, type StepDetails } from './steps';
import {
  STEP_KINDS,
  type AgencyKind,
  type CaseSnapshot,
  type Instant,
  type Step,
  type StepKind,
  type TimelineEntry,
} from './types';

/**
 * Everything the read model shows of a case (`CaseSnapshot`), with the whole policy in place of its version, plus
 * what only the rules need: the identification date, a minor's 18th birthday, the U-visa choice, fired alarms.
 */
export interface CaseState extends Omit<CaseSnapshot, 'policyVersion'> {
  identifiedAt: Instant;
  /** Date only: the deadline for a minor's HHS request. Null on the adult path. No birth date is kept. */
  minorTurns18On: string | null;
  usesUVisa: boolean;
  policy: Policy;
  firedAlarms: string[];
  /**
   * The 18th-birthday reminders fall on a weekly grid rather than at the birthday's own offsets (domain/tracks/intake.ts).
   * Set by the workflow behind a patch, so histories recorded before the grid replay with the schedule they had.
   */
  birthdayRemindersOnGrid?: boolean;
  /**
   * A validity recorded with every lead reminder already behind it (a short grant, a case entered late) raises one
   * reminder when it is recorded (domain/tracks/track.ts). Set by the workflow behind a patch, so histories recorded
   * before, which dropped such leads, replay as they ran.
   */
  lateLeadsRaised?: boolean;
  /** Alarms that passed before a command revealed them, not yet told to the coordinator (`settlePassedAlarms`). */
  passedAlarms?: PassedAlarm[];
  /**
   * Transfers applied and not yet recorded in the outbox (`transferCase` in domain/case.ts): the workflow records the
   * email to each agency of each one, then forgets it. Only on cases with `transfersToldByOutbox`.
   */
  transfersToTell?: TransferToTell[];
  /**
   * While a case is brought up to date, an expiry that fell before the command revealing it is held rather than applied
   * (alarm ids): the history's next entries may show the window was used in time (a petition filed inside it, a
   * renewal requested before the grant lapsed). The workflow applies those still current once the entries stop
   * (`releaseHeldExpiries`). Only on cases with `holdsPassedExpiries`.
   */
  heldExpiries?: string[];
  /**
   * Expiries revealed as passed are held, and the coordinator's notice of what passed gathers a whole entry session.
   * Set by the workflow behind a patch, so histories recorded before, which applied and told them at once, replay.
   */
  holdsPassedExpiries?: boolean;
  /**
   * Dates read as written, whatever the reader's US zone. A past event is dated at noon UTC of its day, which is that
   * day from Samoa to Guam, and never before its step opened (`signedAt` in domain/case.ts); a validity "until D" is
   * applied as expired once D has ended everywhere in the US, 12:00 UTC on D + 1 (`expiredAlarm`), so a renewal or a
   * petition recorded on its last day in Honolulu is still taken; a grant or letter left without its end runs "2 years"
   * or "90 days" counted with its first day (through 9 Jan 2028 from 10 Jan 2026). Set by the workflow behind a patch,
   * so histories recorded before replay as they ran.
   */
  datesAsWritten?: boolean;
  /**
   * A denied T visa cancels the certification request still to be made when no CP grant is in force
   * (domain/tracks/t-visa.ts). Set by the workflow behind a patch, so histories recorded before, which left it
   * pending, replay as they ran.
   */
  deniedVisaWithdrawsCertification?: boolean;
  /**
   * A CP grant that lapses (no renewal granted by its end) cancels the certification request still to be made when no
   * other ground holds then (a bona fide T visa not denied, T status), by the T-visa denial's rule
   * (`withdrawUnbackedCertification` in domain/tracks/certification-grounds.ts). Set by the workflow behind a patch, so
   * histories recorded before, which left it pending, replay as they ran.
   */
  lapsedCpWithdrawsCertification?: boolean;
  /**
   * The notice of what passed leaves out an alarm whose date a later entry moved (a date corrected) or whose step it
   * withdrew (`stillToTell` in domain/alarms.ts). Set by the workflow behind a patch, so histories recorded before,
   * which listed the corrected-away date too, replay as they ran.
   */
  leavesOutMovedDates?: boolean;
  /**
   * A case closed while its entry session's notice of what passed was still gathered sends it as it closes
   * (`passedToTellAtEnd` in domain/alarms.ts). Set by the workflow behind a patch, so histories recorded before,
   * which ended without it, replay as they ran.
   */
  tellsPassedWhenClosed?: boolean;
  /**
   * A minor whose HHS notification is still pending at the 18th birthday moves to the adult path, in the week after it
   * (domain/tracks/intake.ts): the notification is cancelled and HHS certification opens with its qualifying event.
   * Set by the workflow behind a patch, so histories recorded before, where nothing happened then, replay as they ran.
   */
  adultAt18?: boolean;
  /**
   * A minor's birthday leads already behind when the case was entered are passed alarms, told in the entry session's
   * notice of what passed (to the police too) and left out of it once the session shows HHS notified
   * (domain/tracks/intake.ts, `stillToTell` in domain/alarms.ts). Set by the workflow behind a patch, so histories
   * recorded before, which raised them at once as the case was entered, replay as they ran.
   */
  birthdayLeadsGathered?: boolean;
  /**
   * A corrected step's followers are the steps its own sign-off opened (`Step.openedBy`, or for a step opened before
   * that was kept, the timeline's order: `followersOf` in domain/correction.ts), not every later step opened at the
   * moment it records as done; and a certification request still to be made that such a correction would withdraw
   * stays while another ground backs it (`backedCertificationRequest` in domain/tracks/certification-grounds.ts). Set
   * by the workflow behind a patch, so histories recorded before replay as they ran.
   */
  followersByOpener?: boolean;
  /**
   * An entry session's notice of what passed comes `passedNoticeGatherMs` after its last entry (a command): an alarm
   * fired, a delivery report or the held expiries released meanwhile do not postpone it (workflows/case-workflow.ts).
   * Set by the workflow behind a patch, so histories recorded before, which waited from any change, replay as they ran.
   */
  gathersAfterLastEntry?: boolean;
  /**
   * A window's end (a CP grant, an interim letter, T status, a U certification window) is told to the coordinator too,
   * by an alarm of its own beside the owning agency's (`lapseAlarms` in domain/tracks/track.ts): the coordinator tracks
   * what is pending with whom, and a lapse cancels what was pending. Set by the workflow behind a patch, so histories
   * recorded before, which told the owner alone, replay as they ran.
   */
  coordinatorToldOfLapses?: boolean;
  /**
   * A correction that moves a window's end an expiry email already named (the "Expiring" or "Expired" one) tells its
   * recipients the end as corrected (`tellCorrectedEnds` in domain/corrected-ends.ts): their mailbox holds the wrong
   * date otherwise. Set by the workflow behind a patch, so histories recorded before, which sent nothing, replay.
   */
  tellsCorrectedEnds?: boolean;
  /** The ends the expiry emails raised so far named, the latest per step, window and recipient (`tellsCorrectedEnds`). */
  announcedEnds?: AnnouncedEnd[];
  /** Announced ends a correction moved, whose emails the workflow has still to record (`tellsCorrectedEnds`). */
  endCorrections?: EndCorrection[];
  /**
   * A grant corrected back after its end was told as refused ("now recorded as denied") is told as such: granted again,
   * the refusal in the earlier email no longer holding (`EndCorrection.refusedBefore`), not as a date that was wrong.
   * Set by the workflow behind a patch, so histories recorded before, which kept no record of the refusal told, replay.
   */
  tellsGrantedAgain?: boolean;
  /**
   * A transfer's emails to the agency losing the case and the one taking it over are recorded in the outbox by the
   * workflow (`transfersToTell`), delivered and retried as a reminder is, so a mail outage delays them, never loses
   * them. Set by the workflow behind a patch, so histories recorded before, whose transfers the API told by itself,
   * replay as they ran.
   */
  transfersToldByOutbox?: boolean;
  /**
   * A step whose validity lapsed (a CP grant, an interim letter, T status, a U certification window) is corrected as a
   * signed step is, and its lapse follows the corrected sign-off: withdrawn, with what it ended reopened, when the
   * corrected validity still runs (`applyCorrection` in domain/correction.ts). Set by the workflow behind a patch, so
   * histories recorded before, which refused such a correction, replay as they ran.
   */
  correctsLapses?: boolean;
  /**
   * A correction that withdraws a pending step, or leaves one pending that was not (reopened, or opened by the
   * corrected sign-off), tells the agency that owes it, when another agency corrected, and the coordinator
   * (`tellStepChanges` in domain/withdrawn-steps.ts): the step leaves or enters their inbox, and only the timeline
   * said why. Set by the workflow behind a patch, so histories recorded before, which sent nothing, replay.
   */
  tellsWithdrawnSteps?: boolean;
  /** Withdrawn and reopened steps whose emails the workflow has still to record (`tellsWithdrawnSteps`). */
  stepChangesToTell?: StepChangeNotice[];
  /**
   * The due date a "Needed again" email names is kept as announced to its recipients (`announcedEnds`, `kind: 'due'`),
   * so a later correction that moves it, or makes it pass, tells them (domain/corrected-ends.ts); and the window's
   * announcement ("Reminder: … still owed") the same correction would raise to a recipient of that email, about the
   * same step, is not sent beside it (domain/withdrawn-steps.ts). Set by the workflow behind a patch, so histories
   * recorded before, which told neither, replay as they ran.
   */
  tellsNeededAgainDates?: boolean;
  /**
   * At an entry session's end, a passed alarm of a step another agency settled (before a transfer moved the role) is
   * listed to the coordinator only, not to the agency holding the role now, which never owed it (`passedAlarmAgency`
   * in domain/alarms.ts). Set by the workflow behind a patch, so histories recorded before, which told the agency
   * holding the role, replay as they ran.
   */
  passedToldToOwner?: boolean;
  /**
   * A minor's 18th birthday begins, for the move to the adult path, once it has begun everywhere in the US: at noon UTC
   * of the day, as a day is read as written (`datesAsWritten`), so a minor identified on the evening before it in
   * Honolulu or Los Angeles (the birthday already in UTC) stays a minor while a notification dated that day is taken.
   * Set by the workflow behind a patch, so histories recorded before, which began it at midnight UTC, replay as they ran.
   */
  birthdayBeginsInUs?: boolean;
  /**
   * A minor's case is entered after the fact, for its birthday leads already passed (`birthdayLeadsGathered`), when it
   * is entered a full day or more after the identification, not on a later UTC day: a minor identified that morning in
   * Los Angeles and entered that evening has the police urged at once. Set by the workflow behind a patch, so
   * histories recorded before, which held that reminder for the entry session's notice, replay as they ran.
   */
  leadsGatheredAfterADay?: boolean;
  /**
   * A step opened with a deadline counted in days from a typed day (a sign-off's or an ask-again's date, an RFE's
   * respond-by) is marked `dueOnADay` (domain/types.ts): met all of its last day wherever in the US it is read, it is
   * overdue, reached and escalated only once that day has ended everywhere in the US (domain/steps.ts `overdueFrom`).
   * Set by the workflow behind a patch, so histories recorded before, which passed it at its due instant, replay as
   * they ran; the steps a case opened before keep their instants and their alarms.
   */
  daysDueAllDay?: boolean;
  /**
   * A deadline counted in days from a day typed as today or later in UTC (a sign-off's event date, an ask-again's
   * askedOn, an identification by its day: a Guam morning's today is a day ahead of UTC's evening) counts from noon UTC of
   * that day, as one from an earlier day does (`datesAsWritten`), so every US reader reads the same last day; the event
   * stays dated when it was recorded, noon being ahead of it (domain/case.ts `daysCountedFrom`). Set by the workflow
   * behind a patch, so histories recorded before, which counted such a deadline from the moment it was recorded, replay
   * as they ran; the steps a case opened before keep their deadlines.
   */
  countsFromTypedToday?: boolean;
  /**
   * A period of months counted from a day its last month is too short for (a CP grant from 29 Feb 2024, benefits from an
   * eligibility date of 31 Oct) ends the day before its anniversary as a birthday falls, the first of the month after
   * (domain/dates.ts `anniversaryAfter`): 24 months from 29 Feb 2024 run through 28 Feb 2026, and T status approved then
   * may be adjusted from 1 Mar 2027. Set by the workflow behind a patch, so histories recorded before, which ended such
   * a period the day before the month's last day (27 Feb 2026), replay as they ran; what a case recorded before keeps
   * its dates.
   */
  monthsEndAsAnniversaries?: boolean;
  /**
   * A minor's HHS notice dated by its day (`notifiedOn`) met its 24 hours when its day is on or before the day they end
   * where the police work, the day after the identification's (`minorNoticeInTimeByItsDay` in domain/alarms.ts): the
   * notice of what passed leaves out its "Deadline reached". Set by the workflow behind a patch, so histories recorded
   * before, which compared the notice's noon UTC with the deadline (late in Guam, in time in Honolulu for the same
   * days), replay as they ran; what a case told before stays told.
   */
  minorNoticeByItsDay?: boolean;
  /**
   * A sign-off applied on the day it was where its signer works (`todayOf`, the API's `issued.today`), as it was checked:
   * a CP grant or renewal signed without its day (`grantedOn`, `renewedOn`) at 19:01 on 6 Dec in Honolulu (05:01 UTC on
   * the 7th) runs its 24 months from 6 Dec, through 5 Dec 2028, as one typed 6 Dec does. That day is kept with the step
   * (`signersDays`), so a correction that signs it again counts from it. Set by the workflow behind a patch, so
   * histories recorded before, which counted from the UTC day of the moment (through 6 Dec 2028), replay as they ran;
   * what a case recorded before keeps its dates.
   */
  appliesSignersToday?: boolean;
  /**
   * A deadline in days counted from a typed day that is the own day of the step's opening, an hour already on the next
   * day in UTC (an evening identification in Honolulu; the denial's hour, asking again), counts from that day as from
   * any other typed day, noon UTC of it (domain/case.ts `daysCountedFrom`): a CP request typed 6 Dec for a minor
   * identified at 18:30 on 6 Dec in Honolulu (04:30 UTC on the 7th) has its decision due 5 Jan, as for one identified by
   * day on 6 Dec. The step stays dated at its opening. Set by the workflow behind a patch, so histories recorded before,
   * which counted from the opening's hour (due 6 Jan), replay as they ran; the steps a case opened before keep their
   * deadlines.
   */
  openingDayCountsAsDay?: boolean;
  /**
   * A CP renewal granted while the grant it renews is in force, its last day included, runs on from that grant's end:
   * its months count from the day after the grant's last day, with that first day (domain/tracks/continued-presence.ts
   * `grantEnd`). A grant through 30 Nov 2026 renewed on 30 Nov runs through 30 Nov 2028, as renewed on 29 Nov or on
   * 1 Dec; one through 28 Feb 2026, through 29 Feb 2028. Set by the workflow behind a patch, so histories recorded
   * before, which counted a renewal granted on the last day from its own day (through 29 Nov 2028) and extended a grant
   * by months from its last day (through 28 Feb 2028), replay as they ran; what a case recorded before keeps its dates.
   */
  renewalRunsOnFromGrantEnd?: boolean;
  /**
   * The reminder that a survivor may now adjust status (the approval's `adjustmentEligibleFrom`,
   * domain/tracks/t-visa.ts) fires once that day has begun everywhere in the US, at noon UTC (`begunEverywhereInUs`),
   * where it fired at midnight UTC: 16:00 the day before in Los Angeles, when a filing typed that day is refused as
   * before the day the survivor may adjust. Set by the workflow behind a patch, so histories recorded before, which
   * fired it at midnight UTC, replay as they ran; its id is the same, so one already sent is not sent again.
   */
  adjustmentEligibleOnItsDay?: boolean;
  /**
   * A window recorded with every lead behind it during an entry session (a grant entered after the fact) is announced at
   * the session's end, and only if it still stands then with its step still owed (`nextAlarm` in domain/alarms.ts): the
   * session's next entry may record the renewal or the filing, and the email would say "still owed" of what is done.
   * Set by the workflow behind a patch, so histories recorded before, which announced it at once, replay as they ran.
   */
  announcesAfterSession?: boolean;
  /**
   * A sign-off dated before the day it is recorded (an entry after the fact, "(happened on …, recorded on …)") opens an
   * entry session even when it reveals nothing passed (`enteredLate`), so an announcement it raises waits for the
   * session's end as with `announcesAfterSession`. Set by the workflow behind a patch, so histories recorded before,
   * which announced it at once when nothing had passed, replay as they ran.
   */
  backdatedEntriesHold?: boolean;
  /**
   * Three rules an outside probe found the workflow got wrong against domain.md (6 Dec 2026). An adult's certification
   * letter still awaited from HHS is withdrawn, HHS told, when a T-visa denial or a CP lapse leaves no ground for
   * certification, and is needed again, HHS told, when a ground comes back (`withdrawUnbackedCertification` and
   * `unlockCertification` in domain/tracks/). The notice of what passed leaves out a window's lead whose owed step was
   * done by the end it names: a CP renewal requested before the grant ran out (`stillToTell` in domain/alarms.ts). Set
   * by the workflow behind a patch, so histories recorded before, which left the letter pending with its reminders and
   * listed those leads, replay as they ran.
   */
  groundAndCatchUpRules?: boolean;
  /** A sign-off entered after the fact opened the entry session still running (`backdatedEntriesHold`). */
  enteredLate?: boolean;
  /**
   * When each settled step's sign-off was recorded, by step id: the signing agency may correct it for a while after
   * (domain/correction.ts). Steps signed before it was kept count from their `completedAt`.
   */
  signedAt?: Record<string, Instant>;
  /**
   * The day it was where the signer worked when each settled step was signed, by step id, where it was not the UTC day
   * of that moment (`appliesSignersToday`): a correction signs the step again on it (`signingDay`).
   */
  signersDays?: Record<string, IsoDate>;
}

export const REJECTION_CODES = [
  'case_not_open',
  'unknown_step',
  'wrong_agency_kind',
  'wrong_agency',
  'role_not_permitted',
  'unknown_outcome',
  'step_not_pending',
  'outcome_not_applicable',
  'invalid_details',
  'date_order',
  'date_out_of_range',
  'extension_limit_reached',
  'evidence_response_pending',
  'not_correctable',
  'correction_window_closed',
  'later_steps_signed',
  'correction_conflict',
  // A transfer whose sender saw another agency in the role it transfers (`fromAgencyId`, domain/case.ts).
  'transferred_meanwhile',
  // A step whose sign-off may open a step the corrector's agency is not told of (domain/correction.ts).
  'coordinator_corrects',
  // Asked again for a request whose track has something pending or in force, or did not end refused (domain/ask-again.ts).
  'nothing_to_ask_again',
  // A sealed command copied from another case or another update, or sent again long after (domain/issued.ts).
  'unbound_command',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Why a command was refused; `field` names the offending input (a dotted path into the details). */
export interface Rejection {
  code: RejectionCode;
  field?: string;
  message: string;
  /**
   * The command's other broken rules, where its rules are judged together (a sign-off's dates, against today and one
   * against another: domain/case.ts `checkSignOff`, the tracks' checks), each field's first: a case worker then fixes
   * them all at once, not one per send. This rejection is the first broken rule, as it was before they were
   * gathered, and alone decides the answer's code and status.
   */
  more?: Rejection[];
}

/**
 * The rules judged together, as one rejection (null when none is broken): the first broken, with the others after it
 * (`more`), one per field (a field's first rule broken; one rule's refusal often implies the next's, as a day after
 * today is past a limit counted from it too). The first stays the first of the list, so what refuses, and why first,
 * is what it was when only the first was answered.
 */
export function together(rejections: ReadonlyArray<Rejection | null | undefined>): Rejection | null {
  const broken: Rejection[] = [];
  for (const rejection of rejections) {
    if (!rejection) continue;
    for (const { more: _more, ...one } of [rejection, ...(rejection.more ?? [])]) {
      if (one.field !== undefined && broken.some((seen) => seen.field === one.field)) continue;
      broken.push(one);
    }
  }
  const [first, ...more] = broken;
  if (!first) return null;
  return more.length > 0 ? { ...first, more } : first;
}

export const ALARM_KINDS = ['reminder', 'due', 'escalation', 'expiry_reminder', 'expired'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * What a case workflow notifies: each alarm as it fires, once per command the alarms that had already passed, an
 * end an expiry email named that a correction moved (`EndCorrection`), a pending step a correction withdrew
 * or left pending again (`StepChangeNotice`), and each transfer to the agencies it moved the case between. The API
 * records one more (`REFERENCE_REPLACED_NOTICE`), which no workflow does, and the gathering of the steps opened for an
 * agency one per agency and round (`STEP_OPENED_NOTICE`, domain/opened-steps.ts).
 */
export const NOTIFIED_KINDS = [
  ...ALARM_KINDS,
  'passed_summary',
  'end_corrected',
  'step_withdrawn',
  'step_reopened',
  'case_transferred',
  'reference_replaced',
  'step_opened',
] as const;
export type NotifiedKind = (typeof NOTIFIED_KINDS)[number];

/**
 * What the outbox holds: those, the in-app notice that an email of the case keeps failing, and an agency's daily
 * digest (activities/digest.ts).
 */
export const NOTIFICATION_KINDS = [...NOTIFIED_KINDS, 'delivery_failing', 'daily_digest'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * What the outbox row names instead of a step when another agency's correction of the survivor's identity replaced the
 * reference the opening agency gave the case (app/survivor-records.ts): recorded by the API, told to the opening agency.
 */
export const REFERENCE_REPLACED_NOTICE = 'reference_replaced';

/** What a transfer's outbox rows, and the reports of their delivery in the timeline, name instead of a step. */
export const TRANSFER_NOTICE = 'case_transferred';

/**
 * A transfer still to be told to both agencies, as it was applied: who handed what to whom, and the steps the new
 * agency took over (kinds and due dates). Its timeline entry (`seq`) names its emails in the outbox, so each is
 * recorded once however often the workflow asks. Ids only: the emails name agencies and the person by the directory.
 */
export interface TransferToTell {
  seq: number;
  agencyKind: AgencyKind;
  fromAgencyId: string;
  toAgencyId: string;
  by: { userId: string; agencyId: string };
  at: Instant;
  handedOver: { kind: string; dueAt: Instant | null }[];
}

/** An alarm that passed before the command revealing it was recorded, as the coordinator's notice lists it. */
export interface PassedAlarm {
  stepId: string;
  stepKind: string;
  kind: AlarmKind;
  /** What the alarm was about (Alarm.subject). */
  about: string;
  /** The date it was about (`alarmDate`): null when derived from a birth date. */
  date: Instant | null;
  /**
   * When it would have been sent (Alarm.at): what tells two reminders of one step apart (30 and 7 days before).
   * Absent from alarms that passed before it was kept.
   */
  at?: Instant;
  /** Whom it would have been sent to; absent from alarms that passed before it was kept. */
  recipient?: AgencyKind;
}

/**
 * A window's end as an expiry email raised for its recipient named it (`alarmDate`), or a step's due date as its
 * "Needed again" email named it (`kind: 'due'`, `about` the step's own kind, as a `due` alarm's subject is).
 */
export interface AnnouncedEnd {
  stepId: string;
  stepKind: StepKind;
  kind: AlarmKind;
  /** The window (Alarm.subject), or for a due date the step's kind. */
  about: string;
  recipient: AgencyKind;
  /**
   * The agency of `recipient` the email went to, told of a correction even once another holds the kind (a transfer).
   * Absent from ends announced before it was kept: the kind's agency at the correction is told.
   */
  agencyId?: string;
  date: Instant;
  /** Told since as no longer holding (`EndCorrection.endNow`: refused or withdrawn): not told so again. */
  gone?: true;
  /** Told gone as refused, on a case with `tellsGrantedAgain`: the outcome that email named ("denied"). */
  refused?: string;
}

/**
 * An announced end a correction moved, to be told to whom it was announced: `date` is the end as corrected, `was` the
 * one the earlier email named. `endNow` says what became of it where it did not merely move ahead: `ended`, the end as
 * corrected had already passed at the correction; `refused`, the step now records a refusal (`outcome`), which grants
 * nothing that ends, and `withdrawn`, the step is gone (`date` then stays the one named). `id` is its outbox key: one
 * per correction and agency, whatever the dates.
 */
export interface EndCorrection extends AnnouncedEnd {
  id: string;
  was: Instant;
  endNow?: EndNow;
  /** What the step now records: the refusal (`refused`), or the grant that follows one (`refusedBefore`). */
  outcome?: string;
  /** Granted again after the earlier email told it refused: that refusal's outcome ("denied"), which no longer holds. */
  refusedBefore?: string;
}

/** What became of an end a correction changed, beyond moving it ahead (`EndCorrection.endNow`). */
export type EndNow = 'ended' | 'refused' | 'withdrawn';

/**
 * A pending step a correction withdrew (`step_withdrawn`), or left pending when it was not (`step_reopened`), to be
 * told to `recipient`: the step, the step corrected and the agency kind that corrected it. `correctedStepKind` is
 * absent when the recipient may not know of that step (`knowsOfStepKind`). `id` is its outbox key: one per
 * correction, step and recipient.
 */
export interface StepChangeNotice {
  id: string;
  kind: 'step_withdrawn' | 'step_reopened';
  stepId: string;
  stepKind: StepKind;
  recipient: AgencyKind;
  correctedStepKind?: StepKind;
  /** The agency kind that corrected; absent from a step withdrawn or owed again by an event (`ground`). */
  correctedBy?: AgencyKind;
  /**
   * For a step withdrawn or owed again by no correction but an event that took away or gave back its ground (an HHS
   * certification letter: `groundAndCatchUpRules`): that event.
   */
  ground?: GroundChange;
  /** For `step_reopened`: its due date as the correction left it. */
  dueAt?: Instant | null;
  /** For `step_reopened`: whether it was open on the case before (then withdrawn or cancelled), or is new. */
  again?: boolean;
  /**
   * For `step_withdrawn` of the corrected step's own kind: a second request of it, opened when the first `lapsed` (a U
   * certification's window), or asked again after it was `refused`.
   */
  secondOf?: 'lapsed' | 'refused';
}

/**
 * What took away an adult's last ground for HHS certification (a T-visa denial, a CP lapse), or gave one back (the
 * qualifying events, `CertificationUnlock` in domain/tracks/certification-grounds.ts).
 */
export type GroundChange = 't_visa_denied' | 'cp_lapsed' | 'cp_granted' | 't_visa_bona_fide' | 't_visa_approved';

export interface Alarm {
  /** Stable and includes the date, so moving a date yields a new alarm rather than re-arming an old one. */
  id: string;
  at: Instant;
  stepId: string;
  kind: AlarmKind;
  /** Who is told. An escalation goes to the coordinator's supervisor, everything else to the agency that must act. */
  recipient: AgencyKind;
  /** What the alarm is about, for messages: a step kind or a window ("cp_validity", "benefit_window", ...). */
  subject: string;
  /**
   * The id of the alarm this one repeats to another recipient: a window's end told to the coordinator beside its owner
   * (`lapseAlarms` in domain/tracks/track.ts). Only the pair's last to fire applies the expiry; the copy is not listed
   * again in a notice of what passed, which goes to the coordinator anyway.
   */
  copyOf?: string;
  /**
   * A window's one reminder raised as it is recorded, every lead being behind it (`leadAlarms` in
   * domain/tracks/track.ts): on a case with `announcesAfterSession`, one raised in an entry session waits for its end.
   */
  onRecord?: boolean;
}

export function findStep(state: CaseState, stepId: string): Step | undefined {
  return state.steps.find((step) => step.id === stepId);
}

/** The day a case's survivor was identified, as its identification step records it, else the UTC day of its instant. */
export function identificationDayOf(state: CaseState): IsoDate {
  return identificationDay(findStep(state, 'identification-1')?.details.identifiedOn, state.identifiedAt);
}

/**
 * The day of an identification from what its step records (`identifiedOn`, the police's day) and when it was made: the
 * one rule of `identificationDayOf` and of a case page's timeline (web/timeline.ts), which reads the steps alone.
 */
export function identificationDay(identifiedOn: unknown, identifiedAt: Instant): IsoDate {
  return typeof identifiedOn === 'string' ? identifiedOn : dateOf(identifiedAt);
}

/**
 * When the step was signed: a correction changes what its sign-off said, not when it was given, so the step and
 * what follows from it keep that moment (their deadlines move only with a corrected date).
 */
export function signingTime(state: CaseState, step: Step): Instant {
  return state.signedAt?.[step.id] ?? step.completedAt!;
}

/** The day it was where a settled step's signer worked when it was signed (`signersDays`), else that moment's UTC day. */
export function signingDay(state: CaseState, step: Step): IsoDate {
  return state.signersDays?.[step.id] ?? dateOf(signingTime(state, step));
}

export function stepsOfKind(state: CaseState, kind: StepKind): Step[] {
  return state.steps.filter((step) => step.kind === kind);
}

/** The most recent step of a kind (steps are appended in order), if any. */
export function latestOfKind(state: CaseState, kind: StepKind): Step | undefined {
  return stepsOfKind(state, kind).at(-1);
}

export function record(
  state: CaseState,
  at: Instant,
  type: string,
  stepId: string | null,
  actorAgencyId: string | null,
  summary: string,
): CaseState {
  const entry: TimelineEntry = { seq: state.timeline.length + 1, at, type, stepId, actorAgencyId, summary };
  return { ...state, timeline: [...state.timeline, entry] };
}

export interface OpenStepOptions {
  /** Overrides the policy SLA, for deadlines that come from a notice or an expiry. */
  dueAt?: Instant | null;
  details?: StepDetails;
  /** Who caused the opening (null when the case itself or an alarm did). */
  actorAgencyId?: string | null;
  /**
   * The instant its policy deadline counts its days from, when not its opening: noon UTC of a day typed as today or
   * later in UTC, which a sign-off stays dated before (`countsFromTypedToday`, domain/case.ts `daysCountedFrom`).
   */
  from?: Instant;
}

/**
 * The kind a step id names, read from its prefix (`openStep` forms ids as `${kind}-${n}`), held by the case or not:
 * whose a withdrawn step was is known without it. Undefined for an id no step could have.
 */
export function stepKindOfId(stepId: string): StepKind | undefined {
  const kind = /^(.+)-\d+$/.exec(stepId)?.[1];
  return STEP_KINDS.find((known) => known === kind);
}

/** When a step of `kind` counted from `from` is due under the case's policy: null for a kind with no deadline. */
export function slaDueAt(state: CaseState, kind: StepKind, from: Instant): Instant | null {
  const slaDays = state.policy.sla[kind].days;
  return slaDays === null ? null : addDaysToInstant(from, slaDays);
}

/** Opens the next step of a kind, with id `${kind}-${n}`, owner and due date from the catalogue and policy. */
export function openStep(state: CaseState, kind: StepKind, now: Instant, options: OpenStepOptions = {}): CaseState {
  const { track, owner } = STEP_CATALOGUE[kind];
  const id = `${kind}-${stepsOfKind(state, kind).length + 1}`;
  const dueAt = options.dueAt !== undefined ? options.dueAt : slaDueAt(state, kind, options.from ?? now);
  const step: Step = {
    id,
    kind,
    track,
    agencyKind: owner,
    agencyId: state.agencies[owner],
    status: 'pending',
    openedAt: now,
    dueAt,
    expiresAt: null,
    completedAt: null,
    outcome: null,
    details: options.details ?? {},
  };
  const opened = { ...state, steps: [...state.steps, step] };
  const due = dueAt ? `, due ${dueAt}` : '';
  return record(opened, now, 'step.opened', id, options.actorAgencyId ?? null, `${id} opened for ${owner}${due}`);
}

/**
 * Marks the steps `after` opened beyond `before` whose deadline counts in days from a typed day (a sign-off's or an
 * ask-again's date, an RFE's respond-by) as due on a day (`dueOnADay`), on a case whose flag says so
 * (`daysDueAllDay`): met all of that last day wherever in the US it is read. A step due at a validity's end is one by
 * its kind (domain/steps.ts `DUE_AT_A_VALIDITY_END`) and is left as it is.
 */
export function markedDueOnADay(before: CaseState, after: CaseState, fromATypedDay: boolean): CaseState {
  if (!after.daysDueAllDay || !fromATypedDay) return after;
  const known = new Set(before.steps.map((step) => step.id));
  const marks = (step: Step) => !known.has(step.id) && step.dueAt !== null && !dueAtAValidityEnd(step.kind);
  if (!after.steps.some(marks)) return after;
  return { ...after, steps: after.steps.map((step) => (marks(step) ? { ...step, dueOnADay: true } : step)) };
}

export function updateStep(state: CaseState, stepId: string, patch: Partial<Omit<Step, 'id' | 'kind'>>): CaseState {
  return { ...state, steps: state.steps.map((step) => (step.id === stepId ? { ...step, ...patch } : step)) };
}

/** Ends a still-pending step that no longer applies (superseded, lapsed, or the case closed). */
export function cancelPending(state: CaseState, kind: StepKind, now: Instant, why: string): CaseState {
  return stepsOfKind(state, kind)
    .filter((step) => step.status === 'pending')
    .reduce(
      (acc, step) =>
        record(
          updateStep(acc, step.id, { status: 'cancelled', completedAt: now }),
          now,
          'step.cancelled',
          step.id,
          null,
          `${step.id} cancelled: ${why}`,
        ),
      state,
    );
}
