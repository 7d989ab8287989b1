/**
 * A route is declared once, as data: method, path, the zod schemas of its inputs, who may call it, what the audit
 * trail records of it, its responses and its handler. `mountRoute` registers it on Express with authentication,
 * rate limiting, permission, validation, idempotency and audit; `openApiDocument` describes the very same list.
 * Handlers return a reply instead of writing to `res`, so idempotency can store exactly what was sent.
 */
import { trace } from '@opentelemetry/api';
import { Router, type Express, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../core/errors';
import type { AuditOutcome, AuditService } from '../app/audit-service';
import type { Actor } from '../domain/types';
import { actorOf, authenticatedOf, authenticationOf } from './auth';
import { REPLAYED_HEADER } from './idempotency';
import { signOffDetailNames } from '../domain/steps';
import { fieldNamesOf, readsAsTypoOf, withheldNamesWords } from '../domain/unknown-names';
import { inWords } from './input-words';
import { InputError, problemFor, UnsupportedMediaTypeError, type InputSource } from './problem';
import { PRIVATE_ANSWER, type HandlerWrapper, type Reply } from './reply';

interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Set on every route that requires an actor (`actor !== false`). */
  actor: Actor;
  /** The id of the bearer token the request was authenticated with. */
  tokenId: string;
  /** On idempotent routes: the same on every retry of this request (see api/idempotency.ts), for the write side. */
  operationId?: string;
  req: Request;
  /** For a handler that reads the body itself (an upload, api/uploads.ts), which needs the response too. */
  res: Response;
}

interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Serve as problem+json (an error or readiness answer). */
  problem?: boolean;
  /**
   * Another media type than JSON (e.g. `text/calendar`); the reply's body is then sent as the text it is. Several:
   * each answer is one of them, as the reply says (a document, of its own type).
   */
  contentType?: string | readonly string[];
  /** Another media type the same answer may be served as, as text (e.g. `text/csv` on `?format=csv`). */
  alsoAs?: string;
  /** The headers of its own the answer carries (`Location`, `Content-Disposition`), each with what it says. */
  headers?: Record<string, string>;
}

export interface RouteSpec<P, Q, B> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express path syntax (`/api/cases/:caseId`). */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType<P>;
  /** The query parameters it reads; without one, it reads none, and refuses any sent (unless `anyQuery`). */
  query?: z.ZodType<Q>;
  /**
   * Not a route of the JSON API but an endpoint read by another program (a calendar app, Prometheus, the Temporal
   * Web UI, a load balancer's probe), which may add parameters of its own (a cache buster, a scrape's `params`): it
   * reads none and refuses none. Every other route refuses a query parameter it does not read.
   */
  anyQuery?: true;
  body?: z.ZodType<B>;
  /** The route needs an authenticated user (default true). */
  actor?: boolean;
  /** Who may call it, beyond being signed in; others get 403 (audited). */
  allow?: Permission;
  /**
   * The audit trail's name for this action: every call is recorded with its outcome. Routes without one are
   * recorded only when they deny access (403).
   */
  audit?: string;
  /**
   * For a read that opens sealed data for some readers only (a document's file name, a step's note): the audit
   * trail's name for the answers that showed any, as `disclosed` tells from the answer its reader gets (after
   * `reveal`). Those are recorded as `audit` records every call, before they leave, naming the case and step, never
   * what was shown; an answer that showed nothing is not recorded, and a refusal is, as on any route.
   */
  auditDisclosure?: { action: string; disclosed(body: unknown): boolean };
  /**
   * `false` keeps the route out of the OpenAPI document: an endpoint whose protocol is another program's (Prometheus'
   * `/metrics`, the Temporal Web UI's codec server), not this API's.
   */
  documented?: false;
  /**
   * What the audit row names beyond the route (e.g. a report's period, a document's id), from the validated query and
   * path, and the answer's body when there is one.
   */
  auditDetail?(query: Q, params: P, body?: unknown): string | undefined;
  /**
   * The step the audit row names when the path names none, from a successful answer's body (a document removed: the
   * step it was on, which nothing else keeps once it is gone).
   */
  auditStep?(body: unknown): string | undefined;
  /**
   * The answer holds the moment it was read (the API clock, e.g. `/api/me`'s `now`, a report's `asOf`): no two reads
   * are the same, and a 304 would hand back a stored answer whose moment is past as if it were now. It is sent with no
   * ETag and never answered 304, and the OpenAPI document lists neither ETag, 304 nor If-None-Match. `'json'`: only its
   * JSON answer holds it; its other media type (`alsoAs`: the compliance report's CSV, which has no `asOf`) is tagged
   * and answered 304 as any, as the document says.
   */
  answersAsOfNow?: true | 'json';
  /** The route reads one file from a multipart/form-data body itself (api/uploads.ts): described so in OpenAPI. */
  upload?: { field: string; description: string };
  /**
   * Which rate limit applies; by default every authenticated POST counts as a write, and an authenticated GET counts
   * as an audited read only when it writes an audit row (`MountOptions.auditedRead`).
   */
  rateLimit?: RateLimitName | 'none';
  /** The route requires an `Idempotency-Key` and replays the stored reply on retry. */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
  /**
   * Shapes a successful reply for its reader after idempotency stored it: the stored reply keeps what must not be
   * kept in the clear sealed (a step's note), and every answer, first or replayed, is shown as its reader may see it
   * now (it may read the database to tell: a replay comes after the reader's access may have changed).
   */
  reveal?(body: unknown, input: RouteInput<P, Q, B>, replayed: boolean): unknown;
  // Method syntax on purpose: it makes handlers of specific inputs assignable to the erased `Route` below.
  handle(input: RouteInput<P, Q, B>): Promise<Reply>;
}

