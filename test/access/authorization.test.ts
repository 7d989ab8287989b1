/**
 * Issue 4's first check, table-driven, on the whole service (real PostgreSQL, the official time-skipping Temporal
 * server, real SMTP):
 *   1. every role against every endpoint: the expected answer of each cell, and an audit row for every 403;
 *   2. every sign-off against every role, through the API and straight at the workflow with forged updates;
 *   3. none of the refused attempts changed a case.
 * The tables below are the specification: read them line by line. A new route that is missing from them fails the
 * OpenAPI completeness test.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import request, { type Response } from 'supertest';
import { createTransport } from 'nodemailer';
import { createActivities } from '../../activities';
import { DEFAULT_RATE_LIMITS } from '../../app/rate-limit-settings';
import { workflowIdOf } from '../../workflows/contract';
import { upsertAgencies } from '../../db/agencies';
import { getCase, type CaseView } from '../../db/read-model';
import { disableUser, linkIdentity } from '../../db/users';
import { DEMO_AGENCIES } from '../../db/seed';
import { issueToken } from '../../db/tokens';
import { WORKING_ROLE } from '../../domain/access';
import type { Role } from '../../domain/types';
import type { Rejection } from '../../domain/case';
import { addMonths, addYears } from '../../domain/dates';
import type { Actor, AgencyKind, StepKind } from '../../domain/types';
import {
  caseStateQuery,
  closeUpdate,
  REJECTION_FAILURE_TYPE,
  signOffUpdate,
  type CaseWorkflowInput,
} from '../../workflows/contract';
import { bearer, createTestUser, TEST_PASSWORD, type TestUser } from '../support/auth';
import { issuedNow } from '../support/issued';
import { eventually, startStack, type Stack } from '../support/stack';
import { wallClock } from '../../core/clock';

// ---------------------------------------------------------------------------------------------------------------
// The expected answers.

type Expected =
  | { answer: 'allowed' }
  | { answer: 'denied'; code: string }
  | { answer: 'hidden'; code: string }
  | { answer: 'invalid'; code: string };
const ok: Expected = { answer: 'allowed' };
const denied = (code: string): Expected => ({ answer: 'denied', code });
/** 403s, by the rule that refuses. */
const role = denied('role_not_permitted'); // the route or the step needs a role the user does not hold
const party = denied('not_a_participant'); // the user's agency is not on the case, or their role sees no cases
const ident = denied('not_permitted_identity'); // sees the case, but only those working it read the survivor
const asked = denied('identity_not_yet_requested'); // ICE or HHS: the survivor's identity once a request reaches them
const kind = denied('wrong_agency_kind'); // the step (or closing) belongs to another kind of agency
const agency = denied('wrong_agency'); // the right kind, but not the agency named on the case
const other = denied('other_agency'); // an officer or advocate asking for another agency's work list; an admin another agency's users
const doc = denied('not_permitted_document'); // a document: not who acts for the step (upload) or reads it (download)
const removal = denied('not_permitted_document_removal'); // a document: not who added it, acts for the step or coordinates
const notDelegated = denied('admin_not_delegated'); // an agency's admin managing an admin: a system administrator's
/** 422: `system_admin` fits no agency, so no API call grants it, not even a system administrator's. */
const noSuchRole: Expected = { answer: 'invalid', code: 'roles_not_for_agency' };
/** 404: a step the user may not see is one the case does not have, to sign or correct (404 for one, 403 for the other
 * would tell, step id by step id, how far another agency's track has gone), and to add or list its documents. */
const unseen: Expected = { answer: 'hidden', code: 'unknown_step' };
const noStep: Expected = { answer: 'hidden', code: 'step_not_found' };
/** 404: a document of such a step, opened or removed by its id, is one the case does not have. */
const noDocument: Expected = { answer: 'hidden', code: 'document_not_found' };
/** 404: someone else's token does not exist for a non-admin. */
const hide: Expected = { answer: 'hidden', code: 'token_not_found' };
/** A user an admin does not see (another agency's) is "not found", as one that does not exist. */
const noUser: Expected = { answer: 'hidden', code: 'user_not_found' };
/** A calendar feed is its owner's alone: another's is "not found", for every role. */
const noFeed: Expected = { answer: 'hidden', code: 'feed_not_found' };
/** In the sign-off table: the user owns steps of this kind (exercised by the acceptance test, not refused). */
const OWNER = ok;

const WHO = [
  'coordinator', // demo-coordinator: demo-task-force, ['coordinator']
  'policeOfficer', // demo-police-officer: demo-police, ['agency_officer']
  'iceOfficer', // demo-ice-officer: demo-ice-ccht, ['agency_officer']
  'hhsOfficer', // demo-hhs-officer: demo-hhs-otip, ['agency_officer']
  'advocate', // demo-advocate: demo-advocates, ['advocate']
  'taskForceSupervisor', // demo-supervisor: demo-task-force, ['supervisor']
  'admin', // demo-admin: demo-task-force, ['admin']
  'systemAdmin', // demo-system-admin: demo-task-force, ['system_admin']
  'otherPoliceOfficer', // other-police (a law-enforcement agency NOT on the cases), ['agency_officer']
  'policeSupervisor', // demo-police, ['supervisor']
  'policeOfficerSupervisor', // demo-police, ['agency_officer', 'supervisor']
] as const;
type Who = (typeof WHO)[number];

/** One cell per column: the compiler checks every row is complete. */
type RowOf<Columns extends readonly string[]> = { [K in keyof Columns]: Expected };

/** Signing in and out, API keys, and administration. */
const ACCESS_COLUMNS = [
  'signIn',
  'signOut',
  'me',
  'changePassword',
  'listTokens',
  'newToken',
  'revokeOwnToken',
  'revokeOthersToken',
  'listUsers',
  'readUser',
  'newUser',
  'disableUser',
  'resetPassword',
  'enableUser',
  'setRoles',
  'listIdentities',
  'linkIdentity',
  'unlinkIdentity',
  'listAgencies',
  'saveAgency',
  'newFeed',
  'listFeeds',
  'revokeOwnFeed',
  'revokeOthersFeed',
  'setDigest',
] as const;
type AccessRow = RowOf<typeof ACCESS_COLUMNS>;

// One row per role, one column per endpoint: the table is read across.
// prettier-ignore
const ACCESS_TABLE: Record<Who, AccessRow> = {
  //                       signIn signOut me  changePassword listTokens newToken revokeOwn revokeOthers listUsers readUser newUser disableUser resetPassword enableUser setRoles listIdentities linkIdentity unlinkIdentity listAgencies saveAgency newFeed listFeeds revokeOwnFeed revokeOthersFeed setDigest
  coordinator: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  policeOfficer: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  iceOfficer: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  hhsOfficer: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  advocate: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  taskForceSupervisor: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  // The admin of the task force: the others' tokens, users and identities are of demo-advocates, not theirs.
  // No case of their own, so no feed of deadlines to make; one made under a working role since taken away they may
  // still list and revoke (it serves nothing: test/api/own-stack/calendar-feeds.ts).
  admin: [ok, ok, ok, ok, ok, ok, ok, hide, ok, noUser, other, other, other, other, other, other, other, other, ok, role, role, ok, ok, noFeed, ok],
  systemAdmin: [ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, role, ok, ok, noFeed, ok],
  otherPoliceOfficer: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  policeSupervisor: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
  policeOfficerSupervisor: [ok, ok, ok, ok, ok, ok, ok, hide, role, role, role, role, role, role, role, role, role, role, ok, role, ok, ok, ok, noFeed, role],
};

/**
 * Cases, work lists and the audit trail. `signOff` signs the user's own pending step where they have one (see
 * OWN_STEP), else cp_request-1 (a law-enforcement step); `closeCase` closes a case of its own, so the others stay open.
 */
const CASE_COLUMNS = [
  'openCase',
  'readCase',
  'readReminders',
  'readSurvivor',
  'signOff',
  'closeCase',
  'transferCase',
  'listSteps',
  'listPoliceSteps',
  'dashboard',
  'policeDashboard',
  'countSteps',
  'countPoliceSteps',
  'listNotifications',
  'readAudit',
  'listCases',
  'correctSurvivor',
  'survivorRevisions',
  'complianceReport',
  'correctSignOff',
  'searchCasesByName',
  'restoreSurvivor',
  'askAgain',
  'previewCorrection',
  'previewSignOff',
] as const;
type CaseRow = RowOf<typeof CASE_COLUMNS>;

