/**
 * The survivor's record after intake: those who may read the identity may correct it (A-number, contact, preferred
 * language, name) and read what it was before. Kept in PostgreSQL only and sealed, like the identity; the case's
 * workflow never holds it. The birth date is not correctable here: it set the case's path and deadlines.
 *
 * An identity lost with a restore of PostgreSQL from a backup older than the case can be entered again, from the
 * agency's own file; its birth date must give the path and deadlines the case was opened with.
 *
 * The case's reference is shown in clear to every agency and in emails, so it must never say who the survivor is
 * (app/case-commands.ts `identityInReference`, checked at opening): an identity corrected or entered again that its
 * reference would name is refused, with nothing written, unless the same request gives the case a new reference.
 *
 * The reference is the opening agency's own case number: when another agency's request replaces it, the opening
 * agency is told, in the app and by email (`tellReplaced`), since its officers would look for the case by a number
 * that no longer finds it. The notice names the case by its new reference only, never the one replaced.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { startDelivery } from '../activities/notifications';
import type { Logger } from '../core/logger';
import { AppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { IdentityKeyring } from '../core/identity-cipher';
import { userRowIdOf } from '../db/audit';
import { findAgency } from '../db/agencies';
import { caseReference, referenceOwnerOf, replaceReference } from '../db/case-references';
import { passesForAssigned } from '../domain/chosen-reference';
import { enqueue, findNotification, type Notification } from '../db/notifications';
import { inTransaction, type Queryable } from '../db/pool';
import {
  correctSurvivor,
  listSurvivorRevisions,
  openedIdentityText,
  restoreSurvivor,
  sealedIdentityText,
  type SurvivorCorrected,
  type SurvivorCorrection,
  type SurvivorIdentity,
} from '../db/survivors';
import { minorTurns18OnFor } from '../domain/case';
import { BIRTH_DATE_NOT_CORRECTABLE } from '../domain/survivor-fields';
import { REFERENCE_REPLACED_NOTICE } from '../domain/case-state';
import { referenceReplacedNotice } from '../mail/agency-notices';
import { caseAgenciesOf, type CaseView } from '../db/read-model';
import { takesPart } from '../domain/access';
import type { IsoDate } from '../domain/dates';
import type { Actor } from '../domain/types';
import type { CaseReads } from './case-reads';
import {
  ASSIGNED_WHEN_NULL,
  identityInReference,
  newReference,
  referenceTaken,
  type WriteOptions,
} from './case-commands';

export interface SurvivorRecordsDeps {
  pool: Pool;
  now: Clock;
  identityKeyring?: IdentityKeyring;
  /**
   * Starts the delivery of the email telling the opening agency its reference was replaced (a client with the
   * service's data converter, and the case task queue); without it the notice is in the app only, and logged.
   */
  temporal?: { client: Client; taskQueue: string };
  logger?: Logger;
  /** For the notice's link to the case. */
  publicBaseUrl?: string;
  /** The deployment's time zone (`TIMEZONE`): the notice's date for an agency without one of its own; default UTC. */
  timeZone?: string;
}

export type SurvivorRecords = ReturnType<typeof createSurvivorRecords>;

/**
 * The case's new reference a request asks for with the identity: a chosen one (checked by the opening's rules, api/
 * schemas.ts `chosenReferenceSchema`), or null to have one assigned. Left out, the case keeps its reference.
 */
export type NewReference = string | null | undefined;

/**
 * What a correction answers: the identity as it now is, the fields it changed, how many corrections it has had, and
 * the case's new reference when it gave it one.
 */
type CorrectionAnswer = Omit<Extract<SurvivorCorrected, { identity: SurvivorIdentity }>, 'appliedBefore'> & {
  reference?: string;
};
type KeptCorrectionAnswer = Omit<CorrectionAnswer, 'identity'> & { sealedIdentity: string };

