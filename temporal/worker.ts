import { Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import type { CaseActivities } from '../activities';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CaseActivities;
  /** Tests pass a pre-built bundle to save the bundling time per worker; the service bundles at start. */
  workflowBundle?: WorkflowBundleOption;
}

/** The one way a case worker is built, in the service and in tests alike. */
export function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const { connection, namespace, taskQueue, activities, workflowBundle } = options;
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
