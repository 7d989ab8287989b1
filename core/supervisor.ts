/**
 * Keeps an embedded server running (the service's PostgreSQL or Temporal dev server): when it exits without being
 * asked to, it is started again on the same data, after a pause that doubles each attempt; after the last failed
 * attempt the service is told to stop, with a message naming the server.
 */
import type { Logger } from './logger';

export interface SupervisedChild {
  /** Resolves, with how it ended ("signal SIGKILL", "code 1"), when the process exits for whatever reason. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  /** For the logs and the final message: "PostgreSQL", "the Temporal dev server". */
  name: string;
  logger: Logger;
  /** Restarts tried in a row before giving up (default 5: 0.5 + 1 + 2 + 4 + 8 s of pauses). */
  attempts?: number;
  firstPauseMs?: number;
  /** Called once the server is down for good. */
  giveUp(error: Error): void;
}

/** Starts the child, and keeps it running until stop(). A failing first start throws, as without supervision. */
export async function supervise<C extends SupervisedChild>(
  start: () => Promise<C>,
  options: SupervisorOptions,
): Promise<C> {
  const { name, logger, attempts = 5, firstPauseMs = 500 } = options;
  let current = await start();
  let stopping = false;

  const restart = async (how: string) => {
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const pauseMs = firstPauseMs * 2 ** (attempt - 1);
      logger.warn({ child: name, exited: how, attempt, attempts, pauseMs }, `${name} exited (${how}); restarting it`);
      await new Promise((resume) => setTimeout(resume, pauseMs));
      if (stopping) return;
      try {
        current = await start();
        // Asked to stop while it was starting: stop() awaited the dead one, so this one is stopped here.
        if (stopping) return void (await current.stop());
        logger.info({ child: name, attempt }, `${name} restarted`);
        watch(current);
        return;
      } catch (error) {
        logger.error({ child: name, attempt, err: error }, `${name} could not be restarted`);
        how = 'restart failed';
      }
    }
    options.giveUp(
      new Error(`${name} stopped and could not be restarted (${attempts} attempts); stopping the service`),
    );
  };
  const watch = (child: C) => {
    void child.exited.then((how) => {
      if (!stopping && child === current) void restart(how);
    });
  };
  watch(current);

  return {
    ...current,
    stop: async () => {
      stopping = true;
      await current.stop();
    },
  };
}
