/**
 * The tests of test/mail that deliver through the activities against a database and an SMTP server: each former file
 * is a module of `own-database/`, its tests under a `describe` named after it and on a database and an SMTP server of
 * its own (the capture, or a server that refuses), started in its `beforeAll` and stopped in its `afterAll` as before
 * (the agencies it inserts, the outbox rows it counts stay its own), all run by this one file to spare each jest's
 * start-up of a file and the imports (README "Tests"). Run one with `npx jest test/mail/each-own-database -t <name>`.
 */
import './own-database/notifications';
import './own-database/refusing-server';
