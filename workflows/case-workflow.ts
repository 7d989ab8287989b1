/**
 * One durable workflow per case: a thin deterministic shell around the pure rules of `domain/`. It holds the case
 * state, lets agencies sign off their steps through validated updates, sleeps until the next alarm the rules derive
 * from that state, and hands every change to the read-model projection.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities } from '../activities';
import {
  alarmDate,
  applyAskAgain,
  applyClose,
  applyCorrection,
  applySignOff,
  applyTransfer,
  findStep,
  fireAlarm,
  endEntrySession,
  inEntrySession,
  nextAlarm,
  openCase,
  passedToTellAtEnd,
  recordDelivery,
  releaseHeldExpiries,
  passedAlarmAgency,
  settlePassedAlarms,
  snapshotOf,
  stillToTell,
  takesPart,
  latestOfKind,
  unboundCommandRefusal,
  validateAskAgain,
  validateClose,
  validateCorrection,
  validateSignOff,
  validateTransfer,
  workingActor,
  type Actor,
  type AppliedCommand,
  type AskAgainCommand,
  type CaseCommandResult,
  type CaseState,
  type CloseCommand,
  type CommandEnvelope,
  type CorrectionCommand,
  type DeliveryReport,
  type OpenCaseInput,
  type PassedAlarm,
  type PassedRules,
  type Rejection,
  type RuleFlags,
  type SignOffCommand,
  type TransferCommand,
} from '../domain';
import {
  ADULT_AT_18_PATCH,
  DEFAULT_PASSED_NOTICE_GATHER_MS,
  askAgainUpdate,
  BIRTHDAY_GRID_PATCH,
  PATCH_BUNDLES,
  ROLES_PATCH,
  BIRTHDAY_LEADS_GATHERED_PATCH,
  caseStateQuery,
  closeUpdate,
  CORRECTION_AS_SIGNED_PATCH,
  CORRECTION_FOLLOWERS_PATCH,
  CORRECTED_END_TOLD_PATCH,
  STEP_WITHDRAWN_TOLD_PATCH,
  correctSignOffUpdate,
  deliveryReportSignal,
  DELIVERY_REPORT_BOUND_PATCH,
  LATE_LEADS_PATCH,
  LOCAL_PROJECTION_PATCH,
  MOVED_DATES_LEFT_OUT_PATCH,
  NEEDED_AGAIN_DATE_TOLD_PATCH,
  ON_RECORD_AFTER_SESSION_PATCH,
  BACKDATED_ENTRY_SESSION_PATCH,
  GRANTED_AGAIN_TOLD_PATCH,
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
  RENEWAL_RUNS_ON_FROM_GRANT_END_PATCH,
  ADJUSTMENT_ELIGIBLE_ON_ITS_DAY_PATCH,
  CANCELLED_IS_NOT_DONE_PATCH,
  PASSED_NOTICE_AFTER_LAST_ENTRY_PATCH,
  PASSED_NOTICE_GATHER_PATCH,
  PASSED_TOLD_WHEN_CLOSED_PATCH,
  REJECTION_FAILURE_TYPE,
  SEARCH_ATTRIBUTES_ON_CHANGE_PATCH,
  DATES_AS_WRITTEN_PATCH,
  DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH,
  LAPSED_CP_WITHDRAWS_CERTIFICATION_PATCH,
  LAPSE_TOLD_TO_COORDINATOR_PATCH,
  LAPSE_CORRECTABLE_PATCH,
  signOffUpdate,
  TRANSFERS_TOLD_BY_OUTBOX_PATCH,
  syncUpdate,
  transferUpdate,
  workflowIdOf,
  type CaseWorkflowInput,
} from './contract';
import { CASE_STATUS, NEXT_DUE_AT, PENDING_AGENCIES, PENDING_STEP_KINDS } from './search-attributes';

const DEFAULT_HISTORY_LIMIT = 5_000;

const PROJECTION_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
} as const;
const remoteProjection = proxyActivities<CaseActivities>(PROJECTION_OPTIONS).projectCase;
/**
 * The projection is idempotent and quick, and the update that made the change waits for it: run in the workflow
 * task itself, it adds no task and no round trip to the server. Retried past the local retry threshold, the SDK
 * schedules it again with a timer, so an outage of the database holds the case's writes back but never fails it.
 */
