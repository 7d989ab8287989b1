/**
 * The request's URL in its HTTP span as its log line writes it, apart from app/tracing.ts: the request log calls it on
 * every request, tracing on or off, and this needs only OpenTelemetry's API, where app/tracing.ts loads the SDK, the
 * instrumentations and the OTLP exporter (about 0.1 s of CPU to import, paid by every test file that builds the app).
 */
import { trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The attributes of an HTTP span that hold the request's URL or its path and query (old and new conventions). */
export const URL_ATTRIBUTES = ['http.url', 'http.target', 'url.full', 'url.path', 'url.query'];

/**
 * Writes the URL attributes the active span recorded (the HTTP server span of the request being handled, with tracing
 * on; without it there is none) as `loggedUrl`, the request's path and query as its log line writes them
 * (api/request-log.ts), where the instrumentation recorded them as sent: `/api/cases?Jane%20Example%201994-03-02`
 * and `/cases/maria-lopez-2010-05-02` were in the span whole, while the log read `/api/cases?…=…` and `/cases/…`.
 */
export function spanUrlAsLogged(loggedUrl: string): void {
  const span = trace.getActiveSpan();
  // The API's Span cannot be read back; the SDK's span it is here can (as in app/tracing.ts's request hook).
  const recorded = (span as Partial<ReadableSpan> | undefined)?.attributes;
  if (!span || !recorded) return;
  const query = loggedUrl.indexOf('?');
  const path = query < 0 ? loggedUrl : loggedUrl.slice(0, query);
  for (const name of URL_ATTRIBUTES) {
    const value = recorded[name];
    if (typeof value !== 'string') continue;
    if (name === 'http.url' || name === 'url.full') span.setAttribute(name, originOf(value) + loggedUrl);
    else if (name === 'url.path') span.setAttribute(name, path);
    else if (name === 'url.query') span.setAttribute(name, query < 0 ? '' : loggedUrl.slice(query + 1));
    else span.setAttribute(name, loggedUrl);
  }
}

/** The scheme, host and port of a URL as recorded, nothing of its path (none when it does not parse as one). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
