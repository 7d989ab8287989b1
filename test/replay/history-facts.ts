/**
 * What a recorded case history shows, read from its JSON: how the run began and ended, whether it upserted search
 * attributes, and which timeline entries (alarms fired, steps signed, notices received) the run itself added.
 * The recorder checks a new generation against `GENERATION_CLAIMS` before writing it, and the replay test checks the
 * committed files against them, so a re-recording that silently loses coverage fails in both places.
 *
 * Payloads are sealed by the service's codec, so the facts are read through the same data converter the replay uses.
 * What a run did is read from two sources: the timeline wherever a payload carries it (the projections' inputs up to
 * v6, update results, a closed or continued case's state), and the commands themselves (the sign-offs its updates
 * accepted, the notifications it asked for). Since v7 the projection runs as a local activity, whose input the history
 * does not keep, so the commands are what an open run shows.
 */
import { defaultPayloadConverter, type DataConverter, type Payload } from '@temporalio/common';
import { ALARM_KINDS, stepKindOfId } from '../../domain/case-state';
import { CLOSE_REASONS, refusalReasonsOf, TRANSFER_REASONS } from '../../domain/reasons';
import { SEALED_NOTE } from '../../domain/steps';
import type { TimelineEntry } from '../../domain/types';
import {
  BIRTHDAY_GRID_PATCH,
  PATCH_BUNDLES,
  PATCH_BUNDLE_2026_12,
  CORRECTION_AS_SIGNED_PATCH,
  CORRECTION_FOLLOWERS_PATCH,
  PASSED_NOTICE_AFTER_LAST_ENTRY_PATCH,
  LAPSE_TOLD_TO_COORDINATOR_PATCH,
  DELIVERY_REPORT_BOUND_PATCH,
  LATE_LEADS_PATCH,
  LOCAL_PROJECTION_PATCH,
  PASSED_NOTICE_GATHER_PATCH,
  SEARCH_ATTRIBUTES_ON_CHANGE_PATCH,
  DATES_AS_WRITTEN_PATCH,
  DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH,
  PASSED_TOLD_WHEN_CLOSED_PATCH,
  BIRTHDAY_LEADS_GATHERED_PATCH,
  CORRECTED_END_TOLD_PATCH,
  TRANSFERS_TOLD_BY_OUTBOX_PATCH,
  BACKDATED_ENTRY_SESSION_PATCH,
  NEEDED_AGAIN_DATE_TOLD_PATCH,
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
} from '../../workflows/contract';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface HistoryFacts {
  events: number;
  /** `open` for a new case, `resume` for a run that continue-as-new started with the carried state. */
  startedAs: 'open' | 'resume' | 'unknown';
  /** The case the run's input names (an open's, or the state a resumed run carries); its workflow id derives from it. */
  caseId: string | undefined;
  /** Temporal's event type of the first command the first workflow task recorded, e.g. ActivityTaskScheduled. */
  firstCommand: { eventId: number; type: string } | undefined;
  continuedAsNew: boolean;
  completed: boolean;
  searchAttributes: boolean;
  /** Timeline entries this run added, after any carried in by continue-as-new. */
  added: TimelineEntry[];
  /**
   * The ids of the patches the run has (`patched()` answered true): those it recorded markers for, and every patch of
   * a bundle it recorded (contract.ts `PATCH_BUNDLES`).
   */
  patches: string[];
  /** The ids of the patch markers the run recorded: a bundle's stands for its patches (`patches` holds them). */
  markers: string[];
  /** A sign-off carries its note in plain text, as the API sent notes before it sealed them. */
  plainNote: boolean;
  /**
   * A close, transfer or refusal the run's updates accepted gives a reason off today's lists (domain/reasons.ts), as any
   * short code was taken before them.
   */
  unlistedReason: boolean;
  /** The sign-offs the run's updates accepted, in order. */
  signed: Array<{ stepId: string; outcome: string }>;
  /** The notifications the run asked for (the `notify` activity), in order: an alarm's kind, or `passed_summary`. */
  notified: Array<{ kind: string; stepId: string }>;
  /** The case each delivery report the run was signalled names (undefined: one sent before reports named it). */
  reportsFor: Array<string | undefined>;
  /** The transfers whose emails the run recorded (the `notifyTransfer` activity). */
  transfersTold: number;
}

const EVENT_PREFIX = 'EVENT_TYPE_';

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A payload as historyToJSON writes it: metadata and data base64-encoded. */
function isJsonPayload(value: Json): value is { metadata: { [key: string]: string }; data?: string } {
  return (
    isObject(value) &&
    isObject(value.metadata) &&
    typeof value.metadata.encoding === 'string' &&
    (value.data === undefined || typeof value.data === 'string')
  );
}

function toPayload(value: { metadata: { [key: string]: string }; data?: string }): Payload {
  const metadata = Object.fromEntries(
    Object.entries(value.metadata).map(([key, encoded]) => [key, Buffer.from(encoded, 'base64')]),
  );
  return { metadata, data: Buffer.from(value.data ?? '', 'base64') };
}

/**
 * Fields whose payloads the server must read and the SDK never passes through a codec: search attributes (indexed)
 * and the SDK's own markers (patches). The codec refuses plain payloads, so they are left out, as the SDK does.
 */
const UNCODED_FIELDS = new Set([
  'searchAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'markerRecordedEventAttributes',
]);

