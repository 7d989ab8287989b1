/**
 * The documents that prove a step (app/documents.ts): uploaded as multipart/form-data (field `file`), listed without
 * their content, downloaded as an attachment by who may read the survivor's identity, removed when added by mistake.
 * Every upload, download and removal is audited, naming the document by its id (never its file name), and so is
 * every list that showed a file name (naming the case and step, never the names).
 */
import type { z } from 'zod';
import { DOCUMENT_MEDIA_TYPES } from '../../app/documents';
import type { ApiDeps } from '../deps';
import { route, type Route } from '../route';
import {
  CaseParamsSchema,
  DocumentContentSchema,
  DocumentListSchema,
  DocumentParamsSchema,
  DocumentRemovalBodySchema,
  DocumentRemovedSchema,
  DocumentSchema,
  StepParamsSchema,
} from '../schemas';
import { FILE_FIELD, receiveFile } from '../uploads';

/** RFC 6266: an ASCII fallback and the UTF-8 name. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Where an upload's answer says its document is downloaded. */
const DOWNLOAD_LOCATION = "the document's download: `/api/cases/{caseId}/documents/{documentId}`";

/**
 * A list's file names are sealed like the identity, and as often name the survivor: an answer that shows any is
 * recorded as a read of them (`document.read_names`), as `survivor.read` records the identity's; one to a reader
 * who may not open them (no names) is not.
 */
const READS_NAMES = {
  action: 'document.read_names',
  disclosed: (body: unknown) =>
    (body as z.infer<typeof DocumentListSchema>).items.some((item) => typeof item.fileName === 'string'),
};

