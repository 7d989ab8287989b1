/**
 * A survivor's identity, one row per case, sealed at rest (core/identity-cipher.ts). Only this module sees it in the
 * clear; nothing here logs.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction, type Queryable } from './pool';
import { open, seal, type IdentityKeyring } from '../core/identity-cipher';
import { nameIndexKeys, nameSearchTerms, nameTokens, tokenHmac } from '../core/name-index';

export interface SurvivorIdentity {
  name: string;
  /** YYYY-MM-DD */
  birthDate: string;
  aNumber?: string;
  contact?: string;
  /** A BCP 47 language tag (`es`, `zh-Hant`): the language to speak with the survivor in. */
  preferredLanguage?: string;
}

/**
 * What may be corrected after the case opened (the birth date set the case's path and deadlines, so it stays), and
 * how many corrections the identity had when the corrector read it, when they say: a field this correction would
 * change that a correction made since changed too is then refused, not overwritten unseen.
 */
export type SurvivorCorrection = Partial<Omit<SurvivorIdentity, 'birthDate'>> & { expectedCorrections?: number };

const CORRECTABLE = ['name', 'aNumber', 'contact', 'preferredLanguage'] as const;

/**
 * Stores (or replaces) the identity of a case's survivor. Without a keyring the identity is stored unencrypted under
 * key id "plaintext": acceptable for local development only; production passes the configured keyring.
 */
export async function saveSurvivor(
  pool: Queryable,
  caseId: string,
  identity: SurvivorIdentity,
  keyring?: IdentityKeyring,
): Promise<void> {
  const { ciphertext, keyId } = sealIdentity(identity, caseId, keyring);
  await pool.query(
    `INSERT INTO survivors (case_id, identity_ciphertext, key_id) VALUES ($1, $2, $3)
     ON CONFLICT (case_id) DO UPDATE SET identity_ciphertext = EXCLUDED.identity_ciphertext, key_id = EXCLUDED.key_id, updated_at = now()`,
    [caseId, ciphertext, keyId],
  );
  await indexName(pool, caseId, identity.name, keyring);
}

/**
 * Rewrites the case's rows of the name's blind index (core/name-index.ts) under the current key: called with the
 * identity's own write, in its transaction where there is one, so the index never names a name the case no longer has.
 * Two processes indexing the same case at once (a start-up backfill on each) insert the same rows: the second's are
 * skipped, not an error.
 */
async function indexName(db: Queryable, caseId: string, name: string, keyring: IdentityKeyring | undefined) {
  const [key] = nameIndexKeys(keyring);
  const hmacs = nameTokens(name).map((token) => tokenHmac(key!, token));
  await db.query('DELETE FROM survivor_name_index WHERE case_id = $1', [caseId]);
  await db.query(
    `INSERT INTO survivor_name_index (token_hmac, case_id, key_id)
     SELECT DISTINCT unnest($2::bytea[]), $1::uuid, $3
     ON CONFLICT DO NOTHING`,
    [caseId, hmacs, key!.id],
  );
}

/**
 * The backfill of the name index, run at start-up (app/name-index.ts): indexes every survivor that has no rows under
 * the current key (recorded before the index existed, or indexed before a key rotation), a batch at a time in
 * case id order. Answers how many it indexed.
 */
export async function reindexSurvivorNames(pool: Pool, keyring: IdentityKeyring | undefined): Promise<number> {
  const [key] = nameIndexKeys(keyring);
  let after = '00000000-0000-0000-0000-000000000000';
  let indexed = 0;
  for (;;) {
    const { rows } = await pool.query<{ case_id: string; identity_ciphertext: Buffer; key_id: string }>(
      `SELECT case_id, identity_ciphertext, key_id FROM survivors s
       WHERE case_id > $1 AND NOT EXISTS (
         SELECT 1 FROM survivor_name_index n WHERE n.case_id = s.case_id AND n.key_id = $2)
       ORDER BY case_id LIMIT 200`,
      [after, key!.id],
    );
    if (rows.length === 0) return indexed;
    for (const row of rows) {
      const identity = openIdentity(row, row.case_id, keyring);
      await inTransaction(pool, (client) => indexName(client, row.case_id, identity.name, keyring));
      after = row.case_id;
      indexed += 1;
    }
  }
}

export async function getSurvivor(
  pool: Queryable,
  caseId: string,
  keyring?: IdentityKeyring,
): Promise<SurvivorIdentity | null> {
  return (await readSurvivor(pool, caseId, keyring))?.identity ?? null;
}

