/**
 * The tests of test/db that start a database and nothing else: each former file is a module of `suites/`, its tests
 * under a `describe` named after it and on a database of its own, started in its `beforeAll` and stopped in its
 * `afterAll` as before (migrations undone and redone, counts of a whole table, rows deleted stay its own), all run by
 * this one file to spare each jest's start-up of a file and the imports (README "Tests"). Run one with
 * `npx jest test/db/each-own-database -t <name>`.
 */
import './suites/audit-plans';
import './suites/case-identified-in-migration';
import './suites/compliance-identification-day';
import './suites/compliance-interim-letter';
import './suites/compliance-on-time';
import './suites/compliance-transferred-steps';
import './suites/idempotency';
import './suites/key-id-plans';
import './suites/one-line-names-migration';
import './suites/opened-step-notices-migration';
import './suites/opening-attempted-at-migration';
import './suites/outbox-migration';
import './suites/pool';
import './suites/read-model';
import './suites/read-plans';
import './suites/reference-held-migration';
import './suites/reminders';
import './suites/sealed-notes';
import './suites/seed';
import './suites/token-cap';
import './suites/token-lookup';
import './suites/write-statements';
