/** The baseline for a sign-off: a workflow whose update answers at once, with no rules, activity or projection. */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const pingUpdate = defineUpdate<number, [number]>('ping');

export async function pingWorkflow(): Promise<void> {
  setHandler(pingUpdate, (n) => n);
  // Stays open until the bench terminates it (or the dev server it lives on is stopped).
  await condition(() => false);
}
