/**
 * The survivor's record after intake: those who may read the identity may correct it (A-number, contact, preferred
 * language, name) and read what it was before. Kept in PostgreSQL only and sealed, like the identity; the case's
 * workflow never holds it. The birth date is not correctable here: it set the case's path and deadlines.
 *
 * An identity lost with a restore of PostgreSQL from a backup older than the case can be entered again, from the
 * agency's own file; its birth date must give the path and deadlines the case was opened with.
 */
import type { Pool } from 'pg';
import { AppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { IdentityKeyring } from '../core/identity-cipher';
import { userRowIdOf } from '../db/audit';
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
import type { CaseView } from '../db/read-model';
import type { IsoDate } from '../domain/dates';
import type { Actor } from '../domain/types';
import type { CaseReads } from './case-reads';

export interface SurvivorRecordsDeps {
  pool: Pool;
  now: Clock;
  identityKeyring?: IdentityKeyring;
}

export type SurvivorRecords = ReturnType<typeof createSurvivorRecords>;

/** What a correction answers: the identity as it now is, the fields it changed, how many corrections it has had. */
type CorrectionAnswer = Extract<SurvivorCorrected, { identity: SurvivorIdentity }>;
type KeptCorrectionAnswer = Omit<CorrectionAnswer, 'identity'> & { sealedIdentity: string };

export function createSurvivorRecords(deps: SurvivorRecordsDeps, caseReads: CaseReads) {
  const missing = () => new AppError('not_found', 'No survivor record for this case.', { code: 'survivor_not_found' });

  return {
    /**
     * Applies the correction; answers the identity as it now is, the fields that changed and how many corrections it
     * has had. A field it would change that was corrected after the `expectedCorrections` the corrector read is a
     * conflict: nothing is written, and the problem names each such field.
     */
    async correct(caseId: string, correction: SurvivorCorrection, actor: Actor): Promise<CorrectionAnswer> {
      await caseReads.identityCase(caseId, actor);
      const by = { userId: userRowIdOf(actor.userId), at: await deps.now() };
      const corrected = await correctSurvivor(deps.pool, caseId, correction, by, deps.identityKeyring);
      if (!corrected) throw missing();
      if ('correctedMeanwhile' in corrected) throw correctedMeanwhile(corrected, correction.expectedCorrections);
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
    ): Promise<'recorded' | 'same'> {
      const view = await caseReads.identityCase(caseId, actor);
      const problem = await birthDateProblem(view, identity.birthDate, turns18OnOfRecord);
      if (problem) {
        throw new AppError('unprocessable', 'The birth date does not fit this case.', {
          code: 'birth_date_mismatch',
          fields: [{ field: 'birthDate', message: problem }],
        });
      }
      const outcome = await restoreSurvivor(deps.pool, caseId, identity, deps.identityKeyring);
      if (outcome === 'other') {
        throw new AppError('conflict', 'The case has a survivor record already: correct it instead (POST).', {
          code: 'survivor_exists',
        });
      }
      return outcome;
    },

    /** What the identity was before each correction, newest first. */
    async revisions(caseId: string, actor: Actor) {
      await caseReads.identityCase(caseId, actor);
      return listSurvivorRevisions(deps.pool, caseId, deps.identityKeyring);
    },
  };
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
