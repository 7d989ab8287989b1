/**
 * `npm start`: the whole service. With nothing configured it runs embedded PostgreSQL, the official Temporal dev
 * server and a mail capture; DATABASE_URL, TEMPORAL_ADDRESS and SMTP_URL switch each to real infrastructure.
 */
import { ConfigError, loadConfig } from './app/config';
import { createLogger } from './core/logger';
import { loggableError } from './core/loggable-error';
import { tracingFromEnvironment } from './app/tracing';

async function main(): Promise<void> {
  const config = loadConfig();
  // Tracing starts before the service's modules load: its instrumentations patch http and pg as they are required.
  // Nothing imported above loads either (keep it so: import what needs them through service.ts).
  const tracing = tracingFromEnvironment();
  const { startService } = await import('./service.js');
  const logger = createLogger({ level: config.logLevel });
  const service = await startService(config, logger, tracing);
  const { api, apiPublic, console: webConsole, worker, temporalUi, mail } = service.where;
  const lines = [
    webConsole && `Web console:        ${webConsole}${service.demo ? '  (sign in as a demo user below)' : ''}`,
    api && `API:                ${api}  (OpenAPI: ${api}/api/openapi.json)`,
    apiPublic && `API public address: ${apiPublic}`,
    worker && `Worker:             ${worker}`,
    temporalUi && `Temporal Web UI:    ${temporalUi}`,
    mail && `Captured email:     ${mail}`,
    'embedded' in config.database &&
      `PostgreSQL:         127.0.0.1:${config.database.embedded.port}, data in ${config.database.embedded.dataDir}  (embedded)`,
    'embedded' in config.database &&
      'Demo agencies:      demo-police, demo-ice-ccht, demo-hhs-otip, demo-advocates, demo-task-force (see README)',
    service.demo && `Demo users:         ${service.demo.usernames.join(', ')}`,
    service.demo &&
      `Demo password:      ${service.demo.password}  (all demo users; kept in ${config.dataDir}/keys/demo-password)`,
    service.demo &&
      api &&
      `Sign in:            curl -s -X POST ${api}/api/auth/sign-in -H 'Content-Type: application/json' -d '{"username":"demo-coordinator","password":"${service.demo.password}"}'`,
  ].filter(Boolean);
  console.log(`\nRelief cases is running.\n${lines.join('\n')}\nPress Ctrl+C to stop.\n`);
  let stopping = false;
  const shutdown = (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'stopping');
    // The embedded PostgreSQL stops on our exit and the dev server with its parent, even on this path.
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'did not stop within SHUTDOWN_TIMEOUT_SECONDS; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    void service.stop().then(() => process.exit(exitCode));
  };
  void service.failed.then((error) => {
    logger.error({ err: error }, 'the service failed; stopping');
    // To the terminal too, as the log line says it: a PostgreSQL message may quote a row's values.
    console.error(loggableError(error).message);
    shutdown('failure', 1);
  });
  // `on`, not `once`: a listener stays, so the embedded PostgreSQL's signal hook (re-installed when it is restarted,
  // after ours) still sees that the service handles the signal, rather than re-raising it to end the process.
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
