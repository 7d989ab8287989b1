/**
 * OpenTelemetry traces, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set (spans go there over OTLP/HTTP, with the
 * exporter's standard OTEL_EXPORTER_OTLP_* settings); off, no SDK starts and nothing is patched.
 *
 * Must start before http and pg are first required: the instrumentations patch them as they load. main.ts therefore
 * starts it before it imports the rest of the service. No Express instrumentation: @opentelemetry/instrumentation-express
 * of this SDK line (0.47) patches Express 4 only; api/route.ts names the request's span by its route instead.
 *
 * No personal data goes into a span: HTTP spans carry method, route, path and status, the client's address and user
 * agent, never headers or bodies. A request's URL is the one its log line writes (`spanUrlAsLogged`, app/span-url.ts,
 * called by api/request-log.ts): query values, unknown query names and path segments that are neither a route's word
 * nor an id left out, as a survivor's name typed into an address would be there; any token is left out of every HTTP
 * span's URL, a client's too. PostgreSQL spans carry the SQL text, which holds placeholders, never the query's values
 * (`enhancedDatabaseReporting` stays off); Temporal spans carry workflow, update and activity names and ids.
 */
import { registerInstrumentations, type InstrumentationBase } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { withoutTokens } from '../core/token-format';
import { URL_ATTRIBUTES } from './span-url';
import type { Tracing } from '../temporal/interceptors';

export interface RunningTracing extends Tracing {
  /**
   * The instrumentations, registered: each patches its module as it is required. A test runner with a module loader of
   * its own (jest), which require-in-the-middle cannot hook, applies their patches itself.
   */
  instrumentations: InstrumentationBase[];
  /** Sends the spans still buffered and stops; the last thing the service does. */
  shutdown(): Promise<void>;
}

/** Probes and scrapes, every few seconds from orchestrators: noise in traces, and no request of anyone's. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

/** Tracing as configured by the environment: OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, else off (undefined). */
export function tracingFromEnvironment(env: NodeJS.ProcessEnv = process.env): RunningTracing | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) return undefined;
  return startTracing(new BatchSpanProcessor(new OTLPTraceExporter()), env.OTEL_SERVICE_NAME);
}

/** Registers the tracer provider, its context propagation and the instrumentations, process-wide. */
export function startTracing(spanProcessor: SpanProcessor, serviceName = 'relief-cases'): RunningTracing {
  const resource = Resource.default().merge(new Resource({ 'service.name': serviceName }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Also installs the AsyncLocalStorage context manager and the W3C trace-context propagator the interceptors use.
  provider.register();
  const instrumentations: InstrumentationBase[] = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
      // The instrumentation records the whole URL, and a calendar feed's path is its credential: left out, as the
      // request log leaves it out.
      requestHook: (span) => {
        // The API's Span cannot be read back; the SDK's span it is here can, and what it recorded is replaced.
        const recorded = (span as Partial<ReadableSpan>).attributes ?? {};
        for (const name of URL_ATTRIBUTES) {
          const value = recorded[name];
          if (typeof value === 'string') span.setAttribute(name, withoutTokens(value));
        }
      },
    }),
    // Only queries that belong to a trace (a request, an activity): the outbox's polling alone would fill the
    // backend with one-span traces. The query's values stay out (enhancedDatabaseReporting is off by default).
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
  ];
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations });
  return {
    instrumentations,
    spanProcessor,
    resource,
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  };
}
