/**
 * "Where the case stands" (issue 18): per track, what each signed step decided with the dates its signer entered,
 * who signed it and when, and what comes next and by when. Composed from the case view the API gives this reader,
 * so a track shows only the steps their role may see; an officer or advocate also reads how the other agencies' steps
 * their work depends on went (the case's milestones), by these facts alone.
 */
import { endOfDay } from '../domain/dates';
import { stepLabel } from '../domain/labels';
import { refusalReasonLabel, type Words } from './labels';
import { isolated } from './isolated';
import { DECLARATION_OPTIONAL } from './step-guidance';

interface StepFacts {
  /** Absent, why a cancelled or lapsed step ended is not looked up. */
  id?: string;
  kind: string;
  track: string;
  agencyId: string | null;
  agencyKind: string;
  status: string;
  dueAt: string | null;
  dueOnADay?: boolean;
  /** A pending step's `overdue`, as the case read says it (the API's one rule); the console has none of its own. */
  overdue?: boolean;
  expiresAt: string | null;
  completedAt: string | null;
  outcome: string | null;
  details: Record<string, unknown>;
  completedBy?: { displayName: string; agencyId: string | null } | null;
}

/**
 * The last days of what a step gave (a CP grant, T status, an interim letter; a certification letter's benefits), as a
 * line says them while it runs and once it has ended where the reader works (`Words.hasEnded`, not on its last day):
 * "valid until 6 Dec 2028", then "was valid until 6 Dec 2028". A signer's own line and another agency's milestone say
 * an end alike.
 */
const END_WORDS = {
  validUntil: { running: 'valid until', ended: 'was valid until' },
  benefitEndsOn: { running: 'benefits until', ended: 'benefits ran until' },
} as const;

const endSaid = (field: keyof typeof END_WORDS, endsAt: string, lastDay: string, words: Words) =>
  `${END_WORDS[field][words.hasEnded(endsAt) ? 'ended' : 'running']} ${lastDay}`;

const isEndField = (field: string): field is keyof typeof END_WORDS => field in END_WORDS;

/** The detail fields (domain/steps.ts) that carry a date, in words, in the order a reader wants them. */
const DATE_WORDS: [field: string, words: string][] = [
  ['identifiedOn', 'identified'],
  ['requestedOn', 'requested'],
  ['notifiedOn', 'notified'],
  ['grantedOn', 'granted'],
  ['renewedOn', 'renewed'],
  ['issuedOn', 'issued'],
  ['eligibilityDate', 'eligible from'],
  // An HHS certification's benefits: their last day, which the letter keeps (domain/tracks/hhs.ts).
  ['benefitEndsOn', END_WORDS.benefitEndsOn.running],
  ['filedOn', 'filed'],
  ['receivedOn', 'received'],
  ['determinedOn', 'determined'],
  ['respondBy', 'respond by'],
  ['respondedOn', 'responded'],
  ['approvedOn', 'approved'],
  ['signedOn', 'signed'],
  ['validUntil', END_WORDS.validUntil.running],
  ['adjustmentEligibleFrom', 'may adjust status from'],
  ['investigationCompleteDate', 'investigation or prosecution complete'],
];

/**
 * An adjustment filed before the survivor could adjust (domain/tracks/t-visa.ts): what it rests on, said instead of
 * the day it came before ("early: the investigation was complete on 1 Dec 2026"); undefined for any other step.
 */
function earlyFiling(step: StepFacts, words: Words): string | undefined {
  const { filedOn, adjustmentEligibleFrom: from, investigationCompleteDate: complete } = step.details;
  const early = typeof filedOn === 'string' && typeof from === 'string' && filedOn < from;
  return early && typeof complete === 'string'
    ? `early: the investigation was complete on ${words.calendarDay(complete)}`
    : undefined;
}

/** An outcome or status code as a sentence says it: "not_bona_fide" → "not bona fide". */
const inWords = (code: string) => code.replace(/_/g, ' ');

export interface TrackStanding {
  track: string;
  /** One line per step that was decided: "Continued Presence decision: granted 2 Jan 2027, valid until 2 Mar 2028". */
  done: { what: string; signed: string | null }[];
  /** The next pending step: "Continued Presence decision, owed by ICE, in 12 days"; null when nothing is pending. */
  next: string | null;
}

/** `ended`: why each cancelled or lapsed step ended undone, by its id, as the timeline says it (web/timeline.ts `endReasons`). */
export function standingOf(
  steps: readonly StepFacts[],
  tracks: readonly string[],
  words: Words,
  ended: ReadonlyMap<string, string> = new Map(),
): TrackStanding[] {
  return tracks.flatMap((track) => {
    const ofTrack = steps.filter((step) => step.track === track);
    if (ofTrack.length === 0) return [];
    const done = ofTrack
      .filter((step) => step.completedAt !== null)
      .map((step) => decided(step, words, endedUndone(step) && step.id ? ended.get(step.id) : undefined));
    const next = ofTrack
      .filter((step) => step.status === 'pending')
      .sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'))[0];
    return [{ track, done, next: next ? nextLine(next, words) : null }];
  });
}

/** A step that ended without what it was for: cancelled, or owed and lapsed (a validity's end is its own words). */
const endedUndone = (step: StepFacts) => step.status === 'cancelled' || step.status === 'expired';