export function createSurvivorRecords(deps: SurvivorRecordsDeps, caseReads: CaseReads) {
  const missing = () => new AppError('not_found', 'No survivor record for this case.', { code: 'survivor_not_found' });
  /**
   * Starts the delivery of each notice of a replaced reference, once the transaction that recorded it committed. The
   * request's change is made whatever happens here: a delivery that cannot be started is logged for the operator (by
   * ids: the row names the new reference only), and the notice stays in the app.
   */
  const deliver = async (told: Notification[]) => {
    for (const row of told) {
      if (row.sentAt || !row.recipientEmail) continue;
      const about = { caseId: row.caseId, notificationId: row.id };
      if (!deps.temporal) {
        deps.logger?.error(about, 'replaced reference not emailed: the API has no Temporal client for deliveries');
        continue;
      }
      await startDelivery(deps.temporal, row, REFERENCE_REPLACED_NOTICE).catch((error: unknown) =>
        deps.logger?.error({ ...about, err: error }, 'replaced reference not emailed: its delivery did not start'),
      );
    }
  };
  const notices = { publicBaseUrl: deps.publicBaseUrl, timeZone: deps.timeZone };

  return {
    /**
     * Applies the correction; answers the identity as it now is, the fields that changed and how many corrections it
     * has had. A field it would change that was corrected after the `expectedCorrections` the corrector read is a
     * conflict: nothing is written, and the problem names each such field. A retry of a correction that was made
     * (`options.operationId`, from its Idempotency-Key) whose answer was never stored, its API process having died
     * first, answers what it changed, not "nothing changed", and writes nothing again.
     */
    async correct(
      caseId: string,
      correction: SurvivorCorrection,
      actor: Actor,
      asked: NewReference,
      options: WriteOptions = {},
    ): Promise<CorrectionAnswer> {
      await caseReads.identityCase(caseId, actor);
      const request = await referenceRequest(deps.pool, caseId, actor, asked);
      const by = { userId: userRowIdOf(actor.userId), at: await deps.now(), operationId: options.operationId };
      const told: Notification[] = [];
      const corrected = await inTransaction(deps.pool, async (client) => {
        // A new name, A-number or contact can make the reference say who the survivor is (the birth date is not
        // corrected here); the reference kept is read for the fields corrected only, so a correction is never held
        // back by what a reference chosen before a rule was says of the fields it leaves as they are.
        const settled = async (identity: SurvivorIdentity, changedFields: string[]) =>
          changedFields.some((field) => field in READ_WHEN_CORRECTED) || request.asked !== undefined
            ? settleReference(client, caseId, identity, request, by.at, { ...notices, told }, changedFields)
            : undefined;
        const corrected = await correctSurvivor(client, caseId, correction, by, settled, deps.identityKeyring);
        if (!corrected) throw missing();
        if ('correctedMeanwhile' in corrected) throw correctedMeanwhile(corrected, correction.expectedCorrections);
        const { appliedBefore, ...answer } = corrected;
        if (appliedBefore) {
          const reference = referenceAsked(caseId, request.asked, appliedBefore);
          // The attempt that made it may have died before starting its notice's delivery: started now, if unsent.
          const notice =
            reference &&
            (await findNotification(client, { caseId, alarmId: replacedAlarmId(reference, appliedBefore) }));
          if (notice) told.push(notice);
          return reference === undefined ? answer : { ...answer, reference };
        }
        return answer;
      });
      await deliver(told);
      return corrected;
    },

    /**
     * A correction's answer as the API keeps it to replay to a retry under the same Idempotency-Key: the identity
     * sealed, as the survivors table keeps it, since the key store is a plain table; `shownAnswer` opens it again.
     */
    keptAnswer(caseId: string, corrected: CorrectionAnswer): KeptCorrectionAnswer {
      const { identity, ...rest } = corrected;
      return { ...rest, sealedIdentity: sealedIdentityText(identity, caseId, deps.identityKeyring) };
    },

    /** The answer `keptAnswer` kept, with the identity opened: what the corrector is answered, first or on a retry. */
    shownAnswer(caseId: string, kept: KeptCorrectionAnswer): CorrectionAnswer {
      const { sealedIdentity, ...rest } = kept;
      return { identity: openedIdentityText(sealedIdentity, caseId, deps.identityKeyring), ...rest };
    },

    /**
     * Enters the identity of a case that has none (after a restore from a backup older than the case). Answers
     * whether it was recorded or was already this one; another identity on record is a conflict (correct it instead).
     * `turns18OnOfRecord`: the 18th birthday the case's workflow counts a minor's deadlines from (undefined if Temporal
     * no longer has the case), asked only for a minor's case.
     */
    async restore(
      caseId: string,
      identity: SurvivorIdentity,
      actor: Actor,
      turns18OnOfRecord: () => Promise<IsoDate | null | undefined>,
      asked: NewReference,
    ): Promise<{ outcome: 'recorded' | 'same'; reference?: string }> {
      const view = await caseReads.identityCase(caseId, actor);
      const request = await referenceRequest(deps.pool, caseId, actor, asked);
      const problem = await birthDateProblem(view, identity.birthDate, turns18OnOfRecord);
      if (problem) {
        throw new AppError('unprocessable', 'The birth date does not fit this case.', {
          code: 'birth_date_mismatch',
          fields: [{ field: 'birthDate', message: problem }],
        });
      }
      const at = await deps.now();
      const told: Notification[] = [];
      const restored = await inTransaction(deps.pool, async (client) => {
        const restoredAs = await restoreSurvivor(client, caseId, identity, deps.identityKeyring);
        if (restoredAs.outcome === 'other') throw anotherIdentityOnRecord(restoredAs.differing);
        const { outcome } = restoredAs;
        const reference = await settleReference(client, caseId, identity, request, at, { ...notices, told });
        return reference === undefined ? { outcome } : { outcome, reference };
      });
      await deliver(told);
      return restored;
    },

    /** What the identity was before each correction, newest first. */
    async revisions(caseId: string, actor: Actor) {
      await caseReads.identityCase(caseId, actor);
      return listSurvivorRevisions(deps.pool, caseId, deps.identityKeyring);
    },
  };
}

