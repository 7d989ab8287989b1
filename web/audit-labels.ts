/**
 * The audit trail in words: every action the service records (api/routes' `audit:` names, the workflow's rows, the
 * sign-in and calendar-feed rows, admin.ts) and every outcome. test/web/admin-pages.test.ts checks that each action
 * recorded anywhere in the code has its words here.
 */
import { humanize } from './labels';

export const AUDIT_ACTION_LABELS: Readonly<Record<string, string>> = {
  'auth.sign_in': 'Signed in',
  'auth.sign_out': 'Signed out',
  'auth.password_change': 'Changed their password',
  'token.create': 'Created an API key',
  'token.revoke': 'Revoked an API key or session',
  'auth.token_refused': 'Refused an API key or session revoked, expired, of a disabled user or left unused',
  'calendar_feed.create': 'Created a calendar feed',
  'calendar_feed.revoke': 'Revoked a calendar feed',
  'calendar_feed.read': 'Calendar feed read',
  'user.create': 'Added a user',
  'user.create_admin': 'Added an administrator (command line)',
  'identity_keys.reseal': 'Sealed survivors’ data again under the current identity key (command line)',
  'payload_keys.retire': 'Retired an old payload key no workflow history holds (command line)',
  'user.disable': 'Disabled a user',
  'user.enable': 'Enabled a user again, with a new temporary password',
  'user.reset_password': 'Set a new temporary password for a user',
  'user.set_roles': 'Changed a user’s roles',
  'user.link_identity': 'Linked a sign-in identity to a user',
  'user.unlink_identity': 'Unlinked a sign-in identity from a user',
  'agency.save': 'Registered or changed an agency',
  'agency.daily_digest': 'Turned an agency’s daily digest on or off',
  'case.open': 'Opened a case',
  'case.close': 'Closed or withdrew a case',
  'step.sign_off': 'Signed off a step',
  'step.correct': 'Corrected a sign-off',
  'case.transfer': 'Transferred a case to another agency',
  'case.ask_again': 'Asked again for a request that was denied, lapsed or declined',
  'case.read_notes': 'Read a case’s sealed notes or correction reasons',
  'document.upload': 'Added a document to a step',
  'document.download': 'Opened a document',
  'document.read_names': 'Read the file names of a case’s documents',
  'document.remove': 'Removed a document added by mistake',
  'survivor.read': 'Read the survivor’s details',
  'survivor.read_revisions': 'Read earlier versions of the survivor’s details',
  'survivor.correct': 'Corrected the survivor’s details',
  'survivor.restore': 'Entered the survivor’s details again (after a restore)',
  'case.search_by_name': 'Searched cases by the survivor’s name',
  'report.compliance': 'Read the compliance report',
  'temporal.payloads.decode': 'Decoded workflow data (Temporal Web UI)',
};

/**
 * A refused call of a route that is otherwise not audited is recorded by its method and path (api/route.ts): its words
 * here. test/web/admin-pages.test.ts checks that every such route has them.
 */
export const REFUSED_REQUEST_LABELS: Readonly<Record<string, string>> = {
  'POST /api/auth/sign-in': 'Signed in',
  'POST /api/auth/oidc/nonce': 'Began signing in with the agency’s identity provider',
  'POST /api/auth/oidc/session': 'Signed in with the agency’s identity provider',
  'GET /api/me': 'Read their own account',
  'GET /api/tokens': 'Listed their API keys and sessions',
  'GET /api/users': 'Listed users',
  'GET /api/users/:userId': 'Read a user’s account',
  'GET /api/users/:userId/identities': 'Read a user’s sign-in identities',
  'GET /api/agencies': 'Listed the agencies',
  'GET /api/audit': 'Read the audit trail',
  'GET /api/me/calendar-feeds': 'Listed their calendar feeds',
  'GET /calendar/:secret.ics': 'Calendar feed read',
  'GET /api/cases/:caseId': 'Read a case',
  'GET /api/cases/:caseId/reminders': 'Read a case’s reminders',
  'POST /api/cases/:caseId/steps/:stepId/sign-off/preview': 'Checked a sign-off before sending it',
  'POST /api/cases/:caseId/steps/:stepId/corrections/preview': 'Checked a correction before making it',
  'GET /api/dashboard': 'Read the dashboard',
  'GET /api/cases/:caseId/steps/:stepId/documents': 'Listed a step’s documents',
  'GET /api/cases/:caseId/documents': 'Listed a case’s documents',
  'GET /api/steps': 'Listed steps across cases',
  'GET /api/steps/count': 'Counted steps across cases',
  'GET /api/cases': 'Listed cases',
  'GET /api/notifications': 'Listed notifications',
  'GET /health': 'Checked that the service runs',
  'GET /ready': 'Checked that the service is ready',
  'GET /dev/mail': 'Read the emails captured in embedded mode',
};

/** The words for an action; a refused call of a route not in the lists above is named by its method and path. */
export function auditActionLabel(action: string): string {
  const label = AUDIT_ACTION_LABELS[action] ?? REFUSED_REQUEST_LABELS[action];
  if (label) return label;
  return /^[A-Z]+ \//.test(action) ? `Request ${action}` : humanize(action);
}

/** The outcomes a reader filters by, in words. */
export const AUDIT_OUTCOME_LABELS: Readonly<Record<string, string>> = {
  allowed: 'Allowed',
  denied: 'Refused: not permitted',
  rejected: 'Refused: not accepted',
  failed: 'Failed: service error',
};

/** Why a rejected call was refused, from its HTTP status, in the words a reader of the trail would use. */
const REJECTIONS: Readonly<Record<number, string>> = {
  400: 'Refused: not valid',
  401: 'Refused: not signed in or wrong password',
  404: 'Refused: not found',
  409: 'Refused: already done or in progress',
  422: 'Refused: not valid',
  429: 'Refused: too many attempts',
  503: 'Failed: service unavailable',
};

export function auditOutcomeLabel(outcome: string, status: number | null): string {
  if (outcome !== 'allowed' && status !== null && REJECTIONS[status]) return REJECTIONS[status];
  return AUDIT_OUTCOME_LABELS[outcome] ?? humanize(outcome);
}
