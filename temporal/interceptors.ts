/**
 * The Temporal interceptors of the client and the worker, in one place: the request id always, OpenTelemetry's only
 * when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT, app/tracing.ts), so that off, nothing of it runs at all.
 *
 * A request's id and trace go: API request → client (a header on the start, update or signal) → workflow inbound
 * (workflows/interceptors.ts) → workflow outbound (a header on each activity, local activity or child it schedules)
 * → activity inbound (bound for the activity's log lines, and for its own client calls, e.g. a delivery's start).
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type * as OpenTelemetryInterceptors from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, WorkerOptions } from '@temporalio/worker';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { currentRequestId, withRequestId } from '../core/request-context';
import { requestIdOfHeaders, withRequestIdHeader } from '../workflows/request-id';

/** Where spans go when tracing is on: the workflow's spans leave the sandbox through a sink to the same processor. */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
}

/**
 * OpenTelemetry's interceptors, loaded the first time tracing needs them: the package and what it loads cost about
 * 0.1 s of CPU, which every process without tracing (each test file that builds a client or a worker) would pay for
 * nothing. A synchronous require, since the functions below that need it are synchronous.
 */
function openTelemetryInterceptors(): typeof OpenTelemetryInterceptors {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on (see above)
  return require('@temporalio/interceptors-opentelemetry') as typeof OpenTelemetryInterceptors;
}

/** Adds the bound request id (core/request-context.ts) to whatever the client sends a workflow. */
const requestIdClientInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) =>
    next({ ...input, headers: withRequestIdHeader(input.headers, currentRequestId()) }),
  signalWithStart: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers, currentRequestId()) }),
  signal: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers, currentRequestId()) }),
  startUpdate: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers, currentRequestId()) }),
  startUpdateWithStart: (input, next) => {
    const requestId = currentRequestId();
    return next({
      ...input,
      workflowStartHeaders: withRequestIdHeader(input.workflowStartHeaders, requestId),
      updateHeaders: withRequestIdHeader(input.updateHeaders, requestId),
    });
  },
};

/** The `interceptors.workflow` of every Client that commands cases (the API's, the activities'). */
export function workflowClientInterceptors(tracing: Tracing | undefined): WorkflowClientInterceptor[] {
  return tracing
    ? [new (openTelemetryInterceptors().OpenTelemetryWorkflowClientInterceptor)(), requestIdClientInterceptor]
    : [requestIdClientInterceptor];
}

/**
 * The workflow interceptor modules bundled with the workflow code. OpenTelemetry's is bundled only when tracing is on:
 * it reports spans through the `exporter` sink, which only then exists.
 */
export function workflowInterceptorModules(traced: boolean): string[] {
  const requestIds = require.resolve('../workflows/interceptors');
  return traced
    ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'), requestIds]
    : [requestIds];
}

/** Binds the request id of an activity's header for its run: its log lines, and its own client calls. */
const requestIdActivityInterceptors: ActivityInterceptorsFactory = () => ({
  inbound: {
    execute: (input, next) => {
      const requestId = requestIdOfHeaders(input.headers);
      return requestId === undefined ? next(input) : withRequestId(requestId, () => next(input));
    },
  },
});

const openTelemetryActivityInterceptors: ActivityInterceptorsFactory = (ctx) => {
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } =
    openTelemetryInterceptors();
  return {
    inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
    outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
  };
};

/** The worker's interceptors and sinks. Given a pre-built bundle, it must have been built with the same modules. */
export function workerInterceptorOptions(tracing: Tracing | undefined): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const workflowModules = workflowInterceptorModules(tracing !== undefined);
  if (!tracing) return { interceptors: { activity: [requestIdActivityInterceptors], workflowModules } };
  return {
    sinks: { exporter: openTelemetryInterceptors().makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
    interceptors: { activity: [openTelemetryActivityInterceptors, requestIdActivityInterceptors], workflowModules },
  };
}
