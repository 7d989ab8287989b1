/**
 * A write through the API as a demo agency's user, for tests that walk a case by its requests: one way of sending it,
 * with its Idempotency-Key, and of checking it was taken.
 */
import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type { AgencyKind } from '../../domain/types';

/** What a write needs of a test's service: its app, and the bearer headers of the demo user of an agency kind. */
export interface WritingService {
  app: Express;
  as(kind: AgencyKind): { Authorization: string };
}

/**
 * POSTs `body` to `path` as the demo user of `as`, under `key` (a new one, unless a test sends a request again): its
 * answer's body, which must be 200 or 201.
 */
export async function writeAs<Body>(
  service: WritingService,
  as: AgencyKind,
  path: string,
  body: object,
  key: string = randomUUID(),
): Promise<Body> {
  const response = await request(service.app)
    .post(path)
    .set(service.as(as))
    .set('Idempotency-Key', key)
    .send(body)
    .expect((res) => expect([200, 201]).toContain(res.status));
  return response.body as Body;
}
