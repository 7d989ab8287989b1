/**
 * How much of the service document uploads may take, so that one account's uploads (a runaway script, a stolen
 * token, a panicked double-click on thirty files) never starve everyone else (outside probe Q2: thirty 10 MB uploads
 * at once held every connection of the pool, other users' reads took 6-8 s or failed 503, `/ready` said not ready,
 * and PostgreSQL grew by 1.5 GB in two minutes). The numbers, and why, are in the README's Documents section.
 *
 * - Uploads in flight, per user across every API process and per API process, counted from before the body is read
 *   to the answer: one over either limit is refused at once, 429 with Retry-After (and the RateLimit headers), its body
 *   never read. A user's are counted in PostgreSQL with the rate limits (app/rate-counts.ts), so N processes behind a
 *   load balancer take their 2, not 2N; a process's are its own memory's, which is what they bound.
 * - The pool's share: an upload's writes (the sealed 10 MB row) use at most `writeConnections` of the pool's
 *   connections at a time; the others wait their turn outside the pool, so reads and the readiness check always find
 *   a connection.
 * - Quotas: documents per step and bytes per case, refused with the field named (db/documents.ts checks them with the
 *   row's insert, under a lock of the case, so two uploads at once cannot both pass the last place).
 */
import { AppError } from '../core/errors';
import { limitedHeaders } from './limited-headers';
import type { RateCounts } from './rate-counts';

export interface DocumentLimits {
  /** Uploads one user may have in flight at once, in all the API processes together. */
  uploadsPerUser: number;
  /** Uploads in flight at once in one API process, whoever sends them. */
  uploadsPerProcess: number;
  /** The pool's connections the uploads' writes may use at once. */
  writeConnections: number;
  /** Documents a step may hold (one opened again after a correction is another step). */
  documentsPerStep: number;
  /** Bytes of documents (plain content) a case may hold, all its steps together. */
  bytesPerCase: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  uploadsPerUser: 2,
  uploadsPerProcess: 4,
  writeConnections: 2,
  documentsPerStep: 20,
  bytesPerCase: 200 * 1024 * 1024,
};

/** How long a refused upload should wait before it is sent again: a 10 MB upload takes about a second. */
const RETRY_AFTER_MS = 5_000;

/**
 * A refusal's headers: the wait, as every 429 says it (app/limited-headers.ts; `"<n>-at-once"`, counted in concurrent
 * requests, with no window), and `Connection: close`: Node would otherwise read the rest of the refused body (up to
 * 10 MB) to keep the connection for another request, and 27 refused bodies drained at once held the reads of everyone
 * else (bench/upload-bench.ts: the coordinator's reads 1.3 s at the median, 82 ms with the connection closed). `userId`:
 * whose uploads are counted, none for the process's, which counts everyone's.
 */
function refused(limit: number, userId?: string): Record<string, string> {
  const now = Date.now();
  const policy = { policy: `${limit}-at-once`, quota: limit, unit: 'concurrent-requests' as const };
  const headers = limitedHeaders({ ...policy, key: userId, until: new Date(now + RETRY_AFTER_MS) }, now);
  return { ...headers, Connection: 'close' };
}

/**
 * How long a user's place among the uploads in flight is held at most: longer than an upload takes (Node's 300 s to
 * receive a request, then the sealed row's write), so a place is given back by its upload's end, and by this only
 * when its process died holding it (a place of a SIGKILLed process is free again this long after it was taken).
 */
const UPLOAD_PLACE_MS = 6 * 60_000;

/** The shared count of a user's `place`-th upload in flight. */
const placeKey = (userId: string, place: number) => `upload_in_flight:${userId}:${place}`;

/**
 * The uploads in flight: `enter` takes a place (or refuses, 429), the returned function gives it back. A user's
 * places are the shared counts' (`counts`, PostgreSQL): each is a count of its own, taken by the hit that finds it at
 * none and given back by taking that hit back, so every process sees the same places taken; a hit that finds one taken
 * is taken back at once and the next is tried. The process's are counted here, in its memory, which they bound.
 */
export function createUploadGate(
  limits: Pick<DocumentLimits, 'uploadsPerUser' | 'uploadsPerProcess'>,
  counts: RateCounts,
) {
  let total = 0;
  /** A free place of the user's, taken; undefined when all are. */
  const takePlace = async (userId: string): Promise<string | undefined> => {
    for (let place = 0; place < limits.uploadsPerUser; place += 1) {
      const key = placeKey(userId, place);
      if ((await counts.hit(key, UPLOAD_PLACE_MS)).hits === 1) return key;
      await counts.unhit(key);
    }
    return undefined;
  };
  return {
    async enter(userId: string): Promise<() => Promise<void>> {
      const place = await takePlace(userId);
      if (place === undefined)
        throw new AppError(
          'too_many_requests',
          `You already have ${limits.uploadsPerUser} uploads under way, the most one person may send at once: wait for one to finish, then send this one again.`,
          { code: 'too_many_uploads', headers: refused(limits.uploadsPerUser, userId) },
        );
      if (total >= limits.uploadsPerProcess) {
        await counts.unhit(place);
        throw new AppError(
          'too_many_requests',
          `The service is receiving ${total} uploads already, the most it takes at once: send this one again in a few seconds.`,
          { code: 'uploads_busy', headers: refused(limits.uploadsPerProcess) },
        );
      }
      total += 1;
      let left = false;
      return async () => {
        if (left) return;
        left = true;
        total -= 1;
        // Not given back (PostgreSQL unreachable just then): the place is free again once its time is up. The upload's
        // answer stands either way: a document stored is not answered as a failure because of its place.
        await counts.unhit(place).catch(() => undefined);
      };
    },
  };
}
