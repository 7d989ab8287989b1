/**
 * Who is acting: every request but the few public ones carries `Authorization: Bearer <token>`, an opaque token
 * checked by the access service (app/access-service.ts `authenticate`). The authenticated user becomes the request's
 * Actor, which travels into the workflow so its update validators apply the same rules (domain/access.ts).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { AuditService } from '../app/audit-service';
import { CaseIdSchema } from './schemas';
import { AppError } from '../core/errors';
import type { AccessService } from '../app/access-service';
import type { Actor } from '../domain/types';

/**
 * `Bearer`, in any case, then one space or more (RFC 7235 §2.1: `1*SP`), then the token: `Bearer  <token>`, two
 * spaces, is the same credential, not a 401.
 */
const BEARER = /^Bearer +([\x21-\x7e]{1,200})$/i;
const CHALLENGE = 'Bearer realm="relief-cases"';

/** The token's user and id, as the access service found them, and the Actor made of them. */
type Authenticated = NonNullable<Awaited<ReturnType<AccessService['authenticate']>>> & { actor: Actor };

/**
 * Where a bearer token refused once revoked, expired or its user disabled is audited: the trail, and the budget of its
 * user's refusals (api/rate-limits.ts `refusalAuditBudget`).
 */
export interface RefusedTokenAudit {
  record: AuditService['record'];
  withinBudget(userId: string): Promise<boolean>;
}

export function authenticate(
  access: Pick<AccessService, 'authenticate' | 'refusedToken'>,
  refusals: RefusedTokenAudit,
): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('Authorization');
    if (header === undefined) {
      throw new AppError(
        'unauthenticated',
        'Send Authorization: Bearer <token> (sign in at POST /api/auth/sign-in, or use an API key).',
        {
          code: 'unauthenticated',
          headers: { 'WWW-Authenticate': CHALLENGE },
        },
      );
    }
    const token = BEARER.exec(header)?.[1];
    const found = token === undefined ? null : await access.authenticate(token);
    if (!found) {
      const refused = token === undefined ? null : await access.refusedToken(token);
      if (refused) await auditRefusedToken(refusals, req, refused);
      throw tokenNotValid(refused);
    }
    const { user, tokenId } = found;
    const actor: Actor = {
      userId: user.id,
      agencyId: user.agencyId,
      agencyKind: user.agencyKind,
      roles: user.roles,
      requestId: req.id,
    };
    const authenticated: Authenticated = { actor, user, tokenId };
    res.locals.authenticated = authenticated;
    next();
  };
}

type RefusedToken = NonNullable<Awaited<ReturnType<AccessService['refusedToken']>>>;

/**
 * The 401 of a bearer token that opens nothing. One of ours sent with its right secret once expired says so and when,
 * as RFC 6750 words it (`error_description`): a script's API key runs out on a day its log should name, not among
 * typos ("malformed, unknown"), and whoever holds the secret was told that day when the key was made. Revoked, or its
 * user disabled, it says no more than any token that is not valid: that the person left is not the holder's to learn.
 */
function tokenNotValid(refused: RefusedToken | null): AppError {
  if (refused?.why === 'expired') {
    const at = refused.expiresAt.toISOString();
    return new AppError(
      'unauthenticated',
      refused.kind === 'api_key'
        ? `This API key expired at ${at}: its user makes a new one (POST /api/tokens) for the script to send instead.`
        : `This session expired at ${at}: sign in again.`,
      {
        code: 'invalid_token',
        headers: {
          'WWW-Authenticate': `${CHALLENGE}, error="invalid_token", error_description="The access token expired"`,
        },
      },
    );
  }
  return new AppError(
    'unauthenticated',
    'The token is not valid: malformed, unknown, expired, revoked, or a session left unused too long.',
    { code: 'invalid_token', headers: { 'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"` } },
  );
}

/**
 * A denial the trail records (README "The audit trail"): a token of ours, its secret right, that no longer opens
 * anything (a revoked API key a script still sends, a disabled user's session) names itself, its user and why, the
 * route and the case its path names (by id, and only an id of a case's shape), so a supervisor sees whose revoked key
 * is still in use and on what. A token no one was given names no one and leaves no row: anyone could send one.
 */
async function auditRefusedToken(refusals: RefusedTokenAudit, req: Request, refused: RefusedToken): Promise<void> {
  if (!(await refusals.withinBudget(refused.user.id))) return;
  const caseId = (req.params as { caseId?: string }).caseId;
  const route = (req.route as { path?: unknown } | undefined)?.path;
  await refusals.record({
    action: 'auth.token_refused',
    outcome: 'denied',
    status: 401,
    requestId: req.id,
    user: refused.user,
    caseId: CaseIdSchema.safeParse(caseId).success ? caseId : undefined,
    detail: [`token ${refused.tokenId}`, refused.why, typeof route === 'string' ? `${req.method} ${route}` : undefined]
      .filter(Boolean)
      .join('; '),
  });
}

/**
 * A request may carry one Authorization header. Node keeps only the first of several (`req.headers`), so a second one
 * would be silently ignored, and a proxy or client that added its own would act as whichever came first: the request
 * is refused, 400 `authorization_repeated`, on every path, public ones included, before its body is read.
 */
export const refuseRepeatedAuthorization: RequestHandler = (req, _res, next) => {
  let sent = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'authorization') sent++;
  if (sent <= 1) {
    next();
    return;
  }
  next(
    new AppError('bad_request', 'The request carries more than one Authorization header: send exactly one.', {
      code: 'authorization_repeated',
      fields: [{ field: 'Authorization', message: `sent ${sent} times: send one header with one bearer token` }],
    }),
  );
};

/** The authentication `authenticate` established, or undefined on a public route. */
export function authenticatedOf(res: Response): Authenticated | undefined {
  return res.locals.authenticated as Authenticated | undefined;
}

/** The authentication of an authenticated route; calling it on a public route is a programming error. */
export function authenticationOf(res: Response): Authenticated {
  const authenticated = authenticatedOf(res);
  if (!authenticated) throw new Error('no actor on this request: authenticate() did not run');
  return authenticated;
}

export function actorOf(res: Response): Actor {
  return authenticationOf(res).actor;
}
