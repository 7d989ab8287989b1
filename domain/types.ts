/**
 * The vocabulary shared by workflows, activities, the read model and the API.
 * Pure types: no I/O, safe to import from workflow code.
 */

/** The kinds of organisation that take part in a case; each step is owned by exactly one kind. */
export const AGENCY_KINDS = ['law_enforcement', 'ice', 'hhs', 'advocate', 'coordinator'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/**
 * `admin` administers the users of its own agency. `system_admin` administers agencies and every agency's admins: a
 * role rather than a flag on the user, so it travels in the Actor, the audit rows and the users table like every
 * other permission, and the table in `domain/access.ts` stays the one place that says who may do what. It fits no agency kind
 * (`rolesFor` never lists it), so no API call can grant it: only the operator's command (`npm run admin --
 * create-admin`, admin.ts), which needs the database's credentials, creates a system administrator.
 */
export const ROLES = ['coordinator', 'agency_officer', 'advocate', 'supervisor', 'admin', 'system_admin'] as const;
export type Role = (typeof ROLES)[number];

/** Every step of every track. The owner of each is fixed in `domain/steps.ts`. */
export const STEP_KINDS = [
  'identification',
  'cp_request',
  'cp_decision',
  'cp_renewal_request',
  'cp_renewal_decision',
  'hhs_minor_notification',
  'hhs_interim_letter',
  'hhs_eligibility_letter',
  'hhs_certification_request',
  'hhs_certification_letter',
  't_visa_filing',
  't_visa_receipt',
  't_visa_bona_fide',
  't_visa_evidence_response',
  't_visa_decision',
  't_visa_adjustment_filing',
  'le_declaration',
  'u_visa_certification',
  'u_visa_petition',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const TRACKS = ['intake', 'continued_presence', 'hhs', 't_visa', 'le_declaration', 'u_visa'] as const;
export type Track = (typeof TRACKS)[number];

type CasePath = 'minor' | 'adult';
type CaseStatus = 'open' | 'closed' | 'withdrawn';
export type StepStatus = 'pending' | 'completed' | 'declined' | 'expired' | 'cancelled';

/** ISO-8601 instant, e.g. 2026-11-23T08:00:00.000Z. Dates travel as strings so payloads stay plain JSON. */
export type Instant = string;

/** One step of a case as the workflow holds it and the read model shows it. */
export interface Step {
  id: string; // unique within the case, e.g. "cp_decision-1"
  kind: StepKind;
  track: Track;
  agencyKind: AgencyKind;
  /** The specific agency (organisation id) expected to sign, when known. */
  agencyId: string | null;
  status: StepStatus;
  openedAt: Instant;
  dueAt: Instant | null;
  /**
   * Its deadline is a day, counted in days from a typed day or a respond-by date (`daysDueAllDay` in
   * domain/case-state.ts): met all of that last day (the day of `dueAt`, or the day before when `dueAt` is a UTC
   * midnight) wherever in the US it is read (domain/steps.ts `overdueFrom`). Absent from a deadline counted from an
   * instant (an identification's hour, a minor's 24 hours), which passes at `dueAt`, and from steps opened before it.
   */
  dueOnADay?: boolean;
  /** When the thing this step grants stops being valid (CP, interim letter, T status, U certification window). */
  expiresAt: Instant | null;
  completedAt: Instant | null;
  outcome: string | null;
  /** Non-identifying facts recorded at sign-off (dates, outcome codes). Never a survivor's identity. */
  details: Record<string, string | number | boolean | null>;
  /**
   * The step whose sign-off opened this one (what a correction of that step re-dates or withdraws: domain/correction.ts).
   * Absent from a step opened otherwise (with the case, by an alarm, asked again) and from steps opened before it was
   * kept. The workflow's own bookkeeping: the read model does not store it.
   */
  openedBy?: string;
  /**
   * Who sent the step's latest sign-off (a user, and the agency they signed for), as its audit row names them: kept in
   * the case so that a read model rebuilt from the workflows (app/reproject.ts, after a restore) still says who signed.
   * Absent from steps not signed since it was kept. Staff, never the survivor.
   */
  signedBy?: Signer;
}

/** A user who signed a step, and the agency they signed for then. */
export interface Signer {
  userId: string;
  agencyId: string;
}

export interface TimelineEntry {
  seq: number;
  at: Instant;
  type: string; // e.g. "step.opened", "step.completed", "reminder.sent", "case.closed"
  stepId: string | null;
  actorAgencyId: string | null;
  summary: string; // human-readable, never personal data
}

/** Who is acting: the authenticated user, their agency and their roles, as the API established them. */
export interface Actor {
  userId: string;
  agencyId: string;
  agencyKind: AgencyKind;
  roles: readonly Role[];
  requestId?: string;
}

/** The agencies taking part in a case, one organisation id per kind. */
export type CaseAgencies = Record<AgencyKind, string>;

/**
 * A command the case workflow applied, handed to the projection with the state it produced so the audit trail has
 * a row for it whoever sent it: who (the actor of the sealed command, or none for an opening without one) and what.
 */
export interface AppliedCommand {
  caseId: string;
  action: 'case.open' | 'step.sign_off' | 'step.correct' | 'case.close' | 'case.transfer' | 'case.ask_again';
  /** The case version the command produced: with the case, the audit row's key, so a repeated projection adds none. */
  version: number;
  stepId: string | null;
  actor: Actor | null;
}

/**
 * What the workflow hands to the read-model projection after every change. `version` grows by one per change so a
 * late or repeated projection never overwrites a newer one.
 */
export interface CaseSnapshot {
  caseId: string;
  reference: string;
  path: CasePath;
  status: CaseStatus;
  openedAt: Instant;
  closedAt: Instant | null;
  policyVersion: string;
  agencies: CaseAgencies;
  steps: Step[];
  timeline: TimelineEntry[];
  version: number;
}
