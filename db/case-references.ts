/**
 * What a case needs in PostgreSQL before its workflow starts: its reference, reserved for the agency that opens it,
 * and the survivor's sealed identity. Both are written in one transaction, keyed by the case id, so a retried request
 * (same case id) finds its own reservation, and a reference the agency already uses, its letters in any case (a unique
 * index on upper(reference): every look-up reads it so), is refused with nothing written.
 * An agency's open case of the same survivor identified at the same moment, reserved or opened, refuses it too, unless
 * the opener confirmed it is another person.
 */
import type { Pool } from 'pg';
import type { IdentityKeyring } from '../core/identity-cipher';
import type { CaseAgencies } from '../domain/types';
import { inTransaction, type Queryable } from './pool';
import {
  deleteSurvivor,
  lockOpeningsOfSameSurvivor,
  openCasesOfSameSurvivor,
  saveSurvivor,
  type SurvivorIdentity,
} from './survivors';

export interface CaseIntake {
  caseId: string;
  openedByAgencyId: string;
  reference: string;
  survivor: SurvivorIdentity;
  /** The instant the survivor was identified (ISO): what tells an opening sent twice from a second identification. */
  identifiedAt: string;
  /** The opener confirmed that the survivor is another person than that of a case of the same name and birth date. */
  confirmedNotDuplicate: boolean;
}

/**
 * The reference the case holds (an earlier attempt's, on a retry) and this attempt's moment (`attempt`, what
 * `releaseCase` is guarded by); `reference_taken`; or the agency's open cases of the same survivor identified at the
 * same moment (db/survivors.ts `openCasesOfSameSurvivor`), nothing written.
 */
export type Reservation =
  | { reference: string; attempt: string }
  | 'reference_taken'
  | { sameSurvivor: { caseId: string; reference: string }[] }
  /**
   * Another agency's openings of the same survivor identified at the same moment, reserved and not yet in the read
   * model, by case id: nothing written. Whether the agency takes part in them (then this one is their duplicate) is
   * told once they are (`stillOpening`); then it is asked again.
   */
  | { openingElsewhere: string[] };

/**
 * Checks and reserves under a lock on the survivor and the moment (`lockOpeningsOfSameSurvivor`): of two openings of
 * the same survivor sent at once under two keys, by one agency or two, the second sees the first's reservation, though
 * the read model shows its case only once its workflow has started. The lock ends with the transaction, before the workflow is
 * started, so an opening waits for another only as long as a check and a reservation take.
 * Every attempt, a retry's too, records when it reserved (`attempted_at`): an attempt starts the workflow only after
 * that, within the write's bound, so a reservation whose last attempt is older than that bound can no longer get a
 * workflow (app/abandoned-openings.ts).
 */
export async function reserveCase(pool: Pool, intake: CaseIntake, keyring?: IdentityKeyring): Promise<Reservation> {
  return inTransaction(pool, async (client) => {
    const same = {
      agencyId: intake.openedByAgencyId,
      identifiedAt: intake.identifiedAt,
      survivor: intake.survivor,
      exceptCaseId: intake.caseId,
    };
    await lockOpeningsOfSameSurvivor(client, same, keyring);
    if (!intake.confirmedNotDuplicate) {
      const { sameSurvivor, openingElsewhere } = await openCasesOfSameSurvivor(client, same, keyring);
      if (sameSurvivor.length > 0) return { sameSurvivor };
      if (openingElsewhere.length > 0) return { openingElsewhere };
    }
    // A retry finds its case's row and writes its moment on it, under the row's lock: a release (`releaseCase`) that
    // waited for it then finds the moment moved and keeps the row; one that committed first leaves no row to find, and
    // the retry reserves anew. The moment goes out as text: a JavaScript Date would drop its microseconds, and the
    // guard compares it exactly.
    const retried = await client.query<{ reference: string; attempt: string }>(
      `UPDATE case_references SET attempted_at = clock_timestamp() WHERE case_id = $1 AND replaced_at IS NULL
       RETURNING reference, attempted_at::text AS attempt`,
      [intake.caseId],
    );
    // Refused by a unique index when the agency has the reference, its letters in any case, for another case: one it
    // reserved (replaced or not), or one a transfer gave it (migration reference-held-after-transfer). Of two such
    // writes at once, the second waits for the first and is refused if it committed.
    const { rows } =
      retried.rows.length > 0
        ? retried
        : await client.query<{ reference: string; attempt: string }>(
            `INSERT INTO case_references (case_id, opened_by_agency_id, reference, identified_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING RETURNING reference, attempted_at::text AS attempt`,
            [intake.caseId, intake.openedByAgencyId, intake.reference, intake.identifiedAt],
          );
    const reserved = rows[0];
    if (reserved === undefined) return 'reference_taken';
    await saveSurvivor(client, intake.caseId, intake.survivor, keyring);
    return reserved;
  });
}