export interface Permission {
  test(actor: Actor): boolean;
  /** Completes "This needs …", e.g. "the supervisor or admin role". */
  needs: string;
}

export type RateLimitName = 'sign_in' | 'password_check' | 'write' | 'calendar_feed' | 'codec';

/** A route with its input types erased, so routes of different shapes live in one list. */
export type Route = RouteSpec<unknown, unknown, unknown>;

/** Infers a route's input types from its schemas, then erases them for the list. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  spec: RouteSpec<P, Q, B>,
): Route {
  return spec;
}

/** Deeper than any input of this API; a deeper one only costs stack and time to whoever walks it. */
const MAX_INPUT_DEPTH = 16;

/**
 * The names of a JavaScript object's own machinery, never a field of this API. A record of free keys (a sign-off's
 * `details`) would drop `__proto__` without a word (zod skips it, so nothing merges into a prototype, but the client is
 * not told) and pass the others on: each is refused wherever it is, as the unknown field it is, and named (a word of
 * JavaScript, not text about a person).
 */
const PROTOTYPE_WORDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses what no schema should have to meet: NUL characters (PostgreSQL text cannot hold them), absurd nesting, and
 * a key naming an object's prototype machinery (`PROTOTYPE_WORDS`) at any depth. Walks with an explicit stack, so a
 * 10,000-deep body cannot overflow ours. `names`: those the input may hold (a query's parameters, a body's fields at
 * any depth), asked only for a refusal; one inside a name that is none of them nor a typo of one
 * (`?Jane%20Example=%00`, `{"details": {"Maria Lopez": "\u0000"}}`) is refused where that name begins, which it does
 * not repeat, as the unknown one is not named (`unknownNamesWithheld`). An array's positions are never withheld.
 */
