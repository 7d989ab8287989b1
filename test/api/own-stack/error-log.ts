/**
 * What the API's log keeps of an error no route answers for (api/problem.ts `errorHandler`): its type, code, a message
 * that quotes no value and its stack frames, never a PostgreSQL error's `detail` (the row's values), a message that
 * quotes the value it refused, nor an address in an SMTP server's reply. The logger's `err` serializer does it for
 * every line (core/logger.ts), as it did before for the worker's only. Real PostgreSQL errors, from a real server.
 */
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../../api/problem';
import { requestLog } from '../../../api/request-log';
import { createLogger } from '../../../core/logger';
import { logCapture } from '../../support/scan';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('error-log', () => {
  const HOLDER = 'Amara Quetzal-Nakamura';
  const ADDRESS = 'amara.quetzal@example.net';

  let database: TestDatabase;
  beforeAll(async () => {
    database = await startTestDatabase();
  });
  afterAll(async () => {
    await database?.stop();
  });

  const log = logCapture();
  const logger = createLogger({ level: 'info', destination: log.destination });
  type Line = Record<string, unknown> & { msg: string; err?: Record<string, unknown> };
  const lines = () => log.lines.map((line) => JSON.parse(line) as Line);

  /** A unique violation, as a write that collides with a row meets it: its detail quotes the duplicate value. */
  async function uniqueViolation(): Promise<unknown> {
    const client = await database.pool.connect();
    try {
      await client.query(
        'CREATE TEMP TABLE error_log_probe (holder text CONSTRAINT error_log_probe_holder_key UNIQUE)',
      );
      await client.query('INSERT INTO error_log_probe VALUES ($1)', [HOLDER]);
      return await client.query('INSERT INTO error_log_probe VALUES ($1)', [HOLDER]).then(
        () => new Error('expected a unique violation'),
        (thrown: unknown) => thrown,
      );
    } finally {
      await client.query('DROP TABLE IF EXISTS error_log_probe');
      client.release();
    }
  }

  const app = express();
  app.use(
    requestLog(logger, {
      loggedUrl: (url) => url,
      actorOf: () => undefined,
      vocabulary: () => ({ pathWords: new Set(['duplicate', 'uuid', 'smtp']), queryNames: new Set() }),
    }),
  );
  app.post('/duplicate', async (_req, _res, next) => {
    next(await uniqueViolation());
  });
  app.get('/uuid', async (_req, _res, next) => {
    await database.pool.query('SELECT $1::uuid', [HOLDER]).then(() => next(new Error('expected a refusal')), next);
  });
  app.get('/smtp', () => {
    // As nodemailer rejects a message: the server's reply, with the address, in the message and in its own properties.
    throw Object.assign(
      new Error(`Can't send mail - all recipients were rejected: 550 5.1.1 <${ADDRESS}>: no such user`),
      {
        code: 'EENVELOPE',
        response: `550 5.1.1 <${ADDRESS}>: no such user`,
        rejected: [ADDRESS],
        command: 'RCPT TO',
      },
    );
  });
  app.use(errorHandler);

  /** The "unhandled error" line of the request answered with `requestId`. */
  function unhandled(requestId: string): Line {
    const line = lines().find((entry) => entry.msg === 'unhandled error' && entry.reqId === requestId);
    expect(line).toBeDefined();
    return line!;
  }

  test('a unique violation reaching the error handler is logged by its type, code, message, constraint and frames, not the value in its detail', async () => {
    const res = await request(app).post('/duplicate').expect(500);
    const line = unhandled(res.headers['x-request-id'] as string);
    expect(line.err).toEqual({
      type: 'DatabaseError',
      code: '23505',
      message: 'duplicate key value violates unique constraint "error_log_probe_holder_key"',
      constraint: 'error_log_probe_holder_key',
      table: 'error_log_probe',
      stack: expect.stringMatching(/^ {4}at /) as unknown,
    });
    // Frames only: the stack's first line repeated the message, and the frames name files, never values.
    expect((line.err!.stack as string).split('\n').every((frame) => /^\s+at /.test(frame))).toBe(true);
    expect(log.lines.join('\n')).not.toContain('Amara');
    expect(log.lines.join('\n')).not.toMatch(/detail|Key \(holder\)/);
  });

  test('a data exception, whose message quotes the value it refused, is logged by its SQLSTATE', async () => {
    const res = await request(app).get('/uuid').expect(500);
    const line = unhandled(res.headers['x-request-id'] as string);
    expect(line.err).toMatchObject({
      type: 'DatabaseError',
      code: '22P02',
      message: expect.stringContaining('22P02') as unknown,
    });
    expect(log.lines.join('\n')).not.toContain('Amara');
  });

  test("an error whose message holds an email address is logged with the address replaced, and none of the SMTP reply's properties", async () => {
    const res = await request(app).get('/smtp').expect(500);
    const line = unhandled(res.headers['x-request-id'] as string);
    expect(line.err).toMatchObject({
      type: 'Error',
      code: 'EENVELOPE',
      message: "Can't send mail - all recipients were rejected: 550 5.1.1 <[address]>: no such user",
    });
    expect(line.err).not.toHaveProperty('response');
    expect(line.err).not.toHaveProperty('rejected');
    expect(log.lines.join('\n')).not.toContain('example.net');
  });

  test('a line logged with an error and no message of its own takes the loggable message, not the raw one', async () => {
    const error = await uniqueViolation();
    logger.error(error);
    logger.warn({ err: await database.pool.query('SELECT $1::uuid', [HOLDER]).catch((thrown: unknown) => thrown) });
    const [first, second] = lines().slice(-2);
    expect(first).toMatchObject({ msg: 'duplicate key value violates unique constraint "error_log_probe_holder_key"' });
    expect(second).toMatchObject({ msg: expect.stringContaining('22P02') as unknown });
    expect(log.lines.join('\n')).not.toContain('Amara');
  });

  test('a cause is logged as loggably as its error', () => {
    const cause = Object.assign(new Error(`rejected <${ADDRESS}>`), { detail: `Key (holder)=(${HOLDER})` });
    logger.error({ err: new Error('the notice was not sent', { cause }) }, 'notice failed');
    const line = lines().at(-1)!;
    expect(line.err).toMatchObject({
      type: 'Error',
      message: 'the notice was not sent',
      cause: { type: 'Error', message: 'rejected <[address]>' },
    });
    expect(log.lines.join('\n')).not.toMatch(/Amara|example\.net/);
  });
});
