/**
 * Reading one uploaded file from a multipart/form-data request (multer, in memory: a document is at most 10 MB and is
 * sealed whole). Over the limit, multer stops reading, drains the rest of the request and reports it: the answer is
 * a 413 naming the limit, and nothing was stored. Called by the handler once the caller may upload (app/documents.ts),
 * so a refused request is never read into memory; Node discards a body nobody read.
 */
import type { Request, Response } from 'express';
import multer from 'multer';
import { AppError } from '../core/errors';
import { DOCUMENT_MAX_BYTES, tooLarge, type ReceivedFile } from '../app/documents';
import { UnsupportedMediaTypeError } from './problem';

/** The multipart field that carries the file. */
export const FILE_FIELD = 'file';

const parseOne = multer({
  storage: multer.memoryStorage(),
  // One file, a few small fields (a form's CSRF token, say), nothing else.
  limits: { fileSize: DOCUMENT_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
  // Browsers send a file name as UTF-8; busboy's default would read it as Latin-1.
  defParamCharset: 'utf8',
}).single(FILE_FIELD);

const missing = (message: string) =>
  new AppError('unprocessable', 'The request must carry one document in the form field "file".', {
    code: 'invalid_upload',
    fields: [{ field: FILE_FIELD, message }],
  });

/**
 * A file name that is not valid UTF-8 (a Latin-1 `é`, raw or percent-encoded in `filename*`), refused as a JSON body
 * that is not is (api/well-formed-text.ts): 400 `encoding_invalid`, nothing stored. busboy decodes it leniently, so
 * the name is judged by the U+FFFD it holds, which no file name needs.
 */
const undecodableFileName = () =>
  new AppError('bad_request', 'The file name could not be decoded: it is not valid UTF-8. Send it encoded as UTF-8.', {
    code: 'encoding_invalid',
    fields: [{ field: FILE_FIELD, message: 'the file name is not valid UTF-8 text' }],
  });

/** The one file of the request in field `file`, and the form's other fields. */
export function receiveFile(req: Request, res: Response): Promise<ReceivedFile & { fields: Record<string, unknown> }> {
  if (!req.is('multipart/form-data'))
    return Promise.reject(new UnsupportedMediaTypeError('expected a multipart/form-data body with a "file" field'));
  return new Promise((resolve, reject) => {
    parseOne(req, res, (error: unknown) => {
      if (error instanceof multer.MulterError) {
        if (error.code === 'LIMIT_FILE_SIZE') reject(tooLarge());
        else if (error.code === 'LIMIT_UNEXPECTED_FILE') reject(missing('one file, in this field only'));
        else if (error.code === 'LIMIT_FILE_COUNT') reject(missing(`one file at most, in the field ${FILE_FIELD}`));
        else reject(missing(`the form is not one this API reads (${error.code})`));
        return;
      }
      if (error) {
        reject(missing('the form could not be read'));
        return;
      }
      const { file } = req as Request & { file?: Express.Multer.File };
      if (!file || file.size === 0) {
        reject(missing('required, and not empty'));
        return;
      }
      // busboy reads a file name's bytes that are not valid UTF-8 as U+FFFD: such a name would be stored so.
      if (file.originalname.includes('\uFFFD')) {
        reject(undecodableFileName());
        return;
      }
      resolve({
        content: file.buffer,
        fileName: file.originalname,
        fields: { ...(req.body as Record<string, unknown>) },
      });
    });
  });
}
