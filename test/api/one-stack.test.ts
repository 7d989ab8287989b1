/**
 * Files of test/api that each started a stack of their own with the same options (the time-skipping server, no time
 * skipped, the demo users and agencies as seeded) and change nothing the others read: one stack for all of them, each
 * former file a module of `one-stack/` with its tests under a `describe` named after it, to spare each file's start-up
 * and servers (README "Tests"). through-workflow comes first, as it finds its case on the first page of ICE's pending
 * decisions, which the others' cases fill; turning-18 before identification, which opens the same fictitious survivor
 * (confirmed as another person) where turning-18 would be answered 409 possible_duplicate. Run one with
 * `npx jest test/api/one-stack -t <name>`.
 */
import { stackForAllModules } from '../support/shared-stack';
import './one-stack/through-workflow';
import './one-stack/turning-18';
import './one-stack/correction-hidden-steps';
import './one-stack/every-broken-rule';
import './one-stack/identification';
import './one-stack/milestones';
import './one-stack/refusals-in-words';
import './one-stack/well-formed-text';

// Its hooks run before the modules' tests and after them, wherever the describes that imports declare stand.
stackForAllModules();
