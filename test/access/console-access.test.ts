/**
 * Access checks on the console served over HTTP: each former file is a module of `own-stack/`, its tests under a
 * `describe` named after it and on a console stack of its own (`consoleStackPerFile` in its `describe`), started before
 * its tests and stopped after them as before, all run by this one file to spare each jest's start-up of a file and
 * the imports of test/support/stack (README "Tests"). Run one with `npx jest test/access/console-access -t <name>`.
 */
import './own-stack/case-existence';
import './own-stack/hidden-steps';
import './own-stack/identity-once-requested';
