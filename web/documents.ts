/**
 * The console's side of a step's documents: the sign-off form may carry one file (multipart/form-data), read here
 * with multer before the CSRF check (which needs the form's fields), only for a browser signed in that posts from the
 * console's origin (web/console.ts checks both first), and handed to the API as the user; a download is
 * streamed from the API to the browser with the API's own headers. The API decides who may do either, and audits it.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { ApiProblem, ok, type Api } from './api-client';
import { canAttachDocument, stepOfId } from '../domain/access';
import { NOTE_MAX_LENGTH } from '../domain/steps';
import type { CaseView, MeView } from './kit';

/** The API's limit (app/documents.ts), checked here too so a browser is told without the file crossing twice. */
const MAX_BYTES = 10 * 1024 * 1024;
const FILE_FIELD = 'document';

const parse = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_BYTES, files: 1, fields: 50, fieldSize: 16 * 1024 },
  defParamCharset: 'utf8',
}).single(FILE_FIELD);

/**
 * What the form's file input brought, if anything: a file, or why the form was not read in full (the problem to show,
 * by the field it names: the file, or a note too long, after which the file was not read either).
 */
export type FormFile = { content: Buffer; fileName: string; mediaType: string } | { refused: ApiProblem } | undefined;

/** Why the parser stopped, as the API would refuse it: by the field that stopped it, in words the form turns plain. */
function unreadFormProblem(error: multer.MulterError): ApiProblem {
  if (error.code === 'LIMIT_FILE_SIZE')
    return new ApiProblem(413, {
      detail: 'The document is larger than 10 MB.',
      errors: [{ field: 'file', message: 'must be at most 10 MB (10,485,760 bytes)' }],
    });
  // A text field over `fieldSize`: the note, the form's one free text, whose limit in characters is far below it.
  if (error.code === 'LIMIT_FIELD_VALUE' && error.field)
    return new ApiProblem(422, {
      detail: 'The form has a field that is too long.',
      errors: [{ field: error.field, message: `must be at most ${NOTE_MAX_LENGTH} characters` }],
    });
  return new ApiProblem(422, {
    detail: 'The form could not be read.',
    errors: [{ field: 'file', message: 'one file only' }],
  });
}

/**
 * Reads a multipart form (the sign-off form with its optional document) into `req.body` and `res.locals.formFile`;
 * any other body passes untouched. A file over the limit is not kept: the form shows why.
 */
export const multipartForm: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  parse(req, res, (error: unknown) => {
    if (error instanceof multer.MulterError) {
      // The form's other fields (CSRF token, outcome, dates) come before the note and the file and were read: the form
      // can show why, with what was typed.
      res.locals.formFile = { refused: unreadFormProblem(error) } satisfies FormFile;
      return next();
    }
    // Anything else the parser refuses is a body that is not the multipart form it claims to be (no boundary, cut off).
    if (error) return next(new ApiProblem(400, { detail: 'The form could not be read.' }));
    const { file } = req as Request & { file?: Express.Multer.File };
    if (file && file.size > 0)
      res.locals.formFile = {
        content: file.buffer,
        fileName: file.originalname,
        mediaType: file.mimetype,
      } satisfies FormFile;
    next();
  });
};

export const formFileOf = (res: Response): FormFile => res.locals.formFile as FormFile;

/** The name of the file a form came with, read in full; undefined without one. */
export const fileNameOf = (file: FormFile) => (file && 'fileName' in file ? file.fileName : undefined);

/**
 * Adds the form's file to the step, as the user, and answers the document as listed (the one already there when the
 * same file was added before); an ApiProblem (413, 415, 422, 403) when the API refuses it.
 */
export async function uploadDocument(
  api: Api,
  caseId: string,
  stepId: string,
  file: Exclude<FormFile, undefined>,
): Promise<{ id: string; fileName?: string | null; created: boolean }> {
  if ('refused' in file) throw file.refused;
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(file.content)], { type: file.mediaType }), file.fileName);
  const answer = await api.POST('/api/cases/{caseId}/steps/{stepId}/documents', {
    params: { path: { caseId, stepId } },
    // The typed body names the field; what is sent is the form itself (fetch sets its boundary).
    body: { file: '' },
    bodySerializer: () => form,
  });
  // 201 a new document; 200 the same content, already on the step (a double submit, or the file sent twice).
  return { ...ok(answer), created: answer.response.status === 201 };
}

/** Streams a document from the API to the browser, with the API's type, name and no-store headers. */
export async function proxyDownload(api: Api, caseId: string, documentId: string, res: Response): Promise<void> {
  const { data, error, response } = await api.GET('/api/cases/{caseId}/documents/{documentId}', {
    params: { path: { caseId, documentId } },
    parseAs: 'stream',
  });
  if (!response.ok || !data) {
    const problem: unknown = error ?? (await response.json().catch(() => ({})));
    throw new ApiProblem(response.status, problem && typeof problem === 'object' ? problem : {});
  }
  for (const header of [
    'Content-Type',
    'Content-Length',
    'Content-Disposition',
    'X-Content-Type-Options',
    'Repr-Digest',
  ]) {
    const value = response.headers.get(header);
    if (value) res.set(header, value);
  }
  Readable.fromWeb(data as WebReadableStream<Uint8Array>).pipe(res);
}

/**
 * The step a listed document belongs to, as the API judges it (app/documents.ts): the case's step of its id, or, for a
 * document of a step a correction withdrew (`stepWithdrawn`; its id perhaps borne since by a new step), one of the kind
 * its id names, owed by the case's agency of that kind.
 */
export function documentStep(
  view: CaseView,
  document: { stepId: string; stepWithdrawn?: true },
): Pick<CaseView['steps'][number], 'agencyId' | 'kind'> | undefined {
  if (!document.stepWithdrawn) return view.steps.find((step) => step.id === document.stepId);
  return stepOfId(view.agencies, document.stepId);
}

/**
 * Who the API lets add a document to the step: the API's own rule (domain/access.ts canAttachDocument), one who acts
 * for the step's agency on the case or its coordinator, on a step whose documents they see, judged on the reader as
 * GET /api/me gives them.
 */
export function mayAddDocument(
  me: MeView,
  view: CaseView,
  step: Pick<CaseView['steps'][number], 'agencyId' | 'agencyKind'>,
) {
  const { id, agencyId, agencyKind, roles } = me.user;
  return canAttachDocument({ userId: id, agencyId, agencyKind, roles }, view.agencies, step);
}

/**
 * Who the API lets remove a document (domain/access.ts canRemoveDocument): who added it, an officer of the step's
 * agency, the case's coordinator; only those working the case. The link is offered to them alone.
 */
export function mayRemoveDocument(
  me: MeView,
  view: CaseView,
  step: Pick<CaseView['steps'][number], 'agencyId'> | undefined,
  document: { uploadedBy: string | null },
): boolean {
  if (!me.can.signSteps || !step) return false;
  return (
    step.agencyId === me.user.agencyId ||
    view.agencies.coordinator === me.user.agencyId ||
    document.uploadedBy === me.user.username
  );
}
