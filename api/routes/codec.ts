/**
 * A codec server for the Temporal Web UI (Temporal's codec-server protocol): the UI posts the payloads of a history
 * it shows to `<endpoint>/decode` as `{"payloads": [{"metadata": {"<key>": "<base64>"}, "data": "<base64>"}]}` and
 * shows what comes back. Supervisors and admins only (bearer token), every call audited (without its payloads), from
 * the configured UI origin only. The UI has no token of ours: with its "include cross-origin credentials" setting
 * it sends the console's session cookie of a supervisor or admin signed in to the console, whose sealed token then
 * stands for one, on a request from the UI's origin only. No `/encode`: sealing payloads for someone is exactly what
 * lets a command reach a case without the service (temporal/codec.ts refuses payloads it did not seal), so the UI
 * cannot start, signal or update a case.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors';
import { canDecodePayloads } from '../../domain/access';
import { route, type Route } from '../route';

/** Temporal's metadata key naming a payload's encoding; the codec's sealed payloads say `binary/encrypted`. */
const ENCODING_KEY = 'encoding';
const SEALED_ENCODING = Buffer.from('binary/encrypted').toString('base64');

const JsonPayloadSchema = z.object({
  metadata: z.record(z.string(), z.base64()).optional(),
  data: z.base64().optional(),
});
type JsonPayload = z.infer<typeof JsonPayloadSchema>;

/**
 * `payloads` may be missing: the Temporal CLI (`temporal workflow show --codec-endpoint`) posts `{}` for an event
 * with no payloads (protojson leaves an empty list out), and refusing it failed every history the CLI shows.
 */
const PayloadsSchema = z.object({ payloads: z.array(JsonPayloadSchema).max(1_000).default([]) });

const toPayload = (json: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(json.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: json.data === undefined ? undefined : Buffer.from(json.data, 'base64'),
});

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  ),
  ...(payload.data ? { data: Buffer.from(payload.data).toString('base64') } : {}),
});

const JSON_ENCODING = 'json/plain';
/** Dates a minor's birth date can be read from: the workflow needs them, a reader of its history does not. */
const BIRTH_DATE_FIELDS: ReadonlySet<string> = new Set(['minorTurns18On']);

/**
 * An opened payload as the UI may show it: a supervisor decodes the payloads of any agency's cases (the UI does not
 * say whose they are), so the day a minor turns 18, which gives their birth date, is withheld wherever it sits.
 */
function withoutBirthDates(payload: Payload): Payload {
  const encoding = payload.metadata?.[ENCODING_KEY];
  if (!payload.data || !encoding || Buffer.from(encoding).toString() !== JSON_ENCODING) return payload;
  const text = Buffer.from(payload.data).toString('utf8');
  if (![...BIRTH_DATE_FIELDS].some((field) => text.includes(`"${field}"`))) return payload;
  const withheld = JSON.stringify(JSON.parse(text), (key, value: unknown) =>
    BIRTH_DATE_FIELDS.has(key) && value !== null ? 'withheld' : value,
  );
  return { ...payload, data: Buffer.from(withheld, 'utf8') };
}

export interface CodecDeps {
  /** The service's payload codec (temporal/codec.ts), with the service's PAYLOAD_KEYS. */
  payloadCodec: Pick<PayloadCodec, 'decode'>;
  /** The Temporal Web UI's origins (TEMPORAL_UI_ORIGIN): the only pages that may call the codec from a browser. */
  origins: readonly string[];
  /**
   * The web console's session cookie (web/session.ts): its name, and how to open the API token it seals (only the
   * console's secret does). Taken for the bearer token when the UI sends credentials ("include cross-origin
   * credentials") instead of a token: the UI has no token of ours to send.
   */
  sessionCookie?: { name: string; tokenOf(value: unknown): Promise<string | undefined> };
}

/**
 * In front of `/codec`: a browser request from any other origin is refused (403) before it is looked at, preflight
 * included; the UI's origin gets CORS headers allowing its POST with a bearer token (and credentials, should the
 * UI's "include cross-origin credentials" be on). Requests without an Origin (curl, a proxy, the CLI) go on to
 * authentication with their own bearer token: the console's cookie counts only on a request from the UI's origin.
 */
export function codecCors({ origins, sessionCookie }: Pick<CodecDeps, 'origins' | 'sessionCookie'>): RequestHandler[] {
  const refuseForeign: RequestHandler = (req, _res, next) => {
    const origin = req.get('Origin');
    if (origin !== undefined && !origins.includes(origin)) {
      throw new AppError('forbidden', 'This origin may not call the codec server: set TEMPORAL_UI_ORIGIN.', {
        code: 'origin_not_allowed',
      });
    }
    next();
  };
  const allow = cors({
    origin: [...origins],
    methods: ['POST'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
    credentials: true,
    maxAge: 600,
  });
  if (!sessionCookie) return [refuseForeign, allow];
  // The cookie goes with every request to this host, whoever makes it: it stands for a token only on a request the
  // browser says comes from the UI's page (a browser names the page's origin on every POST, and no page can forge it).
  // Without an Origin it is not a browser's request from the UI, and must bring its own token.
  const sessionAsBearer: RequestHandler = async (req, _res, next) => {
    const origin = req.get('Origin');
    if (req.get('Authorization') === undefined && origin !== undefined && origins.includes(origin)) {
      const token = await sessionCookie.tokenOf(
        (req.cookies as Record<string, unknown> | undefined)?.[sessionCookie.name],
      );
      if (token) req.headers.authorization = `Bearer ${token}`;
    }
    next();
  };
  return [refuseForeign, allow, cookieParser(), sessionAsBearer];
}

export function codecRoutes(deps: CodecDeps): Route[] {
  /**
   * Each payload on its own: a sealed one is opened; one this service did not seal (plain, or under a key no longer
   * held) comes back as it came, so the UI shows what it can instead of failing the whole history.
   */
  const decodeOne = async (json: JsonPayload): Promise<JsonPayload> => {
    if (json.metadata?.[ENCODING_KEY] !== SEALED_ENCODING) return json;
    const decoded = await deps.payloadCodec.decode([toPayload(json)]).catch(() => null);
    return decoded?.[0] ? toJson(withoutBirthDates(decoded[0])) : json;
  };
  return [
    route({
      method: 'post',
      path: '/codec/decode',
      tag: 'operations',
      summary: "The Temporal Web UI's codec server: opens the service's sealed payloads for supervisors and admins.",
      documented: false,
      // The Temporal Web UI's protocol, not this API's: whatever it adds to the address is not ours to refuse.
      anyQuery: true,
      allow: { test: canDecodePayloads, needs: "a system administrator, or a task force's supervisor or admin" },
      body: PayloadsSchema,
      audit: 'temporal.payloads.decode',
      // Not the writes' limit: the UI asks once per payload it shows, a history page many calls at once. Its own, far
      // above what the UI asks (README), as each call writes an audit row.
      rateLimit: 'codec',
      responses: { 200: { description: 'the payloads, opened where the service sealed them' } },
      handle: async ({ body }) => ({
        status: 200,
        body: { payloads: await Promise.all(body.payloads.map(decodeOne)) },
      }),
    }),
  ];
}
