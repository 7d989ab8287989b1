/**
 * A step the caller may not see answers exactly as a step the case does not have (probe L1): signing it, correcting
 * it, listing or adding its documents. A 403 for one and a 404 for the other told ICE, step id by step id, that a
 * survivor's T visa was filed and its receipt recorded (8 U.S.C. 1367), and a correction's 409 even told its status.
 * A step a correction withdrew likewise: a sign-off's 409 "a correction withdrew step …" told that it had existed.
 * The whole service on real parts.
 */
import request from 'supertest';
import { DEMO_AGENCIES } from '../../../db/seed';
import { addDays, dateOf } from '../../../domain/dates';
import type { AgencyKind } from '../../../domain/types';
import { SESSION_COOKIE } from '../../../web/session';
import { consoleStackPerFile } from '../../support/console';

describe('hidden-steps', () => {
  const service = consoleStackPerFile();
  /** The console's user of each agency kind, as `service.stack.as` is the API's. */
  const CONSOLE_USER = { ice: 'demo-ice-officer', law_enforcement: 'demo-police-officer', hhs: 'demo-hhs-officer' };

  let keys = 0;
  const key = () => `hidden-steps-${(keys += 1)}`;
  const today = async () => dateOf(new Date(await service.stack.env.currentTimeMs()).toISOString());

  async function openCase(name: string): Promise<string> {
    const opened = await request(service.app)
      .post('/api/cases')
      .set(service.stack.as('law_enforcement'))
      .set('Idempotency-Key', key())
      .send({ identifiedOn: await today(), survivor: { name, birthDate: '1991-05-06' }, agencies: DEMO_AGENCIES })
      .expect(201);
    return (opened.body as { caseId: string }).caseId;
  }

  async function sign(kind: AgencyKind, caseId: string, stepId: string, outcome: string, details: object) {
    await request(service.app)
      .post(`/api/cases/${caseId}/steps/${stepId}/sign-off`)
      .set(service.stack.as(kind))
      .set('Idempotency-Key', key())
      .send({ outcome, details })
      .expect(200);
  }

  /** What a caller learns of one step id: each step-level request's status and problem, the case id aside. */
  async function answersFor(kind: AgencyKind, caseId: string, stepId: string) {
    const as = service.stack.as(kind);
    const path = `/api/cases/${caseId}/steps/${stepId}`;
    const answers = {
      signOff: await request(service.app)
        .post(`${path}/sign-off`)
        .set(as)
        .set('Idempotency-Key', key())
        .send({ outcome: 'received', details: {} }),
      correction: await request(service.app)
        .post(`${path}/corrections`)
        .set(as)
        .set('Idempotency-Key', key())
        .send({ outcome: 'filed', reason: 'typo', expectedCorrections: 5, details: { filedOn: await today() } }),
      // The correction previewed (what it would withdraw) answers as the correction does.
      preview: await request(service.app)
        .post(`${path}/corrections/preview`)
        .set(as)
        .send({ outcome: 'filed', reason: 'typo', expectedCorrections: 5, details: { filedOn: await today() } }),
      documents: await request(service.app).get(`${path}/documents`).set(as),
      upload: await request(service.app)
        .post(`${path}/documents`)
        .set(as)
        .attach('file', Buffer.from('%PDF-1.4\n% hidden steps\n%%EOF\n'), 'letter.pdf'),
    };
    return Object.fromEntries(
      Object.entries(answers).map(([name, res]) => {
        const { code, detail } = res.body as { code?: string; detail?: string };
        return [name, { status: res.status, code, detail: detail?.replaceAll(caseId, '<case>') }];
      }),
    );
  }

  test("ICE and the police read another agency's T-visa steps as steps the case does not have", async () => {
    const filed = await openCase('Zyanya Hidden Steps (fictitious)');
    const untouched = await openCase('Citlali Hidden Steps (fictitious)');
    // The advocate files the T visa and records its receipt: t_visa_bona_fide-1 opens, the advocate's.
    await sign('advocate', filed, 't_visa_filing-1', 'filed', { filedOn: await today() });
    await sign('advocate', filed, 't_visa_receipt-1', 'received', { receivedOn: await today() });

    for (const kind of ['ice', 'law_enforcement', 'hhs'] as const) {
      for (const stepId of ['t_visa_filing-1', 't_visa_receipt-1', 't_visa_bona_fide-1']) {
        const hidden = await answersFor(kind, filed, stepId);
        expect({ kind, stepId, hidden }).toEqual({ kind, stepId, hidden: await answersFor(kind, untouched, stepId) });
        expect(Object.values(hidden).map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404]);
      }
    }
    // The advocate, who sees them, is still told what is wrong with its own request.
    const own = await answersFor('advocate', filed, 't_visa_bona_fide-1');
    expect(own.correction).toMatchObject({ status: 409, code: 'not_correctable' });
    expect(own.preview).toEqual(own.correction);
  });

  test('on a closed case, ICE, the police and HHS are told it is closed whatever step they name', async () => {
    // probe N2: a hidden step answered 404 where a step the case does not have reached the ended workflow, 409.
    const filed = await openCase('Anahi Closed Steps (fictitious)');
    const untouched = await openCase('Marisol Closed Steps (fictitious)');
    await sign('advocate', filed, 't_visa_filing-1', 'filed', { filedOn: await today() });
    await sign('advocate', filed, 't_visa_receipt-1', 'received', { receivedOn: await today() });
    for (const caseId of [filed, untouched]) {
      await request(service.app)
        .post(`/api/cases/${caseId}/close`)
        .set(service.stack.as('coordinator'))
        .set('Idempotency-Key', key())
        .send({ status: 'closed', reason: 'lost_contact' })
        .expect(200);
    }

    const closed = { status: 409, code: 'case_not_open', detail: 'The case is closed.' };
    for (const kind of ['ice', 'law_enforcement', 'hhs'] as const) {
      // An id that names no step of any kind: no case has it, and no reader sees it differently.
      const absent = await answersFor(kind, filed, 'nothing-1');
      expect({ kind, absent: [absent.signOff, absent.correction, absent.preview] }).toEqual({
        kind,
        absent: [closed, closed, closed],
      });
      for (const stepId of ['t_visa_filing-1', 't_visa_receipt-1', 't_visa_bona_fide-1', 't_visa_decision-1']) {
        const hidden = await answersFor(kind, filed, stepId);
        expect({ kind, stepId, hidden }).toEqual({ kind, stepId, hidden: await answersFor(kind, untouched, stepId) });
        expect({ kind, stepId, commands: [hidden.signOff, hidden.correction] }).toEqual({
          kind,
          stepId,
          commands: [absent.signOff, absent.correction],
        });
        // Documents are no command of the workflow: listed or added, a hidden step is one the case does not have.
        expect([hidden.documents, hidden.upload]).toEqual([
          { status: 404, code: 'step_not_found', detail: `No step ${stepId} in this case.` },
          { status: 404, code: 'step_not_found', detail: `No step ${stepId} in this case.` },
        ]);
      }
    }
  });

  test('a T-visa step a correction withdrew reads to ICE, the police and HHS as a step the case never had', async () => {
    const withdrawn = await openCase('Itzel Withdrawn Steps (fictitious)');
    const untouched = await openCase('Xochitl Withdrawn Steps (fictitious)');
    const on = await today();
    // The approval opens t_visa_adjustment_filing-1; corrected to a denial, the adjustment is withdrawn.
    await sign('advocate', withdrawn, 't_visa_filing-1', 'filed', { filedOn: on });
    await sign('advocate', withdrawn, 't_visa_receipt-1', 'received', { receivedOn: on });
    await sign('advocate', withdrawn, 't_visa_bona_fide-1', 'bona_fide', { determinedOn: on });
    await sign('advocate', withdrawn, 't_visa_decision-1', 'approved', {
      approvedOn: on,
      validUntil: addDays(on, 1400),
    });
    await request(service.app)
      .post(`/api/cases/${withdrawn}/steps/t_visa_decision-1/corrections`)
      .set(service.stack.as('advocate'))
      .set('Idempotency-Key', key())
      .send({ outcome: 'denied', reason: 'entered on the wrong case', details: { reason: 'not_a_victim' } })
      .expect(200);

    for (const kind of ['ice', 'law_enforcement', 'hhs'] as const) {
      const stepPages = async (caseId: string) => {
        const cookie = `${SESSION_COOKIE}=${service.sessionCookie(CONSOLE_USER[kind])}`;
        const path = `/cases/${caseId}/steps/t_visa_adjustment_filing-1`;
        return [
          (await request(service.app).get(path).set('Cookie', cookie)).status,
          (await request(service.app).get(`${path}/correct`).set('Cookie', cookie)).status,
        ];
      };
      // The console was already sound: its view's timeline holds nothing of a step the reader may not see.
      expect({ kind, pages: await stepPages(withdrawn) }).toEqual({ kind, pages: [404, 404] });
      expect(await stepPages(untouched)).toEqual([404, 404]);
      const hidden = await answersFor(kind, withdrawn, 't_visa_adjustment_filing-1');
      const never = await answersFor(kind, untouched, 't_visa_adjustment_filing-1');
      expect({ kind, hidden }).toEqual({ kind, hidden: never });
      expect(Object.values(hidden).map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404]);
    }
    // The advocate, whose step it was, is still told that a correction withdrew it, and reads its timeline lines;
    // ICE reads none of them.
    const own = await answersFor('advocate', withdrawn, 't_visa_adjustment_filing-1');
    expect(own.signOff).toMatchObject({ status: 409, code: 'step_not_pending' });
    const linesOf = async (kind: AgencyKind) =>
      (await readCase(kind, withdrawn)).timeline
        .filter((entry) => entry.stepId === 't_visa_adjustment_filing-1')
        .map((entry) => entry.type);
    expect(await linesOf('advocate')).toEqual(expect.arrayContaining(['step.opened', 'step.withdrawn']));
    expect(await linesOf('ice')).toEqual([]);
  });

  interface CaseAnswer {
    version: number;
    updatedAt: string;
    timeline: { seq: number; at: string; type: string; stepId: string | null }[];
  }

  async function readCase(kind: AgencyKind, caseId: string): Promise<CaseAnswer> {
    const res = await request(service.app).get(`/api/cases/${caseId}`).set(service.stack.as(kind)).expect(200);
    return res.body as CaseAnswer;
  }

  /**
   * What a reader learns of a case's changes: their count, its timeline's numbering and kinds, and the entries' and the
   * last change's moments, the case's opening named so (two cases open moments apart; an identification entered is
   * dated on its day, the same for both).
   */
  async function changesSeenBy(kind: AgencyKind, caseId: string) {
    const { version, updatedAt, timeline } = await readCase(kind, caseId);
    const opening = timeline.find((entry) => entry.type === 'case.opened')!.at;
    const moment = (at: string) => (at === opening ? 'the opening' : at);
    return {
      version,
      updatedAt: moment(updatedAt),
      timeline: timeline.map(({ seq, at, type, stepId }) => ({ seq, at: moment(at), type, stepId })),
    };
  }

  test("ICE, the police and HHS read a case's version, last change and numbering alike whether a T visa was filed or not", async () => {
    // probe L3: ICE read `version: 2` and the filing's moment as `updatedAt` where it sees nothing of the filing.
    const filed = await openCase('Yaretzi Hidden Changes (fictitious)');
    const untouched = await openCase('Nayeli Hidden Changes (fictitious)');
    const beforeFiling = await readCase('advocate', filed);
    await sign('advocate', filed, 't_visa_filing-1', 'filed', { filedOn: await today() });

    for (const kind of ['ice', 'law_enforcement', 'hhs'] as const) {
      const seen = await changesSeenBy(kind, filed);
      expect({ kind, seen }).toEqual({ kind, seen: await changesSeenBy(kind, untouched) });
      expect(seen.timeline.map((entry) => entry.seq)).toEqual(seen.timeline.map((_, index) => index + 1));
      expect(seen.version).toBe(seen.timeline.length);
    }
    // The coordinator, who sees every step, reads the case's own count; the advocate, whose filing it was, reads it
    // counted and numbered among what it sees.
    const whole = await service.stack.pool.query<{ version: number }>('SELECT version FROM cases WHERE id = $1', [
      filed,
    ]);
    const coordinator = await readCase('coordinator', filed);
    expect(coordinator.version).toBe(whole.rows[0]!.version);
    expect(coordinator.version).toBeGreaterThan((await readCase('coordinator', untouched)).version);
    const advocate = await readCase('advocate', filed);
    expect(advocate.version).toBeGreaterThan(beforeFiling.version);
    expect(advocate.version).toBe(advocate.timeline.length);
    expect(advocate.timeline).toContainEqual(
      expect.objectContaining({ type: 'step.completed', stepId: 't_visa_filing-1' }),
    );
  });
});
