/**
 * Who may do what: the one table of roles and permissions, shared by the API (before it calls a workflow or reads
 * the read model) and by the workflow's update validators (so an update sent straight to Temporal is held to the same
 * rules). Pure: safe to import from workflow code. The README's role table (Security, Roles) says the same for people:
 * change both together.
 */
import { agencyKindInProse } from './labels';
import { stepKindOfId, type Rejection } from './case-state';
import { STEP_CATALOGUE } from './steps';
import type { Actor, AgencyKind, CaseAgencies, Role, Step, StepKind } from './types';

/**
 * The role that works (signs the steps of) each kind of agency. A user works only for their own agency, and only
 * with that agency's working role: a supervisor oversees, an admin administers, neither signs.
 */
export const WORKING_ROLE: Record<AgencyKind, Role> = {
  law_enforcement: 'agency_officer',
  ice: 'agency_officer',
  hhs: 'agency_officer',
  advocate: 'advocate',
  coordinator: 'coordinator',
};

/** The roles a member of an agency of this kind may be given through the API (never `system_admin`). */
export function rolesFor(kind: AgencyKind): Role[] {
  return [WORKING_ROLE[kind], 'supervisor', 'admin'];
}

/**
 * The account a sign-in names by what was typed: without the spaces around it and in lower case, as every username is
 * made (3 to 64 of a-z 0-9 . _ -), so `Demo-Advocate ` is demo-advocate. Its wrong passwords are counted against that
 * one account (db/sign-in-failures.ts) and its device (db/sign-in-devices.ts) however it was typed: another spelling
 * of the name gives no fresh allowance. One rule for the API's sign-in and the console's form.
 */
export function signInUsername(typed: string): string {
  return typed.trim().toLowerCase();
}

/** Law enforcement identifies the victim; a coordinator may record an identification on its behalf. */
export const CASE_OPENERS: readonly AgencyKind[] = ['law_enforcement', 'coordinator'];

// `?? []`: an update sent straight to Temporal may carry an actor without roles; it then holds none.
const has = (actor: Pick<Actor, 'roles'>, role: Role) => (actor.roles ?? []).includes(role);

/** The actor holds their agency's working role. */
export function works(actor: Pick<Actor, 'agencyKind' | 'roles'>): boolean {
  return has(actor, WORKING_ROLE[actor.agencyKind]);
}

/**
 * May open a case: one who works for law enforcement, or for a coordinator (`CASE_OPENERS`). The one rule for the API's
 * POST /api/cases and for what GET /api/me says of it (`can.openCases`), which the console offers the form by.
 */
export function opensCases(actor: Pick<Actor, 'agencyKind' | 'roles'>): boolean {
  return works(actor) && CASE_OPENERS.includes(actor.agencyKind);
}

/** The agency takes part in the case (under any kind): a transfer away ends it. */
export function takesPart(agencyId: string, agencies: CaseAgencies): boolean {
  return Object.values(agencies).includes(agencyId);
}

/** The actor's agency takes part in the case (under any kind). */
function participates(actor: Actor, agencies: CaseAgencies): boolean {
  return takesPart(actor.agencyId, agencies);
}

/** Sees cases at all: a working member or a supervisor of an agency. An admin administers, no more. */
export function seesCases(actor: Actor): boolean {
  return works(actor) || has(actor, 'supervisor');
}

/** Sees this case: `seesCases`, for an agency taking part in it. */
export function canSeeCase(actor: Actor, agencies: CaseAgencies): boolean {
  return participates(actor, agencies) && seesCases(actor);
}

/**
 * Sees every step of a case it may see: the coordinating agency's coordinators and supervisors (oversight of the
 * cases it coordinates; an agency of the coordinator kind takes part in a case only as its coordinator). Anyone else,
 * another agency's supervisor included, sees the steps their own agency owns, the case-level facts, and how the
 * steps its work depends on went (`canSeeMilestone`): a police or ICE supervisor may no more read the T-visa
 * filings and decisions than their officers (8 U.S.C. 1367). The console asks it of the signed-in user (its banner).
 */
export function seesWholeCase(actor: Pick<Actor, 'agencyKind' | 'roles'>): boolean {
  return actor.agencyKind === 'coordinator' && (works(actor) || has(actor, 'supervisor'));
}

