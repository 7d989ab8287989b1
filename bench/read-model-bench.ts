/** Section 1: status reads at 100,000 cases, through our API and through the bare baseline, measured alike. */
import type { Pool } from 'pg';
import { BENCH_AGENCIES } from './bench-agencies';
import { loadReadModel, type LoadReport } from './bulk-load';
import { httpLoad, type HttpLoadResult } from './http-load';
import { seededRandom } from './synthetic-cases';

export interface ReadBenchOptions {
  cases: number;
  requests: number;
  connections: number;
  progress: (message: string) => void;
}

export interface ReadRow {
  name: string;
  ours: HttpLoadResult;
  bare: HttpLoadResult;
}

export interface ReadBenchResult {
  load: LoadReport;
  rows: ReadRow[];
}

/** Work lists are asked for by the agencies that own steps; the ones with many steps matter most. */
const INBOX_AGENCIES = BENCH_AGENCIES.filter((a) => a.kind !== 'coordinator').map((a) => a.id);

export async function runReadBench(pool: Pool, origins: { app: string; bare: string }, options: ReadBenchOptions): Promise<ReadBenchResult> {
  const load = await loadReadModel(pool, { cases: options.cases, templates: 500, seed: 7, progress: options.progress });
  options.progress(`loaded ${load.cases.toLocaleString('en-US')} cases in ${load.seconds.toFixed(0)} s`);

  const { rows: sample } = await pool.query<{ id: string }>('SELECT id FROM cases ORDER BY random() LIMIT 5000');
  const caseIds = sample.map((row) => row.id);
  const random = seededRandom(11);
  const agencies = Array.from({ length: 5000 }, () => INBOX_AGENCIES[Math.floor(random() * INBOX_AGENCIES.length)]!);

  const scenarios = [
    { name: 'GET case by id', ours: caseIds.map((id) => `/api/cases/${id}`), bare: caseIds.map((id) => `/bare/cases/${id}`) },
    {
      name: 'GET pending steps of an agency',
      ours: agencies.map((a) => `/api/steps?status=pending&agencyId=${a}&limit=50`),
      bare: agencies.map((a) => `/bare/steps?status=pending&agencyId=${a}&limit=50`),
    },
    {
      name: 'GET overdue steps of an agency',
      ours: agencies.map((a) => `/api/steps?status=overdue&agencyId=${a}&limit=50`),
      bare: agencies.map((a) => `/bare/steps?status=overdue&agencyId=${a}&limit=50`),
    },
  ];
  // Our API wants to know who is asking; a coordinator reads everything here (access control comes later).
  const headers = { 'x-agency-id': 'bench-coordinator-0', 'x-user-id': 'bench-user' };
  const rows: ReadRow[] = [];
  for (const scenario of scenarios) {
    const run = async (origin: string, paths: string[]) => {
      // Warm-up (connections, plans, caches), then the measured run.
      await httpLoad({ origin, paths, headers, connections: options.connections, requests: Math.min(1000, options.requests) });
      return httpLoad({ origin, paths, headers, connections: options.connections, requests: options.requests });
    };
    const ours = await run(origins.app, scenario.ours);
    const bare = await run(origins.bare, scenario.bare);
    rows.push({ name: scenario.name, ours, bare });
    options.progress(`${scenario.name}: ours ${Math.round(ours.perSecond)} req/s, bare ${Math.round(bare.perSecond)} req/s`);
  }
  return { load, rows };
}
