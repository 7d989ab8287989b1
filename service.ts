import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { resolve } from 'node:path';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createActivities } from './activities';
import { createApp } from './api/app';
import { answerClientErrors } from './api/client-errors';
import { drainable } from './api/draining';
import { idTokenVerifier } from './api/oidc';
import { createConsole } from './web/console';
import { sessionCookieReader } from './web/session';
import { startEmbeddedPostgres } from './db/embedded-postgres';
import { migrate, migrateDeployment } from './db/migrate';
import { s3ObjectStore } from './db/object-store';
import { createPool, reachablePool } from './db/pool';
import { seedDemoAgencies, seedDemoUsers } from './db/seed';
import { canRewriteAudit, ensureServiceLogin } from './db/service-role';
import { startMailCapture, type MailCapture } from './mail/capture-server';
import { createMailTransport } from './mail/transport';
import { connectClient, connectWorker, namingTemporalAddress, type TemporalSettings } from './temporal/connection';
import { startDevServer } from './temporal/dev-server';
import { caseWorkflowCode, createCaseWorker, installWorkerRuntime } from './temporal/worker';
import { workflowClientInterceptors } from './temporal/interceptors';
import type { RunningTracing } from './app/tracing';
import { CaseCommands } from './app/case-commands';
import { namingPortVariables, type Config, type KeySource } from './app/config';
import { apiAddresses } from './app/listening';
import type { KeyVariable } from './app/keys';
import type { Logger } from './core/logger';
import { developmentKeyring, developmentSecret } from './app/keys';
import { dataConverterFor } from './temporal/data-converter';
import { EncryptionCodec } from './temporal/codec';
import { createMetrics } from './app/metrics';
import { loadPolicy } from './app/policy';
import { readinessProbe } from './app/readiness';
import { startWorkerHeartbeat } from './app/worker-heartbeat';
import { sweepOwedDeliveries } from './app/owed-deliveries';
import { sweepAbandonedOpenings } from './app/abandoned-openings';
import { createServices } from './app/services';
import { backfillNameIndex } from './app/name-index';
import { refuseMissingIdentityKeys } from './app/identity-keys-in-use';
import { refuseWrongPayloadKeys } from './app/payload-keys-checked';
import { createDigestSchedules, startDigests } from './app/daily-digests';
import { startOpenedStepNotices } from './app/opened-step-notices';
import { wallClock } from './core/clock';
import { supervise } from './core/supervisor';

export interface RunningService {
  /** Where a person opens each part, for the start-up banner. */
  /** `api`: the address this process listens on; `apiPublic`: PUBLIC_BASE_URL, when it is another one. */
  where: { api?: string; apiPublic?: string; console?: string; worker?: string; temporalUi?: string; mail?: string };
  /** Embedded mode only: the demo users and their shared password, for the banner. */
  demo?: { usernames: string[]; password: string };
  /**
   * Resolves when the service cannot go on (an embedded server that could not be restarted, the worker failing for
   * good), with a message naming what failed; main.ts then stops it and exits non-zero.
   */
  failed: Promise<Error>;
  stop(): Promise<void>;
}

type Stopper = () => Promise<unknown>;

/**
 * The composition root: starts each part in order (PostgreSQL, Temporal, mail, worker, API), embedded or real as
 * configured, and stops them in reverse. `SERVICE_ROLE` runs the API, the worker, or both in one process.
 */
