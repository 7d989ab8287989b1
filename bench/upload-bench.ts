/**
 * `npx tsx bench/upload-bench.ts [--uploads 30] [--bytes 9900000] [--documents-per-step 20]`: outside probe Q2 as a
 * measurement. One officer sends `--uploads` PDFs of `--bytes` each at once to one step, over HTTP, while the
 * coordinator reads the case and the work list in a loop and the readiness check's PostgreSQL query is asked beside
 * them; prints the uploads' answers by status, the reads' latency and answers, the database's growth and the
 * process's peak memory. On the test stack (test/support/stack.ts) with a pool of the service's 10 connections. The
 * test (test/api/own-stack/document-limits.ts) asserts that reads answer; the times are here.
 */
import type { AddressInfo } from 'node:net';
import { createServer, get } from 'node:http';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPool } from '../db/pool';
import { DEMO_AGENCIES } from '../db/seed';
import { startStack } from '../test/support/stack';
import { mib, ms, summarize, table } from './stats';

const { values } = parseArgs({
  options: {
    uploads: { type: 'string', default: '30' },
    bytes: { type: 'string', default: '9900000' },
    'documents-per-step': { type: 'string', default: '20' },
  },
});
const uploads = Number(values.uploads);
const bytes = Number(values.bytes);

/** One GET on a connection of its own (a connection an upload's refusal closed is never reused), its status. */
function readOnce(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

async function main() {
  const stack = await startStack();
  const pool = createPool(stack.database.connectionString, { max: 10, applicationName: 'bench-uploads' });
  const app = stack.appWith({ pool, documentLimits: { documentsPerStep: Number(values['documents-per-step']) } });
  const server = createServer(app);
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const as = (username: string) => stack.users[username]!.headers;
  try {
    const opened = await fetch(`${base}/api/cases`, {
      method: 'POST',
      headers: {
        ...as('demo-police-officer'),
        'Content-Type': 'application/json',
        'Idempotency-Key': `bench-uploads-${Date.now()}`,
      },
      body: JSON.stringify({
        survivor: { name: 'Bench Upload', birthDate: '1990-01-01' },
        agencies: DEMO_AGENCIES,
        identifiedOn: '2026-11-02',
      }),
    });
    if (opened.status !== 201) throw new Error(`the case was not opened: ${opened.status} ${await opened.text()}`);
    const { caseId } = (await opened.json()) as { caseId: string };
    const sizeOf = async () =>
      Number(
        (await stack.database.owner.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!
          .n,
      );
    const sizeBefore = await sizeOf();
    let peakRss = process.memoryUsage().rss;
    // Sent by curl, as the probe did: the client's work is not this process's, whose reads are measured.
    const folder = mkdtempSync(join(tmpdir(), 'upload-bench-'));
    const files = Array.from({ length: uploads }, (_, i) => {
      const path = join(folder, `big${i}.pdf`);
      writeFileSync(path, Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(bytes)]));
      return path;
    });

    let done = false;
    const reads: number[] = [];
    const readStatuses = new Map<number, number>();
    const readyTimes: number[] = [];
    const readLoop = (async () => {
      for (let turn = 0; !done; turn += 1) {
        const started = performance.now();
        const path = turn % 2 === 0 ? `/api/cases/${caseId}` : '/api/steps?status=pending';
        const status = await readOnce(`${base}${path}`, as('demo-coordinator'));
        reads.push(performance.now() - started);
        readStatuses.set(status, (readStatuses.get(status) ?? 0) + 1);
        const askedReady = performance.now();
        await pool.query('select 1');
        readyTimes.push(performance.now() - askedReady);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    })();

    const started = performance.now();
    const answers = await Promise.all(
      files.map(
        (file, i) =>
          new Promise<string>((resolve) => {
            const curl = [
              ...['-s', '-o', '/dev/null', '-w', '%{http_code}'],
              ...['-H', `Authorization: ${as('demo-police-officer').Authorization}`],
              ...['-F', `file=@${file};filename=e${i}.pdf`],
              `${base}/api/cases/${caseId}/steps/cp_request-1/documents`,
            ];
            execFile('curl', curl, (error, stdout) => resolve(error && !stdout ? `no answer (${error.code})` : stdout));
          }),
      ),
    );
    const uploadsMs = performance.now() - started;
    done = true;
    await readLoop;
    rmSync(folder, { recursive: true, force: true });

    const byAnswer = new Map<string, number>();
    for (const answer of answers) byAnswer.set(answer, (byAnswer.get(answer) ?? 0) + 1);
    const read = summarize(reads);
    const ready = summarize(readyTimes);
    console.log(`\n${uploads} uploads of ${mib(bytes)} at once by one officer, answered within ${ms(uploadsMs)}:`);
    console.log(
      table(
        ['answer', 'uploads'],
        [...byAnswer].map(([answer, n]) => [answer, String(n)]),
      ),
    );
    console.log(`\nThe coordinator's reads meanwhile (case and work list, one after another):`);
    console.log(
      table(
        ['', 'count', 'p50', 'p99', 'max', 'answers'],
        [
          [
            'reads',
            String(read.count),
            ms(read.p50Ms),
            ms(read.p99Ms),
            ms(read.maxMs),
            [...readStatuses].map(([status, n]) => `${status}×${n}`).join(' '),
          ],
          ['select 1 (readiness)', String(ready.count), ms(ready.p50Ms), ms(ready.p99Ms), ms(ready.maxMs), ''],
        ],
      ),
    );
    console.log(`\nDatabase grew by ${mib((await sizeOf()) - sizeBefore)}; this process's peak RSS ${mib(peakRss)}.`);
  } finally {
    await new Promise((closed) => server.close(closed));
    await pool.end();
    await stack.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
