/**
 * The one application error type: each carries its HTTP meaning, so the API's single error handler can answer
 * with `application/problem+json` without knowing where the error came from.
 */
import { isGrpcServiceError } from '@temporalio/client';
import { IdentityKeyMissingError } from './identity-cipher';

export interface FieldProblem {
  /** Dotted path of the offending input, e.g. "details.validUntil". */
  field: string;
  message: string;
}

export type ProblemKind =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'unprocessable'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable';

const STATUS: Record<ProblemKind, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
};

export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly options: { code?: string; fields?: FieldProblem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[kind];
  }
}

/** The parts the service cannot answer without; when one is down a request is worth retrying, not reporting. */
export type Dependency = 'postgres' | 'temporal';

/** Seconds a client should wait before retrying a request refused because a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

const OUTAGE_DETAIL: Record<Dependency, string> = {
  postgres: 'The database (PostgreSQL) cannot be reached. Retry shortly.',
  temporal: 'The workflow service (Temporal) cannot be reached or did not answer in time. Retry shortly.',
};

/**
 * The AppError an error stands for: itself, or a 503 with Retry-After when it shows that PostgreSQL or Temporal is
 * unreachable. The API's one error path (api/problem.ts) asks this, so an outage is never a 500, wherever it surfaces.
 */
