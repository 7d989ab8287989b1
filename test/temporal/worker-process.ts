/** A worker in its own process, so a test can kill it with SIGKILL mid-workflow. Args: address taskQueue. */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './proof-activities';

async function main(): Promise<void> {
  const [address, taskQueue] = process.argv.slice(2);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue: taskQueue!,
    workflowsPath: require.resolve('./proof-workflows'),
    activities,
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

void main();
