import { z } from 'zod';

/**
 * zod sets its defaults (English messages, the memoizer of nested schemas) the first time it builds a schema. Set
 * here, at import, they are in place before the worker shares and freezes domain/ and zod across workflow runs
 * (temporal/worker.ts, caseBundleSettings), where a later write would be refused.
 */
z.config({ ...z.locales.en(), memoizer: z.memoizer() });

/**
 * A value built the first time it is asked for, then kept: how domain/ defines its zod schemas, so that importing
 * domain/ builds none, and a process (or a worker's V8 context) builds each once, when a command first needs it.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
