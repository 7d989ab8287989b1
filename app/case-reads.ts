/**
 * Reading one case as an actor may see it: the case with its visible steps and "overdue" computed on read, how the
 * other agencies' steps its work depends on went (its milestones), its reminders, the survivor's identity. The write
 * side is app/case-commands.ts; both read the same read model.
 */
import type { Queryable } from '../db/pool';
import { AppError, type FieldProblem } from '../core/errors';
import type { IdentityKeyring } from '../core/identity-cipher';
import { agencyKindOf, agencyKindsOf, deadlineTimeZonesOfCase, findAgency } from '../db/agencies';
import { getCase, type CaseView } from '../db/read-model';
import { listCaseReminders, type Reminder } from '../db/reminders';
import { readSurvivor } from '../db/survivors';
import {
  canReadSurvivor,
  canSeeCase,
  canSeeCaseStep,
  canSeeMilestone,
  canSeeStep,
  canSeeStepId,
  seesCases,
  survivorRefusal,
  type IdentityRefusal,
} from '../domain/access';
import { BIRTH_DATE_SUBJECTS, isBirthDateAlarmLine, windowEndOf, withSettledDeliveries } from '../domain/alarms';
import { emailOutcomes } from '../db/notifications';
import { agencyKindInProse } from '../domain/labels';
import { overdueFrom } from '../domain/steps';
import { transferIn } from '../domain/transfers';
import { signedEventDate } from '../domain/case';
import { correctedDays } from '../domain/correction';
import type { IsoDate } from '../domain/dates';
import type { Actor, AgencyKind, CaseAgencies, Step, TimelineEntry } from '../domain/types';
import { caseNotesShown } from './step-notes';
import { enteredDays } from './timeline-days';
import type { Clock } from '../core/clock';

/** The vocabulary of the answers, for the API's schemas: it speaks the services' types, never db/'s. */
export type { CaseView };
export { REMINDER_STATUSES } from '../db/reminders';

/**
 * How one of another agency's steps went, as an officer or advocate whose work depends on it sees it
 * (domain/access.ts `canSeeMilestone`). No step id, so no document, note, reminder or sign-off of it can be asked
 * for; no details, whose note may name the survivor.
 */
export type Milestone = Pick<
  Step,
  'kind' | 'track' | 'status' | 'outcome' | 'completedAt' | 'expiresAt' | 'agencyId'
> & {
  /**
   * The day `completedAt` stands for when its sign-off gave a day for its event (domain/case.ts `signedEventDate`)
   * and was kept at that day (noon UTC of it, or the moment of a sign-off of today): what it opened at that instant
   * happened on that day, not at an hour (web/timeline.ts). Nothing `completedAt` does not say already.
   */
  typedDay: IsoDate | null;
  /**
   * The days its sign-off gave before a correction replaced them, each where the reader's timeline has a step opened at
   * noon UTC of it (the instant a day typed is kept at): what the sign-off opened then happened on that day, as
   * `typedDay` says of the day it gives now. Nothing that step's opening does not say already.
   */
  formerTypedDays: IsoDate[];
};

/**
 * The case as the API answers it: its visible steps, the milestones of the steps it does not see, and whether
 * GET /survivor answers this reader the identity ('readable') or why not (the code of its 403).
 */
export type PresentedCase = Omit<CaseView, 'timeline'> & {
  /**
   * Each entry with `typedDay`: the day it happened on when that day was entered without a time (app/timeline-days.ts),
   * worked out on the whole case, so every reader of the entry reads the same day; null when it happened at its moment.
   */
  timeline: (TimelineEntry & { typedDay: IsoDate | null })[];
  milestones: Milestone[];
  survivorIdentity: 'readable' | IdentityRefusal['code'];
};

export interface CaseReadsDeps {
  pool: Queryable;
  /** For "overdue": the service's clock (app/services.ts). */
  now: Clock;
  /** Opens survivor identities sealed at rest; the keyring the write side seals with (none in local mode). */
  identityKeyring?: IdentityKeyring;
  /** The deployment's time zone (`TIMEZONE`), for a police without one of its own; default UTC. */
  timeZone?: string;
}

export type CaseReads = ReturnType<typeof createCaseReads>;

