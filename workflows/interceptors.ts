/**
 * Workflow interceptors (the worker's `interceptors.workflowModules`), not workflow code: they add headers and log
 * attributes, never a command, so histories replay alike with and without them (test/replay).
 *
 * The request id a run, update or signal arrived with (workflows/request-id.ts) is bound while its handler runs and
 * goes on to what the handler schedules or sends (activities, local activities, child workflows, signals) and into
 * the workflow's log lines. A run started by a request keeps that request's id for its main loop: like its trace, it
 * says what started it.
 */
import {
  AsyncLocalStorage,
  type Headers,
  type Next,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { requestIdOfHeaders, withRequestIdHeader } from './request-id';

export const interceptors: WorkflowInterceptorsFactory = () => {
  // One per workflow: the factory runs for each workflow the worker starts or loads into its cache.
  const requestIds = new AsyncLocalStorage<string>();
  const within = <T>(headers: Headers, handle: () => Promise<T>): Promise<T> => {
    const requestId = requestIdOfHeaders(headers);
    return requestId === undefined ? handle() : requestIds.run(requestId, handle);
  };
  const inbound: WorkflowInboundCallsInterceptor = {
    execute: (input, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) =>
      within(input.headers, () => next(input)),
    handleUpdate: (input, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) =>
      within(input.headers, () => next(input)),
    handleSignal: (input, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) =>
      within(input.headers, () => next(input)),
  };
  return {
    inbound: [inbound],
    outbound: [
      {
        scheduleActivity: (input, next) =>
          next({ ...input, headers: withRequestIdHeader(input.headers, requestIds.getStore()) }),
        scheduleLocalActivity: (input, next) =>
          next({ ...input, headers: withRequestIdHeader(input.headers, requestIds.getStore()) }),
        startChildWorkflowExecution: (input, next) =>
          next({ ...input, headers: withRequestIdHeader(input.headers, requestIds.getStore()) }),
        signalWorkflow: (input, next) =>
          next({ ...input, headers: withRequestIdHeader(input.headers, requestIds.getStore()) }),
        getLogAttributes: (input, next) => {
          const requestId = requestIds.getStore();
          return next(requestId === undefined ? input : { ...input, requestId });
        },
      },
    ],
  };
};
