/**
 * The sign-off form's upload (up to 10 MB, held in memory while it is read) is read only for a browser signed in and
 * posting from the console: a request without a session, or from another origin, is answered on its headers, before
 * any of its body is read, so no one who merely reaches the console can make it hold 10 MB per open request (probe).
 *
 * The console alone, in front of an API that is never asked: every request here is answered before it would be.
 * Each request sends its headers (a 9 MB body announced) and the first bytes of the form, and no more: it is answered
 * only if the console does not wait for the rest. Whether the console began reading the body before it answered is
 * seen from the server (the request stream switched to flowing: a parser piped it), so a console that reads it fails
 * at once rather than waiting for a body that never comes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createConsole } from '../../../web/console';
import { sealSessionToken, SESSION_COOKIE } from '../../../web/session';

describe('upload-unread', () => {
  const PUBLIC_BASE_URL = 'https://console.example.org';
  const SECRET = randomBytes(32).toString('base64url');
  const STEP_PAGE = '/cases/00000000-0000-4000-8000-000000000000/steps/cp_request-1';
  const BOUNDARY = 'probe-boundary';
  const ANNOUNCED_BYTES = 9_000_000;

  let server: Server;
  let port: number;
  /** Per request the server received: whether its body began to be read before its answer was started. */
  const readBeforeAnswer = new Map<string, () => void>();

  beforeAll(async () => {
    const app = express().use(
      createConsole({ apiUrl: 'http://127.0.0.1:9', publicBaseUrl: PUBLIC_BASE_URL, secret: SECRET }),
    );
    server = createServer();
    // First, before the console: a request's stream is resumed when a parser pipes it, or by Node once the answer is
    // sent (it then drains what is left). The first is reading the body; the second is not.
    server.on('request', (req: IncomingMessage, res) => {
      req.once('resume', () => {
        if (!res.headersSent) readBeforeAnswer.get(String(req.headers['x-probe']))?.();
      });
    });
    server.on('request', app);
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  });

  /** The first bytes of a sign-off form with a document: its CSRF field, and the start of a 9 MB file. */
  const FORM_START = Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nx\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="document"; filename="a.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    ),
    Buffer.alloc(64 * 1024, 0x25),
  ]);

  type Outcome = { answered: { status: number; location?: string; text: string } } | { bodyRead: true };

  /** Posts the start of a 9 MB upload, never the rest: answered, or its body read by the console before any answer. */
  function postUploadStart(headers: Record<string, string>): Promise<Outcome> {
    const probe = randomBytes(8).toString('hex');
    return new Promise<Outcome>((settled, failed) => {
      const sent = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: STEP_PAGE,
        headers: {
          ...headers,
          'X-Probe': probe,
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
          'Content-Length': String(ANNOUNCED_BYTES),
        },
      });
      const done = (outcome: Outcome) => {
        readBeforeAnswer.delete(probe);
        sent.destroy();
        settled(outcome);
      };
      readBeforeAnswer.set(probe, () => done({ bodyRead: true }));
      sent.on('response', (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          done({
            answered: {
              status: answer.statusCode ?? 0,
              location: answer.headers.location,
              text: Buffer.concat(chunks).toString('utf8'),
            },
          }),
        );
      });
      sent.on('error', (error) => (readBeforeAnswer.has(probe) ? failed(error) : undefined));
      sent.write(FORM_START);
    });
  }

  /** The answer, or the test fails at once: the console began to read the body before answering. */
  function answerOf(outcome: Outcome): { status: number; location?: string; text: string } {
    if ('bodyRead' in outcome) throw new Error('the console began to read the body before it answered');
    return outcome.answered;
  }

  async function sessionCookie(): Promise<string> {
    const token = `rc_${'a'.repeat(16)}_${'b'.repeat(43)}`;
    return `${SESSION_COOKIE}=${await sealSessionToken(SECRET, token, new Date(Date.now() + 3600_000))}`;
  }

  test('an upload without a session is sent to sign in before any of its body is read', async () => {
    const answer = answerOf(await postUploadStart({ Origin: new URL(PUBLIC_BASE_URL).origin }));
    expect(answer.status).toBe(303);
    // Back to the step's page once signed in, as after a session that ended while a form was sent.
    expect(answer.location).toBe(`/sign-in?notice=expired&next=${encodeURIComponent(STEP_PAGE)}`);
  });

  test('an upload from another origin is refused before any of its body is read, signed in or not', async () => {
    for (const cookie of ['', await sessionCookie()]) {
      const headers = { Origin: 'https://elsewhere.example', ...(cookie ? { Cookie: cookie } : {}) };
      const answer = answerOf(await postUploadStart(headers));
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('not sent from the console');
    }
  });

  test('a signed-in upload from the console is read (its CSRF token is in it): what the probe above would see', async () => {
    const outcome = await postUploadStart({ Origin: new URL(PUBLIC_BASE_URL).origin, Cookie: await sessionCookie() });
    expect(outcome).toEqual({ bodyRead: true });
  });
});