const localProjection = proxyLocalActivities<CaseActivities>(PROJECTION_OPTIONS).projectCase;
/**
 * Records the alarm's notification (`notify`), or a transfer's emails (`notifyTransfer`), in the outbox and hands each
 * email to a delivery workflow of its own: the case never waits for the mail server. Only the database and Temporal
 * stand between an alarm and its record, so this is retried for as long as they are down, and no timeout can fail the
 * case.
 */
const { notify, notifyTransfer } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A refusal's text is made well-formed: the failure's message and stack go to Temporal's Core as protobuf strings,
 * and a lone surrogate echoed from a command (an unknown key) is not valid UTF-8: Core cannot encode the activation's
 * completion and the worker stops for every case. A validator's refusal is not recorded, so no history changes.
 */
function reject(rejection: Rejection): never {
  const wellFormed = (one: Rejection): Rejection => {
    const field = one.field?.toWellFormed();
    return { ...one, message: one.message.toWellFormed(), ...(field === undefined ? {} : { field }) };
  };
  // The other broken rules judged with the first (`more`) are the rules' own words too: each made well-formed.
  const more = rejection.more?.map(wellFormed);
  const first = wellFormed(rejection);
  throw ApplicationFailure.create({
    type: REJECTION_FAILURE_TYPE,
    message: first.message,
    details: [{ ...first, ...(more === undefined ? {} : { more }) }],
    nonRetryable: true,
  });
}

/**
 * Refuses, before any rule reads it, a command not issued for this very update of this case within the window
 * (domain/issued.ts): a sealed command copied out of another case's history, or out of this one's to send it again.
 * Validators run only when an update is first delivered, never on replay, so commands recorded before they carried
 * `issued` still replay.
 */
function refuseUnbound(state: CaseState, command: CommandEnvelope): void {
  // A payload is whatever was sealed and copied, not necessarily an object with the command's shape.
  const issued: unknown = (command as Partial<CommandEnvelope> | null | undefined)?.issued;
  const rejection = unboundCommandRefusal(issued, {
    caseId: state.caseId,
    updateId: currentUpdateInfo()?.id,
    now: nowIso(),
  });
  if (rejection) reject(rejection);
}

/**
 * A run only for the case its workflow id names: every case is started as `workflowIdOf(caseId)`, so an input under
 * another id is a sealed input copied from another case's history, which would run a second copy of that case (its
 * alarms, its projection onto that case's read model). Recorded histories all have matching ids, so no patch.
 */
function refuseForeignInput(input: CaseWorkflowInput): void {
  // Read warily: a copied payload need not be a case's input at all, and is then refused too, not a task failing.
  const carried = input as { open?: { caseId?: unknown }; state?: { caseId?: unknown } } | null | undefined;
  const caseId = carried?.open?.caseId ?? carried?.state?.caseId;
  if (typeof caseId === 'string' && workflowIdOf(caseId) === workflowInfo().workflowId) return;
  throw ApplicationFailure.create({
    type: 'CaseWorkflowIdMismatch',
    message: 'the workflow id does not name the case of its input: a copied input is never run',
    nonRetryable: true,
  });
}

/** Whether this run has a patch (contract.ts `PATCH_BUNDLES`). */
type HasPatch = (patch: string) => boolean;

/**
 * Asked at a run's start: a run begun on this code records the newest bundle's one marker and has every patch it
 * bundles. In a run recorded before, a bundle whose marker its history lacks answers false, so the asking goes on to
 * the older bundle it recorded, if any; any other patch it has as `patched` answers where it is asked, the same calls
 * at the same points, so that its history replays.
 */
function patchesOfThisRun(): HasPatch {
  const bundle = PATCH_BUNDLES.find(({ id }) => patched(id));
  return (patch) => (bundle?.patches.includes(patch) ?? false) || patched(patch);
}

/** An actor recorded before users had roles (ROLES_PATCH) applies with the working role of their agency. */
const asAuthorised = (actor: Actor, has: HasPatch): Actor => (has(ROLES_PATCH) ? actor : workingActor(actor));