// prettier-ignore
const CASE_TABLE: Record<Who, CaseRow> = {
  //                       openCase readCase readReminders readSurvivor signOff closeCase transferCase listSteps listPoliceSteps dashboard policeDashboard countSteps countPoliceSteps listNotifications readAudit listCases correctSurvivor survivorRevisions complianceReport correctSignOff searchCasesByName restoreSurvivor askAgain previewCorrection previewSignOff
  coordinator: [ok, ok, ok, ok, kind, ok, ok, ok, ok, ok, ok, ok, ok, ok, role, ok, ok, ok, ok, ok, ok, ok, ok, ok, kind],
  policeOfficer: [ok, ok, ok, ok, ok, kind, kind, ok, ok, ok, ok, ok, ok, ok, role, ok, ok, ok, role, ok, ok, ok, ok, ok, ok],
  iceOfficer: [role, ok, ok, asked, unseen, kind, kind, ok, other, ok, other, ok, other, ok, role, ok, asked, asked, role, unseen, ok, asked, kind, unseen, unseen],
  hhsOfficer: [role, ok, ok, asked, unseen, kind, kind, ok, other, ok, other, ok, other, ok, role, ok, asked, asked, role, unseen, ok, asked, kind, unseen, unseen],
  advocate: [role, ok, ok, ok, ok, kind, kind, ok, other, ok, other, ok, other, ok, role, ok, ok, ok, role, unseen, ok, ok, kind, unseen, ok],
  taskForceSupervisor: [role, ok, ok, ident, kind, role, role, ok, ok, ok, ok, ok, ok, ok, ok, ok, ident, ident, ok, role, role, ident, role, role, kind],
  admin: [role, party, party, party, party, party, party, role, role, role, role, role, role, role, ok, role, party, party, role, party, role, party, party, party, party],
  systemAdmin: [role, party, party, party, party, party, party, role, role, role, role, role, role, role, ok, role, party, party, role, party, role, party, party, party, party],
  otherPoliceOfficer: [agency, party, party, party, party, party, party, ok, other, ok, other, ok, other, ok, role, ok, party, party, role, party, ok, party, party, party, party],
  policeSupervisor: [role, ok, ok, ident, role, kind, kind, ok, ok, ok, ok, ok, ok, ok, ok, ok, ident, ident, ok, role, role, ident, role, role, role],
  policeOfficerSupervisor: [ok, ok, ok, ok, ok, kind, kind, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok],
};

/**
 * A step's documents (test/api/own-stack/documents.ts has the rest): each uploads its own PDF to cp_request-1, a
 * law-enforcement step; lists that step's and the case's; downloads the police officer's document of that step;
 * removes a document the police officer added to that step for the cell (removing one's own is in documents.test.ts).
 */
const DOCUMENT_COLUMNS = [
  'uploadDocument',
  'listStepDocuments',
  'listCaseDocuments',
  'downloadDocument',
  'removeDocument',
] as const;
type DocumentRow = RowOf<typeof DOCUMENT_COLUMNS>;

// prettier-ignore
const DOCUMENT_TABLE: Record<Who, DocumentRow> = {
  //                       uploadDocument listStepDocuments listCaseDocuments downloadDocument removeDocument
  coordinator: [ok, ok, ok, ok, ok],
  policeOfficer: [ok, ok, ok, ok, ok],
  iceOfficer: [noStep, noStep, ok, noDocument, noDocument],
  hhsOfficer: [noStep, noStep, ok, noDocument, noDocument],
  advocate: [noStep, noStep, ok, noDocument, noDocument],
  taskForceSupervisor: [doc, ok, ok, doc, removal],
  admin: [party, party, party, party, party],
  systemAdmin: [party, party, party, party, party],
  otherPoliceOfficer: [party, party, party, party, party],
  policeSupervisor: [doc, ok, ok, doc, removal],
  policeOfficerSupervisor: [ok, ok, ok, ok, ok],
};

/**
 * Every sign-off through the API, by the kind of agency owning the step; the `coordinator` column is closing the
 * case, the coordinator's only act. The API refuses an agency not on the case before asking whose step it is.
 */
const SIGN_OFF_TABLE: Record<Who, Record<AgencyKind, Expected>> = {
  coordinator: { law_enforcement: kind, ice: kind, hhs: kind, advocate: kind, coordinator: OWNER },
  policeOfficer: { law_enforcement: OWNER, ice: unseen, hhs: unseen, advocate: unseen, coordinator: kind },
  iceOfficer: { law_enforcement: unseen, ice: OWNER, hhs: unseen, advocate: unseen, coordinator: kind },
  hhsOfficer: { law_enforcement: unseen, ice: unseen, hhs: OWNER, advocate: unseen, coordinator: kind },
  advocate: { law_enforcement: unseen, ice: unseen, hhs: unseen, advocate: OWNER, coordinator: kind },
  taskForceSupervisor: { law_enforcement: kind, ice: kind, hhs: kind, advocate: kind, coordinator: role },
  admin: { law_enforcement: party, ice: party, hhs: party, advocate: party, coordinator: party },
  systemAdmin: { law_enforcement: party, ice: party, hhs: party, advocate: party, coordinator: party },
  otherPoliceOfficer: { law_enforcement: party, ice: party, hhs: party, advocate: party, coordinator: party },
  policeSupervisor: { law_enforcement: role, ice: unseen, hhs: unseen, advocate: unseen, coordinator: kind },
  policeOfficerSupervisor: { law_enforcement: OWNER, ice: unseen, hhs: unseen, advocate: unseen, coordinator: kind },
};

/** The steps each test case has once set up (beforeAll of part 2 checks the case has exactly these). */
const ADULT_STEPS = [
  'identification-1',
  'cp_request-1',
  'le_declaration-1',
  't_visa_filing-1',
  'u_visa_certification-1',
  'cp_decision-1',
  'hhs_certification_request-1',
  'hhs_certification_letter-1',
  'cp_renewal_request-1',
];
const MINOR_STEPS = [
  'identification-1',
  'hhs_minor_notification-1',
  'cp_request-1',
  'le_declaration-1',
  't_visa_filing-1',
  'hhs_interim_letter-1',
  'hhs_eligibility_letter-1',
  'cp_decision-1',
  'cp_renewal_request-1',
  't_visa_receipt-1',
];

// ---------------------------------------------------------------------------------------------------------------
// The stack, the users and small helpers.

let stack: Stack;
let users: Record<Who, TestUser>;
/** Owns the tokens others try to revoke. */
let bystander: TestUser;
let today: string;

beforeAll(async () => {
  stack = await startStack();
  await upsertAgencies(stack.pool, [
    { id: 'other-police', kind: 'law_enforcement', name: 'Other City Police (fictitious)', email: null },
  ]);
  const create = (username: string, agencyId: string, roles: Role[]) =>
    createTestUser(stack.pool, { username, agencyId, roles, password: TEST_PASSWORD });
  const demo = stack.users;
  users = {
    coordinator: demo['demo-coordinator']!,
    policeOfficer: demo['demo-police-officer']!,
    iceOfficer: demo['demo-ice-officer']!,
    hhsOfficer: demo['demo-hhs-officer']!,
    advocate: demo['demo-advocate']!,
    taskForceSupervisor: demo['demo-supervisor']!,
    admin: demo['demo-admin']!,
    systemAdmin: demo['demo-system-admin']!,
    otherPoliceOfficer: await create('other-police-officer', 'other-police', ['agency_officer']),
    policeSupervisor: await create('police-supervisor', 'demo-police', ['supervisor']),
    policeOfficerSupervisor: await create('police-officer-supervisor', 'demo-police', ['agency_officer', 'supervisor']),
  };
  bystander = await create('bystander', 'demo-advocates', ['advocate']);
  today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
});
afterAll(async () => {
  await stack?.stop();
});

const newKey = () => `authz-${randomUUID()}`;
let serial = 0;
const unique = (prefix: string) => `${prefix}-${(serial += 1)}`;

const SURVIVOR = { name: 'Test Survivor (fictitious)', birthDate: '1990-01-01' };

/** Opens a case over the API as `who`; answers the supertest response. */
function openCase(who: TestUser, options: { birthDate?: string; usesUVisa?: boolean } = {}) {
  return request(stack.app)
    .post('/api/cases')
    .set(who.headers)
    .set('Idempotency-Key', newKey())
    .send({
      identifiedOn: today,
      survivor: { ...SURVIVOR, birthDate: options.birthDate ?? SURVIVOR.birthDate },
      agencies: DEMO_AGENCIES,
      usesUVisa: options.usesUVisa ?? true,
      // One fictitious survivor opened again on purpose, not a request sent twice (409 possible_duplicate).
      confirmNotDuplicate: true,
    });
}

async function openCaseId(who: TestUser, options: { birthDate?: string; usesUVisa?: boolean } = {}): Promise<string> {
  const response = await openCase(who, options);
  expect({ status: response.status, body: response.body as unknown }).toMatchObject({ status: 201 });
  return (response.body as CaseView).caseId;
}

interface SignOffBody {
  outcome: string;
  details: Record<string, string>;
}

