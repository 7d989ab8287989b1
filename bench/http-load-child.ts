/** The load generator's own process (see http-load.ts): one run of autocannon, answered over IPC. */
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { HttpLoadOptions, HttpLoadResult } from './http-load';
import { summarize } from './stats';

async function run(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  // autocannon reports its end on its next one-second tick: the run ends at its last answer, not then.
  let lastAnswerAt = started;
  let finish: (result: autocannon.Result) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const instance = autocannon(
    {
      url: options.origin,
      connections: options.connections,
      amount: options.requests,
      headers: options.headers,
      requests: [
        {
          setupRequest: (request) => {
            const { path, post } = options.calls[next++ % options.calls.length]!;
            if (!post) return { ...request, path };
            const headers = { ...request.headers, ...post.headers, 'content-type': 'application/json' };
            return { ...request, path, method: 'POST', headers, body: post.body };
          },
        },
      ],
    },
    // autocannon's callback types its error as any; it is an Error when set.
    (error: Error | null, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    lastAnswerAt = performance.now();
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
  });
  const result = await done;
  const seconds = (lastAnswerAt - started) / 1000;
  return {
    ...summarize(latencies),
    perSecond: latencies.length / seconds,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

process.once('message', (options: HttpLoadOptions) => {
  run(options).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});
