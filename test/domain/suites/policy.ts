import { z } from 'zod';
import {
  DEFAULT_POLICY,
  policySchema,
  benefitWindow,
  parsePolicy,
  policyWithOverrides,
  type Policy,
} from '../../../domain/policy';

describe('policy', () => {
  /** Every object holding a number must also say where that number comes from. */
  function unsourcedNumbers(value: unknown, path: string[] = []): string[] {
    if (Array.isArray(value)) return value.flatMap((item, i) => unsourcedNumbers(item, [...path, String(i)]));
    if (value === null || typeof value !== 'object') return [];
    const entries = Object.entries(value);
    const hasNumber = entries.some(
      ([, v]) => typeof v === 'number' || (Array.isArray(v) && v.some((x) => typeof x === 'number')),
    );
    const sourced =
      typeof (value as { source?: unknown }).source === 'string' && (value as { source: string }).source.length > 0;
    const here = hasNumber && !sourced ? [path.join('.')] : [];
    return [...here, ...entries.flatMap(([k, v]) => unsourcedNumbers(v, [...path, k]))];
  }

  describe('policy', () => {
    it('the default policy validates against its own schema', () => {
      expect(policySchema().safeParse(DEFAULT_POLICY).success).toBe(true);
    });

    it('every number in the default policy carries a source', () => {
      expect(unsourcedNumbers(DEFAULT_POLICY)).toEqual([]);
    });

    it('keeps the legal figures of domain.md', () => {
      const d = DEFAULT_POLICY.durations;
      expect(d.minorNotification.days).toBe(1);
      expect([d.interimLetter.days, d.interimExtension.days, d.interimExtensionsAllowed.times]).toEqual([90, 30, 1]);
      expect([d.cpInitialGrant.months, d.cpRenewal.months]).toEqual([24, 24]);
      expect([d.rfeResponse.days, d.noidResponse.days]).toEqual([12 * 7 + 3, 30]);
      expect([d.tStatus.months, d.tAdjustmentAfter.months, d.uCertificationWindow.months]).toEqual([48, 36, 6]);
      expect(DEFAULT_POLICY.expiryLeads.cpRenewal.leadDays).toContain(120);
      expect(DEFAULT_POLICY.expiryLeads.cpRenewal.source).toMatch(/product choice/);
      expect(DEFAULT_POLICY.sla.cp_decision.days).toBe(30);
      expect(DEFAULT_POLICY.sla.cp_decision.source).toMatch(/product choice/);
    });

    it.each([
      ['2021-09-30', 8, '2022-05-29'],
      ['2021-10-01', 12, '2022-09-30'],
      ['2025-05-04', 12, '2026-05-03'],
      ['2025-05-05', 4, '2025-09-04'],
    ])('benefit window for eligibility on %s is %i months, ending %s', (eligibilityDate, months, endsOn) => {
      const window = benefitWindow(eligibilityDate, DEFAULT_POLICY);
      expect(window).toMatchObject({ months, endsOn });
      expect(window?.source).not.toBe('');
    });

    it('cites 90 FR 13370 for the 4-month row', () => {
      expect(benefitWindow('2025-06-01', DEFAULT_POLICY)?.source).toMatch(/90 FR 13370/);
    });

    it('has no benefit window before its first row', () => {
      expect(benefitWindow('1999-01-01', DEFAULT_POLICY)).toBeNull();
    });

    it('a new dated row is all it takes to change the benefit months', () => {
      const policy: Policy = {
        ...DEFAULT_POLICY,
        benefitMonths: [...DEFAULT_POLICY.benefitMonths, { from: '2030-01-01', months: 6, source: 'test' }],
      };
      expect(benefitWindow('2030-01-01', policy)?.months).toBe(6);
      expect(benefitWindow('2029-12-31', policy)?.months).toBe(4);
    });

    it('rejects a bad override and names the field', () => {
      const override = {
        ...DEFAULT_POLICY,
        sla: { ...DEFAULT_POLICY.sla, cp_decision: { days: -3, source: 'product choice' } },
      };
      const result = policySchema().safeParse(override);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['sla', 'cp_decision', 'days']);
      expect(() => parsePolicy(override)).toThrow(/sla/);
    });

    it('rejects a number without a source', () => {
      const { source: _omitted, ...noSource } = DEFAULT_POLICY.durations.interimLetter;
      const result = policySchema().safeParse({
        ...DEFAULT_POLICY,
        durations: { ...DEFAULT_POLICY.durations, interimLetter: noSource },
      });
      expect(result.error?.issues[0]?.path).toEqual(['durations', 'interimLetter', 'source']);
    });

    it('rejects benefit rows out of date order', () => {
      const [first, second, third] = DEFAULT_POLICY.benefitMonths;
      const result = policySchema().safeParse({ ...DEFAULT_POLICY, benefitMonths: [first, third, second] });
      expect(result.error?.issues[0]?.path).toEqual(['benefitMonths']);
    });

    it('rejects a policy missing a step kind', () => {
      const { le_declaration: _omitted, ...sla } = DEFAULT_POLICY.sla;
      const result = policySchema().safeParse({ ...DEFAULT_POLICY, sla });
      expect(result.error?.issues[0]?.path).toEqual(['sla', 'le_declaration']);
    });

    it('lays a partial configured override over the defaults', () => {
      const policy = policyWithOverrides({
        version: 'tf-2',
        sla: { cp_decision: { days: 45, source: 'task force agreement' } },
      });
      expect(policy.version).toBe('tf-2');
      expect(policy.sla.cp_decision).toEqual({ days: 45, source: 'task force agreement' });
      expect(policy.sla.le_declaration).toEqual(DEFAULT_POLICY.sla.le_declaration);
      expect(DEFAULT_POLICY.sla.cp_decision.days).toBe(30);
    });

    it('names the field of a bad partial override', () => {
      let issues: z.core.$ZodIssue[] = [];
      try {
        policyWithOverrides({ expiryLeads: { cpRenewal: { leadDays: [120, 'soon'] } } });
      } catch (error) {
        if (error instanceof z.ZodError) issues = error.issues;
      }
      expect(issues[0]?.path).toEqual(['expiryLeads', 'cpRenewal', 'leadDays', 1]);
    });
  });
});
