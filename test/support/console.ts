/**
 * The whole service with its web console on real parts, listening on a port of its own because the console calls
 * the API over HTTP as in production.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConsole } from '../../web/console';
import { PUBLIC_BASE_URL, startStack, type Stack } from './stack';

export interface ConsoleStack {
  stack: Stack;
  /** The API and the console in one app, as `npm start` serves them. */
  app: ReturnType<Stack['appWith']>;
  stop(): Promise<void>;
}

async function startConsoleStack(): Promise<ConsoleStack> {
  const stack = await startStack();
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = stack.appWith({ console: createConsole({ apiUrl: base, publicBaseUrl: PUBLIC_BASE_URL, secret: randomBytes(32).toString('base64url') }) });
  server.on('request', app);
  return {
    stack,
    app,
    stop: async () => {
      await new Promise((closed) => server.close(closed));
      await stack.stop();
    },
  };
}

/** The console stack of a test file: started before its tests, stopped after them. */
export function consoleStackOfSuite(): Omit<ConsoleStack, 'stop'> {
  let started: ConsoleStack | undefined;
  beforeAll(async () => {
    started = await startConsoleStack();
  });
  afterAll(async () => {
    await started?.stop();
  });
  const running = () => {
    if (!started) throw new Error('the console stack is not started yet (use it in hooks and tests)');
    return started;
  };
  return {
    get stack() {
      return running().stack;
    },
    get app() {
      return running().app;
    },
  };
}
