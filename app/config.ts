import { isIP } from 'node:net';
import { z } from 'zod';
import type { IdentityKeyring } from '../core/identity-cipher';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './rate-limit-settings';
import type { TemporalSettings } from '../temporal/connection';
import { parseKeyring, type KeyVariable } from './keys';
import { TimeZoneSchema } from './time-zones';
import type { S3Settings } from '../db/object-store';
import { DEFAULT_SESSION_IDLE_MS } from '../db/tokens';

/**
 * Configuration comes from the environment only, validated once at start-up. Every part has an embedded default
 * (PostgreSQL, Temporal dev server, mail capture) and switches to real infrastructure when its variable is set.
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const EnvSchema = z.object({
  SERVICE_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  HOST: z.string().default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_BASE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),
  // Where a date or time of identification without an offset is read, for agencies without a zone of their own.
  TIMEZONE: TimeZoneSchema.default('UTC'),

  DATABASE_URL: optionalText.pipe(z.url({ message: 'must be a postgres:// URL' }).optional()),
  MIGRATION_DATABASE_URL: optionalText.pipe(z.url({ message: 'must be a postgres:// URL' }).optional()),
  EMBEDDED_POSTGRES_PORT: port.default(5433),

  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('relief-cases'),
  // A person waits at a form: a write that cannot finish within this answers 503 and is retried with its key.
  WRITE_TIMEOUT_SECONDS: z.coerce.number().min(1).max(60).default(10),
  // On SIGTERM: the longest the service takes to finish its requests and the worker's tasks before it exits anyway.
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS_CERT_PATH: optionalText,
  TEMPORAL_TLS_KEY_PATH: optionalText,
  TEMPORAL_TLS_CA_PATH: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,

  SMTP_URL: optionalText.pipe(
    z.url({ protocol: /^smtps?$/, message: 'must be an smtp:// or smtps:// URL (smtp://mail.internal:25)' }).optional(),
  ),
  SMTP_CAPTURE_PORT: port.default(2525),
  MAIL_FROM: z
    .string()
    .trim()
    .refine(isMailFrom, { message: 'must be an address (relief@agency.example) or "Name <relief@agency.example>"' })
    .default('Relief cases <no-reply@relief-cases.invalid>'),

  CORS_ORIGINS: optionalText.pipe(
    z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ message: 'must be a comma-separated list of origins (https://console.example.org)' })))
      .optional(),
  ),
  // Whose X-Forwarded-For to believe: anyone else could claim any address and escape the per-address limits.
  TRUSTED_PROXIES: optionalText.pipe(
    z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .refine((list) => list.every(isProxyAddress), {
        message:
          'must be a comma-separated list of IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal',
      })
      .optional(),
  ),
  RATE_LIMIT_SIGN_IN_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.signInPerMinute),
  RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.writesPerMinute),
  RATE_LIMIT_AUDITED_READS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_RATE_LIMITS.auditedReadsPerMinute),
  RATE_LIMIT_REFUSED_READS_PER_MINUTE: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_RATE_LIMITS.refusedReadsPerMinute),
  RATE_LIMIT_CODEC_CALLS_PER_MINUTE: z.coerce.number().int().min(1).default(DEFAULT_RATE_LIMITS.codecCallsPerMinute),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .min(0.25)
    .max(24 * 7)
    .default(12),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(DEFAULT_SESSION_IDLE_MS / 60_000),

  CONSOLE_SECRET: optionalText.pipe(
    z.string().min(32, { message: 'must be at least 32 characters (random)' }).optional(),
  ),

  OIDC_ISSUER_URL: optionalText.pipe(
    z.url({ message: "must be the identity provider's issuer URL (https://…)" }).optional(),
  ),
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,

  // Operations: the bearer token of GET /metrics (no token: no /metrics), where the Temporal SDK serves the worker's
  // metrics (host:port; none: not served), and the Temporal Web UI's origin allowed to call the codec server.
  METRICS_TOKEN: optionalText.pipe(
    z.string().min(16, { message: 'must be at least 16 characters (random)' }).optional(),
  ),
  TEMPORAL_METRICS_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/, { message: 'must be host:port (0.0.0.0:9464)' })
      .optional(),
  ),
  TEMPORAL_UI_ORIGIN: optionalText.pipe(
    z
      .url({ message: 'must be an origin (https://temporal-ui.example.org)' })
      .transform((url) => new URL(url).origin)
      .optional(),
  ),

  // Where documents' sealed content is kept: PostgreSQL (default) or an S3-compatible store (S3_* below).
  DOCUMENT_STORE: z.enum(['postgres', 's3']).default('postgres'),
  S3_ENDPOINT: optionalText.pipe(
    z.url({ message: "must be the store's URL (https://s3.eu-west-1.amazonaws.com)" }).optional(),
  ),
  S3_BUCKET: optionalText,
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,

  POLICY_FILE: optionalText,
  IDENTITY_KEYS: optionalText,
  PAYLOAD_KEYS: optionalText,
});

/**
 * What reads the configuration: the service (`npm start`, whose role may send emails), or a command of `npm run admin`,
 * which sends none.
 */