/**
 * Of the reserved cases named, those still opening: reserved, not given back, and not yet in the read model.
 */
export async function stillOpening(db: Queryable, caseIds: string[]): Promise<string[]> {
  const { rows } = await db.query<{ case_id: string }>(
    `SELECT r.case_id FROM case_references r
     WHERE r.case_id = ANY($1::uuid[]) AND r.replaced_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = r.case_id)`,
    [caseIds],
  );
  return rows.map((row) => row.case_id);
}

/**
 * Removes what `reserveCase` wrote, for a case whose workflow never started, unless an attempt reserved it after
 * `attempt` (a retry of the opening, which may be starting the workflow now) or the read model holds the case: answers
 * whether it was removed. The reservation's row lock orders it with a retry's `reserveCase`.
 */
export async function releaseCase(pool: Pool, caseId: string, attempt: string): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `DELETE FROM case_references r
       WHERE r.case_id = $1 AND r.attempted_at = $2::timestamptz AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = $1)`,
      [caseId, attempt],
    );
    if (!rowCount) return false;
    await deleteSurvivor(client, caseId);
    return true;
  });
}

/**
 * Reserves again the reference a case opened with, for a case whose workflow Temporal has but whose reservation
 * PostgreSQL lost: restored from a backup older than the case (docs/runbook.md), the reference would otherwise be
 * free for another case of its agency, and a correction giving the case a new one would find nothing to replace. Held
 * by the agency the case has now of its opener's kind (a transfer since), as the trigger of the read model's agencies
 * keeps it.
 * Answers `held` when the case has a reservation already (nothing written), `reserved`, or `taken` when its agency has
 * that reference for another case (opened since the restore), nothing written.
 */
export async function reserveAgain(
  db: Queryable,
  opening: {
    caseId: string;
    openedByAgencyId: string;
    reference: string;
    identifiedAt: string;
    agencies: CaseAgencies;
  },
): Promise<'held' | 'reserved' | 'taken'> {
  const held = await db.query('SELECT 1 FROM case_references WHERE case_id = $1 AND replaced_at IS NULL', [
    opening.caseId,
  ]);
  if (held.rowCount) return 'held';
  const { rowCount } = await db.query(
    `INSERT INTO case_references (case_id, opened_by_agency_id, reference, identified_at, held_by_agency_id)
     SELECT $1, $2, $3, $4, NULLIF($5::jsonb ->> a.kind, $2) FROM (SELECT 1) one LEFT JOIN agencies a ON a.id = $2
     ON CONFLICT DO NOTHING`,
    [
      opening.caseId,
      opening.openedByAgencyId,
      opening.reference,
      opening.identifiedAt,
      JSON.stringify(opening.agencies),
    ],
  );
  return rowCount ? 'reserved' : 'taken';
}

/**
 * Reservations the read model holds no case of whose last attempt is more than `olderThanMs` ago, by PostgreSQL's
 * clock (the one `attempted_at` is written by), oldest first: openings no attempt can still start. Of one agency when
 * given.
 */
