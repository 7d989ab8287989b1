/**
 * A case worker in its own process, run as the service runs it (createCaseWorker, a shutdown bound), given a workflow
 * that Core cannot complete. Exits 1 once the worker's run ends with an error, as the service does (service.ts); a
 * worker that never ends keeps the process alive. Args: address taskQueue.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { CaseActivities } from '../../activities';
import { dataConverterFor } from '../../temporal/data-converter';
import { createCaseWorker } from '../../temporal/worker';
import { TEST_PAYLOAD_KEYRING } from '../support/stack';
import { workflowBundle } from '../support/temporal';
import { failsWithIllFormedText } from './proof-workflows';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2) as [string, string];
  const dataConverter = dataConverterFor(TEST_PAYLOAD_KEYRING);
  const worker = await createCaseWorker({
    connection: await NativeConnection.connect({ address }),
    namespace: 'default',
    taskQueue,
    // The proof workflow runs no activity.
    activities: {} as CaseActivities,
    dataConverter,
    workflowBundle: await workflowBundle(require.resolve('./proof-workflows')),
    shutdownForceMs: 3_000,
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address }), dataConverter });
  await client.workflow.start(failsWithIllFormedText, { taskQueue, workflowId: randomUUID() });
  await running.then(
    () => process.stdout.write('stopped without an error\n'),
    () => process.stdout.write(`run ended with an error, worker ${worker.getState()}\n`),
  );
  process.exit(1);
}

void main();
