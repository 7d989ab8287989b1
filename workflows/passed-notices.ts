/**
 * Gathers an agency's notices of what passed into one email while it has no daily digest: bringing a caseload in
 * closes dozens of entry sessions, and each would otherwise send its own "Brought up to date" email. Started, or
 * signalled, by the notify activity once a notice's outbox row owes the agency an email; the email goes out once no
 * notice came for as long as a case's own entry session waits for its next entry (30 minutes), and at most 4 hours
 * after the first, listing every row still unsent (activities/notifications.ts `deliverPassedNotices`). So a caseload
 * typed in over a working session, a call or a coffee between two cases, is one email. One thing in such a notice
 * may be urgent, a minor's 18th birthday with HHS not yet asked: a notice saying so is not held for the rest, the
 * email goes out as it comes, listing it and those gathered so far. A notice that comes while it is sent starts the
 * next round; the run ends when none is left, and the next notice starts a new one.
 *
 * Exactly once per row: the send holds the rows' locks and records sent_at for every row it lists, as a single
 * notification's delivery does, so a retry or a second round finds them sent. An outage delays the email, retried
 * with backoff for as long as it lasts; rows recorded meanwhile join it. One failing for an hour is reported, as a
 * single notification's is (see `deliver`).
 */
import { ActivityFailure, condition, continueAsNew, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CaseActivities } from '../activities';
import {
  DEFAULT_PASSED_NOTICE_GATHER_MS,
  PASSED_NOTICES_FAILING_REPORTED_PATCH,
  PASSED_NOTICES_GATHER_A_SESSION_PATCH,
  passedNoticeSignal,
  type PassedNoticeSignal,
  type PassedNoticesInput,
} from './contract';
import { FIRST_HOUR_OF_DELIVERY } from './notification-delivery';

/**
 * No notice waits longer than this after the first of a round: a working session's caseload, not a day's. Its quiet
 * time is the case's entry session's (`quietMs`).
 */
const LONGEST_MS = 4 * 60 * 60_000;
/** Runs recorded before PASSED_NOTICES_GATHER_A_SESSION_PATCH: a few quiet minutes, at most 30 after the first. */
const QUIET_MS_BEFORE = 5 * 60_000;
const LONGEST_MS_BEFORE = 30 * 60_000;
/** Rounds per run: a steady trickle of notices keeps the history short by continuing as new. */
const ROUNDS_PER_RUN = 20;

/** As a notification's delivery in its first hour. */
const { deliverPassedNotices: deliverSoon } = proxyActivities<CaseActivities>(FIRST_HOUR_OF_DELIVERY);

/** As a notification's delivery after its first hour: no limit, at most 30 minutes late once the server is back. */
const { deliverPassedNotices: deliverEventually, reportPassedNoticesFailing } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/**
 * Sends the email owed, as a single notification's delivery does (workflows/notification-delivery.ts): one failing
 * for an hour has every notice it lists reported failing to its case's coordinator, in the app. Not in the cases'
 * timelines: the email is about many cases. A run recorded before this retried it for good at once, and replays so.
 */
async function deliver(input: PassedNoticesInput): Promise<void> {
  if (!patched(PASSED_NOTICES_FAILING_REPORTED_PATCH)) {
    await deliverEventually(input);
    return;
  }
  try {
    await deliverSoon(input);
    return;
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
  }
  await reportPassedNoticesFailing(input);
  await deliverEventually(input);
}

export async function passedNotices(input: PassedNoticesInput): Promise<void> {
  // Started by a notice (signal-with-start), or continued as new: either way a round is owed.
  let latest: number | undefined = Date.now();
  /** A notice urging HHS before a minor turns 18 came since the last email: send it now, not with the rest. */
  let urgent = false;
  setHandler(passedNoticeSignal, (notice?: PassedNoticeSignal) => {
    latest = Date.now();
    if (notice?.urgent) urgent = true;
  });
  // Asked once, at the run's start: a run recorded before it keeps its timing; the run it continues as new asks again.
  const gathersASession = patched(PASSED_NOTICES_GATHER_A_SESSION_PATCH);
  const quietMs = gathersASession ? (input.quietMs ?? DEFAULT_PASSED_NOTICE_GATHER_MS) : QUIET_MS_BEFORE;
  const longestMs = gathersASession ? LONGEST_MS : LONGEST_MS_BEFORE;
  for (let round = 0; round < ROUNDS_PER_RUN; round += 1) {
    if (latest === undefined) return;
    const sendBy = latest + longestMs;
    for (;;) {
      if (urgent && gathersASession) break;
      const seen: number = latest;
      const wait = Math.min(seen + quietMs, sendBy) - Date.now();
      if (wait <= 0 || !(await condition(() => latest !== seen, wait))) break;
    }
    latest = undefined;
    urgent = false;
    await deliver({ agencyId: input.agencyId });
  }
  await continueAsNew<typeof passedNotices>(input);
}
