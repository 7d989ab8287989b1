/**
 * The tests of test/temporal that run in this jest process on servers of their own (a stack, a dev server, the
 * time-skipping server, a database) or none: each former file is a module of `own-stack/`, its tests under a
 * `describe` named after it and on servers of its own, started in its `beforeAll` and stopped in its `afterAll` as
 * before, all run by this one file to spare each jest's start-up of a file and the imports of test/support/stack
 * (README "Tests"). Run one with `npx jest test/temporal/each-own-stack -t <name>`. tracing comes last: it registers
 * OpenTelemetry's tracer provider, context manager and propagator process-wide, which its shutdown does not undo.
 * The files that start worker processes of their own (durability, worker-failing-for-good) stay apart.
 */
import './own-stack/activity-failure-log';
import './own-stack/codec';
import './own-stack/connection-tls-files';
import './own-stack/copied-commands';
import './own-stack/ill-formed-text';
import './own-stack/time-skipping';
import './own-stack/unsealed-commands';
import './own-stack/tracing';
