/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // openid-client, jose, oauth4webapi and node-pg-migrate (the service migrates at start-up) ship ES modules only:
  // SWC turns them into CommonJS for jest like our own code.
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|jose|oauth4webapi|node-pg-migrate)/)'],
  // Temporal servers and PostgreSQL start per file; one file at a time keeps a 2-core machine predictable.
  maxWorkers: 1,
  testTimeout: 120_000,
  watchman: false,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