export async function startService(config: Config, logger: Logger, tracing?: RunningTracing): Promise<RunningService> {
  const stoppers: Stopper[] = [];
  // Stopped last, so the spans of everything that stops before it are still sent.
  if (tracing) stoppers.push(() => tracing.shutdown());
  const where: RunningService['where'] = {};
  let demo: RunningService['demo'];
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const stop = async () => {
    for (const stopper of stoppers.reverse()) {
      await stopper().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  };

  // What a bad setting refuses is refused before anything starts (PostgreSQL, Temporal, the worker polling its queue):
  // the API's policy file read, and its port found free. The port is bound for good only once the API is ready (a
  // request must not meet a half-started service), so another program may still take it meanwhile: listen() below
  // names PORT then too.
  const policy = await (async () => {
    if (config.role === 'worker') return undefined;
    try {
      const loaded = await loadPolicy(config.policyFile);
      await namingPortVariables({ PORT: config.http.port }, () => portFree(config.http.port, config.http.host));
      return loaded;
    } catch (error) {
      await stop();
      throw error;
    }
  })();

  // The workflow bundle (seconds of webpack from the sources) is prepared while PostgreSQL starts and migrates; a
  // failure is reported where start-up awaits it, not as an unhandled rejection before.
  const workflowCode = config.role === 'api' ? undefined : caseWorkflowCode({ logger, traced: tracing !== undefined });
  workflowCode?.catch(() => undefined);
  try {
    // Migrations run as the tables' owner; the service itself connects as a role that cannot rewrite the audit trail.
    const databaseUrl = await (async () => {
      if ('url' in config.database) {
        await migrateDeployment(config.database, logger);
        return config.database.url;
      }
      const { port, dataDir } = config.database.embedded;
      // Restarted on the same cluster if it dies; the pool reconnects by itself.
      const embedded = await namingPortVariables({ EMBEDDED_POSTGRES_PORT: port }, () =>
        supervise(() => startEmbeddedPostgres({ dataDir: resolve(dataDir), port, logger }), {
          name: 'the embedded PostgreSQL',
          logger,
          giveUp: fail,
        }),
      );
      stoppers.push(() => embedded.stop());
      logger.info({ port }, 'embedded PostgreSQL ready');
      await migrate(embedded.connectionString, logger);
      return ensureServiceLogin(embedded.connectionString);
    })();
    const keyringOf = (variable: KeyVariable, source: KeySource) =>
      'keyring' in source ? source.keyring : developmentKeyring(variable, resolve(source.developmentKeyFile), logger);
    const identityKeyring = keyringOf('IDENTITY_KEYS', config.identityKeys);
    // Every payload the service hands to Temporal (inputs, results, update arguments) is encrypted on the wire.
    const payloadKeyring = keyringOf('PAYLOAD_KEYS', config.payloadKeys);
    const dataConverter = dataConverterFor(payloadKeyring);
    // Bundling holds the event loop for seconds at a time, and the pool gives up on a connection after 5 s counted by a
    // timer that fires before the connection's own event: opened while webpack ran, a connection PostgreSQL had taken
    // at once timed out, and start-up failed under load. The pool's first connection waits for the bundle.
    await workflowCode;
    // A deployment's own login may be refused where its owner's was taken: said naming DATABASE_URL.
    const pool: Pool =
      'url' in config.database ? await reachablePool('DATABASE_URL', databaseUrl) : createPool(databaseUrl);
    stoppers.push(() => pool.end());
    // Before anything is served or run: data sealed under a key the keyring lacks would fail every read of it.
    await refuseMissingIdentityKeys(pool, identityKeyring, { developmentKey: !('keyring' in config.identityKeys) });
    // ... and a payload key whose id is the deployment's but whose bytes are not would fail every workflow task and
    // answer sealed under the deployment's key: refused before Temporal is reached and the worker polls.
    // So is a keyring, in every mode, lacking a key the deployment's processes held (a rotation's, whose payloads the
    // histories may hold): the embedded mode's development key alone, as a PAYLOAD_KEYS that dropped an older key.
    await refuseWrongPayloadKeys(pool, payloadKeyring, { developmentKey: !('keyring' in config.payloadKeys) });
    if (await canRewriteAudit(pool)) {
      logger.warn(
        'the database role can UPDATE or DELETE audit rows: connect DATABASE_URL as a member of relief_app, and migrate with MIGRATION_DATABASE_URL (see README, Security)',
      );
    }
    if ('embedded' in config.database) {
      await seedDemoAgencies(pool);
      const password = developmentSecret(resolve(config.dataDir, 'keys', 'demo-password'), () =>
        randomBytes(12).toString('base64url'),
      );
      const users = await seedDemoUsers(pool, password);
      demo = { usernames: users.map((user) => user.username), password };
    }

    const temporal: TemporalSettings = await (async () => {
      if ('connect' in config.temporal) return config.temporal.connect;
      const { port, uiPort, namespace, dbFile } = config.temporal.embedded;
      // Restarted on the same SQLite file if it dies; the client and the worker reconnect by themselves.
      const server = await namingPortVariables({ TEMPORAL_PORT: port, TEMPORAL_UI_PORT: uiPort }, () =>
        supervise(
          () =>
            startDevServer({
              ip: '127.0.0.1',
              port,
              uiPort,
              namespace,
              dbFile: resolve(dbFile),
              logger,
              // The Web UI opens payloads through this service's codec server (README, "Metrics").
              uiCodecEndpoint: config.role === 'worker' ? undefined : `${config.http.publicBaseUrl}/codec`,
            }),
          { name: 'the Temporal dev server', logger, giveUp: fail },
        ),
      );
      stoppers.push(() => server.stop());
      where.temporalUi = server.uiUrl;
      return { address: server.address, namespace };
    })();

    let mailbox: MailCapture | undefined;
    const smtpUrl = await (async () => {
      if ('smtpUrl' in config.mail) return config.mail.smtpUrl;
      const { port } = config.mail.capture;
      mailbox = await namingPortVariables({ SMTP_CAPTURE_PORT: port }, () => startMailCapture({ port }));
      stoppers.push(() => mailbox!.close());
      where.mail = `${config.http.publicBaseUrl}/dev/mail`;
      logger.info({ url: where.mail }, 'embedded mail capture ready');
      return mailbox.url;
    })();
    const mailer = createMailTransport({ smtpUrl, from: config.mail.from });
    stoppers.push(async () => mailer.close());

    // Both roles command workflows: the API its cases, the worker's activities each notification's delivery.
    // The embedded dev server was just started here; a configured one may be unreachable: named then.
    const reaching = <T>(connect: () => Promise<T>): Promise<T> =>
      'connect' in config.temporal ? namingTemporalAddress(temporal, connect) : connect();
    const clientConnection = await reaching(() => connectClient(temporal));
    stoppers.push(() => clientConnection.close());
    const client = new Client({
      connection: clientConnection,
      namespace: temporal.namespace,
      dataConverter,
      interceptors: { workflow: workflowClientInterceptors(tracing) },
    });
    const digests = createDigestSchedules({ client, taskQueue: config.temporal.taskQueue }, pool);

    if (config.role !== 'api') {
      installWorkerRuntime(logger, { metricsAddress: config.operations.temporalMetricsAddress });
      const connection = await reaching(() => connectWorker(temporal));
      stoppers.push(() => connection.close());
      // Sends hold a connection while the mail server talks: a hung server then holds these few, not `pool`'s.
      const mailPool = createPool(databaseUrl, { max: 4, applicationName: 'relief-cases-mail' });
      stoppers.push(() => mailPool.end());
      const activities = createActivities({
        pool,
        mailPool,
        mailer,
        from: config.mail.from,
        publicBaseUrl: config.http.publicBaseUrl,
        temporal: { client, taskQueue: config.temporal.taskQueue },
        logger,
        now: wallClock,
        timeZone: config.timeZone,
      });
      const worker: Worker = await createCaseWorker({
        connection,
        namespace: temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        activities,
        dataConverter,
        tracing,
        workflowBundle: await workflowCode,
        shutdownGraceMs: config.shutdownTimeoutMs / 4,
        // A worker whose Core failed ends its run with an error, which stops the service, instead of draining forever.
        shutdownForceMs: config.shutdownTimeoutMs / 2,
      });
      const running = worker.run().catch((error: unknown) => {
        fail(new Error(`the case worker failed: ${error instanceof Error ? error.message : String(error)}`));
      });
      stoppers.push(async () => {
        worker.shutdown();
        await running;
      });
      // Stopped before the worker (stoppers run in reverse): its row goes as it stops taking up work.
      const heartbeat = await startWorkerHeartbeat({
        pool,
        taskQueue: config.temporal.taskQueue,
        running: () => worker.getState() === 'RUNNING',
        logger,
      });
      stoppers.push(() => heartbeat.stop());
      // Emails a request recorded outside any workflow whose delivery it could not start (Temporal unreachable then).
      const owedDeliveries = await sweepOwedDeliveries({
        pool,
        temporal: { client, taskQueue: config.temporal.taskQueue },
        logger,
      });
      stoppers.push(() => owedDeliveries.stop());
      // Reservations and identities of openings nobody will finish (Temporal unreachable, the client never retried).
      const abandonedOpenings = await sweepAbandonedOpenings({
        pool,
        client,
        writeTimeoutMs: config.temporal.writeTimeoutMs,
        logger,
      });
      stoppers.push(() => abandonedOpenings.stop());
      where.worker = `task queue ${config.temporal.taskQueue} on ${temporal.address} (${temporal.namespace})`;
      logger.info({ taskQueue: config.temporal.taskQueue }, 'case worker running');
      // The agencies' daily digests, each a workflow of its own: those running are found, the missing ones started.
      logger.info({ agencies: await startDigests(pool, digests) }, 'daily digests running');
      // The steps opened for an agency on another's command, gathered into one email per agency every 2 minutes.
      await startOpenedStepNotices({ client, taskQueue: config.temporal.taskQueue });
    }

    if (policy) {
      const cases = new CaseCommands({
        client,
        pool,
        identityKeyring,
        taskQueue: config.temporal.taskQueue,
        policy: () => policy,
        searchAttributes: true,
        writeTimeoutMs: config.temporal.writeTimeoutMs,
        timeZone: config.timeZone,
        now: wallClock,
      });
      const consoleSecret = consoleSecretOf(config, logger);
      const webConsoleRouter = consoleSecret === undefined ? undefined : webConsole(config, consoleSecret);
      const app = createApp({
        logger,
        cases,
        console: webConsoleRouter,
        ...createServices({
          pool,
          logger,
          now: wallClock,
          identityKeyring,
          documentStorage:
            config.documents.store === 's3'
              ? { kind: 's3', store: s3ObjectStore(config.documents.s3) }
              : { kind: 'postgres' },
          publicBaseUrl: config.http.publicBaseUrl,
          timeZone: config.timeZone,
          digests,
          // The API tells an agency's own address of changes to its administration (mail/agency-notices.ts).
          mailer,
          // ... and starts the delivery of the case emails it records (a replaced reference, app/survivor-records.ts).
          temporal: { client, taskQueue: config.temporal.taskQueue },
          sessionTtlMs: config.sessionTtlMs,
          sessionIdleMs: config.sessionIdleMs,
          verifyIdToken: config.oidc
            ? idTokenVerifier({ issuerUrl: config.oidc.issuerUrl, clientId: config.oidc.clientId })
            : undefined,
          // The longest a live process holds a write (its wait for the workflow, plus 10 s for the database and the
          // answer): a claim older than that belongs to a process that died, and its retry need not wait minutes.
          idempotencyLeaseMs: config.temporal.writeTimeoutMs + 10_000,
        }),
        mailbox,
        metrics: createMetrics({ pool, now: wallClock, logger }),
        metricsToken: config.operations.metricsToken,
        codec: {
          payloadCodec: new EncryptionCodec(payloadKeyring),
          origins: config.operations.temporalUiOrigins,
          // The console's cookie, which only its secret opens; with the console off there is none to take.
          sessionCookie: consoleSecret === undefined ? undefined : sessionCookieReader(consoleSecret),
        },
        rateLimits: config.rateLimits,
        corsOrigins: config.http.corsOrigins,
        trustedProxies: config.http.trustedProxies,
        ready: readinessProbe({
          pool,
          connection: clientConnection,
          taskQueue: config.temporal.taskQueue,
        }),
      });
      // Not awaited: the API answers meanwhile, and a name search finds the cases indexed so far (app/name-index.ts).
      void backfillNameIndex({ pool, identityKeyring, logger });
      const http = drainable(app);
      const server = await namingPortVariables({ PORT: config.http.port }, () =>
        listen(http.handler, config.http.port, config.http.host),
      );
      // Requests get half the shutdown time; then the worker's activities a quarter, the embedded parts the rest.
      stoppers.push(() => http.drain(server, config.shutdownTimeoutMs / 2));
      // The address this process listens on, and apart the public one when it differs (several API processes behind
      // one PUBLIC_BASE_URL each listen on a port of their own).
      const addresses = apiAddresses(server, config.http.publicBaseUrl);
      where.api = addresses.listening;
      if (addresses.public) where.apiPublic = addresses.public;
      if (webConsoleRouter) where.console = `${config.http.publicBaseUrl}/`;
      logger.info({ url: addresses.listening, publicUrl: addresses.public }, addresses.message);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { where, demo, failed, stop };
}

/** Fails as listen() would when the port is taken, binding it for a moment only. */
function portFree(port: number, host: string): Promise<void> {
  const probe = createNetServer();
  return new Promise((free, taken) => {
    probe.once('error', taken);
    probe.listen(port, host, () => probe.close(() => free()));
  });
}

/**
 * Listens and fails if it cannot. Not `app.listen`: Express 5 hands a listen error to the callback, which would read
 * as success, and the service would announce an API that nobody serves.
 */
function listen(handler: RequestListener, port: number, host: string): Promise<Server> {
  const server = createServer(handler);
  // Node's own refusals (oversized headers, a request that is not valid HTTP) in the API's error shape.
  answerClientErrors(server);
  return new Promise((listening, failed) => {
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      listening(server);
    });
  });
}

/**
 * The web console's secret (CSRF tokens, the sealed session cookie): CONSOLE_SECRET, or in the embedded mode a
 * development file; without one elsewhere the console stays off and the API runs alone.
 */
function consoleSecretOf(config: Config, logger: Logger): string | undefined {
  const source = config.consoleSecret;
  if (!source) {
    logger.warn('web console off: set CONSOLE_SECRET (32 characters or more) to serve it');
    return undefined;
  }
  return 'secret' in source
    ? source.secret
    : developmentSecret(resolve(source.developmentSecretFile), () => randomBytes(32).toString('base64url'));
}

/** The web console, a client of this very API over loopback. */
function webConsole(config: Config, secret: string) {
  const host = ['0.0.0.0', '::', ''].includes(config.http.host)
    ? '127.0.0.1'
    : config.http.host.includes(':')
      ? `[${config.http.host}]`
      : config.http.host;
  return createConsole({
    apiUrl: `http://${host}:${config.http.port}`,
    publicBaseUrl: config.http.publicBaseUrl,
    secret,
    oidc: config.oidc ?? undefined,
  });
}
