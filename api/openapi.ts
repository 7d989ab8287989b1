/**
 * The OpenAPI 3.1 document, generated from the same route list and zod schemas the app mounts, so it cannot
 * describe a route, a field or a constraint the API does not have.
 */
import { z } from 'zod';
import { IDEMPOTENCY_HEADER, REPLAYED_HEADER } from './idempotency';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { CORRELATION_ID_HEADER, REQUEST_ID_HEADER } from './request-id';
import { rateLimitOf, type Route } from './route';
import { ProblemSchema } from './schemas';

type JsonSchema = Record<string, unknown>;

/** How every route of a case says the refusal of a case id its caller's agency has no case of. */
const NO_CASE_OF_YOURS =
  "or no case of this id that the caller's agency takes part in (not_a_participant): a case of other agencies and " +
  'an id no case has are answered alike, so that no answer tells a case exists';

/** OpenAPI 3.1 speaks JSON Schema 2020-12, zod's default target; the `$schema` marker is dropped per schema. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** Express `:name` segments become OpenAPI `{name}` templates. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function fieldsOf(schema: z.ZodType | undefined): [string, z.ZodType][] {
  if (!schema) return [];
  if (!(schema instanceof z.ZodObject)) throw new Error('route params and query must be zod objects to be documented');
  const shape: Record<string, z.ZodType> = schema.shape;
  return Object.entries(shape);
}

function parameters(spec: Route): JsonSchema[] {
  const params = fieldsOf(spec.params).map(([name, schema]) => ({
    name,
    in: 'path',
    required: true,
    schema: jsonSchema(schema),
  }));
  const query = fieldsOf(spec.query).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !schema.safeParse(undefined).success,
    schema: jsonSchema(schema),
  }));
  const headers: JsonSchema[] = [
    {
      name: REQUEST_ID_HEADER,
      in: 'header',
      required: false,
      description: `your own id for this request, to trace it across services: a UUID is echoed back as ${CORRELATION_ID_HEADER} and written on the request's log line; anything else is ignored. It never becomes the request's id, which is always the service's own (the answer's ${REQUEST_ID_HEADER})`,
      schema: { type: 'string', maxLength: 128 },
    },
  ];
  if (spec.method === 'get' && spec.answersAsOfNow !== true) {
    headers.push({
      name: 'If-None-Match',
      in: 'header',
      required: false,
      description: `the ETag of an answer read before: when this answer would be the same, it is 304 with no body${onlyOtherThanJson(spec)}`,
      schema: { type: 'string' },
    });
  }
  if (spec.idempotent) {
    headers.push({
      name: IDEMPOTENCY_HEADER,
      in: 'header',
      required: true,
      schema: { type: 'string', minLength: 8, maxLength: 255 },
    });
  }
  return [...params, ...query, ...headers];
}

const problemRef = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: problemRef } },
});

/**
 * Express tags every answer it sends with a body with an ETag, and answers a GET that names it 304 (`req.fresh`), but
 * for an answer that holds the moment it was read (`Route.answersAsOfNow`), sent with neither.
 */
const etagHeader = (spec: Route) => ({
  ETag: {
    description: `this answer's entity tag: sent back in If-None-Match, it is answered 304 while the answer is the same${onlyOtherThanJson(spec)}`,
    schema: { type: 'string' },
  },
});

/** Where only a route's JSON answer holds the moment it was read (`answersAsOfNow: 'json'`), what is tagged. */
function onlyOtherThanJson(spec: Route): string {
  if (spec.answersAsOfNow !== 'json') return '';
  const others = Object.values(spec.responses)
    .map((response) => response.alsoAs)
    .filter(Boolean);
  return ` (${others.join(', ')} only: the JSON answer holds the moment it was read, and has no ETag)`;
}

/** A 429's: how long to wait (app/limited-headers.ts `limitedHeaders`, which every 429 of the API uses). */
const retryAfterHeader = {
  'Retry-After': {
    description:
      "the seconds to wait before trying again: until the rate limit's window ends, or the wait the refusal names",
    schema: { type: 'integer', minimum: 1 },
  },
};

/** A retry's answer sent again from the Idempotency-Key store (api/idempotency.ts). */
const replayedHeader = {
  [REPLAYED_HEADER]: {
    description: `\`true\` when this is the answer stored for this ${IDEMPOTENCY_HEADER}, sent again to a retry of the same request (the first answer's status and body, nothing done again); absent on the first answer`,
    schema: { type: 'string', enum: ['true'] },
  },
};

