/**
 * The API's lists, searches, feeds, reports, operations and retried writes on the whole service: each former file is
 * a module of `own-stack/`, its tests under a `describe` named after it and on a stack (or database) of its own,
 * started in its `beforeAll` and stopped in its `afterAll` as before (so the time one skips, the cases it opens, the
 * faults it injects stay its own), all run by this one file to spare each jest's start-up of a file and the imports of
 * test/support/stack (README "Tests"). Run one with `npx jest test/api/lists-and-reports -t <name>`.
 */
import './own-stack/calendar-feeds';
import './own-stack/case-search';
import './own-stack/compliance-report';
import './own-stack/error-log';
import './own-stack/list-cursors';
import './own-stack/openapi-answers';
import './own-stack/operations-endpoints';
import './own-stack/reminders';
import './own-stack/report-withdrawn-cases';
import './own-stack/retries';