function refuseHostileShape(
  value: unknown,
  source: InputSource,
  names: { noun: 'parameter' | 'field'; known: () => readonly string[] },
): void {
  const pending: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  const prototypeKeys: z.core.$ZodIssue[] = [];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { path: at } = item;
    // Where the refusal may point: up to the first name the input may not hold, if any (asked only to refuse).
    const shown = () => {
      const known = names.known();
      const unknownAt = at.findIndex(
        (name) => typeof name === 'string' && !known.includes(name) && !readsAsTypoOf(name, known),
      );
      return unknownAt === -1 ? { path: at, withheld: false } : { path: at.slice(0, unknownAt), withheld: true };
    };
    const problem = (message: string) => {
      const { path, withheld } = shown();
      return new InputError(source, [
        {
          code: 'custom',
          path,
          message: withheld ? `${message}, in ${withheldNamesWords(1, names.noun)}` : message,
          input: undefined,
        },
      ]);
    };
    if (typeof item.value === 'string' && item.value.includes('\0')) throw problem('must not contain NUL characters');
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.path.length >= MAX_INPUT_DEPTH) throw problem(`nested deeper than ${MAX_INPUT_DEPTH} levels`);
    const entries = Object.entries(item.value);
    const keys = entries.map(([key]) => key).filter((key) => PROTOTYPE_WORDS.has(key));
    if (keys.length > 0)
      prototypeKeys.push({ code: 'unrecognized_keys', keys, path: shown().path, message: 'unknown field' });
    for (const [key, child] of entries) {
      if (key.includes('\0')) throw problem('a key must not contain NUL characters');
      // What a refused key holds is not looked into: it is refused whole. An array's keys are its positions.
      if (!PROTOTYPE_WORDS.has(key))
        pending.push({ value: child, path: [...at, Array.isArray(item.value) ? Number(key) : key] });
    }
  }
  if (prototypeKeys.length > 0) throw new InputError(source, prototypeKeys);
}

/**
 * The query of a route that reads none: every parameter sent is refused as unknown, in the words a route that reads
 * some refuses one it does not (`unknownNamesWithheld`), where it used to be ignored without a word.
 */
const NO_QUERY = z.strictObject({});

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, source: InputSource): T {
  if (!schema) return undefined as T;
  refuseHostileShape(
    value,
    source,
    source === 'query'
      ? { noun: 'parameter', known: () => queryNamesOf(schema) }
      : { noun: 'field', known: () => [...fieldNamesOf(schema), ...signOffDetailNames()] },
  );
  // A schema's own messages win; where it has none, the refusal says what the field must be (api/input-words.ts).
  const result = schema.safeParse(value, { error: inWords });
  if (!result.success)
    throw new InputError(
      source,
      source === 'query'
        ? unknownNamesWithheld(sentOnce(value, result.error.issues, schema), queryNamesOf(schema), 'parameter')
        : source === 'body'
          ? unknownNamesWithheld(result.error.issues, fieldNamesOf(schema), 'field')
          : result.error.issues,
    );
  return result.data;
}

/** The query parameters a route reads (its query schema's fields), none for a route that reads none. */
function queryShapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return queryShapeOf(schema.in as z.ZodType);
  return {};
}

/** The names of the query parameters a route reads (its query schema's keys), none for a route that reads none. */
export function queryNamesOf(schema: z.ZodType | undefined): string[] {
  return Object.keys(queryShapeOf(schema));
}

/** Whether a parameter takes a list, each value a repetition of it (`dueAfterExcept`), through optionals and pipes. */
function takesAList(field: z.ZodType): boolean {
  if (field instanceof z.ZodArray) return true;
  if (field instanceof z.ZodOptional || field instanceof z.ZodDefault) return takesAList(field.unwrap() as z.ZodType);
  if (field instanceof z.ZodPipe) return takesAList(field.out as z.ZodType);
  return false;
}

/**
 * A query parameter the route does not read, or a body field it does not take, is refused, and named in the refusal
 * only when its name reads as a typo of one it reads (domain/unknown-names.ts, the rule the case's own schemas follow
 * for a sign-off's details): any other reads "an unknown parameter" (or "field") instead, where the unknown name was.
 */
function unknownNamesWithheld(
  issues: z.core.$ZodIssue[],
  known: readonly string[],
  noun: 'parameter' | 'field',
): z.core.$ZodIssue[] {
  return issues.flatMap((issue): z.core.$ZodIssue[] => {
    if (issue.code !== 'unrecognized_keys') return [issue];
    const named = issue.keys.filter((key) => readsAsTypoOf(key, known));
    const withheld = issue.keys.length - named.length;
    return [
      ...(named.length > 0 ? [{ ...issue, keys: named }] : []),
      ...(withheld > 0
        ? [
            {
              code: 'custom' as const,
              path: issue.path,
              input: undefined,
              message: withheldNamesWords(withheld, noun),
            },
          ]
        : []),
    ];
  });
}