/** Every payload in a JSON value that the data converter's codec reads, depth first in document order. */
function payloadsIn(value: Json, found: Payload[] = []): Payload[] {
  if (isJsonPayload(value)) found.push(toPayload(value));
  else if (Array.isArray(value)) value.forEach((item) => payloadsIn(item, found));
  else if (isObject(value))
    Object.entries(value).forEach(([key, item]) => UNCODED_FIELDS.has(key) || payloadsIn(item, found));
  return found;
}

async function decode(payloads: Payload[], converter: DataConverter): Promise<unknown[]> {
  let opened = payloads;
  // Codecs decode in the reverse order they encoded, as the SDK applies them.
  for (const codec of [...(converter.payloadCodecs ?? [])].reverse()) opened = await codec.decode(opened);
  return opened.map((payload) => defaultPayloadConverter.fromPayload(payload));
}

function isTimelineEntry(value: unknown): value is TimelineEntry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TimelineEntry).seq === 'number' &&
    typeof (value as TimelineEntry).type === 'string'
  );
}

/** Timeline entries anywhere in a decoded value (projections, update results, continue-as-new state). */
function timelineIn(value: unknown, found: TimelineEntry[] = []): TimelineEntry[] {
  if (Array.isArray(value)) value.forEach((item) => timelineIn(item, found));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'timeline' && Array.isArray(item)) found.push(...item.filter(isTimelineEntry));
      else timelineIn(item, found);
    }
  }
  return found;
}

function eventsOf(history: Json): Array<{ [key: string]: Json }> {
  const events = isObject(history) ? history.events : undefined;
  if (!Array.isArray(events)) throw new Error('not a history: no events');
  return events.filter(isObject);
}

/** `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED` as the SDK's core names it in errors: `ActivityTaskScheduled`. */
function eventTypeName(type: Json | undefined): string {
  return (typeof type === 'string' ? type : '')
    .slice(EVENT_PREFIX.length)
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __: string, letter: string) => letter.toUpperCase());
}

/** Patch markers carry their id in an uncoded JSON payload, as the SDK writes them. */
function patchesOf(events: Array<{ [key: string]: Json }>): string[] {
  return events.flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (!isObject(marker) || marker.markerName !== 'core_patch' || !isObject(marker.details)) return [];
    const data = payloadsIn(marker.details['patch-data'] ?? null).map((payload) =>
      defaultPayloadConverter.fromPayload<{ id?: unknown }>(payload),
    );
    return data.flatMap((patch) => (typeof patch.id === 'string' ? [patch.id] : []));
  });
}

/** The patches a run has: those it recorded markers for, and those of the bundle it recorded, if any. */
const withBundled = (patches: string[]): string[] => {
  const bundle = PATCH_BUNDLES.find(({ id }) => patches.includes(id));
  return bundle ? [...new Set([...patches, ...bundle.patches])] : patches;
};