/** A sign-off each kind of step would accept from its owner (so a refusal can only come from who sends it). */
function validSignOff(step: StepKind): SignOffBody {
  switch (step) {
    case 'cp_request':
    case 'cp_renewal_request':
      return { outcome: 'requested', details: { requestedOn: today } };
    case 'cp_decision':
      return { outcome: 'granted', details: { validUntil: addMonths(today, 6) } };
    case 'hhs_minor_notification':
      return { outcome: 'notified', details: { notifiedOn: today } };
    case 'hhs_certification_request':
      return { outcome: 'requested', details: { requestedOn: today } };
    case 'hhs_certification_letter':
      return { outcome: 'denied', details: { reason: 'no_qualifying_status' } };
    case 'hhs_eligibility_letter':
      return { outcome: 'issued', details: { eligibilityDate: today } };
    case 'hhs_interim_letter':
      return { outcome: 'issued', details: { issuedOn: today, validUntil: today } };
    case 't_visa_filing':
      return { outcome: 'filed', details: { filedOn: today } };
    case 't_visa_receipt':
      return { outcome: 'received', details: { receivedOn: today } };
    case 'identification':
      return { outcome: 'identified', details: { identifiedOn: today, path: 'adult' } };
    case 'le_declaration':
    case 'u_visa_certification':
      return { outcome: 'signed', details: { signedOn: today } };
    default:
      throw new Error(`no sign-off written for ${step}`);
  }
}

const signOffPath = (caseId: string, stepId: string) => `/api/cases/${caseId}/steps/${stepId}/sign-off`;

function signOffOverApi(who: TestUser, caseId: string, stepId: string, body: SignOffBody) {
  return request(stack.app)
    .post(signOffPath(caseId, stepId))
    .set(who.headers)
    .set('Idempotency-Key', newKey())
    .send(body);
}

const CLOSE_BODY = { status: 'withdrawn', reason: 'other' } as const;

function closeOverApi(who: TestUser, caseId: string) {
  return request(stack.app)
    .post(`/api/cases/${caseId}/close`)
    .set(who.headers)
    .set('Idempotency-Key', newKey())
    .send(CLOSE_BODY);
}

/** A case whose CP request ICE denied: Continued Presence may be asked again there. */
async function cpDeniedCaseId(): Promise<string> {
  const caseId = await openCaseId(users.policeOfficer);
  await signOffOverApi(users.policeOfficer, caseId, 'cp_request-1', validSignOff('cp_request')).expect(200);
  const denied = { outcome: 'denied', details: { reason: 'insufficient_evidence' } };
  await signOffOverApi(users.iceOfficer, caseId, 'cp_decision-1', denied).expect(200);
  return caseId;
}

function transferOverApi(who: TestUser, caseId: string) {
  return request(stack.app)
    .post(`/api/cases/${caseId}/transfers`)
    .set(who.headers)
    .set('Idempotency-Key', newKey())
    .send({ agencyKind: 'law_enforcement', toAgencyId: 'other-police' });
}

/** Asserts the answer matches the table's cell; a 403 must also have left its 'denied' row in the audit trail. */
async function expectAnswer(
  response: Response,
  expected: Expected,
  who: TestUser,
  allowedStatus: number,
): Promise<void> {
  const seen = { status: response.status, body: response.body as unknown };
  if (expected.answer === 'allowed') {
    expect(seen).toMatchObject({ status: allowedStatus });
    return;
  }
  const status = { denied: 403, hidden: 404, invalid: 422 }[expected.answer];
  expect(seen).toMatchObject({ status, body: { status, code: expected.code } });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (expected.answer !== 'denied') return;
  const requestId = response.headers['x-request-id'];
  expect(requestId).toEqual(expect.any(String));
  const { rows } = await stack.pool.query(
    'SELECT user_id, outcome, status, detail FROM audit_events WHERE request_id = $1',
    [requestId],
  );
  // The code ends the detail; a route may name its subject before it (a document's id).
  expect(rows).toEqual([
    {
      user_id: who.user.id,
      outcome: 'denied',
      status: 403,
      detail: expect.stringMatching(`(^|; )${expected.code}$`) as unknown,
    },
  ]);
}

const describeExpected = (expected: Expected) =>
  expected.answer === 'allowed'
    ? 'allowed'
    : `${{ denied: 403, hidden: 404, invalid: 422 }[expected.answer]} ${expected.code}`;

// ---------------------------------------------------------------------------------------------------------------
// 1. Every role against every endpoint.

interface Endpoint {
  /** The route, as OpenAPI names it. */
  route: string;
  /** The status a call that is allowed answers. */
  allowed: number;
  call(who: TestUser): Promise<Response>;
}

/** The case every read, sign-off and list of part 1 is about; and one for the close column only. */
let sharedCaseId: string;
let closableCaseId: string;
/** The coordinator's case in the transfer column: its law-enforcement agency goes to other-police. */
let transferableCaseId: string;
/** A case whose cp_request-1 law enforcement signed, for the `correctSignOff` column. */
let correctedCaseId: string;
/** A case on which nothing is signed: every sign-off previewed there writes nothing (the `previewSignOff` column). */
let previewedCaseId: string;
/** A case whose identity is entered again (PUT), the same as it has: never corrected. */
let restoredCaseId: string;
/** The police officer's document on cp_request-1 of the shared case. */
let sharedDocumentId: string;
let signInApp: Stack['app'];

/** The pending step each user who owns one signs in the `signOff` column; the others try cp_request-1. */
const OWN_STEP: Partial<Record<Who, { stepId: string; kind: StepKind }>> = {
  policeOfficer: { stepId: 'le_declaration-1', kind: 'le_declaration' },
  policeOfficerSupervisor: { stepId: 'u_visa_certification-1', kind: 'u_visa_certification' },
  advocate: { stepId: 't_visa_filing-1', kind: 't_visa_filing' },
};
const whoIs = (user: TestUser) => WHO.find((who) => users[who] === user)!;

const get = (path: string, who: TestUser, query: Record<string, string> = {}) =>
  request(stack.app).get(path).query(query).set(who.headers);
const post = (path: string, who: TestUser, body: object) => request(stack.app).post(path).set(who.headers).send(body);
const put = (path: string, who: TestUser, body: object) => request(stack.app).put(path).set(who.headers).send(body);
const del = (path: string, who: TestUser) => request(stack.app).delete(path).set(who.headers);
const issue = (userId: string, kind: 'api_key' | 'session' | 'calendar_feed') =>
  issueToken(stack.pool, { userId, kind, label: 'authz test', expiresAt: new Date(Date.now() + 3600_000) });
/** A feed of the user's, issued as the API issues one: an admin may hold one made under a role taken away since. */
const feedOf = async (who: TestUser) => (await issue(who.user.id, 'calendar_feed')).id;

/** A PDF of the user's own (file-type reads it as one): each upload is new content, so each answers 201. */
const uploadPdf = (who: TestUser, note = 'authz test') =>
  request(stack.app)
    .post(`/api/cases/${sharedCaseId}/steps/cp_request-1/documents`)
    .set(who.headers)
    .attach('file', Buffer.from(`%PDF-1.4\n% ${note} ${who.user.username}\n%%EOF\n`), 'request.pdf');

/** A new advocate of demo-advocates, a user for an administration route to act on. */
const advocateToManage = (prefix: string) =>
  createTestUser(stack.pool, { username: unique(prefix), agencyId: 'demo-advocates', roles: ['advocate'] });

const ENDPOINTS: Record<
  (typeof ACCESS_COLUMNS)[number] | (typeof CASE_COLUMNS)[number] | (typeof DOCUMENT_COLUMNS)[number],
  Endpoint