/**
 * A query parameter takes one value, but for those a route reads as a list (`dueAfterExcept`, repeated for each): one
 * sent twice (`limit=5&limit=6`) arrives as a list, which the schema refuses in words that do not say why ("expected
 * number, received NaN"). Its refusal says so, then what is expected. A list's own refusal is said as it is: "send it
 * once" would tell a client to stop repeating the parameter it is told to repeat.
 */
function sentOnce(query: unknown, issues: z.core.$ZodIssue[], schema: z.ZodType): z.core.$ZodIssue[] {
  const given = query as Record<string, unknown>;
  const shape = queryShapeOf(schema);
  return issues.map((issue) => {
    const [name] = issue.path;
    const values = typeof name === 'string' ? given[name] : undefined;
    const field = typeof name === 'string' && Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (!Array.isArray(values) || issue.path.length !== 1 || (field && takesAList(field))) return issue;
    return {
      ...issue,
      message: `sent ${values.length === 2 ? 'twice' : `${values.length} times`}: send it once (${issue.message})`,
    };
  });
}

/** Whether a successful answer holds the moment it was read (`Route.answersAsOfNow`): then it has no ETag. */
function asOfNow(spec: Route, reply: Reply): boolean {
  if (reply.status >= 300 || !spec.answersAsOfNow) return false;
  return spec.answersAsOfNow === true || (reply.contentType ?? 'application/json').startsWith('application/json');
}

function sendReply(res: Response, reply: Reply, untagged: boolean): void {
  res.status(reply.status).set({ ...PRIVATE_ANSWER, ...reply.headers });
  if (reply.status === 204) {
    res.end();
    return;
  }
  // A text answer of its own type (Prometheus' format) and bytes (a document) go as they are; anything else is JSON.
  const asIs =
    Buffer.isBuffer(reply.body) || (typeof reply.body === 'string' && reply.contentType?.startsWith('text/'));
  const payload = asIs ? (reply.body as string | Buffer) : JSON.stringify(reply.body);
  res.type(reply.contentType ?? 'application/json');
  // Express's send tags every answer with an ETag and answers a matching If-None-Match 304: not one of the moment.
  if (untagged) res.end(payload);
  else res.send(payload);
}

export interface MountOptions {
  authenticate: RequestHandler;
  idempotency: HandlerWrapper;
  rateLimits: Record<RateLimitName, RequestHandler>;
  /** Where the audit trail is written. */
  audit: AuditService['record'];
  /**
   * Counts a GET's audit row against the user's limit of audited reads, or of refused reads when the answer is a
   * refusal (`refused`, a status of 400 or more), just before the row is written; past it, throws the 429 that is
   * answered instead, with no row and none of the handler's answer. A plain read that writes no row is never counted:
   * no write on the read path.
   */
  auditedRead: (req: Request, res: Response, refused: boolean) => Promise<void>;
}

/**
 * With tracing on (app/tracing.ts), names the request's span by its route, `POST /api/cases/:caseId/...` rather than
 * `POST`, as the Express instrumentation would if it supported Express 5. Off, there is no span and nothing to do.
 */
function nameSpan(spec: Route): RequestHandler {
  const name = `${spec.method.toUpperCase()} ${spec.path}`;
  return (_req, _res, next) => {
    trace.getActiveSpan()?.setAttribute('http.route', spec.path).updateName(name);
    next();
  };
}

