import { randomUUID } from 'node:crypto';
import type { CaseView } from '../../db/read-model';
import { DEMO_AGENCIES } from '../../db/seed';
import { workingActor } from '../../domain/access';
import type { Actor, AgencyKind } from '../../domain/types';
import type { Stack } from './stack';

/** A working user of the demo agency of that kind, a new one each time. */
export const demoActor = (kind: AgencyKind): Actor =>
  workingActor({ userId: randomUUID(), agencyId: DEMO_AGENCIES[kind], agencyKind: kind });

/** An adult case of the demo agencies, identified today by the stack's clock, opened by the demo police. */
export async function openDemoCase(stack: Stack, name: string): Promise<CaseView> {
  const today = new Date(await stack.env.currentTimeMs()).toISOString().slice(0, 10);
  return stack.cases.open(
    // A name per case is no promise of one survivor per name: tests reuse theirs (409 possible_duplicate).
    {
      identifiedOn: today,
      survivor: { name, birthDate: '1990-01-01' },
      agencies: DEMO_AGENCIES,
      confirmNotDuplicate: true,
    },
    demoActor('law_enforcement'),
  );
}
