/**
 * The service's Prometheus metrics (prom-client), one registry per process: each API process serves its own on
 * `/metrics` (api/metrics.ts). Labels are route patterns, status codes and step kinds only: never a raw path, a case
 * id, a reference or anything about a person.
 *
 * What the read model knows (steps pending and overdue by kind, the outbox's unsent and failing emails) is read at
 * scrape time with one statement (db/operations-counts.ts) shared by every gauge of that scrape and reused for
 * `READ_MODEL_CACHE_MS`, so several scrapers (or a scrape's several gauges) cost one query per 15 s at most.
 * These gauges describe the whole deployment, so every API process reports the same values: aggregate them with
 * max(), not sum(). The worker's metrics (the Temporal SDK's and the emails it sends) are the SDK's, on its own port
 * (temporal/worker.ts).
 */
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { operationsCounts, type OperationsCounts } from '../db/operations-counts';
import { STEP_KINDS } from '../domain/types';

/**
 * Counting the pending steps walks every pending step: about 0.3 s at 100,000 cases (300,000 pending steps, on the
 * 2-core development VM under load). Reused for 15 s, that is at most 2% of a core per API process however often it is
 * scraped; the gauges move over minutes and days, so 15 s old is fresh enough to alert on.
 */
const READ_MODEL_CACHE_MS = 15_000;

export interface MetricsDeps {
  pool: Pool;
  now: Clock;
  logger: Logger;
  /** How long one reading of the read model serves scrapes (default READ_MODEL_CACHE_MS); a test may want none. */
  readModelCacheMs?: number;
}

export type ServiceMetrics = ReturnType<typeof createMetrics>;

export function createMetrics(deps: MetricsDeps) {
  const registry = new Registry();
  // The process's own: CPU, memory, heap, event-loop lag, handles (prom-client's standard set).
  collectDefaultMetrics({ register: registry });

  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern (never the raw path) and status: latency; _count is the number of requests.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const casesOpened = new Counter({
    name: 'relief_cases_opened_total',
    help: 'Cases opened through this API process (answered 201).',
    registers: [registry],
  });
  const signOffs = new Counter({
    name: 'relief_sign_offs_total',
    help: 'Sign-offs applied through this API process (answered 200), by step kind.',
    labelNames: ['step_kind'] as const,
    registers: [registry],
  });

  type Reading = OperationsCounts & { now: Date };
  let latest: { at: number; counts: Promise<Reading | null> } | undefined;
  /** One query for every gauge of a scrape; a failed read answers null (the gauges then go absent, `up` 0). */
  const counts = (): Promise<Reading | null> => {
    const at = Date.now();
    if (!latest || at - latest.at >= (deps.readModelCacheMs ?? READ_MODEL_CACHE_MS)) {
      const reading = deps
        .now()
        .then(async (now) => ({ ...(await operationsCounts(deps.pool, now)), now }))
        .catch((error: unknown) => {
          deps.logger.warn({ err: error }, 'metrics: the read model could not be counted');
          return null;
        });
      latest = { at, counts: reading };
    }
    return latest.counts;
  };
  const fromReadModel = (
    name: string,
    help: string,
    labelNames: readonly string[],
    set: (gauge: Gauge, counts: Reading) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        const read = await counts();
        if (read) set(this, read);
      },
    });
  const byKind = (field: 'pending' | 'overdue') => (gauge: Gauge, read: Reading) => {
    // Every kind, zero included, so a series drops to 0 rather than disappearing when the last step is signed.
    for (const kind of STEP_KINDS) gauge.set({ step_kind: kind }, 0);
    for (const row of read.steps) gauge.set({ step_kind: row.kind }, row[field]);
  };
  fromReadModel('relief_steps_pending', 'Pending steps by step kind (read model).', ['step_kind'], byKind('pending'));
  fromReadModel(
    'relief_steps_overdue',
    'Pending steps past their due date by step kind (read model).',
    ['step_kind'],
    byKind('overdue'),
  );
  fromReadModel('relief_notifications_unsent', 'Emails in the outbox not yet sent.', [], (gauge, read) =>
    gauge.set(read.unsentEmails),
  );
  fromReadModel(
    'relief_notifications_failing',
    'Unsent emails whose last attempt failed (being retried).',
    [],
    (gauge, read) => gauge.set(read.failingEmails),
  );
  fromReadModel(
    'relief_notifications_oldest_unsent_age_seconds',
    'How long the oldest unsent email has waited; 0 when none waits.',
    [],
    (gauge, read) =>
      gauge.set(read.oldestUnsentAt ? Math.max(0, (read.now.getTime() - read.oldestUnsentAt.getTime()) / 1000) : 0),
  );
  new Gauge({
    name: 'relief_metrics_read_model_up',
    help: "1 when the last scrape's read-model counts were read, 0 when PostgreSQL did not answer.",
    registers: [registry],
    async collect() {
      this.set((await counts()) ? 1 : 0);
    },
  });

  return {
    registry,
    httpRequestDuration,
    casesOpened,
    signOffs,
  };
}