export function mountRoute(app: Express, spec: Route, options: MountOptions): void {
  const before: RequestHandler[] = [nameSpan(spec), ...(spec.actor === false ? [] : [options.authenticate])];
  const limit = rateLimitOf(spec);
  if (limit !== 'none' && limit !== 'audited_read') before.push(options.rateLimits[limit]);
  app[spec.method](spec.path, ...before, async (req: Request, res: Response) => {
    let params: unknown;
    let query: unknown;
    let reply: Reply | null;
    try {
      if (spec.allow && !spec.allow.test(actorOf(res))) {
        throw new AppError('forbidden', `This needs ${spec.allow.needs}.`, { code: 'role_not_permitted' });
      }
      params = parse(spec.params, req.params, 'params');
      if (!spec.anyQuery) query = parse(spec.query ?? NO_QUERY, { ...(req.query as Record<string, unknown>) }, 'query');
      const body = spec.body ? parse(spec.body, requireJsonBody(req), 'body') : undefined;
      const input: RouteInput<unknown, unknown, unknown> = {
        params,
        query,
        body,
        req,
        res,
        get actor() {
          return actorOf(res);
        },
        get tokenId() {
          return authenticationOf(res).tokenId;
        },
      };
      reply = spec.idempotent
        ? await options.idempotency(req, res, body, (operationId) => spec.handle(Object.assign(input, { operationId })))
        : await spec.handle(input);
      if (reply && spec.reveal && reply.status < 300)
        reply = { ...reply, body: await spec.reveal(reply.body, input, isReplay(reply)) };
    } catch (error) {
      const known = problemFor(error, req.id);
      await audit(options, spec, req, res, { params, query, status: known?.status ?? 500, code: known?.code });
      throw error;
    }
    if (reply) {
      // A refusal may come back as a reply (idempotency stores and replays 4xx answers too): its code is in the body.
      const body = reply.body as { caseId?: unknown; code?: unknown } | null;
      const replayed = isReplay(reply);
      const code = reply.status >= 400 && typeof body?.code === 'string' ? body.code : undefined;
      await audit(options, spec, req, res, {
        params,
        query,
        body: reply.status < 300 ? reply.body : undefined,
        disclosed: reply.status < 300 && spec.auditDisclosure?.disclosed(reply.body) === true,
        status: reply.status,
        code: [code, replayed ? 'replayed' : undefined].filter(Boolean).join('; ') || undefined,
        createdCaseId: typeof body?.caseId === 'string' ? body.caseId : undefined,
        stepId: reply.status < 300 ? spec.auditStep?.(reply.body) : undefined,
        change: reply.status < 300 ? reply.auditChange : undefined,
      });
      sendReply(res, reply, asOfNow(spec, reply));
    }
  });
}

/** The order the Allow header lists methods in. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'];

/**
 * Mounted after every route: a request whose path some route has, with a method none of those routes takes (a PATCH
 * or DELETE where there is only a GET), is answered 405 `method_not_allowed` with `Allow` listing the methods the path
 * has, not 404 as if the path did not exist. Express matches the paths, so a path that two routes match (`/api/cases/
 * search` is also a `/api/cases/:caseId`) allows the methods of both, as it routes them. OPTIONS on such a path is
 * answered 204 with that `Allow` (RFC 9110 §9.3.7), where CORS has not answered it first (a preflight, when origins are
 * configured, api/app.ts): it used to fall through to 404 `no_route`, as if the path did not exist. In a router of its
 * own, so the app's own list of routes stays the routes.
 */
export function methodNotAllowed(routes: readonly Route[]): Router {
  const methodsOf = new Map<string, Set<string>>();
  for (const spec of routes) {
    const methods = methodsOf.get(spec.path) ?? new Set<string>(['OPTIONS']);
    methods.add(spec.method.toUpperCase());
    // Express answers HEAD with the GET route.
    if (spec.method === 'get') methods.add('HEAD');
    methodsOf.set(spec.path, methods);
  }
  const allowed = new WeakMap<Request, Set<string>>();
  const router = Router();
  for (const [path, methods] of methodsOf) {
    router.all(path, (req, _res, next) => {
      const all = allowed.get(req) ?? new Set<string>();
      for (const method of methods) all.add(method);
      allowed.set(req, all);
      next();
    });
  }
  router.use((req, res, next) => {
    const methods = allowed.get(req);
    if (!methods) {
      next();
      return;
    }
    const allow = METHOD_ORDER.filter((method) => methods.has(method));
    if (req.method === 'OPTIONS') {
      res.set('Allow', allow.join(', ')).status(204).end();
      return;
    }
    // Not the path itself: it may hold a name typed by mistake where an id belongs (`/api/cases/maria-lopez`).
    next(
      new AppError('method_not_allowed', `${req.method} is not a method of this path: it takes ${allow.join(', ')}.`, {
        code: 'method_not_allowed',
        headers: { Allow: allow.join(', ') },
      }),
    );
  });
  return router;
}

