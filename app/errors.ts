/**
 * The one application error type: each carries its HTTP meaning, so the API's single error handler can answer
 * with `application/problem+json` without knowing where the error came from.
 */
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
  | 'conflict'
  | 'unprocessable'
  | 'payload_too_large'
  | 'too_many_requests'
  | 'unavailable';

const STATUS: Record<ProblemKind, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
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