export type ConfigUse = 'service' | 'admin';

/** Rules across variables, checked on the raw environment so they are reported alongside every other problem. */
function crossFieldProblems(env: NodeJS.ProcessEnv, use: ConfigUse): string[] {
  const problems: string[] = [];
  if (env.MIGRATION_DATABASE_URL?.trim() && !env.DATABASE_URL?.trim()) {
    problems.push(
      'MIGRATION_DATABASE_URL: set DATABASE_URL too (the service role); this one is the owner that migrates',
    );
  }
  if (Boolean(env.TEMPORAL_TLS_CERT_PATH?.trim()) !== Boolean(env.TEMPORAL_TLS_KEY_PATH?.trim())) {
    problems.push('TEMPORAL_TLS_KEY_PATH: TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  const oidc = (['OIDC_ISSUER_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const).filter((variable) =>
    env[variable]?.trim(),
  );
  if (oidc.length > 0 && oidc.length < 3) {
    problems.push(
      'OIDC_ISSUER_URL: OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (all three, or none for no OpenID Connect)',
    );
  }
  if (oidc.length > 0 && !env.PUBLIC_BASE_URL?.trim()) {
    problems.push(
      'PUBLIC_BASE_URL: required with OIDC_ISSUER_URL: the redirect URI registered at the provider is PUBLIC_BASE_URL/sign-in/oidc/callback',
    );
  }
  if (env.DOCUMENT_STORE?.trim() === 's3') {
    const missing = (['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter(
      (variable) => !env[variable]?.trim(),
    );
    if (missing.length > 0) problems.push(`${missing.join(', ')}: required with DOCUMENT_STORE=s3`);
  }
  const issuer = env.OIDC_ISSUER_URL?.trim();
  if (issuer && URL.canParse(issuer) && !isHttpsOrLoopback(new URL(issuer))) {
    problems.push('OIDC_ISSUER_URL: must be https (plain http only for a provider on this machine)');
  }
  // Outside the embedded mode the keys must come from the environment: a development key file is for one machine.
  const requirements: [KeyVariable, string, string][] = [
    ['IDENTITY_KEYS', 'DATABASE_URL', "to seal survivors' identities at rest"],
    ['PAYLOAD_KEYS', 'TEMPORAL_ADDRESS', 'to encrypt every Temporal payload'],
  ];
  // A deployment's PostgreSQL and Temporal go together. With one alone, a process meant to join a deployment would
  // start the other embedded, with development keys: its own dev server beside the shared worker_heartbeats (so
  // /ready passes while no worker serves its cases), or its own PostgreSQL in DATA_DIR beside the shared workflows.
  // `npm run admin -- create-admin` needs only the database; reproject checks its own.
  const database = Boolean(env.DATABASE_URL?.trim());
  if (use === 'service' && database !== Boolean(env.TEMPORAL_ADDRESS?.trim())) {
    const [missing, given] = database ? ['TEMPORAL_ADDRESS', 'DATABASE_URL'] : ['DATABASE_URL', 'TEMPORAL_ADDRESS'];
    problems.push(
      `${missing}: required with ${given}: DATABASE_URL and TEMPORAL_ADDRESS go together (both for a deployment, ` +
        `neither for the embedded mode); without ${missing} this process would start an embedded ` +
        `${database ? 'Temporal dev server' : 'PostgreSQL'} of its own instead of joining the deployment's`,
    );
  }
  // The embedded capture keeps emails on this machine for a developer to read: outside the embedded mode nobody
  // would, and every reminder and escalation would be lost without a word. The admin commands send none.
  const realPart = ['DATABASE_URL', 'TEMPORAL_ADDRESS'].find((variable) => env[variable]?.trim());
  if (realPart && use === 'service' && !env.SMTP_URL?.trim()) {
    problems.push(
      `SMTP_URL: required with ${realPart} (smtp:// or smtps://); the embedded mail capture is for development only`,
    );
  }
  // Every email links to the case in the console, a calendar feed's address starts with it, and the console takes
  // forms only from it. The default, this process's own HOST:PORT, is right only in the embedded mode: a worker in a
  // deployment listens nowhere, and an API process sits behind a load balancer.
  if (realPart && use === 'service' && !env.PUBLIC_BASE_URL?.trim()) {
    problems.push(
      `PUBLIC_BASE_URL: required with ${realPart}: the console's address as its users reach it ` +
        '(https://relief.example.org), the base of every link in an email and of every calendar feed',
    );
  }
  for (const [variable, realInfrastructure, why] of requirements) {
    const value = env[variable]?.trim();
    if (value) problems.push(...parseKeyring(variable, value).problems);
    else if (env[realInfrastructure]?.trim())
      problems.push(`${variable}: required with ${realInfrastructure}, ${why} ("<key id>:<32 bytes in base64>")`);
  }
  return problems;
}

/** An entry Express's `trust proxy` takes (proxy-addr): an address, a CIDR range, or one of its named ranges. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/** Plain HTTP is acceptable only to this machine's loopback (a development identity provider). */
export function isHttpsOrLoopback(url: URL): boolean {
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  );
}

export interface Config {
  role: 'all' | 'api' | 'worker';
  /** `trustedProxies`: whose X-Forwarded-For names the client (Express `trust proxy`); none by default. */
  http: { host: string; port: number; publicBaseUrl: string; corsOrigins: string[]; trustedProxies: string[] };
  rateLimits: RateLimits;
  sessionTtlMs: number;
  /** How long a session may go unused before it ends. */
  sessionIdleMs: number;
  /** SIGTERM to exit, at most: HTTP drained, the worker's tasks finished, the embedded parts stopped. */
  shutdownTimeoutMs: number;
  logLevel: string;
  dataDir: string;
  /** The deployment's IANA time zone, for agencies that have none of their own. */
  timeZone: string;
  /** `url` is the service's own role; `migrationUrl` the owner that applies migrations (default: `url`). */
  database: { url: string; migrationUrl?: string } | { embedded: { port: number; dataDir: string } };
  temporal: { taskQueue: string; writeTimeoutMs: number } & (
    { connect: TemporalSettings } | { embedded: { port: number; uiPort: number; namespace: string; dbFile: string } }
  );
  mail: { from: string } & ({ smtpUrl: string } | { capture: { port: number } });
  policyFile?: string;
  /** Where documents' sealed content is kept: PostgreSQL, or an S3-compatible store. */
  documents: { store: 'postgres' } | { store: 's3'; s3: S3Settings };
  /** Configured keys, or where the embedded mode keeps its development keys. */
  identityKeys: KeySource;
  payloadKeys: KeySource;
  /** Signs the web console's CSRF tokens; none outside the embedded mode without CONSOLE_SECRET: the console is off. */
  consoleSecret: { secret: string } | { developmentSecretFile: string } | null;
  /** The agency's OpenID Connect provider, for the console's "sign in with your identity provider"; null: passwords only. */
  oidc: { issuerUrl: string; clientId: string; clientSecret: string } | null;
  /**
   * `token`: of GET /metrics (none: not served); `temporalAddress`: where the Temporal SDK serves a worker process's
   * metrics (none: not served); `temporalUiOrigins`: the Web UI origins that may call the codec server.
   */
  operations: { metricsToken?: string; temporalMetricsAddress?: string; temporalUiOrigins: string[] };
}

export type KeySource = { keyring: IdentityKeyring } | { developmentKeyFile: string };

/**
 * Zod's own words for a setting or command-line option it refuses ("Invalid input: expected number, received NaN")
 * said as what the setting must be, after its name: `PORT: must be a whole number from 1 to 65535`. A message a schema
 * gives itself is kept (zod prefers it to this map). Used wherever settings or options are checked (loadConfig,
 * admin.ts), so every such refusal reads alike.
 */
export const settingErrors: z.core.$ZodErrorMap = (issue) => {
  const bounds = (schema: unknown) => {
    const { minValue, maxValue } = (schema ?? {}) as { minValue?: number | null; maxValue?: number | null };
    // A whole number's own limits (±2^53) are no setting's.
    const said = (value: number | null | undefined) =>
      typeof value === 'number' && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined;
    const min = said(minValue);
    const max = said(maxValue);
    if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
    if (min !== undefined) return ` of at least ${min}`;
    if (max !== undefined) return ` of at most ${max}`;
    return '';
  };
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined && !('received' in issue)) return 'is required';
      if (issue.expected === 'number')
        return `must be a ${(issue.inst as { isInt?: boolean } | undefined)?.isInt ? 'whole ' : ''}number${bounds(issue.inst)}`;
      if (issue.expected === 'int') return `must be a whole number${bounds(issue.inst)}`;
      if (issue.expected === 'string') return 'must be text';
      return `must be ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${issue.minimum} characters`
        : `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'url' ? 'must be a URL' : `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
};