export async function reservationsLeftSince(
  db: Queryable,
  options: { olderThanMs: number; agencyId?: string; limit: number },
): Promise<{ caseId: string; attempt: string }[]> {
  const { rows } = await db.query<{ caseId: string; attempt: string }>(
    `SELECT r.case_id AS "caseId", r.attempted_at::text AS attempt FROM case_references r
     WHERE r.replaced_at IS NULL
       AND r.attempted_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000)
       AND ($2::text IS NULL OR r.opened_by_agency_id = $2)
       AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = r.case_id)
     ORDER BY r.attempted_at LIMIT $3`,
    [options.olderThanMs, options.agencyId ?? null, options.limit],
  );
  return rows;
}

/**
 * The case's reference as its reservation holds it, the one every reader is shown: the workflow keeps the one the case
 * opened with, which a correction of the survivor's identity may have replaced (`replaceReference`). Null for a case
 * without a reservation.
 */
export async function caseReference(db: Queryable, caseId: string): Promise<string | null> {
  const { rows } = await db.query<{ reference: string }>(
    'SELECT reference FROM case_references WHERE case_id = $1 AND replaced_at IS NULL',
    [caseId],
  );
  return rows[0]?.reference ?? null;
}

/**
 * The agency whose case number the case's reference is, which alone may choose the case another (app/survivor-
 * records.ts): the case's agency now of the kind of the one that reserved it. The police a case was transferred to
 * owns it from the transfer on, as it owns the police's steps; the coordinator, which also opens cases, is never
 * transferred. The reserving agency itself for a case the read model does not hold yet; null for a case without a
 * reservation.
 */
export async function referenceOwnerOf(db: Queryable, caseId: string): Promise<string | null> {
  const { rows } = await db.query<{ owner: string }>(
    `SELECT COALESCE(c.agencies ->> a.kind, r.opened_by_agency_id) AS owner
       FROM case_references r
       LEFT JOIN agencies a ON a.id = r.opened_by_agency_id
       LEFT JOIN cases c ON c.id = r.case_id
      WHERE r.case_id = $1 AND r.replaced_at IS NULL`,
    [caseId],
  );
  return rows[0]?.owner ?? null;
}

/**
 * Gives the case another reference, in its reservation and in the read model at once (a later projection reads the
 * reservation's): `reference_taken` when its agency has a case with it, its letters in any case, and nothing is
 * written. The reference replaced stays the case's, marked replaced (migration replaced-references-kept): no other case
 * of the agency may take it, and the case may take it back. Meant for a transaction the caller ends on
 * `reference_taken`: a reference taken meanwhile by an opening fails the unique index, which aborts it.
 */
export async function replaceReference(
  db: Queryable,
  caseId: string,
  reference: string,
  at: Date,
): Promise<'replaced' | 'reference_taken' | 'not_reserved'> {
  // The new reference is its owner's now (`referenceOwnerOf`), unique among that agency's: after a transfer, the
  // police the case went to; the references replaced stay reserved for the agency that had them. A reference a
  // transfer gave the owner for another case fails the unique index on its holder (a 23505 below).
  const owner = await referenceOwnerOf(db, caseId);
  const { rows } = await db.query<{ opened_by_agency_id: string; identified_at: Date | null }>(
    `UPDATE case_references SET replaced_at = $2 WHERE case_id = $1 AND replaced_at IS NULL
     RETURNING opened_by_agency_id, identified_at`,
    [caseId, at],
  );
  const replaced = rows[0];
  // PostgreSQL restored from a backup older than the case, before reproject reserved its reference again.
  if (!replaced) return 'not_reserved';
  try {
    // A former reference of this very case is taken back; one of another case of the agency is refused.
    const { rowCount } = await db.query(
      `INSERT INTO case_references (case_id, opened_by_agency_id, reference, identified_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (opened_by_agency_id, upper(reference))
         DO UPDATE SET reference = EXCLUDED.reference, replaced_at = NULL, held_by_agency_id = NULL
         WHERE case_references.case_id = EXCLUDED.case_id`,
      [caseId, owner ?? replaced.opened_by_agency_id, reference, replaced.identified_at],
    );
    if (rowCount === 0) return 'reference_taken';
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return 'reference_taken';
    throw error;
  }
  await db.query('UPDATE cases SET reference = $2 WHERE id = $1', [caseId, reference]);
  return 'replaced';
}