/**
 * An identity entered (PUT) on a case that has another one on record, naming the fields that differ (never their
 * values). A correction (POST) changes the name, A-number, contact and language; the birth date it refuses as well, so
 * another birth date is told what is done instead: the case is withdrawn as opened in error and opened again.
 */
function anotherIdentityOnRecord(differing: readonly string[]): AppError {
  const correctable = differing.filter((field) => field !== 'birthDate');
  const named = differing.map((field) => (field === 'birthDate' ? 'birth date' : field)).join(', ');
  const correctThem = `correct ${correctable.join(', ')} with POST /api/cases/{caseId}/survivor`;
  const detail = !differing.includes('birthDate')
    ? `The case has another survivor record already (it differs in ${named}): ${correctThem}.`
    : `The case has another survivor record already (it differs in ${named}). The ${BIRTH_DATE_NOT_CORRECTABLE.replace(/^the /, '')}.` +
      (correctable.length > 0 ? ` Otherwise, ${correctThem}.` : '');
  return new AppError('conflict', detail, {
    code: 'survivor_exists',
    fields: differing.map((field) => ({
      field,
      message:
        field === 'birthDate'
          ? BIRTH_DATE_NOT_CORRECTABLE
          : 'differs from the identity on record: correct it with POST /api/cases/{caseId}/survivor',
    })),
  });
}

/**
 * What a request asks of the case's reference, and from whom: the agency whose case number it is (the opening agency,
 * or the police a transfer moved the case to since: db/case-references.ts `referenceOwnerOf`; below "the opening
 * agency"), or another (`byOther`, with the opening agency's name for its refusals). From another, a chosen reference
 * is refused 403 naming `reference`, before anything is written: the reference is unique within its agency only, so another agency
 * may not replace it with a number of its own, nor learn from a 409 which of its numbers are taken; the case's own
 * reference sent back unchanged (a client sending what it read) asks nothing, as if left out. Its null is weighed
 * once the identity is written (`settleReference`): it is for a reference that would say who the survivor is. The
 * opening agency (`openerId`) is told of a replacement another agency (`name`) made.
 */
interface ReferenceRequest {
  asked: NewReference;
  byOther?: { openerId: string; openerName: string; name: string };
}

async function referenceRequest(
  pool: Pool,
  caseId: string,
  actor: Actor,
  asked: NewReference,
): Promise<ReferenceRequest> {
  if (asked === undefined) return { asked };
  // The agency whose case number it is now: after a transfer, the police the case went to (`referenceOwnerOf`).
  const opener = await referenceOwnerOf(pool, caseId);
  if (opener === null || opener === actor.agencyId) return { asked };
  const openerName = (await findAgency(pool, opener))?.name ?? 'the agency that opened the case';
  if (asked === null) {
    const name = (await findAgency(pool, actor.agencyId))?.name ?? actor.agencyId;
    return { asked, byOther: { openerId: opener, openerName, name } };
  }
  if (asked.toUpperCase() === (await caseReference(pool, caseId))?.toUpperCase()) return { asked: undefined };
  throw new AppError('forbidden', `Only ${openerName} can give this case its own case number: nothing was saved.`, {
    code: 'reference_not_yours',
    fields: [
      {
        field: 'reference',
        message: `only ${openerName} can give this case its own case number; ${ASSIGNED_WHEN_NULL}`,
      },
    ],
  });
}

/**
 * The refusal of another agency's null when the case's reference would not say who the survivor is: the reference is
 * the opening agency's own case number, which its caseload and records find the case by, so no one else replaces it
 * unless it must go.
 */
