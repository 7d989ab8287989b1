/**
 * The start-up check of the identity keys in use (app/identity-keys-in-use.ts) reads the distinct key ids of each
 * sealed place (db/sealed-places.ts) at every start: each by a few probes of an index on its key id ("loose index
 * scan"), never by reading the table whole, which took about 2.5 s at 100,000 cases. The plans PostgreSQL chooses for
 * the very SQL the check sends, run (ANALYZE) at a few thousand bench cases, each sealed under one of three keys.
 */
import { loadReadModel } from '../../../bench/bulk-load';
import { keysInUse, SEALED_PLACES } from '../../../db/sealed-places';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';
import { planNodes as nodes, planOfRead } from '../../support/query-plans';

describe('key-id-plans', () => {
  let db: TestDatabase;
  const KEYS = ['k2026a', 'k2027b', 'k2028c'];
  /** One of the three keys, by a hash of `column`: a stable spread of the rows over the keys. */
  const keyOf = (column: string) => `(ARRAY['${KEYS.join("','")}'])[1 + abs(hashtext(${column}::text)) % 3]`;

  beforeAll(async () => {
    db = await startTestDatabase();
    // As the owner: loading uses a temporary table, and only the owner may ANALYZE what the planner estimates from.
    await loadReadModel(db.owner, { cases: 5000, templates: 50, seed: 5, progress: () => undefined });
    // The bench keeps no sealed data: each case gets an identity, an earlier one, three documents and three name tokens,
    // and one step in four a sealed note, one in fifty a sealed correction's reason (what is sealed is of no matter).
    await db.owner.query(
      `INSERT INTO survivors (case_id, identity_ciphertext, key_id) SELECT id, '\\x00', ${keyOf('id')} FROM cases`,
    );
    await db.owner.query(
      `INSERT INTO survivor_revisions (case_id, revision, identity_ciphertext, key_id, changed_fields, changed_at)
     SELECT id, 1, '\\x00', ${keyOf('id')}, '{name}', now() FROM cases`,
    );
    await db.owner.query(
      `INSERT INTO step_documents (id, case_id, step_id, uploaded_at, media_type, byte_size, sha256, key_id,
                                 file_name_ciphertext, storage, content_ciphertext)
     SELECT gen_random_uuid(), c.id, 'cp_request-1', now(), 'application/pdf', 1, md5(c.id::text || n) || md5(n::text),
            ${keyOf('c.id::text || n')}, '\\x00', 'postgres', '\\x00'
       FROM cases c, generate_series(1, 3) n`,
    );
    await db.owner.query(
      `INSERT INTO survivor_name_index (token_hmac, case_id, key_id)
     SELECT decode(md5(c.id::text || n), 'hex'), c.id, ${keyOf('c.id')} FROM cases c, generate_series(1, 3) n`,
    );
    await db.owner.query(
      `UPDATE case_steps SET details = details || jsonb_build_object('note', 'sealed:' || ${keyOf('case_id::text || step_id')} || ':AAAA')
      WHERE abs(hashtext(case_id::text || step_id)) % 4 = 0`,
    );
    await db.owner.query(
      `UPDATE case_steps
        SET details = details || jsonb_build_object('correctionReason', 'sealed:' || ${keyOf('step_id || case_id::text')} || ':AAAA')
      WHERE abs(hashtext(step_id || case_id::text)) % 50 = 0`,
    );
    await db.owner.query(
      'VACUUM ANALYZE survivors, survivor_revisions, step_documents, survivor_name_index, case_steps',
    );
  }, 240_000);
  afterAll(async () => {
    await db?.stop();
  });

  /** The places read by an index on their key id, with that index; the answers kept for a retry are a day's rows. */
  const INDEXED: [place: string, table: string, index: string][] = [
    ['survivors.identity_ciphertext', 'survivors', 'survivors_key_id_idx'],
    ['survivor_revisions.identity_ciphertext', 'survivor_revisions', 'survivor_revisions_key_id_idx'],
    [
      'step_documents.file_name_ciphertext, content_ciphertext (or its object)',
      'step_documents',
      'step_documents_key_id_idx',
    ],
    ["case_steps.details->>'note'", 'case_steps', 'case_steps_note_key_id_idx'],
    ["case_steps.details->>'correctionReason'", 'case_steps', 'case_steps_correction_reason_key_id_idx'],
    ['survivor_name_index.key_id', 'survivor_name_index', 'survivor_name_index_key_id_idx'],
  ];

  test('every sealed place but the answers kept for a day is read by an index on its key id', () => {
    expect(SEALED_PLACES.map((place) => place.place).filter((place) => !INDEXED.some(([p]) => p === place))).toEqual([
      "idempotency_keys.response->>'sealedIdentity'",
    ]);
  });

  test.each(INDEXED)(
    "the key ids of %s are a few probes of %s's index, not a read of every row",
    async (name, table, index) => {
      const place = SEALED_PLACES.find((candidate) => candidate.place === name)!;
      const plan = await planOfRead(db.owner, (capture) => keysInUse(capture, [place]), { analyze: true });
      const reads = nodes(plan).filter((n) => n['Relation Name'] === table);
      expect(reads.map((n) => [n['Node Type'], n['Index Name']])).toEqual([
        [expect.stringMatching(/^Index (Only )?Scan$/), index],
        [expect.stringMatching(/^Index (Only )?Scan$/), index],
      ]);
      // The least key id, then the next after each one found: three keys, four probes, a row at most each.
      const loops = reads.reduce((sum, n) => sum + n['Actual Loops']!, 0);
      expect(loops).toBe(KEYS.length + 1);
      expect(
        Math.round(reads.reduce((read, n) => read + n['Actual Rows']! * n['Actual Loops']!, 0)),
      ).toBeLessThanOrEqual(loops);
      // And the same key ids as the place holds.
      expect((await keysInUse(db.pool, [place])).map((use) => use.keyId)).toEqual(KEYS);
    },
  );
});