export function createCaseReads(deps: CaseReadsDeps) {
  /**
   * The case, if it exists and the actor's agency takes part in it with a role that sees cases. A case that does not
   * exist is refused as one of other agencies is, the same 403 `not_a_participant` in the same words: a 404 for the one
   * told an officer of any agency, by a case id, that a case of other agencies exists. Both are audited alike (every
   * 403 is), so neither does the trail their own supervisor reads tell them apart; nor does the time the refusal
   * takes, since the case is read whole only for an agency taking part in it.
   */
  const readCase = async (caseId: string, actor: Actor): Promise<CaseView> => {
    // Read whole only for an agency taking part in it (db/read-model.ts `getCase`), and not at all for a role that
    // sees no case: a refusal reads no more of a case that exists than of an id no case has.
    const view = seesCases(actor) ? await getCase(deps.pool, caseId, actor.agencyId) : null;
    if (view && canSeeCase(actor, view.agencies)) return view;
    // An agency a transfer took the case from is told so, and to whom: its notice of the transfer named the agency.
    const movedTo = view ? transferredAwayTo(view, actor.agencyId) : undefined;
    if (movedTo) {
      const name = (await findAgency(deps.pool, movedTo))?.name ?? 'another agency';
      throw new AppError(
        'forbidden',
        `This case was transferred from your agency to ${name}; your agency no longer takes part in it.`,
        { code: 'transferred_away' },
      );
    }
    throw new AppError(
      'forbidden',
      'Your agency takes part in no case with this id, or your role does not see cases: check the id, or the link you followed.',
      { code: 'not_a_participant' },
    );
  };

  /** The case, when the actor may read its survivor's identity; else a 403 with the rule's code and words. */
  const identityCase = async (caseId: string, actor: Actor): Promise<CaseView> => {
    const view = await readCase(caseId, actor);
    const refusal = survivorRefusal(actor, view);
    if (refusal) throw new AppError('forbidden', refusal.message, { code: refusal.code });
    return view;
  };

  /**
   * The timeline with each "delivery failing" entry whose email was since settled as not sent read as settled
   * (domain/alarms.ts `withSettledDeliveries`), from the outbox: only a case with such an entry asks it.
   */
  const timelineAsSettled = async <Entry extends TimelineEntry>(timeline: Entry[], caseId: string) => {
    if (!timeline.some((entry) => entry.type === 'notification.failing')) return timeline;
    const settled = withSettledDeliveries(timeline, await emailOutcomes(deps.pool, caseId));
    return timeline.map((entry, index) => ({ ...entry, ...settled[index] }));
  };

  /**
   * The zones an identification entered by its date alone may have been kept in (the start of that day where the
   * police worked then): the zone the case was identified in, kept with it (`identifiedIn`), so a police agency that
   * moved since moves none of its past cases' days; else, for a case that kept none, those law enforcement works in
   * now. Asked only of a case identified so.
   */
  const identificationZones = async (view: CaseView): Promise<string[]> => {
    const byDay = view.steps.some((step) => step.kind === 'identification' && step.details['identifiedOn']);
    return byDay ? deadlineTimeZonesOfCase(deps.pool, view.identifiedIn, deps.timeZone ?? 'UTC') : [];
  };

  return {
    /** The whole case, for checks before a command; `present` it before showing it. */
    case: readCase,

    /** The whole case, for who may read its survivor's identity (domain/access.ts `survivorRefusal`), else a 403. */
    identityCase,

    /** The case as this actor may see it, with `overdue` computed on read and the milestones it may see. */
    present: async (view: CaseView, actor: Actor): Promise<PresentedCase> => {
      // The days entered, on the whole case: a reader who does not see the sign-off that opened a step reads the day.
      const days = enteredDays(view.timeline, view.steps, await identificationZones(view));
      const shown = withOverdue(visibleTo(view, actor, days), await deps.now());
      return {
        ...shown,
        timeline: await timelineAsSettled(shown.timeline, view.caseId),
        milestones: milestonesOf(view, actor, shown.timeline),
        survivorIdentity: survivorRefusal(actor, view)?.code ?? 'readable',
      };
    },

    /** The case, its steps' notes opened for who may read the survivor's identity, else withheld (step-notes.ts). */
    notesShown: (view: CaseView, actor: Actor) =>
      caseNotesShown(view, canReadSurvivor(actor, view), deps.identityKeyring),

    /**
     * A case answered again from the idempotency store: only to one who still sees the case (else the 403 or 404 any
     * read gets), its notes opened only if the reader may still read the identity. The stored answer names the
     * agencies as they were: a transfer since may have taken the reader's agency off the case.
     */
    replayShown: async (stored: CaseView, actor: Actor) => {
      const current = await readCase(stored.caseId, actor);
      const readable = canReadSurvivor(actor, stored) && canReadSurvivor(actor, current);
      return caseNotesShown(stored, readable, deps.identityKeyring);
    },

    /** The reminders of the steps the actor sees; those derived from a birth date only to who may read the identity. */
    async reminders(caseId: string, actor: Actor) {
      const view = await readCase(caseId, actor);
      const reminders = await listCaseReminders(deps.pool, caseId);
      return reminders.filter(visibleReminder(view, actor)).map(reminderItem);
    },

    /**
     * The survivor's identity and how many corrections it has had (what a correction sends as `expectedCorrections`):
     * only to those who may read it (`canReadSurvivor`).
     */
    async survivor(caseId: string, actor: Actor) {
      await identityCase(caseId, actor);
      const survivor = await readSurvivor(deps.pool, caseId, deps.identityKeyring);
      if (!survivor)
        throw new AppError('not_found', 'No survivor record for this case.', { code: 'survivor_not_found' });
      return { ...survivor.identity, corrections: survivor.corrections };
    },

    /** Every organisation named on a new case must exist and be of the kind it stands for: one query for them all. */
    async checkAgencies(agencies: CaseAgencies): Promise<void> {
      const kinds = await agencyKindsOf(deps.pool, Object.values(agencies));
      const problems = Object.entries(agencies).flatMap(([kind, agencyId]) => {
        const problem = kindProblem(agencyId, kinds.get(agencyId) ?? null, kind as AgencyKind, `agencies.${kind}`);
        return problem ? [problem] : [];
      });
      if (problems.length > 0)
        throw new AppError('unprocessable', 'The case names agencies that cannot take these roles.', {
          code: 'invalid_agencies',
          fields: problems,
        });
    },
  };
}

