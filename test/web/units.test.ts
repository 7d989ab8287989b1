/**
 * The unit tests of test/web that start no stack and no browser (the console alone in front of an API never asked, or
 * the generator of the API types, at most): each former file is a module of `suites/`, its tests under a `describe`
 * named after it, all run by this one file to spare each jest's start-up of a file (README "Tests"). Run one with
 * `npx jest test/web/units -t <name>`.
 */
import './suites/alarm-recipients';
import './suites/api-types';
import './suites/audit-detail';
import './suites/benefit-window-words';
import './suites/chart';
import './suites/day-bounds';
import './suites/deadline-words';
import './suites/form-problems';
import './suites/interim-extension-offer';
import './suites/milestone-day';
import './suites/one-deadline-one-day';
import './suites/refusal-words';
import './suites/reminder-labels';
import './suites/return-path';
import './suites/sign-off-fields';
import './suites/standing-cancelled';
import './suites/standing-ended';
import './suites/timeline-notices';
import './suites/timeline-words';
import './suites/upload-unread';
import './suites/validity-end-words';