/** The rules that came behind a patch, each a flag of the case state: set at a running case's first task on this code. */
const PATCHED_RULES = [
  ['birthdayRemindersOnGrid', BIRTHDAY_GRID_PATCH],
  ['lateLeadsRaised', LATE_LEADS_PATCH],
  ['holdsPassedExpiries', PASSED_NOTICE_GATHER_PATCH],
  ['datesAsWritten', DATES_AS_WRITTEN_PATCH],
  ['deniedVisaWithdrawsCertification', DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH],
  ['leavesOutMovedDates', MOVED_DATES_LEFT_OUT_PATCH],
  ['tellsPassedWhenClosed', PASSED_TOLD_WHEN_CLOSED_PATCH],
  ['adultAt18', ADULT_AT_18_PATCH],
  ['birthdayLeadsGathered', BIRTHDAY_LEADS_GATHERED_PATCH],
  ['lapsedCpWithdrawsCertification', LAPSED_CP_WITHDRAWS_CERTIFICATION_PATCH],
  ['followersByOpener', CORRECTION_FOLLOWERS_PATCH],
  ['gathersAfterLastEntry', PASSED_NOTICE_AFTER_LAST_ENTRY_PATCH],
  ['coordinatorToldOfLapses', LAPSE_TOLD_TO_COORDINATOR_PATCH],
  ['tellsCorrectedEnds', CORRECTED_END_TOLD_PATCH],
  ['transfersToldByOutbox', TRANSFERS_TOLD_BY_OUTBOX_PATCH],
  ['correctsLapses', LAPSE_CORRECTABLE_PATCH],
  ['tellsWithdrawnSteps', STEP_WITHDRAWN_TOLD_PATCH],
  ['announcesAfterSession', ON_RECORD_AFTER_SESSION_PATCH],
  ['backdatedEntriesHold', BACKDATED_ENTRY_SESSION_PATCH],
  ['tellsNeededAgainDates', NEEDED_AGAIN_DATE_TOLD_PATCH],
  ['tellsGrantedAgain', GRANTED_AGAIN_TOLD_PATCH],
  ['passedToldToOwner', PASSED_TOLD_TO_OWNER_PATCH],
  ['birthdayBeginsInUs', BIRTHDAY_BEGINS_IN_US_PATCH],
  ['leadsGatheredAfterADay', LEADS_GATHERED_AFTER_A_DAY_PATCH],
  ['groundAndCatchUpRules', GROUND_AND_CATCH_UP_RULES_PATCH],
  ['daysDueAllDay', DAYS_DUE_ALL_DAY_PATCH],
  ['countsFromTypedToday', TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH],
  ['monthsEndAsAnniversaries', MONTHS_END_AS_ANNIVERSARIES_PATCH],
  ['minorNoticeByItsDay', MINOR_NOTICE_BY_ITS_DAY_PATCH],
  ['appliesSignersToday', SIGNERS_TODAY_APPLIED_PATCH],
  ['openingDayCountsAsDay', OPENING_DAY_COUNTS_AS_A_DAY_PATCH],
  ['renewalRunsOnFromGrantEnd', RENEWAL_RUNS_ON_FROM_GRANT_END_PATCH],
  ['adjustmentEligibleOnItsDay', ADJUSTMENT_ELIGIBLE_ON_ITS_DAY_PATCH],
] as const satisfies readonly (readonly [keyof CaseState, string])[];

/**
 * The flags of the rules this run has that `state` has not set yet (every one this run has, for a case not opened
 * yet), asked in the order of `PATCHED_RULES`. A flag already set asks no more: its marker was recorded by the task
 * that set it.
 */
function patchedRulesOf(has: HasPatch, state?: CaseState): RuleFlags {
  const newlySet = PATCHED_RULES.filter(([flag, patch]) => !state?.[flag] && has(patch));
  return Object.fromEntries(newlySet.map(([flag]) => [flag, true]));
}

/** Moves a running case to the rules that came behind a patch, at its first task on this code. */
function withPatchedRules(state: CaseState, has: HasPatch): CaseState {
  const newlySet = patchedRulesOf(has, state);
  if (Object.keys(newlySet).length === 0) return state;
  const flagged: CaseState = { ...state, ...newlySet };
  // A minor entered after their 18th birthday: its alarm passed before the case was entered, and is settled as
  // `openCase` settles what passed (an expiry held while the entries may still show HHS was notified in time). Likewise
  // the birthday leads already behind at entry, which the flag dates before the opening (a new case's first task).
  const newlyPassed = (flag: 'adultAt18' | 'birthdayLeadsGathered') => !state[flag] && flagged[flag];
  return newlyPassed('adultAt18') || newlyPassed('birthdayLeadsGathered')
    ? settlePassedAlarms(flagged, flagged.openedAt)
    : flagged;
}

