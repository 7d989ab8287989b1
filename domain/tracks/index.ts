/** Every track's rules, looked up by the kind of step they concern (each kind belongs to exactly one track). */
import type { Alarm, CaseState } from '../case-state';
import type { StepKind } from '../types';
import { continuedPresence } from './continued-presence';
import { hhs } from './hhs';
import { intake } from './intake';
import type { TrackRules } from './track';
import { tVisa } from './t-visa';
import { uVisa } from './u-visa';

const ALL_TRACKS: TrackRules[] = [intake, continuedPresence, hhs, tVisa, uVisa];

export function checkFor(kind: StepKind): TrackRules['check'][StepKind] {
  return ALL_TRACKS.find((track) => track.check[kind])?.check[kind];
}

export function afterFor(kind: StepKind): TrackRules['after'][StepKind] {
  return ALL_TRACKS.find((track) => track.after[kind])?.after[kind];
}

export function expireFor(kind: StepKind): TrackRules['expire'][StepKind] {
  return ALL_TRACKS.find((track) => track.expire[kind])?.expire[kind];
}

export function windowAlarms(state: CaseState): Alarm[] {
  return ALL_TRACKS.flatMap((track) => track.windowAlarms(state));
}

export type { SignOffContext, TrackRules } from './track';