/**
 * Whose items a work list shows (steps, notifications, the dashboard's counts), or null when the actor asks for an
 * agency it may not see. Lists span the cases the actor's agency takes part in; within them those who see the whole
 * case (`seesWholeCase`) see every agency's items, or the one agency they ask for; anyone else their own agency's only.
 */
export function listedAgency(actor: Actor, requested: string | undefined): { agencyId: string | undefined } | null {
  const seen = seenStepsAgency(actor);
  if (seen === undefined) return { agencyId: requested };
  if (requested !== undefined && requested !== seen) return null;
  return { agencyId: seen };
}

/**
 * Whose steps the actor sees in a case it may see: undefined for every agency's (`seesWholeCase`), else
 * its own agency's. `canSeeStep` for one step; as an agency id, for reads that select steps in SQL (the caseload's
 * filters and counts, db/case-list.ts), so a list never tells what the case itself would not show.
 */
export function seenStepsAgency(actor: Actor): string | undefined {
  return seesWholeCase(actor) ? undefined : actor.agencyId;
}

export function canSeeStep(actor: Actor, step: Pick<Step, 'agencyId'>): boolean {
  const seen = seenStepsAgency(actor);
  return seen === undefined || step.agencyId === seen;
}

/**
 * The steps the case's agency of their kind sees, whichever agency of the kind signed them: the identification, which
 * the police's own deadlines count from (its details are its day and path, no one's identity, and it has no note); and
 * the attorney's filings with the USCIS notices recorded on them (every step an advocate owns: the T visa's filing,
 * receipt, bona fide determination, responses, decision and adjustment, the HHS certification request, the U-visa
 * petition), which a survivor who changes attorney keeps: the new attorney of record answers the pending request for
 * evidence and files the I-485 while T status lasts from the dates its predecessor recorded. An agency a case was
 * transferred to sees them as the one before it did; their documents stay with the agency that added them
 * (`canSeeStep`).
 */
const seenByTheKindNow = (kind: StepKind): boolean =>
  kind === 'identification' || STEP_CATALOGUE[kind].owner === 'advocate';

/**
 * `canSeeStep`, on a case with these agencies now: also a step of a kind its agency of the step's kind sees whoever
 * signed it (`seenByTheKindNow`), by that agency's people who see cases. What the case view, its timeline and a
 * step id asked for are judged by.
 */
export function canSeeCaseStep(
  actor: Actor,
  agencies: Partial<CaseAgencies>,
  step: Pick<Step, 'agencyId' | 'agencyKind' | 'kind'>,
): boolean {
  if (canSeeStep(actor, step)) return true;
  return seenByTheKindNow(step.kind) && agencies[step.agencyKind] === actor.agencyId && seesCases(actor);
}

/**
 * `canSeeStep` for a step id asked for on a case the actor may see, whether the case holds that step or not. One it
 * does not hold (a correction withdrew it, or it never opened) is judged by the agency that owes steps of the kind
 * its id names: a caller who may not see T-visa steps is told nothing of a withdrawn one either, not even that a
 * correction withdrew it (8 U.S.C. 1367). An id naming no kind is no step anyone sees differently.
 */
export function canSeeStepId(
  actor: Actor,
  view: { steps: readonly Pick<Step, 'id' | 'agencyId' | 'agencyKind' | 'kind'>[]; agencies: CaseAgencies },
  stepId: string,
): boolean {
  const step = view.steps.find((candidate) => candidate.id === stepId) ?? stepOfId(view.agencies, stepId);
  return step === undefined || canSeeCaseStep(actor, view.agencies, step);
}

/**
 * The step an id stands for on a case that need not hold it (a correction withdrew it): its kind, as the id names it,
 * and the case's agency that owes steps of that kind. Undefined for an id no step could have.
 */
export function stepOfId(
  agencies: Partial<CaseAgencies>,
  stepId: string,
): Pick<Step, 'kind' | 'agencyKind' | 'agencyId'> | undefined {
  const kind = stepKindOfId(stepId);
  if (kind === undefined) return undefined;
  const owner = STEP_CATALOGUE[kind].owner;
  return { kind, agencyKind: owner, agencyId: agencies[owner] ?? null };
}

