/**
 * One stack for the tests of what were several jest files, each now a module that a single test file imports, to
 * spare each file's start-up and its own PostgreSQL and Temporal server (README "Tests"). The test file calls
 * `stackForAllModules()` first; each module's tests sit under `describeOnSharedStack`, named after the old file.
 */
import { startStack, type Stack, type StackOptions } from './stack';

let running: Stack | undefined;

/** Starts the stack before the file's tests and stops it after them; called once, by the test file. */
export function stackForAllModules(options: StackOptions = {}): void {
  beforeAll(async () => {
    running = await startStack(options);
  });
  afterAll(async () => {
    await running?.stop();
    running = undefined;
  });
}

/** The shared stack, read inside hooks and tests (it starts in the test file's `beforeAll`). */
export function sharedStack(): Stack {
  if (!running) throw new Error('the shared stack starts in beforeAll; read it inside hooks or tests');
  return running;
}

/**
 * The tests of what was a jest file of its own, on the shared stack: a `describe` named after the old file, whose
 * tests start with no rate limit spent, as they did on a stack of their own.
 */
export function describeOnSharedStack(file: string, tests: () => void): void {
  describeFormerFile(sharedStack, file, tests);
}

/**
 * A `describe` named after a former jest file whose tests now share a stack with others: they start with no rate limit
 * spent on `stackOf()`, as they did on a stack of their own. For the shared stack here and the console's
 * (test/support/console.ts `describeSharing`).
 */
export function describeFormerFile(stackOf: () => Stack, file: string, tests: () => void): void {
  describe(file, () => {
    beforeAll(() => stackOf().resetRateLimits());
    tests();
  });
}
