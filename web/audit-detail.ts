/**
 * An audit row's `detail` in words. The service writes it for the trail, in codes: "applied_by=workflow; version=7"
 * (the workflow's row of a command), "document <id>; step_not_pending" (what the call named, then why it was
 * refused), "period 2026-01-01..2026-03-31 (csv)", "user_disabled; password_right", administration's "agency demo-hhs;
 * notification address changed" and "user <id>; username …; roles: supervisor → coordinator", an API key's "token <id>;
 * user <id>; username …" (whose key it is), or a JSON object of ids and codes.
 * The page shows each known part in words, steps and agencies by name and dates as people write them; internal
 * counters and ids no reader can use (versions, document, feed and token ids) are left out.
 */
import { documentRemovalReasonLabel, humanize, sentenceCase, stepLabel } from './labels';
import { plainWords, type RefusalWords } from './refusal-words';
import { stepKindOfId } from '../domain/case-state';
import { CORRECTION_WINDOW } from '../domain/policy';

/** Why a call was refused or what a sign-in was, by the code the row records. */
const CODE_WORDS: Readonly<Record<string, string>> = {
  // Sign-ins (app/access-service.ts).
  account_locked: 'account locked after too many wrong passwords',
  device_locked: 'this browser or client locked after too many wrong passwords from it',
  known_device: 'from a browser or client that signed in to this account before',
  unknown_device: 'naming a browser or client this account does not know (forged, another account’s, or expired)',
  wrong_password_or_disabled: 'wrong password, or the account is disabled',
  password_wrong: 'wrong password',
  password_right: 'their password was right',
  unknown_username: 'no user of that name',
  oidc: 'with the agency’s sign-in (OpenID Connect)',
  invalid_id_token: 'the agency’s sign-in was not valid',
  identity_not_linked: 'the agency’s sign-in is linked to no user',
  nonce_not_issued: 'a sign-in not started here, expired or used already',
  user_disabled: 'the user is disabled',
  // Refusals of the case rules (domain/).
  step_not_pending: 'the step was no longer waiting for a sign-off',
  case_not_open: 'the case was no longer open',
  unknown_step: 'no such step in the case',
  unknown_outcome: 'an outcome the step does not take',
  outcome_not_applicable: 'an outcome the step’s state does not allow',
  invalid_details: 'the details were not complete or not valid',
  date_order: 'a date out of order (in the future, or before the step opened)',
  date_out_of_range: 'a date outside what the rules allow',
  extension_limit_reached: 'no further extension allowed',
  evidence_response_pending: 'a response to a request for evidence is still pending',
  not_correctable: 'the step cannot be corrected',
  correction_window_closed: `the agency’s ${CORRECTION_WINDOW.days} days to correct it were over`,
  later_steps_signed: 'steps that followed from it were already signed',
  correction_conflict: 'someone corrected it meanwhile',
  transferred_meanwhile: 'someone transferred the case meanwhile',
  coordinator_corrects: 'it may have opened steps of another agency: the coordinator corrects it',
  nothing_to_ask_again: 'nothing to ask again: pending, in force, or not refused',
  unbound_command: 'a command not issued for this case and request',
  wrong_agency: 'not the agency assigned to this case',
  wrong_agency_kind: 'not the kind of agency this is for',
  role_not_permitted: 'the user’s roles do not allow it',
  other_agency: 'another agency’s',
  admin_not_delegated: 'only a system administrator may do this',
  not_a_participant: 'the user’s agency takes no part in the case',
  transferred_away: 'the case was transferred away from the user’s agency',
  not_permitted_identity: 'the user may not read the survivor’s identity',
  identity_not_yet_requested: 'no request on this case has reached the user’s agency yet',
  survivor_corrected_meanwhile: 'someone else corrected those details meanwhile',
  not_permitted_document: 'the user may not open the document',
  not_permitted_document_removal: 'the user may not remove the document',
  not_permitted_step: 'another agency’s step',
  // Refusals of the request itself (api/). A refused request's fields are not in its row: what it sent is the client's.
  invalid_body: 'the details sent were not valid (a field missing or of the wrong form)',
  invalid_query: 'the filters or options sent were not valid',
  invalid_params: 'the address was not valid (it names nothing of the right form)',
  invalid_cursor: 'a next page asked for that is not one of this list, or with other filters or another sort',
  unsupported_media_type: 'sent in a form the service does not take',
  replayed: 'sent again, and answered as the first time',
  idempotency_key_reused: 'the same form sent again with other answers',
  idempotency_in_progress: 'the same form still being processed',
  idempotency_key_required: 'no request key',
  rate_limited: 'too many requests',
  document_type_not_allowed: 'a file type that is not allowed',
  document_too_large: 'a file that is too large',
  reference_taken: 'the case reference is taken',
  possible_duplicate: 'an open case of the same survivor, identified at the same moment',
  username_taken: 'the username is taken',
  identity_taken: 'the sign-in identity is linked to another user',
  identity_not_found: 'no such sign-in identity is linked to the user',
  weak_password: 'a password that is too weak',
  wrong_password: 'wrong current password',
};

