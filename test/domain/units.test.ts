/**
 * The domain's unit tests (no servers, no database): each former file of test/domain is a module of `suites/`, its
 * tests under a `describe` named after it, all run by this one file, where each cost jest's start-up of a file (about
 * 1 s of CPU) for tests that take a few milliseconds (README "Tests"). Run one with `npx jest test/domain/units -t <name>`.
 */
import './suites/adjustment-eligible-day';
import './suites/alarms';
import './suites/announced-after-session';
import './suites/ask-again';
import './suites/before-the-tvpa';
import './suites/broken-rules-together';
import './suites/case-lifecycle';
import './suites/certification-letter-ground';
import './suites/continued-presence';
import './suites/corrected-ends';
import './suites/correction-followers';
import './suites/dates';
import './suites/deadline-as-read';
import './suites/end-to-end';
import './suites/entered-late';
import './suites/hhs';
import './suites/issued';
import './suites/lapse-correction';
import './suites/lapse-told-to-coordinator';
import './suites/may-open';
import './suites/minor-notice-by-its-day';
import './suites/month-anniversaries';
import './suites/needed-again-dates';
import './suites/opened-steps';
import './suites/opening-day';
import './suites/opens-cases';
import './suites/policy';
import './suites/purity';
import './suites/reasons';
import './suites/renewal-from-grant-end';
import './suites/roles-readme';
import './suites/sign-off-rules';
import './suites/signers-today';
import './suites/steps';
import './suites/t-visa';
import './suites/timeline-summaries';
import './suites/transfer-told';
import './suites/turning-18';
import './suites/typed-today';
import './suites/u-visa';
import './suites/withdrawn-steps';