/** Why `agencyId` cannot stand for `kind` on a case (unknown, or of another kind), as a problem with `field`; or null. */
export async function agencyProblem(
  pool: Queryable,
  agencyId: string,
  kind: AgencyKind,
  field: string,
): Promise<FieldProblem | null> {
  return kindProblem(agencyId, await agencyKindOf(pool, agencyId), kind, field);
}

/** Why an agency of kind `actual` (null: unknown) cannot stand for `kind`, or null. */
function kindProblem(
  agencyId: string,
  actual: AgencyKind | null,
  kind: AgencyKind,
  field: string,
): FieldProblem | null {
  if (!actual) return { field, message: `unknown agency ${agencyId}` };
  if (actual !== kind)
    return {
      field,
      message: `agency ${agencyId} acts as ${agencyKindInProse(actual)}, not ${agencyKindInProse(kind)}`,
    };
  return null;
}

/**
 * An officer or advocate sees their own agency's steps and what concerns the whole case; oversight sees all. From a
 * reader who does not see everything (nor, on a minor's case, from one who may not read the identity), the case's
 * `version` is the number of timeline entries it sees, `updatedAt` the latest of their moments (the case's opening if
 * none) and the entries are numbered 1..n in their order.
 */
function visibleTo(
  view: CaseView,
  actor: Actor,
  days: ReadonlyMap<number, IsoDate>,
): Omit<CaseView, 'timeline'> & { timeline: (TimelineEntry & { typedDay: IsoDate | null })[] } {
  const steps = view.steps.filter((step) => canSeeCaseStep(actor, view.agencies, step));
  // A minor's 18th-birthday reminders are seen only by who may read the identity, as in the reminders list. A step a
  // correction withdrew is gone from `steps`: its entries are seen by who sees steps of its kind (`canSeeStepId`).
  const readsIdentity = canReadSurvivor(actor, view);
  const seen = view.timeline.filter(
    (entry) =>
      (entry.stepId === null || canSeeStepId(actor, view, entry.stepId)) &&
      (readsIdentity || !isBirthDateAlarmLine(entry)),
  );
  // Each entry (by its `seq` in the whole timeline) with its day. Object.assign, not a spread: on the objects
  // JSON.parse makes, a spread took three times as long, and a case read copies every entry and step.
  const dated = (entry: TimelineEntry) => Object.assign({}, entry, { typedDay: days.get(entry.seq) ?? null });
  // A reader kept from the birthday reminders reads what it sees (below) on every case that may hold them (a minor's
  // HHS notification, whose reminders they are), not only once one fired: the case's own count and last change, read
  // until then, would turn into these as the first fired, and tell its week, the birthday's (the task force's
  // supervisor, who sees every step).
  const mayHideBirthday = !readsIdentity && view.steps.some((step) => step.kind === 'hhs_minor_notification');
  if (!mayHideBirthday && steps.length === view.steps.length && seen.length === view.timeline.length)
    return { ...view, timeline: view.timeline.map(dated) };
  const timeline = seen.map((entry, index) => ({ ...dated(entry), seq: index + 1 }));
  // The case's own count, last change and numbering would tell this reader that someone acted where it sees
  // nothing, how often and when (the day a T visa was filed: 8 U.S.C. 1367). So all three are of what it sees.
  return { ...view, version: timeline.length, updatedAt: latestMoment(timeline) ?? view.openedAt, steps, timeline };
}