> = {
  uploadDocument: {
    route: 'POST /api/cases/{caseId}/steps/{stepId}/documents',
    allowed: 201,
    call: (who) => uploadPdf(who),
  },
  listStepDocuments: {
    route: 'GET /api/cases/{caseId}/steps/{stepId}/documents',
    allowed: 200,
    call: (who) => get(`/api/cases/${sharedCaseId}/steps/cp_request-1/documents`, who),
  },
  listCaseDocuments: {
    route: 'GET /api/cases/{caseId}/documents',
    allowed: 200,
    call: (who) => get(`/api/cases/${sharedCaseId}/documents`, who),
  },
  downloadDocument: {
    route: 'GET /api/cases/{caseId}/documents/{documentId}',
    allowed: 200,
    call: (who) => get(`/api/cases/${sharedCaseId}/documents/${sharedDocumentId}`, who),
  },
  removeDocument: {
    route: 'POST /api/cases/{caseId}/documents/{documentId}/remove',
    allowed: 200,
    call: async (who) => {
      const added = await uploadPdf(users.policeOfficer, `to be removed by ${who.user.username}`).expect(201);
      const { id } = added.body as { id: string };
      return post(`/api/cases/${sharedCaseId}/documents/${id}/remove`, who, { reason: 'wrong_file' });
    },
  },
  // One sign-in per row, more rows than the sign-in limit (10 a minute per address) allows: an app with a higher one
  // (the limit itself is tested in hardening.test.ts).
  signIn: {
    route: 'POST /api/auth/sign-in',
    allowed: 201,
    call: (who) =>
      request(signInApp).post('/api/auth/sign-in').send({ username: who.user.username, password: TEST_PASSWORD }),
  },
  signOut: {
    route: 'POST /api/auth/sign-out',
    allowed: 204,
    // A session of its own, so the user's API key keeps working for the other cells.
    call: async (who) => {
      const session = await issue(who.user.id, 'session');
      const response = await request(stack.app).post('/api/auth/sign-out').set(bearer(session.token));
      if (response.status === 204) await request(stack.app).get('/api/me').set(bearer(session.token)).expect(401);
      return response;
    },
  },
  me: { route: 'GET /api/me', allowed: 200, call: (who) => get('/api/me', who) },
  changePassword: {
    route: 'POST /api/me/password',
    allowed: 204,
    // The row's sign-in cell has already used the old password. A change revokes the user's other tokens, the API key
    // the other cells use among them (test/access/accounts.test.ts checks that): so the change is made from a session
    // of its own, and the password and key are put back, for this matrix is about who may call what.
    call: async (who) => {
      const session = await issue(who.user.id, 'session');
      const { rows } = await stack.pool.query<{ password_hash: string }>(
        'SELECT password_hash FROM users WHERE id = $1',
        [who.user.id],
      );
      const response = await request(stack.app)
        .post('/api/me/password')
        .set(bearer(session.token))
        .send({ currentPassword: TEST_PASSWORD, newPassword: `${TEST_PASSWORD} (changed)` });
      await stack.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [
        who.user.id,
        rows[0]!.password_hash,
      ]);
      await stack.pool.query('UPDATE access_tokens SET revoked_at = NULL WHERE id = $1', [
        /^rc_([a-z0-9]{16})_/.exec(who.token)![1],
      ]);
      return response;
    },
  },
  listTokens: { route: 'GET /api/tokens', allowed: 200, call: (who) => get('/api/tokens', who) },
  newToken: {
    route: 'POST /api/tokens',
    allowed: 201,
    call: (who) =>
      post('/api/tokens', who, { label: 'authz test key', expiresInDays: 1, currentPassword: TEST_PASSWORD }),
  },
  revokeOwnToken: {
    route: 'POST /api/tokens/{tokenId}/revoke',
    allowed: 200,
    call: async (who) => post(`/api/tokens/${(await issue(who.user.id, 'api_key')).id}/revoke`, who, {}),
  },
  revokeOthersToken: {
    route: 'POST /api/tokens/{tokenId}/revoke',
    allowed: 200,
    call: async (who) => post(`/api/tokens/${(await issue(bystander.user.id, 'api_key')).id}/revoke`, who, {}),
  },
  listUsers: { route: 'GET /api/users', allowed: 200, call: (who) => get('/api/users', who) },
  readUser: {
    route: 'GET /api/users/{userId}',
    allowed: 200,
    call: async (who) => {
      const target = await advocateToManage('to-read');
      return get(`/api/users/${target.user.id}`, who);
    },
  },
  newUser: {
    route: 'POST /api/users',
    allowed: 201,
    call: (who) =>
      post('/api/users', who, {
        username: unique('new-advocate'),
        displayName: 'New Advocate (fictitious)',
        agencyId: 'demo-advocates',
        roles: ['advocate'],
      }),
  },
  disableUser: {
    route: 'POST /api/users/{userId}/disable',
    allowed: 200,
    call: async (who) => {
      const target = await advocateToManage('to-disable');
      return post(`/api/users/${target.user.id}/disable`, who, {});
    },
  },
  resetPassword: {
    route: 'POST /api/users/{userId}/password-reset',
    allowed: 200,
    call: async (who) => {
      const target = await advocateToManage('forgot-password');
      return post(`/api/users/${target.user.id}/password-reset`, who, {});
    },
  },
  enableUser: {
    route: 'POST /api/users/{userId}/enable',
    allowed: 200,
    call: async (who) => {
      const target = await advocateToManage('to-enable');
      await disableUser(stack.pool, target.user.id);
      return post(`/api/users/${target.user.id}/enable`, who, {});
    },
  },
  setRoles: {
    route: 'POST /api/users/{userId}/roles',
    allowed: 200,
    call: async (who) => {
      const target = await advocateToManage('to-promote');
      return post(`/api/users/${target.user.id}/roles`, who, { roles: ['advocate', 'supervisor'] });
    },
  },
  listIdentities: {
    route: 'GET /api/users/{userId}/identities',
    allowed: 200,
    call: (who) => get(`/api/users/${bystander.user.id}/identities`, who),
  },
  linkIdentity: {
    route: 'POST /api/users/{userId}/identities',
    allowed: 201,
    call: (who) =>
      post(`/api/users/${bystander.user.id}/identities`, who, {
        issuer: 'https://idp.example.org',
        subject: unique('subject'),
      }),
  },
  unlinkIdentity: {
    route: 'POST /api/users/{userId}/identities/unlink',
    allowed: 200,
    call: async (who) => {
      const identity = { issuer: 'https://idp.example.org', subject: unique('subject') };
      await linkIdentity(stack.pool, { ...identity, userId: bystander.user.id });
      return post(`/api/users/${bystander.user.id}/identities/unlink`, who, identity);
    },
  },
  listAgencies: { route: 'GET /api/agencies', allowed: 200, call: (who) => get('/api/agencies', who) },
  saveAgency: {
    route: 'POST /api/agencies',
    allowed: 201,
    call: (who) =>
      post('/api/agencies', who, {
        id: unique('authz-agency'),
        kind: 'advocate',
        name: 'Authz Test Advocates (fictitious)',
      }),
  },
  newFeed: {
    route: 'POST /api/me/calendar-feeds',
    allowed: 201,
    call: (who) => post('/api/me/calendar-feeds', who, { label: 'authz test feed', currentPassword: TEST_PASSWORD }),
  },
  listFeeds: { route: 'GET /api/me/calendar-feeds', allowed: 200, call: (who) => get('/api/me/calendar-feeds', who) },
  revokeOwnFeed: {
    route: 'DELETE /api/me/calendar-feeds/{feedId}',
    allowed: 200,
    call: async (who) => del(`/api/me/calendar-feeds/${await feedOf(who)}`, who),
  },
  revokeOthersFeed: {
    route: 'DELETE /api/me/calendar-feeds/{feedId}',
    allowed: 200,
    call: async (who) => del(`/api/me/calendar-feeds/${await feedOf(bystander)}`, who),
  },
  // Their own agency's setting, turned off (as it is): an agency's admin or a system administrator may.
  setDigest: {
    route: 'POST /api/agencies/{agencyId}/daily-digest',
    allowed: 200,
    call: (who) => post(`/api/agencies/${who.user.agencyId}/daily-digest`, who, { enabled: false }),
  },
  openCase: { route: 'POST /api/cases', allowed: 201, call: (who) => openCase(who) },
  readCase: { route: 'GET /api/cases/{caseId}', allowed: 200, call: (who) => get(`/api/cases/${sharedCaseId}`, who) },
  readReminders: {
    route: 'GET /api/cases/{caseId}/reminders',
    allowed: 200,
    call: (who) => get(`/api/cases/${sharedCaseId}/reminders`, who),
  },
  readSurvivor: {
    route: 'GET /api/cases/{caseId}/survivor',
    allowed: 200,
    call: (who) => get(`/api/cases/${sharedCaseId}/survivor`, who),
  },
  listCases: { route: 'GET /api/cases', allowed: 200, call: (who) => get('/api/cases', who) },
  correctSurvivor: {
    route: 'POST /api/cases/{caseId}/survivor',
    allowed: 200,
    call: (who) =>
      post(`/api/cases/${sharedCaseId}/survivor`, who, { contact: `authz test contact ${who.user.username}` }).set(
        'Idempotency-Key',
        newKey(),
      ),
  },
  searchCasesByName: {
    route: 'POST /api/cases/search',
    allowed: 200,
    call: (who) => post('/api/cases/search', who, { name: 'Nobody Searched' }),
  },
  // The identity the case has already (never corrected): those who may enter it again are answered 200.
  restoreSurvivor: {
    route: 'PUT /api/cases/{caseId}/survivor',
    allowed: 200,
    call: (who) => put(`/api/cases/${restoredCaseId}/survivor`, who, SURVIVOR),
  },
  survivorRevisions: {
    route: 'GET /api/cases/{caseId}/survivor/revisions',
    allowed: 200,
    call: (who) => get(`/api/cases/${sharedCaseId}/survivor/revisions`, who),
  },
  signOff: {
    route: 'POST /api/cases/{caseId}/steps/{stepId}/sign-off',
    allowed: 200,
    call: (who) => {
      const own = OWN_STEP[whoIs(who)] ?? { stepId: 'cp_request-1', kind: 'cp_request' };
      return signOffOverApi(who, sharedCaseId, own.stepId, validSignOff(own.kind));
    },
  },
  correctSignOff: {
    route: 'POST /api/cases/{caseId}/steps/{stepId}/corrections',
    allowed: 200,
    // A new note each time, so every allowed correction changes something (one that changes nothing is refused).
    call: (who) =>
      request(stack.app)
        .post(`/api/cases/${correctedCaseId}/steps/cp_request-1/corrections`)
        .set(who.headers)
        .set('Idempotency-Key', newKey())
        .send({ ...validSignOff('cp_request'), reason: 'authz test', details: { requestedOn: today, note: newKey() } }),
  },
  previewCorrection: {
    route: 'POST /api/cases/{caseId}/steps/{stepId}/corrections/preview',
    allowed: 200,
    // Judged as the correction is, writing nothing: the same body, no key.
    call: (who) =>
      request(stack.app)
        .post(`/api/cases/${correctedCaseId}/steps/cp_request-1/corrections/preview`)
        .set(who.headers)
        .send({ ...validSignOff('cp_request'), reason: 'authz test', details: { requestedOn: today, note: newKey() } }),
  },
  previewSignOff: {
    route: 'POST /api/cases/{caseId}/steps/{stepId}/sign-off/preview',
    allowed: 204,
    // Judged as the sign-off is, writing nothing: each user's own step as in `signOff`, on a case nobody signs.
    call: (who) => {
      const own = OWN_STEP[whoIs(who)] ?? { stepId: 'cp_request-1', kind: 'cp_request' };
      return request(stack.app)
        .post(`${signOffPath(previewedCaseId, own.stepId)}/preview`)
        .set(who.headers)
        .send(validSignOff(own.kind));
    },
  },
  closeCase: {
    route: 'POST /api/cases/{caseId}/close',
    allowed: 200,
    call: (who) => closeOverApi(who, closableCaseId),
  },
  transferCase: {
    route: 'POST /api/cases/{caseId}/transfers',
    allowed: 200,
    // Only the coordinator's transfer goes through, on a case of its own: the others try the shared case, which a
    // transfer would take from the police users of the rows below.
    call: (who) => transferOverApi(who, who === users.coordinator ? transferableCaseId : sharedCaseId),
  },
  askAgain: {
    route: 'POST /api/cases/{caseId}/ask-again',
    allowed: 200,
    // Each on a case of its own whose CP ICE denied: one allowed opens cp_request-2, which no second one could.
    call: async (who) =>
      request(stack.app)
        .post(`/api/cases/${await cpDeniedCaseId()}/ask-again`)
        .set(who.headers)
        .set('Idempotency-Key', newKey())
        .send({ stepKind: 'cp_request' }),
  },
  listSteps: { route: 'GET /api/steps', allowed: 200, call: (who) => get('/api/steps', who, { status: 'pending' }) },
  listPoliceSteps: {
    route: 'GET /api/steps',
    allowed: 200,
    call: (who) => get('/api/steps', who, { status: 'pending', agencyId: 'demo-police' }),
  },
  countSteps: {
    route: 'GET /api/steps/count',
    allowed: 200,
    call: (who) => get('/api/steps/count', who, { status: 'overdue' }),
  },
  countPoliceSteps: {
    route: 'GET /api/steps/count',
    allowed: 200,
    call: (who) => get('/api/steps/count', who, { status: 'overdue', agencyId: 'demo-police' }),
  },
  dashboard: { route: 'GET /api/dashboard', allowed: 200, call: (who) => get('/api/dashboard', who) },
  policeDashboard: {
    route: 'GET /api/dashboard',
    allowed: 200,
    call: (who) => get('/api/dashboard', who, { agencyId: 'demo-police' }),
  },
  listNotifications: { route: 'GET /api/notifications', allowed: 200, call: (who) => get('/api/notifications', who) },
  readAudit: { route: 'GET /api/audit', allowed: 200, call: (who) => get('/api/audit', who) },
  complianceReport: {
    route: 'GET /api/reports/compliance',
    allowed: 200,
    call: (who) => get('/api/reports/compliance', who, { from: '2026-01-01', to: '2026-12-31' }),
  },
};

