/**
 * Which sign-off opened a step, read from the timeline: for a step opened before its record kept it (`Step.openedBy`),
 * and for the case page, whose read model does not keep it. One rule for the workflow's corrections
 * (domain/correction.ts) and the timeline's leads met in time (web/timeline.ts).
 */

import { SIGN_OFF_ENTRIES } from './case';

/** The timeline entries a sign-off settling a step, or a correction signing it again, writes before what it opens. */
const SIGNING_ENTRIES = new Set([...SIGN_OFF_ENTRIES, 'step.corrected']);

/**
 * Which sign-off opened a step that does not record it: of the steps done at the moment it opened (the only ones that
 * could have, as the rule before it had it), the one signed last before it opened. The timeline is the fact to read:
 * it is appended in the order the commands were applied, and a sign-off (or a correction) writes its own entry before
 * the openings that follow from it, so the last such entry before a step's opening names the command that opened it.
 * The order of `steps` would not do: a step's place says when it was opened, not when it was signed. `timeline` in
 * the order it was recorded.
 */
export function openerInTimeline(
  state: {
    timeline: readonly { type: string; stepId: string | null }[];
    steps: readonly { id: string; completedAt?: string | null }[];
  },
  other: { id: string; openedAt: string },
): string | undefined {
  const { timeline } = state;
  // The latest opening: a step a correction withdrew may be opened again, under its own id, by a later one.
  let opening = timeline.length - 1;
  while (opening >= 0 && !(timeline[opening]!.type === 'step.opened' && timeline[opening]!.stepId === other.id)) {
    opening -= 1;
  }
  const doneThen = new Set(
    state.steps.filter((candidate) => candidate.completedAt === other.openedAt).map((candidate) => candidate.id),
  );
  for (let i = opening - 1; i >= 0; i -= 1) {
    const { type, stepId } = timeline[i]!;
    if (SIGNING_ENTRIES.has(type) && stepId !== null && doneThen.has(stepId)) return stepId;
  }
  return undefined;
}
