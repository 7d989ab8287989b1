/**
 * The unit tests of test/api that start no stack and no database (an Express app on a port of its own at most): each
 * former file is a module of `suites/`, its tests under a `describe` named after it, all run by this one file to
 * spare each jest's start-up of a file (README "Tests"). Run one with `npx jest test/api/units -t <name>`.
 */
import './suites/icalendar-text';
import './suites/openapi-and-basics';
import './suites/report-csv';
import './suites/request-log';