/** Public: answered without a token (/dev/mail only in the embedded mode). */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /ready',
  'GET /api/openapi.json',
  'GET /dev/mail',
  'POST /api/auth/sign-in',
  'POST /api/auth/oidc/nonce',
  'POST /api/auth/oidc/session',
  // The secret in its URL is the credential (test/api/own-stack/calendar-feeds.ts).
  'GET /calendar/{secret}.ics',
];

/** Every operation of the OpenAPI document, as `METHOD /path`. */
async function documentedRoutes(): Promise<string[]> {
  const document = (await request(stack.app).get('/api/openapi.json').expect(200)).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

const CELLS = WHO.flatMap((who) => [
  ...ACCESS_COLUMNS.map((column, index) => ({ who, column, expected: ACCESS_TABLE[who][index]! })),
  ...CASE_COLUMNS.map((column, index) => ({ who, column, expected: CASE_TABLE[who][index]! })),
  ...DOCUMENT_COLUMNS.map((column, index) => ({ who, column, expected: DOCUMENT_TABLE[who][index]! })),
]).map((cell) => ({ ...cell, label: describeExpected(cell.expected) }));

describe('every role against every endpoint', () => {
  beforeAll(async () => {
    signInApp = stack.appWith({ rateLimits: { ...DEFAULT_RATE_LIMITS, signInPerMinute: WHO.length } });
    // Just opened: no request has reached ICE or HHS, who read no identity on it yet (`asked`).
    sharedCaseId = await openCaseId(users.policeOfficer);
    closableCaseId = await openCaseId(users.policeOfficer);
    transferableCaseId = await openCaseId(users.policeOfficer);
    correctedCaseId = await openCaseId(users.policeOfficer);
    restoredCaseId = await openCaseId(users.policeOfficer);
    previewedCaseId = await openCaseId(users.policeOfficer);
    await signOffOverApi(users.policeOfficer, correctedCaseId, 'cp_request-1', validSignOff('cp_request')).expect(200);
    sharedDocumentId = ((await uploadPdf(users.policeOfficer, 'shared').expect(201)).body as { id: string }).id;
  });

  test('the tables name every route of the OpenAPI document', async () => {
    const tabled = new Set(Object.values(ENDPOINTS).map((endpoint) => endpoint.route));
    expect((await documentedRoutes()).filter((route) => !tabled.has(route) && !PUBLIC_ROUTES.includes(route))).toEqual(
      [],
    );
  });

  test.each(CELLS)('$who · $column → $label', async ({ who, column, expected }) => {
    const endpoint = ENDPOINTS[column];
    await expectAnswer(await endpoint.call(users[who]), expected, users[who], endpoint.allowed);
  });

  test('every non-public route answers 401 problem+json with a challenge, without a token and with a bad one', async () => {
    const secured = (await documentedRoutes()).filter((route) => !PUBLIC_ROUTES.includes(route));
    expect(new Set(secured)).toEqual(
      new Set(
        Object.values(ENDPOINTS)
          .map((endpoint) => endpoint.route)
          .filter((route) => !PUBLIC_ROUTES.includes(route)),
      ),
    );
    const concrete = (path: string) =>
      path
        .replace('{caseId}', sharedCaseId)
        .replace('{stepId}', 'cp_request-1')
        .replace('{documentId}', randomUUID())
        .replace('{tokenId}', 'a'.repeat(16))
        .replace('{feedId}', 'a'.repeat(16))
        .replace('{agencyId}', users.admin.user.agencyId)
        .replace('{userId}', users.admin.user.id);
    const answers = [];
    for (const route of secured) {
      const [method, path] = route.split(' ') as ['GET' | 'POST' | 'PUT' | 'DELETE', string];
      for (const authorization of [undefined, 'Bearer rc_0123456789abcdef_not-a-real-secret-not-a-real-secret-xxxxx']) {
        let call =
          method === 'GET'
            ? request(stack.app).get(concrete(path))
            : method === 'DELETE'
              ? request(stack.app).delete(concrete(path))
              : (method === 'PUT' ? request(stack.app).put(concrete(path)) : request(stack.app).post(concrete(path)))
                  .set('Idempotency-Key', newKey())
                  .send({});
        if (authorization !== undefined) call = call.set('Authorization', authorization);
        const response = await call;
        answers.push({
          route,
          status: response.status,
          code: (response.body as { code?: string }).code,
          problem: /^application\/problem\+json/.test(response.headers['content-type'] ?? ''),
          challenge: /^Bearer realm=/.test(response.headers['www-authenticate'] ?? ''),
        });
      }
    }
    expect(answers).toEqual(
      secured.flatMap((route) => [
        { route, status: 401, code: 'unauthenticated', problem: true, challenge: true },
        { route, status: 401, code: 'invalid_token', problem: true, challenge: true },
      ]),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 1b. Delegated administration: an agency's admin manages its own agency's users (not its admins) and nothing of
// another agency; agencies and admins are a system administrator's. Every cell is about one agency, delegated-police.

const DELEGATED_AGENCY = {
  id: 'delegated-police',
  kind: 'law_enforcement',
  name: 'Delegated Police (fictitious)',
} as const;
const ADMINS = ['agencyAdmin', 'otherAgencyAdmin', 'systemAdmin'] as const;
type Admin = (typeof ADMINS)[number];
const DELEGATION_COLUMNS = [
  'listUsers',
  'createUser',
  'createAdmin',
  'grantSystemAdmin',
  'disableUser',
  'disableAdmin',
  'resetPassword',
  'resetAdminPassword',
  'enableUser',
  'setRoles',
  'grantAdmin',
  'listIdentities',
  'linkIdentity',
  'unlinkIdentity',
  'revokeUserToken',
  'revokeAdminToken',
  'createAgency',
  'changeAgencyEmail',
] as const;
type DelegationColumn = (typeof DELEGATION_COLUMNS)[number];

const DELEGATION_TABLE: Record<Admin, RowOf<typeof DELEGATION_COLUMNS>> = {
  //                listUsers createUser createAdmin   grantSystemAdmin disableUser disableAdmin  resetPassword resetAdminPassword enableUser setRoles grantAdmin listIdentities linkIdentity unlinkIdentity revokeUserToken revokeAdminToken createAgency changeAgencyEmail
  agencyAdmin: [
    ok,
    ok,
    notDelegated,
    notDelegated,
    ok,
    notDelegated,
    ok,
    notDelegated,
    ok,
    ok,
    notDelegated,
    ok,
    ok,
    ok,
    ok,
    hide,
    role,
    role,
  ],
  otherAgencyAdmin: [
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    other,
    hide,
    hide,
    role,
    role,
  ],
  systemAdmin: [ok, ok, ok, noSuchRole, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok],
};

/** The admins of the rows: delegated-police's own admin, the task force's admin, the system administrator. */
let admins: Record<Admin, TestUser>;
/** A standing officer and a second admin of delegated-police, whose identities and tokens the cells reach for. */
let delegatedOfficer: TestUser;
let delegatedSecondAdmin: TestUser;
const usernameOf = (who: Admin, what: string) => `d-${who.toLowerCase()}-${what}`;

/** A new user of delegated-police with one role (disabled, if asked), and the admin's call on it: `/api/users/{id}/<action>`. */
async function onNewUser(
  who: Admin,
  username: string,
  role: Role,
  action: string,
  body: object,
  options: { disabled?: boolean } = {},
): Promise<Response> {
  const target = await createTestUser(stack.pool, {
    username: usernameOf(who, username),
    agencyId: DELEGATED_AGENCY.id,
    roles: [role],
  });
  if (options.disabled) await disableUser(stack.pool, target.user.id);
  return post(`/api/users/${target.user.id}/${action}`, admins[who], body);
}

const DELEGATION_ENDPOINTS: Record<DelegationColumn, { allowed: number; call(who: Admin): Promise<Response> }> = {
  listUsers: { allowed: 200, call: (who) => get('/api/users', admins[who], { agencyId: DELEGATED_AGENCY.id }) },
  createUser: {
    allowed: 201,
    call: (who) =>
      post('/api/users', admins[who], {
        username: usernameOf(who, 'officer'),
        displayName: 'Officer (fictitious)',
        agencyId: DELEGATED_AGENCY.id,
        roles: ['agency_officer'],
      }),
  },
  createAdmin: {
    allowed: 201,
    call: (who) =>
      post('/api/users', admins[who], {
        username: usernameOf(who, 'admin'),
        displayName: 'Admin (fictitious)',
        agencyId: DELEGATED_AGENCY.id,
        roles: ['admin'],
      }),
  },
  grantSystemAdmin: {
    allowed: 201,
    call: (who) =>
      post('/api/users', admins[who], {
        username: usernameOf(who, 'system-admin'),
        displayName: 'Sysadmin (fictitious)',
        agencyId: DELEGATED_AGENCY.id,
        roles: ['system_admin'],
      }),
  },
  disableUser: { allowed: 200, call: (who) => onNewUser(who, 'target-officer', 'agency_officer', 'disable', {}) },
  disableAdmin: { allowed: 200, call: (who) => onNewUser(who, 'target-admin', 'admin', 'disable', {}) },
  resetPassword: {
    allowed: 200,
    call: (who) => onNewUser(who, 'target-reset-officer', 'agency_officer', 'password-reset', {}),
  },
  resetAdminPassword: {
    allowed: 200,
    call: (who) => onNewUser(who, 'target-reset-admin', 'admin', 'password-reset', {}),
  },
  enableUser: {
    allowed: 200,
    call: (who) => onNewUser(who, 'target-disabled', 'agency_officer', 'enable', {}, { disabled: true }),
  },
  setRoles: {
    allowed: 200,
    call: (who) =>
      onNewUser(who, 'target-roles-officer', 'agency_officer', 'roles', { roles: ['agency_officer', 'supervisor'] }),
  },
  grantAdmin: {
    allowed: 200,
    call: (who) => onNewUser(who, 'target-roles-admin', 'agency_officer', 'roles', { roles: ['admin'] }),
  },
  listIdentities: {
    allowed: 200,
    call: (who) => get(`/api/users/${delegatedOfficer.user.id}/identities`, admins[who]),
  },
  linkIdentity: {
    allowed: 201,
    call: (who) =>
      post(`/api/users/${delegatedOfficer.user.id}/identities`, admins[who], {
        issuer: 'https://idp.delegated.example.gov',
        subject: usernameOf(who, 'subject'),
      }),
  },
  unlinkIdentity: {
    allowed: 200,
    call: async (who) => {
      const identity = { issuer: 'https://idp.delegated.example.gov', subject: usernameOf(who, 'unlinked') };
      await linkIdentity(stack.pool, { ...identity, userId: delegatedOfficer.user.id });
      return post(`/api/users/${delegatedOfficer.user.id}/identities/unlink`, admins[who], identity);
    },
  },
  revokeUserToken: {
    allowed: 200,
    call: async (who) =>
      post(`/api/tokens/${(await issue(delegatedOfficer.user.id, 'api_key')).id}/revoke`, admins[who], {}),
  },
  revokeAdminToken: {
    allowed: 200,
    call: async (who) =>
      post(`/api/tokens/${(await issue(delegatedSecondAdmin.user.id, 'api_key')).id}/revoke`, admins[who], {}),
  },
  createAgency: {
    allowed: 201,
    call: (who) =>
      post('/api/agencies', admins[who], {
        id: usernameOf(who, 'agency'),
        kind: 'hhs',
        name: 'New Agency (fictitious)',
        email: 'new@agency.example.gov',
      }),
  },
  changeAgencyEmail: {
    allowed: 201,
    call: (who) =>
      post('/api/agencies', admins[who], {
        ...DELEGATED_AGENCY,
        email: `${usernameOf(who, 'takeover')}@attacker.example.org`,
      }),
  },
};

const DELEGATION_CELLS = ADMINS.flatMap((who) =>
  DELEGATION_COLUMNS.map((column, index) => ({ who, column, expected: DELEGATION_TABLE[who][index]! })),
).map((cell) => ({
  ...cell,
  label: describeExpected(cell.expected),
}));

describe('delegated administration: every admin against every administration endpoint, on one agency', () => {
  beforeAll(async () => {
    await upsertAgencies(stack.pool, [{ ...DELEGATED_AGENCY, email: 'unit@delegated-police.example.gov' }]);
    const create = (username: string, roles: Role[]) =>
      createTestUser(stack.pool, { username, agencyId: DELEGATED_AGENCY.id, roles, password: TEST_PASSWORD });
    admins = {
      agencyAdmin: await create('delegated-police-admin', ['admin']),
      otherAgencyAdmin: users.admin,
      systemAdmin: users.systemAdmin,
    };
    delegatedOfficer = await create('delegated-police-officer', ['agency_officer']);
    delegatedSecondAdmin = await create('delegated-police-admin-2', ['admin']);
  });

  test.each(DELEGATION_CELLS)('$who · $column → $label', async ({ who, column, expected }) => {
    const endpoint = DELEGATION_ENDPOINTS[column];
    await expectAnswer(await endpoint.call(who), expected, admins[who], endpoint.allowed);
  });

  test("an agency's admin lists their own agency's users only, whatever they ask for", async () => {
    // Every page of the list, as the admin sees it.
    const listed = async (who: TestUser) => {
      const users: { agencyId: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = (await get('/api/users', who, { limit: '200', ...(cursor ? { cursor } : {}) }).expect(200))
          .body as { items: { agencyId: string }[]; nextCursor: string | null };
        users.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return users;
    };
    const own = await listed(admins.agencyAdmin);
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own.map((user) => user.agencyId))).toEqual(new Set([DELEGATED_AGENCY.id]));
    const every = await listed(admins.systemAdmin);
    expect(new Set(every.map((user) => user.agencyId))).toEqual(
      new Set([
        DELEGATED_AGENCY.id,
        'demo-task-force',
        'demo-police',
        'demo-ice-ccht',
        'demo-hhs-otip',
        'demo-advocates',
        'other-police',
      ]),
    );
  });

  test('only the allowed cells changed anything: users created and disabled, agencies saved', async () => {
    const allowed = (column: DelegationColumn) =>
      ADMINS.filter((who) => DELEGATION_TABLE[who][DELEGATION_COLUMNS.indexOf(column)]!.answer === 'allowed');
    const { rows: created } = await stack.pool.query<{ username: string }>(
      "SELECT username FROM users WHERE username LIKE 'd-%' AND username NOT LIKE '%-target-%' ORDER BY username",
    );
    expect(created.map((row) => row.username)).toEqual(
      [
        ...allowed('createUser').map((who) => usernameOf(who, 'officer')),
        ...allowed('createAdmin').map((who) => usernameOf(who, 'admin')),
      ].sort(),
    );
    const { rows: disabled } = await stack.pool.query<{ username: string }>(
      "SELECT username FROM users WHERE username LIKE 'd-%-target-%' AND disabled_at IS NOT NULL ORDER BY username",
    );
    expect(disabled.map((row) => row.username)).toEqual(
      [
        ...allowed('disableUser').map((who) => usernameOf(who, 'target-officer')),
        ...allowed('disableAdmin').map((who) => usernameOf(who, 'target-admin')),
        // Disabled before the call: enabled only where the cell allows it.
        ...ADMINS.filter((who) => !allowed('enableUser').includes(who)).map((who) =>
          usernameOf(who, 'target-disabled'),
        ),
      ].sort(),
    );
    // A reset revokes every token of the user: those of the refused cells' users still work.
    const { rows: reset } = await stack.pool.query<{ username: string }>(
      `SELECT username FROM users u WHERE username LIKE 'd-%-target-reset-%'
         AND NOT EXISTS (SELECT 1 FROM access_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) ORDER BY username`,
    );
    expect(reset.map((row) => row.username)).toEqual(
      [
        ...allowed('resetPassword').map((who) => usernameOf(who, 'target-reset-officer')),
        ...allowed('resetAdminPassword').map((who) => usernameOf(who, 'target-reset-admin')),
      ].sort(),
    );
    const { rows: changedRoles } = await stack.pool.query<{ username: string }>(
      "SELECT username FROM users WHERE username LIKE 'd-%-target-roles-%' AND roles::text[] <> ARRAY['agency_officer'] ORDER BY username",
    );
    expect(changedRoles.map((row) => row.username)).toEqual(
      [
        ...allowed('setRoles').map((who) => usernameOf(who, 'target-roles-officer')),
        ...allowed('grantAdmin').map((who) => usernameOf(who, 'target-roles-admin')),
      ].sort(),
    );
    const { rows: agencies } = await stack.pool.query<{ id: string; email: string | null }>(
      "SELECT id, email FROM agencies WHERE id LIKE 'd-%' OR id = $1 ORDER BY id",
      [DELEGATED_AGENCY.id],
    );
    expect(agencies).toEqual(
      [
        ...allowed('createAgency').map((who) => ({ id: usernameOf(who, 'agency'), email: 'new@agency.example.gov' })),
        { id: DELEGATED_AGENCY.id, email: `${usernameOf('systemAdmin', 'takeover')}@attacker.example.org` },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Every sign-off against every role, through the API and forged straight at the workflow.

interface Forgery {
  name: string;
  actor: Actor;
  code: Rejection['code'];
}

/** Actors a caller of Temporal could put in an update for a step owned by `owner`: each must be refused. */
function forgeries(owner: AgencyKind): Forgery[] {
  const agencyId = DEMO_AGENCIES[owner];
  const otherKind: AgencyKind = owner === 'advocate' ? 'hhs' : 'advocate';
  const foreignRole: Role = WORKING_ROLE[owner] === 'agency_officer' ? 'advocate' : 'agency_officer';
  const actor = (fields: Partial<Actor>): Actor => ({
    userId: randomUUID(),
    agencyId,
    agencyKind: owner,
    roles: [WORKING_ROLE[owner]],
    ...fields,
  });
  // An actor without `roles` at all, as an update written by hand (or by code from before roles) would carry it.
  const { roles: _roles, ...rolesMissing } = actor({});
  return [
    {
      name: "the case's agency id, claimed as another kind",
      actor: actor({ agencyKind: otherKind, roles: [WORKING_ROLE[otherKind]] }),
      code: 'wrong_agency_kind',
    },
    {
      name: 'the right kind, another agency',
      actor: actor({ agencyId: owner === 'law_enforcement' ? 'other-police' : `other-${owner}` }),
      code: 'wrong_agency',
    },
    { name: 'the right agency, supervisor only', actor: actor({ roles: ['supervisor'] }), code: 'role_not_permitted' },
    { name: 'the right agency, admin only', actor: actor({ roles: ['admin'] }), code: 'role_not_permitted' },
    { name: 'the right agency, no roles', actor: actor({ roles: [] }), code: 'role_not_permitted' },
    {
      name: "the right agency, another kind's working role",
      actor: actor({ roles: [foreignRole] }),
      code: 'role_not_permitted',
    },
    // The cast is the forgery itself: the payload lacks a field the type requires.
    { name: 'the right agency, no roles field', actor: rolesMissing as unknown as Actor, code: 'role_not_permitted' },
  ];
}

const handleOf = (caseId: string) =>
  stack.client.workflow.getHandle<(input: CaseWorkflowInput) => Promise<unknown>>(workflowIdOf(caseId));

/** The code of the workflow validator's refusal; fails the test if the update was not refused by a rule. */
async function refusalOf(update: Promise<unknown>): Promise<string> {
  const error = await update.then(
    () => new Error('the update was accepted'),
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(REJECTION_FAILURE_TYPE);
  return ((cause as ApplicationFailure).details?.[0] as Rejection).code;
}

/** Sent straight to the workflow with the keys, bound to the case as the API binds its own: only the actor is forged. */
const forgeSignOff = async (caseId: string, stepId: string, body: SignOffBody, actor: Actor) => {
  const issued = await issuedNow(stack.env, caseId);
  return handleOf(caseId).executeUpdate(signOffUpdate, {
    args: [{ signOff: { stepId, ...body }, actor, issued }],
    updateId: issued.updateId,
  });
};
const forgeClose = async (caseId: string, actor: Actor) => {
  const issued = await issuedNow(stack.env, caseId);
  return handleOf(caseId).executeUpdate(closeUpdate, {
    args: [{ ...CLOSE_BODY, actor, issued }],
    updateId: issued.updateId,
  });
};

/** What a refused attempt must not change: the read model's version and the workflow's history beyond its tasks. */
interface Fingerprint {
  version: number;
  workflowVersion: number;
  events: string[];
}
async function fingerprint(caseId: string): Promise<Fingerprint> {
  const view = await getCase(stack.pool, caseId);
  const state = await handleOf(caseId).query(caseStateQuery);
  const history = await handleOf(caseId).fetchHistory();
  // Workflow tasks come and go with every update delivered, refused or not; the events of the case are the rest.
  const events = (history.events ?? []).map(
    (event) => temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType),
  );
  return {
    version: view!.version,
    workflowVersion: state.version,
    events: events.filter((name) => !name.startsWith('EVENT_TYPE_WORKFLOW_TASK_')),
  };
}

interface TestCase {
  name: 'adult' | 'minor';
  id: string;
  steps: string[];
  kindOf: Record<string, { kind: StepKind; owner: AgencyKind }>;
}
const cases: Record<'adult' | 'minor', TestCase> = {
  adult: { name: 'adult', id: '', steps: ADULT_STEPS, kindOf: {} },
  minor: { name: 'minor', id: '', steps: MINOR_STEPS, kindOf: {} },
};
const before: Partial<Record<'adult' | 'minor', Fingerprint>> = {};
/** Each rightful owner's sign-off of the set-up: how it was delivered and the step's status after, for the acceptance test. */
const accepted: { owner: AgencyKind; via: 'api' | 'workflow'; stepId: string; status: string }[] = [];

const STEP_CELLS = (['adult', 'minor'] as const).flatMap((name) =>
  cases[name].steps.map((stepId) => ({ name, stepId })),
);

describe('every sign-off against every role', () => {
  beforeAll(async () => {
    cases.adult.id = await openCaseId(users.policeOfficer, { usesUVisa: true });
    cases.minor.id = await openCaseId(users.coordinator, { birthDate: addYears(today, -16), usesUVisa: false });
    const actorOf = (who: Who) => users[who].actor;

    // Each owner kind signs once over the API and once straight at the workflow; each opens the next steps.
    const api = async (subject: TestCase, who: Who, stepId: string, stepKind: StepKind, owner: AgencyKind) => {
      const response = await signOffOverApi(users[who], subject.id, stepId, validSignOff(stepKind));
      expect({ status: response.status, body: response.body as unknown }).toMatchObject({ status: 200 });
      accepted.push({
        owner,
        via: 'api',
        stepId: `${subject.name}/${stepId}`,
        status: (response.body as CaseView).steps.find((step) => step.id === stepId)!.status,
      });
    };
    const workflow = async (subject: TestCase, who: Who, stepId: string, stepKind: StepKind, owner: AgencyKind) => {
      await forgeSignOff(subject.id, stepId, validSignOff(stepKind), actorOf(who));
      const state = await handleOf(subject.id).query(caseStateQuery);
      accepted.push({
        owner,
        via: 'workflow',
        stepId: `${subject.name}/${stepId}`,
        status: state.steps.find((step) => step.id === stepId)!.status,
      });
    };
    const { adult, minor } = cases;
    await api(adult, 'policeOfficer', 'cp_request-1', 'cp_request', 'law_enforcement');
    await workflow(adult, 'iceOfficer', 'cp_decision-1', 'cp_decision', 'ice');
    await api(adult, 'advocate', 'hhs_certification_request-1', 'hhs_certification_request', 'advocate');
    await workflow(adult, 'hhsOfficer', 'hhs_certification_letter-1', 'hhs_certification_letter', 'hhs');
    await workflow(minor, 'policeOfficer', 'hhs_minor_notification-1', 'hhs_minor_notification', 'law_enforcement');
    await api(minor, 'hhsOfficer', 'hhs_eligibility_letter-1', 'hhs_eligibility_letter', 'hhs');
    await workflow(minor, 'advocate', 't_visa_filing-1', 't_visa_filing', 'advocate');
    await api(minor, 'policeOfficer', 'cp_request-1', 'cp_request', 'law_enforcement');
    await api(minor, 'iceOfficer', 'cp_decision-1', 'cp_decision', 'ice');

    for (const subject of [adult, minor]) {
      // Settled: the read model shows what the workflow holds (a reminder due at once may still be landing).
      const settled = await eventually(async () => {
        const print = await fingerprint(subject.id);
        return print.version === print.workflowVersion && print;
      }, `${subject.name} case settled`);
      before[subject.name] = settled;
      const view = (await getCase(stack.pool, subject.id))!;
      expect(view.steps.map((step) => step.id).sort()).toEqual([...subject.steps].sort());
      subject.kindOf = Object.fromEntries(
        view.steps.map((step) => [step.id, { kind: step.kind, owner: step.agencyKind }]),
      );
    }
  });

  test('the rightful owner of every kind is accepted, through the API and at the workflow', () => {
    const kinds = (via: 'api' | 'workflow') =>
      [...new Set(accepted.filter((entry) => entry.via === via).map((entry) => entry.owner))].sort();
    expect(kinds('api')).toEqual(['advocate', 'hhs', 'ice', 'law_enforcement']);
    expect(kinds('workflow')).toEqual(['advocate', 'hhs', 'ice', 'law_enforcement']);
    // Coordinators own no step: their act, closing, is accepted by the last test, after the refusals.
    for (const entry of accepted)
      expect(entry).toMatchObject({ status: expect.stringMatching(/^(completed|declined)$/) as unknown });
  });

  test.each(STEP_CELLS)(
    '$name case, $stepId: through the API, every user who does not own it is refused',
    async ({ name, stepId }) => {
      const subject = cases[name];
      const step = subject.kindOf[stepId]!;
      for (const who of WHO) {
        const expected = SIGN_OFF_TABLE[who][step.owner];
        if (expected.answer === 'allowed') continue;
        const response = await signOffOverApi(users[who], subject.id, stepId, validSignOff(step.kind));
        await expectAnswer(response, expected, users[who], 200).catch((error: unknown) => {
          throw new Error(`${who} signing ${stepId}: ${String(error)}`);
        });
      }
    },
  );

  test.each(STEP_CELLS)(
    '$name case, $stepId: straight at the workflow, every forged actor is refused',
    async ({ name, stepId }) => {
      const subject = cases[name];
      const step = subject.kindOf[stepId]!;
      const refusals: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const forgery of forgeries(step.owner)) {
        refusals[forgery.name] = await refusalOf(
          forgeSignOff(subject.id, stepId, validSignOff(step.kind), forgery.actor),
        );
        expected[forgery.name] = forgery.code;
      }
      expect(refusals).toEqual(expected);
    },
  );

  test.each(['adult', 'minor'] as const)(
    '%s case: closing is refused to every non-coordinator, through the API and forged',
    async (name) => {
      const subject = cases[name];
      for (const who of WHO) {
        const expected = SIGN_OFF_TABLE[who].coordinator;
        if (expected.answer === 'allowed') continue;
        await expectAnswer(await closeOverApi(users[who], subject.id), expected, users[who], 200);
      }
      const refusals: Record<string, string> = {};
      const wanted: Record<string, string> = {};
      const realNonCoordinators = WHO.filter((who) => users[who].actor.agencyKind !== 'coordinator').map((who) => ({
        name: `${who}'s own actor`,
        actor: users[who].actor,
        code: 'wrong_agency_kind' as const,
      }));
      for (const forgery of [...forgeries('coordinator'), ...realNonCoordinators]) {
        refusals[forgery.name] = await refusalOf(forgeClose(subject.id, forgery.actor));
        wanted[forgery.name] = forgery.code;
      }
      expect(refusals).toEqual(wanted);
    },
  );

  // 3. Nothing the refused attempts sent left a trace.
  test.each(['adult', 'minor'] as const)(
    '%s case: no refused attempt changed the case or its history',
    async (name) => {
      expect(await fingerprint(cases[name].id)).toEqual(before[name]);
    },
  );

  test('the coordinator closes: straight at the workflow and through the API', async () => {
    await forgeClose(cases.adult.id, users.coordinator.actor);
    expect((await handleOf(cases.adult.id).query(caseStateQuery)).status).toBe('withdrawn');
    const overApi = await closeOverApi(users.coordinator, cases.minor.id);
    expect({ status: overApi.status, body: overApi.body as unknown }).toMatchObject({
      status: 200,
      body: { status: 'withdrawn' },
    });
  });

  // 4. Every command a workflow applied, through the API or straight at the workflow, left its audit row there.
  test('every applied command has its workflow audit row naming its actor, once, whichever way it came', async () => {
    const rowsOf = async (caseId: string) =>
      (
        await stack.pool.query<{
          action: string;
          step_id: string | null;
          user_id: string | null;
          agency_id: string | null;
          roles: string[] | null;
          detail: string;
        }>(
          `SELECT action, step_id, user_id, agency_id, roles, detail FROM audit_events WHERE case_id = $1 AND applied_version IS NOT NULL ORDER BY applied_version`,
          [caseId],
        )
      ).rows;
    const row = (action: string, stepId: string | null, who: Who) => ({
      action,
      step_id: stepId,
      user_id: users[who].user.id,
      agency_id: users[who].actor.agencyId,
      roles: [...users[who].actor.roles],
      detail: expect.stringMatching(/^applied_by=workflow; version=\d+$/) as unknown,
    });
    const settled = async (caseId: string, count: number) =>
      eventually(async () => ((await rowsOf(caseId)).length >= count ? rowsOf(caseId) : undefined), 'audit rows');
    expect(await settled(cases.adult.id, 6)).toEqual([
      row('case.open', null, 'policeOfficer'),
      row('step.sign_off', 'cp_request-1', 'policeOfficer'), // API
      row('step.sign_off', 'cp_decision-1', 'iceOfficer'), // straight at the workflow
      row('step.sign_off', 'hhs_certification_request-1', 'advocate'),
      row('step.sign_off', 'hhs_certification_letter-1', 'hhsOfficer'),
      row('case.close', null, 'coordinator'),
    ]);
    expect(await settled(cases.minor.id, 7)).toEqual([
      row('case.open', null, 'coordinator'),
      row('step.sign_off', 'hhs_minor_notification-1', 'policeOfficer'),
      row('step.sign_off', 'hhs_eligibility_letter-1', 'hhsOfficer'),
      row('step.sign_off', 't_visa_filing-1', 'advocate'),
      row('step.sign_off', 'cp_request-1', 'policeOfficer'),
      row('step.sign_off', 'cp_decision-1', 'iceOfficer'),
      row('case.close', null, 'coordinator'),
    ]);

    // A repeated projection (an activity retried after its write) adds no second row, with the service's INSERT-only right.
    const view = (await getCase(stack.pool, cases.adult.id))!;
    const activities = createActivities({
      now: wallClock,
      pool: stack.pool,
      mailer: createTransport({ jsonTransport: true }),
      from: 'x@example.org',
      publicBaseUrl: 'https://x.example',
      temporal: { client: stack.client, taskQueue: stack.taskQueue },
      logger: stack.logger,
    });
    const closedAt = await stack.pool.query<{ version: number }>(
      `SELECT applied_version AS version FROM audit_events WHERE case_id = $1 AND action = 'case.close' AND applied_version IS NOT NULL`,
      [view.caseId],
    );
    await activities.projectCase(view, {
      caseId: view.caseId,
      action: 'case.close',
      version: closedAt.rows[0]!.version,
      stepId: null,
      actor: users.coordinator.actor,
    });
    expect(await rowsOf(cases.adult.id)).toHaveLength(6);
  });
});
