import { randomUUID } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { CaseSnapshot, Step } from '../../../domain/types';
import type { CaseProjection, ScheduledAlarm } from '../../../domain/alarms';
import {
  getCase,
  getSurvivor,
  InvalidCursorError,
  listSteps,
  projectCase,
  saveSurvivor,
  type StepFilter,
} from '../../../db/read-model';
import { caseDeadlineTimeZones, deadlineTimeZones, upsertAgencies } from '../../../db/agencies';
import { agencyDeadlines } from '../../../db/deadlines';
import { DEMO_AGENCIES } from '../../../db/seed';
import { startTestDatabase, type TestDatabase } from '../../support/postgres';

describe('read-model', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase();
  });
  afterAll(async () => {
    await db.stop();
  });

  const NOW = new Date('2026-06-01T12:00:00.000Z');
  const day = (offset: number) => new Date(NOW.getTime() + offset * 86_400_000).toISOString();

  function step(overrides: Partial<Step> & Pick<Step, 'id'>): Step {
    return {
      kind: 'cp_decision',
      track: 'continued_presence',
      agencyKind: 'ice',
      agencyId: DEMO_AGENCIES.ice,
      status: 'pending',
      openedAt: day(-10),
      dueAt: null,
      expiresAt: null,
      completedAt: null,
      outcome: null,
      details: {},
      ...overrides,
    };
  }

  function snapshot(overrides: Partial<CaseSnapshot> = {}): CaseSnapshot {
    const caseId = overrides.caseId ?? randomUUID();
    return {
      caseId,
      reference: `RC-TEST-${caseId.slice(0, 8)}`,
      path: 'adult',
      status: 'open',
      openedAt: day(-10),
      closedAt: null,
      policyVersion: 'test-1',
      agencies: DEMO_AGENCIES,
      steps: [],
      timeline: [
        {
          seq: 1,
          at: day(-10),
          type: 'case.opened',
          stepId: null,
          actorAgencyId: DEMO_AGENCIES.law_enforcement,
          summary: 'Case opened',
        },
      ],
      version: 1,
      ...overrides,
    };
  }

  describe('projectCase', () => {
    it('creates the case, then applies only newer versions', async () => {
      const first = snapshot({
        steps: [step({ id: 'cp_request-1', kind: 'cp_request', agencyKind: 'law_enforcement', dueAt: day(5) })],
      });
      expect(await projectCase(db.pool, first)).toBe(true);

      const second: CaseSnapshot = {
        ...first,
        version: 2,
        steps: [
          step({
            id: 'cp_request-1',
            kind: 'cp_request',
            status: 'completed',
            completedAt: day(0),
            outcome: 'requested',
            details: { requestedOn: '2026-06-01' },
          }),
        ],
        timeline: [
          ...first.timeline,
          {
            seq: 2,
            at: day(0),
            type: 'step.completed',
            stepId: 'cp_request-1',
            actorAgencyId: 'demo-police',
            summary: 'CP requested',
          },
        ],
      };
      expect(await projectCase(db.pool, second)).toBe(true);
      // A late delivery of version 1 and a repeat of version 2 change nothing.
      expect(await projectCase(db.pool, first)).toBe(false);
      expect(await projectCase(db.pool, { ...second, status: 'closed' })).toBe(false);

      const view = await getCase(db.pool, first.caseId);
      expect(view).toMatchObject({
        caseId: first.caseId,
        reference: first.reference,
        version: 2,
        status: 'open',
        agencies: DEMO_AGENCIES,
      });
      // No user signed it here (no audit row): the step names no signer.
      expect(view?.steps).toEqual([{ ...second.steps[0], dueOnADay: false, completedBy: null }]);
      expect(view?.timeline.map((t) => t.type)).toEqual(['case.opened', 'step.completed']);
    });

    it("shows the case under its reservation's reference, which a migration may have renamed under the workflow", async () => {
      // The later of two references differing only in case was renamed in its reservation (1797400000000); the
      // workflow goes on projecting the name it was opened with.
      const renamed = snapshot({ reference: 'tf-legacy-07' });
      await db.pool.query(
        `INSERT INTO case_references (case_id, opened_by_agency_id, reference) VALUES ($1, $2, 'tf-legacy-07-2')`,
        [renamed.caseId, DEMO_AGENCIES.law_enforcement],
      );
      await projectCase(db.pool, renamed);
      await projectCase(db.pool, { ...renamed, version: 2 });
      expect(await getCase(db.pool, renamed.caseId)).toMatchObject({ reference: 'tf-legacy-07-2', version: 2 });
    });

    it('replaces steps but keeps timeline entries a later snapshot no longer carries', async () => {
      const first = snapshot({ steps: [step({ id: 'a-1' }), step({ id: 'b-1' })] });
      await projectCase(db.pool, first);
      await projectCase(db.pool, {
        ...first,
        version: 2,
        steps: [step({ id: 'a-1' })],
        timeline: [{ seq: 2, at: day(0), type: 'step.opened', stepId: 'a-1', actorAgencyId: null, summary: 'later' }],
      });
      const view = await getCase(db.pool, first.caseId);
      expect(view?.steps.map((s) => s.id)).toEqual(['a-1']);
      expect(view?.timeline.map((t) => t.seq)).toEqual([1, 2]);
    });

    it('rewrites only the rows a newer version changed: the others keep their row version (no write, no dead tuple)', async () => {
      const reminder: ScheduledAlarm = {
        alarmId: 'b-1:reminder',
        at: day(3),
        kind: 'reminder',
        stepId: 'b-1',
        stepKind: 'cp_decision',
        about: 'cp_decision',
        recipientAgencyId: DEMO_AGENCIES.ice,
      };
      const first: CaseProjection = {
        ...snapshot({ steps: [step({ id: 'a-1' }), step({ id: 'b-1' })] }),
        alarms: [reminder],
      };
      await projectCase(db.pool, first);
      const rowVersions = async () => {
        const { rows } = await db.pool.query<{ row: string; xmin: string }>(
          `SELECT 'step ' || step_id AS row, xmin::text FROM case_steps WHERE case_id = $1
         UNION ALL SELECT 'entry ' || seq, xmin::text FROM case_timeline WHERE case_id = $1
         UNION ALL SELECT 'alarm ' || alarm_id, xmin::text FROM case_alarms WHERE case_id = $1 ORDER BY 1`,
          [first.caseId],
        );
        return Object.fromEntries(rows.map(({ row, xmin }) => [row, xmin]));
      };
      const before = await rowVersions();

      const signed = step({ id: 'a-1', status: 'completed', completedAt: day(0), outcome: 'granted' });
      await projectCase(db.pool, { ...first, version: 2, steps: [signed, step({ id: 'b-1' })] });

      const after = await rowVersions();
      expect(Object.keys(after)).toEqual(Object.keys(before));
      const rewritten = Object.keys(after).filter((row) => after[row] !== before[row]);
      expect(rewritten).toEqual(['step a-1']);
      expect((await getCase(db.pool, first.caseId))?.steps.find((s) => s.id === 'a-1')?.status).toBe('completed');
    });

    it('lets exactly one of two concurrent projections of the same version apply', async () => {
      const base = snapshot();
      await projectCase(db.pool, base);
      const results = await Promise.all([
        projectCase(db.pool, { ...base, version: 2 }),
        projectCase(db.pool, { ...base, version: 2 }),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('replaces a lost workflow task’s projection with the recorded one of the same version, further along the history', async () => {
      const cpRequest = step({ id: 'cp_request-1', kind: 'cp_request', agencyKind: 'law_enforcement', dueAt: day(0) });
      const first = snapshot({ steps: [cpRequest] });
      await projectCase(db.pool, first, { historyLength: 5 });
      // The task that raised the reminder projected it, then its worker died before Temporal recorded the task.
      const lost: CaseSnapshot = {
        ...first,
        version: 2,
        timeline: [
          ...first.timeline,
          { seq: 2, at: day(0), type: 'alarm.due', stepId: 'cp_request-1', actorAgencyId: null, summary: 'raised' },
          { seq: 3, at: day(0), type: 'step.opened', stepId: 'cp_request-1', actorAgencyId: null, summary: 'lost' },
        ],
      };
      expect(await projectCase(db.pool, lost, { historyLength: 11 })).toBe(true);
      // Run again on another worker, the task applied the sign-off that had arrived meanwhile first: the same version.
      const recorded: CaseSnapshot = {
        ...first,
        version: 2,
        steps: [{ ...cpRequest, status: 'completed', completedAt: day(0), outcome: 'requested' }],
        timeline: [
          ...first.timeline,
          {
            seq: 2,
            at: day(0),
            type: 'step.completed',
            stepId: 'cp_request-1',
            actorAgencyId: null,
            summary: 'signed',
          },
        ],
      };
      expect(await projectCase(db.pool, recorded, { historyLength: 14 })).toBe(true);
      // The lost task's projection arriving late, and a re-projection of the same version (no history), change nothing.
      expect(await projectCase(db.pool, lost, { historyLength: 11 })).toBe(false);
      expect(await projectCase(db.pool, lost)).toBe(false);

      const view = await getCase(db.pool, first.caseId);
      expect(view?.steps.map((s) => s.status)).toEqual(['completed']);
      expect(view?.timeline.map((t) => t.type)).toEqual(['case.opened', 'step.completed']);
    });

    it('keeps the zone its identification was read in from its first projection on, where the police move', async () => {
      const identifiedIn = async (caseId: string) =>
        (
          await db.pool.query<{ zone: string | null }>('SELECT identified_in AS zone FROM cases WHERE id = $1', [
            caseId,
          ])
        ).rows[0]?.zone;
      const police = { id: 'read-model-police', kind: 'law_enforcement' as const, name: 'Police (fictitious)' };
      const identification = step({
        id: 'identification-1',
        kind: 'identification',
        track: 'intake',
        agencyKind: 'law_enforcement',
        agencyId: police.id,
        status: 'completed',
      });
      await upsertAgencies(db.pool, [{ ...police, email: null, timeZone: 'America/Chicago' }]);
      const first = snapshot({ steps: [identification] });
      expect(await projectCase(db.pool, first, { timeZone: 'America/Denver' })).toBe(true);
      expect(await identifiedIn(first.caseId)).toBe('America/Chicago');

      // The police move to Los Angeles: the case's next projection keeps Chicago, where its deadlines were counted.
      await upsertAgencies(db.pool, [{ ...police, email: null, timeZone: 'America/Los_Angeles' }]);
      expect(await projectCase(db.pool, { ...first, version: 2 }, { timeZone: 'America/Denver' })).toBe(true);
      expect(await identifiedIn(first.caseId)).toBe('America/Chicago');
      // Its emails read its last days there alone (activities/notifications.ts); a case the read model does not hold
      // yet, in every zone police work in now, the deployment's for those without one of their own.
      expect(await caseDeadlineTimeZones(db.pool, first.caseId, 'America/Denver')).toEqual(['America/Chicago']);
      expect(await caseDeadlineTimeZones(db.pool, randomUUID(), 'America/Denver')).toEqual(
        await deadlineTimeZones(db.pool, 'America/Denver'),
      );
      expect(await deadlineTimeZones(db.pool, 'America/Denver')).toContain('America/Los_Angeles');

      // A police agency without a zone of its own works in the deployment's, which the case keeps as its own; its
      // deadlines carry it to their readers (db/deadlines.ts).
      await upsertAgencies(db.pool, [{ ...police, email: null, timeZone: null }]);
      const second = snapshot({ steps: [identification, step({ id: 'cp_decision-1', dueAt: day(5) })] });
      expect(await projectCase(db.pool, second, { timeZone: 'America/Denver' })).toBe(true);
      expect(await identifiedIn(second.caseId)).toBe('America/Denver');
      expect((await agencyDeadlines(db.pool, DEMO_AGENCIES.ice)).find((d) => d.caseId === second.caseId)).toMatchObject(
        {
          stepId: 'cp_decision-1',
          identifiedIn: 'America/Denver',
        },
      );
    });

    it('returns null for a case never projected', async () => {
      expect(await getCase(db.pool, randomUUID())).toBeNull();
    });
  });

  describe('listSteps', () => {
    // A separate set of cases whose steps belong to agencies no other test uses, so counts are exact.
    const agency = 'list-test-ice';
    const cases: CaseSnapshot[] = [];
    beforeAll(async () => {
      for (let i = 0; i < 7; i += 1) {
        const s = snapshot({
          steps: [
            step({ id: `cp_decision-1`, agencyId: agency, dueAt: day(i - 3) }), // days -3..3: three overdue at NOW
            step({
              id: `hhs-1`,
              kind: 'hhs_certification_letter',
              track: 'hhs',
              agencyKind: 'hhs',
              agencyId: `${agency}-hhs`,
              dueAt: i % 2 ? day(i) : null,
            }),
            step({ id: `done-1`, agencyId: agency, status: 'completed', dueAt: day(-30), completedAt: day(-1) }),
          ],
        });
        cases.push(s);
        await projectCase(db.pool, s);
      }
    });
    const base: StepFilter = { status: 'pending', agencyId: agency, sort: 'due_at', limit: 50, now: NOW };

    it('lists pending steps of one agency by due date, never completed ones', async () => {
      const { items, nextCursor } = await listSteps(db.pool, base);
      expect(items).toHaveLength(7);
      expect(items.every((s) => s.status === 'pending' && s.agencyId === agency)).toBe(true);
      expect(items.map((s) => s.dueAt)).toEqual([-3, -2, -1, 0, 1, 2, 3].map(day));
      expect(items[0]).toMatchObject({ caseId: cases[0]!.caseId, caseReference: cases[0]!.reference });
      expect(nextCursor).toBeNull();
    });

    it('computes overdue against the given clock', async () => {
      const overdue = await listSteps(db.pool, { ...base, status: 'overdue' });
      expect(overdue.items.map((s) => s.dueAt)).toEqual([-3, -2, -1].map(day));
      const later = await listSteps(db.pool, { ...base, status: 'overdue', now: new Date(day(2)) });
      expect(later.items).toHaveLength(5);
    });

    it('says a pending step with no due date is not overdue (false), never null', async () => {
      const { items } = await listSteps(db.pool, { ...base, agencyId: `${agency}-hhs` });
      expect(items.map((s) => [s.dueAt === null, s.overdue])).toEqual([
        ...[1, 3, 5].map(() => [false, false]),
        ...[0, 2, 4, 6].map(() => [true, false]),
      ]);
    });

    it("lists a step due at a validity's end as overdue only once its last day has ended everywhere in the US", async () => {
      const renewal = snapshot({
        steps: [
          step({
            id: 'cp_renewal_request-1',
            kind: 'cp_renewal_request',
            agencyKind: 'law_enforcement',
            agencyId: 'list-test-renewal-police',
            dueAt: '2026-06-01T00:00:00.000Z',
          }),
        ],
      });
      await projectCase(db.pool, renewal);
      const overdueAt = async (now: string) =>
        (
          await listSteps(db.pool, {
            ...base,
            agencyId: 'list-test-renewal-police',
            status: 'overdue',
            now: new Date(now),
          })
        ).items.length;
      // 17:00 on 31 May in Los Angeles, the grant's last day: not overdue; at noon UTC on 1 June it lapses.
      expect(await overdueAt('2026-06-01T00:00:00.000Z')).toBe(0);
      expect(await overdueAt('2026-06-01T11:59:00.000Z')).toBe(0);
      expect(await overdueAt('2026-06-01T12:01:00.000Z')).toBe(1);
    });

    it('moves the instants a client names across its due bounds (midnights that show the day before)', async () => {
      const moved = await listSteps(db.pool, {
        ...base,
        dueAfter: day(-1),
        dueAfterExcept: [day(-1)],
        dueBefore: day(1),
        dueBeforeAlso: [day(1)],
      });
      expect(moved.items.map((s) => s.dueAt)).toEqual([0, 1].map(day));
      // With the bounds of the steps shown at their hour too, the others still take them.
      const withTheHour = await listSteps(db.pool, {
        ...base,
        dueAfter: day(-1),
        dueAfterExcept: [day(-1)],
        dueAtTheHourAfter: day(-5),
        dueBefore: day(1),
        dueBeforeAlso: [day(1)],
        dueAtTheHourBefore: day(5),
      });
      expect(withTheHour.items.map((s) => s.dueAt)).toEqual([0, 1].map(day));
    });

    it("lists a step shown at its hour by its own bounds, where they lie outside the others'", async () => {
      const notice = snapshot({
        steps: [
          step({
            id: 'hhs_minor_notification-1',
            kind: 'hhs_minor_notification',
            agencyKind: 'law_enforcement',
            agencyId: 'list-test-hour-police',
            dueAt: day(-3),
          }),
          step({
            id: 'cp_request-1',
            kind: 'cp_request',
            agencyKind: 'law_enforcement',
            agencyId: 'list-test-hour-police',
            dueAt: day(0),
          }),
        ],
      });
      await projectCase(db.pool, notice);
      const listed = await listSteps(db.pool, {
        ...base,
        agencyId: 'list-test-hour-police',
        dueAfter: day(0),
        dueAtTheHourAfter: day(-4),
        dueBefore: day(1),
        dueAtTheHourBefore: day(-2),
      });
      expect(listed.items.map((s) => s.id)).toEqual(['hhs_minor_notification-1', 'cp_request-1']);
    });

    it('filters by due range, step kind, agency kind and case', async () => {
      const range = await listSteps(db.pool, { ...base, dueAfter: day(-1), dueBefore: day(2) });
      expect(range.items.map((s) => s.dueAt)).toEqual([-1, 0, 1].map(day));

      const hhs = await listSteps(db.pool, {
        ...base,
        agencyId: `${agency}-hhs`,
        kind: 'hhs_certification_letter',
        agencyKind: 'hhs',
      });
      // Undated steps sort after dated ones.
      expect(hhs.items.map((s) => s.dueAt)).toEqual([day(1), day(3), day(5), null, null, null, null]);
      expect((await listSteps(db.pool, { ...base, kind: 'hhs_certification_letter' })).items).toHaveLength(0);

      const one = await listSteps(db.pool, { ...base, agencyId: undefined, caseId: cases[2]!.caseId });
      expect(one.items.map((s) => s.id).sort()).toEqual(['cp_decision-1', 'hhs-1']);
    });

    it('pages with a keyset cursor in both directions without repeats or gaps', async () => {
      for (const sort of ['due_at', '-due_at'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await listSteps(db.pool, { ...base, agencyId: `${agency}-hhs`, sort, limit: 3, cursor });
          seen.push(...page.items.map((s) => `${s.caseId}/${s.id}`));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor);
        const all = await listSteps(db.pool, { ...base, agencyId: `${agency}-hhs`, sort, limit: 50 });
        expect(pages).toBe(3);
        expect(seen).toEqual(all.items.map((s) => `${s.caseId}/${s.id}`));
        expect(new Set(seen).size).toBe(7);
      }
      const descending = await listSteps(db.pool, { ...base, sort: '-due_at' });
      expect(descending.items.map((s) => s.dueAt)).toEqual([3, 2, 1, 0, -1, -2, -3].map(day));
    });

    it('rejects a cursor it did not make', async () => {
      await expect(listSteps(db.pool, { ...base, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
      const forged = Buffer.from(JSON.stringify(['yesterday', 'x', 'y'])).toString('base64url');
      await expect(listSteps(db.pool, { ...base, cursor: forged })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('caps the page size at 200', async () => {
      const page = await listSteps(db.pool, { ...base, status: 'pending', agencyId: undefined, limit: 10_000 });
      expect(page.items.length).toBeLessThanOrEqual(200);
    });

    it('walks a pending-steps index for agency lists rather than scanning all steps', async () => {
      await db.pool.query('ANALYZE case_steps');
      await db.pool.query('SET enable_seqscan = off'); // tiny table: ask whether an index can serve it at all
      try {
        const { rows } = await db.pool.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT * FROM case_steps s WHERE s.status = 'pending' AND s.agency_id = $1
         ORDER BY COALESCE(s.due_at, 'infinity'::timestamptz), s.case_id, s.step_id LIMIT 51`,
          [agency],
        );
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(plan).toMatch(/case_steps_pending_agency_idx/);
        expect(plan).not.toMatch(/Sort/);
      } finally {
        await db.pool.query('RESET enable_seqscan');
      }
    });
  });

  describe('survivors', () => {
    const identity = {
      name: 'Test Person Fictitious',
      birthDate: '1990-01-02',
      aNumber: 'A000000000',
      contact: 'nobody@example.net',
    };
    const keyring = { current: { id: 'k2', key: randomBytes(32) }, previous: [{ id: 'k1', key: randomBytes(32) }] };

    it('stores the identity sealed and reads it back with the keyring', async () => {
      const caseId = randomUUID();
      await saveSurvivor(db.pool, caseId, identity, keyring);
      const { rows } = await db.pool.query<{ identity_ciphertext: Buffer; key_id: string }>(
        'SELECT * FROM survivors WHERE case_id = $1',
        [caseId],
      );
      expect(rows[0]?.key_id).toBe('k2');
      expect(rows[0]?.identity_ciphertext.toString('latin1')).not.toContain('Fictitious');
      expect(await getSurvivor(db.pool, caseId, keyring)).toEqual(identity);
      await expect(getSurvivor(db.pool, caseId, { current: { id: 'k2', key: randomBytes(32) } })).rejects.toThrow();
      await expect(getSurvivor(db.pool, caseId)).rejects.toThrow(/not in the keyring/);
    });

    it('binds the ciphertext to its case', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await saveSurvivor(db.pool, a, identity, keyring);
      await db.pool.query(
        'INSERT INTO survivors (case_id, identity_ciphertext, key_id) SELECT $2, identity_ciphertext, key_id FROM survivors WHERE case_id = $1',
        [a, b],
      );
      await expect(getSurvivor(db.pool, b, keyring)).rejects.toThrow();
    });

    it('stores plaintext only when no keyring is configured, and says so', async () => {
      const caseId = randomUUID();
      await saveSurvivor(db.pool, caseId, identity);
      const { rows } = await db.pool.query<{ key_id: string }>('SELECT key_id FROM survivors WHERE case_id = $1', [
        caseId,
      ]);
      expect(rows[0]?.key_id).toBe('plaintext');
      expect(await getSurvivor(db.pool, caseId)).toEqual(identity);
      expect(await getSurvivor(db.pool, randomUUID())).toBeNull();
    });
  });
});
