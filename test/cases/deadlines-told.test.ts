/**
 * Case workflows on the time-skipping server, their deadlines and what is told of them: each former file is a module
 * of `suites/`, its tests under a `describe` named after it and on a stack of its own, started in its `beforeAll` and
 * stopped in its `afterAll` as before (so the time one skips, the cases it opens, stay its own), all run by this one
 * file to spare each jest's start-up of a file and the imports of test/support/stack (README "Tests"). Run one with
 * `npx jest test/cases/deadlines-told -t <name>`.
 */
import './suites/certification-ground';
import './suites/continue-as-new';
import './suites/corrected-end';
import './suites/day-deadlines-told';
import './suites/days-due-all-day';
import './suites/minor-entered-after-18';
import './suites/needed-again-date';
import './suites/opened-step-told';
import './suites/renewal-in-time';
import './suites/withdrawn-step';