/**
 * The agency the case's latest transfer away from `agencyId` moved it to ("law_enforcement transferred from demo-police
 * to new-police (moved_jurisdiction)", domain/case.ts), when the case was ever transferred from it.
 */
function transferredAwayTo(view: CaseView, agencyId: string | null): string | undefined {
  if (!agencyId) return undefined;
  return view.timeline
    .map(transferIn)
    .filter((moved) => moved?.from === agencyId)
    .at(-1)?.to;
}

/** The latest moment among timeline entries (an entry recorded late is dated when it happened), or null for none. */
function latestMoment(timeline: CaseView['timeline']): string | null {
  return timeline.reduce<string | null>(
    (latest, entry) => (latest === null || Date.parse(entry.at) > Date.parse(latest) ? entry.at : latest),
    null,
  );
}

/**
 * The steps of other agencies this actor's work depends on, each told by the facts `Milestone` allows alone. An HHS
 * certification letter does not expire: its `expiresAt` is the end of the benefits it opened, the date the
 * advocate's reminders of it name (domain/alarms.ts `windowEndOf`), which its details, not shown, alone keep.
 */
function milestonesOf(view: CaseView, actor: Actor, seen: readonly TimelineEntry[]): Milestone[] {
  const steps = view.steps.filter((step) => canSeeMilestone(actor, step));
  if (steps.length === 0) return [];
  // The instants the reader's timeline has a step opened at: a former day is told only where it dates one.
  const opened = new Set(seen.flatMap((entry) => (entry.type === 'step.opened' ? [Date.parse(entry.at)] : [])));
  return steps.map((step) => ({
    kind: step.kind,
    track: step.track,
    status: step.status,
    outcome: step.outcome,
    completedAt: step.completedAt,
    expiresAt: step.kind === 'hhs_certification_letter' ? windowEndOf(step, 'benefit_window') : step.expiresAt,
    agencyId: step.agencyId,
    typedDay: typedDayOf(step),
    formerTypedDays: replacedDaysOf(step, view.timeline).filter((day) =>
      opened.has(Date.parse(`${day}T12:00:00.000Z`)),
    ),
  }));
}

/**
 * A reminder is seen with its step. One whose date derives from a birth date is seen only by those who may read the
 * identity it derives from; for everyone else it does not exist, whether to come or raised.
 */
/**
 * The reminders of the steps the actor sees, and those addressed to their agency on a step it does not see (the
 * police are told when the CP that ICE granted runs out: they request its renewal); birth-date ones only to who may
 * read the identity.
 */
function visibleReminder(view: CaseView, actor: Actor): (reminder: Reminder) => boolean {
  const visibleSteps = new Set(view.steps.filter((step) => canSeeStep(actor, step)).map((step) => step.id));
  const readsIdentity = canReadSurvivor(actor, view);
  return (reminder) =>
    (visibleSteps.has(reminder.stepId) || reminder.recipientAgencyId === actor.agencyId) &&
    (readsIdentity || !BIRTH_DATE_SUBJECTS.has(reminder.about));
}

function reminderItem({ at, kind, stepId, stepKind, about, recipientAgencyId, status, notSentReason }: Reminder) {
  return { at, kind, stepId, stepKind, about, recipientAgencyId, status, notSentReason };
}

/** "Overdue" is computed on read, against the API's clock: a pending step whose due date has passed. */
function withOverdue<View extends Pick<CaseView, 'steps'>>(view: View, now: Date): View {
  const at = now.getTime();
  return {
    ...view,
    // Object.assign, not a spread: see `visibleTo`.
    steps: view.steps.map((step) =>
      Object.assign({}, step, {
        overdue: step.status === 'pending' && step.dueAt !== null && overdueFrom({ ...step, dueAt: step.dueAt }) < at,
      }),
    ),
  };
}

/**
 * The day a settled step's `completedAt` stands for, when its sign-off gave a day for its event and the step was kept
 * at it (`Milestone.typedDay`); null otherwise.
 */
function typedDayOf(step: Step): IsoDate | null {
  const day = signedEventDate(step);
  return day !== undefined && step.completedAt?.startsWith(day) ? day : null;
}

/**
 * The days a correction of the step replaced ("grantedOn 2026-10-27 → 2026-10-29 (reason kept with the step)", its
 * `step.corrected` entries, domain/correction.ts `correctedDays`), oldest first, without the one it gives now.
 */
function replacedDaysOf(step: Step, timeline: readonly TimelineEntry[]): IsoDate[] {
  const now = typedDayOf(step);
  const replaced = timeline.flatMap((entry) =>
    entry.stepId === step.id ? correctedDays(entry).flatMap(({ from }) => (from ? [from] : [])) : [],
  );
  return [...new Set(replaced)].filter((day) => day !== now).sort();
}
