/** Every field of a sign-off form has words that finish "Enter …" and "… must be on or after …" (web/sign-off-fields.ts). */
import { STEP_CATALOGUE } from '../../../domain/steps';
import type { StepKind } from '../../../domain/types';
import { plainProblem } from '../../../web/form-problems';
import { DETAIL_NOUNS, detailFields } from '../../../web/sign-off-fields';

describe('sign-off-fields', () => {
  it('has a noun for every detail field of every step', () => {
    const missing = Object.entries(STEP_CATALOGUE).flatMap(([kind, step]) =>
      Object.keys(step.outcomes).flatMap((outcome) =>
        detailFields(kind as StepKind, outcome)
          .filter((field) => !Object.hasOwn(DETAIL_NOUNS, field.name))
          .map((field) => `${kind}.${outcome}.${field.name}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('says a respond-by date before the notice was issued in words', () => {
    const fields = detailFields('t_visa_decision', 'evidence_requested').map((field) => ({
      ...field,
      name: `details.${field.name}`,
    }));
    const { errors } = plainProblem(
      { errors: { 'details.respondBy': 'respondBy (1 Dec 2026) is before issuedOn (5 Dec 2026)' } },
      fields,
      { 'details.respondBy': '2026-12-01' },
    );
    expect(errors['details.respondBy']).toBe('The date to respond by must be on or after 5 Dec 2026');
  });
});
