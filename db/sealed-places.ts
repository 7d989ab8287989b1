/**
 * Every place the service keeps data sealed under an identity key (core/identity-cipher.ts, IDENTITY_KEYS): the one
 * list the start-up check (`identityKeysMissing`), the re-seal command (`npm run admin -- reseal`) and the README's
 * rotation checks read, so a new sealed column is added here once and nowhere forgotten. A new `key_id` column or a
 * new `sealed:<key id>:` string belongs here (test/db/sealed-places.test.ts checks that every key_id column is).
 *
 * Each place answers the key ids its rows are sealed under in one statement, a "loose index scan" of an index on its
 * key id (migration 1797870000000): the least key id, then one probe for the least after each one found, so a few
 * index probes a place however many rows it holds (test/db/suites/key-id-plans.ts shows the plans). A DISTINCT over
 * each table, as before, was one sequential scan a place: about 2.5 s at each start at 100,000 cases (100,000
 * identities and revisions, 300,000 documents and name-index rows, 2,000,000 steps of which 500,000 with a note), most
 * of it the notes and the corrections' reasons in case_steps, which are indexed by their key id too. The answers kept
 * for a retry are the one exception: a day's rows, found by their creation time. A new place comes with its index.
 */
import { IDEMPOTENCY_TTL_MS } from './idempotency';
import type { Queryable } from './pool';

export interface SealedPlace {
  /** As an operator reads it: the table and the column. */
  place: string;
  /** What it holds, for a message. */
  holds: string;
  /** One statement answering the distinct key ids (`key_id`) of its rows. */
  keyIdsSql: string;
  /**
   * Whether a row is opened with its key to be read: a key missing there fails reads. The name index is not opened
   * (its HMACs are derived from each key, and rewritten under the current key at start-up).
   */
  opened: boolean;
}

/**
 * The distinct values of `expression` over the rows of `table` that `where` keeps, by a loose index scan of the index
 * on that expression (with that very predicate, for a partial one): min() of the expression, then min() of those
 * greater than the last found, each an index probe, until none is left.
 */
const distinctByProbes = (table: string, expression: string, where = 'true') =>
  `WITH RECURSIVE found (key_id) AS (
     SELECT min(${expression}) FROM ${table} WHERE ${where}
     UNION ALL
     SELECT (SELECT min(${expression}) FROM ${table} WHERE ${where} AND ${expression} > found.key_id)
       FROM found WHERE found.key_id IS NOT NULL
   )
   SELECT key_id FROM found WHERE key_id IS NOT NULL`;

/** The key ids of the `sealed:<key id>:<base64>` strings `expression` reads from `table`. */
const keyIdOfSealedText = (table: string, expression: string) =>
  distinctByProbes(table, `split_part(${expression}, ':', 2)`, `${expression} LIKE 'sealed:%'`);

export const SEALED_PLACES: readonly SealedPlace[] = [
  {
    place: 'survivors.identity_ciphertext',
    holds: "survivors' identities",
    keyIdsSql: distinctByProbes('survivors', 'key_id'),
    opened: true,
  },
  {
    place: 'survivor_revisions.identity_ciphertext',
    holds: "survivors' identities before each correction",
    keyIdsSql: distinctByProbes('survivor_revisions', 'key_id'),
    opened: true,
  },
  {
    place: 'step_documents.file_name_ciphertext, content_ciphertext (or its object)',
    holds: "documents' file names and contents",
    keyIdsSql: distinctByProbes('step_documents', 'key_id'),
    opened: true,
  },
  {
    place: "case_steps.details->>'note'",
    holds: 'sign-off notes',
    keyIdsSql: keyIdOfSealedText('case_steps', "details->>'note'"),
    opened: true,
  },
  {
    place: "case_steps.details->>'correctionReason'",
    holds: "corrections' reasons",
    keyIdsSql: keyIdOfSealedText('case_steps', "details->>'correctionReason'"),
    opened: true,
  },
  {
    place: "idempotency_keys.response->>'sealedIdentity'",
    holds: 'identities in answers kept for a retry (for 24 hours, then deleted: never re-sealed)',
    keyIdsSql: `SELECT DISTINCT split_part(response::jsonb->>'sealedIdentity', ':', 1) AS key_id FROM idempotency_keys
                WHERE response IS NOT NULL AND response::jsonb ? 'sealedIdentity' AND created_at > now() - interval '${IDEMPOTENCY_TTL_MS / 1000} seconds'`,
    opened: true,
  },
  {
    place: 'survivor_name_index.key_id',
    holds: "the survivors' name index",
    keyIdsSql: distinctByProbes('survivor_name_index', 'key_id'),
    opened: false,
  },
];

/** Rows written without a keyring (local development): stored as is, opened without a key. */
const PLAINTEXT_KEY_ID = 'plaintext';

export interface KeyInUse {
  keyId: string;
  /** The places (`SealedPlace.place`) with rows under it. */
  places: string[];
}

/** The key ids each place's rows are sealed under, one statement a place, the places in the list's order. */
export async function keysInUse(db: Queryable, places: readonly SealedPlace[] = SEALED_PLACES): Promise<KeyInUse[]> {
  const byKey = new Map<string, string[]>();
  for (const place of places) {
    const { rows } = await db.query<{ key_id: string | null }>(place.keyIdsSql);
    for (const { key_id: keyId } of rows) {
      if (!keyId || keyId === PLAINTEXT_KEY_ID) continue;
      byKey.set(keyId, [...(byKey.get(keyId) ?? []), place.place]);
    }
  }
  return [...byKey].map(([keyId, where]) => ({ keyId, places: where })).sort((a, b) => a.keyId.localeCompare(b.keyId));
}

/** The key ids rows are sealed under (where they must be opened) that `keyIds` lacks, with where each is used. */
export async function identityKeysMissing(db: Queryable, keyIds: readonly string[]): Promise<KeyInUse[]> {
  const used = await keysInUse(
    db,
    SEALED_PLACES.filter((place) => place.opened),
  );
  return used.filter((use) => !keyIds.includes(use.keyId));
}