/**
 * The identity and how many corrections it has had (its newest revision's number, 0 before any), read in one
 * statement: a correction committed between two reads would pair the values before it with the count after it.
 */
export async function readSurvivor(
  pool: Queryable,
  caseId: string,
  keyring?: IdentityKeyring,
): Promise<{ identity: SurvivorIdentity; corrections: number } | null> {
  const { rows } = await pool.query<{ identity_ciphertext: Buffer; key_id: string; corrections: number }>(
    `SELECT identity_ciphertext, key_id,
            (SELECT coalesce(max(r.revision), 0)::int FROM survivor_revisions r WHERE r.case_id = s.case_id) AS corrections
     FROM survivors s WHERE case_id = $1`,
    [caseId],
  );
  const row = rows[0];
  if (!row) return null;
  return { identity: openIdentity(row, caseId, keyring), corrections: row.corrections };
}

/** The cases of the read model that have no survivor identity (lost with a restore from an older backup). */
export async function casesWithoutSurvivor(pool: Queryable): Promise<{ caseId: string; reference: string }[]> {
  const { rows } = await pool.query<{ caseId: string; reference: string }>(
    `SELECT c.id AS "caseId", c.reference FROM cases c
     WHERE NOT EXISTS (SELECT 1 FROM survivors s WHERE s.case_id = c.id) ORDER BY c.reference`,
  );
  return rows;
}

/** Removes the identity, e.g. when the case's workflow could not be started after the identity was stored. */
export async function deleteSurvivor(pool: Queryable, caseId: string): Promise<void> {
  await pool.query('DELETE FROM survivor_name_index WHERE case_id = $1', [caseId]);
  await pool.query('DELETE FROM survivors WHERE case_id = $1', [caseId]);
}

/**
 * Records the identity of a case that has none: its row was lost when PostgreSQL was restored from a backup older
 * than the case (docs/runbook.md). Answers `recorded`; for a case that has an identity already, nothing is written
 * and the answer says whether it is this one (`same`: a retry) or another (`other`, with the names of the fields that differ). Written in
 * the caller's transaction (`client`), as a correction is.
 */
export async function restoreSurvivor(
  client: Queryable,
  caseId: string,
  identity: SurvivorIdentity,
  keyring?: IdentityKeyring,
): Promise<{ outcome: 'recorded' | 'same' } | { outcome: 'other'; differing: (keyof SurvivorIdentity)[] }> {
  const { ciphertext, keyId } = sealIdentity(identity, caseId, keyring);
  const inserted = await client.query(
    'INSERT INTO survivors (case_id, identity_ciphertext, key_id) VALUES ($1, $2, $3) ON CONFLICT (case_id) DO NOTHING',
    [caseId, ciphertext, keyId],
  );
  if (inserted.rowCount === 1) {
    await indexName(client, caseId, identity.name, keyring);
    return { outcome: 'recorded' };
  }
  const existing = plainIdentity((await getSurvivor(client, caseId, keyring))!);
  const entered = plainIdentity(identity);
  // The names of the fields that differ (never their values): what the refusal tells the one entering it.
  const differing = (Object.keys(entered) as (keyof SurvivorIdentity)[]).filter(
    (field) => (existing[field] ?? null) !== (entered[field] ?? null),
  );
  return differing.length === 0 ? { outcome: 'same' } : { outcome: 'other', differing };
}

/** Only the identity's own fields, in one order, whatever else the object carries. */
function plainIdentity(identity: SurvivorIdentity): SurvivorIdentity {
  return {
    name: identity.name,
    birthDate: identity.birthDate,
    aNumber: identity.aNumber,
    contact: identity.contact,
    preferredLanguage: identity.preferredLanguage,
  };
}

/** Sealed bound to `context`: the case id for its rows, so a sealed identity copied onto another case does not open. */
function sealIdentity(identity: SurvivorIdentity, context: string, keyring: IdentityKeyring | undefined) {
  return seal(Buffer.from(JSON.stringify(plainIdentity(identity))), context, keyring);
}

function openIdentity(
  row: { identity_ciphertext: Buffer; key_id: string },
  context: string,
  keyring: IdentityKeyring | undefined,
): SurvivorIdentity {
  return JSON.parse(open(row.identity_ciphertext, row.key_id, context, keyring).toString('utf8')) as SurvivorIdentity;
}

