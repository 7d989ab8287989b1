/**
 * What a route's handler answers, and the wrapper around a handler (idempotency). Their own module because
 * api/route.ts runs the wrapper and api/idempotency.ts implements it: both import this, neither the other back.
 */
import type { Request, Response } from 'express';

/**
 * Every answer of the API is about cases, people or credentials, so none may be kept by a browser or a proxy: a case's
 * note can name its survivor. Sent with every reply and problem; a route may still say otherwise in its own headers.
 */
export const PRIVATE_ANSWER: Readonly<Record<string, string>> = { 'Cache-Control': 'no-store' };

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json. */
  contentType?: string;
  /**
   * What the call changed, for its audit row only (never sent): in words without values, as only the handler can
   * tell it, having read what was there before ("notification address changed", "roles: officer → supervisor").
   */
  auditChange?: string;
}

/**
 * Runs a validated request through the handler. `around` wraps the handler (idempotency); it receives the parsed
 * body so a request is identified by what it means, not by how its JSON was spaced.
 */
export type HandlerWrapper = (
  req: Request,
  res: Response,
  body: unknown,
  run: (operationId: string) => Promise<Reply>,
) => Promise<Reply | null>;
