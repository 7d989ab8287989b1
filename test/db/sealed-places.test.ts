/**
 * Every place data is sealed under an identity key is in the one list (db/sealed-places.ts), and the service refuses
 * to start while some of it is sealed under a key IDENTITY_KEYS lacks: an operator who dropped a key too early learns
 * it at start, by the key's id and where it is used, not from a 500 on a document weeks later.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { seal, type IdentityKeyring } from '../../core/identity-cipher';
import type { CaseSnapshot } from '../../domain/types';
import {
  IdentityKeysMissingError,
  IdentityKeyWrongError,
  refuseMissingIdentityKeys,
} from '../../app/identity-keys-in-use';
import { listDocuments, openDocument, saveDocument, type NewDocument } from '../../db/documents';
import type { ObjectStore } from '../../db/object-store';
import { projectCase } from '../../db/read-model';
import { sealNote } from '../../db/sealed-notes';
import { identityKeysMissing, keysInUse, SEALED_PLACES } from '../../db/sealed-places';
import { DEMO_AGENCIES, seedDemoAgencies } from '../../db/seed';
import { getSurvivor, saveSurvivor, listSurvivorRevisions } from '../../db/survivors';
import { startTestDatabase, type TestDatabase } from '../support/postgres';
import { keyringVariable, startServiceProcess } from '../support/service-process';
import { TEST_PAYLOAD_KEYRING } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const OLD = { id: 'k2027a', key: randomBytes(32) };
const NEW = { id: 'k2028b', key: randomBytes(32) };
const beforeRotation: IdentityKeyring = { current: OLD };
const afterRotation: IdentityKeyring = { current: NEW, previous: [OLD] };
const oldDropped: IdentityKeyring = { current: NEW };

/** A PDF uploaded to the case's CP request, named `name`.pdf and holding its name: a document to seal. */
const pdfOf = (caseId: string, name: string): NewDocument => ({
  id: randomUUID(),
  caseId,
  stepId: 'cp_request-1',
  stepInstance: 0,
  uploadedBy: null,
  uploadedAt: new Date(),
  mediaType: 'application/pdf',
  fileName: `${name}.pdf`,
  content: Buffer.from(`%PDF-1.7 ${name}`),
});
/** A case whose one step was signed off with this (sealed) note. */
const caseWithNote = (caseId: string, at: string, note: string): CaseSnapshot => ({
  caseId,
  reference: `RC-KEYS-${caseId.slice(0, 8)}`,
  path: 'adult',
  status: 'open',
  openedAt: at,
  closedAt: null,
  policyVersion: 'test-1',
  agencies: DEMO_AGENCIES,
  steps: [
    {
      id: 'cp_request-1',
      kind: 'cp_request',
      track: 'continued_presence',
      agencyKind: 'law_enforcement',
      agencyId: DEMO_AGENCIES.law_enforcement,
      status: 'completed',
      openedAt: at,
      dueAt: null,
      expiresAt: null,
      completedAt: at,
      outcome: 'requested',
      details: { note },
    },
  ],
  timeline: [],
  version: 1,
});

test('every table with a key_id column in the migrations is in the list of sealed places', () => {
  const dir = join(ROOT, 'db', 'migrations');
  const withKeyId = new Set<string>();
  for (const file of readdirSync(dir)) {
    const up = readFileSync(join(dir, file), 'utf8').split('-- Down Migration')[0]!;
    for (const [, table, body] of up.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\);/g)) {
      if (/\bkey_id\b/.test(body!)) withKeyId.add(table!);
    }
    for (const [, table] of up.matchAll(/ALTER TABLE (\w+) ADD COLUMN (?:IF NOT EXISTS )?key_id\b/g))
      withKeyId.add(table!);
  }
  expect([...withKeyId].sort()).toEqual(['step_documents', 'survivor_name_index', 'survivor_revisions', 'survivors']);
  for (const table of withKeyId) {
    expect(SEALED_PLACES.some((place) => place.place.startsWith(`${table}.`))).toBe(true);
  }
});

