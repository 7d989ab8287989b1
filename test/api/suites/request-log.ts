import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { createLogger } from '../../../core/logger';
import { requestLog } from '../../../api/request-log';
import { logCapture, withoutRandomParts } from '../../support/scan';

describe('request-log', () => {
  const log = logCapture();
  /** Told the response the slow route holds, unanswered, until the test lets it go. */
  let hold: (res: express.Response) => void = () => undefined;

  const app = express();
  app.use(
    requestLog(createLogger({ level: 'info', destination: log.destination }), {
      loggedUrl: (url) => url.replace(/^\/feed\/[^/?]*/, '/feed/[secret]'),
      actorOf: (res) => (res as express.Response).locals.actor as { agencyId: string; userId: string } | undefined,
      // The words of this app's routes and the query names they read, as api/app.ts gathers them from its routes.
      vocabulary: () => ({
        pathWords: new Set(['cases', 'steps', 'feed', 'down', 'slow']),
        queryNames: new Set(['limit', 'reference']),
      }),
    }),
  );
  app.use(express.json());
  app.post('/cases', (req, res) => {
    res.locals.actor = { agencyId: 'le-1', userId: 'u-1' };
    res.status(201).json({ received: Object.keys(req.body as object) });
  });
  app.get('/feed/:secret', (_req, res) => {
    res.send('calendar');
  });
  app.get('/down', (_req, res) => {
    res.status(503).json({ status: 503 });
  });
  app.get('/slow', (_req, res) => {
    hold(res);
  });

  type Line = Record<string, unknown> & { msg: string; level: number };
  const lines = () => log.lines.map((line) => JSON.parse(line) as Line);
  /** The line of a request, by its id or by the correlation id its caller offered. */
  const lineFor = (requestId: string) =>
    lines().find((line) => {
      const req = line.req as { id?: string; correlationId?: string } | undefined;
      return req?.id === requestId || req?.correlationId === requestId;
    });

  /** Polls until the request's line is written (when its response closes), up to a deadline: never a fixed sleep. */
  async function waitForLine(requestId: string): Promise<Line> {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const line = lineFor(requestId);
      if (line) return line;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no log line for ${requestId}`);
  }

  test('a request is logged once, with its id, method, path, status, time and who asked, never its body or query values', async () => {
    const answer = await request(app)
      .post('/cases?limit=5&reference=Test%20Person&access_token=rc_url_token&limit=6')
      .set('X-Request-Id', '00000000-0000-4000-8000-000000000101')
      .set('Authorization', 'Bearer rc_secret_token')
      .send({ survivor: { name: 'Test Person' } })
      .expect(201);
    const line = await waitForLine('00000000-0000-4000-8000-000000000101');
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      // A query parameter's name, never its value: a name searched for or a token put in the URL stays out; a name no
      // route reads is left out too (one placeholder for all).
      req: {
        id: answer.headers['x-request-id'] as string,
        correlationId: '00000000-0000-4000-8000-000000000101',
        method: 'POST',
        url: '/cases?limit=…&reference=…&…=…',
      },
      res: { statusCode: 201 },
      actor: { agencyId: 'le-1', userId: 'u-1' },
    });
    expect(typeof line.responseTime).toBe('number');
    expect(
      lines().filter(
        (l) =>
          (l.req as { correlationId?: string } | undefined)?.correlationId === '00000000-0000-4000-8000-000000000101',
      ),
    ).toHaveLength(1);
    expect(log.lines.join('\n')).not.toMatch(/Test Person|rc_secret_token|rc_url_token/);
  });

  test('a path segment that is not an id or a word of ours is left out: a name typed where a case id belongs', async () => {
    for (const [path, id] of [
      ['/cases/Zorvath%20Quillbyxe', '00000000-0000-4000-8000-000000000102'],
      ['/cases/Mar%C3%ADa', '00000000-0000-4000-8000-000000000103'],
      ['/cases/Zorvath/steps/cp_request-1', '00000000-0000-4000-8000-000000000104'],
    ] as const)
      await request(app).get(path).set('X-Request-Id', id).expect(404);
    expect((await waitForLine('00000000-0000-4000-8000-000000000102')).req).toMatchObject({ url: '/cases/…' });
    expect((await waitForLine('00000000-0000-4000-8000-000000000103')).req).toMatchObject({ url: '/cases/…' });
    expect((await waitForLine('00000000-0000-4000-8000-000000000104')).req).toMatchObject({
      url: '/cases/…/steps/cp_request-1',
    });
    expect(log.lines.join('\n')).not.toMatch(/Zorvath|Quillbyxe|Mar%C3%ADa/);
    // Ids and our own words are kept, for the operator reading the log.
    await request(app)
      .get('/cases/0f9c2a4e-1b7d-4c3e-9a55-6f1d2e3c4b5a')
      .set('X-Request-Id', '00000000-0000-4000-8000-000000000105')
      .expect(404);
    expect((await waitForLine('00000000-0000-4000-8000-000000000105')).req).toMatchObject({
      url: '/cases/0f9c2a4e-1b7d-4c3e-9a55-6f1d2e3c4b5a',
    });
  });

  test('a name typed into the address is left out, as a path segment or as a query parameter no route reads', async () => {
    for (const [path, id, logged] of [
      ['/cases/maria-lopez', '00000000-0000-4000-8000-000000000201', '/cases/…'],
      ['/cases/maria-lopez-2010-05-02', '00000000-0000-4000-8000-000000000202', '/cases/…'],
      // The shape of a step id, but no step kind of ours.
      ['/cases/maria_lopez-1990', '00000000-0000-4000-8000-000000000203', '/cases/…'],
      ['/cases?Jane%20Example%201994-03-02', '00000000-0000-4000-8000-000000000204', '/cases?…=…'],
      ['/cases?jane=1&Example=2&limit=3', '00000000-0000-4000-8000-000000000205', '/cases?…=…&limit=…'],
    ] as const) {
      await request(app).get(path).set('X-Request-Id', id).expect(404);
      expect((await waitForLine(id)).req).toMatchObject({ url: logged });
    }
    expect(withoutRandomParts(log.lines.join('\n'))).not.toMatch(/maria|lopez|2010-05-02|Jane|jane|Example|1994/);
  });

  test('a fresh id when the caller offers none or one that is not a UUID, echoed in the answer', async () => {
    const answer = await request(app).get('/feed/abc').set('X-Request-Id', 'Ana-Zeta-Probe-1990-01-03').expect(200);
    const id = answer.headers['x-request-id'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // The path is logged as the app says it may be: here without the feed's secret.
    expect(await waitForLine(id)).toMatchObject({ req: { url: '/feed/[secret]' }, res: { statusCode: 200 } });
    expect((await waitForLine(id)).actor).toBeUndefined();
    expect(log.lines.join('\n')).not.toMatch(/Ana-Zeta|1990-01-03/);
  });

  test("two requests offering the same X-Request-Id (one copied from another user's) are logged under two ids of ours", async () => {
    const offered = '00000000-0000-4000-8000-000000000301';
    const first = await request(app).get('/feed/abc').set('X-Request-Id', offered).expect(200);
    const second = await request(app).get('/feed/def').set('X-Request-Id', offered).expect(200);
    const ids = [first, second].map((answer) => answer.headers['x-request-id'] as string);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids).not.toContain(offered);
    // The caller's id is echoed apart, as a correlation id, and logged beside ours on each line.
    expect([first, second].map((answer) => answer.headers['x-correlation-id'])).toEqual([offered, offered]);
    for (const id of ids) expect((await waitForLine(id)).req).toMatchObject({ id, correlationId: offered });
  });

  test('a 5xx answer is logged at error level', async () => {
    await request(app).get('/down').set('X-Request-Id', '00000000-0000-4000-8000-000000000106').expect(503);
    expect(await waitForLine('00000000-0000-4000-8000-000000000106')).toMatchObject({
      level: 50,
      msg: 'request errored',
      res: { statusCode: 503 },
    });
  });

  test('a client that goes away before the answer is logged as aborted', async () => {
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const held = new Promise<express.Response>((resolve) => (hold = resolve));
      const client = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/slow',
        headers: { 'X-Request-Id': '00000000-0000-4000-8000-000000000107' },
      });
      client.on('error', () => undefined);
      client.end();
      // Gone once the route holds the request, before it answers.
      const response = await held;
      client.destroy();
      expect(await waitForLine('00000000-0000-4000-8000-000000000107')).toMatchObject({
        level: 30,
        msg: 'request aborted',
        aborted: true,
      });
      response.end();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