/**
 * A new case, opened on the rules this run has (OPENED_ON_CURRENT_RULES_PATCH, asked before the case opens, then
 * every rule's patch), so its first projection is made on them. A run recorded before opened it on none and set them
 * at its first task, after that projection: it asks nothing more here, and replays as it ran.
 */
function openedCase(open: OpenCaseInput, has: HasPatch): CaseState {
  return openCase(open, nowIso(), has(OPENED_ON_CURRENT_RULES_PATCH) ? patchedRulesOf(has) : {});
}

function nowIso(): string {
  // Workflow time: deterministic, and skipped ahead by the time-skipping test server.
  return new Date(Date.now()).toISOString();
}

export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseState> {
  refuseForeignInput(input);
  const has = patchesOfThisRun();
  const searchAttributesOnChange = has(SEARCH_ATTRIBUTES_ON_CHANGE_PATCH);
  let state = input.kind === 'open' ? openedCase(input.open, has) : input.state;

  let projectedVersion = input.kind === 'resume' ? input.state.version : 0;
  /** The search attributes this run last upserted (their JSON); none yet at its start. */
  let upserted: string | undefined;
  /** The version the last entry (a command) made; the run's first, for the opening or the run continued as new. */
  let enteredVersion = state.version;
  /** When the last entry was made; the run's start, as for `enteredVersion`. */
  let enteredAt = Date.now();
  const gatherMs = input.passedNoticeGatherMs ?? DEFAULT_PASSED_NOTICE_GATHER_MS;
  /** An entry session ends once nothing was entered for `gatherMs` after `lastEntryMs`: the one rule of its end. */
  const sessionEndAfter = (lastEntryMs: number) => lastEntryMs + gatherMs;
  /**
   * When an entry session running now ends, as the loop below reckons it: after its last entry (before
   * `gathersAfterLastEntry`: after this change). The projection lists the announcements held for it then.
   */
  const sessionEndsAt = () =>
    new Date(sessionEndAfter(state.gathersAfterLastEntry ? enteredAt : Date.now())).toISOString();
  /** `command`: the command that produced this state, for its audit row (every applied command has one). */
  const publish = async (command?: Pick<AppliedCommand, 'action' | 'stepId' | 'actor'>): Promise<CaseCommandResult> => {
    const published = state;
    if (command) {
      enteredVersion = published.version;
      enteredAt = Date.now();
    }
    if (input.searchAttributes)
      upserted = upsertCaseSearchAttributes(published, searchAttributesOnChange ? upserted : undefined);
    // Only the activity's input grows: replaying older histories schedules the same activity, so no patch is needed.
    const applied: AppliedCommand | undefined = command && {
      ...command,
      caseId: published.caseId,
      version: published.version,
    };
    // The history length tells this task's projection from that of an earlier attempt at it whose worker died.
    const projectCase = has(LOCAL_PROJECTION_PATCH) ? localProjection : remoteProjection;
    await projectCase(snapshotOf(published, sessionEndsAt()), applied, workflowInfo().historyLength);
    projectedVersion = Math.max(projectedVersion, published.version);
    return { version: published.version };
  };

  setHandler(caseStateQuery, () => state);
  setHandler(deliveryReportSignal, async (report) => {
    // Read warily, as a command's `issued`: a payload copied from another history need not be a report at all.
    if (has(DELIVERY_REPORT_BOUND_PATCH) && (report as Partial<DeliveryReport> | null)?.caseId !== state.caseId) {
      log.warn('a delivery report for another case was dropped', { caseId: state.caseId });
      return;
    }
    state = recordDelivery(state, report, nowIso());
    await publish();
  });
  setHandler(syncUpdate, async () => {
    await condition(() => projectedVersion >= state.version);
    return { version: state.version };
  });
  setHandler(
    signOffUpdate,
    async (command) => {
      state = applySignOff(state, command.signOff, asAuthorised(command.actor, has), nowIso(), command.issued?.today);
      log.info('step signed off', { stepId: command.signOff.stepId, requestId: command.actor.requestId });
      return publish({ action: 'step.sign_off', stepId: command.signOff.stepId, actor: command.actor });
    },
    {
      validator: (command: SignOffCommand) => {
        refuseUnbound(state, command);
        const rejection = validateSignOff(state, command.signOff, command.actor, nowIso(), command.issued?.today);
        if (rejection) reject(rejection);
      },
    },
  );
  setHandler(
    closeUpdate,
    async (command) => {
      state = applyClose(state, { ...command, actor: asAuthorised(command.actor, has) }, nowIso());
      log.info('case closed', { status: command.status, requestId: command.actor.requestId });
      return publish({ action: 'case.close', stepId: null, actor: command.actor });
    },
    {
      validator: (command: CloseCommand) => {
        refuseUnbound(state, command);
        const rejection = validateClose(state, command, nowIso());
        if (rejection) reject(rejection);
      },
    },
  );

  setHandler(
    transferUpdate,
    async (command) => {
      // A running case's first task on this code may be this very transfer, before the loop moved the case to the
      // patched rules: its emails are recorded by the workflow all the same, now that the API sends none.
      if (!state.transfersToldByOutbox && has(TRANSFERS_TOLD_BY_OUTBOX_PATCH))
        state = { ...state, transfersToldByOutbox: true };
      state = applyTransfer(state, command, nowIso());
      log.info('case transferred', { agencyKind: command.agencyKind, requestId: command.actor.requestId });
      return publish({ action: 'case.transfer', stepId: null, actor: command.actor });
    },
    {
      validator: (command: TransferCommand) => {
        refuseUnbound(state, command);
        const rejection = validateTransfer(state, command, nowIso());
        if (rejection) reject(rejection);
      },
    },
  );
  setHandler(
    askAgainUpdate,
    async (command) => {
      state = applyAskAgain(state, command, nowIso());
      const stepId = latestOfKind(state, command.stepKind)?.id ?? null;
      log.info('request asked again', { stepId, requestId: command.actor.requestId });
      return publish({ action: 'case.ask_again', stepId, actor: command.actor });
    },
    {
      validator: (command: AskAgainCommand) => {
        refuseUnbound(state, command);
        const rejection = validateAskAgain(state, command, nowIso());
        if (rejection) reject(rejection);
      },
    },
  );
  setHandler(
    correctSignOffUpdate,
    async (command) => {
      state = applyCorrection(state, command, nowIso(), { asSigned: has(CORRECTION_AS_SIGNED_PATCH) });
      log.info('sign-off corrected', { stepId: command.correction.stepId, requestId: command.actor.requestId });
      return publish({ action: 'step.correct', stepId: command.correction.stepId, actor: command.actor });
    },
    {
      validator: (command: CorrectionCommand) => {
        refuseUnbound(state, command);
        const rejection = validateCorrection(state, command, nowIso());
        if (rejection) reject(rejection);
      },
    },
  );

  /** One notice of what commands revealed as already passed (only policies counting from events), to one agency. */
  const tellWhatPassed = async (passed: PassedAlarm[], alarmId: string, recipientAgencyId: string) => {
    if (passed.length === 0) return;
    const [first] = passed;
    await notify({
      alarmId,
      caseId: state.caseId,
      reference: state.reference,
      stepId: first!.stepId,
      stepKind: first!.stepKind,
      kind: 'passed_summary',
      recipientAgencyId,
      dueAt: null,
      passed,
    });
  };
  /**
   * An entry session's notice: the coordinator's lists everything; each other agency that would have been sent one of
   * them gets its own, of those alone (the police learn that their 24-hour notice of a minor is overdue).
   */
  /**
   * What a notice of what passed tells, by the rules this case has. CANCELLED_IS_NOT_DONE_PATCH is asked only where its
   * rule tells more (it only ever adds), so a case records that marker then alone: a history recorded before replays
   * as it ran, and a new case's opening records no marker more.
   */
  const toTell = (told: (rules: PassedRules) => PassedAlarm[]): PassedAlarm[] => {
    const before = told({});
    const after = told({ cancelledIsNotDone: true });
    return after.length > before.length && has(CANCELLED_IS_NOT_DONE_PATCH) ? after : before;
  };

  const tellSessionWhatPassed = async (passed: PassedAlarm[]) => {
    const alarmId = `passed_summary:${state.version}`;
    const coordinator = state.agencies.coordinator;
    await tellWhatPassed(passed, alarmId, coordinator);
    const byAgency = new Map<string, PassedAlarm[]>();
    for (const alarm of passed) {
      const agencyId = passedAlarmAgency(state, alarm);
      if (agencyId && agencyId !== coordinator) byAgency.set(agencyId, [...(byAgency.get(agencyId) ?? []), alarm]);
    }
    for (const [agencyId, own] of byAgency) await tellWhatPassed(own, `${alarmId}:${agencyId}`, agencyId);
  };
  /**
   * Records the emails a command queued in the case state (`queue`) through the outbox, one `record` each, then drops
   * those from the queue: a command applied while they were recorded may have queued more, which go next. Whether
   * there were any.
   */
  const tellQueued = async <K extends 'transfersToTell' | 'endCorrections' | 'stepChangesToTell'>(
    queue: K,
    record: (item: NonNullable<CaseState[K]>[number]) => Promise<unknown>,
  ): Promise<boolean> => {
    const queued = state[queue] ?? [];
    for (const item of queued) await record(item);
    state = { ...state, [queue]: (state[queue] ?? []).slice(queued.length) };
    return queued.length > 0;
  };
  /**
   * The emails commands queue, in the order they are recorded: a transfer's to both agencies (`transfersToTell`); the
   * end as corrected, to the recipients of an expiry email a correction made wrong (domain/corrected-ends.ts); "No
   * longer needed" and "Needed again", to the agencies whose pending step a correction withdrew or reopened
   * (domain/withdrawn-steps.ts). Whether any were queued.
   */
  const tellQueuedEmails = async (): Promise<boolean> =>
    (await tellQueued('transfersToTell', (transfer) =>
      notifyTransfer({ ...transfer, caseId: state.caseId, reference: state.reference }),
    )) ||
    (await tellQueued('endCorrections', (end) => {
      // The agency that got the earlier email, whoever holds its kind now.
      const recipientAgencyId = end.agencyId ?? state.agencies[end.recipient];
      return notify({
        alarmId: end.id,
        caseId: state.caseId,
        reference: state.reference,
        stepId: end.stepId,
        stepKind: end.stepKind,
        kind: 'end_corrected',
        about: end.about,
        recipientAgencyId,
        // Transferred away, it can no longer open the case: its email names who holds the kind now instead.
        nowHeldBy: takesPart(recipientAgencyId, state.agencies) ? undefined : state.agencies[end.recipient],
        dueAt: end.date,
        was: end.was,
        endNow: end.endNow,
        outcome: end.outcome,
        refusedBefore: end.refusedBefore,
      });
    })) ||
    (await tellQueued('stepChangesToTell', (notice) =>
      notify({
        alarmId: notice.id,
        caseId: state.caseId,
        reference: state.reference,
        stepId: notice.stepId,
        stepKind: notice.stepKind,
        kind: notice.kind,
        recipientAgencyId: state.agencies[notice.recipient],
        dueAt: notice.dueAt ?? null,
        again: notice.again,
        secondOf: notice.secondOf,
        // A step withdrawn or owed again by an event (`ground`), not a correction, names no corrector.
        corrected: notice.correctedBy && {
          stepKind: notice.correctedStepKind,
          byAgencyId: state.agencies[notice.correctedBy],
        },
        ground: notice.ground,
      }),
    ));
  /**
   * The version at which the current entry session was last entered (before `gathersAfterLastEntry`: last changed),
   * and when its notice is due.
   */
  let gathered = { version: -1, noticeAt: 0 };

  if (input.kind === 'open') await publish({ action: 'case.open', stepId: null, actor: input.open.openedBy ?? null });

  while (state.status === 'open') {
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.historyLimit ?? DEFAULT_HISTORY_LIMIT)) {
      await condition(allHandlersFinished);
      const { searchAttributes, historyLimit, passedNoticeGatherMs } = input;
      return continueAsNew<typeof caseWorkflow>({
        kind: 'resume',
        state,
        searchAttributes,
        historyLimit,
        passedNoticeGatherMs,
      });
    }
    state = withPatchedRules(state, has);
    if (await tellQueuedEmails()) continue;
    const passed = state.passedAlarms ?? [];
    if (passed.length > 0 && !state.holdsPassedExpiries) {
      await tellWhatPassed(passed, `passed_summary:${state.version}`, state.agencies.coordinator);
      // A sign-off applied while the notice was recorded may have added more: those go in the next one.
      state = { ...state, passedAlarms: (state.passedAlarms ?? []).slice(passed.length) };
      continue;
    }
    // An entry session: what passed waits until nothing has been entered for `gatherMs`. Cases recorded before
    // `gathersAfterLastEntry` waited from any change, so an alarm firing meanwhile postponed the notice.
    const entering = inEntrySession(state);
    const lastEntered = state.gathersAfterLastEntry ? enteredVersion : state.version;
    if (entering && lastEntered !== gathered.version) {
      gathered = { version: lastEntered, noticeAt: sessionEndAfter(Date.now()) };
    }
    // A session that ended is forgotten: the next begins its wait when it begins, whatever was entered since.
    if (!entering && state.gathersAfterLastEntry) gathered = { version: -1, noticeAt: 0 };
    const next = nextAlarm(state);
    if (next && Date.parse(next.at) <= Date.now()) {
      const step = findStep(state, next.stepId);
      await notify({
        alarmId: next.id,
        caseId: state.caseId,
        reference: state.reference,
        stepId: next.stepId,
        stepKind: step?.kind ?? next.subject,
        kind: next.kind,
        about: next.subject,
        recipientAgencyId: state.agencies[next.recipient],
        dueAt: alarmDate(state, next),
      });
      state = fireAlarm(state, next, nowIso());
      await publish();
      continue;
    }
    // After the alarms due now, so that releasing the held expiries never sweeps one of them into what passed.
    if (entering && Date.now() >= gathered.noticeAt) {
      const before = state.version;
      const lastEntry = enteredVersion;
      state = releaseHeldExpiries(state, nowIso());
      if (state.version !== before) await publish();
      const all = state.passedAlarms ?? [];
      await tellSessionWhatPassed(toTell((rules) => stillToTell(state, all, rules)));
      state = endEntrySession(state, all.length, enteredVersion !== lastEntry);
      continue;
    }
    // Sleep until the next alarm (or the entry session's notice) or until a sign-off changes the state (which may move
    // or add alarms).
    const seen = state.version;
    const changed = () => state.version !== seen;
    const wakeAt = Math.min(next ? Date.parse(next.at) : Infinity, entering ? gathered.noticeAt : Infinity);
    if (wakeAt < Infinity) await condition(changed, wakeAt - Date.now());
    else await condition(changed);
  }

  // Closed while an entry session gathered what passed: nothing more will be entered, so it is told now. The close
  // may be a running case's first task on this code, hence its rules first.
  state = withPatchedRules(state, has);
  // A transfer or a correction just before the close: its emails are recorded all the same.
  while (await tellQueuedEmails());
  const untold = toTell((rules) => passedToTellAtEnd(state, rules));
  if (untold.length > 0) {
    await tellSessionWhatPassed(untold);
    state = { ...state, passedAlarms: [] };
  }
  await condition(allHandlersFinished);
  return state;
}

/**
 * Upserts the case's search attributes unless they are those this run last upserted (`previous`, their JSON), and
 * answers them as JSON: an alarm or a delivery report moves none of them, and each upsert is a write to the server's
 * visibility store. Runs recorded before upserted with every change (SEARCH_ATTRIBUTES_ON_CHANGE_PATCH): they pass
 * no `previous`.
 */
function upsertCaseSearchAttributes(state: CaseState, previous: string | undefined): string {
  const pending = state.steps.filter((step) => step.status === 'pending');
  const dueDates = pending.flatMap((step) => (step.dueAt ? [Date.parse(step.dueAt)] : []));
  const attributes = [
    { key: CASE_STATUS, value: state.status },
    { key: PENDING_STEP_KINDS, value: [...new Set(pending.map((step) => step.kind))] },
    { key: PENDING_AGENCIES, value: [...new Set(pending.flatMap((step) => (step.agencyId ? [step.agencyId] : [])))] },
    { key: NEXT_DUE_AT, value: dueDates.length ? new Date(Math.min(...dueDates)) : null },
  ];
  const current = JSON.stringify(attributes);
  if (current !== previous) upsertSearchAttributes(attributes);
  return current;
}
