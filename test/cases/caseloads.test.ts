/**
 * Case workflows on the time-skipping server, whole caseloads and their reminders: each former file is a module of
 * `suites/`, its tests under a `describe` named after it and on a stack of its own, started in its `beforeAll` and
 * stopped in its `afterAll` as before (so the time one skips, the cases it opens, stay its own), all run by this one
 * file to spare each jest's start-up of a file and the imports of test/support/stack (README "Tests"). Run one with
 * `npx jest test/cases/caseloads -t <name>`.
 */
import './suites/caseload-brought-in';
import './suites/daily-digest';
import './suites/entered-late';
import './suites/lifecycle';
import './suites/random-walk';
import './suites/reminders';
import './suites/shared-dates';