/** The sender of the service's emails: an address alone, or a display name and the address in angle brackets. */
function isMailFrom(value: string): boolean {
  const named = /^[^<>]*<([^<>]+)>$/.exec(value);
  return z.email().safeParse(named ? named[1] : value).success;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The variables that choose a port the service listens on, itself or through the embedded servers it starts. */
export type PortVariable =
  'PORT' | 'EMBEDDED_POSTGRES_PORT' | 'TEMPORAL_PORT' | 'TEMPORAL_UI_PORT' | 'SMTP_CAPTURE_PORT';

/** A port another program holds: said in one line that names the variable to change, not as a stack trace. */
export class PortInUseError extends Error {
  constructor(
    readonly variable: PortVariable,
    readonly port: number,
  ) {
    super(`${variable} ${port} is already in use by another program: stop it or set ${variable} to a free port.`);
    this.name = 'PortInUseError';
  }
}

/**
 * Runs `start`, which listens on `ports`. When one of them is taken, reported as Node reports it (an error with
 * `code` EADDRINUSE and the `port`; the embedded servers report theirs alike), the error names the variable.
 */
export async function namingPortVariables<T>(
  ports: Partial<Record<PortVariable, number>>,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const taken = takenPort(error);
    const variable = (Object.keys(ports) as PortVariable[]).find(
      (name) => taken !== undefined && ports[name] === taken,
    );
    throw variable && taken !== undefined ? new PortInUseError(variable, taken) : error;
  }
}