/** One `key=value` part: the keys the service writes, in words; undefined leaves the part out. */
const KEYED: Readonly<Record<string, (value: string) => string | undefined>> = {
  applied_by: (value) => (value === 'workflow' ? 'Applied by the case’s workflow' : `Applied by ${value}`),
  version: () => undefined,
  actor_user: () => 'by a user the service no longer knows',
  removal_reason: (value) => `why: ${documentRemovalReasonLabel(value).toLowerCase()}`,
};

/** The parts written as words with an id after them ("document 9f2c…", "feed 1b7e…"): named, not identified. */
const NAMED_BY_ID: Readonly<Record<string, string>> = {
  document: 'a document',
  feed: 'a calendar feed',
  token: 'an API key',
  user: 'of a user (their id in the API’s trail)',
};

const PERIOD = /^period (\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d) \((\w+)\)$/;
const CODE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[a-z]+$/;

function partInWords(part: string, words: RefusalWords): string | undefined {
  const keyed = /^([a-z_]+)=(.*)$/.exec(part);
  if (keyed) {
    const [, key, value] = keyed as unknown as [string, string, string];
    const known = KEYED[key];
    return known ? known(value) : `${humanize(key).toLowerCase()}: ${plainWords(value, words)}`;
  }
  const period = PERIOD.exec(part);
  if (period) {
    const [, from, to, format] = period as unknown as [string, string, string, string];
    return `for ${words.calendarDay(from)} to ${words.calendarDay(to)} (${format.toUpperCase()})`;
  }
  // Administration (api/routes/access.ts): the agency or the user (staff) it was about, and what changed, in words.
  const agency = /^agency (\S+)$/.exec(part)?.[1];
  if (agency) return `agency: ${words.agencyName(agency)}`;
  const username = /^username (\S+)$/.exec(part)?.[1];
  if (username) return `user: ${username}`;
  if (/^roles: /.test(part)) return part.replace(/_/g, ' ');
  const named = /^(\w+) \S+$/.exec(part)?.[1];
  if (named && NAMED_BY_ID[named]) return NAMED_BY_ID[named];
  if (CODE.test(part)) return CODE_WORDS[part] ?? humanize(part).toLowerCase();
  return plainWords(part, words);
}

/** A JSON detail: its known keys in words (a step by name, an outcome, an agency by name, a code), the rest humanized. */
function objectInWords(detail: Record<string, unknown>, words: RefusalWords): string[] {
  return Object.entries(detail).flatMap(([key, value]) => {
    if (typeof value !== 'string' && typeof value !== 'number') return [];
    const text = String(value);
    if (key === 'stepId') {
      const kind = stepKindOfId(text);
      return [kind ? `step: ${stepLabel(kind)}` : `step: ${humanize(text.replace(/-\d+$/, ''))}`];
    }
    if (key === 'stepKind') return [`step: ${stepLabel(text)}`];
    if (key === 'outcome') return [`outcome: ${humanize(text).toLowerCase()}`];
    if (key === 'agencyId' || key.endsWith('AgencyId')) return [`${agencyKey(key)}: ${words.agencyName(text)}`];
    if (key === 'code') return [CODE_WORDS[text] ?? humanize(text).toLowerCase()];
    const part = partInWords(`${key}=${text}`, words);
    return part ? [part] : [];
  });
}

/** "agencyId" → "agency", "toAgencyId" → "to agency". */
const agencyKey = (key: string) =>
  key
    .replace(/Id$/, '')
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase();

/** The detail in words, as one sentence of its parts; empty when nothing in it is for a reader. */
export function auditDetailInWords(detail: string | null | undefined, words: RefusalWords): string {
  if (!detail) return '';
  const parts = detail.trim().startsWith('{') ? jsonParts(detail, words) : undefined;
  const split = detail.split(/;\s*/).map((part) => part.trim());
  // A user named by username too needs no "of a user (their id …)" besides.
  const named = split.some((part) => part.startsWith('username '));
  const kept = named ? split.filter((part) => !/^user \S+$/.test(part)) : split;
  const said = (parts ?? kept.map((part) => partInWords(part, words))).filter((part): part is string => Boolean(part));
  const sentence = said.join('; ');
  return sentenceCase(sentence);
}

function jsonParts(detail: string, words: RefusalWords): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(detail);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? objectInWords(parsed as Record<string, unknown>, words)
      : undefined;
  } catch {
    return undefined;
  }
}
