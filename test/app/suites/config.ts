import { ConfigError, loadConfig } from '../../../app/config';

describe('config', () => {
  test('nothing configured: every part embedded', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ embedded: { port: 5433, dataDir: '.data/postgres' } });
    expect(config.temporal).toMatchObject({
      taskQueue: 'relief-cases',
      embedded: { port: 7233, uiPort: 8233, namespace: 'default' },
    });
    expect(config.mail).toMatchObject({ capture: { port: 2525 } });
    expect(config.role).toBe('all');
    expect(config.identityKeys).toEqual({ developmentKeyFile: '.data/keys/identity.key' });
    expect(config.payloadKeys).toEqual({ developmentKeyFile: '.data/keys/payload.key' });
    expect(config.timeZone).toBe('UTC');
  });

  test("the deployment's time zone: an IANA name, refused at start-up otherwise", () => {
    expect(loadConfig({ TIMEZONE: 'america/chicago' }).timeZone).toBe('America/Chicago');
    expect(() => loadConfig({ TIMEZONE: 'Central' })).toThrow(/TIMEZONE: expected an IANA time zone/);
  });

  test('real infrastructure by configuration', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:secret@db.internal:5432/relief',
      TEMPORAL_ADDRESS: 'relief.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'relief.a1b2c',
      TEMPORAL_API_KEY: 'key',
      SMTP_URL: 'smtps://mailer:pw@smtp.example.org:465',
      SERVICE_ROLE: 'worker',
      PUBLIC_BASE_URL: 'https://relief.example.org',
      IDENTITY_KEYS: `2026-11:${Buffer.alloc(32, 7).toString('base64')}, 2026-05:${Buffer.alloc(32, 9).toString('base64')}`,
      PAYLOAD_KEYS: `p-2026-11:${Buffer.alloc(32, 3).toString('base64')}`,
    });
    expect(config.payloadKeys).toEqual({
      keyring: { current: { id: 'p-2026-11', key: Buffer.alloc(32, 3) }, previous: [] },
    });
    expect(config.identityKeys).toEqual({
      keyring: {
        current: { id: '2026-11', key: Buffer.alloc(32, 7) },
        previous: [{ id: '2026-05', key: Buffer.alloc(32, 9) }],
      },
    });
    expect(config.database).toEqual({ url: 'postgres://app:secret@db.internal:5432/relief' });
    expect(config.temporal).toMatchObject({
      connect: { address: 'relief.a1b2c.tmprl.cloud:7233', namespace: 'relief.a1b2c', apiKey: 'key' },
    });
    expect(config.mail).toMatchObject({ smtpUrl: 'smtps://mailer:pw@smtp.example.org:465' });
    expect(config.role).toBe('worker');
    expect(config.http.publicBaseUrl).toBe('https://relief.example.org');
  });

  test('one clear message per problem, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'not a url',
        SERVICE_ROLE: 'both',
        TEMPORAL_TLS_CERT_PATH: '/tls/client.pem',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(8);
    expect(problems.find((p) => p.startsWith('TEMPORAL_ADDRESS:'))).toContain('required with DATABASE_URL');
    expect(problems.find((p) => p.startsWith('IDENTITY_KEYS:'))).toContain('required with DATABASE_URL');
    expect(problems.find((p) => p.startsWith('PUBLIC_BASE_URL:'))).toContain('required with DATABASE_URL');
    expect(problems.find((p) => p.startsWith('SMTP_URL:'))).toContain('required with DATABASE_URL');
    expect(problems.find((p) => p.startsWith('PORT:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toContain('postgres://');
    expect(problems.find((p) => p.startsWith('SERVICE_ROLE:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('TEMPORAL_TLS_KEY_PATH:'))).toContain('go together');
  });

  /** What a configuration is refused for: the problems start-up would name, none when it loads. */
  function problemsOf(env: NodeJS.ProcessEnv): string[] {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  }

  test('real infrastructure needs a real mail server: SMTP_URL is required with DATABASE_URL or TEMPORAL_ADDRESS', () => {
    const keys = {
      IDENTITY_KEYS: `i:${Buffer.alloc(32, 1).toString('base64')}`,
      PAYLOAD_KEYS: `p:${Buffer.alloc(32, 2).toString('base64')}`,
      PUBLIC_BASE_URL: 'https://relief.example.org',
    };
    expect(
      problemsOf({
        ...keys,
        DATABASE_URL: 'postgres://app:pw@db.internal:5432/relief',
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
      }),
    ).toEqual([
      'SMTP_URL: required with DATABASE_URL (smtp:// or smtps://); the embedded mail capture is for development only',
    ]);
    expect(problemsOf({ ...keys, TEMPORAL_ADDRESS: 'temporal.internal:7233' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: required with TEMPORAL_ADDRESS/),
      expect.stringMatching(/^SMTP_URL: required with TEMPORAL_ADDRESS/),
    ]);
    expect(
      loadConfig({
        ...keys,
        DATABASE_URL: 'postgres://app:pw@db.internal:5432/relief',
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        SMTP_URL: 'smtp://mail.internal:25',
      }).mail,
    ).toEqual({ from: expect.any(String) as unknown, smtpUrl: 'smtp://mail.internal:25' });
    // Nothing configured: the embedded capture, and only then.
    expect(loadConfig({}).mail).toMatchObject({ capture: { port: 2525 } });
  });

  test("a deployment's process that sends emails needs PUBLIC_BASE_URL, the base of their links; the embedded mode has its own", () => {
    const real = {
      DATABASE_URL: 'postgres://app:pw@db.internal:5432/relief',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      SMTP_URL: 'smtp://mail.internal:25',
      IDENTITY_KEYS: `i:${Buffer.alloc(32, 1).toString('base64')}`,
      PAYLOAD_KEYS: `p:${Buffer.alloc(32, 2).toString('base64')}`,
    };
    // A worker listens nowhere, an API process behind a load balancer at an address nobody reaches: their own
    // HOST:PORT in every email, feed and console form would be a dead link.
    for (const role of [{ SERVICE_ROLE: 'worker' }, { SERVICE_ROLE: 'all' }, { SERVICE_ROLE: 'api' }, {}]) {
      expect(problemsOf({ ...real, ...role })).toEqual([
        expect.stringMatching(/^PUBLIC_BASE_URL: required with DATABASE_URL: the console's address/),
      ]);
    }
    expect(problemsOf({ ...real, DATABASE_URL: undefined, SERVICE_ROLE: 'worker' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: required with TEMPORAL_ADDRESS/),
      expect.stringMatching(/^PUBLIC_BASE_URL: required with TEMPORAL_ADDRESS/),
    ]);
    expect(
      loadConfig({ ...real, SERVICE_ROLE: 'worker', PUBLIC_BASE_URL: 'https://relief.example.org' }).http.publicBaseUrl,
    ).toBe('https://relief.example.org');
    // The admin commands send nothing and serve nothing.
    expect(
      loadConfig({ DATABASE_URL: real.DATABASE_URL, IDENTITY_KEYS: real.IDENTITY_KEYS }, 'admin').database,
    ).toEqual({
      url: real.DATABASE_URL,
    });
    // Embedded: the process is the console, at its own address.
    expect(loadConfig({ PORT: '3950' }).http.publicBaseUrl).toBe('http://127.0.0.1:3950');
    expect(loadConfig({ SERVICE_ROLE: 'worker' }).http.publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  test('a process meant to join a deployment is refused with DATABASE_URL or TEMPORAL_ADDRESS alone, naming both', () => {
    const deployment = {
      DATABASE_URL: 'postgres://app:pw@db.internal:5432/relief',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      SMTP_URL: 'smtp://mail.internal:25',
      PUBLIC_BASE_URL: 'https://relief.example.org',
      IDENTITY_KEYS: `i:${Buffer.alloc(32, 1).toString('base64')}`,
      PAYLOAD_KEYS: `p:${Buffer.alloc(32, 2).toString('base64')}`,
    };
    // A second API process given the database alone would start its own Temporal dev server with the development
    // payload key, pass /ready on the shared worker_heartbeats and answer sign-offs from a Temporal holding no case.
    for (const role of ['api', 'worker', 'all']) {
      expect(problemsOf({ ...deployment, TEMPORAL_ADDRESS: undefined, SERVICE_ROLE: role })).toEqual([
        'TEMPORAL_ADDRESS: required with DATABASE_URL: DATABASE_URL and TEMPORAL_ADDRESS go together (both for a ' +
          'deployment, neither for the embedded mode); without TEMPORAL_ADDRESS this process would start an embedded ' +
          "Temporal dev server of its own instead of joining the deployment's",
      ]);
      // The reverse would start an embedded PostgreSQL on the data folder.
      expect(problemsOf({ ...deployment, DATABASE_URL: undefined, SERVICE_ROLE: role })).toEqual([
        expect.stringMatching(
          /^DATABASE_URL: required with TEMPORAL_ADDRESS: DATABASE_URL and TEMPORAL_ADDRESS go together .*embedded PostgreSQL/,
        ),
      ]);
    }
    expect(loadConfig(deployment).database).toEqual({ url: deployment.DATABASE_URL });
    // An admin command starts nothing embedded: create-admin needs the database alone.
    expect(
      loadConfig({ DATABASE_URL: deployment.DATABASE_URL, IDENTITY_KEYS: deployment.IDENTITY_KEYS }, 'admin'),
    ).toEqual(expect.objectContaining({ database: { url: deployment.DATABASE_URL } }));
  });

  test('real Temporal needs payload keys from the environment', () => {
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' })).toThrow(
      'PAYLOAD_KEYS: required with TEMPORAL_ADDRESS',
    );
  });

  test('identity keys must be 32 bytes with an id', () => {
    expect(() => loadConfig({ IDENTITY_KEYS: 'k1:c2hvcnQ=' })).toThrow(
      'IDENTITY_KEYS: entry 1 must be "<key id>:<32 bytes in base64>"',
    );
    expect(() => loadConfig({ IDENTITY_KEYS: `:${Buffer.alloc(32).toString('base64')}` })).toThrow(ConfigError);
  });

  test('operations: /metrics only with a token, the SDK metrics only with an address, the UI origin for the codec', () => {
    expect(loadConfig({ TEMPORAL_UI_PORT: '8291' }).operations).toEqual({
      metricsToken: undefined,
      temporalMetricsAddress: undefined,
      temporalUiOrigins: ['http://localhost:8291', 'http://127.0.0.1:8291'],
    });
    expect(
      loadConfig({
        METRICS_TOKEN: 'a-long-random-scrape-token',
        TEMPORAL_METRICS_ADDRESS: '0.0.0.0:9464',
        TEMPORAL_UI_ORIGIN: 'https://temporal-ui.example.org/',
      }).operations,
    ).toEqual({
      metricsToken: 'a-long-random-scrape-token',
      temporalMetricsAddress: '0.0.0.0:9464',
      temporalUiOrigins: ['https://temporal-ui.example.org'],
    });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 16 characters/);
    expect(() => loadConfig({ TEMPORAL_METRICS_ADDRESS: '9464' })).toThrow(
      /TEMPORAL_METRICS_ADDRESS: must be host:port/,
    );
    expect(() => loadConfig({ TEMPORAL_UI_ORIGIN: 'temporal-ui' })).toThrow(/TEMPORAL_UI_ORIGIN: must be an origin/);
  });

  test('documents: in PostgreSQL by default; an S3-compatible store needs its endpoint, bucket and keys', () => {
    expect(loadConfig({}).documents).toEqual({ store: 'postgres' });
    const s3 = {
      DOCUMENT_STORE: 's3',
      S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
      S3_BUCKET: 'relief-documents',
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      S3_SECRET_ACCESS_KEY: 'secret-example',
    };
    expect(loadConfig(s3).documents).toEqual({
      store: 's3',
      s3: {
        endpoint: 'https://s3.eu-west-1.amazonaws.com',
        bucket: 'relief-documents',
        region: 'us-east-1',
        accessKeyId: 'AKIAEXAMPLE',
        secretAccessKey: 'secret-example',
      },
    });
    expect(() => loadConfig({ DOCUMENT_STORE: 's3', S3_BUCKET: 'relief-documents' })).toThrow(
      'S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: required with DOCUMENT_STORE=s3',
    );
  });

  test('a mail setting that cannot send is refused at start-up, naming it: SMTP_URL smtp:// or smtps://, MAIL_FROM an address', () => {
    for (const url of ['http://mail.internal:25', 'https://mail.internal', 'mail.internal:25']) {
      expect(problemsOf({ SMTP_URL: url })).toEqual([
        'SMTP_URL: must be an smtp:// or smtps:// URL (smtp://mail.internal:25)',
      ]);
    }
    for (const from of ['not-an-address', 'Relief cases', 'Relief cases <not-an-address>', 'a@b@c']) {
      expect(problemsOf({ MAIL_FROM: from })).toEqual([
        'MAIL_FROM: must be an address (relief@agency.example) or "Name <relief@agency.example>"',
      ]);
    }
    expect(loadConfig({ SMTP_URL: 'smtp://mail.internal:25' }).mail).toMatchObject({
      smtpUrl: 'smtp://mail.internal:25',
    });
    expect(loadConfig({ SMTP_URL: 'smtps://u:p@mail.internal:465' }).mail).toMatchObject({
      smtpUrl: 'smtps://u:p@mail.internal:465',
    });
    for (const from of [
      'relief@agency.example',
      'Relief cases <relief@agency.example>',
      '"Task Force, NY" <tf@ny.example>',
    ])
      expect(loadConfig({ MAIL_FROM: from }).mail.from).toBe(from);
  });

  test("every refused setting is named with what it must be, never zod's own words", () => {
    expect(problemsOf({ PORT: 'abc' })).toEqual(['PORT: must be a whole number from 1 to 65535']);
    expect(problemsOf({ SHUTDOWN_TIMEOUT_SECONDS: 'abc' })).toEqual([
      'SHUTDOWN_TIMEOUT_SECONDS: must be a number from 1 to 600',
    ]);
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: must be at most 65535']);
    expect(problemsOf({ WRITE_TIMEOUT_SECONDS: '0' })).toEqual(['WRITE_TIMEOUT_SECONDS: must be at least 1']);
    expect(problemsOf({ SERVICE_ROLE: 'both' })).toEqual(['SERVICE_ROLE: must be one of all, api, worker']);
    expect(problemsOf({ RATE_LIMIT_WRITES_PER_MINUTE: 'many' })).toEqual([
      'RATE_LIMIT_WRITES_PER_MINUTE: must be a whole number of at least 1',
    ]);
    expect(problemsOf({ PUBLIC_BASE_URL: 'relief.example.org' })).toEqual(['PUBLIC_BASE_URL: must be a URL']);
    const zodsWords = /Invalid input|Invalid option|expected \w+, received|Too (small|big)|[<>]=/;
    for (const problem of problemsOf({ PORT: 'abc', SESSION_TTL_HOURS: 'x', LOG_LEVEL: 'loud', TEMPORAL_PORT: '-1' }))
      expect(problem).not.toMatch(zodsWords);
  });
});