export function asAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof IdentityKeyMissingError) {
    // Not to be retried soon: it opens only once an operator puts the key back in IDENTITY_KEYS.
    return new AppError(
      'unavailable',
      `This is sealed under identity key ${error.keyId}, which the service's keyring no longer holds: it cannot be ` +
        'opened until an operator puts that key back in IDENTITY_KEYS. Nothing was changed.',
      { code: 'identity_key_missing' },
    );
  }
  if (isObject(error) && error.code === PG_DISK_FULL) {
    // Not over in seconds, and not the network: said as such, so whoever reads the answer or the log frees space.
    return new AppError(
      'unavailable',
      'The database (PostgreSQL) has no space left on its disk, so nothing more can be written. The request may still ' +
        'be applied: retry it with the same Idempotency-Key once an operator has freed space (docs/runbook.md, ' +
        '"A disk is full").',
      { code: 'postgres_disk_full', headers: { 'Retry-After': String(DISK_FULL_RETRY_AFTER_SECONDS) } },
    );
  }
  const down = unavailableDependency(error);
  if (!down) return undefined;
  return new AppError('unavailable', outageDetail(error, down), {
    code: `${down}_unavailable`,
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}

/**
 * What a 503 says of the dependency: down, unless the error shows it answering. Not an outage but load, or a server
 * that answers and refuses one more connection: said as such, so neither a client nor whoever reads the log (or
 * /ready, which answers on a connection the pool already holds) looks for a server that is down.
 */
function outageDetail(error: unknown, down: Dependency): string {
  if (!isObject(error)) return OUTAGE_DETAIL[down];
  if (error.message === PG_POOL_BUSY) return POOL_BUSY_DETAIL;
  if (error.code === PG_TOO_MANY_CONNECTIONS) return TOO_MANY_CONNECTIONS_DETAIL;
  return OUTAGE_DETAIL[down];
}

/**
 * SQLSTATE too_many_connections: PostgreSQL answers, and refuses a new connection because it has as many as
 * `max_connections` allows ("sorry, too many clients already"), or as the role's or the database's CONNECTION LIMIT.
 */
const PG_TOO_MANY_CONNECTIONS = '53300';
const TOO_MANY_CONNECTIONS_DETAIL =
  'The database (PostgreSQL) refuses new connections: it already has as many as it allows. Retry shortly ' +
  '(docs/runbook.md, "PostgreSQL refuses connections").';

/** SQLSTATE disk_full: PostgreSQL could not extend a table, an index or its write-ahead log. */
const PG_DISK_FULL = '53100';
/** A full disk lasts until someone frees space: a client retries a minute later, not every 5 s. */
const DISK_FULL_RETRY_AFTER_SECONDS = 60;

/** Which dependency an error shows to be unreachable, if any. */
export function unavailableDependency(error: unknown): Dependency | undefined {
  if (isTemporalUnavailable(error)) return 'temporal';
  if (isPostgresUnavailable(error)) return 'postgres';
  return undefined;
}

/**
 * gRPC's UNAVAILABLE (14: nothing answers; the client has already retried it up to its deadline) and
 * DEADLINE_EXCEEDED (4: no answer in time). The client wraps the gRPC error as the `cause` of its own errors
 * (ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError), so the chain is walked.
 */
const GRPC_UNREACHABLE_CODES = new Set([4, 14]);

function isTemporalUnavailable(error: unknown): boolean {
  return inCauses(error, (cause) => isGrpcServiceError(cause) && GRPC_UNREACHABLE_CODES.has(cause.code));
}

/** gRPC's FAILED_PRECONDITION (9), as a set as the codes above are (the client types a code as grpc-js's own enum). */
const GRPC_FAILED_PRECONDITION = new Set([9]);

/**
 * Temporal's refusal of an update while the workflow's last task failed ("Unable to perform workflow execution update
 * due to Workflow Task in failed state", a WorkflowNotReadyFailure): a task the worker could not complete, such as an
 * update sent around the service that it cannot decode, or workflow code that no longer replays. Temporal retries the
 * task; the update was never taken, so the same request is worth sending again.
 */
export function isWorkflowTaskFailed(error: unknown): boolean {
  return inCauses(
    error,
    (cause) =>
      isGrpcServiceError(cause) &&
      GRPC_FAILED_PRECONDITION.has(cause.code) &&
      cause.details.includes('Workflow Task in failed state'),
  );
}

/** Whether the error or one of its causes (the Temporal client wraps the gRPC error in its own) is such. */
function inCauses(error: unknown, such: (cause: Record<string, unknown>) => boolean): boolean {
  for (let current = error, depth = 0; isObject(current) && depth < 5; current = current.cause, depth += 1) {
    if (such(current)) return true;
  }
  return false;
}

/**
 * SQLSTATEs meaning "the server is not there for you now": class 08 (connection exception), 57P01-57P03 (shut down
 * by an administrator, crashed, starting up or shutting down) and 53300 (too many connections).
 */
const PG_UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', PG_TOO_MANY_CONNECTIONS]);
/** Socket errors of a connection attempt or a live connection (node-postgres passes them on unwrapped). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres's error for a query unanswered within the pool's `query_timeout` (db/pool.ts): a silent server. */
export const PG_QUERY_TIMEOUT = 'Query read timeout';
/**
 * node-postgres's pool, when every connection stayed in use for its `connectionTimeoutMillis` (db/pool.ts) while the
 * request waited for one: the service is busy, PostgreSQL itself answering (a new connection that cannot be made in
 * that time fails as 'Connection terminated due to connection timeout').
 */
const PG_POOL_BUSY = 'timeout exceeded when trying to connect';
const POOL_BUSY_DETAIL = 'Every connection to the database (PostgreSQL) is in use. Retry shortly.';
/** What node-postgres and its pool say, without a code, when a connection cannot be made or is lost. */
const PG_CONNECTION_MESSAGES = [
  PG_POOL_BUSY,
  'Connection terminated due to connection timeout',
  'Connection terminated unexpectedly',
  'Client has encountered a connection error and is not queryable',
  PG_QUERY_TIMEOUT,
];

/**
 * Only the error itself is looked at, not its causes: node-postgres throws these as they are, while a socket error
 * wrapped by something else (a fetch to an identity provider) is that other part's to explain.
 */
function isPostgresUnavailable(error: unknown): boolean {
  if (!isObject(error)) return false;
  const { code, message } = error;
  if (typeof code === 'string' && (code.startsWith('08') || PG_UNAVAILABLE_STATES.has(code) || SOCKET_CODES.has(code)))
    return true;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.includes(message);
}

/** Not `instanceof Error`: a socket error is made by Node itself, which under a test runner is another realm. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