function referenceKept(openerName: string): AppError {
  return new AppError(
    'forbidden',
    `The case's reference does not say who the survivor is, so it is kept: nothing was saved. Only ${openerName} can replace its case number.`,
    {
      code: 'reference_not_yours',
      fields: [
        {
          field: 'reference',
          message: `does not say who the survivor is as corrected, so it is kept: leave "reference" out (only ${openerName} can replace it)`,
        },
      ],
    },
  );
}

/**
 * The refusal of a new reference for a case whose reference is reserved for no agency: PostgreSQL was restored from a
 * backup older than the case and `npm run admin -- reproject` has not reserved it again yet (app/reproject.ts). Not to
 * be retried soon: only an operator's run of reproject ends it.
 */
const referenceNotReserved = (): AppError =>
  new AppError(
    'unavailable',
    "This case's reference cannot be replaced yet: the database was restored from a backup older than the case, and " +
      'an operator has not yet run `npm run admin -- reproject` (docs/runbook.md, "Restoring PostgreSQL from a ' +
      'backup"), which reserves it again. Nothing was saved: send this again once they have.',
    {
      code: 'reference_not_reserved',
      fields: [
        {
          field: 'reference',
          message: "the case's reference is not reserved again since a restore: ask an operator to run reproject",
        },
      ],
    },
  );

/**
 * The case's reference once the identity is written (in its transaction, `client`): kept, when it does not say who
 * the survivor is (an assigned one nobody typed is not read; read, for a correction, for the fields it changed only:
 * `readWhenCorrected`); else refused 422 naming `reference`, unless the request
 * gives a new one (`asked`), checked against the identity as at opening, or null for one assigned; one the agency
 * has for another case is refused 409 `reference_taken`. Null from another agency than the opening one is refused 403
 * when the reference it would replace does not say who the survivor is (`referenceKept`). Answers the new reference, or undefined when it is kept.
 * A refusal ends the transaction, so nothing of the request is written. A replacement by another agency is told to the
 * opening one (`tellReplaced`), its notice recorded in the same transaction and added to `notices.told`.
 */
async function settleReference(
  client: Queryable,
  caseId: string,
  identity: SurvivorIdentity,
  { asked, byOther }: ReferenceRequest,
  at: Date,
  notices: { told: Notification[]; publicBaseUrl?: string; timeZone?: string },
  changedFields?: string[],
): Promise<string | undefined> {
  const current = await caseReference(client, caseId);
  const namesSurvivor = (reference: string | null, read: Partial<SurvivorIdentity> = identity) =>
    reference !== null && !passesForAssigned(reference)
      ? identityInReference(reference, read, ASSIGNED_WHEN_NULL)
      : undefined;
  if (asked === null && byOther && !namesSurvivor(current)) throw referenceKept(byOther.openerName);
  const problem =
    asked === undefined ? namesSurvivor(current, readWhenCorrected(identity, changedFields)) : namesSurvivor(asked);
  if (problem) {
    throw new AppError(
      'unprocessable',
      asked === undefined
        ? "The case's reference would say who the survivor is: nothing was saved. Send a new reference with the identity, or null to have one assigned."
        : 'The new case reference would say who the survivor is: nothing was saved.',
      { code: 'reference_names_survivor', fields: [{ field: 'reference', message: problem }] },
    );
  }
  const replacement = referenceAsked(caseId, asked, at);
  if (replacement === undefined || replacement === current) return undefined;
  const replaced = await replaceReference(client, caseId, replacement, at);
  if (replaced === 'reference_taken') throw referenceTaken(replacement, ASSIGNED_WHEN_NULL);
  if (replaced === 'not_reserved') throw referenceNotReserved();
  if (byOther) notices.told.push(...(await tellReplaced(client, caseId, replacement, byOther, at, notices)));
  return replacement;
}

/**
 * The fields of the identity a reference kept is read for when a correction changed the field named: a new name
 * beside the birth date it is written with, a new A-number, a new contact.
 */
const READ_WHEN_CORRECTED: Record<string, (keyof SurvivorIdentity)[]> = {
  name: ['name', 'birthDate'],
  aNumber: ['aNumber'],
  contact: ['contact'],
};

/**
 * What of the identity the case's reference, kept, is read for: all of it when entered again (as at opening), else
 * the fields the correction changed (`READ_WHEN_CORRECTED`).
 */
