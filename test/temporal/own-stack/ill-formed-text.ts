/**
 * Probe W1, behind the API's door: a sign-off sent through CaseCommands (as anything but the API could) with a details
 * key that is a lone UTF-16 surrogate. The workflow's validator refuses the unknown key; its refusal once echoed the key,
 * which Temporal's Core cannot encode, and the worker stopped for every case. Now the refusal is well-formed text, an
 * unknown key that is no typo of a field is not repeated at all (domain/unknown-names.ts), and the worker goes on to
 * the next command.
 */
import { AppError } from '../../../core/errors';
import { demoActor, openDemoCase } from '../../support/demo-cases';
import { startStack, type Stack } from '../../support/stack';

describe('ill-formed-text', () => {
  const LONE = '\ud800';

  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const today = async () => new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);

  async function refusalOf(write: Promise<unknown>): Promise<AppError> {
    const error = await write.then(
      () => new Error('the sign-off was taken'),
      (refused: unknown) => refused,
    );
    if (!(error instanceof AppError)) throw error;
    return error;
  }

  test('a refused lone-surrogate key leaves the worker running; a long unknown key is not repeated', async () => {
    const poisoned = await openDemoCase(stack, 'Ill-formed Text Test');
    const other = await openDemoCase(stack, 'Ill-formed Text Test');
    const requestedOn = await today();
    const police = demoActor('law_enforcement');
    const signOffWith = (key: string) =>
      stack.cases.signOff(
        poisoned.caseId,
        { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn, [key]: 1 } },
        police,
      );

    const lone = await refusalOf(signOffWith(LONE));
    expect({ status: lone.status, code: lone.options.code }).toEqual({ status: 422, code: 'invalid_details' });
    for (const text of [lone.message, ...(lone.options.fields ?? []).flatMap(({ field, message }) => [field, message])])
      expect(text.isWellFormed()).toBe(true);

    const long = await refusalOf(signOffWith('k'.repeat(500)));
    expect(long.options.fields).toEqual([
      { field: 'details', message: 'an unknown field (its name is not repeated: it may be text about a person)' },
    ]);
    expect(long.message).not.toContain('kkk');

    // The worker took both refusals in its stride: the next command, on another case, is applied.
    const signed = await stack.cases.signOff(
      other.caseId,
      { stepId: 'cp_request-1', outcome: 'requested', details: { requestedOn } },
      police,
    );
    expect(signed.steps.find((step) => step.id === 'cp_request-1')?.status).toBe('completed');
  });
});
