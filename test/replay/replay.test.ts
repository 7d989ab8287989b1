/**
 * Every recorded case history must replay on the current workflow code: a change that would break a running case
 * fails here (guard it with `patched()` and record a new history with `npm run record-histories`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { dataConverterFor } from '../../temporal/data-converter';
import { TEST_PAYLOAD_KEYRING } from '../support/stack';
import { workflowBundle } from '../support/temporal';

const dir = join(__dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('recorded histories exist', () => {
  expect(files.length).toBeGreaterThanOrEqual(2);
});

test.each(files)('%s replays on the current workflow code', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  await expect(
    Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(require.resolve('../../workflows')), dataConverter: dataConverterFor(TEST_PAYLOAD_KEYRING) },
      history,
      file,
    ),
  ).resolves.toBeUndefined();
});