/**
 * The other agencies' steps whose outcome each agency kind's own work rests on. An officer or advocate
 * learns of these only how they went (`canSeeMilestone`), never their details, notes, documents or timeline: enough
 * to do their own step, no more.
 * - advocate: the T-visa application (I-914) shows cooperation with law enforcement through CP and the declaration
 *   (I-914 Supplement B); HHS's letters open the survivor's benefits and are evidence the advocate relies on; the
 *   U-visa petition needs the certification (I-918 Supplement B) and must be filed within 6 months of its signature
 *   (8 CFR 214.14(c)(2)(i)).
 * - law enforcement: it requested CP and asks for its renewal before it expires (22 U.S.C. 7105(c)(3)).
 * - HHS: it certifies an adult once CP is granted, a T-visa application is found bona fide and not denied, or T
 *   status is granted (22 U.S.C. 7105(b)(1)(E)): the CP decisions, the bona fide determination, the T-visa decision.
 * - ICE decides on law enforcement's request alone; the coordinator already sees every step.
 */
const MILESTONES_OF: Record<AgencyKind, readonly StepKind[]> = {
  advocate: [
    'cp_decision',
    'cp_renewal_decision',
    'le_declaration',
    'hhs_interim_letter',
    'hhs_eligibility_letter',
    'hhs_certification_letter',
    'u_visa_certification',
  ],
  law_enforcement: ['cp_decision', 'cp_renewal_decision'],
  hhs: ['cp_decision', 'cp_renewal_decision', 't_visa_bona_fide', 't_visa_decision'],
  ice: [],
  coordinator: [],
};

/**
 * Sees that a step it may not see went through (its kind, status, outcome, dates and signing agency): an officer or
 * advocate, or a supervisor of their agency, for the steps of other agencies its work depends on. Those who see the
 * whole case need none.
 */
export function canSeeMilestone(actor: Actor, step: Pick<Step, 'agencyId' | 'kind'>): boolean {
  return seesCases(actor) && !canSeeStep(actor, step) && MILESTONES_OF[actor.agencyKind].includes(step.kind);
}

/**
 * Whether an agency of this kind may be told of a case's step of that kind, as its people may read it: the
 * coordinator of any, another agency of its own steps and its milestones. What an email to the agency may name.
 */
export function knowsOfStepKind(agencyKind: AgencyKind, stepKind: StepKind): boolean {
  return (
    agencyKind === 'coordinator' ||
    STEP_CATALOGUE[stepKind].owner === agencyKind ||
    MILESTONES_OF[agencyKind].includes(stepKind)
  );
}

/**
 * The agency kinds that read a survivor's identity only once a request has reached them: ICE decides on law
 * enforcement's CP request, HHS on a certification request or a minor's notification. Every case names an ICE and an
 * HHS office, so without this immigration enforcement would read every survivor's name (domain.md, Confidentiality:
 * shown only to whom needs it).
 */
const READS_IDENTITY_ONCE_ASKED: readonly AgencyKind[] = ['ice', 'hhs'];

/**
 * The agency whose steps on a case open the identity to the actor, or undefined when no step is needed (law
 * enforcement, the advocate, the coordinator). The name search says the same in SQL (db/case-list.ts
 * `identityStepAgencyId`): keep both together.
 */
export function identityStepAgency(actor: Actor): string | undefined {
  return READS_IDENTITY_ONCE_ASKED.includes(actor.agencyKind) ? actor.agencyId : undefined;
}

/** A refusal of the identity: always a 403, audited like every other. */
export interface IdentityRefusal {
  code: 'not_permitted_identity' | 'identity_not_yet_requested';
  message: string;
}

/** A case as the identity rule reads it: its agencies and all its steps (not only those the actor sees). */
export interface CaseParties {
  agencies: CaseAgencies;
  steps: readonly Pick<Step, 'agencyId'>[];
}

/** Why the actor may not read the survivor's identity of this case, or null when it may (`canReadSurvivor`). */
export function survivorRefusal(actor: Actor, { agencies, steps }: CaseParties): IdentityRefusal | null {
  if (!participates(actor, agencies) || !works(actor))
    return { code: 'not_permitted_identity', message: "Only those working the case may read the survivor's identity." };
  const stepAgency = identityStepAgency(actor);
  if (stepAgency !== undefined && !steps.some((step) => step.agencyId === stepAgency))
    return {
      code: 'identity_not_yet_requested',
      message:
        "Your agency reads the survivor's identity once a request on this case reaches it: it has no step on this case yet.",
    };
  return null;
}