function firstCommandOf(events: Array<{ [key: string]: Json }>): HistoryFacts['firstCommand'] {
  const completed = events.findIndex((event) => event.eventType === `${EVENT_PREFIX}WORKFLOW_TASK_COMPLETED`);
  const command = completed >= 0 ? events[completed + 1] : undefined;
  return command ? { eventId: Number(command.eventId), type: eventTypeName(command.eventType) } : undefined;
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** The decoded first argument of each event's command of this name: a sign-off update, a notify activity. */
async function commandInputs(
  events: Array<{ [key: string]: Json }>,
  converter: DataConverter,
  pick: (event: { [key: string]: Json }) => Json | undefined,
): Promise<Array<Record<string, unknown>>> {
  const inputs: Array<Record<string, unknown>> = [];
  for (const event of events) {
    const input = pick(event);
    if (input === undefined) continue;
    const [first] = await decode(payloadsIn(input), converter);
    if (typeof first === 'object' && first !== null) inputs.push(first as Record<string, unknown>);
  }
  return inputs;
}

const acceptedUpdate = (name: string) => (event: { [key: string]: Json }) => {
  const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
  const request = isObject(accepted) ? accepted.acceptedRequest : undefined;
  const input = isObject(request) ? request.input : undefined;
  return isObject(input) && input.name === name ? (input.args ?? null) : undefined;
};

const signalled = (name: string) => (event: { [key: string]: Json }) => {
  const signal = event.workflowExecutionSignaledEventAttributes;
  return isObject(signal) && signal.signalName === name ? (signal.input ?? null) : undefined;
};

const scheduledActivity = (name: string) => (event: { [key: string]: Json }) => {
  const scheduled = event.activityTaskScheduledEventAttributes;
  if (!isObject(scheduled) || !isObject(scheduled.activityType) || scheduled.activityType.name !== name)
    return undefined;
  return scheduled.input ?? null;
};

/** `history` is a parsed history file (historyToJSON's output); anything else is refused. */
export async function historyFacts(history: unknown, converter: DataConverter): Promise<HistoryFacts> {
  // JSON.parse yields only Json values; the walk checks every shape it relies on.
  const events = eventsOf(history as Json);
  const has = (type: string) => events.some((event) => event.eventType === `${EVENT_PREFIX}${type}`);
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const [input] = await decode(payloadsIn(isObject(started) ? (started.input ?? null) : null), converter);
  const kind = typeof input === 'object' && input !== null ? (input as { kind?: unknown }).kind : undefined;
  // What the run carried in is not what it did: count only entries after the carried timeline.
  const carriedUpTo = Math.max(0, ...timelineIn(input).map((entry) => entry.seq));
  const bySeq = new Map<number, TimelineEntry>();
  const values = await decode(payloadsIn(events), converter);
  for (const value of values) {
    for (const entry of timelineIn(value)) if (entry.seq > carriedUpTo) bySeq.set(entry.seq, entry);
  }
  return {
    events: events.length,
    startedAs: kind === 'open' || kind === 'resume' ? kind : 'unknown',
    caseId: caseIdIn(input),
    firstCommand: firstCommandOf(events),
    continuedAsNew: has('WORKFLOW_EXECUTION_CONTINUED_AS_NEW'),
    completed: has('WORKFLOW_EXECUTION_COMPLETED'),
    searchAttributes: has('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
    added: [...bySeq.values()].sort((a, b) => a.seq - b.seq),
    patches: withBundled(patchesOf(events)),
    markers: patchesOf(events),
    plainNote: values.some(isPlainNoteSignOff),
    unlistedReason: await givesUnlistedReason(events, converter),
    signed: (await commandInputs(events, converter, acceptedUpdate('signOff'))).flatMap(({ signOff }) => {
      const { stepId, outcome } = (signOff ?? {}) as { stepId?: unknown; outcome?: unknown };
      return isString(stepId) && isString(outcome) ? [{ stepId, outcome }] : [];
    }),
    notified: (await commandInputs(events, converter, scheduledActivity('notify'))).flatMap(({ kind, stepId }) =>
      isString(kind) && isString(stepId) ? [{ kind, stepId }] : [],
    ),
    reportsFor: (await commandInputs(events, converter, signalled('deliveryReport'))).map(({ caseId }) =>
      isString(caseId) ? caseId : undefined,
    ),
    transfersTold: (await commandInputs(events, converter, scheduledActivity('notifyTransfer'))).length,
  };
}

function caseIdIn(input: unknown): string | undefined {
  const { open, state } = (input ?? {}) as { open?: { caseId?: unknown }; state?: { caseId?: unknown } };
  const caseId = open?.caseId ?? state?.caseId;
  return isString(caseId) ? caseId : undefined;
}

async function givesUnlistedReason(events: Array<{ [key: string]: Json }>, converter: DataConverter): Promise<boolean> {
  const off = (codes: readonly string[], reason: unknown) => isString(reason) && !codes.includes(reason);
  const closes = await commandInputs(events, converter, acceptedUpdate('close'));
  const transfers = await commandInputs(events, converter, acceptedUpdate('transfer'));
  const signOffs = await commandInputs(events, converter, acceptedUpdate('signOff'));
  const refusals = signOffs.map(
    ({ signOff }) => (signOff ?? {}) as { stepId?: unknown; details?: { reason?: unknown } },
  );
  return (
    closes.some(({ reason }) => off(CLOSE_REASONS, reason)) ||
    transfers.some(({ reason }) => off(TRANSFER_REASONS, reason)) ||
    refusals.some(({ stepId, details }) => {
      const kind = isString(stepId) ? stepKindOfId(stepId) : undefined;
      return kind !== undefined && off(refusalReasonsOf(kind), details?.reason);
    })
  );
}

function isPlainNoteSignOff(value: unknown): boolean {
  const note = (value as { signOff?: { details?: { note?: unknown } } } | null)?.signOff?.details?.note;
  return typeof note === 'string' && !SEALED_NOTE.test(note);
}

const added = (facts: HistoryFacts, type: string, stepPrefix = '') =>
  facts.added.some((entry) => entry.type === type && (entry.stepId ?? '').startsWith(stepPrefix));
const signed = (facts: HistoryFacts, stepPrefix = '', outcome?: string) =>
  facts.signed.some((s) => s.stepId.startsWith(stepPrefix) && (outcome === undefined || s.outcome === outcome));
const notified = (facts: HistoryFacts, kinds: readonly string[], stepPrefix = '') =>
  facts.notified.some((n) => kinds.includes(n.kind) && n.stepId.startsWith(stepPrefix));
/** An alarm of these kinds fired: on the timeline, or as the notification the run asked for. */
const alarmFired = (facts: HistoryFacts, kinds: string[], stepPrefix = '') =>
  kinds.some((kind) => added(facts, `alarm.${kind}`, stepPrefix)) || notified(facts, kinds, stepPrefix);
const minorAlarmFired = (facts: HistoryFacts) =>
  facts.added.some((entry) => entry.type.startsWith('alarm.') && entry.stepId?.startsWith('hhs_minor_notification')) ||
  notified(facts, ALARM_KINDS, 'hhs_minor_notification');
const anyAlarmFired = (facts: HistoryFacts) =>
  facts.added.some((entry) => entry.type.startsWith('alarm.')) || notified(facts, ALARM_KINDS);
const DEADLINE_ALARMS = ['reminder', 'due', 'escalation'];
const EXPIRY_ALARMS = ['expiry_reminder', 'expired'];

/** Something a history can show; a generation claims that some (or every) one of its histories shows it. */
const COVERAGE = {
  'opens a case': (facts: HistoryFacts) => facts.startedAs === 'open',
  'closes a case': (facts: HistoryFacts) => facts.completed,
  'fires a deadline reminder': (facts: HistoryFacts) => alarmFired(facts, DEADLINE_ALARMS),
  'fires an expiry alarm': (facts: HistoryFacts) => alarmFired(facts, EXPIRY_ALARMS),
  'fires a minor-path alarm': (facts: HistoryFacts) => minorAlarmFired(facts),
  'fires a minor-path alarm on the birthday grid': (facts: HistoryFacts) =>
    minorAlarmFired(facts) && facts.patches.includes(BIRTHDAY_GRID_PATCH),
  'settles alarms that passed before the case was entered': (facts: HistoryFacts) =>
    added(facts, 'alarm.passed') || notified(facts, ['passed_summary']),
  'answers a T-visa evidence request': (facts: HistoryFacts) =>
    (added(facts, 'notice.received', 't_visa_decision') || signed(facts, 't_visa_decision', 'evidence_requested')) &&
    (added(facts, 'step.completed', 't_visa_evidence_response') || signed(facts, 't_visa_evidence_response')),
  'signs a U-visa step': (facts: HistoryFacts) => added(facts, 'step.completed', 'u_visa_') || signed(facts, 'u_visa_'),
  // A run that only began (continue-as-new right after the last change) has nothing to upsert.
  'upserts search attributes when it changes the case': (facts: HistoryFacts) =>
    facts.searchAttributes || (facts.added.length === 0 && facts.signed.length === 0 && facts.notified.length === 0),
  'continues as new': (facts: HistoryFacts) => facts.continuedAsNew,
  'resumes after continue-as-new': (facts: HistoryFacts) => facts.startedAs === 'resume',
  'takes a sign-off after resuming': (facts: HistoryFacts) =>
    facts.startedAs === 'resume' && (added(facts, 'step.completed') || signed(facts)),
  'fires an alarm after resuming': (facts: HistoryFacts) => facts.startedAs === 'resume' && anyAlarmFired(facts),
  'signs with a note in plain text': (facts: HistoryFacts) => facts.plainNote,
  "gives a reason off today's lists": (facts: HistoryFacts) => facts.unlistedReason,
  'projects through a local activity': (facts: HistoryFacts) => facts.patches.includes(LOCAL_PROJECTION_PATCH),
  'upserts search attributes only when they change': (facts: HistoryFacts) =>
    facts.patches.includes(SEARCH_ATTRIBUTES_ON_CHANGE_PATCH),
  'corrects a sign-off as signed': (facts: HistoryFacts) => facts.patches.includes(CORRECTION_AS_SIGNED_PATCH),
  'tells what passed once an entry session ends': (facts: HistoryFacts) =>
    facts.patches.includes(PASSED_NOTICE_GATHER_PATCH) && notified(facts, ['passed_summary']),
  'raises an expiry lead that passed before it was recorded': (facts: HistoryFacts) =>
    facts.patches.includes(LATE_LEADS_PATCH) && notified(facts, ['expiry_reminder'], 'cp_decision'),
  'reads dates as written': (facts: HistoryFacts) =>
    facts.patches.includes(DATES_AS_WRITTEN_PATCH) && signed(facts, 'cp_request'),
  'drops a delivery report naming another case': (facts: HistoryFacts) =>
    facts.patches.includes(DELIVERY_REPORT_BOUND_PATCH) &&
    facts.reportsFor.includes(facts.caseId) &&
    facts.reportsFor.some((caseId) => caseId !== undefined && caseId !== facts.caseId),
  'withdraws the certification request of a denied T visa': (facts: HistoryFacts) =>
    facts.patches.includes(DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH) &&
    signed(facts, 't_visa_decision', 'denied') &&
    added(facts, 'step.cancelled', 'hhs_certification_request'),
  'gathers the birthday leads passed at entry': (facts: HistoryFacts) =>
    facts.patches.includes(BIRTHDAY_LEADS_GATHERED_PATCH),
  "records one patch marker, its bundle's": (facts: HistoryFacts) =>
    facts.markers.length === 1 && facts.markers[0] === PATCH_BUNDLE_2026_12,
  // A run that continue-as-new started carries the rule in its state and asks for no patch of its own.
  "records the bundle's marker and one of its own after it, if it opens a case": (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || (facts.markers.length === 2 && facts.markers[0] === PATCH_BUNDLE_2026_12),
  "takes a corrected step's followers by their opener, if it opens a case": (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(CORRECTION_FOLLOWERS_PATCH),
  "records the bundle's marker and three of its own after it, if it opens a case": (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || (facts.markers.length === 4 && facts.markers[0] === PATCH_BUNDLE_2026_12),
  'tells the coordinator of a lapse, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(LAPSE_TOLD_TO_COORDINATOR_PATCH),
  // Counted from the oldest, which stays where it is as newer bundles come first.
  "records one patch marker, the second bundle's": (facts: HistoryFacts) =>
    facts.markers.length === 1 && facts.markers[0] === PATCH_BUNDLES.at(-2)!.id,
  "records one patch marker, the third bundle's": (facts: HistoryFacts) =>
    facts.markers.length === 1 && facts.markers[0] === PATCH_BUNDLES.at(-3)!.id,
  "records the third bundle's patch marker first": (facts: HistoryFacts) =>
    facts.markers[0] === PATCH_BUNDLES.at(-3)!.id,
  "records one patch marker, the fourth bundle's": (facts: HistoryFacts) =>
    facts.markers.length === 1 && facts.markers[0] === PATCH_BUNDLES.at(-4)!.id,
  "records one patch marker, the fifth bundle's": (facts: HistoryFacts) =>
    facts.markers.length === 1 && facts.markers[0] === PATCH_BUNDLES.at(-5)!.id,
  "records the fifth bundle's patch marker, and a cancelled step's only where it tells more": (facts: HistoryFacts) =>
    facts.markers[0] === PATCH_BUNDLES.at(-5)!.id &&
    facts.markers.slice(1).every((marker) => marker === CANCELLED_IS_NOT_DONE_PATCH) &&
    facts.markers.length <= 2,
  'lists the reminders a step missed when its close cancelled it before its due date': (facts: HistoryFacts) =>
    facts.patches.includes(CANCELLED_IS_NOT_DONE_PATCH),
  'lists a step settled before a transfer to the coordinator alone, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(PASSED_TOLD_TO_OWNER_PATCH),
  "begins a minor's 18th birthday once it has begun everywhere in the US, if it opens a case": (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(BIRTHDAY_BEGINS_IN_US_PATCH),
  'withdraws an HHS letter whose ground went and leaves a renewal asked in time out of its notice, if it opens a case':
    (facts: HistoryFacts) => facts.startedAs !== 'open' || facts.patches.includes(GROUND_AND_CATCH_UP_RULES_PATCH),
  'meets a deadline whose last day is a day all of that day wherever it is read, if it opens a case': (
    facts: HistoryFacts,
  ) => facts.startedAs !== 'open' || facts.patches.includes(DAYS_DUE_ALL_DAY_PATCH),
  'opens on the rules of its run, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(OPENED_ON_CURRENT_RULES_PATCH),
  'counts from a day typed as today as from that day, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH),
  'ends a period of months on the day before its anniversary as a birthday falls, if it opens a case': (
    facts: HistoryFacts,
  ) => facts.startedAs !== 'open' || facts.patches.includes(MONTHS_END_AS_ANNIVERSARIES_PATCH),
  "judges a minor's HHS notice dated by its day by the day its 24 hours end where the police work, if it opens a case":
    (facts: HistoryFacts) => facts.startedAs !== 'open' || facts.patches.includes(MINOR_NOTICE_BY_ITS_DAY_PATCH),
  "applies a sign-off on its signer's today, as it was checked, if it opens a case": (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(SIGNERS_TODAY_APPLIED_PATCH),
  "counts from a typed day that is its step's opening's own day as from that day, if it opens a case": (
    facts: HistoryFacts,
  ) => facts.startedAs !== 'open' || facts.patches.includes(OPENING_DAY_COUNTS_AS_A_DAY_PATCH),
  'runs a CP renewal granted while the grant is in force on from its end, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(RENEWAL_RUNS_ON_FROM_GRANT_END_PATCH),
  'reminds that adjustment can be filed once its day has begun everywhere in the US, if it opens a case': (
    facts: HistoryFacts,
  ) => facts.startedAs !== 'open' || facts.patches.includes(ADJUSTMENT_ELIGIBLE_ON_ITS_DAY_PATCH),
  "takes a minor's case as entered after the fact a full day after the identification, if it opens a case": (
    facts: HistoryFacts,
  ) => facts.startedAs !== 'open' || facts.patches.includes(LEADS_GATHERED_AFTER_A_DAY_PATCH),
  'holds the announcements of an entry made after the fact, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(BACKDATED_ENTRY_SESSION_PATCH),
  'keeps the due dates its "Needed again" emails name, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(NEEDED_AGAIN_DATE_TOLD_PATCH),
  'tells a grant that follows a told refusal as granted again, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(GRANTED_AGAIN_TOLD_PATCH),
  'tells the end a correction moved to whom an expiry email named it': (facts: HistoryFacts) =>
    facts.patches.includes(CORRECTED_END_TOLD_PATCH) && notified(facts, ['end_corrected']),
  "records a transfer's emails": (facts: HistoryFacts) =>
    facts.patches.includes(TRANSFERS_TOLD_BY_OUTBOX_PATCH) && facts.transfersTold > 0,
  'waits for the notice of what passed from the last entry, if it opens a case': (facts: HistoryFacts) =>
    facts.startedAs !== 'open' || facts.patches.includes(PASSED_NOTICE_AFTER_LAST_ENTRY_PATCH),
  'tells what passed as it closes': (facts: HistoryFacts) =>
    facts.patches.includes(PASSED_TOLD_WHEN_CLOSED_PATCH) && facts.completed && notified(facts, ['passed_summary']),
} as const;
type Coverage = keyof typeof COVERAGE;

export interface GenerationClaim {
  /** Shown by at least one history of the generation. */
  some: Coverage[];
  /** Shown by every history of the generation. */
  every: Coverage[];
}

/**
 * What each generation's histories cover. v1 and v2 came from the time-skipping server without search attributes;
 * v3 from the dev server with them, and adds expiries, evidence requests, the U visa and continue-as-new; v4 the same
 * after notifications moved to an outbox keyed by case and alarm, with a delivery workflow per email.
 */
const DEV_SERVER_CLAIMS: GenerationClaim = {
  some: [
    'opens a case',
    'closes a case',
    'fires a deadline reminder',
    'fires an expiry alarm',
    'fires a minor-path alarm',
    'answers a T-visa evidence request',
    'signs a U-visa step',
    'continues as new',
    'resumes after continue-as-new',
    'takes a sign-off after resuming',
    'fires an alarm after resuming',
  ],
  every: ['upserts search attributes when it changes the case'],
};

/** A generation's claims: those of the one before it, and what it adds. */
const adding = (before: GenerationClaim, ...some: Coverage[]): GenerationClaim => ({
  ...before,
  some: [...before.some, ...some],
});
// A policy counting from events: a case entered a month late settles what passed into one notice.
const V6_CLAIMS = adding(DEV_SERVER_CLAIMS, 'settles alarms that passed before the case was entered');
// The read model projected by a local activity in the workflow task that made the change (LOCAL_PROJECTION_PATCH);
// updates answer with the version alone.
const V7_CLAIMS = adding(V6_CLAIMS, 'projects through a local activity');
// A corrected sign-off re-signed as of when it was signed (CORRECTION_AS_SIGNED_PATCH).
const V8_CLAIMS = adding(V7_CLAIMS, 'corrects a sign-off as signed');
// Search attributes upserted only when one of them changes (SEARCH_ATTRIBUTES_ON_CHANGE_PATCH).
const V9_CLAIMS = adding(V8_CLAIMS, 'upserts search attributes only when they change');
// A CP grant recorded with every renewal lead behind it raises one reminder then (LATE_LEADS_PATCH).
const V10_CLAIMS = adding(V9_CLAIMS, 'raises an expiry lead that passed before it was recorded');
// Expiries revealed as passed held while a history is entered; one notice per session (PASSED_NOTICE_GATHER_PATCH).
const V11_CLAIMS = adding(V10_CLAIMS, 'tells what passed once an entry session ends');
// Dates read as written, a past day at noon UTC and never before its step opened, a validity applied once its last
// day has ended in every US zone (DATES_AS_WRITTEN_PATCH); a delivery report taken only
// from its own case (DELIVERY_REPORT_BOUND_PATCH).
const V12_CLAIMS = adding(V11_CLAIMS, 'reads dates as written', 'drops a delivery report naming another case');
// A denied T visa withdraws the certification request it alone unlocked (DENIED_VISA_WITHDRAWS_CERTIFICATION_PATCH);
// a case closed within its entry session tells what passed as it closes (PASSED_TOLD_WHEN_CLOSED_PATCH).
const V13_CLAIMS = adding(
  V12_CLAIMS,
  'withdraws the certification request of a denied T visa',
  'tells what passed as it closes',
);

// A minor's birthday leads already behind at entry wait for the entry session's notice of what passed
// (BIRTHDAY_LEADS_GATHERED_PATCH): every case of this code takes that rule at its first task.
const V14_CLAIMS = adding(V13_CLAIMS, 'gathers the birthday leads passed at entry');

// A case begun on this code records one patch marker, its bundle's (PATCH_BUNDLE_2026_12), for every patch before it,
// the CP lapse's withdrawal of an unbacked certification request (LAPSED_CP_WITHDRAWS_CERTIFICATION_PATCH) among them.
const V15_CLAIMS: GenerationClaim = {
  ...V14_CLAIMS,
  every: [...V14_CLAIMS.every, "records one patch marker, its bundle's"],
};

// A corrected step's followers are the steps its own sign-off opened (CORRECTION_FOLLOWERS_PATCH), a patch asked on
// its own after the bundle: a case begun on this code records the bundle's marker and that one.
const V16_CLAIMS: GenerationClaim = {
  some: V14_CLAIMS.some,
  every: [
    ...V14_CLAIMS.every,
    "records the bundle's marker and one of its own after it, if it opens a case",
    "takes a corrected step's followers by their opener, if it opens a case",
  ],
};

// The notice of what passed counts its 30 minutes from the last entry (PASSED_NOTICE_AFTER_LAST_ENTRY_PATCH), and a
// lapse is told to the coordinator too (LAPSE_TOLD_TO_COORDINATOR_PATCH), each asked on its own after the correction
// followers' patch: a case begun on this code records four markers.
const V17_CLAIMS: GenerationClaim = {
  some: V14_CLAIMS.some,
  every: [
    ...V14_CLAIMS.every,
    "records the bundle's marker and three of its own after it, if it opens a case",
    "takes a corrected step's followers by their opener, if it opens a case",
    'waits for the notice of what passed from the last entry, if it opens a case',
    'tells the coordinator of a lapse, if it opens a case',
  ],
};

// A case begun on this code records one patch marker again, the second bundle's, for every patch before it and those
// asked on their own since, among them the end a correction moved told to the recipients of the expiry email that named
// it (CORRECTED_END_TOLD_PATCH) and a transfer's emails recorded by the workflow (TRANSFERS_TOLD_BY_OUTBOX_PATCH).
const V18_CLAIMS: GenerationClaim = {
  some: [
    ...V14_CLAIMS.some,
    'tells the end a correction moved to whom an expiry email named it',
    "records a transfer's emails",
  ],
  every: [...V14_CLAIMS.every, "records one patch marker, the second bundle's"],
};

// The third bundle: a case begun on this code records its one marker, for every patch of the second and three more: a
// sign-off entered after the fact opens an entry session whose end an announcement it raises waits for
// (BACKDATED_ENTRY_SESSION_PATCH), the due date a "Needed again" email names is kept as announced
// (NEEDED_AGAIN_DATE_TOLD_PATCH), and a grant that follows a told refusal is told as granted again
// (GRANTED_AGAIN_TOLD_PATCH).
const V19_CLAIMS: GenerationClaim = {
  some: V18_CLAIMS.some,
  every: [
    ...V14_CLAIMS.every,
    "records one patch marker, the third bundle's",
    'holds the announcements of an entry made after the fact, if it opens a case',
    'keeps the due dates its "Needed again" emails name, if it opens a case',
    'tells a grant that follows a told refusal as granted again, if it opens a case',
  ],
};

// The third bundle's marker first, then, in a case it opens, a patch asked on its own after it: an entry session's
// notice lists a step another agency settled before a transfer to the coordinator alone (PASSED_TOLD_TO_OWNER_PATCH).
const V20_CLAIMS: GenerationClaim = {
  some: V19_CLAIMS.some,
  every: [
    ...V19_CLAIMS.every.filter((claim) => claim !== "records one patch marker, the third bundle's"),
    "records the third bundle's patch marker first",
    'lists a step settled before a transfer to the coordinator alone, if it opens a case',
  ],
};

// The third bundle's marker first, then, in a case it opens, two patches asked on their own after it: the last adds
// that a minor's 18th birthday begins once it has begun everywhere in the US (BIRTHDAY_BEGINS_IN_US_PATCH).
const V21_CLAIMS: GenerationClaim = {
  some: V20_CLAIMS.some,
  every: [
    ...V20_CLAIMS.every,
    "begins a minor's 18th birthday once it has begun everywhere in the US, if it opens a case",
  ],
};

// As v21, and a third patch asked on its own after the bundle: a minor's case is entered after the fact, for its
// passed birthday leads, a full day after the identification, not on a later UTC day (LEADS_GATHERED_AFTER_A_DAY_PATCH).
const V22_CLAIMS: GenerationClaim = {
  some: V21_CLAIMS.some,
  every: [
    ...V21_CLAIMS.every,
    "takes a minor's case as entered after the fact a full day after the identification, if it opens a case",
  ],
};

// As v22: its new patch is the gathering's (PASSED_NOTICES_GATHER_A_SESSION_PATCH), whose histories are recorded
// among the other workflows' with no claims; the cases' claims stand as they were.
const V23_CLAIMS: GenerationClaim = V22_CLAIMS;

// As v23, and two more patches a case asks on its own: an HHS letter withdrawn when its ground goes, and a renewal
// asked in time left out of the catch-up notice (GROUND_AND_CATCH_UP_RULES_PATCH); a deadline whose last day is a day
// met all of that day wherever in the US (DAYS_DUE_ALL_DAY_PATCH).
const V24_CLAIMS: GenerationClaim = {
  some: V23_CLAIMS.some,
  every: [
    ...V23_CLAIMS.every,
    'withdraws an HHS letter whose ground went and leaves a renewal asked in time out of its notice, if it opens a case',
    'meets a deadline whose last day is a day all of that day wherever it is read, if it opens a case',
  ],
};

// As v24, and one more patch a case asks first, before it opens: it opens on the rules of its run
// (OPENED_ON_CURRENT_RULES_PATCH).
const V25_CLAIMS: GenerationClaim = {
  some: V24_CLAIMS.some,
  every: [...V24_CLAIMS.every, 'opens on the rules of its run, if it opens a case'],
};

// As v25, and one more patch a case asks on its own: a deadline counted in days from a day typed as today (or ahead of
// the UTC date) counts from that day (TYPED_TODAY_COUNTS_FROM_ITS_DAY_PATCH).
const V26_CLAIMS: GenerationClaim = {
  some: V25_CLAIMS.some,
  every: [...V25_CLAIMS.every, 'counts from a day typed as today as from that day, if it opens a case'],
};

// As v26, and two more patches a case asks on its own: a period of months counted with its first day ends the day
// before its anniversary as a birthday falls, 1 Mar where the month is too short (MONTHS_END_AS_ANNIVERSARIES_PATCH),
// and a minor's HHS notice dated by its day is in time on or before the day its 24 hours end where the police work
// (MINOR_NOTICE_BY_ITS_DAY_PATCH).
const V27_CLAIMS: GenerationClaim = {
  some: V26_CLAIMS.some,
  every: [
    ...V26_CLAIMS.every,
    'ends a period of months on the day before its anniversary as a birthday falls, if it opens a case',
    "judges a minor's HHS notice dated by its day by the day its 24 hours end where the police work, if it opens a case",
  ],
};

// As v27, and two more patches a case asks on its own: a sign-off is applied on its signer's today, as it was checked,
// so a CP grant signed without its day in the Honolulu evening runs from that day (SIGNERS_TODAY_APPLIED_PATCH), and a
// typed day that is its step's opening's own day, an hour on the next UTC day, counts from that day
// (OPENING_DAY_COUNTS_AS_A_DAY_PATCH).
const V28_CLAIMS: GenerationClaim = {
  some: V27_CLAIMS.some,
  every: [
    ...V27_CLAIMS.every,
    "applies a sign-off on its signer's today, as it was checked, if it opens a case",
    "counts from a typed day that is its step's opening's own day as from that day, if it opens a case",
  ],
};

// As v28, under the fourth bundle: a case begun on this code records its one marker, for every patch of the third and
// the eleven v20 to v28 asked on their own after it, where it recorded twelve (each with the SDK's search-attribute
// upsert beside it).
const V29_CLAIMS: GenerationClaim = {
  some: V28_CLAIMS.some,
  every: [
    ...V28_CLAIMS.every.filter((claim) => claim !== "records the third bundle's patch marker first"),
    "records one patch marker, the fourth bundle's",
  ],
};

// As v29, under the fifth bundle: a case begun on this code records its one marker, for the fourth's patches and two
// more, where it would record three: a CP renewal granted while the grant is in force, its last day included, runs on
// from the day after that last day (RENEWAL_RUNS_ON_FROM_GRANT_END_PATCH), and the reminder that a survivor may now
// adjust status fires once that day has begun everywhere in the US (ADJUSTMENT_ELIGIBLE_ON_ITS_DAY_PATCH).
const V30_CLAIMS: GenerationClaim = {
  some: V29_CLAIMS.some,
  every: [
    ...V29_CLAIMS.every.filter((claim) => claim !== "records one patch marker, the fourth bundle's"),
    "records one patch marker, the fifth bundle's",
    'runs a CP renewal granted while the grant is in force on from its end, if it opens a case',
    'reminds that adjustment can be filed once its day has begun everywhere in the US, if it opens a case',
  ],
};

// As v30, and a case entered late and closed in its entry session before its CP request fell due: the reminder that
// request missed before the entry is listed, not taken for moot (CANCELLED_IS_NOT_DONE_PATCH), its marker recorded
// only there, after the bundle's.
const V31_CLAIMS: GenerationClaim = {
  some: [...V30_CLAIMS.some, 'lists the reminders a step missed when its close cancelled it before its due date'],
  every: [
    ...V30_CLAIMS.every.filter((claim) => claim !== "records one patch marker, the fifth bundle's"),
    "records the fifth bundle's patch marker, and a cancelled step's only where it tells more",
  ],
};

export const GENERATION_CLAIMS: Record<string, GenerationClaim> = {
  v1: {
    some: ['opens a case', 'closes a case', 'fires a deadline reminder', 'fires a minor-path alarm'],
    every: ['opens a case'],
  },
  v2: {
    some: ['opens a case', 'closes a case', 'fires a deadline reminder', 'fires a minor-path alarm'],
    every: ['opens a case'],
  },
  v3: DEV_SERVER_CLAIMS,
  // Notifications recorded per case and alarm, each email delivered by a workflow of its own.
  v4: DEV_SERVER_CLAIMS,
  // A minor's 18th-birthday reminders on the weekly grid (BIRTHDAY_GRID_PATCH). Sign-off notes were still sent in
  // plain text: v5-adult-plain-notes-closed.json, recorded once by that API, keeps proving that such sign-offs replay
  // now that the validator refuses them (domain/case.ts applies them). Record new cases as a new generation.
  v5: {
    ...DEV_SERVER_CLAIMS,
    some: [
      ...DEV_SERVER_CLAIMS.some,
      'fires a minor-path alarm on the birthday grid',
      'signs with a note in plain text',
    ],
  },
  v6: V6_CLAIMS,
  v7: V7_CLAIMS,
  v8: V8_CLAIMS,
  v9: V9_CLAIMS,
  // Recorded when any short code was a reason: its close gives one off the lists (domain/reasons.ts), and keeps proving
  // that such commands replay now that the validators refuse them. Record new cases as a new generation.
  v10: { ...V10_CLAIMS, some: [...V10_CLAIMS.some, "gives a reason off today's lists"] },
  v11: V11_CLAIMS,
  v12: V12_CLAIMS,
  v13: V13_CLAIMS,
  v14: V14_CLAIMS,
  v15: V15_CLAIMS,
  v16: V16_CLAIMS,
  v17: V17_CLAIMS,
  v18: V18_CLAIMS,
  v19: V19_CLAIMS,
  v20: V20_CLAIMS,
  v21: V21_CLAIMS,
  v22: V22_CLAIMS,
  v23: V23_CLAIMS,
  v24: V24_CLAIMS,
  v25: V25_CLAIMS,
  v26: V26_CLAIMS,
  v27: V27_CLAIMS,
  v28: V28_CLAIMS,
  v29: V29_CLAIMS,
  v30: V30_CLAIMS,
  v31: V31_CLAIMS,
};

/** The generation a history file belongs to: `v3-adult-closed.json` → `v3`. */
export function generationOf(file: string): string {
  return file.split('-')[0]!;
}

/** The claims of a generation that its histories fail, each named; empty when all hold. */
export function unmetClaims(generation: string, histories: HistoryFacts[]): string[] {
  const claim = GENERATION_CLAIMS[generation];
  if (!claim) return [`${generation} has no entry in GENERATION_CLAIMS`];
  return [
    ...claim.some
      .filter((coverage) => !histories.some(COVERAGE[coverage]))
      .map((coverage) => `no ${generation} history ${coverage}`),
    ...claim.every
      .filter((coverage) => !histories.every(COVERAGE[coverage]))
      .map((coverage) => `not every ${generation} history ${coverage}`),
  ];
}

/** One line per history for the recorder's output: size, how it began and ended, what fired. */
export function describeFacts(facts: HistoryFacts): string {
  const onTimeline = facts.added
    .filter((entry) => entry.type.startsWith('alarm.'))
    .map((entry) => entry.type.slice('alarm.'.length));
  // An open run since v7 shows its alarms only as the notifications it asked for.
  const fired = onTimeline.length > 0 ? onTimeline : facts.notified.map((n) => n.kind);
  const counts = [...new Set(fired)].map((kind) => `${kind}×${fired.filter((k) => k === kind).length}`).join(' ');
  const end = facts.continuedAsNew ? 'continued as new' : facts.completed ? 'closed' : 'open';
  return `${facts.events} events, ${facts.startedAs} → ${end}, alarms: ${counts || 'none'}`;
}