/** Read by shape, not `instanceof Error`: Node's own errors come from another realm under test runners' sandboxes. */
function takenPort(error: unknown): number | undefined {
  if (
    typeof error !== 'object' ||
    error === null ||
    !('code' in error) ||
    error.code !== 'EADDRINUSE' ||
    !('port' in error)
  )
    return undefined;
  return typeof error.port === 'number' ? error.port : undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, use: ConfigUse = 'service'): Config {
  const parsed = EnvSchema.safeParse(env, { error: settingErrors });
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
    ...crossFieldProblems(env, use),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = e.DATA_DIR;
  return {
    role: e.SERVICE_ROLE,
    http: {
      host: e.HOST,
      port: e.PORT,
      // The process's own address: right in the embedded mode, where it is the console. A deployment's process that
      // sends emails must name the console's (crossFieldProblems).
      publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://${e.HOST}:${e.PORT}`,
      corsOrigins: e.CORS_ORIGINS ?? [],
      trustedProxies: e.TRUSTED_PROXIES ?? [],
    },
    rateLimits: {
      signInPerMinute: e.RATE_LIMIT_SIGN_IN_PER_MINUTE,
      writesPerMinute: e.RATE_LIMIT_WRITES_PER_MINUTE,
      auditedReadsPerMinute: e.RATE_LIMIT_AUDITED_READS_PER_MINUTE,
      refusedReadsPerMinute: e.RATE_LIMIT_REFUSED_READS_PER_MINUTE,
      codecCallsPerMinute: e.RATE_LIMIT_CODEC_CALLS_PER_MINUTE,
    },
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600 * 1000,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60 * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    dataDir,
    timeZone: e.TIMEZONE,
    database: e.DATABASE_URL
      ? { url: e.DATABASE_URL, migrationUrl: e.MIGRATION_DATABASE_URL }
      : { embedded: { port: e.EMBEDDED_POSTGRES_PORT, dataDir: `${dataDir}/postgres` } },
    temporal: {
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      writeTimeoutMs: e.WRITE_TIMEOUT_SECONDS * 1000,
      ...(e.TEMPORAL_ADDRESS
        ? {
            connect: {
              address: e.TEMPORAL_ADDRESS,
              namespace: e.TEMPORAL_NAMESPACE,
              apiKey: e.TEMPORAL_API_KEY,
              tls:
                e.TEMPORAL_TLS_CERT_PATH && e.TEMPORAL_TLS_KEY_PATH
                  ? {
                      clientCertPath: e.TEMPORAL_TLS_CERT_PATH,
                      clientKeyPath: e.TEMPORAL_TLS_KEY_PATH,
                      serverRootCaPath: e.TEMPORAL_TLS_CA_PATH,
                      serverName: e.TEMPORAL_TLS_SERVER_NAME,
                    }
                  : undefined,
            },
          }
        : {
            embedded: {
              port: e.TEMPORAL_PORT,
              uiPort: e.TEMPORAL_UI_PORT,
              namespace: e.TEMPORAL_NAMESPACE,
              dbFile: `${dataDir}/temporal/dev-server-${e.TEMPORAL_PORT}.sqlite`,
            },
          }),
    },
    mail: { from: e.MAIL_FROM, ...(e.SMTP_URL ? { smtpUrl: e.SMTP_URL } : { capture: { port: e.SMTP_CAPTURE_PORT } }) },
    policyFile: e.POLICY_FILE,
    documents:
      e.DOCUMENT_STORE === 's3'
        ? {
            store: 's3',
            s3: {
              endpoint: e.S3_ENDPOINT!,
              bucket: e.S3_BUCKET!,
              region: e.S3_REGION,
              accessKeyId: e.S3_ACCESS_KEY_ID!,
              secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
            },
          }
        : { store: 'postgres' },
    identityKeys: e.IDENTITY_KEYS
      ? { keyring: parseKeyring('IDENTITY_KEYS', e.IDENTITY_KEYS).keyring! }
      : { developmentKeyFile: `${dataDir}/keys/identity.key` },
    consoleSecret: e.CONSOLE_SECRET
      ? { secret: e.CONSOLE_SECRET }
      : e.DATABASE_URL
        ? null
        : { developmentSecretFile: `${dataDir}/keys/console-secret` },
    oidc:
      e.OIDC_ISSUER_URL && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
        ? { issuerUrl: e.OIDC_ISSUER_URL, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET }
        : null,
    operations: {
      metricsToken: e.METRICS_TOKEN,
      temporalMetricsAddress: e.TEMPORAL_METRICS_ADDRESS,
      // The embedded UI is opened as localhost or 127.0.0.1 alike; a configured UI has one origin.
      temporalUiOrigins: e.TEMPORAL_UI_ORIGIN
        ? [e.TEMPORAL_UI_ORIGIN]
        : [`http://localhost:${e.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`],
    },
    payloadKeys: e.PAYLOAD_KEYS
      ? { keyring: parseKeyring('PAYLOAD_KEYS', e.PAYLOAD_KEYS).keyring! }
      : { developmentKeyFile: `${dataDir}/keys/payload.key` },
  };
}
