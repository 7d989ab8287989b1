/**
 * An API process behind a load balancer listens on a port of its own while PUBLIC_BASE_URL names the balancer: its
 * log line and banner say where it listens, and the public address apart (probe: `SERVICE_ROLE=api PORT=3301
 * PUBLIC_BASE_URL=http://127.0.0.1:3300` logged "API listening on http://127.0.0.1:3300").
 */
import { createServer, type Server } from 'node:http';
import { apiAddresses } from '../../../app/listening';

describe('listening', () => {
  const servers: Server[] = [];
  async function listening(host: string): Promise<Server> {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((done, failed) => {
      server.once('error', failed);
      server.listen(0, host, done);
    });
    return server;
  }
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });

  test('names the address it listens on, and the public one apart when it differs', async () => {
    const server = await listening('127.0.0.1');
    const { port } = server.address() as { port: number };
    expect(apiAddresses(server, `http://127.0.0.1:${port + 1}`)).toEqual({
      listening: `http://127.0.0.1:${port}`,
      public: `http://127.0.0.1:${port + 1}`,
      message: `API listening on http://127.0.0.1:${port} (public address http://127.0.0.1:${port + 1})`,
    });
  });

  test('says the one address when the public one is where it listens', async () => {
    const server = await listening('127.0.0.1');
    const { port } = server.address() as { port: number };
    expect(apiAddresses(server, `http://127.0.0.1:${port}/`)).toEqual({
      listening: `http://127.0.0.1:${port}`,
      message: `API listening on http://127.0.0.1:${port}`,
    });
  });

  test('writes an IPv6 address in brackets', async () => {
    const server = await listening('::1').catch(() => undefined);
    if (!server?.listening) return; // no IPv6 loopback on this machine
    const { port } = server.address() as { port: number };
    expect(apiAddresses(server, 'https://relief.example.org').listening).toBe(`http://[::1]:${port}`);
  });
});
