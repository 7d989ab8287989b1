/**
 * `Idempotency-Key` for the requests that create or sign: a retried request is applied once and answered with the
 * reply of the first. The key is scoped by route and user, so two users can never collide or read each other's
 * replies; reusing a key for a different request (other body or other case) is the client's error, not a replay.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError } from '../core/errors';
import { isIdempotencyKey } from '../core/idempotency-key';
import type { IdempotencyService } from '../app/idempotency-service';
import { actorOf } from './auth';
import { PROBLEM_CONTENT_TYPE, problem, problemFor } from './problem';
import type { HandlerWrapper, Reply } from './reply';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** What is kept of a reply: enough to send it again byte for byte. */
interface StoredReply {
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

/**
 * `answeredFromStore` runs when the store answers a request rather than its handler (a replay, "still in progress"):
 * no write was attempted, so the write limit gives its hit back (api/rate-limits.ts `writeGiveBack`).
 */
export function idempotency(
  store: IdempotencyService,
  answeredFromStore: (req: Request) => Promise<void>,
): HandlerWrapper {
  return async (req: Request, res: Response, body: unknown, run: (operationId: string) => Promise<Reply>) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (!isIdempotencyKey(key)) {
      throw new AppError(
        'bad_request',
        `This request needs an ${IDEMPOTENCY_HEADER} header: 8 to 255 visible ASCII characters, unique per operation.`,
        {
          code: 'idempotency_key_required',
          fields: [
            {
              field: IDEMPOTENCY_HEADER,
              message: key === undefined ? 'required' : 'expected 8 to 255 visible ASCII characters',
            },
          ],
        },
      );
    }
    const pattern = String((req.route as { path: unknown }).path);
    const scope = `${req.method} ${pattern} @${actorOf(res).userId}`;
    // The path is part of the request as the route reads it, its pattern and parameter values: the same key sent to
    // another case is a different request, but `/api/cases/`, `/API/Cases` and `/api/cases` (which Express routes to
    // one handler) are one, so a proxy's retry in another spelling replays.
    const requestHash = createHash('sha256')
      .update(canonicalJson({ path: pathOf(pattern, req.params), body }))
      .digest('hex');

    // Names the write itself: a retry of this request names the same case and the same update, a different request
    // under the same key (after the key expired) another one.
    const operationId = createHash('sha256').update(`${scope}\n${key}\n${requestHash}`).digest('base64url');

    const claimed = await store.claim(scope, key, requestHash);
    if (claimed === 'conflict') {
      throw new AppError(
        'unprocessable',
        `This ${IDEMPOTENCY_HEADER} was already used for a different request: send a different request under a new key.`,
        {
          code: 'idempotency_key_reused',
          fields: [
            {
              field: IDEMPOTENCY_HEADER,
              message: 'already used for a different request (another body or path): use a new key for this one',
            },
          ],
        },
      );
    }
    if (typeof claimed === 'object' && 'inProgress' in claimed) {
      await answeredFromStore(req);
      // Not "1" over and over: when the first request's process died, a retry is taken up no sooner than the claim's
      // lease runs out, so the wait said is until then (a live process answers the first request sooner).
      const seconds = Math.max(1, Math.ceil(claimed.inProgress.takeOverInMs / 1000));
      const busy = problem(409, req.id, {
        detail:
          `A request with this ${IDEMPOTENCY_HEADER} is still being processed; retry in ${seconds} s: by then it ` +
          'has been answered, or its process has stopped and your retry takes it over.',
        code: 'idempotency_in_progress',
      });
      return {
        status: 409,
        body: busy,
        contentType: PROBLEM_CONTENT_TYPE,
        headers: { 'Retry-After': String(seconds) },
      };
    }
    if (claimed !== 'new') {
      await answeredFromStore(req);
      const stored = claimed.replay.body as StoredReply;
      return {
        status: claimed.replay.statusCode,
        body: stored.body,
        contentType: stored.contentType,
        headers: { ...stored.headers, [REPLAYED_HEADER]: 'true' },
      };
    }

    let reply: Reply;
    try {
      reply = await run(operationId);
    } catch (error) {
      const answer = problemFor(error, req.id);
      if (!answer || answer.status >= 500) {
        // Our fault or a dependency's: free the key so the client's retry of this request is attempted again, not
        // refused. The key stays bound to this request: the write may still be applied, so a changed request under
        // it is refused (idempotency_key_reused), never a second case.
        await store.release(scope, key);
        throw error;
      }
      // A refusal is an answer: the same request retried gets the same refusal.
      reply = { status: answer.status, body: answer, contentType: PROBLEM_CONTENT_TYPE };
    }
    const stored: StoredReply = { body: reply.body, headers: reply.headers, contentType: reply.contentType };
    await store.complete(scope, key, reply.status, stored).catch(async (error: unknown) => {
      // Never leave a key "in progress" for a day because its answer could not be stored.
      await store.release(scope, key);
      throw error;
    });
    return reply;
  };
}

/**
 * The request's path spelled one way: the route's pattern with its parameter values in place. For the path as
 * clients spell it (lower case, no trailing slash) it is that path, so keys stored before it was read this way still
 * match their retries.
 */
function pathOf(pattern: string, params: Record<string, string | string[]>): string {
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const value = String(params[name] ?? '');
    // A case id is read in either case (the same case): spelled one way, so a retry in the other replays.
    return encodeURIComponent(UUID.test(value) ? value.toLowerCase() : value);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** JSON with object keys sorted, so equal requests hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