/** The IETF draft-8 rate limit headers, as express-rate-limit writes them on every answer of a limited route. */
const rateLimitHeaders = {
  RateLimit: {
    description:
      'the limit this request is counted against: `"<limit>-in-1min"; r=<remaining>; t=<seconds until the window ends>`',
    schema: { type: 'string' },
  },
  'RateLimit-Policy': {
    description: 'the policy: `"<limit>-in-1min"; q=<limit>; w=60; pk=:<partition key>:`',
    schema: { type: 'string' },
  },
};

/**
 * The policies a 429 of the route may name (app/limited-headers.ts): a rate limit's always; uploads in flight on an
 * upload; a locked account where a password is checked (sign-in, and the routes that ask for the current password).
 */
function refusingPolicies(spec: Route): { policy: string; note: string; when: string }[] {
  const limit = rateLimitOf(spec);
  return [
    {
      policy: '"<limit>-in-1min"; q=<limit>; w=60; pk=:<partition key>:',
      note: '',
      when: 'a rate limit (`rate_limited`)',
    },
    ...(spec.upload
      ? [
          {
            policy: '"<n>-at-once"; q=<n>; qu="concurrent-requests"; pk=:<partition key>:',
            note:
              " (the caller's uploads; the process's, everyone's, has no pk): no window, a place comes free as an " +
              'upload ends, and t is the wait estimated',
            when: 'uploads in flight (`too_many_uploads`, `uploads_busy`)',
          },
        ]
      : []),
    ...(limit === 'password_check' || spec.path === '/api/auth/sign-in'
      ? [
          {
            policy: '"<n>-wrong-in-a-row"; q=<n>',
            note:
              ' (the wrong passwords free in a row): no window, a success clears the count; no partition key; t is ' +
              'when the lock ends',
            when:
              spec.path === '/api/auth/sign-in'
                ? 'an account, or a device of it, locked after wrong passwords (`account_locked`, `device_locked`)'
                : 'a session or API key locked after wrong current passwords (`account_locked`)',
          },
        ]
      : []),
  ];
}

/** A 429's RateLimit headers: the policy that refused it, none remaining, its wait the Retry-After's. */
function refusedHeaders(spec: Route) {
  const policies = refusingPolicies(spec);
  const named = policies.map(({ policy, when }) => `\`${policy.split(';')[0]!}\` for ${when}`);
  const stated = policies.map(({ policy, note, when }) => `for ${when}, \`${policy}\`${note}`);
  return {
    RateLimit: {
      description: `the limit that refused this request, none remaining, its wait Retry-After's: \`<policy>; r=0; t=<Retry-After>\`, the policy ${named.join('; ')}`,
      schema: { type: 'string' },
    },
    'RateLimit-Policy': {
      description: `the policy that refused it: ${stated.join('; ')}`,
      schema: { type: 'string' },
    },
  };
}

/** The ids every answer carries, described once in components.headers. */
const idHeaders = {
  [REQUEST_ID_HEADER]: { $ref: '#/components/headers/RequestId' },
  [CORRELATION_ID_HEADER]: { $ref: '#/components/headers/CorrelationId' },
};

/** Why a request is 400, as the route's shape lets it be. */
function badRequest(spec: Route): string {
  const reasons = [
    // api/auth.ts: refused on every path, before the route is looked at.
    'the Authorization header is sent more than once (`authorization_repeated`)',
    // api/client-errors.ts: Node's parser refuses it before any route.
    'the request is not valid HTTP, e.g. it has both Content-Length and Transfer-Encoding (`request_malformed`; the ' +
      'connection is then closed)',
    ...(spec.params || spec.query || spec.idempotent
      ? ['a path, query or header value is malformed (the errors name each)']
      : []),
    // api/route.ts: a parameter the route does not read is refused, not ignored; one that reads none refuses any.
    ...(spec.anyQuery
      ? []
      : [
          spec.query
            ? 'a query parameter is sent that it does not read (`invalid_query`; named only where it reads as a typo of one it reads)'
            : 'a query parameter is sent: it reads none (`invalid_query`; not named)',
        ]),
    spec.body
      ? 'the body is not a JSON object (not valid JSON, or a lone value), or cannot be decoded: not valid UTF-8, or ' +
        'not valid data of its Content-Encoding (`encoding_invalid`); or it gives a key twice in one object ' +
        '(`duplicate_key`, the errors name each)'
      : // Every JSON body is read before any route: one sent where none is taken is refused all the same.
        'a JSON body was sent, though this route takes none, and it is not valid JSON or cannot be decoded',
  ];
  return `malformed request: ${reasons.join('; ')}`;
}