/** Whether idempotency answered with a stored reply, not the handler. */
const isReplay = (reply: Reply) => reply.headers?.[REPLAYED_HEADER] === 'true';

/**
 * The rate limit a route counts against: its own, else every authenticated POST or DELETE is a write, and every
 * authenticated GET an audited read: counted only when it writes an audit row (a refusal, or a read the trail
 * records), at that moment, never before the handler, so a plain read writes nothing for the limit.
 */
export function rateLimitOf(spec: Route): RateLimitName | 'audited_read' | 'none' {
  if (spec.rateLimit) return spec.rateLimit;
  if (spec.actor === false) return 'none';
  return spec.method === 'get' ? 'audited_read' : 'write';
}

function auditOutcome(status: number): AuditOutcome {
  if (status < 400) return 'allowed';
  if (status === 401 || status === 403) return 'denied';
  return status >= 500 ? 'failed' : 'rejected';
}

/**
 * Records an audited route's call, an answer that showed what `auditDisclosure` records, and any route's denial,
 * before the answer leaves: a read of personal data is never answered unless its audit row is written. A GET's row
 * counts against the user's audited reads first, or their refused reads when it records a refusal: past that limit
 * this throws the 429 answered instead, and no row is written (one user cannot write the append-only trail without
 * end).
 */
async function audit(
  options: Pick<MountOptions, 'audit' | 'auditedRead'>,
  spec: Route,
  req: Request,
  res: Response,
  outcome: {
    params: unknown;
    query?: unknown;
    body?: unknown;
    status: number;
    code?: string;
    createdCaseId?: string;
    stepId?: string;
    /** The answer showed what `auditDisclosure` records. */
    disclosed?: boolean;
    /** What the call changed, in words (`Reply.auditChange`). */
    change?: string;
  },
): Promise<void> {
  const action = spec.audit ?? (outcome.disclosed ? spec.auditDisclosure?.action : undefined);
  if (action === undefined && outcome.status !== 403) return;
  const authenticated = authenticatedOf(res);
  const params = (outcome.params ?? {}) as { caseId?: string; stepId?: string };
  // Only a query that passed validation is named: what a refused one said is the client's, not the trail's.
  const validated =
    (spec.anyQuery === true || outcome.query !== undefined) &&
    (spec.params === undefined || outcome.params !== undefined);
  const subject =
    spec.auditDetail && validated ? spec.auditDetail(outcome.query, outcome.params, outcome.body) : undefined;
  if (rateLimitOf(spec) === 'audited_read') await options.auditedRead(req, res, outcome.status >= 400);
  await options.audit({
    action: action ?? `${spec.method.toUpperCase()} ${spec.path}`,
    outcome: auditOutcome(outcome.status),
    user: authenticated && {
      id: authenticated.user.id,
      username: authenticated.user.username,
      agencyId: authenticated.user.agencyId,
      roles: authenticated.user.roles,
    },
    caseId: params.caseId ?? outcome.createdCaseId,
    stepId: params.stepId ?? outcome.stepId,
    status: outcome.status,
    requestId: req.id,
    detail: [subject, outcome.change, outcome.code].filter(Boolean).join('; ') || undefined,
  });
}

/** The API speaks JSON only: a body of another type is refused before it is looked at. */
function requireJsonBody(req: Request): unknown {
  if (!req.is('application/json')) {
    throw new UnsupportedMediaTypeError('expected a JSON body (Content-Type: application/json)');
  }
  return req.body as unknown;
}
