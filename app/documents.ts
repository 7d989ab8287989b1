/**
 * The documents that prove a step (the CP approval, the HHS letter, the I-797 receipt, a signed Supplement B): added
 * by who may act for the step's agency or the case's coordinator, listed with the step, opened only by who may read
 * the survivor's identity and sees the step (domain/access.ts). The type is decided from the content (file-type),
 * never from the name or the declared type. Kept in PostgreSQL (or an S3-compatible store) only, sealed
 * (db/documents.ts): the case's workflow, its history and the emails never carry a document, its name or its hash.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Clock } from '../core/clock';
import { withoutImageMetadata } from '../core/image-metadata';
import { AppError } from '../core/errors';
import type { IdentityKeyring } from '../core/identity-cipher';
import { userRowIdOf } from '../db/audit';
import { createSemaphore } from '../core/semaphore';
import {
  DOCUMENT_MAX_BYTES,
  DOCUMENT_MEDIA_TYPES,
  DocumentQuotaFull,
  documentNames,
  documentUploader,
  listDocuments,
  openDocument,
  removeDocument,
  saveDocument,
  type DocumentMediaType,
  type DocumentStorage,
  type StoredDocument,
} from '../db/documents';
import {
  canAttachDocument,
  canReadDocument,
  canReadSurvivor,
  canRemoveDocument,
  canSeeStep,
  stepOfId,
} from '../domain/access';
import type { Actor, Step } from '../domain/types';
import type { DocumentRemovalReason } from '../domain/reasons';
import { singleLineText } from '../domain/text';
import { agencyOfKindAt } from '../domain/transfers';
import type { CaseReads } from './case-reads';
import { createUploadGate, DEFAULT_DOCUMENT_LIMITS, type DocumentLimits } from './document-limits';
import type { RateCounts } from './rate-counts';

export { DOCUMENT_MAX_BYTES, DOCUMENT_MEDIA_TYPES } from '../db/documents';

/**
 * Why a document is removed: a short code, never free text, since the audit trail keeps it unsealed and a sentence
 * about a mistake easily names the person it is about. "other" covers the rest.
 */

export interface DocumentsDeps {
  pool: Pool;
  now: Clock;
  identityKeyring?: IdentityKeyring;
  /** Where new documents' sealed content goes; PostgreSQL by default. */
  documentStorage?: DocumentStorage;
  /** Uploads in flight, the pool's share and the quotas (app/document-limits.ts); the defaults there otherwise. */
  documentLimits?: Partial<DocumentLimits>;
}

/** A file as received: its bytes and the name the sender gave it. */
export interface ReceivedFile {
  content: Buffer;
  fileName: string;
}

export type Documents = ReturnType<typeof createDocuments>;

const ALLOWED = 'a PDF, PNG or JPEG file (application/pdf, image/png, image/jpeg)';

/** The extensions a saved file of each type may have; the first is the one a name without them gets. */
const EXTENSIONS: Record<DocumentMediaType, readonly string[]> = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
};

/**
 * The name as a download may offer it: no folders, no control characters, at most 200 characters, and an extension
 * that says the type found in the content (kept when cut short). A PNG named `letter.html` downloads as
 * `letter.html.png`: saved under its own name, a file that is both an image and a page would open from the disk as a
 * page, and run its script.
 */
function cleanFileName(name: string, mediaType: DocumentMediaType): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim() || 'document';
  const extensions = EXTENSIONS[mediaType];
  const given = /\.([^.]+)$/.exec(base)?.[1] ?? '';
  const kept = extensions.includes(given.toLowerCase());
  const stem = kept ? base.slice(0, -given.length - 1) : base;
  const extension = kept ? given : extensions[0]!;
  return `${cutBetweenCharacters(stem, 200 - extension.length - 1)}.${extension}`;
}

/**
 * At most `units` UTF-16 code units of `text`, cut between characters as people see them: never inside an emoji's
 * surrogate pair, which left half of one that sealing (UTF-8) stored as U+FFFD, so the name the upload answered was
 * not the one listed and downloaded; nor between a letter and its accent.
 */
function cutBetweenCharacters(text: string, units: number): string {
  if (text.length <= units) return text;
  let kept = '';
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    if (kept.length + segment.length > units) break;
    kept += segment;
  }
  return kept;
}

