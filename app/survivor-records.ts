/**
 * The survivor's record after intake: those who may read the identity may correct it (A-number, contact, preferred
 * language, name) and read what it was before. Kept in PostgreSQL only and sealed, like the identity; the case's
 * workflow never holds it. The birth date is not correctable here: it set the case's path and deadlines.
 */
import type { Pool } from 'pg';
import { AppError } from '../core/errors';
import type { Clock } from '../core/clock';
import type { IdentityKeyring } from '../core/identity-cipher';
import { userRowIdOf } from '../db/audit';
import { correctSurvivor, listSurvivorRevisions, type SurvivorCorrection } from '../db/survivors';
import { canReadSurvivor } from '../domain/access';
import type { Actor } from '../domain/types';
import type { CaseReads } from './case-reads';

export interface SurvivorRecordsDeps {
  pool: Pool;
  now: Clock;
  identityKeyring?: IdentityKeyring;
}

export type SurvivorRecords = ReturnType<typeof createSurvivorRecords>;

export function createSurvivorRecords(deps: SurvivorRecordsDeps, caseReads: CaseReads) {
  const mayRead = async (caseId: string, actor: Actor) => {
    const view = await caseReads.case(caseId, actor);
    if (!canReadSurvivor(actor, view.agencies)) {
      throw new AppError('forbidden', "Only those working the case may read or correct the survivor's identity.", {
        code: 'not_permitted_identity',
      });
    }
  };
  const missing = () => new AppError('not_found', 'No survivor record for this case.', { code: 'survivor_not_found' });

  return {
    /** Applies the correction; answers the identity as it now is and the fields that changed. */
    async correct(caseId: string, correction: SurvivorCorrection, actor: Actor) {
      await mayRead(caseId, actor);
      const by = { userId: userRowIdOf(actor.userId), at: await deps.now() };
      const corrected = await correctSurvivor(deps.pool, caseId, correction, by, deps.identityKeyring);
      if (!corrected) throw missing();
      return corrected;
    },

    /** What the identity was before each correction, newest first. */
    async revisions(caseId: string, actor: Actor) {
      await mayRead(caseId, actor);
      return listSurvivorRevisions(deps.pool, caseId, deps.identityKeyring);
    },
  };
}