describe('against a database', () => {
  let db: TestDatabase;
  const caseId = randomUUID();
  beforeAll(async () => {
    db = await startTestDatabase();
    await seedDemoAgencies(db.pool);
    const at = new Date().toISOString();
    await projectCase(
      db.pool,
      caseWithNote(caseId, at, sealNote('Met her at the shelter', { caseId, stepId: 'cp_request-1' }, afterRotation)),
    );
    // Sealed before the rotation: the identity and a document under the old key; the note above under the new one.
    await saveSurvivor(db.pool, caseId, { name: 'Zofia Quetzal', birthDate: '1987-07-19' }, beforeRotation);
    await saveDocument(db.pool, pdfOf(caseId, 'declaration'), { kind: 'postgres' }, beforeRotation);
  }, 60_000);
  afterAll(async () => {
    await db?.stop();
  });

  test('each key in use is named with the places its rows are in; the name index is listed but never blocks', async () => {
    expect(await keysInUse(db.pool)).toEqual([
      {
        keyId: 'k2027a',
        places: [
          'survivors.identity_ciphertext',
          'step_documents.file_name_ciphertext, content_ciphertext (or its object)',
          'survivor_name_index.key_id',
        ],
      },
      { keyId: 'k2028b', places: ["case_steps.details->>'note'"] },
    ]);
    expect(await identityKeysMissing(db.pool, ['k2028b'])).toEqual([
      {
        keyId: 'k2027a',
        places: [
          'survivors.identity_ciphertext',
          'step_documents.file_name_ciphertext, content_ciphertext (or its object)',
        ],
      },
    ]);
  });

  test('the check passes while the old key is kept, and refuses by name once it is dropped', async () => {
    await expect(refuseMissingIdentityKeys(db.pool, afterRotation)).resolves.toBeUndefined();
    const refused = refuseMissingIdentityKeys(db.pool, oldDropped);
    await expect(refused).rejects.toThrow(IdentityKeysMissingError);
    await expect(refused).rejects.toThrow(
      'IDENTITY_KEYS lacks the identity key k2027a that data is still sealed under: k2027a in survivors.identity_ciphertext; step_documents.',
    );
    // The embedded mode's silent fallback to its development key is said as such.
    await expect(
      refuseMissingIdentityKeys(
        db.pool,
        { current: { id: 'dev-1234', key: randomBytes(32) } },
        { developmentKey: true },
      ),
    ).rejects.toThrow(/k2027a, k2028b .*IDENTITY_KEYS is not set, so the embedded mode used its development key/);
  });

  test('a key id given with other bytes than those that sealed its survivors is refused by name', async () => {
    // The old key's id, as another process was given it by a copy-paste slip: it would seal identities no one opens.
    const sameIdOtherBytes: IdentityKeyring = { current: NEW, previous: [{ id: OLD.id, key: randomBytes(32) }] };
    const refused = refuseMissingIdentityKeys(db.pool, sameIdOtherBytes);
    await expect(refused).rejects.toThrow(IdentityKeyWrongError);
    await expect(refused).rejects.toThrow(/^IDENTITY_KEYS: the key k2027a does not open the survivors sealed under/);
  });

  test('an API process started without the old key refuses to start, says why, and exits', async () => {
    const failed = startServiceProcess(
      {
        databaseUrl: db.connectionString,
        migrationUrl: db.ownerConnectionString,
        // Never reached: the check comes before Temporal.
        temporalAddress: '127.0.0.1:1',
        taskQueue: 'sealed-places',
        smtpUrl: 'smtp://127.0.0.1:1',
        payloadKeyring: TEST_PAYLOAD_KEYRING,
        env: { IDENTITY_KEYS: keyringVariable(oldDropped) },
      },
      'api',
    );
    await expect(failed).rejects.toThrow(/the api process exited: [\s\S]*IDENTITY_KEYS lacks the identity key k2027a/);
    await expect(failed).rejects.toThrow(/survivors\.identity_ciphertext/);
  }, 120_000);

  describe('npm run admin -- reseal', () => {
    const run = promisify(execFile);
    async function reseal(keyring: IdentityKeyring): Promise<{ code: number; stdout: string; stderr: string }> {
      try {
        const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'admin.ts', 'reseal'], {
          cwd: ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: db.connectionString,
            MIGRATION_DATABASE_URL: db.ownerConnectionString,
            IDENTITY_KEYS: keyringVariable(keyring),
            SMTP_URL: 'smtp://mail.internal:25',
          },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code?: number; stdout: string; stderr: string };
        return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
      }
    }

    test('refuses without every key in use, as the service does', async () => {
      const result = await reseal(oldDropped);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('IDENTITY_KEYS lacks the identity key k2027a');
    }, 60_000);

    test('seals every identity, revision and document under the current key, so the old key can be dropped; run again, it finds nothing', async () => {
      // An earlier version of the identity, sealed before the rotation as a correction keeps it.
      const earlier = seal(
        Buffer.from(JSON.stringify({ name: 'Zofia Q.', birthDate: '1987-07-19' })),
        caseId,
        beforeRotation,
      );
      await db.owner.query(
        `INSERT INTO survivor_revisions (case_id, revision, identity_ciphertext, key_id, changed_fields, changed_at)
         VALUES ($1, 1, $2, $3, '{name}', now())`,
        [caseId, earlier.ciphertext, earlier.keyId],
      );
      const first = await reseal(afterRotation);
      expect(first).toMatchObject({ code: 0 });
      expect(first.stdout).toContain(
        'Sealed again under k2028b: 1 survivor identities, 1 earlier versions of identities, 1 documents',
      );
      expect(first.stdout).toContain('Nothing is sealed under another key: every key but k2028b may be dropped');
      // The same list the start-up check reads names no other key, and everything opens without the old one.
      expect((await keysInUse(db.pool)).map((use) => use.keyId)).toEqual(['k2028b']);
      await expect(refuseMissingIdentityKeys(db.pool, oldDropped)).resolves.toBeUndefined();
      expect(await getSurvivor(db.pool, caseId, oldDropped)).toEqual({
        name: 'Zofia Quetzal',
        birthDate: '1987-07-19',
      });
      expect((await listSurvivorRevisions(db.pool, caseId, oldDropped)).map((r) => r.identity.name)).toEqual([
        'Zofia Q.',
      ]);
      const [document] = await listDocuments(db.pool, caseId);
      const opened = await openDocument(db.pool, caseId, document!.id, { kind: 'postgres' }, oldDropped);
      expect([opened?.fileName, opened?.content.toString()]).toEqual(['declaration.pdf', '%PDF-1.7 declaration']);

      const again = await reseal(afterRotation);
      expect(again.stdout).toContain(
        'Sealed again under k2028b: 0 survivor identities, 0 earlier versions of identities, 0 documents',
      );
    }, 120_000);

    test("says which key a case's notes still need, since their workflow keeps them as recorded", async () => {
      const otherCase = randomUUID();
      const at = new Date().toISOString();
      await projectCase(db.pool, {
        ...caseWithNote(
          otherCase,
          at,
          sealNote('Called her sister', { caseId: otherCase, stepId: 'cp_request-1' }, beforeRotation),
        ),
      });
      const result = await reseal(afterRotation);
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toContain("k2027a: case_steps.details->>'note'");
    }, 60_000);

    test('leaves one audit row a run: the counts sealed again, under which key, and what is left under others; no personal data', async () => {
      const rowsOf = async () =>
        (
          await db.owner.query<{ user_id: string | null; outcome: string; detail: string }>(
            `SELECT user_id, outcome, detail FROM audit_events WHERE action = 'identity_keys.reseal' ORDER BY id`,
          )
        ).rows;
      const before = await rowsOf();
      // The runs above: the refusal changed nothing and left none; the first sealed one of each, the second nothing;
      // the third found a note its case's workflow keeps under the old key.
      expect(before).toEqual([
        {
          user_id: null,
          outcome: 'allowed',
          detail:
            'command line; identity key k2028b; sealed again: 1 survivor identities, 1 earlier identities, 1 documents; nothing left under another key',
        },
        {
          user_id: null,
          outcome: 'allowed',
          detail:
            'command line; identity key k2028b; sealed again: 0 survivor identities, 0 earlier identities, 0 documents; nothing left under another key',
        },
        {
          user_id: null,
          outcome: 'allowed',
          detail:
            "command line; identity key k2028b; sealed again: 0 survivor identities, 0 earlier identities, 0 documents; still under k2027a: case_steps.details->>'note'",
        },
      ]);
      // A survivor sealed under the old key meanwhile (a process not yet restarted): this run's row counts it.
      const lateCase = randomUUID();
      await projectCase(db.pool, caseWithNote(lateCase, new Date().toISOString(), 'plain'));
      await saveSurvivor(db.pool, lateCase, { name: 'Late Sealed-Person', birthDate: '1990-02-03' }, beforeRotation);
      expect(await reseal(afterRotation)).toMatchObject({ code: 0 });
      const after = await rowsOf();
      expect(after).toHaveLength(before.length + 1);
      expect(after.at(-1)?.detail).toMatch(
        /^command line; identity key k2028b; sealed again: 1 survivor identities, 0 earlier identities, 0 documents; still under k2027a: /,
      );
      const trail = JSON.stringify(after);
      for (const personal of [
        'Zofia',
        'Quetzal',
        'Late',
        'Sealed-Person',
        '1987',
        '1990',
        'declaration',
        lateCase,
        caseId,
      ])
        expect(trail).not.toContain(personal);
    }, 120_000);

    test('a run stopped by an error leaves its row too, failed, with the counts of what it finished and where it stopped', async () => {
      // A document in an object store, sealed under the old key, and no S3_* settings for this run to reach it.
      const elsewhere: ObjectStore = { put: async () => {}, get: async () => Buffer.alloc(0), delete: async () => {} };
      await saveDocument(db.pool, pdfOf(caseId, 'statement'), { kind: 's3', store: elsewhere }, beforeRotation);
      const result = await reseal(afterRotation);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is in an object store, and none is configured');
      const { rows } = await db.owner.query<{ outcome: string; detail: string }>(
        `SELECT outcome, detail FROM audit_events WHERE action = 'identity_keys.reseal' ORDER BY id DESC LIMIT 1`,
      );
      expect(rows).toEqual([
        {
          outcome: 'failed',
          detail:
            'command line; identity key k2028b; sealed again: 0 survivor identities, 0 earlier identities; stopped on an error while sealing documents again',
        },
      ]);
      expect(rows[0]!.detail).not.toContain('statement');
    }, 120_000);
  });
});
