/**
 * `npm run temporal [-- --port 7233 --ui-port 8233]`: the official Temporal dev server for development, standalone,
 * with the project's search attributes and its state in .data/temporal/ so workflows and timers survive a restart.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../core/logger';
import { PROJECT_ROOT } from '../core/project-root';
import { startDevServer } from './dev-server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7233' },
      'ui-port': { type: 'string' },
      ip: { type: 'string', default: '127.0.0.1' },
      namespace: { type: 'string', default: 'default' },
      'db-file': { type: 'string' },
    },
  });
  const port = Number(values.port);
  const uiPort = values['ui-port'] ? Number(values['ui-port']) : port + 1000;
  for (const [flag, value] of [
    ['--port', port],
    ['--ui-port', uiPort],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 65535)
      throw new Error(`${flag} must be a port number (1-65535).`);
  }
  const logger = createLogger();
  const server = await startDevServer({
    ip: values.ip,
    port,
    uiPort,
    namespace: values.namespace,
    dbFile: values['db-file'] ?? join(PROJECT_ROOT, '.data', 'temporal', `dev-server-${port}.sqlite`),
    logger,
  });
  if (!server.startedByUs) return;
  console.log(`Temporal dev server on ${server.address} (namespace ${values.namespace}); Web UI: ${server.uiUrl}`);
  console.log('Press Ctrl+C to stop.');
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