function readWhenCorrected(identity: SurvivorIdentity, changedFields?: string[]): Partial<SurvivorIdentity> {
  if (changedFields === undefined) return identity;
  const fields = changedFields.flatMap((field) => READ_WHEN_CORRECTED[field] ?? []);
  return Object.fromEntries(fields.map((field) => [field, identity[field]]));
}

/** The outbox key of the notice of the case's reference replaced at `at` by `reference`: one per replacement. */
const replacedAlarmId = (reference: string, at: Date) =>
  `${REFERENCE_REPLACED_NOTICE}:${reference}:${at.toISOString()}`;

/**
 * Records, in the transaction that replaced the case's reference, the notice to the opening agency that another agency
 * (`by`) replaced its case number, if it still takes part in the case (none to an agency transferred off it, which
 * may no longer read the case): in the app, and by email to its address if it has one (delivered as a reminder is,
 * so a mail outage delays it and never fails the correction). The first write of a replacement's key wins, so a
 * request retried records it once. Answers the row, for its delivery to start once committed.
 */
async function tellReplaced(
  client: Queryable,
  caseId: string,
  reference: string,
  by: NonNullable<ReferenceRequest['byOther']>,
  at: Date,
  { publicBaseUrl, timeZone }: { publicBaseUrl?: string; timeZone?: string },
): Promise<Notification[]> {
  // An agency transferred off the case since it opened it is told nothing of it: it may no longer read the case.
  const agencies = await caseAgenciesOf(client, caseId);
  if (!agencies || !takesPart(by.openerId, agencies)) return [];
  const opener = await findAgency(client, by.openerId);
  if (!opener) return [];
  const notice = referenceReplacedNotice(opener, { reference, caseId, publicBaseUrl }, by.name, at, timeZone);
  const row = await enqueue(client, {
    caseId,
    alarmId: replacedAlarmId(reference, at),
    reference,
    stepId: REFERENCE_REPLACED_NOTICE,
    stepKind: REFERENCE_REPLACED_NOTICE,
    kind: REFERENCE_REPLACED_NOTICE,
    recipientAgencyId: opener.id,
    recipientEmail: notice.to,
    subject: notice.subject,
    bodyText: notice.text,
    dueAt: at.toISOString(),
  });
  return [row];
}

/**
 * The reference a request asks the case to take at `at`: the one it names, or for null the one assigned then
 * (`newReference` gives the same for the case all that year, so a retry of an earlier attempt names the same); none
 * when it asks for none. A retry's answer names a reference asked for that the case had already, as the first did not.
 */
function referenceAsked(caseId: string, asked: NewReference, at: Date): string | undefined {
  return asked === null ? newReference(at, caseId) : asked;
}

/** The refusal of a correction that would overwrite unseen what another correction, made since it was read, wrote. */
function correctedMeanwhile(
  refused: { correctedMeanwhile: string[]; corrections: number },
  expected: number | undefined,
): AppError {
  const fields = refused.correctedMeanwhile.map((field) => ({
    field,
    message:
      field === 'expectedCorrections'
        ? `is more than the identity's ${refused.corrections} corrections: send the corrections of GET /api/cases/{caseId}/survivor`
        : `was corrected by someone else since you read it (${refused.corrections} corrections now, not ${expected})`,
  }));
  return new AppError(
    'conflict',
    "The survivor's identity was corrected meanwhile: nothing was saved. Read it again, then correct what is still wrong.",
    { code: 'survivor_corrected_meanwhile', fields },
  );
}

/**
 * Why a re-entered birth date cannot be the survivor's: it gives another path than the case's on the day of
 * identification, or, for a minor, another 18th birthday than the one the case's deadlines count from.
 */
async function birthDateProblem(
  view: CaseView,
  birthDate: IsoDate,
  turns18OnOfRecord: () => Promise<IsoDate | null | undefined>,
): Promise<string | null> {
  const identification = view.steps.find((step) => step.kind === 'identification');
  const identifiedOn = identification?.details?.identifiedOn;
  if (typeof identifiedOn !== 'string') return null;
  const turns18On = minorTurns18OnFor(birthDate, identifiedOn);
  if ((turns18On ? 'minor' : 'adult') !== view.path) {
    return `makes the survivor ${turns18On ? 'a minor' : 'an adult'} when identified on ${identifiedOn}, but the case was opened on the ${view.path} path; enter the birth date from the agency's file`;
  }
  if (!turns18On) return null;
  const ofRecord = await turns18OnOfRecord();
  return ofRecord && ofRecord !== turns18On
    ? "is not the birth date the case was opened with (its deadlines count from the 18th birthday); enter the birth date from the agency's file"
    : null;
}