/**
 * The keyring's keys that do not open the survivor last sealed under their id: a key id given again with other bytes
 * (a copy-paste slip). A process holding such a key would seal new identities nobody else can open and fail to open
 * those already sealed, so it is refused at start, as a missing key is (app/identity-keys-in-use.ts). The first row
 * found under each key is read, no more.
 */
export async function keysNotOpeningTheirSurvivors(
  db: Queryable,
  keyring: IdentityKeyring | undefined,
): Promise<string[]> {
  const held = keyring ? [keyring.current, ...(keyring.previous ?? [])] : [];
  const wrong: string[] = [];
  for (const key of held) {
    const { rows } = await db.query<{ case_id: string; identity_ciphertext: Buffer; key_id: string }>(
      'SELECT case_id, identity_ciphertext, key_id FROM survivors WHERE key_id = $1 LIMIT 1',
      [key.id],
    );
    const row = rows[0];
    if (!row) continue;
    try {
      openIdentity(row, row.case_id, keyring);
    } catch {
      wrong.push(key.id);
    }
  }
  return wrong;
}

/** What an identity sealed into an answer kept for replay is bound to: its case, and that use (never a case's row). */
const replyContextOf = (caseId: string) => `reply:${caseId}`;

/**
 * The identity sealed into one string (`<key id>:<base64>`), for an answer the API keeps to replay to a retry (its
 * Idempotency-Key store, api/idempotency.ts), which must never hold the identity in clear; `openedIdentityText` opens it.
 */
export function sealedIdentityText(identity: SurvivorIdentity, caseId: string, keyring?: IdentityKeyring): string {
  const { ciphertext, keyId } = sealIdentity(identity, replyContextOf(caseId), keyring);
  return `${keyId}:${ciphertext.toString('base64')}`;
}

export function openedIdentityText(text: string, caseId: string, keyring?: IdentityKeyring): SurvivorIdentity {
  // A key id may hold ':', base64 never does.
  const split = text.lastIndexOf(':');
  const row = { key_id: text.slice(0, split), identity_ciphertext: Buffer.from(text.slice(split + 1), 'base64') };
  return openIdentity(row, replyContextOf(caseId), keyring);
}

/** What makes two openings the same survivor's, identified at the same moment, for an agency that takes part in both. */
export interface SameSurvivor {
  agencyId: string;
  identifiedAt: string;
  survivor: Pick<SurvivorIdentity, 'name' | 'birthDate'>;
  /** The case being opened (a retry under its key finds its own case, which is no duplicate). */
  exceptCaseId: string;
}

/**
 * The open cases `agencyId` takes part in whose survivor has the same name (the same words, as the blind index reads
 * them: core/name-index.ts) and birth date and was identified at the same instant: what an opening sent again under
 * a new key (a form resubmitted after a lost answer) would double. So are the cases the agency reserved
 * (db/case-references.ts) that the read model does not show yet: an opening sent a moment before, whose workflow is
 * still starting. Such an opening by another agency (`openingElsewhere`, its case ids) may name `agencyId` too, which
 * only its case in the read model will tell: the caller waits for it, then asks again. The name's index narrows the
 * cases; each one's identity is then opened to compare the name's words and the birth date. What is answered of
 * another agency's cases is only the ids of those still opening, never their references.
 */
export async function openCasesOfSameSurvivor(
  db: Queryable,
  same: SameSurvivor,
  keyring?: IdentityKeyring,
): Promise<{ sameSurvivor: { caseId: string; reference: string }[]; openingElsewhere: string[] }> {
  const values: unknown[] = [same.agencyId, same.exceptCaseId, same.identifiedAt];
  const everyWord = nameSearchTerms(same.survivor.name, keyring).map(
    (term) =>
      `o.id IN (SELECT n.case_id FROM survivor_name_index n WHERE n.token_hmac = ANY($${values.push(term)}::bytea[]))`,
  );
  const { rows } = await db.query<{
    id: string;
    reference: string;
    elsewhere: boolean;
    identity_ciphertext: Buffer;
    key_id: string;
  }>(
    `SELECT o.id, o.reference, o.elsewhere, s.identity_ciphertext, s.key_id
     FROM (SELECT c.id, c.reference, c.opened_at AS since, false AS elsewhere FROM cases c
           WHERE c.status = 'open' AND c.agency_ids @> ARRAY[$1]
             AND EXISTS (SELECT 1 FROM case_steps i
                         WHERE i.case_id = c.id AND i.kind = 'identification' AND i.completed_at = $3)
           UNION ALL
           SELECT r.case_id, r.reference, r.created_at, r.opened_by_agency_id <> $1 FROM case_references r
           WHERE r.identified_at = $3 AND r.replaced_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = r.case_id)) o
     JOIN survivors s ON s.case_id = o.id
     WHERE o.id <> $2 AND ${everyWord.join(' AND ')}
     ORDER BY o.since`,
    values,
  );
  const words = (name: string) => nameTokens(name).sort().join(' ');
  const matching = rows.filter((row) => {
    const identity = openIdentity(row, row.id, keyring);
    return identity.birthDate === same.survivor.birthDate && words(identity.name) === words(same.survivor.name);
  });
  return {
    sameSurvivor: matching.filter((row) => !row.elsewhere).map((row) => ({ caseId: row.id, reference: row.reference })),
    openingElsewhere: matching.filter((row) => row.elsewhere).map((row) => row.id),
  };
}

