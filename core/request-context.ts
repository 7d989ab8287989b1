/**
 * The request a piece of work is done for, carried through async calls (AsyncLocalStorage), so every log line of a
 * request carries its id without each call site passing it on: the API binds it per request, the activities per
 * activity (from the Temporal header the client and workflow interceptors carry, temporal/interceptors.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<{ requestId: string }>();

export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
