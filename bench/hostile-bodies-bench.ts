/**
 * `npx tsx bench/hostile-bodies-bench.ts [--runs 5]`: outside probe Q6 as a measurement. The worst JSON bodies the
 * 64 kB limit lets anyone send, with no account, and how long the walk for ill-formed text (api/well-formed-text.ts),
 * which every body meets before any route, holds the one thread every request is answered on. Its path copied at each
 * value, 32,000 nested arrays took 8 to 17 s; the test (test/api/one-stack/well-formed-text.ts) asserts the refusal and a
 * coordinator's read beside it, the times are here.
 */
import { parseArgs } from 'node:util';
import { illFormedTextPaths } from '../api/well-formed-text';
import { ms, summarize, table } from './stats';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs <= 0) throw new Error('--runs must be a positive integer');

/** The body limit of a JSON request (api/app.ts). */
const LIMIT = 64 * 1024;
const half = LIMIT / 2;

const bodies: [string, string][] = [
  ['arrays nested 32,000 deep', '['.repeat(half) + ']'.repeat(half)],
  ['objects nested 10,900 deep', '{"a":'.repeat(Math.floor(LIMIT / 6)) + '1' + '}'.repeat(Math.floor(LIMIT / 6))],
  ['one array of 16,000 strings', `[${Array.from({ length: 16_000 }, () => '"x"').join(',')}]`],
  ['one object of 7,000 keys', `{${Array.from({ length: 7_000 }, (_, n) => `"${n}":1`).join(',')}}`],
];

const rows = bodies.map(([name, text]) => {
  const body: unknown = JSON.parse(text);
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    illFormedTextPaths(body);
    times.push(performance.now() - started);
  }
  const { p50Ms, maxMs } = summarize(times);
  return [name, `${(text.length / 1024).toFixed(1)} kB`, ms(p50Ms), ms(maxMs)];
});
console.log(`# the walk for ill-formed text, ${runs} runs of each body\n`);
console.log(table(['body', 'size', 'p50', 'max'], rows));