/** The class of the advisory locks `lockOpeningsOfSameSurvivor` takes ("RV", reservation), apart from any other's. */
const SAME_SURVIVOR_LOCK_CLASS = 0x5256;

/**
 * Serialises, until the caller's transaction ends, the openings of one survivor (the same words of the name)
 * identified at one moment, whichever agency sends them: of two sent at once, the second checks for the same survivor
 * once the first's reservation is committed, and finds it (its own agency's at once; another agency's, which may name
 * it too, once that case is in the read model: `openingElsewhere`). The lock is named by a hash of the moment and the
 * name's words as the blind index keys them, never by the name; two survivors whose hashes meet only wait for each
 * other.
 */
export async function lockOpeningsOfSameSurvivor(
  db: Queryable,
  same: Omit<SameSurvivor, 'exceptCaseId' | 'agencyId'>,
  keyring?: IdentityKeyring,
): Promise<void> {
  const [key] = nameIndexKeys(keyring);
  const words = nameTokens(same.survivor.name)
    .map((token) => tokenHmac(key!, token).toString('hex'))
    .sort();
  const moment = new Date(same.identifiedAt).toISOString();
  const hash = createHash('sha256')
    .update([moment, ...words].join('\n'))
    .digest();
  await db.query('SELECT pg_advisory_xact_lock($1, $2)', [SAME_SURVIVOR_LOCK_CLASS, hash.readInt32BE(0)]);
}

/**
 * What a correction did: the identity as it now is, the fields it changed and the identity's corrections since, and
 * `appliedBefore`, when, if an earlier attempt of the same operation made it (nothing written now); or, refused with
 * nothing written, the fields it would have changed that were corrected after `expectedCorrections`
 * (`expectedCorrections` itself when that is more corrections than the identity has had).
 */
export type SurvivorCorrected =
  | {
      identity: SurvivorIdentity;
      changedFields: string[];
      corrections: number;
      appliedBefore?: Date;
      /** The case's new reference, when `settleReference` gave it one. */
      reference?: string;
    }
  | { correctedMeanwhile: string[]; corrections: number };

/**
 * Corrects the identity: the identity as it was goes into `survivor_revisions` (sealed, with the names of the fields
 * that changed and who changed them), then the current row is replaced, in the caller's transaction (`client`, in
 * which the caller checks what depends on the identity: the case's reference). A field given as ''
 * is cleared. Answers null for a case without a survivor row, and the fields that changed (none: nothing written).
 * With `expectedCorrections`, a field that would change and that a later correction changed is a conflict: the
 * corrector read a value that is no longer the identity's. The row's lock orders concurrent corrections of a case.
 * `by.operationId` names the write (its Idempotency-Key's operation): the revision records it, and a correction whose
 * operation wrote one already (an attempt that committed, then lost its answer with its API process) answers what that
 * one changed, with the identity and count as they now are, and writes nothing: it would find nothing left to change.
 * `settleReference` gives the case the reference the identity as corrected needs (or refuses it, throwing), before
 * the revision is written: a reference it replaces is among the fields the revision names (`reference`), so whoever
 * reads the revisions sees that the number they knew the case by is gone, and who replaced it.
 */