function decided(step: StepFacts, words: Words, endedWhy?: string): { what: string; signed: string | null } {
  const early = earlyFiling(step, words);
  const dates = DATE_WORDS.flatMap(([field, said]) => {
    const value = step.details[field];
    if (early && (field === 'adjustmentEligibleFrom' || field === 'investigationCompleteDate')) return [];
    if (typeof value !== 'string') return [];
    // A last day as its signer entered it: what it gave ended when that day ended.
    if (isEndField(field)) return [endSaid(field, endOfDay(value), words.calendarDay(value), words)];
    return [`${said} ${words.calendarDay(value)}`];
  });
  if (early) dates.push(early);
  // An interim letter's validity comes from the policy rather than a date typed at sign-off: the step keeps its end.
  if (step.expiresAt && step.details.validUntil === undefined) {
    dates.push(endSaid('validUntil', step.expiresAt, words.validUntil(step.expiresAt), words));
  }
  const outcome = inWords(step.outcome ?? step.status);
  // A refusal says why: a reason the console lists in its words, another client's code as it is.
  const reason = typeof step.details.reason === 'string' ? step.details.reason : undefined;
  // A cancelled or lapsed step says why, as the timeline does: "cancelled: Continued Presence lapsed", "expired: T
  // status ended before adjustment was filed".
  const outcomeSaid = reason
    ? `${outcome} (reason: ${refusalReasonLabel(step.kind, reason)})`
    : endedWhy
      ? `${outcome}: ${endedWhy}`
      : outcome;
  // "requested 2 Dec 2026" says the outcome with its date: the outcome is not said twice.
  const said = dates[0]?.startsWith(`${outcome} `) ? dates : [outcomeSaid, ...dates];
  const what = `${stepLabel(step.kind)}: ${said.join(', ')}`;
  const by = step.completedBy;
  const signed = by
    ? `Signed by ${isolated(by.displayName)} (${isolated(words.agencyName(by.agencyId ?? step.agencyId))}) on ${words.completedOn(step)}`
    : null;
  return { what, signed };
}

function nextLine(step: StepFacts, words: Words): string {
  const due = step.dueAt
    ? `, due ${words.dueOf(step.kind, step.dueAt)} (${words.due(step.dueAt, step.kind, null, step.dueOnADay, step.overdue === true)})`
    : '';
  return `${stepLabel(step.kind)}, owed by ${isolated(words.stepAgency(step))}${due}`;
}

/** A milestone as the case read gives it (app/case-reads.ts `Milestone`): how another agency's step went, no more. */
interface MilestoneFacts {
  kind: string;
  track: string;
  status: string;
  outcome: string | null;
  completedAt: string | null;
  expiresAt: string | null;
  agencyId: string | null;
  /** The day its sign-off gave, where the step was kept at noon UTC of it (app/case-reads.ts); null otherwise. */
  typedDay: string | null;
}

/**
 * A law-enforcement declaration not signed (still owed, or declined) said to be what it is, so that the advocate does not
 * read it as a step the T-visa filing waits for: "(optional evidence: the T-visa filing does not wait for it)".
 */
const optional = (milestone: MilestoneFacts) =>
  milestone.kind === 'le_declaration' && milestone.outcome !== 'signed' ? ` (${DECLARATION_OPTIONAL})` : '';

/**
 * "Continued Presence decision: granted 2 Mar 2027, valid until 1 Mar 2029" and "Signed off by Demo ICE"; or
 * "Law-enforcement declaration (Form I-914, Supplement B): not signed yet" and "Owed by Demo City Police". In the
 * order of `tracks` (as the tracks below them), each track's in the order its steps opened.
 */
export function milestoneLines(
  milestones: readonly MilestoneFacts[],
  tracks: readonly string[],
  words: Words,
): { what: string; signed: string }[] {
  const byTrack = [...milestones].sort((a, b) => tracks.indexOf(a.track) - tracks.indexOf(b.track));
  return byTrack.map((milestone) => {
    const agency = isolated(words.agencyName(milestone.agencyId));
    if (milestone.completedAt === null) {
      const state = milestone.status === 'pending' ? 'not signed yet' : milestone.status;
      const noted = milestone.outcome ? `${inWords(milestone.outcome)}, ` : '';
      return {
        what: `${stepLabel(milestone.kind)}: ${noted}${state}${optional(milestone)}`,
        signed: `Owed by ${agency}`,
      };
    }
    // The day the signer entered as when it happened, as they typed it (`typedDay`: no zone moves it); else the moment
    // it was signed, on the reader's calendar as every moment of the page is (a step's own "Completed on", the
    // timeline). Its UTC day was a day later than the signer's and the reader's on a US evening: ICE's grant signed at
    // 19:00 on 6 Dec in Honolulu read "granted 7 Dec 2026" to the police there.
    const day = milestone.typedDay ? words.calendarDay(milestone.typedDay) : words.date(milestone.completedAt);
    const said = [`${inWords(milestone.outcome ?? milestone.status)} ${day}`];
    if (milestone.expiresAt) {
      // A certification letter does not expire: its milestone's end is that of the benefits it opened.
      const field = milestone.kind === 'hhs_certification_letter' ? 'benefitEndsOn' : 'validUntil';
      said.push(endSaid(field, milestone.expiresAt, words.validUntil(milestone.expiresAt), words));
    }
    return {
      what: `${stepLabel(milestone.kind)}: ${said.join(', ')}${optional(milestone)}`,
      signed: `Signed off by ${agency}`,
    };
  });
}
