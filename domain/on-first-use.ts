/**
 * A value built the first time it is asked for, then kept: how domain/ defines its zod schemas. The case workflows
 * import domain/ on every run, and with the worker's reusable V8 context every cached run evaluates its modules anew
 * (README, Worker memory): a schema built at import costs each cached case its heap and each replay its time, though
 * a run only validates when it receives a command, and a replay never does.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