export async function correctSurvivor(
  client: Queryable,
  caseId: string,
  correction: SurvivorCorrection,
  by: { userId: string | null; at: Date; operationId?: string },
  settleReference: (identity: SurvivorIdentity, changedFields: string[]) => Promise<string | undefined>,
  keyring?: IdentityKeyring,
): Promise<SurvivorCorrected | null> {
  const { rows } = await client.query<{ identity_ciphertext: Buffer; key_id: string }>(
    'SELECT identity_ciphertext, key_id FROM survivors WHERE case_id = $1 FOR UPDATE',
    [caseId],
  );
  const row = rows[0];
  if (!row) return null;
  const before = openIdentity(row, caseId, keyring);
  const applied = by.operationId === undefined ? undefined : await correctionOf(client, caseId, by.operationId);
  if (applied) return { identity: before, ...applied };
  const after: SurvivorIdentity = { ...before };
  for (const field of CORRECTABLE) {
    const value = correction[field];
    if (value === undefined) continue;
    if (value === '' && field !== 'name') delete after[field];
    else after[field] = value;
  }
  const changedFields: string[] = CORRECTABLE.filter((field) => before[field] !== after[field]);
  const since = await correctionsSince(client, caseId, correction.expectedCorrections ?? null);
  if (correction.expectedCorrections !== undefined && correction.expectedCorrections > since.corrections) {
    return { correctedMeanwhile: ['expectedCorrections'], corrections: since.corrections };
  }
  const correctedMeanwhile = changedFields.filter((field) => since.changedFields.includes(field));
  if (correctedMeanwhile.length > 0) return { correctedMeanwhile, corrections: since.corrections };
  const reference = await settleReference(after, changedFields);
  if (reference !== undefined) changedFields.push('reference');
  if (changedFields.length === 0) return { identity: before, changedFields, corrections: since.corrections };

  const previous = sealIdentity(before, caseId, keyring);
  await client.query(
    `INSERT INTO survivor_revisions
       (case_id, revision, identity_ciphertext, key_id, changed_fields, changed_by, changed_at, operation_id)
     SELECT $1, coalesce(max(revision), 0) + 1, $2, $3, $4, $5, $6, $7 FROM survivor_revisions WHERE case_id = $1`,
    [caseId, previous.ciphertext, previous.keyId, changedFields, by.userId, by.at, by.operationId ?? null],
  );
  const current = sealIdentity(after, caseId, keyring);
  await client.query(
    'UPDATE survivors SET identity_ciphertext = $2, key_id = $3, updated_at = now() WHERE case_id = $1',
    [caseId, current.ciphertext, current.keyId],
  );
  if (changedFields.includes('name')) await indexName(client, caseId, after.name, keyring);
  const corrected = { identity: after, changedFields, corrections: since.corrections + 1 };
  return reference === undefined ? corrected : { ...corrected, reference };
}

/**
 * What the correction `operationId` made on the case, if it made one: the fields it changed and when, with how many
 * corrections the identity has had since (paired with the identity as it now is, as `readSurvivor` pairs them).
 */
async function correctionOf(
  db: Queryable,
  caseId: string,
  operationId: string,
): Promise<{ changedFields: string[]; corrections: number; appliedBefore: Date } | undefined> {
  const { rows } = await db.query<{ changed_fields: string[]; changed_at: Date; corrections: number }>(
    `SELECT r.changed_fields, r.changed_at,
            (SELECT max(a.revision)::int FROM survivor_revisions a WHERE a.case_id = r.case_id) AS corrections
     FROM survivor_revisions r WHERE r.case_id = $1 AND r.operation_id = $2`,
    [caseId, operationId],
  );
  const row = rows[0];
  return row && { changedFields: row.changed_fields, corrections: row.corrections, appliedBefore: row.changed_at };
}

/** How many corrections the case's identity has had, and the fields those after the `after`-th changed (none: null). */
async function correctionsSince(
  db: Queryable,
  caseId: string,
  after: number | null,
): Promise<{ corrections: number; changedFields: string[] }> {
  const { rows } = await db.query<{ corrections: number; changed_fields: string[] }>(
    `SELECT coalesce(max(revision), 0)::int AS corrections,
            coalesce(array_agg(DISTINCT f) FILTER (WHERE revision > $2), '{}') AS changed_fields
     FROM survivor_revisions LEFT JOIN LATERAL unnest(changed_fields) f ON true WHERE case_id = $1`,
    [caseId, after],
  );
  return { corrections: rows[0]!.corrections, changedFields: rows[0]!.changed_fields };
}

export interface SurvivorRevision {
  revision: number;
  /** The identity as it was before this change. */
  identity: SurvivorIdentity;
  changedFields: string[];
  changedBy: string | null;
  /** Who that user is, as the people working the case know them: their name and agency (null once the user is gone). */
  changedByName: string | null;
  changedByAgencyId: string | null;
  changedAt: string;
}

