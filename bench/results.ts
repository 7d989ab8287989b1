/** Each run's numbers as JSON, next to the printed summary: bench/results/latest.json (git-ignored), overwritten. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RESULTS_DIR = join(__dirname, 'results');

/** Writes `data` as bench/results/latest.json and returns the path. */
export function writeResults(data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, 'latest.json');
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
