import { ConfigError, loadConfig } from '../../app/config';

test('nothing configured: every part embedded', () => {
  const config = loadConfig({});
  expect(config.database).toEqual({ embedded: { port: 5433, dataDir: '.data/postgres' } });
  expect(config.temporal).toMatchObject({ taskQueue: 'relief-cases', embedded: { port: 7233, uiPort: 8233, namespace: 'default' } });
  expect(config.mail).toMatchObject({ capture: { port: 2525 } });
  expect(config.role).toBe('all');
});

test('real infrastructure by configuration', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://app:secret@db.internal:5432/relief',
    TEMPORAL_ADDRESS: 'relief.a1b2c.tmprl.cloud:7233',
    TEMPORAL_NAMESPACE: 'relief.a1b2c',
    TEMPORAL_API_KEY: 'key',
    SMTP_URL: 'smtps://mailer:pw@smtp.example.org:465',
    SERVICE_ROLE: 'worker',
  });
  expect(config.database).toEqual({ url: 'postgres://app:secret@db.internal:5432/relief' });
  expect(config.temporal).toMatchObject({ connect: { address: 'relief.a1b2c.tmprl.cloud:7233', namespace: 'relief.a1b2c', apiKey: 'key' } });
  expect(config.mail).toMatchObject({ smtpUrl: 'smtps://mailer:pw@smtp.example.org:465' });
  expect(config.role).toBe('worker');
});

test('one clear message per problem, naming the variable', () => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'not a url', SERVICE_ROLE: 'both', TEMPORAL_TLS_CERT_PATH: '/tls/client.pem' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems;
  expect(problems).toHaveLength(4);
  expect(problems.find((p) => p.startsWith('PORT:'))).toBeDefined();
  expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toContain('postgres://');
  expect(problems.find((p) => p.startsWith('SERVICE_ROLE:'))).toBeDefined();
  expect(problems.find((p) => p.startsWith('TEMPORAL_TLS_KEY_PATH:'))).toContain('go together');
});
