/**
 * The workers' "Activity failed" lines, as the Temporal SDK asks the service's logger for them: the error's type, code
 * and message under `err` (a PostgreSQL freeze logged ~150 of them as `"error":{}`), and never a value of a row a
 * PostgreSQL error is about (its `detail` quotes the row; a data exception's message quotes the value), nor an address
 * an SMTP server's reply names. Real PostgreSQL errors, from a real server.
 */
import { Writable } from 'node:stream';
import type { Pool } from 'pg';
import { createLogger } from '../../../core/logger';
import { temporalLogger } from '../../../temporal/worker';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('activity-failure-log', () => {
  let database: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    database = await startTestDatabase();
    pool = database.pool;
    await pool.query(
      `INSERT INTO agencies (id, kind, name, email) VALUES ('log-probe', 'advocate', 'Amara Quetzal-Nakamura', 'amara@example.net')`,
    );
  });
  afterAll(async () => {
    await database?.stop();
  });

  /** The one line the SDK's "Activity failed" warning becomes, parsed. */
  function loggedFailure(error: unknown): { line: string; err: Record<string, unknown> } {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    // As the SDK's activity worker calls it (@temporalio/worker lib/activity.js).
    temporalLogger(logger).warn('Activity failed', { error, durationMs: 12 });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { msg: string; durationMs: number; err: Record<string, unknown> };
    expect(parsed).toMatchObject({ msg: 'Activity failed', durationMs: 12 });
    expect(parsed).not.toHaveProperty('error');
    return { line: lines[0]!, err: parsed.err };
  }

  async function thrownBy(sql: string, values: unknown[] = []): Promise<unknown> {
    return pool.query(sql, values).then(
      () => {
        throw new Error(`expected ${sql} to fail`);
      },
      (error: unknown) => error,
    );
  }

  test('a unique violation is logged by its type, code, message and constraint, not the duplicate value in its detail', async () => {
    // A table of the session's own, on one connection: a survivor's name is what its detail would quote.
    const client = await pool.connect();
    let error: unknown;
    try {
      await client.query('CREATE TEMP TABLE log_probe (holder text CONSTRAINT log_probe_holder_key UNIQUE)');
      await client.query(`INSERT INTO log_probe VALUES ('Amara Quetzal-Nakamura')`);
      error = await client.query(`INSERT INTO log_probe VALUES ('Amara Quetzal-Nakamura')`).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    } finally {
      client.release();
    }
    expect(error).toMatchObject({ code: '23505', detail: expect.stringContaining('Amara') as unknown });
    const { line, err } = loggedFailure(error);
    expect(err).toEqual({
      type: 'DatabaseError',
      code: '23505',
      message: 'duplicate key value violates unique constraint "log_probe_holder_key"',
      constraint: 'log_probe_holder_key',
      table: 'log_probe',
      stack: expect.stringMatching(/^ {4}at /) as unknown,
    });
    expect(line).not.toContain('Amara');
  });

  test("a not-null violation does not log the failing row's values", async () => {
    const error = await thrownBy(`UPDATE agencies SET name = NULL WHERE id = 'log-probe'`);
    expect(error).toMatchObject({ code: '23502', detail: expect.stringContaining('amara@example.net') as unknown });
    const { line, err } = loggedFailure(error);
    expect(err).toMatchObject({ type: 'DatabaseError', code: '23502', column: 'name', table: 'agencies' });
    expect(err.message).toContain('violates not-null constraint');
    expect(line).not.toContain('Amara');
    expect(line).not.toContain('amara@example.net');
  });

  test('a data exception, whose message quotes the value, is logged by its code alone', async () => {
    const error = await thrownBy(`SELECT $1::uuid`, ['Amara Quetzal-Nakamura']);
    expect(String((error as Error).message)).toContain('Amara');
    const { line, err } = loggedFailure(error);
    expect(err).toMatchObject({ type: 'DatabaseError', code: '22P02' });
    expect(err.message).toMatch(/PostgreSQL error 22P02/);
    expect(line).not.toContain('Amara');
  });

  test('any other error keeps its type, code and message, an address in it replaced', () => {
    const smtp = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 <cp-unit@ice.example>"), {
      code: 'EENVELOPE',
      response: '550 <cp-unit@ice.example>',
    });
    const { line, err } = loggedFailure(smtp);
    expect(err).toEqual({
      type: 'Error',
      code: 'EENVELOPE',
      message: "Can't send mail - all recipients were rejected: 550 <[address]>",
      stack: expect.stringMatching(/^ {4}at /) as unknown,
    });
    expect(line).not.toContain('cp-unit@ice.example');
    expect(loggedFailure(new TypeError('connect ECONNREFUSED 127.0.0.1:5432')).err).toEqual({
      type: 'TypeError',
      message: 'connect ECONNREFUSED 127.0.0.1:5432',
      stack: expect.stringMatching(/^ {4}at /) as unknown,
    });
  });
});
