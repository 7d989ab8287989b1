/**
 * A TLS file of TEMPORAL_TLS_CERT_PATH, TEMPORAL_TLS_KEY_PATH or TEMPORAL_TLS_CA_PATH that cannot be read is said naming
 * that variable, as the service and the admin commands print it as they exit, where it was said as Temporal that
 * cannot be reached at TEMPORAL_ADDRESS. No server is needed: the files are read before connecting.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectClient,
  connectWorker,
  namingTemporalAddress,
  type TemporalSettings,
} from '../../../temporal/connection';

describe('connection-tls-files', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relief-cases-temporal-tls-'));
    await writeFile(join(dir, 'client.pem'), 'not read: another file is missing first');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    ['TEMPORAL_TLS_CERT_PATH', { clientCertPath: 'missing.pem', clientKeyPath: 'client.pem' }],
    ['TEMPORAL_TLS_KEY_PATH', { clientCertPath: 'client.pem', clientKeyPath: 'missing.pem' }],
    [
      'TEMPORAL_TLS_CA_PATH',
      { clientCertPath: 'client.pem', clientKeyPath: 'client.pem', serverRootCaPath: 'missing.pem' },
    ],
  ])('a %s that cannot be read is named, for the client and the worker alike', async (variable, files) => {
    const tls = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, join(dir, file)]));
    const settings = { address: '127.0.0.1:1', namespace: 'default', tls } as TemporalSettings;
    const said = new RegExp(`^${variable}: ${join(dir, 'missing.pem')} cannot be read \\(ENOENT: no such file`);
    await expect(namingTemporalAddress(settings, () => connectClient(settings))).rejects.toThrow(said);
    await expect(namingTemporalAddress(settings, () => connectWorker(settings))).rejects.toThrow(said);
  });
});