/**
 * The survivor's identity: only the people who work the case, never oversight or administration roles alone; ICE and
 * HHS once their agency has a step on the case (any step it owns, in any status), i.e. a request reached them.
 */
export function canReadSurvivor(actor: Actor, parties: CaseParties): boolean {
  return survivorRefusal(actor, parties) === null;
}

/**
 * Adds a document that proves a step: one who may act for the step's agency on this case, or the case's coordinator
 * (who files for agencies that send their letters by post). Either reads the identity, which a document may show: an
 * ICE or HHS officer acts only for its own agency's step, which opens the identity to it (`canReadSurvivor`). Only on
 * a step whose documents they see (`canSeeStep`): not one another agency of their kind signed before the case was
 * transferred to theirs, which they read (`canSeeCaseStep`) but whose documents stay with that agency.
 */
export function canAttachDocument(
  actor: Actor,
  agencies: CaseAgencies,
  step: Pick<Step, 'agencyId' | 'agencyKind'>,
): boolean {
  const acts = (kind: AgencyKind) => actingRefusal(actor, agencies, kind, 'a document') === null;
  return canSeeStep(actor, step) && (acts(step.agencyKind) || acts('coordinator'));
}

/**
 * Removes a document added by mistake (its content is destroyed): one who may add the step's documents (an officer of
 * the step's agency on this case, the case's coordinator), or the user who added it while they still read the
 * identity and see the step. Never a supervisor or another agency.
 */
export function canRemoveDocument(
  actor: Actor,
  parties: CaseParties,
  step: Pick<Step, 'agencyId' | 'agencyKind'>,
  addedByActor: boolean,
): boolean {
  return canAttachDocument(actor, parties.agencies, step) || (addedByActor && canReadDocument(actor, parties, step));
}

/** Opens a step's document (its content and file name): one who reads the identity and sees the step. */
export function canReadDocument(actor: Actor, parties: CaseParties, step: Pick<Step, 'agencyId'>): boolean {
  return canReadSurvivor(actor, parties) && canSeeStep(actor, step);
}

/**
 * Finds cases by their survivor's name: those who may read identities (`canReadSurvivor`), among the cases their
 * agency takes part in and whose identity they read (ICE and HHS: those with a step of theirs, `identityStepAgency`).
 * Oversight and administration roles never can: a name is not theirs to look up.
 */
export function searchesByName(actor: Actor): boolean {
  return works(actor);
}

/**
 * The compliance report (aggregate figures, no personal data): the task force's coordinator and supervisors, over the
 * cases their agency takes part in and the steps they see there (`seenStepsAgency`): another agency's supervisor has
 * figures of their own agency's steps only.
 */
export function readsReports(actor: Actor): boolean {
  return seesWholeCase(actor) || has(actor, 'supervisor');
}

export function canReadAudit(actor: Actor): boolean {
  return has(actor, 'supervisor') || canAdminister(actor);
}

/**
 * Reads decoded Temporal payloads in the Temporal Web UI (the codec server): a system administrator, and a task
 * force's supervisor or admin. The UI sends payloads without saying whose case they are, so whoever decodes them
 * reads every agency's commands (T-visa outcomes and dates included): not a police or ICE supervisor or admin, who
 * see their own agency's steps only. Payloads carry references and dates, no one's identity.
 */
export function canDecodePayloads(actor: Actor): boolean {
  return has(actor, 'system_admin') || (actor.agencyKind === 'coordinator' && canReadAudit(actor));
}

/** The audit rows a reader sees, when not every row: see `auditScope`. */
export interface AuditScope {
  /** The rows of this agency's users (their sign-ins, user and key changes, actions). */
  agencyId: string;
  /** Also every row on the cases this agency takes part in, whoever acted. */
  withItsCases: boolean;
}

/**
 * Which audit rows the actor reads, or undefined for all of them (a system administrator). An agency's supervisor or
 * admin reads their agency's users' rows (what administering those users needs: sign-ins, user and key changes, their
 * actions), and a supervisor of a coordinating agency also every row on the cases it coordinates, as it sees them
 * whole (`seesWholeCase`). No one else learns what other agencies did on the cases they share (an advocate's T-visa
 * sign-off): an agency's admin no more than its officers.
 */
