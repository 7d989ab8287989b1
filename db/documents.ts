/**
 * The documents that prove a step, sealed at rest with the identity keyring (core/identity-cipher.ts): the content
 * and the file name (which often names the survivor) are sealed, each bound to its case and document, so a sealed
 * body copied onto another row does not open. The sealed content lives in the row, or in an S3-compatible store
 * (db/object-store.ts) under a key that says nothing but the ids; either way it is sealed before it leaves the
 * process. Rows are never changed but by a re-seal under the current key (`resealDocuments`, so an old key can be
 * retired); until then a key rotation keeps old rows readable while the old key stays in the keyring, as for
 * identities. A document added by mistake is removed whole (`removeDocument`): content and name are deleted,
 * never kept aside. Only this module sees a document in the clear; nothing here logs.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { open, seal, type IdentityKeyring } from '../core/identity-cipher';
import type { ObjectStore } from './object-store';
import { inTransaction, type Queryable } from './pool';

/** What a document may be, detected from its content (app/documents.ts); the table's CHECK says the same. */
export const DOCUMENT_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number];

/** 10 MiB: a scanned letter fits many times over; the table's CHECK says the same. */
export const DOCUMENT_MAX_BYTES = 10 * 1024 * 1024;

export interface NewDocument {
  id: string;
  caseId: string;
  stepId: string;
  /**
   * How many times a correction had withdrawn a step of this id when the document was added (the case's timeline):
   * what tells the step it was added to from a later one under the same id.
   */
  stepInstance: number;
  /** A users.id, or null for an actor of another shape (db/audit.ts `userRowIdOf`). */
  uploadedBy: string | null;
  uploadedAt: Date;
  mediaType: DocumentMediaType;
  fileName: string;
  content: Buffer;
}

interface DocumentInfo {
  id: string;
  caseId: string;
  stepId: string;
  mediaType: DocumentMediaType;
  size: number;
  /** Of the plain content, lower-case hex: who holds a copy can tell it is this one. */
  sha256: string;
  uploadedAt: string;
  /** The uploader's username, or null when the row names no user. */
  uploadedBy: string | null;
  /** The uploader by name and agency, as a step names who signed it (db/read-model.ts `SIGNER`); null likewise. */
  uploader: { displayName: string; agencyId: string } | null;
}

/**
 * A document as stored: with the step instance it was added to (`NewDocument.stepInstance`), or null for one added
 * before that was kept (the step that bears its id, whichever it is). Not shown: app/documents.ts judges the step by it.
 */
export interface StoredDocument extends DocumentInfo {
  stepInstance: number | null;
}

/** Where the sealed content of new documents goes: this table, or an S3-compatible store. */
export type DocumentStorage = { kind: 'postgres' } | { kind: 's3'; store: ObjectStore };

const contentContext = (caseId: string, id: string) => `document:${caseId}:${id}`;
const nameContext = (caseId: string, id: string) => `document-name:${caseId}:${id}`;
/** The object's key names nothing but ids: a bucket listing says which case has documents, never whose. */
const objectKeyOf = (caseId: string, id: string) => `documents/${caseId}/${id}`;

const sha256Of = (content: Buffer) => createHash('sha256').update(content).digest('hex');

/** How many documents a step may hold, and how many bytes (plain content) a case's documents may take together. */
export interface DocumentQuota {
  documentsPerStep: number;
  bytesPerCase: number;
}

/** A document refused because its step or its case is full (`DocumentQuota`): nothing was stored. */
export class DocumentQuotaFull extends Error {
  constructor(
    readonly full: 'step' | 'case',
    /** What the step or case holds already: documents, or bytes. */
    readonly held: number,
  ) {
    super(`the ${full}'s documents are at their quota`);
    this.name = 'DocumentQuotaFull';
  }
}

/** The class of the advisory locks `saveDocument` takes for a case's quota ("DQ"), apart from any other's. */
const DOCUMENT_QUOTA_LOCK_CLASS = 0x4451;

