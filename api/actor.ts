/**
 * Who is acting. Until real authentication lands, the caller names its agency and user in headers; this is the ONLY
 * module that knows that, so the access-control issue replaces this file and nothing else.
 */
import type { RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import { AppError } from '../app/errors';
import { AGENCY_KINDS, type Actor, type AgencyKind } from '../domain/types';
import { requestIdOf } from './request-id';
import { AgencyIdSchema, UserIdSchema } from './schemas';

export const AGENCY_HEADER = 'X-Agency-Id';
export const USER_HEADER = 'X-User-Id';

/** The kind of a known agency, or null: the agencies table is the list of organisations allowed to act. */
export async function agencyKindOf(pool: Pool, agencyId: string): Promise<AgencyKind | null> {
  const { rows } = await pool.query<{ kind: string }>('SELECT kind FROM agencies WHERE id = $1', [agencyId]);
  const kind = rows[0]?.kind;
  return AGENCY_KINDS.find((known) => known === kind) ?? null;
}

export function identifyActor(pool: Pool): RequestHandler {
  return async (req, res, next) => {
    const agencyId = AgencyIdSchema.safeParse(req.get(AGENCY_HEADER));
    const userId = UserIdSchema.safeParse(req.get(USER_HEADER));
    if (!agencyId.success || !userId.success) {
      throw new AppError('unauthenticated', `Send ${AGENCY_HEADER} and ${USER_HEADER} to say who is acting.`, { code: 'no_actor' });
    }
    const agencyKind = await agencyKindOf(pool, agencyId.data);
    if (!agencyKind) throw new AppError('unauthenticated', 'The agency is not known.', { code: 'unknown_agency' });
    const actor: Actor = { userId: userId.data, agencyId: agencyId.data, agencyKind, requestId: requestIdOf(req) };
    res.locals.actor = actor;
    next();
  };
}

/** The actor `identifyActor` established; calling it on a route without that middleware is a programming error. */
export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Error('no actor on this request: identifyActor() did not run');
  return actor;
}
