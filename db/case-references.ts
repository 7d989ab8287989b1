/**
 * What a case needs in PostgreSQL before its workflow starts: its reference, reserved for the agency that opens it,
 * and the survivor's sealed identity. Both are written in one transaction, keyed by the case id, so a retried request
 * (same case id) finds its own reservation, and a reference the agency already uses is refused with nothing written.
 */
import type { Pool } from 'pg';
import type { IdentityKeyring } from '../core/identity-cipher';
import { inTransaction } from './pool';
import { deleteSurvivor, saveSurvivor, type SurvivorIdentity } from './survivors';

export interface CaseIntake {
  caseId: string;
  openedByAgencyId: string;
  reference: string;
  survivor: SurvivorIdentity;
}

/** The reference the case holds (an earlier attempt's, on a retry), or `reference_taken`. */
export type Reservation = { reference: string } | 'reference_taken';

export async function reserveCase(pool: Pool, intake: CaseIntake, keyring?: IdentityKeyring): Promise<Reservation> {
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ reference: string }>(
      `WITH reserved AS (
         INSERT INTO case_references (case_id, opened_by_agency_id, reference) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING reference)
       SELECT reference FROM reserved
       UNION ALL SELECT reference FROM case_references WHERE case_id = $1`,
      [intake.caseId, intake.openedByAgencyId, intake.reference],
    );
    const reference = rows[0]?.reference;
    if (reference === undefined) return 'reference_taken';
    await saveSurvivor(client, intake.caseId, intake.survivor, keyring);
    return { reference };
  });
}

/** Removes what `reserveCase` wrote, for a case whose workflow never started. */
export async function releaseCase(pool: Pool, caseId: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await deleteSurvivor(client, caseId);
    await client.query('DELETE FROM case_references WHERE case_id = $1', [caseId]);
  });
}