/**
 * A file name is read by people, on the case page and its removal page, as the other names people type are: held to
 * their rule (domain/text.ts), so one with a direction override (U+202E), which would reorder what the page says after
 * it, a line break or a tab, or nothing visible is refused, by the field `file`, and nothing is stored.
 */
const FileNameSchema = singleLineText(z.string());

function refusedFileName(name: string): AppError | undefined {
  const read = FileNameSchema.safeParse(name);
  if (read.success) return undefined;
  return new AppError('unprocessable', 'The document’s file name cannot be shown as it is: rename the file.', {
    code: 'invalid_file_name',
    fields: [{ field: 'file', message: `the file name: ${read.error.issues[0]!.message}` }],
  });
}

/** The type the content shows it to be, if it is one a document may be. */
async function detectedType(content: Buffer): Promise<DocumentMediaType | undefined> {
  // file-type is an ES module: loaded on first use, as the other ESM-only packages are (api/oidc.ts).
  const { fileTypeFromBuffer } = await import('file-type');
  const mime = (await fileTypeFromBuffer(content))?.mime;
  return DOCUMENT_MEDIA_TYPES.find((allowed) => allowed === mime);
}

type CaseView = Awaited<ReturnType<CaseReads['case']>>;
/** What a document's permissions are judged by: its step's agency and kind. */
type DocumentStep = Pick<Step, 'agencyId' | 'agencyKind'>;

/**
 * Where a document stands for the actor: on the step instance it was added to (the case still holds it and the actor
 * sees it), or on a step a correction withdrew, judged by the kind its id names and the agency that owed it when it was
 * withdrawn (`withdrawnFrom`: not one the case was transferred to since), so its agency and the coordinator still
 * open and remove it and no one else learns more of it than of an unknown id. A step opened later under the same id
 * is another step: the document is not its. Undefined when the actor may not see it.
 */
function placeOf(
  document: StoredDocument,
  view: CaseView,
  actor: Actor,
): { step: DocumentStep; withdrawn: boolean } | undefined {
  const held = view.steps.find(
    (step) =>
      step.id === document.stepId &&
      (document.stepInstance === null || document.stepInstance === withdrawalsOf(view, step.id).length),
  );
  if (held) return canSeeStep(actor, held) ? { step: held, withdrawn: false } : undefined;
  const kind = stepOfId(view.agencies, document.stepId);
  if (!kind) return undefined;
  const step = { ...kind, agencyId: withdrawnFrom(document, view, kind) };
  return canSeeStep(actor, step) ? { step, withdrawn: true } : undefined;
}

/**
 * The withdrawals of steps of this id (the case's whole timeline), in order: a step opened again under the id since a
 * document was added is another step. A correction that re-dates a step keeps it, and its documents.
 */
function withdrawalsOf(view: CaseView, stepId: string): CaseView['timeline'] {
  return view.timeline.filter((entry) => entry.type === 'step.withdrawn' && entry.stepId === stepId);
}

/**
 * The agency that owed a document's step when a correction withdrew it: the case's agency of its kind then, never one
 * the case was transferred to since, which never held that step (a transfer hands over pending steps only, and a
 * withdrawn step is not pending). The withdrawal that ended it is the one after the `stepInstance` the document was
 * added under (the last, for a document added before instances were kept).
 */
function withdrawnFrom(
  document: StoredDocument,
  view: CaseView,
  step: Pick<Step, 'agencyKind' | 'agencyId'>,
): string | null {
  const withdrawals = withdrawalsOf(view, document.stepId);
  const ended = document.stepInstance === null ? withdrawals.at(-1) : withdrawals[document.stepInstance];
  return ended ? agencyOfKindAt(ended, step.agencyKind, view.timeline, step.agencyId) : step.agencyId;
}

/** A document as the API shows it: without its step instance, marked when a correction withdrew that step. */
function shown({ stepInstance: _instance, ...document }: StoredDocument, withdrawn: boolean) {
  return withdrawn ? { ...document, stepWithdrawn: true } : document;
}