export function documentRoutes(deps: ApiDeps): Route[] {
  const { documents } = deps;
  return [
    route({
      method: 'post',
      path: '/api/cases/:caseId/steps/:stepId/documents',
      tag: 'documents',
      summary:
        "Add a document that proves the step (PDF, PNG or JPEG, at most 10 MB; the type is read from the content): as one who acts for the step's agency on the case, or its coordinator. Stored sealed; the case's workflow never sees it.",
      params: StepParamsSchema,
      upload: { field: FILE_FIELD, description: 'the document: a PDF, PNG or JPEG file of at most 10 MB' },
      audit: 'document.upload',
      auditDetail: (_query, _params, body) =>
        body && typeof body === 'object' && 'id' in body ? `document ${String(body.id)}` : undefined,
      responses: {
        200: {
          description: 'this content was already added to the step: the document already there',
          schema: DocumentSchema,
          headers: { Location: DOWNLOAD_LOCATION },
        },
        201: {
          description: 'the document as listed; Location names its download',
          schema: DocumentSchema,
          headers: { Location: DOWNLOAD_LOCATION },
        },
        400: {
          description:
            'a path value is malformed (the errors name it), or `encoding_invalid`: the file name is not valid UTF-8 (nothing was stored), or the Authorization header is sent more than once (`authorization_repeated`), or the request is not valid HTTP (`request_malformed`)',
          problem: true,
        },
        403: { description: "not one who acts for the step's agency on this case, or its coordinator", problem: true },
        404: { description: 'no such step the caller may see', problem: true },
        413: {
          description:
            "the file is larger than 10 MB (`document_too_large`), or the case's documents would take more than the case may hold, 200 MB together (`case_documents_full`): nothing was stored",
          problem: true,
        },
        415: {
          description: 'not multipart/form-data, or the content is not a PDF, PNG or JPEG: nothing was stored',
          problem: true,
        },
        422: {
          description:
            'no file in the field "file", or an empty one; or `step_documents_full`: the step holds 20 documents already, the most it may (nothing was stored); or `invalid_file_name`: its file name holds a direction override or isolate (U+202A–U+202E, U+2066–U+2069), a line break, tab or other control character, or nothing visible (nothing was stored)',
          problem: true,
        },
        429: {
          description:
            'too many uploads under way at once, read no further and nothing stored: `too_many_uploads`, the caller has 2 already; `uploads_busy`, this API process is receiving 4 (from anyone); Retry-After says when to send it again. Or the per-user limit of writes a minute (`rate_limited`)',
          problem: true,
        },
      },
      handle: async ({ params, actor, req, res }) => {
        const saved = await documents.upload(params.caseId, params.stepId, actor, () => receiveFile(req, res));
        return {
          status: saved.created ? 201 : 200,
          body: saved.document,
          headers: { Location: `/api/cases/${params.caseId}/documents/${saved.document.id}` },
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/steps/:stepId/documents',
      tag: 'documents',
      summary:
        'The documents of a step the role sees, oldest first: type, size, who added them and when; the SHA-256 and the file name only to who may read the identity (an answer that shows one is audited).',
      params: StepParamsSchema,
      auditDisclosure: READS_NAMES,
      responses: {
        200: { description: 'the documents', schema: DocumentListSchema },
        403: { description: 'not an agency of this case', problem: true },
        404: { description: 'no such step the caller may see', problem: true },
      },
      handle: async ({ params, actor }) => ({
        status: 200,
        body: { items: await documents.list(params.caseId, actor, params.stepId) },
      }),
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/documents',
      tag: 'documents',
      summary:
        "The documents of every step of the case the role sees, as the step's list gives them (one request for the case page; an answer that shows a file name is audited).",
      params: CaseParamsSchema,
      auditDisclosure: READS_NAMES,
      responses: {
        200: { description: 'the documents', schema: DocumentListSchema },
        403: { description: 'not an agency of this case', problem: true },
      },
      handle: async ({ params, actor }) => ({
        status: 200,
        body: { items: await documents.list(params.caseId, actor) },
      }),
    }),
    route({
      method: 'get',
      path: '/api/cases/:caseId/documents/:documentId',
      tag: 'documents',
      summary:
        "Download a document, as an attachment: only to who may read the survivor's identity and sees the step; every download is audited.",
      params: DocumentParamsSchema,
      audit: 'document.download',
      auditDetail: (_query, params) => `document ${params.documentId}`,
      responses: {
        200: {
          description: 'the document, of its own type (application/pdf, image/png or image/jpeg)',
          contentType: DOCUMENT_MEDIA_TYPES,
          schema: DocumentContentSchema,
          headers: {
            'Content-Disposition': 'attachment, with the file name as it was uploaded (`filename*`, UTF-8)',
            'Repr-Digest':
              "RFC 9530: the content's SHA-256, `sha-256=:<base64>:`, for who holds a copy to check it is this one",
          },
        },
        403: { description: "one who sees the step but may not read the survivor's identity", problem: true },
        404: { description: 'no such document, or a document of a step the caller may not see', problem: true },
      },
      handle: async ({ params, actor }) => {
        const document = await documents.download(params.caseId, params.documentId, actor);
        return {
          status: 200,
          body: document.content,
          contentType: document.mediaType,
          headers: {
            // No browser guesses a document's type (a PDF is never run as a page). helmet sends it with every
            // answer; said here too because a download of any type rests on it.
            'X-Content-Type-Options': 'nosniff',
            'Content-Disposition': attachment(document.fileName),
            // RFC 9530: who holds a copy can check it is this one.
            'Repr-Digest': `sha-256=:${Buffer.from(document.sha256, 'hex').toString('base64')}:`,
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/cases/:caseId/documents/:documentId/remove',
      tag: 'documents',
      summary:
        "Remove a document added by mistake (another case's, another step's, the wrong file, a duplicate): its content and file name are deleted and it can never be downloaded again; the same file may be added again. As who added it, an officer of the step's agency on this case, or the case's coordinator. The audit trail records who removed which document of which step, and why (a code from a list). A document already removed is 404, as one never added.",
      params: DocumentParamsSchema,
      body: DocumentRemovalBodySchema,
      audit: 'document.remove',
      auditDetail: (_query, params, body) =>
        [
          `document ${params.documentId}`,
          body && typeof body === 'object' && 'reason' in body ? `removal_reason=${String(body.reason)}` : undefined,
        ]
          .filter(Boolean)
          .join('; '),
      auditStep: (body) =>
        body && typeof body === 'object' && 'stepId' in body && typeof body.stepId === 'string'
          ? body.stepId
          : undefined,
      responses: {
        200: { description: 'the document is removed: what is kept of it', schema: DocumentRemovedSchema },
        403: {
          description:
            "one who sees the step but is not who added it, an officer of the step's agency on this case, or its coordinator",
          problem: true,
        },
        404: {
          description: 'no such document (never added, removed already, or of a step the caller may not see)',
          problem: true,
        },
        422: { description: 'no reason, or one not on the list', problem: true },
      },
      handle: async ({ params, body, actor }) => ({
        status: 200,
        body: await documents.remove(params.caseId, params.documentId, actor, body.reason),
      }),
    }),
  ];
}
