/**
 * Waiting on other processes without fixed sleeps. Its own module, free of Temporal imports: importing the stack
 * installs the Temporal runtime, which a test of the whole service must leave to the service.
 */
/** Waits for a condition that other processes make true (an email arriving, a projection landing), up to a limit. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what = 'condition',
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