/** A document refused by its step's or case's quota, in words naming the field and the limit: nothing was stored. */
function quotaRefusal(full: DocumentQuotaFull, limits: DocumentLimits): AppError {
  if (full.full === 'step')
    return new AppError(
      'unprocessable',
      `This step holds ${full.held} documents, the most a step may hold (${limits.documentsPerStep}): remove one added by mistake before adding another.`,
      {
        code: 'step_documents_full',
        fields: [{ field: 'file', message: `the step already holds ${limits.documentsPerStep} documents, its most` }],
      },
    );
  return new AppError(
    'payload_too_large',
    `This case's documents take ${sizeOf(full.held)} already; with this file they would pass the ${sizeOf(limits.bytesPerCase)} a case may hold. Remove documents added by mistake, or send a smaller scan.`,
    {
      code: 'case_documents_full',
      fields: [
        { field: 'file', message: `the case's documents may take at most ${sizeOf(limits.bytesPerCase)} together` },
      ],
    },
  );
}

/** Bytes in words: `200 MB (209,715,200 bytes)`, or `5,000 bytes` under a megabyte. */
function sizeOf(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  return bytes < 1024 * 1024 ? exact : `${Number((bytes / (1024 * 1024)).toFixed(1))} MB (${exact})`;
}

export function createDocuments(deps: DocumentsDeps, caseReads: CaseReads, counts: RateCounts) {
  const storage: DocumentStorage = deps.documentStorage ?? { kind: 'postgres' };
  const limits: DocumentLimits = { ...DEFAULT_DOCUMENT_LIMITS, ...deps.documentLimits };
  // One per process (the services are built once): uploads in flight (a user's counted in PostgreSQL, shared by every
  // process), and the pool connections their writes hold.
  const gate = createUploadGate(limits, counts);
  const writes = createSemaphore(limits.writeConnections);
  const refused = (message: string) => new AppError('forbidden', message, { code: 'not_permitted_document' });
  const stepOf = async (caseId: string, stepId: string, actor: Actor) => {
    const view = await caseReads.case(caseId, actor);
    // A step the actor may not see reads as one the case does not have: a 403 would tell that it exists.
    const step = view.steps.find((candidate) => candidate.id === stepId && canSeeStep(actor, candidate));
    if (!step) throw new AppError('not_found', `No step ${stepId} in this case.`, { code: 'step_not_found' });
    return { view, step };
  };

  const noSuchDocument = (documentId: string) =>
    new AppError('not_found', `No document ${documentId} in this case.`, { code: 'document_not_found' });
  /**
   * The document's step (`placeOf`): one on a step the actor may not see is no document of the case, since a 403 told
   * ICE, by a document's id, that the survivor's T-visa steps hold one (8 U.S.C. 1367).
   */
  const documentStepOf = async (caseId: string, documentId: string, actor: Actor) => {
    const view = await caseReads.case(caseId, actor);
    const [stored] = await listDocuments(deps.pool, caseId, { id: documentId });
    const place = stored && placeOf(stored, view, actor);
    if (!place) throw noSuchDocument(documentId);
    return { view, step: place.step };
  };

  /** `upload` once it holds a place among the uploads in flight. */
  const uploadInFlight = async (caseId: string, stepId: string, actor: Actor, receive: () => Promise<ReceivedFile>) => {
    const { view, step } = await stepOf(caseId, stepId, actor);
    if (!canAttachDocument(actor, view.agencies, step))
      throw refused("Only who acts for the step's agency on this case, or its coordinator, may add its documents.");
    const file = await receive();
    if (file.content.length > DOCUMENT_MAX_BYTES) throw tooLarge();
    const badName = refusedFileName(file.fileName);
    if (badName) throw badName;
    const mediaType = await detectedType(file.content);
    if (!mediaType) {
      throw new AppError('unsupported_media_type', `A document must be ${ALLOWED}.`, {
        code: 'document_type_not_allowed',
        fields: [{ field: 'file', message: `must be ${ALLOWED}, as its content shows; this one is not` }],
      });
    }
    const fileName = cleanFileName(file.fileName, mediaType);
    // A photo's metadata (where it was taken, whose phone) is not kept: every agency that opens it would read it.
    const content = withoutImageMetadata(file.content, mediaType);
    const save = (document: Parameters<typeof saveDocument>[1]) =>
      writes
        .run(() => saveDocument(deps.pool, document, storage, deps.identityKeyring, limits))
        .catch((error) => {
          throw error instanceof DocumentQuotaFull ? quotaRefusal(error, limits) : error;
        });
    const saved = await save({
      id: randomUUID(),
      caseId,
      stepId: step.id,
      stepInstance: withdrawalsOf(view, step.id).length,
      uploadedBy: userRowIdOf(actor.userId),
      uploadedAt: await deps.now(),
      mediaType,
      fileName,
      content,
    });
    // The name of the copy already there, if this content was added before, is the name first given.
    const names = saved.created ? undefined : await documentNames(deps.pool, caseId, deps.identityKeyring);
    return {
      document: { ...shown(saved.document, false), fileName: names?.get(saved.document.id) ?? fileName },
      created: saved.created,
    };
  };

  return {
    /**
     * Adds a document to a step. `receive` reads the upload (api/uploads.ts), called only once the actor may add
     * one: a refused request is not read into memory. An upload over the limits in flight is refused first (429,
     * app/document-limits.ts), its body never read; the row is written in the uploads' share of the pool.
     */
    async upload(caseId: string, stepId: string, actor: Actor, receive: () => Promise<ReceivedFile>) {
      const leave = await gate.enter(actor.userId);
      try {
        return await uploadInFlight(caseId, stepId, actor, receive);
      } finally {
        await leave();
      }
    },

    /**
     * The documents of the steps the actor sees (of one step when asked: those added while it was open), oldest
     * first, those of a step a correction withdrew marked `stepWithdrawn` (in the case's list only); each file name
     * and SHA-256 only to who may open the document, since a name often names the survivor and a hash confirms a
     * file one holds.
     */
    async list(caseId: string, actor: Actor, stepId?: string) {
      const view = stepId ? (await stepOf(caseId, stepId, actor)).view : await caseReads.case(caseId, actor);
      const documents = (await listDocuments(deps.pool, caseId, { stepId })).flatMap((stored) => {
        const place = placeOf(stored, view, actor);
        return place && !(stepId && place.withdrawn) ? [shown(stored, place.withdrawn)] : [];
      });
      // The content's SHA-256 is withheld with the name: it confirms a file one already holds (a passport scan) and
      // ties together the cases that hold the same file, which a reader who may not open the document must not learn.
      if (!canReadSurvivor(actor, view)) return documents.map(({ sha256: _sha256, ...doc }) => doc);
      const names = await documentNames(deps.pool, caseId, deps.identityKeyring);
      return documents.map((doc) => ({ ...doc, fileName: names.get(doc.id) ?? null }));
    },

    /** One document, opened: to who may read the identity and sees its step; to who does not see it, no document. */
    async download(caseId: string, documentId: string, actor: Actor) {
      const { view, step } = await documentStepOf(caseId, documentId, actor);
      if (!canReadDocument(actor, view, step))
        throw refused(
          "Only those working the case, who see the step, may open its documents: they show the survivor's identity.",
        );
      const opened = await openDocument(deps.pool, caseId, documentId, storage, deps.identityKeyring);
      if (!opened) throw noSuchDocument(documentId);
      return opened;
    },

    /**
     * Removes a document added by mistake: its content and name are deleted, so it can never be opened again, and the
     * same file may be added again afterwards. Who may: `canRemoveDocument`. A document already removed is no
     * document (404 `document_not_found`, as one never added): the audit trail says who removed it and why.
     */
    async remove(caseId: string, documentId: string, actor: Actor, reason: DocumentRemovalReason) {
      const { view, step } = await documentStepOf(caseId, documentId, actor);
      const uploader = await documentUploader(deps.pool, caseId, documentId);
      const addedByActor = uploader != null && uploader === userRowIdOf(actor.userId);
      if (!canRemoveDocument(actor, view, step, addedByActor))
        throw new AppError(
          'forbidden',
          "Only the person who added the document, an officer of the step's agency on this case, or the case's coordinator may remove it.",
          { code: 'not_permitted_document_removal' },
        );
      const removed = await removeDocument(deps.pool, caseId, documentId, storage);
      // Removed by another request a moment ago: the same as one already removed.
      if (!removed) throw noSuchDocument(documentId);
      return { id: documentId, caseId, stepId: removed.stepId, reason, removedAt: (await deps.now()).toISOString() };
    },
  };
}

/** The one refusal of a document over the limit, whether the upload's reader or this service finds it. */
export function tooLarge(): AppError {
  return new AppError('payload_too_large', 'A document may be at most 10 MB (10,485,760 bytes).', {
    code: 'document_too_large',
    fields: [{ field: 'file', message: 'must be at most 10 MB (10,485,760 bytes)' }],
  });
}