export function auditScope(actor: Actor): AuditScope | undefined {
  if (isSystemAdmin(actor)) return undefined;
  return { agencyId: actor.agencyId, withItsCases: has(actor, 'supervisor') && seesWholeCase(actor) };
}

/** Administers users at all: an agency's admin (its own users) or a system administrator (everyone's). */
export function canAdminister(actor: Actor): boolean {
  return has(actor, 'admin') || has(actor, 'system_admin');
}

/**
 * A system administrator: registers and changes agencies (their notification address above all), and administers
 * every agency's users, admins included.
 */
export function isSystemAdmin(actor: Actor): boolean {
  return has(actor, 'system_admin');
}

/** A user as administration sees them: their agency and roles (existing, or asked for when creating them). */
export interface Administered {
  agencyId: string;
  roles: readonly Role[];
}

/** A refusal of administration: always a 403, audited like every other. */
export interface AdministrationRefusal {
  code: 'role_not_permitted' | 'other_agency' | 'admin_not_delegated';
  /** The request's field at fault; none when it is who the caller is, which no field of theirs changes. */
  field?: string;
  message: string;
}

/**
 * Why the actor may not administer this user (create, disable, link identities, revoke tokens), or null when it may.
 * An agency's admin manages its own agency's users only, and not its admins: admins are appointed (and disabled) by
 * a system administrator, so a stolen admin account can neither reach another agency's cases nor mint a second admin
 * that outlives its own disabling. Within its agency an admin may still create a working user who reads that
 * agency's cases: administering an agency is being trusted with its case access, never with another's.
 */
export function administrationRefusal(actor: Actor, user: Administered): AdministrationRefusal | null {
  if (has(actor, 'system_admin')) return null;
  if (!has(actor, 'admin')) return { code: 'role_not_permitted', message: 'this needs the admin role' };
  if (user.agencyId !== actor.agencyId) {
    return {
      code: 'other_agency',
      field: 'agencyId',
      message: "an agency's admin manages their own agency's users only; ask a system administrator",
    };
  }
  if (user.roles.some((role) => role === 'admin' || role === 'system_admin')) {
    return {
      code: 'admin_not_delegated',
      field: 'roles',
      message: 'admins are appointed and managed by a system administrator',
    };
  }
  return null;
}

/**
 * Why the actor may not act for `kind` in a case with these agencies, or null when it may. It names no field: what is
 * wrong is who the caller is (their agency, its kind, their roles), which nothing in their request changes.
 */
export function actingRefusal(actor: Actor, agencies: CaseAgencies, kind: AgencyKind, what: string): Rejection | null {
  if (actor.agencyKind !== kind) {
    return {
      code: 'wrong_agency_kind',
      // Kinds in words, as askingAgainRefusal says them: the API's answer is read by people, not only by the console.
      message: `${what} is for ${agencyKindInProse(kind)}, not ${agencyKindInProse(actor.agencyKind)}`,
    };
  }
  if (actor.agencyId !== agencies[kind]) {
    return {
      code: 'wrong_agency',
      message: `${what} is for the agency acting as ${agencyKindInProse(kind)} on this case`,
    };
  }
  if (!works(actor)) {
    return {
      code: 'role_not_permitted',
      message: `${what} needs the ${WORKING_ROLE[kind]} role`,
    };
  }
  return null;
}

/**
 * Asks again for a request its track ended without (domain/ask-again.ts): the case's coordinator, or an officer of
 * the agency that owns the request (`owner`), for this case.
 */
export function askingAgainRefusal(
  actor: Actor,
  agencies: CaseAgencies,
  owner: AgencyKind,
  what: string,
): Rejection | null {
  if (actor.agencyKind !== owner && actor.agencyKind !== 'coordinator') {
    return {
      code: 'wrong_agency_kind',
      // In words, as the step is named (`what`): the API's answer is read by people, not only by the console.
      message: `${what} is for ${agencyKindInProse(owner)} or the coordinator, not ${agencyKindInProse(actor.agencyKind)}`,
    };
  }
  return actingRefusal(actor, agencies, actor.agencyKind, what);
}

/** An actor holding their agency's working role: a signed-in officer, advocate or coordinator of that agency. */
export function workingActor(actor: Omit<Actor, 'roles'>): Actor {
  return { ...actor, roles: [WORKING_ROLE[actor.agencyKind]] };
}
