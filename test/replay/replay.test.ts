/**
 * Every recorded case history must replay on the current workflow code: a change that would break a running case
 * fails here (guard it with `patched()` and record a new history with `npm run record-histories`). Two checks keep
 * that guard honest: a negative control shows a nondeterministic variant of the workflow does fail on the same
 * histories, and each generation's histories must still cover what the generation claims (history-facts.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Resource } from '@opentelemetry/resources';
import { dataConverterFor } from '../../temporal/data-converter';
import { workerInterceptorOptions, workflowInterceptorModules, type Tracing } from '../../temporal/interceptors';
import { DELIVERY_WORKFLOW_TYPE, PASSED_NOTICES_WORKFLOW_TYPE, workflowIdOf } from '../../workflows/contract';
import { TEST_PAYLOAD_KEYRING } from '../support/stack';
import { workflowBundle } from '../support/temporal';
import { generationOf, GENERATION_CLAIMS, historyFacts, unmetClaims, type HistoryFacts } from './history-facts';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const generations = [...new Set(files.map(generationOf))].sort();
const dataConverter = dataConverterFor(TEST_PAYLOAD_KEYRING);

/**
 * What one file gives, worked out once: the replays on the current code, with tracing and on the variant, and the
 * checks of each generation read the same files, and when each parsed a history (`historyFromJSON`) and decoded its
 * facts again, that was about 8 of this file's 54 s of CPU.
 */
function oncePerFile<T>(read: (file: string) => T): (file: string) => T {
  const known = new Map<string, T>();
  return (file) => {
    if (!known.has(file)) known.set(file, read(file));
    return known.get(file)!;
  };
}
const jsonOf = oncePerFile((file): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8')));
const historyOf = oncePerFile((file) => historyFromJSON(jsonOf(file)));
const factsOf = oncePerFile((file) => historyFacts(jsonOf(file), dataConverter));

/** A run that continue-as-new did not start opens a case (readable without decrypting the input). */
function opensCase(file: string): boolean {
  const started = historyOf(file).events?.[0]?.workflowExecutionStartedEventAttributes;
  return !started?.continuedExecutionRunId;
}
const openingFiles = files.filter(opensCase);

/**
 * The workflow id the history ran under: its case's, as every case runs (the workflow refuses an input naming another
 * case). A history file does not keep it, its start input does.
 */
async function workflowIdOfHistory(file: string): Promise<string> {
  const { caseId } = await factsOf(file);
  if (!caseId) throw new Error(`${file}: its start input names no case`);
  return workflowIdOf(caseId);
}

/** A recorded history to replay, and the workflow id it ran under. */
type Recorded = { history: ReturnType<typeof historyOf>; workflowId: string };
const recordedCase = async (file: string): Promise<Recorded> => ({
  history: historyOf(file),
  workflowId: await workflowIdOfHistory(file),
});

/**
 * Replays `files` with the workflow interceptor modules the service runs (temporal/interceptors.ts): the request id's
 * always, OpenTelemetry's when tracing is on. Interceptors add headers and log attributes, never commands. One replay
 * worker replays them all, one after the other (the SDK's `runReplayHistories`), where a worker made for each history
 * took most of this file's time. They are replayed when a test first asks for one's outcome: its replay's error, or
 * undefined.
 */
function replayedOnce(
  workflowsPath: string,
  files: readonly string[],
  recorded: (file: string) => Promise<Recorded>,
  tracing?: Tracing,
) {
  let outcomes: Promise<(Error | undefined)[]> | undefined;
  const replayAll = async () => {
    const results = Worker.runReplayHistories(
      {
        workflowBundle: await workflowBundle(workflowsPath, workflowInterceptorModules(tracing !== undefined)),
        dataConverter,
        sinks: workerInterceptorOptions(tracing).sinks,
      },
      await Promise.all(files.map(recorded)),
    );
    const errors: (Error | undefined)[] = [];
    for await (const { error } of results) errors.push(error);
    return errors;
  };
  return async (file: string) => {
    outcomes ??= replayAll();
    const errors = await outcomes;
    if (errors.length !== files.length) throw new Error(`${errors.length} of ${files.length} histories replayed`);
    return errors[files.indexOf(file)];
  };
}

const tracingOn: Tracing = {
  spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()),
  resource: Resource.empty(),
};

