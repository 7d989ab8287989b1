/**
 * The day each timeline entry happened on when someone entered a day, not a moment: worked out on the whole case,
 * before it is filtered for a reader, so every reader who sees an entry reads it on the same day. A date typed on a
 * sign-off's form is kept as noon UTC of it, an identification entered by its date alone as the start of that day where
 * the identifying police work: shown at an hour, either reads as a time no one entered, in some zones a day before. A
 * step opened at such an instant (a CP grant's renewal request, the steps an identification entered after the fact
 * opened) happened on that day too, whether or not the reader sees the sign-off that opened it: the entry it sees
 * gets the day alone, nothing of the sign-off.
 */
import { startOfLocalDay } from '../core/time-zones';
import { eventDates, recordedLateIn, SIGN_OFF_ENTRIES } from '../domain/case';
import { stepKindOfId } from '../domain/case-state';
import { correctedDays } from '../domain/correction';
import type { IsoDate } from '../domain/dates';
import { noticeReceived } from '../domain/tracks/t-visa';
import type { TimelineEntry } from '../domain/types';

/** What of a step its days are read from. */
interface StepDays {
  id: string;
  kind: string;
  details: Record<string, unknown>;
}

/**
 * The day of each entry (by its `seq` in the whole timeline) that happened on a day entered without a time.
 * `policeZones`: the zones an identification entered by its date may have been kept in: the one the case was
 * identified in, where it kept it, else law enforcement's now (db/agencies.ts `deadlineTimeZonesOfCase`); UTC besides.
 */
export function enteredDays(
  timeline: readonly TimelineEntry[],
  steps: readonly StepDays[],
  policeZones: readonly string[],
): Map<number, IsoDate> {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const typed = typedDays(timeline, steps);
  const days = new Map<number, IsoDate>();
  for (const entry of timeline) {
    const day = enteredDayOf(entry, byId, typed, policeZones);
    if (day) days.set(entry.seq, day);
  }
  // What else happened at that instant (a step it opened) happened on that day, at no hour anyone entered.
  const atInstant = new Map(
    timeline.flatMap((entry) => {
      const day = days.get(entry.seq);
      return day ? [[Date.parse(entry.at), day] as const] : [];
    }),
  );
  for (const entry of timeline) {
    const day = entry.type === 'step.opened' ? atInstant.get(Date.parse(entry.at)) : undefined;
    if (day && !days.has(entry.seq)) days.set(entry.seq, day);
  }
  return days;
}

function enteredDayOf(
  entry: TimelineEntry,
  steps: ReadonlyMap<string, StepDays>,
  typed: ReadonlyMap<string, ReadonlySet<string>>,
  policeZones: readonly string[],
): IsoDate | undefined {
  if (entry.type === 'step.asked_again') {
    const happened = recordedLateIn(entry.summary)?.happenedOn;
    return happened && entry.at.startsWith(happened) ? happened : undefined;
  }
  if (entry.type === 'notice.received') return noticeIssuedOn(entry, steps);
  // A sign-off, its outcome a completion or a refusal: either may be dated by the day typed.
  if (!SIGN_OFF_ENTRIES.has(entry.type) || !entry.stepId) return undefined;
  const step = steps.get(entry.stepId);
  if ((step?.kind ?? stepKindOfId(entry.stepId)) === 'identification') {
    const day = step?.details['identifiedOn'];
    if (typeof day !== 'string') return undefined;
    const begins = (zone: string) => Date.parse(startOfLocalDay(day, zone)) === Date.parse(entry.at);
    return [...policeZones, 'UTC'].some(begins) ? day : undefined;
  }
  for (const date of typed.get(entry.stepId) ?? []) if (entry.at.startsWith(date)) return date;
  return undefined;
}

/**
 * The days each step was signed as of: those its details keep now, those its own sign-off entries say they happened
 * on, and every day a correction of it replaced or gave ("grantedOn 2026-11-10 → 2026-11-11"), so the entry of a
 * sign-off whose day was corrected since still reads as the day typed then.
 */
function typedDays(timeline: readonly TimelineEntry[], steps: readonly StepDays[]): Map<string, Set<string>> {
  const days = new Map(steps.map((step) => [step.id, new Set(eventDates(step.details).map(([, date]) => date))]));
  const add = (stepId: string, day: string) => days.set(stepId, (days.get(stepId) ?? new Set()).add(day));
  for (const entry of timeline) {
    if (!entry.stepId) continue;
    const happened = SIGN_OFF_ENTRIES.has(entry.type) ? recordedLateIn(entry.summary)?.happenedOn : undefined;
    if (happened) add(entry.stepId, happened);
    for (const { from, to } of correctedDays(entry)) {
      for (const day of [from, to]) if (day) add(entry.stepId, day);
    }
  }
  return days;
}

/**
 * The day a T-visa decision's notice (a request for evidence, a notice of intent to deny: "rfe received, respond by
 * 2026-12-13", domain/tracks/t-visa.ts `noticeReceived`) was issued, as typed on the form: kept by the response step
 * it opened, the one answering by that day. The workflow dates the entry as a sign-off, a past day at noon UTC of it.
 */
function noticeIssuedOn(entry: TimelineEntry, steps: ReadonlyMap<string, StepDays>): IsoDate | undefined {
  const respondBy = noticeReceived(entry)?.respondBy;
  if (!respondBy) return undefined;
  return [...steps.values()]
    .filter((step) => step.kind === 't_visa_evidence_response' && step.details['respondBy'] === respondBy)
    .map((step) => step.details['issuedOn'])
    .find((day): day is IsoDate => typeof day === 'string' && entry.at.startsWith(day));
}
