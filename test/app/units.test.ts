/**
 * The unit tests of test/app that start no stack and no database: each former file is a module of `suites/`,
 * its tests under a `describe` named after it, all run by this one file to spare each jest's start-up of a file
 * (README "Tests"). Run one with `npx jest test/app/units -t <name>`.
 */
import './suites/config';
import './suites/deadline-days-known-gaps';
import './suites/digest-folding';
import './suites/list-cursor-scope';
import './suites/listening';
import './suites/name-tokens';
import './suites/people-dates';
import './suites/time-zones';
