/** Everything the bench starts registers how to stop it; `stopAll` stops them in reverse order, even after a failure. */
export class Cleanup {
  private readonly stoppers: { name: string; stop: () => Promise<unknown> }[] = [];
  private stopping: Promise<void> | undefined;

  add(name: string, stop: () => Promise<unknown>): void {
    this.stoppers.push({ name, stop });
  }

  /** Safe to call from both a signal handler and the main flow: both wait for the one run of the stoppers. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, stop } of this.stoppers.reverse()) {
        await stop().catch((error: unknown) => console.error(`error while stopping ${name}:`, error));
      }
    })();
    return this.stopping;
  }
}
