/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // openid-client, jose, oauth4webapi, node-pg-migrate (the service migrates at start-up) and file-type with its
  // parsers ship ES modules only: SWC turns them into CommonJS for jest like our own code.
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: [
    '/node_modules/(?!(openid-client|jose|oauth4webapi|node-pg-migrate|file-type|strtok3|token-types|uint8array-extras|@tokenizer/inflate|@borewit/text-codec)/)',
  ],
  // file-type exports its Node entry under the `import` condition only, which jest's CommonJS resolver never asks for.
  moduleNameMapper: { '^file-type$': '<rootDir>/node_modules/file-type/index.js' },
  // Each file compiles every module it imports again; this runtime hands V8 the code it cached for them on disk.
  runtime: '<rootDir>/test/support/code-cache-runtime.js',
  // Each file starts its own Temporal server and PostgreSQL, so two files never share state. Two at a time on a
  // 2-core machine: much of a file's time is waiting (deadlines of seconds on the dev server, a killed worker's
  // timeouts, a browser), which the other file fills; the whole suite took 312 s against 755 s one at a time.
  maxWorkers: 2,
  testTimeout: 120_000,
  watchman: false,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
