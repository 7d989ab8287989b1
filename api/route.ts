/**
 * A route is declared once, as data: method, path, the zod schemas of its inputs, its responses and its handler.
 * `mountRoute` registers it on Express with validation, actor and idempotency; `openApiDocument` describes the very
 * same list. Handlers return a reply instead of writing to `res`, so idempotency can store exactly what was sent.
 */
import type { Express, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Actor } from '../domain/types';
import { actorOf } from './actor';
import { InputError, UnsupportedMediaTypeError, type InputSource } from './problem';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Set on every route that requires an actor (`actor !== false`). */
  actor: Actor;
  req: Request;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Serve as problem+json (an error or readiness answer). */
  problem?: boolean;
}

export interface RouteSpec<P, Q, B> {
  method: 'get' | 'post';
  /** Express path syntax (`/api/cases/:caseId`). */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The route needs an acting agency and user (default true). */
  actor?: boolean;
  /** The route requires an `Idempotency-Key` and replays the stored reply on retry. */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
  // Method syntax on purpose: it makes handlers of specific inputs assignable to the erased `Route` below.
  handle(input: RouteInput<P, Q, B>): Promise<Reply>;
}

/** A route with its input types erased, so routes of different shapes live in one list. */
export type Route = RouteSpec<unknown, unknown, unknown>;

/** Infers a route's input types from its schemas, then erases them for the list. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: RouteSpec<P, Q, B>): Route {
  return spec;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, source: InputSource): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(source, result.error.issues);
  return result.data;
}

export function sendReply(res: Response, reply: Reply): void {
  res.status(reply.status).set(reply.headers ?? {});
  if (reply.status === 204) {
    res.end();
    return;
  }
  res.type(reply.contentType ?? 'application/json').send(JSON.stringify(reply.body));
}

/**
 * Runs a validated request through the handler. `around` wraps the handler (idempotency); it receives the parsed
 * body so a request is identified by what it means, not by how its JSON was spaced.
 */
export type HandlerWrapper = (req: Request, res: Response, body: unknown, run: () => Promise<Reply>) => Promise<Reply | null>;

export interface MountOptions {
  identifyActor: RequestHandler;
  idempotency: HandlerWrapper;
}

export function mountRoute(app: Express, spec: Route, options: MountOptions): void {
  const before: RequestHandler[] = spec.actor === false ? [] : [options.identifyActor];
  app[spec.method](spec.path, ...before, async (req: Request, res: Response) => {
    const params = parse(spec.params, req.params, 'params');
    const query = parse(spec.query, { ...(req.query as Record<string, unknown>) }, 'query');
    const body = spec.body ? parse(spec.body, requireJsonBody(req), 'body') : undefined;
    const input: RouteInput<unknown, unknown, unknown> = {
      params,
      query,
      body,
      req,
      get actor() {
        return actorOf(res);
      },
    };
    const run = () => spec.handle(input);
    const reply = spec.idempotent ? await options.idempotency(req, res, body, run) : await run();
    if (reply) sendReply(res, reply);
  });
}

/** The API speaks JSON only: a body of another type is refused before it is looked at. */
function requireJsonBody(req: Request): unknown {
  if (!req.is('application/json')) {
    throw new UnsupportedMediaTypeError('expected a JSON body (Content-Type: application/json)');
  }
  return req.body as unknown;
}