function operation(spec: Route): JsonSchema {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const contentTypes = [
      response.contentType ?? (response.problem ? PROBLEM_CONTENT_TYPE : 'application/json'),
    ].flat();
    const schema = response.schema ? jsonSchema(response.schema) : response.problem ? problemRef : undefined;
    const tagged =
      spec.method === 'get' &&
      spec.answersAsOfNow !== true &&
      Number(status) >= 200 &&
      Number(status) < 300 &&
      status !== '204';
    const own: Record<string, string> = response.headers ?? {};
    const headers: Record<string, JsonSchema> = {
      ...(tagged ? etagHeader(spec) : {}),
      ...Object.fromEntries(
        Object.entries(own).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
      ),
    };
    responses[status] = {
      description: response.description,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(schema
        ? {
            content: {
              ...Object.fromEntries(contentTypes.map((type) => [type, { schema }])),
              ...(response.alsoAs ? { [response.alsoAs]: { schema: { type: 'string' } } } : {}),
            },
          }
        : {}),
    };
    if (tagged)
      responses['304'] ??= {
        description: `Not Modified: If-None-Match named the ETag of the answer this request gets; no body${onlyOtherThanJson(spec)}`,
        headers: etagHeader(spec),
      };
  }
  // The failures every route of its shape can meet, answered by the one error handler.
  responses['400'] ??= problemResponse(badRequest(spec));
  if (spec.actor !== false) {
    responses['401'] ??= problemResponse(
      'missing, malformed, unknown, expired or revoked bearer token, or a session left unused (30 minutes by default)',
    );
    responses['403'] ??= problemResponse(
      spec.allow ? `needs ${spec.allow.needs}` : 'the role or agency may not do this',
    );
    // A case the caller's agency takes no part in and one that does not exist are the same 403 (app/case-reads.ts).
    if (spec.path.includes(':caseId')) {
      const refused = responses['403'] as { description: string };
      responses['403'] = { ...refused, description: `${refused.description}; ${NO_CASE_OF_YOURS}` };
    }
  }
  const limit = rateLimitOf(spec);
  if (limit !== 'none') {
    responses['429'] ??= problemResponse('rate limit reached; Retry-After says when to try again');
  }
  if (spec.body) {
    responses['413'] ??= problemResponse('body larger than 64kb');
    responses['415'] ??= problemResponse('body is not JSON, or is sent in a charset other than UTF-8');
    responses['422'] ??= problemResponse(
      'body violates the schema or the case rules: the errors name each field (an unknown field only as a typo of ' +
        'one the route takes or `__proto__`, `constructor` or `prototype` at any depth, else "an unknown field" at ' +
        'its object; of those named in one object, the first 10, ' +
        'then how many more)',
    );
  } else {
    // Every JSON body is read before any route (api/app.ts): one sent where none is taken is refused all the same.
    responses['413'] ??= problemResponse('a JSON body was sent, though this route takes none, larger than 64kb');
    responses['415'] ??= problemResponse(
      'a JSON body was sent, though this route takes none, in a charset other than UTF-8 or an unknown Content-Encoding',
    );
  }
  if (spec.actor !== false || spec.body) {
    responses['503'] ??= problemResponse(
      'PostgreSQL or Temporal cannot be reached; Retry-After says when to try again. Or (code ' +
        '`identity_key_missing`, no Retry-After) what was asked is sealed under an identity key the service no ' +
        'longer holds: it opens only once an operator puts that key back in IDENTITY_KEYS',
    );
  }
  if (spec.idempotent)
    responses['409'] ??= problemResponse(
      `a request with this ${IDEMPOTENCY_HEADER} is still in progress (\`idempotency_in_progress\`, with Retry-After), or the case refuses it`,
    );
  // Every 429 says when to try again, in Retry-After and in its RateLimit headers, naming the policy that refused it
  // (app/limited-headers.ts), and so does a 503 of a dependency and a key still in progress; every answer of a route
  // counted by a limiter carries the rate limit's RateLimit headers (api/rate-limits.ts), but those refused before it
  // counts (a token's 401, a body too large): an audited read's limit is taken at its 429 only. An idempotent write's answer
  // stored under its key, sent again to a retry, says so.
  for (const [status, response] of Object.entries(responses)) {
    const counted =
      limit !== 'none' &&
      (status === '429' ||
        (limit !== 'audited_read' &&
          status !== 'default' &&
          // A JSON body too large is refused before any limit counts; an uploaded file too large, after.
          (status !== '413' || spec.upload !== undefined) &&
          // A token refused is a 401 before any limit counts; a password refused at sign-in is one after.
          (status !== '401' || spec.actor === false)));
    const waits = status === '429' || status === '503' || (spec.idempotent === true && status === '409');
    const replayed = spec.idempotent === true && (/^2/.test(status) || ['403', '404', '409', '422'].includes(status));
    const headers = {
      ...(waits ? retryAfterHeader : {}),
      ...(counted ? (status === '429' ? refusedHeaders(spec) : rateLimitHeaders) : {}),
      ...(replayed ? replayedHeader : {}),
    };
    if (Object.keys(headers).length > 0) {
      const documented = response as { headers?: Record<string, unknown> };
      responses[status] = { ...documented, headers: { ...documented.headers, ...headers } };
    }
  }
  responses.default = problemResponse('unexpected error');
  // Every answer names its request (api/request-id.ts), and echoes the caller's correlation id when it sent one.
  for (const [status, response] of Object.entries(responses)) {
    const documented = response as { headers?: Record<string, unknown> };
    responses[status] = { ...documented, headers: { ...documented.headers, ...idHeaders } };
  }

  return {
    operationId: `${spec.method}${openApiPath(spec.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    summary: spec.summary,
    tags: [spec.tag],
    parameters: parameters(spec),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } }
      : {}),
    ...(spec.upload
      ? {
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: [spec.upload.field],
                  properties: {
                    [spec.upload.field]: {
                      type: 'string',
                      contentMediaType: 'application/octet-stream',
                      description: spec.upload.description,
                    },
                  },
                },
              },
            },
          },
        }
      : {}),
    ...(spec.actor === false ? { security: [] } : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    if (spec.documented === false) continue;
    const path = openApiPath(spec.path);
    paths[path] = { ...paths[path], [spec.method]: operation(spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Trafficking relief cases API',
      version: '0.1.0',
      description:
        'Runs each survivor case (Continued Presence, HHS letters, T visa, declarations, U visa) as one durable ' +
        'workflow. On every path, a method the path does not list is answered 405 with Allow ' +
        '(components.responses.MethodNotAllowed), OPTIONS 204 with Allow (where CORS is configured, a preflight from ' +
        'an allowed origin is answered by CORS), and headers larger than the server reads 431 ' +
        '(components.responses.HeadersTooLarge).',
    },
    // Until real authentication lands, the acting agency and user are named in two headers; both are required.
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'a session token from POST /api/auth/sign-in, or an API key from POST /api/tokens',
        },
      },
      schemas: { Problem: jsonSchema(ProblemSchema) },
      headers: {
        RequestId: {
          description:
            "this request's id, the service's own (a UUID, never one the caller offers): the id of its log lines and audit row, and the `requestId` of a problem; quote it when reporting one",
          schema: { type: 'string', format: 'uuid' },
        },
        CorrelationId: {
          description: `the caller's own ${REQUEST_ID_HEADER}, echoed in lower case when it was a UUID; absent otherwise`,
          schema: { type: 'string', format: 'uuid' },
        },
      },
      responses: {
        // Every path: Node's parser refuses such a request before any route (api/client-errors.ts).
        HeadersTooLarge: problemResponse(
          'Request Header Fields Too Large (431 `headers_too_large`), on every path: the headers, URL included, are ' +
            'larger than the server reads (16 kB); the connection is then closed',
        ),
        // Every path: a method no operation of the path lists is answered so (api/route.ts `methodNotAllowed`).
        MethodNotAllowed: {
          ...problemResponse(
            'Method Not Allowed (`method_not_allowed`), on every path of this document: the method is not one the ' +
              'path lists; Allow names those it does',
          ),
          headers: {
            Allow: {
              description:
                'the methods the path takes, e.g. `GET, HEAD, OPTIONS` (HEAD wherever GET is, OPTIONS on every path)',
              schema: { type: 'string' },
            },
          },
        },
      },
    },
    paths,
  };
}
