/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Temporal servers and PostgreSQL start per file; one file at a time keeps a 2-core machine predictable.
  maxWorkers: 1,
  testTimeout: 120_000,
  watchman: false,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