/** The identity's earlier versions, newest first, opened. */
export async function listSurvivorRevisions(
  pool: Pool,
  caseId: string,
  keyring?: IdentityKeyring,
): Promise<SurvivorRevision[]> {
  const { rows } = await pool.query<{
    revision: number;
    identity_ciphertext: Buffer;
    key_id: string;
    changed_fields: string[];
    changed_by: string | null;
    changed_by_name: string | null;
    changed_by_agency_id: string | null;
    changed_at: Date;
  }>(
    `SELECT r.revision, r.identity_ciphertext, r.key_id, r.changed_fields, r.changed_by, r.changed_at,
            u.display_name AS changed_by_name, u.agency_id AS changed_by_agency_id
     FROM survivor_revisions r LEFT JOIN users u ON u.id = r.changed_by
     WHERE r.case_id = $1 ORDER BY r.revision DESC`,
    [caseId],
  );
  return rows.map((row) => ({
    revision: row.revision,
    identity: JSON.parse(
      open(row.identity_ciphertext, row.key_id, caseId, keyring).toString('utf8'),
    ) as SurvivorIdentity,
    changedFields: row.changed_fields,
    changedBy: row.changed_by,
    changedByName: row.changed_by_name,
    changedByAgencyId: row.changed_by_agency_id,
    changedAt: row.changed_at.toISOString(),
  }));
}

/** A survivor row's identity sealed again under the current key, bound to its case as before. */
const resealed = (row: { case_id: string; identity_ciphertext: Buffer; key_id: string }, keyring: IdentityKeyring) =>
  seal(open(row.identity_ciphertext, row.key_id, row.case_id, keyring), row.case_id, keyring);

/**
 * Re-seals under the keyring's current key every identity and every revision sealed under another key (or stored
 * without one), so an old key can be retired (`npm run admin -- reseal`). Row by row, a batch at a time in key order:
 * stopped anywhere, it is run again and goes on with what is left; a row a correction rewrote meanwhile is left as it
 * is (already under the current key). Then the name index is rewritten under the current key and its rows under
 * other keys deleted. Needs UPDATE on survivor_revisions, which the service's own role lacks: run as the owner.
 */
export async function resealSurvivors(
  pool: Pool,
  keyring: IdentityKeyring,
): Promise<{ survivors: number; revisions: number }> {
  const currentId = keyring.current.id;
  let survivors = 0;
  let afterCase = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await pool.query<{ case_id: string; identity_ciphertext: Buffer; key_id: string }>(
      `SELECT case_id, identity_ciphertext, key_id FROM survivors WHERE key_id <> $1 AND case_id > $2
       ORDER BY case_id LIMIT 200`,
      [currentId, afterCase],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const { ciphertext, keyId } = resealed(row, keyring);
      const updated = await pool.query(
        `UPDATE survivors SET identity_ciphertext = $2, key_id = $3
         WHERE case_id = $1 AND key_id = $4 AND identity_ciphertext = $5`,
        [row.case_id, ciphertext, keyId, row.key_id, row.identity_ciphertext],
      );
      survivors += updated.rowCount ?? 0;
      afterCase = row.case_id;
    }
  }
  let revisions = 0;
  let after = { caseId: '00000000-0000-0000-0000-000000000000', revision: -1 };
  for (;;) {
    const { rows } = await pool.query<{
      case_id: string;
      revision: number;
      identity_ciphertext: Buffer;
      key_id: string;
    }>(
      `SELECT case_id, revision, identity_ciphertext, key_id FROM survivor_revisions
       WHERE key_id <> $1 AND (case_id, revision) > ($2, $3) ORDER BY case_id, revision LIMIT 200`,
      [currentId, after.caseId, after.revision],
    );
    if (rows.length === 0) break;
    for (const row of rows) {
      const { ciphertext, keyId } = resealed(row, keyring);
      const updated = await pool.query(
        `UPDATE survivor_revisions SET identity_ciphertext = $3, key_id = $4
         WHERE case_id = $1 AND revision = $2 AND key_id = $5`,
        [row.case_id, row.revision, ciphertext, keyId, row.key_id],
      );
      revisions += updated.rowCount ?? 0;
      after = { caseId: row.case_id, revision: row.revision };
    }
  }
  await reindexSurvivorNames(pool, keyring);
  await pool.query('DELETE FROM survivor_name_index WHERE key_id <> $1', [currentId]);
  return { survivors, revisions };
}
