import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { CaseActivities } from '../activities';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CaseActivities;
  /** The encrypting data converter (temporal/data-converter.ts); the same one the client uses. */
  dataConverter: DataConverter;
  /** Tests pass a pre-built bundle to save the bundling time per worker; the service bundles at start. */
  workflowBundle?: WorkflowBundleOption;
}

/** The one way a case worker is built, in the service and in tests alike. */
export function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, dataConverter, workflowBundle } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    dataConverter,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