test('recorded histories exist for every generation named in GENERATION_CLAIMS', () => {
  expect(generations).toEqual(Object.keys(GENERATION_CLAIMS).sort());
  expect(openingFiles.length).toBeGreaterThanOrEqual(generations.length);
});

const replayedOnCurrentCode = replayedOnce(require.resolve('../../workflows'), files, recordedCase);
test.each(files)('%s replays on the current workflow code', async (file) => {
  expect(await replayedOnCurrentCode(file)).toBeUndefined();
});

/**
 * With tracing on, one history of each generation: the tracing interceptors see only handlers and scheduling, which
 * every generation has.
 */
const onePerGeneration = generations.map((generation) => files.find((file) => generationOf(file) === generation)!);
const replayedWithTracing = replayedOnce(require.resolve('../../workflows'), onePerGeneration, recordedCase, tracingOn);
test.each(onePerGeneration)('%s replays on the current workflow code with tracing on', async (file) => {
  expect(await replayedWithTracing(file)).toBeUndefined();
});

/**
 * Runs that continue-as-new started are left out: a resumed run begins with a timer of its own, which the variant's
 * timer matches, so it fails later and for another reason (an update with no handler yet).
 */
describe('negative control: a workflow with an extra timer before its first projection', () => {
  // Core logs each failed replay task at WARN ("Failing workflow task ... Nondeterminism error"): expected here.
  const replayedOnVariant = replayedOnce(require.resolve('./nondeterministic-workflows'), openingFiles, recordedCase);
  test.each(openingFiles)('%s fails to replay with a determinism violation at its first command', async (file) => {
    const facts = await factsOf(file);
    expect(facts.startedAs).toBe('open');
    const first = facts.firstCommand!;
    // The timer the variant adds meets the first command the recording made, and core names that event; or, since v9,
    // the patch marker a run records first, which core names by its patch.
    const error = await replayedOnVariant(file);
    expect(error).toBeInstanceOf(DeterminismViolationError);
    expect((error as Error).message).toContain(
      first.type === 'MarkerRecorded'
        ? `Nondeterminism error: Non-deprecated patch marker encountered for change ${facts.patches[0]}`
        : `Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: ${first.eventId}, ${first.type})`,
    );
  });
});

/**
 * The workflows the cases set going (an email's delivery, an agency's gathering of notices of what passed), recorded
 * beside the cases' (record-histories.ts `recordOthers`). They run for minutes to days, so a change to one must replay
 * its runs too; their ids carry nothing the code reads.
 */
describe('the other workflows', () => {
  const otherDir = join(__dirname, 'other-histories');
  const others = readdirSync(otherDir).filter((f) => f.endsWith('.json'));
  const typeOf = (file: string) => file.split('-')[1];

  test('a delivery and a gathering of notices of what passed are recorded', () => {
    expect(new Set(others.map(typeOf))).toEqual(new Set([DELIVERY_WORKFLOW_TYPE, PASSED_NOTICES_WORKFLOW_TYPE]));
  });

  // Their ids carry nothing the code reads: each is replayed under its file's name.
  const replayedOther = replayedOnce(require.resolve('../../workflows'), others, async (file) => ({
    history: historyFromJSON(JSON.parse(readFileSync(join(otherDir, file), 'utf8'))),
    workflowId: file,
  }));
  test.each(others)('%s replays on the current workflow code', async (file) => {
    expect(await replayedOther(file)).toBeUndefined();
  });
});

describe('coverage of each generation', () => {
  const facts = new Map<string, HistoryFacts>();
  beforeAll(async () => {
    for (const file of files) facts.set(file, await factsOf(file));
  });

  test.each(generations)('the %s histories cover what the generation claims', (generation) => {
    const ofGeneration = files.filter((file) => generationOf(file) === generation).map((file) => facts.get(file)!);
    expect(unmetClaims(generation, ofGeneration)).toEqual([]);
  });
});
