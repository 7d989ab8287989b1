/**
 * The unit tests of test/mail that start no stack and no database (the transport's and the capture's own SMTP
 * servers at most, started and stopped by their tests): each former file is a module of `suites/`, its tests under a
 * `describe` named after it, all run by this one file to spare each jest's start-up of a file (README "Tests").
 * Run one with `npx jest test/mail/units -t <name>`.
 */
import './suites/agency-notices';
import './suites/capture-server';
import './suites/digest';
import './suites/render';
import './suites/transport';
