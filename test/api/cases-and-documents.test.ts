/**
 * The API's cases, sign-offs, corrections, transfers and documents on the whole service: each former file is a module
 * of `own-stack/`, its tests under a `describe` named after it and on a stack of its own, started in its `beforeAll`
 * and stopped in its `afterAll` as before (so the time one skips, the cases it opens, the rate limits it spends stay
 * its own), all run by this one file to spare each jest's start-up of a file and the imports of test/support/stack
 * (README "Tests"). Run one with `npx jest test/api/cases-and-documents -t <name>`.
 */
import './own-stack/cases-api';
import './own-stack/documents';
import './own-stack/document-limits';
import './own-stack/corrections';
import './own-stack/ask-again';
import './own-stack/event-day';
import './own-stack/typed-today-deadlines';
import './own-stack/minor-notice-by-its-day';
import './own-stack/transfers';