/**
 * Seals and stores a document: the content first (in the store), then the row that names it. The same content on the
 * same step is stored once: a retried or doubled upload answers the document already there (`created: false`), even
 * on a step or case that is full. A later step under the same id is another step (a row from before openings were
 * kept counts as this one's). With a quota, a document that would pass it throws `DocumentQuotaFull` and nothing is
 * stored: checked in the transaction that inserts the row, under a lock of the case (its id's hash), so two uploads
 * at once cannot both take the last place.
 */
export async function saveDocument(
  pool: Pool,
  document: NewDocument,
  storage: DocumentStorage,
  keyring: IdentityKeyring | undefined,
  quota?: DocumentQuota,
): Promise<{ document: StoredDocument; created: boolean }> {
  const { id, caseId, stepId, stepInstance } = document;
  const sha256 = sha256Of(document.content);
  const existing = async () => {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM step_documents
       WHERE case_id = $1 AND step_id = $2 AND sha256 = $3 AND (step_instance IS NULL OR step_instance = $4)`,
      [caseId, stepId, sha256, stepInstance],
    );
    return rows[0] ? (await listDocuments(pool, caseId, { id: rows[0].id }))[0] : undefined;
  };
  const before = await existing();
  if (before) return { document: before, created: false };

  // Content and name are sealed by the keyring's current key: one key id names both.
  const content = seal(document.content, contentContext(caseId, id), keyring);
  const name = seal(Buffer.from(document.fileName, 'utf8'), nameContext(caseId, id), keyring);
  const objectKey = storage.kind === 's3' ? objectKeyOf(caseId, id) : null;
  const store = async (db: Queryable) => {
    if (storage.kind === 's3') await storage.store.put(objectKey!, content.ciphertext);
    const { rowCount } = await db.query(
      `INSERT INTO step_documents (id, case_id, step_id, uploaded_by, uploaded_at, media_type, byte_size, sha256, key_id,
         file_name_ciphertext, storage, content_ciphertext, object_key, step_instance)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (case_id, step_id, step_instance, sha256) DO NOTHING`,
      [
        id,
        caseId,
        stepId,
        document.uploadedBy,
        document.uploadedAt,
        document.mediaType,
        document.content.length,
        sha256,
        content.keyId,
        name.ciphertext,
        storage.kind,
        storage.kind === 'postgres' ? content.ciphertext : null,
        objectKey,
        stepInstance,
      ],
    );
    return rowCount;
  };
  const rowCount = quota
    ? await inTransaction(pool, async (client) => {
        const lock = createHash('sha256').update(caseId).digest().readInt32BE(0);
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [DOCUMENT_QUOTA_LOCK_CLASS, lock]);
        const { rows } = await client.query<{ on_step: string; case_bytes: string }>(
          `SELECT count(*) FILTER (WHERE step_id = $2 AND (step_instance IS NULL OR step_instance = $3)) AS on_step,
             coalesce(sum(byte_size), 0) AS case_bytes
           FROM step_documents WHERE case_id = $1`,
          [caseId, stepId, stepInstance],
        );
        const onStep = Number(rows[0]!.on_step);
        const caseBytes = Number(rows[0]!.case_bytes);
        if (onStep >= quota.documentsPerStep) throw new DocumentQuotaFull('step', onStep);
        if (caseBytes + document.content.length > quota.bytesPerCase) throw new DocumentQuotaFull('case', caseBytes);
        return store(client);
      })
    : await store(pool);
  // Another request stored the same content meanwhile (an object put for this one stays unnamed, sealed).
  if (rowCount === 0) return { document: (await existing())!, created: false };
  return { document: (await listDocuments(pool, caseId, { id }))[0]!, created: true };
}

interface Row {
  id: string;
  case_id: string;
  step_id: string;
  media_type: DocumentMediaType;
  byte_size: number;
  sha256: string;
  uploaded_at: Date;
  username: string | null;
  display_name: string | null;
  agency_id: string | null;
  step_instance: number | null;
}

const infoOf = (row: Row): StoredDocument => ({
  id: row.id,
  caseId: row.case_id,
  stepId: row.step_id,
  mediaType: row.media_type,
  size: row.byte_size,
  sha256: row.sha256,
  uploadedAt: row.uploaded_at.toISOString(),
  uploadedBy: row.username,
  uploader: row.display_name === null ? null : { displayName: row.display_name, agencyId: row.agency_id! },
  stepInstance: row.step_instance,
});

/** A case's documents, oldest first; of one step or one document when asked. Nothing is opened. */
export async function listDocuments(
  pool: Pool,
  caseId: string,
  only: { stepId?: string; id?: string } = {},
): Promise<StoredDocument[]> {
  const { rows } = await pool.query<Row>(
    `SELECT d.id, d.case_id, d.step_id, d.media_type, d.byte_size, d.sha256, d.uploaded_at, u.username, u.display_name, u.agency_id,
       d.step_instance
     FROM step_documents d LEFT JOIN users u ON u.id = d.uploaded_by
     WHERE d.case_id = $1 AND ($2::text IS NULL OR d.step_id = $2) AND ($3::uuid IS NULL OR d.id = $3)
     ORDER BY d.uploaded_at, d.id`,
    [caseId, only.stepId ?? null, only.id ?? null],
  );
  return rows.map(infoOf);
}

/** The file names of a case's documents, opened, by document id; a name that does not open is left out. */
export async function documentNames(
  pool: Pool,
  caseId: string,
  keyring: IdentityKeyring | undefined,
): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ id: string; key_id: string; file_name_ciphertext: Buffer }>(
    'SELECT id, key_id, file_name_ciphertext FROM step_documents WHERE case_id = $1',
    [caseId],
  );
  const names = new Map<string, string>();
  for (const row of rows) {
    try {
      names.set(row.id, open(row.file_name_ciphertext, row.key_id, nameContext(caseId, row.id), keyring).toString());
    } catch {
      // A key no longer kept: the list still answers, without this name.
    }
  }
  return names;
}

/** One document opened (content and name), or null when the case has no such document. */
export async function openDocument(
  pool: Pool,
  caseId: string,
  id: string,
  storage: DocumentStorage,
  keyring: IdentityKeyring | undefined,
): Promise<(StoredDocument & { fileName: string; content: Buffer }) | null> {
  const { rows } = await pool.query<
    Row & { key_id: string; file_name_ciphertext: Buffer; content_ciphertext: Buffer | null; object_key: string | null }
  >(
    `SELECT d.id, d.case_id, d.step_id, d.media_type, d.byte_size, d.sha256, d.uploaded_at, u.username, u.display_name, u.agency_id,
       d.step_instance, d.key_id, d.file_name_ciphertext, d.content_ciphertext, d.object_key
     FROM step_documents d LEFT JOIN users u ON u.id = d.uploaded_by
     WHERE d.case_id = $1 AND d.id = $2`,
    [caseId, id],
  );
  const row = rows[0];
  if (!row) return null;
  let sealed = row.content_ciphertext;
  if (!sealed) {
    // A row written to the object store is read from it whatever the store of new documents is now.
    if (storage.kind !== 's3') throw new Error(`document ${id} is in an object store, and none is configured`);
    sealed = await storage.store.get(row.object_key!);
  }
  return {
    ...infoOf(row),
    fileName: open(row.file_name_ciphertext, row.key_id, nameContext(caseId, id), keyring).toString(),
    content: open(sealed, row.key_id, contentContext(caseId, id), keyring),
  };
}

/** Who added a document (a users.id), or undefined when the case has no such document. */
export async function documentUploader(pool: Pool, caseId: string, id: string): Promise<string | null | undefined> {
  const { rows } = await pool.query<{ uploaded_by: string | null }>(
    'SELECT uploaded_by FROM step_documents WHERE case_id = $1 AND id = $2',
    [caseId, id],
  );
  return rows[0]?.uploaded_by;
}

/**
 * Removes a document: its sealed content (from the object store first, so a removal that fails halfway is finished by
 * trying again, never leaves a row naming content that is gone) and its row, with the sealed file name. The service
 * role may delete no row itself: `remove_step_document` (db/migrations) deletes this one. Answers the step the
 * document was on, or null when the case has no such document (never had, or it was removed already).
 */
export async function removeDocument(
  pool: Pool,
  caseId: string,
  id: string,
  storage: DocumentStorage,
): Promise<{ stepId: string } | null> {
  const { rows } = await pool.query<{ object_key: string | null }>(
    'SELECT object_key FROM step_documents WHERE case_id = $1 AND id = $2',
    [caseId, id],
  );
  if (!rows[0]) return null;
  const objectKey = rows[0].object_key;
  if (objectKey) {
    if (storage.kind !== 's3') throw new Error(`document ${id} is in an object store, and none is configured`);
    await storage.store.delete(objectKey);
  }
  const removed = await pool.query<{ removed_step_id: string }>(
    'SELECT removed_step_id FROM remove_step_document($1, $2)',
    [caseId, id],
  );
  return removed.rows[0] ? { stepId: removed.rows[0].removed_step_id } : null;
}

/**
 * Re-seals under the keyring's current key every document (its file name and content) sealed under another key, so
 * an old key can be retired (`npm run admin -- reseal`). Row by row in id order: stopped anywhere, it is run again
 * and goes on with what is left. Content in the object store is written anew under a key of its own, the row then
 * pointed at it, and only then the old object deleted: a run stopped between the two leaves that old object behind
 * (sealed under the old key), never a row naming content it cannot open. Needs UPDATE on step_documents, which the
 * service's own role lacks: run as the owner. Answers how many documents it re-sealed.
 */
export async function resealDocuments(pool: Pool, storage: DocumentStorage, keyring: IdentityKeyring): Promise<number> {
  const current = keyring.current.id;
  let resealed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const { rows } = await pool.query<{
      id: string;
      case_id: string;
      key_id: string;
      file_name_ciphertext: Buffer;
      content_ciphertext: Buffer | null;
      object_key: string | null;
    }>(
      `SELECT id, case_id, key_id, file_name_ciphertext, content_ciphertext, object_key FROM step_documents
       WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT 20`,
      [current, after],
    );
    if (rows.length === 0) return resealed;
    for (const row of rows) {
      after = row.id;
      const name = seal(
        open(row.file_name_ciphertext, row.key_id, nameContext(row.case_id, row.id), keyring),
        nameContext(row.case_id, row.id),
        keyring,
      );
      const contentOf = (sealed: Buffer) =>
        seal(
          open(sealed, row.key_id, contentContext(row.case_id, row.id), keyring),
          contentContext(row.case_id, row.id),
          keyring,
        ).ciphertext;
      if (row.content_ciphertext) {
        const updated = await pool.query(
          `UPDATE step_documents SET key_id = $3, file_name_ciphertext = $4, content_ciphertext = $5
           WHERE id = $1 AND key_id = $2`,
          [row.id, row.key_id, name.keyId, name.ciphertext, contentOf(row.content_ciphertext)],
        );
        resealed += updated.rowCount ?? 0;
        continue;
      }
      if (storage.kind !== 's3') throw new Error(`document ${row.id} is in an object store, and none is configured`);
      const objectKey = `${objectKeyOf(row.case_id, row.id)}.${encodeURIComponent(name.keyId)}`;
      await storage.store.put(objectKey, contentOf(await storage.store.get(row.object_key!)));
      const updated = await pool.query(
        `UPDATE step_documents SET key_id = $3, file_name_ciphertext = $4, object_key = $5
         WHERE id = $1 AND key_id = $2`,
        [row.id, row.key_id, name.keyId, name.ciphertext, objectKey],
      );
      if (updated.rowCount === 1) {
        await storage.store.delete(row.object_key!);
        resealed += 1;
      }
    }
  }
}
